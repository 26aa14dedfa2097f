//! Nothing unsafe gets out: our own injection vectors in five wire formats, through
//! `copydesk process --json`, and through the real workers into the file sink and the
//! WordPress stand-in. Every string that comes out is scanned, and every Markdown output is
//! rendered by a real CommonMark renderer before it is scanned.

use copydesk_publish::testing::wordpress::{self, posts, Shared, PASSWORD};
use copydesk_tests::broker::TestNamespace;
use copydesk_tests::hostile::{danger, fixtures, strings};
use copydesk_tests::pipeline::{files_in, Pipeline};
use copydesk_tests::procs::bin_path;
use std::process::Command;
use std::time::Duration;

const LONG: Duration = Duration::from_secs(240);

fn rendered(markdown: &str) -> String {
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, pulldown_cmark::Parser::new(markdown));
    html
}

/// Panic naming the field when any string of `value` carries executable markup.
fn assert_clean(origin: &str, value: &serde_json::Value) {
    for (path, text) in strings(value) {
        if let Some(found) = danger(&text) {
            panic!("{origin}: {path} carries {found:?}: {text}");
        }
        if path.ends_with("article_markdown") {
            let html = rendered(&text);
            assert!(danger(&html).is_none(), "{origin}: {path} renders to {html}");
        }
    }
}

#[tokio::test]
async fn copydesk_process_turns_hostile_copy_into_plain_text_and_escaped_markup() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, bytes) in fixtures() {
        let path = dir.path().join(&name);
        std::fs::write(&path, &bytes).expect("write fixture");
        let out = Command::new(bin_path("copydesk")).args(["process", "--json"]).arg(&path).current_dir(dir.path()).output().expect("run copydesk");
        assert!(out.status.success(), "copydesk process {name}: {}", String::from_utf8_lossy(&out.stderr));
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON output");
        let stories = json.as_array().expect("one entry per story");
        assert!(!stories.is_empty(), "{name}: no story");
        assert_clean(&name, &json);
        let text = serde_json::to_string(&json).expect("json");
        assert!(text.contains("Harbour") || text.contains("Ferry"), "{name}: the story's own text survives");
    }
}

#[tokio::test]
async fn hostile_copy_published_to_files_and_wordpress_comes_out_escaped() {
    let wp: Shared = std::sync::Arc::default();
    let base = wordpress::serve(&wp).await;
    let env = vec![
        ("COPYDESK__PUBLISH__WORDPRESS__URL".to_string(), base),
        ("COPYDESK__PUBLISH__WORDPRESS__USER".into(), "desk".into()),
        ("COPYDESK_WORDPRESS_PASSWORD".into(), PASSWORD.into()),
        // One article per story, so the counts below are exact: the hostile copies from three
        // sources look alike and would otherwise also form an event whose article (rendered by
        // the same code) lands at its own moment.
        ("COPYDESK__EVENTS__ENABLED".into(), "false".into()),
    ];
    let p = Pipeline::start_with(TestNamespace::fast_retry(), env).await;
    let files = fixtures();
    for (name, bytes) in &files {
        p.drop_file(name, bytes);
    }
    // One story per file, three in the feed.
    let expected = files.len() + 2;
    p.await_published(expected, LONG).await;

    let articles = p.article_files();
    assert_eq!(articles.len(), expected, "{}", p.logs());
    for path in &articles {
        let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(path).expect("read")).expect("json");
        let head = doc["head_html"].as_str().expect("head_html");
        assert_eq!(head.matches("<script").count(), 1, "only the JSON-LD element: {head}");
        let mut without_head = doc.clone();
        without_head["head_html"] = serde_json::Value::Null;
        assert_clean(&path.display().to_string(), &without_head);
        assert!(danger(&head.replacen("<script type=\"application/ld+json\">", "", 1)).is_none(), "{head}");
    }
    for path in files_in(&p.out, |n| n.ends_with(".md")) {
        let text = std::fs::read_to_string(&path).expect("read markdown");
        let html = rendered(&text);
        assert!(danger(&text).is_none() && danger(&html).is_none(), "{}: {html}", path.display());
    }
    let all = posts(&wp);
    assert_eq!(all.len(), expected, "one post per story");
    for (id, post) in all {
        for field in ["title", "excerpt", "content"] {
            let text = post[field].as_str().unwrap_or_default();
            assert!(danger(text).is_none(), "post {id} {field}: {text}");
        }
    }
}
