//! The built-in engine on synthetic wire copy written for these tests: the tricky cases of real
//! wire text (ALL-CAPS headlines, possessives, curly quotes, Unicode names, descriptors).

use copydesk_extract::{build, BuiltinExtractor, Engine, ExtractConfig, Extractor};
use copydesk_types::{Entities, EntityKind, Story};

fn extract(headline: &str, paras: &[&str]) -> (Story, Entities) {
    let story = Story::new("t", headline, paras.iter().map(|p| p.to_string()).collect());
    let engine = BuiltinExtractor::load_default().expect("the committed model loads");
    let e = engine.extract_story(&story);
    (story, e)
}

fn entity<'e>(e: &'e Entities, canonical: &str) -> &'e copydesk_types::Entity {
    e.entities
        .iter()
        .find(|x| x.canonical == canonical)
        .unwrap_or_else(|| panic!("no entity {canonical}: {:#?}", e.entities))
}

#[test]
fn mention_offsets_are_char_offsets_into_story_text() {
    let (story, e) = extract(
        "Zelenskyy’s visit",
        &["Volodymyr Zelenskyy met officials in Zaporizhzhia on Monday, the city’s mayor said."],
    );
    let text: Vec<char> = story.text().chars().collect();
    assert!(!e.mentions.is_empty());
    for m in &e.mentions {
        let slice: String = text[m.start..m.end].iter().collect();
        assert_eq!(slice, m.text, "offsets of {m:?}");
    }
    let place = entity(&e, "Zaporizhzhia");
    assert_eq!(place.kind, EntityKind::Loc);
    assert_eq!(place.country_code.as_deref(), Some("UA"));
    assert!(place.geonames_id.is_some());
}

#[test]
fn surname_title_and_possessive_mentions_join_the_full_name() {
    let (_, e) = extract(
        "Trump's tariffs rattle markets",
        &[
            "WASHINGTON (Reuters) - President Donald Trump said on Tuesday that new tariffs would take effect next week.",
            "Mr. Trump told reporters at the White House that China had been warned. Trump's advisers declined to comment.",
        ],
    );
    let trump = entity(&e, "Donald Trump");
    assert_eq!(trump.kind, EntityKind::Person);
    assert!(trump.mentions >= 4, "{trump:?}");
    assert_eq!(
        e.entities[0].canonical, "Donald Trump",
        "the headline person is most salient"
    );
    assert!(
        e.mentions.iter().all(|m| !m.text.ends_with("'s")),
        "possessives are not part of names"
    );
}

#[test]
fn an_all_caps_headline_keeps_the_type_the_prose_gives_a_name() {
    let (_, e) = extract(
        "MERKEL WARNS SIEMENS OVER JOBS",
        &["German Chancellor Angela Merkel warned Siemens on Wednesday against cutting jobs in Berlin.", "Merkel said Siemens must talk to unions."],
    );
    let headline: Vec<_> = e.mentions.iter().filter(|m| m.end <= 30).collect();
    let merkel = headline
        .iter()
        .find(|m| m.text == "MERKEL")
        .expect("MERKEL found in the headline");
    assert_eq!(e.entities[merkel.entity].canonical, "Angela Merkel");
    let siemens = headline
        .iter()
        .find(|m| m.text == "SIEMENS")
        .expect("SIEMENS found in the headline");
    assert_eq!(siemens.kind, EntityKind::Org);
}

#[test]
fn a_descriptor_the_text_makes_explicit_is_a_mention() {
    let (_, e) = extract(
        "Summit ends",
        &[
            "Russian President Vladimir Putin met the delegation in Moscow.",
            "The talks were useful, the Russian president said afterwards.",
        ],
    );
    let putin = entity(&e, "Vladimir Putin");
    let texts: Vec<&str> = e
        .mentions
        .iter()
        .filter(|m| e.entities[m.entity].canonical == "Vladimir Putin")
        .map(|m| m.text.as_str())
        .collect();
    assert!(texts.contains(&"the Russian president"), "{texts:?}");
    assert!(putin.mentions >= 2);
}

