//! Fresh stores for tests (this crate's and others'): a SQLite file in a temp dir, and a new,
//! randomly named PostgreSQL database per test on the server `COPYDESK_TEST_POSTGRES_URL` names
//! (default: the local server as user postgres), dropped when the test's guard goes.

use crate::{Store, StoreConfig};

/// The admin URL of the PostgreSQL server tests use.
pub fn postgres_admin_url() -> String {
    std::env::var("COPYDESK_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// A store and what keeps it alive (the temp dir, or the database dropped on drop).
pub struct TestStore {
    /// The store.
    pub store: Store,
    /// Its configuration (to open a second "replica" on the same state).
    pub config: StoreConfig,
    _dir: Option<tempfile::TempDir>,
    database: Option<String>,
}

impl Drop for TestStore {
    fn drop(&mut self) {
        if let Some(db) = self.database.take() {
            // Best effort, synchronously: a leftover test database is harmless but untidy.
            let _ = std::process::Command::new("psql")
                .args([
                    &postgres_admin_url(),
                    "-q",
                    "-c",
                    &format!("DROP DATABASE IF EXISTS \"{db}\" WITH (FORCE)"),
                ])
                .output();
        }
    }
}

/// A store in a new SQLite file.
pub async fn sqlite() -> TestStore {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = StoreConfig::sqlite(dir.path().join("state").join("copydesk.db"));
    let store = Store::open(&config).await.expect("open sqlite store");
    TestStore {
        store,
        config,
        _dir: Some(dir),
        database: None,
    }
}

/// A store in a new PostgreSQL database.
pub async fn postgres() -> TestStore {
    let admin = postgres_admin_url();
    let db = format!("copydesk_test_{}", uuid::Uuid::new_v4().simple());
    let created = std::process::Command::new("psql")
        .args([&admin, "-q", "-c", &format!("CREATE DATABASE \"{db}\"")])
        .output();
    match created {
        Ok(out) if out.status.success() => {}
        Ok(out) => panic!(
            "cannot create a test database on {admin}: {}. Start PostgreSQL (`scripts/ensure-postgres.sh`, run by `make test`) or set COPYDESK_TEST_POSTGRES_URL",
            String::from_utf8_lossy(&out.stderr).trim()
        ),
        Err(e) => panic!("cannot run psql ({e}); install the PostgreSQL client or set COPYDESK_TEST_POSTGRES_URL"),
    }
    let url = match admin.rfind('/') {
        Some(i) => format!("{}/{db}", &admin[..i]),
        None => panic!("COPYDESK_TEST_POSTGRES_URL {admin} has no database path"),
    };
    let config = StoreConfig::postgres(&url);
    let store = Store::open(&config).await.expect("open postgres store");
    TestStore {
        store,
        config,
        _dir: None,
        database: Some(db),
    }
}
