//! The article behind a teaser (issue 13): a story whose body is only a teaser and which
//! carries a link gets its page fetched (`copydesk-article`: robots.txt, per-host politeness,
//! no internal addresses), the page's article text becomes the body and the teaser the
//! standfirst, the page's metadata fills what the item lacked (byline, dates, image, section,
//! language), and the page's canonical URL becomes the story's address.
//!
//! Pages are also identities: once a story is confirmed, the store remembers its link and
//! canonical URL under [`PAGE_NAMESPACE`], so another item pointing at the same page (the same
//! article in two feeds, or re-posted under a new guid) is a duplicate and is not fetched.
//!
//! Failures never hold up other items. A page that is paywalled, too short, refused (robots,
//! internal address, too large, not HTML, 404, redirect loop) keeps the teaser and the story
//! says why ([`copydesk_types::PageFetch`]). A page that fails transiently (timeouts, 429, 5xx)
//! leaves its story [`Pending`]: the caller delivers the rest and retries the document, and
//! [`RetryBook`] decides when the page is tried again and when to give up.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use copydesk_article::urls::{is_site_root, redact};
use copydesk_article::{fetch_article, Article, FetchConfig, FetchError, Fetcher, KeepTeaser};
use copydesk_store::{IngestRecord, Store, StoreError};
use copydesk_types::{PageFetch, PageOutcome, Story};
use url::Url;

use crate::dedup::{content_duplicate, content_key};
use crate::page_retry::{AfterFailure, Due, RetryBook};
use crate::text::{clean, clean_opt, normalise_language};
use crate::IngestStats;

/// The store namespace of page identities; no source namespace can take this name
/// (`namespace_of` yields only `[a-z0-9-]`).
pub const PAGE_NAMESPACE: &str = "~page";

/// A story held back because its page failed transiently and is to be tried again.
#[derive(Debug, Clone)]
pub struct Pending {
    /// The story's key.
    pub key: String,
    /// Time until the page may be tried again.
    pub retry_in: Duration,
    /// What went wrong.
    pub reason: String,
}

/// A story ready to go, with the page addresses to remember once it is confirmed.
#[derive(Debug, Clone)]
pub struct Ready {
    /// The story, enriched when its page was used.
    pub story: Story,
    /// Link and canonical URL of its page (none when no page was involved).
    pub pages: Vec<String>,
}

/// What [`Articles::enrich`] made of a batch.
#[derive(Debug, Default)]
pub struct Enriched {
    /// Stories to deliver, in document order.
    pub ready: Vec<Ready>,
    /// Items whose page another story already has: (key, reason).
    pub duplicates: Vec<(String, String)>,
    /// Stories to try again later.
    pub pending: Vec<Pending>,
}

/// The enrichment step: one fetcher per process (its connection pool, robots.txt cache and
/// per-host gate are shared by every source), plus the retry book.
pub struct Articles {
    cfg: FetchConfig,
    fetcher: Option<Arc<Fetcher>>,
    book: RetryBook,
}

impl Articles {
    /// Fetching as configured; `fetcher` is `None` when fetching is off.
    pub fn new(cfg: FetchConfig, fetcher: Option<Arc<Fetcher>>) -> Articles {
        let book = RetryBook::new(Duration::from_secs(cfg.retry_for_secs));
        let fetcher = fetcher.filter(|_| cfg.enabled);
        Articles { cfg, fetcher, book }
    }

    /// The fetcher `cfg` describes, or `None` when fetching is off or the client cannot be
    /// built (logged).
    pub fn build_fetcher(cfg: &FetchConfig) -> Option<Arc<Fetcher>> {
        if !cfg.enabled {
            return None;
        }
        match Fetcher::new(cfg.clone()) {
            Ok(f) => Some(Arc::new(f)),
            Err(e) => {
                tracing::error!(error = %e, "article fetching is off: the HTTP client could not be built; check ingest.fetch");
                None
            }
        }
    }

    /// The link to fetch for `s`, if its body is a teaser: not a kill, no page fetched yet,
    /// fewer than `teaser_max_words` words, an http(s) link.
    pub fn teaser_link(&self, s: &Story) -> Option<String> {
        self.fetcher.as_ref()?;
        if s.is_kill() || s.page.is_some() || s.word_count() >= self.cfg.teaser_max_words {
            return None;
        }
        let link = s.uri.as_deref()?;
        Url::parse(link).ok().filter(|u| matches!(u.scheme(), "http" | "https")).map(|_| link.to_string())
    }

