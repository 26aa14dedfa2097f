//! The signed webhook sink: every published article and every retraction is POSTed as JSON to
//! one URL, signed with HMAC-SHA256 so the receiver can tell it came from us.
//!
//! Request:
//! - body: `{"event": "article.published", "delivery": "<key>.v<version>.published", ...}`
//!   with the same article document the file sink writes (`files::article_document`), or
//!   `{"event": "article.retracted", "delivery", "story_id", "guid", "version", "kill",
//!   "retracted_at"}` where `version` is the story's highest version;
//! - headers: `X-Copydesk-Event`, `X-Copydesk-Delivery` (stable per story version and event:
//!   the receiver's idempotency key), `X-Copydesk-Timestamp` (Unix seconds) and
//!   `X-Copydesk-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`. Receivers
//!   should recompute it with the shared secret, compare in constant time, and refuse
//!   timestamps more than five minutes old.
//!
//! Delivery is at least once: a 2xx is success; a network error, timeout, 408, 429 or 5xx is
//! transient (the runtime retries with backoff, then dead-letters for `copydesk dlq replay`);
//! any other status is permanent (dead-lettered at once with the status and the start of the
//! receiver's answer). A redelivered message carries the same `X-Copydesk-Delivery`.

use copydesk_runtime::redact::{redact_text, redact_url};
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::{http, PublishError};

/// `[publish.webhook]`.
#[derive(Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct WebhookConfig {
    /// Where to POST; empty turns the webhook sink off. Receivers often put a token in it: it
    /// is redacted (user info, query string) wherever it is logged or reported.
    pub url: String,
    /// Name of the environment variable holding the signing secret (never in config files).
    pub secret_env: String,
    /// Per-request timeout.
    pub timeout_secs: u64,
}

impl Default for WebhookConfig {
    fn default() -> Self {
        WebhookConfig { url: String::new(), secret_env: "COPYDESK_WEBHOOK_SECRET".into(), timeout_secs: 10 }
    }
}

impl std::fmt::Debug for WebhookConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookConfig").field("url", &redact_url(&self.url)).field("secret_env", &self.secret_env).finish()
    }
}

/// Posts signed events to one URL.
#[derive(Clone)]
pub struct WebhookSink {
    client: reqwest::Client,
    url: reqwest::Url,
    secret: SecretString,
}

impl std::fmt::Debug for WebhookSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookSink").field("url", &redact_url(self.url.as_str())).finish()
    }
}

/// What an event is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// A story version was published.
    Published,
    /// A story was killed or withheld and must come down.
    Retracted,
}

impl Event {
    /// The `event` field and `X-Copydesk-Event` header value.
    pub fn name(self) -> &'static str {
        match self {
            Event::Published => "article.published",
            Event::Retracted => "article.retracted",
        }
    }
}

/// `sha256=<hex>`: the HMAC-SHA256 of `"<timestamp>.<body>"` under `secret`.
pub fn signature(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret).expect("HMAC takes a key of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

impl WebhookSink {
    /// The sink `config` asks for: `Ok(None)` when no URL is set; an error naming the fix when
    /// the URL is not http(s) or the secret variable is unset or empty.
    pub fn from_config(config: &WebhookConfig) -> Result<Option<WebhookSink>, PublishError> {
        if config.url.trim().is_empty() {
            return Ok(None);
        }
        let url = http::http_url("webhook", &config.url, "https://host/path")?;
        let secret = http::secret_from_env("webhook", "secret_env", &config.secret_env, "signing secret")?;
        let client = http::client("webhook", config.timeout_secs)?;
        Ok(Some(WebhookSink { client, url, secret }))
    }

    /// The configured address, redacted: what may be logged and reported.
    pub fn location(&self) -> String {
        redact_url(self.url.as_str())
    }

    /// POST one event; `delivery` is the idempotency key, `body` the event fields (the `event`
    /// and `delivery` fields are added here).
    pub async fn send(&self, event: Event, delivery: &str, mut body: serde_json::Value) -> Result<(), PublishError> {
        if let Some(obj) = body.as_object_mut() {
            obj.insert("event".into(), event.name().into());
            obj.insert("delivery".into(), delivery.into());
        }
        let bytes = serde_json::to_vec(&body).unwrap_or_default();
        let timestamp = chrono::Utc::now().timestamp();
        let failed = |status: Option<u16>, detail: String, transient: bool| PublishError::Webhook {
            url: self.location(),
            delivery: delivery.to_string(),
            status,
            detail,
            transient,
        };
        let resp = self
            .client
            .post(self.url.clone())
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header("X-Copydesk-Event", event.name())
            .header("X-Copydesk-Delivery", delivery)
            .header("X-Copydesk-Timestamp", timestamp.to_string())
            .header("X-Copydesk-Signature", signature(self.secret.expose_secret().as_bytes(), timestamp, &bytes))
            .body(bytes)
            .send()
            .await
            .map_err(|e| failed(None, format!("request failed ({}); check that the receiver is up and reachable", redact_text(&e.to_string())), true))?;
        let status = resp.status();
        if status.is_success() {
            return Ok(());
        }
        let answer: String = redact_text(&resp.text().await.unwrap_or_default()).chars().take(200).collect();
        let transient = status.is_server_error() || matches!(status.as_u16(), 408 | 429);
        let fix = if transient { "will retry" } else { "the receiver refused it; fix the receiver or its config, then `copydesk dlq replay`" };
        Err(failed(Some(status.as_u16()), format!("answered {status}: {answer:?}; {fix}"), transient))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_covers_timestamp_and_body() {
        let a = signature(b"Jefe", 1_700_000_000, b"{}");
        // Known answer, computed outside Rust: printf '1700000000.{}' | openssl dgst -sha256 -hmac Jefe
        assert_eq!(a, "sha256=d3793e2b4103edfbd98cc19591832f5fad701d413db9fcae0ae7dab8184ed207");
        assert_ne!(a, signature(b"Jefe", 1_700_000_001, b"{}"), "a replayed body with a new timestamp needs a new signature");
        assert_ne!(a, signature(b"Jefe", 1_700_000_000, b"{ }"), "any change to the body changes it");
        assert_ne!(a, signature(b"Jeff", 1_700_000_000, b"{}"), "another secret gives another signature");
    }

    #[test]
    fn config_errors_name_the_fix() {
        assert!(WebhookSink::from_config(&WebhookConfig::default()).expect("off").is_none(), "no URL: no sink");
        let cfg = |url: &str, env: &str| WebhookConfig { url: url.into(), secret_env: env.into(), timeout_secs: 1 };
        let err = WebhookSink::from_config(&cfg("https://cms.test/hook", "COPYDESK_TEST_WEBHOOK_SECRET_UNSET")).expect_err("no secret");
        assert!(err.to_string().contains("COPYDESK_TEST_WEBHOOK_SECRET_UNSET"), "{err}");
        let err = WebhookSink::from_config(&cfg("ftp://cms.test/hook", "PATH")).expect_err("scheme");
        assert!(err.to_string().contains("http or https"), "{err}");
        let err = WebhookSink::from_config(&cfg("cms hook", "PATH")).expect_err("not a url");
        assert!(err.to_string().contains("not a URL"), "{err}");
    }
}
