//! `make bench`, end to end, every figure from the same run:
//!
//! 1. The broker's own bound: messages of the pipeline's size into a quorum queue, persistent,
//!    published with a sliding window of outstanding confirms and consumed with a large prefetch,
//!    acked one by one. Divided by the pipeline's hops (four confirmed publishes per story:
//!    ingested, extracted, summarized, published), that is the most stories/s this broker could
//!    carry; the pipeline's rate is printed as a share of it.
//! 2. A batch of stories dropped at once: stories/s from inbox to published, and per stage the
//!    rate while it was busy (from the workers' own `/metrics`), CPU milliseconds per story and
//!    peak RSS; the CPU all workers and the broker's nodes spent per story, and the stories/s
//!    the machine's cores could carry at that cost if they did nothing else (`cpu_bound`), as a
//!    share of the broker's bound: how far CPU cost per story, not waiting, limits the pipeline.
//! 3. Latency at a steady offered load of half the batch rate: p50/p99 from drop to published.
//!
//! Usage: copydesk-bench-pipeline [--stories N] [--bound-messages N] [--bound-bytes N]
//!        [--bound-window N] [--json]

use copydesk_runtime::config::RetrySettings;
use copydesk_tests::broker::TestNamespace;
use copydesk_tests::pipeline::Pipeline;
use copydesk_tests::procs::Proc;
use copydesk_tests::stories;
use copydesk_types::{Envelope, Story, StoryIngested};
use futures::StreamExt;
use lapin::options::{BasicAckOptions, BasicConsumeOptions, BasicPublishOptions, BasicQosOptions, ConfirmSelectOptions, QueueDeclareOptions};
use lapin::types::{AMQPValue, FieldTable};
use lapin::BasicProperties;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::time::{Duration, Instant, SystemTime};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Confirmed publishes per story: story.ingested, .extracted, .summarized, .published.
const HOPS: f64 = 4.0;
/// Outstanding confirms and prefetch for the broker bound.
const WINDOW: usize = 300;

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1).cloned())
}

