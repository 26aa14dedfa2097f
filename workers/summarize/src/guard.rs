//! The faithfulness guard for generated sections: every sentence must be supported by the
//! sources, so a small model cannot slip in a person, a number, a flipped negation or a claim.
//!
//! For each generated sentence the guard finds the one or two source sentences that cover most
//! of its content words (alignment), then checks:
//! - **support**: at least [`MIN_COVERAGE`] of its content words (stemmed) are in those sentences;
//! - **names**: every capitalised word (not a plain sentence-initial word) occurs in the story;
//! - **numbers**: every number occurs in the story, and every number of the passage the
//!   section rewrites is still in the section ("4.5m" and "65" may not be dropped);
//! - **polarity**: a negation ("not", "never", "no", "n't", "without") in the sentence iff in
//!   its aligned source sentence ("it was not hunting" may not become "it was hunting");
//! - **quotations**: quoted words appear verbatim in the story;
//! - **roles**: two names of one source sentence keep their order ("A beat B" is not "B beat A").

use crate::porter::stem;
use crate::text::{is_stopword, split_sentences};
use serde::Serialize;
use std::collections::HashSet;

/// Share of a sentence's content words that its aligned source sentences must hold.
pub const MIN_COVERAGE: f32 = 0.7;

/// Why a sentence failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "reason", content = "detail")]
pub enum Reason {
    /// A name that is not in the story.
    NewName(String),
    /// A number that is not in the story.
    NewNumber(String),
    /// A number of the rewritten passage that the section lost.
    DroppedNumber(String),
    /// Negation added or removed against the aligned source sentence.
    Polarity,
    /// Too few content words traceable to one or two source sentences (an added claim).
    Unsupported,
    /// Quoted words that the story does not contain verbatim.
    Quote(String),
    /// Two names in the opposite order of their source sentence.
    RolesSwapped(String, String),
}

impl Reason {
    /// A short stable label ("new-name", "polarity"), for reports.
    pub fn label(&self) -> &'static str {
        match self {
            Reason::NewName(_) => "new-name",
            Reason::NewNumber(_) => "new-number",
            Reason::DroppedNumber(_) => "dropped-number",
            Reason::Polarity => "polarity",
            Reason::Unsupported => "unsupported",
            Reason::Quote(_) => "quote",
            Reason::RolesSwapped(..) => "roles-swapped",
        }
    }
}

/// One failed check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// The generated sentence ("" for a section-level finding).
    pub sentence: String,
    /// What is wrong.
    #[serde(flatten)]
    pub reason: Reason,
}

/// The story, indexed for the checks.
pub struct Sources {
    sentences: Vec<Sentence>,
    words: HashSet<String>,
    numbers: HashSet<String>,
    flat: String,
}

struct Sentence {
    stems: HashSet<String>,
    negated: bool,
    words: Vec<String>,
}

impl Sources {
    /// Index a story's text (headline and paragraphs).
    pub fn new(story_text: &str) -> Sources {
        let sentences = story_text
            .split("\n\n")
            .flat_map(split_sentences)
            .map(|s| Sentence {
                stems: stems(&s),
                negated: negated(&s),
                words: tokens(&s).map(str::to_string).collect(),
            })
            .collect();
        let words = tokens(story_text).map(|w| w.to_lowercase()).collect();
        Sources {
            sentences,
            words,
            numbers: numbers(story_text),
            flat: flatten(story_text),
        }
    }

    /// Every problem of a generated section that rewrites `passage` (a part of the story).
    pub fn check(&self, passage: &str, generated: &str) -> Vec<Finding> {
        let mut out = Vec::new();
        for s in generated.split("\n\n").flat_map(split_sentences) {
            for reason in self.check_sentence(&s) {
                out.push(Finding {
                    sentence: s.clone(),
                    reason,
                });
            }
        }
        let kept = numbers(generated);
        let mut lost: Vec<String> = numbers(passage)
            .into_iter()
            .filter(|n| !kept.contains(n))
            .collect();
        lost.sort();
        out.extend(lost.into_iter().map(|n| Finding {
            sentence: String::new(),
            reason: Reason::DroppedNumber(n),
        }));
        out
    }

