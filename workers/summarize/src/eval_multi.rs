//! `copydesk eval summary` on multi-document items (`{"documents": [{"title", "text"}],
//! "summary"}`, e.g. Multi-News): ROUGE of the event article (lead and body, as printed) next
//! to a round-robin lead baseline from the same run, cut to the same length per item.

use crate::doc::Doc;
use crate::eval::RougeScores;
use crate::event::{summarize_event, EventMember};
use crate::text::split_sentences;
use crate::SummarizeError;
use copydesk_types::{Entities, Story};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::Path;

/// The multi-document report: `{"engine": {...}, "round_robin": {...}, "clusters": N, ...}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MultiEvalReport {
    /// The event article (lead and body paragraphs; headings left out).
    pub engine: RougeScores,
    /// The first sentence of each document in turn, then the second, ..., cut to the engine's
    /// length in words for the same item.
    pub round_robin: RougeScores,
    /// Items (document clusters) scored.
    pub clusters: usize,
    /// Mean words of the engine's text per item (the baseline has the same).
    pub mean_words: f64,
    /// Mean words of the reference summaries.
    pub mean_reference_words: f64,
}

impl fmt::Display for MultiEvalReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:<12} {:>8} {:>8} {:>10}   ({} clusters, F1 %; {:.0} words per summary, references {:.0})",
            "", "ROUGE-1", "ROUGE-2", "ROUGE-Lsum", self.clusters, self.mean_words, self.mean_reference_words
        )?;
        for (name, s) in [("engine", self.engine), ("round-robin", self.round_robin)] {
            writeln!(
                f,
                "{name:<12} {:>8.2} {:>8.2} {:>10.2}",
                s.rouge1, s.rouge2, s.rouge_lsum
            )?;
        }
        Ok(())
    }
}

/// One document of a multi-document item.
#[derive(Deserialize)]
pub(crate) struct MultiDocument {
    #[serde(default)]
    title: String,
    #[serde(default)]
    text: String,
}

/// One multi-document item.
#[derive(Deserialize)]
pub(crate) struct MultiLine {
    #[serde(default)]
    id: String,
    documents: Vec<MultiDocument>,
    summary: String,
}

/// The round-robin lead baseline: sentence 1 of every document, then sentence 2, ..., cut to
/// `words` words.
pub(crate) fn round_robin(docs: &[Vec<String>], words: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut total = 0;
    let longest = docs.iter().map(Vec::len).max().unwrap_or(0);
    'turns: for rank in 0..longest {
        for d in docs {
            let Some(s) = d.get(rank) else { continue };
            let w: Vec<&str> = s.split_whitespace().collect();
            if total + w.len() >= words {
                out.push(w[..words - total].join(" "));
                break 'turns;
            }
            total += w.len();
            out.push(s.clone());
        }
    }
    out
}

/// The event article's printed text, one sentence per line (lead and body, no headings).
fn article_sentences(summary: &copydesk_types::Summary) -> Vec<String> {
    let a = &summary.article;
    std::iter::once(&a.lead)
        .chain(a.sections.iter().flat_map(|s| s.paragraphs.iter()))
        .flat_map(|p| split_sentences(p))
        .collect()
}

/// Scores the event writer and the round-robin baseline on a multi-document JSONL file.
pub(crate) fn eval_multi(
    data: &Path,
    lines: &[(usize, &str)],
) -> Result<MultiEvalReport, SummarizeError> {
    let (mut engine, mut baseline) = ([0.0f64; 3], [0.0f64; 3]);
    let (mut n, mut words, mut ref_words) = (0usize, 0usize, 0usize);
    let none = Entities::default();
    for &(line_no, line) in lines {
        let row: MultiLine =
            serde_json::from_str(line).map_err(|e| SummarizeError::BadEvalLine {
                path: data.to_path_buf(),
                line: line_no,
                reason: e.to_string(),
            })?;
        let stories: Vec<Story> = row
            .documents
            .iter()
            .enumerate()
            .map(|(i, d)| {
                Story::new(
                    format!("{}#{i}", row.id),
                    d.title.trim(),
                    Doc::paragraphs_of(&d.text),
                )
            })
            .collect();
        let members: Vec<EventMember<'_>> =
            stories.iter().map(|s| EventMember::new(s, &none)).collect();
        let ours = match summarize_event(&members) {
            Ok(summary) => article_sentences(&summary),
            Err(SummarizeError::EmptyEvent { .. }) => Vec::new(),
            Err(e) => return Err(e),
        };
        let length: usize = ours.iter().map(|s| s.split_whitespace().count()).sum();
        let docs: Vec<Vec<String>> = stories
            .iter()
            .map(|s| s.body.iter().flat_map(|p| split_sentences(p)).collect())
            .collect();
        let rr = round_robin(&docs, length);
        RougeScores::add(&mut engine, &ours.join("\n"), &row.summary);
        RougeScores::add(&mut baseline, &rr.join("\n"), &row.summary);
        n += 1;
        words += length;
        ref_words += row.summary.split_whitespace().count();
    }
    if n == 0 {
        return Err(SummarizeError::NoInput {
            path: data.to_path_buf(),
            what: "clusters",
        });
    }
    Ok(MultiEvalReport {
        engine: RougeScores::mean(engine, n),
        round_robin: RougeScores::mean(baseline, n),
        clusters: n,
        mean_words: words as f64 / n as f64,
        mean_reference_words: ref_words as f64 / n as f64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_robin_takes_documents_in_turn_and_stops_at_the_length() {
        let docs = vec![
            vec!["A one two.".to_string(), "A three four.".to_string()],
            vec!["B one two.".to_string()],
        ];
        assert_eq!(round_robin(&docs, 7), ["A one two.", "B one two.", "A"]);
        assert_eq!(round_robin(&docs, 100).len(), 3);
    }
}
