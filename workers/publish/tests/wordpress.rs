//! The WordPress sink against a local stand-in for the WordPress REST API (`/wp-json/wp/v2/posts`:
//! create, update, trash, list by slug with `context=edit`, Basic auth with an application
//! password), written for these tests from the public API reference.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Json;
use copydesk_publish::files::story_key;
use copydesk_publish::stage::PublishStage;
use copydesk_publish::testing::summarized;
use copydesk_publish::{PublishConfig, WordPressConfig};
use copydesk_runtime::{HandlerError, Transform};
use copydesk_types::{PubStatus, StorySummarized};
use serde_json::{json, Value};

/// `desk` with the application password `app pass word`, as WordPress expects it.
const AUTH: &str = "Basic ZGVzazphcHAgcGFzcyB3b3Jk";
const PASSWORD: &str = "app pass word";

#[derive(Default)]
struct Wp {
    posts: Mutex<BTreeMap<u64, Value>>,
    /// Answer every request with this status instead (an outage).
    outage: Mutex<Option<u16>>,
}

type Shared = Arc<Wp>;

fn refuse(wp: &Wp, headers: &HeaderMap) -> Option<(StatusCode, Json<Value>)> {
    if let Some(code) = *wp.outage.lock().expect("lock") {
        return Some((StatusCode::from_u16(code).expect("code"), Json(json!({"code": "outage", "message": "Service unavailable"}))));
    }
    (headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(AUTH))
        .then(|| (StatusCode::UNAUTHORIZED, Json(json!({"code": "rest_not_logged_in", "message": "You are not currently logged in."}))))
}

fn view(id: u64, p: &Value) -> Value {
    json!({"id": id, "slug": p["slug"], "status": p["status"], "title": {"raw": p["title"]}, "content": {"raw": p["content"], "rendered": p["content"]}})
}

async fn create(State(wp): State<Shared>, headers: HeaderMap, Json(body): Json<Value>) -> (StatusCode, Json<Value>) {
    if let Some(r) = refuse(&wp, &headers) {
        return r;
    }
    let mut posts = wp.posts.lock().expect("lock");
    let id = posts.keys().last().map_or(101, |k| k + 1);
    posts.insert(id, body.clone());
    (StatusCode::CREATED, Json(view(id, &body)))
}

async fn update(State(wp): State<Shared>, headers: HeaderMap, Path(id): Path<u64>, Json(body): Json<Value>) -> (StatusCode, Json<Value>) {
    if let Some(r) = refuse(&wp, &headers) {
        return r;
    }
    let mut posts = wp.posts.lock().expect("lock");
    let Some(p) = posts.get_mut(&id) else {
        return (StatusCode::NOT_FOUND, Json(json!({"code": "rest_post_invalid_id", "message": "Invalid post ID."})));
    };
    for (k, v) in body.as_object().expect("object") {
        p[k] = v.clone();
    }
    (StatusCode::OK, Json(view(id, p)))
}

async fn trash(State(wp): State<Shared>, headers: HeaderMap, Path(id): Path<u64>) -> (StatusCode, Json<Value>) {
    if let Some(r) = refuse(&wp, &headers) {
        return r;
    }
    let mut posts = wp.posts.lock().expect("lock");
    let Some(p) = posts.get_mut(&id) else {
        return (StatusCode::NOT_FOUND, Json(json!({"code": "rest_post_invalid_id", "message": "Invalid post ID."})));
    };
    p["status"] = "trash".into();
    (StatusCode::OK, Json(view(id, p)))
}

async fn list(State(wp): State<Shared>, headers: HeaderMap, Query(q): Query<BTreeMap<String, String>>) -> (StatusCode, Json<Value>) {
    if let Some(r) = refuse(&wp, &headers) {
        return r;
    }
    let statuses: Vec<&str> = q.get("status").map_or(vec!["publish"], |s| s.split(',').collect());
    let posts = wp.posts.lock().expect("lock");
    let found: Vec<Value> = posts
        .iter()
        .filter(|(_, p)| q.get("slug").is_none_or(|s| p["slug"] == s.as_str()))
        .filter(|(_, p)| statuses.iter().any(|s| p["status"] == *s))
        .map(|(id, p)| view(*id, p))
        .collect();
    (StatusCode::OK, Json(Value::Array(found)))
}

