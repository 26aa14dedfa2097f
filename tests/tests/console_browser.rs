//! The operator console in a real browser: headless Chromium (Debian `chromium`, driven through
//! `chromedriver` with WebDriver) against `copydesk console` and the four real workers on the
//! real RabbitMQ, in a random namespace.
//!
//! Stories dead-letter in publish (its out dir is blocked by a plain file); the console shows
//! them grouped with their reason; the cause is fixed; the group is replayed from the browser
//! after a count preview and a confirmation; the stories come out and the group is gone. Every
//! page is saved as a PNG under `target/tmp/console-screens/` (look at them).
//!
//! `scripts/ensure-chromium.sh` (run by `make test`) installs Chromium and chromedriver.

use copydesk_tests::pipeline::Pipeline;
use copydesk_tests::procs::Proc;
use copydesk_tests::wait;
use copydesk_types::Stage;
use fantoccini::{Client, Locator};
use std::path::PathBuf;
use std::time::Duration;

const LONG: Duration = Duration::from_secs(240);
const TOKEN: &str = "browser-test-token-5f1c2a9e77";
const STORIES: usize = 3;

fn screens() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("console-screens");
    std::fs::create_dir_all(&dir).expect("screenshot dir");
    dir
}

async fn shot(c: &Client, name: &str) {
    let png = c.screenshot().await.expect("screenshot");
    assert!(png.starts_with(b"\x89PNG"), "a PNG");
    std::fs::write(screens().join(format!("{name}.png")), png).expect("save screenshot");
}

/// The text of an element, waiting for it to appear: after a click the next page may still be
/// loading (finding at once raced the navigation: "no such element").
async fn text(c: &Client, css: &str) -> String {
    c.wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css} on the page: {e}"))
        .text()
        .await
        .expect("text")
}

