//! The fetcher against a real HTTP server on 127.0.0.1 serving pages we wrote: robots.txt,
//! Retry-After, redirect loops, a 30 MB page, Latin-1 pages, internal addresses, a paywall,
//! canonical links and per-host spacing. Timing is asserted only on what the server recorded.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use copydesk_article::guard::StaticLookup;
use copydesk_article::{fetch_article, FetchConfig, FetchError, Fetcher, KeepTeaser};

/// What the server saw: each request's path and arrival time.
#[derive(Default)]
struct Log {
    requests: Mutex<Vec<(String, Instant)>>,
    busy_hits: AtomicUsize,
    huge_bytes_produced: AtomicUsize,
}

impl Log {
    fn record(&self, path: &str) {
        if let Ok(mut r) = self.requests.lock() {
            r.push((path.to_string(), Instant::now()));
        }
    }
    fn times(&self, prefix: &str) -> Vec<Instant> {
        self.requests.lock().map(|r| r.iter().filter(|(p, _)| p.starts_with(prefix)).map(|(_, t)| *t).collect()).unwrap_or_default()
    }
    fn count(&self, prefix: &str) -> usize {
        self.times(prefix).len()
    }
}

fn article_html(title: &str, paragraphs: usize) -> String {
    let body: String = (0..paragraphs)
        .map(|i| format!("<p>Paragraph {i} of the harbour story: the ferry company said on Tuesday that the new timetable, agreed with the port authority after months of talks, would add three crossings a day.</p>"))
        .collect();
    format!(
        r#"<!doctype html><html lang="en"><head><title>{title} | Coast Times</title>
        <link rel="canonical" href="/news/harbour-story?utm_source=rss&amp;utm_medium=feed&amp;id=42">
        <meta property="og:title" content="{title}"></head>
        <body><nav><a href="/">Home</a> <a href="/news">News</a></nav>
        <article><h1>{title}</h1><div class="article-body">{body}</div></article>
        <aside class="related"><a href="/other">Other story with a long enough title to count</a></aside>
        <footer>Copyright Coast Times</footer></body></html>"#
    )
}

fn latin1(text: &str) -> Vec<u8> {
    text.chars().map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?')).collect()
}

