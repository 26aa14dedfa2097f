//! Which sentences of an event's stories the article uses, and in what order.
//!
//! The lead comes from the most informative copy: the one whose words the other copies share
//! most (it covers the common story) over the most words. Then sentences are taken in turn from
//! each copy, earliest first ("round robin": the first sentence of every copy, then the second
//! ...), skipping fragments, copies that share almost no topic word with the others (a stray
//! member, among three or more), sentences that share none, near-repeats of a sentence already
//! taken (see [`is_repeat`]) and sentences of other copies that say little new, until the word
//! budget is spent. The chosen sentences are
//! then printed copy by copy, each in its story's order.

use crate::doc::{overlap, Doc};
use std::collections::HashMap;

/// Sentences shorter than this are captions, bylines or fragments.
const MIN_WORDS: usize = 6;
/// A sentence repeats one already taken when it shares more than this share of the smaller
/// sentence's topic words ...
const REPEAT_SMALLER: f32 = 0.7;
/// ... or more than this share of both sentences' topic words together (Jaccard).
const REPEAT_JACCARD: f32 = 0.5;
/// Share of a copy's topic words that other copies must use for it to count as about the event
/// (only with two copies or more): a stray member shares almost none.
const MIN_SHARED: f32 = 0.15;
/// Share of a sentence's topic words already in the article above which it says nothing new.
const KNOWN: f32 = 0.6;
/// Topic words a sentence of another copy must add to what is already taken.
const MIN_NEW_WORDS: usize = 3;
/// Openers that need the sentence before them ("He said ...", "This means ...").
const POINTS_BACK: &[&str] = &[
    "he", "she", "they", "it", "this", "these", "those", "his", "her", "their", "its", "er", "sie",
    "es", "lui", "lei", "han", "hun", "hän", "se", "il", "elle", "ils", "él", "ella",
];

/// A chosen sentence: which copy, which sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Pick {
    /// Index of the copy (member).
    pub doc: usize,
    /// Index of the sentence in that copy's `Doc`.
    pub sentence: usize,
}

/// What the selection gives: the lead copy, its lead sentences and the body, in print order.
#[derive(Debug, Clone)]
pub(crate) struct Selection {
    /// The copy the lead comes from.
    pub lead_doc: usize,
    /// The lead's sentences (from `lead_doc`).
    pub lead: Vec<Pick>,
    /// Body sentences: the lead copy's first, then each other copy's, each in story order.
    pub body: Vec<Pick>,
    /// Every pick in the order it was chosen (lead first): the most important first.
    pub ranked: Vec<Pick>,
}

/// In how many copies each topic word occurs.
fn doc_frequency(docs: &[Doc]) -> HashMap<u64, usize> {
    let mut df: HashMap<u64, usize> = HashMap::new();
    for d in docs {
        let mut words: Vec<u64> = d
            .sentences
            .iter()
            .flat_map(|s| s.content.iter().copied())
            .collect();
        words.sort_unstable();
        words.dedup();
        for w in words {
            *df.entry(w).or_default() += 1;
        }
    }
    df
}

/// The most informative copy: the most topic words shared with other copies, then length.
fn lead_copy(docs: &[Doc], df: &HashMap<u64, usize>) -> usize {
    let score = |d: &Doc| {
        let mut words: Vec<u64> = d
            .sentences
            .iter()
            .flat_map(|s| s.content.iter().copied())
            .collect();
        words.sort_unstable();
        words.dedup();
        let shared = words
            .iter()
            .filter(|w| df.get(w).copied().unwrap_or(0) >= 2)
            .count();
        (shared, d.words)
    };
    (0..docs.len())
        .max_by_key(|&i| (score(&docs[i]), std::cmp::Reverse(i)))
        .unwrap_or(0)
}

/// True when two sentences (topic-word hashes, sorted) say the same thing: most of the
/// smaller one's topic words are in the other, or half of all of them are shared. Copies of one
/// event share their topic words, so this is stricter than the brief's own repeat test.
fn is_repeat(a: &[u64], b: &[u64]) -> bool {
    if a.len() < 3 || b.len() < 3 {
        return false;
    }
    let smaller = overlap(a, b);
    let shared = smaller * a.len().min(b.len()) as f32;
    let jaccard = shared / ((a.len() + b.len()) as f32 - shared);
    smaller > REPEAT_SMALLER || jaccard > REPEAT_JACCARD
}

/// Share of a sentence's topic words that occur in another copy too.
fn shared_share(content: &[u64], df: &HashMap<u64, usize>) -> f32 {
    if content.is_empty() {
        return 0.0;
    }
    let shared = content
        .iter()
        .filter(|w| df.get(w).copied().unwrap_or(0) >= 2)
        .count();
    shared as f32 / content.len() as f32
}