#[test]
fn dates_times_money_and_percentages_are_found() {
    let (_, e) = extract(
        "Shares jump",
        &["On March 3, 2024, at 4:35 p.m. the company said profit rose 12.5% to $1.2 billion, or 40 million euros more than last year."],
    );
    let kinds = |k| {
        e.mentions
            .iter()
            .filter(|m| m.kind == k)
            .map(|m| m.text.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(kinds(EntityKind::Date), ["March 3, 2024", "last year"]);
    assert_eq!(kinds(EntityKind::Time), ["4:35 p.m."]);
    assert_eq!(kinds(EntityKind::Percent), ["12.5%"]);
    assert_eq!(
        kinds(EntityKind::Money),
        ["$1.2 billion", "40 million euros"]
    );
}

#[test]
fn quotes_get_their_speakers_from_the_common_attribution_patterns() {
    let (_, e) = extract(
        "Kremlin comments",
        &[
            "“We are ready to continue the talks at any time,” Yuri Ushakov said on Friday.",
            "Ushakov, a foreign policy aide, added: “Nothing has been agreed yet, and nothing will be.”",
            "\"The market reacted calmly to the news today,\" according to Goldman Sachs.",
            "“This is a very serious situation for all of us,” he said.",
        ],
    );
    let speakers: Vec<Option<&str>> = e.quotes.iter().map(|q| q.speaker.as_deref()).collect();
    assert_eq!(
        speakers,
        [
            Some("Yuri Ushakov"),
            Some("Ushakov"),
            Some("Goldman Sachs"),
            Some("Yuri Ushakov")
        ]
    );
    let ushakov = e
        .entities
        .iter()
        .position(|x| x.canonical == "Yuri Ushakov")
        .expect("Ushakov");
    assert_eq!(e.quotes[0].speaker_entity, Some(ushakov));
    assert_eq!(
        e.quotes[3].speaker_entity,
        Some(ushakov),
        "'he' resolves to the last person named"
    );
    assert_eq!(
        e.quotes[0].text,
        "We are ready to continue the talks at any time,"
    );
}

#[test]
fn outlets_cited_as_sources_are_listed() {
    let (_, e) = extract(
        "Deal talks",
        &["The company is in talks to buy its rival, according to reporting by Bloomberg. The Financial Times reported the deal was close."],
    );
    assert!(
        e.sources_cited.contains(&"Bloomberg".to_string()),
        "{:?}",
        e.sources_cited
    );
}

#[test]
fn sports_tables_and_empty_stories_do_not_break_extraction() {
    let (_, e) = extract(
        "SOCCER - ENGLISH LEAGUE STANDINGS",
        &["Arsenal 3 2 1 0 7 2 7\nChelsea 3 1 1 1 4 4 4", ""],
    );
    assert!(e.mentions.iter().any(|m| m.text == "Arsenal"));
    let (_, empty) = extract("", &[]);
    assert!(empty.mentions.is_empty() && empty.quotes.is_empty());
}

#[tokio::test]
async fn the_default_config_builds_the_builtin_engine() {
    let engine = build(&ExtractConfig::default()).expect("build");
    assert!(matches!(engine, Engine::Builtin(_)));
    let story = Story::new(
        "t",
        "Paris talks",
        vec!["Emmanuel Macron spoke in Paris.".into()],
    );
    let e = engine.extract(&story).await.expect("extract");
    assert_eq!(e.engine, copydesk_extract::builtin::ENGINE_NAME);
    assert!(e
        .entities
        .iter()
        .any(|x| x.canonical == "Emmanuel Macron" && x.kind == EntityKind::Person));
}

#[test]
fn a_missing_model_file_is_a_permanent_error_naming_the_path() {
    let cfg = ExtractConfig {
        model_path: Some("/nonexistent/ner.bin".into()),
        ..ExtractConfig::default()
    };
    let err = build(&cfg).err().expect("missing file");
    assert!(!err.is_transient());
    assert!(err.to_string().contains("/nonexistent/ner.bin"), "{err}");
}
