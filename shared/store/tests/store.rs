//! The store's contract, run on both backends: SQLite in a temp file and PostgreSQL in a fresh
//! database per test.

use copydesk_store::ledger::{apply, decide};
use copydesk_store::{Action, Decision, Delivery, EventCommit, EventRow, IngestRecord, Store};
use std::time::Duration;

macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { let t = copydesk_store::testing::sqlite().await; super::$name(&t.store, &t.config).await; })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { let t = copydesk_store::testing::postgres().await; super::$name(&t.store, &t.config).await; })*
        }
    };
}

on_both_backends!(
    ingest_records_never_lower_a_version,
    content_dedup_keeps_the_first_guid,
    a_stale_ledger_write_loses_the_compare_and_set,
    a_lease_is_exclusive_until_released_or_expired,
    racing_replicas_serialise_on_a_story_lease,
    deliveries_are_recorded_once_per_target,
    feed_state_round_trips,
    migrations_are_idempotent_and_listed,
    pruning_removes_only_old_rows,
    events_are_found_by_their_keys_and_indexed_incrementally,
);

fn record(source: &str, guid: &str, version: u64) -> IngestRecord {
    IngestRecord {
        source: source.into(),
        guid: guid.into(),
        version,
        checksum: format!("sum-{version}"),
        killed: false,
        content: None,
    }
}

async fn ingest_records_never_lower_a_version(store: &Store, _: &copydesk_store::StoreConfig) {
    assert_eq!(store.seen("ap", "g1").await.expect("read"), None);
    store
        .record_ingested(&record("ap", "g1", 3))
        .await
        .expect("record v3");
    store
        .record_ingested(&record("ap", "g1", 2))
        .await
        .expect("record a late v2");
    let seen = store
        .seen("ap", "g1")
        .await
        .expect("read")
        .expect("present");
    assert_eq!((seen.version, seen.checksum.as_str()), (3, "sum-3"));
    assert_eq!(
        store.seen("reuters", "g1").await.expect("read"),
        None,
        "guids are namespaced by source"
    );
}

async fn content_dedup_keeps_the_first_guid(store: &Store, _: &copydesk_store::StoreConfig) {
    let mut a = record("ap", "first", 1);
    a.content = Some(("2026-11-30".into(), "h1".into()));
    let mut b = record("ap", "second", 1);
    b.content = a.content.clone();
    store.record_ingested(&a).await.expect("a");
    store.record_ingested(&b).await.expect("b");
    assert_eq!(
        store
            .content_guid("ap", "2026-11-30", "h1")
            .await
            .expect("read")
            .as_deref(),
        Some("first")
    );
    assert_eq!(
        store
            .content_guid("ap", "2026-12-01", "h1")
            .await
            .expect("read"),
        None
    );
}

async fn a_stale_ledger_write_loses_the_compare_and_set(
    store: &Store,
    _: &copydesk_store::StoreConfig,
) {
    let row = store.ledger("ap/s1").await.expect("read");
    let published = apply(&row, Action::Publish(2), &Decision::Publish, Some("slug"));
    assert!(store
        .ledger_commit(&row, &published)
        .await
        .expect("first write"));
    // A second replica decided from the same (now stale) row: its write must not land.
    let killed = apply(&row, Action::Kill(1), &decide(&row, Action::Kill(1)), None);
    assert!(
        !store
            .ledger_commit(&row, &killed)
            .await
            .expect("stale write"),
        "stale write refused"
    );
    let now = store.ledger("ap/s1").await.expect("read");
    assert_eq!(
        (
            now.published_version,
            now.killed_version,
            now.slug.as_deref()
        ),
        (2, 0, Some("slug"))
    );
    // Decided again from the fresh row, the kill lands and carries the highest version.
    let decision = decide(&now, Action::Kill(1));
    assert_eq!(
        decision,
        Decision::Retract {
            version: 2,
            kill: true
        }
    );
    assert!(store
        .ledger_commit(&now, &apply(&now, Action::Kill(1), &decision, None))
        .await
        .expect("write"));
    assert!(matches!(
        decide(
            &store.ledger("ap/s1").await.expect("read"),
            Action::Publish(3)
        ),
        Decision::Skip(_)
    ));
}

