//! Secrets stay secret: the real workers run with every kind of secret set (a webhook URL with
//! user info and a `?token=`, the webhook signing secret, the WordPress application password, a
//! feed URL with user info and a token, and a broker password through `COPYDESK__AMQP__URL`),
//! stories go through (one killed, one dead-lettered by the webhook, one malformed file), and then
//! every worker log, every file the pipeline wrote (articles, tombstones, `.failed/` reasons, the
//! SQLite state), every `story.published` event and every dead letter with its headers is
//! searched for each secret. None may be found.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use copydesk_publish::testing::wordpress::{self, Shared, PASSWORD};
use copydesk_tests::broker::TestNamespace;
use copydesk_tests::pipeline::{files_in, Pipeline};
use copydesk_tests::stories;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const LONG: Duration = Duration::from_secs(240);

#[derive(Default)]
struct Seen {
    hook_tokens: Vec<String>,
    feed_tokens: Vec<String>,
}

type Shared2 = Arc<Mutex<Seen>>;

async fn hook(State(seen): State<Shared2>, Query(q): Query<HashMap<String, String>>, body: String) -> StatusCode {
    seen.lock().expect("lock").hook_tokens.push(q.get("token").cloned().unwrap_or_default());
    // The poison story: a permanent refusal, so the publish stage dead-letters it with a reason
    // that names the webhook.
    if body.contains("Poisonpill") {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    }
}

async fn feed(State(seen): State<Shared2>, Query(q): Query<HashMap<String, String>>) -> ([(&'static str, &'static str); 1], String) {
    seen.lock().expect("lock").feed_tokens.push(q.get("token").cloned().unwrap_or_default());
    let body = stories::plain_text(7).replace('\n', " ");
    let rss = format!(
        r#"<?xml version="1.0"?><rss version="2.0"><channel><title>Secret Wire</title><link>http://127.0.0.1/</link><description>d</description>
<item><title>Feed story about the harbour budget</title><guid isPermaLink="false">secret-feed-1</guid><pubDate>Tue, 01 Dec 2026 10:00:00 GMT</pubDate><description>{body}</description></item>
</channel></rss>"#
    );
    ([("content-type", "application/rss+xml")], rss)
}

async fn serve(seen: Shared2) -> String {
    let app = axum::Router::new().route("/hook", post(hook)).route("/feed.rss", get(feed)).with_state(seen);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
    format!("127.0.0.1:{}", addr.port())
}

/// A broker user with a password of our own, removed when dropped; `None` (with the reason
/// printed) when `rabbitmqctl` cannot make one here.
struct BrokerUser {
    name: String,
}

impl BrokerUser {
    fn create(name: &str, password: &str) -> Option<BrokerUser> {
        let run = |args: &[&str]| Command::new("rabbitmqctl").args(args).output().map(|o| o.status.success()).unwrap_or(false);
        if !run(&["add_user", name, password]) {
            eprintln!("secrets: the broker password part is skipped: `rabbitmqctl add_user` failed (no local broker control)");
            return None;
        }
        let user = BrokerUser { name: name.to_string() };
        assert!(run(&["set_permissions", "-p", "/", name, ".*", ".*", ".*"]), "set_permissions for {name}");
        Some(user)
    }
}

impl Drop for BrokerUser {
    fn drop(&mut self) {
        let _ = Command::new("rabbitmqctl").args(["delete_user", &self.name]).output();
    }
}

