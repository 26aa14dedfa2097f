//! The file sink.
//!
//! Names: `<slug>--<key>.v<version>.json` and `.md`, where `<key>` is a short hash of the story
//! guid (guids are not file-name safe) and the slug is stable across versions. A kill removes every
//! version's files and leaves `<key>.retracted.json`, which also stops an older version that
//! arrives late from being published again.

use crate::PublishError;
use copydesk_types::{Story, StorySummarized, Summary};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fs;
use std::path::{Path, PathBuf};

/// Lock stripes: publishes and retractions of one story never interleave, within a process or
/// across replicas sharing the out dir (a kill racing an older version could otherwise leave
/// that version published).
const STRIPES: usize = 64;

/// Writes articles to a directory.
#[derive(Debug, Clone)]
pub struct FileSink {
    out_dir: PathBuf,
    stripes: std::sync::Arc<[std::sync::Mutex<()>; STRIPES]>,
}

/// Open (creating it and its folder) and exclusively `flock` a lock file; blocks until free.
fn flock(path: &Path) -> Result<fs::File, PublishError> {
    let io = |source| PublishError::Io { path: path.to_path_buf(), source };
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(|source| PublishError::Io { path: dir.to_path_buf(), source })?;
    }
    let file = fs::OpenOptions::new().create(true).truncate(false).write(true).open(path).map_err(io)?;
    file.lock().map_err(io)?;
    Ok(file)
}

/// A held story lock: released (mutex and `flock`) when dropped.
struct StoryLock<'a> {
    _local: std::sync::MutexGuard<'a, ()>,
    _file: fs::File,
}

/// What a retraction tombstone records.
#[derive(Debug, Serialize, Deserialize)]
struct Tombstone {
    guid: String,
    version: u64,
    retracted_at: String,
    removed: Vec<String>,
}

/// The file-name key of a story guid: 16 hex characters of its sha256.
pub fn story_key(guid: &str) -> String {
    hex::encode(&Sha256::digest(guid.as_bytes())[..8])
}

/// The outcome of a publish or retract.
#[derive(Debug, Clone, PartialEq)]
pub enum Delivered {
    /// Written to these files.
    Written(Vec<PathBuf>),
    /// Not written: a kill of this or a later version was already recorded.
    AlreadyRetracted,
    /// Retracted: these files were removed.
    Retracted(Vec<PathBuf>),
}

impl FileSink {
    /// A sink writing to `out_dir` (created on first write). Temp files left by a writer that
    /// was killed mid-write (older than ten minutes, so never a live writer's) are removed.
    pub fn new(out_dir: impl Into<PathBuf>) -> Self {
        let sink = FileSink { out_dir: out_dir.into(), stripes: std::sync::Arc::new(std::array::from_fn(|_| std::sync::Mutex::new(()))) };
        sink.remove_stale_temp_files(std::time::Duration::from_secs(600));
        sink
    }

