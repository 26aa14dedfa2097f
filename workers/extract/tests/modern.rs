//! Today's copy, in invented stories: seat-institutions that act, outlets cited as sources (and
//! typed as organisations), a headline word not glued to a name, and stories in languages with
//! and without a model.

use copydesk_extract::{BuiltinExtractor, Lang};
use copydesk_types::{Entities, EntityKind, Link, Story};

fn engine() -> BuiltinExtractor {
    BuiltinExtractor::load_default().expect("the committed models load")
}

fn story(lang: Option<&str>, headline: &str, paras: &[&str]) -> Story {
    let mut s = Story::new("t", headline, paras.iter().map(|p| p.to_string()).collect());
    s.language = lang.map(str::to_string);
    s
}

fn kind_of(e: &Entities, text: &str) -> Option<EntityKind> {
    e.mentions.iter().find(|m| m.text == text).map(|m| m.kind)
}

#[test]
fn seat_institutions_are_organisations_when_they_act_and_places_otherwise() {
    let e = engine().extract_story(&story(
        None,
        "Talks stall",
        &[
            "The Kremlin said on Tuesday that no meeting had been planned, while the White House declined to comment.",
            "Envoys later met at the White House for two hours, a Pentagon spokesman told reporters.",
        ],
    ));
    let kinds: Vec<(String, EntityKind)> = e
        .mentions
        .iter()
        .filter(|m| ["Kremlin", "White House", "Pentagon"].contains(&m.text.as_str()))
        .map(|m| (m.text.clone(), m.kind))
        .collect();
    assert_eq!(
        kinds,
        [
            ("Kremlin".to_string(), EntityKind::Org),
            ("White House".to_string(), EntityKind::Org),
            ("White House".to_string(), EntityKind::Loc),
            ("Pentagon".to_string(), EntityKind::Org)
        ]
    );
}

#[test]
fn outlets_cited_as_sources_are_found_typed_org_and_linked() {
    let mut s = story(
        Some("en"),
        "Envoy's call leaked",
        &[
            "The envoy spoke to the minister twice, according to reporting by Bloomberg.",
            "According to The Guardian's reporting, the call lasted an hour. RT reported that Moscow was pleased.",
            "The deputy minister later confirmed the call on Russian state television.",
            "Speaking in an interview with Der Spiegel, the chancellor said she had not been told. She also told the BBC she was surprised.",
        ],
    );
    s.links = vec![Link {
        text: "reporting by Bloomberg".into(),
        href: "https://www.bloomberg.com/news/articles/2025-11-20/envoy-call".into(),
    }];
    let e = engine().extract_story(&s);
    let names: Vec<&str> = e.cited.iter().map(|c| c.name.as_str()).collect();
    for want in [
        "Bloomberg",
        "The Guardian",
        "RT",
        "Russian state television",
        "Der Spiegel",
        "BBC",
    ] {
        assert!(names.contains(&want), "{want} missing from {names:?}");
    }
    assert_eq!(e.sources_cited.len(), e.cited.len());
    let url = |n: &str| {
        e.cited
            .iter()
            .find(|c| c.name == n)
            .and_then(|c| c.url.clone())
    };
    assert_eq!(
        url("Bloomberg").as_deref(),
        Some("https://www.bloomberg.com/news/articles/2025-11-20/envoy-call")
    );
    assert_eq!(
        url("The Guardian").as_deref(),
        Some("https://www.theguardian.com")
    );
    assert_eq!(
        url("Russian state television"),
        None,
        "no address is invented"
    );
    assert_eq!(
        kind_of(&e, "Bloomberg"),
        Some(EntityKind::Org),
        "not a person"
    );
    assert!(
        e.mentions
            .iter()
            .any(|m| m.text.ends_with("Guardian") && m.kind == EntityKind::Org),
        "not MISC: {:?}",
        e.mentions
    );
}

