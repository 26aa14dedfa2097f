//! The CMS sink: WordPress, through its REST API (`/wp-json/wp/v2/posts`), authenticated with
//! an application password (HTTP Basic, WordPress 5.6+).
//!
//! - First version of a story: a post is created (`title` and `excerpt` HTML-escaped, `content`
//!   as sanitized HTML, `slug`, `status` from config). Its id is kept in the state store
//!   (`deliveries`: story, version 0, target `wordpress`).
//! - Later versions: the same post is updated (title, content, excerpt, status; never the slug,
//!   so its URL stays put). Which versions may be published at all is the story ledger's call.
//! - A kill: the post is moved to the trash (or back to draft, `on_kill = "draft"`); a kill is
//!   final. A withhold turns it back to draft, and a later version publishes it again.
//! - A crash between creating the post and recording its id would make a retry create a second
//!   post. Before creating, posts are searched for the marker `<!-- copydesk:<key> -->` that
//!   every post's content ends with (WordPress renames a clashing slug to `-2`, so the search
//!   is by marker, not slug), and a match is adopted.
//! - Each call is recorded in the store once it succeeded, so a redelivered message, or another
//!   replica, never repeats it. The story lease (see `stage`) keeps one story on one replica.
//!
//! Errors: network, timeout, 408, 429 and 5xx are transient (retried, then dead-lettered);
//! 401/403 name the credentials to check; other 4xx are permanent with WordPress's message.

use copydesk_runtime::redact::{redact_text, redact_url};
use copydesk_store::{Delivery, Store};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use crate::files::story_key;
use crate::{http, PublishError};
use copydesk_types::Summary;

/// `[publish.wordpress]`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
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

/// Creates, updates and takes down WordPress posts.
#[derive(Clone)]
pub struct WordPressSink {
    client: reqwest::Client,
    posts_url: String,
    user: String,
    password: SecretString,
    config: WordPressConfig,
}

impl std::fmt::Debug for WordPressSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WordPressSink").field("posts_url", &redact_url(&self.posts_url)).field("user", &self.user).finish()
    }
}

/// The marker that ends every post's content, so a post can be found again by its story.
pub fn marker(key: &str) -> String {
    format!("<!-- copydesk:{key} -->")
}

/// The article as HTML for a post body: lead, `<h2>` subheadings and paragraphs with their
/// inline source links, sanitized (the title is the post title, not repeated), then the marker.
pub fn post_html(summary: &Summary, key: &str) -> String {
    let mut html = copydesk_render::article_html(&summary.article);
    html.push_str(&marker(key));
    html
}

/// The store target holding a story's post id (version 0).
const POST: &str = "wordpress";
/// The store target of a delivered version.
const VERSION: &str = "wordpress:version";
/// The store target of a retraction.
const RETRACTED: &str = "wordpress:retracted";

impl WordPressSink {
    /// The sink `config` asks for (`Ok(None)` without a URL); errors name the missing setting.
    pub fn from_config(config: &WordPressConfig) -> Result<Option<WordPressSink>, PublishError> {
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
        Ok(Some(WordPressSink { client, posts_url, user: config.user.clone(), password, config: config.clone() }))
    }

    /// Where a post is, as reported (redacted).
    pub fn location(&self, post_id: u64) -> String {
        redact_url(&format!("{}/{post_id}", self.posts_url))
    }

    async fn post_of(&self, store: &Store, story_id: &str) -> Result<Option<u64>, PublishError> {
        let record = store.delivery(story_id, 0, POST).await.map_err(store_error)?;
        Ok(record.and_then(|d| d.external_id).and_then(|id| id.parse().ok()))
    }

    /// Create or update the story's post for this version; returns its id.
    pub async fn publish(&self, store: &Store, story_id: &str, version: u64, summary: &Summary, slug: &str) -> Result<u64, PublishError> {
        let key = story_key(story_id);
        let about = format!("story {story_id} v{version}");
        let known = self.post_of(store, story_id).await?;
        if let (Some(post_id), Some(_)) = (known, store.delivery(story_id, version, VERSION).await.map_err(store_error)?) {
            return Ok(post_id);
        }
        let existing = match known {
            Some(id) => Some(id),
            None => self.find_by_marker(&key, &about).await?,
        };
        let mut body = serde_json::json!({
            "title": copydesk_render::escape_html(&summary.headline),
            "content": post_html(summary, &key),
            "excerpt": copydesk_render::escape_html(&summary.meta_description),
            "status": self.config.status,
        });
        // The slug is set once, at creation: a rewritten headline in a later version must not
        // move a published URL.
        let url = match existing {
            Some(id) => format!("{}/{id}", self.posts_url),
            None => {
                body["slug"] = slug.into();
                self.posts_url.clone()
            }
        };
        let answer = self.call(reqwest::Method::POST, &url, Some(body), &about).await?;
        let post_id = answer.get("id").and_then(serde_json::Value::as_u64).ok_or_else(|| PublishError::Cms {
            detail: format!("WordPress answered without a post id for {about}"),
            transient: false,
        })?;
        let record = Delivery { state: "post".into(), external_id: Some(post_id.to_string()) };
        store.record_delivery(story_id, 0, POST, &record).await.map_err(store_error)?;
        store.record_delivery(story_id, version, VERSION, &Delivery { state: "done".into(), external_id: Some(post_id.to_string()) }).await.map_err(store_error)?;
        Ok(post_id)
    }

