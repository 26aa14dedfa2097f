//! Sparse TF-IDF vectors over hashed terms, and the sums (centroids) events keep of them.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A unit-length sparse vector: `(term id, weight)` sorted by term id.
pub type SparseVec = Vec<(u64, f32)>;

/// How many of its strongest terms a member keeps; bounds event state size, and drops the
/// long tail of background words that do not tell events apart.
pub const MAX_TERMS: usize = 120;

/// Inverse document frequency with the document itself counted: `ln((n + 1) / (df + 0.5))`.
/// `n` documents seen before this one, `df` of them with the term.
pub fn idf(n: u64, df: u64) -> f32 {
    ((n as f64 + 1.0) / (df as f64 + 0.5)).ln().max(0.0) as f32
}

/// Weight counts by sublinear tf (`1 + ln count`) times IDF, keep the strongest
/// [`MAX_TERMS`], and scale to unit length. `df` gives each term's document frequency.
pub fn tfidf(counts: &[(u64, f32)], n: u64, df: impl Fn(u64) -> u64) -> SparseVec {
    let mut v: Vec<(u64, f32)> = counts
        .iter()
        .filter(|p| p.1 > 0.0)
        .map(|&(t, c)| (t, (1.0 + c.ln()) * idf(n, df(t))))
        .filter(|p| p.1 > 0.0)
        .collect();
    if v.len() > MAX_TERMS {
        v.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        v.truncate(MAX_TERMS);
    }
    let norm = v.iter().map(|p| p.1 * p.1).sum::<f32>().sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|p| p.1 /= norm);
    }
    v.sort_unstable_by_key(|p| p.0);
    v
}

/// Hashes a term id, itself already a hash, with one multiplication (SipHash, the default,
/// was a tenth of the clusterer's time).
#[derive(Debug, Clone, Copy, Default)]
pub struct TermHasher(u64);

impl Hasher for TermHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0 ^ n).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// A map keyed by term id.
pub type TermMap<V> = HashMap<u64, V, BuildHasherDefault<TermHasher>>;

/// A sum of unit vectors (an event's centroid before division by its size).
#[derive(Debug, Clone, Default)]
pub struct Sum(TermMap<f32>);

impl Sum {
    /// Add a vector.
    pub fn add(&mut self, v: &SparseVec) {
        for &(t, w) in v {
            *self.0.entry(t).or_default() += w;
        }
    }

    /// Take a vector out again.
    pub fn sub(&mut self, v: &SparseVec) {
        for &(t, w) in v {
            *self.0.entry(t).or_default() -= w;
        }
    }

    /// The summed weights, in no particular order.
    pub fn into_terms(self) -> Vec<(u64, f32)> {
        self.0.into_iter().collect()
    }

    /// Dot product with a vector.
    pub fn dot(&self, v: &SparseVec) -> f32 {
        v.iter()
            .map(|(t, w)| w * self.0.get(t).copied().unwrap_or(0.0))
            .sum()
    }
}

/// Dot product of two sorted sparse vectors.
pub fn dot(a: &SparseVec, b: &SparseVec) -> f32 {
    let (mut i, mut j, mut s) = (0, 0, 0.0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                s += a[i].1 * b[j].1;
                i += 1;
                j += 1;
            }
        }
    }
    s
}

/// Serde for a [`SparseVec`] as one base64 string of little-endian `(u64 term, f32 weight)`
/// pairs, 16 characters a term where a JSON list of pairs takes about 30 and is slow to parse
/// (parsing the numbers of event records was the summarize worker's main cost). Reads the
/// older list of pairs too, so stored events written before stay readable.
pub mod packed {
    use super::SparseVec;
    use base64::engine::general_purpose::STANDARD_NO_PAD;
    use base64::Engine;
    use serde::de::{Error, SeqAccess, Visitor};
    use serde::{Deserializer, Serializer};

    const PAIR: usize = 12;

