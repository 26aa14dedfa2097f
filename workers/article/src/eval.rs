//! `copydesk eval extraction` and `copydesk bench extraction`: the extractor against the
//! article-extraction benchmark's pages (`DIR/ground-truth.json`, `DIR/html/<key>.html.gz`),
//! scored as [`crate::score`] describes, and its speed and memory over the same pages.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Instant;

use url::Url;

use crate::score::{page_counts, scores, PageCounts, Scores};

/// One benchmark page.
pub struct BenchPage {
    /// The ground-truth key (the file name without `.html.gz`).
    pub key: String,
    /// The page's URL from the ground truth.
    pub url: Url,
    /// The decoded page.
    pub html: String,
    /// The article text a person marked.
    pub truth: String,
}

/// Why the data folder could not be read.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    /// A file was missing or unreadable.
    #[error("cannot read {path}: {source}; point --data at the extraction folder (../shared/data/extraction)")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The ground truth was not the expected JSON.
    #[error("{path} is not {{key: {{\"articleBody\", \"url\"}}}} JSON: {detail}")]
    Format {
        /// The file.
        path: PathBuf,
        /// What was wrong.
        detail: String,
    },
}

#[derive(serde::Deserialize)]
struct Truth {
    #[serde(rename = "articleBody", default)]
    article_body: String,
    #[serde(default)]
    url: String,
}

/// Read every page of the benchmark folder, in key order.
pub fn load_pages(dir: &Path) -> Result<Vec<BenchPage>, EvalError> {
    let gt_path = dir.join("ground-truth.json");
    let raw = std::fs::read(&gt_path).map_err(|source| EvalError::Io { path: gt_path.clone(), source })?;
    let truth: BTreeMap<String, Truth> =
        serde_json::from_slice(&raw).map_err(|e| EvalError::Format { path: gt_path.clone(), detail: e.to_string() })?;
    let mut pages = Vec::with_capacity(truth.len());
    for (key, t) in truth {
        let path = dir.join("html").join(format!("{key}.html.gz"));
        let file = std::fs::File::open(&path).map_err(|source| EvalError::Io { path: path.clone(), source })?;
        let mut bytes = Vec::new();
        flate2::read::GzDecoder::new(file)
            .read_to_end(&mut bytes)
            .map_err(|source| EvalError::Io { path: path.clone(), source })?;
        // The benchmark's pages are stored as UTF-8 (as its own runners read them).
        let html = crate::charset::decode_html(&bytes, Some("text/html; charset=utf-8")).0;
        let url = Url::parse(&t.url).unwrap_or_else(|_| Url::parse("https://example.com/").expect("constant URL parses"));
        pages.push(BenchPage { key, url, html, truth: t.article_body });
    }
    Ok(pages)
}

/// Per-page result of an evaluation.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PageResult {
    /// Ground-truth key.
    pub key: String,
    /// Page URL.
    pub url: String,
    /// Normalised counts.
    pub counts: PageCounts,
}

/// The evaluation report.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ExtractionEval {
    /// Which engine produced the text.
    pub engine: String,
    /// Pages scored.
    pub pages: usize,
    /// Precision, recall, F1 as the benchmark computes them.
    #[serde(flatten)]
    pub scores: Scores,
    /// Pages per CPU-second of extraction (this thread's CPU time where Linux reports it,
    /// else wall time; parsing included, one pass, so noisier than `copydesk bench`).
    pub pages_per_sec: f64,
    /// Per-page counts, worst F1 first (for looking at failures).
    pub worst: Vec<PageResult>,
}

impl std::fmt::Display for ExtractionEval {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "engine {}: {} pages", self.engine, self.pages)?;
        writeln!(f, "precision {:.3}  recall {:.3}  F1 {:.3}", self.scores.precision, self.scores.recall, self.scores.f1)?;
        writeln!(f, "{:.0} pages per CPU-second (one pass)", self.pages_per_sec)?;
        for p in self.worst.iter().take(10) {
            writeln!(f, "  tp {:.2} fp {:.2} fn {:.2}  {}  {}", p.counts.tp, p.counts.fp, p.counts.fn_, p.key.get(..8).unwrap_or(&p.key), p.url)?;
        }
        Ok(())
    }
}

