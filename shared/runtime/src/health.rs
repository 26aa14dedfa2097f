//! `/healthz` (the process is alive), `/readyz` (connected to the broker and not blocked) and
//! `/metrics` (Prometheus text), served on the configured port.

use crate::config::HealthSettings;
use crate::metrics::Metrics;
use axum::{extract::State, http::StatusCode, routing::get, Router};
use copydesk_types::Stage;
use lapin::Connection;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

/// What the health endpoints look at.
#[derive(Clone)]
pub struct HealthState {
    /// The worker's counters.
    pub metrics: Arc<Metrics>,
    /// Connections that must be up for the worker to be ready.
    pub connections: Vec<Arc<Connection>>,
}

/// The stage's default port: 9181 ingest, 9182 extract, 9183 summarize, 9184 publish.
pub fn default_port(stage: Stage) -> u16 {
    match stage {
        Stage::Ingest => 9181,
        Stage::Extract => 9182,
        Stage::Summarize => 9183,
        Stage::Publish => 9184,
    }
}

/// Bind the health server and serve it until `cancel`; returns the bound address.
pub async fn serve(
    settings: &HealthSettings,
    stage: Stage,
    state: HealthState,
    cancel: CancellationToken,
) -> anyhow::Result<SocketAddr> {
    let port = settings.port.unwrap_or_else(|| default_port(stage));
    let addr = format!("{}:{port}", settings.bind);
    let listener = tokio::net::TcpListener::bind(&addr).await.map_err(|e| {
        anyhow::anyhow!("cannot bind the health server to {addr}: {e}. Set health.port (COPYDESK__HEALTH__PORT; 0 picks a free port)")
    })?;
    let bound = listener.local_addr()?;
    let app = Router::new()
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .with_state(state);
    tokio::spawn(async move {
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(async move { cancel.cancelled().await })
            .await;
        if let Err(error) = served {
            tracing::warn!(%error, "health server stopped");
        }
    });
    Ok(bound)
}

async fn readyz(State(state): State<HealthState>) -> (StatusCode, String) {
    for conn in &state.connections {
        let status = conn.status();
        if !status.connected() {
            return (StatusCode::SERVICE_UNAVAILABLE, "not connected to RabbitMQ\n".into());
        }
        if status.blocked() {
            return (StatusCode::SERVICE_UNAVAILABLE, "RabbitMQ has blocked publishing (resource alarm)\n".into());
        }
    }
    (StatusCode::OK, "ready\n".into())
}

async fn metrics(State(state): State<HealthState>) -> ([(axum::http::HeaderName, &'static str); 1], String) {
    (
        [(axum::http::header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
}
