//! Fuzz every ingest parser through the public entry point: no input may panic, and every
//! refusal must name the input. Run: `cd fuzz && cargo +nightly fuzz run parse_document`.
#![no_main]

use copydesk_ingest::{parse_document, IngestConfig};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(e) = parse_document(data, "fuzz-input", &IngestConfig::default()) {
        assert!(e.to_string().contains("fuzz-input"));
    }
});
