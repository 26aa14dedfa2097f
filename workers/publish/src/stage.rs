//! The publish stage: hold embargoed stories, publish usable ones, retract kills and withholds,
//! each decision taken by the story ledger in the state store.
//!
//! One story at a time across every replica: a lease per story in the store is held while the
//! ledger row is read, the sinks are called and the new row is written back (compare-and-set).
//! So a kill racing an older version on another replica, a stale kill from a retry tier, or a
//! replayed dead letter can never leave the wrong state: the ledger's rules (a kill is final,
//! withholds are ordered by version, older versions never replace newer ones) see every
//! message in turn. Each sink call is recorded in the store once it succeeded, so a redelivered
//! message skips what is already done, and the stage checks for a stopping worker before each
//! side effect.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use copydesk_runtime::handler::{Handler, Incoming, Output};
use copydesk_runtime::{HandlerError, Outgoing};
use copydesk_store::ledger::{apply, decide};
use copydesk_store::{Action, Decision, Delivery, Store};
use copydesk_types::{Envelope, PubStatus, Stage, StoryPublished, StorySummarized};

use crate::files::{article_document, story_key, FileSink};
use crate::webhook::Event;
use crate::{PublishConfig, PublishError, WebhookSink, WordPressSink};

/// Counters the worker adds to `/metrics`.
#[derive(Debug, Default)]
pub struct PublishStats {
    /// Embargoes further ahead than `publish.max_embargo_days`, dead-lettered for a look.
    pub embargo_beyond_bound: AtomicU64,
    /// Messages the ledger skipped (a killed story, an older version, a stale withhold).
    pub skipped: AtomicU64,
}

/// The publish stage.
pub struct PublishStage {
    files: FileSink,
    webhook: Option<WebhookSink>,
    wordpress: Option<WordPressSink>,
    config: PublishConfig,
    store: Store,
    owner: String,
    lease: Duration,
    lock_wait: Duration,
    exchange: String,
    stats: Arc<PublishStats>,
}

impl std::fmt::Debug for PublishStage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PublishStage")
            .field("out_dir", &self.files.out_dir())
            .field("webhook", &self.webhook)
            .field("wordpress", &self.wordpress)
            .field("store", &self.store)
            .finish()
    }
}

/// What one story's turn through the ledger did.
#[derive(Debug, Default)]
struct Applied {
    slug: String,
    locations: Vec<String>,
    retracted: bool,
}

impl PublishStage {
    /// The stage `config` describes: files, plus WordPress and the webhook when their `url` is
    /// set; decisions in `store`; events on `exchange`.
    pub fn new(config: PublishConfig, store: Store, store_config: &copydesk_store::StoreConfig, exchange: String) -> Result<Self, PublishError> {
        Ok(PublishStage {
            files: FileSink::new(config.out_dir.clone()),
            webhook: WebhookSink::from_config(&config.webhook)?,
            wordpress: WordPressSink::from_config(&config.wordpress)?,
            config,
            store,
            owner: copydesk_store::leases::owner_name("publish"),
            lease: Duration::from_secs(store_config.lease_secs.max(1)),
            lock_wait: Duration::from_secs(store_config.lock_wait_secs.max(1)),
            exchange,
            stats: Arc::default(),
        })
    }

    /// The stage's counters.
    pub fn stats(&self) -> &Arc<PublishStats> {
        &self.stats
    }

    /// The file sink.
    pub fn files(&self) -> &FileSink {
        &self.files
    }

    /// The state store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Publish or retract one story: the whole stage without the broker (used by
    /// `copydesk process` too). `incoming` carries the stop signal checked before each side
    /// effect.
    pub async fn deliver(&self, msg: &StorySummarized, incoming: &Incoming) -> Result<StoryPublished, HandlerError> {
        let story = &msg.story;
        if !story.is_kill() {
            self.check_embargo(msg)?;
        }
        let key = story.key();
        let applied = if story.is_kill() {
            let action = match story.pub_status {
                PubStatus::Withheld => Action::Withhold(story.version),
                _ => Action::Kill(story.version),
            };
            // Some agencies kill under a new id that points back at the killed story (NITF
            // management-doc-idref): that story is retracted too.
            let mut last = self.apply(&key, action, msg, incoming).await?;
            if let Some(target) = story.signals.refers_to.as_deref().filter(|t| *t != story.guid) {
                let other = self.apply(&story.sibling_key(target), action, msg, incoming).await?;
                last.locations.extend(other.locations);
                last.retracted |= other.retracted;
            }
            last
        } else {
            self.apply(&key, Action::Publish(story.version), msg, incoming).await?
        };
        Ok(StoryPublished {
            guid: story.guid.clone(),
            story_id: key,
            version: story.version,
            slug: applied.slug,
            locations: applied.locations,
            retracted: applied.retracted,
            held_for_embargo: story.embargo.is_some(),
        })
    }

