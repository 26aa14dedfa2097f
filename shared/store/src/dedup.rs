//! What ingest has seen: the latest confirmed version of each (source, guid), and which guid
//! first carried a body (by source, day and normalised hash). Written only after the broker
//! confirmed the story, so a failure in between re-delivers instead of dropping it.

use crate::{now_ms, Store, StoreError};
use sqlx::Row;

/// What the store remembers of a story ingest delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    /// The latest version confirmed downstream.
    pub version: u64,
    /// The checksum of that version's payload.
    pub checksum: String,
    /// Whether that version was a kill or withhold.
    pub killed: bool,
}

/// A story ingest has delivered, as it is recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IngestRecord {
    /// The namespace of the guid: the provider or feed the story came from.
    pub source: String,
    /// The provider's id.
    pub guid: String,
    /// The version delivered.
    pub version: u64,
    /// The payload checksum.
    pub checksum: String,
    /// Whether it was a kill or withhold.
    pub killed: bool,
    /// (day, normalised body hash) for content dedup, when the story has a body.
    pub content: Option<(String, String)>,
}

impl Store {
    /// The latest confirmed version of (source, guid), if ingest delivered it before.
    pub async fn seen(&self, source: &str, guid: &str) -> Result<Option<Seen>, StoreError> {
        let row = sqlx::query(
            "SELECT version, checksum, killed FROM ingest_seen WHERE source = $1 AND guid = $2",
        )
        .bind(source)
        .bind(guid)
        .fetch_optional(self.pool())
        .await
        .map_err(StoreError::query("read ingest_seen"))?;
        Ok(row.map(|r| Seen {
            version: r.get::<i64, _>(0).max(0) as u64,
            checksum: r.get(1),
            killed: r.get::<i64, _>(2) != 0,
        }))
    }

    /// The guid that first carried this body from `source` on `day`, if any.
    pub async fn content_guid(
        &self,
        source: &str,
        day: &str,
        hash: &str,
    ) -> Result<Option<String>, StoreError> {
        sqlx::query_scalar(
            "SELECT guid FROM ingest_content WHERE source = $1 AND day = $2 AND hash = $3",
        )
        .bind(source)
        .bind(day)
        .bind(hash)
        .fetch_optional(self.pool())
        .await
        .map_err(StoreError::query("read ingest_content"))
    }

    /// Record a story the broker confirmed. Never lowers a recorded version (a late, older
    /// confirm from another replica cannot make the store forget a newer one), and keeps the
    /// first guid seen with a body.
    pub async fn record_ingested(&self, record: &IngestRecord) -> Result<(), StoreError> {
        let now = now_ms();
        sqlx::query(
            "INSERT INTO ingest_seen (source, guid, version, checksum, killed, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (source, guid) DO UPDATE SET version = excluded.version, checksum = excluded.checksum,
                 killed = excluded.killed, updated_at = excluded.updated_at
             WHERE excluded.version >= ingest_seen.version",
        )
        .bind(&record.source)
        .bind(&record.guid)
        .bind(record.version as i64)
        .bind(&record.checksum)
        .bind(record.killed as i64)
        .bind(now)
        .execute(self.pool())
        .await
        .map_err(StoreError::query("record ingest_seen"))?;
        if let Some((day, hash)) = &record.content {
            sqlx::query(
                "INSERT INTO ingest_content (source, day, hash, guid, updated_at) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (source, day, hash) DO NOTHING",
            )
            .bind(&record.source)
            .bind(day)
            .bind(hash)
            .bind(&record.guid)
            .bind(now)
            .execute(self.pool())
            .await
            .map_err(StoreError::query("record ingest_content"))?;
        }
        Ok(())
    }

    /// How many stories ingest remembers.
    pub async fn seen_count(&self) -> Result<u64, StoreError> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ingest_seen")
            .fetch_one(self.pool())
            .await
            .map_err(StoreError::query("count ingest_seen"))?;
        Ok(n.max(0) as u64)
    }
}
