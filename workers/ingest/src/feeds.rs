//! The feed poller: each configured RSS/Atom (or any supported format) URL polled on its own
//! interval, with conditional GET (ETag, Last-Modified), exponential backoff with jitter on
//! failure, per-feed state in the state store, and a warning when a feed has brought nothing
//! new for `quiet_after_secs`.
//!
//! With several ingest replicas, each feed is polled by exactly one of them at a time: the
//! poller holds a lease per feed in the store and renews it with each poll; a replica that
//! dies loses it and another takes the feed over, starting from the state the last one saved.
//! A body is read up to `max_bytes` whether or not the server sent a Content-Length. Feed
//! addresses are redacted (user info and query string) wherever they are logged or stored.
//!
//! A fetch whose stories the broker did not confirm keeps the old validators, so the same
//! content is fetched and offered again on the next attempt (confirmed items are then
//! duplicates and dropped). So does a fetch whose items wait for their article page (a
//! transient failure): the feed is polled again when the first page is due.

use std::sync::Arc;
use std::time::Duration;

use backon::{BackoffBuilder, ExponentialBackoff, ExponentialBuilder};
use chrono::{DateTime, Utc};
use copydesk_runtime::redact::{redact_text, redact_url};
use copydesk_store::Store;
use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

use crate::stage::{Deliver, IngestStage, Origin};
use crate::{FeedConfig, IngestConfig, IngestError, IngestStats};

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
    /// The last failure's message (addresses redacted), kept after recovery for the record.
    pub last_error: Option<String>,
    /// When the last failure happened.
    pub last_failure: Option<DateTime<Utc>>,
}

impl FeedState {
    /// The feed's state from the store; missing or unreadable state starts fresh (logged).
    pub async fn load(store: &Store, feed: &str) -> FeedState {
        match store.feed_state(feed).await {
            Ok(Some(json)) => serde_json::from_str(&json).unwrap_or_else(|e| {
                tracing::warn!(feed, error = %e, "feed state unreadable; starting fresh");
                FeedState::default()
            }),
            Ok(None) => FeedState::default(),
            Err(e) => {
                tracing::warn!(feed, error = %e, "feed state unavailable; starting fresh");
                FeedState::default()
            }
        }
    }

    /// Save to the store.
    pub async fn save(&self, store: &Store, feed: &str) -> Result<(), copydesk_store::StoreError> {
        let json = serde_json::to_string(self).unwrap_or_else(|_| "{}".into());
        store.save_feed_state(feed, &json).await
    }
}

/// Poll every configured feed until `cancel` fires.
pub async fn run_feed_poller(stage: IngestStage, deliver: Arc<dyn Deliver>, owner: String, cancel: CancellationToken) -> Result<(), IngestError> {
    let client = reqwest::Client::builder()
        .user_agent(concat!("copydesk-ingest/", env!("CARGO_PKG_VERSION")))
        .redirect(reqwest::redirect::Policy::limited(5))
        .build()
        .map_err(|e| IngestError::Config(format!("cannot build the HTTP client: {e}")))?;
    let mut tasks = tokio::task::JoinSet::new();
    for feed in stage.config().feeds.iter().filter(|f| !f.url.is_empty()) {
        let poller = FeedPoller { feed: feed.clone(), client: client.clone(), stage: stage.clone(), deliver: deliver.clone(), owner: owner.clone() };
        tasks.spawn(poller.run(cancel.clone()));
    }
    while tasks.join_next().await.is_some() {}
    Ok(())
}

/// One configured feed and what the store says about it (`copydesk feeds`).
#[derive(Debug, Clone, Serialize)]
pub struct FeedReport {
    /// Configured name.
    pub name: String,
    /// Configured address, redacted.
    pub url: String,
    /// `ok` (last fetch worked), `failing` (failures since the last success), `quiet` (no new
    /// item for `quiet_after_secs`) or `never polled` (no state yet).
    pub health: &'static str,
    /// The replica polling it now, if any holds its lease.
    pub polled_by: Option<String>,
    /// The state itself.
    pub state: FeedState,
}

/// The health of every configured feed, from the state the pollers keep in the store.
pub async fn feed_reports(cfg: &IngestConfig, store: &Store, now: DateTime<Utc>) -> Vec<FeedReport> {
    let mut out = Vec::new();
    for feed in &cfg.feeds {
        let state = FeedState::load(store, &feed.name).await;
        let polled_by = store.lease_holder(&lease_name(&feed.name)).await.ok().flatten();
        let health = feed_health(cfg, &state, now);
        out.push(FeedReport { name: feed.name.clone(), url: redact_url(&feed.url), health, polled_by, state });
    }
    out
}

/// The health rule: failing beats never polled beats quiet beats ok.
pub fn feed_health(cfg: &IngestConfig, state: &FeedState, now: DateTime<Utc>) -> &'static str {
    let quiet = cfg.quiet_after_secs > 0
        && state.last_new_item.is_none_or(|t| (now - t).num_seconds().max(0) as u64 >= cfg.quiet_after_secs);
    match (&state.last_success, state.consecutive_failures) {
        (_, n) if n > 0 => "failing",
        (None, _) => "never polled",
        _ if quiet => "quiet",
        _ => "ok",
    }
}

