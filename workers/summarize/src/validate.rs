//! Checks an LLM answer before it is used: structure, and faithfulness to the source.

use crate::headings::is_empty_heading;
use copydesk_types::Section;
use serde::Deserialize;
use std::collections::HashSet;

/// What the model is asked to return (see `prompts/summarize.txt`).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Draft {
    pub brief: String,
    pub headline: String,
    #[serde(default)]
    pub meta_description: String,
    pub lead: String,
    pub sections: Vec<Section>,
}

/// The JSON schema of [`Draft`], sent as the response format.
pub(crate) fn draft_schema() -> serde_json::Value {
    serde_json::json!({
        "type": "object",
        "properties": {
            "brief": {"type": "string"},
            "headline": {"type": "string"},
            "meta_description": {"type": "string"},
            "lead": {"type": "string"},
            "sections": {"type": "array", "minItems": 3, "items": {
                "type": "object",
                "properties": {"heading": {"type": "string"}, "paragraphs": {"type": "array", "items": {"type": "string"}}},
                "required": ["heading", "paragraphs"]
            }}
        },
        "required": ["brief", "headline", "meta_description", "lead", "sections"]
    })
}

/// True when a text carries emphasis markup.
pub(crate) fn has_emphasis(text: &str) -> bool {
    text.contains("**")
        || text.contains("__")
        || text.contains("<b>")
        || text.contains("<strong>")
        || text.contains("<em>")
        || text.contains("<i>")
        || text.split_whitespace().any(|w| {
            w.len() > 2 && w.starts_with('*') && w.trim_end_matches(['.', ',']).ends_with('*')
        })
}

fn bare(token: &str) -> &str {
    let t = token.trim_matches(|c: char| !c.is_alphanumeric());
    t.strip_suffix("'s")
        .or_else(|| t.strip_suffix("’s"))
        .unwrap_or(t)
}

fn number_key(token: &str) -> Option<String> {
    let t = bare(token);
    t.chars().any(|c| c.is_ascii_digit()).then(|| {
        // Lowercase: a heading may capitalise "under-21" as its first word.
        t.chars()
            .filter(|c| c.is_alphanumeric() || *c == '.')
            .flat_map(char::to_lowercase)
            .collect()
    })
}

/// The source's words (lowercase) and numbers (digits without separators).
pub(crate) struct SourceIndex {
    words: HashSet<String>,
    numbers: HashSet<String>,
}

impl SourceIndex {
    pub fn new(source: &str) -> Self {
        let mut words = HashSet::new();
        let mut numbers = HashSet::new();
        for token in source.split_whitespace() {
            if let Some(n) = number_key(token) {
                numbers.insert(n);
            }
            for part in bare(token).split(['-', '/', '–']) {
                words.insert(part.to_lowercase());
            }
        }
        SourceIndex { words, numbers }
    }

    /// Names and numbers in `text` that the source does not contain.
    pub fn unsupported(&self, text: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut sentence_start = true;
        for token in text.split_whitespace() {
            let word = bare(token);
            if let Some(n) = number_key(token) {
                if !self.numbers.contains(&n) {
                    out.push(word.to_string());
                }
            } else if !sentence_start && word.chars().next().is_some_and(char::is_uppercase) {
                let known = word
                    .split(['-', '/', '–'])
                    .all(|p| self.words.contains(&p.to_lowercase()));
                if !known {
                    out.push(word.to_string());
                }
            }
            sentence_start = token.ends_with(['.', '!', '?', ':'])
                || token.ends_with(".\"")
                || token.ends_with(".”");
        }
        out
    }
}

/// Everything wrong with a draft; empty when it may be used.
pub(crate) fn problems(
    draft: &Draft,
    source: &SourceIndex,
    source_words: usize,
    min_words: usize,
) -> Vec<String> {
    let mut out = Vec::new();
    let long_source = source_words >= min_words + min_words / 2;
    let body_words = draft.lead.split_whitespace().count()
        + draft
            .sections
            .iter()
            .flat_map(|s| &s.paragraphs)
            .map(|p| p.split_whitespace().count())
            .sum::<usize>();
    if draft.brief.trim().is_empty()
        || draft.lead.trim().is_empty()
        || draft.headline.trim().is_empty()
    {
        out.push("brief, lead and headline must not be empty".to_string());
    }
    if long_source && draft.sections.len() < 3 {
        out.push(format!(
            "needs at least 3 sections, got {}",
            draft.sections.len()
        ));
    }
    if long_source && body_words < min_words {
        out.push(format!(
            "needs at least {min_words} words, got {body_words}"
        ));
    }
    for s in &draft.sections {
        if s.heading.trim().is_empty() || is_empty_heading(&s.heading) || s.heading.starts_with('#')
        {
            out.push(format!(
                "subheading {:?} is not a plain, descriptive subheading",
                s.heading
            ));
        }
        if s.paragraphs.iter().all(|p| p.trim().is_empty()) {
            out.push(format!("section {:?} has no text", s.heading));
        }
    }
    let texts = std::iter::once(&draft.brief)
        .chain([&draft.headline, &draft.meta_description, &draft.lead])
        .chain(draft.sections.iter().map(|s| &s.heading))
        .chain(draft.sections.iter().flat_map(|s| &s.paragraphs));
    let mut unsupported = Vec::new();
    for t in texts {
        if has_emphasis(t) {
            out.push("uses bold or other emphasis".to_string());
        }
        unsupported.extend(source.unsupported(t));
    }
    unsupported.sort();
    unsupported.dedup();
    if !unsupported.is_empty() {
        out.push(format!(
            "names or numbers not in the source: {}",
            unsupported.join(", ")
        ));
    }
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(text: &str, sections: usize) -> Draft {
        Draft {
            brief: text.into(),
            headline: "Harbour plan approved".into(),
            meta_description: String::new(),
            lead: text.into(),
            sections: (0..sections)
                .map(|i| Section {
                    heading: format!("Harbour detail {i}"),
                    paragraphs: vec![text.into()],
                })
                .collect(),
        }
    }

    #[test]
    fn invented_names_and_numbers_are_caught() {
        let src = SourceIndex::new("The Harbour Board approved 3,500 berths in Bergen on Monday.");
        assert!(src
            .unsupported("The Harbour Board approved 3500 berths in Bergen.")
            .is_empty());
        assert_eq!(
            src.unsupported("Officials in Oslo approved 4,000 berths."),
            ["Oslo", "4,000"]
        );
        let squad = SourceIndex::new("The under-21 squad won.");
        assert!(
            squad.unsupported("Under-21 squad won").is_empty(),
            "case of a number word"
        );
    }

    #[test]
    fn structure_bold_and_length_are_checked_for_long_sources() {
        let src = SourceIndex::new("Harbour plan approved detail 0 1 2 words");
        let bold = draft("The **harbour** plan.", 3);
        let p = problems(&bold, &src, 1000, 300);
        assert!(p.iter().any(|x| x.contains("emphasis")), "{p:?}");
        assert!(p.iter().any(|x| x.contains("at least 300 words")), "{p:?}");
        let few = problems(&draft("The harbour plan.", 2), &src, 1000, 300);
        assert!(few.iter().any(|x| x.contains("3 sections")), "{few:?}");
        let short_source = problems(&draft("The harbour plan.", 1), &src, 120, 300);
        assert!(
            short_source.is_empty(),
            "a short source may give a short article: {short_source:?}"
        );
    }
}
