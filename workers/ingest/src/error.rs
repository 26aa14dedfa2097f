//! The crate's one error type: every variant names the input, the problem and the fix.

use std::path::PathBuf;

use copydesk_types::SourceFormat;

/// Everything that can go wrong while ingesting; parse errors are permanent, I/O may be transient.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// The document is larger than `ingest.max_file_bytes`.
    #[error("{file}: document is {bytes} bytes, over the {limit}-byte limit; split it or raise ingest.max_file_bytes")]
    TooLarge {
        /// File name or push name hint.
        file: String,
        /// Size of the document.
        bytes: u64,
        /// The configured limit.
        limit: u64,
    },
    /// Nothing but whitespace.
    #[error("{file}: document is empty; send a document with a headline and a body")]
    Empty {
        /// File name or push name hint.
        file: String,
    },
    /// Binary data (an image, a zip, a PDF) rather than text.
    #[error("{file}: looks like binary data ({detail}), not a text wire document; send NITF, NewsML, ninjs, ANPA, IPTC 7901, RSS/Atom, agency JSON or plain text")]
    Binary {
        /// File name or push name hint.
        file: String,
        /// What gave it away.
        detail: String,
    },
    /// No supported format was recognised in the content.
    #[error("{file}: format not recognised from the content ({detail}); supported: NITF, NewsML-G2, NewsML 1.2, ninjs, ANPA-1312, IPTC 7901, RSS, Atom, AP Media JSON, dpa digitalwires, Story JSON, plain text, Markdown")]
    UnknownFormat {
        /// File name or push name hint.
        file: String,
        /// What the content looked like.
        detail: String,
    },
    /// The bytes are not valid in the declared or detected character encoding.
    #[error("{file}: {detail}; re-encode the document as UTF-8 or declare its real encoding")]
    Encoding {
        /// File name or push name hint.
        file: String,
        /// What was wrong.
        detail: String,
    },
    /// The XML or JSON is not well-formed.
    #[error("{file}: malformed {format} ({detail}); fix the document at the source and resend it")]
    Malformed {
        /// File name or push name hint.
        file: String,
        /// The syntax that failed ("XML", "JSON").
        format: &'static str,
        /// The parser's message, with position.
        detail: String,
    },
    /// XML that declares entities or external references (billion laughs, XXE).
    #[error("{file}: refused unsafe XML ({detail}); wire documents must not declare entities in a DTD internal subset")]
    UnsafeXml {
        /// File name or push name hint.
        file: String,
        /// What was refused.
        detail: String,
    },
    /// Well-formed, recognised, but missing what a story needs.
    #[error("{file}: {format} document {detail}")]
    Invalid {
        /// File name or push name hint.
        file: String,
        /// The detected format.
        format: &'static str,
        /// What is missing and what to do, as a sentence tail.
        detail: String,
    },
    /// Reading, moving or writing a file failed.
    #[error("{action} {path}: {source}; check the path exists and the worker may write to it")]
    Io {
        /// What the worker was doing ("read", "move", "append to").
        action: &'static str,
        /// The file concerned.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The de-duplication state file has a line that cannot be read back.
    #[error("{path}: dedup state line {line} is corrupt ({detail}); the line was skipped")]
    DedupState {
        /// The state file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// The JSON error.
        detail: String,
    },
    /// A feed could not be fetched or read.
    #[error("feed {feed}: {detail}")]
    Feed {
        /// The feed's configured name.
        feed: String,
        /// What failed and what to do.
        detail: String,
        /// Whether trying again later may help (network trouble, 5xx).
        transient: bool,
    },
    /// A story would make a message larger than `amqp.max_message_bytes`.
    #[error("{file}: story {story} makes a {bytes}-byte message, over the {limit}-byte limit (amqp.max_message_bytes, kept below the broker's own limit); shorten or split the story at the source")]
    MessageTooLarge {
        /// File name or push name hint.
        file: String,
        /// The story's key.
        story: String,
        /// The message size.
        bytes: usize,
        /// The limit.
        limit: usize,
    },
    /// The state store failed (dedup could not be checked or recorded): tried again later.
    #[error("{file}: {source}")]
    Store {
        /// File name or push name hint.
        file: String,
        /// The store's error.
        source: copydesk_store::StoreError,
    },
    /// The broker did not take the stories.
    #[error("{file}: {detail}")]
    Deliver {
        /// File name or push name hint.
        file: String,
        /// What the broker said.
        detail: String,
        /// True when the broker refused them (routing, size): an operator must act.
        refused: bool,
    },
    /// Some stories wait for their article page, which failed transiently (timeout, 429,
    /// 5xx); the document's other stories went out. Trying the document again later picks
    /// them up (the ones that went out are duplicates by then).
    #[error("{file}: {pending} stories wait for their article page ({detail}); {delivered} other stories went out, the document is tried again in {} s", retry_in.as_secs())]
    ArticlesPending {
        /// File name, push name hint or feed name.
        file: String,
        /// Stories waiting.
        pending: usize,
        /// Stories delivered from this document.
        delivered: usize,
        /// When the first waiting page may be tried again.
        retry_in: std::time::Duration,
        /// Why, for the first of them.
        detail: String,
    },
    /// The configuration is unusable.
    #[error("ingest config: {0}")]
    Config(String),
}

impl IngestError {
    /// True when trying again later may succeed (I/O and network trouble); parse errors never are.
    pub fn is_transient(&self) -> bool {
        match self {
            IngestError::Io { .. } => true,
            IngestError::Feed { transient, .. } => *transient,
            IngestError::Store { source, .. } => source.is_transient(),
            IngestError::Deliver { refused, .. } => !refused,
            IngestError::ArticlesPending { .. } => true,
            _ => false,
        }
    }

    /// How long to wait before trying again, when the error knows (pages waiting for their
    /// `Retry-After` or backoff).
    pub fn retry_in(&self) -> Option<std::time::Duration> {
        match self {
            IngestError::ArticlesPending { retry_in, .. } => Some(*retry_in),
            _ => None,
        }
    }

    /// A short machine-readable kind, used as the push endpoint's `error` and in metrics labels.
    pub fn kind(&self) -> &'static str {
        match self {
            IngestError::TooLarge { .. } => "too_large",
            IngestError::Empty { .. } => "empty",
            IngestError::Binary { .. } => "binary",
            IngestError::UnknownFormat { .. } => "unknown_format",
            IngestError::Encoding { .. } => "encoding",
            IngestError::Malformed { .. } => "malformed",
            IngestError::UnsafeXml { .. } => "unsafe_xml",
            IngestError::Invalid { .. } => "invalid",
            IngestError::Io { .. } => "io",
            IngestError::DedupState { .. } => "dedup_state",
            IngestError::Feed { .. } => "feed",
            IngestError::MessageTooLarge { .. } => "message_too_large",
            IngestError::Store { .. } => "store",
            IngestError::Deliver { .. } => "deliver",
            IngestError::ArticlesPending { .. } => "articles_pending",
            IngestError::Config(_) => "config",
        }
    }

    /// Shorthand for [`IngestError::Invalid`].
    pub(crate) fn invalid(file: &str, format: SourceFormat, detail: impl Into<String>) -> Self {
        IngestError::Invalid { file: file.to_string(), format: format.as_str(), detail: detail.into() }
    }

    /// Shorthand for [`IngestError::Io`].
    pub(crate) fn io(action: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        IngestError::Io { action, path: path.into(), source }
    }
}
