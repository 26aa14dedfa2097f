//! The article-extraction benchmark's scoring rule, implemented as its `evaluate.py` does it
//! (github:scrapinghub/article-extraction-benchmark, `string_shingle_matching` and
//! `metrics_from_tp_fp_fns`):
//!
//! - tokens are Python's `re.findall(r'\w+', text)`: runs of letters, digits (Unicode categories
//!   L* and N*) and `_`;
//! - shingles are 4-token windows; a text of fewer than 4 tokens is one shingle of all of them,
//!   and an empty text has none;
//! - per page, over shingle counts: TP = shared, FP = extra predicted, FN = missed, then the
//!   three are normalised to sum to 1 so long pages do not weigh more;
//! - precision is averaged over pages with TP+FP > 0, recall over pages with TP+FN > 0
//!   (1 when FP = FN = 0, 0 when TP = FP = 0 or TP = FN = 0); F1 is the harmonic mean of the
//!   two averages.

use std::collections::HashMap;

use unicode_properties::{GeneralCategoryGroup, UnicodeGeneralCategory};

/// Normalised (TP, FP, FN) of one page.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct PageCounts {
    /// Shared shingles.
    pub tp: f64,
    /// Predicted shingles not in the truth.
    pub fp: f64,
    /// True shingles not predicted.
    pub fn_: f64,
}

/// Precision, recall and F1 over pages.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Scores {
    /// Mean per-page precision.
    pub precision: f64,
    /// Mean per-page recall.
    pub recall: f64,
    /// Harmonic mean of the two means.
    pub f1: f64,
}

fn is_word_char(c: char) -> bool {
    c == '_' || matches!(c.general_category_group(), GeneralCategoryGroup::Letter | GeneralCategoryGroup::Number)
}

/// Python's `re.findall(r'\w+', text)`.
pub fn tokens(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (is_word_char(c), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push(&text[s..i]);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push(&text[s..]);
    }
    out
}

fn shingles(text: &str) -> HashMap<Vec<&str>, u32> {
    let toks = tokens(text);
    let mut out = HashMap::new();
    let windows = toks.len().saturating_sub(3).max(1);
    for i in 0..windows {
        let shingle = &toks[i..(i + 4).min(toks.len())];
        if !shingle.is_empty() {
            *out.entry(shingle.to_vec()).or_insert(0) += 1;
        }
    }
    out
}

/// Compare one page's predicted text with its true text.
pub fn page_counts(truth: &str, pred: &str) -> PageCounts {
    let (t, p) = (shingles(truth), shingles(pred));
    let (mut tp, mut fp, mut fn_) = (0.0, 0.0, 0.0);
    for (key, &tc) in &t {
        let pc = p.get(key).copied().unwrap_or(0);
        tp += f64::from(tc.min(pc));
        fn_ += f64::from(tc.saturating_sub(pc));
    }
    for (key, &pc) in &p {
        fp += f64::from(pc.saturating_sub(t.get(key).copied().unwrap_or(0)));
    }
    let sum = tp + fp + fn_;
    if sum > 0.0 {
        PageCounts { tp: tp / sum, fp: fp / sum, fn_: fn_ / sum }
    } else {
        PageCounts { tp, fp, fn_ }
    }
}

fn precision(c: &PageCounts) -> f64 {
    if c.fp == 0.0 && c.fn_ == 0.0 {
        1.0
    } else if c.tp == 0.0 && c.fp == 0.0 {
        0.0
    } else {
        c.tp / (c.tp + c.fp)
    }
}

fn recall(c: &PageCounts) -> f64 {
    if c.fp == 0.0 && c.fn_ == 0.0 {
        1.0
    } else if c.tp == 0.0 && c.fn_ == 0.0 {
        0.0
    } else {
        c.tp / (c.tp + c.fn_)
    }
}

fn mean(values: impl Iterator<Item = f64>) -> f64 {
    let (sum, n) = values.fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    if n == 0 {
        0.0
    } else {
        sum / n as f64
    }
}

/// Aggregate pages as the benchmark does.
pub fn scores(pages: &[PageCounts]) -> Scores {
    let precision = mean(pages.iter().filter(|c| c.tp + c.fp > 0.0).map(precision));
    let recall = mean(pages.iter().filter(|c| c.tp + c.fn_ > 0.0).map(recall));
    let f1 = if precision + recall > 0.0 { 2.0 * precision * recall / (precision + recall) } else { 0.0 };
    Scores { precision, recall, f1 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_follow_python_word_characters() {
        assert_eq!(tokens("It's 3.5%—naïve_x, 東京!"), vec!["It", "s", "3", "5", "naïve_x", "東京"]);
        // A combining mark (category Mn) is not a word character in Python's `\w`.
        assert_eq!(tokens("e\u{301}t"), vec!["e", "t"]);
    }

    #[test]
    fn identical_texts_score_one_and_disjoint_texts_zero() {
        let same = page_counts("the cat sat on the mat today", "the cat sat on the mat today");
        assert_eq!(same, PageCounts { tp: 1.0, fp: 0.0, fn_: 0.0 });
        let s = scores(&[page_counts("one two three four five", "six seven eight nine ten")]);
        assert_eq!((s.precision, s.recall, s.f1), (0.0, 0.0, 0.0));
    }

    #[test]
    fn extra_text_costs_precision_and_missing_text_costs_recall() {
        // truth 5 tokens -> 2 shingles; prediction adds 2 tokens -> 4 shingles, 2 shared.
        let c = page_counts("a b c d e", "a b c d e f g");
        assert_eq!(c, PageCounts { tp: 0.5, fp: 0.5, fn_: 0.0 });
        let s = scores(&[c, page_counts("a b c d e f g", "a b c d e")]);
        assert!((s.precision - 0.75).abs() < 1e-9 && (s.recall - 0.75).abs() < 1e-9);
    }

    #[test]
    fn short_texts_are_one_shingle_and_empty_predictions_only_count_for_recall() {
        assert_eq!(page_counts("a b", "a b"), PageCounts { tp: 1.0, fp: 0.0, fn_: 0.0 });
        let empty = page_counts("a b c d", "");
        assert_eq!(empty, PageCounts { tp: 0.0, fp: 0.0, fn_: 1.0 });
        let s = scores(&[empty, page_counts("a b c d", "a b c d")]);
        assert_eq!((s.precision, s.recall), (1.0, 0.5));
    }
}
