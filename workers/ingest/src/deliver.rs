//! The path every source shares after parsing: drop duplicates, submit, then record.
//!
//! Recording happens only after the sink confirmed the batch, so a crash in between re-delivers
//! (at-least-once) rather than losing a story.

use std::sync::atomic::AtomicU64;
use std::sync::{Mutex, MutexGuard};

use copydesk_types::Story;

use crate::dedup::{BatchCheck, DedupStore, SharedDedup, Verdict};
use crate::{IngestStats, Parsed, SinkError, StorySink};

/// Parsed items sorted into what goes downstream and what does not.
#[derive(Debug, Default)]
pub struct Triage {
    /// Stories to submit, in document order.
    pub stories: Vec<Story>,
    /// How many of `stories` are updates of a story already ingested.
    pub updates: u64,
    /// Items dropped as duplicates: (guid, reason).
    pub duplicates: Vec<(String, String)>,
    /// Non-story items: (id, reason).
    pub skipped: Vec<(Option<String>, String)>,
}

/// Lock the dedup store, surviving a poisoned lock (the store holds no invariant a panic breaks).
pub fn lock(dedup: &Mutex<DedupStore>) -> MutexGuard<'_, DedupStore> {
    dedup.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Sort parsed items against the dedup store (and against each other).
pub fn triage(items: Vec<Parsed>, dedup: &SharedDedup) -> Triage {
    let store = lock(dedup);
    let mut batch = BatchCheck::default();
    let mut t = Triage::default();
    for item in items {
        match item {
            Parsed::Skipped { id, reason } => t.skipped.push((id, reason)),
            Parsed::Story(s) => match batch.check(&store, &s) {
                Verdict::Duplicate { reason } => t.duplicates.push((s.guid, reason)),
                Verdict::Update { .. } => {
                    t.updates += 1;
                    t.stories.push(s);
                }
                Verdict::New => t.stories.push(s),
            },
        }
    }
    t
}

/// Submit the triaged stories, then record them and count everything; returns the story ids.
pub async fn deliver(
    t: Triage,
    sink: &dyn StorySink,
    dedup: &SharedDedup,
    stats: &IngestStats,
    origin: &str,
) -> Result<Vec<String>, SinkError> {
    for (guid, reason) in &t.duplicates {
        tracing::info!(origin, story.id = %guid, reason = %reason, "duplicate dropped");
    }
    for (id, reason) in &t.skipped {
        tracing::info!(origin, story.id = id.as_deref().unwrap_or("-"), reason = %reason, "item skipped");
    }
    let ids: Vec<String> = t.stories.iter().map(|s| s.guid.clone()).collect();
    let kills = t.stories.iter().filter(|s| s.is_kill()).count() as u64;
    if !t.stories.is_empty() {
        sink.submit(t.stories.clone()).await?;
        let mut store = lock(dedup);
        for s in &t.stories {
            if let Err(e) = store.record(s) {
                // The story is delivered; only its memory is lost, so a later copy may pass again.
                tracing::error!(story.id = %s.guid, error = %e, "could not record story in dedup state");
            }
        }
    }
    for s in &t.stories {
        tracing::info!(origin, story.id = %s.guid, story.version = s.version, format = s.format.as_str(), "story ingested");
    }
    let add = |c: &AtomicU64, n: u64| IngestStats::add(c, n);
    add(&stats.stories, ids.len() as u64);
    add(&stats.updates, t.updates);
    add(&stats.kills, kills);
    add(&stats.duplicates, t.duplicates.len() as u64);
    add(&stats.skipped, t.skipped.len() as u64);
    Ok(ids)
}