async fn a_lease_is_exclusive_until_released_or_expired(
    store: &Store,
    _: &copydesk_store::StoreConfig,
) {
    let ttl = Duration::from_secs(60);
    let a = store
        .try_lease("story:x", "replica-a", ttl)
        .await
        .expect("a")
        .expect("free");
    assert!(
        store
            .try_lease("story:x", "replica-b", ttl)
            .await
            .expect("b")
            .is_none(),
        "held by a"
    );
    assert_eq!(
        store
            .lease_holder("story:x")
            .await
            .expect("holder")
            .as_deref(),
        Some("replica-a")
    );
    a.release().await.expect("release");
    let b = store
        .try_lease("story:x", "replica-b", Duration::from_millis(1))
        .await
        .expect("b")
        .expect("free again");
    assert_eq!(b.name(), "story:x");
    // b died without releasing: once its lease has run out, c takes over.
    let c = store
        .lease("story:x", "replica-c", ttl, Duration::from_secs(5))
        .await
        .expect("taken over");
    assert!(!b.renew(ttl).await.expect("renew"), "b lost it");
    assert!(c.renew(ttl).await.expect("renew"));
}

async fn racing_replicas_serialise_on_a_story_lease(
    store: &Store,
    config: &copydesk_store::StoreConfig,
) {
    // Two "replicas" (separate pools on the same state) each run 20 read-modify-write rounds
    // on one ledger row under the story lease; no increment may be lost.
    let other = Store::open(config).await.expect("second replica");
    let rounds = 20u64;
    let run = |s: Store, who: &'static str| async move {
        for _ in 0..rounds {
            let lease = s
                .lease(
                    "story:race",
                    who,
                    Duration::from_secs(30),
                    Duration::from_secs(30),
                )
                .await
                .expect("lease");
            let row = s.ledger("race").await.expect("read");
            let mut next = row.clone();
            next.highest_version += 1;
            assert!(
                s.ledger_commit(&row, &next).await.expect("write"),
                "under the lease no write is stale"
            );
            lease.release().await.expect("release");
        }
    };
    tokio::join!(run(store.clone(), "a"), run(other, "b"));
    assert_eq!(
        store.ledger("race").await.expect("read").highest_version,
        2 * rounds
    );
}

async fn deliveries_are_recorded_once_per_target(store: &Store, _: &copydesk_store::StoreConfig) {
    assert_eq!(
        store.delivery("ap/s", 1, "webhook").await.expect("read"),
        None
    );
    let done = Delivery {
        state: "done".into(),
        external_id: None,
    };
    store
        .record_delivery("ap/s", 1, "webhook", &done)
        .await
        .expect("record");
    store
        .record_delivery(
            "ap/s",
            0,
            "wordpress",
            &Delivery {
                state: "created".into(),
                external_id: Some("42".into()),
            },
        )
        .await
        .expect("record");
    store
        .record_delivery("ap/s", 1, "webhook", &done)
        .await
        .expect("again is fine");
    assert_eq!(
        store.delivery("ap/s", 1, "webhook").await.expect("read"),
        Some(done)
    );
    assert_eq!(store.deliveries_of("ap/s").await.expect("list").len(), 2);
}

