//! Configuration for the `[ingest]` section; every key has a default so an empty section works.

use std::path::PathBuf;
use std::time::Duration;

use copydesk_article::FetchConfig;
use serde::{Deserialize, Serialize};

/// The `[ingest]` config section.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct IngestConfig {
    /// Folder watched for wire files.
    pub drop_dir: PathBuf,
    /// Documents larger than this are refused, so one huge file cannot exhaust memory.
    pub max_file_bytes: u64,
    /// Drop-folder rescan period; `notify` events wake the scanner earlier.
    pub poll_interval_ms: u64,
    /// A file must keep the same size and mtime this long before it is read (partial writes).
    pub settle_ms: u64,
    /// The dedup file of versions before the state store; read once by `copydesk store import`
    /// (default `<drop_dir>/.state/dedup.jsonl`).
    pub dedup_path: Option<PathBuf>,
    /// Days a story identity is remembered for duplicate detection (in the state store).
    pub dedup_retention_days: u64,
    /// Days handled files stay in `<drop_dir>/.done/` before they are deleted (0 keeps them).
    pub done_retention_days: u64,
    /// A drop-folder claim not renewed for this long belongs to a dead replica: its files go
    /// back to the drop folder for another replica.
    pub claim_lease_secs: u64,
    /// Deepest XML element nesting accepted (deeper documents are refused before parsing).
    pub max_xml_depth: usize,
    /// Most XML nodes accepted in one document.
    pub max_xml_nodes: u32,
    /// Feeds to poll.
    pub feeds: Vec<FeedConfig>,
    /// The per-feed state files of versions before the state store; read once by
    /// `copydesk store import` (default `<drop_dir>/.state/feeds`).
    pub feed_state_dir: Option<PathBuf>,
    /// Warn that a feed has gone quiet after this long without a new item (0 disables).
    pub quiet_after_secs: u64,
    /// The HTTP push endpoint.
    pub push: PushConfig,
    /// Detect the language with whatlang when the document declares none.
    pub detect_language: bool,
    /// Fetching the article page behind teasers (`[ingest.fetch]`); every default lives in
    /// `copydesk_article::FetchConfig::default`.
    pub fetch: FetchConfig,
}

impl Default for IngestConfig {
    fn default() -> Self {
        IngestConfig {
            drop_dir: PathBuf::from("./inbox"),
            max_file_bytes: 20 * 1024 * 1024,
            poll_interval_ms: 500,
            settle_ms: 300,
            dedup_path: None,
            dedup_retention_days: 30,
            done_retention_days: 7,
            claim_lease_secs: 60,
            max_xml_depth: 256,
            max_xml_nodes: 1_000_000,
            feeds: Vec::new(),
            feed_state_dir: None,
            quiet_after_secs: 6 * 3600,
            push: PushConfig::default(),
            detect_language: true,
            fetch: FetchConfig::default(),
        }
    }
}

impl IngestConfig {
    /// The legacy dedup state file, defaulting under the drop folder.
    pub fn dedup_path(&self) -> PathBuf {
        self.dedup_path.clone().unwrap_or_else(|| self.drop_dir.join(".state").join("dedup.jsonl"))
    }

    /// The legacy per-feed state folder, defaulting under the drop folder.
    pub fn feed_state_dir(&self) -> PathBuf {
        self.feed_state_dir.clone().unwrap_or_else(|| self.drop_dir.join(".state").join("feeds"))
    }

    /// Rescan period as a duration (at least 10 ms so a zero cannot spin).
    pub fn poll_interval(&self) -> Duration {
        Duration::from_millis(self.poll_interval_ms.max(10))
    }

    /// Settle time as a duration.
    pub fn settle(&self) -> Duration {
        Duration::from_millis(self.settle_ms)
    }
}

