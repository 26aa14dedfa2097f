//! Trace export over OTLP/HTTP with JSON encoding, off unless `telemetry.otlp_endpoint` is set.
//!
//! Each stage's handling of a message is one span (kind CONSUMER) in the story's trace: trace id
//! and parent from the message's `traceparent` ([`crate::trace`]), the stage as its name, story id
//! and version as attributes. Spans are batched (up to [`BATCH`] or every [`FLUSH`]) and posted
//! to `<endpoint>/v1/traces`; a collector that is down costs dropped spans and a warning, never
//! a message: export runs beside the pipeline, not in its path.

use crate::config::TelemetrySettings;
use crate::worker::Trace;
use serde_json::{json, Value};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// Spans per request.
const BATCH: usize = 256;
/// Longest a span waits before it is sent.
const FLUSH: Duration = Duration::from_secs(2);
/// Spans queued before new ones are dropped (the collector is slow or down).
const QUEUE: usize = 8192;

/// A finished span.
#[derive(Debug, Clone)]
pub struct SpanRecord {
    /// 32 hex digits.
    pub trace_id: String,
    /// 16 hex digits.
    pub span_id: String,
    /// The sender's span, if the message carried one.
    pub parent_span_id: Option<String>,
    /// The stage.
    pub name: String,
    /// Unix nanoseconds.
    pub start_ns: u128,
    /// Unix nanoseconds.
    pub end_ns: u128,
    /// Story id and version, when the message decoded.
    pub story: Option<(String, u64)>,
}

/// Hands spans to the background sender.
#[derive(Clone)]
pub struct Exporter {
    tx: mpsc::Sender<SpanRecord>,
}

impl Exporter {
    /// Start the sender task (tracked by `tasks`, stopped by `cancel` after a last flush), or
    /// `None` when no endpoint is configured.
    pub fn start(settings: &TelemetrySettings, service: &str, tasks: &tokio_util::task::TaskTracker, cancel: CancellationToken) -> Option<Exporter> {
        let endpoint = settings.otlp_endpoint.trim().trim_end_matches('/');
        if endpoint.is_empty() {
            return None;
        }
        let url = format!("{endpoint}/v1/traces");
        let service = service.split('@').next().unwrap_or(service).to_string();
        let (tx, rx) = mpsc::channel(QUEUE);
        tracing::info!(otlp.url = %crate::redact::redact_url(&url), "exporting traces over OTLP");
        tasks.spawn(send_loop(url, service, rx, cancel));
        Some(Exporter { tx })
    }

    /// Queue one stage's span of a message; dropped when the queue is full.
    pub(crate) fn record(&self, stage: &str, trace: &Trace, story: Option<&(String, u64)>, started: Instant) {
        let end = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
        let start = end.saturating_sub(started.elapsed());
        let span = SpanRecord {
            trace_id: trace.span.trace_id.clone(),
            span_id: trace.span.span_id.clone(),
            parent_span_id: trace.parent.as_ref().map(|p| p.span_id.clone()),
            name: stage.to_string(),
            start_ns: start.as_nanos(),
            end_ns: end.as_nanos(),
            story: story.cloned(),
        };
        let _ = self.tx.try_send(span);
    }
}

async fn send_loop(url: String, service: String, mut rx: mpsc::Receiver<SpanRecord>, cancel: CancellationToken) {
    let client = match reqwest::Client::builder().timeout(Duration::from_secs(10)).build() {
        Ok(client) => client,
        Err(error) => {
            tracing::warn!(%error, "OTLP export off: no HTTP client");
            return;
        }
    };
    let mut batch = Vec::new();
    loop {
        let deadline = tokio::time::Instant::now() + FLUSH;
        let mut stop = false;
        while batch.len() < BATCH {
            tokio::select! {
                _ = cancel.cancelled() => { stop = true; break }
                _ = tokio::time::sleep_until(deadline) => break,
                got = rx.recv() => match got {
                    Some(span) => batch.push(span),
                    None => { stop = true; break }
                },
            }
        }
        if stop {
            while let Ok(span) = rx.try_recv() {
                batch.push(span);
            }
        }
        if !batch.is_empty() {
            let body = encode(&service, &batch);
            match client.post(&url).json(&body).send().await {
                Ok(r) if r.status().is_success() => {}
                Ok(r) => tracing::warn!(status = %r.status(), spans = batch.len(), "OTLP collector refused spans; dropped"),
                Err(error) => tracing::warn!(error = %crate::redact::redact_text(&error.to_string()), spans = batch.len(), "OTLP export failed; spans dropped"),
            }
            batch.clear();
        }
        if stop {
            return;
        }
    }
}

