//! Deterministic synthetic news stories, written for these tests (no real copy).

const PEOPLE: [(&str, &str); 8] = [
    ("Ana Ribeiro", "Mayor"),
    ("Tomas Lindqvist", "Finance Minister"),
    ("Grace Okafor", "union leader"),
    ("Henrik Maas", "chief executive"),
    ("Leila Haddad", "spokeswoman"),
    ("Pavel Novak", "coach"),
    ("Mei Tanaka", "researcher"),
    ("Diego Alvarez", "judge"),
];
const ORGS: [&str; 6] = ["Harbour Authority", "Northwind Energy", "City Council", "Atlantic Dockworkers Union", "Meridian Bank", "National Weather Office"];
const PLACES: [&str; 6] = ["Lisbon", "Rotterdam", "Oslo", "Valencia", "Gdansk", "Porto"];
const TOPICS: [&str; 6] = ["budget", "strike", "merger", "storm", "ruling", "election"];

/// Story `i` as plain text: headline line, blank line, paragraphs separated by blank lines.
/// About 300-400 words with people, organisations, places, money, percentages and quotes.
pub fn plain_text(i: usize) -> String {
    let (person, title) = PEOPLE[i % PEOPLE.len()];
    let (other, other_title) = PEOPLE[(i + 3) % PEOPLE.len()];
    let org = ORGS[i % ORGS.len()];
    let place = PLACES[(i / 2) % PLACES.len()];
    let topic = TOPICS[(i / 3) % TOPICS.len()];
    let amount = 10 + (i * 7) % 90;
    let pct = 1 + (i * 3) % 40;
    let headline = format!("{org} {topic} talks in {place} reach deadline, story {i}");
    let paragraphs = [
        format!("{place} (Copydesk) — The {org} said on Tuesday that talks over the {topic} would continue into a third week, after negotiators failed to agree on a plan worth ${amount} million, story number {i} in this series."),
        format!("\"We are closer than we were a week ago, but we are not there yet,\" {title} {person} told reporters outside the {org} offices in {place}. \"Nobody wants this to drag on into the summer.\""),
        format!("The proposal would raise spending by {pct}% over two years, according to a document seen by the Harbour Gazette. Critics said the figure was too low to cover rising costs, and the {org} has not published its own estimate."),
        format!("{other_title} {other} said the delay was costing local businesses. \"Every day without a decision is a day of lost trade,\" {other} said. Officials expect a vote before the end of the month."),
        format!("The dispute began in March when the {org} announced a review of its accounts. Since then, {person} has met {other} four times, and both sides have hired outside advisers to examine the numbers."),
        format!("Analysts at Meridian Bank said a deal could lift confidence across {place}. \"Markets like certainty,\" said {person}, adding that the {org} would publish a full statement once talks ended. Shares in Northwind Energy rose {pct}% on the news."),
    ];
    format!("{headline}\n\n{}\n", paragraphs.join("\n\n"))
}

/// A name for story `i`'s file in a drop folder.
pub fn file_name(i: usize) -> String {
    format!("story-{i:05}.txt")
}
