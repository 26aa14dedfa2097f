//! Copydesk's shared state: one [`Store`] with two backends behind one crate (`sqlx`).
//!
//! - SQLite in a file (`store.path`, default `./state/copydesk.db`): embedded, nothing to run,
//!   for one host. SQLite's locking relies on POSIX advisory locks, which network file systems
//!   (NFS, SMB, most cloud volumes shared between hosts) do not implement faithfully, so two
//!   hosts sharing one database file can corrupt it: use it on one host only.
//! - PostgreSQL (`store.url = "postgres://..."`): the multi-host mode; every replica of every
//!   stage on every machine shares it.
//!
//! Both run the same embedded migrations (`migrations/`, applied at start and by
//! `copydesk store migrate`) and the same SQL: times are Unix milliseconds written by the
//! application, every decision that must not be lost to a race is a compare-and-set.
//!
//! Layout:
//! - [`config`]: the `[store]` section ([`StoreConfig`]).
//! - [`dedup`]: what ingest has seen, by (source, guid) and by content.
//! - [`ledger`]: the story ledger publish decides by (published, killed, withheld versions).
//! - [`deliveries`]: which sink delivered which story version, with external ids.
//! - [`events`]: event state for the clusterer and the member stories of event articles.
//! - [`feeds`]: feed poller state.
//! - [`leases`]: named leases (per story, per feed, per claim) that expire when a holder dies.
//! - [`retention`]: pruning of old rows.

pub mod config;
pub mod dedup;
pub mod deliveries;
pub mod events;
pub mod feeds;
pub mod leases;
pub mod ledger;
pub mod retention;
#[doc(hidden)]
pub mod testing;

pub use config::{SqliteSynchronous, StoreConfig};
pub use dedup::{IngestRecord, Seen};
pub use deliveries::Delivery;
pub use events::{EventCommit, EventRow};
pub use leases::{Lease, LeaseError};
pub use ledger::{Action, Decision, LedgerRow};

use secrecy::ExposeSecret;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::AnyPool;
use std::str::FromStr;

/// Which database holds the state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An embedded SQLite file (one host).
    Sqlite,
    /// A PostgreSQL server (many hosts).
    Postgres,
}

impl Backend {
    /// The backend's name for logs and status output.
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgresql",
        }
    }
}

/// Why the store could not do something. Always names the store (redacted) and what to do.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Could not open or reach the database.
    #[error("cannot open the state store {location}: {source}. {hint}")]
    Open {
        /// The database, redacted.
        location: String,
        /// The driver's error.
        source: sqlx::Error,
        /// What to check.
        hint: &'static str,
    },
    /// The schema could not be brought up to date.
    #[error("cannot migrate the state store {location}: {source}. Run `copydesk store migrate` to see the failing step")]
    Migrate {
        /// The database, redacted.
        location: String,
        /// The migrator's error.
        source: sqlx::migrate::MigrateError,
    },
    /// A query failed (the database went away, a constraint, a lock timeout).
    #[error("state store: {what}: {source}")]
    Query {
        /// What we were doing.
        what: &'static str,
        /// The driver's error.
        source: sqlx::Error,
    },
    /// Stored data could not be read back (a newer version's format?).
    #[error("state store: {0}")]
    Corrupt(String),
    /// The `[store]` settings cannot work.
    #[error("configuration key `store.{key}`: {problem}")]
    Config {
        /// The key under `[store]`.
        key: &'static str,
        /// What is wrong and what to do.
        problem: String,
    },
}

impl StoreError {
    /// True when trying again later may work (the database is down or busy), false for
    /// errors that need an operator (bad configuration, corrupt data).
    pub fn is_transient(&self) -> bool {
        matches!(self, StoreError::Query { .. } | StoreError::Open { .. })
    }

    pub(crate) fn query(what: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
        move |source| StoreError::Query { what, source }
    }
}

/// The shared state store. Cheap to clone (a connection pool).
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    location: String,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.backend)
            .field("location", &self.location)
            .finish()
    }
}

/// Milliseconds since the Unix epoch, the store's one time unit.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

