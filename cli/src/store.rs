//! `copydesk store ...`: the shared state store (SQLite or PostgreSQL, `[store]`).

use clap::Subcommand;
use copydesk_runtime::config::Layers;
use copydesk_store::{Store, StoreConfig};

/// What to do with the store.
#[derive(Subcommand)]
pub enum StoreAction {
    /// Apply the embedded schema migrations (workers do it at start too) and list them.
    Migrate,
    /// Which store this is and how much it holds.
    Status {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Import, once, the state files of versions before the store: the ingest dedup log and
    /// feed state files (paths from `[ingest]`). Safe to run twice.
    Import,
}

/// Run a `store` subcommand.
pub async fn run(layers: &Layers, action: StoreAction) -> anyhow::Result<()> {
    let config: StoreConfig = layers.section("store")?;
    match action {
        StoreAction::Migrate => {
            let store = Store::connect(&config).await?;
            store.migrate().await?;
            for (version, description, applied) in store.migrations().await? {
                println!(
                    "{version:>4} {description:<40} {}",
                    if applied { "applied" } else { "pending" }
                );
            }
            println!(
                "{} store at {} is up to date",
                store.backend().as_str(),
                store.location()
            );
        }
        StoreAction::Status { json } => {
            let store = Store::open(&config).await?;
            let seen = store.seen_count().await?;
            let recent = store.ledger_recent(10).await?;
            if json {
                let rows: Vec<serde_json::Value> = recent
                    .iter()
                    .map(|(r, at)| serde_json::json!({"story_id": r.story_id, "published_version": r.published_version, "killed_version": r.killed_version, "withheld_version": r.withheld_version, "slug": r.slug, "updated_at_ms": at}))
                    .collect();
                println!(
                    "{}",
                    serde_json::to_string_pretty(
                        &serde_json::json!({"backend": store.backend().as_str(), "location": store.location(), "ingest_seen": seen, "recent": rows})
                    )?
                );
            } else {
                println!(
                    "{} store at {}: {seen} stories remembered by ingest",
                    store.backend().as_str(),
                    store.location()
                );
                for (r, _) in recent {
                    let state = if r.killed_version > 0 {
                        format!("killed (v{})", r.killed_version)
                    } else if r.withheld_version >= r.published_version && r.withheld_version > 0 {
                        format!("withheld (v{})", r.withheld_version)
                    } else {
                        format!("published v{}", r.published_version)
                    };
                    println!("  {:<48} {state}", r.story_id);
                }
            }
        }
        StoreAction::Import => {
            let store = Store::open(&config).await?;
            let ingest: copydesk_ingest::IngestConfig = layers.section("ingest")?;
            let imported = copydesk_ingest::legacy::import(&ingest, &store).await?;
            println!(
                "imported {} dedup record(s) ({} unreadable line(s) skipped) and {} feed state(s) into the {} store at {}",
                imported.dedup,
                imported.unreadable,
                imported.feeds,
                store.backend().as_str(),
                store.location()
            );
        }
    }
    Ok(())
}
