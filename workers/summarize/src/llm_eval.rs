//! `copydesk eval llm`: run news stories through section mode against a live server and report
//! acceptance per passage and per article, novelty of accepted passages, what the guard caught,
//! and generation speed.

use crate::eval::story_from_text;
use crate::sections::{novelty, rewrite_article, PassageOutcome};
use crate::{BuiltinSummarizer, SummarizeError};
use copydesk_llm::{LlmClient, LlmConfig};
use copydesk_types::Entities;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The report.
#[derive(Debug, Serialize)]
pub struct LlmEvalReport {
    /// The model as configured.
    pub model: String,
    /// Stories run.
    pub stories: usize,
    /// Passages (leads and sections) sent.
    pub passages: usize,
    /// Passages whose rewrite the guard accepted.
    pub accepted: usize,
    /// `accepted / passages`.
    pub passage_acceptance: f64,
    /// Articles with every passage the model's.
    pub articles_all_llm: usize,
    /// Articles with at least one passage the model's.
    pub articles_some_llm: usize,
    /// Mean share of 8-word sequences of accepted passages not found in the story.
    pub novelty_of_accepted: Option<f64>,
    /// Rejected passages by the guard's reason (a passage can have several); `call-error` and
    /// `empty` count failed calls and useless answers.
    pub caught: BTreeMap<String, usize>,
    /// Completion tokens per second of wall time spent waiting for the model.
    pub tokens_per_s: f64,
    /// Completion tokens in all.
    pub completion_tokens: u64,
    /// A few accepted and rejected passages, to read.
    pub examples: Vec<PassageOutcome>,
}

/// Stories from a folder of plain-text files (first line the headline), spread evenly over the
/// sorted file list, at most `limit`.
pub fn pick_stories(dir: &Path, limit: usize) -> Result<Vec<PathBuf>, SummarizeError> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).map_err(SummarizeError::io("list", &d))? {
            let p = entry.map_err(SummarizeError::io("list", &d))?.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "txt") {
                files.push(p);
            }
        }
    }
    files.sort();
    if files.is_empty() || limit == 0 {
        return Ok(Vec::new());
    }
    let step = (files.len() as f64 / limit as f64).max(1.0);
    Ok((0..limit.min(files.len()))
        .map(|i| files[(i as f64 * step) as usize].clone())
        .collect())
}

/// Run the evaluation against the server in `cfg`.
pub async fn eval_llm(
    cfg: LlmConfig,
    dir: &Path,
    limit: usize,
) -> Result<LlmEvalReport, SummarizeError> {
    let model = cfg.model.clone();
    let client = LlmClient::new(cfg)?;
    let builtin = BuiltinSummarizer::new();
    let mut all: Vec<(PassageOutcome, String)> = Vec::new();
    let (mut stories, mut all_llm, mut some_llm) = (0, 0, 0);
    for path in pick_stories(dir, limit)? {
        let text = std::fs::read_to_string(&path).map_err(SummarizeError::io("read", &path))?;
        let story = story_from_text(&path.display().to_string(), &text);
        let summary = builtin.summarize_sync(&story, &Entities::default());
        let (_, outcomes) = rewrite_article(&client, &story, &summary.article).await;
        stories += 1;
        let ok = outcomes.iter().filter(|o| o.accepted).count();
        all_llm += usize::from(ok == outcomes.len() && ok > 0);
        some_llm += usize::from(ok > 0);
        let source = story.text();
        all.extend(outcomes.into_iter().map(|o| (o, source.clone())));
    }
    let accepted: Vec<&(PassageOutcome, String)> = all.iter().filter(|(o, _)| o.accepted).collect();
    let novelties: Vec<f64> = accepted
        .iter()
        .filter_map(|(o, src)| novelty(&o.answer, src))
        .collect();
    let mut caught = BTreeMap::new();
    for (o, _) in all.iter().filter(|(o, _)| !o.accepted) {
        let mut labels: Vec<&str> = o.findings.iter().map(|f| f.reason.label()).collect();
        if let Some(e) = &o.error {
            labels.push(if e.starts_with("empty") {
                "empty"
            } else {
                "call-error"
            });
        }
        labels.sort_unstable();
        labels.dedup();
        for l in labels {
            *caught.entry(l.to_string()).or_insert(0) += 1;
        }
    }
    let tokens: u64 = all.iter().map(|(o, _)| o.completion_tokens).sum();
    let secs: f64 = all.iter().map(|(o, _)| o.seconds).sum();
    let examples = accepted
        .iter()
        .take(3)
        .chain(
            all.iter()
                .filter(|(o, _)| !o.accepted && o.error.is_none())
                .take(3)
                .collect::<Vec<_>>()
                .iter(),
        )
        .map(|(o, _)| o.clone())
        .collect();
    Ok(LlmEvalReport {
        model,
        stories,
        passages: all.len(),
        accepted: accepted.len(),
        passage_acceptance: if all.is_empty() {
            0.0
        } else {
            accepted.len() as f64 / all.len() as f64
        },
        articles_all_llm: all_llm,
        articles_some_llm: some_llm,
        novelty_of_accepted: (!novelties.is_empty())
            .then(|| novelties.iter().sum::<f64>() / novelties.len() as f64),
        caught,
        tokens_per_s: if secs > 0.0 {
            tokens as f64 / secs
        } else {
            0.0
        },
        completion_tokens: tokens,
        examples,
    })
}

impl std::fmt::Display for LlmEvalReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "model {}: {} stories, {} passages",
            self.model, self.stories, self.passages
        )?;
        writeln!(
            f,
            "passages accepted {}/{} ({:.1}%)",
            self.accepted,
            self.passages,
            100.0 * self.passage_acceptance
        )?;
        writeln!(
            f,
            "articles: every passage LLM {}, some passage LLM {}",
            self.articles_all_llm, self.articles_some_llm
        )?;
        match self.novelty_of_accepted {
            Some(n) => writeln!(
                f,
                "novelty of accepted passages (new 8-grams) {:.1}%",
                100.0 * n
            )?,
            None => writeln!(f, "novelty of accepted passages: none accepted")?,
        }
        for (reason, n) in &self.caught {
            writeln!(f, "  caught {reason:<15} {n}")?;
        }
        write!(
            f,
            "{:.1} completion tokens/s ({} tokens)",
            self.tokens_per_s, self.completion_tokens
        )
    }
}
