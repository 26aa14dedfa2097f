//! The article rules end to end on stories written for these tests: sources linked and never
//! left as raw addresses, no subheadings on a short story, one focus keyphrase in the right
//! places, the meta description and the headline.

use copydesk_summarize::BuiltinSummarizer;
use copydesk_types::{CitedSource, Entities, Story};

mod common;

fn texts(a: &copydesk_types::Article) -> Vec<String> {
    std::iter::once(a.lead.clone())
        .chain(a.sections.iter().flat_map(|s| s.paragraphs.clone()))
        .collect()
}

fn cited_story() -> Story {
    Story::new(
        "urn:test:talks",
        "Ferry talks stall over harbour fees",
        vec![
            "TROMSØ, Norway (Copydesk) — Talks between the ferry operators of northern Norway and the harbour of Tromsø stalled on Thursday over a planned rise in harbour fees, according to reporting by the Arctic Ledger (https://ledger.example.org) and later confirmed by a harbour spokesman on North Cape Radio (https://radio.example.org/news).".into(),
            "The harbour wants to raise its fees by 18% from January to pay for a new quay. The operators say the rise would add about 40 crowns to every car ticket.".into(),
            "According to the Fjord Post's reporting (https://fjordpost.example.org/fees), the operators have threatened to move two routes to the port of Harstad.".into(),
            "A new round of talks is planned for Monday.".into(),
        ],
    )
}

#[test]
fn outlets_become_links_and_no_address_stays_in_the_text() {
    let entities = Entities {
        cited: vec![CitedSource {
            name: "North Cape Radio".into(),
            url: Some("https://radio.example.org".into()),
        }],
        ..Entities::default()
    };
    let summary = BuiltinSummarizer::new().summarize_sync(&cited_story(), &entities);
    let all = texts(&summary.article).join("\n");
    assert!(
        !all.contains("http") && !all.contains("www."),
        "no raw address:\n{all}"
    );
    assert!(
        all.contains("according to reporting by the Arctic Ledger and later confirmed"),
        "{all}"
    );
    let links: Vec<(&str, &str)> = summary
        .article
        .links
        .iter()
        .map(|l| (l.text.as_str(), l.href.as_str()))
        .collect();
    assert!(
        links.contains(&("the Arctic Ledger", "https://ledger.example.org")),
        "{links:?}"
    );
    assert!(
        links.contains(&("North Cape Radio", "https://radio.example.org/news")),
        "the wire's own address first: {links:?}"
    );
    assert!(
        links
            .iter()
            .any(|(t, h)| t.contains("Fjord Post") && h.ends_with("/fees")),
        "{links:?}"
    );
    let md = copydesk_render::article_markdown(&summary.headline, &summary.article);
    assert!(
        md.contains("[the Arctic Ledger](<https://ledger.example.org/>)"),
        "{md}"
    );
    assert!(
        !summary.keywords.iter().any(|k| k == "Copydesk"),
        "{:?}",
        summary.keywords
    );
}

#[test]
fn a_four_paragraph_story_gets_no_subheadings_and_no_one_sentence_section() {
    let summary = BuiltinSummarizer::new().summarize_sync(&cited_story(), &Entities::default());
    let a = &summary.article;
    assert!(a.short);
    assert!(
        a.sections.iter().all(|s| s.heading.is_empty()),
        "{:?}",
        a.sections
    );
    let long =
        BuiltinSummarizer::new().summarize_sync(&common::harbour_story(), &Entities::default());
    for s in &long.article.sections {
        let sentences: usize = s
            .paragraphs
            .iter()
            .map(|p| copydesk_summarize::split_sentences(p).len())
            .sum();
        assert!(sentences >= 2, "one-sentence section under {:?}", s.heading);
    }
}

#[test]
fn the_focus_keyphrase_stands_in_the_headline_or_lead_the_meta_and_a_subheading() {
    let summary =
        BuiltinSummarizer::new().summarize_sync(&common::harbour_story(), &Entities::default());
    let focus = summary.focus_keyphrase.clone().expect("a focus keyphrase");
    let has = |t: &str| t.to_lowercase().contains(&focus.to_lowercase());
    assert!(
        has(&summary.headline) || has(&summary.article.lead),
        "{focus}"
    );
    assert!(
        has(&summary.meta_description),
        "{focus} / {}",
        summary.meta_description
    );
    assert!(
        summary.article.sections.iter().any(|s| has(&s.heading)),
        "{focus} in {:?}",
        summary
            .article
            .sections
            .iter()
            .map(|s| &s.heading)
            .collect::<Vec<_>>()
    );
    let json = serde_json::to_value(&summary).expect("json");
    assert_eq!(json["focus_keyphrase"], focus.as_str());
}

#[test]
fn a_slug_line_headline_gives_way_to_the_story() {
    let mut story = cited_story();
    story.headline = "BC-EU--Ferry-Talks,0412".into();
    let summary = BuiltinSummarizer::new().summarize_sync(&story, &Entities::default());
    assert!(!summary.headline.starts_with("BC-"), "{}", summary.headline);
    assert!(
        summary
            .headline
            .starts_with("Talks between the ferry operators"),
        "{}",
        summary.headline
    );
    assert!(summary.json_ld["headline"]
        .as_str()
        .is_some_and(|h| h.chars().count() <= 110));
}
