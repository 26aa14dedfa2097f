//! The tagger's model: IOB2 tags over PER/ORG/LOC/MISC, a feature-hash -> weight-row table, tag
//! transition scores, first-order Viterbi decoding, and the compact file format.
//!
//! File format (little-endian): magic `CDNER001`, `u32` tag count, `u32` row count, `f32` scale,
//! the transition matrix and start scores as `i16`, the sorted `u64` feature keys, then one `i16`
//! weight per (row, tag). Weights are quantised to `i16` with one scale: it halves the file and
//! the resident memory, and costs nothing measurable in F1.

use crate::error::ExtractError;

/// Number of tags: O plus B and I for each of the four name types.
pub const NT: usize = 9;

/// Tag names, in index order.
pub const TAGS: [&str; NT] = [
    "O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC",
];

/// The entity type labels, in the order tags pair them up (tag `2k+1` is B-, `2k+2` is I-).
pub const TYPES: [&str; 4] = ["PER", "ORG", "LOC", "MISC"];

const MAGIC: &[u8; 8] = b"CDNER001";

/// Index of a tag name such as "B-LOC"; unknown tags (and IOB1 "I-" starts) are handled by callers.
pub fn tag_index(name: &str) -> Option<usize> {
    TAGS.iter().position(|t| *t == name)
}

/// True when tag `to` may follow tag `from` (`None` = sentence start) in IOB2.
pub fn allowed(from: Option<usize>, to: usize) -> bool {
    if to == 0 || to % 2 == 1 {
        return true;
    }
    matches!(from, Some(f) if f == to || f == to - 1)
}

/// Scores a decoder needs besides per-token emissions.
pub struct Transitions {
    /// `trans[from * NT + to]`.
    pub trans: [f32; NT * NT],
    /// Score of each tag at sentence start.
    pub start: [f32; NT],
}

/// Best tag sequence for per-token emission scores `emit[i * NT + t]`, honouring IOB2.
pub fn viterbi(emit: &[f32], tr: &Transitions, out: &mut Vec<usize>) {
    let n = emit.len() / NT;
    out.clear();
    if n == 0 {
        return;
    }
    const NEG: f32 = -1.0e30;
    let mut score = vec![NEG; n * NT];
    let mut back = vec![0u8; n * NT];
    for t in 0..NT {
        if allowed(None, t) {
            score[t] = tr.start[t] + emit[t];
        }
    }
    for i in 1..n {
        for t in 0..NT {
            let (mut best, mut arg) = (NEG, 0);
            for p in 0..NT {
                if !allowed(Some(p), t) {
                    continue;
                }
                let s = score[(i - 1) * NT + p] + tr.trans[p * NT + t];
                if s > best {
                    best = s;
                    arg = p;
                }
            }
            score[i * NT + t] = best + emit[i * NT + t];
            back[i * NT + t] = arg as u8;
        }
    }
    let last = &score[(n - 1) * NT..];
    let mut t = (0..NT).fold(0, |a, b| if last[b] > last[a] { b } else { a });
    out.resize(n, 0);
    for i in (0..n).rev() {
        out[i] = t;
        t = back[i * NT + t] as usize;
    }
}

/// A trained model, ready to score.
pub struct Model {
    /// Open-addressing table of feature keys; 0 marks an empty slot.
    slots: Vec<u64>,
    /// Weight row of each slot.
    slot_rows: Vec<u32>,
    /// `weights[row * NT + tag]`, quantised.
    weights: Vec<i16>,
    scale: f32,
    /// Decoder transition scores.
    pub transitions: Transitions,
}

