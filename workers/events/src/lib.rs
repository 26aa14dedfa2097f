//! Events: one story from many wires. An online, incremental clusterer assigns every story, as
//! it arrives, to the event it reports on, or opens a new event.
//!
//! Stories are compared with events by key terms (TF-IDF over a lead-weighted bag of words,
//! document frequencies learned as stories arrive) and entity names, averaged over the event's
//! members; a story whose protagonist is not the event's is penalised, which is what tells two
//! similar events of one topic apart (two DUI arrests of one team's players). Only events with
//! a member within a time window are candidates. After each assignment, stories of neighbouring
//! events that fit the chosen event better move to it (repair). Versions and corrections of a
//! story (same id) always stay with it.
//!
//! State is plain serialisable data behind [`EventStore`]; every assignment is one atomic
//! compare-and-set [`Commit`], retried when another replica changed an event underneath.
//!
//! Layout:
//! - [`doc`]: the input, [`EventDoc`], and [`EventDoc::from_story`].
//! - [`text`]: words, sentences, stopwords, key terms, people ([`DocTerms`]).
//! - [`vector`]: sparse TF-IDF vectors and their sums.
//! - [`state`]: [`EventState`] and [`Member`], what the store keeps.
//! - [`store`]: the [`EventStore`] trait and the in-memory [`MemoryStore`].
//! - [`score`]: the story-to-event score and the repair rule.
//! - [`cluster`]: [`Clusterer`], [`ClusterConfig`], [`Assignment`].
//! - [`b3`], [`eval`]: B³ scoring and `copydesk eval events`.

pub mod b3;
pub mod cluster;
pub mod doc;
pub mod eval;
pub mod score;
pub mod state;
pub mod store;
pub mod stored;
pub mod text;
pub mod vector;

pub use cluster::{Assignment, ClusterConfig, Clusterer, EventsError, Outcome};
pub use doc::{entities_of, EventDoc, EventEntity};
pub use eval::{eval_events, EventsReport, GoldDoc, GoldLine};
pub use state::{EventState, Member};
pub use store::{Commit, EventStore, EventWrite, MemoryStore, StoreError};
pub use stored::StoreEvents;
pub use text::DocTerms;
