//! The file sink.
//!
//! Names: `<slug>--<key>.v<version>.json` and `.md`, where `<key>` is a short hash of the
//! story's key (keys are not file-name safe) and the slug is the one the story was first
//! published under. A retraction removes every version's files and leaves
//! `<key>.retracted.json` for readers of the folder; what may be published is decided by the
//! story ledger in the state store, not by these files. Every file is written to a temporary
//! name, fsynced, renamed into place, and its folder fsynced, before the message is acked.

use crate::PublishError;
use copydesk_types::{StorySummarized, Summary};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes articles to a directory.
#[derive(Debug, Clone)]
pub struct FileSink {
    out_dir: PathBuf,
}

/// What a retraction tombstone records.
#[derive(Debug, Serialize, Deserialize)]
pub struct Tombstone {
    /// The story's key.
    pub story: String,
    /// The version the retraction carries (the story's highest).
    pub version: u64,
    /// True for a kill, false for a withhold.
    pub kill: bool,
    /// When.
    pub retracted_at: String,
    /// The files removed.
    pub removed: Vec<String>,
}

/// The file-name key of a story key: 16 hex characters of its sha256.
pub fn story_key(key: &str) -> String {
    hex::encode(&Sha256::digest(key.as_bytes())[..8])
}

impl FileSink {
    /// A sink writing to `out_dir` (created on first write). Temp files left by a writer that
    /// was killed mid-write (older than ten minutes, so never a live writer's) are removed.
    pub fn new(out_dir: impl Into<PathBuf>) -> Self {
        let sink = FileSink { out_dir: out_dir.into() };
        sink.remove_stale_temp_files(std::time::Duration::from_secs(600));
        sink
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

    /// Write the JSON and Markdown files of one story version under `slug`, overwriting a
    /// previous write of the same version, and remove a tombstone a withhold left.
    pub fn publish(&self, msg: &StorySummarized, summary: &Summary, slug: &str) -> Result<Vec<PathBuf>, PublishError> {
        let story = &msg.story;
        let key = story_key(&story.key());
        self.ensure_dir()?;
        let base = format!("{slug}--{key}.v{}", story.version);
        let json_path = self.out_dir.join(format!("{base}.json"));
        let md_path = self.out_dir.join(format!("{base}.md"));
        let document = article_document(msg, summary, slug);
        write_atomic(&json_path, &serde_json::to_vec_pretty(&document).unwrap_or_default())?;
        write_atomic(&md_path, markdown(msg, summary, slug).as_bytes())?;
        let tomb_path = self.tombstone_path(&key);
        if tomb_path.exists() {
            fs::remove_file(&tomb_path).map_err(|source| PublishError::Io { path: tomb_path, source })?;
            sync_dir(&self.out_dir)?;
        }
        Ok(vec![json_path, md_path])
    }

    /// Remove every published version of the story `story_id` and leave a tombstone carrying
    /// `version`.
    pub fn retract(&self, story_id: &str, version: u64, kill: bool) -> Result<Vec<PathBuf>, PublishError> {
        self.ensure_dir()?;
        let key = story_key(story_id);
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
            story: story_id.to_string(),
            version,
            kill,
            retracted_at: chrono::Utc::now().to_rfc3339(),
            removed: removed.iter().map(|p| p.display().to_string()).collect(),
        };
        write_atomic(&self.tombstone_path(&key), &serde_json::to_vec_pretty(&tomb).unwrap_or_default())?;
        Ok(removed)
    }

    fn tombstone_path(&self, key: &str) -> PathBuf {
        self.out_dir.join(format!("{key}.retracted.json"))
    }

    /// Delete tombstones older than `days` (0 keeps them): the ledger in the state store keeps
    /// deciding; tombstones only tell readers of the folder.
    pub fn sweep_tombstones(&self, days: u64) -> usize {
        if days == 0 {
            return 0;
        }
        let limit = std::time::Duration::from_secs(days * 86_400);
        let Ok(entries) = fs::read_dir(&self.out_dir) else { return 0 };
        entries
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().ends_with(".retracted.json"))
            .filter(|e| e.metadata().and_then(|m| m.modified()).ok().and_then(|t| t.elapsed().ok()).is_some_and(|age| age > limit))
            .filter(|e| fs::remove_file(e.path()).is_ok())
            .count()
    }

    fn ensure_dir(&self) -> Result<(), PublishError> {
        fs::create_dir_all(&self.out_dir).map_err(|source| PublishError::Io { path: self.out_dir.clone(), source })
    }
}

