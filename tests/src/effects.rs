//! Counting side effects per (story, version), to tell "published once" from "published again":
//! a local webhook receiver counting signed deliveries per delivery key, and a tally of
//! `story.published` events read from the namespace's published queue for the whole test.

use crate::broker::TestNamespace;
use axum::http::{HeaderMap, StatusCode};
use copydesk_types::{Envelope, StoryPublished};
use futures::StreamExt;
use lapin::options::{BasicAckOptions, BasicConsumeOptions};
use lapin::types::FieldTable;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// Name of the environment variable the publish worker reads the webhook secret from.
const SECRET_ENV: &str = "COPYDESK_TEST_WEBHOOK_SECRET";

/// One delivery key as received.
#[derive(Debug, Clone)]
pub struct Received {
    /// Times it arrived (signed, answered 204).
    pub count: u32,
    /// The body of the last one.
    pub body: serde_json::Value,
    /// When it first arrived.
    pub first_at: chrono::DateTime<chrono::Utc>,
}

/// A webhook endpoint on 127.0.0.1 that checks each POST's signature and counts deliveries
/// per `X-Copydesk-Delivery` key. While `failing` is set it answers 503 (a transient failure
/// for the publish worker) without counting.
pub struct WebhookReceiver {
    /// The endpoint URL.
    pub url: String,
    secret: String,
    /// Accepted deliveries by key.
    pub received: Arc<Mutex<BTreeMap<String, Received>>>,
    /// Answer 503 while set.
    pub failing: Arc<AtomicBool>,
    /// POSTs refused while failing.
    pub refused: Arc<Mutex<u64>>,
}

impl WebhookReceiver {
    /// Listen on a free port.
    pub async fn start() -> WebhookReceiver {
        let secret = format!("whsec-{}", uuid::Uuid::new_v4().simple());
        let received: Arc<Mutex<BTreeMap<String, Received>>> = Arc::default();
        let failing: Arc<AtomicBool> = Arc::default();
        let refused: Arc<Mutex<u64>> = Arc::default();
        let app = {
            let (received, failing, refused, secret) = (received.clone(), failing.clone(), refused.clone(), secret.clone());
            axum::Router::new().route(
                "/hook",
                axum::routing::post(move |headers: HeaderMap, body: axum::body::Bytes| {
                    let (received, failing, refused, secret) = (received.clone(), failing.clone(), refused.clone(), secret.clone());
                    async move {
                        let h = |n: &str| headers.get(n).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
                        let ts: i64 = h("x-copydesk-timestamp").parse().unwrap_or_default();
                        if h("x-copydesk-signature") != copydesk_publish::webhook::signature(secret.as_bytes(), ts, &body) {
                            return StatusCode::UNAUTHORIZED;
                        }
                        if failing.load(Ordering::SeqCst) {
                            *refused.lock().expect("lock") += 1;
                            return StatusCode::SERVICE_UNAVAILABLE;
                        }
                        let v: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
                        let mut map = received.lock().expect("lock");
                        let entry = map.entry(h("x-copydesk-delivery")).or_insert(Received { count: 0, body: serde_json::Value::Null, first_at: chrono::Utc::now() });
                        entry.count += 1;
                        entry.body = v;
                        StatusCode::NO_CONTENT
                    }
                }),
            )
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
        tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
        WebhookReceiver { url, secret, received, failing, refused }
    }

    /// Environment that points the publish worker at this receiver.
    pub fn env(&self) -> Vec<(String, String)> {
        vec![
            ("COPYDESK__PUBLISH__WEBHOOK__URL".to_string(), self.url.clone()),
            ("COPYDESK__PUBLISH__WEBHOOK__SECRET_ENV".to_string(), SECRET_ENV.to_string()),
            (SECRET_ENV.to_string(), self.secret.clone()),
        ]
    }

    /// Distinct delivery keys received.
    pub fn distinct(&self) -> usize {
        self.received.lock().expect("lock").len()
    }

    /// Every delivery received more than once, with its count.
    pub fn repeats(&self) -> Vec<(String, u32)> {
        self.received.lock().expect("lock").iter().filter(|(_, r)| r.count > 1).map(|(k, r)| (k.clone(), r.count)).collect()
    }
}

/// `story.published` events counted per (story id, version) for as long as it lives, read from
/// the namespace's published queue on a connection of its own (which recovers after a broker
/// restart).
pub struct EventTally {
    /// (story id, version) -> events seen.
    pub seen: Arc<Mutex<BTreeMap<(String, u64), u32>>>,
    task: tokio::task::JoinHandle<()>,
}

impl EventTally {
    /// Start consuming the namespace's published queue.
    pub async fn start(ns: &TestNamespace) -> EventTally {
        let conn = copydesk_runtime::broker::connect(&ns.settings.amqp, "test event tally").await.expect("tally connection");
        let queue = ns.names.published_queue();
        let seen: Arc<Mutex<BTreeMap<(String, u64), u32>>> = Arc::default();
        let seen2 = seen.clone();
        let channel = conn.create_channel().await.expect("tally channel");
        let mut consumer = channel
            .basic_consume(queue.into(), "test-tally".into(), BasicConsumeOptions::default(), FieldTable::default())
            .await
            .expect("consume published");
        let task = tokio::spawn(async move {
            let _conn = conn; // kept open for the task's life
            loop {
                match consumer.next().await {
                    Some(Ok(delivery)) => {
                        if let Ok(env) = Envelope::<StoryPublished>::from_json(&delivery.data) {
                            *seen2.lock().expect("lock").entry((env.payload.story_id.clone(), env.payload.version)).or_default() += 1;
                        }
                        let _ = delivery.ack(BasicAckOptions::default()).await;
                    }
                    Some(Err(error)) => {
                        // The broker went away: wait for lapin to reconnect and re-consume
                        // (bounded by its backoff; the test's own deadline bounds the rest).
                        if channel.wait_for_recovery(error).await.is_err() {
                            return;
                        }
                    }
                    None => return,
                }
            }
        });
        EventTally { seen, task }
    }

    /// Distinct (story, version) pairs seen.
    pub fn distinct(&self) -> usize {
        self.seen.lock().expect("lock").len()
    }

    /// Events seen in all.
    pub fn total(&self) -> u64 {
        self.seen.lock().expect("lock").values().map(|n| *n as u64).sum()
    }

    /// Every (story, version) seen more than once, with its count.
    pub fn repeats(&self) -> Vec<((String, u64), u32)> {
        self.seen.lock().expect("lock").iter().filter(|(_, n)| **n > 1).map(|(k, n)| (k.clone(), *n)).collect()
    }
}

impl Drop for EventTally {
    fn drop(&mut self) {
        self.task.abort();
    }
}
