//! Configuration for the `[ingest]` section; every key has a default so an empty section works.

use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;

/// The `[ingest]` config section.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct IngestConfig {
    /// Folder watched for wire files.
    pub drop_dir: PathBuf,
    /// Documents larger than this are refused, so one huge file cannot exhaust memory.
    pub max_file_bytes: u64,
    /// Drop-folder rescan period; `notify` events wake the scanner earlier.
    pub poll_interval_ms: u64,
    /// A file must keep the same size and mtime this long before it is read (partial writes).
    pub settle_ms: u64,
    /// Dedup state file; default `<drop_dir>/.state/dedup.jsonl`.
    pub dedup_path: Option<PathBuf>,
    /// How many story identities the dedup state remembers (oldest forgotten first).
    pub dedup_capacity: usize,
    /// Feeds to poll.
    pub feeds: Vec<FeedConfig>,
    /// Where per-feed state (ETag, Last-Modified, last new item) lives; default `<drop_dir>/.state/feeds`.
    pub feed_state_dir: Option<PathBuf>,
    /// Warn that a feed has gone quiet after this long without a new item (0 disables).
    pub quiet_after_secs: u64,
    /// The HTTP push endpoint.
    pub push: PushConfig,
    /// Detect the language with whatlang when the document declares none.
    pub detect_language: bool,
}

impl Default for IngestConfig {
    fn default() -> Self {
        IngestConfig {
            drop_dir: PathBuf::from("./inbox"),
            max_file_bytes: 20 * 1024 * 1024,
            poll_interval_ms: 500,
            settle_ms: 300,
            dedup_path: None,
            dedup_capacity: 100_000,
            feeds: Vec::new(),
            feed_state_dir: None,
            quiet_after_secs: 6 * 3600,
            push: PushConfig::default(),
            detect_language: true,
        }
    }
}

impl IngestConfig {
    /// The dedup state file, defaulting under the drop folder.
    pub fn dedup_path(&self) -> PathBuf {
        self.dedup_path.clone().unwrap_or_else(|| self.drop_dir.join(".state").join("dedup.jsonl"))
    }

    /// The per-feed state folder, defaulting under the drop folder.
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
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct FeedConfig {
    /// Short stable name: used in logs, metrics and the state file name.
    pub name: String,
    /// Address to fetch.
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
        }
    }
}

/// The HTTP push endpoint (`[ingest.push]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
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
    }

    #[test]
    fn feeds_fill_missing_keys_with_defaults() {
        let cfg: IngestConfig =
            serde_json::from_str(r#"{"feeds":[{"name":"n","url":"http://x"}]}"#).expect("parse");
        assert_eq!(cfg.feeds[0].interval_secs, 300);
    }
}
