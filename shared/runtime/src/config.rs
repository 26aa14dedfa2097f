//! Layered configuration: built-in defaults, then `config/default.toml` (from the working
//! directory, when present), then `config/<COPYDESK_ENVIRONMENT>.toml`, then an optional
//! `--config FILE`, then environment variables `COPYDESK__<SECTION>__<KEY>`.
//!
//! The runtime owns the sections every worker shares (`amqp`, `worker`, `retry`, `health`,
//! `telemetry`); each stage crate owns its own section (`ingest`, `publish`, ...) and reads it
//! with [`Layers::section`].

use secrecy::{ExposeSecret, SecretString};
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Why configuration could not be loaded. Always names the key or file.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A file or variable could not be read or parsed.
    #[error("configuration: {0}. Fix the value (config file or COPYDESK__SECTION__KEY variable) and start again")]
    Load(String),
    /// A value parsed but makes no sense.
    #[error("configuration key `{key}`: {problem}")]
    Invalid {
        /// The dotted key, e.g. `retry.max_attempts`.
        key: &'static str,
        /// What is wrong and what is expected.
        problem: String,
    },
}

/// `[amqp]`: where the broker is and how to talk to it.
#[derive(Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct AmqpSettings {
    /// Broker URL; a secret because it usually carries the password. Used when `urls` is empty.
    #[serde(skip_serializing)]
    pub url: SecretString,
    /// Several addresses of one broker cluster (same user, password and vhost; only host and
    /// port differ). When set, `url` is ignored: a worker connects to one of them, picked at
    /// random so workers spread over the nodes, and on a lost connection tries the others in
    /// turn (with a jittered backoff between rounds). In the environment:
    /// `COPYDESK__AMQP__URLS=amqp://u:p@h1:5672/%2f,amqp://u:p@h2:5672/%2f`.
    #[serde(skip_serializing)]
    pub urls: Vec<SecretString>,
    /// Prefix of every exchange and queue name, so several pipelines can share a broker.
    pub namespace: String,
    /// Unacknowledged deliveries a worker may hold at once.
    pub prefetch: u16,
    /// A worker whose connection has not recovered after this long exits non-zero so its
    /// supervisor restarts it (lapin's own recovery was seen to stall after broker restarts).
    pub recovery_timeout_secs: u64,
    /// A first connection that has not succeeded after this long is an error (a wrong URL or a
    /// stopped broker is reported instead of waited on).
    pub connect_timeout_secs: u64,
    /// RabbitMQ management API, used by `copydesk status` for unacked counts when reachable. A
    /// secret: it carries the management password.
    #[serde(skip_serializing)]
    pub management_url: SecretString,
    /// Largest message body a worker publishes. Keep it below the broker's own limit
    /// (`max_message_size`, 16 MiB by default on RabbitMQ 4, 128 MiB on 3.x): a message above
    /// that makes the broker close the channel; one above this is refused with a clear reason.
    pub max_message_bytes: usize,
}

impl Default for AmqpSettings {
    fn default() -> Self {
        AmqpSettings {
            url: SecretString::from("amqp://guest:guest@127.0.0.1:5672/%2f"),
            urls: Vec::new(),
            namespace: "copydesk".into(),
            prefetch: 16,
            recovery_timeout_secs: 30,
            connect_timeout_secs: 15,
            management_url: SecretString::from("http://guest:guest@127.0.0.1:15672"),
            max_message_bytes: 15 * 1024 * 1024,
        }
    }
}

impl std::fmt::Debug for AmqpSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AmqpSettings")
            .field("url", &redact_url(self.url.expose_secret()))
            .field("urls", &self.urls.iter().map(|u| redact_url(u.expose_secret())).collect::<Vec<_>>())
            .field("namespace", &self.namespace)
            .field("prefetch", &self.prefetch)
            .field("recovery_timeout_secs", &self.recovery_timeout_secs)
            .field("max_message_bytes", &self.max_message_bytes)
            .finish()
    }
}

pub use crate::redact::redact_url;

impl AmqpSettings {
    /// The broker addresses to use, in configured order: `urls` when set, else `url`.
    pub fn broker_urls(&self) -> Vec<&str> {
        if self.urls.is_empty() {
            vec![self.url.expose_secret()]
        } else {
            self.urls.iter().map(|u| u.expose_secret()).collect()
        }
    }

