//! The event article writer on an invented event reported by three agencies (written for these
//! tests): one lead, the facts each copy adds, each named inline and linked where the wire has
//! an address, no repeats; kills and joins.

use copydesk_summarize::{summarize_event, EventMember, SummarizeError, EVENT_ENGINE};
use copydesk_types::{Entities, PubStatus, Story};

fn story(
    guid: &str,
    source: Option<&str>,
    uri: Option<&str>,
    created: &str,
    paragraphs: &[&str],
) -> Story {
    let mut s = Story::new(
        guid,
        "Landslide closes the Brenner rail line",
        paragraphs.iter().map(|p| p.to_string()).collect(),
    );
    s.source = source.map(str::to_string);
    s.uri = uri.map(str::to_string);
    s.language = Some("en".into());
    s.first_created = chrono::DateTime::parse_from_rfc3339(created).ok();
    s.version_created = s.first_created;
    s
}

fn alpine_wire() -> Story {
    story("urn:test:aw:1", Some("Alpine Wire"), Some("https://alpinewire.example.org/brenner"), "2026-05-04T07:00:00+02:00", &[
        "A landslide buried the Brenner rail line south of Innsbruck early on Monday, halting all freight and passenger trains between Austria and Italy on Europe's busiest Alpine rail route.",
        "Rocks and mud covered about 200 metres of track near the village of Matrei after two days of heavy rain, the Austrian rail operator said. No train was passing at the time and no one was hurt.",
        "The operator said clearing the track and checking the slope would take at least five days. Passengers are being taken by bus between Innsbruck and the Brenner Pass.",
        "About 400 freight trains a week use the line, most of them carrying goods between Germany and Italy.",
    ])
}

fn lake_press() -> Story {
    story("urn:test:lp:7", Some("Lake Press"), None, "2026-05-04T09:30:00+02:00", &[
        "A landslide near Matrei in Tyrol closed the Brenner rail line on Monday, cutting the main rail link between Austria and Italy after heavy rain.",
        "Hauliers warned that the closure would push thousands of extra lorries onto the Brenner motorway, where a weekly limit on night-time truck traffic already causes queues.",
        "The Italian transport ministry said it would ask Austria to suspend the lorry limits while the railway is closed.",
    ])
}

fn valley_news() -> Story {
    story("urn:test:vn:3", Some("Valley News"), Some("https://valleynews.example.org/matrei"), "2026-05-04T11:00:00+02:00", &[
        "Geologists flying over the slope above Matrei on Monday afternoon found a second crack about 50 metres above the slide, raising fears of a further collapse.",
        "The mayor of Matrei ordered twelve houses below the slope to be evacuated as a precaution. Residents were given rooms in a hotel in the village.",
    ])
}

