//! The `[store]` section: where the shared state lives.

use crate::{Backend, StoreError};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// `[store]`: SQLite at `path` unless `url` names a PostgreSQL server.
#[derive(Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct StoreConfig {
    /// The SQLite file (one host only; keep it outside the drop folder and off network volumes).
    pub path: PathBuf,
    /// A `postgres://user:password@host/db` URL for the multi-host mode; empty for SQLite. A
    /// secret: it usually carries the password, so it is never logged.
    #[serde(skip_serializing)]
    pub url: SecretString,
    /// Connections per process (4: as fast as 8 on the bench, about 12 MB less per worker on
    /// SQLite, and half the PostgreSQL connections per replica).
    pub max_connections: u32,
    /// How long to wait for a connection before the operation fails (and is retried).
    pub connect_timeout_secs: u64,
    /// How long a story lease lasts without renewal: a replica that died holding one delays
    /// that story by at most this long. Live holders renew it while they work.
    pub lease_secs: u64,
    /// How long a replica waits for a story another one holds before deferring the message
    /// (put back for a second, not counted as a failed attempt).
    pub lock_wait_secs: u64,
    /// SQLite only: when a commit counts as written. `full` (the default) syncs the write-ahead
    /// log to disk before every commit returns: nothing acked is lost even to a power cut.
    /// `normal` syncs it at checkpoints: a killed process still loses nothing, a power cut may
    /// lose the last commits (stories are then processed again: duplicates, not losses, except
    /// that a kill recorded just before the cut may have to be sent again). About three times the
    /// pipeline's throughput on this project's test machine (README, "Throughput").
    pub sqlite_synchronous: SqliteSynchronous,
    /// SQLite only: each connection's page cache, in KiB (SQLite's own default is 2,000). The
    /// operating system caches the file too, so a small cache costs a few system calls, not disk
    /// reads; 512 keeps a worker's eight connections to 4 MiB instead of 16.
    pub sqlite_cache_kib: u32,
}

/// See [`StoreConfig::sqlite_synchronous`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SqliteSynchronous {
    /// Sync before every commit returns.
    #[default]
    Full,
    /// Sync at checkpoints (WAL mode stays consistent; the last commits may be lost to a power cut).
    Normal,
}

impl SqliteSynchronous {
    /// The PRAGMA that sets it.
    pub fn pragma(self) -> &'static str {
        match self {
            SqliteSynchronous::Full => "PRAGMA synchronous = FULL",
            SqliteSynchronous::Normal => "PRAGMA synchronous = NORMAL",
        }
    }
}

impl Default for StoreConfig {
    fn default() -> Self {
        StoreConfig {
            path: PathBuf::from("./state/copydesk.db"),
            url: SecretString::from(String::new()),
            max_connections: 4,
            connect_timeout_secs: 10,
            lease_secs: 20,
            lock_wait_secs: 5,
            sqlite_synchronous: SqliteSynchronous::Full,
            sqlite_cache_kib: 512,
        }
    }
}

impl std::fmt::Debug for StoreConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreConfig")
            .field("path", &self.path)
            .field("url", &redact(self.url.expose_secret()))
            .field("max_connections", &self.max_connections)
            .field("sqlite_synchronous", &self.sqlite_synchronous)
            .field("sqlite_cache_kib", &self.sqlite_cache_kib)
            .finish()
    }
}

/// A database URL without its password or query string, for logs and errors.
pub fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) => {
            if parsed.password().is_some() {
                let _ = parsed.set_password(Some("***"));
            }
            parsed.set_query(None);
            parsed.to_string()
        }
        Err(_) => "(unparsable URL)".to_string(),
    }
}

impl StoreConfig {
    /// A store in a SQLite file.
    pub fn sqlite(path: impl Into<PathBuf>) -> Self {
        StoreConfig {
            path: path.into(),
            ..Default::default()
        }
    }

    /// A store on a PostgreSQL server.
    pub fn postgres(url: &str) -> Self {
        StoreConfig {
            url: SecretString::from(url.to_string()),
            ..Default::default()
        }
    }

    /// The connection URL, the backend and a redacted location for messages.
    pub(crate) fn resolve(&self) -> Result<(SecretString, Backend, String), StoreError> {
        let url = self.url.expose_secret().trim();
        if url.is_empty() {
            if self.path.as_os_str().is_empty() {
                return Err(StoreError::Config {
                    key: "path",
                    problem: "is empty: set a SQLite file, or store.url for PostgreSQL".into(),
                });
            }
            let location = self.path.display().to_string();
            let url = format!("sqlite://{}?mode=rwc", self.path.display());
            return Ok((SecretString::from(url), Backend::Sqlite, location));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok((
                SecretString::from(url.to_string()),
                Backend::Postgres,
                redact(url),
            ));
        }
        if let Some(path) = url.strip_prefix("sqlite://") {
            return Ok((
                SecretString::from(url.to_string()),
                Backend::Sqlite,
                path.to_string(),
            ));
        }
        Err(StoreError::Config {
            key: "url",
            problem: format!(
                "{} is neither postgres://... nor sqlite://...; leave it empty to use store.path",
                redact(url)
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_postgres_password_never_reaches_messages() {
        let cfg = StoreConfig::postgres(
            "postgres://copydesk:s3cret@db.internal:5432/copydesk?sslmode=require&password=x",
        );
        let (_, backend, location) = cfg.resolve().expect("resolves");
        assert_eq!(backend, Backend::Postgres);
        assert!(
            !location.contains("s3cret") && !location.contains("password=x"),
            "{location}"
        );
        assert!(!format!("{cfg:?}").contains("s3cret"));
    }

    #[test]
    fn an_empty_url_means_the_sqlite_file() {
        let (url, backend, _) = StoreConfig::default().resolve().expect("resolves");
        assert_eq!(backend, Backend::Sqlite);
        assert!(url
            .expose_secret()
            .starts_with("sqlite://./state/copydesk.db"));
    }

    #[test]
    fn unknown_keys_are_refused() {
        let err = serde_json::from_str::<StoreConfig>(r#"{"pathh": "x"}"#)
            .err()
            .expect("refused");
        assert!(err.to_string().contains("pathh"), "{err}");
    }
}