    /// The key the addresses came from, for messages.
    pub fn urls_key(&self) -> &'static str {
        if self.urls.is_empty() { "amqp.url" } else { "amqp.urls" }
    }

    /// Check every address parses and that they differ only in host and port (one connection
    /// carries one user, password and vhost across failovers).
    pub fn check_urls(&self) -> Result<(), ConfigError> {
        let key = self.urls_key();
        let mut first: Option<lapin::uri::AMQPUri> = None;
        for url in self.broker_urls() {
            if !(url.starts_with("amqp://") || url.starts_with("amqps://")) {
                return Err(ConfigError::Invalid { key, problem: format!("'{}' must start with amqp:// or amqps://", redact_url(url)) });
            }
            let mut parsed: lapin::uri::AMQPUri = url
                .parse()
                .map_err(|e| ConfigError::Invalid { key, problem: format!("'{}' is not an AMQP URL: {e}", redact_url(url)) })?;
            parsed.authority.host.clear();
            parsed.authority.port = 0;
            match &first {
                None => first = Some(parsed),
                Some(first) if *first != parsed => {
                    return Err(ConfigError::Invalid {
                        key,
                        problem: format!("'{}' differs from the first address in more than host and port; every address of one cluster needs the same scheme, user, password, vhost and options", redact_url(url)),
                    })
                }
                Some(_) => {}
            }
        }
        Ok(())
    }
}

/// `[worker]`: how much work one process does at once and how it stops.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct WorkerSettings {
    /// Messages handled concurrently.
    pub concurrency: usize,
    /// On SIGTERM, in-flight work gets this long to finish before the rest is requeued.
    pub shutdown_deadline_secs: u64,
}

impl Default for WorkerSettings {
    fn default() -> Self {
        WorkerSettings { concurrency: 8, shutdown_deadline_secs: 30 }
    }
}

/// `[retry]`: delayed retries of transient failures.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct RetrySettings {
    /// Attempts in all, the first included, before a message is dead-lettered.
    pub max_attempts: u32,
    /// Delay before the first retry.
    pub initial_delay_ms: u64,
    /// Longest delay between retries.
    pub max_delay_ms: u64,
}

impl Default for RetrySettings {
    fn default() -> Self {
        RetrySettings { max_attempts: 5, initial_delay_ms: 1000, max_delay_ms: 300_000 }
    }
}

/// `[health]`: the `/healthz`, `/readyz` and `/metrics` server.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct HealthSettings {
    /// Address to bind; `0.0.0.0` in containers.
    pub bind: String,
    /// Port; unset means the stage's default (9181..9184), 0 an ephemeral port (logged).
    pub port: Option<u16>,
}

impl Default for HealthSettings {
    fn default() -> Self {
        HealthSettings { bind: "127.0.0.1".into(), port: None }
    }
}

/// `[telemetry]`: logging.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct TelemetrySettings {
    /// JSON lines instead of human-readable logs.
    pub json: bool,
    /// Default filter when `RUST_LOG` is unset.
    pub level: String,
    /// OTLP/HTTP collector base URL (e.g. `http://127.0.0.1:4318`); empty: no trace export.
    /// Each stage's span of a message is posted as OTLP JSON to `<url>/v1/traces`.
    pub otlp_endpoint: String,
}

impl Default for TelemetrySettings {
    fn default() -> Self {
        TelemetrySettings { json: false, level: "info".into(), otlp_endpoint: String::new() }
    }
}

/// The sections every worker shares.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct Settings {
    /// `[amqp]`.
    pub amqp: AmqpSettings,
    /// `[worker]`.
    pub worker: WorkerSettings,
    /// `[retry]`.
    pub retry: RetrySettings,
    /// `[health]`.
    pub health: HealthSettings,
    /// `[telemetry]`.
    pub telemetry: TelemetrySettings,
}

