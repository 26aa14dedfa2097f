//! Pruning: rows older than their retention go, so the store stays bounded.

use crate::{now_ms, Store, StoreError};
use std::time::Duration;

/// How many rows a prune removed, per table.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Pruned {
    /// ingest_seen and ingest_content rows.
    pub dedup: u64,
    /// story_ledger rows and their deliveries.
    pub ledger: u64,
    /// Expired leases.
    pub leases: u64,
}

impl Store {
    /// Remove dedup rows not touched for `dedup`, ledger rows (with their deliveries) not
    /// touched for `ledger`, and expired leases. Zero durations keep everything of that kind.
    pub async fn prune(&self, dedup: Duration, ledger: Duration) -> Result<Pruned, StoreError> {
        let now = now_ms();
        let mut pruned = Pruned::default();
        if !dedup.is_zero() {
            let cut = now - dedup.as_millis() as i64;
            for table in ["ingest_seen", "ingest_content"] {
                let sql = format!("DELETE FROM {table} WHERE updated_at < $1");
                let done = sqlx::query(&sql)
                    .bind(cut)
                    .execute(self.pool())
                    .await
                    .map_err(StoreError::query("prune dedup"))?;
                pruned.dedup += done.rows_affected();
            }
        }
        if !ledger.is_zero() {
            let cut = now - ledger.as_millis() as i64;
            sqlx::query("DELETE FROM deliveries WHERE story_id IN (SELECT story_id FROM story_ledger WHERE updated_at < $1)")
                .bind(cut)
                .execute(self.pool())
                .await
                .map_err(StoreError::query("prune deliveries"))?;
            let done = sqlx::query("DELETE FROM story_ledger WHERE updated_at < $1")
                .bind(cut)
                .execute(self.pool())
                .await
                .map_err(StoreError::query("prune story_ledger"))?;
            pruned.ledger = done.rows_affected();
        }
        let done = sqlx::query("DELETE FROM leases WHERE expires_at < $1")
            .bind(now)
            .execute(self.pool())
            .await
            .map_err(StoreError::query("prune leases"))?;
        pruned.leases = done.rows_affected();
        Ok(pruned)
    }
}
