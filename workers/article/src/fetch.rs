//! The fetcher: one reqwest client (rustls) and, around every request, the checks that make
//! fetching arbitrary feed links safe and polite. Redirects are followed by hand so each hop
//! gets the same treatment as the first request:
//!
//! 1. http/https only; the host resolved and every address checked (`guard`);
//! 2. robots.txt of the hop's origin (`robots`, cached);
//! 3. the per-host gate (`polite`): concurrency, minimum delay, Crawl-delay, Retry-After;
//! 4. the request, with connect and total timeouts; 429/503 are retried in place up to
//!    `max_retries` times when `Retry-After` is short, otherwise reported as transient;
//! 5. the body streamed into a buffer that may not pass `max_body_bytes`;
//! 6. the charset decided from the header, a BOM or `<meta>` (`charset`).

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderMap, CONTENT_TYPE, LOCATION, RETRY_AFTER};
use reqwest::StatusCode;
use url::Url;

use crate::config::FetchConfig;
use crate::error::FetchError;
use crate::guard::{Guard, Lookup, PinnedResolver, SystemLookup};
use crate::polite::HostGate;
use crate::robots::{RobotsCache, Rules, ROBOTS_MAX_BYTES};
use crate::urls::redact;

/// A fetched HTML page.
#[derive(Debug, Clone)]
pub struct FetchedPage {
    /// The URL asked for.
    pub requested: Url,
    /// Where the page was finally served from (after redirects).
    pub url: Url,
    /// Every URL visited, the first included.
    pub hops: Vec<Url>,
    /// The `Content-Type` header.
    pub content_type: Option<String>,
    /// The decoded page.
    pub html: String,
    /// The encoding used to decode it (WHATWG name).
    pub encoding: &'static str,
}

/// One response, body read within a cap.
struct RawResponse {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

/// Fetches pages; share one per process (it holds the connection pool, the robots cache and
/// the per-host gate).
pub struct Fetcher {
    cfg: FetchConfig,
    client: reqwest::Client,
    guard: Arc<Guard>,
    robots: RobotsCache,
    gate: HostGate,
    /// Requests in flight over all hosts (`max_in_flight`), taken after the host's gate so a
    /// slow host's queue never holds slots other hosts could use.
    in_flight: Arc<tokio::sync::Semaphore>,
}

fn host_key(url: &Url) -> String {
    format!("{}:{}", url.host_str().unwrap_or_default(), url.port_or_known_default().unwrap_or(0))
}

fn origin(url: &Url) -> String {
    url.origin().ascii_serialization()
}

/// `Retry-After` as a duration: delta-seconds or an HTTP date.
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let secs = (when.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_seconds();
    Some(Duration::from_secs(secs.max(0) as u64))
}

impl Fetcher {
    /// A fetcher using the system resolver.
    pub fn new(cfg: FetchConfig) -> Result<Fetcher, FetchError> {
        Fetcher::with_lookup(cfg, Arc::new(SystemLookup))
    }

    /// A fetcher resolving names through `lookup` (tests use a fixed table).
    pub fn with_lookup(cfg: FetchConfig, lookup: Arc<dyn Lookup>) -> Result<Fetcher, FetchError> {
        let guard = Arc::new(Guard::new(&cfg.allow_hosts, lookup));
        let client = reqwest::Client::builder()
            .user_agent(cfg.user_agent.clone())
            .connect_timeout(Duration::from_secs(cfg.connect_timeout_secs.max(1)))
            .timeout(Duration::from_secs(cfg.timeout_secs.max(1)))
            .redirect(reqwest::redirect::Policy::none())
            // A proxy from the environment would connect on our behalf to addresses the guard
            // never saw; the fetcher goes direct.
            .no_proxy()
            .dns_resolver(Arc::new(PinnedResolver(guard.clone())))
            .build()
            .map_err(|e| FetchError::Client(e.to_string()))?;
        let robots = RobotsCache::new(Duration::from_secs(cfg.robots_ttl_secs));
        let gate = HostGate::new(cfg.per_host_concurrency, Duration::from_millis(cfg.per_host_min_delay_ms));
        let in_flight = Arc::new(tokio::sync::Semaphore::new(cfg.max_in_flight.max(1) as usize));
        Ok(Fetcher { cfg, client, guard, robots, gate, in_flight })
    }

    /// The configuration in use.
    pub fn config(&self) -> &FetchConfig {
        &self.cfg
    }