    fn check_sentence(&self, s: &str) -> Vec<Reason> {
        let mut out = Vec::new();
        for name in names(s) {
            if !name
                .split(['-', '\'', '’'])
                .all(|p| self.words.contains(&p.to_lowercase()))
            {
                out.push(Reason::NewName(name));
            }
        }
        let mut new_numbers: Vec<String> = numbers(s)
            .into_iter()
            .filter(|n| !self.numbers.contains(n))
            .collect();
        new_numbers.sort();
        out.extend(new_numbers.into_iter().map(Reason::NewNumber));
        for q in quotes(s) {
            if !self.flat.contains(&flatten(&q)) {
                out.push(Reason::Quote(q));
            }
        }
        let own = stems(s);
        if own.is_empty() {
            return out;
        }
        let aligned = self.align(&own);
        let covered = own
            .iter()
            .filter(|w| {
                aligned
                    .iter()
                    .any(|&i| self.sentences[i].stems.contains(*w))
            })
            .count();
        if (covered as f32) < MIN_COVERAGE * own.len() as f32 {
            out.push(Reason::Unsupported);
        }
        if let Some(&best) = aligned.first() {
            if self.polarity_flipped(s, &own, best) {
                out.push(Reason::Polarity);
            }
            let own_words: Vec<String> = tokens(s).map(str::to_string).collect();
            let swap = swapped(&own_words, &self.sentences[best].words);
            if let Some((a, b)) = swap {
                out.push(Reason::RolesSwapped(a, b));
            }
        }
        out
    }

    /// A negation the sources do not have for this content, or one they have that the
    /// sentence dropped while restating the same source sentence.
    fn polarity_flipped(&self, s: &str, own: &HashSet<String>, best: usize) -> bool {
        if negated(s) {
            // Some negated source sentence must share at least half of its content words.
            !self.sentences.iter().any(|src| {
                src.negated && {
                    let shared = src.stems.iter().filter(|w| own.contains(*w)).count();
                    shared > 0 && 2 * shared >= src.stems.len().min(own.len())
                }
            })
        } else {
            let src = &self.sentences[best];
            let shared = src.stems.iter().filter(|w| own.contains(*w)).count();
            src.negated && 10 * shared >= 6 * src.stems.len().min(own.len())
        }
    }

    /// The one or two source sentences that together cover most of `own`, best first.
    fn align(&self, own: &HashSet<String>) -> Vec<usize> {
        let gain = |i: usize, have: &HashSet<&String>| {
            own.iter()
                .filter(|w| !have.contains(w) && self.sentences[i].stems.contains(*w))
                .count()
        };
        let none = HashSet::new();
        let Some(first) =
            (0..self.sentences.len()).max_by_key(|&i| (gain(i, &none), std::cmp::Reverse(i)))
        else {
            return Vec::new();
        };
        let have: HashSet<&String> = own
            .iter()
            .filter(|w| self.sentences[first].stems.contains(*w))
            .collect();
        let second = (0..self.sentences.len())
            .filter(|&i| i != first)
            .max_by_key(|&i| (gain(i, &have), std::cmp::Reverse(i)))
            .filter(|&i| gain(i, &have) > 0);
        std::iter::once(first).chain(second).collect()
    }
}

fn tokens(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| {
        !(c.is_alphanumeric() || c == '\'' || c == '’' || c == '-' || c == '.' || c == ',')
    })
    .map(|t| t.trim_matches(|c: char| !c.is_alphanumeric()))
    .filter(|t| !t.is_empty())
}

/// Stemmed content words: lowercase, no stopwords, at least three letters, no numbers.
fn stems(text: &str) -> HashSet<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .map(str::to_lowercase)
        .filter(|w| {
            w.chars().count() >= 3 && !is_stopword(w) && !w.chars().any(|c| c.is_ascii_digit())
        })
        .map(|w| stem(&w))
        .collect()
}

const NEGATIONS: &[&str] = &[
    "not", "no", "never", "nobody", "none", "nothing", "neither", "nor", "without", "cannot",
];

