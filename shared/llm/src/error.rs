//! The one error type of this crate.

use std::time::Duration;

/// Everything that can go wrong talking to a chat-completions server.
#[derive(Debug, thiserror::Error)]
pub enum LlmError {
    /// The configuration cannot work (empty model, malformed base URL).
    #[error("invalid LLM configuration: {0}")]
    Config(String),
    /// The server did not answer within the configured deadline.
    #[error("LLM request to {url} timed out after {timeout_ms} ms; raise llm.timeout_ms or check the server")]
    Timeout {
        /// The address called.
        url: String,
        /// The deadline that passed.
        timeout_ms: u64,
    },
    /// The connection failed (refused, reset, DNS).
    #[error("could not reach the LLM server at {url}: {source}; is it running?")]
    Connect {
        /// The address called.
        url: String,
        /// The transport error.
        #[source]
        source: reqwest::Error,
    },
    /// 429: too many requests; the server may say when to come back.
    #[error("LLM server rate-limited the request (429){}: {body}", retry_after.map(|d| format!(", retry after {} s", d.as_secs_f32())).unwrap_or_default())]
    RateLimited {
        /// The server's `Retry-After`, when it sent one.
        retry_after: Option<Duration>,
        /// The start of the response body.
        body: String,
    },
    /// 429 with `insufficient_quota`: retrying will not help until the account is topped up.
    #[error("LLM account has no quota left (429 insufficient_quota); check the plan and billing: {body}")]
    QuotaExceeded {
        /// The start of the response body.
        body: String,
    },
    /// 401/403: the key is missing or wrong.
    #[error("LLM server refused the credentials ({status}); set the key in the environment variable {key_env}")]
    Unauthorized {
        /// The HTTP status.
        status: u16,
        /// The variable the key is read from.
        key_env: String,
    },
    /// Another 4xx: the request itself is wrong and will stay wrong.
    #[error("LLM server rejected the request ({status}): {body}")]
    BadRequest {
        /// The HTTP status.
        status: u16,
        /// The start of the response body.
        body: String,
    },
    /// 5xx: the server failed; it may recover.
    #[error("LLM server error ({status}){}: {body}", retry_after.map(|d| format!(", retry after {} s", d.as_secs_f32())).unwrap_or_default())]
    Server {
        /// The HTTP status.
        status: u16,
        /// The server's `Retry-After`, when it sent one.
        retry_after: Option<Duration>,
        /// The start of the response body.
        body: String,
    },
    /// The response body passed `llm.max_response_bytes` (read in chunks, stopped there).
    #[error("LLM response is over the {limit}-byte limit (llm.max_response_bytes); the rest was not read")]
    TooLarge {
        /// The limit.
        limit: u64,
    },
    /// A 200 whose body is not a chat-completions response (broken JSON, no choices).
    #[error("LLM server sent an unreadable response: {reason}")]
    BadResponse {
        /// What was wrong with it.
        reason: String,
    },
    /// The model's answer was expected to be JSON and is not.
    #[error("LLM answer is not valid JSON ({reason}); answer starts: {start}")]
    InvalidJson {
        /// The parser's complaint.
        reason: String,
        /// The first characters of the answer.
        start: String,
    },
}

impl LlmError {
    /// True when the same request may succeed later: timeouts, connection failures, 429 (not
    /// quota), 5xx and garbled responses.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            LlmError::Timeout { .. }
                | LlmError::Connect { .. }
                | LlmError::RateLimited { .. }
                | LlmError::Server { .. }
                | LlmError::BadResponse { .. }
        )
    }

    /// The wait the server asked for, when it sent `Retry-After`.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            LlmError::RateLimited { retry_after, .. } | LlmError::Server { retry_after, .. } => {
                *retry_after
            }
            _ => None,
        }
    }
}