    /// Hold the lock stripe of a story key, within this process (a mutex; a poisoned one still
    /// serialises: the files are the state) and across processes sharing `out_dir` (an
    /// exclusive `flock` on `<out_dir>/.locks/<stripe>.lock`), so publish can run as several
    /// replicas: a kill and an older version of one story never interleave anywhere.
    fn lock(&self, key: &str) -> Result<StoryLock<'_>, PublishError> {
        let stripe = Self::stripe_of(key);
        let local = self.stripes[stripe].lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let file = flock(&self.lock_path(stripe))?;
        Ok(StoryLock { _local: local, _file: file })
    }

    /// A second, independent lock per story for work that spans awaits (the CMS sink's HTTP
    /// calls): an exclusive `flock` on `<out_dir>/.locks/<purpose>-<stripe>.lock`, held until
    /// the returned file is dropped. It blocks, so call it from `spawn_blocking`. Every open
    /// is its own lock, so tasks of one process serialise too.
    pub fn lock_for(&self, purpose: &str, key: &str) -> Result<fs::File, PublishError> {
        flock(&self.out_dir.join(".locks").join(format!("{purpose}-{:02}.lock", Self::stripe_of(key))))
    }

    /// The cross-process lock file of a stripe.
    pub fn lock_path(&self, stripe: usize) -> PathBuf {
        self.out_dir.join(".locks").join(format!("{stripe:02}.lock"))
    }

    /// The stripe a story key locks.
    pub fn stripe_of(key: &str) -> usize {
        key.bytes().fold(0usize, |h, b| h.wrapping_mul(31).wrapping_add(b as usize)) % STRIPES
    }

    fn remove_stale_temp_files(&self, older_than: std::time::Duration) {
        let Ok(entries) = fs::read_dir(&self.out_dir) else { return };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let age = entry.metadata().and_then(|m| m.modified()).ok().and_then(|t| t.elapsed().ok());
            if name.starts_with('.') && name.ends_with(".tmp") && age.is_some_and(|a| a > older_than) {
                let _ = fs::remove_file(entry.path());
            }
        }
    }

    /// The directory written to.
    pub fn out_dir(&self) -> &Path {
        &self.out_dir
    }

    /// Write the JSON and Markdown files of one story version, overwriting a previous write of
    /// the same version.
    pub fn publish(&self, msg: &StorySummarized, summary: &Summary) -> Result<Delivered, PublishError> {
        let story = &msg.story;
        let key = story_key(&story.guid);
        let _guard = self.lock(&key)?;
        if let Some(tomb) = self.tombstone(&key)? {
            if tomb.version >= story.version {
                return Ok(Delivered::AlreadyRetracted);
            }
        }
        self.ensure_dir()?;
        let base = format!("{}--{key}.v{}", summary.slug, story.version);
        let json_path = self.out_dir.join(format!("{base}.json"));
        let md_path = self.out_dir.join(format!("{base}.md"));
        let document = article_document(msg, summary);
        let json = serde_json::to_vec_pretty(&document).unwrap_or_default();
        write_atomic(&json_path, &json)?;
        write_atomic(&md_path, markdown(story, summary).as_bytes())?;
        // A later usable version lifts an earlier kill or withholding.
        let tomb_path = self.tombstone_path(&key);
        if tomb_path.exists() {
            fs::remove_file(&tomb_path).map_err(|source| PublishError::Io { path: tomb_path, source })?;
        }
        Ok(Delivered::Written(vec![json_path, md_path]))
    }

    /// Remove every published version of a story and leave a tombstone.
    pub fn retract(&self, story: &Story) -> Result<Delivered, PublishError> {
        self.ensure_dir()?;
        let key = story_key(&story.guid);
        let _guard = self.lock(&key)?;
        let marker = format!("--{key}.v");
        let mut removed = Vec::new();
        let entries = fs::read_dir(&self.out_dir).map_err(|source| PublishError::Io { path: self.out_dir.clone(), source })?;
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.contains(&marker) && (name.ends_with(".json") || name.ends_with(".md")) {
                let path = entry.path();
                fs::remove_file(&path).map_err(|source| PublishError::Io { path: path.clone(), source })?;
                removed.push(path);
            }
        }
        removed.sort();
        let tomb = Tombstone {
            guid: story.guid.clone(),
            version: story.version,
            retracted_at: chrono::Utc::now().to_rfc3339(),
            removed: removed.iter().map(|p| p.display().to_string()).collect(),
        };
        let previous = self.tombstone(&key)?;
        if previous.is_none_or(|p| p.version <= story.version) {
            write_atomic(&self.tombstone_path(&key), &serde_json::to_vec_pretty(&tomb).unwrap_or_default())?;
        }
        Ok(Delivered::Retracted(removed))
    }

    fn tombstone_path(&self, key: &str) -> PathBuf {
        self.out_dir.join(format!("{key}.retracted.json"))
    }

    fn tombstone(&self, key: &str) -> Result<Option<Tombstone>, PublishError> {
        let path = self.tombstone_path(key);
        match fs::read(&path) {
            Ok(bytes) => Ok(serde_json::from_slice(&bytes).ok()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) if e.kind() == std::io::ErrorKind::NotADirectory => Ok(None),
            Err(source) => Err(PublishError::Io { path, source }),
        }
    }

    fn ensure_dir(&self) -> Result<(), PublishError> {
        fs::create_dir_all(&self.out_dir).map_err(|source| PublishError::Io { path: self.out_dir.clone(), source })
    }
}

