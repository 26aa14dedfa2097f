//! `copydesk process FILE`: all four stages in this process, no broker, for trying Copydesk on
//! one document.

use anyhow::Context;
use copydesk_extract::Extractor;
use copydesk_ingest::{parse_document, IngestConfig, Parsed};
use copydesk_runtime::config::Layers;
use copydesk_summarize::Summarizer;
use std::path::Path;

/// Parse, extract, summarize and print every story in `file`.
pub async fn process(layers: &Layers, file: &Path, json: bool) -> anyhow::Result<()> {
    let ingest: IngestConfig = layers.section("ingest")?;
    let extractor =
        copydesk_extract::build(&layers.section("extract")?).context("load the entity engine")?;
    let summarizer =
        copydesk_summarize::build(&layers.section("summarize")?).context("load the summarizer")?;
    let bytes = std::fs::read(file).with_context(|| format!("read {}", file.display()))?;
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let items = parse_document(&bytes, &name, &ingest).map_err(|e| anyhow::anyhow!("{e}"))?;
    let items = copydesk_ingest::stage::namespaced(
        items,
        copydesk_ingest::Origin::Document { name: &name },
    );
    let mut results = Vec::new();
    for item in items {
        let story = match item {
            Parsed::Story(story) => story,
            Parsed::Skipped { id, reason } => {
                results.push(serde_json::json!({ "skipped": { "id": id, "reason": reason } }));
                if !json {
                    println!("skipped {}: {reason}", id.as_deref().unwrap_or("item"));
                }
                continue;
            }
        };
        if story.is_kill() {
            if !json {
                println!(
                    "kill: {} v{} ({:?}) would be retracted by publish",
                    story.guid, story.version, story.pub_status
                );
            }
            results.push(serde_json::json!({ "story": story, "action": "retract" }));
            continue;
        }
        let entities = extractor
            .extract(&story)
            .await
            .map_err(|e| anyhow::anyhow!("extract {}: {e}", story.guid))?;
        let summary = summarizer
            .summarize(&story, &entities)
            .await
            .map_err(|e| anyhow::anyhow!("summarize {}: {e}", story.guid))?;
        let markdown = copydesk_render::article_markdown(&summary.headline, &summary.article);
        if !json {
            println!("{markdown}");
            println!(
                "---\nslug: {}\nmeta: {}\nfocus keyphrase: {}\nkeywords: {}\nentities: {}\n",
                summary.slug,
                summary.meta_description,
                summary.focus_keyphrase.as_deref().unwrap_or("-"),
                summary.keywords.join(", "),
                entities
                    .entities
                    .iter()
                    .take(12)
                    .map(|e| format!("{} ({})", e.canonical, e.kind.label()))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        results.push(serde_json::json!({ "story": story, "entities": entities, "summary": summary, "article_markdown": markdown }));
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&results)?);
    }
    Ok(())
}

/// Parse and extract every story in `files`, then write one event article from them
/// (`copydesk process --event A B C`): what the pipeline publishes when the stories are
/// clustered into one event.
pub async fn process_event(
    layers: &Layers,
    files: &[std::path::PathBuf],
    json: bool,
) -> anyhow::Result<()> {
    let ingest: IngestConfig = layers.section("ingest")?;
    let extractor =
        copydesk_extract::build(&layers.section("extract")?).context("load the entity engine")?;
    let mut stories = Vec::new();
    for file in files {
        let bytes = std::fs::read(file).with_context(|| format!("read {}", file.display()))?;
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let items = parse_document(&bytes, &name, &ingest).map_err(|e| anyhow::anyhow!("{e}"))?;
        for item in copydesk_ingest::stage::namespaced(
            items,
            copydesk_ingest::Origin::Document { name: &name },
        ) {
            match item {
                Parsed::Story(story) => stories.push(story),
                Parsed::Skipped { id, reason } => {
                    eprintln!("skipped {}: {reason}", id.as_deref().unwrap_or("item"))
                }
            }
        }
    }
    let mut entities = Vec::with_capacity(stories.len());
    for story in &stories {
        entities.push(
            extractor
                .extract(story)
                .await
                .map_err(|e| anyhow::anyhow!("extract {}: {e}", story.guid))?,
        );
    }
    let members: Vec<copydesk_summarize::EventMember<'_>> = stories
        .iter()
        .zip(&entities)
        .map(|(s, e)| copydesk_summarize::EventMember::new(s, e))
        .collect();
    let summary = copydesk_summarize::summarize_event(&members)
        .map_err(|e| anyhow::anyhow!("event article: {e}"))?;
    let markdown = copydesk_render::article_markdown(&summary.headline, &summary.article);
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(
                &serde_json::json!({ "members": stories.iter().map(|s| &s.guid).collect::<Vec<_>>(), "summary": summary, "article_markdown": markdown })
            )?
        );
    } else {
        println!("{markdown}");
        println!(
            "---\nslug: {}\nmeta: {}\nfocus keyphrase: {}\nkeywords: {}\nsources: {}\n",
            summary.slug,
            summary.meta_description,
            summary.focus_keyphrase.as_deref().unwrap_or("-"),
            summary.keywords.join(", "),
            stories
                .iter()
                .map(|s| format!(
                    "{} ({})",
                    s.source
                        .as_deref()
                        .or(s.dateline.as_deref().and_then(dateline_credit))
                        .unwrap_or("?"),
                    s.guid
                ))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    Ok(())
}

/// The agency credit in a dateline: "Copydesk" in "GDANSK, Poland (Copydesk) —".
fn dateline_credit(dateline: &str) -> Option<&str> {
    let open = dateline.rfind('(')?;
    let close = open + dateline[open..].find(')')?;
    Some(dateline[open + 1..close].trim()).filter(|c| !c.is_empty())
}

/// `copydesk feeds`: the health of every configured feed, from the state ingest-worker keeps in
/// the state store. No broker, no network beyond the store.
pub async fn feeds(layers: &Layers, json: bool) -> anyhow::Result<()> {
    let ingest: IngestConfig = layers.section("ingest")?;
    let store = copydesk_store::Store::open(&layers.section("store")?).await?;
    let reports = copydesk_ingest::feed_reports(&ingest, &store, chrono::Utc::now()).await;
    if json {
        println!("{}", serde_json::to_string_pretty(&reports)?);
        return Ok(());
    }
    if reports.is_empty() {
        println!("no feeds configured: add [[ingest.feeds]] tables (name, url) to the config");
        return Ok(());
    }
    let when = |t: Option<chrono::DateTime<chrono::Utc>>| {
        t.map_or("-".to_string(), |t| {
            t.format("%Y-%m-%d %H:%M:%SZ").to_string()
        })
    };
    println!(
        "{:<20} {:<13} {:<21} {:<21} {:>8}  {:<24} last error",
        "feed", "health", "last success", "last new item", "failures", "polled by"
    );
    for r in &reports {
        let s = &r.state;
        let error = s.last_error.as_deref().unwrap_or("-");
        let by = r.polled_by.as_deref().unwrap_or("-");
        println!(
            "{:<20} {:<13} {:<21} {:<21} {:>8}  {by:<24} {error}",
            r.name,
            r.health,
            when(s.last_success),
            when(s.last_new_item),
            s.consecutive_failures
        );
    }
    Ok(())
}
