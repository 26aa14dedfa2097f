//! The feed poller: each configured RSS/Atom (or any supported format) URL polled on its own
//! interval, with conditional GET (ETag, Last-Modified), exponential backoff with jitter on
//! failure, a per-feed state file that survives restarts, and a warning when a feed has
//! brought nothing new for `quiet_after_secs`.
//!
//! A fetch whose stories the sink refuses keeps the old validators, so the same content is
//! fetched and offered again on the next attempt (duplicates are dropped then).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use backon::{BackoffBuilder, ExponentialBuilder};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

use crate::deliver::{deliver, triage};
use crate::{parse_document, FeedConfig, IngestConfig, IngestError, IngestStats, Parsed, SharedDedup, StorySink};

/// What survives a restart for one feed.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct FeedState {
    /// Validator from the last 200 response.
    pub etag: Option<String>,
    /// Validator from the last 200 response.
    pub last_modified: Option<String>,
    /// When a new story last came from this feed (quiet-feed warning).
    pub last_new_item: Option<DateTime<Utc>>,
    /// When the feed last answered successfully.
    pub last_success: Option<DateTime<Utc>>,
}

impl FeedState {
    /// Load the state file; a missing or unreadable file starts fresh (logged).
    pub fn load(path: &Path) -> FeedState {
        match std::fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_else(|e| {
                tracing::warn!(path = %path.display(), error = %e, "feed state unreadable; starting fresh");
                FeedState::default()
            }),
            Err(_) => FeedState::default(),
        }
    }

    /// Write atomically (temporary file, then rename).
    pub fn save(&self, path: &Path) -> Result<(), IngestError> {
        let tmp = path.with_extension("json.tmp");
        let body = serde_json::to_vec_pretty(self).map_err(|e| IngestError::Config(e.to_string()))?;
        std::fs::write(&tmp, body).map_err(|e| IngestError::io("write", &tmp, e))?;
        std::fs::rename(&tmp, path).map_err(|e| IngestError::io("replace", path, e))
    }
}

