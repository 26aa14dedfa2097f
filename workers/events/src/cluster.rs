//! The online clusterer: each story, as it arrives, joins the event it fits best or opens a
//! new one; then stories of neighbouring events that now fit the chosen event better move to
//! it (repair). Every change is one compare-and-set [`Commit`]; on a conflict the assignment
//! is read and decided again.

use crate::doc::EventDoc;
use crate::score::{score_event, Repair};
use crate::state::{EventState, Member};
use crate::store::{Commit, EventStore, EventWrite, StoreError};
use crate::text::DocTerms;
use crate::vector::tfidf;
use serde::{Deserialize, Serialize};

/// The clusterer's parameters (`[events.cluster]` in the summarize stage's config). Each is
/// explained in the README.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClusterConfig {
    /// A story joins the best event when its score (average similarity to the members) is at
    /// least this; otherwise it opens a new event.
    pub threshold: f32,
    /// Weight of entity-name similarity next to key-term similarity (key terms weigh 1).
    pub entity_weight: f32,
    /// Subtracted from the score when the story's protagonist is not the event's (two arrests,
    /// two players, two victims: the same topic, a different event).
    pub conflict_penalty: f32,
    /// Subtracted from the score when the story names places and none of them is one of the
    /// event's key places (two shop raids in two towns, two navy actions off two coasts).
    pub place_penalty: f32,
    /// Only events with a dated member within this many days of the story are candidates.
    pub window_days: i64,
    /// Move stories of neighbouring events to the chosen event when they fit it better.
    pub repair: bool,
}

impl Default for ClusterConfig {
    fn default() -> Self {
        ClusterConfig {
            threshold: 0.14,
            entity_weight: 0.3,
            conflict_penalty: 0.1,
            place_penalty: 0.03,
            window_days: 30,
            repair: true,
        }
    }
}

/// How many of the best-scoring other events repair looks into.
pub const REPAIR_NEIGHBOURS: usize = 3;
/// How often an assignment is redone after compare-and-set conflicts before giving up.
pub const MAX_ATTEMPTS: u32 = 12;

/// Where a story went.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assignment {
    /// The event now holding the story.
    pub event_id: String,
    /// What happened.
    pub outcome: Outcome,
    /// The winning score (for a join), or the best score seen (for a new event).
    pub score: Option<f32>,
    /// Stories moved from other events into this one by repair: `(story id, from event)`.
    pub moved: Vec<(String, String)>,
    /// The event holding the story as this assignment left it in the store (with its stored
    /// version), so a caller need not read it back. Not serialised.
    #[serde(skip)]
    pub event: Option<EventState>,
}

/// What an assignment did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// The story joined an existing event.
    Joined,
    /// The story opened a new event.
    Opened,
    /// A known story id (a new version, a correction) stayed in its event.
    Updated,
}

/// What assigning can fail with.
#[derive(Debug, thiserror::Error)]
pub enum EventsError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Other writers kept changing the same events.
    #[error("story {story_id}: events kept changing during {attempts} attempts; retry the message later")]
    Contended {
        /// The story.
        story_id: String,
        /// Attempts made.
        attempts: u32,
    },
}

impl EventsError {
    /// True when retrying the message later may succeed (always, for these errors).
    pub fn is_transient(&self) -> bool {
        true
    }
}

/// The online clusterer over a store.
pub struct Clusterer<S> {
    store: S,
    cfg: ClusterConfig,
}

/// Pauses between attempts after another writer changed the same events: jittered and growing,
/// so replicas that keep colliding on alike stories (a burst of one agency's copy) fall out of
/// step instead of retrying in lockstep until the attempts run out.
fn conflict_backoff() -> impl Iterator<Item = std::time::Duration> {
    use backon::BackoffBuilder;
    backon::ExponentialBuilder::default()
        .with_min_delay(std::time::Duration::from_millis(5))
        .with_max_delay(std::time::Duration::from_millis(250))
        .with_jitter()
        .without_max_times()
        .build()
}

async fn wait_after_conflict(pause: &mut impl Iterator<Item = std::time::Duration>) {
    if let Some(d) = pause.next() {
        if tokio::runtime::Handle::try_current().is_ok() {
            tokio::time::sleep(d).await;
        } else {
            // Outside tokio (an evaluation driven by a plain executor): a short blocking pause.
            std::thread::sleep(d);
        }
    }
}

impl<S: EventStore> Clusterer<S> {
    /// A clusterer with its state in `store`.
    pub fn new(store: S, cfg: ClusterConfig) -> Self {
        Clusterer { store, cfg }
    }

    /// The store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// The configuration.
    pub fn config(&self) -> &ClusterConfig {
        &self.cfg
    }

    /// Assign one story; idempotent for a (story id, version) seen before.
    pub async fn assign(&self, doc: &EventDoc) -> Result<Assignment, EventsError> {
        let terms = DocTerms::of(doc);
        let mut pause = conflict_backoff();
        for _ in 0..MAX_ATTEMPTS {
            match self.try_assign(doc, &terms).await {
                Err(StoreError::Conflict(_)) => wait_after_conflict(&mut pause).await,
                other => return other.map_err(EventsError::from),
            }
        }
        Err(EventsError::Contended {
            story_id: doc.id.clone(),
            attempts: MAX_ATTEMPTS,
        })
    }

