//! Format parser (in progress).

use super::Doc;
use crate::{IngestError, Parsed};

/// Parse the document.
pub(super) fn parse(doc: &Doc<'_>) -> Result<Vec<Parsed>, IngestError> {
    Err(doc.invalid("is not supported yet"))
}
