//! The consume-handle-publish-ack loop every worker runs.
//!
//! For each delivery: decode, run the handler (a panic is caught), then settle:
//! - success: publish the outputs, wait for the broker's confirms, then ack;
//! - transient error: republish to the stage's delayed-retry tier with the attempt counted, then
//!   ack; when the attempts are used up, dead-letter;
//! - permanent error, undecodable input or panic: dead-letter with the reason in headers, then ack;
//! - deferred (embargo): back to a retry tier without counting an attempt.
//!
//! A message is only ever acked after whatever replaces it is confirmed by the broker; if that
//! publish fails the delivery is left to the broker to redeliver.

use crate::broker::BrokerError;
use crate::handler::{Handler, HandlerError, Incoming, Output};
use crate::metrics::Metrics;
use crate::publisher::Outgoing;
use crate::retry::{decide, RetryDecision};
use crate::runtime::Runtime;
use copydesk_types::names;
use futures::{FutureExt, StreamExt};
use lapin::message::Delivery;
use lapin::options::{BasicAckOptions, BasicCancelOptions, BasicConsumeOptions, BasicNackOptions, BasicQosOptions};
use lapin::types::{AMQPValue, FieldTable, ShortString};
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;
use tokio_util::task::TaskTracker;
use tracing::Instrument;

