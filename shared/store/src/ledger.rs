//! The story ledger: what publish has done with each story, and the one rule set that decides
//! what it does next. A kill is final; a withhold is ordered by version; an older version never
//! replaces a newer one. Decisions are pure ([`decide`]); the row is written back with
//! compare-and-set on its revision ([`Store::ledger_commit`]), so a stale message (from a retry
//! tier, a dead-letter replay or a second replica) can never overwrite newer state.

use crate::{now_ms, Store, StoreError};
use sqlx::Row;

/// One story's row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LedgerRow {
    /// The story's namespaced id.
    pub story_id: String,
    /// The highest version published (0: none).
    pub published_version: u64,
    /// The highest version seen in any message about the story (publish, kill, withhold).
    pub highest_version: u64,
    /// The version of the kill (0: not killed). Non-zero is final.
    pub killed_version: u64,
    /// The highest withheld version (0: none); versions up to it stay retracted.
    pub withheld_version: u64,
    /// The slug the story was first published under (kept across versions).
    pub slug: Option<String>,
    /// Compare-and-set counter: bumped by every write.
    pub revision: u64,
}

/// What a message asks publish to do with a story.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Publish this version.
    Publish(u64),
    /// Kill the story (final), as of this version.
    Kill(u64),
    /// Withhold this version and older ones.
    Withhold(u64),
}

/// What publish does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Publish the version (a redelivery of the published version publishes again; sinks are
    /// idempotent per version).
    Publish,
    /// Retract everything published, announcing `version` (the story's highest).
    Retract {
        /// The version the retraction carries.
        version: u64,
        /// True for a kill (final), false for a withhold.
        kill: bool,
    },
    /// Do nothing, and say why.
    Skip(String),
}

/// The rules, as a pure function of the row and the action.
pub fn decide(row: &LedgerRow, action: Action) -> Decision {
    match action {
        Action::Publish(v) if row.killed_version > 0 => Decision::Skip(format!(
            "v{v} arrived after the story was killed (v{}); a kill is final",
            row.killed_version
        )),
        Action::Publish(v) if v < row.published_version => Decision::Skip(format!(
            "v{v} is older than the published v{}",
            row.published_version
        )),
        Action::Publish(v) if v <= row.withheld_version => Decision::Skip(format!(
            "v{v} was withheld (withhold up to v{})",
            row.withheld_version
        )),
        Action::Publish(_) => Decision::Publish,
        Action::Kill(v) => Decision::Retract {
            version: v.max(row.highest_version),
            kill: true,
        },
        Action::Withhold(_) if row.killed_version > 0 => {
            Decision::Skip("the story is already killed".into())
        }
        Action::Withhold(v) if v < row.published_version => Decision::Skip(format!(
            "a stale withhold of v{v} never retracts the newer published v{}",
            row.published_version
        )),
        Action::Withhold(v) => Decision::Retract {
            version: v.max(row.highest_version),
            kill: false,
        },
    }
}

/// The row after a decision was carried out.
pub fn apply(
    row: &LedgerRow,
    action: Action,
    decision: &Decision,
    slug: Option<&str>,
) -> LedgerRow {
    let mut next = row.clone();
    let version = match action {
        Action::Publish(v) | Action::Kill(v) | Action::Withhold(v) => v,
    };
    next.highest_version = row.highest_version.max(version);
    match (action, decision) {
        (Action::Publish(v), Decision::Publish) => {
            next.published_version = row.published_version.max(v);
            if next.slug.is_none() {
                next.slug = slug.map(str::to_string);
            }
        }
        (Action::Kill(v), Decision::Retract { .. }) => {
            next.killed_version = row.killed_version.max(v).max(1)
        }
        (Action::Withhold(v), Decision::Retract { .. }) => {
            next.withheld_version = row.withheld_version.max(v)
        }
        _ => {}
    }
    next
}

impl Store {
    /// The story's row (a default one when the story is new).
    pub async fn ledger(&self, story_id: &str) -> Result<LedgerRow, StoreError> {
        let row = sqlx::query(
            "SELECT published_version, highest_version, killed_version, withheld_version, slug, revision
             FROM story_ledger WHERE story_id = $1",
        )
        .bind(story_id)
        .fetch_optional(self.pool())
        .await
        .map_err(StoreError::query("read story_ledger"))?;
        let n = |r: &sqlx::any::AnyRow, i: usize| r.get::<i64, _>(i).max(0) as u64;
        Ok(match row {
            Some(r) => LedgerRow {
                story_id: story_id.to_string(),
                published_version: n(&r, 0),
                highest_version: n(&r, 1),
                killed_version: n(&r, 2),
                withheld_version: n(&r, 3),
                slug: r.get(4),
                revision: n(&r, 5),
            },
            None => LedgerRow {
                story_id: story_id.to_string(),
                ..Default::default()
            },
        })
    }