    /// Fetch the pages behind the teasers among `stories` (concurrently; the fetcher keeps
    /// each host's limits) and sort the stories into ready, duplicate and pending.
    pub async fn enrich(&self, store: &Store, stories: Vec<Story>, stats: &IngestStats) -> Result<Enriched, StoreError> {
        let mut out = Enriched::default();
        let mut claimed: HashMap<String, String> = HashMap::new();
        // Ready stories keep their place: a `None` is filled by the fetch of the same index.
        let mut slots: Vec<Option<Ready>> = Vec::with_capacity(stories.len());
        let mut jobs = Vec::new();
        for story in stories {
            let Some(link) = self.teaser_link(&story) else {
                slots.push(Some(Ready { story, pages: Vec::new() }));
                continue;
            };
            let key = story.key();
            if let Some(owner) = page_owner(store, &claimed, &link, &key).await? {
                out.duplicates.push((key, format!("links to {}, the page of {owner}", redact_str(&link))));
                continue;
            }
            if let Due::Later { left, last } = self.book.due(&link) {
                out.pending.push(Pending { key, retry_in: left, reason: last });
                continue;
            }
            claimed.insert(link.clone(), key);
            jobs.push((slots.len(), story, link));
            slots.push(None);
        }
        let fetcher = match &self.fetcher {
            Some(f) if !jobs.is_empty() => f.clone(),
            _ => {
                out.ready = slots.into_iter().flatten().collect();
                return Ok(out);
            }
        };
        let results = futures::future::join_all(jobs.iter().map(|(_, _, link)| fetch_article(&fetcher, link))).await;
        for ((slot, mut story, link), result) in jobs.into_iter().zip(results) {
            let key = story.key();
            let pages = match result {
                Ok(article) => {
                    self.book.settled(&link);
                    IngestStats::add(&stats.pages_fetched, 1);
                    let canonical = article.url.to_string();
                    if canonical != link {
                        if let Some(owner) = page_owner(store, &claimed, &canonical, &key).await? {
                            out.duplicates.push((key, format!("its page {} is the page of {owner}", redact_str(&canonical))));
                            continue;
                        }
                        claimed.insert(canonical.clone(), key.clone());
                    }
                    apply(&mut story, &article);
                    log_outcome(&story, &key);
                    vec![link, canonical]
                }
                Err(e) => {
                    IngestStats::add(&stats.page_fetch_failures, 1);
                    match self.failed(&mut story, &key, &link, &e) {
                        Some(pending) => {
                            IngestStats::add(&stats.page_retries, 1);
                            out.pending.push(pending);
                            continue;
                        }
                        None => vec![link],
                    }
                }
            };
            slots[slot] = Some(Ready { story, pages });
        }
        out.ready = slots.into_iter().flatten().collect();
        self.drop_repeated_text(store, &mut out).await?;
        Ok(out)
    }

    /// A page's text that repeats another story's body (same namespace and day, or earlier in
    /// the batch) is a duplicate, as the triage would have found had it known the text.
    async fn drop_repeated_text(&self, store: &Store, out: &mut Enriched) -> Result<(), StoreError> {
        let full_text = |r: &Ready| r.story.page.as_ref().is_some_and(|p| p.outcome == PageOutcome::FullText);
        if !out.ready.iter().any(full_text) {
            return Ok(());
        }
        // Stories that fetched nothing passed the triage's comparison already.
        let mut batch: HashMap<(String, String), String> =
            out.ready.iter().filter(|r| r.story.page.is_none()).filter_map(|r| content_key(&r.story).map(|c| (c, r.story.guid.clone()))).collect();
        let mut kept = Vec::with_capacity(out.ready.len());
        for ready in std::mem::take(&mut out.ready) {
            if full_text(&ready) {
                if let Some(reason) = content_duplicate(store, &ready.story, &mut batch).await? {
                    out.duplicates.push((ready.story.key(), reason));
                    continue;
                }
            }
            kept.push(ready);
        }
        out.ready = kept;
        Ok(())
    }

