//! CoNLL-2003 files (token in the first column, IOB2 tag in the last) and conlleval-style
//! exact-span scoring: [`eval_ner`] and its [`NerReport`].

use crate::error::ExtractError;
use crate::gazetteer::Gazetteer;
use crate::lang::Lang;
use crate::lexicon::Lexicon;
use crate::model::{tag_index, Model, TAGS, TYPES};
use crate::tagger::{spans, tag_sentence, Scratch};
use crate::BuiltinExtractor;
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};
use std::path::Path;

/// One sentence of a CoNLL file.
#[derive(Debug, Clone, PartialEq)]
pub struct Sentence {
    /// The tokens.
    pub words: Vec<String>,
    /// IOB2 tag index per token (see [`crate::model::TAGS`]).
    pub tags: Vec<usize>,
    /// True for the first sentence after a `-DOCSTART-` line (a new document).
    pub doc_start: bool,
}

/// Read a CoNLL file; `-DOCSTART-` lines and blank lines separate sentences.
pub fn read_conll(path: &Path) -> Result<Vec<Sentence>, ExtractError> {
    let text = std::fs::read_to_string(path).map_err(|e| ExtractError::io(path, e))?;
    parse_conll(&text).map_err(|reason| ExtractError::BadData {
        path: path.to_path_buf(),
        reason,
    })
}

/// Parse CoNLL text; the error names the offending line.
pub fn parse_conll(text: &str) -> Result<Vec<Sentence>, String> {
    let mut out = Vec::new();
    let mut cur = Sentence {
        words: Vec::new(),
        tags: Vec::new(),
        doc_start: true,
    };
    for (n, line) in text.lines().enumerate() {
        let line = line.trim_end();
        if line.is_empty() || line.starts_with("-DOCSTART-") {
            if !cur.words.is_empty() {
                out.push(std::mem::replace(
                    &mut cur,
                    Sentence {
                        words: Vec::new(),
                        tags: Vec::new(),
                        doc_start: false,
                    },
                ));
            }
            cur.doc_start |= line.starts_with("-DOCSTART-");
            continue;
        }
        let cols: Vec<&str> = line.split_whitespace().collect();
        let (Some(word), Some(tag)) = (cols.first(), cols.last()) else {
            continue;
        };
        if cols.len() < 2 {
            return Err(format!(
                "line {}: expected 'token ... TAG', found '{line}'",
                n + 1
            ));
        }
        let Some(t) = tag_index(tag) else {
            return Err(format!(
                "line {}: unknown tag '{tag}'; expected IOB2 tags over PER, ORG, LOC, MISC",
                n + 1
            ));
        };
        cur.words.push((*word).to_string());
        cur.tags.push(t);
    }
    if !cur.words.is_empty() {
        out.push(cur);
    }
    Ok(out)
}

/// Precision, recall and F1 for one entity type, in percent.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Prf {
    /// Correct spans / predicted spans.
    pub precision: f64,
    /// Correct spans / gold spans.
    pub recall: f64,
    /// Harmonic mean.
    pub f1: f64,
}

impl Prf {
    /// From counts, as percentages; 0 where undefined.
    pub fn from_counts(correct: usize, predicted: usize, gold: usize) -> Prf {
        let p = if predicted == 0 {
            0.0
        } else {
            100.0 * correct as f64 / predicted as f64
        };
        let r = if gold == 0 {
            0.0
        } else {
            100.0 * correct as f64 / gold as f64
        };
        let f = if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        };
        Prf {
            precision: round2(p),
            recall: round2(r),
            f1: round2(f),
        }
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// The result of [`eval_ner`]: overall and per-type exact-span scores, as conlleval computes them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NerReport {
    /// Overall precision, percent.
    pub precision: f64,
    /// Overall recall, percent.
    pub recall: f64,
    /// Overall F1, percent.
    pub f1: f64,
    /// Per type: PER, ORG, LOC, MISC.
    pub by_type: BTreeMap<String, Prf>,
}

impl std::fmt::Display for NerReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "type   precision  recall     F1")?;
        for (ty, s) in &self.by_type {
            writeln!(
                f,
                "{ty:<6} {:>9.2} {:>7.2} {:>6.2}",
                s.precision, s.recall, s.f1
            )?;
        }
        write!(
            f,
            "all    {:>9.2} {:>7.2} {:>6.2}",
            self.precision, self.recall, self.f1
        )
    }
}

