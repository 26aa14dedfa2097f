//! `eval_quotes`: speaker attribution measured on PolNeAR (brat standoff annotations of
//! attributions: Source, Cue and Content spans joined by `E` lines).
//!
//! Gold pairs are the attributions whose Content is a direct quotation (it contains a quotation
//! mark) and that name a Source. A predicted pair is right when the quote overlaps the gold
//! content by at least half its length and the speaker overlaps the gold source span (or names the
//! same person by surname).

use crate::assemble::CharOffsets;
use crate::error::ExtractError;
use crate::BuiltinExtractor;
use serde::Serialize;
use std::collections::HashMap;
use std::path::Path;

/// The result of [`eval_quotes`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuoteReport {
    /// Articles scored.
    pub docs: usize,
    /// Gold (direct quote, source) pairs.
    pub gold_pairs: usize,
    /// Predicted (quote, speaker) pairs.
    pub predicted_pairs: usize,
    /// Predicted pairs matching a gold pair.
    pub correct_pairs: usize,
    /// `correct / predicted`, percent.
    pub precision: f64,
    /// Gold pairs found / gold pairs, percent.
    pub recall: f64,
    /// Harmonic mean, percent.
    pub f1: f64,
    /// Share of gold direct quotes overlapped by any found quote, percent.
    pub quote_recall: f64,
}

impl std::fmt::Display for QuoteReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} docs: (quote, speaker) precision {:.2}, recall {:.2}, F1 {:.2} ({} correct of {} predicted, {} gold); quotes found {:.2}%",
            self.docs, self.precision, self.recall, self.f1, self.correct_pairs, self.predicted_pairs, self.gold_pairs, self.quote_recall
        )
    }
}

/// One gold attribution: char ranges of its content and source.
#[derive(Debug, Clone, PartialEq)]
pub struct GoldPair {
    /// Content ranges (a content may be discontinuous).
    pub content: Vec<(usize, usize)>,
    /// Source ranges.
    pub source: Vec<(usize, usize)>,
    /// The source text.
    pub source_text: String,
}

/// A brat text-bound annotation: its char ranges and its text.
type Span<'a> = (Vec<(usize, usize)>, &'a str);

/// Parse a brat `.ann` file into direct-quote attributions with a source.
pub fn parse_ann(ann: &str) -> Vec<GoldPair> {
    let mut spans: HashMap<&str, Span> = HashMap::new();
    for line in ann.lines().filter(|l| l.starts_with('T')) {
        let mut cols = line.split('\t');
        let (Some(id), Some(meta), text) = (cols.next(), cols.next(), cols.next().unwrap_or(""))
        else {
            continue;
        };
        let ranges = meta
            .split_once(' ')
            .map(|(_, r)| r)
            .unwrap_or("")
            .split(';')
            .filter_map(|r| {
                let (a, b) = r.trim().split_once(' ')?;
                Some((a.parse().ok()?, b.parse().ok()?))
            })
            .collect();
        spans.insert(id, (ranges, text));
    }
    let mut out = Vec::new();
    for line in ann.lines().filter(|l| l.starts_with('E')) {
        let args = line.split('\t').nth(1).unwrap_or("");
        let role = |name: &str| {
            args.split(' ')
                .find_map(|a| a.strip_prefix(name))
                .and_then(|id| spans.get(id))
        };
        let (Some(content), Some(source)) = (role("Content:"), role("Source:")) else {
            continue;
        };
        if content.1.contains(['"', '\u{201c}', '\u{201d}']) {
            out.push(GoldPair {
                content: content.0.clone(),
                source: source.0.clone(),
                source_text: source.1.to_string(),
            });
        }
    }
    out
}

fn overlap(a: (usize, usize), b: (usize, usize)) -> usize {
    a.1.min(b.1).saturating_sub(a.0.max(b.0))
}