    /// Write `v` as one base64 string.
    pub fn serialize<S: Serializer>(v: &SparseVec, s: S) -> Result<S::Ok, S::Error> {
        let mut bytes = Vec::with_capacity(v.len() * PAIR);
        for &(t, w) in v {
            bytes.extend_from_slice(&t.to_le_bytes());
            bytes.extend_from_slice(&w.to_le_bytes());
        }
        s.serialize_str(&STANDARD_NO_PAD.encode(bytes))
    }

    /// Read a base64 string of pairs, or a list of `[term, weight]` pairs.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<SparseVec, D::Error> {
        d.deserialize_any(Packed)
    }

    struct Packed;

    impl<'de> Visitor<'de> for Packed {
        type Value = SparseVec;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a base64 string of (term, weight) pairs or a list of pairs")
        }

        fn visit_str<E: Error>(self, text: &str) -> Result<SparseVec, E> {
            let bytes = STANDARD_NO_PAD
                .decode(text)
                .map_err(|e| E::custom(format!("term vector: {e}")))?;
            if bytes.len() % PAIR != 0 {
                return Err(E::custom(format!(
                    "term vector: {} bytes is not a whole number of {PAIR}-byte pairs",
                    bytes.len()
                )));
            }
            Ok(bytes
                .chunks_exact(PAIR)
                .map(|c| {
                    let (t, w) = c.split_at(8);
                    (
                        u64::from_le_bytes(t.try_into().expect("8 bytes")),
                        f32::from_le_bytes(w.try_into().expect("4 bytes")),
                    )
                })
                .collect())
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<SparseVec, A::Error> {
            let mut v = Vec::with_capacity(seq.size_hint().unwrap_or(0));
            while let Some(pair) = seq.next_element::<(u64, f32)>()? {
                v.push(pair);
            }
            Ok(v)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tfidf_is_unit_length_and_rare_terms_weigh_more() {
        let v = tfidf(&[(1, 1.0), (2, 1.0)], 100, |t| if t == 1 { 90 } else { 2 });
        let norm: f32 = v.iter().map(|p| p.1 * p.1).sum();
        assert!((norm - 1.0).abs() < 1e-5);
        assert!(v[1].1 > 3.0 * v[0].1, "rare term 2 dominates: {v:?}");
    }

    #[test]
    fn sum_dot_matches_the_sum_of_pairwise_dots() {
        let a = vec![(1, 0.6), (3, 0.8)];
        let b = vec![(1, 1.0)];
        let q = vec![(1, 0.8), (3, 0.6)];
        let mut s = Sum::default();
        s.add(&a);
        s.add(&b);
        assert!((s.dot(&q) - (dot(&a, &q) + dot(&b, &q))).abs() < 1e-6);
    }

    #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
    struct Holder(#[serde(with = "packed")] SparseVec);

    #[test]
    fn packed_vectors_round_trip_exactly_and_read_the_older_list_form() {
        let v: SparseVec = vec![(0, 0.0), (7, 0.123_456_79), (u64::MAX, -1.5e-7)];
        let json = serde_json::to_string(&Holder(v.clone())).expect("json");
        assert!(json.starts_with('"'), "one string: {json}");
        assert_eq!(serde_json::from_str::<Holder>(&json).expect("parse").0, v);
        let old = serde_json::to_string(&v).expect("json");
        assert_eq!(serde_json::from_str::<Holder>(&old).expect("parse").0, v);
        assert_eq!(serde_json::from_str::<Holder>("\"\"").expect("empty").0, vec![]);
        let err = serde_json::from_str::<Holder>("\"AAAA\"").expect_err("3 bytes");
        assert!(err.to_string().contains("12-byte pairs"), "{err}");
        assert!(serde_json::from_str::<Holder>("\"!!\"").is_err());
    }

    #[test]
    fn only_the_strongest_terms_are_kept() {
        let counts: Vec<(u64, f32)> = (0..(MAX_TERMS as u64 + 30))
            .map(|t| (t, 1.0 + t as f32))
            .collect();
        assert_eq!(tfidf(&counts, 10, |_| 1).len(), MAX_TERMS);
    }
}
