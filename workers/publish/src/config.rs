//! The `[publish]` configuration section.

use serde::Deserialize;
use std::path::PathBuf;

/// `[publish]`: where articles go.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct PublishConfig {
    /// Directory the file sink writes to (`COPYDESK__PUBLISH__OUT_DIR`).
    pub out_dir: PathBuf,
    /// Hold embargoed stories until their embargo time (true), or publish at once (false).
    pub hold_embargoed: bool,
    /// The signed webhook sink (`[publish.webhook]`); off unless `url` is set.
    pub webhook: crate::WebhookConfig,
    /// The WordPress sink (`[publish.wordpress]`); off unless `url` is set.
    pub wordpress: crate::WordPressConfig,
}

impl Default for PublishConfig {
    fn default() -> Self {
        PublishConfig { out_dir: PathBuf::from("./out"), hold_embargoed: true, webhook: crate::WebhookConfig::default(), wordpress: crate::WordPressConfig::default() }
    }
}
