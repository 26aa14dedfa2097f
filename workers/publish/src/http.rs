//! What the HTTP sinks (webhook, WordPress) share: checking their configured address and
//! secret, and building the client.

use std::time::Duration;

use crate::PublishError;

/// A configuration error in `[publish.<section>]`.
pub(crate) fn config_error(section: &str, detail: String) -> PublishError {
    PublishError::Config(format!("publish.{section}: {detail}"))
}

/// The `url` of `[publish.<section>]` as an http(s) URL; `example` shows the expected shape.
/// Messages show the address redacted (it may carry a token).
pub(crate) fn http_url(section: &str, raw: &str, example: &str) -> Result<reqwest::Url, PublishError> {
    let shown = copydesk_runtime::redact::redact_url(raw.trim());
    let url = reqwest::Url::parse(raw.trim())
        .map_err(|e| config_error(section, format!("url {shown:?} is not a URL ({e}); write it like {example}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(config_error(section, format!("url {shown} must be http or https")));
    }
    Ok(url)
}

/// The secret held by the environment variable `env` (named by `[publish.<section>] key`).
pub(crate) fn secret_from_env(section: &str, key: &str, env: &str, what: &str) -> Result<secrecy::SecretString, PublishError> {
    let secret = std::env::var(env).unwrap_or_default();
    if secret.is_empty() {
        return Err(config_error(
            section,
            format!("the {what} is missing: set the environment variable {env} (publish.{section}.{key} names it)"),
        ));
    }
    Ok(secrecy::SecretString::from(secret))
}

/// An HTTP client with our user agent and a per-request timeout.
pub(crate) fn client(section: &str, timeout_secs: u64) -> Result<reqwest::Client, PublishError> {
    reqwest::Client::builder()
        .user_agent(concat!("copydesk-publish/", env!("CARGO_PKG_VERSION")))
        .timeout(Duration::from_secs(timeout_secs.max(1)))
        .build()
        .map_err(|e| config_error(section, format!("cannot build the HTTP client: {e}")))
}
