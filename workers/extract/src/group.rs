//! Grouping mentions into entities within one story: "Donald Trump", "Trump" and "Mr. Trump"
//! become one PERSON with the fullest name as canonical; "European Union" and "EU" one ORG;
//! "the US president" joins the person the text introduced with that title. Salience comes from
//! the headline, the lead, the mention count and how early the entity first appears.

use crate::doc::{Doc, RawMention};
use copydesk_types::EntityKind;

/// Titles dropped when comparing person names ("Mr. Trump" ~ "Trump").
pub const TITLES: &[&str] = &[
    "mr",
    "mr.",
    "mrs",
    "mrs.",
    "ms",
    "ms.",
    "dr",
    "dr.",
    "sir",
    "dame",
    "president",
    "gen.",
    "sen.",
    "rep.",
    "gov.",
];
/// Small words skipped when forming an acronym ("Bank of England" -> "BoE" / "BE").
const ACRONYM_SKIP: &[&str] = &["of", "the", "and", "for", "&", "de", "la"];
/// Role words that, before a person's name, give the text an explicit descriptor for them.
pub const ROLES: &[&str] = &[
    "president",
    "prime minister",
    "chancellor",
    "minister",
    "foreign minister",
    "defence minister",
    "defense secretary",
    "secretary of state",
    "secretary",
    "senator",
    "governor",
    "mayor",
    "king",
    "queen",
    "prince",
    "pope",
    "chief executive",
    "ceo",
    "chairman",
    "chairwoman",
    "spokesman",
    "spokeswoman",
    "leader",
    "coach",
    "manager",
    "premier",
    "ambassador",
    "general",
    "judge",
    "vice president",
    "speaker",
    "attorney general",
    "first minister",
    "captain",
];

/// A group of mentions being built.
pub struct Group {
    /// Entity type.
    pub kind: EntityKind,
    /// Index of the mention whose text is canonical.
    pub canonical: usize,
    /// Lowercase tokens of the canonical name, titles removed.
    pub words: Vec<String>,
    /// Member mention indices.
    pub members: Vec<usize>,
}

/// Lowercase tokens of a mention, without leading titles.
pub fn name_words(doc: &Doc, m: &RawMention) -> Vec<String> {
    let mut words: Vec<String> = doc
        .key(m.first, m.last)
        .split(' ')
        .map(str::to_string)
        .collect();
    while words.len() > 1 && TITLES.contains(&words[0].as_str()) {
        words.remove(0);
    }
    words
}

fn acronym(words: &[String]) -> String {
    words
        .iter()
        .filter(|w| !ACRONYM_SKIP.contains(&w.as_str()))
        .filter_map(|w| w.chars().next())
        .collect()
}

/// Does a mention with `words` refer to the group?
fn matches(g: &Group, kind: EntityKind, words: &[String]) -> bool {
    if g.words == words {
        return g.kind == kind
            || words.len() == 1 && g.kind == EntityKind::Person && kind.is_name();
    }
    if !kind.is_name() || !g.kind.is_name() {
        return false;
    }
    if g.kind == EntityKind::Person && words.len() < g.words.len() {
        // "Trump" or "Donald" alone, or "Donald Trump" for "Donald J. Trump".
        let last = g.words.last().map(String::as_str);
        return match words {
            [w] => Some(w.as_str()) == last || (kind == EntityKind::Person && *w == g.words[0]),
            _ => {
                kind == EntityKind::Person
                    && words.first() == g.words.first()
                    && words.last() == g.words.last()
            }
        };
    }
    if g.kind == EntityKind::Org
        && kind == EntityKind::Org
        && words.len() == 1
        && g.words.len() >= 2
    {
        return words[0].chars().count() >= 2 && words[0] == acronym(&g.words);
    }
    false
}

