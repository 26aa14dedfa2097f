//! Sparse TF-IDF vectors over hashed terms, and the sums (centroids) events keep of them.

use std::collections::HashMap;

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

/// A sum of unit vectors (an event's centroid before division by its size).
#[derive(Debug, Clone, Default)]
pub struct Sum(HashMap<u64, f32>);

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

    #[test]
    fn only_the_strongest_terms_are_kept() {
        let counts: Vec<(u64, f32)> = (0..(MAX_TERMS as u64 + 30))
            .map(|t| (t, 1.0 + t as f32))
            .collect();
        assert_eq!(tfidf(&counts, 10, |_| 1).len(), MAX_TERMS);
    }
}
