//! B³ (B-cubed) clustering scores, and whether the events of each topic were kept apart.

use serde::Serialize;
use std::collections::HashMap;

/// B³ precision, recall and F1 (means over items).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct B3 {
    /// For each item, the share of its predicted cluster that shares its gold label.
    pub precision: f64,
    /// For each item, the share of its gold cluster that shares its predicted cluster.
    pub recall: f64,
    /// Harmonic mean.
    pub f1: f64,
}

/// B³ of predicted labels against gold labels (same length, same item order).
pub fn b3(pred: &[&str], gold: &[&str]) -> B3 {
    let n = pred.len().min(gold.len());
    if n == 0 {
        return B3 {
            precision: 0.0,
            recall: 0.0,
            f1: 0.0,
        };
    }
    let mut both: HashMap<(&str, &str), usize> = HashMap::new();
    let mut p_size: HashMap<&str, usize> = HashMap::new();
    let mut g_size: HashMap<&str, usize> = HashMap::new();
    for i in 0..n {
        *both.entry((pred[i], gold[i])).or_default() += 1;
        *p_size.entry(pred[i]).or_default() += 1;
        *g_size.entry(gold[i]).or_default() += 1;
    }
    let (mut p, mut r) = (0.0, 0.0);
    for i in 0..n {
        let shared = both[&(pred[i], gold[i])] as f64;
        p += shared / p_size[pred[i]] as f64;
        r += shared / g_size[gold[i]] as f64;
    }
    let (p, r) = (p / n as f64, r / n as f64);
    B3 {
        precision: p,
        recall: r,
        f1: if p + r > 0.0 {
            2.0 * p * r / (p + r)
        } else {
            0.0
        },
    }
}

/// For each topic with two or more gold events: are their majority predicted clusters all
/// different? Returns (topics kept apart, topics with two or more events).
pub fn topics_apart(pred: &[&str], gold: &[&str], topic: &[&str]) -> (usize, usize) {
    let mut by_event: HashMap<(&str, &str), HashMap<&str, usize>> = HashMap::new();
    for i in 0..pred.len().min(gold.len()).min(topic.len()) {
        *by_event
            .entry((topic[i], gold[i]))
            .or_default()
            .entry(pred[i])
            .or_default() += 1;
    }
    let mut majority: HashMap<&str, Vec<&str>> = HashMap::new();
    for ((t, _), counts) in &by_event {
        if let Some((c, _)) = counts.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0))) {
            majority.entry(t).or_default().push(c);
        }
    }
    let mut apart = 0;
    let mut total = 0;
    for clusters in majority.values().filter(|c| c.len() >= 2) {
        total += 1;
        let mut u = clusters.clone();
        u.sort_unstable();
        u.dedup();
        apart += usize::from(u.len() == clusters.len());
    }
    (apart, total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perfect_clustering_scores_one_and_one_cluster_scores_low_precision() {
        let gold = ["a", "a", "b", "b"];
        assert_eq!(b3(&["x", "x", "y", "y"], &gold).f1, 1.0);
        let all = b3(&["x", "x", "x", "x"], &gold);
        assert_eq!((all.precision, all.recall), (0.5, 1.0));
        let single = b3(&["1", "2", "3", "4"], &gold);
        assert_eq!((single.precision, single.recall), (1.0, 0.5));
    }

    #[test]
    fn a_topic_is_apart_only_when_its_events_have_different_majority_clusters() {
        let topic = ["t", "t", "t", "t"];
        let gold = ["a", "a", "b", "b"];
        assert_eq!(topics_apart(&["x", "x", "y", "y"], &gold, &topic), (1, 1));
        assert_eq!(topics_apart(&["x", "x", "x", "x"], &gold, &topic), (0, 1));
    }
}