    /// Take the story's post down for a retraction carrying `version`: to the trash (or draft)
    /// for a kill, to draft for a withhold. `Ok(None)` when the story never had a post.
    pub async fn retract(&self, store: &Store, story_id: &str, version: u64, kill: bool) -> Result<Option<u64>, PublishError> {
        let key = story_key(story_id);
        let about = format!("story {story_id} (retraction v{version})");
        let post_id = match self.post_of(store, story_id).await? {
            Some(id) => id,
            None => match self.find_by_marker(&key, &about).await? {
                Some(id) => id,
                None => return Ok(None),
            },
        };
        if store.delivery(story_id, version, RETRACTED).await.map_err(store_error)?.is_some() {
            return Ok(Some(post_id));
        }
        let url = format!("{}/{post_id}", self.posts_url);
        let result = if kill && self.config.on_kill == "trash" {
            self.call(reqwest::Method::DELETE, &url, None, &about).await
        } else {
            self.call(reqwest::Method::POST, &url, Some(serde_json::json!({ "status": "draft" })), &about).await
        };
        match result {
            // Already deleted in WordPress by an editor: nothing left to take down.
            Err(PublishError::Cms { detail, .. }) if detail.contains("HTTP 404") || detail.contains("HTTP 410") => {}
            other => {
                other?;
            }
        }
        store.record_delivery(story_id, version, RETRACTED, &Delivery { state: "done".into(), external_id: Some(post_id.to_string()) }).await.map_err(store_error)?;
        Ok(Some(post_id))
    }

    /// A post carrying this story's marker, whatever its slug or status.
    async fn find_by_marker(&self, key: &str, about: &str) -> Result<Option<u64>, PublishError> {
        let mut url = reqwest::Url::parse(&self.posts_url).map_err(|e| PublishError::Config(format!("publish.wordpress.url: {e}")))?;
        url.query_pairs_mut()
            .append_pair("search", &format!("copydesk:{key}"))
            .append_pair("status", "publish,draft,pending,private,future,trash")
            .append_pair("context", "edit")
            .append_pair("per_page", "100");
        let found = self.call(reqwest::Method::GET, url.as_str(), None, about).await?;
        let mark = marker(key);
        Ok(found.as_array().into_iter().flatten().find_map(|post| {
            let raw = post.pointer("/content/raw").or_else(|| post.pointer("/content/rendered")).and_then(serde_json::Value::as_str)?;
            raw.contains(&mark).then(|| post.get("id").and_then(serde_json::Value::as_u64)).flatten()
        }))
    }

    async fn call(&self, method: reqwest::Method, url: &str, body: Option<serde_json::Value>, about: &str) -> Result<serde_json::Value, PublishError> {
        let mut req = self.client.request(method.clone(), url).basic_auth(&self.user, Some(self.password.expose_secret()));
        if let Some(b) = body {
            req = req.json(&b);
        }
        let about = format!("WordPress {method} {} for {about}", redact_url(url));
        let resp = req.send().await.map_err(|e| PublishError::Cms {
            detail: format!("{about}: request failed ({}); check that the site is up and publish.wordpress.url", redact_text(&e.to_string())),
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
        Err(PublishError::Cms { detail: format!("{about}: HTTP {}: {}; {fix}", status.as_u16(), redact_text(&message)), transient })
    }
}

fn store_error(e: copydesk_store::StoreError) -> PublishError {
    PublishError::Store(e.to_string(), e.is_transient())
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
        assert!(WordPressSink::from_config(&WordPressConfig::default()).expect("off").is_none());
        let cfg = |user: &str, env: &str, status: &str| WordPressConfig {
            url: "https://news.test".into(),
            user: user.into(),
            password_env: env.into(),
            status: status.into(),
            ..WordPressConfig::default()
        };
        let msg = |c: WordPressConfig| WordPressSink::from_config(&c).expect_err("refused").to_string();
        assert!(msg(cfg("", "PATH", "draft")).contains("user is empty"));
        assert!(msg(cfg("desk", "COPYDESK_TEST_WP_PASSWORD_UNSET", "draft")).contains("COPYDESK_TEST_WP_PASSWORD_UNSET"));
        assert!(msg(cfg("desk", "PATH", "live")).contains("must be draft, publish"));
    }
}
