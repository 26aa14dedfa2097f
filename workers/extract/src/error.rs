//! The crate's one error type.

use std::path::PathBuf;

/// What can go wrong while loading models, extracting, evaluating or calling the LLM.
#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    /// A file could not be read.
    #[error("cannot read {path}: {source}; check the path and permissions")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// A model file is not in the expected format.
    #[error("bad NER model {path}: {reason}")]
    BadModel {
        /// Where it came from.
        path: String,
        /// What was wrong.
        reason: String,
    },
    /// An evaluation or training input is malformed or empty.
    #[error("bad data in {path}: {reason}")]
    BadData {
        /// The file or folder.
        path: PathBuf,
        /// What was wrong.
        reason: String,
    },
    /// The configuration asks for something this build cannot do.
    #[error("bad extract config: {0}")]
    Config(String),
    /// The LLM engine failed (after its own retries).
    #[error("LLM extraction failed: {0}")]
    Llm(#[from] copydesk_llm::LlmError),
    /// The LLM replied with something that is not usable entity JSON.
    #[error("LLM reply unusable: {0}")]
    LlmReply(String),
}

impl ExtractError {
    /// True when trying again later may succeed (network trouble, an overloaded LLM server);
    /// false for problems only a person can fix (a missing or corrupt model, bad config).
    pub fn is_transient(&self) -> bool {
        match self {
            ExtractError::Llm(e) => e.is_transient(),
            ExtractError::LlmReply(_) => true,
            _ => false,
        }
    }

    /// An I/O error on `path`.
    pub fn io(path: &std::path::Path, source: std::io::Error) -> Self {
        ExtractError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}
