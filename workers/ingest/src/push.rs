//! The HTTP push endpoint: `POST /v1/documents` with a document of any supported format.
//!
//! Bearer-token auth (the token comes from the environment variable named by
//! `push.token_env`, never from the config file), a body size limit, and a JSON error
//! `{"error": kind, "detail": message}` for every rejection: 400 (empty, malformed, bad
//! encoding), 401 (missing or wrong token), 413 (too large), 415 (not a supported format),
//! 422 (recognised but unusable, unsafe XML), 503 (token not configured, or the broker is
//! unavailable: retry). Success is 202 with the story ids; duplicates are accepted and
//! reported, so a client may safely retry.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use secrecy::{ExposeSecret, SecretString};

use crate::stage::{Deliver, IngestStage, Origin};
use crate::{IngestError, IngestStats, PushConfig};

struct PushState {
    token: Option<SecretString>,
    token_env: String,
    max_body: usize,
    stage: IngestStage,
    deliver: Arc<dyn Deliver>,
    stats: Arc<IngestStats>,
}

/// Build the push router; the token is read from the environment once, here.
pub fn router(cfg: PushConfig, stage: IngestStage, deliver: Arc<dyn Deliver>) -> Router {
    let token = std::env::var(&cfg.token_env).ok().filter(|t| !t.trim().is_empty()).map(SecretString::from);
    if token.is_none() {
        tracing::warn!(env = %cfg.token_env, "push endpoint has no token configured; every request will get 503");
    }
    let mut config = stage.config().clone();
    config.max_file_bytes = cfg.max_body_bytes as u64;
    let stats = stage.stats().clone();
    let stage = stage.with_config(config);
    let state = PushState { token, token_env: cfg.token_env.clone(), max_body: cfg.max_body_bytes, stage, deliver, stats };
    Router::new()
        .route("/v1/documents", post(push_document))
        // The limit is enforced in the handler so that 413 comes back as JSON too.
        .layer(DefaultBodyLimit::disable())
        .with_state(Arc::new(state))
}

#[derive(Deserialize)]
struct NameHint {
    name: Option<String>,
}

fn reject(stats: &IngestStats, status: StatusCode, error: &str, detail: impl Into<String>) -> Response {
    IngestStats::add(&stats.push_rejected, 1);
    (status, Json(json!({ "error": error, "detail": detail.into() }))).into_response()
}

async fn push_document(State(st): State<Arc<PushState>>, Query(q): Query<NameHint>, headers: HeaderMap, body: Body) -> Response {
    let Some(expected) = st.token.as_ref() else {
        return reject(&st.stats, StatusCode::SERVICE_UNAVAILABLE, "not_configured", format!("the push token is not set; set the {} environment variable and restart the worker", st.token_env));
    };
    let presented = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
    if !presented.is_some_and(|p| constant_time_eq(p.trim().as_bytes(), expected.expose_secret().as_bytes())) {
        return reject(&st.stats, StatusCode::UNAUTHORIZED, "unauthorized", "send `Authorization: Bearer <token>` with the configured push token");
    }
    let name = q.name.unwrap_or_else(|| "pushed-document".into());
    let declared = headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<usize>().ok());
    let too_large = || format!("{name}: body is over the {}-byte limit; split it or raise ingest.push.max_body_bytes", st.max_body);
    if declared.is_some_and(|n| n > st.max_body) {
        return reject(&st.stats, StatusCode::PAYLOAD_TOO_LARGE, "too_large", too_large());
    }
    let bytes = match axum::body::to_bytes(body, st.max_body).await {
        Ok(b) => b,
        Err(_) => return reject(&st.stats, StatusCode::PAYLOAD_TOO_LARGE, "too_large", too_large()),
    };
    match st.stage.ingest(bytes.to_vec(), Origin::Document { name: &name }, st.deliver.as_ref()).await {
        Ok(p) => {
            IngestStats::add(&st.stats.push_accepted, 1);
            let duplicates: Vec<&String> = p.duplicates.iter().map(|(key, _)| key).collect();
            let skipped: Vec<serde_json::Value> = p.skipped.iter().map(|(id, r)| json!({ "id": id, "reason": r })).collect();
            (StatusCode::ACCEPTED, Json(json!({ "ids": p.ids, "duplicates": duplicates, "skipped": skipped }))).into_response()
        }
        Err(e) if e.is_transient() => {
            tracing::warn!(file = %name, error = %e, "push: not delivered");
            reject(&st.stats, StatusCode::SERVICE_UNAVAILABLE, "unavailable", format!("{e}; retry later (stories already confirmed are recognised as duplicates)"))
        }
        Err(e) => reject(&st.stats, status_for(&e), e.kind(), e.to_string()),
    }
}

/// Status code for a parse error.
fn status_for(e: &IngestError) -> StatusCode {
    match e {
        IngestError::TooLarge { .. } | IngestError::MessageTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
        IngestError::UnknownFormat { .. } | IngestError::Binary { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        IngestError::Empty { .. } | IngestError::Malformed { .. } | IngestError::Encoding { .. } => StatusCode::BAD_REQUEST,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

/// Compare without an early exit, so response timing does not reveal the token prefix.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