    /// Defer an embargoed story until its time; an embargo beyond the bound is a data error.
    fn check_embargo(&self, msg: &StorySummarized) -> Result<(), HandlerError> {
        let Some(embargo) = msg.story.embargo.filter(|_| self.config.hold_embargoed) else { return Ok(()) };
        let Ok(wait) = (embargo - chrono::Utc::now()).to_std() else { return Ok(()) };
        if wait.is_zero() {
            return Ok(());
        }
        let bound = Duration::from_secs(self.config.max_embargo_days * 86_400);
        if !bound.is_zero() && wait > bound {
            self.stats.embargo_beyond_bound.fetch_add(1, Ordering::Relaxed);
            tracing::warn!(story.id = %msg.story.key(), %embargo, "embargo further ahead than publish.max_embargo_days");
            return Err(HandlerError::Permanent(format!(
                "story {} is embargoed until {embargo}, more than {} days ahead (publish.max_embargo_days); check the embargo date at the source, then `copydesk dlq replay` (or raise the bound)",
                msg.story.key(),
                self.config.max_embargo_days
            )));
        }
        Err(HandlerError::Defer { after: wait, reason: format!("embargoed until {embargo}") })
    }

    /// One story's turn: under its lease, decide from the ledger, carry out, write back. The
    /// lease is renewed while the sinks work, so a slow CMS never lets another replica in; a
    /// replica that dies loses it after `store.lease_secs`. A story another replica holds is
    /// deferred (not counted as a failed attempt) until it is free.
    async fn apply(&self, story_id: &str, action: Action, msg: &StorySummarized, incoming: &Incoming) -> Result<Applied, HandlerError> {
        let owner = format!("{}#{:08x}", self.owner, rand::random::<u32>());
        let lease = match self.store.lease(&format!("story:{story_id}"), &owner, self.lease, self.lock_wait).await {
            Ok(lease) => lease,
            Err(copydesk_store::LeaseError::Busy { holder, .. }) => {
                return Err(HandlerError::Defer { after: Duration::from_secs(1), reason: format!("story {story_id} is being published by {holder}") });
            }
            Err(copydesk_store::LeaseError::Store(e)) => return Err(store_error(e)),
        };
        let work = self.apply_locked(story_id, action, msg, incoming);
        tokio::pin!(work);
        let mut renew = tokio::time::interval(self.lease / 3);
        renew.tick().await;
        let result = loop {
            tokio::select! {
                result = &mut work => break result,
                _ = renew.tick() => {
                    if !lease.renew(self.lease).await.unwrap_or(false) {
                        tracing::warn!(story.id = %story_id, "the story lease could not be renewed; another replica may take the story over");
                    }
                }
            }
        };
        if let Err(e) = lease.release().await {
            tracing::warn!(story.id = %story_id, error = %e, "could not release the story lease; it expires by itself");
        }
        result
    }

