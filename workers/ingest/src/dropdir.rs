//! The drop folder: files placed in `drop_dir` become stories, with several replicas sharing
//! one folder (a shared volume).
//!
//! - A rescan runs every `poll_interval_ms`; file-system events that can make a file ready
//!   (created, written, renamed in) wake it early. Reads and the scanner's own directory listing
//!   are not such events: waking on them made an idle worker rescan in a loop.
//! - A file is read only after its size and mtime stayed the same for `settle_ms` across two
//!   scans; dotfiles, `*.tmp` and `*.part` are ignored (write there, then rename).
//! - A replica claims a ready file by renaming it into `.claims/<replica>/` (a rename is atomic,
//!   so exactly one replica gets it) and keeps `.claims/<replica>/.lease` fresh; a claim folder
//!   whose lease is older than `claim_lease_secs` belongs to a dead replica, and its files go
//!   back into the drop folder.
//! - After every story of a file was confirmed by the broker, the file moves to `.done/`; a
//!   document that cannot be parsed moves to `.failed/` beside a `.reason` file; trouble that
//!   may pass (the broker, the store) puts it back into the drop folder for the next pass.
//!   Every move is followed by an fsync of the folders involved, so it survives a power cut.
//! - `.done/` keeps files `done_retention_days`. Nothing is overwritten: name clashes get a
//!   numeric suffix.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use futures::StreamExt;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::stage::{Deliver, IngestStage, Origin};
use crate::{IngestError, IngestStats};

/// Sub-folder for files whose stories were delivered.
pub const DONE_DIR: &str = ".done";
/// Sub-folder for files that could not be parsed.
pub const FAILED_DIR: &str = ".failed";
/// Sub-folder holding each replica's claimed files.
pub const CLAIMS_DIR: &str = ".claims";
/// How many claimed files one replica handles at once.
const CONCURRENCY: usize = 8;
/// How often `.done/` is swept for files past their retention.
const SWEEP_EVERY: Duration = Duration::from_secs(3600);

/// Watch the drop folder until `cancel` fires; returns an error only if the folders cannot be
/// created.
pub async fn run_drop_folder(stage: IngestStage, deliver: Arc<dyn Deliver>, owner: String, cancel: CancellationToken) -> Result<(), IngestError> {
    let cfg = stage.config().clone();
    let dir = cfg.drop_dir.clone();
    let claims = dir.join(CLAIMS_DIR).join(safe(&owner));
    for sub in [dir.clone(), dir.join(DONE_DIR), dir.join(FAILED_DIR), claims.clone()] {
        tokio::fs::create_dir_all(&sub).await.map_err(|e| IngestError::io("create", &sub, e))?;
    }
    let lease = Duration::from_secs(cfg.claim_lease_secs.max(1));
    touch_lease(&claims).await;
    let heartbeat = tokio::spawn(keep_lease(claims.clone(), lease / 3, cancel.clone()));
    let wake = Arc::new(Notify::new());
    let _watcher = start_watcher(&dir, wake.clone());
    let mut seen: HashMap<PathBuf, Observation> = HashMap::new();
    // Files put back with a time to wait (their stories' article pages are due then).
    let deferred: std::sync::Mutex<HashMap<PathBuf, Instant>> = std::sync::Mutex::new(HashMap::new());
    let mut last_sweep = None::<Instant>;
    tracing::info!(dir = %dir.display(), replica = %owner, "drop folder watching");
    while !cancel.is_cancelled() {
        take_over_dead_claims(&dir, &claims, lease, stage.stats()).await;
        if last_sweep.is_none_or(|t| t.elapsed() >= SWEEP_EVERY) {
            sweep_done(&dir.join(DONE_DIR), cfg.done_retention_days).await;
            last_sweep = Some(Instant::now());
        }
        IngestStats::add(&stage.stats().drop_scans, 1);
        let ready = not_deferred(scan(&dir, &mut seen, cfg.settle()).await, &deferred);
        let claimed: Vec<(PathBuf, String)> = futures::stream::iter(ready)
            .filter_map(|path| {
                let claims = claims.clone();
                async move { claim(&path, &claims).await }
            })
            .collect()
            .await;
        futures::stream::iter(claimed)
            .for_each_concurrent(CONCURRENCY, |(path, name)| {
                let (stage, deliver, deferred) = (&stage, deliver.as_ref(), &deferred);
                async move { handle_claimed(&path, &name, stage, deliver, deferred).await }
            })
            .await;
        let wait = if seen.is_empty() { cfg.poll_interval() } else { cfg.poll_interval().min(cfg.settle().max(Duration::from_millis(10))) };
        tokio::select! {
            () = cancel.cancelled() => break,
            () = wake.notified() => {}
            () = tokio::time::sleep(wait) => {}
        }
    }
    heartbeat.abort();
    tracing::info!(dir = %dir.display(), "drop folder stopped");
    Ok(())
}