fn negated(text: &str) -> bool {
    let lower = text.to_lowercase();
    lower.contains("n't")
        || lower.contains("n’t")
        || lower
            .split(|c: char| !c.is_alphanumeric())
            .any(|w| NEGATIONS.contains(&w))
}

/// Numbers as digit strings without thousands separators ("3,500" -> "3500", "4.5m" -> "4.5m").
/// A currency sign right before a number is part of it: "$639m" is not "£639m".
fn numbers(text: &str) -> HashSet<String> {
    text.split_whitespace()
        .flat_map(|w| w.split(['(', ')', '/']))
        .filter(|w| w.chars().any(|c| c.is_ascii_digit()))
        .map(|w| {
            let w = w.trim_matches(|c: char| !(c.is_alphanumeric() || "$£€¥".contains(c)));
            let sign = w.chars().next().filter(|c| "$£€¥".contains(*c));
            let digits = w
                .trim_start_matches(|c: char| "$£€¥".contains(c))
                .trim_end_matches(['.', ','])
                .replace(',', "");
            format!(
                "{}{}",
                sign.map(String::from).unwrap_or_default(),
                digits.to_lowercase()
            )
        })
        .collect()
}

/// Capitalised words that are names: any capitalised word after the first of a sentence, and a
/// sentence-initial one followed by another capitalised word ("Emily Fox said").
fn names(sentence: &str) -> Vec<String> {
    let words: Vec<&str> = tokens(sentence)
        .filter(|t| !t.chars().any(|c| c.is_ascii_digit()))
        .collect();
    let cap = |w: &str| w.chars().next().is_some_and(char::is_uppercase);
    let mut out = Vec::new();
    for (i, w) in words.iter().enumerate() {
        let next_cap = words.get(i + 1).is_some_and(|n| cap(n));
        if cap(w) && (i > 0 || next_cap) && !is_stopword(&w.to_lowercase()) {
            out.push(w.trim_end_matches(['.', ',']).to_string());
        }
    }
    out
}

/// Text inside double quotes.
fn quotes(sentence: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut open: Option<usize> = None;
    for (i, c) in sentence.char_indices() {
        match (c, open) {
            ('"' | '“', None) => open = Some(i + c.len_utf8()),
            ('"' | '”', Some(s)) => {
                let q = sentence[s..i].trim();
                if q.split_whitespace().count() >= 3 {
                    out.push(q.to_string());
                }
                open = None;
            }
            _ => {}
        }
    }
    out
}

