//! The clusterer on the shared state store (SQLite and a fresh PostgreSQL database): the same
//! assignments as in memory, and replicas racing on one store put every story in one event.

use chrono::{TimeZone, Utc};
use copydesk_events::{
    ClusterConfig, Clusterer, EventDoc, EventEntity, EventStore, MemoryStore, StoreEvents,
};
use copydesk_types::EntityKind;

/// Two events (a ferry aground in March, a cargo-ship fire in April), three copies each,
/// written for this test.
fn stream() -> Vec<EventDoc> {
    let ferry = |id: &str, day: u32, who: &str, place: &str, n: u32| {
        let (title, text, month) = if id.starts_with('a') {
            (
                format!("Ferry runs aground near {place}, captain {who} questioned"),
                format!(
                    "A passenger ferry ran aground near {place} on Monday with {n} people on board. Captain {who} was questioned by police. \
                     The coast guard said all passengers were safe and the ferry would be towed to {place} harbour. {who} told reporters the fog was thick."
                ),
                3,
            )
        } else {
            (
                format!("Cargo ship fire off {place} burns for a second day"),
                format!(
                    "Firefighters fought a blaze on a container vessel off {place} for a second day, the port authority said. {n} containers were damaged. \
                     Harbour master {who} said the crew had been evacuated by helicopter and smoke could be seen from the city."
                ),
                4,
            )
        };
        EventDoc {
            id: id.into(),
            version: 1,
            title,
            text,
            language: Some("en".into()),
            published: Utc.with_ymd_and_hms(2026, month, day, 9, 0, 0).single(),
            source: Some(format!("agency-{id}")),
            entities: vec![
                EventEntity {
                    name: who.into(),
                    kind: EntityKind::Person,
                    mentions: 2,
                },
                EventEntity {
                    name: place.into(),
                    kind: EntityKind::Loc,
                    mentions: 2,
                },
            ],
        }
    };
    vec![
        ferry("a1", 2, "Lena Berg", "Bergen", 120),
        ferry("b1", 20, "Tomas Rui", "Vigo", 80),
        ferry("a2", 2, "Lena Berg", "Bergen", 120),
        ferry("b2", 20, "Tomas Rui", "Vigo", 80),
        ferry("a3", 3, "Lena Berg", "Bergen", 121),
        ferry("b3", 21, "Tomas Rui", "Vigo", 80),
    ]
}

async fn assign_all<S: EventStore>(c: &Clusterer<S>) -> Vec<String> {
    let mut out = Vec::new();
    for doc in stream() {
        out.push(c.assign(&doc).await.expect("assign").event_id);
    }
    out
}

async fn same_as_memory(store: copydesk_store::Store) {
    let memory = assign_all(&Clusterer::new(
        MemoryStore::new(),
        ClusterConfig::default(),
    ))
    .await;
    let stored = assign_all(&Clusterer::new(
        StoreEvents(store.clone()),
        ClusterConfig::default(),
    ))
    .await;
    assert_eq!(stored, memory, "the store keeps exactly what memory keeps");
    assert_eq!(memory[0], memory[2], "a1 and a2 are one event");
    assert_ne!(memory[0], memory[1], "the two accidents are apart");
    // A redelivered story changes nothing; its assignment carries the event as stored.
    let again = Clusterer::new(StoreEvents(store.clone()), ClusterConfig::default());
    let redelivered = again.assign(&stream()[0]).await.expect("again");
    assert_eq!(redelivered.event_id, memory[0]);
    let read = StoreEvents(store)
        .event_of(&stream()[0].id)
        .await
        .expect("read")
        .expect("event");
    assert_eq!(redelivered.event, Some(read), "packed vectors round trip exactly");
}

async fn racing_replicas_agree(store: copydesk_store::Store) {
    let a = Clusterer::new(StoreEvents(store.clone()), ClusterConfig::default());
    let b = Clusterer::new(StoreEvents(store.clone()), ClusterConfig::default());
    let docs = stream();
    let (left, right) = docs.split_at(3);
    async fn run(clusterer: &Clusterer<StoreEvents>, docs: Vec<EventDoc>) {
        for d in docs {
            clusterer.assign(&d).await.expect("assign under contention");
        }
    }
    tokio::join!(run(&a, left.to_vec()), run(&b, right.to_vec()));
    let events = StoreEvents(store);
    let mut seen = std::collections::HashSet::new();
    for doc in stream() {
        let event = events
            .event_of(&doc.id)
            .await
            .expect("read")
            .expect("every story has an event");
        assert!(
            event.member(&doc.id).is_some(),
            "{} indexed to an event that holds it",
            doc.id
        );
        seen.insert(doc.id);
    }
    assert_eq!(seen.len(), 6);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_store_assigns_as_memory_does() {
    let t = copydesk_store::testing::sqlite().await;
    same_as_memory(t.store.clone()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_store_assigns_as_memory_does() {
    let t = copydesk_store::testing::postgres().await;
    same_as_memory(t.store.clone()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replicas_racing_on_sqlite_put_every_story_in_one_event() {
    let t = copydesk_store::testing::sqlite().await;
    racing_replicas_agree(t.store.clone()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replicas_racing_on_postgres_put_every_story_in_one_event() {
    let t = copydesk_store::testing::postgres().await;
    racing_replicas_agree(t.store.clone()).await;
}
