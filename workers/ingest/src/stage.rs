//! The ingest stage: one document in, `story.ingested` messages out.
//!
//! [`IngestStage::process`] parses a document (on a blocking thread, with a crash caught),
//! names its stories' namespace, sorts them against the state store and returns the messages
//! as an [`Output`] whose receipts say what to record. The runtime publishes them with confirms
//! (the consume loop for documents from the queue, [`Deliver`] for the drop folder, feeds and
//! the push endpoint) and hands back the receipts of the confirmed ones, which
//! [`IngestStage::record`] writes to the store. A document retried after a partial failure
//! therefore never republishes what was already confirmed.
//!
//! Between the dedup and the messages, teasers get the article page they link to
//! ([`crate::article`]); stories whose page failed transiently are [`Processed::pending`]:
//! the rest go out, and the document is tried again for them.

use std::sync::Arc;
use std::time::Duration;

use copydesk_article::Fetcher;
use copydesk_runtime::{Outgoing, Output};
use copydesk_store::{IngestRecord, Store};
use copydesk_types::story::namespace_of;
use copydesk_types::{Envelope, PageOutcome, Story, StoryIngested};
use futures::future::BoxFuture;

use crate::article::{page_record, revert_to_teaser, Articles, Pending};
use crate::dedup::{record_of, triage_with};
use crate::{parse_document, IngestConfig, IngestError, IngestStats, Parsed};

/// Where a document came from, which decides the namespace of its stories' guids.
#[derive(Debug, Clone, Copy)]
pub enum Origin<'a> {
    /// A file or pushed document: stories are namespaced by their provider (`Story::source`).
    Document {
        /// File name or push hint, for messages.
        name: &'a str,
    },
    /// A polled feed: stories take the feed's configured source (or its name) as namespace and
    /// source, so two feeds with colliding guids never touch each other's stories.
    Feed {
        /// The feed's configured name.
        name: &'a str,
        /// The feed's configured `source`, when set.
        source: Option<&'a str>,
    },
}

impl Origin<'_> {
    /// The document's name for messages.
    pub fn name(&self) -> &str {
        match self {
            Origin::Document { name } | Origin::Feed { name, .. } => name,
        }
    }
}

/// What the store records once the broker confirmed a story: the story's identity and the
/// addresses of the article page it was enriched from (so no other item takes that page).
#[derive(Debug, Clone)]
pub struct Receipt {
    /// The story's dedup record.
    pub story: IngestRecord,
    /// Its page's link and canonical URL, under [`crate::article::PAGE_NAMESPACE`].
    pub pages: Vec<IngestRecord>,
}

/// How the stories of a document fared with their article pages.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PageTally {
    /// The page's text became the body.
    pub full_text: u64,
    /// The teaser stayed: the page is paywalled.
    pub paywalled: u64,
    /// The teaser stayed: the page had too little text.
    pub too_short: u64,
    /// The teaser stayed: the page could not be fetched or used (refused, gone, not HTML,
    /// too large, ...).
    pub failed: u64,
    /// The teaser stayed: the page kept failing transiently for `retry_for_secs`.
    pub gave_up: u64,
}

impl PageTally {
    fn add(&mut self, story: &Story) {
        let Some(page) = &story.page else { return };
        let counter = match (page.outcome, page.reason.as_deref()) {
            (PageOutcome::FullText, _) => &mut self.full_text,
            (_, Some("paywalled")) => &mut self.paywalled,
            (_, Some("too_short")) => &mut self.too_short,
            (_, Some("gave_up")) => &mut self.gave_up,
            _ => &mut self.failed,
        };
        *counter += 1;
    }
}

/// A processed document: the messages to publish and what happened to each item.
#[derive(Debug, Default)]
pub struct Processed {
    /// One message per story to deliver, each with its records as receipt.
    pub output: Output<Receipt>,
    /// Keys of the stories in `output`.
    pub ids: Vec<String>,
    /// Items dropped as duplicates: (key, reason).
    pub duplicates: Vec<(String, String)>,
    /// Items skipped: (id, reason).
    pub skipped: Vec<(Option<String>, String)>,
    /// Updates among the stories.
    pub updates: u64,
    /// Kills and withholds among the stories.
    pub kills: u64,
    /// The detected format, for logs.
    pub format: Option<&'static str>,
    /// Stories held back until their article page can be tried again; not in `output`.
    pub pending: Vec<Pending>,
    /// Article-page outcomes among the stories in `output`.
    pub pages: PageTally,
}

impl Processed {
    /// When the document should be tried again for its pending stories (the soonest page
    /// due, at least a second), with a reason for the logs; `None` when nothing is pending.
    pub fn retry_later(&self) -> Option<(Duration, String)> {
        let soonest = self.pending.iter().map(|p| p.retry_in).min()?;
        let first = self.pending.first().map_or("", |p| p.reason.as_str());
        Some((soonest.max(Duration::from_secs(1)), format!("{} article page(s) to try again: {first}", self.pending.len())))
    }
}

