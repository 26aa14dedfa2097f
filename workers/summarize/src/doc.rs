//! A story prepared for selection: furniture removed, datelines cut, sentences split.

use crate::lang::Lang;
use crate::text::{
    content_words_in, is_furniture, split_sentences_in, strip_dateline_credit, strip_emphasis,
    word_count,
};
use crate::urls::{extract_links, FoundLink};
use copydesk_types::Story;

/// One sentence of the cleaned body.
#[derive(Debug, Clone)]
pub(crate) struct Sentence {
    /// Clean text, emphasis removed, whitespace normalised.
    pub text: String,
    /// Index of the body paragraph it came from, to keep paragraphing in the article.
    pub para: usize,
    /// Whitespace word count.
    pub words: usize,
    /// Sorted, deduplicated hashes of the topic words, for fast redundancy checks.
    pub content: Vec<u64>,
}

/// The cleaned story the engine works on.
#[derive(Debug, Clone)]
pub(crate) struct Doc {
    /// The story's headline, whitespace normalised (may be empty).
    pub headline: String,
    /// Body sentences in story order.
    pub sentences: Vec<Sentence>,
    /// Words in the cleaned body.
    pub words: usize,
    /// The story's language.
    pub lang: Lang,
    /// The agency credit cut from the dateline ("Copydesk" in "LISBON (Copydesk) —").
    pub credit: Option<String>,
    /// Links whose addresses the wire wrote into the text, now removed from it.
    pub text_links: Vec<FoundLink>,
}

/// Paragraphs in which a dateline is looked for.
const DATELINE_PARAGRAPHS: usize = 12;

