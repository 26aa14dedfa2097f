//! The WordPress sink against a local stand-in for the WordPress REST API (`/wp-json/wp/v2/posts`:
//! create (renaming a clashing slug to `-2` as WordPress does), update, trash, list by slug or
//! search with `context=edit`, Basic auth with an application password), written for these
//! tests from the public API reference. `make test-wordpress` (scripts/ensure-wordpress.sh) runs
//! the same sink against a real WordPress: tests/wordpress_real.rs.

use std::sync::Arc;

use copydesk_publish::files::story_key;
use copydesk_publish::stage::PublishStage;
use copydesk_publish::testing::{deliver, kill, summarized};
use copydesk_publish::{PublishConfig, WordPressConfig};
use copydesk_runtime::HandlerError;
use copydesk_types::{PubStatus, StorySummarized};
use copydesk_publish::testing::wordpress::{posts, serve, Shared, PASSWORD};
use serde_json::json;

async fn stage_with(dir: &std::path::Path, url: &str, env: &str, password: &str, status: &str) -> PublishStage {
    std::env::set_var(env, password);
    let wordpress = WordPressConfig { url: url.into(), user: "desk".into(), password_env: env.into(), status: status.into(), ..WordPressConfig::default() };
    copydesk_publish::testing::stage(dir, PublishConfig { out_dir: dir.join("out"), wordpress, ..PublishConfig::default() }).await
}

