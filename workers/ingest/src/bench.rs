//! Parse throughput over a folder of wire files.

use std::path::Path;
use std::time::Instant;

use serde::Serialize;

use crate::{parse_document, IngestConfig, IngestError, Parsed};

/// What `copydesk bench ingest` prints.
#[derive(Debug, Clone, Serialize)]
pub struct ParseBenchReport {
    /// Files parsed (including refused ones).
    pub files: u64,
    /// Stories produced.
    pub items: u64,
    /// Total bytes parsed.
    pub bytes: u64,
    /// Wall time spent parsing, excluding reading the files.
    pub seconds: f64,
    /// Throughput in megabytes (10^6) per second.
    pub mb_per_sec: f64,
    /// Stories per second.
    pub items_per_sec: f64,
    /// Files that failed to parse.
    pub failed: u64,
}

/// Parse every file under `dir` (recursively, skipping dotfiles, README and MANIFEST files)
/// enough times to measure, and report throughput.
pub fn bench_parse(dir: &Path) -> Result<ParseBenchReport, IngestError> {
    let mut docs = Vec::new();
    collect(dir, &mut docs)?;
    if docs.is_empty() {
        return Err(IngestError::Config(format!("no wire files under {}; point the benchmark at a folder of documents", dir.display())));
    }
    let cfg = IngestConfig { detect_language: true, ..IngestConfig::default() };
    let total_bytes: u64 = docs.iter().map(|(_, b)| b.len() as u64).sum();
    let (mut rounds, mut items, mut failed) = (0u64, 0u64, 0u64);
    let started = Instant::now();
    // At least 3 rounds and one second, so tiny corpora still give a stable figure.
    while rounds < 3 || started.elapsed().as_secs_f64() < 1.0 {
        for (name, bytes) in &docs {
            match parse_document(bytes, name, &cfg) {
                Ok(parsed) => items += parsed.iter().filter(|p| matches!(p, Parsed::Story(_))).count() as u64,
                Err(_) => failed += 1,
            }
        }
        rounds += 1;
    }
    let seconds = started.elapsed().as_secs_f64();
    let per_round = |x: u64| x / rounds;
    Ok(ParseBenchReport {
        files: docs.len() as u64,
        items: per_round(items),
        bytes: total_bytes,
        seconds: seconds / rounds as f64,
        mb_per_sec: (total_bytes * rounds) as f64 / 1e6 / seconds,
        items_per_sec: items as f64 / seconds,
        failed: per_round(failed),
    })
}

fn collect(dir: &Path, out: &mut Vec<(String, Vec<u8>)>) -> Result<(), IngestError> {
    let entries = std::fs::read_dir(dir).map_err(|e| IngestError::io("list", dir, e))?;
    let mut paths: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if name.starts_with('.') || name.starts_with("README") || name.starts_with("MANIFEST") {
            continue;
        }
        if path.is_dir() {
            collect(&path, out)?;
        } else {
            let bytes = std::fs::read(&path).map_err(|e| IngestError::io("read", &path, e))?;
            out.push((name, bytes));
        }
    }
    Ok(())
}
