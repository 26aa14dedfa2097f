//! Duplicate and update detection against the state store.
//!
//! Rules: the same (namespace, guid) with a version not newer than the latest confirmed one is
//! a duplicate (except a kill of a version that was not a kill: providers kill without bumping
//! the version, and a kill must never be lost); a newer version is an update; a different guid
//! whose normalised body matches a story from the same namespace on the same day is a duplicate
//! (agencies re-file the same text under new ids). The store only learns of a story after the
//! broker confirmed it ([`crate::stage::IngestStage::record`]), so a failure in between
//! delivers again instead of dropping it.

use std::collections::HashMap;

use copydesk_store::{IngestRecord, Seen, Store, StoreError};
use copydesk_types::Story;

use crate::finish::normalise_for_hash;
use crate::Parsed;

/// What the store says about a story.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Never seen.
    New,
    /// A newer version of a story already ingested.
    Update {
        /// The latest version seen before this one.
        previous: u64,
    },
    /// Already ingested; drop it.
    Duplicate {
        /// Which rule matched, for the log.
        reason: String,
    },
}

/// The verdict for `s` when (namespace, guid) was last confirmed as `prev`.
pub fn version_verdict(s: &Story, prev: &Seen) -> Verdict {
    if s.version > prev.version || (s.is_kill() && !prev.killed) {
        Verdict::Update { previous: prev.version }
    } else {
        Verdict::Duplicate { reason: format!("{} version {} already ingested (latest {})", s.key(), s.version, prev.version) }
    }
}

/// The content identity of a story within its namespace: (day, normalised body hash). Kills
/// and empty bodies have none (they carry no text to match).
pub fn content_key(s: &Story) -> Option<(String, String)> {
    if s.is_kill() || s.body.is_empty() {
        return None;
    }
    let normalised = normalise_for_hash(&s.body.join("\n"));
    if normalised.is_empty() {
        return None;
    }
    let day = s
        .version_created
        .map(|d| d.date_naive())
        .or_else(|| s.first_created.map(|d| d.date_naive()))
        .unwrap_or_else(|| chrono::Utc::now().date_naive());
    Some((day.to_string(), copydesk_types::story::checksum(normalised.as_bytes())))
}

/// What the store records once the broker confirmed `s`.
pub fn record_of(s: &Story) -> IngestRecord {
    IngestRecord {
        source: s.namespace.clone(),
        guid: s.guid.clone(),
        version: s.version,
        checksum: s.checksum.clone(),
        killed: s.is_kill(),
        content: content_key(s),
    }
}

/// Parsed items sorted into what goes downstream and what does not.
#[derive(Debug, Default)]
pub struct Triage {
    /// Stories to deliver, in document order.
    pub stories: Vec<Story>,
    /// How many of `stories` are updates of a story already ingested.
    pub updates: u64,
    /// Items dropped as duplicates: (story key, reason).
    pub duplicates: Vec<(String, String)>,
    /// Non-story items: (id, reason).
    pub skipped: Vec<(Option<String>, String)>,
}

/// Sort parsed items against the store and against each other (two copies inside one feed).
pub async fn triage(store: &Store, items: Vec<Parsed>) -> Result<Triage, StoreError> {
    triage_with(store, items, &|_| false).await
}

/// [`triage`], leaving out the body comparison for stories `later` picks: teasers whose
/// article page is about to be fetched. Their teasers say little (feeds repeat "Read more"
/// under distinct articles); their page and its text are compared once fetched
/// ([`content_duplicate`]).
pub async fn triage_with(store: &Store, items: Vec<Parsed>, later: &(dyn Fn(&Story) -> bool + Sync)) -> Result<Triage, StoreError> {
    let mut t = Triage::default();
    let mut batch_latest: HashMap<String, Seen> = HashMap::new();
    let mut batch_contents: HashMap<(String, String), String> = HashMap::new();
    for item in items {
        let s = match item {
            Parsed::Skipped { id, reason } => {
                t.skipped.push((id, reason));
                continue;
            }
            Parsed::Story(s) => s,
        };
        let key = s.key();
        let content = if later(&s) { None } else { content_key(&s) };
        let verdict = if let Some(prev) = batch_latest.get(&key) {
            version_verdict(&s, prev)
        } else if let Some(other) = content.as_ref().and_then(|c| batch_contents.get(c)) {
            Verdict::Duplicate { reason: format!("same body as {other} earlier in the same document") }
        } else if let Some(prev) = store.seen(&s.namespace, &s.guid).await? {
            version_verdict(&s, &prev)
        } else {
            match &content {
                Some((day, hash)) => match store.content_guid(&s.namespace, day, hash).await? {
                    Some(other) if other != s.guid => {
                        Verdict::Duplicate { reason: format!("same body as {other} from {} on {day}", s.namespace) }
                    }
                    _ => Verdict::New,
                },
                None => Verdict::New,
            }
        };
        match verdict {
            Verdict::Duplicate { reason } => t.duplicates.push((key, reason)),
            verdict => {
                if matches!(verdict, Verdict::Update { .. }) {
                    t.updates += 1;
                }
                batch_latest.insert(key, Seen { version: s.version, checksum: s.checksum.clone(), killed: s.is_kill() });
                if let Some(c) = content {
                    batch_contents.insert(c, s.guid.clone());
                }
                t.stories.push(s);
            }
        }
    }
    Ok(t)
}

