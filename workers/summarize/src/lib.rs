//! The summarize stage's engine: turns an extracted story into what an editor can publish — a
//! brief, an SEO article with plain subheadings, a headline, a meta description, a slug,
//! keywords, schema.org `NewsArticle` JSON-LD and Open Graph fields.
//!
//! [`summarize_event`] writes one article from several wire stories about the same event.
//!
//! Two engines sit behind the [`Summarizer`] trait. The built-in one ([`BuiltinSummarizer`]) is
//! offline and deterministic: extractive, with a strong position prior, so every sentence it
//! prints comes from the story. The LLM one ([`LlmSummarizer`]) asks an OpenAI-compatible model
//! (via `copydesk-llm`), validates every answer, retries once and falls back to the built-in
//! engine. No broker code lives here; the worker binary wires [`Engine`] to the runtime.
//!
//! Layout:
//! - [`config`]: [`SummarizeConfig`] and [`build`]ing an [`Engine`] from it.
//! - `text`, `doc`: sentence splitting, wire-copy cleanup (datelines, agency tags, bylines).
//! - `brief`: the brief (lead sentences fitted to a word budget).
//! - `salience`, `article`, `headings`, `clause`, `links`: the article, its subheadings (headline
//!   clauses cut from its sentences) and links.
//! - `seo`, `markup`: headline, meta description, slug, keywords, JSON-LD, Open Graph.
//! - [`builtin`]: the built-in engine. [`event`]: the event article (one article from several
//!   wire stories). [`lang`]: per-language rules. `focus`, `urls`: focus keyphrase, addresses
//!   in wire text.
//! - [`llm`], `validate`, `cache`: LLM mode; [`guard`]: the sentence-level faithfulness guard
//!   of generated sections; [`sections`]: section-by-section rewriting with per-section
//!   fallback (the default LLM mode).
//! - [`rouge`], `porter`, [`eval`], `eval_multi`, `craft`, `guard_eval`, `llm_eval`: ROUGE as
//!   Google's rouge-score computes it, the `copydesk eval summary` reports (single- and
//!   multi-document), the `copydesk bench summarize` report with how often each article rule
//!   holds, and the guard and live-LLM evaluations.
//! - [`stage`]: the stage the worker runs: the story's summary, and its event and the event
//!   article when the event desk is on.
//! - [`error`]: the crate's one error type, [`SummarizeError`], with `is_transient()`.

mod article;
mod brief;
pub mod builtin;
mod cache;
mod clause;
pub mod config;
mod craft;
mod doc;
pub mod error;
pub mod eval;
mod eval_multi;
pub mod event;
mod focus;
pub mod guard;
mod guard_eval;
mod headings;
pub mod lang;
mod links;
pub mod llm;
mod llm_eval;
mod markup;
mod porter;
pub mod rouge;
mod salience;
pub mod sections;
mod seo;
pub mod stage;
mod text;
mod urls;
mod validate;

pub use builtin::{BuiltinSummarizer, BUILTIN_ENGINE};
pub use config::{EngineKind, LlmMode, SummarizeConfig};
pub use craft::CraftQuality;
pub use error::SummarizeError;
pub use eval::{
    bench_summarize, eval_summary, story_from_text, HeadingQuality, MultiEvalReport,
    SummarizeBenchReport, SummaryEval, SummaryEvalReport,
};
pub use event::{summarize_event, EventMember, EVENT_ENGINE};
pub use guard_eval::{eval_guard, GuardReport};
pub use lang::Lang;
pub use llm::{LlmSummarizer, LlmSummaryStats};
pub use llm_eval::{eval_llm, LlmEvalReport};
pub use text::{split_sentences, split_sentences_in};

use copydesk_types::{Entities, Story, Summary};
use std::future::Future;

/// Turns a story and its entities into a [`Summary`].
pub trait Summarizer: Send + Sync {
    /// Summarises one story version.
    fn summarize(
        &self,
        story: &Story,
        entities: &Entities,
    ) -> impl Future<Output = Result<Summary, SummarizeError>> + Send;
}

fn check_not_empty(story: &Story) -> Result<(), SummarizeError> {
    if story.headline.trim().is_empty() && story.body.iter().all(|p| p.trim().is_empty()) {
        return Err(SummarizeError::EmptyStory {
            guid: story.guid.clone(),
            version: story.version,
        });
    }
    Ok(())
}

impl Summarizer for BuiltinSummarizer {
    fn summarize(
        &self,
        story: &Story,
        entities: &Entities,
    ) -> impl Future<Output = Result<Summary, SummarizeError>> + Send {
        let result = check_not_empty(story).map(|()| self.summarize_sync(story, entities));
        std::future::ready(result)
    }
}

/// The configured engine.
#[derive(Debug)]
pub enum Engine {
    /// The offline extractive engine.
    Builtin(BuiltinSummarizer),
    /// The LLM engine with built-in fallback.
    Llm(Box<LlmSummarizer>),
}

impl Summarizer for Engine {
    async fn summarize(
        &self,
        story: &Story,
        entities: &Entities,
    ) -> Result<Summary, SummarizeError> {
        check_not_empty(story)?;
        match self {
            Engine::Builtin(b) => Ok(b.summarize_sync(story, entities)),
            Engine::Llm(l) => l.summarize(story, entities).await,
        }
    }
}

impl Engine {
    /// Prometheus text for the engine's counters (empty for the built-in engine).
    pub fn render_prometheus(&self, prefix: &str) -> String {
        match self {
            Engine::Builtin(_) => String::new(),
            Engine::Llm(l) => format!(
                "{}{}",
                l.llm_metrics().render_prometheus(prefix, "summarize"),
                l.stats().render_prometheus(prefix)
            ),
        }
    }
}

/// Builds the engine the configuration asks for.
pub fn build(cfg: &SummarizeConfig) -> Result<Engine, SummarizeError> {
    Ok(match cfg.engine {
        EngineKind::Builtin => Engine::Builtin(BuiltinSummarizer::new()),
        EngineKind::Llm => Engine::Llm(Box::new(LlmSummarizer::new(cfg)?)),
    })
}