/// The store lease that makes one replica the poller of a feed.
pub fn lease_name(feed: &str) -> String {
    format!("feed:{feed}")
}

struct FeedPoller {
    feed: FeedConfig,
    client: reqwest::Client,
    stage: IngestStage,
    deliver: Arc<dyn Deliver>,
    owner: String,
}

impl FeedPoller {
    async fn run(self, cancel: CancellationToken) {
        let store = self.stage.store().clone();
        let mut schedule = Schedule::new(&self.feed);
        let mut quiet = QuietWatch::new(self.stage.config().quiet_after_secs, Utc::now());
        // The lease outlives one interval (plus the worst backoff), so a live poller keeps it.
        let ttl = Duration::from_secs(self.feed.interval_secs.max(1) * 2 + self.feed.max_backoff_secs + self.feed.timeout_secs + 30);
        tracing::info!(feed = %self.feed.name, url = %redact_url(&self.feed.url), "feed polling");
        loop {
            let wait = match store.try_lease(&lease_name(&self.feed.name), &self.owner, ttl).await {
                Ok(Some(_lease)) => self.poll_and_save(&store, &mut schedule, &mut quiet).await,
                Ok(None) => {
                    tracing::debug!(feed = %self.feed.name, "another replica polls this feed");
                    Duration::from_secs(self.feed.interval_secs.max(1))
                }
                Err(e) => {
                    tracing::warn!(feed = %self.feed.name, error = %e, "cannot take the feed lease; trying again later");
                    schedule.after_failure()
                }
            };
            tokio::select! {
                () = cancel.cancelled() => break,
                () = tokio::time::sleep(wait) => {}
            }
        }
        let _ = store.release_lease_of(&lease_name(&self.feed.name), &self.owner).await;
    }

    /// One poll under the lease; returns how long to wait before the next.
    async fn poll_and_save(&self, store: &Store, schedule: &mut Schedule, quiet: &mut QuietWatch) -> Duration {
        let mut state = FeedState::load(store, &self.feed.name).await;
        let wait = match self.poll_once(&mut state).await {
            Ok(poll) => {
                if poll.new_items > 0 {
                    quiet.reset();
                }
                let interval = schedule.after_success();
                // Items waiting for their article page: poll again when the first page is due
                // (not sooner than the feed's first backoff step, not later than its interval).
                poll.retry_in.map_or(interval, |d| d.max(Duration::from_millis(self.feed.min_backoff_ms)).min(interval))
            }
            Err(e) => {
                IngestStats::add(&self.stage.stats().feed_errors, 1);
                let delay = schedule.after_failure();
                let error = redact_text(&e.to_string());
                tracing::warn!(feed = %self.feed.name, %error, failures = schedule.failures, retry_in_ms = delay.as_millis() as u64, "feed fetch failed");
                state.consecutive_failures = schedule.failures;
                state.last_error = Some(error);
                state.last_failure = Some(Utc::now());
                delay
            }
        };
        if let Err(e) = state.save(store, &self.feed.name).await {
            tracing::error!(feed = %self.feed.name, error = %e, "could not save feed state");
        }
        if let Some(idle) = quiet.check(state.last_new_item, Utc::now()) {
            IngestStats::add(&self.stage.stats().feed_quiet_warnings, 1);
            tracing::warn!(feed = %self.feed.name, idle_secs = idle, last_new_item = ?state.last_new_item, "feed has gone quiet: no new items; check the feed URL and the provider");
        }
        wait
    }