fn all_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            all_files(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn sample(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples").join(name)).expect("sample")
}

#[tokio::test]
async fn no_secret_reaches_a_log_an_event_a_dead_letter_or_a_state_file() {
    let tag = uuid::Uuid::new_v4().simple().to_string()[..10].to_string();
    let hook_pass = format!("hookpass{tag}");
    let hook_token = format!("hooktoken{tag}");
    let hook_secret = format!("whsecret{tag}");
    let feed_pass = format!("feedpass{tag}");
    let feed_token = format!("feedtoken{tag}");
    let amqp_pass = format!("amqppass{tag}");

    let seen: Shared2 = Arc::default();
    let addr = serve(seen.clone()).await;
    let wp: Shared = Arc::default();
    let wp_base = wordpress::serve(&wp).await;

    let mut secrets = vec![hook_pass.clone(), hook_token.clone(), hook_secret.clone(), feed_pass.clone(), feed_token.clone(), PASSWORD.to_string()];
    let mut env = vec![
        ("COPYDESK__PUBLISH__WEBHOOK__URL".to_string(), format!("http://hookuser:{hook_pass}@{addr}/hook?token={hook_token}")),
        ("COPYDESK_WEBHOOK_SECRET".into(), hook_secret.clone()),
        ("COPYDESK__PUBLISH__WORDPRESS__URL".into(), wp_base),
        ("COPYDESK__PUBLISH__WORDPRESS__USER".into(), "desk".into()),
        ("COPYDESK_WORDPRESS_PASSWORD".into(), PASSWORD.into()),
    ];
    let user_name = format!("cd-secret-{tag}");
    let broker_user = match std::env::var("COPYDESK__AMQP__URL") {
        Ok(_) => {
            eprintln!("secrets: the broker password part is skipped: COPYDESK__AMQP__URL points at another broker");
            None
        }
        Err(_) => BrokerUser::create(&user_name, &amqp_pass),
    };
    if broker_user.is_some() {
        env.push(("COPYDESK__AMQP__URL".into(), format!("amqp://{user_name}:{amqp_pass}@127.0.0.1:5672/%2f")));
        secrets.push(amqp_pass.clone());
    }
    let config = format!(
        "[[ingest.feeds]]\nname = \"secret-wire\"\nurl = \"http://feeduser:{feed_pass}@{addr}/feed.rss?token={feed_token}\"\ninterval_secs = 2\n\n[ingest.fetch]\nenabled = false\n"
    );
    let p = Pipeline::start_with_config(TestNamespace::fast_retry(), env, Some(&config)).await;

    p.drop_stories(0..2);
    let poison = stories::plain_text(3).replacen("\n\n", "\n\nPoisonpill warning for the harbour. ", 1).replacen("\n", " Poisonpill\n", 1);
    p.drop_file("poison.txt", poison.as_bytes());
    p.drop_file("broken.xml", b"<nitf><head><title>Unclosed</title></head><body><p>never ends");
    p.drop_file("11-oslo-energy-takeover.xml", &sample("11-oslo-energy-takeover.xml"));
    // Two stories, the feed item and the Oslo story.
    let events = p.await_published(4, LONG).await;
    p.drop_file("12-oslo-energy-takeover-kill.xml", &sample("12-oslo-energy-takeover-kill.xml"));

    let publish_dlq = p.ns.names.dead_letter_queue(copydesk_types::Stage::Publish);
    p.until("the poison story in the publish dead-letter queue", LONG, || async { (p.ns.depth(&publish_dlq).await >= 1).then_some(()) }).await;
    p.until("a tombstone for the kill", LONG, || async { (!files_in(&p.out, |n| n.ends_with(".retracted.json")).is_empty()).then_some(()) }).await;
    p.until("the malformed file's reason in .failed/", LONG, || async {
        (!files_in(&p.inbox.join(".failed"), |n| n.ends_with(".reason")).is_empty()).then_some(())
    })
    .await;
    // The retraction's event and webhook call come with the tombstone; give the feed poller a
    // second poll so its state has been written more than once.
    let polls = seen.lock().expect("lock").feed_tokens.len();
    p.until("a second feed poll", LONG, || async { (seen.lock().expect("lock").feed_tokens.len() > polls).then_some(()) }).await;

    {
        let seen = seen.lock().expect("lock");
        assert!(seen.hook_tokens.iter().all(|t| *t == hook_token) && !seen.hook_tokens.is_empty(), "the webhook got its token: {:?}", seen.hook_tokens);
        assert!(seen.feed_tokens.iter().all(|t| *t == feed_token), "the feed got its token");
    }

    // Everything the pipeline wrote, except the config file we gave it.
    let mut haystacks: Vec<(String, Vec<u8>)> = Vec::new();
    let mut files = Vec::new();
    all_files(p.dir.path(), &mut files);
    let config_dir = p.dir.path().join("logs").join("config");
    for path in files.into_iter().filter(|f| !f.starts_with(&config_dir)) {
        let bytes = std::fs::read(&path).unwrap_or_default();
        haystacks.push((path.display().to_string(), bytes));
    }
    assert!(haystacks.iter().any(|(n, _)| n.ends_with("copydesk.db")), "the state store is searched: {:?}", haystacks.iter().map(|h| &h.0).collect::<Vec<_>>());
    assert!(haystacks.iter().filter(|(n, _)| n.ends_with(".log")).count() >= 4, "every worker log is searched");
    for event in &events {
        haystacks.push((format!("story.published {}", event.payload.guid), serde_json::to_vec(event).expect("json")));
    }
    for event in p.ns.await_published(1, LONG).await {
        haystacks.push((format!("story.published {}", event.payload.guid), serde_json::to_vec(&event).expect("json")));
    }
    let dead = copydesk_runtime::ops::dlq_list(&p.ns.conn, &p.ns.names, None).await.expect("dlq list");
    assert!(dead.iter().any(|d| d.error.contains("webhook") || d.error.contains("HTTP 400")), "the poison's reason names the webhook: {dead:?}");
    for letter in &dead {
        let detail = copydesk_runtime::ops::dlq_show(&p.ns.conn, &p.ns.names, &letter.id).await.expect("dlq show").expect("held");
        haystacks.push((format!("dead letter {}", letter.id), serde_json::to_vec(&detail).expect("json")));
    }

    let mut leaks = Vec::new();
    for (origin, bytes) in &haystacks {
        let text = String::from_utf8_lossy(bytes);
        for secret in &secrets {
            if text.contains(secret.as_str()) {
                let at = text.find(secret.as_str()).unwrap_or(0);
                let context: String = text[at.saturating_sub(120)..].chars().take(240).collect();
                leaks.push(format!("{origin}: `{secret}` in …{context}…"));
            }
        }
    }
    assert!(leaks.is_empty(), "secrets leaked ({} places searched):\n{}", haystacks.len(), leaks.join("\n"));
    drop(p);
    drop(broker_user);
}
