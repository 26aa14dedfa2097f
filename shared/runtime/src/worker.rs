//! The consume-handle-publish-ack loop every worker runs.
//!
//! For each delivery: decode, run the handler (a panic is caught), ask [`crate::settle`] for the
//! verdict, and carry it out: publish the outputs and wait for the broker's confirms, hand the
//! confirmed outputs' receipts back to the handler, then ack; or republish a copy to a retry
//! tier or the dead-letter queue, then ack; or give the delivery back unsettled.
//!
//! A message is only ever acked after whatever replaces it is confirmed by the broker.
//!
//! Stopping: SIGTERM stops new deliveries and gives in-flight work `worker.shutdown_deadline_secs`.
//! Past the deadline, handlers are told to stop ([`crate::Incoming::checkpoint`]) before their next
//! side effect, then abandoned after a short grace; only when every task has settled (the
//! interrupted ones nacked back to the queue) does the channel close. So no handler keeps writing
//! files or calling webhooks after its message went back to the queue.

use crate::handler::{Emit, Handler, Incoming, Output};
use crate::metrics::Metrics;
use crate::publisher::Outgoing;
use crate::runtime::Runtime;
use crate::trace::{self, TraceContext};
use crate::settle::{after_handler, after_publish_failure, HandlerOutcome, Verdict};
use copydesk_types::names;
use futures::{FutureExt, StreamExt};
use lapin::message::Delivery;
use lapin::options::{BasicAckOptions, BasicCancelOptions, BasicConsumeOptions, BasicNackOptions, BasicQosOptions};
use lapin::types::{AMQPValue, FieldTable, ShortString};
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tracing::Instrument;

/// How long interrupted handlers get to reach their next safe point before they are abandoned.
const STOP_GRACE: Duration = Duration::from_secs(5);

/// The two signals of a stopping worker: `stop` asks handlers to stop before their next side
/// effect; `abort` drops whatever is still running.
#[derive(Clone, Default)]
struct Stopping {
    stop: CancellationToken,
    abort: CancellationToken,
}

/// Consume the stage's queue with `handler` until the runtime is cancelled, then drain in-flight
/// work within the shutdown deadline (see the module docs).
pub async fn consume<H: Handler>(rt: &Runtime, handler: Arc<H>) -> anyhow::Result<()> {
    let stage = H::STAGE;
    let queue = rt.names().stage_queue(stage);
    let channel = rt
        .consume_connection()
        .create_channel()
        .await
        .map_err(|e| anyhow::anyhow!("open consuming channel: {e}"))?;
    channel
        .basic_qos(rt.settings().amqp.prefetch, BasicQosOptions::default())
        .await
        .map_err(|e| anyhow::anyhow!("set prefetch: {e}"))?;
    let tag = format!("{}-{}", rt.worker_name(), std::process::id());
    let mut consumer = channel
        .basic_consume(queue.clone().into(), tag.clone().into(), BasicConsumeOptions::default(), FieldTable::default())
        .await
        .map_err(|e| anyhow::anyhow!("consume {queue}: {e}. Run `copydesk topology declare` if the queue does not exist"))?;
    tracing::info!(amqp.queue = %queue, concurrency = rt.settings().worker.concurrency, "consuming");

    let permits = Arc::new(Semaphore::new(rt.settings().worker.concurrency));
    let tasks = TaskTracker::new();
    let stopping = Stopping::default();
    let cancel = rt.shutdown_token();
    loop {
        let permit = tokio::select! {
            _ = cancel.cancelled() => break,
            permit = permits.clone().acquire_owned() => permit?,
        };
        let next = tokio::select! {
            _ = cancel.cancelled() => break,
            next = consumer.next() => next,
        };
        match next {
            Some(Ok(delivery)) => {
                let (rt2, handler, stopping) = (rt.clone(), handler.clone(), stopping.clone());
                tasks.spawn(async move {
                    process(&rt2, handler.as_ref(), delivery, &stopping).await;
                    drop(permit);
                });
            }
            Some(Err(error)) => {
                tracing::warn!(amqp.queue = %queue, %error, "consumer interrupted; waiting for the connection to recover");
                let recovered = tokio::select! {
                    _ = cancel.cancelled() => break,
                    recovered = channel.wait_for_recovery(error) => recovered,
                };
                if let Err(error) = recovered {
                    rt.fail(format!("consumer on {queue} could not recover: {error}"));
                    break;
                }
                tracing::info!(amqp.queue = %queue, "consumer recovered");
            }
            None => {
                if !cancel.is_cancelled() {
                    rt.fail(format!("the broker cancelled the consumer on {queue} (queue deleted?)"));
                }
                break;
            }
        }
    }

    // Stop new deliveries first, then give in-flight work its deadline.
    let _ = channel.basic_cancel(tag.into(), BasicCancelOptions::default()).await;
    tasks.close();
    let deadline = Duration::from_secs(rt.settings().worker.shutdown_deadline_secs);
    if tokio::time::timeout(deadline, tasks.wait()).await.is_err() {
        tracing::warn!(in_flight = tasks.len(), "shutdown deadline passed; in-flight handlers stop before their next side effect and their messages go back to the queue");
        stopping.stop.cancel();
        if tokio::time::timeout(STOP_GRACE, tasks.wait()).await.is_err() {
            tracing::warn!(in_flight = tasks.len(), "handlers still busy after the grace period; abandoning them");
            stopping.abort.cancel();
            let _ = tokio::time::timeout(STOP_GRACE, tasks.wait()).await;
        }
    }
    // Every task has settled its delivery; closing the channel requeues anything left unacked.
    let _ = channel.close(200, "worker stopping".into()).await;
    Ok(())
}

