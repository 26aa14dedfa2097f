//! `copydesk eval events`: B³ precision, recall and F1 of the online clusterer against gold
//! event labels (ECB+ `events/dev.jsonl`), in several arrival orders, plus a leave-topics-out
//! check of the threshold and throughput figures.

use crate::b3::{b3, topics_apart, B3};
use crate::cluster::{ClusterConfig, Clusterer};
use crate::doc::EventDoc;
use crate::store::MemoryStore;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// One labelled document of an evaluation file.
#[derive(Debug, Clone)]
pub struct GoldDoc {
    /// The document, entities filled in by the caller.
    pub doc: EventDoc,
    /// Gold event label.
    pub event: String,
    /// Topic (each holds similar events); used for the leave-topics-out check.
    pub topic: String,
}

/// One line of the evaluation file (`{id, event, topic, title, text, date?}`).
#[derive(Debug, Deserialize)]
pub struct GoldLine {
    /// Document id.
    pub id: String,
    /// Gold event.
    pub event: String,
    /// Topic.
    #[serde(default)]
    pub topic: String,
    /// Title, possibly empty.
    #[serde(default)]
    pub title: String,
    /// Text.
    #[serde(default)]
    pub text: String,
    /// Publication date `YYYY-MM-DD`, when known.
    #[serde(default)]
    pub date: Option<String>,
    /// Language tag.
    #[serde(default)]
    pub lang: Option<String>,
}

impl GoldLine {
    /// The document (without entities: the caller runs its extractor).
    pub fn to_doc(&self) -> EventDoc {
        let published = self
            .date
            .as_deref()
            .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            .and_then(|d| d.and_hms_opt(12, 0, 0))
            .map(|t| t.and_utc());
        EventDoc {
            id: self.id.clone(),
            version: 1,
            title: self.title.clone(),
            text: self.text.clone(),
            language: self.lang.clone(),
            published,
            source: None,
            entities: Vec::new(),
        }
    }
}

/// One clustering run in one arrival order.
#[derive(Debug, Clone, Serialize)]
pub struct Run {
    /// The order: `date` (dated documents by date, then undated ones in file order), `file`,
    /// or `shuffled-<seed>`.
    pub order: String,
    /// B³ scores.
    #[serde(flatten)]
    pub b3: B3,
    /// Events made.
    pub clusters: usize,
    /// Topics whose gold events ended up in different majority events.
    pub topics_apart: usize,
    /// Topics with two or more gold events.
    pub topics: usize,
    /// Stories moved by repair.
    pub moves: usize,
    /// Documents clustered per second (one thread, in-memory store).
    pub docs_per_s: f64,
}

/// The report of `copydesk eval events`.
#[derive(Debug, Clone, Serialize)]
pub struct EventsReport {
    /// Documents.
    pub docs: usize,
    /// Gold events.
    pub gold_events: usize,
    /// The parameters used.
    pub config: ClusterConfig,
    /// The headline run (date order).
    pub main: Run,
    /// The other orders, to show order robustness.
    pub orders: Vec<Run>,
    /// Mean B³ F1 over all orders.
    pub mean_f1: f64,
    /// The date-order run without repair: assignments exactly as made at arrival.
    pub arrival_only: Run,
    /// Leave-topics-out: per fold, the threshold picked on the other folds and the held-out F1.
    pub loto: Loto,
    /// Entity extraction throughput (documents per second), measured by the caller.
    pub extract_docs_per_s: f64,
    /// Peak resident memory of the process, MiB (Linux `VmHWM`).
    pub peak_rss_mib: Option<f64>,
}

/// The leave-topics-out check of the threshold.
#[derive(Debug, Clone, Serialize)]
pub struct Loto {
    /// Folds (topics dealt round-robin).
    pub folds: usize,
    /// The threshold chosen on the training topics of each fold.
    pub thresholds: Vec<f32>,
    /// B³ over all documents, each fold clustered with the threshold chosen without it.
    #[serde(flatten)]
    pub b3: B3,
}

