//! The publish transform: hold embargoed stories, publish usable ones, retract kills.

use crate::files::{article_document, story_key, Delivered, FileSink};
use crate::webhook::Event;
use crate::{PublishConfig, PublishError, WebhookSink, WordPressSink};
use copydesk_runtime::{HandlerError, Transform};
use copydesk_types::{Stage, StoryPublished, StorySummarized};

/// The publish stage.
pub struct PublishStage {
    sink: FileSink,
    webhook: Option<WebhookSink>,
    wordpress: Option<WordPressSink>,
    config: PublishConfig,
}

impl PublishStage {
    /// A stage writing to `config.out_dir` only (no webhook).
    pub fn new(config: PublishConfig) -> Self {
        PublishStage { sink: FileSink::new(config.out_dir.clone()), webhook: None, wordpress: None, config }
    }

    /// The stage `config` describes: files, plus WordPress and the webhook when their `url`
    /// is set.
    pub fn from_config(config: PublishConfig) -> Result<Self, PublishError> {
        let webhook = WebhookSink::from_config(&config.webhook)?;
        let stage = PublishStage::new(config);
        let wordpress = WordPressSink::from_config(&stage.config.wordpress, stage.sink.clone())?;
        Ok(PublishStage { webhook, wordpress, ..stage })
    }

    /// Bring the story's WordPress post in line with what `deliver` did; returns the post's
    /// location when one was touched.
    async fn to_cms(&self, wp: &WordPressSink, msg: &StorySummarized, published: &StoryPublished) -> Result<Vec<String>, PublishError> {
        let story = &msg.story;
        let mut touched = Vec::new();
        if story.is_kill() {
            let mut guids = vec![story.guid.as_str()];
            guids.extend(story.signals.refers_to.as_deref().filter(|t| *t != story.guid));
            for guid in guids {
                touched.extend(wp.retract(guid, story).await?);
            }
        } else if let (false, Some(summary)) = (published.retracted, &msg.summary) {
            touched.extend(wp.publish(msg, summary).await?);
        }
        Ok(touched.into_iter().map(|id| wp.location(id)).collect())
    }

    /// Tell the webhook receiver what `deliver` did: the article after a publish; a retraction
    /// (of the story and of the story a kill refers to) after a kill. A late older version
    /// that a kill blocked sends nothing. The files are written first, so a receiver that is
    /// down never blocks the record; the message is retried until it accepts.
    async fn notify(&self, hook: &WebhookSink, msg: &StorySummarized, published: &StoryPublished) -> Result<(), PublishError> {
        let story = &msg.story;
        if story.is_kill() {
            let mut guids = vec![story.guid.as_str()];
            guids.extend(story.signals.refers_to.as_deref().filter(|t| *t != story.guid));
            for guid in guids {
                let body = serde_json::json!({
                    "guid": guid,
                    "version": story.version,
                    "pub_status": story.pub_status,
                    "retracted_at": chrono::Utc::now().to_rfc3339(),
                });
                hook.send(Event::Retracted, &format!("{}.v{}.retracted", story_key(guid), story.version), body).await?;
            }
        } else if let (false, Some(summary)) = (published.retracted, &msg.summary) {
            let delivery = format!("{}.v{}.published", story_key(&story.guid), story.version);
            hook.send(Event::Published, &delivery, article_document(msg, summary)).await?;
        }
        Ok(())
    }

    /// Publish or retract one story: the whole stage without the broker (used by
    /// `copydesk process` too). `Ok(None)` means "hold until the embargo lifts".
    pub fn deliver(&self, msg: &StorySummarized) -> Result<StoryPublished, HandlerError> {
        let story = &msg.story;
        let (delivered, slug) = if story.is_kill() {
            // Some agencies kill under a new id that points back at the killed story (NITF
            // management-doc-idref): retract that story too.
            if let Some(target) = story.signals.refers_to.as_deref().filter(|t| *t != story.guid) {
                let mut killed = story.clone();
                killed.guid = target.to_string();
                self.sink.retract(&killed).map_err(to_handler)?;
            }
            (self.sink.retract(story).map_err(to_handler)?, String::new())
        } else {
            let summary = msg.summary.as_ref().ok_or_else(|| {
                to_handler(PublishError::NoSummary { guid: story.guid.clone(), version: story.version })
            })?;
            (self.sink.publish(msg, summary).map_err(to_handler)?, summary.slug.clone())
        };
        let (locations, retracted) = match delivered {
            Delivered::Written(paths) => (paths, false),
            Delivered::Retracted(paths) => (paths, true),
            Delivered::AlreadyRetracted => (Vec::new(), true),
        };
        Ok(StoryPublished {
            guid: story.guid.clone(),
            version: story.version,
            slug,
            locations: locations.iter().map(|p| p.display().to_string()).collect(),
            retracted,
            held_for_embargo: story.embargo.is_some(),
        })
    }
}

fn to_handler(error: PublishError) -> HandlerError {
    if error.is_transient() {
        HandlerError::Transient(error.to_string())
    } else {
        HandlerError::Permanent(error.to_string())
    }
}

