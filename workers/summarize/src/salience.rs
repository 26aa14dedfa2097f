//! Salient names: from extract's entities when there are any, otherwise from capitalised
//! phrases (cheap, and good enough for keywords and subheadings).

use crate::doc::Doc;
use crate::lang::Lang;
use copydesk_types::{Entities, EntityKind};
use std::collections::HashMap;

/// A name worth a keyword or a subheading.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Term {
    /// The name as the story writes it.
    pub name: String,
    /// Entity type, when extract supplied it.
    pub kind: Option<EntityKind>,
    /// Relative weight; higher is more central.
    pub score: f32,
}

/// Capitalised words that open sentences or name days and months, not topics.
const NOT_NAMES: &[&str] = &[
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "january",
    "february",
    "march",
    "april",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "mr",
    "mrs",
    "ms",
    "dr",
    "sir",
    "however",
    "meanwhile",
    "although",
    "according",
    "speaking",
    "today",
    "yesterday",
    "asked",
    "last",
    "next",
    "since",
    "despite",
    "now",
    "earlier",
    "later",
    "while",
    "instead",
    "even",
];

/// The story's salient names, most salient first; the agency credit of its dateline
/// ("Copydesk" in "LISBON (Copydesk) —") and the language's day and month names are never one.
pub(crate) fn salient_terms(doc: &Doc, entities: &Entities) -> Vec<Term> {
    let credit = doc.credit.as_deref().unwrap_or("");
    let calendar = doc.lang.profile().calendar;
    let mut terms = named_terms(doc, entities);
    // A tagger trained on another language may call "Donnerstag" a person: days and months
    // of the story's language are never names here.
    terms.retain(|t| {
        !t.name.eq_ignore_ascii_case(credit) && !calendar.contains(&t.name.to_lowercase().as_str())
    });
    terms
}

fn named_terms(doc: &Doc, entities: &Entities) -> Vec<Term> {
    let named: Vec<Term> = entities
        .entities
        .iter()
        .filter(|e| e.kind.is_name() && !e.canonical.trim().is_empty())
        .map(|e| Term {
            name: e.canonical.trim().to_string(),
            kind: Some(e.kind),
            score: if e.salience > 0.0 {
                e.salience
            } else {
                e.mentions as f32 / 10.0
            },
        })
        .collect();
    if !named.is_empty() {
        let mut named = named;
        named.sort_by(|a, b| b.score.total_cmp(&a.score));
        return named;
    }
    capitalised_phrases(doc)
}

/// Strips surrounding punctuation and a possessive from a token.
fn bare(token: &str) -> &str {
    let t = token.trim_matches(|c: char| !c.is_alphanumeric());
    t.strip_suffix("'s")
        .or_else(|| t.strip_suffix("’s"))
        .unwrap_or(t)
}

fn is_capitalised(token: &str) -> bool {
    let mut chars = token.chars();
    chars.next().is_some_and(char::is_uppercase) && token.chars().count() >= 2
}

fn is_name_word(lang: Lang, word: &str) -> bool {
    let lower = word.to_lowercase();
    is_capitalised(word)
        && !lang.is_stopword(&lower)
        && !NOT_NAMES.contains(&lower.as_str())
        && !lang.profile().calendar.contains(&lower.as_str())
}

/// Runs of capitalised words ("Bank of England", "Gary Locke"), counted over headline and body.
fn capitalised_phrases(doc: &Doc) -> Vec<Term> {
    let mut counts: HashMap<String, f32> = HashMap::new();
    let lines = std::iter::once((doc.headline.as_str(), 3.0f32)).chain(
        doc.sentences
            .iter()
            .enumerate()
            .map(|(i, s)| (s.text.as_str(), if i < 3 { 1.5 } else { 1.0 })),
    );
    let mut initial: Vec<(String, f32)> = Vec::new();
    for (line, weight) in lines {
        for (phrase, at_start) in phrases_in(doc.lang, line) {
            if at_start {
                initial.push((phrase, weight));
            } else {
                *counts.entry(phrase).or_default() += weight;
            }
        }
    }
    let last_words: std::collections::HashSet<String> = counts
        .keys()
        .filter_map(|k| k.rsplit_once(' ').map(|(_, last)| last.to_string()))
        .collect();
    // A lone capitalised word opening a sentence counts only if the story names it elsewhere,
    // or opens several lines with it and never writes it in lowercase ("Parmalat, the Italian
    // food group ..."; "Parmalat said ..."), which an ordinary word would be somewhere.
    let lowercase: std::collections::HashSet<&str> = std::iter::once(doc.headline.as_str())
        .chain(doc.sentences.iter().map(|s| s.text.as_str()))
        .flat_map(str::split_whitespace)
        .map(bare)
        .filter(|w| w.starts_with(char::is_lowercase))
        .collect();
    let mut openings: HashMap<&str, usize> = HashMap::new();
    for (word, _) in &initial {
        *openings.entry(word.as_str()).or_default() += 1;
    }
    let opens_as_name = |w: &str| {
        openings.get(w).copied().unwrap_or(0) >= 3
            && w.chars().count() > 2
            && !lowercase.contains(w.to_lowercase().as_str())
    };
    for (word, weight) in initial.clone() {
        let known =
            counts.contains_key(&word) || last_words.contains(&word) || opens_as_name(&word);
        if known {
            *counts.entry(word).or_default() += weight;
        }
    }
    // A surname alone counts towards the full name it belongs to.
    let multi: Vec<String> = counts.keys().filter(|k| k.contains(' ')).cloned().collect();
    for full in &multi {
        if let Some(last) = full.rsplit(' ').next() {
            if let Some(single) = counts.get(last).copied() {
                *counts.entry(full.clone()).or_default() += single;
            }
        }
    }
    let mut terms: Vec<Term> = counts
        .into_iter()
        .filter(|(name, score)| {
            let covered = !name.contains(' ') && last_words.contains(name);
            *score >= 2.0 && !covered
        })
        .map(|(name, score)| Term {
            name,
            kind: None,
            score,
        })
        .collect();
    terms.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.name.cmp(&b.name))
    });
    terms
}

