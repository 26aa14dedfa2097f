//! Message types shared by every Copydesk worker.
//!
//! The crate is deliberately free of lapin and tokio so that any tool (the CLI, a test, a
//! third-party consumer) can read and write pipeline messages.
//!
//! Layout:
//! - [`story`]: the ninjs-like [`Story`] model that ingest produces.
//! - [`entities`]: what extract finds in a story ([`Entities`]).
//! - [`summary`]: what summarize writes ([`Summary`], [`Article`]).
//! - [`envelope`]: the [`Envelope`] every message travels in, the [`Stage`]s and the payloads.
//! - [`names`]: every broker name (exchanges, queues, routing keys, headers) in one place.

pub mod entities;
pub mod envelope;
pub mod names;
pub mod story;
pub mod summary;

pub use entities::{CitedSource, Entities, Entity, EntityKind, Mention, Quote};
pub use envelope::{
    Envelope, Payload, Stage, StoryExtracted, StoryIngested, StoryPublished, StorySummarized,
    SCHEMA_VERSION,
};
pub use story::{Link, PageFetch, PageOutcome, PubStatus, Signals, SourceFormat, Story, Subject};
pub use summary::{Article, ArticleLink, Section, Summary};