/// Score `engine` (a function from page to article text) over the pages, and return the
/// report plus the predictions (`{key: {"articleBody": text}}`).
pub fn evaluate(
    pages: &[BenchPage],
    engine_name: &str,
    engine: &dyn Fn(&str, &Url) -> String,
) -> (ExtractionEval, BTreeMap<String, serde_json::Value>) {
    let mut predictions = BTreeMap::new();
    let mut results = Vec::with_capacity(pages.len());
    let started = Instant::now();
    let cpu_start = thread_cpu_seconds();
    let mut texts = Vec::with_capacity(pages.len());
    for page in pages {
        texts.push(engine(&page.html, &page.url));
    }
    let seconds = match (cpu_start, thread_cpu_seconds()) {
        (Some(a), Some(b)) if b > a => b - a,
        _ => started.elapsed().as_secs_f64(),
    };
    for (page, text) in pages.iter().zip(texts) {
        results.push(PageResult { key: page.key.clone(), url: page.url.to_string(), counts: page_counts(&page.truth, &text) });
        predictions.insert(page.key.clone(), serde_json::json!({ "articleBody": text }));
    }
    let counts: Vec<PageCounts> = results.iter().map(|r| r.counts).collect();
    let scores = scores(&counts);
    results.sort_by(|a, b| a.counts.tp.total_cmp(&b.counts.tp));
    let report = ExtractionEval {
        engine: engine_name.to_string(),
        pages: pages.len(),
        scores,
        pages_per_sec: pages.len() as f64 / seconds.max(1e-9),
        worst: results.into_iter().take(20).collect(),
    };
    (report, predictions)
}

/// Our extractor as an evaluation engine.
pub fn copydesk_engine(html: &str, url: &Url) -> String {
    crate::extract(html, url).body()
}

/// Speed and memory of the extractor over the benchmark pages.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ExtractionBench {
    /// Pages per round.
    pub pages: usize,
    /// Rounds run.
    pub rounds: usize,
    /// Megabytes of HTML per round.
    pub mb: f64,
    /// Pages per second of wall-clock time (one thread).
    pub pages_per_sec: f64,
    /// Pages per CPU-second of this thread (Linux schedstat), the figure comparable across
    /// a busy machine; `None` where unavailable.
    pub pages_per_cpu_sec: Option<f64>,
    /// MB of HTML per second.
    pub mb_per_sec: f64,
    /// Peak resident memory of the process in MB (Linux `VmHWM`), if readable.
    pub peak_rss_mb: Option<f64>,
}

impl std::fmt::Display for ExtractionBench {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let rss = self.peak_rss_mb.map_or("unknown".to_string(), |m| format!("{m:.1} MB"));
        let cpu = self.pages_per_cpu_sec.map_or("unknown".to_string(), |p| format!("{p:.0}"));
        write!(
            f,
            "{} pages x {} rounds ({:.1} MB each): {cpu} pages per CPU-second ({:.0} pages/s wall, {:.1} MB/s), one thread; peak RSS {rss}",
            self.pages, self.rounds, self.mb, self.pages_per_sec, self.mb_per_sec
        )
    }
}

/// Extract every page repeatedly (at least 3 rounds and 2 seconds), one thread.
pub fn bench(pages: &[BenchPage]) -> ExtractionBench {
    let bytes: usize = pages.iter().map(|p| p.html.len()).sum();
    let started = Instant::now();
    let cpu_start = thread_cpu_seconds();
    let mut rounds = 0;
    let mut sink = 0usize;
    while rounds < 3 || started.elapsed().as_secs_f64() < 2.0 {
        for page in pages {
            sink = sink.wrapping_add(crate::extract(&page.html, &page.url).word_count);
        }
        rounds += 1;
    }
    std::hint::black_box(sink);
    let seconds = started.elapsed().as_secs_f64().max(1e-9);
    let cpu = match (cpu_start, thread_cpu_seconds()) {
        (Some(a), Some(b)) if b > a => Some(b - a),
        _ => None,
    };
    let mb = bytes as f64 / 1e6;
    ExtractionBench {
        pages: pages.len(),
        rounds,
        mb,
        pages_per_sec: (pages.len() * rounds) as f64 / seconds,
        pages_per_cpu_sec: cpu.map(|c| (pages.len() * rounds) as f64 / c),
        mb_per_sec: mb * rounds as f64 / seconds,
        peak_rss_mb: peak_rss_mb(),
    }
}

/// CPU time of the calling thread, from `/proc/thread-self/schedstat` (nanoseconds on CPU).
pub fn thread_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = stat.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e9)
}

/// `VmHWM` from `/proc/self/status`, in MB.
fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}
