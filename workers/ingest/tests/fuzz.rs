//! Property tests ("fuzzing" that runs in `cargo test`): the parsers never panic and every
//! refusal names the input, whatever the bytes. Longer runs: `PROPTEST_CASES=100000 cargo
//! test -p copydesk-ingest --release --test fuzz`.

use copydesk_ingest::{detect_format, parse_document, IngestConfig};
use proptest::prelude::*;

/// Seeds that push the generator into each format's detection branch.
const PREFIXES: &[&[u8]] = &[
    b"",
    b"<?xml version=\"1.0\"?><nitf>",
    b"<newsMessage><itemSet><newsItem guid=\"g\">",
    b"<NewsML><NewsItem>",
    b"<rss><channel><item><title>",
    b"<feed><entry><content type=\"html\">",
    b"<rdf:RDF xmlns:rdf=\"r\"><item>",
    b"{\"uri\":\"x\",\"bodies\":[",
    b"{\"api_version\":\"1\",\"data\":{\"item\":",
    b"{\"format\":\"digitalwires@1\",\"article_html\":\"",
    b"\x16\x16\x01W1\x1fx\nf a\x13\x11 BC-X 01-01 1\n\x02^",
    b"\x01abc 4 i 1 dpa 1\r\n\x02",
    b"# Head\n\n",
];

fn check(bytes: &[u8]) {
    let name = "fuzz-input.bin";
    let _ = detect_format(bytes, name);
    if let Err(e) = parse_document(bytes, name, &IngestConfig::default()) {
        assert!(e.to_string().contains(name), "error does not name the input: {e}");
    }
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(prefix in 0..PREFIXES.len(), tail in proptest::collection::vec(any::<u8>(), 0..512)) {
        let mut bytes = PREFIXES[prefix].to_vec();
        bytes.extend(tail);
        check(&bytes);
    }

    #[test]
    fn markup_soup_never_panics(prefix in 0..PREFIXES.len(), tail in "[<>/a-z \"=&;#0-9\\[\\]{}:,\\n^_-]{0,400}") {
        let mut bytes = PREFIXES[prefix].to_vec();
        bytes.extend(tail.as_bytes());
        check(&bytes);
    }
}
