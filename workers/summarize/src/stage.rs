//! The summarize stage as the worker runs it: every story's own article, and, when the event
//! desk is on, the story's place in an event and the event article written from every wire
//! that reported it.
//!
//! Per `story.extracted`:
//! - a usable story: its summary (`story.summarized`), then the clusterer assigns it to an
//!   event in the shared store, its text is kept as an event member, and each event the
//!   assignment touched (the one it joined, and any that repair took stories from) gets its
//!   article written again from all members, as a `story.summarized` of the event story
//!   `event/<event id>` whose version is the event's state version. An event article is
//!   written once the event holds copies from `events.min_sources` different sources, and kept
//!   up to date after that;
//! - a kill: passed on (publish retracts the story), and the story (and the one a kill notice
//!   refers to) leaves its event; the event article is written again without it, or, when
//!   nothing is left, killed too.
//!
//! Publish treats event stories like any other: versioned, stable slug, kills final.

use std::collections::HashSet;

use copydesk_events::{ClusterConfig, Clusterer, EventDoc, EventState, StoreEvents};
use copydesk_runtime::handler::{Handler, Incoming, Output};
use copydesk_runtime::{HandlerError, Outgoing};
use copydesk_store::Store;
use copydesk_types::{
    Entities, Envelope, PubStatus, Stage, Story, StoryExtracted, StorySummarized,
};
use serde::{Deserialize, Serialize};

use crate::{summarize_event, Engine, EventMember, SummarizeError, Summarizer};

/// The namespace of event stories.
pub const EVENT_NAMESPACE: &str = "event";

/// `[events]`: the event desk.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct EventsConfig {
    /// Cluster stories into events and write event articles.
    pub enabled: bool,
    /// Distinct sources an event needs before its article is written.
    pub min_sources: usize,
    /// The clusterer's parameters (`[events.cluster]`).
    pub cluster: ClusterConfig,
}

impl Default for EventsConfig {
    fn default() -> Self {
        EventsConfig {
            enabled: true,
            min_sources: 2,
            cluster: ClusterConfig::default(),
        }
    }
}

/// The clusterer on the shared store, and what writing event articles needs.
pub struct EventDesk {
    clusterer: Clusterer<StoreEvents>,
    store: Store,
    min_sources: usize,
}

impl EventDesk {
    /// An event desk on `store`.
    pub fn new(store: Store, config: &EventsConfig) -> EventDesk {
        EventDesk {
            clusterer: Clusterer::new(StoreEvents(store.clone()), config.cluster.clone()),
            store,
            min_sources: config.min_sources.max(1),
        }
    }

    /// Assign a usable story; the event articles to publish.
    pub async fn on_story(
        &self,
        story: &Story,
        entities: &Entities,
    ) -> Result<Vec<StorySummarized>, HandlerError> {
        let doc = EventDoc::from_story(story, entities);
        let assignment = self
            .clusterer
            .assign(&doc)
            .await
            .map_err(|e| HandlerError::Transient(e.to_string()))?;
        let payload = serde_json::to_string(&StoryExtracted {
            story: story.clone(),
            entities: entities.clone(),
        })
        .map_err(|e| HandlerError::Permanent(e.to_string()))?;
        self.store
            .put_event_member(&story.key(), &assignment.event_id, story.version, &payload)
            .await
            .map_err(store_error)?;
        let moved: Vec<String> = assignment
            .moved
            .iter()
            .map(|(story, _)| story.clone())
            .collect();
        self.store
            .move_event_members(&moved, &assignment.event_id)
            .await
            .map_err(store_error)?;
        let mut out = Vec::new();
        // The event as the clusterer just stored it: no need to read and parse it again.
        out.extend(self.article(&assignment.event_id, assignment.event).await?);
        let mut others: Vec<&String> = Vec::new();
        for (_, from) in &assignment.moved {
            if *from != assignment.event_id && !others.contains(&from) {
                others.push(from);
            }
        }
        for event in others {
            out.extend(self.article(event, None).await?);
        }
        Ok(out)
    }