impl Model {
    /// Build from float weights, quantising; rows whose weights all round to zero are dropped.
    pub fn from_float(rows: Vec<(u64, [f32; NT])>, transitions: Transitions) -> Model {
        // One scale for weights and transitions, so neither is clipped when quantised.
        let max = rows
            .iter()
            .flat_map(|(_, w)| w.iter())
            .chain(transitions.trans.iter())
            .chain(transitions.start.iter())
            .fold(0f32, |m, w| m.max(w.abs()))
            .max(1e-6);
        let scale = max / i16::MAX as f32;
        // Round the transitions as the file stores them, so a model scores the same before and
        // after a round trip through bytes.
        let mut transitions = transitions;
        let q = |x: f32| (x / scale).round() * scale;
        transitions
            .trans
            .iter_mut()
            .chain(transitions.start.iter_mut())
            .for_each(|x| *x = q(*x));
        let mut kept: Vec<(u64, [i16; NT])> = rows
            .into_iter()
            .map(|(k, w)| (k, w.map(|x| (x / scale).round() as i16)))
            .filter(|(_, q)| q.iter().any(|&x| x != 0))
            .collect();
        kept.sort_unstable_by_key(|(k, _)| *k);
        Self::from_quantised(kept, scale, transitions)
    }

    fn from_quantised(rows: Vec<(u64, [i16; NT])>, scale: f32, transitions: Transitions) -> Model {
        let cap = (rows.len() * 2).next_power_of_two().max(16);
        let mut m = Model {
            slots: vec![0; cap],
            slot_rows: vec![0; cap],
            weights: Vec::with_capacity(rows.len() * NT),
            scale,
            transitions,
        };
        for (row, (key, w)) in rows.iter().enumerate() {
            m.weights.extend_from_slice(w);
            let mut s = (key_of(*key) as usize) & (cap - 1);
            while m.slots[s] != 0 {
                s = (s + 1) & (cap - 1);
            }
            m.slots[s] = key_of(*key);
            m.slot_rows[s] = row as u32;
        }
        m
    }

    /// Number of weight rows.
    pub fn rows(&self) -> usize {
        self.weights.len() / NT
    }

    /// Add the emission scores of features `feats` to `out` (length [`NT`]).
    #[inline]
    pub fn score(&self, feats: &[u64], out: &mut [f32]) {
        let mut acc = [0i32; NT];
        let mask = self.slots.len() - 1;
        for &f in feats {
            let k = key_of(f);
            let mut s = (k as usize) & mask;
            loop {
                let slot = self.slots[s];
                if slot == k {
                    let row = self.slot_rows[s] as usize * NT;
                    for (a, w) in acc.iter_mut().zip(&self.weights[row..row + NT]) {
                        *a += *w as i32;
                    }
                    break;
                }
                if slot == 0 {
                    break;
                }
                s = (s + 1) & mask;
            }
        }
        for (o, a) in out.iter_mut().zip(acc) {
            *o = a as f32 * self.scale;
        }
    }

