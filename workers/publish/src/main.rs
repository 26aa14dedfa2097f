//! publish-worker: consumes `story.summarized`, writes articles, emits `story.published`.

use copydesk_publish::{stage::PublishStage, PublishConfig};
use copydesk_runtime::TransformHandler;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    copydesk_runtime::worker_main(|layers, rt| {
        let config: PublishConfig = layers.section("publish")?;
        tracing::info!(out_dir = %config.out_dir.display(), wordpress = %config.wordpress.url, webhook = %config.webhook.url, "publishing to files, and to WordPress and the webhook when their url is set");
        Ok(TransformHandler { transform: PublishStage::from_config(config)?, exchange: rt.names.events_exchange() })
    })
    .await
}
