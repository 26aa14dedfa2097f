//! `[ingest.fetch]`: how articles behind feed items are fetched. Every default lives in
//! [`FetchConfig::default`]; unknown keys are refused so a misspelt setting is not silently
//! ignored.

use serde::{Deserialize, Serialize};

/// Settings of the article fetcher (`[ingest.fetch]` in the configuration).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FetchConfig {
    /// Fetch the article behind feed items whose body is only a teaser.
    pub enabled: bool,
    /// `User-Agent` header sent with every request; name the operator so publishers can reach
    /// them.
    pub user_agent: String,
    /// The product token matched against `User-agent:` lines in robots.txt.
    pub robots_agent: String,
    /// Seconds to establish a connection (DNS excluded).
    pub connect_timeout_secs: u64,
    /// Seconds for a whole request, body included.
    pub timeout_secs: u64,
    /// Largest response body read; a bigger page is refused (checked while streaming, so
    /// no more than this is ever held).
    pub max_body_bytes: u64,
    /// Redirects followed per page (each hop is checked like the first request).
    pub max_redirects: u32,
    /// Requests in flight to one host at a time.
    pub per_host_concurrency: u32,
    /// Minimum milliseconds between the starts of two requests to one host (a robots.txt
    /// `Crawl-delay` up to `max_crawl_delay_secs` raises it for that host).
    pub per_host_min_delay_ms: u64,
    /// Upper bound on a robots.txt `Crawl-delay` we honour.
    pub max_crawl_delay_secs: u64,
    /// Obey robots.txt (turn off only for hosts you operate).
    pub respect_robots: bool,
    /// Seconds a host's robots.txt is cached.
    pub robots_ttl_secs: u64,
    /// Extra attempts of a request answered 429 or 503 within one fetch.
    pub max_retries: u32,
    /// Longest `Retry-After` waited for in place; a longer one fails the fetch as transient,
    /// carrying the delay, so the item is retried later instead of holding a worker.
    pub max_retry_after_secs: u64,
    /// Hosts (names or IP literals, exact match, case-insensitive) that may resolve to
    /// private, loopback or link-local addresses. Empty in production; tests allow 127.0.0.1.
    pub allow_hosts: Vec<String>,
    /// Below this many words the extracted text counts as too short and the teaser is kept
    /// (the page's text must also be longer than the teaser it replaces).
    pub min_words: usize,
    /// A story body with fewer words than this that carries a link is a teaser: its page is
    /// fetched. Longer bodies (a feed carrying full text) are left alone.
    pub teaser_max_words: usize,
    /// Page requests in flight at once in the whole process, over all hosts (each host also
    /// keeps to `per_host_concurrency`); bounds connections and buffered bodies.
    pub max_in_flight: u32,
    /// How long a page whose fetch keeps failing transiently (timeouts, 5xx, 429) is tried
    /// again before its story goes out with the teaser, marked `gave_up`.
    pub retry_for_secs: u64,
}

impl Default for FetchConfig {
    fn default() -> FetchConfig {
        FetchConfig {
            enabled: true,
            user_agent: concat!("Copydesk/", env!("CARGO_PKG_VERSION"), " (news pipeline; article fetcher)").into(),
            robots_agent: "Copydesk".into(),
            connect_timeout_secs: 10,
            timeout_secs: 30,
            max_body_bytes: 5 * 1024 * 1024,
            max_redirects: 5,
            per_host_concurrency: 2,
            per_host_min_delay_ms: 1000,
            max_crawl_delay_secs: 30,
            respect_robots: true,
            robots_ttl_secs: 3600,
            max_retries: 2,
            max_retry_after_secs: 30,
            allow_hosts: Vec::new(),
            min_words: 80,
            teaser_max_words: 150,
            max_in_flight: 8,
            retry_for_secs: 3600,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_settings_keep_the_other_defaults_and_unknown_keys_are_refused() {
        let cfg: FetchConfig = serde_json::from_str(r#"{"max_redirects": 2, "allow_hosts": ["127.0.0.1"]}"#)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(cfg.max_redirects, 2);
        assert_eq!(cfg.allow_hosts, vec!["127.0.0.1"]);
        assert_eq!(cfg.timeout_secs, FetchConfig::default().timeout_secs);
        let err = serde_json::from_str::<FetchConfig>(r#"{"max_redirect": 2}"#).err().map(|e| e.to_string());
        assert!(err.is_some_and(|e| e.contains("unknown field")));
    }
}