async fn stage(dir: &std::path::Path, url: &str, env: &str, password: &str) -> PublishStage {
    stage_with(dir, url, env, password, "draft").await
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


#[tokio::test]
async fn a_story_becomes_one_post_updated_per_version_and_trashed_by_its_kill() {
    let dir = tempfile::tempdir().expect("tmp");
    let wp: Shared = Arc::default();
    let base = serve(&wp).await;
    let s = stage(dir.path(), &base, "COPYDESK_TEST_WP_PASSWORD_A", PASSWORD).await;

    let first = deliver(&s, &version("g1", 1)).await.expect("v1");
    assert!(first.locations.contains(&format!("{base}/wp-json/wp/v2/posts/101")), "{:?}", first.locations);
    deliver(&s, &version("g1", 3)).await.expect("v3");
    deliver(&s, &version("g1", 2)).await.expect("late v2");
    let all = posts(&wp);
    assert_eq!(all.len(), 1, "one post per story: {all:?}");
    let p = &all[0].1;
    assert_eq!(p["title"], "Harbour strike ends, edition 3", "the late v2 did not overwrite v3");
    assert_eq!((p["status"].as_str(), p["slug"].as_str()), (Some("draft"), Some("harbour-strike-ends")));
    assert_eq!(p["excerpt"], "Dockers returned to work.");
    let content = p["content"].as_str().expect("content");
    assert!(content.contains("<h2>Return to work</h2>") && content.ends_with(&format!("<!-- copydesk:{} -->", story_key("g1"))), "{content}");

    deliver(&s, &kill("g1", 4, None)).await.expect("kill");
    assert_eq!(posts(&wp)[0].1["status"], "trash");
    deliver(&s, &kill("g1", 4, None)).await.expect("the kill redelivered");
    assert_eq!(posts(&wp).len(), 1);
    deliver(&s, &version("g1", 5)).await.expect("a later version after the kill");
    let all = posts(&wp);
    assert_eq!((all.len(), all[0].1["status"].as_str()), (1, Some("trash")), "a kill is final: the post stays down");
}

#[tokio::test]
async fn a_withheld_post_goes_to_draft_and_a_newer_version_brings_it_back() {
    let dir = tempfile::tempdir().expect("tmp");
    let wp: Shared = Arc::default();
    let base = serve(&wp).await;
    let s = stage_with(dir.path(), &base, "COPYDESK_TEST_WP_PASSWORD_F", PASSWORD, "publish").await;
    deliver(&s, &version("g1", 1)).await.expect("v1");
    let mut withhold = kill("g1", 1, None);
    withhold.story.pub_status = PubStatus::Withheld;
    deliver(&s, &withhold).await.expect("withhold");
    assert_eq!(posts(&wp)[0].1["status"], "draft");
    deliver(&s, &version("g1", 2)).await.expect("v2");
    let all = posts(&wp);
    assert_eq!((all.len(), all[0].1["status"].as_str()), (1, Some("publish")), "the same post, live again");
}

#[tokio::test]
async fn wire_markup_is_escaped_in_the_title_excerpt_and_body() {
    let dir = tempfile::tempdir().expect("tmp");
    let wp: Shared = Arc::default();
    let base = serve(&wp).await;
    let s = stage(dir.path(), &base, "COPYDESK_TEST_WP_PASSWORD_G", PASSWORD).await;
    let mut msg = summarized("xss", 1);
    let summary = msg.summary.as_mut().expect("summary");
    summary.headline = "<script>alert(1)</script> Harbour".into();
    summary.meta_description = "<img src=x onerror=alert(2)>".into();
    summary.article.lead = "<svg onload=alert(3)> lead".into();
    deliver(&s, &msg).await.expect("publish");
    let post = &posts(&wp)[0].1;
    for field in ["title", "excerpt", "content"] {
        let text = post[field].as_str().expect(field);
        assert!(!text.contains("<script") && !text.contains("<img") && !text.contains("<svg"), "{field}: {text}");
    }
    assert!(post["title"].as_str().expect("title").contains("&lt;script&gt;"));
}

#[tokio::test]
async fn a_kill_under_a_new_id_trashes_the_post_of_the_story_it_refers_to() {
    let dir = tempfile::tempdir().expect("tmp");
    let wp: Shared = Arc::default();
    let base = serve(&wp).await;
    let s = stage(dir.path(), &base, "COPYDESK_TEST_WP_PASSWORD_B", PASSWORD).await;
    deliver(&s, &version("original", 1)).await.expect("original");
    let out = deliver(&s, &kill("kill-notice", 1, Some("original"))).await.expect("kill notice");
    assert_eq!(posts(&wp)[0].1["status"], "trash");
    assert!(out.locations.iter().any(|l| l.ends_with("/posts/101")), "{:?}", out.locations);
}

#[tokio::test]
async fn a_post_created_before_a_crash_is_found_again_by_its_marker_not_duplicated() {
    let dir = tempfile::tempdir().expect("tmp");
    let wp: Shared = Arc::default();
    let base = serve(&wp).await;
    let s = stage(dir.path(), &base, "COPYDESK_TEST_WP_PASSWORD_C", PASSWORD).await;
    // An editor's own post with the same slug must not be taken over; ours becomes "-2".
    wp.posts.lock().expect("lock").insert(50, json!({"slug": "harbour-strike-ends", "status": "publish", "title": "Editor's", "content": "<p>Theirs</p>"}));
    deliver(&s, &version("g1", 1)).await.expect("v1");
    assert_eq!(posts(&wp)[1].1["slug"], "harbour-strike-ends-2");
    // The worker died after WordPress created the post and before its id was recorded: the
    // same out dir with a state store that never heard of the post.
    let crashed = tempfile::tempdir().expect("tmp");
    std::env::set_var("COPYDESK_TEST_WP_PASSWORD_C2", PASSWORD);
    let wordpress = WordPressConfig { url: base.clone(), user: "desk".into(), password_env: "COPYDESK_TEST_WP_PASSWORD_C2".into(), ..WordPressConfig::default() };
    let after = copydesk_publish::testing::stage(crashed.path(), PublishConfig { out_dir: dir.path().join("out"), wordpress, ..PublishConfig::default() }).await;
    deliver(&after, &version("g1", 1)).await.expect("redelivery");
    let all = posts(&wp);
    assert_eq!(all.len(), 2, "the editor's post and ours, no duplicate: {all:?}");
    assert_eq!(all[0].1["title"], "Editor's", "untouched");
    deliver(&after, &kill("g1", 2, None)).await.expect("kill");
    assert_eq!(posts(&wp)[1].1["status"], "trash", "the kill finds the adopted post");
    assert!(posts(&wp)[1].1["content"].as_str().is_some_and(|c| c.contains(&story_key("g1"))));
}

#[tokio::test]
async fn outages_are_transient_and_bad_credentials_permanent_naming_the_fix() {
    let dir = tempfile::tempdir().expect("tmp");
    let wp: Shared = Arc::default();
    let base = serve(&wp).await;
    let s = stage(dir.path(), &base, "COPYDESK_TEST_WP_PASSWORD_D", PASSWORD).await;
    *wp.outage.lock().expect("lock") = Some(503);
    let err = deliver(&s, &version("g1", 1)).await.expect_err("outage");
    assert!(matches!(&err, HandlerError::Transient(m) if m.contains("HTTP 503") && m.contains("g1")), "{err}");
    *wp.outage.lock().expect("lock") = None;
    deliver(&s, &version("g1", 1)).await.expect("after the outage");
    assert_eq!(posts(&wp).len(), 1);

    let other = tempfile::tempdir().expect("tmp");
    let wrong = stage(other.path(), &base, "COPYDESK_TEST_WP_PASSWORD_E", "not the password").await;
    let err = deliver(&wrong, &version("g2", 1)).await.expect_err("refused");
    assert!(matches!(&err, HandlerError::Permanent(m) if m.contains("HTTP 401") && m.contains("application password")), "{err}");
}
