//! Word clusters learned from unlabeled news text at `make train-ner` time, in the spirit of
//! Brown clusters but much cheaper: each of the most frequent words is described by which of the
//! commonest words occur just before and just after it (positive PMI weights), and the words are
//! split in two again and again by spherical 2-means. A word's bit-path records the branches, so
//! a prefix of the path is a coarser cluster, exactly as the tagger reads Brown paths.
//!
//! Each word also gets a capitalisation bucket: how often it is capitalised where a sentence does
//! not start (1 = almost never, 5 = almost always), the surest sign of a name a lexicon can give.
//!
//! Only derived statistics leave this module (the `word  bits  caps` file); the text is never kept.
//! Deterministic: files are read in name order, ties are broken by word, no randomness.

use crate::gazetteer::push_lower;
use crate::hash::FxBuild;
use crate::token::tokenize_into;
use std::collections::HashMap;
use std::io::BufRead;
use std::path::Path;

/// Clustering settings.
#[derive(Debug, Clone)]
pub struct ClusterOptions {
    /// Words that get a cluster (the most frequent).
    pub vocab: usize,
    /// Context words per side (the most frequent).
    pub contexts: usize,
    /// Deepest bit-path.
    pub depth: usize,
    /// Nodes smaller than this are not split.
    pub min_node: usize,
    /// Words seen fewer times than this get no cluster.
    pub min_count: u64,
}

impl Default for ClusterOptions {
    fn default() -> Self {
        ClusterOptions {
            vocab: 40_000,
            contexts: 400,
            depth: 16,
            min_node: 6,
            min_count: 1,
        }
    }
}

/// One learned word: its bit-path and capitalisation bucket (0 when seen too rarely mid-sentence).
pub type Learned = (String, String, u8);

/// Learn clusters from every `.txt` file under `dir` (one document per line); returns
/// `(word, bit-path, caps bucket)`, most frequent word first.
pub fn learn(
    dir: &Path,
    opts: &ClusterOptions,
    progress: impl FnMut(&str),
) -> std::io::Result<Vec<Learned>> {
    let mut files: Vec<_> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!("no .txt files in {}", dir.display()),
        ));
    }
    learn_from(&mut |f| for_each_sentence(&files, f), opts, progress)
}

/// Learn clusters from already tokenised sentences (a labelled corpus's words, labels unused):
/// the languages with no unlabeled text here learn them from their own training split.
pub fn learn_sentences<S: AsRef<str>>(
    sentences: &[Vec<S>],
    opts: &ClusterOptions,
    progress: impl FnMut(&str),
) -> Vec<Learned> {
    let mut each = |f: &mut dyn FnMut(&[String], &[bool])| -> std::io::Result<()> {
        let (mut words, mut upper) = (Vec::new(), Vec::new());
        for s in sentences {
            words.clear();
            upper.clear();
            for w in s {
                let mut l = String::new();
                push_lower(&mut l, w.as_ref());
                words.push(l);
                upper.push(w.as_ref().starts_with(char::is_uppercase));
            }
            f(&words, &upper);
        }
        Ok(())
    };
    learn_from(&mut each, opts, progress).unwrap_or_default()
}

/// A source of sentences: calls its argument with each sentence's lowercase words and whether
/// each word was capitalised; it is run twice (counts, then contexts).
type Source<'a> = dyn FnMut(&mut dyn FnMut(&[String], &[bool])) -> std::io::Result<()> + 'a;

