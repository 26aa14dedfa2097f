//! Operator actions on a live broker: queue status and the dead-letter queues.
//!
//! Dead-letter queues are read with `basic.get` without acking; what is not removed goes back
//! when the channel closes, in order. Replay republishes to the stage's work queue with the
//! attempt count reset, waits for the confirm, and only then removes the dead letter: a crash in
//! between leaves a duplicate, never a loss.

use crate::broker::BrokerError;
use crate::publisher::Publisher;
use crate::worker::{copy_of, header_int, header_text};
use copydesk_types::names::{self, Names};
use copydesk_types::Stage;
use lapin::message::Delivery;
use lapin::options::{BasicAckOptions, BasicGetOptions, QueueDeclareOptions, QueuePurgeOptions};
use lapin::types::{AMQPValue, FieldTable, ShortString};
use lapin::{Channel, Connection};
use serde::Serialize;

/// One queue's counts.
#[derive(Debug, Clone, Serialize)]
pub struct StageStatus {
    /// The stage.
    pub stage: Stage,
    /// Messages ready in the work queue.
    pub ready: Option<u32>,
    /// Messages delivered but not yet acked (from the management API, when reachable).
    pub unacked: Option<u64>,
    /// Consumers on the work queue.
    pub consumers: Option<u32>,
    /// Messages waiting in the retry tiers.
    pub retrying: u32,
    /// Messages in the dead-letter queue.
    pub dead_lettered: Option<u32>,
}

/// Counts of every stage's queues, read with passive declares (nothing is created).
pub async fn status(conn: &Connection, names: &Names, tiers: usize) -> Result<Vec<StageStatus>, BrokerError> {
    let mut out = Vec::new();
    for stage in Stage::ALL {
        let work = passive(conn, &names.stage_queue(stage)).await?;
        let dlq = passive(conn, &names.dead_letter_queue(stage)).await?;
        let mut retrying = 0;
        for tier in 0..tiers {
            if let Some((count, _)) = passive(conn, &names.retry_queue(stage, tier)).await? {
                retrying += count;
            }
        }
        out.push(StageStatus {
            stage,
            ready: work.map(|w| w.0),
            unacked: None,
            consumers: work.map(|w| w.1),
            retrying,
            dead_lettered: dlq.map(|d| d.0),
        });
    }
    Ok(out)
}

/// (messages, consumers) of a queue, or `None` when it does not exist.
async fn passive(conn: &Connection, queue: &str) -> Result<Option<(u32, u32)>, BrokerError> {
    // A passive declare of a missing queue closes the channel, so each gets its own.
    let channel = conn.create_channel().await.map_err(|e| BrokerError::amqp("open channel", e))?;
    let result = channel
        .queue_declare(queue.into(), QueueDeclareOptions { passive: true, ..Default::default() }, FieldTable::default())
        .await;
    let _ = channel.close(200, "status".into()).await;
    Ok(result.ok().map(|q| (q.message_count(), q.consumer_count())))
}

/// One dead-lettered message, as listed.
#[derive(Debug, Clone, Serialize)]
pub struct DeadLetter {
    /// Id used by `dlq show` and `dlq replay --id`: the message id, or a body hash.
    pub id: String,
    /// The stage it failed in.
    pub stage: Stage,
    /// Story guid, when the message could be decoded.
    pub story_id: Option<String>,
    /// Story version, when the message could be decoded.
    pub story_version: Option<String>,
    /// `transient`, `permanent`, `undecodable`, `panic`, `retries-exhausted`, or the broker's
    /// own reason (`delivery_limit`) when a worker kept crashing on it.
    pub error_class: String,
    /// The error message.
    pub error: String,
    /// Attempts made.
    pub attempts: Option<i64>,
    /// When it was dead-lettered.
    pub failed_at: Option<String>,
    /// Payload type name.
    pub type_name: Option<String>,
    /// Body size in bytes.
    pub bytes: usize,
}

/// A dead letter with its body and every header, for `dlq show`.
#[derive(Debug, Clone, Serialize)]
pub struct DeadLetterDetail {
    /// The listing fields.
    #[serde(flatten)]
    pub summary: DeadLetter,
    /// Every header as text.
    pub headers: Vec<(String, String)>,
    /// The body: JSON when it parses, else lossy text.
    pub body: serde_json::Value,
    /// The broker's `x-death` history (queue, reason, count, time per entry), as JSON.
    pub x_death: serde_json::Value,
    /// The story's headline, when the body carries one.
    pub headline: Option<String>,
}

/// A header value as JSON (tables and arrays kept, so `x-death` reads as data).
pub fn header_json(value: &AMQPValue) -> serde_json::Value {
    match value {
        AMQPValue::FieldTable(t) => serde_json::Value::Object(t.inner().iter().map(|(k, v)| (k.to_string(), header_json(v))).collect()),
        AMQPValue::FieldArray(a) => serde_json::Value::Array(a.as_slice().iter().map(header_json).collect()),
        AMQPValue::Timestamp(t) => chrono::DateTime::from_timestamp(*t as i64, 0)
            .map(|t| serde_json::Value::String(t.to_rfc3339()))
            .unwrap_or(serde_json::Value::Null),
        AMQPValue::Boolean(b) => serde_json::Value::Bool(*b),
        other => {
            let text = header_text(other);
            text.parse::<i64>().map(serde_json::Value::from).unwrap_or(serde_json::Value::String(text))
        }
    }
}