/// Score the built-in engine's quotes on a PolNeAR split folder (with `text/` and `attributions/`).
pub fn eval_quotes(polnear_dir: &Path) -> Result<QuoteReport, ExtractError> {
    let engine = BuiltinExtractor::load_default()?;
    let ann_dir = polnear_dir.join("attributions");
    let mut anns: Vec<_> = std::fs::read_dir(&ann_dir)
        .map_err(|e| ExtractError::io(&ann_dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "ann"))
        .collect();
    anns.sort();
    let (mut gold_n, mut pred_n, mut correct, mut gold_found, mut quotes_found, mut docs) =
        (0, 0, 0, 0, 0, 0);
    let mut scratch = crate::tagger::Scratch::default();
    for ann_path in anns {
        let stem = ann_path
            .file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_default();
        let base = stem.rsplit_once('_').map_or(stem.as_str(), |(b, _)| b);
        let txt_path = polnear_dir.join("text").join(format!("{base}.txt"));
        let (Ok(ann), Ok(text)) = (
            std::fs::read_to_string(&ann_path),
            std::fs::read_to_string(&txt_path),
        ) else {
            continue;
        };
        docs += 1;
        let gold = parse_ann(&ann);
        let found = engine.analyse(&text, &mut scratch);
        let co = CharOffsets::new(&text);
        let mut hit = vec![false; gold.len()];
        let mut quote_hit = vec![false; gold.len()];
        for q in &found.quotes {
            let qr = (co.get(q.start), co.get(q.end));
            let matching: Vec<usize> = (0..gold.len())
                .filter(|&g| {
                    gold[g]
                        .content
                        .iter()
                        .map(|&c| overlap(qr, c))
                        .sum::<usize>()
                        * 2
                        >= qr.1 - qr.0
                })
                .collect();
            matching.iter().for_each(|&g| quote_hit[g] = true);
            let Some((s, e)) = q.speaker_span else {
                continue;
            };
            pred_n += 1;
            let sr = (co.get(s), co.get(e));
            let surname = q
                .speaker_mention
                .map(|m| &found.groups[found.group_of[m]])
                .and_then(|g| g.words.last().cloned())
                .unwrap_or_default();
            let right = matching.iter().copied().find(|&g| {
                gold[g].source.iter().any(|&r| overlap(sr, r) > 0)
                    || (!surname.is_empty()
                        && gold[g]
                            .source_text
                            .to_lowercase()
                            .split_whitespace()
                            .any(|w| w == surname))
            });
            if let Some(g) = right {
                correct += 1;
                hit[g] = true;
            } else if std::env::var_os("COPYDESK_QUOTES_DEBUG").is_some() {
                let gs: Vec<&str> = matching
                    .iter()
                    .map(|&g| gold[g].source_text.as_str())
                    .collect();
                eprintln!(
                    "WRONG pred={:?} gold={:?} cue={:?} q={:?}",
                    &text[s..e],
                    gs,
                    q.cue,
                    text[q.start..q.end].chars().take(50).collect::<String>()
                );
            }
        }
        if std::env::var_os("COPYDESK_QUOTES_DEBUG").is_some() {
            for (g, h) in hit.iter().enumerate() {
                if !h {
                    let c = gold[g].content.first().copied().unwrap_or((0, 0));
                    let found = found
                        .quotes
                        .iter()
                        .find(|q| overlap((co.get(q.start), co.get(q.end)), c) > 0);
                    let chars: Vec<char> = text.chars().collect();
                    let ctx: String = chars[c.0.saturating_sub(120)..c.0].iter().collect();
                    eprintln!(
                        "MISS src={:?} found={} ctx={:?}",
                        gold[g].source_text,
                        found.map_or("no".into(), |q| format!(
                            "{:?}",
                            q.speaker_span.map(|(s, e)| &text[s..e])
                        )),
                        ctx.replace('\n', " ")
                    );
                }
            }
        }
        gold_n += gold.len();
        gold_found += hit.iter().filter(|h| **h).count();
        quotes_found += quote_hit.iter().filter(|h| **h).count();
    }
    if docs == 0 {
        return Err(ExtractError::BadData {
            path: polnear_dir.to_path_buf(),
            reason: "no .ann files with matching text/ files; pass a PolNeAR split folder such as quotes/polnear/dev".into(),
        });
    }
    let pct = |a: usize, b: usize| {
        if b == 0 {
            0.0
        } else {
            (10000.0 * a as f64 / b as f64).round() / 100.0
        }
    };
    let (p, r) = (pct(correct, pred_n), pct(gold_found, gold_n));
    let f1 = if p + r == 0.0 {
        0.0
    } else {
        (200.0 * p * r / (p + r)).round() / 100.0
    };
    Ok(QuoteReport {
        docs,
        gold_pairs: gold_n,
        predicted_pairs: pred_n,
        correct_pairs: correct,
        precision: p,
        recall: r,
        f1,
        quote_recall: pct(quotes_found, gold_n),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brat_attributions_with_quoted_content_become_gold_pairs() {
        let ann = "T1\tSource 0 5\tSmith\nT2\tCue 6 10\tsaid\nT3\tContent 11 20;25 30\t\u{201c}We won\u{201d} more\nT4\tContent 40 50\tit was fine\nE1\tAttribution:T2 Content:T3 Cue:T2 Source:T1\nE2\tAttribution:T2 Content:T4 Source:T1\n";
        let gold = parse_ann(ann);
        assert_eq!(gold.len(), 1, "the paraphrase is not a direct quote");
        assert_eq!(gold[0].content, [(11, 20), (25, 30)]);
        assert_eq!(gold[0].source_text, "Smith");
    }
}
