//! The per-process runtime: two named connections (consuming and publishing), the topology, the
//! health server, signal handling and the recovery watchdog.

use crate::broker::{self, retry_tiers};
use crate::config::Settings;
use crate::health::{self, HealthState};
use crate::metrics::Metrics;
use crate::publisher::Publisher;
use copydesk_types::names::Names;
use copydesk_types::Stage;
use lapin::Connection;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// Everything a running worker shares between its tasks. Cheap to clone. Its parts are reached
/// through methods: the runtime alone publishes, settles and stops.
#[derive(Clone)]
pub struct Runtime {
    settings: Arc<Settings>,
    names: Arc<Names>,
    metrics: Arc<Metrics>,
    /// Confirm-mode publisher on the publishing connection.
    publisher: Publisher,
    /// Cancelled on SIGTERM/SIGINT, or when the worker must exit.
    cancel: CancellationToken,
    /// "<stage>-worker@<host>": the connection and consumer name.
    worker_name: String,
    /// The consuming connection (kept apart so publish flow control never stalls consuming).
    consume_connection: Arc<Connection>,
    publish_connection: Arc<Connection>,
    retry_tiers: Arc<Vec<u64>>,
    /// Background tasks (a source's watcher, a push server) waited for at shutdown.
    tasks: tokio_util::task::TaskTracker,
    fatal: Arc<Mutex<Option<String>>>,
    stage: Stage,
    /// Span exporter when `telemetry.otlp_endpoint` is set.
    otlp: Option<crate::otlp::Exporter>,
}

impl Runtime {
    /// Connect, declare the topology, start the health server, the signal handler and the
    /// recovery watchdog.
    pub async fn start(settings: Settings, stage: Stage) -> anyhow::Result<Runtime> {
        let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "local".into());
        let worker_name = format!("{stage}-worker@{host}");
        let consume_connection = Arc::new(broker::connect(&settings.amqp, &format!("{worker_name}/consume")).await?);
        let publish_connection = Arc::new(broker::connect(&settings.amqp, &format!("{worker_name}/publish")).await?);
        let publisher = Publisher::new(&publish_connection, settings.amqp.max_message_bytes).await?;
        let names = Names::new(settings.amqp.namespace.clone());
        // On a channel of its own, closed right after: lapin's recovery redeclares whatever a
        // channel declared, and a classic dead-letter queue whose node is down (in a cluster)
        // would make the publishing channel's recovery fail.
        let setup = publish_connection.create_channel().await.map_err(|e| broker::BrokerError::amqp("open a channel to declare the topology", e))?;
        broker::declare_topology(&setup, &names, &settings.retry).await?;
        let _ = setup.close(200, "topology declared".into()).await;

        let metrics = Metrics::new(stage.as_str());
        let cancel = CancellationToken::new();
        let bound = health::serve(
            &settings.health,
            stage,
            HealthState { metrics: metrics.clone(), connections: vec![consume_connection.clone(), publish_connection.clone()] },
            cancel.clone(),
        )
        .await?;
        tracing::info!(health.addr = %bound, amqp.namespace = %names.namespace, "{worker_name} started");

