//! NITF 3.x (in progress).

use super::Doc;
use crate::{xml, IngestError, Parsed};

/// Parse the document.
pub(super) fn parse(doc: &Doc<'_>) -> Result<Vec<Parsed>, IngestError> {
    let text = xml::decode_xml(doc)?;
    let _tree = xml::parse(&text, doc)?;
    Err(doc.invalid("is not supported yet"))
}