/// The published article as one JSON document: what the file sink writes as `.json` and the
/// webhook sink posts. Text fields are plain text; `article_markdown`, `article_html` and
/// `head_html` are rendered with everything escaped for their format.
pub fn article_document(msg: &StorySummarized, summary: &Summary, slug: &str) -> serde_json::Value {
    let story = &msg.story;
    serde_json::json!({
        "story_id": story.key(),
        "guid": story.guid,
        "version": story.version,
        "slug": slug,
        "headline": summary.headline,
        "meta_description": summary.meta_description,
        "keywords": summary.keywords,
        "brief": summary.brief,
        "article": summary.article,
        "article_markdown": copydesk_render::article_markdown(&summary.headline, &summary.article),
        "article_html": copydesk_render::article_html(&summary.article),
        "head_html": copydesk_render::head_html(summary),
        "json_ld": summary.json_ld,
        "open_graph": summary.open_graph,
        "entities": msg.entities,
        "story": story,
        "engine": { "extract": msg.entities.engine, "summarize": summary.engine },
        "published_at": chrono::Utc::now().to_rfc3339(),
    })
}

/// Markdown with front matter a static-site generator can read: every value a JSON string
/// (valid YAML), the body escaped Markdown.
fn markdown(msg: &StorySummarized, summary: &Summary, slug: &str) -> String {
    let story = &msg.story;
    let quote = |s: &str| serde_json::to_string(s).unwrap_or_default();
    let date = story
        .version_created
        .map(|d| d.to_rfc3339())
        .unwrap_or_else(|| chrono::Utc::now().to_rfc3339());
    let keywords: Vec<String> = summary.keywords.iter().map(|k| quote(k)).collect();
    format!(
        "---\ntitle: {}\nslug: {}\ndescription: {}\nkeywords: [{}]\ndate: {}\nstory: {}\nversion: {}\n---\n\n{}",
        quote(&summary.headline),
        quote(slug),
        quote(&summary.meta_description),
        keywords.join(", "),
        quote(&date),
        quote(&story.key()),
        story.version,
        copydesk_render::article_markdown(&summary.headline, &summary.article)
    )
}

/// Write via a temp file in the same directory, fsync it, rename it into place and fsync the
/// directory: readers never see a partial file, a rewrite replaces the old file whole, and the
/// write survives a crash or power cut once this returns.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), PublishError> {
    let io = |source| PublishError::Io { path: path.to_path_buf(), source };
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.{:08x}.tmp", std::process::id(), rand_suffix()));
    let written = fs::File::create(&tmp).and_then(|mut f| {
        f.write_all(bytes)?;
        f.sync_all()
    });
    if let Err(e) = written {
        let _ = fs::remove_file(&tmp);
        return Err(io(e));
    }
    fs::rename(&tmp, path).map_err(|e| {
        let _ = fs::remove_file(&tmp);
        io(e)
    })?;
    sync_dir(dir)
}

/// fsync a directory, so renames and removals in it are durable.
pub fn sync_dir(dir: &Path) -> Result<(), PublishError> {
    fs::File::open(dir).and_then(|d| d.sync_all()).map_err(|source| PublishError::Io { path: dir.to_path_buf(), source })
}

fn rand_suffix() -> u32 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or(0));
    h.finish() as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_leaves_no_temp_file_and_replaces_the_old_content_whole() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("a.json");
        write_atomic(&path, b"one").expect("write");
        write_atomic(&path, b"two").expect("rewrite");
        assert_eq!(fs::read_to_string(&path).expect("read"), "two");
        let names: Vec<String> = fs::read_dir(dir.path()).expect("dir").flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
        assert_eq!(names, vec!["a.json".to_string()]);
    }

    #[test]
    fn a_retraction_removes_every_version_and_leaves_a_tombstone_with_the_version() {
        let dir = tempfile::tempdir().expect("tmp");
        let sink = FileSink::new(dir.path());
        for v in 1..=2 {
            let msg = crate::testing::summarized("g1", v);
            sink.publish(&msg, msg.summary.as_ref().expect("summary"), "harbour-strike-ends").expect("publish");
        }
        let removed = sink.retract("g1", 7, true).expect("retract");
        assert_eq!(removed.len(), 4);
        let names: Vec<String> = fs::read_dir(dir.path()).expect("dir").flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
        assert_eq!(names.len(), 1, "{names:?}");
        let tomb: Tombstone = serde_json::from_slice(&fs::read(dir.path().join(&names[0])).expect("read")).expect("json");
        assert_eq!((tomb.version, tomb.kill), (7, true));
    }
}