        let rt = Runtime {
            retry_tiers: Arc::new(retry_tiers(&settings.retry)),
            settings: Arc::new(settings),
            names: Arc::new(names),
            metrics,
            publisher,
            cancel,
            worker_name,
            consume_connection,
            publish_connection,
            fatal: Arc::new(Mutex::new(None)),
            tasks: tokio_util::task::TaskTracker::new(),
            stage,
            otlp: None,
        };
        let rt = Runtime { otlp: crate::otlp::Exporter::start(&rt.settings.telemetry, &rt.worker_name, &rt.tasks, rt.cancel.clone()), ..rt };
        rt.spawn_signal_handler();
        rt.spawn_watchdog();
        Ok(rt)
    }

    /// The shared settings.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Broker names for the configured namespace.
    pub fn names(&self) -> &Names {
        &self.names
    }

    /// This worker's counters.
    pub fn metrics(&self) -> &Arc<Metrics> {
        &self.metrics
    }

    /// The confirm-mode publisher (the runtime's own: stages return outputs instead of
    /// publishing; sources hand theirs to [`Runtime::deliver`]).
    pub(crate) fn publisher(&self) -> &Publisher {
        &self.publisher
    }

    /// The consuming connection.
    pub(crate) fn consume_connection(&self) -> &Connection {
        &self.consume_connection
    }

    /// The delay tiers of the retry queues.
    pub(crate) fn retry_tiers(&self) -> &[u64] {
        &self.retry_tiers
    }

    /// "<stage>-worker@<host>".
    pub fn worker_name(&self) -> &str {
        &self.worker_name
    }

    /// Cancelled when the worker stops (SIGTERM, Ctrl-C, or a fatal error): background tasks
    /// watch it.
    pub fn shutdown_token(&self) -> CancellationToken {
        self.cancel.clone()
    }

    /// Stop the worker gracefully, as SIGTERM does.
    pub fn shutdown(&self) {
        self.cancel.cancel();
    }

    /// Publish a source's outputs (a drop-folder file, a feed poll, a push) with confirms, as
    /// the consume loop publishes a handler's: returns the receipts of the confirmed messages
    /// and the error that stopped the rest, if any. Nothing is acked here: the source retires
    /// its input (moves the file, records the feed items) only for what was confirmed.
    pub async fn deliver<R>(&self, output: crate::handler::Output<R>) -> (Vec<R>, Option<crate::broker::BrokerError>) {
        let (mut messages, receipts): (Vec<crate::publisher::Outgoing>, Vec<Option<R>>) =
            output.emits.into_iter().map(|e| (e.message, e.receipt)).unzip();
        // Each story a source emits starts its own trace here.
        for message in &mut messages {
            let span = crate::trace::TraceContext::new_root();
            crate::trace::stamp(message, &span, None, self.stage.as_str());
        }
        self.metrics.duplicates.fetch_add(output.duplicates, std::sync::atomic::Ordering::Relaxed);
        let published = self.publisher.publish_all(&messages).await;
        let confirmed = receipts.into_iter().zip(&published.confirmed).filter_map(|(r, ok)| if *ok { r } else { None }).collect();
        (confirmed, published.error)
    }

    /// Export this stage's span of a message (no-op unless `telemetry.otlp_endpoint` is set).
    pub(crate) fn export_span(&self, stage: &str, trace: &crate::worker::Trace, story: Option<&(String, u64)>, started: Instant) {
        if let Some(otlp) = &self.otlp {
            otlp.record(stage, trace, story, started);
        }
    }

    /// Stop the worker because it cannot go on; the process then exits non-zero.
    pub fn fail(&self, reason: String) {
        tracing::error!(%reason, "worker must stop; exiting non-zero so the supervisor restarts it");
        if let Ok(mut fatal) = self.fatal.lock() {
            fatal.get_or_insert(reason);
        }
        self.cancel.cancel();
    }

    /// Why the worker had to stop, if it did.
    pub fn fatal(&self) -> Option<String> {
        self.fatal.lock().ok().and_then(|f| f.clone())
    }

    /// Run a background task until the runtime is cancelled; [`Runtime::close`] waits for it
    /// within the shutdown deadline. An error from it stops the worker.
    pub fn spawn_task<F>(&self, name: &'static str, task: F)
    where
        F: std::future::Future<Output = anyhow::Result<()>> + Send + 'static,
    {
        let rt = self.clone();
        self.tasks.spawn(async move {
            if let Err(error) = task.await {
                rt.fail(format!("{name} stopped: {error:#}"));
            }
        });
    }

    /// Wait for background tasks (within the shutdown deadline), then close both connections
    /// cleanly; call after [`crate::worker::consume`] returns.
    pub async fn close(&self) {
        self.tasks.close();
        let deadline = Duration::from_secs(self.settings.worker.shutdown_deadline_secs);
        if tokio::time::timeout(deadline, self.tasks.wait()).await.is_err() {
            tracing::warn!("background tasks did not stop within the shutdown deadline");
        }
        let _ = self.publish_connection.close(200, "worker stopping".into()).await;
        let _ = self.consume_connection.close(200, "worker stopping".into()).await;
    }

    fn spawn_signal_handler(&self) {
        let cancel = self.cancel.clone();
        tokio::spawn(async move {
            let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(term) => term,
                Err(error) => {
                    tracing::warn!(%error, "cannot listen for SIGTERM; only Ctrl-C stops the worker gracefully");
                    let _ = tokio::signal::ctrl_c().await;
                    cancel.cancel();
                    return;
                }
            };
            tokio::select! {
                _ = term.recv() => tracing::info!("SIGTERM: stopping"),
                _ = tokio::signal::ctrl_c() => tracing::info!("SIGINT: stopping"),
                _ = cancel.cancelled() => return,
            }
            cancel.cancel();
        });
    }

    /// Exit non-zero when a connection has not recovered within `amqp.recovery_timeout_secs`.
    fn spawn_watchdog(&self) {
        let rt = self.clone();
        let limit = Duration::from_secs(rt.settings.amqp.recovery_timeout_secs);
        tokio::spawn(async move {
            let mut down_since: Option<Instant> = None;
            let mut tick = tokio::time::interval(Duration::from_millis(250));
            loop {
                tokio::select! {
                    _ = rt.cancel.cancelled() => return,
                    _ = tick.tick() => {}
                }
                let up = rt.consume_connection.status().connected() && rt.publish_connection.status().connected();
                match (up, down_since) {
                    (true, Some(since)) => {
                        tracing::info!(down_ms = since.elapsed().as_millis() as u64, "connection recovered");
                        down_since = None;
                    }
                    (false, None) => {
                        tracing::warn!("connection to RabbitMQ lost; waiting for recovery");
                        down_since = Some(Instant::now());
                    }
                    (false, Some(since)) if since.elapsed() > limit => {
                        rt.fail(format!("the connection to RabbitMQ did not recover within {}s (amqp.recovery_timeout_secs)", limit.as_secs()));
                        return;
                    }
                    _ => {}
                }
            }
        });
    }
}
