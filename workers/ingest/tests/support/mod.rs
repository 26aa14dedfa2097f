//! Shared test helpers: an in-memory delivery that can be told to fail, and a stage on a real
//! SQLite store in a temp folder.

#![allow(dead_code)]

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use copydesk_ingest::stage::{Deliver, Delivered, IngestStage, Receipt};
use copydesk_ingest::{IngestConfig, IngestStats};
use copydesk_runtime::Output;
use copydesk_store::{Store, StoreConfig};
use copydesk_types::{Envelope, Story, StoryIngested};
use futures::future::BoxFuture;

/// Collects delivered stories; fails while `failing` is set; with `confirm_only` set, confirms
/// only that many messages of each batch (a broker lost mid-batch).
#[derive(Default)]
pub struct MemoryDeliver {
    pub stories: Mutex<Vec<Story>>,
    pub failing: AtomicBool,
    pub confirm_only: Mutex<Option<usize>>,
    pub calls: AtomicUsize,
}

impl MemoryDeliver {
    pub fn taken(&self) -> Vec<Story> {
        self.stories.lock().expect("lock").clone()
    }
}

impl Deliver for MemoryDeliver {
    fn deliver(&self, output: Output<Receipt>) -> BoxFuture<'_, Delivered> {
        Box::pin(async move {
            self.calls.fetch_add(1, Ordering::SeqCst);
            if self.failing.load(Ordering::SeqCst) {
                return Delivered { confirmed: vec![], error: Some(("broker down (test)".into(), false)) };
            }
            let limit = self.confirm_only.lock().expect("lock").unwrap_or(usize::MAX);
            let total = output.emits.len();
            let mut confirmed = Vec::new();
            for emit in output.emits.into_iter().take(limit) {
                let envelope = Envelope::<StoryIngested>::from_json(&emit.message.body).expect("a story.ingested envelope");
                self.stories.lock().expect("lock").push(envelope.payload.story);
                confirmed.extend(emit.receipt);
            }
            let error = (limit < total).then(|| ("connection lost mid-batch (test)".to_string(), false));
            Delivered { confirmed, error }
        })
    }
}

/// A stage on a fresh SQLite store in `dir`.
pub async fn stage(dir: &std::path::Path, config: IngestConfig) -> (IngestStage, Arc<IngestStats>) {
    let store = Store::open(&StoreConfig::sqlite(dir.join("state.db"))).await.expect("store");
    let stats = Arc::new(IngestStats::default());
    (IngestStage::new(config, store, "t.events".into(), 15 * 1024 * 1024, stats.clone()), stats)
}

/// Wait (bounded) until `cond` holds, re-checking every few milliseconds; panics with `what` on timeout.
pub async fn wait_until(what: &str, mut cond: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
    while !cond() {
        assert!(tokio::time::Instant::now() < deadline, "timed out waiting for: {what}");
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
}

/// [`wait_until`] for an asynchronous condition.
pub async fn wait_until_async<F, Fut>(what: &str, mut cond: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
    while !cond().await {
        assert!(tokio::time::Instant::now() < deadline, "timed out waiting for: {what}");
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
}