/// The broker's bound: `n` persistent messages of `size` bytes through a quorum queue, publisher
/// confirms pipelined `WINDOW` deep, one consumer with prefetch `WINDOW` acking each. Messages/s.
async fn broker_bound(n: usize, size: usize, window: usize) -> anyhow::Result<f64> {
    // Few retry tiers: each is a quorum queue, and churn of many wedged RabbitMQ 3.10 here.
    let ns = TestNamespace::new(TestNamespace::fast_retry()).await;
    let queue = format!("{}.bound", ns.names.namespace);
    let publish = ns.conn.create_channel().await?;
    publish.confirm_select(ConfirmSelectOptions::default()).await?;
    let mut args = FieldTable::default();
    args.insert("x-queue-type".into(), AMQPValue::LongString("quorum".into()));
    publish.queue_declare(queue.clone().into(), QueueDeclareOptions { durable: true, ..Default::default() }, args).await?;
    // Consume on a connection of its own, as the workers do.
    let consume_conn = copydesk_runtime::broker::connect(&ns.settings.amqp, "bench bound consumer").await?;
    let consume = consume_conn.create_channel().await?;
    consume.basic_qos(WINDOW as u16, BasicQosOptions::default()).await?;
    let window = window.max(1);
    let mut consumer = consume.basic_consume(queue.clone().into(), "bound".into(), BasicConsumeOptions::default(), FieldTable::default()).await?;
    let body = vec![b'x'; size];
    let started = Instant::now();
    let got = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = got.clone();
    let consumed = tokio::spawn(async move {
        while counted.load(std::sync::atomic::Ordering::Relaxed) < n {
            match consumer.next().await {
                Some(Ok(d)) => {
                    d.ack(BasicAckOptions::default()).await?;
                    counted.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
                Some(Err(e)) => return Err(anyhow::anyhow!("bound consumer: {e}")),
                None => return Err(anyhow::anyhow!("bound consumer closed")),
            }
        }
        Ok(())
    });
    let mut outstanding: VecDeque<lapin::PublisherConfirm> = VecDeque::with_capacity(WINDOW);
    for _ in 0..n {
        if outstanding.len() == window {
            let confirm = outstanding.pop_front().expect("window");
            anyhow::ensure!(confirm.await?.is_ack(), "the broker nacked a message");
        }
        let props = BasicProperties::default().with_delivery_mode(2).with_content_type("application/json".into());
        outstanding.push_back(publish.basic_publish("".into(), queue.clone().into(), BasicPublishOptions::default(), &body, props).await?);
    }
    for confirm in outstanding {
        anyhow::ensure!(confirm.await?.is_ack(), "the broker nacked a message");
    }
    eprintln!("  {n} published and confirmed in {:.1}s; consumed so far {}", started.elapsed().as_secs_f64(), got.load(std::sync::atomic::Ordering::Relaxed));
    match tokio::time::timeout(Duration::from_secs(120), consumed).await {
        Ok(done) => done??,
        Err(_) => anyhow::bail!("the bound consumer got {} of {n} within 120 s of the last confirm", got.load(std::sync::atomic::Ordering::Relaxed)),
    }
    let got = got.load(std::sync::atomic::Ordering::Relaxed);
    let secs = started.elapsed().as_secs_f64();
    let _ = publish.queue_delete(queue.into(), Default::default()).await;
    let _ = consume_conn.close(200, "done".into()).await;
    anyhow::ensure!(got == n, "the bound consumed {got} of {n}");
    Ok(n as f64 / secs)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// The address a worker's health server bound (it logs `health.addr=...` at start).
fn health_addr(proc: &Proc) -> Option<String> {
    let log = strip_ansi(&proc.log_text());
    let at = log.find("health.addr=")? + "health.addr=".len();
    Some(log[at..].split_whitespace().next()?.trim_matches('"').to_string())
}

/// Text without terminal colour codes (`ESC [ ... m`), as a log may carry them.
fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// One counter from a worker's `/metrics`.
async fn counter(addr: &str, name: &str) -> Option<f64> {
    let mut stream = tokio::net::TcpStream::connect(addr).await.ok()?;
    stream.write_all(format!("GET /metrics HTTP/1.0\r\nHost: {addr}\r\n\r\n").as_bytes()).await.ok()?;
    let mut text = String::new();
    stream.read_to_string(&mut text).await.ok()?;
    metric_value(&text, name)
}

/// The value of `name` in a Prometheus text exposition, with or without labels
/// (`name 3`, `name{stage="summarize"} 3`).
fn metric_value(text: &str, name: &str) -> Option<f64> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .find(|l| l.starts_with(name) && l[name.len()..].starts_with([' ', '{']))?
        .rsplit(' ')
        .next()?
        .parse()
        .ok()
}

/// Read every stage's counter once and note when it moved.
async fn sample_once(workers: &[(String, u32, String)], started: Instant, samples: &std::sync::Mutex<Vec<Busy>>) {
    let t = started.elapsed().as_secs_f64();
    for (k, (name, _, addr)) in workers.iter().enumerate() {
        if let Some(c) = counter(addr, stage_counter(name)).await {
            let mut busy = samples.lock().expect("samples");
            if c > busy[k].count {
                busy[k].first.get_or_insert(t);
                busy[k].last = t;
                busy[k].count = c;
            }
        }
    }
}

/// CPU seconds (user + system) a process has used so far.
fn cpu_secs(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let fields: Vec<&str> = stat[stat.rfind(')')? + 2..].split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

/// CPU seconds used so far by every RabbitMQ node on the machine (`beam.smp` processes).
fn broker_cpu_secs() -> f64 {
    let Ok(dir) = std::fs::read_dir("/proc") else { return 0.0 };
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| std::fs::read_to_string(format!("/proc/{pid}/comm")).is_ok_and(|c| c.trim() == "beam.smp"))
        .filter_map(cpu_secs)
        .sum()
}

/// The most stories per second the machine's `cores` could carry if every core did nothing but
/// this work: the CPU the workers and the broker spent per story, spread over all cores.
fn cpu_bound(cores: usize, cpu_ms_per_story: f64) -> f64 {
    if cpu_ms_per_story > 0.0 {
        cores as f64 * 1000.0 / cpu_ms_per_story
    } else {
        f64::NAN
    }
}

/// The counter that says a stage finished a story.
fn stage_counter(worker: &str) -> &'static str {
    if worker == "ingest-worker" {
        "copydesk_ingest_stories_total"
    } else {
        "copydesk_messages_succeeded_total"
    }
}

/// Per worker: (first time its counter moved, last time it moved, final value), sampled.
#[derive(Default, Clone, Copy)]
struct Busy {
    first: Option<f64>,
    last: f64,
    count: f64,
}

/// Story `i`'s latency from its drop time, read from its article file.
fn latencies(p: &Pipeline, dropped: &HashMap<usize, SystemTime>) -> Vec<f64> {
    let mut out: Vec<f64> = p
        .article_files()
        .iter()
        .filter_map(|f| {
            let v: serde_json::Value = serde_json::from_slice(&std::fs::read(f).ok()?).ok()?;
            let headline = v["story"]["headline"].as_str()?;
            let i: usize = headline.rsplit("story ").next()?.trim().parse().ok()?;
            let at = chrono::DateTime::parse_from_rfc3339(v["published_at"].as_str()?).ok()?.with_timezone(&chrono::Utc);
            let dropped = chrono::DateTime::<chrono::Utc>::from(*dropped.get(&i)?);
            Some((at - dropped).num_microseconds()? as f64 / 1e6)
        })
        .collect();
    out.sort_by(|a, b| a.total_cmp(b));
    out
}