/// The story headline inside a message body, wherever the payload keeps it.
pub fn body_headline(body: &serde_json::Value) -> Option<String> {
    let payload = body.get("payload").unwrap_or(body);
    [&payload["story"]["headline"], &payload["headline"], &payload["summary"]["headline"]]
        .into_iter()
        .find_map(|v| v.as_str().filter(|h| !h.trim().is_empty()).map(str::to_string))
}

fn detail(stage: Stage, d: &Delivery) -> DeadLetterDetail {
    let body = serde_json::from_slice(&d.data).unwrap_or_else(|_| serde_json::Value::String(String::from_utf8_lossy(&d.data).into_owned()));
    let table = d.properties.headers().as_ref();
    DeadLetterDetail {
        summary: describe(stage, d),
        headers: table.map(|t| t.inner().iter().map(|(k, v)| (k.to_string(), header_text(v))).collect()).unwrap_or_default(),
        x_death: table.and_then(|t| t.inner().get(&ShortString::from("x-death"))).map(header_json).unwrap_or(serde_json::Value::Null),
        headline: body_headline(&body),
        body,
    }
}

/// Every dead letter of one stage or all, in full (headers, body, headline), for the console.
pub async fn dlq_details(conn: &Connection, names: &Names, only: Option<Stage>) -> Result<Vec<DeadLetterDetail>, BrokerError> {
    read_each(conn, names, only, detail).await
}

/// `view` of every dead letter of one stage or all; each queue is read without acking and
/// given back whole when its channel closes.
async fn read_each<T>(conn: &Connection, names: &Names, only: Option<Stage>, view: fn(Stage, &Delivery) -> T) -> Result<Vec<T>, BrokerError> {
    let mut out = Vec::new();
    for stage in stages(only) {
        let channel = conn.create_channel().await.map_err(|e| BrokerError::amqp("open channel", e))?;
        let held = fetch_all(&channel, &names.dead_letter_queue(stage)).await?;
        out.extend(held.iter().map(|d| view(stage, d)));
        let _ = channel.close(200, "listed".into()).await;
    }
    Ok(out)
}

fn header(delivery: &Delivery, key: &str) -> Option<String> {
    let table = delivery.properties.headers().as_ref()?;
    table.inner().get(&ShortString::from(key)).map(header_text)
}

/// The id an operator uses for a dead letter.
pub fn dead_letter_id(delivery: &Delivery) -> String {
    match delivery.properties.message_id() {
        Some(id) if !id.as_str().is_empty() => id.to_string(),
        _ => format!("sha-{}", &copydesk_types::story::checksum(&delivery.data)[..16]),
    }
}

fn describe(stage: Stage, delivery: &Delivery) -> DeadLetter {
    // A message the broker itself dead-lettered (delivery limit) has x-death headers instead of ours.
    let broker_reason = header(delivery, "x-first-death-reason");
    DeadLetter {
        id: dead_letter_id(delivery),
        stage,
        story_id: header(delivery, names::H_STORY_ID),
        story_version: header(delivery, names::H_STORY_VERSION),
        error_class: header(delivery, names::H_ERROR_CLASS).or(broker_reason.clone()).unwrap_or_else(|| "unknown".into()),
        error: header(delivery, names::H_ERROR).unwrap_or_else(|| match broker_reason {
            Some(reason) => format!("dead-lettered by the broker ({reason}): a worker failed on it repeatedly without settling it (crash?)"),
            None => "no reason recorded".into(),
        }),
        attempts: header_int(delivery.properties.headers(), names::H_ATTEMPT),
        failed_at: header(delivery, names::H_FAILED_AT),
        type_name: delivery.properties.kind().as_ref().map(|s| s.to_string()),
        bytes: delivery.data.len(),
    }
}

/// Fetch up to the current depth of a dead-letter queue without acking. The deliveries stay
/// held by `channel` until acked or until it closes (which puts them back).
async fn fetch_all(channel: &Channel, queue: &str) -> Result<Vec<Delivery>, BrokerError> {
    let mut out = Vec::new();
    // Stop at the depth seen on the first get, so messages that fail again while we replay are
    // not picked up a second time.
    let mut depth = usize::MAX;
    while out.len() < depth {
        let got = channel
            .basic_get(queue.into(), BasicGetOptions { no_ack: false })
            .await
            .map_err(|e| BrokerError::amqp(format!("read {queue}"), e))?;
        let Some(message) = got else { break };
        if depth == usize::MAX {
            depth = message.message_count as usize + 1;
        }
        out.push(message.delivery);
    }
    Ok(out)
}

fn stages(only: Option<Stage>) -> Vec<Stage> {
    only.map(|s| vec![s]).unwrap_or_else(|| Stage::ALL.to_vec())
}

