//! [`EventStore`] on the shared state store (`copydesk-store`: SQLite on one host, PostgreSQL
//! across hosts), so every summarize replica clusters against the same events. Event states
//! travel as JSON; the compare-and-set and the one-transaction commit are the store's.

use crate::state::EventState;
use crate::store::{Commit, EventStore, EventWrite, StoreError};
use chrono::{DateTime, Duration, Utc};
use copydesk_store::{EventCommit, EventRow, Store};
use std::future::Future;

/// The shared store, seen as an [`EventStore`].
#[derive(Clone, Debug)]
pub struct StoreEvents(pub Store);

/// Most events a story is compared with: those in its time window that share the most of its
/// key terms (then the most recently active). Without a bound, a month of a busy wire would
/// load thousands of events per story.
pub const MAX_CANDIDATES: u32 = 300;

fn backend(e: copydesk_store::StoreError) -> StoreError {
    StoreError::Backend(e.to_string())
}

fn parse(json: &str) -> Result<EventState, StoreError> {
    serde_json::from_str(json).map_err(|e| {
        StoreError::Backend(format!(
            "an event state does not read back ({e}); was it written by a newer version?"
        ))
    })
}

impl EventStore for StoreEvents {
    fn candidates(
        &self,
        at: Option<DateTime<Utc>>,
        window: Duration,
        keys: &[u64],
    ) -> impl Future<Output = Result<Vec<EventState>, StoreError>> + Send {
        let keys = keys.to_vec();
        async move {
            let bounds = at.map(|t| {
                (
                    (t - window).timestamp_millis(),
                    (t + window).timestamp_millis(),
                )
            });
            let rows = self
                .0
                .event_candidates(bounds, &keys, MAX_CANDIDATES)
                .await
                .map_err(backend)?;
            rows.iter().map(|json| parse(json)).collect()
        }
    }

    fn event_of(
        &self,
        story_id: &str,
    ) -> impl Future<Output = Result<Option<EventState>, StoreError>> + Send {
        async move {
            match self.0.event_of_story(story_id).await.map_err(backend)? {
                Some(json) => parse(&json).map(Some),
                None => Ok(None),
            }
        }
    }

    fn doc_freqs(
        &self,
        terms: &[u64],
    ) -> impl Future<Output = Result<(u64, Vec<u64>), StoreError>> + Send {
        async move { self.0.event_doc_freqs(terms).await.map_err(backend) }
    }

    fn commit(&self, commit: Commit) -> impl Future<Output = Result<(), StoreError>> + Send {
        async move {
            let mut rows = Vec::with_capacity(commit.writes.len());
            for write in &commit.writes {
                rows.push(match write {
                    EventWrite::Put { expected, state } => {
                        let mut stored = state.clone();
                        stored.version = expected + 1;
                        EventRow::Put {
                            id: stored.id.clone(),
                            expected: *expected,
                            state: serde_json::to_string(&stored)
                                .map_err(|e| StoreError::Backend(e.to_string()))?,
                            members: stored.members.iter().map(|m| m.story_id.clone()).collect(),
                            span: stored
                                .span()
                                .map(|(lo, hi)| (lo.timestamp_millis(), hi.timestamp_millis())),
                            keys: stored.keys(),
                        }
                    }
                    EventWrite::Delete { id, expected } => EventRow::Delete {
                        id: id.clone(),
                        expected: *expected,
                    },
                });
            }
            let event_commit = EventCommit {
                rows,
                new_doc_terms: commit.new_doc_terms.clone(),
            };
            let first = commit.writes.first().map(|w| match w {
                EventWrite::Put { state, .. } => state.id.clone(),
                EventWrite::Delete { id, .. } => id.clone(),
            });
            if self.0.event_commit(&event_commit).await.map_err(backend)? {
                Ok(())
            } else {
                Err(StoreError::Conflict(first.unwrap_or_default()))
            }
        }
    }
}