    /// Fetch an HTML page, following redirects, and decode it.
    pub async fn fetch(&self, link: &str) -> Result<FetchedPage, FetchError> {
        let requested = parse_link(link)?;
        let mut url = requested.clone();
        let mut hops = vec![url.clone()];
        let mut seen: HashSet<Url> = HashSet::from([url.clone()]);
        loop {
            let delay = self.robots_check(&url).await?;
            let resp = self.request(&url, self.cfg.max_body_bytes, delay).await?;
            if resp.status.is_redirection() {
                let next = redirect_target(&url, &resp.headers)?;
                if !seen.insert(next.clone()) {
                    return Err(FetchError::RedirectLoop { url: redact(&requested), again: redact(&next) });
                }
                if hops.len() > self.cfg.max_redirects as usize {
                    return Err(FetchError::TooManyRedirects { url: redact(&requested), limit: self.cfg.max_redirects });
                }
                hops.push(next.clone());
                url = next;
                continue;
            }
            if !resp.status.is_success() {
                return Err(status_error(&url, &resp));
            }
            let content_type = resp.headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_string);
            check_html(&url, content_type.as_deref(), &resp.body)?;
            let (html, encoding) = crate::charset::decode_html(&resp.body, content_type.as_deref());
            return Ok(FetchedPage { requested, url, hops, content_type, html, encoding: encoding.name() });
        }
    }

    /// Whether robots.txt lets us fetch `url`; returns the Crawl-delay to apply.
    async fn robots_check(&self, url: &Url) -> Result<Duration, FetchError> {
        if !self.cfg.respect_robots {
            return Ok(Duration::ZERO);
        }
        let key = origin(url);
        let rules = match self.robots.get(&key) {
            Some(rules) => rules,
            None => {
                let _fetching = self.robots.fetch_lock(&key).await;
                match self.robots.get(&key) {
                    Some(rules) => rules,
                    None => self.robots.put(&key, self.fetch_robots(url).await?),
                }
            }
        };
        if !rules.allowed(url.as_str()) {
            return Err(FetchError::RobotsDisallowed { url: redact(url), agent: self.cfg.robots_agent.clone() });
        }
        let cap = Duration::from_secs(self.cfg.max_crawl_delay_secs);
        Ok(rules.crawl_delay().map_or(Duration::ZERO, |d| d.min(cap)))
    }

    /// Fetch and interpret an origin's robots.txt (redirects followed, up to 5 as RFC 9309 asks).
    async fn fetch_robots(&self, page: &Url) -> Result<Rules, FetchError> {
        let unreachable = |detail: String| FetchError::RobotsUnreachable { url: redact(page), detail };
        let mut url = page.join("/robots.txt").map_err(|e| unreachable(e.to_string()))?;
        for _ in 0..=5 {
            let resp = match self.request(&url, ROBOTS_MAX_BYTES, Duration::ZERO).await {
                Ok(resp) => resp,
                // An oversized robots.txt is read up to the cap in spirit; we refuse to guess.
                Err(e @ (FetchError::PrivateAddress { .. } | FetchError::BadUrl { .. })) => return Err(e),
                Err(FetchError::TooLarge { .. }) => return Ok(Rules::AllowAll),
                Err(e) => return Err(unreachable(e.to_string())),
            };
            let status = resp.status;
            if status.is_redirection() {
                url = redirect_target(&url, &resp.headers)?;
                continue;
            }
            return match status.as_u16() {
                200..=299 => Ok(Rules::from_body(&self.cfg.robots_agent, &resp.body)),
                400..=499 => Ok(Rules::AllowAll),
                code => Err(unreachable(format!("HTTP {code}"))),
            };
        }
        Err(unreachable("too many redirects".into()))
    }

    /// One request (no redirect following): guard, gate, send, retry 429/503, capped body.
    async fn request(&self, url: &Url, cap: u64, crawl_delay: Duration) -> Result<RawResponse, FetchError> {
        let host = host_key(url);
        let mut attempt = 0;
        loop {
            self.guard.check(url).await?;
            let max_hold = Duration::from_secs(self.cfg.max_retry_after_secs);
            let permit = self.gate.acquire(&host, crawl_delay, max_hold).await.map_err(|wait| FetchError::HostBackoff { url: redact(url), wait })?;
            // The semaphore is never closed; a closed one would only lift the cap.
            let slot = self.in_flight.acquire().await.ok();
            let result = self.send(url, cap).await;
            drop((slot, permit));
            let resp = result?;
            let code = resp.status.as_u16();
            if code != 429 && code != 503 {
                return Ok(resp);
            }
            let asked = resp.headers.get(RETRY_AFTER).and_then(|v| v.to_str().ok()).and_then(parse_retry_after);
            let wait = asked.unwrap_or_else(|| Duration::from_secs(1 << attempt.min(5)));
            self.gate.defer(&host, tokio::time::Instant::now() + wait).await;
            if attempt >= self.cfg.max_retries || wait > Duration::from_secs(self.cfg.max_retry_after_secs) {
                return Err(FetchError::Status { url: redact(url), status: code, retry_after: asked });
            }
            attempt += 1;
            tracing::debug!(url = %redact(url), status = code, wait_ms = wait.as_millis() as u64, "server asked us to wait; retrying");
        }
    }