async fn serve(log: Arc<Log>) -> SocketAddr {
    let l = |log: &Arc<Log>| log.clone();
    let (l1, l2, l3, l4, l5, l6, l7, l8, l9, l10, l11) =
        (l(&log), l(&log), l(&log), l(&log), l(&log), l(&log), l(&log), l(&log), l(&log), l(&log), l(&log));
    let app = Router::new()
        .route("/robots.txt", get(move || async move {
            l1.record("/robots.txt");
            "User-agent: *\nDisallow: /private/\n"
        }))
        .route("/news/{slug}", get(move |axum::extract::Path(slug): axum::extract::Path<String>| async move {
            l2.record(&format!("/news/{slug}"));
            ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], article_html("Harbour timetable", 8))
        }))
        .route("/private/{x}", get(move || async move {
            l3.record("/private/");
            ([(header::CONTENT_TYPE, "text/html")], article_html("Secret", 8))
        }))
        .route("/busy", get(move || async move {
            l4.record("/busy");
            if l4.busy_hits.fetch_add(1, Ordering::SeqCst) == 0 {
                (StatusCode::TOO_MANY_REQUESTS, [(header::RETRY_AFTER, "1")], String::new()).into_response()
            } else {
                ([(header::CONTENT_TYPE, "text/html")], article_html("Busy day", 8)).into_response()
            }
        }))
        .route("/loop/a", get(move || async move {
            l5.record("/loop/a");
            (StatusCode::FOUND, [(header::LOCATION, "/loop/b")])
        }))
        .route("/loop/b", get(move || async move {
            l6.record("/loop/b");
            (StatusCode::FOUND, [(header::LOCATION, "/loop/a")])
        }))
        .route("/huge", get(move || async move {
            l7.record("/huge");
            let log = l7.clone();
            let chunk = vec![b'a'; 64 * 1024];
            // 30 MB produced lazily, so the server never holds it either; counts what it made.
            let stream = futures::stream::iter(0..480).map(move |_| {
                log.huge_bytes_produced.fetch_add(chunk.len(), Ordering::SeqCst);
                Ok::<_, std::io::Error>(chunk.clone())
            });
            Response::builder().header(header::CONTENT_TYPE, "text/html").body(Body::from_stream(stream)).unwrap_or_default()
        }))
        .route("/huge-declared", get(move || async move {
            l8.record("/huge-declared");
            ([(header::CONTENT_TYPE, "text/html"), (header::CONTENT_LENGTH, "31457280")], vec![b'a'; 31_457_280])
        }))
        .route("/latin1-header", get(move || async move {
            l9.record("/latin1-header");
            let page = format!("<html><body><article><p>{}</p></article></body></html>", "Le café de la gare a rouvert ses portes à Saint-Étienne après des travaux. ".repeat(6));
            ([(header::CONTENT_TYPE, "text/html; charset=ISO-8859-1")], latin1(&page))
        }))
        .route("/latin1-meta", get(move || async move {
            l10.record("/latin1-meta");
            let page = format!(r#"<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"></head><body><article><p>{}</p></article></body></html>"#, "Die Bürger von Köln möchten größere Grünflächen. ".repeat(6));
            ([(header::CONTENT_TYPE, "text/html")], latin1(&page))
        }))
        .fallback(move |uri: axum::http::Uri, _headers: HeaderMap| async move {
            let path = uri.path().to_string();
            l11.record(&path);
            match path.as_str() {
                "/to-metadata" => (StatusCode::FOUND, [(header::LOCATION, "http://169.254.169.254/latest/meta-data/")]).into_response(),
                "/to-intranet" => (StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, "http://intranet.test/admin")]).into_response(),
                "/paywall" => ([(header::CONTENT_TYPE, "text/html")], PAYWALL.to_string()).into_response(),
                "/short" => ([(header::CONTENT_TYPE, "text/html")], "<html><body><p>Only a line of text here.</p></body></html>").into_response(),
                "/feed.xml" => ([(header::CONTENT_TYPE, "application/rss+xml")], "<rss/>").into_response(),
                _ => StatusCode::NOT_FOUND.into_response(),
            }
        });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap_or_else(|e| panic!("bind: {e}"));
    let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

use futures::StreamExt;

const PAYWALL: &str = r#"<html><head><script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle",
"headline":"Council budget","isAccessibleForFree":false,"hasPart":{"@type":"WebPageElement","isAccessibleForFree":false,"cssSelector":".paywalled"}}</script></head>
<body><article><p>The council approved its budget on Monday, with cuts to three departments and a rise in parking charges.</p>
<div class="paywalled">Subscribe to continue reading.</div></article></body></html>"#;

fn config() -> FetchConfig {
    FetchConfig {
        allow_hosts: vec!["127.0.0.1".into()],
        per_host_min_delay_ms: 0,
        timeout_secs: 10,
        max_body_bytes: 1024 * 1024,
        max_retry_after_secs: 5,
        min_words: 40,
        ..FetchConfig::default()
    }
}

async fn setup(cfg: FetchConfig) -> (Arc<Log>, String, Fetcher) {
    let log = Arc::new(Log::default());
    let addr = serve(log.clone()).await;
    let lookup = StaticLookup(HashMap::from([
        ("intranet.test".to_string(), vec!["::1".parse::<IpAddr>().unwrap_or_else(|e| panic!("{e}"))]),
        ("ten.test".to_string(), vec!["10.20.30.40".parse::<IpAddr>().unwrap_or_else(|e| panic!("{e}"))]),
    ]));
    let fetcher = Fetcher::with_lookup(cfg, Arc::new(lookup)).unwrap_or_else(|e| panic!("{e}"));
    (log, format!("http://{addr}"), fetcher)
}

