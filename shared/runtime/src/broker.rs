//! Connections and the topology: one place declares every exchange, queue and binding, idempotently.
//!
//! Per consuming stage there is a durable quorum work queue, a set of delayed-retry queues (one
//! per delay tier, each a quorum queue dead-lettering back to the work queue, at least once, when
//! a message's TTL runs out) and a dead-letter queue. `story.published` events land in a bounded
//! queue for progress and audit.
//!
//! Why quorum retry tiers: a classic queue's expiry hop to the dead-letter target is
//! at-most-once, so a story waiting out a retry or an embargo could vanish on a broker restart.
//! Quorum queues with `x-dead-letter-strategy: at-least-once` (which needs
//! `x-overflow: reject-publish`) keep the message until the work queue has confirmed it.

use crate::config::{AmqpSettings, RetrySettings};
use copydesk_types::names::{self, Names};
use copydesk_types::Stage;
use lapin::options::{ExchangeDeclareOptions, QueueBindOptions, QueueDeclareOptions};
use lapin::types::{AMQPValue, FieldTable, LongString, ShortString};
use lapin::tcp::{AMQPUriTcpExt, OwnedTLSConfig};
use lapin::uri::AMQPUri;
use lapin::{Channel, Connection, ConnectionProperties, ExchangeKind};

/// Broker trouble, classified for the caller.
#[derive(Debug, thiserror::Error)]
pub enum BrokerError {
    /// Could not connect; names the (redacted) URL and what to check.
    #[error("cannot connect to RabbitMQ at {url}: {source}. Is it running? (`rabbitmq-server -detached` starts a local one; set amqp.url or COPYDESK__AMQP__URL, or amqp.urls for a cluster, otherwise)")]
    Connect {
        /// Redacted URL.
        url: String,
        /// The lapin error.
        source: lapin::Error,
    },
    /// No connection within `amqp.connect_timeout_secs`.
    #[error("cannot connect to RabbitMQ at {url}: no answer within {secs}s (amqp.connect_timeout_secs). Is it running? (`rabbitmq-server -detached` starts a local one; set amqp.url or COPYDESK__AMQP__URL otherwise)")]
    ConnectTimeout {
        /// Redacted URL.
        url: String,
        /// The limit.
        secs: u64,
    },
    /// A protocol operation failed.
    #[error("{what}: {source}")]
    Amqp {
        /// What we were doing.
        what: String,
        /// The lapin error.
        source: lapin::Error,
    },
    /// The broker refused a publish (nack) or returned it as unroutable: an operator must act.
    #[error("{0}")]
    Rejected(String),
    /// The broker could not be reached for long enough (connection recoveries during a
    /// publish): transient, the input is kept and tried again.
    #[error("RabbitMQ unavailable: {0}")]
    Unavailable(String),
    /// A message is larger than `amqp.max_message_bytes` (below the broker's own limit, which
    /// would close the channel instead).
    #[error("a message for '{routing_key}' is {bytes} bytes, above amqp.max_message_bytes ({limit}); the input is too large to pass through the pipeline")]
    TooLarge {
        /// Where it was going.
        routing_key: String,
        /// Its size.
        bytes: usize,
        /// The limit.
        limit: usize,
    },
}

impl BrokerError {
    /// Wrap a lapin error with what we were doing.
    pub fn amqp(what: impl Into<String>, source: lapin::Error) -> Self {
        BrokerError::Amqp { what: what.into(), source }
    }
}