    async fn apply_locked(&self, story_id: &str, action: Action, msg: &StorySummarized, incoming: &Incoming) -> Result<Applied, HandlerError> {
        let row = self.store.ledger(story_id).await.map_err(store_error)?;
        let decision = decide(&row, action);
        let mut applied = Applied { slug: row.slug.clone().unwrap_or_default(), ..Applied::default() };
        let mut slug = None;
        match &decision {
            Decision::Skip(reason) => {
                self.stats.skipped.fetch_add(1, Ordering::Relaxed);
                tracing::info!(story.id = %story_id, reason = %reason, "not published");
                // Whether the story is down now: killed, or withheld at or above what was published.
                applied.retracted = row.killed_version > 0 || (row.withheld_version > 0 && row.withheld_version >= row.published_version);
                return Ok(applied);
            }
            Decision::Publish => {
                let summary = msg.summary.as_ref().ok_or_else(|| {
                    to_handler(PublishError::NoSummary { guid: msg.story.key(), version: msg.story.version })
                })?;
                let chosen = row.slug.clone().unwrap_or_else(|| summary.slug.clone());
                applied.locations = self.publish_everywhere(story_id, msg, summary, &chosen, incoming).await?;
                applied.slug = chosen.clone();
                slug = Some(chosen);
            }
            Decision::Retract { version, kill } => {
                // Nothing was ever published under this id (a kill notice's own id, or a kill
                // that overtook its story): the ledger remembers the kill; there is nothing to
                // take down and nobody to tell.
                if row.published_version > 0 {
                    applied.locations = self.retract_everywhere(story_id, *version, *kill, incoming).await?;
                }
                applied.retracted = true;
            }
        }
        let next = apply(&row, action, &decision, slug.as_deref());
        if next != row && !self.store.ledger_commit(&row, &next).await.map_err(store_error)? {
            return Err(HandlerError::Transient(format!("the ledger row of {story_id} changed underneath (another replica?); trying again")));
        }
        Ok(applied)
    }

    async fn publish_everywhere(&self, story_id: &str, msg: &StorySummarized, summary: &copydesk_types::Summary, slug: &str, incoming: &Incoming) -> Result<Vec<String>, HandlerError> {
        let version = msg.story.version;
        incoming.checkpoint()?;
        let (files, m, s, sl) = (self.files.clone(), msg.clone(), summary.clone(), slug.to_string());
        let written = tokio::task::spawn_blocking(move || files.publish(&m, &s, &sl))
            .await
            .map_err(|e| HandlerError::Transient(format!("file writer failed: {e}")))?
            .map_err(to_handler)?;
        let mut locations: Vec<String> = written.iter().map(|p| p.display().to_string()).collect();
        if let Some(wp) = &self.wordpress {
            incoming.checkpoint()?;
            let post = wp.publish(&self.store, story_id, version, summary, slug).await.map_err(to_handler)?;
            locations.push(wp.location(post));
        }
        if let Some(hook) = &self.webhook {
            let delivery = format!("{}.v{version}.published", story_key(story_id));
            self.send_once(hook, story_id, version, "webhook:published", Event::Published, &delivery, || article_document(msg, summary, slug), incoming).await?;
            locations.push(hook.location());
        }
        Ok(locations)
    }

    async fn retract_everywhere(&self, story_id: &str, version: u64, kill: bool, incoming: &Incoming) -> Result<Vec<String>, HandlerError> {
        incoming.checkpoint()?;
        let (files, id) = (self.files.clone(), story_id.to_string());
        let removed = tokio::task::spawn_blocking(move || files.retract(&id, version, kill))
            .await
            .map_err(|e| HandlerError::Transient(format!("file writer failed: {e}")))?
            .map_err(to_handler)?;
        let mut locations: Vec<String> = removed.iter().map(|p| p.display().to_string()).collect();
        if let Some(wp) = &self.wordpress {
            incoming.checkpoint()?;
            if let Some(post) = wp.retract(&self.store, story_id, version, kill).await.map_err(to_handler)? {
                locations.push(wp.location(post));
            }
        }
        if let Some(hook) = &self.webhook {
            let delivery = format!("{}.v{version}.retracted", story_key(story_id));
            let body = || {
                serde_json::json!({
                    "story_id": story_id,
                    "guid": story_id.rsplit_once('/').map_or(story_id, |(_, g)| g),
                    "version": version,
                    "kill": kill,
                    "retracted_at": chrono::Utc::now().to_rfc3339(),
                })
            };
            self.send_once(hook, story_id, version, "webhook:retracted", Event::Retracted, &delivery, body, incoming).await?;
            locations.push(hook.location());
        }
        Ok(locations)
    }