fn normalise_space(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl Doc {
    /// Cleans and splits a story body.
    pub fn from_story(story: &Story) -> Doc {
        let sample = format!(
            "{} {}",
            story.headline,
            story
                .body
                .iter()
                .take(3)
                .cloned()
                .collect::<Vec<_>>()
                .join(" ")
        );
        let lang = Lang::resolve(story.language.as_deref(), &sample);
        let mut sentences = Vec::new();
        let mut credit = None;
        let head = normalise_space(&story.headline);
        let mut text_links = Vec::new();
        for (para, raw) in story.body.iter().enumerate() {
            let (text, found) = extract_links(&normalise_space(&strip_emphasis(raw)));
            // Furniture, and the headline repeated as a paragraph (dpa puts it in the body).
            if text.is_empty() || is_furniture(&text) || (!head.is_empty() && text == head) {
                continue;
            }
            text_links.extend(found);
            // The dateline opens the lead, which may follow kicker lines, the headline and a
            // teaser (dpa): it is looked for until one is found, in the first paragraphs.
            let text = if credit.is_some() || para >= DATELINE_PARAGRAPHS {
                text
            } else {
                let text = match text.strip_prefix(head.as_str()) {
                    Some(rest) if !head.is_empty() && rest.starts_with(' ') => {
                        rest.trim().to_string()
                    }
                    _ => text,
                };
                let (text, tag) = strip_dateline_credit(&text, story.dateline.as_deref());
                credit = tag;
                text
            };
            for s in join_open_quotes(split_sentences_in(lang, &text)) {
                let words = word_count(&s);
                let mut content: Vec<u64> = content_words_in(lang, &s)
                    .iter()
                    .map(|w| word_hash(w))
                    .collect();
                content.sort_unstable();
                content.dedup();
                sentences.push(Sentence {
                    text: s,
                    para,
                    words,
                    content,
                });
            }
        }
        let words = sentences.iter().map(|s| s.words).sum();
        // Ingest may have moved the dateline out of the body: its credit counts all the same.
        if credit.is_none() {
            credit = story
                .dateline
                .as_deref()
                .and_then(|d| strip_dateline_credit(&format!("{d} x"), None).1);
        }
        Doc {
            headline: normalise_space(&story.headline),
            sentences,
            words,
            lang,
            credit,
            text_links,
        }
    }

    /// The body paragraphs of a plain text: blank-line separated, or one per line when the
    /// text has no blank lines but many lines.
    pub fn paragraphs_of(text: &str) -> Vec<String> {
        let blocks: Vec<String> = text
            .split("\n\n")
            .map(normalise_space)
            .filter(|p| !p.is_empty())
            .collect();
        if blocks.len() > 1 {
            return blocks;
        }
        text.lines()
            .map(normalise_space)
            .filter(|p| !p.is_empty())
            .collect()
    }
}

/// Sentences of one quotation stay one unit: a sentence that opens a quote it does not close
/// is joined with those that follow until the quote closes (at most three), so no quote is
/// ever printed half.
fn join_open_quotes(sentences: Vec<String>) -> Vec<String> {
    let open = |s: &str| {
        s.matches('"').count() % 2 == 1
            || s.matches('“').count() > s.matches('”').count()
            || s.matches('«').count() > s.matches('»').count()
            || s.matches('„').count() > s.matches('“').count()
    };
    let mut out: Vec<String> = Vec::with_capacity(sentences.len());
    let mut joining = 0usize;
    for s in sentences {
        match out.last_mut() {
            Some(last) if joining > 0 && joining < 4 => {
                last.push(' ');
                last.push_str(&s);
                joining = if open(last) { joining + 1 } else { 0 };
            }
            _ => {
                joining = usize::from(open(&s));
                out.push(s);
            }
        }
    }
    out
}

/// FNV-1a: a cheap, stable hash so that overlap compares integers, not strings.
pub(crate) fn word_hash(word: &str) -> u64 {
    word.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Share of the smaller sentence's topic words that the other also has (0..1).
pub(crate) fn overlap(a: &[u64], b: &[u64]) -> f32 {
    let smaller = a.len().min(b.len());
    if smaller == 0 {
        return 0.0;
    }
    let (mut i, mut j, mut shared) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                shared += 1;
                i += 1;
                j += 1;
            }
        }
    }
    shared as f32 / smaller as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn furniture_is_dropped_and_the_dateline_cut_from_the_first_paragraph_only() {
        let story = Story::new(
            "g",
            "Head",
            vec![
                "By Jane Doe".into(),
                "PARIS (AFP) - The  museum reopened. Crowds queued.".into(),
                "PARIS (AFP) - a phrase quoted later.".into(),
            ],
        );
        let doc = Doc::from_story(&story);
        let texts: Vec<&str> = doc.sentences.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(texts[0], "The museum reopened.");
        assert_eq!(texts[1], "Crowds queued.");
        assert!(texts[2].starts_with("PARIS (AFP)"));
        assert_eq!(doc.sentences[0].para, 1);
    }

    #[test]
    fn a_quotation_of_several_sentences_stays_one_unit() {
        let story = Story::new(
            "g",
            "h",
            vec![
                "\"We will rebuild. It will take a year,\" the mayor said. Work starts soon."
                    .into(),
            ],
        );
        let texts: Vec<String> = Doc::from_story(&story)
            .sentences
            .into_iter()
            .map(|s| s.text)
            .collect();
        assert_eq!(
            texts,
            [
                "\"We will rebuild. It will take a year,\" the mayor said.",
                "Work starts soon."
            ]
        );
    }

    #[test]
    fn a_headline_repeated_before_the_dateline_is_cut_with_it() {
        let story = Story::new(
            "g",
            "Raser drohen härtere Strafen",
            vec![
                "Verkehr".into(),
                "Raser drohen härtere Strafen Berlin (dpa) - Der Bundestag hat ein Gesetz beschlossen.".into(),
            ],
        );
        let doc = Doc::from_story(&story);
        assert_eq!(
            doc.sentences[1].text,
            "Der Bundestag hat ein Gesetz beschlossen."
        );
        assert_eq!(doc.credit.as_deref(), Some("dpa"));
    }

    #[test]
    fn the_credit_of_a_dateline_ingest_moved_out_is_still_known() {
        let mut story = Story::new("g", "h", vec!["The council voted.".into()]);
        story.dateline = Some("GDANSK, Poland (Copydesk) —".into());
        assert_eq!(Doc::from_story(&story).credit.as_deref(), Some("Copydesk"));
    }

    #[test]
    fn overlap_is_measured_against_the_smaller_sentence() {
        let mut a: Vec<u64> = ["bank", "rates"].iter().map(|w| word_hash(w)).collect();
        let mut b: Vec<u64> = ["bank", "england", "rates", "rise"]
            .iter()
            .map(|w| word_hash(w))
            .collect();
        a.sort_unstable();
        b.sort_unstable();
        assert!((overlap(&a, &b) - 1.0).abs() < 1e-6);
        assert_eq!(overlap(&a, &[]), 0.0);
    }
}