/// Open a named, auto-recovering connection. The name shows in the management UI and in
/// `rabbitmqctl list_connections`, so an operator can tell workers apart.
///
/// With several broker addresses (`amqp.urls`), the first connection goes to one picked at
/// random (so a fleet of workers spreads over the cluster's nodes), and every reconnect that
/// lapin's auto-recovery makes tries the next address first, then the others in turn; between
/// rounds lapin waits with a jittered exponential backoff. Consumers, QoS and confirm mode are
/// restored on the node it reaches; work queues are quorum queues, replicated on every node.
pub async fn connect(amqp: &AmqpSettings, name: &str) -> Result<Connection, BrokerError> {
    let urls = amqp.broker_urls();
    let shown = urls.iter().map(|u| crate::config::redact_url(u)).collect::<Vec<_>>().join(", ");
    let connect_error = |source: lapin::Error| BrokerError::Connect { url: shown.clone(), source };
    let uri: AMQPUri = urls[0].parse().map_err(|e: String| connect_error(std::io::Error::other(e).into()))?;
    let mut endpoints = Vec::with_capacity(urls.len());
    for url in &urls {
        let parsed: AMQPUri = url.parse().map_err(|e: String| connect_error(std::io::Error::other(e).into()))?;
        endpoints.push((parsed.authority.host, parsed.authority.port));
    }
    let failover = std::sync::Arc::new(Failover::new(endpoints));
    let props = ConnectionProperties::default()
        .with_connection_name(name.to_string().into())
        .with_backoff(reconnect_backoff())
        .enable_auto_recover();
    let runtime = lapin::runtime::default_runtime().map_err(connect_error)?;
    let opened = Connection::connector(
        uri,
        runtime,
        async move |mut uri: AMQPUri, runtime| {
            let mut last_error = None;
            for (host, port) in failover.order() {
                uri.authority.host = host.clone();
                uri.authority.port = port;
                let tls = OwnedTLSConfig::default();
                match uri.connect_with_config_async(tls.as_ref(), &runtime).await {
                    Ok(stream) => {
                        failover.reached(&host, port);
                        return Ok(stream);
                    }
                    Err(error) => {
                        if failover.len() > 1 {
                            tracing::warn!(amqp.host = %host, amqp.port = port, %error, "RabbitMQ node unreachable; trying the next address");
                        }
                        last_error = Some(error);
                    }
                }
            }
            Err(lapin::Error::from(last_error.unwrap_or_else(|| std::io::Error::other("no broker address"))))
        },
        props,
    );
    // With auto-recovery on, lapin keeps retrying a broker that is not there; a first
    // connection gets a deadline so a wrong URL or a stopped broker is reported, not waited on.
    let limit = std::time::Duration::from_secs(amqp.connect_timeout_secs.max(1));
    match tokio::time::timeout(limit, opened).await {
        Ok(connected) => connected.map_err(connect_error),
        Err(_) => Err(BrokerError::ConnectTimeout { url: shown.clone(), secs: limit.as_secs() }),
    }
}

/// How lapin waits between reconnect rounds (each round tries every address once): short and
/// jittered, so workers that lost the same node do not come back in lockstep. The recovery
/// watchdog (`amqp.recovery_timeout_secs`) bounds the whole wait.
fn reconnect_backoff() -> backon::ExponentialBuilder {
    backon::ExponentialBuilder::default()
        .with_min_delay(std::time::Duration::from_millis(200))
        .with_max_delay(std::time::Duration::from_secs(5))
        .with_jitter()
        .with_max_times(60)
}

/// The broker addresses of one connection and which to try first.
struct Failover {
    endpoints: Vec<(String, u16)>,
    /// Index of the address the next round starts at.
    next: std::sync::atomic::AtomicUsize,
}

impl Failover {
    fn new(endpoints: Vec<(String, u16)>) -> Self {
        let start = if endpoints.len() > 1 { rand::random_range(0..endpoints.len()) } else { 0 };
        Failover { endpoints, next: std::sync::atomic::AtomicUsize::new(start) }
    }

    fn len(&self) -> usize {
        self.endpoints.len()
    }

    /// Every address once, starting where the last round said, and move the start on: a
    /// reconnect begins with the address after the one that was lost.
    fn order(&self) -> Vec<(String, u16)> {
        let n = self.endpoints.len();
        let start = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % n.max(1);
        (0..n).map(|k| self.endpoints[(start + k) % n].clone()).collect()
    }

