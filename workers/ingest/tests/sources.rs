//! The push endpoint and the feed poller against real sockets (local only).

mod support;

use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

use axum::http::{header, HeaderMap, StatusCode};
use axum::routing::get;
use copydesk_ingest::feeds::FeedState;
use copydesk_ingest::{push, run_feed_poller, FeedConfig, IngestConfig, IngestStats, PushConfig};
use support::{wait_until, wait_until_async, MemoryDeliver};
use tokio_util::sync::CancellationToken;

async fn serve(app: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
    format!("http://{addr}")
}

#[tokio::test]
async fn push_accepts_a_document_and_rejects_bad_requests_with_json_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let env = "COPYDESK_TEST_PUSH_TOKEN_A";
    std::env::set_var(env, "s3cret");
    let cfg = PushConfig { token_env: env.into(), max_body_bytes: 2048, ..PushConfig::default() };
    let sink = Arc::new(MemoryDeliver::default());
    let (stage, stats) = support::stage(dir.path(), IngestConfig::default()).await;
    let base = serve(push::router(cfg, stage, sink.clone())).await;
    let url = format!("{base}/v1/documents?name=story.txt");
    let http = reqwest::Client::new();
    let send = |body: Vec<u8>, token: Option<&str>| {
        let mut r = http.post(&url).body(body);
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        r.send()
    };

    let ok = send(b"Pushed headline\n\nPushed body.".to_vec(), Some("s3cret")).await.expect("send");
    assert_eq!(ok.status(), StatusCode::ACCEPTED);
    let v: serde_json::Value = ok.json().await.expect("json");
    assert_eq!(v["ids"].as_array().map(Vec::len), Some(1));
    assert_eq!(sink.taken()[0].headline, "Pushed headline");

    let cases: Vec<(Vec<u8>, Option<&str>, u16, &str)> = vec![
        (b"x".to_vec(), None, 401, "unauthorized"),
        (b"x".to_vec(), Some("wrong"), 401, "unauthorized"),
        (vec![b'a'; 4096], Some("s3cret"), 413, "too_large"),
        (b"%PDF-1.4 binary".to_vec(), Some("s3cret"), 415, "binary"),
        (b"<nitf><head></nitf>".to_vec(), Some("s3cret"), 400, "malformed"),
        (b"   ".to_vec(), Some("s3cret"), 400, "empty"),
        (b"Only a headline".to_vec(), Some("s3cret"), 422, "invalid"),
    ];
    for (body, token, status, kind) in cases {
        let resp = send(body, token).await.expect("send");
        assert_eq!(resp.status().as_u16(), status, "{kind}");
        let v: serde_json::Value = resp.json().await.expect("json error body");
        assert_eq!(v["error"], kind);
        assert!(v["detail"].as_str().is_some_and(|d| !d.is_empty()));
    }
    assert_eq!(stats.push_rejected.load(Ordering::Relaxed), 7);
}

#[tokio::test]
async fn push_without_a_configured_token_answers_503() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = PushConfig { token_env: "COPYDESK_TEST_PUSH_TOKEN_UNSET".into(), ..PushConfig::default() };
    let (stage, _) = support::stage(dir.path(), IngestConfig::default()).await;
    let base = serve(push::router(cfg, stage, Arc::new(MemoryDeliver::default()))).await;
    let resp = reqwest::Client::new().post(format!("{base}/v1/documents")).bearer_auth("x").body("a\n\nb").send().await.expect("send");
    assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE);
}

const RSS: &str = r#"<?xml version="1.0"?><rss version="2.0"><channel><title>Test Wire</title><language>en</language>
<item><title>Floods close the coast road</title><guid>tw-1</guid><pubdate>Thu,28 Jul 2022 4:35:5 GMT+9</pubdate>
<description>&lt;p&gt;Heavy rain closed the coast road on Thursday.&lt;/p&gt;</description></item>
</channel></rss>"#;