async fn process<H: Handler>(rt: &Runtime, handler: &H, delivery: Delivery, stopping: &Stopping) {
    let incoming = to_incoming(&delivery, stopping.stop.clone());
    Metrics::inc(&rt.metrics().received);
    let started = Instant::now();
    let trace = Trace::of(&incoming);
    let span = tracing::info_span!("message", stage = H::STAGE.as_str(), trace_id = %trace.span.trace_id, story.id = tracing::field::Empty, story.version = tracing::field::Empty, attempt = incoming.attempt);
    let mut story = None;
    let (outcome, output) = async {
        let input = match handler.decode(&incoming) {
            Ok(input) => input,
            Err(reason) => return (HandlerOutcome::Undecodable(reason), None),
        };
        let (id, version) = handler.describe(&input);
        tracing::Span::current().record("story.id", id.as_str()).record("story.version", version);
        story = Some((id, version));
        let run = AssertUnwindSafe(handler.handle(input, &incoming)).catch_unwind();
        tokio::select! {
            biased;
            _ = stopping.abort.cancelled() => (HandlerOutcome::Interrupted, None),
            result = run => match result {
                Ok(Ok(output)) => (HandlerOutcome::Done, Some(output)),
                Ok(Err(error)) => (HandlerOutcome::Failed(error), None),
                Err(panic) => (HandlerOutcome::Panicked(panic_message(&panic)), None),
            },
        }
    }
    .instrument(span.clone())
    .await;
    rt.metrics().observe_latency(started.elapsed().as_secs_f64());
    let verdict = after_handler(outcome, incoming.attempt, &rt.settings().retry);
    let settlement = Settlement { rt, stage: H::STAGE, delivery: &delivery, incoming: &incoming, story, trace };
    settlement.carry_out(handler, verdict, output).instrument(span).await;
    rt.export_span(H::STAGE.as_str(), &settlement.trace, settlement.story.as_ref(), started);
}

/// The trace a delivery continues: this stage's span (a child of the sender's `traceparent`, or
/// a new trace when there is none or it is malformed) and the path so far.
pub(crate) struct Trace {
    pub(crate) span: TraceContext,
    pub(crate) parent: Option<TraceContext>,
    pub(crate) path: Option<String>,
}

impl Trace {
    fn of(incoming: &Incoming) -> Trace {
        let header = |key: &str| incoming.headers.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
        let parent = header(trace::TRACEPARENT).and_then(|v| TraceContext::parse(&v));
        let span = parent.as_ref().map(TraceContext::child).unwrap_or_else(TraceContext::new_root);
        Trace { span, parent, path: header(trace::H_PATH) }
    }
}

/// One delivery being settled.
struct Settlement<'a> {
    rt: &'a Runtime,
    stage: copydesk_types::Stage,
    delivery: &'a Delivery,
    incoming: &'a Incoming,
    story: Option<(String, u64)>,
    trace: Trace,
}

