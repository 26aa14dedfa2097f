//! copydesk-article: fetch the article a feed item links to, politely and safely, and extract
//! its body and metadata, so a feed teaser can become a full story.
//!
//! Layout:
//! - `fetch` ([`Fetcher`], [`FetchConfig`], [`FetchError`]): one HTTP client with robots.txt,
//!   per-host politeness, backoff, a private-address guard, a size cap and charset decoding;
//! - `extract` ([`extract()`], [`Extracted`]): the main text of a page and its JSON-LD / Open
//!   Graph metadata, paywall detection;
//! - `urls`: tracking-parameter stripping ([`strip_tracking_params`], [`clean_link`]) for feed
//!   links and canonical URLs;
//! - `score` and `eval`: the article-extraction benchmark's scoring, the evaluation and the
//!   benchmark behind `copydesk eval extraction` and `copydesk bench extraction`;
//! - `compare` (feature `compare`): the other Rust extractors, for the comparison in README.md.

pub mod charset;
pub mod eval;
pub mod extract;
pub mod score;
pub mod urls;

pub use extract::{extract, Extracted, PageMeta};
pub use urls::{clean_link, strip_tracking_params};
#[cfg(feature = "compare")]
pub mod compare;