/// Thresholds the leave-topics-out check chooses from.
pub const THRESHOLD_GRID: [f32; 9] = [0.13, 0.14, 0.15, 0.16, 0.17, 0.18, 0.19, 0.20, 0.21];

/// Evaluate the clusterer on labelled documents.
pub fn eval_events(gold: &[GoldDoc], cfg: &ClusterConfig, extract_docs_per_s: f64) -> EventsReport {
    let main = run(gold, &date_order(gold), "date", cfg);
    let mut orders = vec![run(gold, &(0..gold.len()).collect::<Vec<_>>(), "file", cfg)];
    for seed in 1..=3u64 {
        let mut o: Vec<usize> = (0..gold.len()).collect();
        o.shuffle(&mut rand::rngs::StdRng::seed_from_u64(seed));
        orders.push(run(gold, &o, &format!("shuffled-{seed}"), cfg));
    }
    let mean_f1 =
        (main.b3.f1 + orders.iter().map(|r| r.b3.f1).sum::<f64>()) / (1 + orders.len()) as f64;
    let arrival = ClusterConfig {
        repair: false,
        ..cfg.clone()
    };
    let arrival_only = run(gold, &date_order(gold), "date", &arrival);
    EventsReport {
        docs: gold.len(),
        gold_events: gold
            .iter()
            .map(|g| &g.event)
            .collect::<std::collections::HashSet<_>>()
            .len(),
        config: cfg.clone(),
        main,
        orders,
        mean_f1,
        arrival_only,
        loto: loto(gold, cfg, 5),
        extract_docs_per_s,
        peak_rss_mib: peak_rss_mib(),
    }
}

/// Dated documents by date (stable), then the undated ones in file order.
pub fn date_order(gold: &[GoldDoc]) -> Vec<usize> {
    let mut dated: Vec<usize> = (0..gold.len())
        .filter(|&i| gold[i].doc.published.is_some())
        .collect();
    dated.sort_by_key(|&i| gold[i].doc.published);
    dated.extend((0..gold.len()).filter(|&i| gold[i].doc.published.is_none()));
    dated
}

/// Cluster `gold` in `order`; predicted label per document index.
pub fn cluster(gold: &[GoldDoc], order: &[usize], cfg: &ClusterConfig) -> (Vec<String>, usize) {
    let clusterer = Clusterer::new(MemoryStore::new(), cfg.clone());
    let mut moves = 0;
    for &i in order {
        match futures::executor::block_on(clusterer.assign(&gold[i].doc)) {
            Ok(a) => moves += a.moved.len(),
            // The in-memory store has no other writers, so this cannot happen; a document
            // that fails anyway stays a singleton and costs recall, visibly.
            Err(_) => continue,
        }
    }
    let mut label: HashMap<&str, String> = HashMap::new();
    let events = clusterer.store().events();
    for e in &events {
        for m in &e.members {
            label.insert(m.story_id.as_str(), e.id.clone());
        }
    }
    let pred = gold
        .iter()
        .map(|g| {
            label
                .get(g.doc.id.as_str())
                .cloned()
                .unwrap_or_else(|| g.doc.id.clone())
        })
        .collect();
    (pred, moves)
}

fn run(gold: &[GoldDoc], order: &[usize], name: &str, cfg: &ClusterConfig) -> Run {
    let start = std::time::Instant::now();
    let (pred, moves) = cluster(gold, order, cfg);
    let secs = start.elapsed().as_secs_f64();
    let truth: Vec<&str> = gold.iter().map(|g| g.event.as_str()).collect();
    let topic: Vec<&str> = gold.iter().map(|g| g.topic.as_str()).collect();
    let pred_ref: Vec<&str> = pred.iter().map(String::as_str).collect();
    let (topics_apart, topics) = topics_apart(&pred_ref, &truth, &topic);
    Run {
        order: name.to_string(),
        b3: b3(&pred_ref, &truth),
        clusters: pred.iter().collect::<std::collections::HashSet<_>>().len(),
        topics_apart,
        topics,
        moves,
        docs_per_s: gold.len() as f64 / secs.max(1e-9),
    }
}

