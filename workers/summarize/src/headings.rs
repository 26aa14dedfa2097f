//! Plain, descriptive subheadings from a section's dominant names and key phrases.

use crate::salience::Term;
use crate::text::is_stopword;
use std::collections::HashMap;

/// Headings an editor would strike: they say nothing about the section.
const EMPTY_HEADINGS: &[&str] = &["introduction", "conclusion", "summary", "overview"];
/// Fallbacks when a section has neither a name nor a repeated phrase.
const FALLBACKS: &[&str] = &[
    "Further details",
    "Other details",
    "More details",
    "Additional details",
    "Remaining details",
    "Final details",
];

/// True for a subheading that says nothing about its section ("Introduction", "Conclusion").
pub(crate) fn is_empty_heading(heading: &str) -> bool {
    EMPTY_HEADINGS.contains(&heading.trim().trim_end_matches(':').to_lowercase().as_str())
}

/// The subheading for one section, different from those already used.
pub(crate) fn heading_for(sentences: &[String], terms: &[Term], used: &[String]) -> String {
    let text = sentences.join(" ");
    let names = dominant_names(&text, terms);
    let phrase = key_phrase(sentences, &names);
    let mut candidates: Vec<String> = Vec::new();
    // A name leads the heading only when the section is about it: named twice, or at its start.
    let leading = |n: &&String| {
        text.matches(n.as_str()).count() >= 2
            || sentences.first().is_some_and(|s| s.contains(n.as_str()))
    };
    let fresh: Vec<&String> = names
        .iter()
        .filter(leading)
        .filter(|n| !used.iter().any(|u| u.starts_with(n.as_str())))
        .collect();
    if let (Some(name), Some(p)) = (fresh.first(), &phrase) {
        candidates.push(format!("{name}: {p}"));
    }
    if let [a, b, ..] = fresh.as_slice() {
        candidates.push(format!("{a} and {b}"));
    }
    if let Some(p) = &phrase {
        candidates.push(capitalise(p));
    }
    candidates.extend(fresh.iter().map(|n| n.to_string()));
    candidates.extend(FALLBACKS.iter().map(|s| s.to_string()));
    candidates
        .into_iter()
        .find(|c| !used.iter().any(|u| u.eq_ignore_ascii_case(c)) && !is_empty_heading(c))
        .unwrap_or_else(|| format!("Details, part {}", used.len() + 1))
}

/// Salient names that occur in the section, most frequent (weighted by salience) first.
fn dominant_names(text: &str, terms: &[Term]) -> Vec<String> {
    let max = terms
        .iter()
        .map(|t| t.score)
        .fold(0.0f32, f32::max)
        .max(1e-6);
    let mut scored: Vec<(f32, &Term)> = terms
        .iter()
        .take(25)
        .filter_map(|t| {
            let count = text.matches(t.name.as_str()).count();
            (count > 0).then(|| (count as f32 * (1.0 + t.score / max), t))
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    scored.into_iter().map(|(_, t)| t.name.clone()).collect()
}

fn bare(token: &str) -> &str {
    let t = token.trim_matches(|c: char| !c.is_alphanumeric());
    t.strip_suffix("'s")
        .or_else(|| t.strip_suffix("’s"))
        .unwrap_or(t)
}

/// The most repeated two- or three-word run of topic words in the section, as written.
fn key_phrase(sentences: &[String], names: &[String]) -> Option<String> {
    let name_words: Vec<String> = names
        .iter()
        .flat_map(|n| n.split(' ').map(str::to_lowercase))
        .collect();
    let mut counts: HashMap<String, (usize, usize)> = HashMap::new();
    for (order, sentence) in sentences.iter().enumerate() {
        let mut run: Vec<&str> = Vec::new();
        for raw in sentence.split_whitespace().chain(std::iter::once("")) {
            let word = bare(raw);
            let lower = word.to_lowercase();
            let usable = word.chars().count() > 2
                && word.chars().all(|c| c.is_alphabetic() || c == '-')
                && !is_stopword(&lower)
                && !name_words.contains(&lower);
            if usable {
                run.push(word);
            }
            let breaks = !usable || raw.ends_with([',', '.', ';', ':', '?', '!']);
            if breaks {
                for n in [2usize, 3] {
                    for w in run.windows(n) {
                        let e = counts.entry(w.join(" ")).or_insert((0, order));
                        e.0 += n - 1;
                    }
                }
                run.clear();
            }
        }
    }
    counts
        .into_iter()
        .max_by(|a, b| {
            a.1 .0
                .cmp(&b.1 .0)
                .then(b.1 .1.cmp(&a.1 .1))
                .then(b.0.cmp(&a.0))
        })
        .map(|(phrase, _)| phrase)
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|f| f.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn term(name: &str, score: f32) -> Term {
        Term {
            name: name.into(),
            kind: None,
            score,
        }
    }

    #[test]
    fn a_heading_names_the_sections_dominant_entity_and_phrase() {
        let s = vec![
            "The Harbour Authority approved the ferry timetable on Monday.".to_string(),
            "Under the ferry timetable, boats leave every hour.".to_string(),
        ];
        let h = heading_for(
            &s,
            &[term("Harbour Authority", 3.0), term("Oslo", 5.0)],
            &[],
        );
        assert_eq!(h, "Harbour Authority: ferry timetable");
    }

    #[test]
    fn headings_are_never_repeated_and_never_empty_words() {
        let s = vec!["Nothing notable here at all.".to_string()];
        let first = heading_for(&s, &[], &[]);
        let second = heading_for(&s, &[], std::slice::from_ref(&first));
        assert_ne!(first, second);
        for h in [first, second] {
            assert!(!EMPTY_HEADINGS.contains(&h.to_lowercase().as_str()));
        }
    }
}
