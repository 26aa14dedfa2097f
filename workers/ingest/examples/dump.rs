//! Print what `parse_document` makes of a file, as JSON: `cargo run --example dump -- FILE`.

use copydesk_ingest::{parse_document, IngestConfig, Parsed};

fn main() {
    for path in std::env::args().skip(1) {
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("{path}: {e}");
                continue;
            }
        };
        match parse_document(&bytes, &path, &IngestConfig::default()) {
            Ok(items) => {
                for item in items {
                    match item {
                        Parsed::Story(s) => println!("{}", serde_json::to_string_pretty(&s).unwrap_or_default()),
                        Parsed::Skipped { id, reason } => println!("skipped {id:?}: {reason}"),
                    }
                }
            }
            Err(e) => eprintln!("{e}"),
        }
    }
}
