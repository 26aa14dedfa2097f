//! The envelope every message travels in, the stages, and the stage payloads.

use crate::{Entities, Story, Summary};
use chrono::{DateTime, Utc};
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use uuid::Uuid;

/// Version of the envelope and payload schema; bumped on incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

/// The four pipeline stages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    /// Reads wire formats and feeds.
    Ingest,
    /// Finds entities and quotes.
    Extract,
    /// Writes the summary and SEO article.
    Summarize,
    /// Delivers the article.
    Publish,
}

impl Stage {
    /// Every stage, in pipeline order.
    pub const ALL: [Stage; 4] = [Stage::Ingest, Stage::Extract, Stage::Summarize, Stage::Publish];

    /// Lowercase name, as used in queue names, headers and metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Ingest => "ingest",
            Stage::Extract => "extract",
            Stage::Summarize => "summarize",
            Stage::Publish => "publish",
        }
    }

    /// The routing key of the messages this stage consumes.
    pub fn input_routing_key(self) -> &'static str {
        use crate::names::*;
        match self {
            Stage::Ingest => RK_DOCUMENT_RECEIVED,
            Stage::Extract => RK_STORY_INGESTED,
            Stage::Summarize => RK_STORY_EXTRACTED,
            Stage::Publish => RK_STORY_SUMMARIZED,
        }
    }

    /// Parse a stage name as users type it.
    pub fn parse(s: &str) -> Result<Stage, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "ingest" => Ok(Stage::Ingest),
            "extract" => Ok(Stage::Extract),
            "summarize" | "summarise" => Ok(Stage::Summarize),
            "publish" => Ok(Stage::Publish),
            other => Err(format!(
                "unknown stage '{other}': expected one of ingest, extract, summarize, publish"
            )),
        }
    }
}

impl std::fmt::Display for Stage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A stage payload: knows its type name and routing key.
pub trait Payload: Serialize + DeserializeOwned + Send + Sync + 'static {
    /// Type name, sent as the AMQP `type` property.
    const TYPE_NAME: &'static str;
    /// Routing key it is published with.
    const ROUTING_KEY: &'static str;
    /// The stage that produces it.
    const PRODUCED_BY: Stage;
    /// The story it concerns: (story key, as [`crate::Story::key`], and version).
    fn story_key(&self) -> (String, u64);
}

/// Ingest's output: a normalised story (or a kill of one).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoryIngested {
    /// The story.
    pub story: Story,
}

/// Extract's output: the story and what was found in it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoryExtracted {
    /// The story, unchanged.
    pub story: Story,
    /// Entities, quotes and cited sources.
    pub entities: Entities,
}

/// Summarize's output: everything publish needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StorySummarized {
    /// The story, unchanged.
    pub story: Story,
    /// What extract found.
    pub entities: Entities,
    /// The summary and SEO article; `None` for a kill, which carries nothing to publish.
    pub summary: Option<Summary>,
}

/// Publish's output: where the story went, or that it was retracted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoryPublished {
    /// Story guid.
    pub guid: String,
    /// The story's key (`<namespace>/<guid>`, see [`crate::Story::key`]); empty in events from
    /// versions before namespaces.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub story_id: String,
    /// Story version.
    pub version: u64,
    /// The slug it was published under.
    pub slug: String,
    /// Where it was delivered: file paths, webhook URLs, CMS ids.
    pub locations: Vec<String>,
    /// True when this was a kill and the story was retracted.
    pub retracted: bool,
    /// True when an embargo held it and it was published at or after the embargo time.
    #[serde(default)]
    pub held_for_embargo: bool,
}

impl StoryPublished {
    /// The story's key: `story_id`, or the guid in older events.
    pub fn key(&self) -> &str {
        if self.story_id.is_empty() {
            &self.guid
        } else {
            &self.story_id
        }
    }
}

macro_rules! payload {
    ($ty:ty, $name:literal, $rk:ident, $stage:ident, |$s:ident| $key:expr) => {
        impl Payload for $ty {
            const TYPE_NAME: &'static str = $name;
            const ROUTING_KEY: &'static str = crate::names::$rk;
            const PRODUCED_BY: Stage = Stage::$stage;
            fn story_key(&self) -> (String, u64) {
                let $s = self;
                $key
            }
        }
    };
}

payload!(StoryIngested, "StoryIngested", RK_STORY_INGESTED, Ingest, |s| (s.story.key(), s.story.version));
payload!(StoryExtracted, "StoryExtracted", RK_STORY_EXTRACTED, Extract, |s| (s.story.key(), s.story.version));
payload!(StorySummarized, "StorySummarized", RK_STORY_SUMMARIZED, Summarize, |s| (s.story.key(), s.story.version));
payload!(StoryPublished, "StoryPublished", RK_STORY_PUBLISHED, Publish, |s| (s.key().to_string(), s.version));

