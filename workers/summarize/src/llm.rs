//! LLM mode: an OpenAI-compatible model writes the article; every answer is validated, a bad
//! one is retried once with the reasons, and then the built-in summary is used instead.

use crate::builtin::BuiltinSummarizer;
use crate::cache::{sha256_hex, SummaryCache};
use crate::markup::{json_ld, open_graph, Seo};
use crate::salience::salient_terms;
use crate::seo::{HEADLINE_MAX, META_MAX, META_MIN};
use crate::validate::{draft_schema, problems, Draft, SourceIndex};
use crate::{doc::Doc, SummarizeConfig, SummarizeError};
use copydesk_llm::{LlmClient, LlmMetrics};
use copydesk_types::{Article, Entities, Story, Summary};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// The prompt used when `prompt_template` is unset.
pub const DEFAULT_PROMPT: &str = include_str!("../prompts/summarize.txt");
/// Engine name for summaries that fell back to the built-in engine.
pub const FALLBACK_ENGINE: &str = "builtin (llm fallback)";
const SYSTEM: &str =
    "You are a careful news editor. You answer with a single JSON object and nothing else.";
/// Words asked for; also the validation floor when the source is long enough.
const MIN_WORDS: usize = 300;

/// Counters of LLM mode, for `/metrics`.
#[derive(Debug, Default)]
pub struct LlmSummaryStats {
    /// Summaries served from the cache.
    pub cache_hits: AtomicU64,
    /// Answers rejected by validation (structure or faithfulness).
    pub rejected_answers: AtomicU64,
    /// Stories that got the built-in summary after the model failed twice.
    pub fallbacks: AtomicU64,
    /// Summaries written by the model and accepted.
    pub accepted: AtomicU64,
}

impl LlmSummaryStats {
    /// The counters in Prometheus text format, named `<prefix>_summarize_llm_*_total`.
    pub fn render_prometheus(&self, prefix: &str) -> String {
        [
            (
                "cache_hits",
                &self.cache_hits,
                "LLM summaries served from the cache",
            ),
            (
                "rejected_answers",
                &self.rejected_answers,
                "LLM answers rejected by validation",
            ),
            (
                "fallbacks",
                &self.fallbacks,
                "Stories that fell back to the built-in engine",
            ),
            ("accepted", &self.accepted, "LLM summaries accepted"),
        ]
        .iter()
        .map(|(name, c, help)| {
            let m = format!("{prefix}_summarize_llm_{name}_total");
            format!(
                "# HELP {m} {help}\n# TYPE {m} counter\n{m} {}\n",
                c.load(Ordering::Relaxed)
            )
        })
        .collect()
    }
}

/// The LLM engine, with the built-in one for SEO fields and fallback.
#[derive(Debug)]
pub struct LlmSummarizer {
    client: LlmClient,
    builtin: BuiltinSummarizer,
    template: String,
    prompt_hash: String,
    cache: Option<SummaryCache>,
    fallback: bool,
    mode: crate::LlmMode,
    stats: Arc<LlmSummaryStats>,
}

/// Why one attempt failed.
enum Failure {
    Call(copydesk_llm::LlmError),
    Rejected(Vec<String>),
}

impl LlmSummarizer {
    /// Builds the client and loads the prompt template.
    pub fn new(cfg: &SummarizeConfig) -> Result<Self, SummarizeError> {
        let template = match &cfg.prompt_template {
            Some(path) => std::fs::read_to_string(path)
                .map_err(SummarizeError::io("read the prompt template", path))?,
            None => DEFAULT_PROMPT.to_string(),
        };
        if !template.contains("{{body}}") {
            return Err(SummarizeError::Config(format!(
                "the prompt template {} has no {{{{body}}}} placeholder, so the model would never see the story",
                cfg.prompt_template.as_ref().map_or("(built-in)".into(), |p| p.display().to_string())
            )));
        }
        // The cache key covers what the model is asked: the article prompt, or the passage prompt.
        let asked = match cfg.llm_mode {
            crate::LlmMode::Article => format!("{SYSTEM}\u{0}{template}"),
            crate::LlmMode::Sections => format!("sections\u{0}{}", crate::sections::PASSAGE_PROMPT),
        };
        let prompt_hash = sha256_hex(asked.as_bytes());
        Ok(LlmSummarizer {
            client: LlmClient::new(cfg.llm.clone())?,
            builtin: BuiltinSummarizer::new(),
            template,
            prompt_hash,
            cache: cfg.cache_dir.as_deref().map(SummaryCache::new),
            fallback: cfg.falls_back(),
            mode: cfg.llm_mode,
            stats: Arc::new(LlmSummaryStats::default()),
        })
    }

