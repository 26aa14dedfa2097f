//! From an [`EventDoc`] to the terms the clusterer compares: lead-weighted key terms, entity
//! names and the people a story is about.
//!
//! Terms are hashed to `u64` (FNV-1a, stable across builds and machines) so event state and
//! document frequencies stay small and replicas agree on them.

use crate::doc::EventDoc;
use copydesk_types::EntityKind;

/// How many sentences after the headline form the lead. The lead states the event (who, what,
/// where, when); later sentences are mostly background that two events of a topic share.
pub const LEAD_SENTENCES: usize = 5;
/// How much more a headline or lead word counts than a word further down.
pub const LEAD_WEIGHT: f32 = 3.0;

/// The comparable content of one document, before IDF weighting.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DocTerms {
    /// Key-term counts (lead-weighted), sorted by term hash.
    pub body: Vec<(u64, f32)>,
    /// Entity-name counts (mentions), sorted by term hash.
    pub ents: Vec<(u64, f32)>,
    /// People, keyed by lowercased last name, with mention counts, most mentioned first.
    pub persons: Vec<(String, u32)>,
    /// Places, lowercased, with mention counts, most mentioned first.
    pub places: Vec<(String, u32)>,
}

impl DocTerms {
    /// Analyse a document.
    pub fn of(doc: &EventDoc) -> DocTerms {
        let lang = doc.language.as_deref().unwrap_or("en");
        let stop = Stopwords::for_language(lang);
        let english = primary(lang) == "en";
        let mut body = std::collections::HashMap::<u64, f32>::new();
        let mut add = |text: &str, weight: f32| {
            for w in words(text) {
                if w.chars().count() < 3 || stop.contains(&w) {
                    continue;
                }
                let w = if english { stem(&w) } else { w };
                *body.entry(term_id("b", &w)).or_default() += weight;
            }
        };
        add(&doc.title, LEAD_WEIGHT);
        for (i, s) in sentences(&doc.text).enumerate() {
            add(s, if i < LEAD_SENTENCES { LEAD_WEIGHT } else { 1.0 });
        }
        let mut ents = std::collections::HashMap::<u64, f32>::new();
        let mut persons = std::collections::HashMap::<String, u32>::new();
        let mut places = std::collections::HashMap::<String, u32>::new();
        for e in doc.entities.iter().filter(|e| e.kind.is_name()) {
            let name = e.name.trim().to_lowercase();
            if name.is_empty() {
                continue;
            }
            *ents.entry(term_id("e", &name)).or_default() += e.mentions as f32;
            if e.kind == EntityKind::Person {
                *persons.entry(person_key(&name)).or_default() += e.mentions;
            }
            if e.kind == EntityKind::Loc {
                *places.entry(name).or_default() += e.mentions;
            }
        }
        let by_count = |map: std::collections::HashMap<String, u32>| {
            let mut v: Vec<(String, u32)> = map.into_iter().collect();
            v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            v
        };
        DocTerms {
            body: sorted(body),
            ents: sorted(ents),
            persons: by_count(persons),
            places: by_count(places),
        }
    }

    /// The protagonist: the most mentioned person, when mentioned at least twice.
    pub fn protagonist(&self) -> Option<&str> {
        self.persons
            .first()
            .filter(|p| p.1 >= 2)
            .map(|p| p.0.as_str())
    }
}

fn sorted(map: std::collections::HashMap<u64, f32>) -> Vec<(u64, f32)> {
    let mut v: Vec<(u64, f32)> = map.into_iter().collect();
    v.sort_unstable_by_key(|p| p.0);
    v
}

/// A person's key: the last word of the name, so "Vincent Jackson" and "Jackson" meet.
pub fn person_key(name: &str) -> String {
    name.split_whitespace()
        .last()
        .unwrap_or(name)
        .to_lowercase()
}

/// Stable 64-bit id of a term in a namespace ("b" key terms, "e" entity names).
pub fn term_id(space: &str, term: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in space.bytes().chain([0u8]).chain(term.bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

fn primary(lang: &str) -> &str {
    lang.split(['-', '_']).next().unwrap_or(lang)
}

/// Stopwords of a language, from the `stop-words` crate (NLTK lists); empty when unknown.
struct Stopwords(&'static [&'static str]);

impl Stopwords {
    fn for_language(lang: &str) -> Stopwords {
        let code = match primary(lang).to_lowercase().as_str() {
            "nb" | "nn" | "no" => "no".to_string(),
            other => other.to_string(),
        };
        Stopwords(
            stop_words::lookup(&code)
                .or_else(|| stop_words::lookup("en"))
                .unwrap_or(&[]),
        )
    }

    fn contains(&self, w: &str) -> bool {
        self.0.contains(&w)
    }
}

/// Lowercased words and numbers ("4.5", "o'brien", "zero-day").
pub fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    for (k, &(i, c)) in chars.iter().enumerate() {
        let joiner = matches!(c, '\'' | '’' | '-' | '.' | ',')
            && start.is_some()
            && chars.get(k + 1).is_some_and(|n| n.1.is_alphanumeric())
            && (c != '.' && c != ','
                || chars[k - 1].1.is_ascii_digit() && chars[k + 1].1.is_ascii_digit());
        if c.is_alphanumeric() || joiner {
            start.get_or_insert(i);
        } else if let Some(s) = start.take() {
            out.push(text[s..i].to_lowercase());
        }
    }
    if let Some(s) = start {
        out.push(text[s..].to_lowercase());
    }
    out.into_iter()
}

