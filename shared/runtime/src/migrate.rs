//! `copydesk topology check` and `copydesk topology migrate`: what differs between a live
//! broker and the topology this version declares, and moving messages out of the classic retry
//! tiers of earlier versions.
//!
//! Earlier versions kept delayed retries (and embargoed stories) in classic queues
//! `<ns>.<stage>.retry.<n>`; their expiry hop back to the work queue is at-most-once, so a
//! broker restart could lose what waited there. This version declares quorum tiers under new
//! names (`<ns>.<stage>.delay.<n>`), so both can live side by side during an upgrade: old
//! messages keep expiring back into the work queue, and `migrate` moves whatever still waits
//! straight into the work queue (each move confirmed before the old copy is acked) and deletes
//! the emptied classic tier.

use crate::broker::{declare_queue, expected_queues, BrokerError};
use crate::config::RetrySettings;
use crate::publisher::Publisher;
use crate::worker::copy_of;
use copydesk_types::names::{self, Names};
use copydesk_types::Stage;
use lapin::options::{BasicAckOptions, BasicGetOptions, QueueDeclareOptions, QueueDeleteOptions};
use lapin::types::FieldTable;
use lapin::Connection;
use serde::Serialize;

/// How many classic tiers earlier versions could have declared per stage.
const LEGACY_TIERS: usize = 24;

/// One queue as the broker has it, against what this version declares.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct QueueCheck {
    /// The queue.
    pub queue: String,
    /// `ok`, `missing`, `differs` (with the broker's reason) or `legacy` (a classic retry tier
    /// of an earlier version, with what waits in it).
    pub state: String,
    /// The broker's words for a difference, or the messages waiting in a legacy tier.
    pub detail: Option<String>,
}

/// Compare every expected queue with the broker, and list legacy classic retry tiers.
pub async fn check(conn: &Connection, names: &Names, retry: &RetrySettings) -> Result<Vec<QueueCheck>, BrokerError> {
    let mut out = Vec::new();
    for (queue, arguments, _) in expected_queues(names, retry) {
        let (state, detail) = match passive(conn, &queue).await? {
            None => ("missing", Some("run `copydesk topology declare` (workers declare it at start)".to_string())),
            Some(_) => match same_arguments(conn, &queue, arguments).await? {
                Ok(()) => ("ok", None),
                Err(reason) => ("differs", Some(reason)),
            },
        };
        out.push(QueueCheck { queue, state: state.into(), detail });
    }
    for (queue, waiting) in legacy_tiers(conn, names).await? {
        out.push(QueueCheck { queue, state: "legacy".into(), detail: Some(format!("{waiting} message(s) waiting; `copydesk topology migrate` moves them")) });
    }
    Ok(out)
}

/// The classic retry tiers of earlier versions that exist, with their depth.
pub async fn legacy_tiers(conn: &Connection, names: &Names) -> Result<Vec<(String, u32)>, BrokerError> {
    let mut found = Vec::new();
    for stage in Stage::ALL {
        for tier in 0..LEGACY_TIERS {
            let queue = names.legacy_retry_queue(stage, tier);
            if let Some(depth) = passive(conn, &queue).await? {
                found.push((queue, depth));
            }
        }
    }
    Ok(found)
}

/// Move every message waiting in a legacy tier into its stage's work queue, then delete the
/// emptied tier; returns (queue, messages moved). A crash in between leaves a duplicate (the
/// stages are idempotent), never a loss.
pub async fn migrate(conn: &Connection, publisher: &Publisher, names: &Names) -> Result<Vec<(String, u64)>, BrokerError> {
    let mut moved = Vec::new();
    for stage in Stage::ALL {
        let work = names.stage_queue(stage);
        for tier in 0..LEGACY_TIERS {
            let queue = names.legacy_retry_queue(stage, tier);
            if passive(conn, &queue).await?.is_none() {
                continue;
            }
            let channel = conn.create_channel().await.map_err(|e| BrokerError::amqp("open channel", e))?;
            let mut count = 0u64;
            while let Some(message) = channel
                .basic_get(queue.clone().into(), BasicGetOptions { no_ack: false })
                .await
                .map_err(|e| BrokerError::amqp(format!("get from {queue}"), e))?
            {
                let mut copy = copy_of(&message.delivery, &work);
                copy.expiration_ms = None;
                copy = copy.header(names::H_ORIGINAL_ROUTING_KEY, stage.input_routing_key());
                publisher.publish_confirmed(&[copy]).await?;
                message.delivery.acker.ack(BasicAckOptions::default()).await.map_err(|e| BrokerError::amqp(format!("ack in {queue}"), e))?;
                count += 1;
            }
            channel
                .queue_delete(queue.clone().into(), QueueDeleteOptions { if_empty: true, ..Default::default() })
                .await
                .map_err(|e| BrokerError::amqp(format!("delete {queue} (not empty? run migrate again)"), e))?;
            let _ = channel.close(200, "migrated".into()).await;
            moved.push((queue, count));
        }
    }
    Ok(moved)
}

/// The depth of a queue, or `None` when it does not exist.
async fn passive(conn: &Connection, queue: &str) -> Result<Option<u32>, BrokerError> {
    // A passive declare of a missing queue closes the channel, so each gets its own.
    let channel = conn.create_channel().await.map_err(|e| BrokerError::amqp("open channel", e))?;
    let result = channel.queue_declare(queue.into(), QueueDeclareOptions { passive: true, ..Default::default() }, FieldTable::default()).await;
    let _ = channel.close(200, "check".into()).await;
    Ok(result.ok().map(|q| q.message_count()))
}

/// Whether re-declaring `queue` with `arguments` is accepted (the broker refuses a declare whose
/// arguments differ from the live queue's, naming the argument).
async fn same_arguments(conn: &Connection, queue: &str, arguments: FieldTable) -> Result<Result<(), String>, BrokerError> {
    let channel = conn.create_channel().await.map_err(|e| BrokerError::amqp("open channel", e))?;
    let durable = QueueDeclareOptions { durable: true, ..Default::default() };
    let result = declare_queue(&channel, queue, durable, arguments).await;
    let _ = channel.close(200, "check".into()).await;
    Ok(result.map_err(|e| e.to_string()))
}
