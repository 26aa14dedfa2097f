//! Settings for [`crate::LlmClient`], loaded from the `[summarize.llm]`-style config tables.

use serde::{Deserialize, Serialize};

/// Which engine a stage runs (`engine = "builtin" | "llm"` in `[extract]` and `[summarize]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EngineKind {
    /// The stage's offline built-in engine.
    #[default]
    Builtin,
    /// An OpenAI-compatible model, checked against the text, with the built-in engine as the
    /// fallback.
    Llm,
}

/// How to ask the server for JSON output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ResponseFormatMode {
    /// Try `json_schema` (when a schema is given), then `json_object`, then plain, stepping down
    /// whenever the server rejects the mode; the step down is remembered for later requests.
    #[default]
    Auto,
    /// Always send `json_schema` (when a schema is given).
    JsonSchema,
    /// Always send `json_object`.
    JsonObject,
    /// Never send `response_format`; rely on the prompt alone.
    Plain,
}

/// Settings for one OpenAI-compatible endpoint.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct LlmConfig {
    /// Base address up to and including `/v1` ("https://api.openai.com/v1").
    pub base_url: String,
    /// Model name as the server knows it.
    pub model: String,
    /// Name of the environment variable that holds the API key; the key itself never sits in a
    /// config file. When the variable is unset no `Authorization` header is sent (local servers).
    pub api_key_env: String,
    /// Deadline for one HTTP request, in milliseconds.
    pub timeout_ms: u64,
    /// Retries after the first attempt for transient failures (429, 5xx, timeouts).
    pub max_retries: u32,
    /// First backoff delay in milliseconds; doubles per retry, with jitter.
    pub retry_base_ms: u64,
    /// Ceiling for any single backoff delay, including a server's `Retry-After`.
    pub retry_max_ms: u64,
    /// Sampling temperature; low, because callers want faithful, repeatable output.
    pub temperature: f32,
    /// Upper bound on generated tokens, sent with every request (2048 by default, so a model
    /// cannot ramble on for its whole context).
    pub max_tokens: Option<u32>,
    /// Largest response body read; the body is read in chunks and the request fails the moment
    /// it passes this (a server streaming without end cannot exhaust memory).
    pub max_response_bytes: u64,
    /// How to request JSON output.
    pub response_format: ResponseFormatMode,
}

impl Default for LlmConfig {
    fn default() -> Self {
        LlmConfig {
            base_url: "https://api.openai.com/v1".into(),
            model: "gpt-4o-mini".into(),
            api_key_env: "OPENAI_API_KEY".into(),
            timeout_ms: 60_000,
            max_retries: 3,
            retry_base_ms: 500,
            retry_max_ms: 30_000,
            temperature: 0.2,
            max_tokens: Some(2048),
            max_response_bytes: 4 * 1024 * 1024,
            response_format: ResponseFormatMode::Auto,
        }
    }
}
