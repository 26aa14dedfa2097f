//! [`LlmClient`]: one chat-completions call with retries and a response-format ladder.

use crate::reply::clean_content;
use crate::{LlmConfig, LlmError, LlmMetrics, LlmReply, ResponseFormatMode};
use backon::{ExponentialBuilder, Retryable};
use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::StatusCode;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// The ways of asking for JSON, richest first; a server that rejects one is asked the next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rung {
    /// OpenAI structured outputs: `{"type":"json_schema","json_schema":{...}}`.
    JsonSchema,
    /// llama.cpp's dialect: `{"type":"json_object","schema":{...}}` (grammar-constrained).
    JsonObjectWithSchema,
    /// Plain JSON mode.
    JsonObject,
    /// No `response_format` at all.
    Plain,
}

const LADDER: [Rung; 4] = [
    Rung::JsonSchema,
    Rung::JsonObjectWithSchema,
    Rung::JsonObject,
    Rung::Plain,
];

/// Longest piece of a server's error body kept in an error message.
const BODY_EXCERPT: usize = 300;

/// A client for one OpenAI-compatible endpoint; cheap to share behind an `Arc`.
#[derive(Debug)]
pub struct LlmClient {
    http: reqwest::Client,
    cfg: LlmConfig,
    url: String,
    api_key: Option<SecretString>,
    /// Index into [`LADDER`] of the richest rung the server has not rejected yet.
    rung_floor: AtomicUsize,
    metrics: Arc<LlmMetrics>,
}

impl LlmClient {
    /// Checks the configuration, reads the API key from the named variable and builds the client.
    pub fn new(cfg: LlmConfig) -> Result<Self, LlmError> {
        if !(cfg.base_url.starts_with("http://") || cfg.base_url.starts_with("https://")) {
            return Err(LlmError::Config(format!(
                "base_url {:?} must start with http:// or https:// (e.g. http://127.0.0.1:8089/v1)",
                cfg.base_url
            )));
        }
        if cfg.model.trim().is_empty() {
            return Err(LlmError::Config(
                "model is empty; name the model the server serves".into(),
            ));
        }
        if cfg.timeout_ms == 0 {
            return Err(LlmError::Config(
                "timeout_ms is 0; give a deadline in milliseconds".into(),
            ));
        }
        let timeout = Duration::from_millis(cfg.timeout_ms);
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .build()
            .map_err(|e| LlmError::Config(format!("cannot build the HTTP client: {e}")))?;
        let api_key = std::env::var(&cfg.api_key_env)
            .ok()
            .filter(|k| !k.trim().is_empty())
            .map(SecretString::from);
        let url = format!("{}/chat/completions", cfg.base_url.trim_end_matches('/'));
        let first = match cfg.response_format {
            ResponseFormatMode::Auto | ResponseFormatMode::JsonSchema => 0,
            ResponseFormatMode::JsonObject => 2,
            ResponseFormatMode::Plain => 3,
        };
        Ok(LlmClient {
            http,
            cfg,
            url,
            api_key,
            rung_floor: AtomicUsize::new(first),
            metrics: Arc::new(LlmMetrics::default()),
        })
    }

    /// The configuration this client was built from.
    pub fn config(&self) -> &LlmConfig {
        &self.cfg
    }

    /// The usage counters, to render into `/metrics`.
    pub fn metrics(&self) -> &Arc<LlmMetrics> {
        &self.metrics
    }

    /// Sends a system and a user message and returns the cleaned answer.
    ///
    /// With a `schema`, the server is asked for JSON matching it, in the richest form it
    /// accepts; without one, for a JSON object. Transient failures are retried with exponential
    /// backoff (or the server's `Retry-After`), up to `max_retries` times.
    pub async fn chat_json(
        &self,
        system: &str,
        user: &str,
        schema: Option<&Value>,
    ) -> Result<LlmReply, LlmError> {
        self.with_retries(|| self.attempt(system, user, schema)).await
    }

