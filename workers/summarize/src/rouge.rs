//! ROUGE-1, ROUGE-2 and ROUGE-Lsum F1, computed as Google's `rouge-score` package does with
//! `use_stemmer=True`: lowercase, non-alphanumerics to spaces, Porter stems for tokens longer
//! than three characters; Lsum is the summary-level LCS over newline-separated sentences.

use crate::porter::stem;
use std::collections::HashMap;

/// Precision, recall and F1 of one comparison (0..1).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Score {
    /// Share of the candidate that matches.
    pub precision: f64,
    /// Share of the reference that is matched.
    pub recall: f64,
    /// Harmonic mean of the two.
    pub f1: f64,
}

impl Score {
    fn new(hits: usize, candidate: usize, reference: usize) -> Score {
        let precision = if candidate == 0 {
            0.0
        } else {
            hits as f64 / candidate as f64
        };
        let recall = if reference == 0 {
            0.0
        } else {
            hits as f64 / reference as f64
        };
        let f1 = if precision + recall > 0.0 {
            2.0 * precision * recall / (precision + recall)
        } else {
            0.0
        };
        Score {
            precision,
            recall,
            f1,
        }
    }
}

/// rouge-score's default tokenizer with stemming.
pub fn tokenize(text: &str) -> Vec<String> {
    let lowered: String = text
        .chars()
        .flat_map(char::to_lowercase)
        .map(|c| {
            if c.is_ascii_lowercase() || c.is_ascii_digit() {
                c
            } else {
                ' '
            }
        })
        .collect();
    lowered
        .split_whitespace()
        .map(|t| if t.len() > 3 { stem(t) } else { t.to_string() })
        .filter(|t| !t.is_empty())
        .collect()
}

fn ngrams(tokens: &[String], n: usize) -> HashMap<&[String], usize> {
    let mut counts = HashMap::new();
    if tokens.len() >= n {
        for w in tokens.windows(n) {
            *counts.entry(w).or_insert(0) += 1;
        }
    }
    counts
}

/// ROUGE-N between a candidate and a reference.
pub fn rouge_n(candidate: &str, reference: &str, n: usize) -> Score {
    let (c, r) = (tokenize(candidate), tokenize(reference));
    let (cn, rn) = (ngrams(&c, n), ngrams(&r, n));
    let hits: usize = rn
        .iter()
        .map(|(g, &k)| k.min(cn.get(g).copied().unwrap_or(0)))
        .sum();
    Score::new(hits, cn.values().sum(), rn.values().sum())
}

/// Indices into `a` of one longest common subsequence with `b`, as rouge-score backtracks it.
fn lcs_indices(a: &[String], b: &[String]) -> Vec<usize> {
    let (n, m) = (a.len(), b.len());
    let mut table = vec![vec![0u32; m + 1]; n + 1];
    for i in 1..=n {
        for j in 1..=m {
            table[i][j] = if a[i - 1] == b[j - 1] {
                table[i - 1][j - 1] + 1
            } else {
                table[i - 1][j].max(table[i][j - 1])
            };
        }
    }
    let (mut i, mut j) = (n, m);
    let mut out = Vec::new();
    while i > 0 && j > 0 {
        if a[i - 1] == b[j - 1] {
            out.push(i - 1);
            i -= 1;
            j -= 1;
        } else if table[i][j - 1] > table[i - 1][j] {
            j -= 1;
        } else {
            i -= 1;
        }
    }
    out.reverse();
    out
}

fn sentences(text: &str) -> Vec<Vec<String>> {
    text.split('\n')
        .filter(|s| !s.is_empty())
        .map(tokenize)
        .collect()
}

/// ROUGE-Lsum: union LCS of each reference sentence against all candidate sentences, with
/// each token counted at most as often as it occurs on both sides.
pub fn rouge_lsum(candidate: &str, reference: &str) -> Score {
    let (cand, refs) = (sentences(candidate), sentences(reference));
    let m: usize = refs.iter().map(Vec::len).sum();
    let n: usize = cand.iter().map(Vec::len).sum();
    if m == 0 || n == 0 {
        return Score::default();
    }
    let mut left_r: HashMap<&str, usize> = HashMap::new();
    let mut left_c: HashMap<&str, usize> = HashMap::new();
    for t in refs.iter().flatten() {
        *left_r.entry(t).or_insert(0) += 1;
    }
    for t in cand.iter().flatten() {
        *left_c.entry(t).or_insert(0) += 1;
    }
    let mut hits = 0;
    for r in &refs {
        let mut union: Vec<usize> = cand.iter().flat_map(|c| lcs_indices(r, c)).collect();
        union.sort_unstable();
        union.dedup();
        for i in union {
            let t = r[i].as_str();
            let (cr, cc) = (
                left_r.get(t).copied().unwrap_or(0),
                left_c.get(t).copied().unwrap_or(0),
            );
            if cr > 0 && cc > 0 {
                hits += 1;
                left_r.insert(t, cr - 1);
                left_c.insert(t, cc - 1);
            }
        }
    }
    Score::new(hits, n, m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokenizer_lowercases_drops_punctuation_and_stems_long_tokens() {
        assert_eq!(
            tokenize("The Cats' running, fast-ish! 3.5%"),
            ["the", "cat", "run", "fast", "ish", "3", "5"]
        );
    }

    #[test]
    fn identical_texts_score_one_and_disjoint_texts_zero() {
        let s = "police arrested two men\nthe court heard evidence";
        for score in [rouge_n(s, s, 1), rouge_n(s, s, 2), rouge_lsum(s, s)] {
            assert!((score.f1 - 1.0).abs() < 1e-9);
        }
        assert_eq!(rouge_n("alpha beta", "gamma delta", 1).f1, 0.0);
    }

    #[test]
    fn lsum_takes_the_union_of_lcs_matches_across_candidate_sentences() {
        // Reference sentence "a b c d" is covered half by each candidate sentence.
        let score = rouge_lsum("aa bb\ncc dd", "aa bb cc dd");
        assert!((score.recall - 1.0).abs() < 1e-9, "{score:?}");
        let plain = rouge_lsum("aa bb cc dd", "dd cc bb aa");
        assert!((plain.f1 - 0.25).abs() < 1e-9, "{plain:?}");
    }
}