async fn feed_state_round_trips(store: &Store, _: &copydesk_store::StoreConfig) {
    assert_eq!(store.feed_state("world").await.expect("read"), None);
    store
        .save_feed_state("world", r#"{"etag":"\"abc\""}"#)
        .await
        .expect("save");
    store
        .save_feed_state("world", r#"{"etag":"\"def\""}"#)
        .await
        .expect("save again");
    assert_eq!(
        store.feed_state("world").await.expect("read").as_deref(),
        Some(r#"{"etag":"\"def\""}"#)
    );
}

async fn migrations_are_idempotent_and_listed(store: &Store, _: &copydesk_store::StoreConfig) {
    store.migrate().await.expect("second run is a no-op");
    let listed = store.migrations().await.expect("list");
    assert!(
        !listed.is_empty() && listed.iter().all(|(_, _, applied)| *applied),
        "{listed:?}"
    );
}

async fn pruning_removes_only_old_rows(store: &Store, _: &copydesk_store::StoreConfig) {
    store
        .record_ingested(&record("ap", "fresh", 1))
        .await
        .expect("record");
    let pruned = store
        .prune(Duration::from_secs(3600), Duration::from_secs(3600))
        .await
        .expect("prune");
    assert_eq!(pruned.dedup, 0);
    assert!(store.seen("ap", "fresh").await.expect("read").is_some());
    let pruned = store.prune(Duration::from_millis(1), Duration::ZERO).await;
    // Rows written this millisecond may or may not be older than 1 ms; only check it ran.
    assert!(pruned.is_ok());
}

fn put(id: &str, expected: u64, members: &[&str], keys: &[u64]) -> EventRow {
    EventRow::Put {
        id: id.into(),
        expected,
        state: format!(r#"{{"id":"{id}","v":{}}}"#, expected + 1),
        members: members.iter().map(|m| m.to_string()).collect(),
        span: Some((1_000, 2_000)),
        keys: keys.to_vec(),
    }
}

async fn commit(store: &Store, rows: Vec<EventRow>, terms: Option<Vec<u64>>) -> bool {
    store
        .event_commit(&EventCommit {
            rows,
            new_doc_terms: terms,
        })
        .await
        .expect("commit")
}

async fn events_are_found_by_their_keys_and_indexed_incrementally(
    store: &Store,
    _: &copydesk_store::StoreConfig,
) {
    // Term ids use all 64 bits.
    let (ferry, strike, vote) = (u64::MAX - 7, 42u64, 1u64 << 63);
    assert!(commit(store, vec![put("e1", 0, &["s1", "s2"], &[ferry, vote])], Some(vec![ferry, vote])).await);
    assert!(commit(store, vec![put("e2", 0, &["s3"], &[strike])], Some(vec![strike, ferry])).await);
    assert!(commit(store, vec![put("e3", 0, &["s4"], &[])], None).await);
    let window = Some((0, 5_000));
    let found = store.event_candidates(window, &[vote], 10).await.expect("read");
    assert_eq!(found.len(), 2, "e1 by its key and e3, which has none: {found:?}");
    assert!(found[0].contains("e1") && found[1].contains("e3"));
    let found = store.event_candidates(window, &[strike, 9], 10).await.expect("read");
    assert!(found.iter().any(|s| s.contains("e2")) && !found.iter().any(|s| s.contains("e1")));
    assert_eq!(store.event_candidates(window, &[], 10).await.expect("read").len(), 3);
    assert!(store.event_candidates(Some((9_000, 9_500)), &[vote], 10).await.expect("read").is_empty());
    // e1 moves on: s2 leaves for e2, s5 joins, its keys change; the index follows.
    assert!(commit(store, vec![put("e1", 1, &["s1", "s5"], &[strike]), put("e2", 1, &["s3", "s2"], &[strike])], None).await);
    assert!(store.event_of_story("s5").await.expect("read").is_some_and(|s| s.contains("e1")));
    assert!(store.event_of_story("s2").await.expect("read").is_some_and(|s| s.contains("e2")));
    let by_vote = store.event_candidates(window, &[vote], 10).await.expect("read");
    assert!(!by_vote.iter().any(|s| s.contains("e1")), "old key gone: {by_vote:?}");
    // A stale write changes nothing, keys included.
    assert!(!commit(store, vec![put("e1", 1, &["s1"], &[vote])], None).await);
    assert!(store.event_candidates(window, &[vote], 10).await.expect("read").iter().all(|s| !s.contains("e1")));
    // Document frequencies, read in one batch.
    let (docs, df) = store.event_doc_freqs(&[ferry, strike, vote, 7]).await.expect("df");
    assert_eq!((docs, df), (2, vec![2, 1, 1, 0]));
    // A deleted event leaves no keys behind.
    assert!(commit(store, vec![EventRow::Delete { id: "e2".into(), expected: 2 }], None).await);
    assert!(store.event_candidates(window, &[strike], 10).await.expect("read").iter().all(|s| !s.contains("e2")));
    assert_eq!(store.event_of_story("s3").await.expect("read"), None);
}