    /// Sends a system and a user message and returns the answer as plain text: no
    /// `response_format`, for prose a small model writes more easily than JSON. Retried like
    /// [`LlmClient::chat_json`].
    pub async fn chat_text(&self, system: &str, user: &str) -> Result<LlmReply, LlmError> {
        let body = self.request_body(system, user, None, Rung::Plain);
        self.with_retries(|| self.send(&body)).await
    }

    /// Run `call` with exponential backoff (or the server's `Retry-After`) on transient errors.
    async fn with_retries<F, Fut>(&self, call: F) -> Result<LlmReply, LlmError>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<LlmReply, LlmError>>,
    {
        let backoff = ExponentialBuilder::default()
            .with_min_delay(Duration::from_millis(self.cfg.retry_base_ms))
            .with_max_delay(Duration::from_millis(self.cfg.retry_max_ms))
            .with_max_times(self.cfg.max_retries as usize)
            .with_jitter();
        let cap = Duration::from_millis(self.cfg.retry_max_ms);
        let result = call
            .retry(backoff)
            .when(LlmError::is_transient)
            .adjust(|err, delay| next_delay(err, delay, cap))
            .notify(|err, delay| {
                LlmMetrics::add(&self.metrics.retries, 1);
                tracing::warn!(llm.model = %self.cfg.model, retry_in_ms = delay.as_millis() as u64, error = %err, "LLM call failed; retrying");
            })
            .await;
        if result.is_err() {
            LlmMetrics::add(&self.metrics.errors, 1);
        }
        result
    }

    /// One attempt, walking down the format ladder while the server rejects the format.
    async fn attempt(
        &self,
        system: &str,
        user: &str,
        schema: Option<&Value>,
    ) -> Result<LlmReply, LlmError> {
        let pinned = self.cfg.response_format != ResponseFormatMode::Auto;
        let mut index = self.rung_floor.load(Ordering::Relaxed);
        loop {
            let rung = LADDER[index];
            if schema.is_none() && matches!(rung, Rung::JsonSchema | Rung::JsonObjectWithSchema) {
                index = 2;
                continue;
            }
            let body = self.request_body(system, user, schema, rung);
            match self.send(&body).await {
                Err(e) if !pinned && index + 1 < LADDER.len() && format_rejection(&e) => {
                    tracing::info!(llm.model = %self.cfg.model, rejected = ?rung, "LLM server rejected the response format; stepping down");
                    index += 1;
                    self.rung_floor.fetch_max(index, Ordering::Relaxed);
                }
                other => return other,
            }
        }
    }

    fn request_body(&self, system: &str, user: &str, schema: Option<&Value>, rung: Rung) -> Value {
        let mut body = json!({
            "model": self.cfg.model,
            "messages": [
                {"role": "system", "content": system},
                {"role": "user", "content": user},
            ],
            "temperature": self.cfg.temperature,
        });
        if let Some(max) = self.cfg.max_tokens {
            body["max_tokens"] = json!(max);
        }
        let format = match (rung, schema) {
            (Rung::JsonSchema, Some(s)) => {
                Some(json!({"type": "json_schema", "json_schema": {"name": "answer", "schema": s}}))
            }
            (Rung::JsonObjectWithSchema, Some(s)) => {
                Some(json!({"type": "json_object", "schema": s}))
            }
            (Rung::Plain, _) => None,
            _ => Some(json!({"type": "json_object"})),
        };
        if let Some(f) = format {
            body["response_format"] = f;
        }
        body
    }

    /// One HTTP request, its status classified and its body decoded.
    async fn send(&self, body: &Value) -> Result<LlmReply, LlmError> {
        LlmMetrics::add(&self.metrics.requests, 1);
        let mut req = self.http.post(&self.url).json(body);
        if let Some(key) = &self.api_key {
            req = req.bearer_auth(key.expose_secret());
        }
        let resp = req.send().await.map_err(|e| self.transport_error(e))?;
        let status = resp.status();
        let headers = resp.headers().clone();
        let text = self.read_capped(resp).await?;
        if !status.is_success() {
            return Err(classify_status(
                status,
                &headers,
                &text,
                &self.cfg.api_key_env,
            ));
        }
        let reply = decode_reply(&text)?;
        LlmMetrics::add(&self.metrics.prompt_tokens, reply.prompt_tokens);
        LlmMetrics::add(&self.metrics.completion_tokens, reply.completion_tokens);
        Ok(reply)
    }