fn learn_from(
    source: &mut Source<'_>,
    opts: &ClusterOptions,
    mut progress: impl FnMut(&str),
) -> std::io::Result<Vec<Learned>> {
    // Pass 1: word counts, and mid-sentence (total, capitalised) counts.
    let mut counts: HashMap<String, u64, FxBuild> = HashMap::default();
    let mut caps: HashMap<String, (u32, u32), FxBuild> = HashMap::default();
    source(&mut |words, upper| {
        for (i, w) in words.iter().enumerate() {
            if let Some(c) = counts.get_mut(w.as_str()) {
                *c += 1;
            } else {
                counts.insert(w.clone(), 1);
            }
            let mid = i > 0
                && !matches!(
                    words[i - 1].as_str(),
                    "." | "!" | "?" | "\"" | "\u{201c}" | ":" | "-" | "(" | "\u{2014}"
                );
            if mid {
                let e = caps.entry(w.clone()).or_default();
                e.0 += 1;
                e.1 += upper[i] as u32;
            }
        }
    })?;
    let mut by_freq: Vec<(String, u64)> = counts
        .into_iter()
        .filter(|(w, c)| *c >= opts.min_count && w.chars().any(char::is_alphabetic))
        .collect();
    by_freq.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    by_freq.truncate(opts.vocab);
    progress(&format!("{} words kept for clustering", by_freq.len()));
    let index: HashMap<&str, usize, FxBuild> = by_freq
        .iter()
        .enumerate()
        .map(|(i, (w, _))| (w.as_str(), i))
        .collect();
    let nc = opts.contexts.min(by_freq.len());
    let dim = 2 * nc;
    // Pass 2: left/right context counts of each vocabulary word.
    let mut co = vec![0f32; by_freq.len() * dim];
    source(&mut |words, _| {
        let ids: Vec<Option<usize>> = words
            .iter()
            .map(|w| index.get(w.as_str()).copied())
            .collect();
        for (i, id) in ids.iter().enumerate() {
            let Some(id) = *id else { continue };
            if let Some(Some(l)) = i.checked_sub(1).map(|j| ids[j]) {
                if l < nc {
                    co[id * dim + l] += 1.0;
                }
            }
            if let Some(Some(r)) = ids.get(i + 1) {
                if *r < nc {
                    co[id * dim + nc + r] += 1.0;
                }
            }
        }
    })?;
    ppmi(&mut co, by_freq.len(), dim);
    progress("context vectors built; splitting");
    let mut paths = vec![String::new(); by_freq.len()];
    let all: Vec<usize> = (0..by_freq.len()).collect();
    split(&co, dim, all, String::new(), opts, &mut paths);
    let bucket = |w: &str| match caps.get(w) {
        Some(&(n, c)) if n >= 3 => 1 + ((c as f64 / n as f64) * 4.0).round() as u8,
        _ => 0,
    };
    Ok(by_freq
        .into_iter()
        .zip(paths)
        .map(|((w, _), p)| {
            let b = bucket(&w);
            (w, p, b)
        })
        .collect())
}

/// Lowercased tokens of each line of each file, and whether each starts with a capital.
fn for_each_sentence(
    files: &[std::path::PathBuf],
    f: &mut dyn FnMut(&[String], &[bool]),
) -> std::io::Result<()> {
    let mut toks = Vec::new();
    let mut words: Vec<String> = Vec::new();
    let mut upper: Vec<bool> = Vec::new();
    for path in files {
        let reader = std::io::BufReader::new(std::fs::File::open(path)?);
        for line in reader.lines() {
            let line = line?;
            toks.clear();
            tokenize_into(&line, &mut toks);
            words.clear();
            upper.clear();
            for t in &toks {
                let mut w = String::new();
                push_lower(&mut w, &line[t.start..t.end]);
                words.push(w);
                upper.push(line[t.start..t.end].starts_with(char::is_uppercase));
            }
            f(&words, &upper);
        }
    }
    Ok(())
}

/// Positive PMI of the count matrix, each row then scaled to unit length.
fn ppmi(m: &mut [f32], rows: usize, dim: usize) {
    let total: f64 = m.iter().map(|&x| x as f64).sum::<f64>().max(1.0);
    let mut col = vec![0f64; dim];
    let mut row = vec![0f64; rows];
    for r in 0..rows {
        for c in 0..dim {
            let x = m[r * dim + c] as f64;
            col[c] += x;
            row[r] += x;
        }
    }
    for r in 0..rows {
        let mut norm = 0f64;
        for c in 0..dim {
            let x = m[r * dim + c] as f64;
            let v = if x > 0.0 {
                ((x * total) / (row[r] * col[c].powf(0.75) * total.powf(0.25)))
                    .ln()
                    .max(0.0)
            } else {
                0.0
            };
            m[r * dim + c] = v as f32;
            norm += v * v;
        }
        let inv = if norm > 0.0 { 1.0 / norm.sqrt() } else { 0.0 };
        m[r * dim..(r + 1) * dim]
            .iter_mut()
            .for_each(|x| *x *= inv as f32);
    }
}