/// The capitalised phrases of one line, each flagged when it is a lone sentence-initial word
/// (which may just be a capitalised ordinary word).
fn phrases_in(lang: Lang, line: &str) -> Vec<(String, bool)> {
    let tokens: Vec<&str> = line.split_whitespace().collect();
    let mut out = Vec::new();
    let mut run: Vec<&str> = Vec::new();
    let mut run_start = 0usize;
    let flush = |run: &mut Vec<&str>, start: usize, out: &mut Vec<(String, bool)>| {
        while run.last().is_some_and(|w| !is_name_word(lang, w)) {
            run.pop();
        }
        if !run.is_empty() {
            out.push((run.join(" "), start == 0 && run.len() == 1));
        }
        run.clear();
    };
    for (i, raw) in tokens.iter().enumerate() {
        let word = bare(raw);
        let connector = !run.is_empty() && matches!(word, "of" | "de" | "for" | "and");
        if is_name_word(lang, word) || connector {
            if run.is_empty() {
                run_start = i;
            }
            run.push(word);
            let ends_clause = raw.ends_with([',', '.', ';', ':', '?', '!'])
                || raw.ends_with("'s")
                || raw.ends_with("’s");
            if ends_clause {
                flush(&mut run, run_start, &mut out);
            }
        } else {
            flush(&mut run, run_start, &mut out);
        }
    }
    flush(&mut run, run_start, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use copydesk_types::{Entity, Story};

    #[test]
    fn without_entities_repeated_capitalised_phrases_become_terms() {
        let story = Story::new(
            "g",
            "Bank of England holds rates",
            vec![
                "The Bank of England kept rates at 5% on Thursday. Governor Andrew Bailey said inflation was easing.".into(),
                "Bailey added that the Bank of England would watch wages.".into(),
            ],
        );
        let terms = salient_terms(&Doc::from_story(&story), &Entities::default());
        assert_eq!(terms[0].name, "Bank of England");
        assert!(
            terms.iter().any(|t| t.name.ends_with("Andrew Bailey")),
            "{terms:?}"
        );
        assert!(!terms
            .iter()
            .any(|t| t.name == "Thursday" || t.name == "The"));
    }

    #[test]
    fn a_word_that_only_ever_opens_sentences_is_a_name_when_never_written_in_lowercase() {
        let story = Story::new(
            "g",
            "Parmalat doubles its profit",
            vec![
                "Parmalat, the Italian food group, has reported a doubling in profit.".into(),
                "Parmalat said its brands kept their sales.".into(),
                "Shares rose. Shares in rivals fell, and analysts said shares may rise again."
                    .into(),
            ],
        );
        let terms = salient_terms(&Doc::from_story(&story), &Entities::default());
        assert!(terms.iter().any(|t| t.name == "Parmalat"), "{terms:?}");
        assert!(!terms.iter().any(|t| t.name == "Shares"), "{terms:?}");
    }

    #[test]
    fn extract_entities_are_used_when_present() {
        let story = Story::new("g", "h", vec!["Acme Corp grew.".into()]);
        let entities = Entities {
            entities: vec![
                Entity {
                    canonical: "Acme Corp".into(),
                    kind: EntityKind::Org,
                    mentions: 3,
                    salience: 0.4,
                    geonames_id: None,
                    country_code: None,
                },
                Entity {
                    canonical: "Oslo".into(),
                    kind: EntityKind::Loc,
                    mentions: 1,
                    salience: 0.9,
                    geonames_id: None,
                    country_code: None,
                },
                Entity {
                    canonical: "Monday".into(),
                    kind: EntityKind::Date,
                    mentions: 1,
                    salience: 1.0,
                    geonames_id: None,
                    country_code: None,
                },
            ],
            ..Entities::default()
        };
        let terms = salient_terms(&Doc::from_story(&story), &entities);
        let names: Vec<&str> = terms.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["Oslo", "Acme Corp"]);
    }
}
