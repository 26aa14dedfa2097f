//! Event state for the clusterer (`copydesk-events`): events as JSON with a version for
//! compare-and-set, the story-to-event index, learned document frequencies, and the member
//! stories an event article is written from. The clusterer's own types stay in its crate; this
//! module stores what it hands over.

use crate::{now_ms, Store, StoreError};
use sqlx::Row;

/// The document frequency row holding the number of documents.
const DOC_COUNT: i64 = 0;

/// One event write in an [`EventCommit`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventRow {
    /// Store `state` (JSON) with version `expected + 1` if the stored version is `expected`
    /// (0: the event must not exist yet). `members` are its story ids; `span` its dated
    /// members' first and last times (Unix ms).
    Put {
        /// Event id.
        id: String,
        /// The version read.
        expected: u64,
        /// The state as JSON.
        state: String,
        /// Member story ids.
        members: Vec<String>,
        /// First and last member times.
        span: Option<(i64, i64)>,
        /// The event's key terms ([`Store::event_candidates`] finds it by them). Empty: the
        /// event is a candidate for every story in its time window.
        keys: Vec<u64>,
    },
    /// Remove the event if the stored version is `expected`.
    Delete {
        /// Event id.
        id: String,
        /// The version read.
        expected: u64,
    },
}

/// Everything one assignment changes, written in one transaction or not at all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventCommit {
    /// The touched events.
    pub rows: Vec<EventRow>,
    /// Terms of a newly seen story, counted once into the document frequencies.
    pub new_doc_terms: Option<Vec<u64>>,
}

impl Store {
    /// States (JSON) of candidate events for a story, returned in id order: events with a dated
    /// member within `[lo, hi]` (Unix ms) or with no dated member (`window = None`: any time)
    /// that share at least one of `keys` (the story's key terms), the most shared first, then
    /// the most recently changed; plus events without keys (written before keys existed, or
    /// with no terms). At most `limit` of each. Empty `keys`: every event in the window, the
    /// most recently changed first.
    pub async fn event_candidates(
        &self,
        window: Option<(i64, i64)>,
        keys: &[u64],
        limit: u32,
    ) -> Result<Vec<String>, StoreError> {
        let q = StoreError::query("read events");
        let (lo, hi) = window.unwrap_or((i64::MIN, i64::MAX));
        const IN_WINDOW: &str = "(e.last_seen IS NULL OR (e.last_seen >= $1 AND e.first_seen <= $2))";
        let mut out: Vec<(String, String)> = if keys.is_empty() {
            let rows = sqlx::query(&format!(
                "SELECT e.id, e.state FROM events e WHERE {IN_WINDOW} ORDER BY e.updated_at DESC, e.id LIMIT $3"
            ))
            .bind(lo)
            .bind(hi)
            .bind(limit as i64)
            .fetch_all(self.pool())
            .await
            .map_err(q)?;
            rows.iter().map(|r| (r.get(0), r.get(1))).collect()
        } else {
            let mut terms: Vec<i64> = keys.iter().map(|&t| term_key(t)).collect();
            terms.sort_unstable();
            terms.dedup();
            terms.truncate(MAX_BIND);
            let sql = format!(
                "SELECT e.id, e.state FROM (SELECT event_id, COUNT(*) AS hits FROM event_keys WHERE term IN ({}) GROUP BY event_id) k \
                 JOIN events e ON e.id = k.event_id WHERE {IN_WINDOW} ORDER BY k.hits DESC, e.updated_at DESC, e.id LIMIT $3",
                placeholders(4, terms.len())
            );
            let mut query = sqlx::query(&sql).bind(lo).bind(hi).bind(limit as i64);
            for t in &terms {
                query = query.bind(*t);
            }
            let rows = query.fetch_all(self.pool()).await.map_err(q)?;
            let unkeyed = sqlx::query(&format!(
                "SELECT e.id, e.state FROM events_unkeyed u JOIN events e ON e.id = u.id WHERE {IN_WINDOW} ORDER BY e.updated_at DESC, e.id LIMIT $3"
            ))
            .bind(lo)
            .bind(hi)
            .bind(limit as i64)
            .fetch_all(self.pool())
            .await
            .map_err(StoreError::query("read unkeyed events"))?;
            rows.iter()
                .chain(unkeyed.iter())
                .map(|r| (r.get(0), r.get(1)))
                .collect()
        };
        out.sort();
        out.dedup_by(|a, b| a.0 == b.0);
        Ok(out.into_iter().map(|(_, state)| state).collect())
    }