    /// Send a webhook event unless the store says it was delivered; record it once it was.
    #[allow(clippy::too_many_arguments)]
    async fn send_once(
        &self,
        hook: &WebhookSink,
        story_id: &str,
        version: u64,
        target: &str,
        event: Event,
        delivery: &str,
        body: impl FnOnce() -> serde_json::Value,
        incoming: &Incoming,
    ) -> Result<(), HandlerError> {
        if self.store.delivery(story_id, version, target).await.map_err(store_error)?.is_some() {
            return Ok(());
        }
        incoming.checkpoint()?;
        hook.send(event, delivery, body()).await.map_err(to_handler)?;
        let done = Delivery { state: "done".into(), external_id: Some(delivery.to_string()) };
        self.store.record_delivery(story_id, version, target, &done).await.map_err(store_error)
    }
}

fn to_handler(error: PublishError) -> HandlerError {
    HandlerError::classify(error.is_transient(), copydesk_runtime::redact::redact_text(&error.to_string()))
}

fn store_error(error: copydesk_store::StoreError) -> HandlerError {
    HandlerError::classify(error.is_transient(), error)
}

impl Handler for PublishStage {
    const STAGE: Stage = Stage::Publish;
    type Input = Envelope<StorySummarized>;
    type Receipt = ();

    fn decode(&self, incoming: &Incoming) -> Result<Self::Input, String> {
        Envelope::<StorySummarized>::from_json(&incoming.body).map_err(|e| e.to_string())
    }

    fn describe(&self, input: &Self::Input) -> (String, u64) {
        (input.story_id.clone(), input.story_version)
    }

