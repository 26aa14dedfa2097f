//! Fetch errors. Transient ones (timeouts, connection failures, 429, 5xx, robots.txt
//! unreachable) are worth retrying later through the runtime; permanent ones (4xx, robots
//! disallow, a private address, too large, not HTML, bad URL, redirect trouble) keep the
//! teaser and record why. Every message names the URL, redacted (no user info, no query).

use std::time::Duration;

/// Why an article could not be fetched.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The link is not a usable http(s) URL.
    #[error("{url}: not an http(s) URL ({reason}); the feed item's link is unusable, keep the teaser")]
    BadUrl {
        /// The link (redacted when it parses).
        url: String,
        /// What is wrong.
        reason: String,
    },
    /// robots.txt disallows the page for our agent.
    #[error("{url}: disallowed by the site's robots.txt for agent {agent}; the teaser is kept (ask the publisher, or set respect_robots = false only for hosts you operate)")]
    RobotsDisallowed {
        /// The page.
        url: String,
        /// Our robots.txt agent token.
        agent: String,
    },
    /// robots.txt answered 5xx or could not be fetched; per RFC 9309 nothing is fetched.
    #[error("{url}: robots.txt is unreachable ({detail}); the page will be tried again later")]
    RobotsUnreachable {
        /// The page.
        url: String,
        /// What happened.
        detail: String,
    },
    /// The host resolves to (or is) a private, loopback, link-local or otherwise internal address.
    #[error("{url}: {host} is {addr}, an internal address ({kind}); refused so feeds cannot reach internal services (add the host to ingest.fetch.allow_hosts only if it is yours)")]
    PrivateAddress {
        /// The page.
        url: String,
        /// The host name or literal.
        host: String,
        /// The refused address.
        addr: String,
        /// Which range it is in.
        kind: &'static str,
    },
    /// The body is larger than `max_body_bytes`.
    #[error("{url}: the response is larger than {limit} bytes (max_body_bytes); refused")]
    TooLarge {
        /// The page.
        url: String,
        /// The configured cap.
        limit: u64,
    },
    /// The response is not an HTML page.
    #[error("{url}: content type {content_type:?} is not HTML; only HTML articles are extracted")]
    NotHtml {
        /// The page.
        url: String,
        /// What the server said.
        content_type: String,
    },
    /// More redirects than `max_redirects`.
    #[error("{url}: more than {limit} redirects (max_redirects); the link is kept as it is")]
    TooManyRedirects {
        /// The first URL.
        url: String,
        /// The configured limit.
        limit: u32,
    },
    /// A redirect led back to a URL already visited.
    #[error("{url}: redirect loop back to {again}; the site is misconfigured, keep the teaser")]
    RedirectLoop {
        /// The first URL.
        url: String,
        /// The URL seen twice.
        again: String,
    },
    /// An HTTP status that ends the fetch.
    #[error("{url}: HTTP {status}{}", retry_hint(*status, *retry_after))]
    Status {
        /// The page.
        url: String,
        /// The status code.
        status: u16,
        /// What `Retry-After` asked for, if anything.
        retry_after: Option<Duration>,
    },
    /// The request timed out.
    #[error("{url}: timed out after {secs} s (timeout_secs / connect_timeout_secs); will be tried again later")]
    Timeout {
        /// The page.
        url: String,
        /// The limit hit.
        secs: u64,
    },
    /// Connection, TLS or DNS failure.
    #[error("{url}: cannot connect ({detail}); will be tried again later")]
    Connect {
        /// The page.
        url: String,
        /// The cause.
        detail: String,
    },
    /// The extractor failed on the page (a bug: please report the URL).
    #[error("{url}: extraction failed ({detail}); the teaser is kept, please report this page")]
    Extract {
        /// The page.
        url: String,
        /// What happened.
        detail: String,
    },
    /// The host told us to wait (a 429/503 with a long `Retry-After`, for this or another
    /// page of the same host) and the wait is longer than `max_retry_after_secs`: no request
    /// is sent before then.
    #[error("{url}: the host asked us to wait {} s (Retry-After); will be tried again after that", wait.as_secs())]
    HostBackoff {
        /// The page.
        url: String,
        /// How much longer the host is held back.
        wait: Duration,
    },
    /// The HTTP client could not be built (configuration).
    #[error("cannot build the HTTP client: {0}; check ingest.fetch")]
    Client(String),
}

fn retry_hint(status: u16, retry_after: Option<Duration>) -> String {
    match (status, retry_after) {
        (429 | 503, Some(d)) => format!(" with Retry-After {} s; will be tried again after that", d.as_secs()),
        (429, None) | (500..=599, _) => "; the server is overloaded or failing, will be tried again later".into(),
        (404 | 410, _) => "; the article is gone, keep the teaser".into(),
        (401 | 403, _) => "; the site refuses us (login or bot wall), keep the teaser".into(),
        _ => "; keep the teaser".into(),
    }
}

impl FetchError {
    /// Whether trying again later may succeed.
    pub fn is_transient(&self) -> bool {
        match self {
            FetchError::Timeout { .. }
            | FetchError::Connect { .. }
            | FetchError::RobotsUnreachable { .. }
            | FetchError::HostBackoff { .. } => true,
            FetchError::Status { status, .. } => matches!(status, 408 | 425 | 429 | 500..=599),
            _ => false,
        }
    }

    /// How long the server asked us to wait, when it did.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            FetchError::Status { retry_after, .. } => *retry_after,
            FetchError::HostBackoff { wait, .. } => Some(*wait),
            _ => None,
        }
    }

    /// A stable short name for metrics and the teaser's recorded reason.
    pub fn kind(&self) -> &'static str {
        match self {
            FetchError::BadUrl { .. } => "bad_url",
            FetchError::RobotsDisallowed { .. } => "robots_disallowed",
            FetchError::RobotsUnreachable { .. } => "robots_unreachable",
            FetchError::PrivateAddress { .. } => "private_address",
            FetchError::TooLarge { .. } => "too_large",
            FetchError::NotHtml { .. } => "not_html",
            FetchError::TooManyRedirects { .. } => "too_many_redirects",
            FetchError::RedirectLoop { .. } => "redirect_loop",
            FetchError::Status { .. } => "http_status",
            FetchError::Timeout { .. } => "timeout",
            FetchError::Connect { .. } => "connect",
            FetchError::Extract { .. } => "extract",
            FetchError::HostBackoff { .. } => "host_backoff",
            FetchError::Client(_) => "client",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_trouble_is_transient_and_refusals_are_permanent() {
        let status = |s| FetchError::Status { url: "u".into(), status: s, retry_after: None };
        assert!(status(429).is_transient() && status(503).is_transient() && status(500).is_transient());
        assert!(!status(404).is_transient() && !status(403).is_transient());
        assert!(!FetchError::TooLarge { url: "u".into(), limit: 1 }.is_transient());
        assert!(FetchError::Timeout { url: "u".into(), secs: 1 }.is_transient());
    }

    #[test]
    fn messages_name_the_url_and_what_to_do() {
        let e = FetchError::Status { url: "https://h.example/a".into(), status: 429, retry_after: Some(Duration::from_secs(120)) };
        assert_eq!(e.to_string(), "https://h.example/a: HTTP 429 with Retry-After 120 s; will be tried again after that");
    }
}