/// One polled feed (`[[ingest.feeds]]`).
#[derive(Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct FeedConfig {
    /// Short stable name: used in logs, metrics and the state file name.
    pub name: String,
    /// Address to fetch. May carry a token (user info or query string): it is redacted
    /// wherever it is logged or stored.
    pub url: String,
    /// Poll period.
    pub interval_secs: u64,
    /// Overrides the story `source` (otherwise the feed's own title).
    pub source: Option<String>,
    /// Per-request timeout.
    pub timeout_secs: u64,
    /// First delay after a failed fetch (never longer than the interval); doubles, with jitter,
    /// on each further failure.
    pub min_backoff_ms: u64,
    /// Upper bound of the failure backoff.
    pub max_backoff_secs: u64,
    /// Largest feed body read (the download stops there, with or without Content-Length).
    pub max_bytes: u64,
}

impl std::fmt::Debug for FeedConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FeedConfig")
            .field("name", &self.name)
            .field("url", &copydesk_runtime::redact::redact_url(&self.url))
            .field("interval_secs", &self.interval_secs)
            .field("source", &self.source)
            .finish()
    }
}

impl Default for FeedConfig {
    fn default() -> Self {
        FeedConfig {
            name: String::new(),
            url: String::new(),
            interval_secs: 300,
            source: None,
            timeout_secs: 30,
            min_backoff_ms: 5_000,
            max_backoff_secs: 900,
            max_bytes: 10 * 1024 * 1024,
        }
    }
}

/// The HTTP push endpoint (`[ingest.push]`).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct PushConfig {
    /// Whether the worker serves the endpoint at all.
    pub enabled: bool,
    /// Address to bind.
    pub bind: String,
    /// Port to bind.
    pub port: u16,
    /// Name of the environment variable holding the bearer token (the token never sits in config).
    pub token_env: String,
    /// Larger bodies get 413.
    pub max_body_bytes: usize,
}

impl Default for PushConfig {
    fn default() -> Self {
        PushConfig {
            enabled: false,
            bind: "127.0.0.1".into(),
            port: 8081,
            token_env: "COPYDESK_PUSH_TOKEN".into(),
            max_body_bytes: 20 * 1024 * 1024,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_section_takes_every_default() {
        let cfg: IngestConfig = serde_json::from_str("{}").expect("parse");
        assert_eq!(cfg.drop_dir, PathBuf::from("./inbox"));
        assert_eq!(cfg.max_file_bytes, 20 * 1024 * 1024);
        assert_eq!(cfg.dedup_path(), PathBuf::from("./inbox/.state/dedup.jsonl"));
        assert!(!cfg.push.enabled);
        assert!(cfg.fetch.enabled && cfg.fetch.allow_hosts.is_empty(), "teasers are fetched, and only from public addresses");
    }

    #[test]
    fn a_misspelt_fetch_key_is_refused_naming_it() {
        let err = serde_json::from_str::<IngestConfig>(r#"{"fetch": {"max_redirect": 3}}"#).expect_err("refused");
        assert!(err.to_string().contains("max_redirect"), "{err}");
        let cfg: IngestConfig = serde_json::from_str(r#"{"fetch": {"enabled": false}}"#).expect("parse");
        assert!(!cfg.fetch.enabled);
        assert_eq!(cfg.fetch.min_words, FetchConfig::default().min_words);
    }

    #[test]
    fn an_unknown_key_is_refused_naming_it() {
        let err = serde_json::from_str::<IngestConfig>(r#"{"dedup_capacity": 5}"#).err().expect("refused");
        assert!(err.to_string().contains("dedup_capacity"), "{err}");
        let err = serde_json::from_str::<IngestConfig>(r#"{"feeds":[{"name":"n","url":"http://x","intervall_secs":1}]}"#).err().expect("refused");
        assert!(err.to_string().contains("intervall_secs"), "{err}");
    }

    #[test]
    fn a_feed_token_never_shows_in_debug_output() {
        let feed = FeedConfig { name: "n".into(), url: "https://u:pw@feeds.example/rss?token=s3cret".into(), ..FeedConfig::default() };
        let shown = format!("{feed:?}");
        assert!(!shown.contains("s3cret") && !shown.contains(":pw@"), "{shown}");
    }

    #[test]
    fn feeds_fill_missing_keys_with_defaults() {
        let cfg: IngestConfig =
            serde_json::from_str(r#"{"feeds":[{"name":"n","url":"http://x"}]}"#).expect("parse");
        assert_eq!(cfg.feeds[0].interval_secs, 300);
    }
}
