//! `make bench`, end to end: stories/s from inbox to published and p50/p99 latency of the four
//! workers, and in the same run a raw publish-with-confirms / consume-with-ack baseline on the
//! same broker with the same message size, printed with the ratio.
//!
//! Usage: copydesk-bench-pipeline [--stories N] [--json]

use copydesk_runtime::config::RetrySettings;
use copydesk_runtime::Outgoing;
use copydesk_tests::broker::TestNamespace;
use copydesk_tests::pipeline::Pipeline;
use copydesk_tests::stories;
use copydesk_types::{Envelope, Story, StoryIngested};
use futures::StreamExt;
use lapin::options::{BasicAckOptions, BasicConsumeOptions, BasicQosOptions, QueueDeclareOptions};
use lapin::types::FieldTable;
use std::time::{Duration, Instant, SystemTime};

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1).cloned())
}

/// Raw broker throughput: publish N messages of `size` bytes awaiting each confirm (as the
/// runtime does), while one consumer with the same prefetch acks each. Messages per second.
async fn baseline(n: usize, size: usize) -> anyhow::Result<f64> {
    let ns = TestNamespace::new(RetrySettings::default()).await;
    let queue = format!("{}.baseline", ns.names.namespace);
    let channel = ns.conn.create_channel().await?;
    channel.queue_declare(queue.clone().into(), QueueDeclareOptions { durable: true, ..Default::default() }, FieldTable::default()).await?;
    channel.basic_qos(16, BasicQosOptions::default()).await?;
    let mut consumer = channel.basic_consume(queue.clone().into(), "baseline".into(), BasicConsumeOptions::default(), FieldTable::default()).await?;
    let body = vec![b'x'; size];
    let started = Instant::now();
    let consume = tokio::spawn(async move {
        let mut got = 0;
        while got < n {
            match consumer.next().await {
                Some(Ok(d)) => {
                    let _ = d.ack(BasicAckOptions::default()).await;
                    got += 1;
                }
                _ => break,
            }
        }
        got
    });
    for _ in 0..n {
        ns.publisher.publish_confirmed(&[Outgoing::to_queue(&queue, body.clone())]).await?;
    }
    let got = consume.await?;
    let secs = started.elapsed().as_secs_f64();
    let _ = channel.queue_delete(queue.into(), Default::default()).await;
    anyhow::ensure!(got == n, "baseline consumed {got} of {n}");
    Ok(n as f64 / secs)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let n: usize = arg("--stories").map(|s| s.parse()).transpose()?.unwrap_or(3000);
    let json = std::env::args().any(|a| a == "--json");
    let sample = Envelope::new(StoryIngested { story: Story::new("g", "h", stories::plain_text(1).split("\n\n").map(String::from).collect()) }, 1);
    let size = sample.to_json().len();

    eprintln!("baseline: {n} messages of {size} bytes, publish with confirms + consume with ack...");
    let base = baseline(n, size).await?;

    eprintln!("pipeline: {n} generated stories through the four workers...");
    let retry = RetrySettings { max_attempts: 5, initial_delay_ms: 200, max_delay_ms: 2000 };
    let p = Pipeline::start(retry).await;
    let staging = p.dir.path().join("staging");
    std::fs::create_dir_all(&staging)?;
    for i in 0..n {
        std::fs::write(staging.join(stories::file_name(i)), stories::plain_text(i))?;
    }
    std::fs::create_dir_all(&p.inbox)?;
    let dropped_at = SystemTime::now();
    let started = Instant::now();
    for i in 0..n {
        std::fs::rename(staging.join(stories::file_name(i)), p.inbox.join(stories::file_name(i)))?;
    }
    p.ns.await_published(n, Duration::from_secs(1800)).await;
    let secs = started.elapsed().as_secs_f64();
    let rates = n as f64 / secs;
    let mut latencies: Vec<f64> = p
        .article_files()
        .iter()
        .filter_map(|f| {
            let v: serde_json::Value = serde_json::from_slice(&std::fs::read(f).ok()?).ok()?;
            let at = chrono::DateTime::parse_from_rfc3339(v["published_at"].as_str()?).ok()?;
            let dropped = chrono::DateTime::<chrono::Utc>::from(dropped_at);
            Some((at.with_timezone(&chrono::Utc) - dropped).num_milliseconds() as f64 / 1000.0)
        })
        .collect();
    latencies.sort_by(|a, b| a.total_cmp(b));
    let rss: Vec<(String, f64)> = p.procs.lock().map(|l| l.iter().filter_map(|w| Some((w.name.clone(), w.peak_rss_mb()?))).collect()).unwrap_or_default();
    let report = serde_json::json!({
        "stories": n,
        "message_bytes": size,
        "pipeline_stories_per_sec": (rates * 10.0).round() / 10.0,
        "pipeline_seconds": (secs * 100.0).round() / 100.0,
        "latency_p50_s": percentile(&latencies, 0.5),
        "latency_p99_s": percentile(&latencies, 0.99),
        "baseline_msgs_per_sec": (base * 10.0).round() / 10.0,
        "ratio_pipeline_to_baseline": (rates / base * 1000.0).round() / 1000.0,
        "worker_peak_rss_mb": rss.into_iter().collect::<std::collections::BTreeMap<_, _>>(),
        "note": "latency: all stories dropped at once, so it includes queueing behind the batch; baseline: one confirmed publish at a time, prefetch 16",
    });
    if json {
        println!("{report}");
    } else {
        println!("{}", serde_json::to_string_pretty(&report)?);
    }
    Ok(())
}