/// Poll every configured feed until `cancel` fires.
pub async fn run_feed_poller(
    cfg: &IngestConfig,
    sink: Arc<dyn StorySink>,
    dedup: SharedDedup,
    cancel: CancellationToken,
    stats: Arc<IngestStats>,
) -> Result<(), IngestError> {
    let dir = cfg.feed_state_dir();
    std::fs::create_dir_all(&dir).map_err(|e| IngestError::io("create", &dir, e))?;
    let client = reqwest::Client::builder()
        .user_agent(concat!("copydesk-ingest/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| IngestError::Config(format!("cannot build the HTTP client: {e}")))?;
    let mut tasks = tokio::task::JoinSet::new();
    for feed in cfg.feeds.iter().filter(|f| !f.url.is_empty()) {
        let poller = FeedPoller {
            feed: feed.clone(),
            state_path: dir.join(format!("{}.json", safe_name(&feed.name))),
            client: client.clone(),
            cfg: cfg.clone(),
            sink: sink.clone(),
            dedup: dedup.clone(),
            stats: stats.clone(),
        };
        tasks.spawn(poller.run(cancel.clone()));
    }
    while tasks.join_next().await.is_some() {}
    Ok(())
}

/// A file-name-safe form of a feed name.
fn safe_name(name: &str) -> String {
    let s: String = name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect();
    if s.is_empty() { "feed".into() } else { s }
}

struct FeedPoller {
    feed: FeedConfig,
    state_path: PathBuf,
    client: reqwest::Client,
    cfg: IngestConfig,
    sink: Arc<dyn StorySink>,
    dedup: SharedDedup,
    stats: Arc<IngestStats>,
}

impl FeedPoller {
    async fn run(self, cancel: CancellationToken) {
        let interval = Duration::from_secs(self.feed.interval_secs.max(1));
        let backoff = || ExponentialBuilder::default().with_min_delay(interval.min(Duration::from_secs(5))).with_max_delay(Duration::from_secs(self.feed.max_backoff_secs.max(1))).with_jitter().without_max_times().build();
        let mut delays = backoff();
        let mut state = FeedState::load(&self.state_path);
        let started = Utc::now();
        let mut warned_quiet = false;
        tracing::info!(feed = %self.feed.name, url = %self.feed.url, "feed polling");
        loop {
            let wait = match self.poll_once(&mut state).await {
                Ok(new_items) => {
                    delays = backoff();
                    if new_items > 0 {
                        warned_quiet = false;
                    }
                    interval
                }
                Err(e) => {
                    IngestStats::add(&self.stats.feed_errors, 1);
                    let delay = delays.next().unwrap_or(interval);
                    tracing::warn!(feed = %self.feed.name, error = %e, retry_in_ms = delay.as_millis() as u64, "feed fetch failed");
                    delay
                }
            };
            warned_quiet = self.warn_if_quiet(&state, started, warned_quiet);
            tokio::select! {
                () = cancel.cancelled() => break,
                () = tokio::time::sleep(wait) => {}
            }
        }
    }

    /// One conditional fetch, parse and delivery; returns how many stories were new.
    async fn poll_once(&self, state: &mut FeedState) -> Result<usize, IngestError> {
        let feed_err = |detail: String, transient: bool| IngestError::Feed { feed: self.feed.name.clone(), detail, transient };
        IngestStats::add(&self.stats.feed_fetches, 1);
        let mut req = self.client.get(&self.feed.url).timeout(Duration::from_secs(self.feed.timeout_secs.max(1)));
        if let Some(etag) = &state.etag {
            req = req.header(reqwest::header::IF_NONE_MATCH, etag);
        }
        if let Some(lm) = &state.last_modified {
            req = req.header(reqwest::header::IF_MODIFIED_SINCE, lm);
        }
        let resp = req.send().await.map_err(|e| feed_err(format!("request failed ({e}); check the URL and the network"), true))?;
        let status = resp.status();
        if status == reqwest::StatusCode::NOT_MODIFIED {
            IngestStats::add(&self.stats.feed_not_modified, 1);
            state.last_success = Some(Utc::now());
            return Ok(0);
        }
        if !status.is_success() {
            return Err(feed_err(format!("HTTP {status}; check the feed URL and credentials"), status.is_server_error() || status.as_u16() == 429));
        }
        let header = |name| resp.headers().get(name).and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok()).map(str::to_string);
        let (etag, last_modified) = (header(reqwest::header::ETAG), header(reqwest::header::LAST_MODIFIED));
        if resp.content_length().is_some_and(|n| n > self.cfg.max_file_bytes) {
            return Err(feed_err(format!("response is over the {}-byte limit", self.cfg.max_file_bytes), false));
        }
        let bytes = resp.bytes().await.map_err(|e| feed_err(format!("reading the body failed ({e})"), true))?;
        let (name, cfg) = (self.feed.name.clone(), self.cfg.clone());
        let items = tokio::task::spawn_blocking(move || parse_document(&bytes, &name, &cfg))
            .await
            .map_err(|e| feed_err(format!("parser crashed ({e}); this is a bug"), false))??;
        let items = self.with_source(items);
        let t = triage(items, &self.dedup);
        let new = t.stories.len();
        deliver(t, self.sink.as_ref(), &self.dedup, &self.stats, &self.feed.name)
            .await
            .map_err(|e| feed_err(format!("{e}; will fetch again"), true))?;
        state.etag = etag;
        state.last_modified = last_modified;
        state.last_success = Some(Utc::now());
        if new > 0 {
            state.last_new_item = Some(Utc::now());
        }
        if let Err(e) = state.save(&self.state_path) {
            tracing::error!(feed = %self.feed.name, error = %e, "could not save feed state");
        }
        Ok(new)
    }

    /// Apply the configured source name, when there is one.
    fn with_source(&self, mut items: Vec<Parsed>) -> Vec<Parsed> {
        if let Some(src) = &self.feed.source {
            for item in &mut items {
                if let Parsed::Story(s) = item {
                    s.source = Some(src.clone());
                }
            }
        }
        items
    }

    /// Warn once per quiet spell; returns the new "already warned" flag.
    fn warn_if_quiet(&self, state: &FeedState, started: DateTime<Utc>, warned: bool) -> bool {
        if self.cfg.quiet_after_secs == 0 {
            return false;
        }
        let since = state.last_new_item.unwrap_or(started);
        let idle = (Utc::now() - since).num_seconds().max(0) as u64;
        if idle >= self.cfg.quiet_after_secs {
            if !warned {
                tracing::warn!(feed = %self.feed.name, idle_secs = idle, "feed has gone quiet: no new items");
            }
            return true;
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feed_state_round_trips_through_its_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("f.json");
        let s = FeedState { etag: Some("\"abc\"".into()), ..FeedState::default() };
        s.save(&path).expect("save");
        assert_eq!(FeedState::load(&path).etag.as_deref(), Some("\"abc\""));
        assert!(FeedState::load(&dir.path().join("missing.json")).etag.is_none());
    }

    #[test]
    fn feed_names_become_safe_file_names() {
        assert_eq!(safe_name("AP / world"), "AP___world");
    }
}
