//! publish-worker: consumes `story.summarized`, writes articles, emits `story.published`.

use clap::Parser;
use copydesk_publish::{stage::PublishStage, PublishConfig};
use copydesk_runtime::TransformHandler;

/// Copydesk publish worker.
#[derive(Parser)]
#[command(version, about)]
struct Args {
    /// Configuration file layered over config/default.toml.
    #[arg(long, env = "COPYDESK_CONFIG")]
    config: Option<std::path::PathBuf>,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    copydesk_runtime::exit_code(run().await)
}

async fn run() -> anyhow::Result<()> {
    let args = Args::parse();
    copydesk_runtime::run_stage(args.config.as_deref(), |layers, rt| {
        let config: PublishConfig = layers.section("publish")?;
        tracing::info!(out_dir = %config.out_dir.display(), "publishing to files");
        Ok(TransformHandler { transform: PublishStage::new(config), exchange: rt.names.events_exchange() })
    })
    .await
}
