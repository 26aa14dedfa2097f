//! extract-worker: consumes `story.ingested`, finds entities and quotes, emits `story.extracted`.

use copydesk_extract::{ExtractConfig, Extractor};
use copydesk_runtime::{HandlerError, Transform, TransformHandler};
use copydesk_types::{Entities, Stage, StoryExtracted, StoryIngested};

/// The extract stage: a kill passes through with no entities (there is nothing to analyse).
struct ExtractStage {
    engine: copydesk_extract::Engine,
}

impl Transform for ExtractStage {
    const STAGE: Stage = Stage::Extract;
    type In = StoryIngested;
    type Out = StoryExtracted;

    async fn apply(&self, input: StoryIngested) -> Result<StoryExtracted, HandlerError> {
        let story = input.story;
        if story.is_kill() {
            return Ok(StoryExtracted {
                story,
                entities: Entities {
                    engine: "none (kill)".into(),
                    ..Default::default()
                },
            });
        }
        let entities = self
            .engine
            .extract(&story)
            .await
            .map_err(|e| HandlerError::classify(e.is_transient(), &e))?;
        Ok(StoryExtracted { story, entities })
    }
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    copydesk_runtime::worker_main(|layers, rt| async move {
        let config: ExtractConfig = layers.section("extract")?;
        let engine = copydesk_extract::build(&config)?;
        if let copydesk_extract::Engine::Llm(llm) = &engine {
            let client = llm.client().metrics().clone();
            rt.metrics().add_extra(std::sync::Arc::new(move || {
                let usage = copydesk_extract::llm_usage().snapshot();
                client.render_prometheus("copydesk", "extract")
                    + &copydesk_runtime::metrics::render_counters("copydesk_extract_llm", &usage)
            }));
        }
        Ok(TransformHandler::new(
            ExtractStage { engine },
            rt.names().events_exchange(),
        ))
    })
    .await
}