    /// The body as text, read chunk by chunk and refused the moment it passes
    /// `max_response_bytes`, whether or not a Content-Length announced it.
    async fn read_capped(&self, mut resp: reqwest::Response) -> Result<String, LlmError> {
        let limit = self.cfg.max_response_bytes;
        if resp.content_length().is_some_and(|n| n > limit) {
            return Err(LlmError::TooLarge { limit });
        }
        let mut body = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(|e| self.transport_error(e))? {
            if body.len() as u64 + chunk.len() as u64 > limit {
                return Err(LlmError::TooLarge { limit });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(String::from_utf8_lossy(&body).into_owned())
    }

    fn transport_error(&self, e: reqwest::Error) -> LlmError {
        if e.is_timeout() {
            LlmError::Timeout {
                url: self.url.clone(),
                timeout_ms: self.cfg.timeout_ms,
            }
        } else if e.is_decode() || e.is_body() {
            LlmError::BadResponse {
                reason: format!("reading the body failed: {e}"),
            }
        } else {
            LlmError::Connect {
                url: self.url.clone(),
                source: e,
            }
        }
    }
}

/// The delay before the next retry: the server's `Retry-After` (capped) when it sent one, else
/// the backoff's own; `None` (no retries left) stays `None`.
pub(crate) fn next_delay(
    err: &LlmError,
    backoff: Option<Duration>,
    cap: Duration,
) -> Option<Duration> {
    backoff.map(|d| err.retry_after().map_or(d, |ra| ra.min(cap)))
}

/// True when the server refused the `response_format` rather than the request: a 4xx naming
/// it, or a 5xx that does (llama-cpp-python answers an unknown format type with a 500).
fn format_rejection(err: &LlmError) -> bool {
    match err {
        LlmError::BadRequest { body, .. } => rejects_format(body),
        LlmError::Server { body, .. } => body.contains("response_format"),
        _ => false,
    }
}

/// True when an error body says the `response_format` was the problem.
fn rejects_format(body: &str) -> bool {
    let b = body.to_ascii_lowercase();
    [
        "response_format",
        "json_schema",
        "json_object",
        "schema",
        "grammar",
    ]
    .iter()
    .any(|needle| b.contains(needle))
}

fn excerpt(body: &str) -> String {
    body.chars().take(BODY_EXCERPT).collect()
}

/// Maps a non-success status to the error callers branch on.
fn classify_status(status: StatusCode, headers: &HeaderMap, body: &str, key_env: &str) -> LlmError {
    let retry_after = headers
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| parse_retry_after(v, chrono::Utc::now()));
    let body_excerpt = excerpt(body);
    match status.as_u16() {
        429 if body.contains("insufficient_quota") => {
            LlmError::QuotaExceeded { body: body_excerpt }
        }
        429 => LlmError::RateLimited {
            retry_after,
            body: body_excerpt,
        },
        401 | 403 => LlmError::Unauthorized {
            status: status.as_u16(),
            key_env: key_env.to_string(),
        },
        408 => LlmError::Server {
            status: 408,
            retry_after,
            body: body_excerpt,
        },
        s if s >= 500 => LlmError::Server {
            status: s,
            retry_after,
            body: body_excerpt,
        },
        s => LlmError::BadRequest {
            status: s,
            body: body_excerpt,
        },
    }
}

/// Reads `Retry-After` as seconds or as an HTTP date.
pub(crate) fn parse_retry_after(
    value: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs));
    }
    let when = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let wait = when.with_timezone(&chrono::Utc) - now;
    Some(wait.to_std().unwrap_or(Duration::ZERO))
}

#[derive(Deserialize)]
struct ChatResponse {
    #[serde(default)]
    choices: Vec<Choice>,
    #[serde(default)]
    usage: Option<Usage>,
}

