//! Copydesk's own Story JSON: read back as is (re-ingest, tests, the CLI).

use copydesk_types::Story;

use super::{json, Doc};
use crate::{IngestError, Parsed};

/// One Story object, or an array of them.
pub(super) fn parse(doc: &Doc<'_>) -> Result<Vec<Parsed>, IngestError> {
    let value: serde_json::Value = json(doc)?;
    let items = match value {
        serde_json::Value::Array(items) => items,
        one => vec![one],
    };
    items
        .into_iter()
        .map(|v| {
            serde_json::from_value::<Story>(v)
                .map(Parsed::Story)
                .map_err(|e| doc.invalid(format!("is not a valid Story ({e}); compare it with `copydesk process FILE --json` output")))
        })
        .collect()
}
