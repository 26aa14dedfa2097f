//! Every broker name in one place. All exchange and queue names are prefixed by the configured
//! namespace (`amqp.namespace`, default `copydesk`) so several pipelines, and every test, can share
//! one broker.

use crate::envelope::Stage;

/// Routing key of raw documents sent to ingest (`copydesk ingest`, the push endpoint).
pub const RK_DOCUMENT_RECEIVED: &str = "document.received";
/// Routing key of [`crate::StoryIngested`].
pub const RK_STORY_INGESTED: &str = "story.ingested";
/// Routing key of [`crate::StoryExtracted`].
pub const RK_STORY_EXTRACTED: &str = "story.extracted";
/// Routing key of [`crate::StorySummarized`].
pub const RK_STORY_SUMMARIZED: &str = "story.summarized";
/// Routing key of [`crate::StoryPublished`].
pub const RK_STORY_PUBLISHED: &str = "story.published";

/// Header: how many times this message has been attempted by its stage (1 on first delivery).
pub const H_ATTEMPT: &str = "x-copydesk-attempt";
/// Header: the stage a dead-lettered message failed in.
pub const H_STAGE: &str = "x-copydesk-stage";
/// Header: `transient`, `permanent`, `undecodable`, `panic` or `retries-exhausted`.
pub const H_ERROR_CLASS: &str = "x-copydesk-error-class";
/// Header: the error message.
pub const H_ERROR: &str = "x-copydesk-error";
/// Header: RFC 3339 time the message was dead-lettered.
pub const H_FAILED_AT: &str = "x-copydesk-failed-at";
/// Header: the routing key the message originally carried.
pub const H_ORIGINAL_ROUTING_KEY: &str = "x-copydesk-original-routing-key";
/// Header: the file name of a raw document.
pub const H_FILENAME: &str = "x-copydesk-filename";
/// Header: how many times an operator has replayed this message from a dead-letter queue.
pub const H_REPLAYS: &str = "x-copydesk-replays";

/// Broker names of one pipeline, derived from its namespace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Names {
    /// The namespace every name starts with.
    pub namespace: String,
}

impl Names {
    /// Names for a namespace.
    pub fn new(namespace: impl Into<String>) -> Self {
        Names {
            namespace: namespace.into(),
        }
    }

    /// The topic exchange every event is published to.
    pub fn events_exchange(&self) -> String {
        format!("{}.events", self.namespace)
    }

    /// The work queue a stage consumes.
    pub fn stage_queue(&self, stage: Stage) -> String {
        format!("{}.{}", self.namespace, stage.as_str())
    }

    /// A stage's delayed-retry queue for one delay tier (a quorum queue whose expired messages
    /// dead-letter back to the work queue at least once).
    pub fn retry_queue(&self, stage: Stage, tier: usize) -> String {
        format!("{}.{}.delay.{}", self.namespace, stage.as_str(), tier)
    }

    /// The classic-queue retry tier of versions before the quorum tiers; `copydesk topology
    /// migrate` moves what waits there and deletes it.
    pub fn legacy_retry_queue(&self, stage: Stage, tier: usize) -> String {
        format!("{}.{}.retry.{}", self.namespace, stage.as_str(), tier)
    }

    /// A stage's dead-letter queue.
    pub fn dead_letter_queue(&self, stage: Stage) -> String {
        format!("{}.{}.dlq", self.namespace, stage.as_str())
    }

    /// The queue that keeps the `story.published` events, for progress and audit.
    pub fn published_queue(&self) -> String {
        format!("{}.published", self.namespace)
    }
}

/// Header: the story guid of a dead-lettered message, when it could be decoded.
pub const H_STORY_ID: &str = "x-copydesk-story-id";
/// Header: the story version of a dead-lettered message, when it could be decoded.
pub const H_STORY_VERSION: &str = "x-copydesk-story-version";
