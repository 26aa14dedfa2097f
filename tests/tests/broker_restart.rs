//! Broker restarts under load, on a RabbitMQ node of the test's own (scripts/rabbit-node.sh):
//! `rabbitmqctl stop_app` / `start_app` while stories flow, and while stories wait in retry
//! tiers and under embargo. The shared broker on 5672 is never touched.
//!
//! Each test starts its own node and its own four workers; they run one at a time (a lock
//! below) so a two-core machine is not asked to boot two nodes and eight workers at once.

use copydesk_runtime::config::RetrySettings;
use copydesk_tests::effects::{EventTally, WebhookReceiver};
use copydesk_tests::node::RabbitNode;
use copydesk_tests::pipeline::Pipeline;
use copydesk_tests::stories;
use copydesk_types::Stage;
use std::sync::atomic::Ordering;
use std::time::Duration;

static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
const LONG: Duration = Duration::from_secs(240);
/// A whole batch may take longer than [`LONG`] on a loaded machine, as long as it keeps moving
/// (`Pipeline::until_count` fails after `LONG` without progress).
const BATCH_CAP: Duration = Duration::from_secs(900);

/// Retries that outlast a broker restart: a message that fails while the broker is away is not
/// dead-lettered before it is back.
fn patient_retry() -> RetrySettings {
    RetrySettings { max_attempts: 100, initial_delay_ms: 200, max_delay_ms: 2000 }
}

#[tokio::test]
async fn broker_restart_under_load_publishes_every_story_and_every_webhook_delivery() {
    let _serial = SERIAL.lock().await;
    let node = RabbitNode::start().await;
    let hook = WebhookReceiver::start().await;
    let mut p = Pipeline::start_on(vec![node.url()], patient_retry(), hook.env()).await;
    let tally = EventTally::start(&p.ns).await;
    p.supervise();
    let n = 1000;

    p.drop_stories(0..n);
    p.until("the batch to be under way", LONG, || async { (tally.distinct() >= 50).then_some(()) }).await;
    let before = tally.distinct();
    node.stop_app().await;
    node.start_app().await;
    p.until_count("every story published", n, LONG, BATCH_CAP, || tally.distinct()).await;
    p.until_count("every webhook delivery received", n, LONG, BATCH_CAP, || hook.distinct()).await;
    p.await_settled(Some(&node)).await;

    let restarts = p.restarts.lock().expect("restarts").clone();
    let (event_repeats, hook_repeats) = (tally.repeats(), hook.repeats());
    eprintln!(
        "broker restart under load: {n} stories, {before} published before stop_app; worker restarts: {}; \
         story.published events {} for {} (story, version) pairs, {} repeated; webhook deliveries {} distinct, {} repeated",
        restarts.len(),
        tally.total(),
        tally.distinct(),
        event_repeats.len(),
        hook.distinct(),
        hook_repeats.len(),
    );
    eprintln!("restarts: {restarts:?}\nrepeated events: {event_repeats:?}\nrepeated webhook deliveries: {hook_repeats:?}");
    assert!(before < n, "the restart happened mid-batch ({before} of {n} already published)");
    assert_eq!(tally.distinct(), n, "one story.published per story version");
    assert_eq!(hook.distinct(), n, "every webhook delivery id received");
    assert_eq!(p.article_files().len(), n, "every story written:\n{}", p.logs());
    let dlq = p.ns.names.dead_letter_queue(Stage::Publish);
    assert_eq!(p.ns.depth(&dlq).await, 0, "nothing dead-lettered");
}

/// A ninjs story embargoed until `until`.
fn embargoed_ninjs(i: usize, until: chrono::DateTime<chrono::Utc>) -> String {
    let text = stories::plain_text(i);
    let (headline, body) = text.split_once("\n\n").expect("headline and body");
    serde_json::json!({
        "uri": format!("https://wire.example.org/embargoed/{i}"),
        "type": "text",
        "version": 1,
        "pubstatus": "usable",
        "language": "en",
        "headline": headline,
        "embargoed": until.to_rfc3339(),
        "body_text": body,
    })
    .to_string()
}

#[tokio::test]
async fn stories_waiting_in_retry_tiers_and_under_embargo_survive_a_broker_restart() {
    let _serial = SERIAL.lock().await;
    let node = RabbitNode::start().await;
    let hook = WebhookReceiver::start().await;
    hook.failing.store(true, Ordering::SeqCst);
    let mut p = Pipeline::start_on(vec![node.url()], patient_retry(), hook.env()).await;
    let tally = EventTally::start(&p.ns).await;
    p.supervise();
    let n = 20;
    let embargo = chrono::Utc::now() + chrono::Duration::seconds(45);

    // Twenty stories whose webhook fails transiently (503) and one under embargo: all of them
    // end up cycling through the publish stage's retry tiers.
    p.drop_stories(0..n);
    p.drop_file("embargoed.json", embargoed_ninjs(n, embargo).as_bytes());
    let tiers = p.ns.names.retry_queue(Stage::Publish, 0);
    let tiers = tiers.trim_end_matches('0');
    let parked = || async {
        node.queue_messages(tiers).await.iter().map(|(_, m)| *m).sum::<u64>()
    };
    p.until("every story parked in a retry tier at once", LONG, || async { (parked().await as usize > n).then_some(()) }).await;
    assert!(chrono::Utc::now() < embargo, "the embargo is still ahead when the broker restarts");
    node.stop_app().await;
    node.start_app().await;
    // Nothing waiting was lost: every story is still in the publish stage (a tier or the work
    // queue; at least once, so possibly more).
    let after = p.until("the publish stage's queues to be counted after the restart", LONG, || async {
        let held = p.in_flight(Some(&node), Some(Stage::Publish)).await;
        (held as usize > n).then_some(held)
    })
    .await;
    assert_eq!(tally.distinct(), 0, "nothing was published while the webhook failed");

    hook.failing.store(false, Ordering::SeqCst);
    p.until("every story delivered after the restart", LONG, || async { (hook.distinct() > n && tally.distinct() > n).then_some(()) }).await;
    p.await_settled(Some(&node)).await;

    let embargoed: Vec<_> = hook.received.lock().expect("lock").values().filter(|r| r.body["story"]["embargo"].is_string()).cloned().collect();
    eprintln!(
        "retry tiers across a restart: {} stories parked, {after} messages in the publish stage after start_app, {} webhook attempts refused, event repeats {:?}, webhook repeats {:?}",
        n + 1,
        *hook.refused.lock().expect("lock"),
        tally.repeats(),
        hook.repeats()
    );
    assert_eq!(embargoed.len(), 1, "the embargoed story was delivered");
    assert!(embargoed[0].first_at >= embargo, "not before its time: {} < {embargo}", embargoed[0].first_at);
    assert_eq!(hook.distinct(), n + 1, "every story's webhook delivery received");
    assert_eq!(tally.distinct(), n + 1, "every story published");
    assert_eq!(p.article_files().len(), n + 1, "{}", p.logs());
}