/// Refresh the claim lease every `every` until `cancel`, independently of how long files take.
async fn keep_lease(claims: PathBuf, every: Duration, cancel: CancellationToken) {
    let mut tick = tokio::time::interval(every.max(Duration::from_millis(100)));
    loop {
        tokio::select! {
            () = cancel.cancelled() => return,
            _ = tick.tick() => touch_lease(&claims).await,
        }
    }
}

/// A file's size and mtime, and since when they have been unchanged.
struct Observation {
    len: u64,
    mtime: Option<SystemTime>,
    since: Instant,
}

/// Whether a file-system event can make a file ready: something created, written or renamed in.
/// Reads, opens and the scanner's own listing are not, nor are access-time updates.
pub fn wakes_scanner(kind: &notify::EventKind) -> bool {
    use notify::event::{EventKind, MetadataKind, ModifyKind};
    match kind {
        EventKind::Create(_) | EventKind::Any => true,
        EventKind::Modify(ModifyKind::Metadata(MetadataKind::AccessTime)) => false,
        EventKind::Modify(_) => true,
        EventKind::Access(_) | EventKind::Remove(_) | EventKind::Other => false,
    }
}

/// Start a `notify` watcher that wakes the scanner; polling alone still works if it fails.
fn start_watcher(dir: &Path, wake: Arc<Notify>) -> Option<notify::RecommendedWatcher> {
    use notify::Watcher;
    let handler = move |event: notify::Result<notify::Event>| {
        if event.is_ok_and(|e| wakes_scanner(&e.kind)) {
            wake.notify_one();
        }
    };
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
async fn scan(dir: &Path, seen: &mut HashMap<PathBuf, Observation>, settle: Duration) -> Vec<PathBuf> {
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
                if o.since.elapsed() >= settle {
                    ready.push(path);
                }
            }
            _ => {
                seen.insert(path, Observation { len, mtime, since: Instant::now() });
            }
        }
    }
    seen.retain(|p, _| present.contains(p));
    for p in &ready {
        seen.remove(p);
    }
    ready.sort();
    ready
}

/// Claim a ready file by renaming it into this replica's claim folder; `None` when another
/// replica was first.
async fn claim(path: &Path, claims: &Path) -> Option<(PathBuf, String)> {
    let name = path.file_name()?.to_string_lossy().into_owned();
    let target = claims.join(&name);
    match tokio::fs::rename(path, &target).await {
        Ok(()) => Some((target, name)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => {
            tracing::warn!(file = %name, error = %e, "could not claim file; will try again");
            None
        }
    }
}

/// The ready files whose wait is over (and forget the waits that are).
fn not_deferred(ready: Vec<PathBuf>, deferred: &std::sync::Mutex<HashMap<PathBuf, Instant>>) -> Vec<PathBuf> {
    let mut deferred = deferred.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let now = Instant::now();
    deferred.retain(|_, until| *until > now);
    ready.into_iter().filter(|p| !deferred.contains_key(p)).collect()
}

/// Handle one claimed file to the end: `.done/`, `.failed/`, or back into the drop folder
/// (not read again before the error's `retry_in`, when it has one).
async fn handle_claimed(path: &Path, name: &str, stage: &IngestStage, deliver: &dyn Deliver, deferred: &std::sync::Mutex<HashMap<PathBuf, Instant>>) {
    let cfg = stage.config();
    let stats = stage.stats();
    let result = match read_bounded(path, name, cfg.max_file_bytes).await {
        Ok(bytes) => stage.ingest(bytes, Origin::Document { name }, deliver).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(processed) => {
            tracing::info!(file = %name, format = processed.format.unwrap_or("-"), stories = processed.ids.len(), "file ingested");
            IngestStats::add(&stats.files_done, 1);
            if let Err(e) = move_unique(path, &cfg.drop_dir.join(DONE_DIR), name).await {
                tracing::error!(file = %name, error = %e, "could not move ingested file to .done; it may be ingested again (duplicates are dropped)");
            }
        }
        Err(err) if err.is_transient() => {
            tracing::warn!(file = %name, error = %err, "file left for the next pass");
            IngestStats::add(&stats.files_retried, 1);
            match move_unique(path, &cfg.drop_dir, name).await {
                Ok(back) => {
                    if let Some(wait) = err.retry_in() {
                        deferred.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).insert(back, Instant::now() + wait);
                    }
                }
                Err(e) => tracing::error!(file = %name, error = %e, "could not put the file back into the drop folder; it is taken over when this replica's claim expires"),
            }
        }
        Err(err) => {
            tracing::warn!(file = %name, error.kind = err.kind(), error = %err, "file refused");
            IngestStats::add(&stats.files_failed, 1);
            if let Err(e) = move_failed(path, &cfg.drop_dir, name, &err).await {
                tracing::error!(file = %name, error = %e, "could not move refused file to .failed");
            }
        }
    }
}

