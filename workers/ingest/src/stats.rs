//! Counters shared by every source; the worker renders a [`StatsSnapshot`] as Prometheus metrics.

use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;

/// Monotonic counters, updated lock-free by the sources.
#[derive(Debug, Default)]
pub struct IngestStats {
    /// Drop-folder files fully handled and moved to `.done/`.
    pub files_done: AtomicU64,
    /// Drop-folder files refused and moved to `.failed/`.
    pub files_failed: AtomicU64,
    /// Drop-folder passes that left a file in place because the sink failed (retried later).
    pub files_retried: AtomicU64,
    /// Stories handed to the sink and confirmed.
    pub stories: AtomicU64,
    /// Of those, updates (same guid, newer version).
    pub updates: AtomicU64,
    /// Of those, kills and withholds.
    pub kills: AtomicU64,
    /// Items dropped as duplicates.
    pub duplicates: AtomicU64,
    /// Non-story or unusable items skipped with a reason.
    pub skipped: AtomicU64,
    /// Feed fetches attempted.
    pub feed_fetches: AtomicU64,
    /// Feed fetches answered 304 Not Modified.
    pub feed_not_modified: AtomicU64,
    /// Feed fetches or parses that failed.
    pub feed_errors: AtomicU64,
    /// "Feed has gone quiet" warnings (one per feed per quiet spell).
    pub feed_quiet_warnings: AtomicU64,
    /// Push requests accepted (202).
    pub push_accepted: AtomicU64,
    /// Push requests rejected (4xx/5xx).
    pub push_rejected: AtomicU64,
    /// Drop-folder scans (a busy loop shows up here first).
    pub drop_scans: AtomicU64,
    /// Files another replica had claimed and then abandoned, taken back into the drop folder.
    pub claims_taken_over: AtomicU64,
    /// Article pages behind teasers fetched (they answered with HTML, whatever came of it).
    pub pages_fetched: AtomicU64,
    /// Article page fetches that failed (transient or not).
    pub page_fetch_failures: AtomicU64,
    /// Stories held back for a later try of their page (transient failures).
    pub page_retries: AtomicU64,
    /// Stories delivered with the page's text as body (the teaser as standfirst).
    pub articles_full_text: AtomicU64,
    /// Stories delivered with the teaser because the page is paywalled.
    pub teasers_paywalled: AtomicU64,
    /// Stories delivered with the teaser because the page had too little text.
    pub teasers_too_short: AtomicU64,
    /// Stories delivered with the teaser because the page could not be fetched or used.
    pub teasers_fetch_failed: AtomicU64,
    /// Stories delivered with the teaser after their page kept failing for `retry_for_secs`.
    pub teasers_gave_up: AtomicU64,
}

/// A point-in-time copy of [`IngestStats`], serialisable for `/metrics` and tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[allow(missing_docs)]
pub struct StatsSnapshot {
    pub files_done: u64,
    pub files_failed: u64,
    pub files_retried: u64,
    pub stories: u64,
    pub updates: u64,
    pub kills: u64,
    pub duplicates: u64,
    pub skipped: u64,
    pub feed_fetches: u64,
    pub feed_not_modified: u64,
    pub feed_errors: u64,
    pub feed_quiet_warnings: u64,
    pub push_accepted: u64,
    pub push_rejected: u64,
    pub drop_scans: u64,
    pub claims_taken_over: u64,
    pub pages_fetched: u64,
    pub page_fetch_failures: u64,
    pub page_retries: u64,
    pub articles_full_text: u64,
    pub teasers_paywalled: u64,
    pub teasers_too_short: u64,
    pub teasers_fetch_failed: u64,
    pub teasers_gave_up: u64,
}

impl IngestStats {
    /// Add `n` to a counter.
    pub fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    /// Copy every counter.
    pub fn snapshot(&self) -> StatsSnapshot {
        let g = |c: &AtomicU64| c.load(Ordering::Relaxed);
        StatsSnapshot {
            files_done: g(&self.files_done),
            files_failed: g(&self.files_failed),
            files_retried: g(&self.files_retried),
            stories: g(&self.stories),
            updates: g(&self.updates),
            kills: g(&self.kills),
            duplicates: g(&self.duplicates),
            skipped: g(&self.skipped),
            feed_fetches: g(&self.feed_fetches),
            feed_not_modified: g(&self.feed_not_modified),
            feed_errors: g(&self.feed_errors),
            feed_quiet_warnings: g(&self.feed_quiet_warnings),
            push_accepted: g(&self.push_accepted),
            push_rejected: g(&self.push_rejected),
            drop_scans: g(&self.drop_scans),
            claims_taken_over: g(&self.claims_taken_over),
            pages_fetched: g(&self.pages_fetched),
            page_fetch_failures: g(&self.page_fetch_failures),
            page_retries: g(&self.page_retries),
            articles_full_text: g(&self.articles_full_text),
            teasers_paywalled: g(&self.teasers_paywalled),
            teasers_too_short: g(&self.teasers_too_short),
            teasers_fetch_failed: g(&self.teasers_fetch_failed),
            teasers_gave_up: g(&self.teasers_gave_up),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_counters_reach_the_metrics_page() {
        let stats = IngestStats::default();
        IngestStats::add(&stats.teasers_paywalled, 2);
        IngestStats::add(&stats.pages_fetched, 5);
        let text = copydesk_runtime::metrics::render_counters("copydesk_ingest", &stats.snapshot());
        assert!(text.contains("copydesk_ingest_teasers_paywalled_total 2\n"), "{text}");
        assert!(text.contains("copydesk_ingest_pages_fetched_total 5\n"), "{text}");
        assert!(text.contains("copydesk_ingest_teasers_gave_up_total 0\n"), "{text}");
    }
}