    /// Token and request counters of the model client.
    pub fn llm_metrics(&self) -> &Arc<LlmMetrics> {
        self.client.metrics()
    }

    /// Cache, validation and fallback counters.
    pub fn stats(&self) -> &Arc<LlmSummaryStats> {
        &self.stats
    }

    fn prompt(&self, story: &Story, feedback: &[String]) -> String {
        let body = story.body.join("\n\n");
        let mut user = self
            .template
            .replace("{{headline}}", &story.headline)
            .replace("{{min_words}}", &MIN_WORDS.to_string())
            .replace("{{body}}", &body);
        if !feedback.is_empty() {
            user.push_str("\n\nYour previous answer was rejected: ");
            user.push_str(&feedback.join("; "));
            user.push_str(". Answer again and fix these problems.");
        }
        user
    }

    /// Summarises a story with the model, falling back to the built-in engine.
    pub async fn summarize(
        &self,
        story: &Story,
        entities: &Entities,
    ) -> Result<Summary, SummarizeError> {
        let model = self.client.config().model.clone();
        if let Some(cache) = &self.cache {
            if let Some(hit) = cache.get(story, &model, &self.prompt_hash).await {
                self.stats.cache_hits.fetch_add(1, Ordering::Relaxed);
                return Ok(hit);
            }
        }
        let builtin = self.builtin.summarize_sync(story, entities);
        if self.mode == crate::LlmMode::Sections {
            return self.by_sections(story, builtin, &model).await;
        }
        let source = SourceIndex::new(&story.text());
        let words = story.word_count();
        let mut feedback: Vec<String> = Vec::new();
        let mut last = None;
        for attempt in 1..=2 {
            match self.attempt(story, &source, words, &feedback).await {
                Ok(draft) => {
                    self.stats.accepted.fetch_add(1, Ordering::Relaxed);
                    let summary = self.assemble(story, entities, draft, &builtin, &model);
                    self.store(story, &model, &summary).await;
                    return Ok(summary);
                }
                Err(Failure::Rejected(reasons)) => {
                    self.stats.rejected_answers.fetch_add(1, Ordering::Relaxed);
                    tracing::warn!(story.id = %story.guid, attempt, reasons = %reasons.join("; "), "LLM answer rejected");
                    feedback = reasons.clone();
                    last = Some(Failure::Rejected(reasons));
                }
                Err(Failure::Call(e)) => {
                    tracing::warn!(story.id = %story.guid, attempt, error = %e, "LLM call failed");
                    let permanent = !e.is_transient();
                    last = Some(Failure::Call(e));
                    if permanent {
                        break;
                    }
                }
            }
        }
        match last {
            Some(Failure::Call(e)) if !self.fallback => Err(SummarizeError::Llm(e)),
            Some(Failure::Rejected(reasons)) if !self.fallback => {
                Err(SummarizeError::LlmRejected { reasons })
            }
            failure => {
                self.stats.fallbacks.fetch_add(1, Ordering::Relaxed);
                let summary = Summary {
                    engine: FALLBACK_ENGINE.to_string(),
                    ..builtin
                };
                // The same model and prompt would answer the same way: remember the fallback,
                // but not when the call itself failed (the server may be back next time).
                if matches!(failure, Some(Failure::Rejected(_))) {
                    self.store(story, &model, &summary).await;
                }
                Ok(summary)
            }
        }
    }