    /// A connection reached `host:port`: the next round starts after it.
    fn reached(&self, host: &str, port: u16) {
        if let Some(i) = self.endpoints.iter().position(|(h, p)| h == host && *p == port) {
            self.next.store(i + 1, std::sync::atomic::Ordering::Relaxed);
            if self.endpoints.len() > 1 {
                tracing::info!(amqp.host = %host, amqp.port = port, "connected to RabbitMQ node");
            }
        }
    }
}

/// The stages that consume a queue: all four (ingest consumes raw documents).
pub const CONSUMING_STAGES: [Stage; 4] = Stage::ALL;

/// Delay tiers (milliseconds) for a retry policy: the initial delay doubling up to the maximum.
/// A message waits in the smallest tier whose bound is at least its delay, with the exact delay
/// as its own TTL, so tiers keep head-of-line waits short without losing jitter.
pub fn retry_tiers(retry: &RetrySettings) -> Vec<u64> {
    let mut tiers = Vec::new();
    let mut bound = retry.initial_delay_ms.max(1);
    while bound < retry.max_delay_ms && tiers.len() < 24 {
        tiers.push(bound);
        bound = bound.saturating_mul(2);
    }
    tiers.push(retry.max_delay_ms.max(retry.initial_delay_ms));
    tiers
}

/// The index of the tier a delay belongs in.
pub fn tier_for(tiers: &[u64], delay_ms: u64) -> usize {
    tiers.iter().position(|&bound| delay_ms <= bound).unwrap_or(tiers.len().saturating_sub(1))
}

fn args(pairs: &[(&str, AMQPValue)]) -> FieldTable {
    let mut table = FieldTable::default();
    for (k, v) in pairs {
        table.insert(ShortString::from(*k), v.clone());
    }
    table
}

fn text(s: &str) -> AMQPValue {
    AMQPValue::LongString(LongString::from(s.as_bytes().to_vec()))
}

/// Every queue of a namespace with its arguments, and the routing key it is bound to on the
/// events exchange (if any): the one description `declare_topology` creates and
/// `copydesk topology check` compares against.
pub fn expected_queues(names: &Names, retry: &RetrySettings) -> Vec<(String, FieldTable, Option<&'static str>)> {
    let mut queues = Vec::new();
    let tiers = retry_tiers(retry);
    for stage in CONSUMING_STAGES {
        let queue = names.stage_queue(stage);
        let dlq = names.dead_letter_queue(stage);
        // Classic queue for dead letters: no delivery limit, so listing (get + requeue) never
        // drops a message.
        queues.push((dlq.clone(), FieldTable::default(), None));
        // Quorum work queue. A message redelivered too often (a worker crashing on it every time)
        // is dead-lettered by the broker itself rather than looping forever.
        let work_args = args(&[
            ("x-queue-type", text("quorum")),
            ("x-delivery-limit", AMQPValue::LongInt(20)),
            ("x-dead-letter-exchange", text("")),
            ("x-dead-letter-routing-key", text(&dlq)),
            ("x-dead-letter-strategy", text("at-least-once")),
            ("x-overflow", text("reject-publish")),
        ]);
        queues.push((queue.clone(), work_args, Some(stage.input_routing_key())));
        for tier in 0..tiers.len() {
            queues.push((names.retry_queue(stage, tier), retry_tier_args(&queue), None));
        }
    }
    let published_args = args(&[
        ("x-queue-type", text("quorum")),
        ("x-max-length", AMQPValue::LongInt(100_000)),
        ("x-overflow", text("drop-head")),
    ]);
    queues.push((names.published_queue(), published_args, Some(names::RK_STORY_PUBLISHED)));
    queues
}