#[tokio::test]
async fn the_feed_poller_fetches_conditionally_and_keeps_state_across_restarts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = axum::Router::new().route(
        "/feed",
        get(|headers: HeaderMap| async move {
            if headers.get(header::IF_NONE_MATCH).is_some_and(|v| v == "\"v1\"") {
                return (StatusCode::NOT_MODIFIED, [(header::ETAG, "\"v1\"")], String::new());
            }
            (StatusCode::OK, [(header::ETAG, "\"v1\"")], RSS.to_string())
        }),
    );
    let base = serve(app).await;
    let cfg = IngestConfig {
        drop_dir: dir.path().to_path_buf(),
        feeds: vec![FeedConfig { name: "test wire".into(), url: format!("{base}/feed?token=s3cret"), interval_secs: 1, ..FeedConfig::default() }],
        ..IngestConfig::default()
    };
    let sink = Arc::new(MemoryDeliver::default());
    let (stage, stats) = support::stage(dir.path(), cfg).await;
    let store = stage.store().clone();
    let cancel = CancellationToken::new();
    let task = {
        let (stage, sink, cancel) = (stage.clone(), sink.clone(), cancel.clone());
        tokio::spawn(async move { run_feed_poller(stage, sink, "replica-a".into(), cancel).await })
    };
    wait_until("a 304 after the first fetch", || stats.feed_not_modified.load(Ordering::Relaxed) >= 1).await;
    cancel.cancel();
    task.await.expect("join").expect("poller ends cleanly");
    let stories = sink.taken();
    assert_eq!(stories.len(), 1);
    assert_eq!(stories[0].guid, "tw-1");
    assert_eq!(stories[0].namespace, "test-wire", "feed items are namespaced by the feed");
    assert_eq!(stories[0].source.as_deref(), Some("Test Wire"));
    assert_eq!(stories[0].version_created.map(|d| d.to_rfc3339()).as_deref(), Some("2022-07-28T04:35:05+09:00"));
    let state = store.feed_state("test wire").await.expect("read").expect("saved");
    assert!(state.contains("v1"), "{state}");
}

#[tokio::test]
async fn a_feed_is_polled_by_one_replica_at_a_time() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Arc::new(FlakyFeed::default());
    let base = server.serve().await;
    let feed = FeedConfig { name: "shared".into(), url: format!("{base}/feed"), interval_secs: 1, ..FeedConfig::default() };
    let cfg = IngestConfig { feeds: vec![feed], ..IngestConfig::default() };
    let (stage, stats) = support::stage(dir.path(), cfg).await;
    let cancel = CancellationToken::new();
    // Two replicas on one store: only the lease holder fetches.
    let mut tasks = Vec::new();
    for owner in ["replica-a", "replica-b"] {
        let (stage, cancel) = (stage.clone(), cancel.clone());
        tasks.push(tokio::spawn(async move { run_feed_poller(stage, Arc::new(MemoryDeliver::default()), owner.into(), cancel).await }));
    }
    wait_until("three polls", || stats.feed_fetches.load(Ordering::Relaxed) >= 3).await;
    let holder = stage.store().lease_holder("feed:shared").await.expect("read").expect("held");
    cancel.cancel();
    for t in tasks {
        t.await.expect("join").expect("ends cleanly");
    }
    let times = server.request_times();
    // Both replicas poll every second; with the lease only one of them does, so requests are
    // an interval apart rather than in pairs.
    for pair in times.windows(2) {
        assert!(pair[1] - pair[0] >= std::time::Duration::from_millis(900), "two fetches {:?} apart: both replicas polled", pair[1] - pair[0]);
    }
    assert!(holder == "replica-a" || holder == "replica-b", "{holder}");
}

/// A feed server whose answers a test can change: fails with 503 while `failing` is set,
/// otherwise serves `RSS` with the ETag `"v<n>"` where n is `edition` (the item guid and text
/// change with the edition), answering 304 to a matching If-None-Match. Records each request's time.
#[derive(Default)]
struct FlakyFeed {
    failing: std::sync::atomic::AtomicBool,
    edition: std::sync::atomic::AtomicU32,
    requests: Mutex<Vec<std::time::Instant>>,
}

impl FlakyFeed {
    async fn serve(self: &Arc<Self>) -> String {
        let me = self.clone();
        let app = axum::Router::new().route(
            "/feed",
            get(move |headers: HeaderMap| {
                let me = me.clone();
                async move {
                    me.requests.lock().expect("lock").push(std::time::Instant::now());
                    if me.failing.load(Ordering::SeqCst) {
                        return (StatusCode::SERVICE_UNAVAILABLE, [(header::ETAG, String::new())], "overloaded".to_string());
                    }
                    let n = me.edition.load(Ordering::SeqCst);
                    let etag = format!("\"v{n}\"");
                    if headers.get(header::IF_NONE_MATCH).is_some_and(|v| v.as_bytes() == etag.as_bytes()) {
                        return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag)], String::new());
                    }
                    (StatusCode::OK, [(header::ETAG, etag)], RSS.replace("tw-1", &format!("tw-{n}")).replace("on Thursday", &format!("on Thursday, edition {n}")))
                }
            }),
        );
        serve(app).await
    }

    fn request_times(&self) -> Vec<std::time::Instant> {
        self.requests.lock().expect("lock").clone()
    }
}

struct Poller {
    sink: Arc<MemoryDeliver>,
    stats: Arc<IngestStats>,
    cancel: CancellationToken,
    task: tokio::task::JoinHandle<Result<(), copydesk_ingest::IngestError>>,
    store: copydesk_store::Store,
    feed: String,
}

