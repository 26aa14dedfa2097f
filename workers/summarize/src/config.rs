//! [`SummarizeConfig`]: which engine runs, and how LLM mode is set up.

use copydesk_llm::LlmConfig;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// Which engine writes summaries: the deterministic extractive one, or a validated LLM.
pub use copydesk_llm::EngineKind;

/// Settings of the summarize stage (`[summarize]` in the config files).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct SummarizeConfig {
    /// "builtin" (default) or "llm".
    pub engine: EngineKind,
    /// The model endpoint for LLM mode.
    pub llm: LlmConfig,
    /// A prompt template file users can edit; the built-in default is used when unset.
    pub prompt_template: Option<PathBuf>,
    /// Where LLM answers are cached by (story version, model, prompt hash); no cache when unset.
    pub cache_dir: Option<PathBuf>,
    /// When the model fails twice, publish the built-in summary (true, default) instead of
    /// failing the message so the broker retries it later.
    pub fallback_on_error: bool,
    /// How LLM mode writes: `sections` (default: one short prompt per passage, each checked by
    /// the guard and falling back alone) or `article` (one JSON answer for the whole article).
    pub llm_mode: LlmMode,
}

/// How LLM mode asks the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LlmMode {
    /// Rewrite the built-in article passage by passage; fall back per passage.
    #[default]
    Sections,
    /// One JSON answer for the whole article; fall back for the whole article.
    Article,
}

impl Default for SummarizeConfig {
    fn default() -> Self {
        SummarizeConfig {
            engine: EngineKind::Builtin,
            llm: LlmConfig::default(),
            prompt_template: None,
            cache_dir: None,
            fallback_on_error: true,
            llm_mode: LlmMode::Sections,
        }
    }
}

impl SummarizeConfig {
    /// Whether a failed LLM answer falls back to the built-in engine (default true).
    pub fn falls_back(&self) -> bool {
        self.fallback_on_error
    }
}