    /// Take a killed story (and the story a kill notice refers to) out of its event; the event
    /// articles to publish or retract.
    pub async fn on_kill(&self, story: &Story) -> Result<Vec<StorySummarized>, HandlerError> {
        let mut keys = vec![story.key()];
        if let Some(target) = story
            .signals
            .refers_to
            .as_deref()
            .filter(|t| *t != story.guid)
        {
            keys.push(story.sibling_key(target));
        }
        let mut out = Vec::new();
        for key in keys {
            let left = self
                .clusterer
                .remove(&key)
                .await
                .map_err(|e| HandlerError::Transient(e.to_string()))?;
            self.store
                .drop_event_member(&key)
                .await
                .map_err(store_error)?;
            if let Some(event) = left {
                out.extend(self.article(&event, None).await?);
            }
        }
        Ok(out)
    }

    /// The event article of `event_id` as it stands: written when the event has enough
    /// sources (or already had an article), a kill when the event is gone, nothing otherwise.
    /// `known`: the event's state as just stored, if the caller has it (else it is read).
    async fn article(
        &self,
        event_id: &str,
        known: Option<EventState>,
    ) -> Result<Option<StorySummarized>, HandlerError> {
        let key = copydesk_types::story::key_of(EVENT_NAMESPACE, event_id);
        let ledger = self.store.ledger(&key).await.map_err(store_error)?;
        let published = ledger.published_version > 0;
        let kill = || kill_of(event_id, ledger.highest_version);
        let state: Option<EventState> = match known {
            Some(state) => Some(state),
            None => match self.store.event(event_id).await.map_err(store_error)? {
                Some(json) => Some(
                    serde_json::from_str(&json)
                        .map_err(|e| HandlerError::Permanent(format!("event {event_id}: {e}")))?,
                ),
                None => None,
            },
        };
        // Too few sources for a first article: known from the event state alone, without
        // reading every member's copy (a big single-source event would read them all per story).
        if let Some(state) = state.as_ref().filter(|_| !published) {
            let sources: HashSet<String> = state.members.iter().map(member_source).collect();
            if sources.len() < self.min_sources {
                return Ok(None);
            }
        }
        let members: Vec<StoryExtracted> = self
            .store
            .event_members(event_id)
            .await
            .map_err(store_error)?
            .iter()
            .filter_map(|json| serde_json::from_str(json).ok())
            .collect();
        let Some(state) = state.filter(|_| !members.is_empty()) else {
            return Ok(published.then(kill));
        };
        let sources: HashSet<String> = members.iter().map(|m| source_of(&m.story)).collect();
        if sources.len() < self.min_sources && !published {
            return Ok(None);
        }
        let views: Vec<EventMember<'_>> = members
            .iter()
            .map(|m| EventMember::new(&m.story, &m.entities))
            .collect();
        match summarize_event(&views) {
            Ok(summary) => Ok(Some(StorySummarized {
                story: event_story(event_id, state.version, &members, &summary.headline),
                entities: merged_entities(&members),
                summary: Some(summary),
            })),
            Err(SummarizeError::EmptyEvent { .. }) => Ok(published.then(kill)),
            Err(e) => Err(HandlerError::classify(e.is_transient(), e)),
        }
    }
}

/// [`source_of`] from an event member's record: its source, else the namespace its key starts
/// with. It never counts fewer sources than [`source_of`] would (a guid with a '/' and no
/// namespace can only add one).
fn member_source(m: &copydesk_events::Member) -> String {
    match &m.source {
        Some(s) => s.to_lowercase(),
        None => m
            .story_id
            .split_once('/')
            .map_or("", |(ns, _)| ns)
            .to_lowercase(),
    }
}

/// Who a member's copy came from: its provider, else its namespace.
fn source_of(story: &Story) -> String {
    story
        .source
        .clone()
        .unwrap_or_else(|| story.namespace.clone())
        .to_lowercase()
}

