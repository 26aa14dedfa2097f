//! Teasers become full stories: the ingest stage against a local HTTP server serving a feed
//! and article pages we wrote (invented stories), with the in-memory delivery and a real
//! SQLite store. Every case of issue 13 point 1 is here: a full article, robots.txt
//! disallow, 429 with Retry-After, a redirect loop, a 30 MB page, ISO-8859-1, a private
//! address, a paywall, plus a short page, a 404, pages shared between items and transient
//! failures retried through the sources. Timing is asserted only on what the server saw.

mod support;

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{header, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use copydesk_article::guard::StaticLookup;
use copydesk_article::{FetchConfig, Fetcher};
use copydesk_ingest::stage::IngestStage;
use copydesk_ingest::{IngestConfig, IngestError, IngestStats, Origin, Story};
use copydesk_types::PageOutcome;
use futures::StreamExt;
use support::MemoryDeliver;

/// The server's switches and what it saw.
#[derive(Default)]
struct Site {
    requests: Mutex<Vec<String>>,
    busy_hits: AtomicUsize,
    huge_bytes: AtomicUsize,
    /// While set, `/flaky` answers 503 with `Retry-After: <flaky_wait>`.
    flaky_failing: AtomicBool,
    flaky_wait: AtomicUsize,
    /// The feed served at `/feed.rss` (ETag "v1").
    feed: Mutex<String>,
}

impl Site {
    fn count(&self, path: &str) -> usize {
        self.requests.lock().map(|r| r.iter().filter(|p| p.as_str() == path).count()).unwrap_or(0)
    }
}

fn article(title: &str, canonical: &str, json_ld: &str, paragraphs: usize) -> String {
    let body: String = (0..paragraphs)
        .map(|i| format!("<p>Part {i} of {title}: the ferry company said on Tuesday that the new timetable, agreed with the port authority after months of talks, would add three crossings a day from June.</p>"))
        .collect();
    format!(
        r#"<!doctype html><html lang="en"><head><title>{title} | Coast Times</title>
        <link rel="canonical" href="{canonical}"><script type="application/ld+json">{json_ld}</script></head>
        <body><nav><a href="/">Home</a> <a href="/news">News</a></nav>
        <article><h1>{title}</h1><div class="article-body">{body}</div></article>
        <aside class="related"><a href="/other">Another story with a title long enough to count</a></aside>
        <footer>Copyright Coast Times</footer></body></html>"#
    )
}

const HARBOUR_LD: &str = r#"{"@context":"https://schema.org","@type":"NewsArticle","headline":"Harbour timetable adds three crossings",
"author":{"@type":"Person","name":"Mara Quint"},"datePublished":"2026-03-02T08:15:00+01:00","dateModified":"2026-03-02T10:40:00+01:00",
"image":"/img/harbour.jpg","articleSection":"Local"}"#;

const PAYWALL: &str = r#"<html><head><script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle",
"headline":"Council budget","isAccessibleForFree":false}</script></head><body><article><p>The council approved its budget on Monday,
with cuts to three departments.</p><div class="paywall">Subscribe to continue reading.</div></article></body></html>"#;

fn html(page: String) -> Response {
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], page).into_response()
}

