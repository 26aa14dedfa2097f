//! Entity, quote and source extraction for news copy: the engine behind `extract-worker`.
//!
//! Two engines share one [`Extractor`] trait. The built-in engine ([`BuiltinExtractor`], the
//! default) is offline and fast: a trained averaged-perceptron tagger for PER/ORG/LOC/MISC,
//! rules for DATE/TIME/MONEY/PERCENT, grouping of mentions under canonical names, GeoNames
//! place links, quotes with speakers, and cited outlets. The LLM engine ([`llm`]) asks an
//! OpenAI-compatible server and keeps only entities found in the text, falling back to the
//! built-in engine when the answer is unusable.
//!
//! Layout:
//! - [`token`]: tokenising and sentence splitting of raw wire text.
//! - [`features`], [`model`], [`tagger`]: the tagger (hashed features, quantised weights,
//!   Viterbi); [`train`] trains it (binary `copydesk-train-ner`), [`clusters`] learns the word
//!   clusters it reads from unlabeled text.
//! - [`lang`], [`models`], [`lexicon`]: the story's language, the per-language taggers (loaded
//!   lazily) and their word knowledge (frequency, name lists, clusters).
//! - [`outlets`], [`sources`]: the news outlets table, the outlets a story cites, their addresses.
//! - [`patterns`]: DATE, TIME, MONEY and PERCENT rules.
//! - [`doc`]: one analysed document, with the ALL-CAPS consistency pass; [`rules`]: headline
//!   words cut from names, seat-institutions typed by whether they act.
//! - [`group`], [`alias`]: coreference within a story, canonical names, salience, descriptors.
//! - [`quotes`]: quotations, speakers and cited sources.
//! - [`gazetteer`]: GeoNames place names (a tagger feature and the place links).
//! - [`assemble`]: from byte-offset findings to the [`Entities`] message (char offsets).
//! - [`builtin`], [`llm`], [`engine`]: the engines, [`ExtractConfig`] and [`build`].
//! - [`conll`], [`bench`], [`polnear`]: `eval ner`, `bench extract`, and quote evaluation.
//! - [`hash`], [`error`]: feature hashing and the crate's [`ExtractError`].

pub mod alias;
pub mod assemble;
pub mod bench;
pub mod brown;
pub mod builtin;
pub mod clusters;
pub mod conll;
pub mod doc;
pub mod engine;
pub mod error;
pub mod features;
pub mod gazetteer;
pub mod group;
pub mod hash;
pub mod lang;
pub mod lexicon;
pub mod llm;
pub mod model;
pub mod models;
pub mod outlets;
pub mod patterns;
pub mod polnear;
pub mod quotes;
pub mod rules;
pub mod sources;
pub mod subword;
pub mod tagger;
pub mod token;
pub mod train;

pub use bench::{bench_extract, BenchReport};
pub use builtin::BuiltinExtractor;
pub use conll::{eval_ner, eval_ner_documents, eval_ner_dump, NerReport};
pub use copydesk_types::Entities;
pub use engine::{build, Engine, EngineKind, ExtractConfig, Extractor};
pub use error::ExtractError;
pub use lang::Lang;
pub use llm::{llm_usage, LlmExtractor, LlmUsage, LlmUsageSnapshot};
pub use polnear::{eval_quotes, QuoteReport};
