//! Named leases: a row per lock, held by one owner until it expires. A replica that dies
//! holding one loses it when the lease runs out, so another takes over; a live holder renews.
//! The same SQL works on SQLite and PostgreSQL: taking a lease is one upsert that only
//! succeeds when the row is free, expired, or already ours.

use crate::{now_ms, Store, StoreError};
use std::time::Duration;

/// Why a lease could not be had.
#[derive(Debug, thiserror::Error)]
pub enum LeaseError {
    /// Another owner held it for longer than we could wait.
    #[error("lease {name} is held by {holder} (waited {waited_ms} ms); it is retried, and taken over if that holder died")]
    Busy {
        /// The lease.
        name: String,
        /// Who holds it.
        holder: String,
        /// How long we waited.
        waited_ms: u64,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A held lease; release it with [`Lease::release`] (dropping it leaves it to expire).
#[derive(Debug)]
pub struct Lease {
    store: Store,
    name: String,
    owner: String,
}

impl Lease {
    /// The lease's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Extend the lease by `ttl` from now; false when it was lost (expired and taken).
    pub async fn renew(&self, ttl: Duration) -> Result<bool, StoreError> {
        let expires = now_ms() + ttl.as_millis() as i64;
        let done = sqlx::query("UPDATE leases SET expires_at = $3 WHERE name = $1 AND owner = $2")
            .bind(&self.name)
            .bind(&self.owner)
            .bind(expires)
            .execute(self.store.pool())
            .await
            .map_err(StoreError::query("renew lease"))?;
        Ok(done.rows_affected() == 1)
    }

    /// Give the lease up now.
    pub async fn release(self) -> Result<(), StoreError> {
        self.store.release_lease(&self.name, &self.owner).await
    }
}

impl Store {
    /// Take lease `name` for `owner` for `ttl` if it is free, expired or already `owner`'s.
    pub async fn try_lease(
        &self,
        name: &str,
        owner: &str,
        ttl: Duration,
    ) -> Result<Option<Lease>, StoreError> {
        let now = now_ms();
        let done = sqlx::query(
            "INSERT INTO leases (name, owner, expires_at) VALUES ($1, $2, $3)
             ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
             WHERE leases.expires_at < $4 OR leases.owner = excluded.owner",
        )
        .bind(name)
        .bind(owner)
        .bind(now + ttl.as_millis() as i64)
        .bind(now)
        .execute(self.pool())
        .await
        .map_err(StoreError::query("take lease"))?;
        Ok((done.rows_affected() == 1).then(|| Lease {
            store: self.clone(),
            name: name.to_string(),
            owner: owner.to_string(),
        }))
    }

    /// Take lease `name`, waiting (with jittered backoff) up to `wait` for another holder to
    /// release it or for its lease to expire.
    pub async fn lease(
        &self,
        name: &str,
        owner: &str,
        ttl: Duration,
        wait: Duration,
    ) -> Result<Lease, LeaseError> {
        let started = std::time::Instant::now();
        let mut pause = Duration::from_millis(2);
        loop {
            if let Some(lease) = self.try_lease(name, owner, ttl).await? {
                return Ok(lease);
            }
            if started.elapsed() >= wait {
                let holder = self
                    .lease_holder(name)
                    .await?
                    .unwrap_or_else(|| "(released)".into());
                return Err(LeaseError::Busy {
                    name: name.to_string(),
                    holder,
                    waited_ms: started.elapsed().as_millis() as u64,
                });
            }
            let jitter = rand::random::<u64>() % (pause.as_millis() as u64 + 1);
            tokio::time::sleep(pause + Duration::from_millis(jitter)).await;
            pause = (pause * 2).min(Duration::from_millis(100));
        }
    }

    /// Who holds lease `name` now (an expired lease has no holder).
    pub async fn lease_holder(&self, name: &str) -> Result<Option<String>, StoreError> {
        sqlx::query_scalar("SELECT owner FROM leases WHERE name = $1 AND expires_at >= $2")
            .bind(name)
            .bind(now_ms())
            .fetch_optional(self.pool())
            .await
            .map_err(StoreError::query("read lease"))
    }

    /// Give up lease `name` if `owner` holds it.
    pub async fn release_lease_of(&self, name: &str, owner: &str) -> Result<(), StoreError> {
        self.release_lease(name, owner).await
    }

    pub(crate) async fn release_lease(&self, name: &str, owner: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM leases WHERE name = $1 AND owner = $2")
            .bind(name)
            .bind(owner)
            .execute(self.pool())
            .await
            .map_err(StoreError::query("release lease"))?;
        Ok(())
    }
}

/// A process-unique owner name: host, pid and a random suffix (a restarted process is a new
/// owner, so it never mistakes its predecessor's lease for its own).
pub fn owner_name(role: &str) -> String {
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "local".into());
    format!(
        "{role}@{host}/{}/{:08x}",
        std::process::id(),
        rand::random::<u32>()
    )
}
