//! The clusterer on invented wire stories: joins, new events, versions, time windows,
//! compare-and-set retries, and two similar events of one topic kept apart.

use chrono::{DateTime, Duration, TimeZone, Utc};
use copydesk_events::{
    ClusterConfig, Clusterer, Commit, EventDoc, EventEntity, EventState, EventStore, MemoryStore,
    Outcome, StoreError,
};
use copydesk_types::EntityKind;
use futures::executor::block_on;
use std::sync::atomic::{AtomicU32, Ordering};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0)
        .single()
        .expect("valid time")
}

fn doc(id: &str, title: &str, text: &str, people: &[(&str, u32)], hours: i64) -> EventDoc {
    EventDoc {
        id: id.into(),
        version: 1,
        title: title.into(),
        text: text.into(),
        language: Some("en".into()),
        published: Some(t0() + Duration::hours(hours)),
        source: Some("Copydesk Wire".into()),
        entities: people
            .iter()
            .map(|(n, m)| EventEntity {
                name: (*n).into(),
                kind: EntityKind::Person,
                mentions: *m,
            })
            .collect(),
    }
}

/// Unrelated stories first, so document frequencies mean something.
fn background() -> Vec<EventDoc> {
    let topics = [
        ("Council approves new budget for schools", "The city council approved a budget that adds teachers and repairs roofs in twelve schools."),
        ("Storm floods coastal road", "Heavy rain flooded the coastal road overnight and crews pumped water from homes near the pier."),
        ("Orchestra names new conductor", "The symphony orchestra named a young conductor who will lead the autumn season of concerts."),
        ("Bakery chain opens tenth shop", "A family bakery chain opened its tenth shop and hired forty people for the bread ovens."),
        ("Rail strike ends after pay deal", "Train drivers ended a three-day strike after unions accepted a pay offer from the operator."),
    ];
    topics
        .iter()
        .enumerate()
        .map(|(i, (t, x))| doc(&format!("bg{i}"), t, x, &[], i as i64))
        .collect()
}

/// A clusterer that has seen the background stories.
fn warmed(cfg: ClusterConfig) -> Clusterer<MemoryStore> {
    let c = Clusterer::new(MemoryStore::new(), cfg);
    for d in background() {
        block_on(c.assign(&d)).expect("assign");
    }
    c
}

fn arrest(id: &str, player: &str, position: &str, hours: i64) -> EventDoc {
    let last = player.split(' ').next_back().unwrap_or(player);
    // The two invented arrests share the topic (club, drink-driving, police) but not the
    // details, as two real events of one topic do.
    let details = if last == "Reyes" {
        "was stopped on the ring road after midnight on Sunday, hours after scoring twice against Millbrook. \
         His lawyer said he would plead not guilty at the magistrates court in April"
    } else {
        "crashed his car into a lamppost near the marina on Friday evening and failed a breath test. \
         The veteran centre-back, 33, was released on bail and suspended by the coach"
    };
    doc(
        id,
        &format!("Harbour FC {position} {player} arrested on drink-driving suspicion"),
        &format!(
            "Harbour FC {position} {player} was arrested on suspicion of drink-driving, police said. \
             {last} {details}. The club said {last} would cooperate with police."
        ),
        &[(player, 4)],
        hours,
    )
}

#[test]
fn copies_of_one_event_join_and_a_similar_event_with_another_protagonist_stays_apart() {
    let c = warmed(ClusterConfig::default());
    let first = block_on(c.assign(&arrest("a1", "Tom Reyes", "striker", 10))).expect("assign");
    let second = block_on(c.assign(&arrest("a2", "Tom Reyes", "striker", 11))).expect("assign");
    let other = block_on(c.assign(&arrest("b1", "Ian Mulk", "defender", 12))).expect("assign");
    let other2 = block_on(c.assign(&arrest("b2", "Ian Mulk", "defender", 13))).expect("assign");
    assert_eq!(first.outcome, Outcome::Opened);
    assert_eq!(
        (second.outcome, &second.event_id),
        (Outcome::Joined, &first.event_id)
    );
    assert_ne!(
        other.event_id, first.event_id,
        "another player's arrest is another event: {other:?}"
    );
    assert_eq!(other2.event_id, other.event_id);
}

