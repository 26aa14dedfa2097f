//! Copydesk's ingest engine: turns what newsrooms receive into normalised [`Story`] values.
//!
//! The crate is a plain library; the worker binary wires it to RabbitMQ: the runtime publishes
//! what [`IngestStage`] returns, and the state store remembers what was confirmed.
//!
//! Layout:
//! - [`parse_document`] and [`detect_format`]: the entry points; one document in, stories out.
//! - `formats/`: one file per wire format (NITF, NewsML-G2, NewsML 1.2, ninjs, ANPA-1312,
//!   IPTC 7901, RSS/Atom, AP Media JSON, dpa digitalwires, Story JSON, plain text, Markdown).
//! - `decode`, `xml`, `text`, `dates`, `urgency`: shared reduction of bytes, markup, dates and
//!   urgency scales; `finish` applies the rules every format shares.
//! - [`stage`]: the stage: document in, messages with receipts out; [`dedup`]: duplicate and
//!   update detection against the state store; [`legacy`]: import of pre-store state files.
//! - [`article`]: the article page behind a teaser fetched and made the body (issue 13);
//!   [`page_retry`]: when a page that failed transiently is tried again, and when given up.
//! - Sources: [`dropdir`] (watched folder, shared by replicas), [`feeds`] (polled RSS/Atom,
//!   one replica per feed), [`push`] (HTTP endpoint).
//! - [`IngestStats`]: counters the worker renders as Prometheus metrics.
//! - [`bench_parse`]: parse throughput over a folder, for `copydesk bench ingest`.

pub mod article;
mod bench;
mod config;
mod dates;
mod decode;
pub mod dedup;
mod detect;
pub mod dropdir;
mod error;
pub mod feeds;
mod finish;
mod formats;
pub mod legacy;
pub mod page_retry;
mod lifecycle;
pub mod push;
pub mod stage;
mod stats;
mod text;
mod urgency;
mod xml;

pub use bench::{bench_parse, ParseBenchReport};
pub use config::{FeedConfig, IngestConfig, PushConfig};
pub use dedup::Verdict;
pub use detect::detect_format;
pub use dropdir::run_drop_folder;
pub use error::IngestError;
pub use feeds::{feed_reports, run_feed_poller, FeedReport};
pub use stage::{Deliver, Delivered, IngestStage, Origin, Receipt};
pub use stats::{IngestStats, StatsSnapshot};

pub use copydesk_types::{SourceFormat, Story};

/// One item found in a document: a story, or a non-story item skipped with a reason.
#[derive(Debug, Clone, PartialEq)]
#[allow(clippy::large_enum_variant)] // Skipped is rare; boxing every story would cost more.
pub enum Parsed {
    /// A usable (or killed, or withheld) story.
    Story(Story),
    /// A non-story item (service notice, copyright message, empty feed entry) and why it was skipped.
    Skipped {
        /// The item's id, when it has one.
        id: Option<String>,
        /// Why it is not a story.
        reason: String,
    },
}

/// Parse one document of any supported format into its items.
///
/// `name` is the file name (or push hint) used in errors and as a format hint. A feed yields
/// many items; a single-story format yields one. Every error is permanent and names the file.
pub fn parse_document(bytes: &[u8], name: &str, cfg: &IngestConfig) -> Result<Vec<Parsed>, IngestError> {
    if bytes.len() as u64 > cfg.max_file_bytes {
        return Err(IngestError::TooLarge {
            file: name.to_string(),
            bytes: bytes.len() as u64,
            limit: cfg.max_file_bytes,
        });
    }
    decode::reject_binary(bytes, name)?;
    let without_bom = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    if without_bom.iter().all(u8::is_ascii_whitespace) {
        return Err(IngestError::Empty { file: name.to_string() });
    }
    let format = detect_format(bytes, name).ok_or_else(|| IngestError::UnknownFormat {
        file: name.to_string(),
        detail: describe_head(bytes),
    })?;
    let doc = formats::Doc { bytes, name, format, max_xml_depth: cfg.max_xml_depth, max_xml_nodes: cfg.max_xml_nodes };
    let items = formats::parse(&doc)?;
    finish::finish(items, &doc, cfg)
}

/// A short, printable description of a document's start, for "unknown format" errors.
fn describe_head(bytes: &[u8]) -> String {
    let head: String = String::from_utf8_lossy(&bytes[..bytes.len().min(40)])
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    format!("it starts with {:?}", head.trim())
}
