//! A three-node RabbitMQ cluster of the test's own (scripts/cluster-up.sh): workers get all
//! three addresses (`amqp.urls`), one node is killed with `kill -9` mid-batch, and every story
//! is still published. The shared broker on 5672 is never touched.

use copydesk_runtime::config::RetrySettings;
use copydesk_tests::effects::{EventTally, WebhookReceiver};
use copydesk_tests::node::Cluster;
use copydesk_tests::pipeline::Pipeline;
use copydesk_types::Stage;
use std::time::Duration;

const LONG: Duration = Duration::from_secs(240);
/// A whole batch may take longer than [`LONG`] on a loaded machine, as long as it keeps moving
/// (`Pipeline::until_count` fails after `LONG` without progress).
const BATCH_CAP: Duration = Duration::from_secs(900);

#[tokio::test]
async fn killing_one_node_of_three_mid_batch_publishes_every_story() {
    let started = std::time::Instant::now();
    let cluster = Cluster::start().await;
    let cluster_up = started.elapsed();
    let hook = WebhookReceiver::start().await;
    let retry = RetrySettings { max_attempts: 20, initial_delay_ms: 200, max_delay_ms: 2000 };
    let mut p = Pipeline::start_on(cluster.urls(), retry, hook.env()).await;
    let tally = EventTally::start(&p.ns).await;
    p.supervise();
    let n = 200;

    // Every quorum queue of the namespace (work queues, retry tiers, the published log) has a
    // replica on each of the three nodes (declared after the cluster formed, with the default
    // initial group size).
    let listed = cluster.nodes[0].ctl(&["-q", "list_queues", "name", "type", "members", "--formatter", "json"]).await;
    let rows: Vec<serde_json::Value> = serde_json::from_str(listed.trim()).expect("list_queues json");
    let ours: Vec<&serde_json::Value> = rows.iter().filter(|r| r["name"].as_str().is_some_and(|q| q.starts_with(&format!("{}.", p.ns.names.namespace)))).collect();
    let quorum: Vec<&&serde_json::Value> = ours.iter().filter(|r| r["type"] == "quorum").collect();
    assert!(quorum.iter().any(|r| r["name"] == p.ns.names.stage_queue(Stage::Extract).as_str()), "work queues are quorum queues: {ours:?}");
    for q in &quorum {
        assert_eq!(q["members"].as_array().map(Vec::len), Some(3), "replicated on all three nodes: {q}");
    }

    // Choose the victim before the batch: asking rabbitmqctl takes seconds, and on a quick
    // machine the whole batch was once published in that time, before the kill. Kill the node
    // (not the first, which holds the test's own connection and the classic dead-letter queues)
    // that serves the most worker connections.
    let (victim, on_victim, served) = p
        .until("worker connections on nodes 2 and 3", LONG, || async {
            let served = [
                cluster.nodes[1].connections_named("-worker@").await,
                cluster.nodes[2].connections_named("-worker@").await,
            ];
            let (at, most) = if served[0] >= served[1] { (1, served[0]) } else { (2, served[1]) };
            (most > 0).then_some((at, most, served))
        })
        .await;
    let victim = &cluster.nodes[victim];
    eprintln!("cluster: worker connections on nodes 2 and 3 before the batch: {served:?}");
    // Half the batch before the kill, half after: the node dies with stories in flight, and
    // more arrive while the workers fail over.
    p.drop_stories(0..n / 2);
    p.until("the batch to be under way", LONG, || async { (tally.distinct() >= 20).then_some(()) }).await;
    let before = tally.distinct();
    let pid = victim.kill9().await;
    let killed_at = started.elapsed();
    p.drop_stories(n / 2..n);
    p.until_count("every story published", n, LONG, BATCH_CAP, || tally.distinct()).await;
    p.until_count("every webhook delivery received", n, LONG, BATCH_CAP, || hook.distinct()).await;

    let done_at = started.elapsed();
    let restarts = p.restarts.lock().expect("restarts").clone();
    let logs: String = p.procs.lock().expect("procs").iter().map(|w| w.log_text()).collect();
    eprintln!("cluster: up after {cluster_up:.1?}, node killed at {killed_at:.1?}, every story and delivery at {done_at:.1?}");
    eprintln!(
        "cluster: killed {} (beam pid {pid}) with {on_victim} worker connections on it, {before} of {n} published before; \
         worker restarts {}; connections made {} (failed attempts on a dead address {}); story.published events {} for {} pairs, repeats {:?}; webhook repeats {:?}",
        victim.name,
        restarts.len(),
        logs.matches("connected to RabbitMQ node").count(),
        logs.matches("RabbitMQ node unreachable").count(),
        tally.total(),
        tally.distinct(),
        tally.repeats(),
        hook.repeats(),
    );
    assert!(before < n, "the node died mid-batch");
    assert_eq!(tally.distinct(), n, "every story published");
    assert_eq!(hook.distinct(), n, "every webhook delivery id received");
    assert_eq!(p.article_files().len(), n, "restarts {restarts:?}\n{}", p.logs());
}
