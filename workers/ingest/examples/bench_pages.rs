//! Teasers to full stories through the whole ingest stage, timed: the benchmark's dev pages
//! (read from `DIR`, never copied) are served on 127.0.0.1, a feed links one teaser to each,
//! and the stage fetches, decodes, extracts, dedups (SQLite) and builds every message.
//!
//! `cargo run --release -p copydesk-ingest --example bench_pages -- ../shared/data/extraction`
//!
//! Politeness is off for the run (no per-host delay, 8 requests per host) so the figure is the
//! stage's own cost; with the defaults a single site is fetched at one page per second. The
//! CPU time is the whole process's, the local server included.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

use axum::extract::Path as UrlPath;
use axum::http::header;
use copydesk_article::FetchConfig;
use copydesk_ingest::stage::{Deliver, Delivered, IngestStage, Receipt};
use copydesk_ingest::{IngestConfig, IngestStats, Origin};
use copydesk_runtime::Output;
use copydesk_store::{Store, StoreConfig};
use futures::future::BoxFuture;

/// Confirms everything, counts it and notes the stories that kept their teaser.
#[derive(Default)]
struct Counting(AtomicUsize, std::sync::Mutex<Vec<serde_json::Value>>);

impl Deliver for Counting {
    fn deliver(&self, output: Output<Receipt>) -> BoxFuture<'_, Delivered> {
        Box::pin(async move {
            self.0.fetch_add(output.emits.len(), Ordering::Relaxed);
            for emit in &output.emits {
                let Ok(env) = copydesk_types::Envelope::<copydesk_types::StoryIngested>::from_json(&emit.message.body) else { continue };
                let s = env.payload.story;
                if let Some(page) = s.page.filter(|p| p.outcome == copydesk_types::PageOutcome::Teaser) {
                    if let Ok(mut kept) = self.1.lock() {
                        kept.push(serde_json::json!({"story": s.headline, "reason": page.reason, "words": page.words, "detail": page.detail}));
                    }
                }
            }
            Delivered { confirmed: output.emits.into_iter().filter_map(|e| e.receipt).collect(), error: None }
        })
    }
}

/// User + system CPU seconds of this process, from /proc (Linux).
fn process_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

/// Peak resident memory in MB (VmHWM).
fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: f64 = status.lines().find(|l| l.starts_with("VmHWM:"))?.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let dir = std::env::args().nth(1).unwrap_or_else(|| "../shared/data/extraction".into());
    let pages = copydesk_article::eval::load_pages(std::path::Path::new(&dir))?;
    let served: Arc<std::collections::HashMap<String, String>> = Arc::new(pages.iter().map(|p| (p.key.clone(), p.html.clone())).collect());
    let app = axum::Router::new().route(
        "/p/{key}",
        axum::routing::get(move |UrlPath(key): UrlPath<String>| {
            let served = served.clone();
            async move { ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], served.get(&key).cloned().unwrap_or_default()) }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, app).await });

    let items: String = pages
        .iter()
        .map(|p| format!("<item><title>Page {}</title><guid>bench-{}</guid><link>{base}/p/{}</link><description>A teaser of one sentence for this page.</description></item>", p.key, p.key, p.key))
        .collect();
    let feed = format!(r#"<?xml version="1.0"?><rss version="2.0"><channel><title>Bench</title>{items}</channel></rss>"#);

    let tmp = tempfile::tempdir()?;
    let fetch = FetchConfig { allow_hosts: vec!["127.0.0.1".into()], per_host_min_delay_ms: 0, per_host_concurrency: 8, respect_robots: false, ..FetchConfig::default() };
    let cfg = IngestConfig { drop_dir: tmp.path().join("inbox"), fetch, ..IngestConfig::default() };
    let store = Store::open(&StoreConfig::sqlite(tmp.path().join("state.db"))).await?;
    let stats = Arc::new(IngestStats::default());
    let stage = IngestStage::new(cfg, store, "bench.events".into(), 16 << 20, stats.clone());
    let sink = Counting::default();

    let (cpu0, t0) = (process_cpu_seconds(), Instant::now());
    stage.ingest(feed.clone().into_bytes(), Origin::Feed { name: "bench", source: None }, &sink).await?;
    let (wall, cpu) = (t0.elapsed().as_secs_f64(), process_cpu_seconds().zip(cpu0).map(|(b, a)| b - a));
    let (t1, cpu1) = (Instant::now(), process_cpu_seconds());
    let again = stage.ingest(feed.into_bytes(), Origin::Feed { name: "bench", source: None }, &sink).await?;
    let (wall_again, cpu_again) = (t1.elapsed().as_secs_f64(), process_cpu_seconds().zip(cpu1).map(|(b, a)| b - a));

    let s = stats.snapshot();
    let n = pages.len() as f64;
    let report = serde_json::json!({
        "pages": pages.len(),
        "stories": sink.0.load(Ordering::Relaxed),
        "full_text": s.articles_full_text,
        "teasers_kept": {"paywalled": s.teasers_paywalled, "too_short": s.teasers_too_short, "failed": s.teasers_fetch_failed},
        "first_pass": {"seconds": wall, "pages_per_sec": n / wall, "cpu_seconds": cpu, "pages_per_cpu_sec": cpu.map(|c| n / c.max(1e-9))},
        "second_pass_all_duplicates": {"duplicates": again.duplicates.len(), "seconds": wall_again, "cpu_seconds": cpu_again},
        "peak_rss_mb": peak_rss_mb(),
        "kept_teasers": sink.1.lock().map(|k| k.clone()).unwrap_or_default(),
    });
    println!("{}", serde_json::to_string_pretty(&report)?);
    Ok(())
}