    /// Take a story out of its event (a kill): the event loses the member, and is deleted when
    /// it was the last one. Returns the event it left, or `None` for an unknown story.
    pub async fn remove(&self, story_id: &str) -> Result<Option<String>, EventsError> {
        let mut pause = conflict_backoff();
        for _ in 0..MAX_ATTEMPTS {
            let Some(mut event) = self.store.event_of(story_id).await? else {
                return Ok(None);
            };
            event.members.retain(|m| m.story_id != story_id);
            let id = event.id.clone();
            let write = if event.members.is_empty() {
                EventWrite::Delete {
                    id: id.clone(),
                    expected: event.version,
                }
            } else {
                EventWrite::Put {
                    expected: event.version,
                    state: event,
                }
            };
            match self
                .store
                .commit(Commit {
                    writes: vec![write],
                    new_doc_terms: None,
                })
                .await
            {
                Err(StoreError::Conflict(_)) => wait_after_conflict(&mut pause).await,
                other => return other.map(|()| Some(id)).map_err(EventsError::from),
            }
        }
        Err(EventsError::Contended {
            story_id: story_id.to_string(),
            attempts: MAX_ATTEMPTS,
        })
    }

    async fn try_assign(&self, doc: &EventDoc, terms: &DocTerms) -> Result<Assignment, StoreError> {
        let ids: Vec<u64> = terms.body.iter().chain(&terms.ents).map(|p| p.0).collect();
        let (n, dfs) = self.store.doc_freqs(&ids).await?;
        let df: std::collections::HashMap<u64, u64> = ids.iter().copied().zip(dfs).collect();
        let member = member_of(doc, terms, n, &df);
        if let Some(event) = self.store.event_of(&doc.id).await? {
            return self.update(event, member).await;
        }
        let window = chrono::Duration::days(self.cfg.window_days);
        let mut scored: Vec<(f32, EventState)> = self
            .store
            .candidates(doc.published, window, &member.lookup_keys())
            .await?
            .into_iter()
            .map(|e| (score_event(&member, terms, &e, &self.cfg), e))
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.id.cmp(&b.1.id)));
        let best = scored.first().map(|s| s.0);
        let (mut target, outcome) = match best {
            Some(s) if s >= self.cfg.threshold => {
                let (_, mut e) = scored.remove(0);
                e.members.push(member);
                (e, Outcome::Joined)
            }
            _ => (EventState::open(member), Outcome::Opened),
        };
        let mut writes = Vec::new();
        let mut moved = Vec::new();
        if self.cfg.repair {
            let mut repair = Repair::new(&target, &self.cfg);
            for (_, mut source) in scored.into_iter().take(REPAIR_NEIGHBOURS) {
                let gone = repair.pull(&mut source, &mut target);
                if gone.is_empty() {
                    continue;
                }
                moved.extend(gone.into_iter().map(|id| (id, source.id.clone())));
                writes.push(if source.members.is_empty() {
                    EventWrite::Delete {
                        id: source.id.clone(),
                        expected: source.version,
                    }
                } else {
                    EventWrite::Put {
                        expected: source.version,
                        state: source,
                    }
                });
            }
        }
        target.trim_compared();
        let event_id = target.id.clone();
        let mut stored = target.clone();
        stored.version = target.version + 1;
        writes.insert(
            0,
            EventWrite::Put {
                expected: target.version,
                state: target,
            },
        );
        self.store
            .commit(Commit {
                writes,
                new_doc_terms: Some(ids),
            })
            .await?;
        Ok(Assignment {
            event_id,
            outcome,
            score: best,
            moved,
            event: Some(stored),
        })
    }

    async fn update(
        &self,
        mut event: EventState,
        member: Member,
    ) -> Result<Assignment, StoreError> {
        let event_id = event.id.clone();
        let Some(slot) = event
            .members
            .iter_mut()
            .find(|m| m.story_id == member.story_id)
        else {
            return Err(StoreError::Backend(format!(
                "story {} is indexed to event {event_id} but not among its members; repair the store index",
                member.story_id
            )));
        };
        if member.version > slot.version {
            *slot = member;
            event.trim_compared();
            let expected = event.version;
            self.store
                .commit(Commit {
                    writes: vec![EventWrite::Put {
                        expected,
                        state: event.clone(),
                    }],
                    new_doc_terms: None,
                })
                .await?;
            event.version = expected + 1;
        }
        Ok(Assignment {
            event_id,
            outcome: Outcome::Updated,
            score: None,
            moved: Vec::new(),
            event: Some(event),
        })
    }
}

/// The member record of a document: its vectors weighted by the document frequencies so far
/// (the document itself counted).
fn member_of(
    doc: &EventDoc,
    terms: &DocTerms,
    n: u64,
    df: &std::collections::HashMap<u64, u64>,
) -> Member {
    let df_of = |t: u64| df.get(&t).copied().unwrap_or(0) + 1;
    Member {
        story_id: doc.id.clone(),
        version: doc.version,
        title: doc.title.clone(),
        source: doc.source.clone(),
        published: doc.published,
        body: tfidf(&terms.body, n + 1, df_of),
        ents: tfidf(&terms.ents, n + 1, df_of),
        persons: terms.persons.clone(),
        places: terms.places.clone(),
    }
}
