//! The overview's live figures: per stage ready, unacked, consumers, retrying, dead-lettered,
//! and the rates in and out.
//!
//! Depths and consumers come from passive declares (nothing is created), unacked from the
//! management API when it answers. Rates come from a tap: a private, exclusive, auto-deleted
//! queue bound to the events exchange with `#`, whose messages are counted per routing key and
//! dropped; a stage's rate in is the rate of the key it consumes, its rate out that of the key
//! it produces, over the last sampling period. The tap works without the management plugin.

use copydesk_runtime::config::Settings;
use copydesk_runtime::ops;
use copydesk_types::names::{self, Names};
use copydesk_types::Stage;
use futures::StreamExt;
use lapin::options::{BasicConsumeOptions, QueueBindOptions, QueueDeclareOptions};
use lapin::types::{AMQPValue, FieldTable};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tokio::sync::RwLock;

/// One stage's row.
#[derive(Debug, Clone, Serialize)]
pub struct StageRow {
    /// The stage.
    pub stage: String,
    /// Messages ready in its work queue (`None`: no queue).
    pub ready: Option<u32>,
    /// Delivered, not yet acked (management API only).
    pub unacked: Option<u64>,
    /// Consumers on the work queue.
    pub consumers: Option<u32>,
    /// Waiting in the retry tiers.
    pub retrying: u32,
    /// In the dead-letter queue.
    pub dead_lettered: Option<u32>,
    /// Messages per second routed to the stage, over the last period (`None` until two samples).
    pub rate_in: Option<f64>,
    /// Messages per second the stage produced.
    pub rate_out: Option<f64>,
}

/// The whole overview.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Overview {
    /// The namespace.
    pub namespace: String,
    /// When it was sampled.
    pub sampled_at: Option<String>,
    /// Where the unacked counts came from (`management API` or `unavailable`).
    pub unacked_from: String,
    /// Whether the rate tap is bound.
    pub rates_from: String,
    /// Per stage, in pipeline order.
    pub stages: Vec<StageRow>,
    /// The last error reading the broker, if the latest sample failed.
    pub error: Option<String>,
}

/// The routing keys a stage consumes and produces.
fn keys(stage: Stage) -> (&'static str, &'static str) {
    match stage {
        Stage::Ingest => (names::RK_DOCUMENT_RECEIVED, names::RK_STORY_INGESTED),
        Stage::Extract => (names::RK_STORY_INGESTED, names::RK_STORY_EXTRACTED),
        Stage::Summarize => (names::RK_STORY_EXTRACTED, names::RK_STORY_SUMMARIZED),
        Stage::Publish => (names::RK_STORY_SUMMARIZED, names::RK_STORY_PUBLISHED),
    }
}

type Counts = Arc<std::sync::Mutex<HashMap<String, Arc<AtomicU64>>>>;

/// Samples the broker every period; the handlers read the latest sample.
#[derive(Clone)]
pub struct Sampler {
    latest: Arc<RwLock<Overview>>,
}