async fn start_poller(dir: &std::path::Path, feed: FeedConfig, quiet_after_secs: u64) -> Poller {
    let name = feed.name.clone();
    let cfg = IngestConfig { drop_dir: dir.to_path_buf(), feeds: vec![feed], quiet_after_secs, ..IngestConfig::default() };
    let (stage, stats) = support::stage(dir, cfg).await;
    let (sink, cancel) = (Arc::new(MemoryDeliver::default()), CancellationToken::new());
    let store = stage.store().clone();
    let task = {
        let (sink, cancel) = (sink.clone(), cancel.clone());
        tokio::spawn(async move { run_feed_poller(stage, sink, "replica-a".into(), cancel).await })
    };
    Poller { sink, stats, cancel, task, store, feed: name }
}

impl Poller {
    async fn state(&self) -> serde_json::Value {
        let state = FeedState::load(&self.store, &self.feed).await;
        serde_json::to_value(state).expect("state json")
    }

    async fn stop(self) {
        self.cancel.cancel();
        self.task.await.expect("join").expect("poller ends cleanly");
    }
}

#[tokio::test]
async fn a_failing_feed_backs_off_exponentially_records_the_failure_and_recovers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Arc::new(FlakyFeed::default());
    server.failing.store(true, Ordering::SeqCst);
    let base = server.serve().await;
    let feed = FeedConfig {
        name: "flaky".into(),
        url: format!("{base}/feed"),
        interval_secs: 3600,
        min_backoff_ms: 100,
        max_backoff_secs: 1,
        ..FeedConfig::default()
    };
    let p = start_poller(dir.path(), feed, 0).await;

    wait_until("four failed fetches", || p.stats.feed_errors.load(Ordering::Relaxed) >= 4).await;
    wait_until_async("four failures saved", || async { p.state().await["consecutive_failures"].as_u64().is_some_and(|n| n >= 4) }).await;
    let state = p.state().await;
    assert!(state["consecutive_failures"].as_u64().is_some_and(|n| n >= 4), "{state}");
    assert!(state["last_error"].as_str().is_some_and(|e| e.contains("503") && e.contains("flaky")), "the failure names the feed and the status: {state}");
    let times = server.request_times();
    for (i, pair) in times.windows(2).take(3).enumerate() {
        // Retry i waits at least 100 ms · 2^i (the jitter only adds); sleeps never end early.
        let floor = std::time::Duration::from_millis(100 << i);
        assert!(pair[1] - pair[0] >= floor, "retry {i} came after {:?}, before the {floor:?} backoff", pair[1] - pair[0]);
    }
    assert!(p.sink.taken().is_empty());

    server.failing.store(false, Ordering::SeqCst);
    wait_until("the story after recovery", || !p.sink.taken().is_empty()).await;
    wait_until_async("the recovered state saved", || async { p.state().await["consecutive_failures"] == 0 }).await;
    let state = p.state().await;
    assert!(state["last_success"].is_string() && state["etag"] == "\"v0\"", "{state}");
    assert!(state["last_error"].as_str().is_some_and(|e| e.contains("503")), "the last error is kept for the record: {state}");
    let errors = p.stats.feed_errors.load(Ordering::Relaxed);
    let fetches = p.stats.feed_fetches.load(Ordering::Relaxed);
    assert_eq!(fetches, errors + 1, "one successful fetch ended the backoff; the next poll is an interval away");
    assert_eq!(p.sink.taken().len(), 1);
    p.stop().await;
}

#[tokio::test]
async fn a_quiet_feed_warns_once_per_quiet_spell() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Arc::new(FlakyFeed::default());
    let base = server.serve().await;
    let feed = FeedConfig { name: "quiet".into(), url: format!("{base}/feed"), interval_secs: 1, ..FeedConfig::default() };
    let p = start_poller(dir.path(), feed, 1).await;
    let warnings = || p.stats.feed_quiet_warnings.load(Ordering::Relaxed);
    let fetches = || p.stats.feed_fetches.load(Ordering::Relaxed);

    wait_until("the first story", || p.sink.taken().len() == 1).await;
    wait_until("the quiet warning", || warnings() == 1).await;
    assert!(p.stats.feed_not_modified.load(Ordering::Relaxed) >= 1, "quiet means answered with nothing new");
    let seen = fetches();
    wait_until("two more quiet polls", || fetches() >= seen + 2).await;
    assert_eq!(warnings(), 1, "one warning per quiet spell, not one per poll");

    server.edition.store(1, Ordering::SeqCst);
    wait_until("the new item", || p.sink.taken().len() == 2).await;
    wait_until("a second warning after the next quiet spell", || warnings() == 2).await;
    assert_eq!(p.sink.taken()[1].guid, "tw-1");
    p.stop().await;
}
