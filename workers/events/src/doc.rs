//! The clusterer's input: a plain [`EventDoc`], and [`EventDoc::from_story`] to build one from
//! the pipeline's [`Story`] and [`Entities`].

use chrono::{DateTime, Utc};
use copydesk_types::{Entities, EntityKind, Story};
use serde::{Deserialize, Serialize};

/// One named entity of a document, as the extract stage found it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventEntity {
    /// The canonical name ("Vincent Jackson").
    pub name: String,
    /// Its kind; only the four name kinds (PER, ORG, LOC, MISC) are used.
    pub kind: EntityKind,
    /// How often the document mentions it (at least 1). The most mentioned person is the
    /// document's protagonist, which tells apart two similar events of one topic.
    pub mentions: u32,
}

/// One story as the clusterer sees it: no pipeline types, so any tool can feed it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventDoc {
    /// The story id (the wire guid). Every version of one id stays in one event.
    pub id: String,
    /// The version of the story; a known id with a new version updates its member.
    pub version: u64,
    /// Headline.
    pub title: String,
    /// Body text; sentences end with `.`, `!` or `?`; paragraphs may be separated by blank lines.
    pub text: String,
    /// BCP 47 language tag ("en", "de-DE"); picks the stopword list. `None` means English.
    pub language: Option<String>,
    /// When the story was published. `None` (no date known) makes every event a candidate.
    pub published: Option<DateTime<Utc>>,
    /// The agency or outlet ("Reuters"), kept on the member for the event article.
    pub source: Option<String>,
    /// Named entities with their mention counts.
    pub entities: Vec<EventEntity>,
}

impl EventDoc {
    /// Build the clusterer's input from a story and what extract found in it.
    ///
    /// The published time is the version's creation time, else the first version's.
    pub fn from_story(story: &Story, entities: &Entities) -> EventDoc {
        let published = story
            .version_created
            .or(story.first_created)
            .map(|t| t.with_timezone(&Utc));
        EventDoc {
            // The story's key: guids are only unique within their namespace.
            id: story.key(),
            version: story.version,
            title: story.headline.clone(),
            text: story.body.join("\n\n"),
            language: story.language.clone(),
            published,
            source: story.source.clone(),
            entities: entities_of(entities),
        }
    }
}

/// The name entities of an extract result, with their mention counts.
pub fn entities_of(entities: &Entities) -> Vec<EventEntity> {
    entities
        .entities
        .iter()
        .filter(|e| e.kind.is_name())
        .map(|e| EventEntity {
            name: e.canonical.clone(),
            kind: e.kind,
            mentions: u32::try_from(e.mentions.max(1)).unwrap_or(u32::MAX),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use copydesk_types::Entity;

    #[test]
    fn from_story_keeps_id_version_time_and_name_entities_only() {
        let mut story = Story::new(
            "urn:x:1",
            "Harbour bridge reopens",
            vec!["One.".into(), "Two.".into()],
        );
        story.version = 3;
        story.version_created = DateTime::parse_from_rfc3339("2026-03-02T10:00:00+01:00").ok();
        let ent = |name: &str, kind, mentions| Entity {
            canonical: name.into(),
            kind,
            mentions,
            salience: 0.5,
            geonames_id: None,
            country_code: None,
        };
        let entities = Entities {
            entities: vec![
                ent("Lena Brandt", EntityKind::Person, 2),
                ent("Monday", EntityKind::Date, 1),
            ],
            ..Default::default()
        };
        let doc = EventDoc::from_story(&story, &entities);
        assert_eq!((doc.id.as_str(), doc.version), ("urn:x:1", 3));
        assert_eq!(doc.text, "One.\n\nTwo.");
        assert_eq!(
            doc.published.map(|t| t.to_rfc3339()),
            Some("2026-03-02T09:00:00+00:00".into())
        );
        assert_eq!(
            doc.entities.len(),
            1,
            "dates are not names: {:?}",
            doc.entities
        );
        assert_eq!(doc.entities[0].mentions, 2);
    }
}
