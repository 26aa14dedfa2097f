//! The CMS sink: WordPress, through its REST API (`/wp-json/wp/v2/posts`), authenticated with
//! an application password (HTTP Basic, WordPress 5.6+).
//!
//! - First version of a story: a post is created (`title`, `content` as HTML, `excerpt` = meta
//!   description, `slug`, `status` from config). Its id is kept in
//!   `<out_dir>/.wordpress/<key>.json`.
//! - Later versions: the same post is updated (title, content, excerpt, status; never the slug,
//!   so its URL stays put). An older version arriving late is skipped.
//! - A kill or withholding: the post is moved to the trash (or back to draft, `on_kill =
//!   "draft"`); a later usable version restores it (update with the configured status).
//! - A crash between creating the post and saving its id would make a retry create a second
//!   post, so before creating, posts with the same slug are searched for the marker
//!   `<!-- copydesk:<key> -->` that every post's content ends with, and a match is adopted.
//! - One story at a time across processes: a `flock` on `<out_dir>/.locks/wordpress-*.lock` is
//!   held across the HTTP calls.
//!
//! Errors: network, timeout, 408, 429 and 5xx are transient (retried, then dead-lettered);
//! 401/403 name the credentials to check; other 4xx are permanent with WordPress's message.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::files::{story_key, write_atomic, FileSink};
use crate::{http, PublishError};
use copydesk_types::{Story, StorySummarized, Summary};

/// `[publish.wordpress]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct WordPressConfig {
    /// Site address (e.g. `https://news.example.com`); empty turns the sink off.
    pub url: String,
    /// The WordPress user the application password belongs to.
    pub user: String,
    /// Environment variable holding the application password.
    pub password_env: String,
    /// Status of created and updated posts: `draft` (editors publish) or `publish`.
    pub status: String,
    /// What a kill does to the post: `trash` or `draft`.
    pub on_kill: String,
    /// Per-request timeout.
    pub timeout_secs: u64,
}

impl Default for WordPressConfig {
    fn default() -> Self {
        WordPressConfig {
            url: String::new(),
            user: String::new(),
            password_env: "COPYDESK_WORDPRESS_PASSWORD".into(),
            status: "draft".into(),
            on_kill: "trash".into(),
            timeout_secs: 15,
        }
    }
}

/// What we remember about a story's post.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PostRecord {
    /// WordPress post id.
    pub post_id: u64,
    /// The story version last sent.
    pub version: u64,
    /// Whether the post is currently taken down by a kill.
    pub retracted: bool,
}

/// Creates, updates and takes down WordPress posts.
#[derive(Debug, Clone)]
pub struct WordPressSink {
    client: reqwest::Client,
    posts_url: String,
    user: String,
    password: String,
    config: WordPressConfig,
    files: FileSink,
}

/// The marker that ends every post's content, so a post can be found again by its story.
pub fn marker(key: &str) -> String {
    format!("<!-- copydesk:{key} -->")
}

/// The article as HTML for a post body: lead, `<h2>` subheadings and paragraphs with their
/// inline source links (the title is the post title, not repeated), then the marker.
pub fn post_html(summary: &Summary, key: &str) -> String {
    let mut html = copydesk_render::article_html(&summary.article);
    html.push_str(&marker(key));
    html
}

impl WordPressSink {
    /// The sink `config` asks for (`Ok(None)` without a URL); errors name the missing setting.
    /// `files` is the file sink whose out dir holds the post ids and locks.
    pub fn from_config(config: &WordPressConfig, files: FileSink) -> Result<Option<WordPressSink>, PublishError> {
        if config.url.trim().is_empty() {
            return Ok(None);
        }
        let bad = |detail: String| http::config_error("wordpress", detail);
        let base = http::http_url("wordpress", &config.url, "https://news.example.com (the site address)")?;
        if config.user.trim().is_empty() {
            return Err(bad("user is empty: set the WordPress user the application password belongs to".into()));
        }
        let password = http::secret_from_env("wordpress", "password_env", &config.password_env, "application password")?;
        if !matches!(config.status.as_str(), "draft" | "publish" | "pending" | "private") {
            return Err(bad(format!("status {:?} must be draft, publish, pending or private", config.status)));
        }
        if !matches!(config.on_kill.as_str(), "trash" | "draft") {
            return Err(bad(format!("on_kill {:?} must be trash or draft", config.on_kill)));
        }
        let client = http::client("wordpress", config.timeout_secs)?;
        let posts_url = format!("{}/wp-json/wp/v2/posts", base.as_str().trim_end_matches('/'));
        Ok(Some(WordPressSink { client, posts_url, user: config.user.clone(), password, config: config.clone(), files }))
    }

