//! The step ingest calls for a feed item: fetch the linked page, extract it, and decide
//! whether its text replaces the teaser (the teaser then becomes the standfirst) or the
//! teaser stays, marked with why.

use url::Url;

use crate::error::FetchError;
use crate::extract::{extract, Extracted};
use crate::fetch::Fetcher;
use crate::urls::strip_tracking_params;

/// Why a fetched page's text does not replace the teaser.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum KeepTeaser {
    /// The page is paywalled (the reason says how we know).
    Paywalled {
        /// How it was detected.
        reason: String,
    },
    /// The extracted text has fewer than `min_words` words.
    TooShort {
        /// Words found.
        words: usize,
        /// The configured minimum.
        min_words: usize,
    },
}

impl std::fmt::Display for KeepTeaser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeepTeaser::Paywalled { reason } => write!(f, "paywalled: {reason}"),
            KeepTeaser::TooShort { words, min_words } => {
                write!(f, "too short: {words} words extracted, fewer than min_words = {min_words}")
            }
        }
    }
}

/// A fetched and extracted article.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Article {
    /// The story's URL from now on: the page's canonical link, else the final URL, tracking
    /// parameters removed (use it as the story URL and for dedup).
    pub url: Url,
    /// Where the page was actually served from.
    pub fetched_url: Url,
    /// Body paragraphs and metadata.
    pub extracted: Extracted,
    /// `None` when the body should replace the teaser; otherwise why the teaser stays.
    pub keep_teaser: Option<KeepTeaser>,
}

impl Article {
    /// The body to publish, when it replaces the teaser.
    pub fn body(&self) -> Option<String> {
        self.keep_teaser.is_none().then(|| self.extracted.body())
    }
}

/// Decide whether an extraction can replace the teaser.
pub fn judge(extracted: &Extracted, min_words: usize) -> Option<KeepTeaser> {
    if let Some(reason) = &extracted.paywall {
        return Some(KeepTeaser::Paywalled { reason: reason.clone() });
    }
    if extracted.word_count < min_words {
        return Some(KeepTeaser::TooShort { words: extracted.word_count, min_words });
    }
    None
}

/// Fetch the page behind `link`, extract it and judge it. Errors are the fetch's: transient
/// ones should be retried later, permanent ones keep the teaser with `error.to_string()` as
/// the recorded reason.
pub async fn fetch_article(fetcher: &Fetcher, link: &str) -> Result<Article, FetchError> {
    let page = fetcher.fetch(link).await?;
    // Extraction is CPU work (about a millisecond for a typical page, far more for one near
    // max_body_bytes): it runs on a blocking thread so it never stalls the async workers, and
    // a panic in it fails this page only.
    let (html, page_url) = (page.html, page.url.clone());
    let extracted = tokio::task::spawn_blocking(move || extract(&html, &page_url))
        .await
        .map_err(|e| FetchError::Extract { url: crate::urls::redact(&page.url), detail: e.to_string() })?;
    let url = extracted.canonical_url.clone().unwrap_or_else(|| strip_tracking_params(&page.url));
    let keep_teaser = judge(&extracted, fetcher.config().min_words);
    Ok(Article { url, fetched_url: page.url, extracted, keep_teaser })
}
