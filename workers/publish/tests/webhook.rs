//! The webhook sink against a real local HTTP receiver that checks every signature.

use std::sync::{Arc, Mutex};

use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use copydesk_publish::stage::PublishStage;
use copydesk_publish::testing::{deliver, kill, summarized};
use copydesk_publish::webhook::signature;
use copydesk_publish::{PublishConfig, WebhookConfig};
use copydesk_runtime::HandlerError;

const SECRET: &str = "test-signing-secret";

/// One received request, after its signature was checked.
#[derive(Debug, Clone)]
struct Received {
    event: String,
    delivery: String,
    body: serde_json::Value,
}

/// A receiver that answers `status` and records only correctly signed requests.
#[derive(Default)]
struct Receiver {
    status: Mutex<u16>,
    got: Mutex<Vec<Received>>,
    bad_signatures: Mutex<usize>,
}

impl Receiver {
    async fn serve(self: &Arc<Self>) -> String {
        *self.status.lock().expect("lock") = 200;
        let me = self.clone();
        let app = axum::Router::new().route(
            "/hook",
            post(move |headers: HeaderMap, body: axum::body::Bytes| {
                let me = me.clone();
                async move {
                    let h = |n: &str| headers.get(n).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
                    let ts: i64 = h("x-copydesk-timestamp").parse().unwrap_or_default();
                    if h("x-copydesk-signature") != signature(SECRET.as_bytes(), ts, &body) {
                        *me.bad_signatures.lock().expect("lock") += 1;
                        return (StatusCode::UNAUTHORIZED, "bad signature");
                    }
                    let status = *me.status.lock().expect("lock");
                    if status == 200 {
                        let body: serde_json::Value = serde_json::from_slice(&body).expect("json body");
                        me.got.lock().expect("lock").push(Received { event: h("x-copydesk-event"), delivery: h("x-copydesk-delivery"), body });
                    }
                    (StatusCode::from_u16(status).expect("status"), "answer from the test receiver")
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
        format!("http://{addr}/hook")
    }

    fn answer(&self, status: u16) {
        *self.status.lock().expect("lock") = status;
    }

    fn received(&self) -> Vec<Received> {
        self.got.lock().expect("lock").clone()
    }
}

async fn stage(dir: &std::path::Path, url: &str, env: &str) -> PublishStage {
    std::env::set_var(env, SECRET);
    let webhook = WebhookConfig { url: url.into(), secret_env: env.into(), timeout_secs: 5 };
    copydesk_publish::testing::stage(dir, PublishConfig { out_dir: dir.join("out"), webhook, ..PublishConfig::default() }).await
}

#[tokio::test]
async fn publishes_and_retractions_reach_the_receiver_signed_and_keyed_per_version() {
    let dir = tempfile::tempdir().expect("tmp");
    let rx = Arc::new(Receiver::default());
    let url = rx.serve().await;
    let s = stage(dir.path(), &url, "COPYDESK_TEST_WEBHOOK_SECRET_A").await;

    let out = deliver(&s, &summarized("g1", 1)).await.expect("publish");
    assert!(out.locations.contains(&url), "the webhook is listed as a location: {:?}", out.locations);
    deliver(&s, &summarized("g1", 2)).await.expect("v2");
    deliver(&s, &kill("notice-1", 1, Some("g1"))).await.expect("kill under a new id");
    let late = deliver(&s, &summarized("g1", 1)).await.expect("late copy of the killed story");
    assert!(late.retracted);

    let got = rx.received();
    assert_eq!(*rx.bad_signatures.lock().expect("lock"), 0);
    let events: Vec<&str> = got.iter().map(|r| r.event.as_str()).collect();
    assert_eq!(events, ["article.published", "article.published", "article.retracted"], "the late copy sends nothing");
    assert_eq!(got[0].body["headline"], "Harbour strike ends after a week");
    assert_eq!(got[0].body["event"], "article.published");
    assert!(got[0].body["article_markdown"].as_str().is_some_and(|m| m.contains("## Return to work")));
    assert!(got[0].delivery.ends_with(".v1.published") && got[0].body["delivery"] == got[0].delivery.as_str());
    let retraction = &got[2].body;
    assert_eq!(retraction["guid"], "g1", "the story the kill notice refers to (the notice itself was never published)");
    assert_eq!(retraction["version"], 2, "the retraction carries the story's highest version, not the notice's");
    assert!(got[2].delivery.ends_with(".v2.retracted"), "{}", got[2].delivery);
}

#[tokio::test]
async fn a_receiver_that_is_down_is_retried_with_the_same_delivery_key_and_the_files_stay_written() {
    let dir = tempfile::tempdir().expect("tmp");
    let rx = Arc::new(Receiver::default());
    let url = rx.serve().await;
    let s = stage(dir.path(), &url, "COPYDESK_TEST_WEBHOOK_SECRET_B").await;

    rx.answer(503);
    let err = deliver(&s, &summarized("g2", 3)).await.expect_err("receiver down");
    assert!(matches!(&err, HandlerError::Transient(m) if m.contains("503") && m.contains(&url)), "{err}");
    let written = std::fs::read_dir(dir.path().join("out")).expect("out dir").flatten().filter(|e| !e.file_name().to_string_lossy().starts_with('.')).count();
    assert_eq!(written, 2, "the files were written before the webhook");

    rx.answer(200);
    deliver(&s, &summarized("g2", 3)).await.expect("redelivery succeeds");
    deliver(&s, &summarized("g2", 3)).await.expect("a duplicate redelivery");
    let got = rx.received();
    assert_eq!(got.len(), 1, "a delivery the store recorded is not sent again");
    assert!(got[0].delivery.ends_with(".v3.published"), "the same key the failed attempt carried: {}", got[0].delivery);
}

#[tokio::test]
async fn a_receiver_that_refuses_the_event_is_a_permanent_error_naming_the_status() {
    let dir = tempfile::tempdir().expect("tmp");
    let rx = Arc::new(Receiver::default());
    let url = rx.serve().await;
    let s = stage(dir.path(), &url, "COPYDESK_TEST_WEBHOOK_SECRET_C").await;
    rx.answer(422);
    let err = deliver(&s, &summarized("g3", 1)).await.expect_err("refused");
    assert!(matches!(&err, HandlerError::Permanent(m) if m.contains("422") && m.contains("dlq replay")), "{err}");
}

#[tokio::test]
async fn a_token_in_the_webhook_url_never_shows_in_errors_or_locations() {
    let dir = tempfile::tempdir().expect("tmp");
    let rx = Arc::new(Receiver::default());
    let url = format!("{}?token=s3cret-token", rx.serve().await);
    let s = stage(dir.path(), &url, "COPYDESK_TEST_WEBHOOK_SECRET_F").await;
    let out = deliver(&s, &summarized("g6", 1)).await.expect("publish");
    assert!(out.locations.iter().all(|l| !l.contains("s3cret-token")), "{:?}", out.locations);
    rx.answer(503);
    let err = deliver(&s, &summarized("g6", 2)).await.expect_err("down");
    assert!(!err.to_string().contains("s3cret-token"), "{err}");
    assert!(!format!("{s:?}").contains("s3cret-token"));
}

#[tokio::test]
async fn an_unreachable_receiver_is_transient_and_a_wrong_secret_is_refused() {
    let dir = tempfile::tempdir().expect("tmp");
    // A port nothing listens on: bind, note it, close.
    let port = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
    let s = stage(dir.path(), &format!("http://127.0.0.1:{port}/hook"), "COPYDESK_TEST_WEBHOOK_SECRET_D").await;
    let err = deliver(&s, &summarized("g4", 1)).await.expect_err("nobody listening");
    assert!(matches!(&err, HandlerError::Transient(m) if m.contains("request failed")), "{err}");

    let rx = Arc::new(Receiver::default());
    let url = rx.serve().await;
    std::env::set_var("COPYDESK_TEST_WEBHOOK_SECRET_E", "not-the-shared-secret");
    let webhook = WebhookConfig { url, secret_env: "COPYDESK_TEST_WEBHOOK_SECRET_E".into(), timeout_secs: 5 };
    let other = tempfile::tempdir().expect("tmp");
    let wrong = copydesk_publish::testing::stage(other.path(), PublishConfig { out_dir: other.path().join("out"), webhook, ..PublishConfig::default() }).await;
    let err = deliver(&wrong, &summarized("g5", 1)).await.expect_err("bad signature");
    assert!(matches!(&err, HandlerError::Permanent(m) if m.contains("401")), "{err}");
    assert_eq!(*rx.bad_signatures.lock().expect("lock"), 1);
    assert!(rx.received().is_empty());
}
