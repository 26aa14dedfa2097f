//! One test group per format, on synthetic fixtures in `tests/fixtures/` (written for Copydesk).

use copydesk_ingest::{parse_document, IngestConfig, Parsed, SourceFormat, Story};
use copydesk_types::PubStatus;

fn parse(name: &str) -> Vec<Parsed> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("read {path}: {e}"));
    parse_document(&bytes, name, &IngestConfig::default()).unwrap_or_else(|e| panic!("parse {name}: {e}"))
}

fn stories(name: &str) -> Vec<Story> {
    parse(name)
        .into_iter()
        .filter_map(|p| match p {
            Parsed::Story(s) => Some(s),
            Parsed::Skipped { .. } => None,
        })
        .collect()
}

fn one(name: &str) -> Story {
    let mut all = stories(name);
    assert_eq!(all.len(), 1, "{name} should hold one story");
    all.remove(0)
}

#[test]
fn nitf_kill_carries_every_field_and_refers_to_the_killed_doc() {
    let s = one("nitf-kill.xml");
    assert_eq!(s.format, SourceFormat::Nitf);
    assert_eq!(s.guid, "CD.2024.0001.b");
    assert_eq!(s.headline, "Harbour bridge reopens");
    assert_eq!(s.subheadline.as_deref(), Some("Traffic flows again"));
    assert_eq!(s.byline.as_deref(), Some("By Ann Example, Staff Reporter"));
    assert_eq!(s.located.as_deref(), Some("PORTVILLE, Testland"));
    assert_eq!(s.language.as_deref(), Some("en-GB"));
    assert_eq!(s.source.as_deref(), Some("CopydeskWire"));
    assert_eq!(s.slugline.as_deref(), Some("Harbour-Bridge"));
    assert_eq!(s.keywords, vec!["bridge", "traffic"]);
    assert_eq!(s.subjects[0].code, "subj:11000000");
    assert_eq!(s.urgency, Some(2));
    assert_eq!(s.pub_status, PubStatus::Canceled);
    assert_eq!(s.signals.refers_to.as_deref(), Some("CD.2024.0001.a"));
    assert_eq!(s.body.len(), 2);
    assert_eq!(s.links[0].href, "https://example.test/bridge");
    assert_eq!(s.version_created.map(|d| d.to_rfc3339()).as_deref(), Some("2024-05-01T10:15:00+02:00"));
    assert_eq!(s.checksum.len(), 64);
}

#[test]
fn nitf_release_after_issue_is_an_embargo() {
    let s = one("nitf-embargo.xml");
    assert_eq!(s.embargo.map(|d| d.to_rfc3339()).as_deref(), Some("2024-05-02T06:00:00+00:00"));
    assert_eq!(s.pub_status, PubStatus::Usable);
    assert_eq!(s.urgency, Some(4));
}