/// What the runtime reports after publishing a source's output.
#[derive(Debug, Default)]
pub struct Delivered {
    /// Receipts of the messages the broker confirmed.
    pub confirmed: Vec<Receipt>,
    /// Why the rest were not, if any are left; `refused` when the broker said no (routing,
    /// size) rather than being unavailable.
    pub error: Option<(String, bool)>,
}

/// The runtime's publishing as ingest's sources see it (the worker implements it on
/// `copydesk_runtime::Runtime::deliver`; tests implement it in memory).
pub trait Deliver: Send + Sync + 'static {
    /// Publish with confirms; report which were confirmed.
    fn deliver(&self, output: Output<Receipt>) -> BoxFuture<'_, Delivered>;
}

/// The stage's engine: parsing, dedup, article pages and the messages, without the broker.
#[derive(Clone)]
pub struct IngestStage {
    config: IngestConfig,
    store: Store,
    exchange: String,
    max_message_bytes: usize,
    stats: Arc<IngestStats>,
    articles: Arc<Articles>,
}

impl IngestStage {
    /// A stage publishing on `exchange`, refusing messages above `max_message_bytes`. It
    /// fetches teasers' article pages as `config.fetch` says, with its own [`Fetcher`].
    pub fn new(config: IngestConfig, store: Store, exchange: String, max_message_bytes: usize, stats: Arc<IngestStats>) -> Self {
        let fetcher = Articles::build_fetcher(&config.fetch);
        let articles = Arc::new(Articles::new(config.fetch.clone(), fetcher));
        IngestStage { config, store, exchange, max_message_bytes, stats, articles }
    }

    /// The same stage fetching through `fetcher` (built elsewhere, e.g. with a test resolver);
    /// share one per process.
    pub fn with_fetcher(mut self, fetcher: Arc<Fetcher>) -> Self {
        self.articles = Arc::new(Articles::new(self.config.fetch.clone(), Some(fetcher)));
        self
    }

    /// The same stage (store, counters, article fetcher) with other `[ingest]` settings; its
    /// `fetch` section is not re-read: the process keeps one fetcher, one robots.txt cache
    /// and one per-host gate.
    pub fn with_config(&self, config: IngestConfig) -> IngestStage {
        IngestStage { config, ..self.clone() }
    }

    /// The `[ingest]` settings.
    pub fn config(&self) -> &IngestConfig {
        &self.config
    }

    /// The stage's counters.
    pub fn stats(&self) -> &Arc<IngestStats> {
        &self.stats
    }

    /// The state store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The exchange stories are published on.
    pub fn exchange(&self) -> &str {
        &self.exchange
    }

    /// The largest message this stage emits.
    pub fn max_message_bytes(&self) -> usize {
        self.max_message_bytes
    }

    /// Parse, namespace, dedup, fetch the article pages of teasers and wrap one document.
    /// Parse errors are permanent; store trouble is transient. Stories whose page must be
    /// tried again come back in [`Processed::pending`], not as an error.
    pub async fn process(&self, bytes: Vec<u8>, origin: Origin<'_>) -> Result<Processed, IngestError> {
        let name = origin.name().to_string();
        let items = parse_off_thread(bytes, &name, &self.config).await?;
        let single = items.len() == 1;
        let items = namespaced(items, origin);
        let format = items.iter().find_map(|p| match p {
            Parsed::Story(s) => Some(s.format.as_str()),
            Parsed::Skipped { .. } => None,
        });
        let store_error = |source| IngestError::Store { file: name.clone(), source };
        let articles = self.articles.clone();
        let t = triage_with(&self.store, items, &move |s| articles.teaser_link(s).is_some()).await.map_err(store_error)?;
        let enriched = self.articles.enrich(&self.store, t.stories, &self.stats).await.map_err(store_error)?;
        let mut processed = Processed { duplicates: t.duplicates, skipped: t.skipped, updates: t.updates, format, pending: enriched.pending, ..Default::default() };
        processed.duplicates.extend(enriched.duplicates);
        for ready in enriched.ready {
            let (mut story, pages) = (ready.story, ready.pages);
            let key = story.key();
            let mut message = self.message(&story);
            if message.body.len() > self.max_message_bytes && story.page.as_ref().is_some_and(|p| p.outcome == PageOutcome::FullText) {
                let detail = format!("the page's text makes a {}-byte message, over amqp.max_message_bytes = {}", message.body.len(), self.max_message_bytes);
                revert_to_teaser(&mut story, "message_too_large", detail);
                message = self.message(&story);
            }
            if message.body.len() > self.max_message_bytes {
                let error = IngestError::MessageTooLarge { file: name.clone(), story: key.clone(), bytes: message.body.len(), limit: self.max_message_bytes };
                if single {
                    return Err(error);
                }
                processed.skipped.push((Some(key), error.to_string()));
                continue;
            }
            processed.kills += story.is_kill() as u64;
            processed.pages.add(&story);
            let receipt = Receipt { story: record_of(&story), pages: pages.iter().map(|url| page_record(url, &story)).collect() };
            processed.ids.push(key);
            processed.output.push(message, Some(receipt));
        }
        processed.output.duplicates = processed.duplicates.len() as u64;
        Ok(processed)
    }