/// List dead letters of one stage or all.
pub async fn dlq_list(conn: &Connection, names: &Names, only: Option<Stage>) -> Result<Vec<DeadLetter>, BrokerError> {
    read_each(conn, names, only, describe).await
}

/// One dead letter in full, by id.
pub async fn dlq_show(conn: &Connection, names: &Names, id: &str) -> Result<Option<DeadLetterDetail>, BrokerError> {
    for stage in Stage::ALL {
        let channel = conn.create_channel().await.map_err(|e| BrokerError::amqp("open channel", e))?;
        let held = fetch_all(&channel, &names.dead_letter_queue(stage)).await?;
        let found = held.iter().find(|d| dead_letter_id(d) == id).map(|d| detail(stage, d));
        let _ = channel.close(200, "shown".into()).await;
        if found.is_some() {
            return Ok(found);
        }
    }
    Ok(None)
}

/// Which dead letters to replay.
#[derive(Debug, Clone)]
pub enum Selection {
    /// Every one.
    All,
    /// These ids.
    Ids(Vec<String>),
}

impl Selection {
    fn wants(&self, id: &str) -> bool {
        match self {
            Selection::All => true,
            Selection::Ids(ids) => ids.iter().any(|i| i == id),
        }
    }
}

/// Delete selected dead letters for good (a purge of some, not the whole queue); returns what
/// was deleted.
pub async fn dlq_remove(conn: &Connection, names: &Names, only: Option<Stage>, selection: &Selection) -> Result<Vec<DeadLetter>, BrokerError> {
    let mut removed = Vec::new();
    for stage in stages(only) {
        let channel = conn.create_channel().await.map_err(|e| BrokerError::amqp("open channel", e))?;
        let held = fetch_all(&channel, &names.dead_letter_queue(stage)).await?;
        for delivery in held.iter().filter(|d| selection.wants(&dead_letter_id(d))) {
            delivery.acker.ack(BasicAckOptions::default()).await.map_err(|e| BrokerError::amqp("remove a dead letter", e))?;
            removed.push(describe(stage, delivery));
        }
        let _ = channel.close(200, "removed".into()).await;
    }
    Ok(removed)
}

/// Republish selected dead letters to the stage they failed in, attempts reset; each is removed
/// from the dead-letter queue only after the broker confirmed its republish. Returns what was
/// (or with `dry_run`, would be) replayed.
pub async fn dlq_replay(
    conn: &Connection,
    publisher: &Publisher,
    names: &Names,
    only: Option<Stage>,
    selection: &Selection,
    dry_run: bool,
) -> Result<Vec<DeadLetter>, BrokerError> {
    let mut replayed = Vec::new();
    for stage in stages(only) {
        let channel = conn.create_channel().await.map_err(|e| BrokerError::amqp("open channel", e))?;
        let held = fetch_all(&channel, &names.dead_letter_queue(stage)).await?;
        for delivery in &held {
            let id = dead_letter_id(delivery);
            if !selection.wants(&id) {
                continue;
            }
            if !dry_run {
                publisher.publish_confirmed(&[replay_copy(delivery, &names.stage_queue(stage))]).await?;
                delivery
                    .acker
                    .ack(BasicAckOptions::default())
                    .await
                    .map_err(|e| BrokerError::amqp(format!("remove replayed {id} from the dead-letter queue (it was replayed; it may appear again)"), e))?;
            }
            replayed.push(describe(stage, delivery));
        }
        let _ = channel.close(200, "replayed".into()).await;
    }
    Ok(replayed)
}

/// The dead letter as a fresh first attempt, without its failure headers.
fn replay_copy(delivery: &Delivery, queue: &str) -> crate::Outgoing {
    let mut out = copy_of(delivery, queue);
    let replays = header_int(delivery.properties.headers(), names::H_REPLAYS).unwrap_or(0) + 1;
    let mut headers = FieldTable::default();
    for (k, v) in out.headers.inner() {
        let key = k.as_str();
        let drop = [names::H_ERROR, names::H_ERROR_CLASS, names::H_FAILED_AT, names::H_ATTEMPT, names::H_REPLAYS].contains(&key)
            || key.starts_with("x-death")
            || key.starts_with("x-first-death")
            || key.starts_with("x-last-death");
        if !drop {
            headers.insert(k.clone(), v.clone());
        }
    }
    out.headers = headers;
    out.header_int(names::H_ATTEMPT, 1).header_int(names::H_REPLAYS, replays)
}

/// Empty dead-letter queues; returns how many messages were deleted per stage.
pub async fn dlq_purge(conn: &Connection, names: &Names, only: Option<Stage>) -> Result<Vec<(Stage, u32)>, BrokerError> {
    let channel = conn.create_channel().await.map_err(|e| BrokerError::amqp("open channel", e))?;
    let mut out = Vec::new();
    for stage in stages(only) {
        let queue = names.dead_letter_queue(stage);
        let n = channel
            .queue_purge(queue.clone().into(), QueuePurgeOptions::default())
            .await
            .map_err(|e| BrokerError::amqp(format!("purge {queue}"), e))?;
        out.push((stage, n));
    }
    let _ = channel.close(200, "purged".into()).await;
    Ok(out)
}