impl Settlement<'_> {
    async fn carry_out<H: Handler>(&self, handler: &H, verdict: Verdict, output: Option<Output<H::Receipt>>) {
        let verdict = match verdict {
            Verdict::Publish => match self.publish_outputs(handler, output.unwrap_or_default()).await {
                None => return,
                Some(next) => next,
            },
            other => other,
        };
        self.settle_with_copy(verdict).await;
    }

    /// Publish the handler's outputs, return the receipts of the confirmed ones, and ack when
    /// all went out; otherwise the verdict for what is left to do.
    async fn publish_outputs<H: Handler>(&self, handler: &H, output: Output<H::Receipt>) -> Option<Verdict> {
        let rt = self.rt;
        rt.metrics().duplicates.fetch_add(output.duplicates, std::sync::atomic::Ordering::Relaxed);
        let (mut messages, receipts): (Vec<Outgoing>, Vec<Option<H::Receipt>>) =
            output.emits.into_iter().map(|Emit { message, receipt }| (message, receipt)).unzip();
        for message in &mut messages {
            trace::stamp(message, &self.trace.span, self.trace.path.as_deref(), self.stage.as_str());
        }
        let published = rt.publisher().publish_all(&messages).await;
        let confirmed: Vec<H::Receipt> =
            receipts.into_iter().zip(&published.confirmed).filter_map(|(r, ok)| if *ok { r } else { None }).collect();
        if !confirmed.is_empty() {
            if let Err(error) = handler.confirmed(confirmed).await {
                tracing::warn!(%error, "outputs confirmed but their bookkeeping failed; retrying the input");
                return Some(after_handler(HandlerOutcome::Failed(error), self.incoming.attempt, &rt.settings().retry));
            }
        }
        match published.error {
            None => {
                self.ack(&rt.metrics().succeeded, "handled").await;
                None
            }
            Some(error) => Some(after_publish_failure(&Verdict::Publish, &error)),
        }
    }

    /// Carry out a verdict that replaces the delivery with a copy (retry tier, dead letter) or
    /// gives it back; escalate once when the copy cannot be published.
    async fn settle_with_copy(&self, mut verdict: Verdict) {
        for _ in 0..2 {
            let (copy, counter, what) = match &verdict {
                Verdict::Publish | Verdict::Requeue { .. } => break,
                Verdict::Retry { delay, next_attempt, reason } => {
                    tracing::warn!(delay_ms = delay.as_millis() as u64, next_attempt, error = %reason, "transient failure; retrying later");
                    (self.rt.delayed(self.stage, self.delivery, *delay, *next_attempt), &self.rt.metrics().retried, "retried")
                }
                Verdict::Defer { delay, reason } => {
                    tracing::info!(delay_ms = delay.as_millis() as u64, %reason, "deferred");
                    (self.rt.delayed(self.stage, self.delivery, *delay, self.incoming.attempt), &self.rt.metrics().deferred, "deferred")
                }
                Verdict::DeadLetter { class, reason } => {
                    (self.dead_letter(class.as_str(), reason), &self.rt.metrics().dead_lettered, "dead-lettered")
                }
            };
            match self.rt.publisher().publish_confirmed(&[copy]).await {
                Ok(()) => return self.ack(counter, what).await,
                Err(error) => verdict = after_publish_failure(&verdict, &error),
            }
        }
        let reason = match verdict {
            Verdict::Requeue { reason } => reason,
            other => format!("could not settle ({other:?})"),
        };
        tracing::warn!(%reason, "message given back to the broker unsettled");
        Metrics::inc(&self.rt.metrics().requeued);
        let _ = self.delivery.acker.nack(BasicNackOptions { requeue: true, ..Default::default() }).await;
    }

    async fn ack(&self, counter: &std::sync::atomic::AtomicU64, what: &str) {
        Metrics::inc(counter);
        if let Err(error) = self.delivery.acker.ack(BasicAckOptions::default()).await {
            // The channel dropped after the confirm: the broker redelivers, and every stage is
            // idempotent, so the only cost is repeated work.
            tracing::warn!(%error, outcome = what, "ack failed after the output was confirmed; the message will be redelivered");
        }
    }

    /// The delivery addressed to the stage's dead-letter queue, with the reason in headers.
    fn dead_letter(&self, class: &str, reason: &str) -> Outgoing {
        tracing::error!(error.class = class, error = %reason, "dead-lettered; fix the cause, then `copydesk dlq replay`");
        let rt = self.rt;
        let mut dead = copy_of(self.delivery, &rt.names().dead_letter_queue(self.stage))
            .header(names::H_STAGE, self.stage.as_str())
            .header(names::H_ERROR_CLASS, class)
            .header(names::H_ERROR, crate::redact::redact_text(reason))
            .header_int(names::H_ATTEMPT, self.incoming.attempt as i64)
            .header(names::H_FAILED_AT, chrono::Utc::now().to_rfc3339())
            .header(names::H_ORIGINAL_ROUTING_KEY, self.delivery.routing_key.as_str())
            .header(trace::H_TRACE_ID, &self.trace.span.trace_id);
        trace::stamp(&mut dead, &self.trace.span, self.trace.path.as_deref(), self.stage.as_str());
        if let Some((id, version)) = &self.story {
            dead = dead.header(names::H_STORY_ID, id).header(names::H_STORY_VERSION, version.to_string());
        }
        dead
    }
}