/// Leave-topics-out: cluster the whole stream once per grid threshold (date order); for each
/// fold of topics pick the threshold that scores best on the other folds' labels, and score
/// the fold's documents in that clustering. No fold's labels choose its own threshold.
fn loto(gold: &[GoldDoc], cfg: &ClusterConfig, folds: usize) -> Loto {
    let mut topics: Vec<&str> = gold.iter().map(|g| g.topic.as_str()).collect();
    topics.sort_unstable();
    topics.dedup();
    let fold_of: HashMap<&str, usize> = topics
        .iter()
        .enumerate()
        .map(|(i, t)| (*t, i % folds))
        .collect();
    let fold: Vec<usize> = gold.iter().map(|g| fold_of[g.topic.as_str()]).collect();
    let order = date_order(gold);
    let runs: Vec<Vec<String>> = THRESHOLD_GRID
        .iter()
        .map(|&t| {
            cluster(
                gold,
                &order,
                &ClusterConfig {
                    threshold: t,
                    ..cfg.clone()
                },
            )
            .0
        })
        .collect();
    let truth: Vec<&str> = gold.iter().map(|g| g.event.as_str()).collect();
    let score_on = |pred: &[String], keep: &dyn Fn(usize) -> bool| {
        let idx: Vec<usize> = (0..gold.len()).filter(|&i| keep(i)).collect();
        let p: Vec<&str> = idx.iter().map(|&i| pred[i].as_str()).collect();
        let g: Vec<&str> = idx.iter().map(|&i| truth[i]).collect();
        b3(&p, &g).f1
    };
    let mut pred = vec![String::new(); gold.len()];
    let mut thresholds = Vec::new();
    for f in 0..folds {
        let best = (0..THRESHOLD_GRID.len())
            .map(|k| (score_on(&runs[k], &|i| fold[i] != f), k))
            .fold((f64::MIN, 0), |a, b| if b.0 > a.0 { b } else { a })
            .1;
        thresholds.push(THRESHOLD_GRID[best]);
        for i in (0..gold.len()).filter(|&i| fold[i] == f) {
            pred[i] = format!("fold{f}:{}", runs[best][i]);
        }
    }
    let pred_ref: Vec<&str> = pred.iter().map(String::as_str).collect();
    Loto {
        folds,
        thresholds,
        b3: b3(&pred_ref, &truth),
    }
}

/// Peak resident set size of this process in MiB, from `/proc/self/status` (Linux only).
pub fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:<12} B3 P {:.3} R {:.3} F1 {:.3}  events {:>3}  topics apart {}/{}  moves {}  {:.0} docs/s",
            self.order, self.b3.precision, self.b3.recall, self.b3.f1, self.clusters, self.topics_apart, self.topics, self.moves, self.docs_per_s
        )
    }
}

impl std::fmt::Display for EventsReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "{} documents, {} gold events",
            self.docs, self.gold_events
        )?;
        writeln!(f, "{}", self.main)?;
        for r in &self.orders {
            writeln!(f, "{r}")?;
        }
        writeln!(f, "mean F1 over orders {:.3}", self.mean_f1)?;
        writeln!(f, "arrival only (no repair): {}", self.arrival_only)?;
        writeln!(
            f,
            "leave-topics-out ({} folds, thresholds {:?}): B3 P {:.3} R {:.3} F1 {:.3}",
            self.loto.folds,
            self.loto.thresholds,
            self.loto.b3.precision,
            self.loto.b3.recall,
            self.loto.b3.f1
        )?;
        write!(
            f,
            "extraction {:.1} docs/s; peak RSS {:.0} MiB",
            self.extract_docs_per_s,
            self.peak_rss_mib.unwrap_or(f64::NAN)
        )
    }
}
