//! The WordPress sink against a real WordPress (Debian's `wordpress` 6.1 on PHP and MariaDB),
//! started by `scripts/ensure-wordpress.sh`; `make test-wordpress` (run by `make test`) starts
//! it and runs this file. Without `COPYDESK_WP_REAL_URL` every test says it was skipped.
//!
//! The site keeps its posts between runs, so every story id and slug here carries a run id.

use copydesk_publish::files::story_key;
use copydesk_publish::stage::PublishStage;
use copydesk_publish::testing::{deliver, kill, summarized};
use copydesk_publish::{PublishConfig, WordPressConfig};
use copydesk_types::StorySummarized;
use serde_json::{json, Value};

const PASSWORD_ENV: &str = "COPYDESK_WP_REAL_PASSWORD";

struct Site {
    url: String,
    user: String,
    password: String,
    http: reqwest::Client,
}

fn site(test: &str) -> Option<Site> {
    let Ok(url) = std::env::var("COPYDESK_WP_REAL_URL") else {
        eprintln!("{test}: skipped: COPYDESK_WP_REAL_URL is not set (`make test-wordpress` starts a real WordPress and sets it)");
        return None;
    };
    let user = std::env::var("COPYDESK_WP_REAL_USER").unwrap_or_else(|_| "admin".into());
    let password = std::env::var(PASSWORD_ENV).expect("COPYDESK_WP_REAL_PASSWORD (the application password) is set with the URL");
    Some(Site { url: url.trim_end_matches('/').to_string(), user, password, http: reqwest::Client::new() })
}

/// A run id, so names never clash with earlier runs on the same site.
fn run_id(tag: &str) -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_nanos();
    format!("{tag}-{}-{nanos:x}", std::process::id())
}

impl Site {
    async fn stage(&self, state: &std::path::Path, out: &std::path::Path, status: &str) -> PublishStage {
        let wordpress = WordPressConfig {
            url: self.url.clone(),
            user: self.user.clone(),
            password_env: PASSWORD_ENV.into(),
            status: status.into(),
            ..WordPressConfig::default()
        };
        copydesk_publish::testing::stage(state, PublishConfig { out_dir: out.to_path_buf(), wordpress, ..PublishConfig::default() }).await
    }

    async fn get(&self, path: &str) -> Value {
        let resp = self.http.get(format!("{}/wp-json/wp/v2/{path}", self.url)).basic_auth(&self.user, Some(&self.password)).send().await.expect("GET");
        let status = resp.status();
        let body: Value = resp.json().await.expect("JSON");
        assert!(status.is_success(), "GET {path}: {status} {body}");
        body
    }

    /// The post, as an editor sees it (raw fields, any status).
    async fn post(&self, id: u64) -> Value {
        self.get(&format!("posts/{id}?context=edit")).await
    }

    /// Every post (any status, trash included) whose raw content carries the story's marker.
    async fn posts_of(&self, guid: &str) -> Vec<Value> {
        let mark = format!("<!-- copydesk:{} -->", story_key(guid));
        let found = self.get(&format!("posts?search=copydesk:{}&status=publish,draft,pending,private,trash&context=edit&per_page=100", story_key(guid))).await;
        found.as_array().expect("array").iter().filter(|p| p["content"]["raw"].as_str().is_some_and(|c| c.contains(&mark))).cloned().collect()
    }

    /// A post made by an editor by hand, not by Copydesk.
    async fn editor_post(&self, slug: &str) -> u64 {
        let resp = self
            .http
            .post(format!("{}/wp-json/wp/v2/posts", self.url))
            .basic_auth(&self.user, Some(&self.password))
            .json(&json!({"title": "An editor's own post", "content": "<p>Theirs</p>", "slug": slug, "status": "publish"}))
            .send()
            .await
            .expect("create");
        let body: Value = resp.json().await.expect("JSON");
        body["id"].as_u64().unwrap_or_else(|| panic!("no id: {body}"))
    }
}

fn version(guid: &str, v: u64, slug: &str) -> StorySummarized {
    let mut m = summarized(guid, v);
    let summary = m.summary.as_mut().expect("summary");
    summary.headline = format!("Harbour strike ends, edition {v}");
    summary.slug = slug.to_string();
    m
}

fn id_of(post: &Value) -> u64 {
    post["id"].as_u64().expect("id")
}

