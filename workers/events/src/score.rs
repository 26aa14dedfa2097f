//! How well a story fits an event, and the repair rule that moves stories between events.
//!
//! The score is average link: the mean over the event's members of the story's similarity to
//! each (key terms, plus entity names at [`ClusterConfig::entity_weight`]), minus
//! [`ClusterConfig::conflict_penalty`] when the story is about another person than the event,
//! minus [`ClusterConfig::place_penalty`] when it happens somewhere else.

use crate::cluster::ClusterConfig;
use crate::state::{pair_similarity, EventState, Member};
use crate::text::DocTerms;
use crate::vector::{dot, Sum};

/// The story's score against an event.
pub fn score_event(
    member: &Member,
    terms: &DocTerms,
    event: &EventState,
    cfg: &ClusterConfig,
) -> f32 {
    let compared = event.compared();
    if compared == 0 {
        return 0.0;
    }
    let s = event
        .members
        .iter()
        .filter(|m| m.compared())
        .map(|m| pair_similarity(member, m, cfg.entity_weight))
        .sum::<f32>()
        / compared as f32;
    let mut s = s;
    if s >= cfg.threshold / 2.0 && person_conflict(terms, event) {
        s -= cfg.conflict_penalty;
    }
    if place_conflict(terms, event) {
        s -= cfg.place_penalty;
    }
    s
}

/// True when the story names places, the event has key places (see
/// [`EventState::key_places`]), and the story names none of them: the same kind of event
/// somewhere else. A story naming no place never conflicts.
pub fn place_conflict(terms: &DocTerms, event: &EventState) -> bool {
    if terms.places.is_empty() {
        return false;
    }
    let keys = event.key_places();
    if keys.is_empty() {
        return false;
    }
    !terms.places.iter().any(|(p, _)| keys.contains(&p.as_str()))
}

/// True when the story has a protagonist and the event has key persons, and none of the
/// story's prominent people is among them (see [`EventState::key_persons`]).
pub fn person_conflict(terms: &DocTerms, event: &EventState) -> bool {
    let Some(top) = terms.persons.first().filter(|p| p.1 >= 2).map(|p| p.1) else {
        return false;
    };
    let keys = event.key_persons();
    if keys.is_empty() {
        return false;
    }
    !terms
        .persons
        .iter()
        .filter(|(_, n)| *n >= 2 && 2 * n >= top)
        .any(|(p, _)| keys.contains(&p.as_str()))
}

/// Repair around one target event: a member of a neighbouring event moves to the target when
/// its average similarity to the target's members reaches the threshold and beats its average
/// similarity to the other members of its own event. This undoes the one mistake an online
/// clusterer cannot avoid at arrival: the first story of a new event joining a similar event of
/// the same topic, before the stories that would show the difference have arrived.
pub struct Repair<'c> {
    cfg: &'c ClusterConfig,
    body: Sum,
    ents: Sum,
    size: usize,
}

impl<'c> Repair<'c> {
    /// Prepare for moves into `target`.
    pub fn new(target: &EventState, cfg: &'c ClusterConfig) -> Self {
        let (body, ents) = target.sums();
        Repair {
            cfg,
            body,
            ents,
            size: target.compared().max(1),
        }
    }