/// An OTLP `ExportTraceServiceRequest` in its JSON encoding (ids as hex, times as strings).
pub fn encode(service: &str, spans: &[SpanRecord]) -> Value {
    let text = |k: &str, v: &str| json!({ "key": k, "value": { "stringValue": v } });
    let spans: Vec<Value> = spans
        .iter()
        .map(|s| {
            let mut attributes = vec![text("messaging.system", "rabbitmq"), text("copydesk.stage", &s.name)];
            if let Some((id, version)) = &s.story {
                attributes.push(text("copydesk.story.id", id));
                attributes.push(json!({ "key": "copydesk.story.version", "value": { "intValue": version.to_string() } }));
            }
            let mut span = json!({
                "traceId": s.trace_id,
                "spanId": s.span_id,
                "name": s.name,
                "kind": 5,
                "startTimeUnixNano": s.start_ns.to_string(),
                "endTimeUnixNano": s.end_ns.to_string(),
                "attributes": attributes,
            });
            if let Some(parent) = &s.parent_span_id {
                span["parentSpanId"] = json!(parent);
            }
            span
        })
        .collect();
    json!({
        "resourceSpans": [{
            "resource": { "attributes": [text("service.name", service)] },
            "scopeSpans": [{ "scope": { "name": "copydesk-runtime" }, "spans": spans }],
        }]
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::TraceContext;

    #[tokio::test]
    async fn spans_reach_a_collector_as_otlp_json_with_trace_and_parent() {
        let (got_tx, mut got_rx) = mpsc::channel::<Value>(4);
        let app = axum::Router::new().route(
            "/v1/traces",
            axum::routing::post(move |axum::Json(body): axum::Json<Value>| {
                let got_tx = got_tx.clone();
                async move {
                    let _ = got_tx.send(body).await;
                    "{}"
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move { axum::serve(listener, app).await });

        let settings = TelemetrySettings { otlp_endpoint: format!("http://{addr}/"), ..Default::default() };
        let tasks = tokio_util::task::TaskTracker::new();
        let cancel = CancellationToken::new();
        let exporter = Exporter::start(&settings, "extract-worker@host", &tasks, cancel.clone()).expect("configured");
        let parent = TraceContext::new_root();
        let trace = Trace { span: parent.child(), parent: Some(parent.clone()), path: None };
        exporter.record("extract", &trace, Some(&("wire:1".into(), 2)), Instant::now());

        let body = tokio::time::timeout(Duration::from_secs(10), got_rx.recv()).await.expect("a request within the flush period").expect("body");
        let resource = &body["resourceSpans"][0];
        assert_eq!(resource["resource"]["attributes"][0]["value"]["stringValue"], "extract-worker");
        let span = &resource["scopeSpans"][0]["spans"][0];
        assert_eq!(span["traceId"], parent.trace_id.as_str());
        assert_eq!(span["parentSpanId"], parent.span_id.as_str());
        assert_eq!(span["spanId"], trace.span.span_id.as_str());
        assert_eq!(span["name"], "extract");
        assert!(span["attributes"].as_array().expect("attributes").iter().any(|a| a["value"]["stringValue"] == "wire:1"));
        cancel.cancel();
        tasks.close();
        tokio::time::timeout(Duration::from_secs(5), tasks.wait()).await.expect("sender stops");
    }

    #[test]
    fn no_endpoint_no_exporter() {
        let tasks = tokio_util::task::TaskTracker::new();
        assert!(Exporter::start(&TelemetrySettings::default(), "x", &tasks, CancellationToken::new()).is_none());
    }
}
