//! The push endpoint and the feed poller against real sockets (local only).

mod support;

use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

use axum::http::{header, HeaderMap, StatusCode};
use axum::routing::get;
use copydesk_ingest::{push, run_feed_poller, DedupStore, FeedConfig, IngestConfig, IngestStats, PushConfig, SharedDedup};
use support::{wait_until, MemorySink};
use tokio_util::sync::CancellationToken;

fn dedup(dir: &std::path::Path) -> SharedDedup {
    Arc::new(Mutex::new(DedupStore::open(&dir.join("dedup.jsonl"), 100).expect("dedup")))
}

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
    let sink = Arc::new(MemorySink::default());
    let stats = Arc::new(IngestStats::default());
    let base = serve(push::router(cfg, sink.clone(), dedup(dir.path()), stats.clone())).await;
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
    let base = serve(push::router(cfg, Arc::new(MemorySink::default()), dedup(dir.path()), Arc::new(IngestStats::default()))).await;
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
        feeds: vec![FeedConfig { name: "test wire".into(), url: format!("{base}/feed"), interval_secs: 1, ..FeedConfig::default() }],
        ..IngestConfig::default()
    };
    let sink = Arc::new(MemorySink::default());
    let stats = Arc::new(IngestStats::default());
    let store = dedup(dir.path());
    let cancel = CancellationToken::new();
    let task = {
        let (cfg, sink, store, cancel, stats) = (cfg.clone(), sink.clone(), store.clone(), cancel.clone(), stats.clone());
        tokio::spawn(async move { run_feed_poller(&cfg, sink, store, cancel, stats).await })
    };
    wait_until("a 304 after the first fetch", || stats.feed_not_modified.load(Ordering::Relaxed) >= 1).await;
    cancel.cancel();
    task.await.expect("join").expect("poller ends cleanly");
    let stories = sink.taken();
    assert_eq!(stories.len(), 1);
    assert_eq!(stories[0].guid, "tw-1");
    assert_eq!(stories[0].source.as_deref(), Some("Test Wire"));
    assert_eq!(stories[0].version_created.map(|d| d.to_rfc3339()).as_deref(), Some("2022-07-28T04:35:05+09:00"));
    let state = std::fs::read_to_string(dir.path().join(".state/feeds/test_wire.json")).expect("state file");
    assert!(state.contains("v1"), "{state}");
}
