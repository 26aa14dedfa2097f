//! Shared test helpers: an in-memory sink that can be told to fail.

#![allow(dead_code)]

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use copydesk_ingest::{SinkError, StorySink};
use copydesk_types::Story;
use futures::future::BoxFuture;
use tokio::sync::Notify;

/// Collects submitted stories; fails while `failing` is set.
#[derive(Default)]
pub struct MemorySink {
    pub stories: Mutex<Vec<Story>>,
    pub failing: AtomicBool,
    pub calls: Notify,
}

impl MemorySink {
    pub fn taken(&self) -> Vec<Story> {
        self.stories.lock().expect("lock").clone()
    }
}

impl StorySink for MemorySink {
    fn submit(&self, stories: Vec<Story>) -> BoxFuture<'_, Result<(), SinkError>> {
        Box::pin(async move {
            let result = if self.failing.load(Ordering::SeqCst) {
                Err(SinkError("broker down (test)".into()))
            } else {
                self.stories.lock().expect("lock").extend(stories);
                Ok(())
            };
            self.calls.notify_waiters();
            result
        })
    }
}

/// Wait (bounded) until `cond` holds, re-checking every few milliseconds; panics with `what` on timeout.
pub async fn wait_until(what: &str, mut cond: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
    while !cond() {
        assert!(tokio::time::Instant::now() < deadline, "timed out waiting for: {what}");
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
}