/// The story an event article is published as.
fn event_story(event_id: &str, version: u64, members: &[StoryExtracted], headline: &str) -> Story {
    let mut story = Story::new(
        event_id,
        headline,
        members
            .iter()
            .flat_map(|m| m.story.body.first().cloned())
            .collect(),
    );
    story.namespace = EVENT_NAMESPACE.into();
    story.version = version.max(1);
    story.source = Some("Copydesk".into());
    story.language = members.first().and_then(|m| m.story.language.clone());
    story.first_created = members
        .iter()
        .filter_map(|m| m.story.first_created.or(m.story.version_created))
        .min();
    story.version_created = members
        .iter()
        .filter_map(|m| m.story.version_created.or(m.story.first_created))
        .max();
    story.format = copydesk_types::SourceFormat::StoryJson;
    story
}

/// What extract found in all members, for the published document.
fn merged_entities(members: &[StoryExtracted]) -> Entities {
    let mut merged = Entities {
        engine: "event".into(),
        ..Entities::default()
    };
    for m in members {
        for name in &m.entities.sources_cited {
            if !merged.sources_cited.contains(name) {
                merged.sources_cited.push(name.clone());
            }
        }
        for cited in &m.entities.cited {
            if !merged.cited.iter().any(|c| c.name == cited.name) {
                merged.cited.push(cited.clone());
            }
        }
    }
    merged
}

/// A kill of an event story, at the highest version publish has seen of it.
fn kill_of(event_id: &str, version: u64) -> StorySummarized {
    let mut story = Story::new(event_id, "", Vec::new());
    story.namespace = EVENT_NAMESPACE.into();
    story.pub_status = PubStatus::Canceled;
    story.version = version.max(1);
    StorySummarized {
        story,
        entities: Entities::default(),
        summary: None,
    }
}

fn store_error(e: copydesk_store::StoreError) -> HandlerError {
    HandlerError::classify(e.is_transient(), e)
}

/// The summarize stage: the engine, the events exchange, and the event desk when it is on.
pub struct SummarizeStage {
    engine: std::sync::Arc<Engine>,
    exchange: String,
    events: Option<EventDesk>,
}

impl SummarizeStage {
    /// A stage writing with `engine`, publishing on `exchange`, with an optional event desk.
    pub fn new(
        engine: std::sync::Arc<Engine>,
        exchange: String,
        events: Option<EventDesk>,
    ) -> Self {
        SummarizeStage {
            engine,
            exchange,
            events,
        }
    }

    fn message(&self, msg: StorySummarized, attempt: u32) -> Outgoing {
        Outgoing::event(&self.exchange, &Envelope::new(msg, attempt))
    }
}

impl Handler for SummarizeStage {
    const STAGE: Stage = Stage::Summarize;
    type Input = Envelope<StoryExtracted>;
    type Receipt = ();

    fn decode(&self, incoming: &Incoming) -> Result<Self::Input, String> {
        Envelope::<StoryExtracted>::from_json(&incoming.body).map_err(|e| e.to_string())
    }

    fn describe(&self, input: &Self::Input) -> (String, u64) {
        (input.story_id.clone(), input.story_version)
    }

    async fn handle(
        &self,
        input: Self::Input,
        incoming: &Incoming,
    ) -> Result<Output, HandlerError> {
        let StoryExtracted { story, entities } = input.payload;
        let mut out = Output::none();
        let events = if story.is_kill() {
            let events = match &self.events {
                Some(desk) => desk.on_kill(&story).await?,
                None => Vec::new(),
            };
            out.push(
                self.message(
                    StorySummarized {
                        story,
                        entities,
                        summary: None,
                    },
                    incoming.attempt,
                ),
                None,
            );
            events
        } else {
            let summary = self
                .engine
                .summarize(&story, &entities)
                .await
                .map_err(|e| HandlerError::classify(e.is_transient(), &e))?;
            let events = match &self.events {
                Some(desk) => desk.on_story(&story, &entities).await?,
                None => Vec::new(),
            };
            out.push(
                self.message(
                    StorySummarized {
                        story,
                        entities,
                        summary: Some(summary),
                    },
                    incoming.attempt,
                ),
                None,
            );
            events
        };
        for event in events {
            out.push(self.message(event, incoming.attempt), None);
        }
        Ok(out)
    }
}
