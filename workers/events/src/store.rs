//! Where event state lives: the [`EventStore`] trait and [`MemoryStore`], the in-memory
//! implementation used by evaluation and tests.
//!
//! The contract is small so a SQL store (one row per event holding [`EventState`] as JSON, a
//! story-to-event index, and a document-frequency table) implements it directly:
//! - reads are plain ([`EventStore::candidates`], [`EventStore::event_of`],
//!   [`EventStore::doc_freqs`]);
//! - every change goes through one atomic [`EventStore::commit`] that writes each touched event
//!   only if its stored version is still the one the clusterer read (compare-and-set), and adds
//!   the new story's terms to the document frequencies in the same transaction. When any
//!   version moved, nothing is written and [`StoreError::Conflict`] tells the clusterer to read
//!   again and redo the assignment.

use crate::state::EventState;
use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;
use std::future::Future;
use std::sync::Mutex;

/// What a store can fail with.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// An event changed since it was read; redo the assignment.
    #[error("event {0} changed since it was read (compare-and-set failed); retry the assignment")]
    Conflict(String),
    /// The backing store failed.
    #[error("event store failed: {0}")]
    Backend(String),
}

impl StoreError {
    /// True when retrying may help.
    pub fn is_transient(&self) -> bool {
        true
    }
}

/// One event write inside a [`Commit`].
#[derive(Debug, Clone, PartialEq)]
pub enum EventWrite {
    /// Store this state if the stored version is `expected` (0: the event must not exist yet).
    /// The store saves it with version `expected + 1`.
    Put {
        /// The version read (0 for a new event).
        expected: u64,
        /// The new state (its `version` field is ignored; the store sets it).
        state: EventState,
    },
    /// Remove an event that lost its last member, if the stored version is `expected`.
    Delete {
        /// The event id.
        id: String,
        /// The version read.
        expected: u64,
    },
}

/// Everything one assignment changes, applied atomically.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Commit {
    /// The touched events.
    pub writes: Vec<EventWrite>,
    /// Terms of a newly seen story, counted once into the document frequencies (and the
    /// document into the document count). `None` for an update of a known story.
    pub new_doc_terms: Option<Vec<u64>>,
}

/// Event state shared by every replica of the clusterer.
pub trait EventStore: Send + Sync {
    /// Events that may take a story published at `at`: those with a dated member within
    /// `window` of `at`, and those with no dated member (`at = None`: any time), that share one
    /// of `keys` (the story's [`crate::Member::lookup_keys`]) with their
    /// [`EventState::keys`]; events without keys always qualify. Empty `keys`: every event in
    /// the window.
    fn candidates(
        &self,
        at: Option<DateTime<Utc>>,
        window: Duration,
        keys: &[u64],
    ) -> impl Future<Output = Result<Vec<EventState>, StoreError>> + Send;

    /// The event that holds a story id, if any.
    fn event_of(
        &self,
        story_id: &str,
    ) -> impl Future<Output = Result<Option<EventState>, StoreError>> + Send;

    /// The number of documents counted so far and the document frequency of each term.
    fn doc_freqs(
        &self,
        terms: &[u64],
    ) -> impl Future<Output = Result<(u64, Vec<u64>), StoreError>> + Send;

    /// Apply a commit atomically, or fail with [`StoreError::Conflict`] and change nothing.
    fn commit(&self, commit: Commit) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// An in-memory [`EventStore`] behind one mutex: for evaluation, tests and single-process use.
#[derive(Debug, Default)]
pub struct MemoryStore {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    events: HashMap<String, EventState>,
    /// Each event's [`EventState::keys`], as of its last write.
    keys: HashMap<String, Vec<u64>>,
    story_event: HashMap<String, String>,
    df: HashMap<u64, u64>,
    docs: u64,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    /// Every event, sorted by id (for reports and tests).
    pub fn events(&self) -> Vec<EventState> {
        let mut v: Vec<EventState> = self.lock().events.values().cloned().collect();
        v.sort_by(|a, b| a.id.cmp(&b.id));
        v
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding the lock cannot leave half a commit behind (commit checks
        // everything before writing), so the data is still consistent.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn in_window(e: &EventState, at: Option<DateTime<Utc>>, window: Duration) -> bool {
    match (at, e.span()) {
        (Some(t), Some((lo, hi))) => t >= lo - window && t <= hi + window,
        _ => true,
    }
}

impl EventStore for MemoryStore {
    fn candidates(
        &self,
        at: Option<DateTime<Utc>>,
        window: Duration,
        keys: &[u64],
    ) -> impl Future<Output = Result<Vec<EventState>, StoreError>> + Send {
        let inner = self.lock();
        let shares = |e: &EventState| {
            let own = inner.keys.get(&e.id).map(Vec::as_slice).unwrap_or(&[]);
            keys.is_empty() || own.is_empty() || own.iter().any(|k| keys.binary_search(k).is_ok())
        };
        let mut v: Vec<EventState> = inner
            .events
            .values()
            .filter(|e| in_window(e, at, window) && shares(e))
            .cloned()
            .collect();
        v.sort_by(|a, b| a.id.cmp(&b.id));
        std::future::ready(Ok(v))
    }

    fn event_of(
        &self,
        story_id: &str,
    ) -> impl Future<Output = Result<Option<EventState>, StoreError>> + Send {
        let inner = self.lock();
        let e = inner
            .story_event
            .get(story_id)
            .and_then(|id| inner.events.get(id))
            .cloned();
        std::future::ready(Ok(e))
    }

    fn doc_freqs(
        &self,
        terms: &[u64],
    ) -> impl Future<Output = Result<(u64, Vec<u64>), StoreError>> + Send {
        let inner = self.lock();
        let df = terms
            .iter()
            .map(|t| inner.df.get(t).copied().unwrap_or(0))
            .collect();
        std::future::ready(Ok((inner.docs, df)))
    }

    fn commit(&self, commit: Commit) -> impl Future<Output = Result<(), StoreError>> + Send {
        let mut inner = self.lock();
        std::future::ready(apply(&mut inner, commit))
    }
}

fn apply(inner: &mut Inner, commit: Commit) -> Result<(), StoreError> {
    for w in &commit.writes {
        let (id, expected) = match w {
            EventWrite::Put { expected, state } => (&state.id, *expected),
            EventWrite::Delete { id, expected } => (id, *expected),
        };
        let stored = inner.events.get(id).map_or(0, |e| e.version);
        if stored != expected {
            return Err(StoreError::Conflict(id.clone()));
        }
    }
    for w in commit.writes {
        match w {
            EventWrite::Put {
                expected,
                mut state,
            } => {
                state.version = expected + 1;
                // Stories that left this event (a kill) no longer point at it; moved ones are
                // re-pointed by the target's write.
                let keep: std::collections::HashSet<&str> =
                    state.members.iter().map(|m| m.story_id.as_str()).collect();
                inner
                    .story_event
                    .retain(|s, e| *e != state.id || keep.contains(s.as_str()));
                for m in &state.members {
                    inner
                        .story_event
                        .insert(m.story_id.clone(), state.id.clone());
                }
                inner.keys.insert(state.id.clone(), state.keys());
                inner.events.insert(state.id.clone(), state);
            }
            EventWrite::Delete { id, .. } => {
                inner.events.remove(&id);
                inner.keys.remove(&id);
                inner.story_event.retain(|_, e| *e != id);
            }
        }
    }
    if let Some(terms) = commit.new_doc_terms {
        inner.docs += 1;
        for t in terms {
            *inner.df.entry(t).or_default() += 1;
        }
    }
    Ok(())
}