/// The delivery's body and properties, addressed to `queue` through the default exchange.
pub(crate) fn copy_of(delivery: &Delivery, queue: &str) -> Outgoing {
    let props = &delivery.properties;
    let mut out = Outgoing::to_queue(queue, delivery.data.clone());
    out.message_id = props.message_id().as_ref().map(|s| s.to_string());
    out.correlation_id = props.correlation_id().as_ref().map(|s| s.to_string());
    out.type_name = props.kind().as_ref().map(|s| s.to_string());
    if let Some(ct) = props.content_type() {
        out.content_type = ct.to_string();
    }
    out.headers = props.headers().clone().unwrap_or_default();
    out
}

impl Runtime {
    /// A copy of the delivery for the stage's retry tier that fits `delay`.
    fn delayed(&self, stage: copydesk_types::Stage, delivery: &Delivery, delay: Duration, attempt: u32) -> Outgoing {
        let delay_ms = delay.as_millis().max(1) as u64;
        let tiers = self.retry_tiers();
        let tier = crate::broker::tier_for(tiers, delay_ms);
        let mut out = copy_of(delivery, &self.names().retry_queue(stage, tier))
            .header_int(names::H_ATTEMPT, attempt as i64)
            .header(names::H_ORIGINAL_ROUTING_KEY, delivery.routing_key.as_str());
        out.expiration_ms = Some(delay_ms.min(*tiers.last().unwrap_or(&delay_ms)));
        out
    }
}

/// Read a header as an integer, whatever integer type the sender used.
pub fn header_int(headers: &Option<FieldTable>, key: &str) -> Option<i64> {
    let value = headers.as_ref()?.inner().get(&ShortString::from(key))?.clone();
    match value {
        AMQPValue::LongLongInt(v) => Some(v),
        AMQPValue::LongInt(v) => Some(v as i64),
        AMQPValue::LongUInt(v) => Some(v as i64),
        AMQPValue::ShortInt(v) => Some(v as i64),
        AMQPValue::ShortUInt(v) => Some(v as i64),
        AMQPValue::ShortShortInt(v) => Some(v as i64),
        AMQPValue::ShortShortUInt(v) => Some(v as i64),
        AMQPValue::LongString(s) => String::from_utf8_lossy(s.as_bytes()).parse().ok(),
        _ => None,
    }
}

/// A header value as text, for display.
pub fn header_text(value: &AMQPValue) -> String {
    match value {
        AMQPValue::LongString(s) => String::from_utf8_lossy(s.as_bytes()).into_owned(),
        AMQPValue::ShortString(s) => s.to_string(),
        AMQPValue::Boolean(b) => b.to_string(),
        other => match header_int(&Some(FieldTable::from(std::collections::BTreeMap::from([(ShortString::from("v"), other.clone())]))), "v") {
            Some(v) => v.to_string(),
            None => format!("{other:?}"),
        },
    }
}

fn to_incoming(delivery: &Delivery, stop: CancellationToken) -> Incoming {
    let headers = delivery.properties.headers();
    let attempt = header_int(headers, names::H_ATTEMPT).unwrap_or(1).max(1) as u32;
    Incoming {
        body: delivery.data.clone(),
        type_name: delivery.properties.kind().as_ref().map(|s| s.to_string()),
        headers: headers
            .as_ref()
            .map(|t| t.inner().iter().map(|(k, v)| (k.to_string(), header_text(v))).collect())
            .unwrap_or_default(),
        attempt,
        redelivered: delivery.redelivered,
        stop,
    }
}

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "non-text panic payload".into()
    }
}
