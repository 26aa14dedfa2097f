//! A local webhook receiver for tests: checks every signature with the shared secret (refusing
//! a bad one with 401, as a real receiver should) and records each delivery id with its body.

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};

/// What the receiver got.
#[derive(Default)]
pub struct Received {
    /// Accepted deliveries in arrival order: (`X-Copydesk-Delivery`, parsed body).
    pub deliveries: Mutex<Vec<(String, serde_json::Value)>>,
    /// Requests refused for a bad signature.
    pub refused: Mutex<usize>,
}

/// Serve the receiver at `/hook` on a free local port; returns the shared record and the URL.
pub async fn serve(secret: &str) -> (Arc<Received>, String) {
    let received: Arc<Received> = Arc::default();
    let (state, secret) = (received.clone(), secret.as_bytes().to_vec());
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: Bytes| {
            let (state, secret) = (state.clone(), secret.clone());
            async move {
                let h = |n: &str| headers.get(n).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
                let ts: i64 = h("x-copydesk-timestamp").parse().unwrap_or_default();
                if h("x-copydesk-signature") != crate::webhook::signature(&secret, ts, &body) {
                    *state.refused.lock().expect("lock") += 1;
                    return StatusCode::UNAUTHORIZED;
                }
                let v: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
                state.deliveries.lock().expect("lock").push((h("x-copydesk-delivery"), v));
                StatusCode::NO_CONTENT
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
    (received, url)
}

impl Received {
    /// Accepted deliveries so far.
    pub fn deliveries(&self) -> Vec<(String, serde_json::Value)> {
        self.deliveries.lock().expect("lock").clone()
    }
}