impl Settings {
    /// Check values that parse but make no sense, naming the key.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let ns = &self.amqp.namespace;
        if ns.is_empty() || !ns.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)) {
            return Err(ConfigError::Invalid {
                key: "amqp.namespace",
                problem: format!("'{ns}' must be non-empty ASCII letters, digits, '-', '_' or '.'"),
            });
        }
        self.amqp.check_urls()?;
        if self.amqp.prefetch == 0 {
            return Err(invalid("amqp.prefetch", "must be at least 1"));
        }
        if self.worker.concurrency == 0 {
            return Err(invalid("worker.concurrency", "must be at least 1"));
        }
        if self.retry.max_attempts == 0 {
            return Err(invalid("retry.max_attempts", "must be at least 1 (1 means no retries)"));
        }
        if self.retry.initial_delay_ms == 0 || self.retry.initial_delay_ms > self.retry.max_delay_ms {
            return Err(invalid(
                "retry.initial_delay_ms",
                "must be at least 1 and not more than retry.max_delay_ms",
            ));
        }
        Ok(())
    }
}

fn invalid(key: &'static str, problem: &str) -> ConfigError {
    ConfigError::Invalid { key, problem: problem.into() }
}

/// Every top-level section some binary of the workspace reads; any other is refused at load.
pub const SECTIONS: &[&str] =
    &["amqp", "worker", "retry", "health", "telemetry", "store", "ingest", "extract", "summarize", "events", "publish", "console"];

/// The merged configuration layers, from which each crate reads its own section.
pub struct Layers {
    merged: config::Config,
}

impl Layers {
    /// Read every layer; `explicit` is the `--config FILE` argument.
    pub fn load(explicit: Option<&Path>) -> Result<Self, ConfigError> {
        let mut builder = config::Config::builder();
        for file in default_files() {
            builder = builder.add_source(config::File::from(file).required(false));
        }
        if let Some(path) = explicit {
            if !path.exists() {
                return Err(ConfigError::Load(format!(
                    "--config {} does not exist",
                    path.display()
                )));
            }
            builder = builder.add_source(config::File::from(path.to_path_buf()).required(true));
        }
        builder = builder.add_source(
            config::Environment::with_prefix("COPYDESK")
                .prefix_separator("__")
                .separator("__")
                .try_parsing(true)
                .list_separator(",")
                .with_list_parse_key("amqp.urls"),
        );
        let merged = builder.build().map_err(|e| ConfigError::Load(e.to_string()))?;
        // Every section is read by some binary; one nobody reads is a typo (`[summarise]`, or
        // `COPYDESK__RETRIES__MAX_ATTEMPTS`) that would otherwise be ignored without a word.
        let top: std::collections::HashMap<String, serde::de::IgnoredAny> =
            merged.clone().try_deserialize().map_err(|e| ConfigError::Load(e.to_string()))?;
        if let Some(unknown) = top.keys().find(|k| !SECTIONS.contains(&k.as_str())) {
            return Err(ConfigError::Load(format!(
                "unknown section `{unknown}` (known: {})",
                SECTIONS.join(", ")
            )));
        }
        Ok(Layers { merged })
    }

    /// The shared sections, validated.
    pub fn settings(&self) -> Result<Settings, ConfigError> {
        let settings = Settings {
            amqp: self.section("amqp")?,
            worker: self.section("worker")?,
            retry: self.section("retry")?,
            health: self.section("health")?,
            telemetry: self.section("telemetry")?,
        };
        settings.validate()?;
        Ok(settings)
    }

    /// One section, with the type's defaults for whatever is not set.
    pub fn section<T: DeserializeOwned + Default>(&self, name: &str) -> Result<T, ConfigError> {
        let raw = match self.merged.get::<config::Value>(name) {
            Ok(raw) => raw,
            Err(config::ConfigError::NotFound(_)) => return Ok(T::default()),
            Err(e) => return Err(ConfigError::Load(format!("in section [{name}]: {e}"))),
        };
        // serde_path_to_error keeps the failing key's path, so the message names it exactly.
        serde_path_to_error::deserialize(raw).map_err(|e| {
            ConfigError::Load(format!("key `{name}.{}`: {}", e.path(), e.inner()))
        })
    }
}