/// The envelope every pipeline message travels in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope<T> {
    /// Deterministic id: derived from (story id, version, producing stage), so a redelivered
    /// input produces an output with the same id.
    pub message_id: Uuid,
    /// Story guid.
    pub story_id: String,
    /// Story version.
    pub story_version: u64,
    /// The stage that produced this message.
    pub stage: Stage,
    /// [`SCHEMA_VERSION`] at the time of writing.
    pub schema_version: u32,
    /// Shared by every message about the same story version, end to end.
    pub correlation_id: Uuid,
    /// When this message was produced.
    pub produced_at: DateTime<Utc>,
    /// Attempts the producing stage needed (1 when it succeeded first time).
    pub attempt: u32,
    /// The payload.
    pub payload: T,
}

/// Namespace for v5 message ids, fixed forever.
const ID_NAMESPACE: Uuid = Uuid::from_u128(0x6c0f_3c1e_9a57_4f53_8d2b_63a1_7f0e_c0de);

/// Deterministic message id of what `stage` produced for (guid, version).
pub fn message_id(guid: &str, version: u64, stage: Stage) -> Uuid {
    Uuid::new_v5(&ID_NAMESPACE, format!("{guid}\u{1f}{version}\u{1f}{}", stage.as_str()).as_bytes())
}

/// Correlation id shared by every stage's message about (guid, version).
pub fn correlation_id(guid: &str, version: u64) -> Uuid {
    Uuid::new_v5(&ID_NAMESPACE, format!("{guid}\u{1f}{version}").as_bytes())
}

impl<T: Payload> Envelope<T> {
    /// Wrap a payload; ids derive from its story key and producing stage.
    pub fn new(payload: T, attempt: u32) -> Self {
        let (guid, version) = payload.story_key();
        Envelope {
            message_id: message_id(&guid, version, T::PRODUCED_BY),
            correlation_id: correlation_id(&guid, version),
            story_id: guid,
            story_version: version,
            stage: T::PRODUCED_BY,
            schema_version: SCHEMA_VERSION,
            produced_at: Utc::now(),
            attempt,
            payload,
        }
    }

    /// Serialise to JSON bytes for the wire.
    pub fn to_json(&self) -> Vec<u8> {
        // Serialising plain data structs to a Vec cannot fail.
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Parse from JSON bytes, naming what was wrong.
    pub fn from_json(bytes: &[u8]) -> Result<Self, DecodeError> {
        let env: Envelope<T> = serde_json::from_slice(bytes).map_err(|e| DecodeError {
            type_name: T::TYPE_NAME,
            reason: e.to_string(),
        })?;
        if env.schema_version > SCHEMA_VERSION {
            return Err(DecodeError {
                type_name: T::TYPE_NAME,
                reason: format!(
                    "schema version {} is newer than this worker understands ({SCHEMA_VERSION}); upgrade the worker",
                    env.schema_version
                ),
            });
        }
        Ok(env)
    }
}

/// A message body that is not a valid envelope of the expected type.
#[derive(Debug, thiserror::Error)]
#[error("not a valid {type_name} envelope: {reason}")]
pub struct DecodeError {
    /// The expected payload type.
    pub type_name: &'static str,
    /// What was wrong.
    pub reason: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_ids_are_stable_per_story_version_and_stage() {
        let a = message_id("g1", 2, Stage::Extract);
        assert_eq!(a, message_id("g1", 2, Stage::Extract));
        assert_ne!(a, message_id("g1", 3, Stage::Extract));
        assert_ne!(a, message_id("g1", 2, Stage::Summarize));
    }

    #[test]
    fn envelope_round_trips_and_rejects_garbage_with_the_type_name() {
        let env = Envelope::new(StoryIngested { story: Story::new("g", "h", vec!["b".into()]) }, 1);
        let back = Envelope::<StoryIngested>::from_json(&env.to_json()).expect("decode");
        assert_eq!(back, env);
        let err = Envelope::<StoryIngested>::from_json(b"{nope").expect_err("garbage");
        assert!(err.to_string().contains("StoryIngested"), "{err}");
    }

    #[test]
    fn stage_parse_names_the_choices_on_error() {
        assert_eq!(Stage::parse("Summarise"), Ok(Stage::Summarize));
        assert!(Stage::parse("nope").expect_err("bad").contains("ingest, extract"));
    }
}