impl Sampler {
    /// Start sampling every `period_secs`.
    pub async fn start(
        conn: Arc<lapin::Connection>,
        settings: &Settings,
        names: &Names,
        period_secs: u64,
    ) -> Sampler {
        let latest = Arc::new(RwLock::new(Overview {
            namespace: names.namespace.clone(),
            ..Default::default()
        }));
        let counts: Counts = Arc::default();
        let tapped = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let sampler = Sampler {
            latest: latest.clone(),
        };
        let (settings, names) = (settings.clone(), names.clone());
        tokio::spawn(async move {
            let mut previous: Option<(std::time::Instant, HashMap<String, u64>)> = None;
            loop {
                if !tapped.load(Ordering::Relaxed) {
                    match tap(&conn, &names, counts.clone(), tapped.clone()).await {
                        Ok(()) => tapped.store(true, Ordering::Relaxed),
                        Err(e) => tracing::debug!(error = %e, "rate tap not bound yet"),
                    }
                }
                let now = std::time::Instant::now();
                let snapshot: HashMap<String, u64> = counts
                    .lock()
                    .map(|c| {
                        c.iter()
                            .map(|(k, v)| (k.clone(), v.load(Ordering::Relaxed)))
                            .collect()
                    })
                    .unwrap_or_default();
                let rate = |key: &str| {
                    let (then, before) = previous.as_ref()?;
                    let dt = now.duration_since(*then).as_secs_f64();
                    let delta = snapshot
                        .get(key)
                        .copied()
                        .unwrap_or(0)
                        .saturating_sub(before.get(key).copied().unwrap_or(0));
                    (dt > 0.0).then(|| delta as f64 / dt)
                };
                let sample = sample(&conn, &settings, &names).await;
                let mut o = Overview {
                    namespace: names.namespace.clone(),
                    sampled_at: Some(
                        chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    ),
                    rates_from: if tapped.load(Ordering::Relaxed) {
                        "counted on the events exchange".into()
                    } else {
                        "unavailable (no events exchange yet)".into()
                    },
                    ..Default::default()
                };
                match sample {
                    Ok((rows, unacked)) => {
                        o.unacked_from = if unacked.is_some() {
                            "from the management API".into()
                        } else {
                            "– (the management API is not reachable)".into()
                        };
                        o.stages = rows
                            .into_iter()
                            .map(|r| {
                                let (input, output) = keys(r.stage);
                                StageRow {
                                    stage: r.stage.as_str().to_string(),
                                    ready: r.ready,
                                    unacked: unacked
                                        .as_ref()
                                        .and_then(|m| m.get(&names.stage_queue(r.stage)).copied()),
                                    consumers: r.consumers,
                                    retrying: r.retrying,
                                    dead_lettered: r.dead_lettered,
                                    rate_in: rate(input),
                                    rate_out: rate(output),
                                }
                            })
                            .collect();
                    }
                    Err(e) => o.error = Some(e),
                }
                *latest.write().await = o;
                previous = Some((now, snapshot));
                tokio::time::sleep(std::time::Duration::from_secs(period_secs)).await;
            }
        });
        sampler
    }

    /// The latest sample.
    pub async fn latest(&self) -> Overview {
        self.latest.read().await.clone()
    }
}

async fn sample(
    conn: &lapin::Connection,
    settings: &Settings,
    names: &Names,
) -> Result<(Vec<ops::StageStatus>, Option<HashMap<String, u64>>), String> {
    let tiers = copydesk_runtime::broker::retry_tiers(&settings.retry).len();
    let rows = ops::status(conn, names, tiers)
        .await
        .map_err(|e| e.to_string())?;
    let unacked = crate::broker::management_unacked(settings, names).await;
    Ok((rows, unacked))
}

/// Bind a private queue to the events exchange and count what passes, per routing key.
async fn tap(
    conn: &lapin::Connection,
    names: &Names,
    counts: Counts,
    tapped: Arc<std::sync::atomic::AtomicBool>,
) -> Result<(), lapin::Error> {
    let channel = conn.create_channel().await?;
    let mut args = FieldTable::default();
    // Bounded: if counting ever falls behind, the oldest copies go, never the broker's memory.
    args.insert("x-max-length".into(), AMQPValue::LongLongInt(10_000));
    let queue = channel
        .queue_declare(
            "".into(),
            QueueDeclareOptions {
                exclusive: true,
                auto_delete: true,
                ..Default::default()
            },
            args,
        )
        .await?;
    channel
        .queue_bind(
            queue.name().clone(),
            names.events_exchange().into(),
            "#".into(),
            QueueBindOptions::default(),
            FieldTable::default(),
        )
        .await?;
    let mut consumer = channel
        .basic_consume(
            queue.name().clone(),
            "copydesk-console-tap".into(),
            BasicConsumeOptions {
                no_ack: true,
                ..Default::default()
            },
            FieldTable::default(),
        )
        .await?;
    tokio::spawn(async move {
        let _channel = channel;
        while let Some(Ok(delivery)) = consumer.next().await {
            let key = delivery.routing_key.to_string();
            let counter = counts.lock().map(|mut c| c.entry(key).or_default().clone());
            if let Ok(counter) = counter {
                counter.fetch_add(1, Ordering::Relaxed);
            }
        }
        // The channel went away: bind a new tap on the next sample.
        tapped.store(false, Ordering::Relaxed);
    });
    Ok(())
}