/// Group the document's mentions: longest names first found a group, shorter ones join it.
pub fn group(doc: &Doc) -> (Vec<Group>, Vec<usize>) {
    let mut order: Vec<usize> = (0..doc.mentions.len()).collect();
    let words: Vec<Vec<String>> = doc.mentions.iter().map(|m| name_words(doc, m)).collect();
    let mixed = |i: usize| {
        doc.mention_text(&doc.mentions[i])
            .chars()
            .any(char::is_lowercase)
    };
    order.sort_by_key(|&i| (std::cmp::Reverse(words[i].len()), !mixed(i), i));
    let mut groups: Vec<Group> = Vec::new();
    let mut of_mention = vec![usize::MAX; doc.mentions.len()];
    for i in order {
        let kind = doc.mentions[i].kind;
        match groups.iter().position(|g| matches(g, kind, &words[i])) {
            Some(g) => {
                groups[g].members.push(i);
                of_mention[i] = g;
            }
            None => {
                of_mention[i] = groups.len();
                groups.push(Group {
                    kind,
                    canonical: i,
                    words: words[i].clone(),
                    members: vec![i],
                });
            }
        }
    }
    for g in &mut groups {
        g.members.sort_unstable();
    }
    (groups, of_mention)
}

/// Salience in 0..1 from where and how often a group is mentioned.
pub fn salience(
    doc: &Doc,
    g: &Group,
    headline_end: usize,
    lead_end: usize,
    max_mentions: usize,
) -> f32 {
    let starts: Vec<usize> = g.members.iter().map(|&m| doc.mentions[m].start).collect();
    salience_score(
        &starts,
        headline_end,
        lead_end,
        max_mentions,
        doc.text.len(),
        g.kind.is_name(),
    )
}

/// Salience in 0..1 of an entity whose mentions start at `starts` (any offset unit, consistent
/// with `headline_end`, `lead_end` and `text_len`): headline 0.3, lead 0.2, share of the most
/// mentioned entity's count 0.35, earliness 0.15; halved for dates, times and amounts.
pub fn salience_score(
    starts: &[usize],
    headline_end: usize,
    lead_end: usize,
    max_mentions: usize,
    text_len: usize,
    is_name: bool,
) -> f32 {
    let first = starts.iter().copied().min().unwrap_or(0);
    let in_headline = starts.iter().any(|&s| s < headline_end);
    let in_lead = starts.iter().any(|&s| s < lead_end);
    let count = starts.len() as f32 / max_mentions.max(1) as f32;
    let early = 1.0 - first as f32 / text_len.max(1) as f32;
    let mut s =
        0.3 * in_headline as u8 as f32 + 0.2 * in_lead as u8 as f32 + 0.35 * count + 0.15 * early;
    if !is_name {
        s *= 0.5;
    }
    (s.clamp(0.0, 1.0) * 1000.0).round() / 1000.0
}

/// Byte offsets of the end of the headline and of the lead paragraph in `Story::text()` layout.
pub fn headline_and_lead_end(text: &str) -> (usize, usize) {
    let headline_end = text.find("\n\n").unwrap_or(text.len());
    let rest = (headline_end + 2).min(text.len());
    let lead_end = text[rest..].find("\n\n").map_or(text.len(), |p| p + rest);
    (headline_end, lead_end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(s: &str) -> Vec<String> {
        s.split(' ').map(str::to_string).collect()
    }

    #[test]
    fn surnames_and_acronyms_join_the_full_name() {
        let per = Group {
            kind: EntityKind::Person,
            canonical: 0,
            words: w("donald trump"),
            members: vec![],
        };
        assert!(matches(&per, EntityKind::Person, &w("trump")));
        assert!(
            matches(&per, EntityKind::Org, &w("trump")),
            "a mistyped surname still joins"
        );
        assert!(!matches(&per, EntityKind::Person, &w("melania trump")));
        let org = Group {
            kind: EntityKind::Org,
            canonical: 0,
            words: w("european union"),
            members: vec![],
        };
        assert!(matches(&org, EntityKind::Org, &w("eu")));
        assert!(!matches(&org, EntityKind::Loc, &w("eu")));
    }
}
