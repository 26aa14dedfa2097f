//! `copydesk bench extract`: throughput and peak memory of the built-in engine over a folder of
//! text files, on one thread, counting reading and tokenising.

use crate::error::ExtractError;
use crate::BuiltinExtractor;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The result of [`bench_extract`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BenchReport {
    /// Files processed.
    pub docs: usize,
    /// Whitespace-separated words of the raw text.
    pub words: usize,
    /// Wall-clock seconds, from the first read to the last extraction.
    pub seconds: f64,
    /// `words / seconds`.
    pub words_per_sec: f64,
    /// Peak resident memory of this process (VmHWM), in MB.
    pub peak_rss_mb: f64,
}

impl std::fmt::Display for BenchReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} docs, {} words in {:.3} s: {:.0} words/s on one thread, peak RSS {:.1} MB",
            self.docs, self.words, self.seconds, self.words_per_sec, self.peak_rss_mb
        )
    }
}

/// Run the built-in engine over every file under `corpus` (recursively, in name order).
pub fn bench_extract(corpus: &Path) -> Result<BenchReport, ExtractError> {
    let engine = BuiltinExtractor::load_default()?;
    let mut files = Vec::new();
    collect_files(corpus, &mut files)?;
    if files.is_empty() {
        return Err(ExtractError::BadData {
            path: corpus.to_path_buf(),
            reason: "no files to benchmark on".into(),
        });
    }
    let started = Instant::now();
    let (mut words, mut checksum) = (0usize, 0usize);
    for path in &files {
        let bytes = std::fs::read(path).map_err(|e| ExtractError::io(path, e))?;
        let text = String::from_utf8_lossy(&bytes);
        words += text.split_whitespace().count();
        // Use the result so the work cannot be optimised away.
        checksum += engine.extract_text(&text).mentions.len();
    }
    let seconds = started.elapsed().as_secs_f64();
    std::hint::black_box(checksum);
    Ok(BenchReport {
        docs: files.len(),
        words,
        seconds: (seconds * 1000.0).round() / 1000.0,
        words_per_sec: (words as f64 / seconds.max(1e-9)).round(),
        peak_rss_mb: peak_rss_mb(),
    })
}

fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), ExtractError> {
    let entries = std::fs::read_dir(dir).map_err(|e| ExtractError::io(dir, e))?;
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            collect_files(&p, out)?;
        } else if p.is_file()
            && !p
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        {
            out.push(p);
        }
    }
    Ok(())
}

/// Peak resident set size of this process in MB, from `/proc/self/status` (0 where unavailable).
pub fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| (kb / 1024.0 * 10.0).round() / 10.0)
}
