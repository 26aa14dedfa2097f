//! How well a story fits an event, and the repair rule that moves stories between events.
//!
//! The score is average link: the mean over the event's members of the story's similarity to
//! each (key terms, plus entity names at [`ClusterConfig::entity_weight`]), minus
//! [`ClusterConfig::conflict_penalty`] when the story is about another person than the event.

use crate::cluster::ClusterConfig;
use crate::state::{pair_similarity, EventState, Member};
use crate::text::DocTerms;
use crate::vector::Sum;

/// The story's score against an event.
pub fn score_event(member: &Member, terms: &DocTerms, event: &EventState, cfg: &ClusterConfig) -> f32 {
    if event.members.is_empty() {
        return 0.0;
    }
    let s = event.members.iter().map(|m| pair_similarity(member, m, cfg.entity_weight)).sum::<f32>()
        / event.members.len() as f32;
    if s >= cfg.threshold / 2.0 && person_conflict(terms, event) {
        s - cfg.conflict_penalty
    } else {
        s
    }
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
        Repair { cfg, body, ents, size: target.members.len() }
    }

    /// Move the members of `source` that fit `target` better; returns their story ids.
    pub fn pull(&mut self, source: &mut EventState, target: &mut EventState) -> Vec<String> {
        let mut gone = Vec::new();
        let mut i = 0;
        while i < source.members.len() {
            let m = &source.members[i];
            let to = (self.body.dot(&m.body) + self.cfg.entity_weight * self.ents.dot(&m.ents))
                / ((1.0 + self.cfg.entity_weight) * self.size as f32);
            let others = source.members.len() - 1;
            let own = if others == 0 {
                0.0
            } else {
                source
                    .members
                    .iter()
                    .enumerate()
                    .filter(|(k, _)| *k != i)
                    .map(|(_, o)| pair_similarity(m, o, self.cfg.entity_weight))
                    .sum::<f32>()
                    / others as f32
            };
            if to >= self.cfg.threshold && to > own {
                let m = source.members.remove(i);
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
        DocTerms { persons: persons.iter().map(|(p, n)| (p.to_string(), *n)).collect(), ..Default::default() }
    }

    #[test]
    fn a_story_about_another_person_conflicts_even_when_the_event_mentions_them_in_passing() {
        let mut e = EventState::open(member("a", &[("williams", 7), ("jackson", 2)]));
        e.members.push(member("b", &[("williams", 5), ("jackson", 2)]));
        assert!(person_conflict(&terms(&[("jackson", 8)]), &e));
        assert!(!person_conflict(&terms(&[("williams", 3), ("jackson", 1)]), &e));
        assert!(!person_conflict(&terms(&[("jackson", 1)]), &e), "one mention makes no protagonist");
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