/// Read a file, refusing one over the size limit without reading it.
async fn read_bounded(path: &Path, name: &str, limit: u64) -> Result<Vec<u8>, IngestError> {
    let meta = tokio::fs::metadata(path).await.map_err(|e| IngestError::io("stat", path, e))?;
    if meta.len() > limit {
        return Err(IngestError::TooLarge { file: name.to_string(), bytes: meta.len(), limit });
    }
    tokio::fs::read(path).await.map_err(|e| IngestError::io("read", path, e))
}

/// Move to `.failed/` with `<name>.reason` beside it; the reason is on disk before the file moves.
async fn move_failed(path: &Path, drop_dir: &Path, name: &str, err: &IngestError) -> Result<(), IngestError> {
    let dir = drop_dir.join(FAILED_DIR);
    let dest = unique_target(&dir, name).await?;
    let reason_path = PathBuf::from(format!("{}.reason", dest.display()));
    let reason = format!(
        "file: {name}\nerror: {}\nreason: {}\nrefused_at: {}\n",
        err.kind(),
        copydesk_runtime::redact::redact_text(&err.to_string()),
        chrono::Utc::now().to_rfc3339()
    );
    write_durably(&reason_path, reason.as_bytes()).await?;
    rename_durably(path, &dest).await
}

/// Move `path` into `dir`, adding `-1`, `-2`... before the extension if the name is taken.
async fn move_unique(path: &Path, dir: &Path, name: &str) -> Result<PathBuf, IngestError> {
    let dest = unique_target(dir, name).await?;
    rename_durably(path, &dest).await?;
    Ok(dest)
}

async fn unique_target(dir: &Path, name: &str) -> Result<PathBuf, IngestError> {
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
    Ok(dest)
}

/// Rename, then fsync both folders so the move survives a crash or power cut.
async fn rename_durably(from: &Path, to: &Path) -> Result<(), IngestError> {
    tokio::fs::rename(from, to).await.map_err(|e| IngestError::io("move", from, e))?;
    for dir in [from.parent(), to.parent()].into_iter().flatten() {
        sync_dir(dir).await?;
    }
    Ok(())
}

/// Write a file and fsync it and its folder.
async fn write_durably(path: &Path, bytes: &[u8]) -> Result<(), IngestError> {
    let (p, b) = (path.to_path_buf(), bytes.to_vec());
    tokio::task::spawn_blocking(move || {
        use std::io::Write;
        let mut file = std::fs::File::create(&p)?;
        file.write_all(&b)?;
        file.sync_all()
    })
    .await
    .map_err(|e| IngestError::io("write", path, std::io::Error::other(e)))?
    .map_err(|e| IngestError::io("write", path, e))?;
    if let Some(dir) = path.parent() {
        sync_dir(dir).await?;
    }
    Ok(())
}

/// fsync a directory (its entries: creations, renames).
pub async fn sync_dir(dir: &Path) -> Result<(), IngestError> {
    let d = dir.to_path_buf();
    tokio::task::spawn_blocking(move || std::fs::File::open(&d).and_then(|f| f.sync_all()))
        .await
        .map_err(|e| IngestError::io("sync", dir, std::io::Error::other(e)))?
        .map_err(|e| IngestError::io("sync", dir, e))
}

/// A replica name as a folder name.
fn safe(owner: &str) -> String {
    owner.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect()
}

/// Refresh this replica's claim lease.
async fn touch_lease(claims: &Path) {
    let lease = claims.join(".lease");
    if let Err(e) = tokio::fs::write(&lease, chrono::Utc::now().to_rfc3339()).await {
        tracing::warn!(path = %lease.display(), error = %e, "could not refresh the drop-folder claim lease");
    }
}

