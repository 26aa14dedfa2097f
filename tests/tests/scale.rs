//! Scale-out on one machine: 3 ingest, 2 extract, 2 summarize and 3 publish workers sharing a
//! PostgreSQL store (a fresh database for this test) and the machine's RabbitMQ (a random
//! namespace), 1,000 files into one drop folder: unique stories, re-sent duplicates, corrections
//! and kill chains. One ingest and one publish replica are killed with SIGKILL mid-batch and NOT
//! restarted: the surviving replicas must take over the dead one's drop-folder claims and story
//! leases. Every unique story must come out once in the files, once in the WordPress stand-in
//! and once per version at the signed webhook (repeats are counted and printed, not hidden).

use copydesk_publish::files::story_key;
use copydesk_publish::testing::{webhook, wordpress};
use copydesk_tests::pipeline::{files_in, Pipeline};
use copydesk_tests::stories;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::{Duration, Instant};

/// Files dropped, in all.
const FILES: usize = 1000;
/// Plain-text stories, each unique.
const PLAIN: usize = 930;
/// ninjs stories with a stable guid, so later versions can correct or kill them.
const CHAIN: usize = 20;
/// Plain-text stories re-sent byte for byte under another file name.
const PLAIN_RESENDS: usize = 20;
/// ninjs first versions re-sent.
const CHAIN_RESENDS: usize = 10;
/// c0..c9 get a corrected v2; c0..c4 are then killed at v3 (the kill chain v1 -> v2 -> kill);
/// c10..c14 are killed at v2.
const CORRECTED: std::ops::Range<usize> = 0..10;
const KILLED_AFTER_CORRECTION: std::ops::Range<usize> = 0..5;
const KILLED_AT_V2: std::ops::Range<usize> = 10..15;
const LONG: Duration = Duration::from_secs(900);

fn chain_uri(i: usize) -> String {
    format!("https://wire.example/scale/c{i}")
}

/// Chain story `i` at `version` as ninjs: usable, or canceled (a kill).
fn ninjs(i: usize, version: u64, canceled: bool) -> Vec<u8> {
    let text = stories::plain_text(5000 + i);
    let (headline, body) = text.split_once("\n\n").expect("headline");
    let body = if version > 1 { format!("{body}\n\nThis version corrects the figures in earlier versions (version {version}).") } else { body.to_string() };
    serde_json::json!({
        "uri": chain_uri(i),
        "type": "text",
        "version": version,
        "pubstatus": if canceled { "canceled" } else { "usable" },
        "language": "en",
        "headline": headline,
        "body_text": body,
    })
    .to_string()
    .into_bytes()
}