/// Sentences: split after `.`, `!` or `?` followed by a space and a capital, digit or quote,
/// and at blank lines.
pub fn sentences(text: &str) -> impl Iterator<Item = &str> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    for (i, c) in text.char_indices() {
        let end_here = match c {
            '.' | '!' | '?' => {
                let rest = &text[i + c.len_utf8()..];
                let after = rest.trim_start_matches(['"', '\'', '”', '’', ')']);
                let gap = after.len() < rest.len() || rest.starts_with(char::is_whitespace);
                let next = after.trim_start().chars().next();
                gap && after.starts_with(char::is_whitespace)
                    && next.is_some_and(|n| {
                        n.is_uppercase() || n.is_ascii_digit() || "\"“'‘".contains(n)
                    })
            }
            '\n' => bytes.get(i + 1) == Some(&b'\n'),
            _ => false,
        };
        if end_here {
            let s = text[start..i + c.len_utf8()].trim();
            if !s.is_empty() {
                out.push(s);
            }
            start = i + c.len_utf8();
        }
    }
    let s = text[start..].trim();
    if !s.is_empty() {
        out.push(s);
    }
    out.into_iter()
}

/// A light English suffix strip ("arrested" and "arrests" meet "arrest"); no dictionary.
pub fn stem(w: &str) -> String {
    for suffix in ["ing", "ed", "es", "s"] {
        let Some(base) = w.strip_suffix(suffix) else {
            continue;
        };
        let sibilant = ["s", "x", "z", "ch", "sh"]
            .iter()
            .any(|e| base.ends_with(e));
        if suffix == "es" && !sibilant || suffix == "s" && w.ends_with("ss") {
            continue;
        }
        if base.chars().count() >= 4 {
            return base.to_string();
        }
    }
    w.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::EventEntity;

    fn doc(title: &str, text: &str) -> EventDoc {
        EventDoc {
            id: "d".into(),
            version: 1,
            title: title.into(),
            text: text.into(),
            language: None,
            published: None,
            source: None,
            entities: vec![
                EventEntity {
                    name: "Mara Quell".into(),
                    kind: EntityKind::Person,
                    mentions: 3,
                },
                EventEntity {
                    name: "Quell".into(),
                    kind: EntityKind::Person,
                    mentions: 1,
                },
                EventEntity {
                    name: "Dunmore".into(),
                    kind: EntityKind::Loc,
                    mentions: 1,
                },
            ],
        }
    }

    #[test]
    fn words_keep_decimals_and_inner_apostrophes_but_not_sentence_dots() {
        let w: Vec<String> = words("O'Brien paid $4.5m. Then 23 left, zero-day.").collect();
        assert_eq!(
            w,
            ["o'brien", "paid", "4.5m", "then", "23", "left", "zero-day"]
        );
    }

    #[test]
    fn sentences_split_at_stops_before_capitals_and_at_blank_lines() {
        let s: Vec<&str> =
            sentences("The ferry sank. \"Nobody died,\" he said. It was 4.5 m long\n\nNew par")
                .collect();
        assert_eq!(
            s,
            [
                "The ferry sank.",
                "\"Nobody died,\" he said.",
                "It was 4.5 m long",
                "New par"
            ]
        );
    }

    #[test]
    fn lead_words_weigh_more_than_later_words_and_stopwords_are_dropped() {
        let mut text = String::from("Harbour cranes collapsed.");
        for _ in 0..LEAD_SENTENCES {
            text.push_str(" Filler sentence here.");
        }
        text.push_str(" Cranes again.");
        let t = DocTerms::of(&doc("Storm", &text));
        let weight = |w: &str| t.body.iter().find(|p| p.0 == term_id("b", w)).map(|p| p.1);
        assert_eq!(
            weight("crane"),
            Some(LEAD_WEIGHT + 1.0),
            "stemmed, lead x3 + body x1"
        );
        assert_eq!(weight("the"), None);
    }

    #[test]
    fn persons_are_keyed_by_last_name_and_the_protagonist_needs_two_mentions() {
        let t = DocTerms::of(&doc("t", "x"));
        assert_eq!(t.persons, vec![("quell".to_string(), 4)]);
        assert_eq!(t.protagonist(), Some("quell"));
        let mut d = doc("t", "x");
        d.entities[0].mentions = 1;
        d.entities.remove(1);
        assert_eq!(DocTerms::of(&d).protagonist(), None);
    }

    #[test]
    fn term_ids_are_stable_and_namespaced() {
        assert_eq!(term_id("b", "quake"), term_id("b", "quake"));
        assert_ne!(term_id("b", "quake"), term_id("e", "quake"));
        // Pinned: stored event state and document frequencies depend on these ids.
        assert_eq!(term_id("b", "quake"), 0x1492_c709_94b8_81c8);
    }
}