    /// Section mode: every passage rewritten alone, checked by the guard, and kept extractive
    /// when rejected. The engine label says which: `llm:<model>` when every passage is the
    /// model's, `llm:<model> (k/n passages; rest builtin-extractive-v1)` when some are.
    async fn by_sections(
        &self,
        story: &Story,
        builtin: Summary,
        model: &str,
    ) -> Result<Summary, SummarizeError> {
        let (article, outcomes) =
            crate::sections::rewrite_article(&self.client, story, &builtin.article).await;
        let accepted = outcomes.iter().filter(|o| o.accepted).count();
        let errors: Vec<String> = outcomes.iter().filter_map(|o| o.error.clone()).collect();
        self.stats
            .rejected_answers
            .fetch_add((outcomes.len() - accepted) as u64, Ordering::Relaxed);
        for o in outcomes.iter().filter(|o| !o.accepted) {
            let why: Vec<&str> = o.findings.iter().map(|f| f.reason.label()).collect();
            tracing::info!(story.id = %story.guid, passage = o.index, reasons = %why.join(","), error = ?o.error, "LLM passage kept extractive");
        }
        if accepted == 0 {
            if !self.fallback && errors.len() == outcomes.len() {
                return Err(SummarizeError::LlmRejected { reasons: errors });
            }
            self.stats.fallbacks.fetch_add(1, Ordering::Relaxed);
            return Ok(Summary {
                engine: FALLBACK_ENGINE.to_string(),
                ..builtin
            });
        }
        self.stats.accepted.fetch_add(1, Ordering::Relaxed);
        let engine = if accepted == outcomes.len() {
            format!("llm:{model}")
        } else {
            format!(
                "llm:{model} ({accepted}/{} passages; rest {})",
                outcomes.len(),
                crate::BUILTIN_ENGINE
            )
        };
        let summary = Summary {
            article,
            engine,
            ..builtin
        };
        // A call that failed may succeed next time: cache only answers the guard judged.
        if errors.is_empty() {
            self.store(story, model, &summary).await;
        }
        Ok(summary)
    }

    async fn attempt(
        &self,
        story: &Story,
        source: &SourceIndex,
        words: usize,
        feedback: &[String],
    ) -> Result<Draft, Failure> {
        let schema = draft_schema();
        let reply = self
            .client
            .chat_json(SYSTEM, &self.prompt(story, feedback), Some(&schema))
            .await
            .map_err(Failure::Call)?;
        let value = reply
            .json()
            .map_err(|e| Failure::Rejected(vec![e.to_string()]))?;
        let draft: Draft = serde_json::from_value(value).map_err(|e| {
            Failure::Rejected(vec![format!("answer does not have the asked fields: {e}")])
        })?;
        let found = problems(&draft, source, words, MIN_WORDS);
        if found.is_empty() {
            Ok(draft)
        } else {
            Err(Failure::Rejected(found))
        }
    }

    async fn store(&self, story: &Story, model: &str, summary: &Summary) {
        if let Some(cache) = &self.cache {
            if let Err(e) = cache.put(story, model, &self.prompt_hash, summary).await {
                tracing::warn!(story.id = %story.guid, error = %e, "could not cache the LLM summary");
            }
        }
    }

    /// The accepted draft, with the built-in SEO fields where the draft's do not fit.
    fn assemble(
        &self,
        story: &Story,
        entities: &Entities,
        draft: Draft,
        builtin: &Summary,
        model: &str,
    ) -> Summary {
        let headline_len = draft.headline.trim().chars().count();
        let headline = if (10..=HEADLINE_MAX).contains(&headline_len) {
            draft.headline.trim().to_string()
        } else {
            builtin.headline.clone()
        };
        let meta_len = draft.meta_description.trim().chars().count();
        let meta = if (META_MIN..=META_MAX).contains(&meta_len) {
            draft.meta_description.trim().to_string()
        } else {
            builtin.meta_description.clone()
        };
        let mut article = Article {
            lead: draft.lead,
            sections: draft.sections,
            short: false,
            links: Vec::new(),
        };
        article.short = article.word_count() < MIN_WORDS;
        let terms = salient_terms(&Doc::from_story(story), entities);
        let seo = Seo {
            headline: &headline,
            description: &meta,
            keywords: &builtin.keywords,
            word_count: article.word_count(),
        };
        Summary {
            brief: draft.brief,
            json_ld: json_ld(story, &seo, &terms),
            open_graph: open_graph(story, &seo),
            article,
            headline,
            meta_description: meta,
            slug: builtin.slug.clone(),
            keywords: builtin.keywords.clone(),
            engine: format!("llm:{model}"),
            focus_keyphrase: builtin.focus_keyphrase.clone(),
        }
    }
}