    /// Serialise to the file format.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut rows: Vec<(u64, usize)> = self
            .slots
            .iter()
            .zip(&self.slot_rows)
            .filter(|(k, _)| **k != 0)
            .map(|(k, r)| (*k, *r as usize))
            .collect();
        rows.sort_unstable();
        let mut out = Vec::with_capacity(24 + rows.len() * (8 + 2 * NT));
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&(NT as u32).to_le_bytes());
        out.extend_from_slice(&(rows.len() as u32).to_le_bytes());
        out.extend_from_slice(&self.scale.to_le_bytes());
        let q = |x: f32| {
            ((x / self.scale)
                .round()
                .clamp(i16::MIN as f32, i16::MAX as f32) as i16)
                .to_le_bytes()
        };
        self.transitions
            .trans
            .iter()
            .chain(&self.transitions.start)
            .for_each(|&x| out.extend_from_slice(&q(x)));
        rows.iter()
            .for_each(|(k, _)| out.extend_from_slice(&k.to_le_bytes()));
        for (_, r) in &rows {
            self.weights[r * NT..(r + 1) * NT]
                .iter()
                .for_each(|w| out.extend_from_slice(&w.to_le_bytes()));
        }
        out
    }

    /// Parse the file format; `what` names the source in errors.
    pub fn from_bytes(bytes: &[u8], what: &str) -> Result<Model, ExtractError> {
        let bad = |why: &str| ExtractError::BadModel {
            path: what.to_string(),
            reason: why.to_string(),
        };
        if bytes.len() < 20 || &bytes[..8] != MAGIC {
            return Err(bad(
                "not a Copydesk NER model (wrong magic); retrain with `make train-ner`",
            ));
        }
        let u32_at = |o: usize| {
            u32::from_le_bytes([bytes[o], bytes[o + 1], bytes[o + 2], bytes[o + 3]]) as usize
        };
        if u32_at(8) != NT {
            return Err(bad(
                "tag count differs from this build; retrain with `make train-ner`",
            ));
        }
        let rows = u32_at(12);
        let scale = f32::from_le_bytes([bytes[16], bytes[17], bytes[18], bytes[19]]);
        let mut at = 20;
        let need = at + (NT * NT + NT) * 2 + rows * (8 + NT * 2);
        if bytes.len() != need {
            return Err(bad(&format!(
                "truncated or padded: {} bytes, expected {need}",
                bytes.len()
            )));
        }
        let mut i16s = |n: usize| -> Vec<f32> {
            let v = (0..n)
                .map(|k| {
                    i16::from_le_bytes([bytes[at + 2 * k], bytes[at + 2 * k + 1]]) as f32 * scale
                })
                .collect();
            at += 2 * n;
            v
        };
        let (trans_v, start_v) = (i16s(NT * NT), i16s(NT));
        let mut tr = Transitions {
            trans: [0.0; NT * NT],
            start: [0.0; NT],
        };
        tr.trans.copy_from_slice(&trans_v);
        tr.start.copy_from_slice(&start_v);
        let keys_at = at;
        let w_at = keys_at + rows * 8;
        let table: Vec<(u64, [i16; NT])> = (0..rows)
            .map(|r| {
                let o = keys_at + r * 8;
                let mut k = [0u8; 8];
                k.copy_from_slice(&bytes[o..o + 8]);
                let mut w = [0i16; NT];
                for (t, x) in w.iter_mut().enumerate() {
                    let o = w_at + (r * NT + t) * 2;
                    *x = i16::from_le_bytes([bytes[o], bytes[o + 1]]);
                }
                (u64::from_le_bytes(k), w)
            })
            .collect();
        Ok(Self::from_quantised(table, scale, tr))
    }
}

/// Feature keys are never 0, which marks an empty slot.
#[inline]
fn key_of(f: u64) -> u64 {
    f | 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> Model {
        let mut w = [0.0; NT];
        w[5] = 2.0;
        let tr = Transitions {
            trans: [0.0; NT * NT],
            start: [0.0; NT],
        };
        Model::from_float(vec![(42, w), (7, [0.0; NT])], tr)
    }

    #[test]
    fn model_round_trips_through_bytes_and_drops_zero_rows() {
        let m = tiny();
        assert_eq!(m.rows(), 1);
        let back = Model::from_bytes(&m.to_bytes(), "test").expect("parse");
        let mut s = [0.0; NT];
        back.score(&[42, 99], &mut s);
        assert!((s[5] - 2.0).abs() < 1e-3, "{s:?}");
    }

    #[test]
    fn corrupt_model_bytes_are_rejected_with_a_reason() {
        let mut bytes = tiny().to_bytes();
        bytes.pop();
        let err = Model::from_bytes(&bytes, "m.bin").err().expect("truncated");
        assert!(err.to_string().contains("m.bin"), "{err}");
    }

    #[test]
    fn viterbi_never_starts_an_entity_with_an_inside_tag() {
        let mut emit = vec![0.0; 2 * NT];
        emit[2] = 5.0; // I-PER at token 0 is tempting but illegal
        emit[NT + 2] = 5.0;
        let tr = Transitions {
            trans: [0.0; NT * NT],
            start: [0.0; NT],
        };
        let mut out = Vec::new();
        viterbi(&emit, &tr, &mut out);
        assert_eq!(out.len(), 2);
        assert_ne!(out[0], 2);
        assert!(allowed(Some(out[0]), out[1]));
    }
}
