//! The `[publish]` configuration section.

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// `[publish]`: where articles go.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct PublishConfig {
    /// Directory the file sink writes to (`COPYDESK__PUBLISH__OUT_DIR`).
    pub out_dir: PathBuf,
    /// Hold embargoed stories until their embargo time (true), or publish at once (false).
    pub hold_embargoed: bool,
    /// An embargo further ahead than this many days is taken for a data error: the story is
    /// dead-lettered with the reason (and counted) instead of circling the retry tiers for
    /// months. 0 lifts the bound.
    pub max_embargo_days: u64,
    /// Days a `<key>.retracted.json` tombstone stays in the out dir (0 keeps them). Decisions
    /// are the ledger's; tombstones only tell readers of the folder.
    pub tombstone_retention_days: u64,
    /// Days the story ledger remembers a story after its last change (0 keeps it forever).
    /// A kill is final for this long.
    pub ledger_retention_days: u64,
    /// The signed webhook sink (`[publish.webhook]`); off unless `url` is set.
    pub webhook: crate::WebhookConfig,
    /// The WordPress sink (`[publish.wordpress]`); off unless `url` is set.
    pub wordpress: crate::WordPressConfig,
}

impl Default for PublishConfig {
    fn default() -> Self {
        PublishConfig {
            out_dir: PathBuf::from("./out"),
            hold_embargoed: true,
            max_embargo_days: 30,
            tombstone_retention_days: 90,
            ledger_retention_days: 365,
            webhook: crate::WebhookConfig::default(),
            wordpress: crate::WordPressConfig::default(),
        }
    }
}