/// Declare the whole topology of one namespace. Safe to run any number of times, from any worker.
pub async fn declare_topology(
    channel: &Channel,
    names: &Names,
    retry: &RetrySettings,
) -> Result<(), BrokerError> {
    let durable = QueueDeclareOptions { durable: true, ..Default::default() };
    let exchange = names.events_exchange();
    channel
        .exchange_declare(
            exchange.clone().into(),
            ExchangeKind::Topic,
            ExchangeDeclareOptions { durable: true, ..Default::default() },
            FieldTable::default(),
        )
        .await
        .map_err(|e| BrokerError::amqp(format!("declare exchange {exchange}"), e))?;
    for (queue, arguments, binding) in expected_queues(names, retry) {
        declare_queue(channel, &queue, durable, arguments).await?;
        if let Some(routing_key) = binding {
            channel
                .queue_bind(queue.clone().into(), exchange.clone().into(), routing_key.into(), QueueBindOptions::default(), FieldTable::default())
                .await
                .map_err(|e| BrokerError::amqp(format!("bind {queue}"), e))?;
        }
    }
    Ok(())
}

/// The arguments of a retry tier: a quorum queue whose expired messages go back to `work_queue`
/// at least once.
pub fn retry_tier_args(work_queue: &str) -> FieldTable {
    args(&[
        ("x-queue-type", text("quorum")),
        ("x-dead-letter-exchange", text("")),
        ("x-dead-letter-routing-key", text(work_queue)),
        ("x-dead-letter-strategy", text("at-least-once")),
        ("x-overflow", text("reject-publish")),
    ])
}

pub(crate) async fn declare_queue(
    channel: &Channel,
    name: &str,
    options: QueueDeclareOptions,
    arguments: FieldTable,
) -> Result<(), BrokerError> {
    channel
        .queue_declare(name.into(), options, arguments)
        .await
        .map(|_| ())
        .map_err(|e| BrokerError::amqp(format!("declare queue {name} (if its arguments changed, delete it or use another amqp.namespace)"), e))
}

/// Every queue of a namespace, for deleting a test's topology.
pub fn all_queues(names: &Names, retry: &RetrySettings) -> Vec<String> {
    let mut queues = vec![names.published_queue()];
    for stage in CONSUMING_STAGES {
        queues.push(names.stage_queue(stage));
        queues.push(names.dead_letter_queue(stage));
        for tier in 0..retry_tiers(retry).len() {
            queues.push(names.retry_queue(stage, tier));
            queues.push(names.legacy_retry_queue(stage, tier));
        }
    }
    queues
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiers_double_from_the_initial_delay_and_end_at_the_maximum() {
        let retry = RetrySettings { max_attempts: 5, initial_delay_ms: 1000, max_delay_ms: 5000 };
        assert_eq!(retry_tiers(&retry), vec![1000, 2000, 4000, 5000]);
        let tiers = retry_tiers(&retry);
        assert_eq!(tier_for(&tiers, 900), 0);
        assert_eq!(tier_for(&tiers, 2500), 2);
        assert_eq!(tier_for(&tiers, 99_999), 3);
    }

    #[test]
    fn failover_tries_every_address_once_per_round_starting_after_the_one_reached() {
        let f = Failover::new(vec![("a".into(), 1), ("b".into(), 2), ("c".into(), 3)]);
        let round: Vec<u16> = f.order().iter().map(|(_, p)| *p).collect();
        let mut sorted = round.clone();
        sorted.sort();
        assert_eq!(sorted, vec![1, 2, 3], "each address once: {round:?}");
        f.reached("b", 2);
        assert_eq!(f.order().iter().map(|(_, p)| *p).collect::<Vec<_>>(), vec![3, 1, 2], "after b, c comes first");
        let single = Failover::new(vec![("h".into(), 5672)]);
        assert_eq!(single.order(), vec![("h".to_string(), 5672)]);
        assert_eq!(single.order(), vec![("h".to_string(), 5672)]);
    }
}
