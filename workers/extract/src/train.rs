//! Training: an averaged structured perceptron over the features of [`crate::features`], with
//! first-order Viterbi decoding. Deterministic: a fixed shuffle seed, no threads, no clocks.

use crate::conll::Sentence;
use crate::features::Featurizer;
use crate::gazetteer::Gazetteer;
use crate::hash::FxBuild;
use crate::lexicon::Lexicon;
use crate::model::{viterbi, Model, Transitions, NT};
use std::collections::HashMap;

/// Training settings.
#[derive(Debug, Clone)]
pub struct TrainOptions {
    /// Passes over the training data.
    pub epochs: usize,
    /// Seed of the per-epoch shuffle.
    pub seed: u64,
    /// Features seen fewer times than this in training get no weights: they cannot generalise,
    /// and dropping them keeps the model file small.
    pub min_count: u32,
    /// Perceptrons trained, each with its own shuffle seed; the model is the mean of their
    /// averaged weights (less dependence on one presentation order of a small corpus).
    pub runs: usize,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            epochs: 10,
            seed: 2003,
            min_count: 2,
            runs: 1,
        }
    }
}

/// A sentence reduced to weight-row ids per token.
struct Example {
    rows: Vec<u32>,
    starts: Vec<u32>,
    gold: Vec<usize>,
}

/// Perceptron state: current weights and the time-weighted sums for averaging.
struct Perceptron {
    w: Vec<f32>,
    acc: Vec<f32>,
    /// Transitions (`NT * NT`) then start scores (`NT`), current and summed.
    tw: Vec<f32>,
    tacc: Vec<f32>,
    c: f32,
}

impl Perceptron {
    fn update(&mut self, rows: &[u32], tag: usize, delta: f32) {
        for &r in rows {
            let i = r as usize * NT + tag;
            self.w[i] += delta;
            self.acc[i] += self.c * delta;
        }
    }

    fn update_transition(&mut self, from: Option<usize>, to: usize, delta: f32) {
        let i = from.map_or(NT * NT + to, |f| f * NT + to);
        self.tw[i] += delta;
        self.tacc[i] += self.c * delta;
    }

    fn transitions(v: &[f32]) -> Transitions {
        let mut t = Transitions {
            trans: [0.0; NT * NT],
            start: [0.0; NT],
        };
        t.trans.copy_from_slice(&v[..NT * NT]);
        t.start.copy_from_slice(&v[NT * NT..]);
        t
    }

    /// The averaged weights and transitions.
    fn averages(&self) -> (Vec<f32>, Vec<f32>) {
        let avg = |w: &[f32], a: &[f32]| -> Vec<f32> {
            w.iter().zip(a).map(|(w, a)| w - a / self.c).collect()
        };
        (avg(&self.w, &self.acc), avg(&self.tw, &self.tacc))
    }

    fn averaged(&self, keys: &[u64]) -> Model {
        let (w, tw) = self.averages();
        to_model(keys, &w, &tw)
    }
}

/// A model from float weights (`keys.len() * NT`) and transitions.
fn to_model(keys: &[u64], w: &[f32], tw: &[f32]) -> Model {
    let rows = keys
        .iter()
        .enumerate()
        .map(|(r, k)| {
            let mut row = [0.0; NT];
            row.copy_from_slice(&w[r * NT..(r + 1) * NT]);
            (*k, row)
        })
        .collect();
    Model::from_float(rows, Perceptron::transitions(tw))
}

