//! The runtime's delivery contract, against the real RabbitMQ, with in-process test handlers:
//! retries with counted attempts, dead letters with reasons, panics, replay, deferral.

use copydesk_runtime::ops::{self, Selection};
use copydesk_runtime::{worker, HandlerError, Runtime, Transform, TransformHandler};
use copydesk_tests::broker::TestNamespace;
use copydesk_tests::wait;
use copydesk_types::{Entities, Stage, Story, StoryPublished, StorySummarized};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const LONG: Duration = Duration::from_secs(30);

/// A publish-stage stand-in whose behaviour each test picks by headline.
#[derive(Default)]
struct Scripted {
    /// Failures so far per guid.
    failures: Mutex<HashMap<String, u32>>,
    /// While set, "broken" stories fail transiently.
    broken: AtomicBool,
}

/// The transform the runtime owns; the test keeps another handle to flip `broken`.
struct Shared(Arc<Scripted>);

impl Transform for Shared {
    const STAGE: Stage = Stage::Publish;
    type In = StorySummarized;
    type Out = StoryPublished;

    async fn apply(&self, input: StorySummarized) -> Result<StoryPublished, HandlerError> {
        let story = &input.story;
        let failed_before = {
            let mut failures = self.0.failures.lock().expect("lock");
            let n = failures.entry(story.guid.clone()).or_default();
            *n += 1;
            *n - 1
        };
        match story.headline.as_str() {
            "flaky" if failed_before < 2 => return Err(HandlerError::Transient("disk busy".into())),
            "broken" if self.0.broken.load(Ordering::SeqCst) => return Err(HandlerError::Transient("out dir unwritable".into())),
            "invalid" => return Err(HandlerError::Permanent("no body to publish".into())),
            "panic" => panic!("handler bug on {}", story.guid),
            "defer" if failed_before == 0 => {
                return Err(HandlerError::Defer { after: Duration::from_millis(200), reason: "embargo".into() })
            }
            _ => {}
        }
        // "huge" makes an output of 1 MiB from a small input (over the cap one test sets).
        let slug = if story.headline == "huge" { "s".repeat(1024 * 1024) } else { "s".into() };
        Ok(StoryPublished { guid: story.guid.clone(), story_id: story.key(), version: story.version, slug, locations: vec![], retracted: false, held_for_embargo: false })
    }
}

fn story(guid: &str, headline: &str) -> StorySummarized {
    StorySummarized { story: Story::new(guid, headline, vec!["Body.".into()]), entities: Entities::default(), summary: None }
}

async fn start(ns: &TestNamespace, script: Arc<Scripted>) -> (Runtime, tokio::task::JoinHandle<()>) {
    start_with(ns, ns.settings.clone(), script).await
}

async fn start_with(ns: &TestNamespace, settings: copydesk_runtime::config::Settings, script: Arc<Scripted>) -> (Runtime, tokio::task::JoinHandle<()>) {
    let rt = Runtime::start(settings, Stage::Publish).await.expect("runtime");
    let handler = Arc::new(TransformHandler::new(Shared(script), ns.names.events_exchange()));
    let rt2 = rt.clone();
    let task = tokio::spawn(async move {
        worker::consume(&rt2, handler).await.expect("consume");
    });
    (rt, task)
}

async fn dead_letters(ns: &TestNamespace, n: usize) -> Vec<ops::DeadLetter> {
    wait::until(&format!("{n} dead letter(s)"), LONG, || async {
        let list = ops::dlq_list(&ns.conn, &ns.names, Some(Stage::Publish)).await.expect("list");
        (list.len() >= n).then_some(list)
    })
    .await
}

#[tokio::test]
async fn transient_failure_is_retried_then_succeeds_with_attempts_counted() {
    let ns = TestNamespace::new(TestNamespace::fast_retry()).await;
    let (rt, _task) = start(&ns, Arc::default()).await;

    ns.publish_event(story("g-flaky", "flaky")).await;
    let events = ns.await_published(1, LONG).await;

    assert_eq!(events[0].payload.guid, "g-flaky");
    assert_eq!(events[0].attempt, 3, "two failures, then success on the third attempt");
    assert_eq!(rt.metrics().retried.load(Ordering::Relaxed), 2);
    assert_eq!(ns.depth(&ns.names.dead_letter_queue(Stage::Publish)).await, 0);
    rt.shutdown();
}

#[tokio::test]
async fn panicking_handler_is_dead_lettered_and_the_worker_keeps_running() {
    let ns = TestNamespace::new(TestNamespace::fast_retry()).await;
    let (rt, _task) = start(&ns, Arc::default()).await;

    ns.publish_event(story("g-panic", "panic")).await;
    ns.publish_event(story("g-fine", "fine")).await;
    let events = ns.await_published(1, LONG).await;
    let dead = dead_letters(&ns, 1).await;

    assert_eq!(events[0].payload.guid, "g-fine");
    assert_eq!(dead[0].error_class, "panic");
    assert!(dead[0].error.contains("handler bug on g-panic"), "{}", dead[0].error);
    assert_eq!(dead[0].story_id.as_deref(), Some("g-panic"));
    rt.shutdown();
}

#[tokio::test]
async fn undecodable_message_is_dead_lettered_with_reason() {
    let ns = TestNamespace::new(TestNamespace::fast_retry()).await;
    let (rt, _task) = start(&ns, Arc::default()).await;

    ns.publish_raw(&ns.names.stage_queue(Stage::Publish), b"{not json").await;
    let dead = dead_letters(&ns, 1).await;

    assert_eq!(dead[0].error_class, "undecodable");
    assert!(dead[0].error.contains("StorySummarized"), "{}", dead[0].error);
    // The counter moves just after the broker confirms the dead letter.
    wait::until("the dead-letter counter", LONG, || async { (rt.metrics().dead_lettered.load(Ordering::Relaxed) == 1).then_some(()) }).await;
    rt.shutdown();
}