/// What the runtime does with a delivery once the handler is done.
enum Settle {
    Ack(Vec<Outgoing>),
    Retry { delay: Duration, next_attempt: u32, reason: String },
    Defer { delay: Duration, reason: String },
    DeadLetter { class: &'static str, reason: String },
}

/// Consume the stage's queue with `handler` until the runtime is cancelled, then drain in-flight
/// work within the shutdown deadline. Unfinished deliveries go back to the queue when the
/// channel closes.
pub async fn consume<H: Handler>(rt: &Runtime, handler: Arc<H>) -> anyhow::Result<()> {
    let stage = H::STAGE;
    let queue = rt.names.stage_queue(stage);
    let channel = rt
        .consume_connection
        .create_channel()
        .await
        .map_err(|e| anyhow::anyhow!("open consuming channel: {e}"))?;
    channel
        .basic_qos(rt.settings.amqp.prefetch, BasicQosOptions::default())
        .await
        .map_err(|e| anyhow::anyhow!("set prefetch: {e}"))?;
    let tag = format!("{}-{}", rt.worker_name, std::process::id());
    let mut consumer = channel
        .basic_consume(queue.clone().into(), tag.clone().into(), BasicConsumeOptions::default(), FieldTable::default())
        .await
        .map_err(|e| anyhow::anyhow!("consume {queue}: {e}. Run `copydesk topology declare` if the queue does not exist"))?;
    tracing::info!(amqp.queue = %queue, concurrency = rt.settings.worker.concurrency, "consuming");

    let permits = Arc::new(Semaphore::new(rt.settings.worker.concurrency));
    let tasks = TaskTracker::new();
    loop {
        let permit = tokio::select! {
            _ = rt.cancel.cancelled() => break,
            permit = permits.clone().acquire_owned() => permit?,
        };
        let next = tokio::select! {
            _ = rt.cancel.cancelled() => break,
            next = consumer.next() => next,
        };
        match next {
            Some(Ok(delivery)) => {
                let (rt2, handler) = (rt.clone(), handler.clone());
                tasks.spawn(async move {
                    process(&rt2, handler.as_ref(), delivery).await;
                    drop(permit);
                });
            }
            Some(Err(error)) => {
                tracing::warn!(amqp.queue = %queue, %error, "consumer interrupted; waiting for the connection to recover");
                if let Err(error) = channel.wait_for_recovery(error).await {
                    rt.fail(format!("consumer on {queue} could not recover: {error}"));
                    break;
                }
                tracing::info!(amqp.queue = %queue, "consumer recovered");
            }
            None => {
                if !rt.cancel.is_cancelled() {
                    rt.fail(format!("the broker cancelled the consumer on {queue} (queue deleted?)"));
                }
                break;
            }
        }
    }

    // Stop new deliveries first, then give in-flight work its deadline.
    let _ = channel.basic_cancel(tag.into(), BasicCancelOptions::default()).await;
    tasks.close();
    let deadline = Duration::from_secs(rt.settings.worker.shutdown_deadline_secs);
    if tokio::time::timeout(deadline, tasks.wait()).await.is_err() {
        tracing::warn!(in_flight = tasks.len(), "shutdown deadline passed; unfinished messages go back to the queue");
    }
    // Closing the channel requeues every delivery not acked yet.
    let _ = channel.close(200, "worker stopping".into()).await;
    Ok(())
}

async fn process<H: Handler>(rt: &Runtime, handler: &H, delivery: Delivery) {
    let incoming = to_incoming(&delivery);
    Metrics::inc(&rt.metrics.received);
    let started = Instant::now();
    let span = tracing::info_span!("message", stage = H::STAGE.as_str(), story.id = tracing::field::Empty, story.version = tracing::field::Empty, attempt = incoming.attempt);
    let mut story = None;
    let settle = async {
        let input = match handler.decode(&incoming) {
            Ok(input) => input,
            Err(reason) => return Settle::DeadLetter { class: "undecodable", reason },
        };
        let (id, version) = handler.describe(&input);
        tracing::Span::current().record("story.id", id.as_str()).record("story.version", version);
        story = Some((id, version));
        match AssertUnwindSafe(handler.handle(input, &incoming)).catch_unwind().await {
            Ok(Ok(Output { messages, duplicates })) => {
                rt.metrics.duplicates.fetch_add(duplicates, std::sync::atomic::Ordering::Relaxed);
                Settle::Ack(messages)
            }
            Ok(Err(HandlerError::Transient(reason))) => match decide(&rt.settings.retry, incoming.attempt) {
                RetryDecision::RetryAfter { delay, next_attempt } => Settle::Retry { delay, next_attempt, reason },
                RetryDecision::GiveUp => Settle::DeadLetter {
                    class: "retries-exhausted",
                    reason: format!("gave up after {} attempts: {reason}", incoming.attempt),
                },
            },
            Ok(Err(HandlerError::Permanent(reason))) => Settle::DeadLetter { class: "permanent", reason },
            Ok(Err(HandlerError::Defer { after, reason })) => Settle::Defer { delay: after, reason },
            Err(panic) => Settle::DeadLetter { class: "panic", reason: format!("handler panicked: {}", panic_message(&panic)) },
        }
    }
    .instrument(span.clone())
    .await;
    rt.metrics.observe_latency(started.elapsed().as_secs_f64());
    settle_delivery(rt, H::STAGE, &delivery, &incoming, story, settle).instrument(span).await;
}

async fn settle_delivery(
    rt: &Runtime,
    stage: copydesk_types::Stage,
    delivery: &Delivery,
    incoming: &Incoming,
    story: Option<(String, u64)>,
    settle: Settle,
) {
    let (messages, counter, what) = match settle {
        Settle::Ack(messages) => (messages, &rt.metrics.succeeded, "handled"),
        Settle::Retry { delay, next_attempt, reason } => {
            tracing::warn!(delay_ms = delay.as_millis() as u64, next_attempt, error = %reason, "transient failure; retrying later");
            (vec![rt.delayed(stage, delivery, delay, next_attempt)], &rt.metrics.retried, "retried")
        }
        Settle::Defer { delay, reason } => {
            tracing::info!(delay_ms = delay.as_millis() as u64, %reason, "deferred");
            (vec![rt.delayed(stage, delivery, delay, incoming.attempt)], &rt.metrics.deferred, "deferred")
        }
        Settle::DeadLetter { class, reason } => {
            (vec![dead_letter(rt, stage, delivery, incoming, &story, class, &reason)], &rt.metrics.dead_lettered, "dead-lettered")
        }
    };
    let outcome = match rt.publisher.publish_confirmed(&messages).await {
        Ok(()) => Ok(counter),
        // The broker refused the output (unroutable, nacked): retrying the same publish in a loop
        // would spin, so the input is dead-lettered with the reason for an operator to act on.
        Err(BrokerError::Rejected(reason)) if what != "dead-lettered" => {
            let dead = dead_letter(rt, stage, delivery, incoming, &story, "output-rejected", &reason);
            rt.publisher.publish_confirmed(&[dead]).await.map(|()| &rt.metrics.dead_lettered)
        }
        Err(error) => Err(error),
    };
    match outcome {
        Ok(counter) => {
            Metrics::inc(counter);
            if let Err(error) = delivery.acker.ack(BasicAckOptions::default()).await {
                // The channel dropped after the confirm: the broker redelivers, and every stage
                // is idempotent, so the only cost is repeated work.
                tracing::warn!(%error, outcome = what, "ack failed after the output was confirmed; the message will be redelivered");
            }
        }
        Err(error) => {
            tracing::error!(%error, outcome = what, "could not publish; leaving the message to the broker");
            let _ = delivery.acker.nack(BasicNackOptions { requeue: true, ..Default::default() }).await;
        }
    }
}

/// The delivery addressed to the stage's dead-letter queue, with the reason in headers.
fn dead_letter(
    rt: &Runtime,
    stage: copydesk_types::Stage,
    delivery: &Delivery,
    incoming: &Incoming,
    story: &Option<(String, u64)>,
    class: &'static str,
    reason: &str,
) -> Outgoing {
    tracing::error!(error.class = class, error = %reason, "dead-lettered; fix the cause, then `copydesk dlq replay`");
    let mut dead = copy_of(delivery, &rt.names.dead_letter_queue(stage))
        .header(names::H_STAGE, stage.as_str())
        .header(names::H_ERROR_CLASS, class)
        .header(names::H_ERROR, reason)
        .header_int(names::H_ATTEMPT, incoming.attempt as i64)
        .header(names::H_FAILED_AT, chrono::Utc::now().to_rfc3339())
        .header(names::H_ORIGINAL_ROUTING_KEY, delivery.routing_key.as_str());
    if let Some((id, version)) = story {
        dead = dead.header(names::H_STORY_ID, id).header(names::H_STORY_VERSION, version.to_string());
    }
    dead
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
        let tier = crate::broker::tier_for(&self.retry_tiers, delay_ms);
        let mut out = copy_of(delivery, &self.names.retry_queue(stage, tier))
            .header_int(names::H_ATTEMPT, attempt as i64)
            .header(names::H_ORIGINAL_ROUTING_KEY, delivery.routing_key.as_str());
        out.expiration_ms = Some(delay_ms.min(*self.retry_tiers.last().unwrap_or(&delay_ms)));
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

fn to_incoming(delivery: &Delivery) -> Incoming {
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
