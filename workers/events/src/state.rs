//! Event state: plain serialisable data, one record per event, with a version for
//! compare-and-set. This is what an [`crate::EventStore`] keeps.

use crate::vector::{dot, SparseVec, Sum};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One story in an event (all its versions).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Member {
    /// The story id.
    pub story_id: String,
    /// The newest version seen.
    pub version: u64,
    /// Headline of the newest version.
    pub title: String,
    /// Agency or outlet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// When it was published, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<DateTime<Utc>>,
    /// Key-term vector (unit length, IDF as of arrival); stored packed ([`crate::vector::packed`]).
    #[serde(with = "crate::vector::packed")]
    pub body: SparseVec,
    /// Entity-name vector (unit length, IDF as of arrival); stored packed.
    #[serde(with = "crate::vector::packed")]
    pub ents: SparseVec,
    /// People (last-name keys) with mention counts, most mentioned first.
    pub persons: Vec<(String, u32)>,
    /// Places (lowercased names) with mention counts, most mentioned first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub places: Vec<(String, u32)>,
}

/// Members of one event whose vectors are kept for comparison: a new story is scored against
/// the latest of them. Older members keep their place in the event (id, version, title,
/// people) without vectors, so a breaking story with thousands of wire copies has an event
/// record of bounded size to read and write per story.
pub const MAX_COMPARED: usize = 32;

impl Member {
    /// True while the member's vectors are kept (see [`MAX_COMPARED`]).
    pub fn compared(&self) -> bool {
        !self.body.is_empty() || !self.ents.is_empty()
    }
}

/// One event: the stories about it and enough of each to compare new stories against.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventState {
    /// Stable id, derived from the story that opened the event.
    pub id: String,
    /// Incremented on every write; a write must name the version it read.
    pub version: u64,
    /// The member stories, in arrival order.
    pub members: Vec<Member>,
}

impl EventState {
    /// A new event opened by one member (version 0: not yet stored).
    pub fn open(member: Member) -> EventState {
        EventState {
            id: event_id(&member.story_id),
            version: 0,
            members: vec![member],
        }
    }

    /// Earliest and latest dated member, if any member is dated.
    pub fn span(&self) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        let mut it = self.members.iter().filter_map(|m| m.published);
        let first = it.next()?;
        Some(it.fold((first, first), |(lo, hi), t| (lo.min(t), hi.max(t))))
    }

    /// Members whose vectors are kept.
    pub fn compared(&self) -> usize {
        self.members.iter().filter(|m| m.compared()).count()
    }

    /// Drop the vectors of the oldest members beyond [`MAX_COMPARED`].
    pub fn trim_compared(&mut self) {
        let mut extra = self.compared().saturating_sub(MAX_COMPARED);
        for m in self.members.iter_mut() {
            if extra == 0 {
                break;
            }
            if m.compared() {
                m.body = Vec::new();
                m.ents = Vec::new();
                extra -= 1;
            }
        }
    }

    /// The member holding a story id.
    pub fn member(&self, story_id: &str) -> Option<&Member> {
        self.members.iter().find(|m| m.story_id == story_id)
    }

    /// The sums of member vectors, for average-link scores.
    pub fn sums(&self) -> (Sum, Sum) {
        let (mut b, mut e) = (Sum::default(), Sum::default());
        for m in &self.members {
            b.add(&m.body);
            e.add(&m.ents);
        }
        (b, e)
    }

    /// People who are prominent in at least half the members: in a member, a person is
    /// prominent when mentioned at least twice and at least half as often as its most mentioned
    /// person, so a passing reference ("the team's second arrest this month, after X") is not.
    pub fn key_persons(&self) -> Vec<&str> {
        self.in_half_the_members(|m| {
            let top = m.persons.first().map_or(0, |p| p.1);
            m.persons
                .iter()
                .filter(|(_, n)| *n >= 2 && 2 * n >= top)
                .map(|(p, _)| p.as_str())
                .collect()
        })
    }

    /// Places named by at least half the members (any mention): where the event happens, as
    /// its copies agree on it.
    pub fn key_places(&self) -> Vec<&str> {
        self.in_half_the_members(|m| m.places.iter().map(|(p, _)| p.as_str()).collect())
    }

    /// The names `of` gives for at least half the members, sorted.
    fn in_half_the_members<'a>(&'a self, of: impl Fn(&'a Member) -> Vec<&'a str>) -> Vec<&'a str> {
        let mut count = std::collections::HashMap::<&str, usize>::new();
        for m in &self.members {
            for name in of(m) {
                *count.entry(name).or_default() += 1;
            }
        }
        let need = self.members.len().div_ceil(2).max(1);
        let mut keys: Vec<&str> = count
            .into_iter()
            .filter(|(_, c)| *c >= need)
            .map(|(p, _)| p)
            .collect();
        keys.sort_unstable();
        keys
    }
}

/// How many of its strongest key terms (summed over the members that keep vectors) index an
/// event, and how many of its strongest entity terms.
pub const EVENT_KEYS: usize = 32;
/// Entity terms among an event's keys.
pub const EVENT_ENTITY_KEYS: usize = 8;
/// How many of a story's strongest key terms (and entity terms, [`EVENT_ENTITY_KEYS`]) look up
/// its candidate events.
pub const STORY_KEYS: usize = 16;

