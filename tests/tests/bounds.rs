//! Bounds through the real workers: a drop-folder document under `ingest.max_file_bytes` whose
//! story would make a message over `amqp.max_message_bytes` (and over RabbitMQ 4's own 16 MiB
//! limit, which would close the publish channel) goes to `.failed/` with a reason naming the key,
//! and the worker keeps going: a good story dropped after it is published.

use copydesk_tests::broker::TestNamespace;
use copydesk_tests::pipeline::{files_in, Pipeline};
use copydesk_tests::stories;
use std::time::Duration;

const LONG: Duration = Duration::from_secs(240);

#[tokio::test]
async fn a_story_over_the_message_cap_goes_to_failed_with_the_key_and_the_worker_keeps_going() {
    let p = Pipeline::start(TestNamespace::fast_retry()).await;
    // 17 MiB of plain text (under the 20 MiB file cap): paragraphs of a synthetic story.
    let paragraph = stories::plain_text(1).replace("\n\n", " ");
    let mut big = String::from("A very long story that no broker will carry\n\n");
    while big.len() < 17 * 1024 * 1024 {
        big.push_str(&paragraph);
        big.push_str("\n\n");
    }
    p.drop_file("huge.txt", big.as_bytes());
    let reason = p
        .until("huge.txt in .failed/ with its reason", LONG, || async {
            let reasons = files_in(&p.inbox.join(".failed"), |n| n.starts_with("huge.txt") && n.ends_with(".reason"));
            reasons.first().and_then(|r| std::fs::read_to_string(r).ok())
        })
        .await;
    assert!(reason.contains("amqp.max_message_bytes"), "the reason names the cap: {reason}");
    p.drop_stories(0..1);
    p.await_published(1, LONG).await;
    assert_eq!(p.article_files().len(), 1, "only the good story was published");
}