#[tokio::test]
async fn an_article_is_fetched_extracted_and_gets_its_clean_canonical_url() {
    let (log, base, fetcher) = setup(config()).await;
    let article = fetch_article(&fetcher, &format!("{base}/news/harbour?utm_campaign=x&maca=en-rss"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(article.url.as_str(), format!("{base}/news/harbour-story?id=42"));
    assert_eq!(article.keep_teaser, None);
    let body = article.body().unwrap_or_default();
    assert!(body.starts_with("Paragraph 0 of the harbour story"), "{body}");
    assert_eq!(article.extracted.paragraphs.len(), 8);
    assert!(!body.contains("Home") && !body.contains("Other story") && !body.contains("Copyright"), "{body}");
    assert_eq!(article.extracted.meta.title.as_deref(), Some("Harbour timetable"));
    assert_eq!(log.count("/robots.txt"), 1);
}

#[tokio::test]
async fn robots_txt_disallow_is_obeyed_and_cached() {
    let (log, base, fetcher) = setup(config()).await;
    let err = fetcher.fetch(&format!("{base}/private/plans")).await.err();
    assert!(matches!(err, Some(FetchError::RobotsDisallowed { .. })), "{err:?}");
    assert!(err.is_some_and(|e| !e.is_transient()));
    assert_eq!(log.count("/private/"), 0, "the disallowed page was never requested");
    assert!(fetcher.fetch(&format!("{base}/news/a")).await.is_ok());
    assert_eq!(log.count("/robots.txt"), 1, "robots.txt is cached per host");
}

#[tokio::test]
async fn a_429_with_retry_after_is_waited_out_then_succeeds() {
    let (log, base, fetcher) = setup(config()).await;
    let page = fetcher.fetch(&format!("{base}/busy")).await.unwrap_or_else(|e| panic!("{e}"));
    assert!(page.html.contains("Busy day"));
    let times = log.times("/busy");
    assert_eq!(times.len(), 2);
    assert!(times[1] - times[0] >= Duration::from_millis(950), "retried after {:?}", times[1] - times[0]);
}

#[tokio::test]
async fn a_long_retry_after_fails_as_transient_with_the_delay() {
    let cfg = FetchConfig { max_retry_after_secs: 0, ..config() };
    let (log, base, fetcher) = setup(cfg).await;
    let err = fetcher.fetch(&format!("{base}/busy")).await.err();
    assert!(err.as_ref().is_some_and(FetchError::is_transient), "{err:?}");
    assert_eq!(err.and_then(|e| e.retry_after()), Some(Duration::from_secs(1)));
    // Another page of the held host is not queued behind the hold: it fails at once, as
    // transient, and the server never sees it.
    let other = fetcher.fetch(&format!("{base}/news/other")).await.err();
    assert!(matches!(other, Some(FetchError::HostBackoff { .. })), "{other:?}");
    assert!(other.is_some_and(|e| e.is_transient() && e.retry_after().is_some_and(|d| d <= Duration::from_secs(1))));
    assert_eq!(log.count("/news/"), 0);
}

#[tokio::test]
async fn a_redirect_loop_is_refused() {
    let (log, base, fetcher) = setup(config()).await;
    let err = fetcher.fetch(&format!("{base}/loop/a")).await.err();
    assert!(matches!(err, Some(FetchError::RedirectLoop { .. })), "{err:?}");
    assert_eq!((log.count("/loop/a"), log.count("/loop/b")), (1, 1));
}

#[tokio::test]
async fn a_30_mb_page_is_cut_at_the_cap_and_refused() {
    let (log, base, fetcher) = setup(config()).await;
    let err = fetcher.fetch(&format!("{base}/huge")).await.err();
    assert!(matches!(err, Some(FetchError::TooLarge { limit: 1_048_576, .. })), "{err:?}");
    // The client stopped reading at the cap; the server could only produce what the socket
    // buffers took before the connection was dropped, far from 30 MB.
    let produced = log.huge_bytes_produced.load(Ordering::SeqCst);
    assert!(produced < 16 * 1024 * 1024, "server produced {produced} bytes");
    let err = fetcher.fetch(&format!("{base}/huge-declared")).await.err();
    assert!(matches!(err, Some(FetchError::TooLarge { .. })), "a declared Content-Length over the cap is refused: {err:?}");
}

#[tokio::test]
async fn latin1_pages_are_decoded_from_the_header_or_the_meta_tag() {
    let (_log, base, fetcher) = setup(config()).await;
    let page = fetcher.fetch(&format!("{base}/latin1-header")).await.unwrap_or_else(|e| panic!("{e}"));
    assert!(page.html.contains("café de la gare") && page.html.contains("Saint-Étienne"));
    assert_eq!(page.encoding, "windows-1252");
    let page = fetcher.fetch(&format!("{base}/latin1-meta")).await.unwrap_or_else(|e| panic!("{e}"));
    assert!(page.html.contains("Die Bürger von Köln möchten größere Grünflächen"), "{}", page.html);
}

#[tokio::test]
async fn internal_addresses_are_refused_by_literal_by_name_and_by_redirect() {
    let (log, base, fetcher) = setup(config()).await;
    for link in ["http://10.0.0.1/news", "http://169.254.169.254/latest/meta-data/", "http://ten.test/a", "http://[::1]/x"] {
        let err = fetcher.fetch(link).await.err();
        assert!(matches!(err, Some(FetchError::PrivateAddress { .. })), "{link}: {err:?}");
    }
    let port = base.rsplit(':').next().unwrap_or_default();
    let err = fetcher.fetch(&format!("http://intranet.test:{port}/news/a")).await.err();
    assert!(err.as_ref().is_some_and(|e| e.to_string().contains("::1")), "a name resolving to ::1: {err:?}");
    assert_eq!(log.count("/news/"), 0, "nothing reached the loopback server through the name");
    for hop in ["/to-metadata", "/to-intranet"] {
        let err = fetcher.fetch(&format!("{base}{hop}")).await.err();
        assert!(matches!(err, Some(FetchError::PrivateAddress { .. })), "{hop}: {err:?}");
        assert!(err.is_some_and(|e| !e.is_transient()));
    }
}

#[tokio::test]
async fn a_paywalled_page_keeps_the_teaser_and_says_why() {
    let (_log, base, fetcher) = setup(config()).await;
    let article = fetch_article(&fetcher, &format!("{base}/paywall")).await.unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(&article.keep_teaser, Some(KeepTeaser::Paywalled { reason }) if reason.contains("isAccessibleForFree")), "{:?}", article.keep_teaser);
    assert_eq!(article.body(), None);
}

#[tokio::test]
async fn a_short_page_keeps_the_teaser_and_other_content_types_are_refused() {
    let (_log, base, fetcher) = setup(config()).await;
    let article = fetch_article(&fetcher, &format!("{base}/short")).await.unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(article.keep_teaser, Some(KeepTeaser::TooShort { min_words: 40, .. })), "{:?}", article.keep_teaser);
    let err = fetcher.fetch(&format!("{base}/feed.xml")).await.err();
    assert!(matches!(err, Some(FetchError::NotHtml { .. })), "{err:?}");
    let err = fetcher.fetch(&format!("{base}/gone")).await.err();
    assert!(matches!(err, Some(FetchError::Status { status: 404, .. })) && err.is_some_and(|e| !e.is_transient()));
}

#[tokio::test]
async fn requests_to_one_host_start_at_least_the_minimum_delay_apart() {
    let delay = Duration::from_millis(300);
    let cfg = FetchConfig { per_host_min_delay_ms: 300, per_host_concurrency: 4, ..config() };
    let (log, base, fetcher) = setup(cfg).await;
    let fetcher = Arc::new(fetcher);
    let tasks: Vec<_> = (0..4)
        .map(|i| {
            let (f, url) = (fetcher.clone(), format!("{base}/news/story-{i}"));
            tokio::spawn(async move { f.fetch(&url).await.map(|_| ()) })
        })
        .collect();
    for t in tasks {
        t.await.unwrap_or_else(|e| panic!("{e}")).unwrap_or_else(|e| panic!("{e}"));
    }
    let mut times = log.times("/");
    times.sort();
    assert_eq!(times.len(), 5, "robots.txt and four pages");
    // Arrival gaps can differ from start gaps by connection jitter on loopback (a few ms).
    for pair in times.windows(2) {
        assert!(pair[1] - pair[0] >= delay - Duration::from_millis(30), "gap {:?}", pair[1] - pair[0]);
    }
}
