//! Configuration, the [`Extractor`] trait, and [`build`], which turns a config into an [`Engine`].

use crate::error::ExtractError;
use crate::llm::LlmExtractor;
use crate::BuiltinExtractor;
use copydesk_types::{Entities, Story};
use serde::{Deserialize, Serialize};
use std::future::Future;
use std::path::PathBuf;

/// Which engine extracts: the trained built-in one, or an LLM checked against the text.
pub use copydesk_llm::EngineKind;

/// Settings of the extract stage (the `[extract]` config table).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct ExtractConfig {
    /// `builtin` (default) or `llm`.
    pub engine: EngineKind,
    /// An English model file to load instead of the one embedded in the build (the German,
    /// Norwegian and Finnish models are always the embedded ones).
    pub model_path: Option<PathBuf>,
    /// The LLM endpoint, used when `engine = "llm"`.
    pub llm: copydesk_llm::LlmConfig,
    /// When the LLM call fails after its retries, use the built-in engine instead of failing
    /// the story (the fallback is counted in [`crate::llm_usage`]).
    pub llm_fallback_on_error: bool,
    /// Longest text, in chars, sent to the LLM; longer stories go to the built-in engine.
    pub llm_max_chars: usize,
}

impl Default for ExtractConfig {
    fn default() -> Self {
        ExtractConfig {
            engine: EngineKind::Builtin,
            model_path: None,
            llm: copydesk_llm::LlmConfig::default(),
            llm_fallback_on_error: true,
            llm_max_chars: 24_000,
        }
    }
}

/// Finds entities, quotes and cited sources in a story.
pub trait Extractor: Send + Sync {
    /// Extract from one story; offsets refer to `story.text()`.
    fn extract(&self, story: &Story)
        -> impl Future<Output = Result<Entities, ExtractError>> + Send;
}

/// The configured engine.
pub enum Engine {
    /// The built-in engine.
    Builtin(BuiltinExtractor),
    /// The LLM engine (with the built-in one as its fallback).
    Llm(Box<LlmExtractor>),
}

/// Build the engine a config asks for, loading its model.
pub fn build(cfg: &ExtractConfig) -> Result<Engine, ExtractError> {
    let builtin = match &cfg.model_path {
        Some(p) => BuiltinExtractor::load(p)?,
        None => BuiltinExtractor::load_default()?,
    };
    Ok(match cfg.engine {
        EngineKind::Builtin => Engine::Builtin(builtin),
        EngineKind::Llm => Engine::Llm(Box::new(LlmExtractor::new(cfg, builtin)?)),
    })
}

impl Engine {
    /// The built-in engine inside (the LLM engine's fallback).
    pub fn builtin(&self) -> &BuiltinExtractor {
        match self {
            Engine::Builtin(b) => b,
            Engine::Llm(l) => l.fallback(),
        }
    }
}

impl Extractor for BuiltinExtractor {
    fn extract(
        &self,
        story: &Story,
    ) -> impl Future<Output = Result<Entities, ExtractError>> + Send {
        std::future::ready(Ok(self.extract_story(story)))
    }
}

impl Extractor for Engine {
    async fn extract(&self, story: &Story) -> Result<Entities, ExtractError> {
        match self {
            Engine::Builtin(b) => Ok(b.extract_story(story)),
            Engine::Llm(l) => l.extract(story).await,
        }
    }
}
