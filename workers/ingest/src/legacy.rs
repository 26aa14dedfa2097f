//! One-time import of the state files versions before the state store kept: the dedup log
//! (`<drop_dir>/.state/dedup.jsonl`) and per-feed state files (`<drop_dir>/.state/feeds/`).
//! `copydesk store import` runs it; importing twice is harmless (records never lower a
//! version, feed state is overwritten with the same values).

use std::path::Path;

use copydesk_store::{IngestRecord, Store, StoreError};
use copydesk_types::story::namespace_of;
use serde::Deserialize;

use crate::IngestConfig;

/// One line of the old dedup log.
#[derive(Deserialize)]
struct Entry {
    guid: String,
    version: u64,
    /// (source, day, hash).
    #[serde(default)]
    content: Option<(String, String, String)>,
    #[serde(default)]
    kill: bool,
}

/// What an import found and wrote.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Imported {
    /// Dedup records written.
    pub dedup: u64,
    /// Lines that could not be read (skipped).
    pub unreadable: u64,
    /// Feed states written.
    pub feeds: u64,
}

/// Import the old dedup log and feed state files named by `cfg` into `store`.
pub async fn import(cfg: &IngestConfig, store: &Store) -> Result<Imported, StoreError> {
    let mut imported = Imported::default();
    if let Ok(text) = std::fs::read_to_string(cfg.dedup_path()) {
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let Ok(entry) = serde_json::from_str::<Entry>(line) else {
                imported.unreadable += 1;
                continue;
            };
            // Old records were keyed by the bare guid; the namespace is the provider the content
            // key names, as ingest now derives it.
            let source = entry.content.as_ref().map(|(source, _, _)| namespace_of(source)).unwrap_or_else(|| namespace_of(""));
            let record = IngestRecord {
                source,
                guid: entry.guid,
                version: entry.version,
                checksum: String::new(),
                killed: entry.kill,
                content: entry.content.map(|(_, day, hash)| (day, hash)),
            };
            store.record_ingested(&record).await?;
            imported.dedup += 1;
        }
    }
    for feed in &cfg.feeds {
        let path = cfg.feed_state_dir().join(format!("{}.json", safe_name(&feed.name)));
        if let Some(json) = read_json(&path) {
            store.save_feed_state(&feed.name, &json).await?;
            imported.feeds += 1;
        }
    }
    Ok(imported)
}

fn read_json(path: &Path) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    serde_json::from_str::<serde_json::Value>(&text).ok().map(|v| v.to_string())
}

/// The file-name form the old poller gave a feed name.
fn safe_name(name: &str) -> String {
    let s: String = name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect();
    if s.is_empty() { "feed".into() } else { s }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn old_dedup_lines_and_feed_files_land_in_the_store() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cfg = IngestConfig {
            drop_dir: dir.path().to_path_buf(),
            feeds: vec![crate::FeedConfig { name: "AP world".into(), url: "http://x".into(), ..Default::default() }],
            ..IngestConfig::default()
        };
        std::fs::create_dir_all(cfg.feed_state_dir()).expect("mkdir");
        std::fs::write(cfg.dedup_path(), "{\"guid\":\"g1\",\"version\":3,\"content\":[\"AP\",\"2024-05-01\",\"h\"]}\n{broken\n").expect("write");
        std::fs::write(cfg.feed_state_dir().join("AP_world.json"), r#"{"etag":"\"e\""}"#).expect("write");
        let store = Store::open(&copydesk_store::StoreConfig::sqlite(dir.path().join("s.db"))).await.expect("store");
        let imported = import(&cfg, &store).await.expect("import");
        assert_eq!(imported, Imported { dedup: 1, unreadable: 1, feeds: 1 });
        assert_eq!(store.seen("ap", "g1").await.expect("read").map(|s| s.version), Some(3));
        assert_eq!(store.content_guid("ap", "2024-05-01", "h").await.expect("read").as_deref(), Some("g1"));
        assert!(store.feed_state("AP world").await.expect("read").is_some_and(|s| s.contains(r#""\"e\""#)));
    }
}
