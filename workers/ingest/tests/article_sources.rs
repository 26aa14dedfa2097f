//! The headline is the story's own, and an item with no text is not an article: ingest's
//! part of the article rules (issue 12). Synthetic items written for these tests; the real
//! samples named in the wire corpus MANIFEST are checked too when present.

use copydesk_ingest::{parse_document, IngestConfig, Parsed, Story};
use std::path::PathBuf;

fn parse(bytes: &[u8], name: &str) -> Vec<Parsed> {
    parse_document(bytes, name, &IngestConfig::default()).unwrap_or_else(|e| panic!("parse {name}: {e}"))
}

fn story(items: Vec<Parsed>) -> Story {
    match items.into_iter().next() {
        Some(Parsed::Story(s)) => s,
        other => panic!("expected a story, got {other:?}"),
    }
}

fn wire_file(local: &str) -> Option<Vec<u8>> {
    let base = std::env::var("COPYDESK_DATA_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"));
    let path = base.join("wire").join(local);
    match std::fs::read(&path) {
        Ok(bytes) => Some(bytes),
        Err(_) => {
            eprintln!("skipped: {} is not here (set COPYDESK_DATA_DIR to the folder holding wire/)", path.display());
            None
        }
    }
}

const ANPA_DIGEST: &[u8] = b"\x16\x16\x01W4242\x1fabc\nr a\x13\x11 BC-5ThingstoKnow-Today     04-14 0300\n\x02^BC-5 Things to Know-Today,288<\n^5 Things to Know for Today<\n^Among 5 Things to Know: harbour fire cooled overnight; ferries resume<\n^By The Copydesk Wire=\n\t   Your daily look at the stories people will talk about today:\n \n\t   1. HARBOUR FIRE COOLED OVERNIGHT \n\t   Firefighters kept water on a burning warehouse until dawn.\n \n\t   2. FERRIES RESUME \n\t   The morning ferries sailed on time after two days of storms.\n\x03\n\t   CW-WF-04-14-26 0700GMT<\n";

#[test]
fn an_anpa_digest_is_headed_by_its_headline_not_its_slug() {
    let s = story(parse(ANPA_DIGEST, "digest.tst"));
    assert_eq!(s.headline, "5 Things to Know for Today");
    assert_eq!(s.slugline.as_deref(), Some("BC-5 Things to Know-Today"));
    assert!(s.body.iter().any(|p| p.contains("ferries sailed on time")), "{:?}", s.body);
}

#[test]
fn the_real_ap_digest_is_headed_10_things_to_know_for_today() {
    let Some(bytes) = wire_file("anpa-1312/ap_anpa-7.tst") else { return };
    let s = story(parse(&bytes, "ap_anpa-7.tst"));
    assert_eq!(s.headline, "10 Things to Know for Today");
}

#[test]
fn an_ap_item_with_a_headline_and_no_body_is_skipped_with_a_reason() {
    let item = br#"{"data": {"item": {"uri": "https://example.org/ap/1", "altids": {"itemid": "abc123"},
        "version": 0, "type": "text", "headline": "BC-SOC--Top Scorers", "pubstatus": "usable",
        "renditions": {"nitf": {"href": "https://example.org/ap/1.nitf"}}}}}"#;
    match parse(item, "ap.json").as_slice() {
        [Parsed::Skipped { id, reason }] => {
            assert_eq!(id.as_deref(), Some("abc123"));
            assert!(reason.contains("no body text") && reason.contains("NITF"), "{reason}");
        }
        other => panic!("expected one skipped item, got {other:?}"),
    }
    let with_text = br#"{"data": {"item": {"altids": {"itemid": "abc124"}, "type": "text",
        "headline": "Ferries resume", "headline_extended": "Ferries resumed after two days of storms."}}}"#;
    assert_eq!(story(parse(with_text, "ap.json")).body, ["Ferries resumed after two days of storms."]);
}

#[test]
fn the_real_ap_top_ten_listing_is_not_an_article() {
    let Some(bytes) = wire_file("ap-media-json/superdesk_ap_media_text_feed.json") else { return };
    let items = parse(&bytes, "superdesk_ap_media_text_feed.json");
    assert!(items.iter().all(|p| matches!(p, Parsed::Skipped { reason, .. } if reason.contains("BC-BBN--Top Ten") || reason.contains("no body"))), "{items:?}");
}

#[test]
fn a_ninjs_3_item_with_text_only_in_its_descriptions_uses_that_text() {
    let item = r#"{"uri": "urn:example:ntb:1", "type": "text", "version": 1, "language": "nb-NO",
        "headlines": [{"role": "main", "value": "Fergene går igjen"}],
        "descriptions": [{"role": "summary", "value": "Kort."},
                         {"role": "text", "contentType": "text/plain", "value": "Fergene til øyene gikk igjen fredag etter to døgn med storm.\n\nRederiet ba reisende sjekke rutene."}]}"#;
    let s = story(parse(item.as_bytes(), "ntb.json"));
    assert_eq!(s.headline, "Fergene går igjen");
    assert_eq!(s.body.len(), 2, "{:?}", s.body);
    assert!(s.body[0].starts_with("Fergene til øyene"));
}

#[test]
fn a_ninjs_picture_association_becomes_the_story_image() {
    let item = r#"{"uri": "https://example.org/n/1", "type": "text", "headline": "Harbour fire",
        "body_text": "A warehouse burned in the harbour.",
        "associations": {"featureimage": {"type": "picture", "renditions": {
            "thumb": {"href": "https://example.org/p/1-small.jpg", "width": 200},
            "original": {"href": "https://example.org/p/1.jpg", "width": 1600}}}}}"#;
    assert_eq!(story(parse(item.as_bytes(), "n.json")).image.as_deref(), Some("https://example.org/p/1.jpg"));
}
