//! summarize-worker: consumes `story.extracted`, writes the summary and SEO article, emits
//! `story.summarized`.

use copydesk_runtime::{HandlerError, Transform, TransformHandler};
use copydesk_summarize::{SummarizeConfig, Summarizer};
use copydesk_types::{Stage, StoryExtracted, StorySummarized};

/// The summarize stage: a kill passes through with no summary (publish retracts it).
struct SummarizeStage {
    engine: std::sync::Arc<copydesk_summarize::Engine>,
}

impl Transform for SummarizeStage {
    const STAGE: Stage = Stage::Summarize;
    type In = StoryExtracted;
    type Out = StorySummarized;

    async fn apply(&self, input: StoryExtracted) -> Result<StorySummarized, HandlerError> {
        let StoryExtracted { story, entities } = input;
        if story.is_kill() {
            return Ok(StorySummarized {
                story,
                entities,
                summary: None,
            });
        }
        let summary = self
            .engine
            .summarize(&story, &entities)
            .await
            .map_err(|e| HandlerError::classify(e.is_transient(), &e))?;
        Ok(StorySummarized {
            story,
            entities,
            summary: Some(summary),
        })
    }
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    copydesk_runtime::worker_main(|layers, rt| {
        let config: SummarizeConfig = layers.section("summarize")?;
        let engine = std::sync::Arc::new(copydesk_summarize::build(&config)?);
        let metered = engine.clone();
        rt.metrics.add_extra(std::sync::Arc::new(move || {
            metered.render_prometheus("copydesk")
        }));
        Ok(TransformHandler {
            transform: SummarizeStage { engine },
            exchange: rt.names.events_exchange(),
        })
    })
    .await
}