/// Wait until a click's navigation has landed on a page whose URL satisfies `done` (elements
/// found before that belong to the old page and go stale).
async fn until_url(c: &Client, what: &str, done: impl Fn(&str) -> bool) {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let url = c.current_url().await.expect("current url");
        if done(url.as_str()) {
            return;
        }
        assert!(std::time::Instant::now() < deadline, "{what}: still on {url}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn try_text(c: &Client, css: &str) -> Option<String> {
    c.find(Locator::Css(css)).await.ok()?.text().await.ok()
}

/// A free local port for chromedriver.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

struct Driver(std::process::Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn browser() -> (Driver, Client) {
    let chromedriver = std::env::var("COPYDESK_CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
    let port = free_port();
    let child = std::process::Command::new(&chromedriver)
        .arg(format!("--port={port}"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("start {chromedriver}: {e}; run scripts/ensure-chromium.sh (make test does)"));
    let driver = Driver(child);
    wait::until("chromedriver to listen", Duration::from_secs(30), || async { std::net::TcpStream::connect(("127.0.0.1", port)).ok().map(|_| ()) }).await;
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({ "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1360,900"] }),
    );
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    let client = fantoccini::ClientBuilder::new(connector)
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("a WebDriver session in headless Chromium");
    (driver, client)
}

#[tokio::test]
async fn dead_letters_are_grouped_replayed_from_the_browser_and_published() {
    let retry = copydesk_runtime::config::RetrySettings { max_attempts: 2, initial_delay_ms: 100, max_delay_ms: 200 };
    let p = Pipeline::start(retry).await;
    // A plain file where the out dir should be: publishing fails until it is removed.
    std::fs::write(&p.out, b"not a directory").expect("blocker");
    p.drop_stories(0..STORIES);
    let dlq = p.ns.names.dead_letter_queue(Stage::Publish);
    p.until("the stories in the publish dead-letter queue", LONG, || async { (p.ns.depth(&dlq).await as usize == STORIES).then_some(()) }).await;

    let mut env = p.env();
    env.extend([
        ("COPYDESK__CONSOLE__PORT".to_string(), "0".to_string()),
        ("COPYDESK__CONSOLE__TOKEN_ENV".into(), "COPYDESK_TEST_CONSOLE_TOKEN".into()),
        ("COPYDESK__CONSOLE__REFRESH_SECS".into(), "1".into()),
        ("COPYDESK_TEST_CONSOLE_TOKEN".into(), TOKEN.into()),
    ]);
    let console = Proc::start_args("copydesk", &["console"], &env, &p.dir.path().join("logs"));
    let base = p
        .until("the console to listen", Duration::from_secs(60), || async {
            let log = console.log_text();
            log.lines().find_map(|l| l.split(" on ").nth(1).filter(|u| u.starts_with("http://")).map(|u| u.trim().trim_end_matches('/').to_string()))
        })
        .await;
    let (_driver, c) = browser().await;
    let result = drive(&p, &c, &base).await;
    let _ = c.close().await;
    if let Err(panic) = result {
        eprintln!("console log:\n{}", console.log_text());
        std::panic::resume_unwind(panic);
    }
    let log = console.log_text();
    assert!(
        log.lines().any(|l| l.contains("console action") && l.contains("action=replay") && l.contains(&format!("count={STORIES}"))),
        "the replay is logged with what and how many:\n{log}"
    );
}

/// The browser part; a panic is returned so the session is closed and the console log shown.
async fn drive(p: &Pipeline, c: &Client, base: &str) -> Result<(), Box<dyn std::any::Any + Send>> {
    use futures::FutureExt;
    std::panic::AssertUnwindSafe(async {
        // Every page wants a session: the first visit lands on the login form.
        c.goto(&format!("{base}/failures")).await.expect("open the console");
        assert!(c.current_url().await.expect("url").as_str().ends_with("/login"), "sent to the login form");
        shot(c, "login").await;
        c.find(Locator::Css("#token")).await.expect("token field").send_keys(TOKEN).await.expect("type the token");
        c.find(Locator::Css("#login")).await.expect("login button").click().await.expect("log in");

        // Overview: the live table shows the dead letters of publish.
        // The script refreshes the table; a page loaded before the first sample has no rows yet.
        let dead = wait::until("the overview to show the dead letters", LONG, || async {
            match try_text(c, r#"tr[data-stage="publish"] td[data-k="dead_lettered"]"#).await {
                Some(t) if t == STORIES.to_string() => Some(t),
                Some(_) => None,
                None => {
                    let _ = c.refresh().await;
                    None
                }
            }
        })
        .await;
        assert_eq!(dead, STORIES.to_string());
        assert_eq!(text(c, r#"tr[data-stage="publish"] td[data-k="consumers"]"#).await, "1");
        shot(c, "overview").await;

        // Failures: one group, with its reason and count.
        c.goto(&format!("{base}/failures")).await.expect("failures");
        let groups = c.find_all(Locator::Css("#groups tr.group")).await.expect("groups");
        assert_eq!(groups.len(), 1, "one cause, one group");
        assert_eq!(text(c, "#groups tr.group td.count").await, STORIES.to_string());
        let reason = text(c, "#groups tr.group td.reason").await;
        assert!(reason.contains("<path>") && reason.to_lowercase().contains("directory"), "the normalised reason: {reason}");
        assert!(text(c, "#groups tr.group").await.contains("publish"));
        shot(c, "failures").await;

        // Search by a headline word finds one story; its message page shows the path.
        let first_headline = text(c, "#letters tbody tr td a").await;
        let word = first_headline.split_whitespace().max_by_key(|w| w.len()).expect("a word").to_string();
        c.find(Locator::Css("#q")).await.expect("search box").send_keys(&word).await.expect("type");
        c.find(Locator::Css("form.search button")).await.expect("search button").click().await.expect("search");
        until_url(c, "the search results", |u| u.contains("q=")).await;
        let hits = c.find_all(Locator::Css("#letters tbody tr")).await.expect("rows");
        assert!(!hits.is_empty() && hits.len() <= STORIES, "search for {word:?} found {}", hits.len());
        c.find(Locator::Css("#letters tbody tr td a")).await.expect("message link").click().await.expect("open message");
        assert_eq!(text(c, "#headline").await, first_headline, "the headline on top");
        let path = text(c, "#path").await;
        for stage in ["ingest", "extract", "summarize", "failed in publish"] {
            assert!(path.contains(stage), "the path shows {stage}: {path}");
        }
        shot(c, "message").await;
        // The trace id on the page is the one in the worker's log lines for this story.
        let trace = text(c, "#trace").await;
        assert_eq!(trace.len(), 32, "a W3C trace id: {trace}");
        let logs: String = p.procs.lock().expect("procs").iter().map(|w| w.log_text()).collect();
        // (Stages log per message only when something goes wrong: here publish, on both attempts.)
        for attempt in [1, 2] {
            assert!(
                logs.lines().any(|l| l.contains(&format!("trace_id={trace}")) && l.contains("stage=\"publish\"") && l.contains(&format!("attempt={attempt}"))),
                "publish-worker logged attempt {attempt} under trace {trace}:\n{}",
                p.logs()
            );
        }

        // Fix the cause, then replay the group: preview, confirm, done.
        std::fs::remove_file(&p.out).expect("remove blocker");
        std::fs::create_dir_all(&p.out).expect("make out dir");
        c.goto(&format!("{base}/failures")).await.expect("failures");
        c.find(Locator::Css("#groups tr.group a.btn.replay")).await.expect("replay button").click().await.expect("replay");
        assert_eq!(text(c, "#count").await, STORIES.to_string(), "the preview counts the group");
        shot(c, "confirm").await;
        c.find(Locator::Css("#confirm")).await.expect("confirm button").click().await.expect("confirm");
        let done = text(c, "#done").await;
        assert!(done.contains(&format!("replayed {STORIES} message(s)")), "{done}");
        shot(c, "replayed").await;

        // The stories come out, and the group is gone.
        let events = p.await_published(STORIES, LONG).await;
        assert_eq!(events.len(), STORIES);
        assert_eq!(p.article_files().len(), STORIES, "each published once");
        c.goto(&format!("{base}/failures")).await.expect("failures");
        assert!(text(c, "#no-failures").await.contains("No dead letters"));
        assert!(c.find_all(Locator::Css("#groups tr.group")).await.expect("groups").is_empty());
        shot(c, "failures-empty").await;

        // Published lists them with links to their files.
        c.goto(&format!("{base}/published")).await.expect("published");
        let rows = wait::until("the published page to list the stories", LONG, || async {
            let rows = c.find_all(Locator::Css("#published tbody tr")).await.ok()?;
            if rows.len() == STORIES {
                Some(rows.len())
            } else {
                let _ = c.refresh().await;
                None
            }
        })
        .await;
        assert_eq!(rows, STORIES);
        let link = c.find(Locator::Css("#published td.files a")).await.expect("a file link");
        assert!(link.attr("href").await.expect("href").is_some_and(|h| h.starts_with("/files/")));
        shot(c, "published").await;
        for page in ["", "feeds", "events"] {
            c.goto(&format!("{base}/{page}")).await.expect("page");
            shot(c, if page.is_empty() { "overview-after" } else { page }).await;
        }
    })
    .catch_unwind()
    .await
}
