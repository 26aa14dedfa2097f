//! Where ingested stories go: the worker implements [`StorySink`] by publishing to RabbitMQ.

use copydesk_types::Story;
use futures::future::BoxFuture;

/// Downstream trouble (broker down, confirm refused); always worth retrying later.
#[derive(Debug, thiserror::Error)]
#[error("story sink: {0}")]
pub struct SinkError(pub String);

/// Accepts a batch of stories and resolves only once the downstream has durably taken them
/// (publisher confirms), so the caller may then record them as seen and retire the source file.
pub trait StorySink: Send + Sync + 'static {
    /// Hand over a batch; `Err` means nothing may be assumed delivered and the batch will be retried.
    fn submit(&self, stories: Vec<Story>) -> BoxFuture<'_, Result<(), SinkError>>;
}