impl Store {
    /// Open the store `config` names and bring its schema up to date.
    pub async fn open(config: &StoreConfig) -> Result<Store, StoreError> {
        let store = Store::connect(config).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// Open without migrating (for `copydesk store migrate` and status).
    pub async fn connect(config: &StoreConfig) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let (url, backend, location) = config.resolve()?;
        let hint = match backend {
            Backend::Sqlite => "Check that the folder of store.path exists or can be created and is writable",
            Backend::Postgres => "Is PostgreSQL running and does the database exist? (store.url, or COPYDESK__STORE__URL)",
        };
        let open_error = |source| StoreError::Open {
            location: location.clone(),
            source,
            hint,
        };
        if backend == Backend::Sqlite {
            if let Some(dir) = config.path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|e| open_error(sqlx::Error::Io(e)))?;
            }
        }
        let options = AnyConnectOptions::from_str(url.expose_secret()).map_err(open_error)?;
        let sync = config.sqlite_synchronous;
        let cache = format!("PRAGMA cache_size = -{}", config.sqlite_cache_kib.max(64));
        let pool = AnyPoolOptions::new()
            .max_connections(config.max_connections.max(1))
            .acquire_timeout(std::time::Duration::from_secs(
                config.connect_timeout_secs.max(1),
            ))
            .after_connect(move |conn, _meta| {
                let cache = cache.clone();
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL lets readers run beside the writer; FULL (the default) makes a
                        // commit durable before it returns (the store decides what is acked),
                        // NORMAL only against a killed process; the busy timeout queues writers
                        // instead of failing them; the page cache is store.sqlite_cache_kib.
                        for pragma in [
                            "PRAGMA journal_mode = WAL",
                            sync.pragma(),
                            "PRAGMA busy_timeout = 30000",
                            cache.as_str(),
                        ] {
                            sqlx::query(pragma).execute(&mut *conn).await?;
                        }
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await
            .map_err(open_error)?;
        Ok(Store {
            pool,
            backend,
            location,
        })
    }

    /// Apply the embedded migrations that have not run yet; safe to run at every start and
    /// from several processes at once. PostgreSQL serialises migrators with an advisory lock;
    /// SQLite has none, so a process that loses the race to another one starting at the same
    /// moment (its DDL is idempotent, its bookkeeping row is not) looks again and finds the work
    /// done.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        let mut tries = 0;
        loop {
            match MIGRATOR.run(&self.pool).await {
                Ok(()) => return Ok(()),
                Err(_) if tries < 5 => {
                    tries += 1;
                    tokio::time::sleep(std::time::Duration::from_millis(50 * tries)).await;
                }
                Err(source) => {
                    return Err(StoreError::Migrate {
                        location: self.location.clone(),
                        source,
                    })
                }
            }
        }
    }

    /// The migrations this build knows, as (version, description, applied?).
    pub async fn migrations(&self) -> Result<Vec<(i64, String, bool)>, StoreError> {
        let applied: Vec<i64> =
            sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success = TRUE")
                .fetch_all(&self.pool)
                .await
                .unwrap_or_default();
        Ok(MIGRATOR
            .iter()
            .map(|m| {
                (
                    m.version,
                    m.description.to_string(),
                    applied.contains(&m.version),
                )
            })
            .collect())
    }

    /// Which database this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The database, redacted (no password), for logs.
    pub fn location(&self) -> &str {
        &self.location
    }

    /// Close the pool, waiting for connections in use.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn pragma_of(config: impl FnOnce(StoreConfig) -> StoreConfig, pragma: &str) -> i64 {
        let dir = tempfile::tempdir().expect("temp dir");
        let config = config(StoreConfig::sqlite(dir.path().join("s.db")));
        let store = Store::open(&config).await.expect("open");
        let row = sqlx::query(&format!("PRAGMA {pragma}"))
            .fetch_one(&store.pool)
            .await
            .expect("pragma");
        sqlx::Row::try_get::<i64, _>(&row, 0).expect("value")
    }

    async fn synchronous_of(sync: SqliteSynchronous) -> i64 {
        let with = move |c| StoreConfig {
            sqlite_synchronous: sync,
            ..c
        };
        pragma_of(with, "synchronous").await
    }

    #[tokio::test]
    async fn sqlite_page_cache_is_the_configured_size() {
        assert_eq!(pragma_of(|c| c, "cache_size").await, -512, "default 512 KiB");
        let with = |c| StoreConfig {
            sqlite_cache_kib: 4096,
            ..c
        };
        assert_eq!(pragma_of(with, "cache_size").await, -4096);
        let parsed: StoreConfig =
            serde_json::from_str(r#"{"sqlite_cache_kib": 1024}"#).expect("parse");
        assert_eq!(parsed.sqlite_cache_kib, 1024);
    }

    #[tokio::test]
    async fn sqlite_commits_sync_fully_by_default_and_at_checkpoints_when_asked() {
        assert_eq!(
            StoreConfig::default().sqlite_synchronous,
            SqliteSynchronous::Full
        );
        assert_eq!(synchronous_of(SqliteSynchronous::Full).await, 2, "FULL");
        assert_eq!(synchronous_of(SqliteSynchronous::Normal).await, 1, "NORMAL");
        let parsed: StoreConfig =
            serde_json::from_str(r#"{"sqlite_synchronous": "normal"}"#).expect("parse");
        assert_eq!(parsed.sqlite_synchronous, SqliteSynchronous::Normal);
        assert!(
            serde_json::from_str::<StoreConfig>(r#"{"sqlite_synchronous": "off"}"#).is_err(),
            "only full and normal"
        );
    }
}
