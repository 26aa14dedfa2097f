//! Section mode against a scripted server: each passage is rewritten alone, checked by the
//! guard, and a rejected rewrite falls back to the built-in passage alone.

use copydesk_llm::testing::{ok, serve};
use copydesk_summarize::{BuiltinSummarizer, LlmSummarizer, SummarizeConfig};
use copydesk_types::Entities;
use std::sync::atomic::Ordering;

mod common;

fn config(base_url: &str) -> SummarizeConfig {
    common::llm_config(base_url)
}

#[tokio::test]
async fn a_rejected_passage_falls_back_alone_and_the_engine_label_says_so() {
    let story = common::harbour_story();
    let builtin = BuiltinSummarizer::new().summarize_sync(&story, &Entities::default());
    let sections = &builtin.article.sections;
    assert!(sections.len() >= 2, "the test story makes sections");
    // The lead reworded faithfully (same facts, new order); the first paragraph of the first
    // section gains an invented person; every other paragraph comes back as it was (faithful).
    let lead = format!("On Tuesday, after three years of talks with shipping lines and residents, {}", "the Bergen Harbour Authority approved a 2.4 billion crown expansion of the container port.");
    let mut script = vec![ok(&lead)];
    for (i, section) in sections.iter().enumerate() {
        for (k, p) in section.paragraphs.iter().enumerate() {
            script.push(ok(&if i == 0 && k == 0 {
                format!("{p} Dr. Emily Fox of the National Security Committee welcomed it.")
            } else {
                p.clone()
            }));
        }
    }
    let n = script.len();
    let server = serve(script).await;
    let engine = LlmSummarizer::new(&config(&server.base_url)).expect("engine");
    let out = engine
        .summarize(&story, &Entities::default())
        .await
        .expect("summary");

    assert_eq!(
        out.article.lead, lead,
        "the faithful rewrite of the lead is used"
    );
    assert_eq!(
        out.article.sections[0], sections[0],
        "the invented person sends that paragraph back to the built-in text"
    );
    assert_eq!(
        out.engine,
        format!(
            "llm:test-model ({}/{n} passages; rest builtin-extractive-v1)",
            n - 1
        )
    );
    assert_eq!(engine.stats().rejected_answers.load(Ordering::Relaxed), 1);
    let requests = server.requests.lock().expect("requests").clone();
    assert_eq!(requests.len(), n, "one short prompt per passage");
    assert!(
        !requests[0].contains("response_format"),
        "plain text is asked for: {}",
        requests[0]
    );
}

#[tokio::test]
async fn when_every_passage_is_rejected_the_article_is_the_builtin_one_labelled_as_fallback() {
    let story = common::harbour_story();
    let builtin = BuiltinSummarizer::new().summarize_sync(&story, &Entities::default());
    let n = 1 + builtin
        .article
        .sections
        .iter()
        .map(|s| s.paragraphs.len())
        .sum::<usize>();
    let server = serve(
        (0..n)
            .map(|_| ok("Officials in Oslo said 90 percent of ships will leave."))
            .collect(),
    )
    .await;
    let engine = LlmSummarizer::new(&config(&server.base_url)).expect("engine");
    let out = engine
        .summarize(&story, &Entities::default())
        .await
        .expect("summary");
    assert_eq!(out.article, builtin.article);
    assert_eq!(out.engine, copydesk_summarize::llm::FALLBACK_ENGINE);
    assert!(!out.engine.contains("original"));
}
