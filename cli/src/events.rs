//! `copydesk eval events`: read a labelled JSONL file, run the built-in extractor on each
//! document for its entities, and score the event clusterer.

use anyhow::Context;
use copydesk_events::{entities_of, eval_events, ClusterConfig, EventsReport, GoldDoc, GoldLine};
use std::io::BufRead;
use std::path::Path;

/// Run the evaluation on `data`.
pub fn eval(data: &Path, threshold: Option<f32>) -> anyhow::Result<EventsReport> {
    let file = std::fs::File::open(data).with_context(|| format!("open {}", data.display()))?;
    let mut lines = Vec::new();
    for (n, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line.with_context(|| format!("read {}", data.display()))?;
        if line.trim().is_empty() {
            continue;
        }
        let parsed: GoldLine = serde_json::from_str(&line).with_context(|| {
            format!(
                "{} line {}: expected {{id, event, topic, title, text, date}}",
                data.display(),
                n + 1
            )
        })?;
        lines.push(parsed);
    }
    anyhow::ensure!(!lines.is_empty(), "{} has no documents", data.display());
    let extractor =
        copydesk_extract::BuiltinExtractor::load_default().context("load the entity model")?;
    let start = std::time::Instant::now();
    let gold: Vec<GoldDoc> = lines
        .iter()
        .map(|l| {
            let mut doc = l.to_doc();
            let story =
                copydesk_types::Story::new(l.id.clone(), l.title.clone(), vec![l.text.clone()]);
            doc.entities = entities_of(&extractor.extract_story(&story));
            GoldDoc {
                doc,
                event: l.event.clone(),
                topic: l.topic.clone(),
            }
        })
        .collect();
    let extract_rate = gold.len() as f64 / start.elapsed().as_secs_f64().max(1e-9);
    let mut cfg = ClusterConfig::default();
    if let Some(t) = threshold {
        cfg.threshold = t;
    }
    Ok(eval_events(&gold, &cfg, extract_rate))
}
