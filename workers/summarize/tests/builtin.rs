//! The built-in engine end to end, on synthetic stories written for these tests.

use copydesk_summarize::{build, BuiltinSummarizer, SummarizeConfig, SummarizeError, Summarizer};
use copydesk_types::{Entities, Entity, EntityKind, Story};

mod common;
use common::harbour_story;

#[test]
fn a_long_story_gets_a_full_article_with_three_plain_sections() {
    let summary = BuiltinSummarizer::new().summarize_sync(&harbour_story(), &Entities::default());
    let a = &summary.article;
    assert!(!a.short, "a 600-word source is long enough");
    assert!(a.word_count() >= 300, "{} words", a.word_count());
    assert!(a.sections.len() >= 3);
    let mut seen = std::collections::HashSet::new();
    for s in &a.sections {
        let lower = s.heading.to_lowercase();
        assert!(
            lower != "introduction" && lower != "conclusion" && !s.heading.contains('*'),
            "{}",
            s.heading
        );
        // Plain subheadings: a short clause, no "Name: phrase", no quotes, no trailing stop.
        let words = s.heading.split_whitespace().count();
        assert!((3..=8).contains(&words), "{}", s.heading);
        assert!(
            !s.heading.contains([':', '"']) && !s.heading.ends_with('.'),
            "{}",
            s.heading
        );
        assert!(seen.insert(lower), "repeated: {}", s.heading);
    }
    let md = copydesk_render::article_markdown(&summary.headline, a);
    assert!(!md.contains("**") && !md.contains("__"), "no emphasis");
    assert!(
        a.lead.starts_with("The Bergen Harbour Authority approved"),
        "dateline and agency tag cut: {}",
        a.lead
    );
    assert!(
        !md.contains("Kari Nordmann"),
        "byline and credits are not story text"
    );
    assert!(
        md.contains("[documents published with the decision](<https://example.org/decision.pdf>)"),
        "source link inline"
    );
}

#[test]
fn every_article_sentence_comes_from_the_story() {
    let story = harbour_story();
    let source = story.body.join(" ");
    let summary = BuiltinSummarizer::new().summarize_sync(&story, &Entities::default());
    let texts = std::iter::once(summary.article.lead.clone()).chain(
        summary
            .article
            .sections
            .iter()
            .flat_map(|s| s.paragraphs.clone()),
    );
    for paragraph in texts {
        let plain = paragraph.replace(
            "[documents published with the decision](https://example.org/decision.pdf)",
            "documents published with the decision",
        );
        for sentence in copydesk_summarize::split_sentences(&plain) {
            assert!(source.contains(&sentence), "not in the source: {sentence}");
        }
    }
}

#[test]
fn seo_fields_fit_their_limits_and_markup_is_ready_for_publish() {
    let summary = BuiltinSummarizer::new().summarize_sync(&harbour_story(), &Entities::default());
    assert!(
        summary.headline.chars().count() <= 70,
        "{}",
        summary.headline
    );
    assert!(
        !summary.headline.starts_with("UPDATE"),
        "update markers are dropped"
    );
    let meta = summary.meta_description.chars().count();
    assert!(
        (120..=160).contains(&meta),
        "{meta}: {}",
        summary.meta_description
    );
    assert!(summary.meta_description.ends_with('.'));
    assert!(
        summary
            .slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
        "{}",
        summary.slug
    );
    assert!(
        summary.keywords.iter().any(|k| k.contains("Bergen")),
        "{:?}",
        summary.keywords
    );
    assert_eq!(summary.json_ld["@type"], "NewsArticle");
    assert_eq!(summary.json_ld["headline"], summary.headline.as_str());
    assert_eq!(
        summary.open_graph.get("og:url").map(String::as_str),
        Some("https://example.org/harbour")
    );
    let sentences = summary.brief.matches(". ").count() + 1;
    assert!((2..=4).contains(&sentences), "{}", summary.brief);
}

#[test]
fn the_slug_survives_a_new_version_with_an_update_marker() {
    let engine = BuiltinSummarizer::new();
    let v1 = harbour_story();
    let mut v2 = harbour_story();
    v2.version = 2;
    v2.headline = v2.headline.replace("UPDATE 1-", "UPDATE 2-");
    v2.body.insert(1, "The vote was eight to three.".into());
    assert_eq!(
        engine.summarize_sync(&v1, &Entities::default()).slug,
        engine.summarize_sync(&v2, &Entities::default()).slug
    );
}

#[test]
fn a_short_story_is_marked_short_and_not_padded() {
    let story = Story::new("g", "Ferry delayed", vec!["The morning ferry to Askøy was delayed by two hours on Friday because of fog. Passengers were offered coffee.".into()]);
    let summary = BuiltinSummarizer::new().summarize_sync(&story, &Entities::default());
    assert!(summary.article.short);
    assert!(summary.article.word_count() <= story.word_count());
}

#[test]
fn extract_entities_drive_keywords_when_given() {
    let entities = Entities {
        entities: vec![
            Entity {
                canonical: "Ingrid Solberg".into(),
                kind: EntityKind::Person,
                mentions: 3,
                salience: 0.9,
                geonames_id: None,
                country_code: None,
            },
            Entity {
                canonical: "Bergen".into(),
                kind: EntityKind::Loc,
                mentions: 9,
                salience: 0.8,
                geonames_id: Some(3161732),
                country_code: Some("NO".into()),
            },
        ],
        ..Entities::default()
    };
    let summary = BuiltinSummarizer::new().summarize_sync(&harbour_story(), &entities);
    assert_eq!(
        summary.keywords[..2],
        ["Ingrid Solberg".to_string(), "Bergen".to_string()]
    );
    assert_eq!(summary.json_ld["about"][0]["@type"], "Person");
}

#[tokio::test]
async fn an_empty_story_is_a_permanent_error() {
    let engine = build(&SummarizeConfig::default()).expect("builtin engine");
    let err = engine
        .summarize(&Story::new("g", " ", vec![]), &Entities::default())
        .await
        .expect_err("empty");
    assert!(matches!(err, SummarizeError::EmptyStory { .. }) && !err.is_transient());
}
