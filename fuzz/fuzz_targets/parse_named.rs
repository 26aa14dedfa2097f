//! The file name is a format hint (`.nitf` takes any XML root, `.md` turns text into Markdown),
//! so the input's last byte picks one of the names real inputs carry; the whole input is the
//! document, so seeds from the wire corpus keep their opening bytes. Checks: no panic,
//! refusals name the file, and detection agrees with the parse (a document `detect_format`
//! rejects is never parsed). Run: `scripts/fuzz.sh parse_named` from the repo root.
#![no_main]

use copydesk_ingest::{detect_format, parse_document, IngestConfig, IngestError};
use libfuzzer_sys::fuzz_target;

const NAMES: &[&str] = &[
    "story.nitf",
    "story.xml",
    "brief.md",
    "brief.markdown",
    "wire.txt",
    "ap_anpa-1.tst",
    "push",
    "ÜBERSICHT.NITF",
];

fuzz_target!(|data: &[u8]| {
    let Some(&pick) = data.last() else { return };
    let name = NAMES[usize::from(pick) % NAMES.len()];
    let detected = detect_format(data, name);
    match parse_document(data, name, &IngestConfig::default()) {
        Ok(_) => assert!(
            detected.is_some(),
            "parsed a document detect_format rejects"
        ),
        Err(e) => {
            assert!(
                e.to_string().contains(name),
                "error does not name {name}: {e}"
            );
            if detected.is_none() {
                assert!(
                    matches!(
                        e,
                        IngestError::UnknownFormat { .. }
                            | IngestError::Empty { .. }
                            | IngestError::Binary { .. }
                            | IngestError::TooLarge { .. }
                    ),
                    "undetectable input refused as {}: {e}",
                    e.kind()
                );
            }
        }
    }
});
