//! Article pages whose fetch failed transiently, remembered so that the document that comes
//! back (the feed polled again, the drop-folder file read again, the queue's retry) neither
//! hammers the page nor tries it forever: a page is tried again only after the server's
//! `Retry-After` or a doubling backoff (1 s, 2 s, 4 s, ... up to 10 min), whichever is
//! longer, and given up after `ingest.fetch.retry_for_secs`; its story then goes out with the
//! teaser, marked `gave_up`.
//!
//! The book is kept in memory, per process: a restart or another replica starts a page's
//! count again, which costs at most a few more requests and loses nothing.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// The first wait after a failure without `Retry-After`; it doubles with each failure.
const FIRST_BACKOFF: Duration = Duration::from_secs(1);
/// The doubling stops here.
const MAX_BACKOFF: Duration = Duration::from_secs(600);
/// Pages remembered at most; past it the longest-failing ones are forgotten first.
const MAX_PAGES: usize = 10_000;

/// Whether a page may be fetched now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Due {
    /// Fetch it.
    Now,
    /// Not before `left` from now; `last` is the failure that put it off.
    Later {
        /// Time left.
        left: Duration,
        /// The last failure, for the record.
        last: String,
    },
}

/// What to do after a transient failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AfterFailure {
    /// Try again after this long.
    RetryIn(Duration),
    /// Stop trying: the retry window is over (or the next try would fall after it).
    GiveUp {
        /// Failures counted, this one included.
        failures: u32,
        /// Since the first failure.
        over: Duration,
    },
}

struct Entry {
    first: Instant,
    failures: u32,
    not_before: Instant,
    last: String,
}

/// Per-page failure counts and next-try times.
pub struct RetryBook {
    retry_for: Duration,
    pages: Mutex<HashMap<String, Entry>>,
}

impl RetryBook {
    /// A book giving pages up `retry_for` after their first failure.
    pub fn new(retry_for: Duration) -> RetryBook {
        RetryBook { retry_for, pages: Mutex::new(HashMap::new()) }
    }

    fn pages(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        self.pages.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Whether `link` may be fetched now.
    pub fn due(&self, link: &str) -> Due {
        let now = Instant::now();
        match self.pages().get(link) {
            Some(e) if e.not_before > now => Due::Later { left: e.not_before - now, last: e.last.clone() },
            _ => Due::Now,
        }
    }

    /// Record a transient failure of `link`; `retry_after` is what the server asked for.
    pub fn failed(&self, link: &str, retry_after: Option<Duration>, error: &str) -> AfterFailure {
        let now = Instant::now();
        let mut pages = self.pages();
        if pages.len() >= MAX_PAGES && !pages.contains_key(link) {
            forget_oldest(&mut pages);
        }
        let entry = pages.entry(link.to_string()).or_insert(Entry { first: now, failures: 0, not_before: now, last: String::new() });
        entry.failures += 1;
        let backoff = FIRST_BACKOFF.saturating_mul(1 << (entry.failures - 1).min(16)).min(MAX_BACKOFF);
        let wait = retry_after.unwrap_or_default().max(backoff);
        let over = now - entry.first;
        if over >= self.retry_for || over + wait > self.retry_for {
            let failures = entry.failures;
            pages.remove(link);
            return AfterFailure::GiveUp { failures, over };
        }
        entry.not_before = now + wait;
        entry.last = error.to_string();
        AfterFailure::RetryIn(wait)
    }

    /// The page answered (or failed for good): forget its failures.
    pub fn settled(&self, link: &str) {
        self.pages().remove(link);
    }
}

fn forget_oldest(pages: &mut HashMap<String, Entry>) {
    if let Some(oldest) = pages.iter().min_by_key(|(_, e)| e.first).map(|(k, _)| k.clone()) {
        pages.remove(&oldest);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: Duration = Duration::from_secs(3600);

    #[tokio::test(start_paused = true)]
    async fn a_failed_page_waits_for_retry_after_or_a_doubling_backoff() {
        let book = RetryBook::new(HOUR);
        assert_eq!(book.due("https://a.example/1"), Due::Now);
        assert_eq!(book.failed("https://a.example/1", Some(Duration::from_secs(30)), "HTTP 503"), AfterFailure::RetryIn(Duration::from_secs(30)));
        assert!(matches!(book.due("https://a.example/1"), Due::Later { left, ref last } if left == Duration::from_secs(30) && last == "HTTP 503"));
        assert_eq!(book.due("https://a.example/2"), Due::Now, "other pages are not held");
        tokio::time::advance(Duration::from_secs(30)).await;
        assert_eq!(book.due("https://a.example/1"), Due::Now);
        // Without Retry-After the backoff doubles: the second failure waits 2 s, the third 4 s.
        assert_eq!(book.failed("https://a.example/1", None, "timeout"), AfterFailure::RetryIn(Duration::from_secs(2)));
        assert_eq!(book.failed("https://a.example/1", Some(Duration::from_secs(1)), "429"), AfterFailure::RetryIn(Duration::from_secs(4)), "a short Retry-After never shortens the backoff");
        book.settled("https://a.example/1");
        assert_eq!(book.due("https://a.example/1"), Due::Now);
        assert_eq!(book.failed("https://a.example/1", None, "timeout"), AfterFailure::RetryIn(Duration::from_secs(1)), "a settled page starts over");
    }

    #[tokio::test(start_paused = true)]
    async fn a_page_is_given_up_when_the_retry_window_is_over() {
        let book = RetryBook::new(Duration::from_secs(100));
        assert!(matches!(book.failed("p", None, "503"), AfterFailure::RetryIn(_)));
        tokio::time::advance(Duration::from_secs(60)).await;
        assert!(matches!(book.failed("p", None, "503"), AfterFailure::RetryIn(_)));
        assert_eq!(book.failed("p", Some(Duration::from_secs(50)), "503"), AfterFailure::GiveUp { failures: 3, over: Duration::from_secs(60) }, "the next try would fall after the window");
        assert_eq!(book.due("p"), Due::Now, "a page given up is forgotten");
        let none = RetryBook::new(Duration::ZERO);
        assert!(matches!(none.failed("q", None, "503"), AfterFailure::GiveUp { failures: 1, .. }), "retry_for_secs = 0 gives up at once");
    }
}