/// Split `members` in two (spherical 2-means), recursively, writing each word's path.
fn split(
    m: &[f32],
    dim: usize,
    members: Vec<usize>,
    path: String,
    opts: &ClusterOptions,
    out: &mut [String],
) {
    if members.len() < opts.min_node || path.len() >= opts.depth {
        members.iter().for_each(|&w| out[w] = path.clone());
        return;
    }
    let row = |w: usize| &m[w * dim..(w + 1) * dim];
    let dot = |a: &[f32], b: &[f32]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f32>();
    // Deterministic start: split by the sign along the principal direction of the node (power
    // iteration from the most frequent member), then refine by 2-means.
    let n = members.len() as f32;
    let mut mean = vec![0f32; dim];
    members
        .iter()
        .for_each(|&w| mean.iter_mut().zip(row(w)).for_each(|(a, b)| *a += b / n));
    let centred = |w: usize, k: usize| row(w)[k] - mean[k];
    let mut v: Vec<f32> = (0..dim).map(|k| centred(members[0], k)).collect();
    for _ in 0..12 {
        let mut next = vec![0f32; dim];
        for &w in &members {
            let p: f32 = (0..dim).map(|k| centred(w, k) * v[k]).sum();
            next.iter_mut()
                .enumerate()
                .for_each(|(k, x)| *x += p * centred(w, k));
        }
        let norm = next.iter().map(|x| x * x).sum::<f32>().sqrt();
        if norm == 0.0 {
            break;
        }
        v = next.into_iter().map(|x| x / norm).collect();
    }
    let mut side: Vec<bool> = members
        .iter()
        .map(|&w| (0..dim).map(|k| centred(w, k) * v[k]).sum::<f32>() > 0.0)
        .collect();
    let mut cents = [vec![0f32; dim], vec![0f32; dim]];
    for (k, &w) in members.iter().enumerate() {
        cents[side[k] as usize]
            .iter_mut()
            .zip(row(w))
            .for_each(|(a, b)| *a += b);
    }
    for c in cents.iter_mut() {
        let norm = c.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-12);
        c.iter_mut().for_each(|x| *x /= norm);
    }
    for _ in 0..10 {
        let mut changed = false;
        for (k, &w) in members.iter().enumerate() {
            let right = dot(row(w), &cents[1]) > dot(row(w), &cents[0]);
            changed |= right != side[k];
            side[k] = right;
        }
        let mut sums = [vec![0f32; dim], vec![0f32; dim]];
        for (k, &w) in members.iter().enumerate() {
            sums[side[k] as usize]
                .iter_mut()
                .zip(row(w))
                .for_each(|(a, b)| *a += b);
        }
        for (c, s) in cents.iter_mut().zip(sums) {
            let n = s.iter().map(|x| x * x).sum::<f32>().sqrt();
            if n > 0.0 {
                *c = s.into_iter().map(|x| x / n).collect();
            }
        }
        if !changed {
            break;
        }
    }
    let left: Vec<usize> = members
        .iter()
        .zip(&side)
        .filter(|(_, s)| !**s)
        .map(|(w, _)| *w)
        .collect();
    let right: Vec<usize> = members
        .iter()
        .zip(&side)
        .filter(|(_, s)| **s)
        .map(|(w, _)| *w)
        .collect();
    if left.is_empty() || right.is_empty() {
        members.iter().for_each(|&w| out[w] = path.clone());
        return;
    }
    split(m, dim, left, format!("{path}0"), opts, out);
    split(m, dim, right, format!("{path}1"), opts, out);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_used_alike_share_a_longer_path_prefix() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut text = String::new();
        for (i, name) in ["paris", "london", "berlin", "rome"].iter().enumerate() {
            for verb in ["ran", "ate", "sang", "slept"] {
                text.push_str(&format!(
                    "we went to {name} and it rained . he {verb} quickly today {i} .\n"
                ));
            }
        }
        std::fs::write(dir.path().join("a.txt"), &text).expect("write");
        let opts = ClusterOptions {
            vocab: 100,
            contexts: 20,
            depth: 8,
            min_node: 2,
            min_count: 1,
        };
        let a = learn(dir.path(), &opts, |_| {}).expect("learn");
        let b = learn(dir.path(), &opts, |_| {}).expect("learn");
        assert_eq!(a, b, "deterministic");
        let path = |w: &str| {
            a.iter()
                .find(|(x, _, _)| x == w)
                .map(|(_, p, _)| p.clone())
                .expect(w)
        };
        let common = |x: &str, y: &str| {
            path(x)
                .chars()
                .zip(path(y).chars())
                .take_while(|(a, b)| a == b)
                .count()
        };
        assert!(common("paris", "london") > common("paris", "ran"), "{a:?}");
    }

    #[test]
    fn a_training_split_clusters_its_own_words_and_their_capitalisation() {
        let mut sentences: Vec<Vec<String>> = Vec::new();
        for (i, name) in ["Oslo", "Bergen", "Tromsø", "Bodø"].iter().enumerate() {
            for verb in ["løp", "spiste", "sang", "sov"] {
                let s = format!("vi reiste til {name} og det regnet . han {verb} fort i dag {i} .");
                sentences.push(s.split(' ').map(String::from).collect());
            }
        }
        let opts = ClusterOptions {
            vocab: 100,
            contexts: 20,
            depth: 8,
            min_node: 2,
            min_count: 2,
        };
        let a = learn_sentences(&sentences, &opts, |_| {});
        assert_eq!(
            a,
            learn_sentences(&sentences, &opts, |_| {}),
            "deterministic"
        );
        let get = |w: &str| a.iter().find(|(x, _, _)| x == w).cloned();
        let path = |w: &str| get(w).map(|(_, p, _)| p).expect(w);
        let caps = |w: &str| get(w).map(|(_, _, c)| c).expect(w);
        let common = |x: &str, y: &str| {
            path(x)
                .chars()
                .zip(path(y).chars())
                .take_while(|(a, b)| a == b)
                .count()
        };
        assert!(common("oslo", "bergen") > common("oslo", "sang"), "{a:?}");
        assert_eq!(caps("oslo"), 5, "always capitalised mid-sentence");
        assert_eq!(caps("regnet"), 1, "never capitalised");
        assert!(get("0").is_none(), "digits get no cluster");
    }
}
