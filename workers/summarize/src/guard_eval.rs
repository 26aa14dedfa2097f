//! `copydesk eval guard`: precision and recall of the faithfulness guard on a labelled set of
//! rewrites (`{id, source, rewrite, faithful, kind}` per line; ours is
//! `workers/summarize/tests/fixtures/guard.jsonl`, invented news written for the project).

use crate::guard::Sources;
use crate::SummarizeError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

#[derive(Deserialize)]
struct Item {
    id: String,
    source: String,
    rewrite: String,
    faithful: bool,
    kind: String,
}

/// How the guard did.
#[derive(Debug, Serialize)]
pub struct GuardReport {
    /// Labelled rewrites.
    pub items: usize,
    /// Of which unfaithful.
    pub unfaithful: usize,
    /// Share of rejected rewrites that were unfaithful.
    pub precision: f64,
    /// Share of unfaithful rewrites that were rejected.
    pub recall: f64,
    /// Harmonic mean.
    pub f1: f64,
    /// Per kind of rewrite: (rejected, total). For "faithful", rejected ones are false alarms.
    pub by_kind: BTreeMap<String, (usize, usize)>,
    /// Faithful rewrites that were rejected, with the guard's reasons.
    pub false_alarms: Vec<(String, Vec<String>)>,
    /// Unfaithful rewrites that passed.
    pub missed: Vec<String>,
}

/// Run the guard over a labelled JSONL file.
pub fn eval_guard(path: &Path) -> Result<GuardReport, SummarizeError> {
    let text = std::fs::read_to_string(path)
        .map_err(SummarizeError::io("read the labelled rewrites", path))?;
    let mut items = Vec::new();
    for (n, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let item: Item = serde_json::from_str(line).map_err(|e| {
            SummarizeError::Config(format!(
                "{} line {}: {e}; expected {{id, source, rewrite, faithful, kind}}",
                path.display(),
                n + 1
            ))
        })?;
        items.push(item);
    }
    let (mut tp, mut fp, mut fn_) = (0usize, 0usize, 0usize);
    let mut by_kind: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let (mut false_alarms, mut missed) = (Vec::new(), Vec::new());
    for item in &items {
        let findings = Sources::new(&item.source).check(&item.source, &item.rewrite);
        let rejected = !findings.is_empty();
        let slot = by_kind.entry(item.kind.clone()).or_default();
        slot.0 += usize::from(rejected);
        slot.1 += 1;
        match (rejected, item.faithful) {
            (true, false) => tp += 1,
            (true, true) => {
                fp += 1;
                let mut why: Vec<String> = findings
                    .iter()
                    .map(|f| format!("{}: {}", f.reason.label(), f.sentence))
                    .collect();
                why.dedup();
                false_alarms.push((item.id.clone(), why));
            }
            (false, false) => {
                fn_ += 1;
                missed.push(item.id.clone());
            }
            (false, true) => {}
        }
    }
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    let (precision, recall) = (ratio(tp, tp + fp), ratio(tp, tp + fn_));
    Ok(GuardReport {
        items: items.len(),
        unfaithful: tp + fn_,
        precision,
        recall,
        f1: if precision + recall > 0.0 {
            2.0 * precision * recall / (precision + recall)
        } else {
            0.0
        },
        by_kind,
        false_alarms,
        missed,
    })
}

impl std::fmt::Display for GuardReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "{} rewrites, {} unfaithful", self.items, self.unfaithful)?;
        writeln!(
            f,
            "guard: precision {:.3}, recall {:.3}, F1 {:.3}",
            self.precision, self.recall, self.f1
        )?;
        for (kind, (rejected, total)) in &self.by_kind {
            writeln!(f, "  {kind:<16} rejected {rejected}/{total}")?;
        }
        for (id, why) in &self.false_alarms {
            writeln!(f, "  false alarm {id}: {}", why.join(" | "))?;
        }
        write!(f, "  missed: {}", self.missed.join(", "))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_labelled_set_parses_and_the_guard_catches_most_unfaithful_rewrites() {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/guard.jsonl");
        let r = super::eval_guard(&path).expect("labelled set");
        eprintln!("{r}");
        assert_eq!(r.items, 60);
        assert!(r.recall >= 0.8, "{r}");
        assert!(r.precision >= 0.8, "{r}");
    }
}
