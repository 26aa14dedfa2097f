//! ingest-worker: the pipeline's source. Turns files from the drop folder, raw documents sent
//! with `copydesk ingest`, polled feeds and HTTP pushes into `story.ingested` events.

use copydesk_ingest::deliver::{deliver, triage};
use copydesk_ingest::{parse_document, DedupStore, IngestConfig, IngestStats, SharedDedup, SinkError, Story, StorySink};
use copydesk_runtime::handler::{Handler, HandlerError, Incoming, Output};
use copydesk_runtime::{Outgoing, Publisher, Runtime};
use copydesk_types::{names, Envelope, Stage, StoryIngested};
use futures::future::{BoxFuture, FutureExt};
use std::sync::{Arc, Mutex};

/// Publishes stories as `story.ingested`, resolving only after the broker confirmed each.
struct BrokerSink {
    publisher: Publisher,
    exchange: String,
}

impl StorySink for BrokerSink {
    fn submit(&self, stories: Vec<Story>) -> BoxFuture<'_, Result<(), SinkError>> {
        async move {
            let messages: Vec<Outgoing> = stories
                .into_iter()
                .map(|story| Outgoing::event(&self.exchange, &Envelope::new(StoryIngested { story }, 1)))
                .collect();
            self.publisher.publish_confirmed(&messages).await.map_err(|e| SinkError(e.to_string()))
        }
        .boxed()
    }
}

/// Parses raw documents from the `document.received` queue.
struct DocumentHandler {
    config: IngestConfig,
    sink: Arc<BrokerSink>,
    dedup: SharedDedup,
    stats: Arc<IngestStats>,
}

impl Handler for DocumentHandler {
    const STAGE: Stage = Stage::Ingest;
    type Input = String;

    fn decode(&self, incoming: &Incoming) -> Result<String, String> {
        Ok(incoming.header(names::H_FILENAME).unwrap_or("document").to_string())
    }

    fn describe(&self, name: &String) -> (String, u64) {
        (name.clone(), 0)
    }

    async fn handle(&self, name: String, incoming: &Incoming) -> Result<Output, HandlerError> {
        let items = parse_document(&incoming.body, &name, &self.config).map_err(|e| HandlerError::classify(e.is_transient(), &e))?;
        let triaged = triage(items, &self.dedup);
        let duplicates = triaged.duplicates.len() as u64;
        // The sink publishes with confirms before returning, so acking afterwards is safe.
        deliver(triaged, self.sink.as_ref(), &self.dedup, &self.stats, &name)
            .await
            .map_err(|e| HandlerError::Transient(e.to_string()))?;
        Ok(Output { messages: Vec::new(), duplicates })
    }
}

fn start_sources(rt: &Runtime, config: &IngestConfig, sink: Arc<BrokerSink>, dedup: SharedDedup, stats: Arc<IngestStats>) {
    let (cfg, s, d, st, cancel) = (config.clone(), sink.clone(), dedup.clone(), stats.clone(), rt.cancel.clone());
    rt.spawn_task("drop folder", async move {
        copydesk_ingest::run_drop_folder(&cfg, s, d, cancel, st).await.map_err(anyhow::Error::from)
    });
    if config.push.enabled {
        let push = config.push.clone();
        let app = copydesk_ingest::push::router(push.clone(), sink.clone(), dedup.clone(), stats.clone());
        let cancel = rt.cancel.clone();
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
        let (cfg, cancel) = (config.clone(), rt.cancel.clone());
        rt.spawn_task("feed poller", async move {
            copydesk_ingest::run_feed_poller(&cfg, sink, dedup, cancel, stats).await.map_err(anyhow::Error::from)
        });
    }
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    copydesk_runtime::worker_main(|layers, rt| {
        let config: IngestConfig = layers.section("ingest")?;
        let dedup_path = config.dedup_path();
        let store = DedupStore::open(&dedup_path, config.dedup_capacity)
            .map_err(|e| anyhow::anyhow!("open the dedup state {}: {e}", dedup_path.display()))?;
        let dedup: SharedDedup = Arc::new(Mutex::new(store));
        let stats = Arc::new(IngestStats::default());
        let metrics_stats = stats.clone();
        rt.metrics.add_extra(Arc::new(move || {
            copydesk_runtime::metrics::render_counters("copydesk_ingest", &metrics_stats.snapshot())
        }));
        let sink = Arc::new(BrokerSink { publisher: rt.publisher.clone(), exchange: rt.names.events_exchange() });
        start_sources(rt, &config, sink.clone(), dedup.clone(), stats.clone());
        Ok(DocumentHandler { config, sink, dedup, stats })
    })
    .await
}
