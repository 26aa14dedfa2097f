//! summarize-worker: consumes `story.extracted`, writes the summary and SEO article, and, with
//! the event desk on (`[events]`), the event article from every wire that reported the event;
//! emits `story.summarized`.

use copydesk_store::{Store, StoreConfig};
use copydesk_summarize::stage::{EventDesk, EventsConfig, SummarizeStage};
use copydesk_summarize::SummarizeConfig;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    copydesk_runtime::worker_main(|layers, rt| async move {
        let config: SummarizeConfig = layers.section("summarize")?;
        let events: EventsConfig = layers.section("events")?;
        let engine = std::sync::Arc::new(copydesk_summarize::build(&config)?);
        let metered = engine.clone();
        rt.metrics().add_extra(std::sync::Arc::new(move || metered.render_prometheus("copydesk")));
        let desk = if events.enabled {
            let store = Store::open(&layers.section::<StoreConfig>("store")?).await?;
            tracing::info!(store = store.backend().as_str(), location = %store.location(), "event desk on: stories are clustered into events");
            Some(EventDesk::new(store, &events))
        } else {
            None
        };
        Ok(SummarizeStage::new(engine, rt.names().events_exchange(), desk))
    })
    .await
}