    /// The `story.ingested` message of a story.
    fn message(&self, story: &Story) -> Outgoing {
        Outgoing::event(&self.exchange, &Envelope::new(StoryIngested { story: story.clone() }, 1))
    }

    /// Record what the broker confirmed, so later copies are recognised as duplicates.
    pub async fn record(&self, receipts: &[Receipt]) -> Result<(), copydesk_store::StoreError> {
        for receipt in receipts {
            self.store.record_ingested(&receipt.story).await?;
            for page in &receipt.pages {
                self.store.record_ingested(page).await?;
            }
        }
        Ok(())
    }

    /// The whole path for a source: process, deliver through `deliver`, record what was
    /// confirmed, count and log. `Ok` only when every story went out; stories waiting for
    /// their article page make it [`IngestError::ArticlesPending`] (transient) after the
    /// others went out, so the source tries the document again.
    pub async fn ingest(&self, bytes: Vec<u8>, origin: Origin<'_>, deliver: &dyn Deliver) -> Result<Processed, IngestError> {
        let name = origin.name().to_string();
        let mut processed = self.process(bytes, origin).await?;
        let output = std::mem::take(&mut processed.output);
        let expected = output.emits.len();
        let delivered = deliver.deliver(output).await;
        let confirmed = delivered.confirmed.len();
        self.record(&delivered.confirmed).await.map_err(|source| IngestError::Store { file: name.clone(), source })?;
        if let Some((detail, refused)) = delivered.error {
            return Err(IngestError::Deliver { file: name, detail: format!("{detail} ({confirmed} of {expected} stories confirmed; the rest are tried again)"), refused });
        }
        self.count(&processed, &name);
        if let Some((retry_in, detail)) = processed.retry_later() {
            return Err(IngestError::ArticlesPending { file: name, pending: processed.pending.len(), delivered: processed.ids.len(), retry_in, detail });
        }
        Ok(processed)
    }

    /// Count and log a document whose stories all went out.
    pub fn count(&self, p: &Processed, origin: &str) {
        for (key, reason) in &p.duplicates {
            tracing::info!(origin, story.id = %key, reason = %reason, "duplicate dropped");
        }
        for (id, reason) in &p.skipped {
            tracing::info!(origin, story.id = id.as_deref().unwrap_or("-"), reason = %reason, "item skipped");
        }
        for key in &p.ids {
            tracing::info!(origin, story.id = %key, "story ingested");
        }
        let add = |c: &std::sync::atomic::AtomicU64, n: u64| IngestStats::add(c, n);
        add(&self.stats.stories, p.ids.len() as u64);
        add(&self.stats.updates, p.updates);
        add(&self.stats.kills, p.kills);
        add(&self.stats.duplicates, p.duplicates.len() as u64);
        add(&self.stats.skipped, p.skipped.len() as u64);
        add(&self.stats.articles_full_text, p.pages.full_text);
        add(&self.stats.teasers_paywalled, p.pages.paywalled);
        add(&self.stats.teasers_too_short, p.pages.too_short);
        add(&self.stats.teasers_fetch_failed, p.pages.failed);
        add(&self.stats.teasers_gave_up, p.pages.gave_up);
    }
}

/// Parse on a blocking thread; a parser panic becomes a permanent error naming the file.
async fn parse_off_thread(bytes: Vec<u8>, name: &str, config: &IngestConfig) -> Result<Vec<Parsed>, IngestError> {
    let (name_owned, cfg) = (name.to_string(), config.clone());
    tokio::task::spawn_blocking(move || parse_document(&bytes, &name_owned, &cfg)).await.unwrap_or_else(|join| {
        Err(IngestError::Invalid {
            file: name.to_string(),
            format: "unknown",
            detail: format!("crashed the parser ({join}); this is a bug: keep the file and report it"),
        })
    })
}

/// Give every story its namespace (and a feed's configured source), as the stage does.
pub fn namespaced(items: Vec<Parsed>, origin: Origin<'_>) -> Vec<Parsed> {
    items
        .into_iter()
        .map(|item| match item {
            Parsed::Story(mut s) => {
                match origin {
                    Origin::Feed { name, source } => {
                        if let Some(src) = source {
                            s.source = Some(src.to_string());
                        }
                        s.namespace = namespace_of(source.unwrap_or(name));
                    }
                    Origin::Document { .. } if s.namespace.is_empty() => {
                        s.namespace = namespace_of(s.source.as_deref().unwrap_or(""));
                    }
                    Origin::Document { .. } => {}
                }
                Parsed::Story(s)
            }
            skipped => skipped,
        })
        .collect()
}
