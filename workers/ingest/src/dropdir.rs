//! The drop folder: files placed in `drop_dir` become stories.
//!
//! A rescan runs every `poll_interval_ms`, and `notify` events wake it early. A file is read only
//! after its size and mtime stayed the same for `settle_ms` across two scans, so a file still
//! being copied is never half-read; dotfiles, `*.tmp` and `*.part` are ignored (write there, then
//! rename). After a confirmed submit the file moves to `.done/`; a document that cannot be parsed
//! moves to `.failed/` beside a `.reason` file; a sink failure leaves it in place for the next
//! pass. Nothing is deleted and nothing overwritten: name clashes get a numeric suffix.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Instant, SystemTime};

use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::deliver::{deliver, triage};
use crate::{parse_document, IngestConfig, IngestError, IngestStats, Parsed, SharedDedup, StorySink};

/// Sub-folder for files whose stories were delivered.
pub const DONE_DIR: &str = ".done";
/// Sub-folder for files that could not be parsed.
pub const FAILED_DIR: &str = ".failed";

/// Watch the drop folder until `cancel` fires; returns an error only if the folders cannot be created.
pub async fn run_drop_folder(
    cfg: &IngestConfig,
    sink: Arc<dyn StorySink>,
    dedup: SharedDedup,
    cancel: CancellationToken,
    stats: Arc<IngestStats>,
) -> Result<(), IngestError> {
    let dir = cfg.drop_dir.clone();
    for sub in [dir.clone(), dir.join(DONE_DIR), dir.join(FAILED_DIR)] {
        tokio::fs::create_dir_all(&sub).await.map_err(|e| IngestError::io("create", &sub, e))?;
    }
    let wake = Arc::new(Notify::new());
    let _watcher = start_watcher(&dir, wake.clone());
    let mut seen: HashMap<PathBuf, Observation> = HashMap::new();
    tracing::info!(dir = %dir.display(), "drop folder watching");
    while !cancel.is_cancelled() {
        let ready = scan(&dir, &mut seen, cfg).await;
        for path in ready {
            if cancel.is_cancelled() {
                break;
            }
            if handle_file(&path, cfg, sink.as_ref(), &dedup, &stats).await {
                seen.remove(&path);
            }
        }
        let wait = if seen.is_empty() { cfg.poll_interval() } else { cfg.poll_interval().min(cfg.settle().max(std::time::Duration::from_millis(10))) };
        tokio::select! {
            () = cancel.cancelled() => break,
            () = wake.notified() => {}
            () = tokio::time::sleep(wait) => {}
        }
    }
    tracing::info!(dir = %dir.display(), "drop folder stopped");
    Ok(())
}

/// A file's size and mtime, and since when they have been unchanged.
struct Observation {
    len: u64,
    mtime: Option<SystemTime>,
    since: Instant,
}

/// Start a `notify` watcher that wakes the scanner; polling alone still works if it fails.
fn start_watcher(dir: &Path, wake: Arc<Notify>) -> Option<notify::RecommendedWatcher> {
    use notify::Watcher;
    let handler = move |_event: notify::Result<notify::Event>| wake.notify_one();
    let started = notify::recommended_watcher(handler)
        .and_then(|mut w| w.watch(dir, notify::RecursiveMode::NonRecursive).map(|()| w));
    match started {
        Ok(w) => Some(w),
        Err(e) => {
            tracing::warn!(dir = %dir.display(), error = %e, "file watcher unavailable; relying on polling");
            None
        }
    }
}

/// Whether a directory entry is a candidate at all.
fn is_candidate(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    !(name.starts_with('.') || name.ends_with('~') || [".tmp", ".part", ".crdownload", ".swp"].iter().any(|s| lower.ends_with(s)))
}

/// List the files that are ready (settled), updating the observations of the rest.
async fn scan(dir: &Path, seen: &mut HashMap<PathBuf, Observation>, cfg: &IngestConfig) -> Vec<PathBuf> {
    let mut present = Vec::new();
    let mut ready = Vec::new();
    let mut entries = match tokio::fs::read_dir(dir).await {
        Ok(e) => e,
        Err(e) => {
            tracing::error!(dir = %dir.display(), error = %e, "cannot list drop folder");
            return ready;
        }
    };
    while let Ok(Some(entry)) = entries.next_entry().await {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        let Ok(meta) = entry.metadata().await else { continue };
        if !meta.is_file() || !is_candidate(&name) {
            continue;
        }
        let (len, mtime) = (meta.len(), meta.modified().ok());
        present.push(path.clone());
        match seen.get(&path) {
            Some(o) if o.len == len && o.mtime == mtime => {
                if o.since.elapsed() >= cfg.settle() {
                    ready.push(path);
                }
            }
            _ => {
                seen.insert(path, Observation { len, mtime, since: Instant::now() });
            }
        }
    }
    seen.retain(|p, _| present.contains(p));
    ready.sort();
    ready
}

