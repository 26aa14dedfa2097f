//! Commands that talk to RabbitMQ.

use anyhow::Context;
use clap::Subcommand;
use copydesk_runtime::config::Settings;
use copydesk_runtime::ops::{self, Selection};
use copydesk_runtime::{broker, Outgoing, Publisher};
use copydesk_types::names::{self, Names};
use copydesk_types::Stage;
use std::path::PathBuf;

/// `copydesk dlq ...`.
#[derive(Subcommand)]
pub enum DlqAction {
    /// List dead-lettered messages with their reasons.
    List {
        /// Only this stage (ingest, extract, summarize, publish).
        #[arg(long, value_parser = Stage::parse)]
        stage: Option<Stage>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Show one dead letter in full: headers and body.
    Show {
        /// The id from `dlq list`.
        id: String,
    },
    /// Republish dead letters to the stage they failed in, attempts reset. Each is removed from
    /// the dead-letter queue only after the broker confirmed the republish.
    Replay {
        /// Replay every dead letter (of --stage, or of all stages).
        #[arg(long, conflicts_with = "id", required_unless_present = "id")]
        all: bool,
        /// Replay these ids (repeatable).
        #[arg(long)]
        id: Vec<String>,
        /// Only this stage.
        #[arg(long, value_parser = Stage::parse)]
        stage: Option<Stage>,
        /// Show what would be replayed without doing it.
        #[arg(long)]
        dry_run: bool,
    },
    /// Delete dead letters for good: all (of --stage), or only the ids given.
    Purge {
        /// Only this stage.
        #[arg(long, value_parser = Stage::parse)]
        stage: Option<Stage>,
        /// Only these ids (repeatable); without it, the whole dead-letter queue.
        #[arg(long)]
        id: Vec<String>,
        /// Required: purging deletes messages and cannot be undone.
        #[arg(long)]
        yes: bool,
    },
}

async fn connect(settings: &Settings) -> anyhow::Result<lapin::Connection> {
    Ok(broker::connect(&settings.amqp, "copydesk-cli").await?)
}

/// `copydesk topology declare`.
pub async fn topology_declare(settings: &Settings) -> anyhow::Result<()> {
    let conn = connect(settings).await?;
    let publisher = Publisher::new(&conn, settings.amqp.max_message_bytes).await?;
    let names = Names::new(settings.amqp.namespace.clone());
    broker::declare_topology(publisher.channel(), &names, &settings.retry).await?;
    println!(
        "topology declared for namespace '{}': exchange {}, queues for {} stages",
        names.namespace,
        names.events_exchange(),
        Stage::ALL.len()
    );
    Ok(())
}

/// `copydesk topology check`.
pub async fn topology_check(settings: &Settings, json: bool) -> anyhow::Result<()> {
    let conn = connect(settings).await?;
    let names = Names::new(settings.amqp.namespace.clone());
    let checks = copydesk_runtime::migrate::check(&conn, &names, &settings.retry).await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&checks)?);
    } else {
        for c in &checks {
            println!(
                "{:<10} {}{}",
                c.state,
                c.queue,
                c.detail
                    .as_deref()
                    .map(|d| format!("  ({d})"))
                    .unwrap_or_default()
            );
        }
    }
    let wrong = checks.iter().filter(|c| c.state != "ok").count();
    if wrong > 0 {
        anyhow::bail!("{wrong} queue(s) differ from this version's topology; `copydesk topology declare` creates missing ones, `copydesk topology migrate` empties legacy retry tiers, and a queue whose arguments differ must be deleted (when empty) and declared again");
    }
    println!(
        "the broker matches this version's topology for namespace '{}'",
        names.namespace
    );
    Ok(())
}

/// `copydesk topology migrate`.
pub async fn topology_migrate(settings: &Settings) -> anyhow::Result<()> {
    let conn = connect(settings).await?;
    let publisher = Publisher::new(&conn, settings.amqp.max_message_bytes).await?;
    let names = Names::new(settings.amqp.namespace.clone());
    broker::declare_topology(publisher.channel(), &names, &settings.retry).await?;
    let moved = copydesk_runtime::migrate::migrate(&conn, &publisher, &names).await?;
    if moved.is_empty() {
        println!(
            "no legacy retry tiers in namespace '{}': nothing to migrate",
            names.namespace
        );
    }
    for (queue, count) in &moved {
        println!("moved {count} message(s) from {queue} to its work queue and deleted it");
    }
    Ok(())
}