    /// Write `next` if the stored row still has `expected.revision`; false when another
    /// writer got there first (re-read and decide again).
    pub async fn ledger_commit(
        &self,
        expected: &LedgerRow,
        next: &LedgerRow,
    ) -> Result<bool, StoreError> {
        let now = now_ms();
        let revision = expected.revision as i64 + 1;
        let result = if expected.revision == 0 {
            sqlx::query(
                "INSERT INTO story_ledger (story_id, published_version, highest_version, killed_version, withheld_version, slug, revision, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (story_id) DO NOTHING",
            )
            .bind(&next.story_id)
            .bind(next.published_version as i64)
            .bind(next.highest_version as i64)
            .bind(next.killed_version as i64)
            .bind(next.withheld_version as i64)
            .bind(next.slug.clone())
            .bind(revision)
            .bind(now)
            .execute(self.pool())
            .await
        } else {
            sqlx::query(
                "UPDATE story_ledger SET published_version = $2, highest_version = $3, killed_version = $4,
                     withheld_version = $5, slug = $6, revision = $7, updated_at = $8
                 WHERE story_id = $1 AND revision = $9",
            )
            .bind(&next.story_id)
            .bind(next.published_version as i64)
            .bind(next.highest_version as i64)
            .bind(next.killed_version as i64)
            .bind(next.withheld_version as i64)
            .bind(next.slug.clone())
            .bind(revision)
            .bind(now)
            .bind(expected.revision as i64)
            .execute(self.pool())
            .await
        };
        Ok(result
            .map_err(StoreError::query("write story_ledger"))?
            .rows_affected()
            == 1)
    }

    /// The most recently changed stories, newest first (for status pages).
    pub async fn ledger_recent(&self, limit: u32) -> Result<Vec<(LedgerRow, i64)>, StoreError> {
        let rows = sqlx::query(
            "SELECT story_id, published_version, highest_version, killed_version, withheld_version, slug, revision, updated_at
             FROM story_ledger ORDER BY updated_at DESC LIMIT $1",
        )
        .bind(limit as i64)
        .fetch_all(self.pool())
        .await
        .map_err(StoreError::query("list story_ledger"))?;
        let n = |r: &sqlx::any::AnyRow, i: usize| r.get::<i64, _>(i).max(0) as u64;
        Ok(rows
            .iter()
            .map(|r| {
                let row = LedgerRow {
                    story_id: r.get(0),
                    published_version: n(r, 1),
                    highest_version: n(r, 2),
                    killed_version: n(r, 3),
                    withheld_version: n(r, 4),
                    slug: r.get(5),
                    revision: n(r, 6),
                };
                (row, r.get::<i64, _>(7))
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(published: u64, killed: u64, withheld: u64) -> LedgerRow {
        LedgerRow {
            published_version: published,
            highest_version: published.max(killed).max(withheld),
            killed_version: killed,
            withheld_version: withheld,
            ..Default::default()
        }
    }

    #[test]
    fn a_kill_is_final_for_every_later_version() {
        let killed = row(2, 2, 0);
        assert!(matches!(
            decide(&killed, Action::Publish(3)),
            Decision::Skip(_)
        ));
        assert!(
            matches!(decide(&killed, Action::Publish(2)), Decision::Skip(_)),
            "a redelivered version stays dead"
        );
    }

    #[test]
    fn a_retraction_carries_the_highest_version_seen() {
        let published = row(5, 0, 0);
        assert_eq!(
            decide(&published, Action::Kill(1)),
            Decision::Retract {
                version: 5,
                kill: true
            }
        );
        assert_eq!(
            decide(&published, Action::Kill(7)),
            Decision::Retract {
                version: 7,
                kill: true
            }
        );
    }

    #[test]
    fn a_stale_withhold_never_retracts_newer_copy() {
        let published = row(3, 0, 0);
        assert!(matches!(
            decide(&published, Action::Withhold(2)),
            Decision::Skip(_)
        ));
        assert_eq!(
            decide(&published, Action::Withhold(3)),
            Decision::Retract {
                version: 3,
                kill: false
            }
        );
        let withheld = apply(
            &published,
            Action::Withhold(3),
            &Decision::Retract {
                version: 3,
                kill: false,
            },
            None,
        );
        assert!(
            matches!(decide(&withheld, Action::Publish(3)), Decision::Skip(_)),
            "the withheld version stays down"
        );
        assert_eq!(
            decide(&withheld, Action::Publish(4)),
            Decision::Publish,
            "a newer version lifts a withhold"
        );
    }

    #[test]
    fn an_older_version_never_replaces_a_newer_one() {
        let published = row(4, 0, 0);
        assert!(matches!(
            decide(&published, Action::Publish(3)),
            Decision::Skip(_)
        ));
        assert_eq!(
            decide(&published, Action::Publish(4)),
            Decision::Publish,
            "redelivery publishes the same version again"
        );
    }

    #[test]
    fn the_first_slug_sticks() {
        let first = apply(
            &LedgerRow::default(),
            Action::Publish(1),
            &Decision::Publish,
            Some("first-slug"),
        );
        let second = apply(
            &first,
            Action::Publish(2),
            &Decision::Publish,
            Some("rewritten-headline"),
        );
        assert_eq!(second.slug.as_deref(), Some("first-slug"));
        assert_eq!(second.published_version, 2);
    }
}
