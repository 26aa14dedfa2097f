//! Durable, bounded duplicate and update detection.
//!
//! State is an append-only JSON-lines file (one line per recorded story) replayed at start-up.
//! Memory holds at most `capacity` identities; the oldest are forgotten first. When the file
//! grows past twice the capacity it is rewritten (to a temporary file, then renamed) with only
//! what memory still holds, so it stays bounded too.
//!
//! Rules: the same guid with a version not newer than the latest seen is a duplicate; a newer
//! version is an update; a different guid whose normalised body hash matches a story from the
//! same source on the same day is a duplicate (agencies re-file the same text under new ids).

use std::collections::{HashMap, VecDeque};
use std::fs::{self, File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use copydesk_types::Story;
use serde::{Deserialize, Serialize};

use crate::finish::normalise_for_hash;
use crate::IngestError;

/// The dedup store as the sources share it.
pub type SharedDedup = Arc<Mutex<DedupStore>>;

/// What the store says about a story.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Never seen.
    New,
    /// A newer version of a story already ingested.
    Update {
        /// The latest version seen before this one.
        previous: u64,
    },
    /// Already ingested; drop it.
    Duplicate {
        /// Which rule matched, for the log.
        reason: String,
    },
}

/// Identity of a story's content: (source, day, normalised body hash).
pub type ContentKey = (String, String, String);

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Entry {
    guid: String,
    version: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    content: Option<ContentKey>,
    /// Whether this record was a kill or withhold (a later kill of the same version must pass).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    kill: bool,
}

/// Remembers which stories were ingested, across restarts, in bounded space.
pub struct DedupStore {
    path: PathBuf,
    capacity: usize,
    file: File,
    /// Exclusive `flock` on `<path>.lock`, held while the store is open: one process per state.
    _owner: File,
    lines_in_file: usize,
    /// guid -> (latest version, number of entries in `order` for it, latest record was a kill).
    latest: HashMap<String, (u64, usize, bool)>,
    by_content: HashMap<ContentKey, String>,
    order: VecDeque<Entry>,
}

/// Take the exclusive lock that makes one process the owner of a dedup state. A second
/// ingest-worker on the same state (the same drop folder, by default) would append to the same
/// file and each would miss the other's stories: it is refused at start instead.
fn lock_owner(path: &Path) -> Result<File, IngestError> {
    let lock_path = path.with_extension("lock");
    let file = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|e| IngestError::io("open", &lock_path, e))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(fs::TryLockError::WouldBlock) => Err(IngestError::Config(format!(
            "the dedup state {} is in use by another ingest-worker (lock {}); run one ingest-worker per drop folder, or give this one its own ingest.drop_dir and ingest.dedup_path",
            path.display(),
            lock_path.display()
        ))),
        Err(fs::TryLockError::Error(e)) => Err(IngestError::io("lock", &lock_path, e)),
    }
}

