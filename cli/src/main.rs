//! `copydesk`: the operator CLI.
//!
//! Layout: `main.rs` parses arguments and dispatches; `broker.rs` holds the commands that talk
//! to RabbitMQ (topology, status, ingest, dead letters); `local.rs` runs stages in-process
//! (`process`); `evals.rs` holds evaluation and benchmark commands;
//! `events.rs` feeds labelled documents through extraction to the event clusterer;
//! `console/` serves the operator console (`copydesk console`).

mod broker;
mod console;
mod evals;
mod events;
mod local;
mod store;

use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// Copydesk operator CLI. Configuration comes from config/default.toml, --config and
/// COPYDESK__<SECTION>__<KEY> variables, exactly as for the workers.
#[derive(Parser)]
#[command(name = "copydesk", version, about)]
struct Cli {
    /// Configuration file layered over config/default.toml.
    #[arg(long, global = true, env = "COPYDESK_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Declare exchanges, queues and bindings (idempotent).
    Topology {
        #[command(subcommand)]
        action: TopologyAction,
    },
    /// Per stage: messages ready, unacked, retrying, dead-lettered, and consumers.
    Status {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Publish files into the pipeline (ingest-worker parses them).
    Ingest {
        /// Files in any supported wire format.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Run all four stages on one file in this process, without a broker, and print the result;
    /// with --event, write one event article from the stories of several files.
    Process {
        /// Files in any supported wire format (one, or several with --event).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Treat the stories of all files as one event and print its one article.
        #[arg(long)]
        event: bool,
        /// Print the story, entities, summary and article as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Health of the configured feeds (last success, last new item, failures, last error, which
    /// replica polls it), read from the state store.
    Feeds {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// The shared state store: migrate its schema, import pre-store state files, show counts.
    Store {
        #[command(subcommand)]
        action: store::StoreAction,
    },
    /// Serve the operator console: live overview, failures grouped by cause with replay and
    /// purge, feeds, published stories and events (`[console]` config; loopback unless a token
    /// is configured).
    Console,
    /// Inspect and replay dead-lettered messages.
    Dlq {
        #[command(subcommand)]
        action: broker::DlqAction,
    },
    /// Quality evaluations of the built-in engines.
    Eval {
        #[command(subcommand)]
        what: evals::EvalWhat,
    },
    /// Throughput and memory benchmarks.
    Bench {
        #[command(subcommand)]
        what: evals::BenchWhat,
    },
}

#[derive(Subcommand)]
enum TopologyAction {
    /// Declare everything for the configured amqp.namespace.
    Declare,
    /// Compare the live broker with what this version declares: missing queues, queues whose
    /// arguments differ, classic retry tiers of earlier versions and what waits in them.
    Check {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Move messages out of the classic retry tiers of earlier versions into their work queues
    /// (each move confirmed before the old copy goes), then delete those tiers.
    Migrate,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    copydesk_runtime::exit_code(run().await)
}

async fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let layers = copydesk_runtime::config::Layers::load(cli.config.as_deref())?;
    let settings = layers.settings()?;
    // The console is a server: it logs at the configured level (its actions are logged).
    let level = if matches!(cli.command, Command::Console) {
        settings.telemetry.level.clone()
    } else {
        "warn".into()
    };
    copydesk_runtime::telemetry::init_subscriber(&copydesk_runtime::config::TelemetrySettings {
        level,
        ..settings.telemetry.clone()
    });
    match cli.command {
        Command::Topology {
            action: TopologyAction::Declare,
        } => broker::topology_declare(&settings).await,
        Command::Topology {
            action: TopologyAction::Check { json },
        } => broker::topology_check(&settings, json).await,
        Command::Topology {
            action: TopologyAction::Migrate,
        } => broker::topology_migrate(&settings).await,
        Command::Store { action } => store::run(&layers, action).await,
        Command::Status { json } => broker::status(&settings, json).await,
        Command::Ingest { files } => broker::ingest(&settings, &files).await,
        Command::Process {
            files,
            event: true,
            json,
        } => local::process_event(&layers, &files, json).await,
        Command::Process {
            files,
            event: false,
            json,
        } => {
            for file in &files {
                local::process(&layers, file, json).await?;
            }
            Ok(())
        }
        Command::Feeds { json } => local::feeds(&layers, json).await,
        Command::Dlq { action } => broker::dlq(&settings, action).await,
        Command::Console => console::run(&layers, settings).await,
        Command::Eval { what } => evals::eval(what),
        Command::Bench { what } => evals::bench(what),
    }
}