#[tokio::test]
async fn a_story_is_created_updated_and_trashed_by_its_kill_on_a_real_wordpress() {
    let Some(site) = site("create_update_kill") else { return };
    let dir = tempfile::tempdir().expect("tmp");
    std::env::set_var(PASSWORD_ENV, &site.password);
    let s = site.stage(dir.path(), &dir.path().join("out"), "draft").await;
    let guid = run_id("cuk");
    let slug = run_id("harbour");

    deliver(&s, &version(&guid, 1, &slug)).await.expect("v1");
    let ours = site.posts_of(&guid).await;
    assert_eq!(ours.len(), 1, "one post for the story: {ours:?}");
    let id = id_of(&ours[0]);
    let post = site.post(id).await;
    assert_eq!(post["status"], "draft");
    assert_eq!(post["title"]["raw"], "Harbour strike ends, edition 1");
    assert!(post["content"]["raw"].as_str().is_some_and(|c| c.contains("<h2>Return to work</h2>")), "{post}");

    deliver(&s, &version(&guid, 2, "a-new-headline-slug")).await.expect("v2");
    let post = site.post(id).await;
    assert_eq!(post["title"]["raw"], "Harbour strike ends, edition 2", "updated in place");
    assert_eq!(site.posts_of(&guid).await.len(), 1, "still one post");

    deliver(&s, &kill(&guid, 3, None)).await.expect("kill");
    assert_eq!(site.post(id).await["status"], "trash", "the kill trashed the post");
    deliver(&s, &kill(&guid, 3, None)).await.expect("the kill redelivered (WordPress answers 410 for a trashed post)");
    deliver(&s, &version(&guid, 4, &slug)).await.expect("a later version");
    assert_eq!(site.post(id).await["status"], "trash", "a kill is final");
    assert_eq!(site.posts_of(&guid).await.len(), 1);
}

#[tokio::test]
async fn a_post_created_before_a_crash_is_adopted_by_its_marker_on_a_real_wordpress() {
    let Some(site) = site("crash_adoption") else { return };
    std::env::set_var(PASSWORD_ENV, &site.password);
    let out = tempfile::tempdir().expect("tmp");
    let before = tempfile::tempdir().expect("tmp");
    let guid = run_id("crash");
    let slug = run_id("crash-slug");
    let s = site.stage(before.path(), out.path(), "publish").await;
    deliver(&s, &version(&guid, 1, &slug)).await.expect("v1");
    let id = id_of(&site.posts_of(&guid).await[0]);

    // The worker died after WordPress created the post and before the id was recorded: a state
    // store that never heard of the post.
    let after_dir = tempfile::tempdir().expect("tmp");
    let after = site.stage(after_dir.path(), out.path(), "publish").await;
    deliver(&after, &version(&guid, 1, &slug)).await.expect("redelivery");
    let ours = site.posts_of(&guid).await;
    assert_eq!(ours.iter().map(id_of).collect::<Vec<_>>(), vec![id], "adopted, not duplicated");
    assert_eq!(site.post(id).await["slug"], slug.as_str(), "the slug did not move");

    // And the kill, on the state that adopted the post, trashes that post. (A kill on a state
    // store that lost everything is not covered: its ledger says nothing was published, so the
    // kill is only remembered; the stand-in behaves the same.)
    deliver(&after, &kill(&guid, 2, None)).await.expect("kill");
    assert_eq!(site.post(id).await["status"], "trash");
    assert_eq!(site.posts_of(&guid).await.len(), 1, "still one post");
}

#[tokio::test]
async fn clashing_slugs_are_renamed_by_wordpress_and_a_kill_trashes_the_right_post() {
    let Some(site) = site("clashing_slugs") else { return };
    std::env::set_var(PASSWORD_ENV, &site.password);
    let out = tempfile::tempdir().expect("tmp");
    let state = tempfile::tempdir().expect("tmp");
    let slug = run_id("clash");
    let editor = site.editor_post(&slug).await;
    let s = site.stage(state.path(), out.path(), "publish").await;

    let (a, b) = (run_id("clash-a"), run_id("clash-b"));
    deliver(&s, &version(&a, 1, &slug)).await.expect("story a");
    deliver(&s, &version(&b, 1, &slug)).await.expect("story b, same slug");
    let post_a = site.posts_of(&a).await;
    let post_b = site.posts_of(&b).await;
    assert_eq!((post_a.len(), post_b.len()), (1, 1), "{post_a:?} {post_b:?}");
    let (id_a, id_b) = (id_of(&post_a[0]), id_of(&post_b[0]));
    assert_eq!(site.post(id_a).await["slug"], format!("{slug}-2"), "WordPress renamed the clash");
    assert_eq!(site.post(id_b).await["slug"], format!("{slug}-3"));

    // After a crash that lost the state, the kill of b must trash b's post (found by its
    // marker, not by the slug it asked for), and leave a's and the editor's alone.
    let lost = tempfile::tempdir().expect("tmp");
    let after = site.stage(lost.path(), out.path(), "publish").await;
    deliver(&after, &version(&b, 1, &slug)).await.expect("b redelivered");
    assert_eq!(site.posts_of(&b).await.len(), 1, "no duplicate of b");
    deliver(&after, &kill(&b, 2, None)).await.expect("kill b");
    assert_eq!(site.post(id_b).await["status"], "trash");
    assert_eq!(site.post(id_a).await["status"], "publish", "a untouched");
    let theirs = site.post(editor).await;
    assert_eq!((theirs["status"].as_str(), theirs["slug"].as_str()), (Some("publish"), Some(slug.as_str())), "the editor's post untouched");
}