impl DedupStore {
    /// Open (or create) the state file and replay it; corrupt lines are logged and skipped.
    /// Fails when another process holds the same state open.
    pub fn open(path: &Path, capacity: usize) -> Result<Self, IngestError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            fs::create_dir_all(dir).map_err(|e| IngestError::io("create", dir, e))?;
        }
        let owner = lock_owner(path)?;
        let mut store = DedupStore {
            path: path.to_path_buf(),
            capacity: capacity.max(1),
            file: open_append(path)?,
            _owner: owner,
            lines_in_file: 0,
            latest: HashMap::new(),
            by_content: HashMap::new(),
            order: VecDeque::new(),
        };
        let reader = BufReader::new(File::open(path).map_err(|e| IngestError::io("read", path, e))?);
        for (i, line) in reader.lines().enumerate() {
            let line = line.map_err(|e| IngestError::io("read", path, e))?;
            store.lines_in_file += 1;
            match serde_json::from_str::<Entry>(&line) {
                Ok(entry) => store.remember(entry),
                Err(e) => {
                    let err = IngestError::DedupState { path: path.to_path_buf(), line: i + 1, detail: e.to_string() };
                    tracing::warn!(error = %err, "skipping corrupt dedup line");
                }
            }
        }
        store.compact_if_needed()?;
        Ok(store)
    }

    /// Decide whether a story is new, an update, or a duplicate. Does not change the store.
    pub fn check(&self, s: &Story) -> Verdict {
        if let Some(&(prev, _, killed)) = self.latest.get(&s.guid) {
            return version_verdict(s, prev, killed);
        }
        match content_key(s).and_then(|k| self.by_content.get(&k).map(|g| (k, g))) {
            Some(((source, day, _), other)) => Verdict::Duplicate {
                reason: format!("same body as {other} from {source:?} on {day}"),
            },
            None => Verdict::New,
        }
    }

    /// Record a story as ingested; call only after the downstream confirmed it.
    pub fn record(&mut self, s: &Story) -> Result<(), IngestError> {
        let entry = Entry { guid: s.guid.clone(), version: s.version, content: content_key(s), kill: s.is_kill() };
        let mut line = serde_json::to_string(&entry).map_err(|e| IngestError::Config(e.to_string()))?;
        line.push('\n');
        self.file
            .write_all(line.as_bytes())
            .and_then(|()| self.file.flush())
            .map_err(|e| IngestError::io("append to", &self.path, e))?;
        self.lines_in_file += 1;
        self.remember(entry);
        self.compact_if_needed()
    }

    /// Number of identities held in memory.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// True when nothing is remembered.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    fn remember(&mut self, entry: Entry) {
        let latest = self.latest.entry(entry.guid.clone()).or_insert((entry.version, 0, false));
        if entry.version >= latest.0 {
            latest.2 = entry.kill;
        }
        latest.0 = latest.0.max(entry.version);
        latest.1 += 1;
        if let Some(k) = &entry.content {
            self.by_content.insert(k.clone(), entry.guid.clone());
        }
        self.order.push_back(entry);
        while self.order.len() > self.capacity {
            let Some(old) = self.order.pop_front() else { break };
            // Forget the guid only when no record of it remains.
            if let Some(latest) = self.latest.get_mut(&old.guid) {
                latest.1 -= 1;
                if latest.1 == 0 {
                    self.latest.remove(&old.guid);
                }
            }
            if let Some(k) = old.content {
                if self.by_content.get(&k) == Some(&old.guid) {
                    self.by_content.remove(&k);
                }
            }
        }
    }

    fn compact_if_needed(&mut self) -> Result<(), IngestError> {
        if self.lines_in_file <= 2 * self.capacity {
            return Ok(());
        }
        let tmp = self.path.with_extension("jsonl.tmp");
        let mut out = String::new();
        for e in &self.order {
            out.push_str(&serde_json::to_string(e).map_err(|e| IngestError::Config(e.to_string()))?);
            out.push('\n');
        }
        fs::write(&tmp, out).map_err(|e| IngestError::io("write", &tmp, e))?;
        fs::rename(&tmp, &self.path).map_err(|e| IngestError::io("replace", &self.path, e))?;
        self.file = open_append(&self.path)?;
        self.lines_in_file = self.order.len();
        Ok(())
    }
}

fn open_append(path: &Path) -> Result<File, IngestError> {
    OpenOptions::new().create(true).append(true).open(path).map_err(|e| IngestError::io("open", path, e))
}

fn version_verdict(s: &Story, prev: u64, prev_killed: bool) -> Verdict {
    // Some providers kill without bumping the version; a kill must never be lost as a duplicate.
    if s.version > prev || (s.is_kill() && !prev_killed) {
        Verdict::Update { previous: prev }
    } else {
        Verdict::Duplicate { reason: format!("guid {} version {} already ingested (latest {prev})", s.guid, s.version) }
    }
}

/// The content identity of a story; kills and empty bodies have none (they carry no text to match).
pub fn content_key(s: &Story) -> Option<ContentKey> {
    if s.is_kill() || s.body.is_empty() {
        return None;
    }
    let normalised = normalise_for_hash(&s.body.join("\n"));
    if normalised.is_empty() {
        return None;
    }
    let day = s
        .version_created
        .map(|d| d.date_naive())
        .or_else(|| s.first_created.map(|d| d.date_naive()))
        .unwrap_or_else(|| chrono::Utc::now().date_naive());
    let hash = copydesk_types::story::checksum(normalised.as_bytes());
    Some((s.source.clone().unwrap_or_default(), day.to_string(), hash))
}

/// Checks a batch against the store and against itself (two copies inside one feed).
#[derive(Default)]
pub struct BatchCheck {
    latest: HashMap<String, (u64, bool)>,
    contents: HashMap<ContentKey, String>,
}

