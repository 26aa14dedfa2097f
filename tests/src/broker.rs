//! A private namespace on the real broker for one test, and helpers to talk to it.

use copydesk_runtime::config::{RetrySettings, Settings};
use copydesk_runtime::{broker, Outgoing, Publisher};
use copydesk_types::names::Names;
use copydesk_types::{Envelope, Payload, StoryPublished};
use futures::StreamExt;
use lapin::options::{BasicAckOptions, BasicConsumeOptions, ExchangeDeleteOptions, QueueDeleteOptions};
use lapin::types::FieldTable;
use lapin::Connection;
use secrecy::ExposeSecret;
use std::time::Duration;

/// The broker URL the tests use: `COPYDESK__AMQP__URL`, else the local default.
pub fn amqp_url() -> String {
    std::env::var("COPYDESK__AMQP__URL").unwrap_or_else(|_| Settings::default().amqp.url.expose_secret().to_string())
}

/// A randomly named namespace with fast retries, removed from the broker when dropped.
pub struct TestNamespace {
    /// Settings pointing at the namespace.
    pub settings: Settings,
    /// Its broker names.
    pub names: Names,
    /// A connection for the test's own use.
    pub conn: Connection,
    /// A confirm-mode publisher on that connection.
    pub publisher: Publisher,
    /// The broker addresses the workers get (the test's own connection uses the first).
    pub urls: Vec<String>,
    /// Delete the namespace's queues when dropped: on the shared broker; a node of the test's
    /// own is removed whole (and deleting quorum queues with a member down is slow).
    cleanup: bool,
}

impl TestNamespace {
    /// Create a namespace `t-<random>` and declare its topology.
    pub async fn new(retry: RetrySettings) -> Self {
        TestNamespace::on(vec![amqp_url()], retry).await
    }