fn round(x: f64, places: i32) -> f64 {
    let f = 10f64.powi(places);
    (x * f).round() / f
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let n: usize = arg("--stories").map(|s| s.parse()).transpose()?.unwrap_or(3000);
    let json = std::env::args().any(|a| a == "--json");
    let sample = Envelope::new(StoryIngested { story: Story::new("g", "h", stories::plain_text(1).split("\n\n").map(String::from).collect()) }, 1);
    // `--bound-bytes N` sizes the bound's messages by hand, to see what the broker's cost per
    // message owes to size (the pipeline's later hops carry entities and the article as well).
    let size = arg("--bound-bytes").map(|s| s.parse()).transpose()?.unwrap_or(sample.to_json().len());
    let bound_messages: usize = arg("--bound-messages").map(|s| s.parse()).transpose()?.unwrap_or((n * 4).max(10_000));
    // `--bound-window N`: confirms outstanding in the bound (default WINDOW). A worker waits for
    // each message's confirm, so a small window shows what that way of publishing costs the broker.
    let window: usize = arg("--bound-window").map(|s| s.parse()).transpose()?.unwrap_or(WINDOW);

    eprintln!("broker bound: {bound_messages} persistent messages of {size} bytes, quorum queue, {window} confirms outstanding, prefetch {WINDOW}...");
    let bound_cpu_before = broker_cpu_secs();
    let bound = match tokio::time::timeout(Duration::from_secs(600), broker_bound(bound_messages, size, window)).await {
        Ok(bound) => bound?,
        Err(_) => anyhow::bail!("the broker bound did not finish within 600 s (is the broker blocked or restarting?)"),
    };
    // The broker's CPU per bare message while it carried the bound's traffic.
    let bound_broker_ms = (broker_cpu_secs() - bound_cpu_before) * 1000.0 / bound_messages as f64;
    let bound_stories = bound / HOPS;

    eprintln!("pipeline: {n} generated stories dropped at once through the four workers...");
    let retry = RetrySettings { max_attempts: 5, initial_delay_ms: 200, max_delay_ms: 2000 };
    let p = Pipeline::start(retry).await;
    let workers: Vec<(String, u32, String)> = p
        .procs
        .lock()
        .expect("procs")
        .iter()
        .map(|w| (w.name.clone(), w.pid(), health_addr(w).unwrap_or_default()))
        .collect();
    let staging = p.dir.path().join("staging");
    std::fs::create_dir_all(&staging)?;
    for i in 0..n {
        std::fs::write(staging.join(stories::file_name(i)), stories::plain_text(i))?;
    }
    std::fs::create_dir_all(&p.inbox)?;
    let cpu_before: Vec<f64> = workers.iter().map(|(_, pid, _)| cpu_secs(*pid).unwrap_or(0.0)).collect();
    let broker_before = broker_cpu_secs();
    let started = Instant::now();
    let mut dropped: HashMap<usize, SystemTime> = HashMap::new();
    for i in 0..n {
        std::fs::rename(staging.join(stories::file_name(i)), p.inbox.join(stories::file_name(i)))?;
        dropped.insert(i, SystemTime::now());
    }
    // Sample each stage's counter while the batch runs; the samples live outside the task, so
    // whatever was seen is kept when the task is stopped after the batch.
    let samples = std::sync::Arc::new(std::sync::Mutex::new(vec![Busy::default(); workers.len()]));
    let sampler = {
        let workers = workers.clone();
        let samples = samples.clone();
        tokio::spawn(async move {
            loop {
                sample_once(&workers, started, &samples).await;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        })
    };
    p.ns.await_published(n, Duration::from_secs(1800)).await;
    let secs = started.elapsed().as_secs_f64();
    let rate = n as f64 / secs;
    let broker_ms = (broker_cpu_secs() - broker_before) * 1000.0 / n as f64;
    sampler.abort();
    sample_once(&workers, started, &samples).await;
    let busy = samples.lock().expect("samples").clone();
    if busy.iter().any(|b| b.first.is_none()) {
        eprintln!("  note: a stage's /metrics could not be read; its rate while busy is left out");
    }
    let batch_latency = latencies(&p, &dropped);
    let mut stages = BTreeMap::new();
    let mut workers_ms = 0.0;
    for (k, (name, pid, _)) in workers.iter().enumerate() {
        let cpu = cpu_secs(*pid).unwrap_or(0.0) - cpu_before[k];
        workers_ms += cpu * 1000.0 / n as f64;
        let b = busy.get(k).copied().unwrap_or_default();
        // The window between the first and last change, plus one sampling period.
        let window = b.first.map(|f| b.last - f + 0.1).unwrap_or(f64::NAN);
        stages.insert(
            name.clone(),
            serde_json::json!({
                "stories_per_sec_while_busy": round(b.count / window, 1),
                "cpu_ms_per_story": round(cpu * 1000.0 / n as f64, 2),
                "cpu_share_of_batch": round(cpu / secs, 2),
            }),
        );
    }

    // Steady load at half the batch rate, new stories (so none is a duplicate).
    let offered = rate / 2.0;
    let steady_n = ((offered * 20.0) as usize).clamp(n.min(50), n);
    eprintln!("latency: {steady_n} more stories at a steady {offered:.0} stories/s (half the batch rate)...");
    let mut steady_dropped: HashMap<usize, SystemTime> = HashMap::new();
    let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / offered));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    for i in n..n + steady_n {
        tick.tick().await;
        p.drop_file(&stories::file_name(i), stories::plain_text(i).as_bytes());
        steady_dropped.insert(i, SystemTime::now());
    }
    p.ns.await_published(steady_n, Duration::from_secs(1800)).await;
    let steady_latency = latencies(&p, &steady_dropped);

    let cores = std::thread::available_parallelism().map_or(1, |c| c.get());
    let rss: BTreeMap<String, f64> = p.procs.lock().map(|l| l.iter().filter_map(|w| Some((w.name.clone(), round(w.peak_rss_mb()?, 1)))).collect()).unwrap_or_default();
    let report = serde_json::json!({
        "stories": n,
        "message_bytes": size,
        "broker_bound_msgs_per_sec": round(bound, 1),
        "broker_bound_stories_per_sec": round(bound_stories, 1),
        "pipeline_stories_per_sec": round(rate, 1),
        "pipeline_share_of_bound": round(rate / bound_stories, 3),
        "pipeline_seconds": round(secs, 2),
        "stages": stages,
        "cpu_ms_per_story": {
            "workers": round(workers_ms, 2),
            "broker": round(broker_ms, 2),
            // For comparison: the broker's CPU per story in the bound (bare messages, four per story).
            "broker_in_bound": round(bound_broker_ms * HOPS, 2),
            "cores": cores,
            // If the machine did nothing else, at today's CPU cost per story.
            "cpu_bound_stories_per_sec": round(cpu_bound(cores, workers_ms + broker_ms), 1),
            "cpu_bound_share_of_broker_bound": round(cpu_bound(cores, workers_ms + broker_ms) / bound_stories, 3),
        },
        "batch_latency_p50_s": round(percentile(&batch_latency, 0.5), 3),
        "batch_latency_p99_s": round(percentile(&batch_latency, 0.99), 3),
        "steady_offered_stories_per_sec": round(offered, 1),
        "steady_stories": steady_n,
        "steady_latency_p50_s": round(percentile(&steady_latency, 0.5), 3),
        "steady_latency_p99_s": round(percentile(&steady_latency, 0.99), 3),
        "worker_peak_rss_mb": rss,
        "note": format!(
            "bound: quorum queue, persistent, {window} confirms outstanding, prefetch {WINDOW}, divided by {HOPS} hops; \
             batch latency includes queueing behind the batch; all figures from one run on a shared machine"
        ),
    });
    if json {
        println!("{report}");
    } else {
        println!("{}", serde_json::to_string_pretty(&report)?);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_are_read_with_or_without_labels_and_never_from_comments() {
        let text = "# HELP copydesk_messages_succeeded_total Deliveries.\n\
                    # TYPE copydesk_messages_succeeded_total counter\n\
                    copydesk_messages_succeeded_total{stage=\"summarize\"} 42\n\
                    copydesk_messages_succeeded_total_extra 9\n\
                    copydesk_ingest_stories_total 7\n";
        assert_eq!(metric_value(text, "copydesk_messages_succeeded_total"), Some(42.0));
        assert_eq!(metric_value(text, "copydesk_ingest_stories_total"), Some(7.0));
        assert_eq!(metric_value(text, "copydesk_missing_total"), None);
    }

    #[test]
    fn the_cpu_bound_spreads_the_cost_per_story_over_the_cores() {
        assert_eq!(cpu_bound(2, 20.0), 100.0);
        assert_eq!(cpu_bound(4, 0.5), 8000.0);
        assert!(cpu_bound(2, 0.0).is_nan());
        // This process is running, so it has a CPU time; a pid that cannot exist has none.
        assert!(cpu_secs(std::process::id()).is_some());
        assert!(cpu_secs(u32::MAX).is_none());
    }

    #[test]
    fn colour_codes_are_stripped_from_logs() {
        let log = "\u{1b}[3mhealth.addr\u{1b}[0m\u{1b}[2m=\u{1b}[0m127.0.0.1:4000 started";
        assert_eq!(strip_ansi(log), "health.addr=127.0.0.1:4000 started");
    }
}