fn default_files() -> Vec<PathBuf> {
    let mut files = vec![PathBuf::from("config/default.toml")];
    if let Ok(env) = std::env::var("COPYDESK_ENVIRONMENT") {
        files.push(PathBuf::from(format!("config/{env}.toml")));
    }
    files
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn layers_from(toml: &str) -> Layers {
        let mut file = tempfile::Builder::new().suffix(".toml").tempfile().expect("tmp");
        file.write_all(toml.as_bytes()).expect("write");
        let layers = Layers::load(Some(file.path())).expect("load");
        drop(file);
        layers
    }

    #[test]
    fn file_values_override_defaults_and_missing_keys_keep_defaults() {
        let layers = layers_from("[retry]\nmax_attempts = 2\n[amqp]\nnamespace = \"t1\"\n");
        let s = layers.settings().expect("settings");
        assert_eq!(s.retry.max_attempts, 2);
        assert_eq!(s.retry.initial_delay_ms, 1000);
        assert_eq!(s.amqp.namespace, "t1");
        assert_eq!(s.worker.shutdown_deadline_secs, 30);
    }

    #[test]
    fn a_value_of_the_wrong_type_fails_naming_the_key() {
        let layers = layers_from("[retry]\nmax_attempts = \"many\"\n");
        let err = layers.settings().expect_err("bad type").to_string();
        assert!(err.contains("max_attempts"), "{err}");
    }

    #[test]
    fn a_nonsense_value_fails_naming_the_key() {
        let layers = layers_from("[retry]\nmax_attempts = 0\n");
        let err = layers.settings().expect_err("zero").to_string();
        assert!(err.contains("retry.max_attempts"), "{err}");
    }

    #[test]
    fn an_unknown_key_is_refused_naming_it() {
        let layers = layers_from("[retry]\nmax_attempt = 2\n");
        let err = layers.settings().expect_err("typo").to_string();
        assert!(err.contains("max_attempt"), "{err}");
    }

    #[test]
    fn an_unknown_section_is_refused_naming_it() {
        let mut file = tempfile::Builder::new().suffix(".toml").tempfile().expect("tmp");
        file.write_all(b"[summarise]\nengine = \"llm\"\n").expect("write");
        let err = Layers::load(Some(file.path())).err().expect("refused").to_string();
        assert!(err.contains("`summarise`"), "{err}");
    }

    #[test]
    fn a_missing_config_file_is_named() {
        let err = Layers::load(Some(Path::new("/nonexistent/copydesk.toml")))
            .err()
            .expect("missing file")
            .to_string();
        assert!(err.contains("/nonexistent/copydesk.toml"), "{err}");
    }

    #[test]
    fn several_broker_urls_replace_the_single_one_and_must_differ_only_in_host_and_port() {
        let layers = layers_from("[amqp]\nurls = [\"amqp://u:pw@n1:5672/%2f\", \"amqp://u:pw@n2:5673/%2f\"]\n");
        let s = layers.settings().expect("settings");
        assert_eq!(s.amqp.broker_urls(), vec!["amqp://u:pw@n1:5672/%2f", "amqp://u:pw@n2:5673/%2f"]);
        assert!(!format!("{:?}", s.amqp).contains("pw"), "{:?}", s.amqp);
        assert_eq!(Settings::default().amqp.broker_urls(), vec!["amqp://guest:guest@127.0.0.1:5672/%2f"], "amqp.url still works");

        let layers = layers_from("[amqp]\nurls = [\"amqp://u:pw@n1:5672/%2f\", \"amqp://other:pw@n2:5672/%2f\"]\n");
        let err = layers.settings().expect_err("different users").to_string();
        assert!(err.contains("amqp.urls") && !err.contains("pw@"), "{err}");
        let layers = layers_from("[amqp]\nurls = [\"http://n1:5672\"]\n");
        assert!(layers.settings().expect_err("not amqp").to_string().contains("amqp.urls"));
    }

    #[test]
    fn the_amqp_password_never_appears_in_debug_output() {
        let s = Settings::default();
        let shown = format!("{:?}", s.amqp);
        assert!(!shown.contains("guest:guest"), "{shown}");
        assert_eq!(redact_url("amqp://u:secret@h:5672/%2f"), "amqp://***@h:5672/%2f");
    }
}
