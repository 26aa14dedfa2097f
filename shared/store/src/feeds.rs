//! Feed poller state (ETag, Last-Modified, failures, last new item) as one JSON document per
//! feed, so any replica that takes over a feed's lease continues where the last one stopped.

use crate::{now_ms, Store, StoreError};

impl Store {
    /// The saved state of feed `name`, as the poller serialised it.
    pub async fn feed_state(&self, name: &str) -> Result<Option<String>, StoreError> {
        sqlx::query_scalar("SELECT state FROM feed_state WHERE name = $1")
            .bind(name)
            .fetch_optional(self.pool())
            .await
            .map_err(StoreError::query("read feed_state"))
    }

    /// Save the state of feed `name`.
    pub async fn save_feed_state(&self, name: &str, state: &str) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO feed_state (name, state, updated_at) VALUES ($1, $2, $3)
             ON CONFLICT (name) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
        )
        .bind(name)
        .bind(state)
        .bind(now_ms())
        .execute(self.pool())
        .await
        .map_err(StoreError::query("write feed_state"))?;
        Ok(())
    }
}
