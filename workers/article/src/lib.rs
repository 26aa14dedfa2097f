//! copydesk-article: fetch the article a feed item links to, politely and safely, and extract
//! its body and metadata, so a feed teaser can become a full story.
//!
//! Layout:
//! - `article` ([`fetch_article`], [`Article`], [`KeepTeaser`]): the step ingest calls;
//! - `fetch` ([`Fetcher`]), `config` ([`FetchConfig`]), `error` ([`FetchError`]): one HTTP
//!   client and, around each request, `guard` (no internal addresses), `robots` (robots.txt,
//!   cached), `polite` (per-host concurrency, delay, Retry-After) and `charset` (decoding);
//! - `extract` ([`extract()`], [`Extracted`]): the main text of a page and its JSON-LD / Open
//!   Graph metadata, paywall detection;
//! - `urls`: tracking-parameter stripping ([`strip_tracking_params`], [`clean_link`]) for feed
//!   links, guids and canonical URLs;
//! - `score` and `eval`: the article-extraction benchmark's scoring, the evaluation and the
//!   benchmark behind `copydesk eval extraction` and `copydesk bench extraction`;
//! - `compare` (feature `compare`): the other Rust extractors, for the comparison in README.md.

pub mod article;
pub mod charset;
pub mod config;
pub mod error;
pub mod eval;
pub mod extract;
pub mod fetch;
pub mod guard;
pub mod polite;
pub mod robots;
pub mod score;
pub mod urls;
#[cfg(feature = "compare")]
pub mod compare;

pub use article::{fetch_article, judge, Article, KeepTeaser};
pub use config::FetchConfig;
pub use error::FetchError;
pub use extract::{extract, Extracted, PageMeta};
pub use fetch::{FetchedPage, Fetcher};
pub use urls::{clean_link, strip_tracking_params, TRACKING_PARAMS};