fn json(path: &std::path::Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).expect("read article")).expect("article is JSON")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_replicas_on_postgres_publish_every_story_once_through_kill_dash_nine() {
    assert_eq!(PLAIN + CHAIN + PLAIN_RESENDS + CHAIN_RESENDS + CORRECTED.len() + KILLED_AT_V2.len() + KILLED_AFTER_CORRECTION.len(), FILES);
    let started = Instant::now();
    let db = copydesk_store::testing::postgres().await;
    let store_url = {
        use secrecy::ExposeSecret;
        db.config.url.expose_secret().to_string()
    };
    let wp: wordpress::Shared = std::sync::Arc::default();
    let site = wordpress::serve(&wp).await;
    let secret = "scale-test-secret";
    let (hook, hook_url) = webhook::serve(secret).await;
    let env = vec![
        ("COPYDESK__STORE__URL".to_string(), store_url),
        ("COPYDESK__STORE__MAX_CONNECTIONS".into(), "4".into()),
        ("COPYDESK__PUBLISH__WORDPRESS__URL".into(), site),
        ("COPYDESK__PUBLISH__WORDPRESS__USER".into(), "desk".into()),
        ("COPYDESK_WORDPRESS_PASSWORD".into(), wordpress::PASSWORD.into()),
        ("COPYDESK__PUBLISH__WEBHOOK__URL".into(), hook_url),
        ("COPYDESK__PUBLISH__WEBHOOK__SECRET_ENV".into(), "COPYDESK_SCALE_TEST_WEBHOOK_SECRET".into()),
        ("COPYDESK_SCALE_TEST_WEBHOOK_SECRET".into(), secret.into()),
    ];
    // More attempts than the other tests' fast retries: the two summarize replicas race on the
    // same event clusters (these synthetic stories all resemble each other), and a story whose
    // events another replica kept changing is retried as a transient failure. With three
    // attempts a few dead-lettered; the count of such retries is printed below.
    let retry = copydesk_runtime::config::RetrySettings { max_attempts: 10, initial_delay_ms: 200, max_delay_ms: 3000 };
    let mut p = Pipeline::start_with(retry, env).await;
    for (worker, extra) in [("ingest-worker", 2), ("extract-worker", 1), ("summarize-worker", 1), ("publish-worker", 2)] {
        for _ in 0..extra {
            p.spawn(worker);
        }
    }
    p.await_consuming().await;
    let watch = p.ns.watch_published().await;
    eprintln!("scale: 10 workers consuming after {:.1}s", started.elapsed().as_secs_f64());

    // Phase 1: the chain stories' first versions, then the bulk with duplicates mixed in.
    for i in 0..CHAIN {
        p.drop_file(&format!("chain-{i:02}-v1.json"), &ninjs(i, 1, false));
    }
    for i in 0..PLAIN {
        p.drop_file(&stories::file_name(i), stories::plain_text(i).as_bytes());
        if i >= 100 && i % 40 == 0 && (i - 100) / 40 < PLAIN_RESENDS {
            let j = (i - 100) / 40;
            p.drop_file(&format!("resend-{j:05}.txt"), stories::plain_text(j).as_bytes());
        }
        if i == 500 {
            for c in 0..CHAIN_RESENDS {
                p.drop_file(&format!("chain-{c:02}-v1-resend.json"), &ninjs(c, 1, false));
            }
        }
    }

    // Kill -9 one ingest and one publish replica mid-batch; they stay dead.
    p.until("the batch to be under way (100 stories published)", LONG, || async { (watch.distinct().len() >= 100).then_some(()) }).await;
    let mut killed = Vec::new();
    for worker in ["ingest-worker", "publish-worker"] {
        let i = p.index_of(worker);
        let mut procs = p.procs.lock().expect("procs");
        procs[i].kill9();
        assert!(procs[i].exited().is_some(), "{worker} is dead");
        killed.push((worker, i));
    }
    let at_kill = watch.distinct().len();
    eprintln!("scale: killed one ingest and one publish replica at {at_kill} published, {:.1}s", started.elapsed().as_secs_f64());

    // Phase 2, once their first versions are out: corrections and kills at v2.
    let chain_ids: HashMap<usize, String> = p
        .until("every chain story's first version published", LONG, || async {
            let events = watch.events();
            let ids: HashMap<usize, String> = (0..CHAIN)
                .filter_map(|i| events.iter().find(|e| e.payload.guid == chain_uri(i) && e.payload.version == 1).map(|e| (i, e.payload.key().to_string())))
                .collect();
            (ids.len() == CHAIN).then_some(ids)
        })
        .await;
    for i in CORRECTED {
        p.drop_file(&format!("chain-{i:02}-v2.json"), &ninjs(i, 2, false));
    }
    for i in KILLED_AT_V2 {
        p.drop_file(&format!("chain-{i:02}-v2-kill.json"), &ninjs(i, 2, true));
    }
    let v2_out = |i: usize| watch.distinct().contains(&(chain_ids[&i].clone(), 2));
    p.until("the corrections and v2 kills published", LONG, || async { CORRECTED.chain(KILLED_AT_V2).all(v2_out).then_some(()) }).await;
    // Phase 3: the end of the kill chain.
    for i in KILLED_AFTER_CORRECTION {
        p.drop_file(&format!("chain-{i:02}-v3-kill.json"), &ninjs(i, 3, true));
    }

    // Everything out: the plain stories (their keys are not known in advance, so counted), and
    // every chain version.
    let chain_versions: HashSet<(String, u64)> = (0..CHAIN)
        .flat_map(|i| {
            let last = if KILLED_AFTER_CORRECTION.contains(&i) { 3 } else if CORRECTED.contains(&i) || KILLED_AT_V2.contains(&i) { 2 } else { 1 };
            (1..=last).map(move |v| (i, v))
        })
        .map(|(i, v)| (chain_ids[&i].clone(), v))
        .collect();
    let chain_keys: HashSet<&String> = chain_ids.values().collect();
    let is_event = |key: &str| key.starts_with("event/");
    let stories_out = || {
        let distinct = watch.distinct();
        let plain = distinct.iter().filter(|(k, _)| !chain_keys.contains(k) && !is_event(k)).count();
        (plain, chain_versions.iter().filter(|kv| distinct.contains(*kv)).count())
    };
    p.until(&format!("{PLAIN} plain stories and {} chain versions published", chain_versions.len()), LONG, || async {
        let (plain, chain) = stories_out();
        (plain >= PLAIN && chain == chain_versions.len()).then_some(())
    })
    .await;
    let done = p.inbox.join(".done");
    p.until("every dropped file retired to .done/", LONG, || async { (files_in(&done, |_| true).len() >= FILES).then_some(()) }).await;
    let elapsed = started.elapsed().as_secs_f64();

    // Events: exactly the expected stories, nothing extra (a duplicate published would be a new key).
    let events = watch.events();
    let distinct = watch.distinct();
    let (plain, _) = stories_out();
    assert_eq!(plain, PLAIN, "plain stories published: duplicates must not come out as stories of their own\n{}", p.logs());
    let event_articles: HashSet<&String> = distinct.iter().map(|(k, _)| k).filter(|k| is_event(k)).collect();
    let mut repeats: BTreeMap<String, usize> = BTreeMap::new();
    let mut seen = HashSet::new();
    for e in &events {
        if !seen.insert((e.payload.key().to_string(), e.payload.version)) {
            *repeats.entry(format!("{} v{}", e.payload.key(), e.payload.version)).or_default() += 1;
        }
    }
    let killed_ids: HashSet<&String> = KILLED_AFTER_CORRECTION.chain(KILLED_AT_V2).map(|i| &chain_ids[&i]).collect();
    let chain_index: HashMap<String, usize> = chain_ids.iter().map(|(i, id)| (id.clone(), *i)).collect();
    for e in events.iter().filter(|e| !is_event(e.payload.key())) {
        let kill_version = chain_index.get(e.payload.key()).and_then(|i| {
            if KILLED_AFTER_CORRECTION.contains(i) {
                Some(3)
            } else {
                KILLED_AT_V2.contains(i).then_some(2)
            }
        });
        assert_eq!(e.payload.retracted, kill_version == Some(e.payload.version), "only the kills retract: {:?}", e.payload);
    }

    // Files: one article per (story, version) that is still live; the killed stories have a
    // tombstone and no article left.
    let articles = p.article_files();
    let mut by_story: HashMap<String, Vec<u64>> = HashMap::new();
    for path in &articles {
        let a = json(path);
        let id = a["story_id"].as_str().expect("story_id").to_string();
        by_story.entry(id).or_default().push(a["version"].as_u64().expect("version"));
    }
    let live_stories: Vec<&String> = by_story.keys().filter(|k| !is_event(k)).collect();
    assert_eq!(live_stories.len(), PLAIN + CHAIN - killed_ids.len(), "one live story per unique story minus the killed");
    for i in 0..CHAIN {
        let id = &chain_ids[&i];
        let key = story_key(id);
        if killed_ids.contains(id) {
            assert!(!by_story.contains_key(id), "c{i} killed, yet its article is still in the files");
            assert!(p.out.join(format!("{key}.retracted.json")).exists(), "c{i} has its tombstone");
        } else {
            let mut versions = by_story[id].clone();
            versions.sort_unstable();
            let want: Vec<u64> = if CORRECTED.contains(&i) { vec![1, 2] } else { vec![1] };
            assert_eq!(versions, want, "c{i}: each version written once");
        }
    }
    for (id, versions) in by_story.iter().filter(|(k, _)| !is_event(k) && !chain_keys.contains(k)) {
        assert_eq!(versions, &vec![1], "{id}: one version, one file");
    }
    assert_eq!(files_in(&p.out, |n| n.ends_with(".md")).len(), articles.len(), "a Markdown file per article");

    // WordPress: one post per story (never a second post for a story another replica created),
    // trashed for the killed ones.
    let posts = wordpress::posts(&wp);
    let mut posts_by_key: HashMap<String, Vec<(u64, String)>> = HashMap::new();
    for (id, post) in &posts {
        let content = post["content"].as_str().unwrap_or_default();
        let key = content.rsplit("<!-- copydesk:").next().and_then(|s| s.strip_suffix(" -->")).expect("marker").to_string();
        posts_by_key.entry(key).or_default().push((*id, post["status"].as_str().unwrap_or_default().to_string()));
    }
    let doubled: Vec<_> = posts_by_key.iter().filter(|(_, v)| v.len() > 1).collect();
    assert!(doubled.is_empty(), "stories posted twice to WordPress: {doubled:?}");
    let story_posts = posts_by_key.keys().filter(|k| !event_articles.iter().any(|e| &story_key(e) == *k)).count();
    assert_eq!(story_posts, PLAIN + CHAIN, "one post per unique story");
    for i in 0..CHAIN {
        let status = &posts_by_key[&story_key(&chain_ids[&i])][0].1;
        let killed = killed_ids.contains(&chain_ids[&i]);
        assert_eq!(status == "trash", killed, "c{i}: post status {status}");
    }

    // Webhook: every delivery id the events imply arrived; repeats counted.
    let deliveries = hook.deliveries();
    assert_eq!(*hook.refused.lock().expect("lock"), 0, "every signature checks out");
    let mut arrived: HashMap<&str, usize> = HashMap::new();
    for (id, _) in &deliveries {
        *arrived.entry(id.as_str()).or_default() += 1;
    }
    let expected: HashSet<String> = events
        .iter()
        .map(|e| format!("{}.v{}.{}", story_key(e.payload.key()), e.payload.version, if e.payload.retracted { "retracted" } else { "published" }))
        .collect();
    let missing: Vec<&String> = expected.iter().filter(|id| !arrived.contains_key(id.as_str())).collect();
    assert!(missing.is_empty(), "webhook deliveries missing: {missing:?}");
    let unexpected: Vec<&&str> = arrived.keys().filter(|id| !expected.contains(**id)).collect();
    assert!(unexpected.is_empty(), "webhook deliveries without a published event: {unexpected:?}");
    let hook_repeats: BTreeMap<&str, usize> = arrived.iter().filter(|(_, n)| **n > 1).map(|(k, n)| (*k, n - 1)).collect();

    // The killed replicas stayed dead; the survivors did the work.
    for (worker, i) in &killed {
        assert!(p.procs.lock().expect("procs")[*i].exited().is_some(), "{worker} {i} stayed dead");
    }
    let logs: Vec<(String, String)> = p.procs.lock().expect("procs").iter().map(|w| (w.name.clone(), w.log_text())).collect();
    let event_races: usize = logs.iter().map(|(_, log)| log.matches("events kept changing").count()).sum();
    let retried: usize = logs.iter().map(|(_, log)| log.matches("transient failure; retrying later").count()).sum();
    let ingested: Vec<usize> = p.procs.lock().expect("procs").iter().filter(|w| w.name == "ingest-worker").map(|w| w.log_text().matches("file ingested").count()).collect();
    eprintln!(
        "scale: {FILES} files, {} distinct published (+{} event articles) in {elapsed:.1}s ({:.1} files/s, debug build, busy 2-core box); \
         killed at {at_kill}; files ingested per ingest replica {ingested:?}; published-event repeats {}: {repeats:?}; \
         webhook deliveries {} for {} ids, repeats {}: {hook_repeats:?}; WordPress posts {}; \
         transient retries {retried} (of them event-cluster races between summarize replicas {event_races})",
        distinct.len(),
        event_articles.len(),
        FILES as f64 / elapsed,
        repeats.values().sum::<usize>(),
        deliveries.len(),
        expected.len(),
        hook_repeats.values().sum::<usize>(),
        posts.len(),
    );
}
