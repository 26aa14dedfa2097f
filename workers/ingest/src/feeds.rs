//! Feed polling (in progress).

use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use crate::{IngestConfig, IngestError, IngestStats, SharedDedup, StorySink};

/// Poll every configured feed until `cancel` fires.
pub async fn run_feed_poller(
    _cfg: &IngestConfig,
    _sink: Arc<dyn StorySink>,
    _dedup: SharedDedup,
    cancel: CancellationToken,
    _stats: Arc<IngestStats>,
) -> Result<(), IngestError> {
    cancel.cancelled().await;
    Ok(())
}
