//! One parser per wire format; each maps its format onto [`Story`] and nothing else.
//!
//! Parsers fill what the format carries and leave shared rules (checksums, language detection,
//! empty-body handling, fallback ids) to `finish`.

use copydesk_types::{SourceFormat, Story};

use crate::{IngestError, Parsed};

mod anpa;
mod apmedia;
mod dpa;
mod feed;
mod iptc7901;
mod json_util;
mod newsml12;
mod newsml_g2;
mod ninjs;
mod nitf;
mod plain;
mod story_json;


/// A document on its way through the parsers.
pub(crate) struct Doc<'a> {
    /// The raw payload.
    pub bytes: &'a [u8],
    /// File name or push hint, for errors.
    pub name: &'a str,
    /// The detected format.
    pub format: SourceFormat,
    /// Deepest element nesting accepted (`ingest.max_xml_depth`).
    pub max_xml_depth: usize,
    /// Most XML nodes accepted (`ingest.max_xml_nodes`).
    pub max_xml_nodes: u32,
}

impl<'a> Doc<'a> {
    /// A document with the default XML limits (tests build documents this way).
    #[cfg(test)]
    pub fn new(bytes: &'a [u8], name: &'a str, format: SourceFormat) -> Doc<'a> {
        let defaults = crate::IngestConfig::default();
        Doc { bytes, name, format, max_xml_depth: defaults.max_xml_depth, max_xml_nodes: defaults.max_xml_nodes }
    }
}

impl Doc<'_> {
    /// An [`IngestError::Invalid`] for this document.
    pub fn invalid(&self, detail: impl Into<String>) -> IngestError {
        IngestError::invalid(self.name, self.format, detail)
    }

    /// An empty story of this document's format, to be filled by a parser.
    pub fn story(&self) -> Story {
        let mut s = Story::new(String::new(), String::new(), Vec::new());
        s.format = self.format;
        s
    }
}

/// Dispatch to the parser for `doc.format`.
pub(crate) fn parse(doc: &Doc<'_>) -> Result<Vec<Parsed>, IngestError> {
    match doc.format {
        SourceFormat::PlainText => plain::parse_plain(doc),
        SourceFormat::Markdown => plain::parse_markdown(doc),
        SourceFormat::StoryJson => story_json::parse(doc),
        SourceFormat::Nitf => nitf::parse(doc),
        SourceFormat::NewsmlG2 => newsml_g2::parse(doc),
        SourceFormat::Newsml12 => newsml12::parse(doc),
        SourceFormat::Ninjs => ninjs::parse(doc),
        SourceFormat::Anpa1312 => anpa::parse(doc),
        SourceFormat::Iptc7901 => iptc7901::parse(doc),
        SourceFormat::Rss2 | SourceFormat::Rss1 | SourceFormat::Atom => feed::parse(doc),
        SourceFormat::ApMediaJson => apmedia::parse(doc),
        SourceFormat::DpaDigitalwires => dpa::parse(doc),
    }
}

/// Parse JSON, mapping syntax errors to [`IngestError::Malformed`] with the position.
pub(crate) fn json<T: serde::de::DeserializeOwned>(doc: &Doc<'_>) -> Result<T, IngestError> {
    let text = crate::decode::decode(doc.bytes, None, crate::decode::Fallback::Refuse, doc.name)?;
    serde_json::from_str(&text).map_err(|e| IngestError::Malformed {
        file: doc.name.to_string(),
        format: "JSON",
        detail: e.to_string(),
    })
}
