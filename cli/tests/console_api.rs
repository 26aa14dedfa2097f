//! The console's HTTP API: the real `copydesk console` binary against the real RabbitMQ (a
//! random namespace per test): sessions, CSRF, the JSON views, and actions that share
//! `copydesk dlq`'s replay. Needs RabbitMQ (`make test` starts it).

use copydesk_runtime::config::Settings;
use copydesk_runtime::{broker, Outgoing, Publisher};
use copydesk_types::names::Names;
use copydesk_types::Stage;
use lapin::options::{BasicGetOptions, QueueDeleteOptions};
use std::io::BufRead;
use std::time::Duration;

const TOKEN: &str = "test-console-token-0123456789";

struct Fixture {
    base: String,
    names: Names,
    conn: lapin::Connection,
    publisher: Publisher,
    client: reqwest::Client,
    csrf: String,
    console: std::process::Child,
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = self.console.kill();
        let _ = self.console.wait();
    }
}

impl Fixture {
    async fn start() -> Fixture {
        let mut settings = Settings::default();
        if let Ok(url) = std::env::var("COPYDESK__AMQP__URL") {
            settings.amqp.url = url.into();
        }
        settings.amqp.namespace =
            format!("tc-{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
        let conn = broker::connect(&settings.amqp, "console test")
            .await
            .expect("RabbitMQ must be running (make test starts it)");
        let publisher = Publisher::new(&conn, settings.amqp.max_message_bytes)
            .await
            .expect("publisher");
        let names = Names::new(settings.amqp.namespace.clone());
        broker::declare_topology(publisher.channel(), &names, &settings.retry)
            .await
            .expect("topology");
        let dir = std::env::temp_dir();
        let mut console = std::process::Command::new(env!("CARGO_BIN_EXE_copydesk"))
            .arg("console")
            .current_dir(&dir)
            .env("COPYDESK__AMQP__NAMESPACE", &names.namespace)
            .env("COPYDESK__CONSOLE__PORT", "0")
            .env(
                "COPYDESK__CONSOLE__TOKEN_ENV",
                "COPYDESK_TEST_CONSOLE_TOKEN",
            )
            .env("COPYDESK_TEST_CONSOLE_TOKEN", TOKEN)
            .env(
                "COPYDESK__STORE__PATH",
                dir.join(format!("{}.db", names.namespace)),
            )
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start copydesk console");
        // The first line names the address (port 0 picks a free one).
        // The reader keeps draining after it: the pipe stays open for whatever the console
        // prints next.
        let stdout = console.stdout.take().expect("stdout");
        let (first, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = std::io::BufReader::new(stdout);
            let mut line = String::new();
            let _ = first.send(reader.read_line(&mut line).map(|_| line));
            let _ = std::io::copy(&mut reader, &mut std::io::sink());
        });
        let line = tokio::task::spawn_blocking(move || rx.recv());
        let line = tokio::time::timeout(Duration::from_secs(60), line)
            .await
            .expect("the console starts")
            .expect("join")
            .expect("the console printed its address")
            .expect("read");
        let base = line
            .split(" on ")
            .nth(1)
            .expect("an address in the first line")
            .trim()
            .trim_end_matches('/')
            .to_string();
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        let session: serde_json::Value = client
            .get(format!("{base}/api/session"))
            .header("authorization", format!("Bearer {TOKEN}"))
            .send()
            .await
            .expect("session")
            .json()
            .await
            .expect("json");
        let csrf = session["csrf"].as_str().expect("csrf").to_string();
        Fixture {
            base,
            names,
            conn,
            publisher,
            client,
            csrf,
            console,
        }
    }

