//! ingest-worker: the pipeline's source. Turns files from the drop folder, raw documents sent
//! with `copydesk ingest`, polled feeds and HTTP pushes into `story.ingested` events.

use std::sync::Arc;

use copydesk_ingest::stage::{Deliver, Delivered, IngestStage, Origin, Receipt};
use copydesk_ingest::{IngestConfig, IngestStats};
use copydesk_runtime::broker::BrokerError;
use copydesk_runtime::handler::{Handler, HandlerError, Incoming, Output};
use copydesk_runtime::Runtime;
use copydesk_store::{Store, StoreConfig};
use copydesk_types::{names, Stage};
use futures::future::BoxFuture;

/// The runtime's publishing for the drop folder, feeds and the push endpoint.
struct RuntimeDeliver(Runtime);

impl Deliver for RuntimeDeliver {
    fn deliver(&self, output: Output<Receipt>) -> BoxFuture<'_, Delivered> {
        Box::pin(async move {
            let (confirmed, error) = self.0.deliver(output).await;
            let error = error.map(|e| {
                let refused = matches!(e, BrokerError::Rejected(_) | BrokerError::TooLarge { .. });
                (e.to_string(), refused)
            });
            Delivered { confirmed, error }
        })
    }
}

/// Parses raw documents from the `document.received` queue.
struct DocumentHandler {
    stage: IngestStage,
}

impl Handler for DocumentHandler {
    const STAGE: Stage = Stage::Ingest;
    type Input = String;
    type Receipt = Receipt;

    fn decode(&self, incoming: &Incoming) -> Result<String, String> {
        Ok(incoming.header(names::H_FILENAME).unwrap_or("document").to_string())
    }

    fn describe(&self, name: &String) -> (String, u64) {
        (name.clone(), 0)
    }

    async fn handle(&self, name: String, incoming: &Incoming) -> Result<Output<Receipt>, HandlerError> {
        incoming.checkpoint()?;
        // Article pages are fetched inside `process`: stop fetching when the worker must stop.
        let processed = tokio::select! {
            processed = self.stage.process(incoming.body.clone(), Origin::Document { name: &name }) => processed,
            () = incoming.stop.cancelled() => return Err(HandlerError::Interrupted),
        };
        let processed = processed.map_err(|e| HandlerError::classify(e.is_transient(), &e))?;
        // Pages that failed transiently: the whole document waits for the first to be due
        // (nothing of it is published yet). Deferred rather than retried: a counted retry
        // would give up within the runtime's few attempts, before most Retry-After delays;
        // the stage gives a page up after ingest.fetch.retry_for_secs instead.
        if let Some((after, reason)) = processed.retry_later() {
            return Err(HandlerError::Defer { after, reason });
        }
        self.stage.count(&processed, &name);
        Ok(processed.output)
    }

    async fn confirmed(&self, receipts: Vec<Receipt>) -> Result<(), HandlerError> {
        self.stage.record(&receipts).await.map_err(|e| HandlerError::Transient(e.to_string()))
    }
}

fn start_sources(rt: &Runtime, stage: &IngestStage) {
    let deliver: Arc<dyn Deliver> = Arc::new(RuntimeDeliver(rt.clone()));
    let owner = copydesk_store::leases::owner_name("ingest");
    let (s, d, o, cancel) = (stage.clone(), deliver.clone(), owner.clone(), rt.shutdown_token());
    rt.spawn_task("drop folder", async move { copydesk_ingest::run_drop_folder(s, d, o, cancel).await.map_err(anyhow::Error::from) });
    let config = stage.config();
    if config.push.enabled {
        let push = config.push.clone();
        let app = copydesk_ingest::push::router(push.clone(), stage.clone(), deliver.clone());
        let cancel = rt.shutdown_token();
        rt.spawn_task("push endpoint", async move {
            let addr = format!("{}:{}", push.bind, push.port);
            let listener = tokio::net::TcpListener::bind(&addr)
                .await
                .map_err(|e| anyhow::anyhow!("cannot bind the push endpoint to {addr}: {e}; set ingest.push.port"))?;
            tracing::info!(push.addr = %addr, "push endpoint listening: POST /v1/documents");
            axum::serve(listener, app).with_graceful_shutdown(async move { cancel.cancelled().await }).await?;
            Ok(())
        });
    }
    if !config.feeds.is_empty() {
        let (s, cancel) = (stage.clone(), rt.shutdown_token());
        rt.spawn_task("feed poller", async move { copydesk_ingest::run_feed_poller(s, deliver, owner, cancel).await.map_err(anyhow::Error::from) });
    }
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    copydesk_runtime::worker_main(|layers, rt| async move {
        let config: IngestConfig = layers.section("ingest")?;
        let store_config: StoreConfig = layers.section("store")?;
        let store = Store::open(&store_config).await?;
        tracing::info!(store = store.backend().as_str(), location = %store.location(), "state store open");
        let stats = Arc::new(IngestStats::default());
        let metrics_stats = stats.clone();
        rt.metrics().add_extra(Arc::new(move || copydesk_runtime::metrics::render_counters("copydesk_ingest", &metrics_stats.snapshot())));
        let retention = std::time::Duration::from_secs(config.dedup_retention_days * 86_400);
        spawn_pruning(&rt, store.clone(), retention);
        let stage = IngestStage::new(config, store, rt.names().events_exchange(), rt.settings().amqp.max_message_bytes, stats);
        start_sources(&rt, &stage);
        Ok(DocumentHandler { stage })
    })
    .await
}

/// Prune dedup records past their retention once an hour.
fn spawn_pruning(rt: &Runtime, store: Store, retention: std::time::Duration) {
    let cancel = rt.shutdown_token();
    rt.spawn_task("dedup pruning", async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            tokio::select! {
                () = cancel.cancelled() => return Ok(()),
                _ = tick.tick() => match store.prune(retention, std::time::Duration::ZERO).await {
                    Ok(pruned) if pruned.dedup > 0 => tracing::info!(removed = pruned.dedup, "dedup records past their retention pruned"),
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "could not prune the dedup records; trying again in an hour"),
                },
            }
        }
    });
}
