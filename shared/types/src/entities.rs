//! What extract finds in a story: mentions, grouped entities, quotes and cited sources.

use serde::{Deserialize, Serialize};

/// Entity types. The first four follow CoNLL-2003; the rest are found by patterns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum EntityKind {
    /// A person.
    Person,
    /// An organisation: company, agency, team, party.
    Org,
    /// A place: country, region, city, landmark.
    Loc,
    /// Nationalities, events, works and other names.
    Misc,
    /// A calendar date or period ("Monday", "March 3, 2024").
    Date,
    /// A time of day ("4:35 p.m.").
    Time,
    /// An amount of money ("$5 million", "€12bn").
    Money,
    /// A percentage ("3.5%", "12 percent").
    Percent,
}

impl EntityKind {
    /// The label as written in CoNLL files and metrics ("PER", "ORG", ...).
    pub fn label(self) -> &'static str {
        match self {
            EntityKind::Person => "PER",
            EntityKind::Org => "ORG",
            EntityKind::Loc => "LOC",
            EntityKind::Misc => "MISC",
            EntityKind::Date => "DATE",
            EntityKind::Time => "TIME",
            EntityKind::Money => "MONEY",
            EntityKind::Percent => "PERCENT",
        }
    }

    /// True for the four name types (PER, ORG, LOC, MISC).
    pub fn is_name(self) -> bool {
        matches!(
            self,
            EntityKind::Person | EntityKind::Org | EntityKind::Loc | EntityKind::Misc
        )
    }
}

/// One occurrence of an entity in [`crate::Story::text`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mention {
    /// The text as it occurs.
    pub text: String,
    /// Its type.
    pub kind: EntityKind,
    /// Start offset in characters (not bytes) into `Story::text()`.
    pub start: usize,
    /// End offset in characters, exclusive.
    pub end: usize,
    /// Index into [`Entities::entities`] of the entity this mention belongs to.
    pub entity: usize,
}

/// One real-world entity, with all its mentions in the story grouped under a canonical name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entity {
    /// The fullest name the story uses ("Donald Trump" for "Trump", "Mr. Trump").
    pub canonical: String,
    /// Its type.
    pub kind: EntityKind,
    /// How many mentions it has.
    pub mentions: usize,
    /// 0..1: how central it is to the story (headline, lead, mention count).
    pub salience: f32,
    /// GeoNames id, for places found in the gazetteer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub geonames_id: Option<u64>,
    /// ISO 3166-1 alpha-2 country code, for places found in the gazetteer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country_code: Option<String>,
}

/// A direct quotation and who said it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Quote {
    /// The quoted words, without the quotation marks.
    pub text: String,
    /// Start offset in characters into `Story::text()`, of the quoted words.
    pub start: usize,
    /// End offset in characters, exclusive.
    pub end: usize,
    /// The speaker as the text names them, when it does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speaker: Option<String>,
    /// Index into [`Entities::entities`] of the speaker, when resolved to a PERSON or ORG.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speaker_entity: Option<usize>,
    /// The attribution verb or phrase ("said", "told reporters", "according to").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cue: Option<String>,
}

/// An outlet a story cites as its source, with a link when one is known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CitedSource {
    /// The outlet's name as readers know it ("The Guardian", "RT", "Bloomberg").
    pub name: String,
    /// An `http`/`https` address for the outlet or the cited report, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// Everything extract found in one story.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Entities {
    /// Every mention, in text order.
    pub mentions: Vec<Mention>,
    /// Grouped entities, most salient first.
    pub entities: Vec<Entity>,
    /// Direct quotations, in text order.
    pub quotes: Vec<Quote>,
    /// Outlets the story cites as its sources ("Bloomberg" in "according to reporting by Bloomberg").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources_cited: Vec<String>,
    /// The same outlets with the address a reader can follow: the story's own link to the
    /// outlet when it has one, otherwise the outlet's home page when it is a known outlet.
    /// Renderers link each as Markdown (`[Bloomberg](https://www.bloomberg.com)`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cited: Vec<CitedSource>,
    /// Which engine produced this ("builtin-perceptron-v1", "llm:gpt-4o-mini").
    pub engine: String,
}

impl Entities {
    /// The entities of one kind, most salient first.
    pub fn of_kind(&self, kind: EntityKind) -> impl Iterator<Item = &Entity> {
        self.entities.iter().filter(move |e| e.kind == kind)
    }
}
