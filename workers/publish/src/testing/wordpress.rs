//! A local stand-in for the WordPress REST API (`/wp-json/wp/v2/posts`: create, renaming a
//! clashing slug to `-2` as WordPress does; update; trash; list by slug or search with
//! `context=edit`; Basic auth with an application password), written from the public API
//! reference, for tests. `make test-wordpress` runs the same sink against a real WordPress.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Json;
use serde_json::{json, Value};

/// `desk` with the application password `app pass word`, as WordPress expects it.
pub const AUTH: &str = "Basic ZGVzazphcHAgcGFzcyB3b3Jk";
pub const PASSWORD: &str = "app pass word";

/// The stand-in's posts and its failure switch.
#[derive(Default)]
pub struct Wp {
    /// Posts by id, as sent (title, content, excerpt, status, slug).
    pub posts: Mutex<BTreeMap<u64, Value>>,
    /// Answer every request with this status instead (an outage).
    pub outage: Mutex<Option<u16>>,
}

/// Shared handle to the stand-in.
pub type Shared = Arc<Wp>;

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
    let mut body = body;
    // WordPress keeps slugs unique: a clash becomes `<slug>-2`, `-3`...
    if let Some(slug) = body["slug"].as_str().map(str::to_string) {
        let taken = |s: &str| posts.values().any(|p| p["slug"] == s);
        let mut unique = slug.clone();
        let mut n = 2;
        while taken(&unique) {
            unique = format!("{slug}-{n}");
            n += 1;
        }
        body["slug"] = unique.into();
    }
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
        .filter(|(_, p)| q.get("search").is_none_or(|term| [&p["title"], &p["content"]].iter().any(|f| f.as_str().is_some_and(|t| t.contains(term.as_str())))))
        .filter(|(_, p)| statuses.iter().any(|s| p["status"] == *s))
        .map(|(id, p)| view(*id, p))
        .collect();
    (StatusCode::OK, Json(Value::Array(found)))
}

/// Serve the stand-in on a free local port; returns the site address.
pub async fn serve(wp: &Shared) -> String {
    let app = axum::Router::new()
        .route("/wp-json/wp/v2/posts", post(create).get(list))
        .route("/wp-json/wp/v2/posts/{id}", post(update).delete(trash))
        .with_state(wp.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
    format!("http://{addr}")
}

/// The posts, ordered by id.
pub fn posts(wp: &Wp) -> Vec<(u64, Value)> {
    wp.posts.lock().expect("lock").iter().map(|(k, v)| (*k, v.clone())).collect()
}