#[tokio::test]
async fn permanent_error_is_dead_lettered_without_retries() {
    let ns = TestNamespace::new(TestNamespace::fast_retry()).await;
    let (rt, _task) = start(&ns, Arc::default()).await;

    ns.publish_event(story("g-invalid", "invalid")).await;
    let dead = dead_letters(&ns, 1).await;

    assert_eq!(dead[0].error_class, "permanent");
    assert_eq!(dead[0].attempts, Some(1));
    assert_eq!(rt.metrics().retried.load(Ordering::Relaxed), 0);
    rt.shutdown();
}

#[tokio::test]
async fn exhausted_retries_dead_letter_and_replay_after_the_fix_publishes_once() {
    let ns = TestNamespace::new(TestNamespace::fast_retry()).await;
    let script = Arc::new(Scripted::default());
    script.broken.store(true, Ordering::SeqCst);
    let (rt, _task) = start(&ns, script.clone()).await;

    ns.publish_event(story("g-broken", "broken")).await;
    let dead = dead_letters(&ns, 1).await;
    assert_eq!(dead[0].error_class, "retries-exhausted");
    assert_eq!(dead[0].attempts, Some(3));
    assert!(dead[0].error.contains("out dir unwritable"));

    script.broken.store(false, Ordering::SeqCst);
    let replayed = ops::dlq_replay(&ns.conn, &ns.publisher, &ns.names, None, &Selection::All, false).await.expect("replay");
    let events = ns.await_published(1, LONG).await;

    assert_eq!(replayed.len(), 1);
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].attempt, 1, "a replay starts counting attempts afresh");
    assert_eq!(ns.depth(&ns.names.dead_letter_queue(Stage::Publish)).await, 0);
    rt.shutdown();
}

#[tokio::test]
async fn dry_run_replay_leaves_dead_letters_in_place() {
    let ns = TestNamespace::new(TestNamespace::fast_retry()).await;
    let (rt, _task) = start(&ns, Arc::default()).await;
    ns.publish_event(story("g-invalid", "invalid")).await;
    dead_letters(&ns, 1).await;

    let would = ops::dlq_replay(&ns.conn, &ns.publisher, &ns.names, None, &Selection::All, true).await.expect("dry run");

    assert_eq!(would.len(), 1);
    assert_eq!(ns.depth(&ns.names.dead_letter_queue(Stage::Publish)).await, 1);
    rt.shutdown();
}

#[tokio::test]
async fn deferred_message_comes_back_without_counting_an_attempt() {
    let ns = TestNamespace::new(TestNamespace::fast_retry()).await;
    let (rt, _task) = start(&ns, Arc::default()).await;

    ns.publish_event(story("g-defer", "defer")).await;
    let events = ns.await_published(1, LONG).await;

    assert_eq!(events[0].attempt, 1);
    assert_eq!(rt.metrics().deferred.load(Ordering::Relaxed), 1);
    assert_eq!(rt.metrics().retried.load(Ordering::Relaxed), 0);
    rt.shutdown();
}

#[tokio::test]
async fn unroutable_output_dead_letters_the_input_instead_of_acking_it() {
    // Delete the queue bound to story.published after start (which declared it): the handler's
    // output cannot be routed, so the input must not count as handled.
    let ns = TestNamespace::new(TestNamespace::fast_retry()).await;
    let (rt, _task) = start(&ns, Arc::default()).await;
    let channel = ns.conn.create_channel().await.expect("channel");
    channel.queue_delete(ns.names.published_queue().into(), Default::default()).await.expect("delete published queue");

    ns.publish_event(story("g-unroutable", "fine")).await;
    let dead = dead_letters(&ns, 1).await;

    assert_eq!(dead[0].error_class, "output-rejected");
    assert!(dead[0].error.contains("topology declare"), "{}", dead[0].error);
    assert_eq!(rt.metrics().succeeded.load(Ordering::Relaxed), 0);
    rt.shutdown();
}

#[tokio::test]
async fn an_output_over_the_message_cap_dead_letters_the_input_as_too_large() {
    // A 1 MiB output against a 64 KiB amqp.max_message_bytes: the publisher refuses it before
    // the broker sees it, and the input goes to the dead-letter queue with the reason; the
    // worker keeps going with the next story.
    let ns = TestNamespace::new(TestNamespace::fast_retry()).await;
    let mut settings = ns.settings.clone();
    settings.amqp.max_message_bytes = 64 * 1024;
    let (rt, _task) = start_with(&ns, settings, Arc::default()).await;

    ns.publish_event(story("g-huge", "huge")).await;
    let dead = dead_letters(&ns, 1).await;

    assert_eq!(dead[0].error_class, "too-large", "{dead:?}");
    assert!(dead[0].error.contains("amqp.max_message_bytes"), "the reason names the key: {}", dead[0].error);
    assert!(dead[0].story_id.as_deref().is_some_and(|id| id.contains("g-huge")), "{:?}", dead[0].story_id);
    assert_eq!(rt.metrics().retried.load(Ordering::Relaxed), 0, "too large is not retried");

    ns.publish_event(story("g-after", "fine")).await;
    let events = ns.await_published(1, LONG).await;
    assert_eq!(events[0].payload.guid, "g-after");
    rt.shutdown();
}
