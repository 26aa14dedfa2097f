//! LLM mode against a real OpenAI-compatible server (`make llm-up`, then `make test-llm`).
//! Skipped unless COPYDESK_LLM_BASE_URL points at a running server.

use copydesk_llm::{LlmClient, LlmConfig};
use copydesk_summarize::llm::FALLBACK_ENGINE;
use copydesk_summarize::{EngineKind, LlmSummarizer, SummarizeConfig};
use copydesk_types::Entities;
use std::sync::atomic::Ordering;

mod common;

fn live_config() -> Option<LlmConfig> {
    let Ok(base_url) = std::env::var("COPYDESK_LLM_BASE_URL") else {
        eprintln!(
            "skipped: COPYDESK_LLM_BASE_URL is not set; run `make llm-up` then `make test-llm`"
        );
        return None;
    };
    Some(LlmConfig {
        base_url,
        model: std::env::var("COPYDESK_LLM_MODEL").unwrap_or_else(|_| "smollm2".into()),
        api_key_env: "COPYDESK_LLM_API_KEY".into(),
        timeout_ms: 300_000,
        max_retries: 1,
        max_tokens: Some(700),
        ..LlmConfig::default()
    })
}

#[tokio::test]
async fn the_live_server_answers_schema_constrained_json() {
    let Some(cfg) = live_config() else { return };
    let client = LlmClient::new(cfg).expect("client");
    let schema = serde_json::json!({
        "type": "object",
        "properties": {"city": {"type": "string"}},
        "required": ["city"]
    });
    let reply = client
        .chat_json(
            "Answer with JSON only.",
            "Which city is named in: 'The ferry left Bergen at noon.'?",
            Some(&schema),
        )
        .await
        .expect("the server answers");
    let value = reply.json().expect("constrained output parses as JSON");
    assert!(value.get("city").is_some_and(|c| c.is_string()), "{value}");
    assert!(
        reply.prompt_tokens > 0 && reply.completion_tokens > 0,
        "usage is reported: {reply:?}"
    );
    eprintln!("live JSON answer: {value}");
}

#[tokio::test]
async fn a_live_summary_is_validated_then_used_or_replaced_by_the_builtin_and_cached() {
    let Some(llm) = live_config() else { return };
    let cache = tempfile::tempdir().expect("tempdir");
    let cfg = SummarizeConfig {
        engine: EngineKind::Llm,
        llm,
        cache_dir: Some(cache.path().to_path_buf()),
        ..SummarizeConfig::default()
    };
    let engine = LlmSummarizer::new(&cfg).expect("engine");
    let story = common::harbour_story();

    let first = engine
        .summarize(&story, &Entities::default())
        .await
        .expect("a summary, from the model or the fallback");
    let stats = engine.stats();
    let (accepted, fallbacks, rejected) = (
        stats.accepted.load(Ordering::Relaxed),
        stats.fallbacks.load(Ordering::Relaxed),
        stats.rejected_answers.load(Ordering::Relaxed),
    );
    let usage = engine.llm_metrics().snapshot();
    eprintln!(
        "engine={} accepted={accepted} rejected={rejected} fallbacks={fallbacks} usage={usage:?}",
        first.engine
    );
    assert_eq!(accepted + fallbacks, 1, "exactly one outcome per story");
    assert!(
        first.engine == FALLBACK_ENGINE || first.engine.starts_with("llm:"),
        "{}",
        first.engine
    );
    if first.engine == FALLBACK_ENGINE {
        assert_eq!(
            rejected, 2,
            "a failed answer is retried once before falling back"
        );
    }
    assert!(
        usage.requests >= 1 && usage.prompt_tokens > 0 && usage.completion_tokens > 0,
        "{usage:?}"
    );
    assert!(
        first.article.sections.len() >= 3 && first.article.word_count() >= 300,
        "published summary meets the structure rules"
    );

    let again = engine
        .summarize(&story, &Entities::default())
        .await
        .expect("replay");
    assert_eq!(again, first, "a replay is served from the cache");
    assert_eq!(
        engine.llm_metrics().snapshot().requests,
        usage.requests,
        "the replay cost no request"
    );
    assert_eq!(stats.cache_hits.load(Ordering::Relaxed), 1);
}
