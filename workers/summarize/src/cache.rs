//! A file cache of LLM summaries keyed by (story version, model, prompt hash), so a replay of
//! the same story version does not pay for the same answer twice.

use crate::SummarizeError;
use copydesk_types::{Story, Summary};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// sha256 of some bytes, lowercase hex.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// One folder of cached summaries, one JSON file per key.
#[derive(Debug, Clone)]
pub(crate) struct SummaryCache {
    dir: PathBuf,
}

impl SummaryCache {
    pub fn new(dir: &Path) -> Self {
        SummaryCache {
            dir: dir.to_path_buf(),
        }
    }

    /// The file for a story version under a model and prompt.
    fn path(&self, story: &Story, model: &str, prompt_hash: &str) -> PathBuf {
        let key = sha256_hex(
            format!(
                "{}\u{0}{}\u{0}{model}\u{0}{prompt_hash}",
                story.guid, story.version
            )
            .as_bytes(),
        );
        self.dir.join(format!("{key}.json"))
    }

    /// The cached summary, if any; an unreadable entry counts as a miss.
    pub async fn get(&self, story: &Story, model: &str, prompt_hash: &str) -> Option<Summary> {
        let bytes = tokio::fs::read(self.path(story, model, prompt_hash))
            .await
            .ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    /// Stores a summary, atomically (write then rename) so readers never see half a file.
    pub async fn put(
        &self,
        story: &Story,
        model: &str,
        prompt_hash: &str,
        summary: &Summary,
    ) -> Result<(), SummarizeError> {
        tokio::fs::create_dir_all(&self.dir)
            .await
            .map_err(SummarizeError::io("create", &self.dir))?;
        let path = self.path(story, model, prompt_hash);
        let tmp = path.with_extension("json.tmp");
        let bytes = serde_json::to_vec(summary)
            .map_err(|e| SummarizeError::Config(format!("cannot serialise a summary: {e}")))?;
        tokio::fs::write(&tmp, bytes)
            .await
            .map_err(SummarizeError::io("write", &tmp))?;
        tokio::fs::rename(&tmp, &path)
            .await
            .map_err(SummarizeError::io("rename", &path))
    }
}