#[test]
fn a_capitalised_headline_word_is_not_glued_to_the_name_after_it() {
    let e = engine().extract_story(&story(
        None,
        "Leaked Witkoff Call Rattles Allies",
        &["Steve Witkoff, the envoy, said the call was private."],
    ));
    let headline: Vec<&str> = e
        .mentions
        .iter()
        .filter(|m| m.end <= 34 && m.kind == EntityKind::Person)
        .map(|m| m.text.as_str())
        .collect();
    assert_eq!(headline, ["Witkoff"]);
}

#[test]
fn crimea_is_a_place() {
    let e = engine().extract_story(&story(
        None,
        "Bridge reopens",
        &["Traffic resumed on the bridge to Crimea on Sunday, officials in Crimea said."],
    ));
    assert_eq!(kind_of(&e, "Crimea"), Some(EntityKind::Loc));
}

#[test]
fn a_german_story_is_read_by_the_german_model_and_loaded_only_then() {
    let x = engine();
    assert!(!x.taggers().is_loaded(Lang::De));
    let e = x.extract_story(&story(Some("de-DE"), "Treffen in Berlin", &["Bundeskanzler Friedrich Merz traf am Donnerstag in Berlin den Vorstand von Siemens. Am Ende gab es keine Einigung."]));
    assert!(x.taggers().is_loaded(Lang::De));
    assert!(!x.taggers().is_loaded(Lang::Fi));
    assert_eq!(
        kind_of(&e, "Donnerstag"),
        Some(EntityKind::Date),
        "{:?}",
        e.mentions
    );
    assert_eq!(kind_of(&e, "Ende"), None);
    assert_eq!(kind_of(&e, "Berlin"), Some(EntityKind::Loc));
    assert!(
        e.mentions
            .iter()
            .any(|m| m.text.contains("Merz") && m.kind == EntityKind::Person),
        "{:?}",
        e.mentions
    );
}

#[test]
fn norwegian_and_finnish_stories_find_people_and_places() {
    let x = engine();
    let nb = x.extract_story(&story(
        Some("nb-NO"),
        "Møte i Oslo",
        &["Statsminister Jonas Gahr Støre møtte torsdag ordføreren i Bergen."],
    ));
    assert!(
        nb.mentions
            .iter()
            .any(|m| m.text.contains("Støre") && m.kind == EntityKind::Person),
        "{:?}",
        nb.mentions
    );
    assert_eq!(kind_of(&nb, "Bergen"), Some(EntityKind::Loc));
    let fi = x.extract_story(&story(
        Some("fi"),
        "Kokous",
        &["Pääministeri Petteri Orpo tapasi maanantaina Tampereella yrittäjiä."],
    ));
    assert!(
        fi.mentions
            .iter()
            .any(|m| m.text.contains("Orpo") && m.kind == EntityKind::Person),
        "{:?}",
        fi.mentions
    );
    assert_eq!(kind_of(&fi, "maanantaina"), Some(EntityKind::Date));
}

#[test]
fn a_language_without_a_model_gets_places_and_patterns_only() {
    let x = engine();
    let e = x.extract_story(&story(Some("it"), "Vertice a Roma", &["Giovedì 3 marzo il ministro Mario Rossi ha incontrato a Parigi i colleghi della Francia, con un costo di 12 milioni di euro."]));
    assert!(
        !x.taggers().is_loaded(Lang::En),
        "the English tagger is not run on Italian"
    );
    assert_eq!(
        kind_of(&e, "Mario Rossi"),
        None,
        "no tagger, no person names"
    );
    assert_eq!(
        kind_of(&e, "Francia"),
        None,
        "only names the gazetteer knows"
    );
    assert_eq!(kind_of(&e, "3 marzo"), Some(EntityKind::Date));
    assert_eq!(kind_of(&e, "Giovedì"), Some(EntityKind::Date));
    assert_eq!(
        kind_of(&e, "Parigi"),
        Some(EntityKind::Loc),
        "{:?}",
        e.mentions
    );
}