    /// The state (JSON) of the event holding `story_id`.
    pub async fn event_of_story(&self, story_id: &str) -> Result<Option<String>, StoreError> {
        sqlx::query_scalar("SELECT e.state FROM events e JOIN event_stories s ON s.event_id = e.id WHERE s.story_id = $1")
            .bind(story_id)
            .fetch_optional(self.pool())
            .await
            .map_err(StoreError::query("read event of story"))
    }

    /// The state (JSON) of an event.
    pub async fn event(&self, id: &str) -> Result<Option<String>, StoreError> {
        sqlx::query_scalar("SELECT state FROM events WHERE id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await
            .map_err(StoreError::query("read event"))
    }

    /// The document count and the document frequency of each term (one query per
    /// [`MAX_BIND`] terms, not one per term).
    pub async fn event_doc_freqs(&self, terms: &[u64]) -> Result<(u64, Vec<u64>), StoreError> {
        let mut keys: Vec<i64> = terms.iter().map(|&t| term_key(t)).collect();
        keys.push(DOC_COUNT);
        keys.sort_unstable();
        keys.dedup();
        let mut found = std::collections::HashMap::with_capacity(keys.len());
        for chunk in keys.chunks(MAX_BIND) {
            let sql = format!(
                "SELECT term, n FROM event_terms WHERE term IN ({})",
                placeholders(1, chunk.len())
            );
            let mut query = sqlx::query(&sql);
            for k in chunk {
                query = query.bind(*k);
            }
            for row in query
                .fetch_all(self.pool())
                .await
                .map_err(StoreError::query("read event_terms"))?
            {
                let n: i64 = row.get(1);
                found.insert(row.get::<i64, _>(0), n.max(0) as u64);
            }
        }
        let count = |k: i64| found.get(&k).copied().unwrap_or(0);
        Ok((
            count(DOC_COUNT),
            terms.iter().map(|&t| count(term_key(t))).collect(),
        ))
    }

    /// Apply an [`EventCommit`] atomically. `Ok(false)`: an event's version moved (or a new
    /// event already exists), nothing was written; read again and redo the assignment.
    pub async fn event_commit(&self, commit: &EventCommit) -> Result<bool, StoreError> {
        let q = StoreError::query;
        let mut tx = self.pool().begin().await.map_err(q("begin event commit"))?;
        let now = now_ms();
        for row in &commit.rows {
            let applied = match row {
                EventRow::Delete { id, expected } => {
                    let done = sqlx::query("DELETE FROM events WHERE id = $1 AND version = $2")
                        .bind(id)
                        .bind(*expected as i64)
                        .execute(&mut *tx)
                        .await
                        .map_err(q("delete event"))?;
                    for table in ["event_stories", "event_keys"] {
                        sqlx::query(&format!("DELETE FROM {table} WHERE event_id = $1"))
                            .bind(id)
                            .execute(&mut *tx)
                            .await
                            .map_err(q("unindex event"))?;
                    }
                    sqlx::query("DELETE FROM events_unkeyed WHERE id = $1")
                        .bind(id)
                        .execute(&mut *tx)
                        .await
                        .map_err(q("unindex event"))?;
                    done.rows_affected() == 1
                }
                EventRow::Put {
                    id,
                    expected,
                    state,
                    members,
                    span,
                    keys,
                } => {
                    let (first, last) = (span.map(|s| s.0), span.map(|s| s.1));
                    let done = if *expected == 0 {
                        sqlx::query("INSERT INTO events (id, version, state, first_seen, last_seen, updated_at) VALUES ($1, 1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING")
                            .bind(id)
                            .bind(state)
                            .bind(first)
                            .bind(last)
                            .bind(now)
                            .execute(&mut *tx)
                            .await
                    } else {
                        sqlx::query("UPDATE events SET version = $2, state = $3, first_seen = $4, last_seen = $5, updated_at = $6 WHERE id = $1 AND version = $7")
                            .bind(id)
                            .bind(*expected as i64 + 1)
                            .bind(state)
                            .bind(first)
                            .bind(last)
                            .bind(now)
                            .bind(*expected as i64)
                            .execute(&mut *tx)
                            .await
                    }
                    .map_err(q("write event"))?;
                    if done.rows_affected() == 1 {
                        reindex(&mut tx, id, members, keys).await?;
                    }
                    done.rows_affected() == 1
                }
            };
            if !applied {
                tx.rollback().await.map_err(q("roll back event commit"))?;
                return Ok(false);
            }
        }
        if let Some(terms) = &commit.new_doc_terms {
            let mut keys: Vec<i64> = terms.iter().map(|&t| term_key(t)).collect();
            keys.sort_unstable();
            keys.dedup();
            keys.push(DOC_COUNT);
            for chunk in keys.chunks(MAX_BIND) {
                let values: Vec<String> = (1..=chunk.len()).map(|k| format!("(${k}, 1)")).collect();
                let sql = format!(
                    "INSERT INTO event_terms (term, n) VALUES {} ON CONFLICT (term) DO UPDATE SET n = event_terms.n + 1",
                    values.join(", ")
                );
                let mut query = sqlx::query(&sql);
                for k in chunk {
                    query = query.bind(*k);
                }
                query
                    .execute(&mut *tx)
                    .await
                    .map_err(q("count event terms"))?;
            }
        }
        tx.commit().await.map_err(q("commit event commit"))?;
        Ok(true)
    }

    /// Keep the newest version of a member story (StoryExtracted JSON) for the event article.
    pub async fn put_event_member(
        &self,
        story_id: &str,
        event_id: &str,
        version: u64,
        payload: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO event_members (story_id, event_id, version, payload, updated_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (story_id) DO UPDATE SET event_id = excluded.event_id, version = excluded.version,
                 payload = excluded.payload, updated_at = excluded.updated_at
             WHERE excluded.version >= event_members.version",
        )
        .bind(story_id)
        .bind(event_id)
        .bind(version as i64)
        .bind(payload)
        .bind(now_ms())
        .execute(self.pool())
        .await
        .map_err(StoreError::query("write event member"))?;
        Ok(())
    }

    /// Point member stories at the event that now holds them (after the clusterer moved them).
    pub async fn move_event_members(
        &self,
        story_ids: &[String],
        event_id: &str,
    ) -> Result<(), StoreError> {
        for story in story_ids {
            sqlx::query("UPDATE event_members SET event_id = $2 WHERE story_id = $1")
                .bind(story)
                .bind(event_id)
                .execute(self.pool())
                .await
                .map_err(StoreError::query("move event member"))?;
        }
        Ok(())
    }

    /// Forget a member story (killed).
    pub async fn drop_event_member(&self, story_id: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM event_members WHERE story_id = $1")
            .bind(story_id)
            .execute(self.pool())
            .await
            .map_err(StoreError::query("drop event member"))?;
        Ok(())
    }

    /// The member stories of an event (payload JSON), oldest first.
    pub async fn event_members(&self, event_id: &str) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query(
            "SELECT payload FROM event_members WHERE event_id = $1 ORDER BY updated_at, story_id",
        )
        .bind(event_id)
        .fetch_all(self.pool())
        .await
        .map_err(StoreError::query("read event members"))?;
        Ok(rows.iter().map(|r| r.get::<String, _>(0)).collect())
    }

