//! The broker runtime every Copydesk worker shares.
//!
//! A worker binary loads [`config::Layers`], starts a [`Runtime`] for its stage and hands a
//! [`Handler`] to [`worker::consume`]; the runtime does everything broker-shaped, the handler
//! only the stage's work. Layout:
//! - [`config`]: layered settings (defaults, files, `COPYDESK__*` variables), validated.
//! - [`telemetry`]: tracing subscriber setup.
//! - [`broker`]: named connections and the idempotent topology (work, retry-tier and
//!   dead-letter queues per stage).
//! - [`publisher`]: confirmed, mandatory publishing that survives connection recovery.
//! - [`handler`]: the handler contract ([`Handler`], [`Transform`], [`HandlerError`]).
//! - [`retry`]: backoff delays with jitter, and the retry-or-give-up decision.
//! - [`settle`]: the verdict for a delivery (publish, retry, defer, dead-letter, requeue), pure.
//! - [`redact`]: URLs without user info or query strings, for logs, state and headers.
//! - [`worker`]: the consume loop: settle every delivery only after its replacement is confirmed.
//! - [`runtime`]: connections, health server, signals and the recovery watchdog of one process.
//! - [`metrics`], [`health`]: Prometheus counters and the `/healthz`, `/readyz`, `/metrics` server.
//! - [`trace`]: W3C `traceparent` and the story's path (stages and times) in AMQP headers.
//! - [`ops`]: operator actions on a live broker (status, dead-letter list/show/replay/purge).
//! - [`migrate`]: `topology check` (live broker against this version) and `topology migrate`
//!   (messages out of the classic retry tiers of earlier versions).

pub mod broker;
pub mod config;
pub mod handler;
pub mod health;
pub mod metrics;
pub mod migrate;
pub mod ops;
pub mod otlp;
pub mod publisher;
pub mod redact;
pub mod retry;
pub mod runtime;
pub mod settle;
pub mod telemetry;
pub mod trace;
pub mod worker;

pub use handler::{Emit, Handler, HandlerError, Incoming, Output, Transform, TransformHandler};
pub use publisher::{Outgoing, Publisher};
pub use runtime::Runtime;

/// Run a worker binary: load config, init telemetry, start the runtime, consume with the
/// handler built by `build` (which may open stores and start sources), and exit non-zero when
/// the worker had to stop.
pub async fn run_stage<H, F, Fut>(config: Option<&std::path::Path>, build: F) -> anyhow::Result<()>
where
    H: Handler,
    F: FnOnce(std::sync::Arc<config::Layers>, Runtime) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<H>>,
{
    let layers = std::sync::Arc::new(config::Layers::load(config)?);
    let settings = layers.settings()?;
    telemetry::init_subscriber(&settings.telemetry);
    let rt = Runtime::start(settings, H::STAGE).await?;
    let handler = match build(layers, rt.clone()).await {
        Ok(handler) => std::sync::Arc::new(handler),
        Err(error) => {
            rt.close().await;
            return Err(error);
        }
    };
    worker::consume(&rt, handler).await?;
    rt.close().await;
    match rt.fatal() {
        Some(reason) => Err(anyhow::anyhow!(reason)),
        None => Ok(()),
    }
}

/// The command line every worker binary accepts.
#[derive(clap::Parser)]
#[command(version, about = "A Copydesk pipeline worker. Configuration: config/default.toml, --config FILE, COPYDESK__<SECTION>__<KEY> variables.")]
pub struct WorkerArgs {
    /// Configuration file layered over config/default.toml.
    #[arg(long, env = "COPYDESK_CONFIG")]
    pub config: Option<std::path::PathBuf>,
}

/// The whole `main` of a worker binary: parse [`WorkerArgs`], run the stage with the handler
/// `build` makes, and turn the outcome into the exit status.
pub async fn worker_main<H, F, Fut>(build: F) -> std::process::ExitCode
where
    H: Handler,
    F: FnOnce(std::sync::Arc<config::Layers>, Runtime) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<H>>,
{
    let args = <WorkerArgs as clap::Parser>::parse();
    exit_code(run_stage(args.config.as_deref(), build).await)
}

/// Turn a binary's result into its exit status, printing an error as one readable chain
/// (`error: what we did: why`) rather than a debug dump with a backtrace.
pub fn exit_code(result: anyhow::Result<()>) -> std::process::ExitCode {
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            // Exit now: tearing down the async runtime while lapin's I/O thread still retries a
            // connection makes that thread panic, burying the one line that matters.
            std::process::exit(1)
        }
    }
}
