//! Prometheus text metrics, kept as plain atomics: cheap on the hot path, no registry to wire.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Upper bounds (seconds) of the handler latency histogram buckets.
const BUCKETS: [f64; 12] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];

/// Extra metric lines a stage adds (engine counters such as LLM tokens), rendered on each scrape.
pub type ExtraMetrics = Arc<dyn Fn() -> String + Send + Sync>;

/// One worker's counters.
pub struct Metrics {
    stage: &'static str,
    /// Deliveries received.
    pub received: AtomicU64,
    /// Deliveries handled, published downstream and acked.
    pub succeeded: AtomicU64,
    /// Deliveries sent to a delayed retry.
    pub retried: AtomicU64,
    /// Deliveries deferred (embargo) without counting an attempt.
    pub deferred: AtomicU64,
    /// Deliveries dead-lettered.
    pub dead_lettered: AtomicU64,
    /// Items dropped as duplicates.
    pub duplicates: AtomicU64,
    /// Deliveries given back to the broker unsettled (broker unavailable, worker stopping).
    pub requeued: AtomicU64,
    buckets: [AtomicU64; BUCKETS.len()],
    latency_sum_micros: AtomicU64,
    latency_count: AtomicU64,
    extra: std::sync::Mutex<Vec<ExtraMetrics>>,
}

impl Metrics {
    /// Fresh counters for a stage.
    pub fn new(stage: &'static str) -> Arc<Self> {
        Arc::new(Metrics {
            stage,
            received: AtomicU64::new(0),
            succeeded: AtomicU64::new(0),
            retried: AtomicU64::new(0),
            deferred: AtomicU64::new(0),
            dead_lettered: AtomicU64::new(0),
            duplicates: AtomicU64::new(0),
            requeued: AtomicU64::new(0),
            buckets: Default::default(),
            latency_sum_micros: AtomicU64::new(0),
            latency_count: AtomicU64::new(0),
            extra: std::sync::Mutex::new(Vec::new()),
        })
    }

    /// Add a source of extra lines to every scrape.
    pub fn add_extra(&self, extra: ExtraMetrics) {
        if let Ok(mut list) = self.extra.lock() {
            list.push(extra);
        }
    }

    /// Increment a counter by one.
    pub fn inc(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// Record one handler run's duration.
    pub fn observe_latency(&self, seconds: f64) {
        for (i, bound) in BUCKETS.iter().enumerate() {
            if seconds <= *bound {
                self.buckets[i].fetch_add(1, Ordering::Relaxed);
            }
        }
        self.latency_sum_micros.fetch_add((seconds * 1e6) as u64, Ordering::Relaxed);
        self.latency_count.fetch_add(1, Ordering::Relaxed);
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let stage = self.stage;
        let counters: [(&str, &AtomicU64, &str); 7] = [
            ("copydesk_messages_received_total", &self.received, "Deliveries received."),
            ("copydesk_messages_succeeded_total", &self.succeeded, "Deliveries handled, published downstream and acked."),
            ("copydesk_messages_retried_total", &self.retried, "Deliveries sent to a delayed retry."),
            ("copydesk_messages_deferred_total", &self.deferred, "Deliveries held back (embargo) without counting an attempt."),
            ("copydesk_messages_dead_lettered_total", &self.dead_lettered, "Deliveries dead-lettered."),
            ("copydesk_duplicates_total", &self.duplicates, "Items dropped as duplicates."),
            ("copydesk_messages_requeued_total", &self.requeued, "Deliveries given back to the broker unsettled (broker unavailable, worker stopping)."),
        ];
        for (name, value, help) in counters {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter");
            let _ = writeln!(out, "{name}{{stage=\"{stage}\"}} {}", value.load(Ordering::Relaxed));
        }
        let name = "copydesk_handler_duration_seconds";
        let _ = writeln!(out, "# HELP {name} Handler latency.\n# TYPE {name} histogram");
        for (i, bound) in BUCKETS.iter().enumerate() {
            let _ = writeln!(
                out,
                "{name}_bucket{{stage=\"{stage}\",le=\"{bound}\"}} {}",
                self.buckets[i].load(Ordering::Relaxed)
            );
        }
        let count = self.latency_count.load(Ordering::Relaxed);
        let _ = writeln!(out, "{name}_bucket{{stage=\"{stage}\",le=\"+Inf\"}} {count}");
        let sum = self.latency_sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
        let _ = writeln!(out, "{name}_sum{{stage=\"{stage}\"}} {sum}");
        let _ = writeln!(out, "{name}_count{{stage=\"{stage}\"}} {count}");
        if let Ok(list) = self.extra.lock() {
            for extra in list.iter() {
                out.push_str(&extra());
            }
        }
        out
    }
}

/// Render every numeric field of a serialisable snapshot as a Prometheus counter named
/// `<prefix>_<field>_total`: how engine and source counters (ingest, LLM usage) reach `/metrics`.
pub fn render_counters(prefix: &str, snapshot: &impl serde::Serialize) -> String {
    let mut out = String::new();
    if let Ok(serde_json::Value::Object(fields)) = serde_json::to_value(snapshot) {
        for (field, value) in fields {
            if let Some(n) = value.as_u64() {
                let name = format!("{prefix}_{field}_total");
                let _ = writeln!(out, "# TYPE {name} counter\n{name} {n}");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latency_lands_in_every_bucket_at_or_above_it() {
        let m = Metrics::new("extract");
        m.observe_latency(0.003);
        let text = m.render();
        assert!(text.contains("le=\"0.0025\"} 0"), "{text}");
        assert!(text.contains("le=\"0.005\"} 1"), "{text}");
        assert!(text.contains("le=\"+Inf\"} 1"), "{text}");
    }

    #[test]
    fn snapshot_fields_render_as_counters() {
        #[derive(serde::Serialize)]
        struct Snap {
            files_done: u64,
            label: &'static str,
        }
        let text = render_counters("copydesk_ingest", &Snap { files_done: 4, label: "x" });
        assert_eq!(text, "# TYPE copydesk_ingest_files_done_total counter\ncopydesk_ingest_files_done_total 4\n");
    }

    #[test]
    fn extra_lines_are_appended_to_the_scrape() {
        let m = Metrics::new("summarize");
        m.add_extra(Arc::new(|| "copydesk_llm_tokens_total 7\n".to_string()));
        assert!(m.render().ends_with("copydesk_llm_tokens_total 7\n"));
    }
}