    /// The most recently changed events (id, state JSON), newest first, for status pages.
    pub async fn events_recent(&self, limit: u32) -> Result<Vec<(String, String)>, StoreError> {
        let rows = sqlx::query("SELECT id, state FROM events ORDER BY updated_at DESC LIMIT $1")
            .bind(limit as i64)
            .fetch_all(self.pool())
            .await
            .map_err(StoreError::query("list events"))?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }
}

/// Most values bound in one statement (SQLite allows 32,766, PostgreSQL 65,535).
const MAX_BIND: usize = 500;

/// `$first, $first+1, ...`: `n` numbered placeholders.
fn placeholders(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|k| format!("${k}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `($1, $2), ($3, $4), ...`: `n` rows of two bound values.
fn pair_values(n: usize) -> String {
    (0..n)
        .map(|k| format!("(${}, ${})", 2 * k + 1, 2 * k + 2))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Bring an event's story index and keys in line with what was just written: only the stories
/// that joined or left are touched (a breaking story's event holds thousands), and the keys are
/// replaced.
async fn reindex(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    id: &str,
    members: &[String],
    keys: &[u64],
) -> Result<(), StoreError> {
    let q = StoreError::query;
    let indexed: Vec<String> =
        sqlx::query_scalar("SELECT story_id FROM event_stories WHERE event_id = $1")
            .bind(id)
            .fetch_all(&mut **tx)
            .await
            .map_err(q("read event index"))?;
    let now: std::collections::HashSet<&str> = members.iter().map(String::as_str).collect();
    let before: std::collections::HashSet<&str> = indexed.iter().map(String::as_str).collect();
    for gone in indexed.iter().filter(|s| !now.contains(s.as_str())) {
        sqlx::query("DELETE FROM event_stories WHERE story_id = $1 AND event_id = $2")
            .bind(gone)
            .bind(id)
            .execute(&mut **tx)
            .await
            .map_err(q("unindex story"))?;
    }
    let joined: Vec<&str> = members
        .iter()
        .map(String::as_str)
        .filter(|s| !before.contains(s))
        .collect();
    for chunk in joined.chunks(MAX_BIND / 2) {
        let sql = format!(
            "INSERT INTO event_stories (story_id, event_id) VALUES {} ON CONFLICT (story_id) DO UPDATE SET event_id = excluded.event_id",
            pair_values(chunk.len())
        );
        let mut query = sqlx::query(&sql);
        for story in chunk {
            query = query.bind(*story).bind(id);
        }
        query
            .execute(&mut **tx)
            .await
            .map_err(q("index event"))?;
    }
    sqlx::query("DELETE FROM event_keys WHERE event_id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await
        .map_err(q("drop event keys"))?;
    let mut terms: Vec<i64> = keys.iter().map(|&t| term_key(t)).collect();
    terms.sort_unstable();
    terms.dedup();
    for chunk in terms.chunks(MAX_BIND / 2) {
        let sql = format!(
            "INSERT INTO event_keys (term, event_id) VALUES {}",
            pair_values(chunk.len())
        );
        let mut query = sqlx::query(&sql);
        for t in chunk {
            query = query.bind(*t).bind(id);
        }
        query
            .execute(&mut **tx)
            .await
            .map_err(q("write event keys"))?;
    }
    if terms.is_empty() {
        sqlx::query("INSERT INTO events_unkeyed (id) VALUES ($1) ON CONFLICT (id) DO NOTHING")
            .bind(id)
            .execute(&mut **tx)
            .await
            .map_err(q("mark unkeyed event"))?;
    } else {
        sqlx::query("DELETE FROM events_unkeyed WHERE id = $1")
            .bind(id)
            .execute(&mut **tx)
            .await
            .map_err(q("unmark unkeyed event"))?;
    }
    Ok(())
}

/// A term id as a column value (term ids use all 64 bits; 0 is the document counter, so a term
/// that hashes to 0 shares its row with... nothing: it is moved to 1).
fn term_key(term: u64) -> i64 {
    let key = term as i64;
    if key == DOC_COUNT {
        1
    } else {
        key
    }
}