/// Train a model on `train`. `progress` is called after each epoch with the epoch number, the
/// training mistakes and, when `dev` is given, the averaged model's dev F1.
pub fn train(
    train: &[Sentence],
    dev: Option<&[Sentence]>,
    lex: &Lexicon,
    opts: &TrainOptions,
    mut progress: impl FnMut(usize, usize, Option<f64>),
) -> Model {
    let gaz = Gazetteer::embedded();
    let (examples, keys) = featurize(train, &gaz, lex, opts.min_count);
    let runs = opts.runs.max(1);
    let (mut w_sum, mut tw_sum) = (vec![0f32; keys.len() * NT], vec![0f32; NT * NT + NT]);
    for run in 0..runs {
        let p = train_run(
            &examples,
            &keys,
            opts.seed.wrapping_add(run as u64 * 7919),
            opts.epochs,
            |epoch, mistakes, p| {
                let f1 = dev.map(|d| crate::conll::eval_model(&p.averaged(&keys), lex, &gaz, d).f1);
                progress(run * opts.epochs + epoch, mistakes, f1);
            },
        );
        let (w, tw) = p.averages();
        w_sum
            .iter_mut()
            .zip(&w)
            .for_each(|(s, x)| *s += x / runs as f32);
        tw_sum
            .iter_mut()
            .zip(&tw)
            .for_each(|(s, x)| *s += x / runs as f32);
    }
    to_model(&keys, &w_sum, &tw_sum)
}

/// One perceptron over `examples`, shuffled with `seed`.
fn train_run(
    examples: &[Example],
    keys: &[u64],
    seed: u64,
    epochs: usize,
    mut progress: impl FnMut(usize, usize, &Perceptron),
) -> Perceptron {
    let mut p = Perceptron {
        w: vec![0.0; keys.len() * NT],
        acc: vec![0.0; keys.len() * NT],
        tw: vec![0.0; NT * NT + NT],
        tacc: vec![0.0; NT * NT + NT],
        c: 1.0,
    };
    let mut order: Vec<usize> = (0..examples.len()).collect();
    let mut rng = seed | 1;
    let (mut emit, mut pred) = (Vec::new(), Vec::new());
    for epoch in 1..=epochs {
        shuffle(&mut order, &mut rng);
        let mut mistakes = 0;
        for &e in &order {
            let ex = &examples[e];
            let n = ex.gold.len();
            emit.clear();
            emit.resize(n * NT, 0.0);
            for i in 0..n {
                for &r in &ex.rows[ex.starts[i] as usize..ex.starts[i + 1] as usize] {
                    let row = &p.w[r as usize * NT..(r as usize + 1) * NT];
                    emit[i * NT..(i + 1) * NT]
                        .iter_mut()
                        .zip(row)
                        .for_each(|(a, w)| *a += w);
                }
            }
            viterbi(&emit, &Perceptron::transitions(&p.tw), &mut pred);
            if pred != ex.gold {
                mistakes += 1;
                for i in 0..n {
                    let prev = |t: &[usize]| if i == 0 { None } else { Some(t[i - 1]) };
                    if pred[i] != ex.gold[i] || prev(&pred) != prev(&ex.gold) {
                        let rows = &ex.rows[ex.starts[i] as usize..ex.starts[i + 1] as usize];
                        if pred[i] != ex.gold[i] {
                            p.update(rows, ex.gold[i], 1.0);
                            p.update(rows, pred[i], -1.0);
                        }
                        p.update_transition(prev(&ex.gold), ex.gold[i], 1.0);
                        p.update_transition(prev(&pred), pred[i], -1.0);
                    }
                }
            }
            p.c += 1.0;
        }
        progress(epoch, mistakes, &p);
    }
    p
}