#[test]
fn a_new_version_stays_in_its_event_even_when_its_text_changes() {
    let c = warmed(ClusterConfig::default());
    let a = block_on(c.assign(&arrest("a1", "Tom Reyes", "striker", 10))).expect("assign");
    let mut v2 = doc(
        "a1",
        "Correction: bakery story",
        "Entirely different words about ovens and bread.",
        &[],
        12,
    );
    v2.version = 2;
    let b = block_on(c.assign(&v2)).expect("assign");
    assert_eq!((b.outcome, &b.event_id), (Outcome::Updated, &a.event_id));
    let again = block_on(c.assign(&v2)).expect("assign");
    assert_eq!(
        again.outcome,
        Outcome::Updated,
        "a redelivered version is a no-op"
    );
    let event = c
        .store()
        .events()
        .into_iter()
        .find(|e| e.id == a.event_id)
        .expect("event");
    assert_eq!(event.members.len(), 1);
    assert_eq!(event.members[0].version, 2);
}

#[test]
fn an_assignment_carries_the_event_exactly_as_stored() {
    let c = warmed(ClusterConfig::default());
    let stored = |id: &str| {
        c.store()
            .events()
            .into_iter()
            .find(|e| e.id == id)
            .expect("event")
    };
    let first = block_on(c.assign(&arrest("a1", "Tom Reyes", "striker", 10))).expect("assign");
    assert_eq!(first.event.as_ref(), Some(&stored(&first.event_id)));
    assert_eq!(first.event.as_ref().map(|e| e.version), Some(1));
    let second = block_on(c.assign(&arrest("a2", "Tom Reyes", "striker", 11))).expect("assign");
    assert_eq!(second.outcome, Outcome::Joined);
    assert_eq!(second.event.as_ref(), Some(&stored(&first.event_id)));
    assert_eq!(second.event.as_ref().map(|e| e.members.len()), Some(2));
    let mut v2 = arrest("a2", "Tom Reyes", "striker", 12);
    v2.version = 2;
    let update = block_on(c.assign(&v2)).expect("assign");
    assert_eq!(update.event.as_ref(), Some(&stored(&first.event_id)));
    assert_eq!(update.event.as_ref().map(|e| e.version), Some(3));
    let again = block_on(c.assign(&v2)).expect("assign");
    assert_eq!(again.event.as_ref(), Some(&stored(&first.event_id)), "a no-op: as read");
}

#[test]
fn a_story_outside_the_time_window_opens_a_new_event() {
    let c = warmed(ClusterConfig {
        window_days: 3,
        ..ClusterConfig::default()
    });
    let a = block_on(c.assign(&arrest("a1", "Tom Reyes", "striker", 10))).expect("assign");
    let late =
        block_on(c.assign(&arrest("a2", "Tom Reyes", "striker", 10 + 24 * 30))).expect("assign");
    assert_eq!(late.outcome, Outcome::Opened);
    assert_ne!(late.event_id, a.event_id);
}

/// A store whose first commits fail as if another replica had written first.
struct Contended {
    inner: MemoryStore,
    failures: AtomicU32,
    commits: AtomicU32,
}

impl EventStore for Contended {
    async fn candidates(
        &self,
        at: Option<DateTime<Utc>>,
        window: Duration,
        keys: &[u64],
    ) -> Result<Vec<EventState>, StoreError> {
        self.inner.candidates(at, window, keys).await
    }
    async fn event_of(&self, story_id: &str) -> Result<Option<EventState>, StoreError> {
        self.inner.event_of(story_id).await
    }
    async fn doc_freqs(&self, terms: &[u64]) -> Result<(u64, Vec<u64>), StoreError> {
        self.inner.doc_freqs(terms).await
    }
    async fn commit(&self, commit: Commit) -> Result<(), StoreError> {
        self.commits.fetch_add(1, Ordering::SeqCst);
        if self.failures.load(Ordering::SeqCst) > 0 {
            self.failures.fetch_sub(1, Ordering::SeqCst);
            return Err(StoreError::Conflict("evt-x".into()));
        }
        self.inner.commit(commit).await
    }
}