    async fn send(&self, url: &Url, cap: u64) -> Result<RawResponse, FetchError> {
        let map = |e: reqwest::Error| self.transport_error(url, e);
        let mut resp = self
            .client
            .get(url.clone())
            .header(reqwest::header::ACCEPT, "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5")
            .send()
            .await
            .map_err(map)?;
        let too_large = || FetchError::TooLarge { url: redact(url), limit: cap };
        if resp.content_length().is_some_and(|len| len > cap) {
            return Err(too_large());
        }
        let mut body = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(map)? {
            if body.len() as u64 + chunk.len() as u64 > cap {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(RawResponse { status: resp.status(), headers: resp.headers().clone(), body })
    }

    fn transport_error(&self, url: &Url, e: reqwest::Error) -> FetchError {
        if e.is_timeout() {
            return FetchError::Timeout { url: redact(url), secs: self.cfg.timeout_secs };
        }
        // reqwest errors print the full URL; keep only the cause chain.
        let mut detail = String::new();
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            detail = s.to_string();
            source = s.source();
        }
        if detail.is_empty() {
            detail = if e.is_connect() { "connection failed".into() } else { "request failed".into() };
        }
        FetchError::Connect { url: redact(url), detail }
    }
}

/// Parse a feed link: http(s) with a host, nothing else.
pub fn parse_link(link: &str) -> Result<Url, FetchError> {
    let url = Url::parse(link.trim()).map_err(|e| FetchError::BadUrl { url: link.chars().take(80).collect(), reason: e.to_string() })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(FetchError::BadUrl { url: redact(&url), reason: format!("scheme {} is not http or https", url.scheme()) });
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(FetchError::BadUrl { url: redact(&url), reason: "no host".into() });
    }
    Ok(url)
}

fn redirect_target(from: &Url, headers: &HeaderMap) -> Result<Url, FetchError> {
    let location = headers.get(LOCATION).and_then(|v| v.to_str().ok()).ok_or_else(|| FetchError::BadUrl {
        url: redact(from),
        reason: "a redirect without a usable Location header".into(),
    })?;
    let next = from.join(location).map_err(|e| FetchError::BadUrl { url: redact(from), reason: format!("redirect Location: {e}") })?;
    parse_link(next.as_str())
}

fn status_error(url: &Url, resp: &RawResponse) -> FetchError {
    let retry_after = resp.headers.get(RETRY_AFTER).and_then(|v| v.to_str().ok()).and_then(parse_retry_after);
    FetchError::Status { url: redact(url), status: resp.status.as_u16(), retry_after }
}

fn check_html(url: &Url, content_type: Option<&str>, body: &[u8]) -> Result<(), FetchError> {
    let mime = content_type.map(|c| c.split(';').next().unwrap_or("").trim().to_ascii_lowercase());
    let ok = match mime.as_deref() {
        Some("text/html" | "application/xhtml+xml") => true,
        // No type, or a generic one: look at the first non-blank byte.
        None | Some("" | "application/octet-stream" | "text/plain") => {
            body.iter().find(|b| !b.is_ascii_whitespace()).is_some_and(|&b| b == b'<')
        }
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(FetchError::NotHtml { url: redact(url), content_type: content_type.unwrap_or("none").to_string() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        assert_eq!(parse_retry_after("120"), Some(Duration::from_secs(120)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), Some(Duration::ZERO), "a past date means now");
        assert_eq!(parse_retry_after("soon"), None);
    }

    #[test]
    fn only_http_links_with_a_host_are_fetched() {
        assert!(parse_link("https://news.example/a").is_ok());
        for bad in ["ftp://news.example/a", "file:///etc/passwd", "javascript:alert(1)", "not a url"] {
            assert!(matches!(parse_link(bad), Err(FetchError::BadUrl { .. })), "{bad}");
        }
    }
}