/// `copydesk status`.
pub async fn status(settings: &Settings, json: bool) -> anyhow::Result<()> {
    let conn = connect(settings).await?;
    let names = Names::new(settings.amqp.namespace.clone());
    let tiers = broker::retry_tiers(&settings.retry).len();
    let mut rows = ops::status(&conn, &names, tiers).await?;
    let unacked = management_unacked(settings, &names).await;
    for row in &mut rows {
        row.unacked = unacked
            .as_ref()
            .and_then(|m| m.get(&names.stage_queue(row.stage)).copied());
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&rows)?);
        return Ok(());
    }
    let show = |v: Option<u64>| v.map(|v| v.to_string()).unwrap_or_else(|| "-".into());
    println!("namespace {}", names.namespace);
    println!(
        "{:<10} {:>8} {:>8} {:>9} {:>9} {:>10}",
        "stage", "ready", "unacked", "retrying", "dead", "consumers"
    );
    for r in &rows {
        println!(
            "{:<10} {:>8} {:>8} {:>9} {:>9} {:>10}",
            r.stage.as_str(),
            show(r.ready.map(u64::from)),
            show(r.unacked),
            r.retrying,
            show(r.dead_lettered.map(u64::from)),
            show(r.consumers.map(u64::from)),
        );
    }
    if rows.iter().all(|r| r.ready.is_none()) {
        println!("no queues found: run `copydesk topology declare` (or start a worker) for this namespace");
    }
    if unacked.is_none() {
        println!("(unacked needs the RabbitMQ management API at amqp.management_url: `rabbitmq-plugins enable rabbitmq_management`)");
    }
    Ok(())
}

/// Unacked counts per queue from the management API, when it answers.
pub(crate) async fn management_unacked(
    settings: &Settings,
    names: &Names,
) -> Option<std::collections::HashMap<String, u64>> {
    let base = secrecy::ExposeSecret::expose_secret(&settings.amqp.management_url)
        .trim_end_matches('/')
        .to_string();
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(3))
        .build()
        .ok()?;
    let url = reqwest::Url::parse(&format!("{base}/api/queues")).ok()?;
    let (user, pass) = (
        url.username().to_string(),
        url.password().unwrap_or("").to_string(),
    );
    let mut clean = url.clone();
    let _ = clean.set_username("");
    let _ = clean.set_password(None);
    let queues: Vec<serde_json::Value> = client
        .get(clean)
        .basic_auth(user, Some(pass))
        .send()
        .await
        .ok()?
        .json()
        .await
        .ok()?;
    let prefix = format!("{}.", names.namespace);
    Some(
        queues
            .iter()
            .filter_map(|q| {
                let name = q.get("name")?.as_str()?;
                name.starts_with(&prefix).then(|| {
                    (
                        name.to_string(),
                        q.get("messages_unacknowledged")
                            .and_then(|v| v.as_u64())
                            .unwrap_or(0),
                    )
                })
            })
            .collect(),
    )
}

/// `copydesk ingest FILE...`: each file is sent as a raw document to ingest-worker.
pub async fn ingest(settings: &Settings, files: &[PathBuf]) -> anyhow::Result<()> {
    let conn = connect(settings).await?;
    let publisher = Publisher::new(&conn, settings.amqp.max_message_bytes).await?;
    let names = Names::new(settings.amqp.namespace.clone());
    let mut failed = 0;
    for (i, file) in files.iter().enumerate() {
        let body = match std::fs::read(file) {
            Ok(body) => body,
            Err(e) => {
                eprintln!("skipped {}: cannot read it: {e}", file.display());
                failed += 1;
                continue;
            }
        };
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut message = Outgoing::to_queue("", body).header(names::H_FILENAME, &name);
        message.exchange = names.events_exchange();
        message.routing_key = names::RK_DOCUMENT_RECEIVED.into();
        message.message_id = Some(format!(
            "doc-{}",
            copydesk_types::story::checksum(&message.body)
        ));
        publisher
            .publish_confirmed(&[message])
            .await
            .with_context(|| {
                format!(
                    "send {} (is the topology declared? `copydesk topology declare`)",
                    file.display()
                )
            })?;
        println!("[{}/{}] sent {}", i + 1, files.len(), file.display());
    }
    if failed > 0 {
        anyhow::bail!("{failed} of {} files could not be read", files.len());
    }
    Ok(())
}