impl BatchCheck {
    /// The verdict for the next story of the batch; remembers it for the rest of the batch.
    pub fn check(&mut self, store: &DedupStore, s: &Story) -> Verdict {
        let mut verdict = store.check(s);
        if verdict != Verdict::New && !matches!(verdict, Verdict::Update { .. }) {
            return verdict;
        }
        if let Some(&(prev, killed)) = self.latest.get(&s.guid) {
            verdict = version_verdict(s, prev, killed);
        } else if let Some(other) = content_key(s).and_then(|k| self.contents.get(&k)) {
            verdict = Verdict::Duplicate { reason: format!("same body as {other} earlier in the same batch") };
        }
        if !matches!(verdict, Verdict::Duplicate { .. }) {
            self.latest.insert(s.guid.clone(), (s.version, s.is_kill()));
            if let Some(k) = content_key(s) {
                self.contents.insert(k, s.guid.clone());
            }
        }
        verdict
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn story(guid: &str, version: u64, body: &str) -> Story {
        let mut s = Story::new(guid, "Head", vec![body.to_string()]);
        s.version = version;
        s.source = Some("AP".into());
        s.version_created = chrono::DateTime::parse_from_rfc3339("2024-05-01T10:00:00+02:00").ok();
        s
    }

    #[test]
    fn a_second_process_on_the_same_state_is_refused_with_the_fix() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("d.jsonl");
        let first = DedupStore::open(&path, 10).expect("open");
        let err = DedupStore::open(&path, 10).err().expect("the state is taken");
        assert!(err.to_string().contains("in use by another ingest-worker") && err.to_string().contains("d.jsonl"), "{err}");
        drop(first);
        DedupStore::open(&path, 10).expect("free again once the owner is gone");
    }

    #[test]
    fn same_guid_and_version_is_a_duplicate_and_newer_version_an_update() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut store = DedupStore::open(&dir.path().join("d.jsonl"), 10).expect("open");
        let v1 = story("g1", 1, "Body one");
        assert_eq!(store.check(&v1), Verdict::New);
        store.record(&v1).expect("record");
        assert!(matches!(store.check(&v1), Verdict::Duplicate { .. }));
        assert_eq!(store.check(&story("g1", 2, "Body two")), Verdict::Update { previous: 1 });
    }

    #[test]
    fn identical_body_under_another_guid_same_source_and_day_is_a_duplicate() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut store = DedupStore::open(&dir.path().join("d.jsonl"), 10).expect("open");
        store.record(&story("a", 1, "The same  text.")).expect("record");
        assert!(matches!(store.check(&story("b", 1, "the same text")), Verdict::Duplicate { .. }));
        let mut other_source = story("c", 1, "The same text.");
        other_source.source = Some("Reuters".into());
        assert_eq!(store.check(&other_source), Verdict::New);
    }

    #[test]
    fn state_survives_reopening() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("state/d.jsonl");
        DedupStore::open(&path, 10).expect("open").record(&story("g", 3, "x")).expect("record");
        let reopened = DedupStore::open(&path, 10).expect("reopen");
        assert!(matches!(reopened.check(&story("g", 3, "y")), Verdict::Duplicate { .. }));
    }

    #[test]
    fn the_file_is_compacted_and_memory_bounded_by_capacity() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("d.jsonl");
        let mut store = DedupStore::open(&path, 5).expect("open");
        for i in 0..40 {
            store.record(&story(&format!("g{i}"), 1, &format!("body {i}"))).expect("record");
        }
        assert_eq!(store.len(), 5);
        let lines = fs::read_to_string(&path).expect("read").lines().count();
        assert!(lines <= 10, "file has {lines} lines");
        assert_eq!(store.check(&story("g0", 1, "body 0")), Verdict::New, "oldest is forgotten");
        assert!(matches!(store.check(&story("g39", 1, "z")), Verdict::Duplicate { .. }));
    }

    #[test]
    fn a_kill_of_an_already_seen_version_still_passes_once() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut store = DedupStore::open(&dir.path().join("d.jsonl"), 10).expect("open");
        store.record(&story("g", 4, "text")).expect("record");
        let mut kill = story("g", 4, "text");
        kill.pub_status = copydesk_types::PubStatus::Canceled;
        assert_eq!(store.check(&kill), Verdict::Update { previous: 4 });
        store.record(&kill).expect("record");
        assert!(matches!(store.check(&kill), Verdict::Duplicate { .. }));
    }

    #[test]
    fn corrupt_lines_are_skipped_on_open() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("d.jsonl");
        fs::write(&path, "{not json\n{\"guid\":\"g\",\"version\":2}\n").expect("write");
        let store = DedupStore::open(&path, 10).expect("open");
        assert!(matches!(store.check(&story("g", 2, "x")), Verdict::Duplicate { .. }));
    }

    #[test]
    fn a_batch_catches_copies_inside_itself() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = DedupStore::open(&dir.path().join("d.jsonl"), 10).expect("open");
        let mut batch = BatchCheck::default();
        assert_eq!(batch.check(&store, &story("a", 1, "text")), Verdict::New);
        assert!(matches!(batch.check(&store, &story("a", 1, "text")), Verdict::Duplicate { .. }));
        assert!(matches!(batch.check(&store, &story("b", 1, "text")), Verdict::Duplicate { .. }));
    }
}