impl Transform for PublishStage {
    const STAGE: Stage = Stage::Publish;
    type In = StorySummarized;
    type Out = StoryPublished;

    async fn apply(&self, input: StorySummarized) -> Result<StoryPublished, HandlerError> {
        if let (Some(embargo), true, false) = (input.story.embargo, self.config.hold_embargoed, input.story.is_kill()) {
            let wait = embargo - chrono::Utc::now();
            if let Ok(after) = wait.to_std() {
                if !after.is_zero() {
                    return Err(HandlerError::Defer { after, reason: format!("embargoed until {embargo}") });
                }
            }
        }
        let mut published = self.deliver(&input)?;
        if let Some(wp) = &self.wordpress {
            let locations = self.to_cms(wp, &input, &published).await.map_err(to_handler)?;
            published.locations.extend(locations);
        }
        if let Some(hook) = &self.webhook {
            self.notify(hook, &input, &published).await.map_err(to_handler)?;
            if !published.retracted || input.story.is_kill() {
                published.locations.push(hook.url().to_string());
            }
        }
        Ok(published)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::summarized;
    use copydesk_types::PubStatus;

    fn stage(dir: &std::path::Path) -> PublishStage {
        PublishStage::new(PublishConfig { out_dir: dir.to_path_buf(), ..PublishConfig::default() })
    }

    fn files_in(dir: &std::path::Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .expect("read out dir")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| !n.starts_with('.'))
            .collect();
        names.sort();
        names
    }

    #[test]
    fn publishing_the_same_version_twice_leaves_one_copy() {
        let dir = tempfile::tempdir().expect("tmp");
        let s = stage(dir.path());
        s.deliver(&summarized("g1", 1)).expect("first");
        s.deliver(&summarized("g1", 1)).expect("redelivery");
        let names = files_in(dir.path());
        assert_eq!(names.len(), 2, "one json and one md: {names:?}");
        assert!(names.iter().all(|n| n.starts_with("harbour-strike-ends--")), "{names:?}");
    }

    #[test]
    fn a_kill_removes_every_version_and_blocks_a_late_older_version() {
        let dir = tempfile::tempdir().expect("tmp");
        let s = stage(dir.path());
        s.deliver(&summarized("g1", 1)).expect("v1");
        s.deliver(&summarized("g1", 2)).expect("v2");
        let mut kill = summarized("g1", 3);
        kill.story.pub_status = PubStatus::Canceled;
        kill.summary = None;
        let out = s.deliver(&kill).expect("kill");
        assert!(out.retracted);
        assert_eq!(out.locations.len(), 4, "{:?}", out.locations);
        assert_eq!(files_in(dir.path()).len(), 1, "only the tombstone is left");
        let late = s.deliver(&summarized("g1", 2)).expect("late v2");
        assert!(late.retracted && late.locations.is_empty());
        assert_eq!(files_in(dir.path()).len(), 1);
    }

    #[test]
    fn a_kill_under_a_new_id_retracts_the_story_it_refers_to() {
        let dir = tempfile::tempdir().expect("tmp");
        let s = stage(dir.path());
        s.deliver(&summarized("original", 1)).expect("original");
        let mut kill = summarized("kill-notice", 1);
        kill.story.pub_status = PubStatus::Canceled;
        kill.story.signals.refers_to = Some("original".into());
        kill.summary = None;
        s.deliver(&kill).expect("kill");
        assert!(s.deliver(&summarized("original", 1)).expect("late copy").retracted, "the original stays retracted");
        assert!(files_in(dir.path()).iter().all(|n| n.ends_with(".retracted.json")), "{:?}", files_in(dir.path()));
    }

    #[test]
    fn a_newer_usable_version_lifts_a_withholding() {
        let dir = tempfile::tempdir().expect("tmp");
        let s = stage(dir.path());
        let mut withheld = summarized("g1", 1);
        withheld.story.pub_status = PubStatus::Withheld;
        s.deliver(&withheld).expect("withheld");
        let out = s.deliver(&summarized("g1", 2)).expect("v2");
        assert!(!out.retracted);
        assert_eq!(files_in(dir.path()).len(), 2, "v2 files, tombstone gone");
    }

    #[test]
    fn an_unwritable_out_dir_is_a_transient_error_naming_the_path() {
        let dir = tempfile::tempdir().expect("tmp");
        let blocker = dir.path().join("not-a-dir");
        std::fs::write(&blocker, b"x").expect("file");
        let err = stage(&blocker).deliver(&summarized("g1", 1)).expect_err("cannot write");
        assert!(matches!(err, HandlerError::Transient(ref m) if m.contains("not-a-dir")), "{err}");
    }

    #[tokio::test]
    async fn an_embargoed_story_is_deferred_until_its_time() {
        let dir = tempfile::tempdir().expect("tmp");
        let mut msg = summarized("g1", 1);
        msg.story.embargo = Some(chrono::Utc::now() + chrono::Duration::minutes(10));
        let err = stage(dir.path()).apply(msg).await.expect_err("held");
        assert!(matches!(err, HandlerError::Defer { after, .. } if after.as_secs() > 500));
        assert!(files_in(dir.path()).is_empty());
    }
}