    /// A dead letter as a worker writes it.
    async fn dead_letter(&self, stage: Stage, id: &str, error: &str, headline: &str) {
        let body = serde_json::json!({ "payload": { "story": { "guid": format!("guid-{id}"), "headline": headline } } });
        let mut m = Outgoing::to_queue(
            &self.names.dead_letter_queue(stage),
            body.to_string().into_bytes(),
        )
        .header(copydesk_types::names::H_STAGE, stage.as_str())
        .header(copydesk_types::names::H_ERROR_CLASS, "retries-exhausted")
        .header(copydesk_types::names::H_ERROR, error)
        .header(copydesk_types::names::H_STORY_ID, format!("wire:{id}"))
        .header(
            copydesk_types::names::H_FAILED_AT,
            chrono::Utc::now().to_rfc3339(),
        )
        .header(
            copydesk_runtime::trace::H_PATH,
            "ingest@2026-01-01T10:00:00.000Z,extract@2026-01-01T10:00:00.250Z",
        )
        .header_int(copydesk_types::names::H_ATTEMPT, 3);
        m.message_id = Some(id.to_string());
        self.publisher
            .publish_confirmed(&[m])
            .await
            .expect("publish dead letter");
    }

    fn bearer(&self, r: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        r.header("authorization", format!("Bearer {TOKEN}"))
    }

    async fn failures(&self) -> serde_json::Value {
        let r = self
            .bearer(self.client.get(format!("{}/api/failures", self.base)))
            .send()
            .await
            .expect("get");
        assert_eq!(r.status(), 200);
        r.json().await.expect("json")
    }

    async fn cleanup(&self) {
        // Every queue the namespace declared (work queues, dead letters and retry tiers) and its
        // exchange: quorum queues left behind pile up in the shared broker.
        let channel = self.conn.create_channel().await.expect("channel");
        for q in broker::all_queues(&self.names, &Settings::default().retry) {
            let _ = channel.queue_delete(q.into(), QueueDeleteOptions::default()).await;
        }
        let _ = channel
            .exchange_delete(self.names.events_exchange().into(), Default::default())
            .await;
    }
}

#[tokio::test]
async fn reads_need_a_session_and_writes_a_csrf_token_too_then_a_group_replays_keeping_message_ids()
{
    let f = Fixture::start().await;
    f.dead_letter(
        Stage::Publish,
        "m-1",
        "write /tmp/a/out/1.json: Not a directory (os error 20)",
        "Storm hits coast",
    )
    .await;
    f.dead_letter(
        Stage::Publish,
        "m-2",
        "write /tmp/b/out/2.json: Not a directory (os error 20)",
        "Flood warning",
    )
    .await;
    f.dead_letter(Stage::Publish, "m-3", "webhook answered 410", "Other cause")
        .await;

    // No credentials: the API answers 401, a page sends to the login form.
    let r = f
        .client
        .get(format!("{}/api/failures", f.base))
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 401);
    let r = f
        .client
        .get(format!("{}/failures", f.base))
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/login");

    let listed = f.failures().await;
    assert_eq!(listed["total"], 3);
    let groups = listed["groups"].as_array().expect("groups");
    assert_eq!(groups.len(), 2, "{listed:#}");
    assert_eq!(groups[0]["count"], 2);
    assert_eq!(
        groups[0]["reason"],
        "write <path>: Not a directory (os error <n>)"
    );
    let key = groups[0]["key"].as_str().expect("key").to_string();

    // Search by headline.
    let r = f
        .bearer(f.client.get(format!("{}/api/failures?q=storm", f.base)))
        .send()
        .await
        .expect("get");
    let hits: serde_json::Value = r.json().await.expect("json");
    assert_eq!(hits["letters"].as_array().map(Vec::len), Some(1));
    assert_eq!(hits["letters"][0]["headline"], "Storm hits coast");

    // One message, with its path.
    let r = f
        .bearer(f.client.get(format!("{}/api/message?id=m-1", f.base)))
        .send()
        .await
        .expect("get");
    let m: serde_json::Value = r.json().await.expect("json");
    assert_eq!(m["headline"], "Storm hits coast");
    assert_eq!(m["group"], key.as_str());
    assert_eq!(m["path"][1]["stage"], "extract");
    assert_eq!(m["path"][1]["after_ms"], 250);

    // A write without the CSRF token is refused and changes nothing.
    let action = serde_json::json!({ "op": "replay", "scope": "group", "key": key });
    let r = f
        .bearer(f.client.post(format!("{}/api/actions", f.base)))
        .json(&action)
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 403);
    let r = f
        .client
        .post(format!("{}/api/actions", f.base))
        .header("x-csrf-token", &f.csrf)
        .json(&action)
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 401, "the CSRF token alone is no login");
    assert_eq!(f.failures().await["total"], 3);

    let r = f
        .bearer(f.client.post(format!("{}/api/actions", f.base)))
        .header("x-csrf-token", &f.csrf)
        .json(&action)
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 200);
    let done: serde_json::Value = r.json().await.expect("json");
    assert_eq!(done["count"], 2);

    let after = f.failures().await;
    assert_eq!(after["total"], 1, "only the other cause is left: {after:#}");
    let channel = f.conn.create_channel().await.expect("channel");
    let mut ids = Vec::new();
    while let Some(m) = channel
        .basic_get(
            f.names.stage_queue(Stage::Publish).into(),
            BasicGetOptions { no_ack: true },
        )
        .await
        .expect("get")
    {
        ids.push(
            m.delivery
                .properties
                .message_id()
                .as_ref()
                .map(|s| s.to_string())
                .unwrap_or_default(),
        );
    }
    ids.sort();
    assert_eq!(
        ids,
        ["m-1", "m-2"],
        "replayed to the work queue with their message ids"
    );
    f.cleanup().await;
}