    /// One conditional fetch, parse and delivery.
    async fn poll_once(&self, state: &mut FeedState) -> Result<Poll, IngestError> {
        let feed_err = |detail: String, transient: bool| IngestError::Feed { feed: self.feed.name.clone(), detail, transient };
        let stats = self.stage.stats();
        IngestStats::add(&stats.feed_fetches, 1);
        let mut req = self.client.get(&self.feed.url).timeout(Duration::from_secs(self.feed.timeout_secs.max(1)));
        if let Some(etag) = &state.etag {
            req = req.header(reqwest::header::IF_NONE_MATCH, etag);
        }
        if let Some(lm) = &state.last_modified {
            req = req.header(reqwest::header::IF_MODIFIED_SINCE, lm);
        }
        // reqwest's own error text repeats the URL; it is redacted before it is logged or stored.
        let resp = req.send().await.map_err(|e| feed_err(format!("request failed ({}); check the URL and the network", redact_text(&e.to_string())), true))?;
        let status = resp.status();
        if status == reqwest::StatusCode::NOT_MODIFIED {
            IngestStats::add(&stats.feed_not_modified, 1);
            state.last_success = Some(Utc::now());
            state.consecutive_failures = 0;
            return Ok(Poll::default());
        }
        if !status.is_success() {
            return Err(feed_err(format!("HTTP {status}; check the feed URL and credentials"), status.is_server_error() || status.as_u16() == 429));
        }
        let header = |name| resp.headers().get(name).and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok()).map(str::to_string);
        let (etag, last_modified) = (header(reqwest::header::ETAG), header(reqwest::header::LAST_MODIFIED));
        let bytes = read_capped(resp, self.feed.max_bytes).await.map_err(|(detail, transient)| feed_err(detail, transient))?;
        let origin = Origin::Feed { name: &self.feed.name, source: self.feed.source.as_deref() };
        let poll = match self.stage.ingest(bytes, origin, self.deliver.as_ref()).await {
            Ok(processed) => Poll { new_items: processed.ids.len(), retry_in: None },
            // The feed answered and its other items went out; the waiting ones need this
            // content again, so the old validators stay (the next poll is not a 304).
            Err(IngestError::ArticlesPending { delivered, retry_in, detail, .. }) => {
                tracing::info!(feed = %self.feed.name, delivered, retry_in_s = retry_in.as_secs(), detail = %redact_text(&detail), "feed items wait for their article pages; polling again for them");
                Poll { new_items: delivered, retry_in: Some(retry_in) }
            }
            Err(e) => return Err(e),
        };
        if poll.retry_in.is_none() {
            state.etag = etag;
            state.last_modified = last_modified;
        }
        state.last_success = Some(Utc::now());
        state.consecutive_failures = 0;
        if poll.new_items > 0 {
            state.last_new_item = Some(Utc::now());
        }
        Ok(poll)
    }
}

/// What one poll brought.
#[derive(Debug, Default)]
struct Poll {
    /// Stories delivered.
    new_items: usize,
    /// Set when items wait for their article page: when the first is due.
    retry_in: Option<Duration>,
}

/// Read a response body up to `limit` bytes, stopping (and refusing) the moment it passes the
/// limit, announced or not.
pub async fn read_capped(mut resp: reqwest::Response, limit: u64) -> Result<Vec<u8>, (String, bool)> {
    let too_large = || (format!("response is over the {limit}-byte limit (feeds[].max_bytes)"), false);
    if resp.content_length().is_some_and(|n| n > limit) {
        return Err(too_large());
    }
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(|e| (format!("reading the body failed ({})", redact_text(&e.to_string())), true))? {
        if body.len() as u64 + chunk.len() as u64 > limit {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
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

    async fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(&copydesk_store::StoreConfig::sqlite(dir.path().join("s.db"))).await.expect("store");
        (dir, store)
    }

    #[tokio::test]
    async fn feed_state_round_trips_through_the_store() {
        let (_d, store) = store().await;
        let s = FeedState { etag: Some("\"abc\"".into()), ..FeedState::default() };
        s.save(&store, "f").await.expect("save");
        assert_eq!(FeedState::load(&store, "f").await.etag.as_deref(), Some("\"abc\""));
        assert!(FeedState::load(&store, "missing").await.etag.is_none());
    }

    #[tokio::test]
    async fn state_from_older_versions_still_loads() {
        let (_d, store) = store().await;
        store.save_feed_state("old", r#"{"etag":"\"e\"","last_modified":null}"#).await.expect("save");
        let s = FeedState::load(&store, "old").await;
        assert_eq!((s.etag.as_deref(), s.consecutive_failures), (Some("\"e\""), 0));
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

    #[tokio::test]
    async fn feed_reports_tell_ok_failing_quiet_and_never_polled_apart_and_hide_tokens() {
        let (_d, store) = store().await;
        let feed = |name: &str| FeedConfig { name: name.into(), url: format!("http://{name}.test/rss?token=s3cret"), ..FeedConfig::default() };
        let cfg = IngestConfig { feeds: vec![feed("ok"), feed("down"), feed("idle"), feed("new")], quiet_after_secs: 3600, ..IngestConfig::default() };
        let now = Utc::now();
        let hours_ago = |h| Some(now - chrono::Duration::hours(h));
        let states = [
            ("ok", FeedState { last_success: hours_ago(0), last_new_item: hours_ago(0), ..FeedState::default() }),
            ("down", FeedState { last_success: hours_ago(5), consecutive_failures: 3, last_error: Some("HTTP 503".into()), ..FeedState::default() }),
            ("idle", FeedState { last_success: hours_ago(0), last_new_item: hours_ago(2), ..FeedState::default() }),
        ];
        for (name, state) in states {
            state.save(&store, name).await.expect("save");
        }
        let reports = feed_reports(&cfg, &store, now).await;
        let health: Vec<(String, &str)> = reports.iter().map(|r| (r.name.clone(), r.health)).collect();
        let want = [("ok", "ok"), ("down", "failing"), ("idle", "quiet"), ("new", "never polled")];
        assert_eq!(health, want.map(|(n, h)| (n.to_string(), h)));
        assert!(reports.iter().all(|r| !r.url.contains("s3cret")));
    }
}