/// Markdown with front matter a static-site generator can read.
/// The published article as one JSON document: what the file sink writes as `.json` and the
/// webhook sink posts.
pub fn article_document(msg: &StorySummarized, summary: &Summary) -> serde_json::Value {
    let story = &msg.story;
    serde_json::json!({
        "guid": story.guid,
        "version": story.version,
        "slug": summary.slug,
        "headline": summary.headline,
        "meta_description": summary.meta_description,
        "keywords": summary.keywords,
        "brief": summary.brief,
        "article": summary.article,
        "article_markdown": copydesk_render::article_markdown(&summary.headline, &summary.article),
        "json_ld": summary.json_ld,
        "open_graph": summary.open_graph,
        "entities": msg.entities,
        "story": story,
        "engine": { "extract": msg.entities.engine, "summarize": summary.engine },
        "published_at": chrono::Utc::now().to_rfc3339(),
    })
}

fn markdown(story: &Story, summary: &Summary) -> String {
    let quote = |s: &str| serde_json::to_string(s).unwrap_or_default();
    let date = story
        .version_created
        .map(|d| d.to_rfc3339())
        .unwrap_or_else(|| chrono::Utc::now().to_rfc3339());
    let keywords: Vec<String> = summary.keywords.iter().map(|k| quote(k)).collect();
    format!(
        "---\ntitle: {}\nslug: {}\ndescription: {}\nkeywords: [{}]\ndate: {}\nguid: {}\nversion: {}\n---\n\n{}",
        quote(&summary.headline),
        quote(&summary.slug),
        quote(&summary.meta_description),
        keywords.join(", "),
        quote(&date),
        quote(&story.guid),
        story.version,
        copydesk_render::article_markdown(&summary.headline, &summary.article)
    )
}

/// Write via a temp file in the same directory and rename, so readers never see a partial file
/// and a rewrite replaces the old file whole.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), PublishError> {
    let io = |source| PublishError::Io { path: path.to_path_buf(), source };
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    fs::write(&tmp, bytes).map_err(io)?;
    fs::rename(&tmp, path).map_err(|e| {
        let _ = fs::remove_file(&tmp);
        io(e)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_story_lock_is_an_flock_that_other_processes_see() {
        let dir = tempfile::tempdir().expect("tmp");
        let sink = FileSink::new(dir.path());
        let key = story_key("g1");
        let guard = sink.lock(&key).expect("lock");
        let other = fs::OpenOptions::new().write(true).open(sink.lock_path(FileSink::stripe_of(&key))).expect("open lock file");
        assert!(matches!(other.try_lock(), Err(fs::TryLockError::WouldBlock)), "another open file (as another process has) must wait");
        drop(guard);
        other.try_lock().expect("free once the guard is dropped");
    }

    #[test]
    fn two_replicas_racing_a_kill_against_older_versions_leave_only_tombstones() {
        let dir = tempfile::tempdir().expect("tmp");
        let (a, b) = (FileSink::new(dir.path()), FileSink::new(dir.path()));
        let stories = 40;
        std::thread::scope(|scope| {
            scope.spawn(|| {
                for i in 0..stories {
                    for v in 1..=2 {
                        let msg = crate::testing::summarized(&format!("race-{i}"), v);
                        a.publish(&msg, msg.summary.as_ref().expect("summary")).expect("publish");
                    }
                }
            });
            scope.spawn(|| {
                for i in 0..stories {
                    let mut kill = crate::testing::summarized(&format!("race-{i}"), 3).story;
                    kill.pub_status = copydesk_types::PubStatus::Canceled;
                    b.retract(&kill).expect("retract");
                }
            });
        });
        let mut names: Vec<String> = fs::read_dir(dir.path()).expect("dir").flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
        names.retain(|n| !n.starts_with('.'));
        assert_eq!(names.len(), stories, "one tombstone per story: {names:?}");
        assert!(names.iter().all(|n| n.ends_with(".retracted.json")), "a version published after its kill: {names:?}");
    }
}
