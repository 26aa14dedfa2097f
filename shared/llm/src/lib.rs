//! A small client for OpenAI-compatible chat-completions servers (OpenAI, llama.cpp, vLLM,
//! Ollama), shared by the stages that can ask a language model for help.
//!
//! Layout:
//! - [`config`]: [`LlmConfig`], the serde-loaded settings (address, model, key variable, limits).
//! - [`client`]: [`LlmClient::chat_json`], one request with retries, backoff that honours
//!   `Retry-After`, and a response-format ladder (`json_schema`, then `json_object`, then plain)
//!   for servers that reject the richer modes.
//! - [`error`]: [`LlmError`], with [`LlmError::is_transient`] for callers that retry themselves.
//! - [`reply`]: [`LlmReply`] and the cleanup of model output (code fences, `<think>` blocks).
//! - [`metrics`]: [`LlmMetrics`], request and token counters the binaries render for Prometheus.
//! - [`testing`]: a scripted local server for tests of code that calls a model.

pub mod client;
pub mod config;
pub mod error;
pub mod metrics;
pub mod reply;
pub mod testing;

pub use client::LlmClient;
pub use config::{EngineKind, LlmConfig, ResponseFormatMode};
pub use error::LlmError;
pub use metrics::{LlmMetrics, LlmMetricsSnapshot};
pub use reply::{clean_content, LlmReply};
