//! The one error type of this crate.

use std::path::PathBuf;

/// Everything that can stop a summary, an evaluation or a benchmark.
#[derive(Debug, thiserror::Error)]
pub enum SummarizeError {
    /// The story has neither headline nor body text.
    #[error("story {guid} v{version} has no headline and no body text to summarise; check the ingest output for it")]
    EmptyStory {
        /// The story's guid.
        guid: String,
        /// The story's version.
        version: u64,
    },
    /// An event has no member with text to write from (none given, or all killed or empty).
    #[error("event has no usable story ({members} members, all killed or empty); an event article needs at least one story with text")]
    EmptyEvent {
        /// How many members were given.
        members: usize,
    },
    /// The configuration cannot work.
    #[error("invalid summarize configuration: {0}")]
    Config(String),
    /// The LLM failed and fallback is switched off.
    #[error("LLM summary failed: {0}")]
    Llm(#[from] copydesk_llm::LlmError),
    /// The model answered twice and both answers failed validation, and fallback is off.
    #[error("LLM answers failed validation twice: {}; fix the prompt or switch fallback_on_error on", reasons.join("; "))]
    LlmRejected {
        /// What was wrong with the last answer.
        reasons: Vec<String>,
    },
    /// A file could not be read or written.
    #[error("cannot {action} {path}: {source}")]
    Io {
        /// What was being done ("read", "write", "list").
        action: &'static str,
        /// The file or folder.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// An evaluation line is not `{id, article, reference}` JSON.
    #[error("{path}:{line}: {reason}; each line must be a JSON object with string fields id, article and reference, or documents [{{title, text}}] and summary")]
    BadEvalLine {
        /// The data file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What was wrong.
        reason: String,
    },
    /// The evaluation or benchmark input holds nothing to measure.
    #[error("{path} holds no {what}; point the command at the right file or folder")]
    NoInput {
        /// The file or folder.
        path: PathBuf,
        /// What was expected ("articles", ".txt files").
        what: &'static str,
    },
}

impl SummarizeError {
    /// True when the same story may succeed later (an LLM outage with fallback off).
    pub fn is_transient(&self) -> bool {
        match self {
            SummarizeError::Llm(e) => e.is_transient(),
            SummarizeError::Io { .. } => true,
            _ => false,
        }
    }

    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
    ) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| SummarizeError::Io {
            action,
            path,
            source,
        }
    }
}