    /// Move the members of `source` that fit `target` better; returns their story ids.
    ///
    /// A member's average similarity to the rest of its event comes from the event's sums less
    /// its own vectors (similarity is linear in each side), so a pass is linear in the event's
    /// size, not quadratic: a breaking story with hundreds of wire copies stays cheap.
    pub fn pull(&mut self, source: &mut EventState, target: &mut EventState) -> Vec<String> {
        let w = self.cfg.entity_weight;
        let (mut own_body, mut own_ents) = source.sums();
        let mut gone = Vec::new();
        let mut compared = source.compared();
        let mut i = 0;
        while i < source.members.len() {
            let m = &source.members[i];
            if !m.compared() {
                i += 1;
                continue;
            }
            let to = (self.body.dot(&m.body) + w * self.ents.dot(&m.ents))
                / ((1.0 + w) * self.size as f32);
            let others = compared - 1;
            let own = if others == 0 {
                0.0
            } else {
                let with_self = own_body.dot(&m.body) + w * own_ents.dot(&m.ents);
                let itself = dot(&m.body, &m.body) + w * dot(&m.ents, &m.ents);
                (with_self - itself) / ((1.0 + w) * others as f32)
            };
            if to >= self.cfg.threshold && to > own {
                let m = source.members.remove(i);
                compared -= 1;
                own_body.sub(&m.body);
                own_ents.sub(&m.ents);
                self.body.add(&m.body);
                self.ents.add(&m.ents);
                self.size += 1;
                gone.push(m.story_id.clone());
                target.members.push(m);
            } else {
                i += 1;
            }
        }
        gone
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::tests::member;

    fn terms(persons: &[(&str, u32)]) -> DocTerms {
        DocTerms {
            persons: persons.iter().map(|(p, n)| (p.to_string(), *n)).collect(),
            ..Default::default()
        }
    }

    #[test]
    fn a_story_about_another_person_conflicts_even_when_the_event_mentions_them_in_passing() {
        let mut e = EventState::open(member("a", &[("williams", 7), ("jackson", 2)]));
        e.members
            .push(member("b", &[("williams", 5), ("jackson", 2)]));
        assert!(person_conflict(&terms(&[("jackson", 8)]), &e));
        assert!(!person_conflict(
            &terms(&[("williams", 3), ("jackson", 1)]),
            &e
        ));
        assert!(
            !person_conflict(&terms(&[("jackson", 1)]), &e),
            "one mention makes no protagonist"
        );
    }

    #[test]
    fn repair_by_sums_moves_the_same_members_as_pairwise_averages() {
        // Members with overlapping terms: the sums-based average equals the pairwise one.
        let mk = |id: &str, mut body: Vec<(u64, f32)>| {
            body.sort_by_key(|p| p.0);
            let norm = body.iter().map(|p| p.1 * p.1).sum::<f32>().sqrt();
            Member {
                body: body.into_iter().map(|(t, w)| (t, w / norm)).collect(),
                ..member(id, &[])
            }
        };
        let mut source = EventState::open(mk("a", vec![(1, 1.0), (2, 1.0)]));
        source.members.push(mk("b", vec![(1, 1.0), (2, 0.8)]));
        source.members.push(mk("c", vec![(5, 1.0), (6, 1.0)]));
        source
            .members
            .push(mk("d", vec![(5, 0.9), (6, 1.0), (2, 0.1)]));
        let mut target = EventState::open(mk("x", vec![(5, 1.0), (6, 0.9)]));
        let cfg = ClusterConfig::default();
        for (i, m) in source.members.iter().enumerate() {
            let pairwise = source
                .members
                .iter()
                .enumerate()
                .filter(|(k, _)| *k != i)
                .map(|(_, o)| pair_similarity(m, o, cfg.entity_weight))
                .sum::<f32>()
                / 3.0;
            let (b, e) = source.sums();
            let by_sums = (b.dot(&m.body) - dot(&m.body, &m.body)
                + cfg.entity_weight * (e.dot(&m.ents) - dot(&m.ents, &m.ents)))
                / ((1.0 + cfg.entity_weight) * 3.0);
            assert!((pairwise - by_sums).abs() < 1e-5, "{pairwise} vs {by_sums}");
        }
        let gone = Repair::new(&target.clone(), &cfg).pull(&mut source, &mut target);
        assert_eq!(gone, vec!["c".to_string(), "d".to_string()]);
        assert_eq!(source.members.len(), 2);
        assert_eq!(target.members.len(), 3);
    }

    #[test]
    fn a_story_naming_none_of_the_events_key_places_conflicts_and_pays_the_place_penalty() {
        let with_places = |id: &str, places: &[&str]| Member {
            places: places.iter().map(|p| (p.to_string(), 1)).collect(),
            ..member(id, &[])
        };
        let mut e = EventState::open(with_places("a", &["banstead", "surrey"]));
        e.members.push(with_places("b", &["banstead"]));
        e.members.push(with_places("c", &["epsom"]));
        assert_eq!(e.key_places(), vec!["banstead"]);
        let places = |p: &[&str]| DocTerms {
            places: p.iter().map(|x| (x.to_string(), 2)).collect(),
            ..Default::default()
        };
        assert!(place_conflict(&places(&["wellington", "somerset"]), &e));
        assert!(!place_conflict(&places(&["banstead", "london"]), &e));
        assert!(!place_conflict(&places(&[]), &e), "no place, no conflict");
        let cfg = ClusterConfig::default();
        let x = member("x", &[]);
        let here = score_event(&x, &places(&["banstead"]), &e, &cfg);
        let there = score_event(&x, &places(&["wellington"]), &e, &cfg);
        assert!((here - there - cfg.place_penalty).abs() < 1e-6);
    }

    #[test]
    fn the_conflict_costs_the_penalty() {
        let cfg = ClusterConfig::default();
        let e = EventState::open(member("a", &[("williams", 7)]));
        let same = score_event(&member("x", &[]), &terms(&[("williams", 3)]), &e, &cfg);
        let other = score_event(&member("x", &[]), &terms(&[("jackson", 3)]), &e, &cfg);
        assert!(same > 0.5, "same key terms, no entities: {same}");
        assert!((same - other - cfg.conflict_penalty).abs() < 1e-6);
    }
}
