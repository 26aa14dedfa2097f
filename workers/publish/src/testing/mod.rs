//! Test support: message builders, a stage on a temporary store, a WordPress stand-in.

pub mod webhook;
pub mod wordpress;

use copydesk_types::{Article, Entities, Section, Story, StorySummarized, Summary};

/// A summarized story `guid` at `version`, headline "Harbour strike ends after a week",
/// slug `harbour-strike-ends`, one section "Return to work".
pub fn summarized(guid: &str, version: u64) -> StorySummarized {
    let mut story = Story::new(guid, "Harbour strike ends", vec!["Dockers returned to work on Monday.".into()]);
    story.version = version;
    let summary = Summary {
        brief: "Dockers returned to work.".into(),
        article: Article {
            lead: "Dockers returned to work on Monday.".into(),
            sections: vec![Section { heading: "Return to work".into(), paragraphs: vec!["The strike lasted a week.".into()] }],
            short: true,
            links: Vec::new(),
        },
        headline: "Harbour strike ends after a week".into(),
        meta_description: "Dockers returned to work.".into(),
        slug: "harbour-strike-ends".into(),
        keywords: vec!["harbour".into()],
        json_ld: serde_json::json!({}),
        open_graph: Default::default(),
        engine: "test".into(),
        focus_keyphrase: None,
    };
    StorySummarized { story, entities: Entities::default(), summary: Some(summary) }
}

/// A stage with `config` (its `out_dir` as given) and a fresh SQLite store at
/// `<state_dir>/state.db`.
pub async fn stage(state_dir: &std::path::Path, config: crate::PublishConfig) -> crate::stage::PublishStage {
    let store_config = copydesk_store::StoreConfig::sqlite(state_dir.join("state.db"));
    let store = copydesk_store::Store::open(&store_config).await.expect("store");
    crate::stage::PublishStage::new(config, store, &store_config, "t.events".into()).expect("stage")
}

/// Run one message through the stage outside the broker.
pub async fn deliver(stage: &crate::stage::PublishStage, msg: &StorySummarized) -> Result<copydesk_types::StoryPublished, copydesk_runtime::HandlerError> {
    stage.deliver(msg, &copydesk_runtime::Incoming::new(Vec::new())).await
}

/// A kill (canceled) of `guid` at `version`, optionally referring to another story.
pub fn kill(guid: &str, version: u64, refers_to: Option<&str>) -> StorySummarized {
    let mut msg = summarized(guid, version);
    msg.story.pub_status = copydesk_types::PubStatus::Canceled;
    msg.story.signals.refers_to = refers_to.map(str::to_string);
    msg.summary = None;
    msg
}