    /// The posts endpoint, listed as the location of delivered stories.
    pub fn location(&self, post_id: u64) -> String {
        format!("{}/{post_id}", self.posts_url)
    }

    fn record_path(&self, key: &str) -> PathBuf {
        self.files.out_dir().join(".wordpress").join(format!("{key}.json"))
    }

    fn load(&self, key: &str) -> Option<PostRecord> {
        std::fs::read(self.record_path(key)).ok().and_then(|b| serde_json::from_slice(&b).ok())
    }

    fn save(&self, key: &str, record: &PostRecord) -> Result<(), PublishError> {
        let path = self.record_path(key);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|source| PublishError::Io { path: dir.to_path_buf(), source })?;
        }
        write_atomic(&path, &serde_json::to_vec_pretty(record).unwrap_or_default())
    }

    async fn lock(&self, key: &str) -> Result<std::fs::File, PublishError> {
        let (files, key) = (self.files.clone(), key.to_string());
        tokio::task::spawn_blocking(move || files.lock_for("wordpress", &key))
            .await
            .map_err(|e| PublishError::Config(format!("lock task failed: {e}")))?
    }

    /// Create or update the story's post; `Ok(None)` when an older version arrived late.
    pub async fn publish(&self, msg: &StorySummarized, summary: &Summary) -> Result<Option<u64>, PublishError> {
        let story = &msg.story;
        let key = story_key(&story.guid);
        let _lock = self.lock(&key).await?;
        let existing = match self.load(&key) {
            Some(r) => Some(r),
            None => self.find_by_marker(&summary.slug, &key, story).await?.map(|post_id| PostRecord { post_id, version: 0, retracted: false }),
        };
        if let Some(r) = &existing {
            if r.version > story.version || (r.retracted && r.version >= story.version) {
                return Ok(None);
            }
        }
        let mut body = serde_json::json!({
            "title": summary.headline,
            "content": post_html(summary, &key),
            "excerpt": summary.meta_description,
            "status": self.config.status,
        });
        // The slug is set once, at creation: a rewritten headline in a later version must not
        // move a published URL.
        let url = match &existing {
            Some(r) => format!("{}/{}", self.posts_url, r.post_id),
            None => {
                body["slug"] = summary.slug.clone().into();
                self.posts_url.clone()
            }
        };
        let answer = self.call(reqwest::Method::POST, &url, Some(body), story).await?;
        let post_id = answer.get("id").and_then(serde_json::Value::as_u64).ok_or_else(|| PublishError::Cms {
            detail: format!("{url} answered without a post id for story {}", story.guid),
            transient: false,
        })?;
        self.save(&key, &PostRecord { post_id, version: story.version, retracted: false })?;
        Ok(Some(post_id))
    }

    /// Take the post of `guid` down (trash or draft) for a kill of `story`; `Ok(None)` when the
    /// story never had a post.
    pub async fn retract(&self, guid: &str, story: &Story) -> Result<Option<u64>, PublishError> {
        let key = story_key(guid);
        let _lock = self.lock(&key).await?;
        let Some(record) = self.load(&key) else { return Ok(None) };
        if record.retracted && record.version >= story.version {
            return Ok(Some(record.post_id));
        }
        let url = format!("{}/{}", self.posts_url, record.post_id);
        let result = if self.config.on_kill == "trash" {
            self.call(reqwest::Method::DELETE, &url, None, story).await
        } else {
            self.call(reqwest::Method::POST, &url, Some(serde_json::json!({ "status": "draft" })), story).await
        };
        match result {
            // Already deleted in WordPress by an editor: nothing left to take down.
            Err(PublishError::Cms { detail, .. }) if detail.contains("HTTP 404") || detail.contains("HTTP 410") => {}
            other => {
                other?;
            }
        }
        self.save(&key, &PostRecord { post_id: record.post_id, version: record.version.max(story.version), retracted: true })?;
        Ok(Some(record.post_id))
    }

    /// A post carrying this story's marker among those with `slug` (any status).
    async fn find_by_marker(&self, slug: &str, key: &str, story: &Story) -> Result<Option<u64>, PublishError> {
        let mut url = reqwest::Url::parse(&self.posts_url).map_err(|e| PublishError::Config(format!("publish.wordpress.url: {e}")))?;
        url.query_pairs_mut()
            .append_pair("slug", slug)
            .append_pair("status", "publish,draft,pending,private,future")
            .append_pair("context", "edit")
            .append_pair("per_page", "100");
        let found = self.call(reqwest::Method::GET, url.as_str(), None, story).await?;
        let mark = marker(key);
        Ok(found.as_array().into_iter().flatten().find_map(|post| {
            let raw = post.pointer("/content/raw").or_else(|| post.pointer("/content/rendered")).and_then(serde_json::Value::as_str)?;
            raw.contains(&mark).then(|| post.get("id").and_then(serde_json::Value::as_u64)).flatten()
        }))
    }

    async fn call(&self, method: reqwest::Method, url: &str, body: Option<serde_json::Value>, story: &Story) -> Result<serde_json::Value, PublishError> {
        let mut req = self.client.request(method.clone(), url).basic_auth(&self.user, Some(&self.password));
        if let Some(b) = body {
            req = req.json(&b);
        }
        let about = format!("WordPress {method} {url} for story {} v{}", story.guid, story.version);
        let resp = req.send().await.map_err(|e| PublishError::Cms {
            detail: format!("{about}: request failed ({e}); check that the site is up and publish.wordpress.url"),
            transient: true,
        })?;
        let status = resp.status();
        let text = resp.text().await.unwrap_or_default();
        if status.is_success() {
            return serde_json::from_str(&text).map_err(|e| PublishError::Cms {
                detail: format!("{about}: the answer is not JSON ({e}); is publish.wordpress.url the site root?"),
                transient: false,
            });
        }
        let message = serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|v| v.get("message").and_then(|m| m.as_str()).map(str::to_string))
            .unwrap_or_else(|| text.chars().take(200).collect());
        let transient = status.is_server_error() || matches!(status.as_u16(), 408 | 429);
        let fix = match status.as_u16() {
            401 | 403 => "check publish.wordpress.user and the application password, and that the user may edit posts",
            _ if transient => "will retry",
            _ => "fix the cause, then `copydesk dlq replay`",
        };
        Err(PublishError::Cms { detail: format!("{about}: HTTP {}: {message}; {fix}", status.as_u16()), transient })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_post_body_is_html_with_subheadings_links_and_the_marker() {
        let mut msg = crate::testing::summarized("g1", 1);
        let summary = msg.summary.as_mut().expect("summary");
        summary.article.sections[0].paragraphs = vec!["The port said so in a statement & more.".into()];
        summary.article.links = vec![copydesk_types::ArticleLink { text: "in a statement".into(), href: "https://port.test/news".into() }];
        let html = post_html(summary, "abc");
        assert!(html.starts_with("<p>Dockers returned to work on Monday.</p>"), "{html}");
        assert!(html.contains("<h2>Return to work</h2>"), "{html}");
        assert!(html.contains(r#"<a href="https://port.test/news" rel="noopener noreferrer nofollow">in a statement</a> &amp; more."#), "{html}");
        assert!(!html.contains("<h1>") && !html.contains("<strong>"), "{html}");
        assert!(html.ends_with("<!-- copydesk:abc -->"));
    }

    #[test]
    fn config_errors_name_the_setting_to_fix() {
        let dir = tempfile::tempdir().expect("tmp");
        let files = FileSink::new(dir.path());
        assert!(WordPressSink::from_config(&WordPressConfig::default(), files.clone()).expect("off").is_none());
        let cfg = |user: &str, env: &str, status: &str| WordPressConfig {
            url: "https://news.test".into(),
            user: user.into(),
            password_env: env.into(),
            status: status.into(),
            ..WordPressConfig::default()
        };
        let msg = |c: WordPressConfig| WordPressSink::from_config(&c, files.clone()).expect_err("refused").to_string();
        assert!(msg(cfg("", "PATH", "draft")).contains("user is empty"));
        assert!(msg(cfg("desk", "COPYDESK_TEST_WP_PASSWORD_UNSET", "draft")).contains("COPYDESK_TEST_WP_PASSWORD_UNSET"));
        assert!(msg(cfg("desk", "PATH", "live")).contains("must be draft, publish"));
    }
}