#[derive(Deserialize)]
struct Choice {
    message: Message,
}

#[derive(Deserialize)]
struct Message {
    #[serde(default)]
    content: Option<String>,
}

#[derive(Deserialize, Default)]
struct Usage {
    #[serde(default)]
    prompt_tokens: u64,
    #[serde(default)]
    completion_tokens: u64,
}

/// Decodes a chat-completions body into a cleaned reply.
fn decode_reply(text: &str) -> Result<LlmReply, LlmError> {
    let parsed: ChatResponse = serde_json::from_str(text).map_err(|e| LlmError::BadResponse {
        reason: format!(
            "not a chat-completions JSON body ({e}); body starts: {}",
            excerpt(text)
        ),
    })?;
    let usage = parsed.usage.unwrap_or_default();
    let content = parsed
        .choices
        .into_iter()
        .next()
        .and_then(|c| c.message.content)
        .ok_or_else(|| LlmError::BadResponse {
            reason: "the response has no choices[0].message.content".into(),
        })?;
    Ok(LlmReply {
        content: clean_content(&content),
        prompt_tokens: usage.prompt_tokens,
        completion_tokens: usage.completion_tokens,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_is_read_as_seconds_or_as_an_http_date() {
        let now = chrono::DateTime::parse_from_rfc2822("Wed, 21 Oct 2015 07:28:00 GMT")
            .expect("date")
            .with_timezone(&chrono::Utc);
        assert_eq!(parse_retry_after("3", now), Some(Duration::from_secs(3)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:05 GMT", now),
            Some(Duration::from_secs(5))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:27:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[test]
    fn the_servers_retry_after_replaces_the_backoff_but_is_capped() {
        let limited = LlmError::RateLimited {
            retry_after: Some(Duration::from_secs(7)),
            body: String::new(),
        };
        let cap = Duration::from_secs(5);
        assert_eq!(
            next_delay(&limited, Some(Duration::from_millis(100)), cap),
            Some(cap)
        );
        let short = LlmError::RateLimited {
            retry_after: Some(Duration::from_secs(2)),
            body: String::new(),
        };
        assert_eq!(
            next_delay(&short, Some(Duration::from_millis(100)), cap),
            Some(Duration::from_secs(2))
        );
        let plain = LlmError::Server {
            status: 502,
            retry_after: None,
            body: String::new(),
        };
        assert_eq!(
            next_delay(&plain, Some(Duration::from_millis(100)), cap),
            Some(Duration::from_millis(100))
        );
        assert_eq!(
            next_delay(&limited, None, cap),
            None,
            "no retries left stays no retries left"
        );
    }

    #[test]
    fn quota_429_is_permanent_and_other_429s_are_transient() {
        let h = HeaderMap::new();
        let quota = classify_status(
            StatusCode::TOO_MANY_REQUESTS,
            &h,
            r#"{"error":{"code":"insufficient_quota"}}"#,
            "K",
        );
        assert!(matches!(quota, LlmError::QuotaExceeded { .. }) && !quota.is_transient());
        let busy = classify_status(StatusCode::TOO_MANY_REQUESTS, &h, "slow down", "K");
        assert!(busy.is_transient());
        let auth = classify_status(StatusCode::UNAUTHORIZED, &h, "", "MY_KEY");
        assert!(auth.to_string().contains("MY_KEY") && !auth.is_transient());
    }

    #[test]
    fn a_schema_request_uses_the_richest_rung_and_plain_sends_no_format() {
        let client = LlmClient::new(LlmConfig {
            base_url: "http://127.0.0.1:1/v1".into(),
            ..LlmConfig::default()
        })
        .expect("client");
        let schema = json!({"type": "object"});
        let rich = client.request_body("s", "u", Some(&schema), Rung::JsonSchema);
        assert_eq!(rich["response_format"]["json_schema"]["schema"], schema);
        let plain = client.request_body("s", "u", Some(&schema), Rung::Plain);
        assert!(plain.get("response_format").is_none());
    }
}
