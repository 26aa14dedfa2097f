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

/// Everything a running worker shares between its tasks. Cheap to clone.
#[derive(Clone)]
pub struct Runtime {
    /// The shared settings.
    pub settings: Arc<Settings>,
    /// Broker names for the configured namespace.
    pub names: Arc<Names>,
    /// This worker's counters.
    pub metrics: Arc<Metrics>,
    /// Confirm-mode publisher on the publishing connection.
    pub publisher: Publisher,
    /// Cancelled on SIGTERM/SIGINT, or when the worker must exit.
    pub cancel: CancellationToken,
    /// "<stage>-worker@<host>": the connection and consumer name.
    pub worker_name: String,
    /// The consuming connection (kept apart so publish flow control never stalls consuming).
    pub consume_connection: Arc<Connection>,
    /// The publishing connection.
    pub publish_connection: Arc<Connection>,
    /// Delay tiers of the retry queues.
    pub retry_tiers: Arc<Vec<u64>>,
    /// Background tasks (a source's watcher, a push server) waited for at shutdown.
    pub tasks: tokio_util::task::TaskTracker,
    fatal: Arc<Mutex<Option<String>>>,
}

impl Runtime {
    /// Connect, declare the topology, start the health server, the signal handler and the
    /// recovery watchdog.
    pub async fn start(settings: Settings, stage: Stage) -> anyhow::Result<Runtime> {
        let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "local".into());
        let worker_name = format!("{stage}-worker@{host}");
        let consume_connection = Arc::new(broker::connect(&settings.amqp, &format!("{worker_name}/consume")).await?);
        let publish_connection = Arc::new(broker::connect(&settings.amqp, &format!("{worker_name}/publish")).await?);
        let publisher = Publisher::new(&publish_connection).await?;
        let names = Names::new(settings.amqp.namespace.clone());
        broker::declare_topology(publisher.channel(), &names, &settings.retry).await?;

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
        };
        rt.spawn_signal_handler();
        rt.spawn_watchdog();
        Ok(rt)
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
