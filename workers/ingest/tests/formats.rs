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
    assert_eq!(s.byline.as_deref(), Some("By Lena Fictive, Copydesk"), "a <person> inside the byline stays inline");
    assert_eq!(s.located.as_deref(), Some("TESTHAVEN, Examplia"), "no space before the comma between <city> and <country>");
    assert_eq!(s.dateline.as_deref(), Some("TESTHAVEN, Examplia (Copydesk) \u{2014}"));
}

#[test]
fn newsml_g2_kill_with_subheadline_links_and_empty_embargo() {
    let items = parse("g2-kill.xml");
    assert_eq!(items.len(), 1, "the package beside a news item is not a second item");
    let s = one("g2-kill.xml");
    assert_eq!(s.format, SourceFormat::NewsmlG2);
    assert_eq!((s.guid.as_str(), s.version), ("urn:copydesk:test:g2-1", 3));
    assert_eq!(s.pub_status, PubStatus::Canceled);
    assert!(s.signals.correction);
    assert_eq!(s.embargo, None, "an empty <embargoed> is no embargo");
    assert_eq!(s.headline, "Factory closes");
    assert_eq!(s.subheadline.as_deref(), Some("Two hundred jobs lost"));
    assert_eq!(s.byline.as_deref(), Some("By Test Writer"));
    assert_eq!(s.located.as_deref(), Some("Lakeside"));
    assert_eq!(s.source.as_deref(), Some("Copydesk Test Wire"));
    assert_eq!((s.urgency, s.priority), (Some(1), Some(2)));
    assert_eq!(s.subjects[0].code, "medtop:04000000");
    assert_eq!(s.body, vec!["The factory closed on Friday.", "Workers were told by letter."]);
    assert_eq!(s.links[0].href, "https://example.test/f");
    assert_eq!(s.first_created.map(|d| d.to_rfc3339()).as_deref(), Some("2024-03-01T08:00:00+01:00"));
}

#[test]
fn newsml_1_2_revision_embargo_and_latin1_declaration() {
    let s = one("newsml12.xml");
    assert_eq!(s.format, SourceFormat::Newsml12);
    assert_eq!((s.guid.as_str(), s.version), ("urn:newsml:example.test:20240301:TX-1", 2));
    assert!(s.signals.update);
    assert_eq!(s.embargo.map(|d| d.to_rfc3339()).as_deref(), Some("2024-03-02T06:00:00+00:00"));
    assert_eq!(s.body, vec!["Le pont a rouvert mercredi après trois semaines de travaux.", "Décès: aucun."]);
    assert_eq!((s.language.as_deref(), s.source.as_deref(), s.urgency), (Some("fr"), Some("CW"), Some(3)));
    assert_eq!(s.keywords, vec!["pont"]);
}

#[test]
fn ninjs_3_prefers_html_body_and_reads_withheld_and_embargo() {
    let s = one("ninjs3.json");
    assert_eq!(s.format, SourceFormat::Ninjs);
    assert_eq!((s.guid.as_str(), s.version), ("https://example.test/items/ninjs-1", 4));
    assert_eq!(s.subheadline.as_deref(), Some("Pendler warten"));
    assert_eq!(s.body[0], "Der Zug fällt aus, meldet die Bahn.");
    assert_eq!(s.links[0].href, "https://bahn.test/", "normalised by the link check");
    assert_eq!(s.pub_status, PubStatus::Withheld);
    assert!(s.is_kill(), "withheld is treated like a kill");
    assert_eq!(s.embargo.map(|d| d.to_rfc3339()).as_deref(), Some("2024-03-02T05:00:00+00:00"));
}

#[test]
fn anpa_writethru_becomes_a_later_version_of_the_same_guid() {
    let s = one("anpa-writethru.tst");
    assert_eq!(s.format, SourceFormat::Anpa1312);
    assert_eq!(s.guid, "urn:anpa:BC-US--Test-Story:2024-03-01");
    assert_eq!(s.version, 3, "2nd Ld-Writethru is the third version");
    assert!(s.signals.writethru && s.signals.update);
    assert_eq!(s.urgency, Some(2), "ANPA b (bulletin) maps to 2");
    assert_eq!(s.headline, "Dam holds after storm");
    assert_eq!(s.byline.as_deref(), Some("By TEST WRITER, Copydesk Wire"));
    assert_eq!(s.dateline.as_deref(), Some("RIVERTOWN, Ohio (CW) —"));
    assert_eq!(s.body.len(), 2);
    assert_eq!(s.version_created.map(|d| d.to_rfc3339()).as_deref(), Some("2024-03-01T15:30:00+00:00"));
}

#[test]
fn iptc_7901_extra_label_raises_urgency_and_notes_are_not_body() {
    let s = one("iptc7901-extra.txt");
    assert_eq!(s.format, SourceFormat::Iptc7901);
    assert_eq!(s.headline, "Storm reaches the capital");
    assert_eq!(s.urgency, Some(2), "header priority 2 stays above EXTRA's 3");
    assert_eq!(s.signals.label.as_deref(), Some("EXTRA"));
    assert_eq!(s.body, vec!["Capital (cw) - A storm reached the capital on Monday and closed the airport.", "Trains are running."]);
    assert_eq!(s.ednote.as_deref(), Some("Contact: desk"));
    assert_eq!(s.located.as_deref(), Some("Capital"));
}