/// Features of every training sentence, as row ids, and the feature key of each row.
fn featurize(
    train: &[Sentence],
    gaz: &Gazetteer,
    lex: &Lexicon,
    min_count: u32,
) -> (Vec<Example>, Vec<u64>) {
    let mut fz = Featurizer::default();
    let (mut feats, mut starts, mut marks) = (Vec::new(), Vec::new(), Vec::new());
    let mut each = |s: &Sentence, feats: &mut Vec<u64>, starts: &mut Vec<u32>| {
        let words: Vec<&str> = s.words.iter().map(String::as_str).collect();
        gaz.mark(&words, &mut marks);
        fz.sentence(&words, &marks, lex, feats, starts);
    };
    let mut counts: HashMap<u64, u32, FxBuild> = HashMap::with_hasher(FxBuild);
    for s in train {
        each(s, &mut feats, &mut starts);
        feats
            .iter()
            .for_each(|f| *counts.entry(*f).or_default() += 1);
    }
    let mut index: HashMap<u64, u32, FxBuild> = HashMap::with_hasher(FxBuild);
    let mut keys = Vec::new();
    let examples = train
        .iter()
        .map(|s| {
            each(s, &mut feats, &mut starts);
            let (mut rows, mut kept_starts) = (
                Vec::with_capacity(feats.len()),
                Vec::with_capacity(starts.len()),
            );
            for t in 0..starts.len() - 1 {
                kept_starts.push(rows.len() as u32);
                for f in &feats[starts[t] as usize..starts[t + 1] as usize] {
                    if counts.get(f).copied().unwrap_or(0) < min_count {
                        continue;
                    }
                    rows.push(*index.entry(*f).or_insert_with(|| {
                        keys.push(*f);
                        (keys.len() - 1) as u32
                    }));
                }
            }
            kept_starts.push(rows.len() as u32);
            Example {
                rows,
                starts: kept_starts,
                gold: s.tags.clone(),
            }
        })
        .collect();
    (examples, keys)
}

/// Fisher-Yates with xorshift64: reproducible on every platform.
fn shuffle(v: &mut [usize], state: &mut u64) {
    for i in (1..v.len()).rev() {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        v.swap(i, (*state % (i as u64 + 1)) as usize);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conll::parse_conll;

    #[test]
    fn training_is_deterministic_and_learns_a_toy_corpus() {
        let text = "Alice NNP O B-PER\nvisited VBD O O\nParis NNP O B-LOC\n\nBob NNP O B-PER\nleft VBD O O\nBerlin NNP O B-LOC\n";
        let data = parse_conll(text).expect("parse");
        let lex = Lexicon::default();
        for runs in [1, 3] {
            let opts = TrainOptions {
                epochs: 5,
                seed: 7,
                min_count: 1,
                runs,
            };
            let a = train(&data, None, &lex, &opts, |_, _, _| {});
            let b = train(&data, None, &lex, &opts, |_, _, _| {});
            assert_eq!(a.to_bytes(), b.to_bytes(), "{runs} runs");
            let mut out = Vec::new();
            crate::tagger::tag_sentence(
                &a,
                &lex,
                &Gazetteer::embedded(),
                &["Bob", "visited", "Berlin"],
                &mut Default::default(),
                &mut out,
            );
            assert_eq!(out, [1, 0, 5], "{runs} runs");
        }
    }

    #[test]
    fn several_runs_are_the_mean_of_differently_shuffled_perceptrons() {
        let text = "Alice NNP O B-PER\nvisited VBD O O\nParis NNP O B-LOC\n\nBob NNP O B-PER\nleft VBD O O\nBerlin NNP O B-LOC\n\nCarol NNP O B-PER\nsaw VBD O O\nRome NNP O B-LOC\n";
        let data = parse_conll(text).expect("parse");
        let lex = Lexicon::default();
        let mut epochs = Vec::new();
        let one = train(
            &data,
            None,
            &lex,
            &TrainOptions {
                epochs: 4,
                seed: 7,
                min_count: 1,
                runs: 1,
            },
            |_, _, _| {},
        );
        let three = train(
            &data,
            None,
            &lex,
            &TrainOptions {
                epochs: 4,
                seed: 7,
                min_count: 1,
                runs: 3,
            },
            |e, _, _| epochs.push(e),
        );
        assert_eq!(
            epochs,
            (1..=12).collect::<Vec<_>>(),
            "each run reports its epochs in turn"
        );
        assert_ne!(
            one.to_bytes(),
            three.to_bytes(),
            "the other shuffles change the weights"
        );
    }
}