/// Chooses the sentences of an event article of about `budget` words.
pub(crate) fn select(docs: &[Doc], budget: usize) -> Selection {
    let df = doc_frequency(docs);
    let several = docs.iter().filter(|d| !d.sentences.is_empty()).count() >= 2;
    let copies = docs.iter().filter(|d| !d.sentences.is_empty()).count();
    let lead_doc = lead_copy(docs, &df);
    let eligible: Vec<Vec<usize>> = docs
        .iter()
        .enumerate()
        .map(|(n, d)| {
            let mut words: Vec<u64> = d
                .sentences
                .iter()
                .flat_map(|s| s.content.iter().copied())
                .collect();
            words.sort_unstable();
            words.dedup();
            // Which of two copies would be the stray one? Only among three or more, never the
            // lead copy.
            let stray = copies >= 3 && n != lead_doc && shared_share(&words, &df) < MIN_SHARED;
            (0..d.sentences.len())
                .filter(|&i| {
                    let s = &d.sentences[i];
                    // A sentence shares at least one topic word with another copy.
                    s.words >= MIN_WORDS
                        && !stray
                        && (!several || shared_share(&s.content, &df) > 0.0)
                })
                .collect()
        })
        .collect();
    // Copies in turn: the lead copy, then the others by how much they share.
    let mut order: Vec<usize> = (0..docs.len()).filter(|&i| i != lead_doc).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(docs[i].words));
    order.insert(0, lead_doc);

    let mut ranked: Vec<Pick> = Vec::new();
    let mut words = 0usize;
    let repeats = |ranked: &[Pick], p: Pick| {
        let s = &docs[p.doc].sentences[p.sentence];
        ranked
            .iter()
            .any(|q| is_repeat(&docs[q.doc].sentences[q.sentence].content, &s.content))
    };
    // The lead: the lead copy's first real sentence, and its second when the first is brief.
    let lead_pool = &eligible[lead_doc];
    let fallback: Vec<usize> = (0..docs[lead_doc].sentences.len().min(1)).collect();
    let pool = if lead_pool.is_empty() {
        &fallback
    } else {
        lead_pool
    };
    let mut lead: Vec<Pick> = Vec::new();
    for &i in pool.iter().take(2) {
        let p = Pick {
            doc: lead_doc,
            sentence: i,
        };
        let brief_first = lead
            .first()
            .is_none_or(|f: &Pick| docs[lead_doc].sentences[f.sentence].words < 30);
        if (lead.is_empty() || (brief_first && i == lead[0].sentence + 1)) && !repeats(&ranked, p) {
            lead.push(p);
            ranked.push(p);
            words += docs[lead_doc].sentences[i].words;
        }
    }
    let longest = eligible.iter().map(Vec::len).max().unwrap_or(0);
    'turns: for rank in 0..longest {
        for &d in &order {
            if words >= budget {
                break 'turns;
            }
            let Some(&i) = eligible[d].get(rank) else {
                continue;
            };
            let p = Pick {
                doc: d,
                sentence: i,
            };
            if ranked.contains(&p) || repeats(&ranked, p) {
                continue;
            }
            let s = &docs[d].sentences[i];
            if d != lead_doc {
                // A copy's sentence must add facts, and must not point back at a sentence of
                // its own that the article does not show.
                let known: std::collections::HashSet<u64> = ranked
                    .iter()
                    .flat_map(|q| docs[q.doc].sentences[q.sentence].content.iter().copied())
                    .collect();
                let new = s.content.iter().filter(|w| !known.contains(w)).count();
                let old = s.content.len() - new;
                let says_nothing =
                    !s.content.is_empty() && old as f32 / s.content.len() as f32 >= KNOWN;
                let first = s
                    .text
                    .split_whitespace()
                    .next()
                    .unwrap_or("")
                    .to_lowercase();
                let orphan = POINTS_BACK.contains(&first.as_str())
                    && !ranked.contains(&Pick {
                        doc: d,
                        sentence: i.wrapping_sub(1),
                    });
                if new < MIN_NEW_WORDS || says_nothing || orphan {
                    continue;
                }
            }
            ranked.push(p);
            words += docs[d].sentences[i].words;
        }
    }
    let mut body: Vec<Pick> = Vec::new();
    for &d in &order {
        let mut mine: Vec<Pick> = ranked
            .iter()
            .copied()
            .filter(|p| p.doc == d && !lead.contains(p))
            .collect();
        mine.sort_by_key(|p| p.sentence);
        body.extend(mine);
    }
    Selection {
        lead_doc,
        lead,
        body,
        ranked,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use copydesk_types::Story;

    fn doc(paras: &[&str]) -> Doc {
        Doc::from_story(&Story::new(
            "g",
            "h",
            paras.iter().map(|p| p.to_string()).collect(),
        ))
    }

    #[test]
    fn repeats_across_copies_are_taken_once_and_new_facts_are_added() {
        let a = doc(&[
            "Dockers at the port of Antwerp walked out on Monday over a new shift plan for the container terminals.",
            "The strike halted loading at the three largest container terminals of the port.",
        ]);
        let b = doc(&[
            "Dockers in the port of Antwerp walked out on Monday in protest at a new shift plan for container terminals.",
            "The union said the container strike at the port would last until the shift plan was withdrawn.",
        ]);
        let sel = select(&[a, b], 500);
        assert_eq!(
            sel.lead_doc, 1,
            "the longer of two copies that share as much leads"
        );
        let picked: Vec<(usize, usize)> = sel.ranked.iter().map(|p| (p.doc, p.sentence)).collect();
        assert_eq!(picked[0], (1, 0));
        assert!(
            !picked.contains(&(0, 0)),
            "the other copy's lead repeats it: {picked:?}"
        );
        assert!(
            picked.contains(&(1, 1)) && picked.contains(&(0, 1)),
            "new facts: {picked:?}"
        );
    }

    #[test]
    fn a_copy_about_something_else_adds_nothing() {
        let a = doc(&["Dockers at the port of Antwerp walked out on Monday over a new shift plan for the terminals."]);
        let b = doc(&["Dockers in Antwerp walked out over the shift plan at the port terminals on Monday morning."]);
        let stray = doc(&[
            "These pages are archived by a crawler so that links to them keep working for readers.",
        ]);
        let sel = select(&[a, b, stray], 500);
        assert!(sel.ranked.iter().all(|p| p.doc != 2), "{:?}", sel.ranked);
    }
}
