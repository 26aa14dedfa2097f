//! Copydesk's publish stage: the sink end of the pipeline.
//!
//! Layout:
//! - [`config`]: the `[publish]` section.
//! - [`files`]: the file sink: one JSON and one Markdown file per story version, written
//!   atomically (temp file + rename) so a redelivery overwrites instead of duplicating, and
//!   retraction of killed stories (files removed, a tombstone left).
//! - [`stage`]: the [`stage::PublishStage`] transform the worker runs: embargo hold, publish or
//!   retract, and the `StoryPublished` event.

pub mod config;
pub mod files;
pub mod stage;

pub use config::PublishConfig;
pub use files::FileSink;

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
        matches!(self, PublishError::Io { .. })
    }
}