/// Score predicted tag sequences against gold ones, sentence by sentence.
pub fn score(pairs: impl IntoIterator<Item = (Vec<usize>, Vec<usize>)>) -> NerReport {
    let mut counts = [[0usize; 3]; 4]; // per type: correct, predicted, gold
    for (gold, pred) in pairs {
        let g: HashSet<_> = spans(&gold).into_iter().collect();
        let p = spans(&pred);
        for s in &p {
            counts[s.2][1] += 1;
            if g.contains(s) {
                counts[s.2][0] += 1;
            }
        }
        g.iter().for_each(|s| counts[s.2][2] += 1);
    }
    let total = counts
        .iter()
        .fold([0; 3], |a, c| [a[0] + c[0], a[1] + c[1], a[2] + c[2]]);
    let all = Prf::from_counts(total[0], total[1], total[2]);
    let by_type = TYPES
        .iter()
        .zip(counts)
        .map(|(t, c)| (t.to_string(), Prf::from_counts(c[0], c[1], c[2])))
        .collect();
    NerReport {
        precision: all.precision,
        recall: all.recall,
        f1: all.f1,
        by_type,
    }
}

/// The gold sentences of a file (an error when there are none) and the engine to score.
fn gold_and_engine(
    gold: &Path,
    lang: Lang,
) -> Result<(Vec<Sentence>, BuiltinExtractor), ExtractError> {
    let sentences = read_conll(gold)?;
    if sentences.is_empty() {
        return Err(ExtractError::BadData {
            path: gold.to_path_buf(),
            reason: "no sentences found".into(),
        });
    }
    let engine = BuiltinExtractor::load_default()?;
    engine.taggers().require(lang)?;
    Ok((sentences, engine))
}

/// Run the built-in tagger of `lang` on every sentence of a CoNLL file and score it against the
/// file's tags.
pub fn eval_ner(gold: &Path, lang: Lang) -> Result<NerReport, ExtractError> {
    eval_ner_dump(gold, lang, None)
}

/// [`eval_ner`], also appending every token with its gold and predicted tag to `dump` (see
/// [`eval_model_dump`]).
pub fn eval_ner_dump(
    gold: &Path,
    lang: Lang,
    dump: Option<&mut Vec<u8>>,
) -> Result<NerReport, ExtractError> {
    let (sentences, engine) = gold_and_engine(gold, lang)?;
    let tagger = engine.taggers().require(lang)?;
    Ok(eval_model_dump(
        &tagger.model,
        &tagger.lexicon,
        engine.gazetteer(),
        &sentences,
        dump,
    ))
}

/// Score the whole built-in engine of `lang` document by document, as it reads stories: each
/// `-DOCSTART-` document becomes one text (sentences on their own lines) and goes through the
/// tagger and the story-level passes (name consistency, headline and seat rules, outlets); its
/// name mentions are mapped back to the gold tokens. Files without `-DOCSTART-` lines are one
/// sentence per document, which is the sentence-level score again.
pub fn eval_ner_documents(gold: &Path, lang: Lang) -> Result<NerReport, ExtractError> {
    let (sentences, engine) = gold_and_engine(gold, lang)?;
    let tagger = engine.taggers().require(lang)?;
    let mut scratch = Scratch::default();
    let mut pairs = Vec::with_capacity(sentences.len());
    let has_docs = sentences.iter().skip(1).any(|s| s.doc_start);
    let mut i = 0;
    while i < sentences.len() {
        let end = if has_docs {
            (i + 1..sentences.len())
                .find(|&k| sentences[k].doc_start)
                .unwrap_or(sentences.len())
        } else {
            i + 1
        };
        let (mut text, mut offsets) = (String::new(), Vec::new());
        for s in &sentences[i..end] {
            for (k, w) in s.words.iter().enumerate() {
                if k > 0 {
                    text.push(' ');
                }
                offsets.push((text.len(), text.len() + w.len()));
                text.push_str(w);
            }
            text.push('\n');
        }
        let doc =
            crate::doc::Doc::analyse(&text, Some(tagger), engine.gazetteer(), lang, &mut scratch);
        let mut pred = vec![0usize; offsets.len()];
        for m in doc.mentions.iter().filter(|m| m.kind.is_name()) {
            let ty = [
                copydesk_types::EntityKind::Person,
                copydesk_types::EntityKind::Org,
                copydesk_types::EntityKind::Loc,
                copydesk_types::EntityKind::Misc,
            ]
            .iter()
            .position(|k| *k == m.kind)
            .unwrap_or(3);
            let inside: Vec<usize> = (0..offsets.len())
                .filter(|&t| offsets[t].0 >= m.start && offsets[t].1 <= m.end)
                .collect();
            for (n, &t) in inside.iter().enumerate() {
                pred[t] = 1 + 2 * ty + usize::from(n > 0);
            }
        }
        let mut at = 0;
        for s in &sentences[i..end] {
            pairs.push((s.tags.clone(), pred[at..at + s.words.len()].to_vec()));
            at += s.words.len();
        }
        i = end;
    }
    Ok(score(pairs))
}