/// `copydesk dlq ...`.
pub async fn dlq(settings: &Settings, action: DlqAction) -> anyhow::Result<()> {
    let conn = connect(settings).await?;
    let names = Names::new(settings.amqp.namespace.clone());
    match action {
        DlqAction::List { stage, json } => {
            let letters = ops::dlq_list(&conn, &names, stage).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&letters)?);
            } else if letters.is_empty() {
                println!("no dead letters");
            } else {
                for d in &letters {
                    println!(
                        "{}  stage={} story={} v{} class={} attempts={} at={}\n    {}",
                        d.id,
                        d.stage,
                        d.story_id.as_deref().unwrap_or("?"),
                        d.story_version.as_deref().unwrap_or("?"),
                        d.error_class,
                        d.attempts
                            .map(|a| a.to_string())
                            .unwrap_or_else(|| "?".into()),
                        d.failed_at.as_deref().unwrap_or("?"),
                        d.error
                    );
                }
                println!("{} dead letter(s); `copydesk dlq replay --all` republishes them once the cause is fixed", letters.len());
            }
        }
        DlqAction::Show { id } => match ops::dlq_show(&conn, &names, &id).await? {
            Some(detail) => println!("{}", serde_json::to_string_pretty(&detail)?),
            None => anyhow::bail!("no dead letter with id {id}; `copydesk dlq list` shows the ids"),
        },
        DlqAction::Replay {
            all,
            id,
            stage,
            dry_run,
        } => {
            let publisher = Publisher::new(&conn, settings.amqp.max_message_bytes).await?;
            let selection = if all {
                Selection::All
            } else {
                Selection::Ids(id.clone())
            };
            let replayed =
                ops::dlq_replay(&conn, &publisher, &names, stage, &selection, dry_run).await?;
            let verb = if dry_run { "would replay" } else { "replayed" };
            for d in &replayed {
                println!(
                    "{verb} {} (stage {}, story {})",
                    d.id,
                    d.stage,
                    d.story_id.as_deref().unwrap_or("?")
                );
            }
            println!("{verb} {} message(s)", replayed.len());
            if let Selection::Ids(ids) = &selection {
                let missing: Vec<&String> = ids
                    .iter()
                    .filter(|i| !replayed.iter().any(|d| &d.id == *i))
                    .collect();
                if !missing.is_empty() {
                    anyhow::bail!("not found in the dead-letter queues: {missing:?}");
                }
            }
        }
        DlqAction::Purge { stage, id, yes } => {
            if !yes {
                anyhow::bail!("purging deletes dead letters for good; run again with --yes to confirm (or replay them with `copydesk dlq replay`)");
            }
            if !id.is_empty() {
                let removed =
                    ops::dlq_remove(&conn, &names, stage, &Selection::Ids(id.clone())).await?;
                for d in &removed {
                    println!(
                        "purged {} (stage {}, story {})",
                        d.id,
                        d.stage,
                        d.story_id.as_deref().unwrap_or("?")
                    );
                }
                let missing: Vec<&String> = id
                    .iter()
                    .filter(|i| !removed.iter().any(|d| &d.id == *i))
                    .collect();
                if !missing.is_empty() {
                    anyhow::bail!("not found in the dead-letter queues: {missing:?}");
                }
                return Ok(());
            }
            for (stage, n) in ops::dlq_purge(&conn, &names, stage).await? {
                println!("purged {n} from {}", names.dead_letter_queue(stage));
            }
        }
    }
    Ok(())
}