#[test]
fn iptc_7901_copyright_notice_is_skipped_with_a_reason() {
    let items = parse("iptc7901-notice.txt");
    assert!(matches!(&items[..], [Parsed::Skipped { reason, .. }] if reason.contains("copyright")));
}

#[test]
fn atom_entries_with_html_and_with_nitf_content() {
    let all = stories("atom-nitf.xml");
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].headline, "Harbour & docks reopen");
    assert_eq!(all[0].uri.as_deref(), Some("https://example.test/a1"));
    assert_eq!(all[0].body, vec!["The harbour reopened.", "Ships are waiting."]);
    assert_eq!(all[0].byline.as_deref(), Some("Test Author"));
    assert_eq!(all[0].source.as_deref(), Some("Test Atom"));
    assert_ne!(all[0].checksum, all[1].checksum, "each entry has its own checksum");
    assert_eq!((all[1].guid.as_str(), all[1].headline.as_str()), ("nitf-in-atom", "NITF inside Atom"));
    assert_eq!(all[1].format, SourceFormat::Atom);
}

#[test]
fn rss_1_rdf_items_use_rdf_about_and_dc_fields() {
    let s = one("rss1.rdf");
    assert_eq!(s.format, SourceFormat::Rss1);
    assert_eq!(s.guid, "https://example.test/r1");
    assert_eq!(s.keywords, vec!["politics"]);
    assert_eq!(s.version_created.map(|d| d.to_rfc3339()).as_deref(), Some("2024-03-01T10:00:00+01:00"));
}

#[test]
fn ap_media_json_maps_ids_versions_priority_and_bylines() {
    let s = one("ap-media.json");
    assert_eq!(s.format, SourceFormat::ApMediaJson);
    assert_eq!((s.guid.as_str(), s.version), ("abc123", 2));
    assert_eq!((s.urgency, s.priority), (Some(2), Some(3)));
    assert_eq!(s.byline.as_deref(), Some("By TEST WRITER, Associated Press"));
    assert!(s.signals.update && s.signals.writethru);
    assert_eq!(s.subjects.len(), 1, "category entries are not subjects");
    assert_eq!(s.links[0].href, "https://api.example.test/item/1.nitf");
}

#[test]
fn dpa_digitalwires_correction_embargo_and_ednote_order() {
    let s = one("dpa.json");
    assert_eq!(s.format, SourceFormat::DpaDigitalwires);
    assert_eq!((s.guid.as_str(), s.version), ("urn:newsml:example.test:20240301:cw-1", 2));
    assert!(s.signals.correction);
    assert_eq!(s.embargo.map(|d| d.to_rfc3339()).as_deref(), Some("2024-03-01T18:00:00+00:00"));
    assert_eq!(s.ednote.as_deref(), Some("Sperrfrist 19 Uhr"));
    assert_eq!((s.located.as_deref(), s.urgency), (Some("Berlin"), Some(2)));
    assert_eq!(s.links[0].href, "https://example.test/l");
}

#[test]
fn bad_input_is_refused_with_the_file_named() {
    let cfg = IngestConfig { max_file_bytes: 128, ..IngestConfig::default() };
    let cases: &[(&[u8], &str)] = &[
        (b"<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;\">]><nitf>&b;</nitf>", "unsafe_xml"),
        (b"{\"uri\": \"x\", \"headline\": ", "malformed"),
        (b"\x89PNG\r\n\x1a\n....", "binary"),
        (&[b'x'; 129], "too_large"),
        (b"<html><body>page</body></html>", "unknown_format"),
        (b"<nitf>\xff\xfe</nitf>", "encoding"),
    ];
    for (bytes, kind) in cases {
        let err = parse_document(bytes, "bad-input.bin", &cfg).expect_err(kind);
        assert_eq!(err.kind(), *kind, "{err}");
        assert!(err.to_string().contains("bad-input.bin"), "{err}");
        assert!(!err.is_transient());
    }
}

#[test]
fn iptc_7901_byline_line_notebook_and_trailer_without_gmt() {
    let s = one("iptc7901-byline.txt");
    assert_eq!(s.headline, "Teams meet again? A rematch is likely");
    assert_eq!(s.byline.as_deref(), Some("By Test Writer, The Example Times"));
    assert_eq!(s.body, vec!["Springfield (tns/cw) - The teams met on Monday night.", "The home side won 54-51."]);
    assert!(s.ednote.as_deref().is_some_and(|n| n.contains("Note to editors")));
    assert_eq!(s.located.as_deref(), Some("Springfield"));
    assert_eq!(s.version_created.map(|d| d.to_rfc3339()).as_deref(), Some("2018-11-21T12:59:00+00:00"));
}
