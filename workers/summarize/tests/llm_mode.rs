//! LLM mode against a scripted local server: validation, retry once, fallback, cache.

use copydesk_llm::testing::{ok, serve, status};
use copydesk_summarize::llm::FALLBACK_ENGINE;
use copydesk_summarize::{
    BuiltinSummarizer, LlmMode, LlmSummarizer, SummarizeConfig, SummarizeError,
};
use copydesk_types::{Entities, Story};
use std::sync::atomic::Ordering;

mod common;

fn config(base_url: &str, cache: Option<&std::path::Path>) -> SummarizeConfig {
    SummarizeConfig {
        cache_dir: cache.map(|p| p.to_path_buf()),
        llm_mode: LlmMode::Article,
        ..common::llm_config(base_url)
    }
}

/// A faithful, well-formed answer: the built-in article re-expressed as the model's JSON.
fn faithful_answer(story: &Story) -> String {
    let s = BuiltinSummarizer::new().summarize_sync(story, &Entities::default());
    serde_json::json!({
        "brief": s.brief,
        "headline": s.headline,
        "meta_description": s.meta_description,
        "lead": s.article.lead,
        "sections": s.article.sections,
    })
    .to_string()
}

/// An answer with bold text and a place the story never names.
fn unfaithful_answer() -> String {
    serde_json::json!({
        "brief": "The port in Trondheim grows.", "headline": "Port grows", "meta_description": "",
        "lead": "The **port** in Trondheim will grow by 90%.",
        "sections": [{"heading": "Introduction", "paragraphs": ["Short."]}],
    })
    .to_string()
}

#[tokio::test]
async fn a_faithful_answer_is_used_and_a_replay_is_served_from_the_cache() {
    let story = common::harbour_story();
    let server = serve(vec![ok(&faithful_answer(&story))]).await;
    let cache = tempfile::tempdir().expect("tempdir");
    let engine = LlmSummarizer::new(&config(&server.base_url, Some(cache.path()))).expect("engine");
    let first = engine
        .summarize(&story, &Entities::default())
        .await
        .expect("summary");
    assert_eq!(first.engine, "llm:test-model");
    let again = engine
        .summarize(&story, &Entities::default())
        .await
        .expect("replay");
    assert_eq!(again, first);
    assert_eq!(
        server.requests.lock().expect("lock").len(),
        1,
        "the replay paid nothing"
    );
    assert_eq!(engine.stats().cache_hits.load(Ordering::Relaxed), 1);
    let usage = engine.llm_metrics().snapshot();
    assert_eq!((usage.prompt_tokens, usage.completion_tokens), (11, 7));
}

#[tokio::test]
async fn a_rejected_answer_is_retried_once_with_the_reasons() {
    let story = common::harbour_story();
    let server = serve(vec![ok(&unfaithful_answer()), ok(&faithful_answer(&story))]).await;
    let engine = LlmSummarizer::new(&config(&server.base_url, None)).expect("engine");
    let summary = engine
        .summarize(&story, &Entities::default())
        .await
        .expect("summary");
    assert_eq!(summary.engine, "llm:test-model");
    assert_eq!(engine.stats().rejected_answers.load(Ordering::Relaxed), 1);
    let second_prompt = server.requests.lock().expect("lock")[1].clone();
    assert!(
        second_prompt.contains("previous answer was rejected")
            && second_prompt.contains("Trondheim"),
        "{second_prompt}"
    );
}

#[tokio::test]
async fn two_bad_answers_fall_back_to_the_builtin_engine_and_count_it() {
    let story = common::harbour_story();
    let server = serve(vec![ok(&unfaithful_answer()), ok("not json at all")]).await;
    let engine = LlmSummarizer::new(&config(&server.base_url, None)).expect("engine");
    let summary = engine
        .summarize(&story, &Entities::default())
        .await
        .expect("fallback summary");
    assert_eq!(summary.engine, FALLBACK_ENGINE);
    let builtin = BuiltinSummarizer::new().summarize_sync(&story, &Entities::default());
    assert_eq!(summary.article, builtin.article);
    assert_eq!(engine.stats().fallbacks.load(Ordering::Relaxed), 1);
    assert_eq!(engine.stats().rejected_answers.load(Ordering::Relaxed), 2);
    let metrics = copydesk_summarize::Engine::Llm(Box::new(engine)).render_prometheus("copydesk");
    assert!(
        metrics.contains("copydesk_summarize_llm_fallbacks_total 1"),
        "{metrics}"
    );
}

#[tokio::test]
async fn with_fallback_off_a_server_outage_is_a_transient_error() {
    let server = serve(vec![status(503, "down"), status(503, "down")]).await;
    let mut cfg = config(&server.base_url, None);
    cfg.fallback_on_error = false;
    let engine = LlmSummarizer::new(&cfg).expect("engine");
    let err = engine
        .summarize(&common::harbour_story(), &Entities::default())
        .await
        .expect_err("outage");
    assert!(
        matches!(err, SummarizeError::Llm(_)) && err.is_transient(),
        "{err}"
    );
}

#[test]
fn a_template_without_the_body_placeholder_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("prompt.txt");
    std::fs::write(&path, "Summarise {{headline}}").expect("write");
    let mut cfg = config("http://127.0.0.1:9/v1", None);
    cfg.prompt_template = Some(path);
    let err = LlmSummarizer::new(&cfg).expect_err("no body placeholder");
    assert!(err.to_string().contains("{{body}}"), "{err}");
}