#[test]
fn an_assignment_is_redone_after_a_compare_and_set_conflict() {
    let store = Contended {
        inner: MemoryStore::new(),
        failures: AtomicU32::new(2),
        commits: AtomicU32::new(0),
    };
    let c = Clusterer::new(store, ClusterConfig::default());
    let a = block_on(c.assign(&arrest("a1", "Tom Reyes", "striker", 10)))
        .expect("assign after retries");
    assert_eq!(a.outcome, Outcome::Opened);
    assert_eq!(c.store().commits.load(Ordering::SeqCst), 3);
    assert_eq!(c.store().inner.events().len(), 1);
}

#[test]
fn a_stale_write_is_refused_and_changes_nothing() {
    let store = MemoryStore::new();
    let c = Clusterer::new(store, ClusterConfig::default());
    let a = block_on(c.assign(&arrest("a1", "Tom Reyes", "striker", 10))).expect("assign");
    let mut stale = c
        .store()
        .events()
        .into_iter()
        .find(|e| e.id == a.event_id)
        .expect("event");
    stale.members.clear();
    let write = copydesk_events::EventWrite::Put {
        expected: 0,
        state: stale,
    };
    let err = block_on(c.store().commit(Commit {
        writes: vec![write],
        new_doc_terms: None,
    }));
    assert!(matches!(err, Err(StoreError::Conflict(_))), "{err:?}");
    assert_eq!(c.store().events()[0].members.len(), 1);
}

#[test]
fn a_killed_story_leaves_its_event_and_the_last_one_removes_the_event() {
    let c = warmed(ClusterConfig::default());
    let a = block_on(c.assign(&arrest("a1", "Tom Reyes", "striker", 10))).expect("assign");
    block_on(c.assign(&arrest("a2", "Tom Reyes", "striker", 11))).expect("assign");
    assert_eq!(
        block_on(c.remove("a1")).expect("remove"),
        Some(a.event_id.clone())
    );
    let left = c
        .store()
        .events()
        .into_iter()
        .find(|e| e.id == a.event_id)
        .expect("event stays");
    assert_eq!(
        left.members
            .iter()
            .map(|m| m.story_id.as_str())
            .collect::<Vec<_>>(),
        ["a2"]
    );
    assert!(
        block_on(c.store().event_of("a1")).expect("read").is_none(),
        "the killed story is unindexed"
    );
    assert_eq!(
        block_on(c.remove("a2")).expect("remove"),
        Some(a.event_id.clone())
    );
    assert!(
        c.store().events().iter().all(|e| e.id != a.event_id),
        "an empty event is deleted"
    );
    assert_eq!(
        block_on(c.remove("a2")).expect("remove"),
        None,
        "unknown now"
    );
}

#[test]
fn a_story_is_compared_only_with_events_that_share_a_key_term() {
    let c = Clusterer::new(MemoryStore::new(), ClusterConfig::default());
    for d in background() {
        block_on(c.assign(&d)).expect("assign");
    }
    let ferry = block_on(c.assign(&doc(
        "f1",
        "Harbour ferry fares rise",
        "The harbour ferry operator raised fares on the island route by a fifth on Monday.",
        &[],
        0,
    )))
    .expect("assign");
    let store = c.store();
    let all = block_on(store.candidates(Some(t0()), Duration::days(30), &[])).expect("read");
    assert!(all.len() >= 2, "every event in the window without keys");
    let event = store
        .events()
        .into_iter()
        .find(|e| e.id == ferry.event_id)
        .expect("ferry event");
    let keys = event.keys();
    assert!(!keys.is_empty());
    let by_key =
        block_on(store.candidates(Some(t0()), Duration::days(30), &keys[..1])).expect("read");
    assert!(by_key.iter().any(|e| e.id == ferry.event_id));
    assert!(by_key.len() < all.len(), "unrelated events are not read");
    let none = block_on(store.candidates(Some(t0()), Duration::days(30), &[3, 5])).expect("read");
    assert!(none.is_empty(), "no event has these keys: {none:?}");
}