fn page(site: &Site, path: &str) -> Response {
    match path {
        "/robots.txt" => "User-agent: *\nDisallow: /members/\n".into_response(),
        "/feed.rss" => ([(header::CONTENT_TYPE, "application/rss+xml"), (header::ETAG, "\"v1\"")], site.feed.lock().map(|f| f.clone()).unwrap_or_default()).into_response(),
        "/news/harbour-timetable" => html(article("Harbour timetable", "/news/harbour-timetable?utm_source=rss&amp;utm_medium=feed", HARBOUR_LD, 8)),
        "/news/calm" => html(article("Calm seas", "/news/calm", "{}", 6)),
        "/news/calm-again" => html(article("Calm seas", "/news/calm-again", "{}", 6)),
        "/members/budget" => html(article("Members only", "/members/budget", "{}", 6)),
        "/busy" if site.busy_hits.fetch_add(1, Ordering::SeqCst) == 0 => {
            (StatusCode::TOO_MANY_REQUESTS, [(header::RETRY_AFTER, "1")], String::new()).into_response()
        }
        "/busy" => html(article("Busy day", "/busy", "{}", 6)),
        "/flaky" if site.flaky_failing.load(Ordering::SeqCst) => {
            let wait = site.flaky_wait.load(Ordering::SeqCst).to_string();
            (StatusCode::SERVICE_UNAVAILABLE, [(header::RETRY_AFTER, wait)], "overloaded".to_string()).into_response()
        }
        "/flaky" => html(article("Flaky server back", "/flaky", "{}", 6)),
        "/loop/a" => (StatusCode::FOUND, [(header::LOCATION, "/loop/b")]).into_response(),
        "/loop/b" => (StatusCode::FOUND, [(header::LOCATION, "/loop/a")]).into_response(),
        "/latin1" => {
            let text = format!("<html><body><article><p>{}</p></article></body></html>", "Le café de la gare a rouvert ses portes à Saint-Étienne après des travaux. ".repeat(6));
            let bytes: Vec<u8> = text.chars().map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?')).collect();
            ([(header::CONTENT_TYPE, "text/html; charset=ISO-8859-1")], bytes).into_response()
        }
        "/paywall" => html(PAYWALL.to_string()),
        "/short" => html("<html><body><p>Only a line of text here.</p></body></html>".into()),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

/// 30 MB, produced lazily so the server never holds it; counts what it made.
fn huge(site: Arc<Site>) -> Response {
    let chunk = vec![b'a'; 64 * 1024];
    let stream = futures::stream::iter(0..480).map(move |_| {
        site.huge_bytes.fetch_add(chunk.len(), Ordering::SeqCst);
        Ok::<_, std::io::Error>(chunk.clone())
    });
    Response::builder().header(header::CONTENT_TYPE, "text/html").body(Body::from_stream(stream)).unwrap_or_default()
}

/// Serve the site on 127.0.0.1; returns its port.
async fn serve(site: Arc<Site>) -> u16 {
    let app = axum::Router::new().fallback(move |uri: Uri| {
        let site = site.clone();
        async move {
            let path = uri.path().to_string();
            if let Ok(mut r) = site.requests.lock() {
                r.push(path.clone());
            }
            if path == "/huge" {
                return huge(site);
            }
            page(&site, &path)
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    tokio::spawn(async move { axum::serve(listener, app).await });
    port
}

/// A site whose `/flaky` fails with 503 and `Retry-After: <wait_secs>` until told otherwise.
async fn flaky_site(wait_secs: usize) -> (Arc<Site>, u16) {
    let site = Arc::new(Site::default());
    site.flaky_failing.store(true, Ordering::SeqCst);
    site.flaky_wait.store(wait_secs, Ordering::SeqCst);
    let port = serve(site.clone()).await;
    (site, port)
}

/// Test fetch settings: loopback (and the test names for it) allowed, no spacing, small caps.
fn fetch_config() -> FetchConfig {
    FetchConfig {
        allow_hosts: vec!["127.0.0.1".into(), "flaky.test".into()],
        per_host_min_delay_ms: 0,
        timeout_secs: 10,
        max_body_bytes: 1024 * 1024,
        max_retry_after_secs: 5,
        min_words: 40,
        ..FetchConfig::default()
    }
}

/// A stage on a fresh store whose fetcher resolves `intranet.test` to 10.1.2.3 and
/// `flaky.test` to 127.0.0.1 (a second host on the same server).
async fn stage(dir: &std::path::Path, fetch: FetchConfig) -> (IngestStage, Arc<IngestStats>) {
    stage_with(dir, IngestConfig { drop_dir: dir.join("inbox"), fetch, ..IngestConfig::default() }).await
}

/// [`stage`] with more of the `[ingest]` settings.
async fn stage_with(dir: &std::path::Path, cfg: IngestConfig) -> (IngestStage, Arc<IngestStats>) {
    let fetch = cfg.fetch.clone();
    let (stage, stats) = support::stage(dir, cfg).await;
    let ip = |s: &str| s.parse::<IpAddr>().expect("ip");
    let lookup = StaticLookup(HashMap::from([("intranet.test".to_string(), vec![ip("10.1.2.3")]), ("flaky.test".to_string(), vec![ip("127.0.0.1")])]));
    let fetcher = Fetcher::with_lookup(fetch, Arc::new(lookup)).expect("fetcher");
    (stage.with_fetcher(Arc::new(fetcher)), stats)
}

/// An RSS feed of (guid, link, teaser) items; a `None` guid leaves the link as identity.
fn feed(items: &[(Option<&str>, &str, &str)]) -> String {
    let items: String = items
        .iter()
        .enumerate()
        .map(|(i, (guid, link, teaser))| {
            let guid = guid.map(|g| format!("<guid>{g}</guid>")).unwrap_or_default();
            format!("<item><title>Story {i} of the coast</title>{guid}<link>{}</link><description>{teaser}</description></item>", link.replace('&', "&amp;"))
        })
        .collect();
    format!(r#"<?xml version="1.0"?><rss version="2.0"><channel><title>Coast Times</title><language>en</language>{items}</channel></rss>"#)
}

fn by_title(stories: &[Story], n: usize) -> &Story {
    let title = format!("Story {n} of the coast");
    stories.iter().find(|s| s.headline == title).unwrap_or_else(|| panic!("no story {title:?} among {:?}", stories.iter().map(|s| &s.headline).collect::<Vec<_>>()))
}

fn reason(s: &Story) -> Option<&str> {
    s.page.as_ref().and_then(|p| p.reason.as_deref())
}

const TEASER: &str = "The ferry company will add three crossings a day from June.";

#[tokio::test]
async fn every_teaser_gets_its_page_or_keeps_the_teaser_with_the_reason() {
    let dir = tempfile::tempdir().expect("tempdir");
    let site = Arc::new(Site::default());
    let port = serve(site.clone()).await;
    let base = format!("http://127.0.0.1:{port}");
    let harbour = format!("{base}/news/harbour-timetable?maca=en-rss-en-all");
    let long_body = "Full text carried by the feed itself, long enough to be an article on its own. ".repeat(12);
    let rss = feed(&[
        (None, &harbour, TEASER),
        (Some("coast-2"), &format!("{base}/members/budget"), "Members read the budget first."),
        (Some("coast-3"), &format!("{base}/busy"), "A busy day at the port."),
        (Some("coast-4"), &format!("{base}/loop/a"), "A page that sends us round in circles."),
        (Some("coast-5"), &format!("{base}/huge"), "A page far too large to read."),
        (Some("coast-6"), &format!("{base}/latin1"), "Le café rouvre."),
        (Some("coast-7"), &format!("http://intranet.test:{port}/wiki/secrets"), "An internal page."),
        (Some("coast-8"), &format!("{base}/paywall"), "The council approved its budget."),
        (Some("coast-9"), &format!("{base}/short"), "A page with one line."),
        (Some("coast-10"), &format!("{base}/gone"), "A page that is gone."),
        (Some("coast-11"), &format!("{base}/news/long-one"), &long_body),
        (Some("coast-12"), &format!("{base}/news/harbour-timetable?utm_campaign=spring"), "The same article, reached from a campaign."),
    ]);
    let (stage, stats) = stage(dir.path(), fetch_config()).await;
    let sink = MemoryDeliver::default();
    let origin = Origin::Feed { name: "coast", source: None };

    let processed = stage.ingest(rss.clone().into_bytes(), origin, &sink).await.expect("every item settled");
    let stories = sink.taken();
    assert_eq!(stories.len(), 11, "{:?}", stories.iter().map(|s| (&s.headline, &s.page)).collect::<Vec<_>>());

    // A full story: the page's text is the body, the teaser the standfirst, the canonical URL
    // (tracking parameters gone) the address, the guid without `?maca=`, metadata filled in.
    let s = by_title(&stories, 0);
    assert_eq!(s.guid, format!("{base}/news/harbour-timetable"));
    assert_eq!(s.uri.as_deref(), Some(format!("{base}/news/harbour-timetable").as_str()));
    assert_eq!(s.standfirst.as_deref(), Some(TEASER));
    assert_eq!(s.body.len(), 8);
    assert!(s.body[0].starts_with("Part 0 of Harbour timetable: the ferry company") && s.word_count() > 200, "{:?}", s.body);
    assert!(s.body.iter().all(|p| !p.contains("Home") && !p.contains("Another story") && !p.contains("Copyright")), "{:?}", s.body);
    assert_eq!(s.page.as_ref().map(|p| p.outcome), Some(PageOutcome::FullText));
    assert_eq!(s.byline.as_deref(), Some("Mara Quint"));
    assert_eq!(s.section.as_deref(), Some("Local"));
    assert_eq!(s.image.as_deref(), Some(format!("{base}/img/harbour.jpg").as_str()));
    assert_eq!(s.first_created.map(|d| d.to_rfc3339()).as_deref(), Some("2026-03-02T08:15:00+01:00"));
    assert_eq!(s.version_created.map(|d| d.to_rfc3339()).as_deref(), Some("2026-03-02T10:40:00+01:00"));

    // robots.txt disallow: never requested, teaser kept.
    assert_eq!(reason(by_title(&stories, 1)), Some("robots_disallowed"));
    assert_eq!(site.count("/members/budget"), 0);
    assert_eq!(by_title(&stories, 1).body, ["Members read the budget first."]);
    // 429 with Retry-After: 1 is waited out in place, then the page is used.
    assert_eq!(by_title(&stories, 2).page.as_ref().map(|p| p.outcome), Some(PageOutcome::FullText));
    assert_eq!(site.count("/busy"), 2);
    // A redirect loop, a 30 MB page, a private address, a 404: permanent, teaser kept.
    assert_eq!(reason(by_title(&stories, 3)), Some("redirect_loop"));
    assert_eq!(reason(by_title(&stories, 4)), Some("too_large"));
    assert!(site.huge_bytes.load(Ordering::SeqCst) < 15 * 1024 * 1024, "the download stopped at the cap, far from 30 MB");
    let private = by_title(&stories, 6);
    assert_eq!(reason(private), Some("private_address"));
    assert!(private.page.as_ref().and_then(|p| p.detail.as_deref()).is_some_and(|d| d.contains("10.1.2.3") && d.contains("allow_hosts")));
    assert_eq!(reason(by_title(&stories, 9)), Some("http_status"));
    // ISO-8859-1 decoded from the header.
    let latin1 = by_title(&stories, 5);
    assert!(latin1.body.join(" ").contains("Le café de la gare a rouvert ses portes à Saint-Étienne"), "{:?}", latin1.body);
    assert_eq!(latin1.standfirst.as_deref(), Some("Le café rouvre."));
    // A paywall and a page with one line keep the teaser, marked.
    assert_eq!(reason(by_title(&stories, 7)), Some("paywalled"));
    assert_eq!(by_title(&stories, 7).body, ["The council approved its budget."]);
    assert_eq!(reason(by_title(&stories, 8)), Some("too_short"));
    // A feed that carries the full text is not fetched.
    assert!(by_title(&stories, 10).page.is_none());
    assert_eq!(site.count("/news/long-one"), 0);
    // The same page from a campaign link is a duplicate, not fetched twice.
    assert_eq!(site.count("/news/harbour-timetable"), 1);
    assert_eq!(processed.duplicates.len(), 1, "{:?}", processed.duplicates);
    assert!(processed.duplicates[0].1.contains("the page of coast/"), "{:?}", processed.duplicates);

    let snap = stats.snapshot();
    assert_eq!((snap.articles_full_text, snap.teasers_paywalled, snap.teasers_too_short, snap.teasers_fetch_failed, snap.teasers_gave_up), (3, 1, 1, 5, 0));
    assert_eq!(snap.pages_fetched, 5, "harbour, busy, latin1, paywall, short answered with HTML");
    assert_eq!(snap.page_fetch_failures, 5);

    // Polled again: every item is a duplicate and no page is requested again.
    let before = site.requests.lock().map(|r| r.len()).unwrap_or(0);
    let again = stage.ingest(rss.into_bytes(), origin, &sink).await.expect("again");
    assert!(again.ids.is_empty() && again.duplicates.len() == 12, "{:?}", again.ids);
    assert_eq!(site.requests.lock().map(|r| r.len()).unwrap_or(0), before, "nothing fetched for duplicates");

    // Another feed linking to the same article (its canonical URL) gets no second copy.
    let other = feed(&[(Some("elsewhere-1"), &format!("{base}/news/harbour-timetable"), "Seen elsewhere.")]);
    let p = stage.ingest(other.into_bytes(), Origin::Feed { name: "aggregator", source: None }, &sink).await.expect("other feed");
    assert!(p.ids.is_empty() && p.duplicates[0].1.contains("coast/"), "{:?}", p.duplicates);
    assert_eq!(site.count("/news/harbour-timetable"), 1);
}

#[tokio::test]
async fn a_transient_failure_holds_only_its_story_until_the_page_is_due() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (site, port) = flaky_site(1).await;
    // No in-place waiting: the 503's Retry-After goes to the retry book.
    let (stage, stats) = stage(dir.path(), FetchConfig { max_retry_after_secs: 0, ..fetch_config() }).await;
    let rss = feed(&[
        (Some("c-1"), &format!("http://127.0.0.1:{port}/news/calm"), "Calm seas tomorrow."),
        (Some("c-2"), &format!("http://flaky.test:{port}/flaky"), "The flaky server has news."),
    ]);
    let origin = Origin::Feed { name: "coast", source: None };

    // The stage alone: one story ready, one pending with the server's delay.
    let processed = stage.process(rss.clone().into_bytes(), origin).await.expect("process");
    assert_eq!((processed.ids.len(), processed.pending.len()), (1, 1));
    let (after, why) = processed.retry_later().expect("a retry is due");
    assert!(after >= std::time::Duration::from_secs(1) && why.contains("503"), "{after:?} {why}");

    // Through a source: the calm story goes out, the document fails transiently for the other.
    let sink = MemoryDeliver::default();
    let err = stage.ingest(rss.clone().into_bytes(), origin, &sink).await.expect_err("pending");
    assert!(matches!(err, IngestError::ArticlesPending { pending: 1, delivered: 1, .. }) && err.is_transient(), "{err}");
    assert_eq!(sink.taken().len(), 1);
    assert_eq!(site.count("/flaky"), 1, "the page is not asked again before it is due");

    site.flaky_failing.store(false, Ordering::SeqCst);
    support::wait_until_async("the waiting story to go out", || async { stage.ingest(rss.clone().into_bytes(), origin, &sink).await.is_ok() }).await;
    let stories = sink.taken();
    assert_eq!(stories.len(), 2, "the calm story was not delivered twice");
    assert_eq!(stories[1].page.as_ref().map(|p| p.outcome), Some(PageOutcome::FullText));
    assert_eq!(site.count("/flaky"), 2);
    assert_eq!(site.count("/news/calm"), 2, "fetched by process() and by the first ingest(), never after it was confirmed");
    assert_eq!(stats.page_retries.load(Ordering::Relaxed), 1, "counted when the page failed, not on every wait");
}

#[tokio::test]
async fn a_page_that_keeps_failing_is_given_up_and_the_teaser_goes_out_marked() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_site, port) = flaky_site(1).await;
    let (stage, stats) = stage(dir.path(), FetchConfig { max_retry_after_secs: 0, retry_for_secs: 0, ..fetch_config() }).await;
    let rss = feed(&[(Some("f-1"), &format!("http://flaky.test:{port}/flaky"), "The flaky server has news.")]);
    let sink = MemoryDeliver::default();
    stage.ingest(rss.into_bytes(), Origin::Feed { name: "coast", source: None }, &sink).await.expect("given up, not pending");
    let s = &sink.taken()[0];
    assert_eq!(s.body, ["The flaky server has news."]);
    assert_eq!(reason(s), Some("gave_up"));
    assert!(s.page.as_ref().and_then(|p| p.detail.as_deref()).is_some_and(|d| d.contains("503") && d.contains("retry_for_secs")));
    assert_eq!(stats.teasers_gave_up.load(Ordering::Relaxed), 1);
}

#[tokio::test]
async fn the_feed_poller_keeps_its_validators_while_an_item_waits_for_its_page() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (site, port) = flaky_site(1).await;
    if let Ok(mut f) = site.feed.lock() {
        *f = feed(&[
            (Some("p-1"), &format!("http://127.0.0.1:{port}/news/calm"), "Calm seas tomorrow."),
            (Some("p-2"), &format!("http://flaky.test:{port}/flaky"), "The flaky server has news."),
        ]);
    }
    let feed_cfg = copydesk_ingest::FeedConfig { name: "coast".into(), url: format!("http://127.0.0.1:{port}/feed.rss"), interval_secs: 1, min_backoff_ms: 100, ..Default::default() };
    let fetch = FetchConfig { max_retry_after_secs: 0, ..fetch_config() };
    let (stage, stats) = stage_with(dir.path(), IngestConfig { feeds: vec![feed_cfg], fetch, ..IngestConfig::default() }).await;
    let store = stage.store().clone();
    let sink = Arc::new(MemoryDeliver::default());
    let cancel = tokio_util::sync::CancellationToken::new();
    let task = {
        let (stage, sink, cancel) = (stage.clone(), sink.clone(), cancel.clone());
        tokio::spawn(async move { copydesk_ingest::run_feed_poller(stage, sink, "replica-a".into(), cancel).await })
    };
    let etag = || async { copydesk_ingest::feeds::FeedState::load(&store, "coast").await.etag };

    support::wait_until("the calm story", || sink.taken().len() == 1).await;
    support::wait_until_async("the first poll's state saved", || async { copydesk_ingest::feeds::FeedState::load(&store, "coast").await.last_success.is_some() }).await;
    assert_eq!(etag().await, None, "no validators saved while an item waits: the next poll must get the feed again");
    site.flaky_failing.store(false, Ordering::SeqCst);
    support::wait_until("the waiting story", || sink.taken().len() == 2).await;
    support::wait_until_async("the validators saved once nothing waits", || async { etag().await.as_deref() == Some("\"v1\"") }).await;
    cancel.cancel();
    task.await.expect("join").expect("poller ends cleanly");
    assert_eq!(stats.feed_errors.load(Ordering::Relaxed), 0, "a waiting page is not a feed failure");
    assert_eq!(sink.taken()[1].page.as_ref().map(|p| p.outcome), Some(PageOutcome::FullText));
}

#[tokio::test]
async fn a_drop_folder_file_waiting_for_a_page_is_put_back_and_not_read_before_it_is_due() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (site, port) = flaky_site(2).await;
    let (stage, stats) = stage(dir.path(), FetchConfig { max_retry_after_secs: 0, ..fetch_config() }).await;
    let inbox = stage.config().drop_dir.clone();
    std::fs::create_dir_all(&inbox).expect("inbox");
    let rss = feed(&[(Some("d-1"), &format!("http://flaky.test:{port}/flaky"), "The flaky server has news.")]);
    std::fs::write(inbox.join("coast.rss"), rss).expect("write");
    let sink = Arc::new(MemoryDeliver::default());
    let cancel = tokio_util::sync::CancellationToken::new();
    let task = {
        let (stage, sink, cancel) = (stage.clone(), sink.clone(), cancel.clone());
        tokio::spawn(async move { copydesk_ingest::run_drop_folder(stage, sink, "replica-a".into(), cancel).await })
    };
    support::wait_until("the file put back", || stats.files_retried.load(Ordering::Relaxed) == 1).await;
    site.flaky_failing.store(false, Ordering::SeqCst);
    support::wait_until("the story", || sink.taken().len() == 1).await;
    support::wait_until("the file done", || stats.files_done.load(Ordering::Relaxed) == 1).await;
    cancel.cancel();
    task.await.expect("join").expect("drop folder ends cleanly");
    // Re-read every few hundred milliseconds, the file would have been retried several times
    // in the two seconds the page asked for; it was read twice: once failing, once done.
    assert_eq!(stats.files_retried.load(Ordering::Relaxed), 1);
    assert_eq!(site.count("/flaky"), 2);
    assert!(inbox.join(".done").join("coast.rss").exists());
}

#[tokio::test]
async fn a_full_text_over_the_message_limit_goes_out_as_the_teaser_marked() {
    let dir = tempfile::tempdir().expect("tempdir");
    let site = Arc::new(Site::default());
    let port = serve(site.clone()).await;
    let rss = feed(&[(Some("m-1"), &format!("http://127.0.0.1:{port}/news/calm"), "Calm seas tomorrow.")]);
    let origin = Origin::Feed { name: "coast", source: None };
    let (roomy, _) = stage(dir.path(), fetch_config()).await;
    let full = roomy.process(rss.clone().into_bytes(), origin).await.expect("process");
    let full_bytes = full.output.emits[0].message.body.len();
    // The same document through a stage whose messages may not be that large.
    let cfg = roomy.config().clone();
    let fetcher = Fetcher::new(cfg.fetch.clone()).expect("fetcher");
    let tight = IngestStage::new(cfg, roomy.store().clone(), "t.events".into(), full_bytes - 1, roomy.stats().clone()).with_fetcher(Arc::new(fetcher));
    let sink = MemoryDeliver::default();
    tight.ingest(rss.into_bytes(), origin, &sink).await.expect("delivered");
    let s = &sink.taken()[0];
    assert_eq!(s.body, ["Calm seas tomorrow."]);
    assert_eq!(reason(s), Some("message_too_large"));
    assert_eq!(roomy.stats().teasers_fetch_failed.load(Ordering::Relaxed), 1);
}

#[tokio::test]
async fn teasers_that_say_nothing_are_told_apart_by_their_pages_and_a_repeated_page_text_is_one_story() {
    let dir = tempfile::tempdir().expect("tempdir");
    let site = Arc::new(Site::default());
    let port = serve(site.clone()).await;
    let base = format!("http://127.0.0.1:{port}");
    // Three items with the same empty-of-meaning teaser: two distinct articles, and a third
    // page (another address) carrying the same text as the second.
    let rss = feed(&[
        (Some("r-1"), &format!("{base}/news/harbour-timetable"), "Read more"),
        (Some("r-2"), &format!("{base}/news/calm"), "Read more"),
        (Some("r-3"), &format!("{base}/news/calm-again"), "Read more"),
    ]);
    let (stage, _) = stage(dir.path(), fetch_config()).await;
    let sink = MemoryDeliver::default();
    let p = stage.ingest(rss.into_bytes(), Origin::Feed { name: "coast", source: None }, &sink).await.expect("ingest");
    let heads: Vec<String> = sink.taken().iter().map(|s| s.headline.clone()).collect();
    assert_eq!(heads, ["Story 0 of the coast", "Story 1 of the coast"]);
    assert_eq!(p.duplicates.len(), 1);
    assert!(p.duplicates[0].0.ends_with("r-3") && p.duplicates[0].1.contains("same body as r-2"), "{:?}", p.duplicates);
}
