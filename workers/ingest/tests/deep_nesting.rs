//! 100,000 nested elements (a 700 KB file) in every place ingest parses markup: a whole XML
//! document, a NITF body embedded in ninjs, an HTML body in ninjs, and NITF inside Atom. Each
//! must end in a clean refusal naming the file, or a story without the hostile body; never a
//! stack overflow (which aborts the whole worker). The fuzz target `deep_nesting` explores the
//! same space with generated shapes.

use copydesk_ingest::{parse_document, IngestConfig};

const DEPTH: usize = 100_000;

fn nested(tag: &str) -> String {
    format!("{}x{}", format!("<{tag}>").repeat(DEPTH), format!("</{tag}>").repeat(DEPTH))
}

/// Parse on a thread with the 2 MiB stack a tokio worker thread has, whatever RUST_MIN_STACK
/// the test harness runs with.
fn parse_on_small_stack(bytes: Vec<u8>, name: &'static str) -> Result<usize, String> {
    std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(move || parse_document(&bytes, name, &IngestConfig::default()).map(|s| s.len()).map_err(|e| e.to_string()))
        .expect("thread")
        .join()
        .expect("no panic")
}

#[test]
fn a_whole_document_nested_100000_deep_is_refused_naming_the_limit() {
    let doc = format!("<?xml version=\"1.0\"?><nitf><body><body.content>{}</body.content></body></nitf>", nested("p"));
    let err = parse_on_small_stack(doc.into_bytes(), "deep.xml").expect_err("refused");
    assert!(err.contains("deep.xml") && err.contains("ingest.max_xml_depth"), "{err}");
}

#[test]
fn a_nitf_body_nested_100000_deep_inside_ninjs_is_not_parsed() {
    let body = format!("<nitf><body><body.content>{}</body.content></body></nitf>", nested("p"));
    let ninjs = serde_json::json!({
        "uri": "https://example.test/deep",
        "type": "text",
        "headline": "Deep body",
        "bodies": [{"role": "nitf", "contentType": "application/nitf+xml", "value": body}],
    });
    let result = parse_on_small_stack(serde_json::to_vec(&ninjs).expect("json"), "deep.json");
    match result {
        Ok(stories) => assert!(stories <= 1),
        Err(e) => assert!(e.contains("deep.json"), "{e}"),
    }
}

#[test]
fn an_html_body_nested_100000_deep_inside_ninjs_does_not_crash() {
    let ninjs = serde_json::json!({
        "uri": "https://example.test/deep-html",
        "type": "text",
        "headline": "Deep HTML body",
        "body_html": nested("div"),
    });
    let result = parse_on_small_stack(serde_json::to_vec(&ninjs).expect("json"), "deep-html.json");
    if let Err(e) = result {
        assert!(e.contains("deep-html.json"), "{e}");
    }
}

#[test]
fn nitf_nested_100000_deep_inside_atom_is_refused() {
    let atom = format!(
        "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>t</title><entry><id>urn:x</id><title>x</title><updated>2024-03-01T10:00:00Z</updated><content type=\"text/xml\"><nitf><body><body.content>{}</body.content></body></nitf></content></entry></feed>",
        nested("p")
    );
    let err = parse_on_small_stack(atom.into_bytes(), "deep-atom.xml").expect_err("refused");
    assert!(err.contains("deep-atom.xml") && err.contains("max_xml_depth"), "{err}");
}