    /// A failed fetch: a transient one is pending (or given up), a permanent one keeps the
    /// teaser with the reason. `Some` when the story must wait.
    fn failed(&self, story: &mut Story, key: &str, link: &str, e: &FetchError) -> Option<Pending> {
        if !e.is_transient() {
            self.book.settled(link);
            tracing::warn!(story.id = %key, error.kind = e.kind(), error = %e, "article page unusable; the teaser stays");
            story.page = Some(teaser_kept(e.kind(), e.to_string(), None, None));
            return None;
        }
        match self.book.failed(link, e.retry_after(), &e.to_string()) {
            AfterFailure::RetryIn(retry_in) => {
                tracing::info!(story.id = %key, error = %e, retry_in_s = retry_in.as_secs(), "article page not fetched yet; the story waits for it");
                Some(Pending { key: key.to_string(), retry_in, reason: e.to_string() })
            }
            AfterFailure::GiveUp { failures, over } => {
                let detail = format!("{e} (gave up after {failures} attempts over {} s; ingest.fetch.retry_for_secs = {})", over.as_secs(), self.cfg.retry_for_secs);
                tracing::warn!(story.id = %key, error = %detail, "article page kept failing; the teaser goes out");
                story.page = Some(teaser_kept("gave_up", detail, None, None));
                None
            }
        }
    }
}

/// The story already owning `url` as its page, other than `key`: in this batch, else in the
/// store. A site's front page is nobody's identity.
async fn page_owner(store: &Store, claimed: &HashMap<String, String>, url: &str, key: &str) -> Result<Option<String>, StoreError> {
    if Url::parse(url).is_ok_and(|u| is_site_root(&u)) {
        return Ok(None);
    }
    if let Some(owner) = claimed.get(url) {
        return Ok((owner != key).then(|| owner.clone()));
    }
    Ok(store.seen(PAGE_NAMESPACE, url).await?.map(|seen| seen.checksum).filter(|owner| owner != key))
}

/// The store record of a confirmed story's page. The row's `checksum` column holds the key
/// of the story that owns the page, which is what [`page_owner`] compares.
pub fn page_record(url: &str, story: &Story) -> IngestRecord {
    IngestRecord { source: PAGE_NAMESPACE.into(), guid: url.to_string(), version: story.version, checksum: story.key(), killed: false, content: None }
}

/// Make the page's text the body (when it can replace the teaser) and fill what the item
/// lacked from the page's metadata.
pub fn apply(story: &mut Story, article: &Article) {
    let page = &article.extracted;
    let meta = &page.meta;
    story.uri = Some(article.url.to_string());
    if story.byline.is_none() {
        let names: Vec<String> = meta.authors.iter().map(|a| clean(a)).filter(|a| !a.is_empty() && !a.starts_with("http")).collect();
        story.byline = (!names.is_empty()).then(|| names.join(", "));
    }
    let published = meta.published.as_deref().and_then(crate::dates::parse_date);
    let modified = meta.modified.as_deref().and_then(crate::dates::parse_date);
    story.first_created = story.first_created.or(published).or(modified);
    story.version_created = story.version_created.or(modified).or(published);
    if story.image.is_none() {
        story.image = meta.image.as_deref().and_then(|i| article.fetched_url.join(i.trim()).ok()).and_then(|u| copydesk_render::safe_href(u.as_str()));
    }
    story.section = story.section.take().or_else(|| meta.section.as_deref().and_then(clean_opt));
    story.language = story.language.take().or_else(|| meta.language.as_deref().and_then(normalise_language));
    let from = Some(redact(&article.fetched_url));
    let words = Some(page.word_count.min(u32::MAX as usize) as u32);
    let teaser_words = story.word_count();
    story.page = Some(match &article.keep_teaser {
        Some(keep) => teaser_kept(keep_kind(keep), keep.to_string(), from, words),
        None if page.word_count <= teaser_words => {
            let detail = format!("the page's text ({} words) is no longer than the teaser ({teaser_words} words)", page.word_count);
            teaser_kept("too_short", detail, from, words)
        }
        None => {
            story.standfirst = clean_opt(&story.body.join(" "));
            story.body = page.paragraphs.iter().map(|p| clean(p)).filter(|p| !p.is_empty()).collect();
            PageFetch { outcome: PageOutcome::FullText, reason: None, detail: None, fetched_from: from, words }
        }
    });
}

/// Put the teaser back as the body of a story whose full text cannot go out (the message
/// would be too large), saying why.
pub fn revert_to_teaser(story: &mut Story, reason: &str, detail: String) {
    if let Some(teaser) = story.standfirst.take() {
        story.body = vec![teaser];
    }
    let (from, words) = story.page.as_ref().map_or((None, None), |p| (p.fetched_from.clone(), p.words));
    story.page = Some(teaser_kept(reason, detail, from, words));
}