#[test]
fn quotes_named_earlier_and_short_attributed_quotes_get_their_speakers() {
    let e = engine().extract_story(&story(
        None,
        "Mayor defends budget",
        &[
            "Mayor Ellen Varga defended the budget on Monday. She said the city could not afford new debt.",
            "“We have cut what we could, and we will not borrow to cover the gap.”",
            "The finance minister said: “The city must find the money itself.”",
            "Councillor Tom Reyes called the plan “reckless” in a statement.",
            "Readers called it a “surprise twist” online.",
        ],
    ));
    let speakers: Vec<(&str, Option<&str>)> = e
        .quotes
        .iter()
        .map(|q| (q.text.as_str(), q.speaker.as_deref()))
        .collect();
    assert!(
        speakers
            .iter()
            .any(|(t, s)| t.starts_with("We have cut") && *s == Some("Ellen Varga")),
        "{speakers:?}"
    );
    assert!(
        speakers
            .iter()
            .any(|(t, s)| t.starts_with("The city must") && *s == Some("The finance minister")),
        "{speakers:?}"
    );
    assert!(
        speakers
            .iter()
            .any(|(t, s)| *t == "reckless" && *s == Some("Tom Reyes")),
        "{speakers:?}"
    );
    assert!(
        !speakers.iter().any(|(t, _)| *t == "surprise twist"),
        "an unattributed two-word quote is a scare quote: {speakers:?}"
    );
}

#[test]
fn a_name_that_trades_or_plays_is_an_organisation_at_every_mention() {
    // Invented firms and a club: the cue ("shares in", "carmaker", "boss") is at one mention,
    // the type holds at all of them; a person with a title and a place keep theirs.
    let e = engine().extract_story(&story(
        Some("en"),
        "Brakstad bid lifts Valmora",
        &[
            "Shares in Valmora rose 6% after reports that carmaker Brakstad was preparing a bid.",
            "Valmora declined to comment. Brakstad said in January that it wanted to expand in Oslo.",
            "Mr Hellum, who advised Valmora, said the talks were at an early stage, and Dunmore boss Kari Lunde agreed.",
        ],
    ));
    for (name, kind) in [
        ("Valmora", EntityKind::Org),
        ("Brakstad", EntityKind::Org),
        ("Dunmore", EntityKind::Org),
        ("Oslo", EntityKind::Loc),
    ] {
        let kinds: Vec<EntityKind> = e
            .mentions
            .iter()
            .filter(|m| m.text == name)
            .map(|m| m.kind)
            .collect();
        assert!(
            !kinds.is_empty(),
            "{name} not found: {:?}",
            e.mentions
                .iter()
                .map(|m| (&m.text, m.kind))
                .collect::<Vec<_>>()
        );
        assert!(kinds.iter().all(|k| *k == kind), "{name}: {kinds:?}");
    }
    let hellum: Vec<EntityKind> = e
        .mentions
        .iter()
        .filter(|m| m.text.contains("Hellum"))
        .map(|m| m.kind)
        .collect();
    assert!(
        hellum.iter().all(|k| *k == EntityKind::Person),
        "Hellum: {hellum:?}"
    );
}

#[test]
fn a_plural_possessive_inside_a_name_keeps_one_organisation() {
    let e = engine().extract_story(&story(
        Some("en"),
        "Dockworkers strike",
        &[
            "The Port Workers' Federation called the walkout after talks broke down, and the National Farmers' Union backed it.",
            "Reuters' Anna Berg reported that the Port Workers' Federation would meet again on Friday.",
        ],
    ));
    let orgs: Vec<&str> = e
        .mentions
        .iter()
        .filter(|m| m.kind == EntityKind::Org)
        .map(|m| m.text.as_str())
        .collect();
    assert!(orgs.contains(&"Port Workers' Federation"), "{orgs:?}");
    assert!(!orgs.contains(&"Federation"), "{orgs:?}");
    assert_eq!(kind_of(&e, "Anna Berg"), Some(EntityKind::Person), "{:?}", e.mentions);
}