async fn serve(wp: &Shared) -> String {
    let app = axum::Router::new()
        .route("/wp-json/wp/v2/posts", post(create).get(list))
        .route("/wp-json/wp/v2/posts/{id}", post(update).delete(trash))
        .with_state(wp.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
    format!("http://{addr}")
}

fn stage(dir: &std::path::Path, url: &str, env: &str, password: &str) -> PublishStage {
    std::env::set_var(env, password);
    let wordpress = WordPressConfig { url: url.into(), user: "desk".into(), password_env: env.into(), ..WordPressConfig::default() };
    PublishStage::from_config(PublishConfig { out_dir: dir.to_path_buf(), wordpress, ..PublishConfig::default() }).expect("stage")
}

fn version(guid: &str, v: u64) -> StorySummarized {
    let mut m = summarized(guid, v);
    let summary = m.summary.as_mut().expect("summary");
    summary.headline = format!("Harbour strike ends, edition {v}");
    if v > 1 {
        summary.slug = format!("harbour-strike-ends-edition-{v}");
    }
    m
}

fn kill(guid: &str, v: u64, refers_to: Option<&str>) -> StorySummarized {
    let mut k = summarized(guid, v);
    k.story.pub_status = PubStatus::Canceled;
    k.story.signals.refers_to = refers_to.map(str::to_string);
    k.summary = None;
    k
}

fn posts(wp: &Wp) -> Vec<(u64, Value)> {
    wp.posts.lock().expect("lock").iter().map(|(k, v)| (*k, v.clone())).collect()
}

#[tokio::test]
async fn a_story_becomes_one_post_updated_per_version_and_trashed_by_its_kill() {
    let dir = tempfile::tempdir().expect("tmp");
    let wp: Shared = Arc::default();
    let base = serve(&wp).await;
    let s = stage(dir.path(), &base, "COPYDESK_TEST_WP_PASSWORD_A", PASSWORD);

    let first = s.apply(version("g1", 1)).await.expect("v1");
    assert!(first.locations.contains(&format!("{base}/wp-json/wp/v2/posts/101")), "{:?}", first.locations);
    s.apply(version("g1", 3)).await.expect("v3");
    s.apply(version("g1", 2)).await.expect("late v2");
    let all = posts(&wp);
    assert_eq!(all.len(), 1, "one post per story: {all:?}");
    let p = &all[0].1;
    assert_eq!(p["title"], "Harbour strike ends, edition 3", "the late v2 did not overwrite v3");
    assert_eq!((p["status"].as_str(), p["slug"].as_str()), (Some("draft"), Some("harbour-strike-ends")));
    assert_eq!(p["excerpt"], "Dockers returned to work.");
    let content = p["content"].as_str().expect("content");
    assert!(content.contains("<h2>Return to work</h2>") && content.ends_with(&format!("<!-- copydesk:{} -->", story_key("g1"))), "{content}");

    s.apply(kill("g1", 4, None)).await.expect("kill");
    assert_eq!(posts(&wp)[0].1["status"], "trash");
    s.apply(kill("g1", 4, None)).await.expect("the kill redelivered");
    assert_eq!(posts(&wp).len(), 1);
    s.apply(version("g1", 5)).await.expect("a usable v5 after a withholding-style kill");
    let all = posts(&wp);
    assert_eq!((all.len(), all[0].1["status"].as_str()), (1, Some("draft")), "the same post comes back");
}

#[tokio::test]
async fn a_kill_under_a_new_id_trashes_the_post_of_the_story_it_refers_to() {
    let dir = tempfile::tempdir().expect("tmp");
    let wp: Shared = Arc::default();
    let base = serve(&wp).await;
    let s = stage(dir.path(), &base, "COPYDESK_TEST_WP_PASSWORD_B", PASSWORD);
    s.apply(version("original", 1)).await.expect("original");
    let out = s.apply(kill("kill-notice", 1, Some("original"))).await.expect("kill notice");
    assert_eq!(posts(&wp)[0].1["status"], "trash");
    assert!(out.locations.iter().any(|l| l.ends_with("/posts/101")), "{:?}", out.locations);
}

#[tokio::test]
async fn a_post_created_before_a_crash_is_found_again_by_its_marker_not_duplicated() {
    let dir = tempfile::tempdir().expect("tmp");
    let wp: Shared = Arc::default();
    let base = serve(&wp).await;
    let s = stage(dir.path(), &base, "COPYDESK_TEST_WP_PASSWORD_C", PASSWORD);
    // An editor's own post with the same slug must not be taken over.
    wp.posts.lock().expect("lock").insert(50, json!({"slug": "harbour-strike-ends", "status": "publish", "title": "Editor's", "content": "<p>Theirs</p>"}));
    s.apply(version("g1", 1)).await.expect("v1");
    // The worker died after WordPress created the post and before the id was saved.
    std::fs::remove_file(dir.path().join(".wordpress").join(format!("{}.json", story_key("g1")))).expect("remove record");
    s.apply(version("g1", 1)).await.expect("redelivery");
    let all = posts(&wp);
    assert_eq!(all.len(), 2, "the editor's post and ours, no duplicate: {all:?}");
    assert_eq!(all[0].1["title"], "Editor's", "untouched");
}

#[tokio::test]
async fn outages_are_transient_and_bad_credentials_permanent_naming_the_fix() {
    let dir = tempfile::tempdir().expect("tmp");
    let wp: Shared = Arc::default();
    let base = serve(&wp).await;
    let s = stage(dir.path(), &base, "COPYDESK_TEST_WP_PASSWORD_D", PASSWORD);
    *wp.outage.lock().expect("lock") = Some(503);
    let err = s.apply(version("g1", 1)).await.expect_err("outage");
    assert!(matches!(&err, HandlerError::Transient(m) if m.contains("HTTP 503") && m.contains("g1")), "{err}");
    *wp.outage.lock().expect("lock") = None;
    s.apply(version("g1", 1)).await.expect("after the outage");
    assert_eq!(posts(&wp).len(), 1);

    let wrong = stage(dir.path(), &base, "COPYDESK_TEST_WP_PASSWORD_E", "not the password");
    let err = wrong.apply(version("g2", 1)).await.expect_err("refused");
    assert!(matches!(&err, HandlerError::Permanent(m) if m.contains("HTTP 401") && m.contains("application password")), "{err}");
}