#[tokio::test]
async fn login_sets_a_session_and_a_confirmed_form_purges_only_its_group() {
    let f = Fixture::start().await;
    f.dead_letter(Stage::Extract, "x-1", "entity model missing", "A")
        .await;
    f.dead_letter(Stage::Extract, "x-2", "timeout after 30 s", "B")
        .await;

    let r = f
        .client
        .post(format!("{}/login", f.base))
        .body("token=wrong")
        .header("content-type", "application/x-www-form-urlencoded")
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 401);
    assert!(r.headers().get("set-cookie").is_none());
    let r = f
        .client
        .post(format!("{}/login", f.base))
        .body(format!("token={TOKEN}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 303);
    let cookie = r.headers()["set-cookie"]
        .to_str()
        .expect("cookie")
        .split(';')
        .next()
        .expect("pair")
        .to_string();
    assert!(!cookie.contains(TOKEN), "the session is not the token");

    let page = f
        .client
        .get(format!("{}/failures", f.base))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("get");
    assert_eq!(page.status(), 200);
    assert!(page.headers()["content-security-policy"]
        .to_str()
        .expect("csp")
        .contains("script-src 'self'"));
    let html = page.text().await.expect("html");
    assert!(html.contains("entity model missing") && html.contains("Purge group"));

    let groups = f.failures().await["groups"].clone();
    let key = groups
        .as_array()
        .expect("groups")
        .iter()
        .find(|g| g["reason"] == "entity model missing")
        .expect("group")["key"]
        .as_str()
        .expect("key")
        .to_string();
    let form = |csrf: &str, confirm: &str| {
        format!("op=purge&scope=group&key={key}&expected=1&csrf={csrf}&confirm={confirm}")
    };
    let post = |body: String| {
        f.client
            .post(format!("{}/actions", f.base))
            .header("cookie", &cookie)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
    };
    assert_eq!(
        post(form("nope", "yes")).await.expect("post").status(),
        403,
        "wrong CSRF token"
    );
    assert_eq!(
        post(form(&f.csrf, "no")).await.expect("post").status(),
        403,
        "not confirmed"
    );
    assert_eq!(f.failures().await["total"], 2);
    let r = post(form(&f.csrf, "yes")).await.expect("post");
    assert_eq!(r.status(), 200);
    assert!(r
        .text()
        .await
        .expect("html")
        .contains("purged 1 message(s)"));
    let left = f.failures().await;
    assert_eq!(left["total"], 1);
    assert_eq!(left["letters"][0]["id"], "x-2");
    f.cleanup().await;
}
