//! The ingest stage: one document in, `story.ingested` messages out.
//!
//! [`IngestStage::process`] parses a document (on a blocking thread, with a crash caught),
//! names its stories' namespace, sorts them against the state store and returns the messages
//! as an [`Output`] whose receipts say what to record. The runtime publishes them with confirms
//! (the consume loop for documents from the queue, [`Deliver`] for the drop folder, feeds and
//! the push endpoint) and hands back the receipts of the confirmed ones, which
//! [`IngestStage::record`] writes to the store. A document retried after a partial failure
//! therefore never republishes what was already confirmed.

use std::sync::Arc;

use copydesk_runtime::{Outgoing, Output};
use copydesk_store::{IngestRecord, Store};
use copydesk_types::story::namespace_of;
use copydesk_types::{Envelope, StoryIngested};
use futures::future::BoxFuture;

use crate::dedup::{record_of, triage};
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

/// A processed document: the messages to publish and what happened to each item.
#[derive(Debug, Default)]
pub struct Processed {
    /// One message per story to deliver, each with its record as receipt.
    pub output: Output<IngestRecord>,
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
}

/// What the runtime reports after publishing a source's output.
#[derive(Debug, Default)]
pub struct Delivered {
    /// Receipts of the messages the broker confirmed.
    pub confirmed: Vec<IngestRecord>,
    /// Why the rest were not, if any are left; `refused` when the broker said no (routing,
    /// size) rather than being unavailable.
    pub error: Option<(String, bool)>,
}

/// The runtime's publishing as ingest's sources see it (the worker implements it on
/// `copydesk_runtime::Runtime::deliver`; tests implement it in memory).
pub trait Deliver: Send + Sync + 'static {
    /// Publish with confirms; report which were confirmed.
    fn deliver(&self, output: Output<IngestRecord>) -> BoxFuture<'_, Delivered>;
}

/// The stage's engine: parsing, dedup and the messages, without the broker.
#[derive(Clone)]
pub struct IngestStage {
    config: IngestConfig,
    store: Store,
    exchange: String,
    max_message_bytes: usize,
    stats: Arc<IngestStats>,
}

impl IngestStage {
    /// A stage publishing on `exchange`, refusing messages above `max_message_bytes`.
    pub fn new(config: IngestConfig, store: Store, exchange: String, max_message_bytes: usize, stats: Arc<IngestStats>) -> Self {
        IngestStage { config, store, exchange, max_message_bytes, stats }
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

    /// Parse, namespace, dedup and wrap one document. Parse errors are permanent; store
    /// trouble is transient.
    pub async fn process(&self, bytes: Vec<u8>, origin: Origin<'_>) -> Result<Processed, IngestError> {
        let name = origin.name().to_string();
        let items = parse_off_thread(bytes, &name, &self.config).await?;
        let single = items.len() == 1;
        let items = namespaced(items, origin);
        let format = items.iter().find_map(|p| match p {
            Parsed::Story(s) => Some(s.format.as_str()),
            Parsed::Skipped { .. } => None,
        });
        let t = triage(&self.store, items).await.map_err(|source| IngestError::Store { file: name.clone(), source })?;
        let mut processed = Processed { duplicates: t.duplicates, skipped: t.skipped, updates: t.updates, format, ..Default::default() };
        for story in t.stories {
            let key = story.key();
            let record = record_of(&story);
            let kill = story.is_kill();
            let message = Outgoing::event(&self.exchange, &Envelope::new(StoryIngested { story }, 1));
            if message.body.len() > self.max_message_bytes {
                let error = IngestError::MessageTooLarge { file: name.clone(), story: key.clone(), bytes: message.body.len(), limit: self.max_message_bytes };
                if single {
                    return Err(error);
                }
                processed.skipped.push((Some(key), error.to_string()));
                continue;
            }
            processed.kills += kill as u64;
            processed.ids.push(key);
            processed.output.push(message, Some(record));
        }
        processed.output.duplicates = processed.duplicates.len() as u64;
        Ok(processed)
    }

    /// Record what the broker confirmed, so later copies are recognised as duplicates.
    pub async fn record(&self, receipts: &[IngestRecord]) -> Result<(), copydesk_store::StoreError> {
        for record in receipts {
            self.store.record_ingested(record).await?;
        }
        Ok(())
    }

    /// The whole path for a source: process, deliver through `deliver`, record what was
    /// confirmed, count and log. `Ok` only when every story went out.
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