    /// [`TestNamespace::new`] on the given broker: `urls` are one node's address or a
    /// cluster's (workers get them all as `amqp.urls`; the test's own connection, which
    /// declares the topology, uses the first). On the shared broker ([`amqp_url`]) its queues
    /// are deleted when it is dropped, as with [`TestNamespace::new`]: left behind, every
    /// pipeline test and bench run would leave some thirty quorum queues on the machine's
    /// broker for good, each with its own Raft process. On a node of the test's own they are
    /// left for the node's removal.
    pub async fn on(urls: Vec<String>, retry: RetrySettings) -> Self {
        let namespace = format!("t-{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
        let mut settings = Settings::default();
        settings.amqp.url = urls[0].clone().into();
        settings.amqp.namespace = namespace.clone();
        settings.retry = retry;
        settings.health.port = Some(0);
        let conn = broker::connect(&settings.amqp, &format!("test {namespace}"))
            .await
            .expect("RabbitMQ must be running for integration tests (make test starts it)");
        let publisher = Publisher::new(&conn, settings.amqp.max_message_bytes).await.expect("publisher");
        let names = Names::new(namespace);
        broker::declare_topology(publisher.channel(), &names, &settings.retry).await.expect("declare topology");
        let cleanup = urls == [amqp_url()];
        TestNamespace { settings, names, conn, publisher, urls, cleanup }
    }

    /// Retries quick enough for tests: 3 attempts, 100 ms doubling to 400 ms.
    pub fn fast_retry() -> RetrySettings {
        RetrySettings { max_attempts: 3, initial_delay_ms: 100, max_delay_ms: 400 }
    }

    /// Environment variables that point a worker process at this namespace.
    pub fn env(&self) -> Vec<(String, String)> {
        let mut env = vec![
            ("COPYDESK__AMQP__URL".into(), self.urls[0].clone()),
            ("COPYDESK__AMQP__NAMESPACE".into(), self.names.namespace.clone()),
            ("COPYDESK__RETRY__MAX_ATTEMPTS".into(), self.settings.retry.max_attempts.to_string()),
            ("COPYDESK__RETRY__INITIAL_DELAY_MS".into(), self.settings.retry.initial_delay_ms.to_string()),
            ("COPYDESK__RETRY__MAX_DELAY_MS".into(), self.settings.retry.max_delay_ms.to_string()),
            ("COPYDESK__HEALTH__PORT".into(), "0".into()),
            ("COPYDESK__AMQP__RECOVERY_TIMEOUT_SECS".into(), "20".into()),
        ];
        if self.urls.len() > 1 {
            env.push(("COPYDESK__AMQP__URLS".into(), self.urls.join(",")));
        }
        env
    }

    /// Publish a pipeline event on the namespace's exchange, confirmed.
    pub async fn publish_event<T: Payload>(&self, payload: T) {
        let envelope = Envelope::new(payload, 1);
        self.publisher
            .publish_confirmed(&[Outgoing::event(&self.names.events_exchange(), &envelope)])
            .await
            .expect("publish event");
    }

    /// Publish raw bytes straight to a queue, confirmed.
    pub async fn publish_raw(&self, queue: &str, body: &[u8]) {
        self.publisher.publish_confirmed(&[Outgoing::to_queue(queue, body.to_vec())]).await.expect("publish raw");
    }

    /// A channel on the test's connection, waiting for the connection to recover if the broker
    /// just dropped it (as the broker-disconnect test makes it do).
    pub async fn channel(&self) -> lapin::Channel {
        crate::wait::until("the test's own connection to recover", Duration::from_secs(60), || async {
            self.conn.create_channel().await.ok()
        })
        .await
    }

    /// Every queue of the namespace (work queues, retry tiers, dead-letter queues, the published log).
    pub fn queue_names(&self) -> Vec<String> {
        broker::all_queues(&self.names, &self.settings.retry)
    }

    /// Messages in a queue right now.
    pub async fn depth(&self, queue: &str) -> u32 {
        let channel = self.channel().await;
        let q = channel
            .queue_declare(queue.into(), lapin::options::QueueDeclareOptions { passive: true, ..Default::default() }, FieldTable::default())
            .await
            .expect("queue exists");
        let _ = channel.close(200, "depth".into()).await;
        q.message_count()
    }

    /// Collect `story.published` events until `n` distinct (guid, version) pairs are seen, or
    /// panic after `timeout`. Returns every event received (duplicates included).
    pub async fn await_published(&self, n: usize, timeout: Duration) -> Vec<Envelope<StoryPublished>> {
        match self.try_await_published(n, timeout).await {
            Ok(events) => events,
            Err(message) => panic!("{message}"),
        }
    }

    /// [`TestNamespace::await_published`], returning the timeout as an error (so a caller can
    /// add the workers' logs to the failure).
    pub async fn try_await_published(&self, n: usize, timeout: Duration) -> Result<Vec<Envelope<StoryPublished>>, String> {
        let channel = self.channel().await;
        let mut consumer = channel
            .basic_consume(self.names.published_queue().into(), "test-watch".into(), BasicConsumeOptions::default(), FieldTable::default())
            .await
            .expect("consume published");
        let mut events: Vec<Envelope<StoryPublished>> = Vec::new();
        let mut distinct = std::collections::HashSet::new();
        let deadline = tokio::time::Instant::now() + timeout;
        while distinct.len() < n {
            let next = tokio::time::timeout_at(deadline, consumer.next()).await;
            let delivery = match next {
                Ok(Some(Ok(d))) => d,
                Ok(Some(Err(e))) => {
                    let recovered = crate::wait::within("the test's watcher to recover its connection", deadline, channel.wait_for_recovery(e)).await;
                    recovered.expect("watcher recovers");
                    continue;
                }
                Ok(None) => return Err("published consumer closed".into()),
                Err(_) => return Err(format!("timed out after {timeout:?}: {} of {n} stories published", distinct.len())),
            };
            let env = Envelope::<StoryPublished>::from_json(&delivery.data).expect("StoryPublished");
            let _ = delivery.ack(BasicAckOptions::default()).await;
            distinct.insert((env.payload.guid.clone(), env.payload.version));
            events.push(env);
        }
        let _ = channel.close(200, "done".into()).await;
        Ok(events)
    }
}

/// Every `story.published` event of a namespace, collected in the background (and acked) from
/// the moment [`TestNamespace::watch_published`] returns until it is dropped.
pub struct PublishedWatch {
    events: std::sync::Arc<std::sync::Mutex<Vec<Envelope<StoryPublished>>>>,
    task: tokio::task::JoinHandle<()>,
}

impl PublishedWatch {
    /// The events so far, repeats included.
    pub fn events(&self) -> Vec<Envelope<StoryPublished>> {
        self.events.lock().expect("events").clone()
    }

