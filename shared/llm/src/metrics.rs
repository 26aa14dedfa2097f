//! Usage counters, shared between a client and whoever renders `/metrics`.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};

/// Monotonic counters for one client; cheap to bump from any task.
#[derive(Debug, Default)]
pub struct LlmMetrics {
    /// HTTP requests sent, retries included.
    pub requests: AtomicU64,
    /// Retries after a transient failure.
    pub retries: AtomicU64,
    /// Calls that ended in an error after all retries.
    pub errors: AtomicU64,
    /// Prompt tokens the server reported.
    pub prompt_tokens: AtomicU64,
    /// Completion tokens the server reported.
    pub completion_tokens: AtomicU64,
}

/// A point-in-time copy of [`LlmMetrics`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LlmMetricsSnapshot {
    /// HTTP requests sent, retries included.
    pub requests: u64,
    /// Retries after a transient failure.
    pub retries: u64,
    /// Calls that ended in an error after all retries.
    pub errors: u64,
    /// Prompt tokens the server reported.
    pub prompt_tokens: u64,
    /// Completion tokens the server reported.
    pub completion_tokens: u64,
}

impl LlmMetrics {
    /// Reads every counter.
    pub fn snapshot(&self) -> LlmMetricsSnapshot {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        LlmMetricsSnapshot {
            requests: get(&self.requests),
            retries: get(&self.retries),
            errors: get(&self.errors),
            prompt_tokens: get(&self.prompt_tokens),
            completion_tokens: get(&self.completion_tokens),
        }
    }

    pub(crate) fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    /// The counters in Prometheus text format, named `<prefix>_llm_*_total` and labelled with
    /// the stage, e.g. `render_prometheus("copydesk", "summarize")`.
    pub fn render_prometheus(&self, prefix: &str, stage: &str) -> String {
        let s = self.snapshot();
        let mut out = String::new();
        for (name, help, value) in [
            (
                "requests",
                "HTTP requests sent to the LLM server, retries included",
                s.requests,
            ),
            (
                "retries",
                "Retries after a transient LLM failure",
                s.retries,
            ),
            (
                "errors",
                "LLM calls that failed after all retries",
                s.errors,
            ),
            (
                "prompt_tokens",
                "Prompt tokens reported by the LLM server",
                s.prompt_tokens,
            ),
            (
                "completion_tokens",
                "Completion tokens reported by the LLM server",
                s.completion_tokens,
            ),
        ] {
            let metric = format!("{prefix}_llm_{name}_total");
            // Writing to a String cannot fail.
            let _ = write!(
                out,
                "# HELP {metric} {help}\n# TYPE {metric} counter\n{metric}{{stage=\"{stage}\"}} {value}\n"
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prometheus_rendering_names_every_counter_with_its_stage() {
        let m = LlmMetrics::default();
        LlmMetrics::add(&m.prompt_tokens, 42);
        let text = m.render_prometheus("copydesk", "summarize");
        assert!(
            text.contains("copydesk_llm_prompt_tokens_total{stage=\"summarize\"} 42"),
            "{text}"
        );
        assert_eq!(text.matches("# TYPE").count(), 5);
    }
}