fn teaser_kept(reason: &str, detail: String, fetched_from: Option<String>, words: Option<u32>) -> PageFetch {
    PageFetch { outcome: PageOutcome::Teaser, reason: Some(reason.to_string()), detail: Some(detail), fetched_from, words }
}

fn keep_kind(keep: &KeepTeaser) -> &'static str {
    match keep {
        KeepTeaser::Paywalled { .. } => "paywalled",
        KeepTeaser::TooShort { .. } => "too_short",
    }
}

fn log_outcome(story: &Story, key: &str) {
    match &story.page {
        Some(PageFetch { outcome: PageOutcome::FullText, words, .. }) => tracing::info!(story.id = %key, words, "article page fetched; its text is the body"),
        Some(p) => tracing::info!(story.id = %key, reason = p.reason.as_deref().unwrap_or("-"), detail = p.detail.as_deref().unwrap_or("-"), "article page fetched; the teaser stays"),
        None => {}
    }
}

fn redact_str(url: &str) -> String {
    Url::parse(url).map(|u| redact(&u)).unwrap_or_else(|_| url.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use copydesk_article::{Extracted, PageMeta};

    fn article(words: usize, meta: PageMeta) -> Article {
        let url = Url::parse("https://news.example/a/1").expect("url");
        let paragraphs = vec![vec!["word"; words].join(" ")];
        let extracted = Extracted { paragraphs, word_count: words, meta, canonical_url: None, paywall: None };
        Article { url: url.clone(), fetched_url: url, extracted, keep_teaser: None }
    }

    fn teaser(words: usize) -> Story {
        let mut s = Story::new("g", "Head", vec![vec!["teaser"; words].join(" ")]);
        s.uri = Some("https://news.example/a/1?utm_source=x".into());
        s
    }

    #[test]
    fn a_page_no_longer_than_the_teaser_keeps_the_teaser() {
        let mut s = teaser(30);
        apply(&mut s, &article(30, PageMeta::default()));
        assert_eq!(s.body, teaser(30).body);
        assert_eq!(s.standfirst, None);
        let page = s.page.expect("marked");
        assert_eq!((page.outcome, page.reason.as_deref()), (PageOutcome::Teaser, Some("too_short")));
        assert!(page.detail.is_some_and(|d| d.contains("30 words")));
    }

    #[test]
    fn the_item_s_own_fields_win_and_the_page_fills_only_gaps() {
        let meta = PageMeta {
            authors: vec!["https://news.example/staff/ana".into(), "Ana  Ruiz".into()],
            image: Some("/img/a.jpg".into()),
            published: Some("2026-01-05T09:00:00Z".into()),
            section: Some(" World ".into()),
            language: Some("en-GB".into()),
            ..PageMeta::default()
        };
        let mut s = teaser(10);
        s.language = Some("de".into());
        apply(&mut s, &article(200, meta.clone()));
        assert_eq!(s.byline.as_deref(), Some("Ana Ruiz"), "an author given as a URL is no name");
        assert_eq!(s.image.as_deref(), Some("https://news.example/img/a.jpg"));
        assert_eq!(s.section.as_deref(), Some("World"));
        assert_eq!(s.language.as_deref(), Some("de"), "the item's language stays");
        assert_eq!(s.version_created.map(|d| d.to_rfc3339()).as_deref(), Some("2026-01-05T09:00:00+00:00"));
        assert_eq!(s.standfirst.as_deref(), Some(teaser(10).body[0].as_str()));
        assert_eq!(s.uri.as_deref(), Some("https://news.example/a/1"));
        let mut bylined = teaser(10);
        bylined.byline = Some("By the desk".into());
        apply(&mut bylined, &article(200, meta));
        assert_eq!(bylined.byline.as_deref(), Some("By the desk"));
    }

    #[test]
    fn a_full_text_too_large_for_a_message_goes_back_to_the_teaser() {
        let mut s = teaser(10);
        apply(&mut s, &article(200, PageMeta::default()));
        revert_to_teaser(&mut s, "message_too_large", "too big".into());
        assert_eq!(s.body, teaser(10).body);
        assert_eq!(s.page.as_ref().and_then(|p| p.reason.as_deref()), Some("message_too_large"));
        assert_eq!(s.page.as_ref().and_then(|p| p.words), Some(200));
    }
}