/// Put the files of replicas whose lease has run out back into the drop folder.
async fn take_over_dead_claims(dir: &Path, ours: &Path, lease: Duration, stats: &IngestStats) {
    let Ok(mut owners) = tokio::fs::read_dir(dir.join(CLAIMS_DIR)).await else { return };
    while let Ok(Some(owner)) = owners.next_entry().await {
        let folder = owner.path();
        if folder == ours {
            continue;
        }
        let stamp = tokio::fs::metadata(folder.join(".lease")).await.or(tokio::fs::metadata(&folder).await);
        let age = stamp.ok().and_then(|m| m.modified().ok()).and_then(|t| t.elapsed().ok()).unwrap_or_default();
        if age < lease {
            continue;
        }
        let Ok(mut files) = tokio::fs::read_dir(&folder).await else { continue };
        let mut moved = 0;
        while let Ok(Some(file)) = files.next_entry().await {
            let name = file.file_name().to_string_lossy().into_owned();
            if name == ".lease" {
                continue;
            }
            if move_unique(&file.path(), dir, &name).await.is_ok() {
                moved += 1;
            }
        }
        IngestStats::add(&stats.claims_taken_over, moved);
        if moved > 0 {
            tracing::warn!(claims = %folder.display(), files = moved, "took back the files of a replica whose claim lease expired");
        }
        let _ = tokio::fs::remove_file(folder.join(".lease")).await;
        let _ = tokio::fs::remove_dir(&folder).await;
    }
}

/// Delete files in `.done/` older than `days` (0 keeps everything).
async fn sweep_done(done: &Path, days: u64) {
    if days == 0 {
        return;
    }
    let limit = Duration::from_secs(days * 86_400);
    let Ok(mut entries) = tokio::fs::read_dir(done).await else { return };
    let mut removed = 0u64;
    while let Ok(Some(entry)) = entries.next_entry().await {
        let Ok(meta) = entry.metadata().await else { continue };
        // The time the file was moved here (ctime), not when its content was written.
        let moved_at = std::time::UNIX_EPOCH + Duration::from_secs(std::os::unix::fs::MetadataExt::ctime(&meta).max(0) as u64);
        if meta.is_file() && moved_at.elapsed().is_ok_and(|age| age > limit) && tokio::fs::remove_file(entry.path()).await.is_ok() {
            removed += 1;
        }
    }
    if removed > 0 {
        tracing::info!(dir = %done.display(), removed, retention_days = days, "old handled files removed");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{AccessKind, AccessMode, CreateKind, DataChange, EventKind, MetadataKind, ModifyKind, RenameMode};

    #[test]
    fn partial_and_hidden_files_are_not_candidates() {
        for name in [".hidden", "story.xml.tmp", "story.PART", "x~"] {
            assert!(!is_candidate(name), "{name}");
        }
        assert!(is_candidate("story.xml"));
    }

    #[test]
    fn only_events_that_can_make_a_file_ready_wake_the_scanner() {
        assert!(wakes_scanner(&EventKind::Create(CreateKind::File)));
        assert!(wakes_scanner(&EventKind::Modify(ModifyKind::Data(DataChange::Content))));
        assert!(wakes_scanner(&EventKind::Modify(ModifyKind::Name(RenameMode::To))));
        // What the scanner itself causes: listing the folder, opening and reading files.
        assert!(!wakes_scanner(&EventKind::Access(AccessKind::Open(AccessMode::Any))));
        assert!(!wakes_scanner(&EventKind::Access(AccessKind::Close(AccessMode::Read))));
        assert!(!wakes_scanner(&EventKind::Modify(ModifyKind::Metadata(MetadataKind::AccessTime))));
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

    #[tokio::test]
    async fn a_dead_replicas_claims_go_back_to_the_drop_folder() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (ours, theirs) = (dir.path().join(CLAIMS_DIR).join("a"), dir.path().join(CLAIMS_DIR).join("b"));
        std::fs::create_dir_all(&ours).expect("mkdir");
        std::fs::create_dir_all(&theirs).expect("mkdir");
        std::fs::write(theirs.join("story.xml"), "x").expect("write");
        touch_lease(&theirs).await;
        let stats = IngestStats::default();
        take_over_dead_claims(dir.path(), &ours, Duration::from_secs(3600), &stats).await;
        assert!(theirs.join("story.xml").exists(), "a live replica's claim is left alone");
        take_over_dead_claims(dir.path(), &ours, Duration::ZERO, &stats).await;
        assert!(dir.path().join("story.xml").exists() && !theirs.exists(), "an expired claim is taken back");
        assert_eq!(stats.snapshot().claims_taken_over, 1);
    }
}
