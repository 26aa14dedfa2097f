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

use backon::{BackoffBuilder, ExponentialBackoff, ExponentialBuilder};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

use crate::deliver::{deliver, triage};
use crate::{parse_document, FeedConfig, IngestConfig, IngestError, IngestStats, Parsed, SharedDedup, StorySink};

/// What survives a restart for one feed (also what an operator reads to see a feed's health).
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct FeedState {
    /// Validator from the last 200 response.
    pub etag: Option<String>,
    /// Validator from the last 200 response.
    pub last_modified: Option<String>,
    /// When a new story last came from this feed (quiet-feed warning).
    pub last_new_item: Option<DateTime<Utc>>,
    /// When the feed last answered successfully.
    pub last_success: Option<DateTime<Utc>>,
    /// Failed fetches since the last success (0 when healthy).
    pub consecutive_failures: u32,
    /// The last failure's message and time, kept after recovery for the record.
    pub last_error: Option<String>,
    /// When the last failure happened.
    pub last_failure: Option<DateTime<Utc>>,
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
            state_path: state_path(cfg, feed),
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

/// Where a feed's state lives: `<feed_state_dir>/<safe name>.json`.
pub fn state_path(cfg: &IngestConfig, feed: &FeedConfig) -> PathBuf {
    cfg.feed_state_dir().join(format!("{}.json", safe_name(&feed.name)))
}

/// One configured feed and what its state file says (`copydesk feeds`).
#[derive(Debug, Clone, Serialize)]
pub struct FeedReport {
    /// Configured name.
    pub name: String,
    /// Configured address.
    pub url: String,
    /// The state file read.
    pub state_file: PathBuf,
    /// `ok` (last fetch worked), `failing` (failures since the last success), `quiet` (no new
    /// item for `quiet_after_secs`) or `never polled` (no state yet).
    pub health: &'static str,
    /// The state itself.
    pub state: FeedState,
}

/// The health of every configured feed, from the state files the pollers keep.
pub fn feed_reports(cfg: &IngestConfig, now: DateTime<Utc>) -> Vec<FeedReport> {
    cfg.feeds
        .iter()
        .map(|feed| {
            let state_file = state_path(cfg, feed);
            let state = FeedState::load(&state_file);
            let quiet = cfg.quiet_after_secs > 0
                && state.last_new_item.is_none_or(|t| (now - t).num_seconds().max(0) as u64 >= cfg.quiet_after_secs);
            let health = match (&state.last_success, state.consecutive_failures) {
                (_, n) if n > 0 => "failing",
                (None, _) => "never polled",
                _ if quiet => "quiet",
                _ => "ok",
            };
            FeedReport { name: feed.name.clone(), url: feed.url.clone(), state_file, health, state }
        })
        .collect()
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
        let mut schedule = Schedule::new(&self.feed);
        let mut state = FeedState::load(&self.state_path);
        let mut quiet = QuietWatch::new(self.cfg.quiet_after_secs, Utc::now());
        tracing::info!(feed = %self.feed.name, url = %self.feed.url, "feed polling");
        loop {
            let wait = match self.poll_once(&mut state).await {
                Ok(new_items) => {
                    if new_items > 0 {
                        quiet.reset();
                    }
                    schedule.after_success()
                }
                Err(e) => {
                    IngestStats::add(&self.stats.feed_errors, 1);
                    let delay = schedule.after_failure();
                    tracing::warn!(feed = %self.feed.name, error = %e, failures = schedule.failures, retry_in_ms = delay.as_millis() as u64, "feed fetch failed");
                    state.consecutive_failures = schedule.failures;
                    state.last_error = Some(e.to_string());
                    state.last_failure = Some(Utc::now());
                    self.save(&state);
                    delay
                }
            };
            if let Some(idle) = quiet.check(state.last_new_item, Utc::now()) {
                IngestStats::add(&self.stats.feed_quiet_warnings, 1);
                tracing::warn!(feed = %self.feed.name, idle_secs = idle, last_new_item = ?state.last_new_item, "feed has gone quiet: no new items; check the feed URL and the provider");
            }
            tokio::select! {
                () = cancel.cancelled() => break,
                () = tokio::time::sleep(wait) => {}
            }
        }
    }

    fn save(&self, state: &FeedState) {
        if let Err(e) = state.save(&self.state_path) {
            tracing::error!(feed = %self.feed.name, error = %e, "could not save feed state");
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
            if state.consecutive_failures > 0 {
                state.consecutive_failures = 0;
                self.save(state);
            }
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
        state.consecutive_failures = 0;
        if new > 0 {
            state.last_new_item = Some(Utc::now());
        }
        self.save(state);
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
}

/// When to poll next: the interval after a success; after failures, exponential backoff from
/// `min_backoff_ms` (capped by the interval), doubling up to `max_backoff_secs`, with jitter
/// (backon adds a random 0-100% of each step), so many feeds failing together spread out.
pub struct Schedule {
    interval: Duration,
    builder: ExponentialBuilder,
    delays: ExponentialBackoff,
    /// Failures since the last success.
    pub failures: u32,
}

impl Schedule {
    /// The schedule for one feed.
    pub fn new(feed: &FeedConfig) -> Schedule {
        let interval = Duration::from_secs(feed.interval_secs.max(1));
        let min = Duration::from_millis(feed.min_backoff_ms.max(1)).min(interval);
        let max = Duration::from_secs(feed.max_backoff_secs.max(1)).max(min);
        let builder = ExponentialBuilder::default().with_min_delay(min).with_max_delay(max).with_jitter().without_max_times();
        Schedule { interval, builder, delays: builder.build(), failures: 0 }
    }

    /// A fetch worked: the backoff starts over; wait one interval.
    pub fn after_success(&mut self) -> Duration {
        self.failures = 0;
        self.delays = self.builder.build();
        self.interval
    }

    /// A fetch failed: wait the next backoff step.
    pub fn after_failure(&mut self) -> Duration {
        self.failures = self.failures.saturating_add(1);
        self.delays.next().unwrap_or(self.interval)
    }
}

/// The "feed has gone quiet" rule: after `quiet_after_secs` without a new item (counted from
/// the last new item, else from the poller's start), warn once; warn again only after a new
/// item has ended the quiet spell.
pub struct QuietWatch {
    after_secs: u64,
    started: DateTime<Utc>,
    warned: bool,
}

impl QuietWatch {
    /// `after_secs` 0 disables the warning.
    pub fn new(after_secs: u64, started: DateTime<Utc>) -> QuietWatch {
        QuietWatch { after_secs, started, warned: false }
    }

    /// A new item arrived: the quiet spell is over.
    pub fn reset(&mut self) {
        self.warned = false;
    }

    /// `Some(idle seconds)` when a warning is due now (once per spell).
    pub fn check(&mut self, last_new_item: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Option<u64> {
        if self.after_secs == 0 || self.warned {
            return None;
        }
        let since = last_new_item.unwrap_or(self.started);
        let idle = (now - since).num_seconds().max(0) as u64;
        (idle >= self.after_secs).then(|| {
            self.warned = true;
            idle
        })
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

    fn feed(min_ms: u64, max_secs: u64, interval_secs: u64) -> FeedConfig {
        FeedConfig { min_backoff_ms: min_ms, max_backoff_secs: max_secs, interval_secs, ..FeedConfig::default() }
    }

    #[test]
    fn failures_back_off_exponentially_with_jitter_up_to_the_cap_and_reset_on_success() {
        let mut s = Schedule::new(&feed(100, 1, 60));
        let delays: Vec<Duration> = (0..8).map(|_| s.after_failure()).collect();
        assert_eq!(s.failures, 8);
        for (i, d) in delays.iter().enumerate() {
            // Step i waits base·2^i (capped at 1 s) plus up to 100% jitter.
            let base = Duration::from_millis((100u64 << i).min(1000));
            assert!(*d >= base && *d < base * 2, "step {i}: {d:?} outside [{base:?}, {:?})", base * 2);
        }
        assert_eq!(s.after_success(), Duration::from_secs(60));
        assert_eq!(s.failures, 0);
        let first = s.after_failure();
        assert!(first >= Duration::from_millis(100) && first < Duration::from_millis(200), "backoff starts over: {first:?}");
    }

    #[test]
    fn jitter_spreads_feeds_that_fail_together() {
        let run = || {
            let mut s = Schedule::new(&feed(1000, 900, 300));
            (0..6).map(|_| s.after_failure()).collect::<Vec<_>>()
        };
        assert_ne!(run(), run(), "two feeds failing in step must not retry in lockstep");
    }

    #[test]
    fn the_first_backoff_never_exceeds_the_poll_interval() {
        let mut s = Schedule::new(&feed(60_000, 900, 2));
        let d = s.after_failure();
        assert!(d >= Duration::from_secs(2) && d < Duration::from_secs(4), "{d:?}");
    }

    #[test]
    fn a_quiet_feed_warns_once_per_spell() {
        let t0 = Utc::now();
        let at = |secs| t0 + chrono::Duration::seconds(secs);
        let mut q = QuietWatch::new(60, t0);
        assert_eq!(q.check(None, at(59)), None, "not quiet yet, counted from the start");
        assert_eq!(q.check(None, at(61)), Some(61));
        assert_eq!(q.check(None, at(600)), None, "warned once for this spell");
        q.reset();
        assert_eq!(q.check(Some(at(590)), at(600)), None, "a new item ended the spell");
        assert_eq!(q.check(Some(at(590)), at(650)), Some(60));
        let mut off = QuietWatch::new(0, t0);
        assert_eq!(off.check(None, at(1_000_000)), None, "0 disables the warning");
    }

    #[test]
    fn state_files_from_older_versions_still_load() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("old.json");
        std::fs::write(&path, r#"{"etag":"\"e\"","last_modified":null}"#).expect("write");
        let s = FeedState::load(&path);
        assert_eq!((s.etag.as_deref(), s.consecutive_failures), (Some("\"e\""), 0));
    }

    #[test]
    fn feed_reports_tell_ok_failing_quiet_and_never_polled_apart() {
        let dir = tempfile::tempdir().expect("tempdir");
        let feed = |name: &str| FeedConfig { name: name.into(), url: format!("http://{name}.test/rss"), ..FeedConfig::default() };
        let cfg = IngestConfig { drop_dir: dir.path().to_path_buf(), feeds: vec![feed("ok"), feed("down"), feed("idle"), feed("new")], quiet_after_secs: 3600, ..IngestConfig::default() };
        std::fs::create_dir_all(cfg.feed_state_dir()).expect("dir");
        let now = Utc::now();
        let hours_ago = |h| Some(now - chrono::Duration::hours(h));
        let save = |name: &str, s: FeedState| s.save(&state_path(&cfg, &feed(name))).expect("save");
        save("ok", FeedState { last_success: hours_ago(0), last_new_item: hours_ago(0), ..FeedState::default() });
        save("down", FeedState { last_success: hours_ago(5), consecutive_failures: 3, last_error: Some("HTTP 503".into()), ..FeedState::default() });
        save("idle", FeedState { last_success: hours_ago(0), last_new_item: hours_ago(2), ..FeedState::default() });
        let health: Vec<(String, &str)> = feed_reports(&cfg, now).into_iter().map(|r| (r.name, r.health)).collect();
        let want = [("ok", "ok"), ("down", "failing"), ("idle", "quiet"), ("new", "never polled")];
        assert_eq!(health, want.map(|(n, h)| (n.to_string(), h)));
    }

    #[test]
    fn feed_names_become_safe_file_names() {
        assert_eq!(safe_name("AP / world"), "AP___world");
    }
}
