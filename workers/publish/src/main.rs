//! publish-worker: consumes `story.summarized`, writes articles, emits `story.published`.

use copydesk_publish::{stage::PublishStage, PublishConfig};
use copydesk_store::{Store, StoreConfig};
use std::sync::atomic::Ordering;
use std::time::Duration;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    copydesk_runtime::worker_main(|layers, rt| async move {
        let config: PublishConfig = layers.section("publish")?;
        let store_config: StoreConfig = layers.section("store")?;
        let store = Store::open(&store_config).await?;
        tracing::info!(store = store.backend().as_str(), location = %store.location(), out_dir = %config.out_dir.display(), "publishing to files, and to WordPress and the webhook when their url is set");
        let stage = PublishStage::new(config.clone(), store.clone(), &store_config, rt.names().events_exchange())?;
        let stats = stage.stats().clone();
        rt.metrics().add_extra(std::sync::Arc::new(move || {
            format!(
                "# TYPE copydesk_publish_embargo_beyond_bound_total counter\ncopydesk_publish_embargo_beyond_bound_total {}\n# TYPE copydesk_publish_skipped_total counter\ncopydesk_publish_skipped_total {}\n",
                stats.embargo_beyond_bound.load(Ordering::Relaxed),
                stats.skipped.load(Ordering::Relaxed)
            )
        }));
        let (files, cancel) = (stage.files().clone(), rt.shutdown_token());
        rt.spawn_task("retention", async move {
            let mut tick = tokio::time::interval(Duration::from_secs(3600));
            loop {
                tokio::select! {
                    () = cancel.cancelled() => return Ok(()),
                    _ = tick.tick() => {
                        let swept = files.sweep_tombstones(config.tombstone_retention_days);
                        let ledger = Duration::from_secs(config.ledger_retention_days * 86_400);
                        match store.prune(Duration::ZERO, ledger).await {
                            Ok(p) if p.ledger > 0 || swept > 0 => tracing::info!(tombstones = swept, ledger_rows = p.ledger, "retention: old records removed"),
                            Ok(_) => {}
                            Err(e) => tracing::warn!(error = %e, "retention sweep failed; trying again in an hour"),
                        }
                    }
                }
            }
        });
        Ok(stage)
    })
    .await
}