    async fn handle(&self, input: Self::Input, incoming: &Incoming) -> Result<Output, HandlerError> {
        let published = self.deliver(&input.payload, incoming).await?;
        Ok(Output::message(Outgoing::event(&self.exchange, &Envelope::new(published, incoming.attempt))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{deliver, kill, stage, summarized};

    async fn setup(dir: &std::path::Path) -> PublishStage {
        stage(dir, PublishConfig { out_dir: dir.join("out"), ..PublishConfig::default() }).await
    }

    fn files_in(dir: &std::path::Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir.join("out"))
            .map(|d| d.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).filter(|n| !n.starts_with('.')).collect())
            .unwrap_or_default();
        names.sort();
        names
    }

    #[tokio::test]
    async fn publishing_the_same_version_twice_leaves_one_copy() {
        let dir = tempfile::tempdir().expect("tmp");
        let s = setup(dir.path()).await;
        deliver(&s, &summarized("g1", 1)).await.expect("first");
        deliver(&s, &summarized("g1", 1)).await.expect("redelivery");
        let names = files_in(dir.path());
        assert_eq!(names.len(), 2, "one json and one md: {names:?}");
        assert!(names.iter().all(|n| n.starts_with("harbour-strike-ends--")), "{names:?}");
    }

    #[tokio::test]
    async fn a_kill_is_final_and_its_retraction_carries_the_highest_version() {
        let dir = tempfile::tempdir().expect("tmp");
        let s = setup(dir.path()).await;
        deliver(&s, &summarized("g1", 1)).await.expect("v1");
        deliver(&s, &summarized("g1", 3)).await.expect("v3");
        let out = deliver(&s, &kill("g1", 2, None)).await.expect("a kill notice at v2");
        assert!(out.retracted);
        assert_eq!(out.locations.len(), 4, "both versions' files: {:?}", out.locations);
        let names = files_in(dir.path());
        assert_eq!(names.len(), 1, "only the tombstone: {names:?}");
        let tomb: serde_json::Value = serde_json::from_slice(&std::fs::read(dir.path().join("out").join(&names[0])).expect("read")).expect("json");
        assert_eq!(tomb["version"], 3, "the retraction carries the story's highest version");
        for late in [summarized("g1", 3), summarized("g1", 4)] {
            let out = deliver(&s, &late).await.expect("late or later version");
            assert!(out.retracted && out.locations.is_empty(), "no version comes back after a kill");
        }
        assert_eq!(files_in(dir.path()).len(), 1);
    }

    #[tokio::test]
    async fn a_kill_under_a_new_id_retracts_the_story_it_refers_to() {
        let dir = tempfile::tempdir().expect("tmp");
        let s = setup(dir.path()).await;
        deliver(&s, &summarized("original", 1)).await.expect("original");
        deliver(&s, &kill("kill-notice", 1, Some("original"))).await.expect("kill");
        assert!(deliver(&s, &summarized("original", 1)).await.expect("late copy").retracted, "the original stays retracted");
        assert!(files_in(dir.path()).iter().all(|n| n.ends_with(".retracted.json")), "{:?}", files_in(dir.path()));
    }

    #[tokio::test]
    async fn a_withhold_is_ordered_by_version() {
        let dir = tempfile::tempdir().expect("tmp");
        let s = setup(dir.path()).await;
        deliver(&s, &summarized("g1", 2)).await.expect("v2");
        let mut stale = kill("g1", 1, None);
        stale.story.pub_status = PubStatus::Withheld;
        assert!(!deliver(&s, &stale).await.expect("stale withhold").retracted);
        assert_eq!(files_in(dir.path()).len(), 2, "a stale withhold never retracts newer copy");
        let mut withhold = kill("g1", 2, None);
        withhold.story.pub_status = PubStatus::Withheld;
        deliver(&s, &withhold).await.expect("withhold v2");
        assert_eq!(files_in(dir.path()).len(), 1, "withheld: only the tombstone");
        deliver(&s, &summarized("g1", 3)).await.expect("v3");
        assert_eq!(files_in(dir.path()).len(), 2, "a newer version lifts the withhold");
    }

    #[tokio::test]
    async fn colliding_guids_from_two_sources_are_two_stories() {
        let dir = tempfile::tempdir().expect("tmp");
        let s = setup(dir.path()).await;
        let mut a = summarized("item-1", 1);
        a.story.namespace = "feed-a".into();
        let mut b_kill = kill("item-1", 1, None);
        b_kill.story.namespace = "feed-b".into();
        deliver(&s, &a).await.expect("feed a");
        deliver(&s, &b_kill).await.expect("feed b's kill of its own item-1");
        assert_eq!(files_in(dir.path()).len(), 2, "feed a's story is untouched: {:?}", files_in(dir.path()));
    }

    #[tokio::test]
    async fn a_stopping_worker_starts_no_side_effect() {
        let dir = tempfile::tempdir().expect("tmp");
        let s = setup(dir.path()).await;
        let incoming = Incoming::new(Vec::new());
        incoming.stop.cancel();
        let err = s.deliver(&summarized("g1", 1), &incoming).await.expect_err("interrupted");
        assert!(matches!(err, HandlerError::Interrupted), "{err}");
        assert!(files_in(dir.path()).is_empty());
    }

    #[tokio::test]
    async fn an_unwritable_out_dir_is_a_transient_error_naming_the_path() {
        let dir = tempfile::tempdir().expect("tmp");
        let blocker = dir.path().join("not-a-dir");
        std::fs::write(&blocker, b"x").expect("file");
        let s = stage(dir.path(), PublishConfig { out_dir: blocker, ..PublishConfig::default() }).await;
        let err = deliver(&s, &summarized("g1", 1)).await.expect_err("cannot write");
        assert!(matches!(err, HandlerError::Transient(ref m) if m.contains("not-a-dir")), "{err}");
    }

    #[tokio::test]
    async fn an_embargoed_story_is_deferred_until_its_time_and_a_far_one_dead_lettered() {
        let dir = tempfile::tempdir().expect("tmp");
        let s = setup(dir.path()).await;
        let mut msg = summarized("g1", 1);
        msg.story.embargo = Some(chrono::Utc::now() + chrono::Duration::minutes(10));
        let err = deliver(&s, &msg).await.expect_err("held");
        assert!(matches!(err, HandlerError::Defer { after, .. } if after.as_secs() > 500));
        msg.story.embargo = Some(chrono::Utc::now() + chrono::Duration::days(400));
        let err = deliver(&s, &msg).await.expect_err("beyond the bound");
        assert!(matches!(&err, HandlerError::Permanent(m) if m.contains("max_embargo_days")), "{err}");
        assert_eq!(s.stats().embargo_beyond_bound.load(Ordering::Relaxed), 1);
        assert!(files_in(dir.path()).is_empty());
    }
}