/// Score a model on parsed sentences, each tagged on its own.
pub fn eval_model(
    model: &Model,
    lex: &Lexicon,
    gaz: &Gazetteer,
    sentences: &[Sentence],
) -> NerReport {
    eval_model_dump(model, lex, gaz, sentences, None)
}

/// [`eval_model`], also appending each token as `word gold predicted` to `dump` (a blank line
/// between sentences), for error analysis.
pub fn eval_model_dump(
    model: &Model,
    lex: &Lexicon,
    gaz: &Gazetteer,
    sentences: &[Sentence],
    mut dump: Option<&mut Vec<u8>>,
) -> NerReport {
    let mut scratch = Scratch::default();
    let mut pred = Vec::new();
    let mut pairs = Vec::with_capacity(sentences.len());
    for s in sentences {
        let words: Vec<&str> = s.words.iter().map(String::as_str).collect();
        tag_sentence(model, lex, gaz, &words, &mut scratch, &mut pred);
        if let Some(out) = dump.as_mut() {
            for ((w, g), p) in words.iter().zip(&s.tags).zip(&pred) {
                out.extend_from_slice(format!("{w} {} {}\n", TAGS[*g], TAGS[*p]).as_bytes());
            }
            out.push(b'\n');
        }
        pairs.push((s.tags.clone(), pred.clone()));
    }
    score(pairs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dump_lists_every_token_with_its_gold_and_predicted_tag() {
        let sentences = parse_conll("EU B-ORG\nrejects O\n\nPeter B-PER\n").expect("parse");
        // No feature weights: every token is tagged O.
        let model = Model::from_float(
            Vec::new(),
            crate::model::Transitions {
                trans: [0.0; crate::model::NT * crate::model::NT],
                start: [0.0; crate::model::NT],
            },
        );
        let mut out = Vec::new();
        let report = eval_model_dump(
            &model,
            &Lexicon::default(),
            &Gazetteer::embedded(),
            &sentences,
            Some(&mut out),
        );
        assert_eq!(
            String::from_utf8(out).expect("utf-8"),
            "EU B-ORG O\nrejects O O\n\nPeter B-PER O\n\n"
        );
        assert_eq!(report.recall, 0.0);
    }

    #[test]
    fn conll_parsing_skips_docstart_and_names_bad_tags() {
        let text =
            "-DOCSTART- -X- O O\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\n\nPeter NNP B-NP B-PER\n";
        let s = parse_conll(text).expect("parse");
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].words, ["EU", "rejects"]);
        let err = parse_conll("x NN B-FOO\n").expect_err("bad tag");
        assert!(err.contains("line 1") && err.contains("B-FOO"), "{err}");
    }

    #[test]
    fn scoring_counts_exact_spans_only() {
        // gold: PER(0..2) LOC(3..4); predicted: PER(0..1) LOC(3..4)
        let r = score([(vec![1, 2, 0, 5], vec![1, 0, 0, 5])]);
        assert_eq!(r.precision, 50.0);
        assert_eq!(r.recall, 50.0);
        assert_eq!(r.by_type["LOC"].f1, 100.0);
        assert_eq!(r.by_type["PER"].f1, 0.0);
        let json = serde_json::to_value(&r).expect("json");
        assert!(json["by_type"]["MISC"]["f1"].is_number());
    }
}