    /// Distinct (story key, version) pairs seen so far.
    pub fn distinct(&self) -> std::collections::HashSet<(String, u64)> {
        self.events.lock().expect("events").iter().map(|e| (e.payload.key().to_string(), e.payload.version)).collect()
    }
}

impl Drop for PublishedWatch {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl TestNamespace {
    /// Start collecting `story.published` events in the background.
    pub async fn watch_published(&self) -> PublishedWatch {
        let channel = self.channel().await;
        let mut consumer = channel
            .basic_consume(self.names.published_queue().into(), "test-watch-all".into(), BasicConsumeOptions::default(), FieldTable::default())
            .await
            .expect("consume published");
        let events: std::sync::Arc<std::sync::Mutex<Vec<Envelope<StoryPublished>>>> = std::sync::Arc::default();
        let sink = events.clone();
        let task = tokio::spawn(async move {
            while let Some(next) = consumer.next().await {
                match next {
                    Ok(delivery) => {
                        let env = Envelope::<StoryPublished>::from_json(&delivery.data).expect("StoryPublished");
                        let _ = delivery.ack(BasicAckOptions::default()).await;
                        sink.lock().expect("events").push(env);
                    }
                    Err(e) => {
                        if channel.wait_for_recovery(e).await.is_err() {
                            return;
                        }
                    }
                }
            }
        });
        PublishedWatch { events, task }
    }
}

impl Drop for TestNamespace {
    fn drop(&mut self) {
        if !self.cleanup {
            return;
        }
        // Drop cannot await; clean up on a thread with its own small runtime.
        let (url, names, retry) = (self.urls[0].clone(), self.names.clone(), self.settings.retry.clone());
        let cleanup = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| e.to_string())?;
            rt.block_on(async move {
                let conn = Connection::connect(&url, lapin::ConnectionProperties::default()).await.map_err(|e| e.to_string())?;
                for queue in broker::all_queues(&names, &retry) {
                    // Deleting a queue that was never declared closes the channel: one channel each.
                    let channel = conn.create_channel().await.map_err(|e| e.to_string())?;
                    if channel.queue_delete(queue.into(), QueueDeleteOptions::default()).await.is_ok() {
                        let _ = channel.close(200, "cleanup".into()).await;
                    }
                }
                let channel = conn.create_channel().await.map_err(|e| e.to_string())?;
                let _ = channel.exchange_delete(names.events_exchange().into(), ExchangeDeleteOptions::default()).await;
                let _ = conn.close(200, "cleanup".into()).await;
                Ok::<(), String>(())
            })
        });
        match cleanup.join() {
            Ok(Ok(())) => {}
            Ok(Err(e)) => eprintln!("namespace {}: its queues were not deleted: {e}", self.names.namespace),
            Err(_) => eprintln!("namespace {}: the cleanup thread panicked", self.names.namespace),
        }
    }
}

/// Which of `queues` exist on the shared broker ([`amqp_url`]) right now.
pub async fn queues_present(queues: &[String]) -> Vec<String> {
    let conn = Connection::connect(&amqp_url(), lapin::ConnectionProperties::default()).await.expect("connect to the shared broker");
    let mut present = Vec::new();
    for queue in queues {
        // A passive declare of a missing queue closes its channel: one channel per queue.
        let channel = conn.create_channel().await.expect("channel");
        let declared = channel
            .queue_declare(queue.as_str().into(), lapin::options::QueueDeclareOptions { passive: true, ..Default::default() }, FieldTable::default())
            .await;
        if declared.is_ok() {
            present.push(queue.clone());
            let _ = channel.close(200, "checked".into()).await;
        }
    }
    let _ = conn.close(200, "checked".into()).await;
    present
}