/// The story whose body `s` repeats: earlier in the same document (`batch`, which learns
/// `s`'s body when it is new) or confirmed from the same namespace on the same day. For bodies
/// that only became known after [`triage_with`] (an article page's text).
pub async fn content_duplicate(store: &Store, s: &Story, batch: &mut HashMap<(String, String), String>) -> Result<Option<String>, StoreError> {
    let Some(content) = content_key(s) else { return Ok(None) };
    if let Some(other) = batch.get(&content) {
        return Ok(Some(format!("same body as {other} earlier in the same document")));
    }
    if let Some(other) = store.content_guid(&s.namespace, &content.0, &content.1).await?.filter(|g| *g != s.guid) {
        return Ok(Some(format!("same body as {other} from {} on {}", s.namespace, content.0)));
    }
    batch.insert(content, s.guid.clone());
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use copydesk_store::StoreConfig;

    fn story(guid: &str, version: u64, body: &str) -> Story {
        let mut s = Story::new(guid, "Head", vec![body.to_string()]);
        s.version = version;
        s.namespace = "ap".into();
        s.version_created = chrono::DateTime::parse_from_rfc3339("2024-05-01T10:00:00+02:00").ok();
        s
    }

    async fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(&StoreConfig::sqlite(dir.path().join("s.db"))).await.expect("store");
        (dir, store)
    }

    async fn verdicts(store: &Store, stories: Vec<Story>) -> Triage {
        triage(store, stories.into_iter().map(Parsed::Story).collect()).await.expect("triage")
    }

    #[tokio::test]
    async fn same_guid_and_version_is_a_duplicate_and_newer_version_an_update() {
        let (_d, store) = store().await;
        let v1 = story("g1", 1, "Body one");
        assert_eq!(verdicts(&store, vec![v1.clone()]).await.stories.len(), 1);
        store.record_ingested(&record_of(&v1)).await.expect("record");
        assert_eq!(verdicts(&store, vec![v1]).await.duplicates.len(), 1);
        let t = verdicts(&store, vec![story("g1", 2, "Body two")]).await;
        assert_eq!((t.stories.len(), t.updates), (1, 1));
    }

    #[tokio::test]
    async fn nothing_is_a_duplicate_until_the_broker_confirmed_it() {
        let (_d, store) = store().await;
        let v1 = story("g1", 1, "Body one");
        // Triage alone (the publish failed before the confirm): the retry must pass again.
        assert_eq!(verdicts(&store, vec![v1.clone()]).await.stories.len(), 1);
        assert_eq!(verdicts(&store, vec![v1]).await.stories.len(), 1);
    }

    #[tokio::test]
    async fn identical_body_under_another_guid_same_namespace_and_day_is_a_duplicate() {
        let (_d, store) = store().await;
        store.record_ingested(&record_of(&story("a", 1, "The same  text."))).await.expect("record");
        assert_eq!(verdicts(&store, vec![story("b", 1, "the same text")]).await.duplicates.len(), 1);
        let mut other = story("c", 1, "The same text.");
        other.namespace = "reuters".into();
        assert_eq!(verdicts(&store, vec![other]).await.stories.len(), 1);
    }

    #[tokio::test]
    async fn colliding_guids_from_two_namespaces_are_two_stories() {
        let (_d, store) = store().await;
        store.record_ingested(&record_of(&story("item-1", 1, "Feed A text"))).await.expect("record");
        let mut b = story("item-1", 1, "Feed B text");
        b.namespace = "feed-b".into();
        assert_eq!(verdicts(&store, vec![b]).await.stories.len(), 1);
    }

    #[tokio::test]
    async fn a_kill_of_an_already_seen_version_still_passes_once() {
        let (_d, store) = store().await;
        store.record_ingested(&record_of(&story("g", 4, "text"))).await.expect("record");
        let mut kill = story("g", 4, "text");
        kill.pub_status = copydesk_types::PubStatus::Canceled;
        assert_eq!(verdicts(&store, vec![kill.clone()]).await.stories.len(), 1);
        store.record_ingested(&record_of(&kill)).await.expect("record");
        assert_eq!(verdicts(&store, vec![kill]).await.duplicates.len(), 1);
    }

    #[tokio::test]
    async fn bodies_picked_for_later_are_not_compared_at_triage() {
        let (_d, store) = store().await;
        let items = vec![story("a", 1, "Read more"), story("b", 1, "Read more")];
        let t = triage_with(&store, items.into_iter().map(Parsed::Story).collect(), &|_| true).await.expect("triage");
        assert_eq!((t.stories.len(), t.duplicates.len()), (2, 0));
        let mut batch = HashMap::new();
        assert_eq!(content_duplicate(&store, &story("a", 1, "The page text."), &mut batch).await.expect("check"), None);
        assert!(content_duplicate(&store, &story("b", 1, "The page  text"), &mut batch).await.expect("check").is_some_and(|r| r.contains("same body as a")));
    }

    #[tokio::test]
    async fn a_batch_catches_copies_inside_itself() {
        let (_d, store) = store().await;
        let t = verdicts(&store, vec![story("a", 1, "text"), story("a", 1, "text"), story("b", 1, "text")]).await;
        assert_eq!((t.stories.len(), t.duplicates.len()), (1, 2));
    }
}