fn article_text(s: &copydesk_types::Summary) -> String {
    std::iter::once(s.article.lead.clone())
        .chain(s.article.sections.iter().flat_map(|x| x.paragraphs.clone()))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_event_article_leads_with_one_copy_and_names_every_source_inline() {
    let (a, b, c) = (alpine_wire(), lake_press(), valley_news());
    let none = Entities::default();
    let members = [
        EventMember::new(&a, &none),
        EventMember::new(&b, &none),
        EventMember::new(&c, &none),
    ];
    let summary = summarize_event(&members).expect("an article");
    assert_eq!(summary.engine, EVENT_ENGINE);
    assert!(summary.engine.contains("extractive"));
    let text = article_text(&summary);
    assert!(
        summary
            .article
            .lead
            .starts_with("A landslide buried the Brenner rail line"),
        "{}",
        summary.article.lead
    );
    for source in ["Alpine Wire", "Lake Press", "Valley News"] {
        assert!(
            text.contains(&format!("according to {source}")),
            "{source} named inline:\n{text}"
        );
    }
    let links: Vec<(&str, &str)> = summary
        .article
        .links
        .iter()
        .map(|l| (l.text.as_str(), l.href.as_str()))
        .collect();
    assert!(
        links.contains(&("Alpine Wire", "https://alpinewire.example.org/brenner")),
        "{links:?}"
    );
    assert!(
        links.contains(&("Valley News", "https://valleynews.example.org/matrei")),
        "{links:?}"
    );
    assert!(
        !links.iter().any(|(t, _)| *t == "Lake Press"),
        "no address, no link"
    );
    assert!(
        !text.contains("A landslide near Matrei in Tyrol closed the Brenner rail line"),
        "the second copy's lead repeats the first:\n{text}"
    );
    assert!(
        text.contains("Hauliers warned") && text.contains("second crack"),
        "what the other copies add:\n{text}"
    );
    assert_eq!(
        summary.json_ld["datePublished"],
        "2026-05-04T07:00:00+02:00"
    );
    assert_eq!(summary.json_ld["dateModified"], "2026-05-04T11:00:00+02:00");
    assert_eq!(
        summary.json_ld["isBasedOn"].as_array().map(Vec::len),
        Some(3)
    );
    let md = copydesk_render::article_markdown(&summary.headline, &summary.article);
    assert!(
        md.contains("[Alpine Wire](<https://alpinewire.example.org/brenner>)"),
        "{md}"
    );
}

#[test]
fn a_killed_member_takes_its_facts_with_it_and_the_slug_stays() {
    let (a, b, mut c) = (alpine_wire(), lake_press(), valley_news());
    let none = Entities::default();
    let two =
        summarize_event(&[EventMember::new(&a, &none), EventMember::new(&b, &none)]).expect("two");
    let three = summarize_event(&[
        EventMember::new(&a, &none),
        EventMember::new(&b, &none),
        EventMember::new(&c, &none),
    ])
    .expect("three");
    assert_eq!(
        two.slug, three.slug,
        "a story joining does not move the slug"
    );
    assert!(article_text(&three).contains("second crack"));
    c.pub_status = PubStatus::Canceled;
    let killed = summarize_event(&[
        EventMember::new(&a, &none),
        EventMember::new(&b, &none),
        EventMember::new(&c, &none),
    ])
    .expect("killed");
    assert!(
        !article_text(&killed).contains("second crack"),
        "the killed copy's facts are gone"
    );
    let mut only = alpine_wire();
    only.pub_status = PubStatus::Canceled;
    let err = summarize_event(&[EventMember::new(&only, &none)]).expect_err("nothing left");
    assert!(
        matches!(err, SummarizeError::EmptyEvent { members: 1 }),
        "{err}"
    );
}

#[test]
fn only_the_latest_version_of_a_story_counts_and_a_kill_version_takes_it_out() {
    let (a, b) = (alpine_wire(), lake_press());
    let mut b2 = lake_press();
    b2.version = 2;
    b2.body[1] = "Hauliers said the closure would divert about 3,000 extra lorries a day onto the Brenner motorway.".into();
    let none = Entities::default();
    let s = summarize_event(&[
        EventMember::new(&a, &none),
        EventMember::new(&b, &none),
        EventMember::new(&b2, &none),
    ])
    .expect("article");
    let text = article_text(&s);
    assert!(
        text.contains("3,000 extra lorries") && !text.contains("night-time truck traffic"),
        "{text}"
    );
    let mut kill = lake_press();
    kill.version = 3;
    kill.pub_status = PubStatus::Canceled;
    kill.body = vec![];
    let s = summarize_event(&[
        EventMember::new(&a, &none),
        EventMember::new(&b2, &none),
        EventMember::new(&kill, &none),
    ])
    .expect("article");
    assert!(
        !article_text(&s).contains("lorries"),
        "{}",
        article_text(&s)
    );
}

#[test]
fn one_source_is_not_attributed_to_itself_at_every_turn() {
    let a = alpine_wire();
    let none = Entities::default();
    let summary = summarize_event(&[EventMember::new(&a, &none)]).expect("one member");
    assert!(!article_text(&summary).contains("according to Alpine Wire"));
}
