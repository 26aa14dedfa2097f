//! Copydesk's publish stage: the sink end of the pipeline.
//!
//! Layout:
//! - [`config`]: the `[publish]` section.
//! - [`files`]: the file sink: one JSON and one Markdown file per story version, written
//!   atomically (temp file + rename) so a redelivery overwrites instead of duplicating, and
//!   retraction of killed stories (files removed, a tombstone left).
//! - [`webhook`]: the signed webhook sink: each publish and retraction POSTed as JSON with an
//!   HMAC-SHA256 signature, after the files are written.
//! - [`wordpress`]: the CMS sink: a WordPress post per story, created, updated per version
//!   and trashed on a kill, through the REST API.
//! - [`stage`]: the [`stage::PublishStage`] transform the worker runs: embargo hold, publish or
//!   retract, and the `StoryPublished` event.

pub mod config;
pub mod files;
mod http;
pub mod stage;
pub mod webhook;
pub mod wordpress;

/// Message builders for tests (this crate's and the integration tests').
#[doc(hidden)]
pub mod testing {
    use copydesk_types::{Article, Entities, Section, Story, StorySummarized, Summary};

    /// A summarized story `guid` at `version`, headline "Harbour strike ends after a week",
    /// slug `harbour-strike-ends`, one section "Return to work".
    pub fn summarized(guid: &str, version: u64) -> StorySummarized {
        let mut story = Story::new(guid, "Harbour strike ends", vec!["Dockers returned to work on Monday.".into()]);
        story.version = version;
        let summary = Summary {
            brief: "Dockers returned to work.".into(),
            article: Article {
                lead: "Dockers returned to work on Monday.".into(),
                sections: vec![Section { heading: "Return to work".into(), paragraphs: vec!["The strike lasted a week.".into()] }],
                short: true,
                links: Vec::new(),
            },
            headline: "Harbour strike ends after a week".into(),
            meta_description: "Dockers returned to work.".into(),
            slug: "harbour-strike-ends".into(),
            keywords: vec!["harbour".into()],
            json_ld: serde_json::json!({}),
            open_graph: Default::default(),
            engine: "test".into(),
            focus_keyphrase: None,
        };
        StorySummarized { story, entities: Entities::default(), summary: Some(summary) }
    }
}

pub use config::PublishConfig;
pub use files::FileSink;
pub use webhook::{WebhookConfig, WebhookSink};
pub use wordpress::{WordPressConfig, WordPressSink};

/// Why a story could not be published.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// The out directory or a file in it could not be written.
    #[error("cannot write {path}: {source}. Check that publish.out_dir exists, is a directory and is writable")]
    Io {
        /// The path.
        path: std::path::PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The webhook receiver could not be reached or refused the event.
    #[error("webhook {url} (delivery {delivery}): {detail}")]
    Webhook {
        /// The receiver.
        url: String,
        /// The idempotency key of the event.
        delivery: String,
        /// HTTP status, when the receiver answered.
        status: Option<u16>,
        /// What happened and what to do.
        detail: String,
        /// Worth retrying (network, timeout, 408, 429, 5xx).
        transient: bool,
    },
    /// The CMS could not be reached or refused the change.
    #[error("{detail}")]
    Cms {
        /// What happened, to which story, and what to do.
        detail: String,
        /// Worth retrying (network, timeout, 408, 429, 5xx).
        transient: bool,
    },
    /// The `[publish]` configuration cannot work.
    #[error("{0}")]
    Config(String),
    /// The message carries no summary to publish for a usable story.
    #[error("story {guid} v{version} arrived at publish without a summary; it cannot be published as it is")]
    NoSummary {
        /// Story guid.
        guid: String,
        /// Story version.
        version: u64,
    },
}

impl PublishError {
    /// True when trying again later may work (a disk or permission problem an operator can fix).
    pub fn is_transient(&self) -> bool {
        matches!(self, PublishError::Io { .. } | PublishError::Webhook { transient: true, .. } | PublishError::Cms { transient: true, .. })
    }
}