/// Lowercase words joined by single spaces, for verbatim comparisons.
fn flatten(text: &str) -> String {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

const CALENDAR: &[&str] = &[
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
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// Name phrases (runs of capitalised words, calendar words excluded) with the position of
/// their first word.
fn phrases(words: &[String]) -> Vec<(usize, String)> {
    let cap = |w: &str| {
        w.chars().next().is_some_and(char::is_uppercase)
            && !is_stopword(&w.to_lowercase())
            && !CALENDAR.contains(&w.to_lowercase().as_str())
    };
    let mut out: Vec<(usize, String)> = Vec::new();
    for (i, w) in words.iter().enumerate() {
        if !cap(w) {
            continue;
        }
        match out.last_mut() {
            Some((start, p)) if *start + p.split(' ').count() == i => {
                p.push(' ');
                p.push_str(w);
            }
            _ => out.push((i, w.clone())),
        }
    }
    out
}

/// Two name phrases on either side of a word in the source sentence ("Rovers beat United")
/// that the generated sentence puts the other way round around the same word.
fn swapped(own: &[String], src: &[String]) -> Option<(String, String)> {
    let (p_own, p_src) = (phrases(own), phrases(src));
    let at = |list: &[(usize, String)], n: &str| list.iter().find(|p| p.1 == n).map(|p| p.0);
    let word_at = |list: &[String], w: &str, lo: usize, hi: usize| {
        list[lo.min(hi)..hi.max(lo)].iter().any(|x| x == w)
    };
    for (i, (sa, a)) in p_src.iter().enumerate() {
        for (sb, b) in &p_src[i + 1..] {
            let (Some(oa), Some(ob)) = (at(&p_own, a), at(&p_own, b)) else {
                continue;
            };
            if oa < ob || own.iter().chain(src).any(|w| w == "by") {
                continue;
            }
            let pivot = src[sa + a.split(' ').count()..*sb].iter().find(|w| {
                w.chars().count() >= 3
                    && !is_stopword(&w.to_lowercase())
                    && !w.chars().any(|c| c.is_ascii_digit())
            });
            // The generated sentence says "B <pivot> A" with nothing else of substance between.
            let between = &own[(ob + b.split(' ').count()).min(oa)..oa];
            let content = |w: &&String| w.chars().count() >= 3 && !is_stopword(&w.to_lowercase());
            if let Some(v) = pivot {
                if word_at(own, v, ob, oa) && between.iter().filter(content).all(|w| w == v) {
                    return Some((a.clone(), b.clone()));
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const STORY: &str =
        "Hunters fined over deer cull\n\nThe court fined the Dunmore Hunt £4.5m on Tuesday. \
        Judge Mara Quell said the cull was not hunting under the 2004 act. \
        The club's 65 members will appeal, chairman Ivo Brandt said.";

    fn reasons(generated: &str) -> Vec<&'static str> {
        let mut r: Vec<&'static str> = Sources::new(STORY)
            .check(STORY, generated)
            .iter()
            .map(|f| f.reason.label())
            .collect();
        r.sort_unstable();
        r.dedup();
        r
    }

    #[test]
    fn a_faithful_rewrite_passes() {
        let ok = "On Tuesday the court fined the Dunmore Hunt £4.5m. Judge Mara Quell said the cull was not \
                  hunting under the 2004 act. Chairman Ivo Brandt said the club's 65 members will appeal.";
        assert_eq!(reasons(ok), Vec::<&str>::new());
    }

    #[test]
    fn an_invented_person_a_dropped_number_and_a_flipped_negation_are_caught() {
        let bad = "On Tuesday the court fined the Dunmore Hunt £4.5m. Dr. Emily Fox said the cull was hunting \
                   under the 2004 act. Chairman Ivo Brandt said the club's members will appeal.";
        let r = reasons(bad);
        for want in ["dropped-number", "new-name", "polarity"] {
            assert!(r.contains(&want), "{want} missing from {r:?}");
        }
    }

    #[test]
    fn an_added_claim_and_a_changed_number_are_caught() {
        let bad = "The court fined the Dunmore Hunt £5m on Tuesday. Protesters blocked roads across the county \
                   demanding a national ban on every form of sport hunting.";
        let r = reasons(bad);
        assert!(
            r.contains(&"new-number") && r.contains(&"unsupported"),
            "{r:?}"
        );
    }

    #[test]
    fn a_changed_currency_is_a_new_number() {
        let story = "Profits rose to $1.13bn (£600m), from $639m a year earlier.";
        let found = Sources::new(story).check(
            story,
            "Profits rose to $1.13bn (£600m), from £639m a year earlier.",
        );
        assert!(
            found
                .iter()
                .any(|f| f.reason == Reason::NewNumber("£639m".into())),
            "{found:?}"
        );
        assert!(Sources::new(story)
            .check(story, "Profits rose to $1.13bn (£600m) from $639m.")
            .is_empty());
    }

    #[test]
    fn swapped_roles_and_invented_quotes_are_caught() {
        let story = "Rovers beat United 3-1.\n\nCoach Lena Ward said \"we earned every point tonight\" after the match.";
        let src = Sources::new(story);
        let swap = src.check(story, "United beat Rovers 3-1.");
        assert!(
            swap.iter().any(|f| f.reason.label() == "roles-swapped"),
            "{swap:?}"
        );
        let quote = src.check(
            story,
            "Coach Lena Ward said \"we deserved the win tonight\" after the match.",
        );
        assert!(
            quote.iter().any(|f| f.reason.label() == "quote"),
            "{quote:?}"
        );
    }
}