/// The `n` heaviest terms of a weighted list, ties to the lower id.
fn strongest(mut terms: Vec<(u64, f32)>, n: usize) -> impl Iterator<Item = u64> {
    terms.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    terms.into_iter().filter(|p| p.1 > 0.0).take(n).map(|p| p.0)
}

fn sorted_keys(keys: impl Iterator<Item = u64>) -> Vec<u64> {
    let mut v: Vec<u64> = keys.collect();
    v.sort_unstable();
    v.dedup();
    v
}

impl Member {
    /// The terms that look up the events this member may join: its [`STORY_KEYS`] strongest
    /// key terms and [`EVENT_ENTITY_KEYS`] strongest entity terms, sorted.
    pub fn lookup_keys(&self) -> Vec<u64> {
        sorted_keys(
            strongest(self.body.clone(), STORY_KEYS)
                .chain(strongest(self.ents.clone(), EVENT_ENTITY_KEYS)),
        )
    }
}

impl EventState {
    /// The terms an event is found by: the [`EVENT_KEYS`] strongest of its members' summed
    /// key-term vectors and the [`EVENT_ENTITY_KEYS`] strongest entity terms, sorted. A story
    /// that shares none of them with its own [`Member::lookup_keys`] is not compared with the
    /// event (it could hardly reach the join threshold).
    pub fn keys(&self) -> Vec<u64> {
        let (body, ents) = self.sums();
        sorted_keys(
            strongest(body.into_terms(), EVENT_KEYS)
                .chain(strongest(ents.into_terms(), EVENT_ENTITY_KEYS)),
        )
    }
}

/// Similarity of two members (or a document and a member): the score's two parts combined.
pub fn pair_similarity(a: &Member, b: &Member, entity_weight: f32) -> f32 {
    (dot(&a.body, &b.body) + entity_weight * dot(&a.ents, &b.ents)) / (1.0 + entity_weight)
}

/// The id of an event opened by a story: stable, so a retried assignment makes the same event.
pub fn event_id(story_id: &str) -> String {
    format!("evt-{:016x}", crate::text::term_id("event", story_id))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A member with one key term and the given people (shared by the crate's tests).
    pub(crate) fn member(id: &str, persons: &[(&str, u32)]) -> Member {
        Member {
            story_id: id.into(),
            version: 1,
            title: String::new(),
            source: None,
            published: None,
            body: vec![(1, 1.0)],
            ents: vec![],
            persons: persons.iter().map(|(p, n)| (p.to_string(), *n)).collect(),
            places: Vec::new(),
        }
    }

    #[test]
    fn key_persons_ignore_passing_mentions() {
        let mut e = EventState::open(member("a", &[("williams", 7), ("jackson", 2)]));
        e.members
            .push(member("b", &[("williams", 5), ("jackson", 2)]));
        e.members.push(member("c", &[("williams", 4)]));
        assert_eq!(e.key_persons(), vec!["williams"]);
    }

    #[test]
    fn only_the_latest_members_keep_vectors_and_every_member_keeps_its_place() {
        let mut e = EventState::open(member("m0", &[]));
        for i in 1..MAX_COMPARED + 25 {
            e.members.push(member(&format!("m{i}"), &[]));
        }
        e.trim_compared();
        assert_eq!(e.members.len(), MAX_COMPARED + 25);
        assert_eq!(e.compared(), MAX_COMPARED);
        assert!(
            !e.members[24].compared() && e.members[25].compared(),
            "the oldest lose theirs"
        );
        assert!(e.member("m0").is_some());
        let json = serde_json::to_string(&e).expect("json");
        let full = serde_json::to_string(&EventState {
            members: e
                .members
                .iter()
                .cloned()
                .map(|mut m| {
                    m.body = vec![(1, 1.0)];
                    m
                })
                .collect(),
            ..e.clone()
        })
        .expect("json");
        assert!(json.len() < full.len());
    }

    #[test]
    fn an_event_is_keyed_by_its_strongest_summed_terms() {
        let mut a = member("a", &[]);
        a.body = (1..=40).map(|t| (t, t as f32 / 100.0)).collect();
        a.ents = vec![(900, 0.5), (901, 0.1)];
        let mut b = member("b", &[]);
        b.body = vec![(1, 0.9)];
        let mut e = EventState::open(a.clone());
        e.members.push(b);
        let keys = e.keys();
        assert_eq!(keys.len(), EVENT_KEYS + 2);
        assert!(keys.contains(&1), "term 1 is strong only summed over both members");
        assert!(keys.contains(&40) && !keys.contains(&2) && keys.contains(&900));
        let look = a.lookup_keys();
        assert_eq!(look.len(), STORY_KEYS + 2);
        assert!(look.contains(&40) && !look.contains(&24) && look.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn event_ids_are_stable_per_opening_story() {
        assert_eq!(event_id("urn:1"), event_id("urn:1"));
        assert_ne!(event_id("urn:1"), event_id("urn:2"));
    }

    #[test]
    fn state_round_trips_through_json() {
        let e = EventState::open(member("a", &[("quell", 3)]));
        let back: EventState =
            serde_json::from_str(&serde_json::to_string(&e).expect("json")).expect("parse");
        assert_eq!(back, e);
    }
}