/// Handle one settled file; returns true when it left the drop folder (done or failed).
async fn handle_file(path: &Path, cfg: &IngestConfig, sink: &dyn StorySink, dedup: &SharedDedup, stats: &IngestStats) -> bool {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let parsed = match read_and_parse(path, &name, cfg).await {
        Ok(items) => items,
        Err(err) if err.is_transient() => {
            // Vanished, locked or unreadable for now: not the document's fault, so try again.
            tracing::warn!(file = %name, error = %err, "file could not be read; will retry");
            return false;
        }
        Err(err) => {
            tracing::warn!(file = %name, error.kind = err.kind(), error = %err, "file refused");
            IngestStats::add(&stats.files_failed, 1);
            return match move_failed(path, &cfg.drop_dir, &name, &err).await {
                Ok(()) => true,
                Err(e) => {
                    tracing::error!(file = %name, error = %e, "could not move refused file to .failed");
                    false
                }
            };
        }
    };
    let format = parsed.iter().find_map(|p| match p {
        Parsed::Story(s) => Some(s.format.as_str()),
        Parsed::Skipped { .. } => None,
    });
    let t = triage(parsed, dedup);
    match deliver(t, sink, dedup, stats, &name).await {
        Ok(ids) => {
            tracing::info!(file = %name, format = format.unwrap_or("-"), stories = ids.len(), "file ingested");
            IngestStats::add(&stats.files_done, 1);
            let target = cfg.drop_dir.join(DONE_DIR);
            if let Err(e) = move_unique(path, &target, &name).await {
                tracing::error!(file = %name, error = %e, "could not move ingested file to .done; it may be ingested again (duplicates are dropped)");
            }
            true
        }
        Err(e) => {
            tracing::warn!(file = %name, error = %e, "sink unavailable; file left in place for the next pass");
            IngestStats::add(&stats.files_retried, 1);
            false
        }
    }
}

/// Read (within the size limit) and parse on a blocking thread; a parser panic becomes an error.
async fn read_and_parse(path: &Path, name: &str, cfg: &IngestConfig) -> Result<Vec<Parsed>, IngestError> {
    let meta = tokio::fs::metadata(path).await.map_err(|e| IngestError::io("stat", path, e))?;
    if meta.len() > cfg.max_file_bytes {
        return Err(IngestError::TooLarge { file: name.to_string(), bytes: meta.len(), limit: cfg.max_file_bytes });
    }
    let bytes = tokio::fs::read(path).await.map_err(|e| IngestError::io("read", path, e))?;
    let (name_owned, cfg_owned) = (name.to_string(), cfg.clone());
    tokio::task::spawn_blocking(move || parse_document(&bytes, &name_owned, &cfg_owned))
        .await
        .unwrap_or_else(|join| {
            Err(IngestError::Invalid {
                file: name.to_string(),
                format: "unknown",
                detail: format!("crashed the parser ({join}); this is a bug: keep the file and report it"),
            })
        })
}

/// Move to `.failed/` and write `<name>.reason` beside it.
async fn move_failed(path: &Path, drop_dir: &Path, name: &str, err: &IngestError) -> Result<(), IngestError> {
    let dest = move_unique(path, &drop_dir.join(FAILED_DIR), name).await?;
    let reason_path = PathBuf::from(format!("{}.reason", dest.display()));
    let reason = format!(
        "file: {name}\nerror: {}\nreason: {err}\nrefused_at: {}\n",
        err.kind(),
        chrono::Utc::now().to_rfc3339()
    );
    tokio::fs::write(&reason_path, reason).await.map_err(|e| IngestError::io("write", &reason_path, e))
}

/// Move `path` into `dir`, adding `-1`, `-2`... before the extension if the name is taken.
async fn move_unique(path: &Path, dir: &Path, name: &str) -> Result<PathBuf, IngestError> {
    tokio::fs::create_dir_all(dir).await.map_err(|e| IngestError::io("create", dir, e))?;
    let (stem, ext) = match name.rfind('.') {
        Some(i) if i > 0 => (&name[..i], &name[i..]),
        _ => (name, ""),
    };
    let mut dest = dir.join(name);
    let mut n = 1;
    while tokio::fs::try_exists(&dest).await.unwrap_or(false)
        || tokio::fs::try_exists(format!("{}.reason", dest.display())).await.unwrap_or(false)
    {
        dest = dir.join(format!("{stem}-{n}{ext}"));
        n += 1;
    }
    tokio::fs::rename(path, &dest).await.map_err(|e| IngestError::io("move", path, e))?;
    Ok(dest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_and_hidden_files_are_not_candidates() {
        for name in [".hidden", "story.xml.tmp", "story.PART", "x~"] {
            assert!(!is_candidate(name), "{name}");
        }
        assert!(is_candidate("story.xml"));
    }

    #[tokio::test]
    async fn name_clashes_get_a_suffix_instead_of_overwriting() {
        let dir = tempfile::tempdir().expect("tempdir");
        let target = dir.path().join("out");
        for content in ["one", "two"] {
            let src = dir.path().join("a.xml");
            std::fs::write(&src, content).expect("write");
            move_unique(&src, &target, "a.xml").await.expect("move");
        }
        assert_eq!(std::fs::read_to_string(target.join("a.xml")).expect("read"), "one");
        assert_eq!(std::fs::read_to_string(target.join("a-1.xml")).expect("read"), "two");
    }
}
