//! Deep nesting in every place ingest parses markup. The input chooses a container (a whole
//! NITF document, NITF inside Atom, a NITF body in ninjs, an HTML body in ninjs, NewsML-G2), a
//! nesting depth of up to 200,000 levels and the tags (from the input's bytes, so mismatched and
//! unclosed tags happen too); the document is parsed with the default limits. No input may
//! crash (a stack overflow aborts the fuzzer like it aborts a worker), and every refusal must
//! name the input. Run: `cd fuzz && cargo +nightly fuzz run deep_nesting` (or
//! `FUZZ_TARGET=deep_nesting make fuzz`).
#![no_main]

use copydesk_ingest::{parse_document, IngestConfig};
use libfuzzer_sys::fuzz_target;

const TAGS: [&str; 8] = ["p", "div", "a", "body.content", "block", "span", "nitf", "x:y"];

fuzz_target!(|data: &[u8]| {
    if data.len() < 4 {
        return;
    }
    let container = data[0] % 5;
    let depth = (u32::from_le_bytes([data[1], data[2], data[3], 0]) % 200_001) as usize;
    let shape = &data[4..];
    let mut inner = String::with_capacity(depth * 8);
    let mut open = Vec::with_capacity(depth);
    for i in 0..depth {
        let b = shape.get(i % shape.len().max(1)).copied().unwrap_or(0);
        let tag = TAGS[usize::from(b) % TAGS.len()];
        inner.push('<');
        inner.push_str(tag);
        inner.push('>');
        open.push(tag);
        if b & 0x80 != 0 {
            inner.push_str("text ");
        }
    }
    let closing = shape.first().map_or(true, |b| b & 1 == 0);
    if closing {
        for tag in open.iter().rev() {
            inner.push_str("</");
            inner.push_str(tag);
            inner.push('>');
        }
    }
    let doc = match container {
        0 => format!("<?xml version=\"1.0\"?><nitf><body><body.content>{inner}</body.content></body></nitf>"),
        1 => format!(
            "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>t</title><entry><id>urn:f</id><title>f</title>\
             <updated>2024-03-01T10:00:00Z</updated><content type=\"text/xml\"><nitf><body><body.content>{inner}\
             </body.content></body></nitf></content></entry></feed>"
        ),
        2 => {
            let body = format!("<nitf><body><body.content>{inner}</body.content></body></nitf>");
            let body = body.replace('\\', "\\\\").replace('"', "\\\"");
            format!("{{\"uri\":\"https://f.test/1\",\"type\":\"text\",\"headline\":\"h\",\"bodies\":[{{\"role\":\"nitf\",\"value\":\"{body}\"}}]}}")
        }
        3 => {
            let body = inner.replace('\\', "\\\\").replace('"', "\\\"");
            format!("{{\"uri\":\"https://f.test/2\",\"type\":\"text\",\"headline\":\"h\",\"body_html\":\"{body}\"}}")
        }
        _ => format!(
            "<newsItem xmlns=\"http://iptc.org/std/nar/2006-10-01/\" guid=\"urn:f\"><contentSet><inlineXML>\
             <html><body>{inner}</body></html></inlineXML></contentSet></newsItem>"
        ),
    };
    let name = "fuzz-deep";
    let std::result::Result::Err(e) = parse_document(doc.as_bytes(), name, &IngestConfig::default()) else { return };
    assert!(e.to_string().contains(name), "a refusal that does not name the input: {e}");
});
