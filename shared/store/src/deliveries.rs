//! Which sink delivered which story version: a row per (story, version, target) written after
//! the sink succeeded, so no replica delivers again what another already delivered, and a
//! redelivered message skips the sinks that are done. `version` 0 holds story-level facts (the
//! WordPress post id of a story).

use crate::{now_ms, Store, StoreError};
use sqlx::Row;

/// A delivery on record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// "done", or a sink-specific state ("created", "retracted").
    pub state: String,
    /// The sink's id for it (a WordPress post id), when it has one.
    pub external_id: Option<String>,
}

impl Store {
    /// The delivery of (story, version) to `target`, if recorded.
    pub async fn delivery(
        &self,
        story_id: &str,
        version: u64,
        target: &str,
    ) -> Result<Option<Delivery>, StoreError> {
        let row = sqlx::query("SELECT state, external_id FROM deliveries WHERE story_id = $1 AND version = $2 AND target = $3")
            .bind(story_id)
            .bind(version as i64)
            .bind(target)
            .fetch_optional(self.pool())
            .await
            .map_err(StoreError::query("read deliveries"))?;
        Ok(row.map(|r| Delivery {
            state: r.get(0),
            external_id: r.get(1),
        }))
    }

    /// Record (or overwrite) the delivery of (story, version) to `target`.
    pub async fn record_delivery(
        &self,
        story_id: &str,
        version: u64,
        target: &str,
        delivery: &Delivery,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO deliveries (story_id, version, target, state, external_id, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (story_id, version, target) DO UPDATE SET state = excluded.state,
                 external_id = excluded.external_id, updated_at = excluded.updated_at",
        )
        .bind(story_id)
        .bind(version as i64)
        .bind(target)
        .bind(&delivery.state)
        .bind(delivery.external_id.clone())
        .bind(now_ms())
        .execute(self.pool())
        .await
        .map_err(StoreError::query("record delivery"))?;
        Ok(())
    }

    /// Every delivery of a story, as (version, target, state, external id).
    pub async fn deliveries_of(
        &self,
        story_id: &str,
    ) -> Result<Vec<(u64, String, Delivery)>, StoreError> {
        let rows = sqlx::query("SELECT version, target, state, external_id FROM deliveries WHERE story_id = $1 ORDER BY version, target")
            .bind(story_id)
            .fetch_all(self.pool())
            .await
            .map_err(StoreError::query("list deliveries"))?;
        Ok(rows
            .iter()
            .map(|r| {
                (
                    r.get::<i64, _>(0).max(0) as u64,
                    r.get(1),
                    Delivery {
                        state: r.get(2),
                        external_id: r.get(3),
                    },
                )
            })
            .collect())
    }
}
