//! The SEO article: a lead paragraph, then sections of story sentences in story order, each
//! under a subheading cut from the section's most central sentence (see `headings`).

use crate::brief::lead_candidates;
use crate::doc::{overlap, Doc};
use crate::focus::{has_phrase, SETTLE_CANDIDATES};
use crate::headings::{focus_heading, heading_for, HeadingContext};
use crate::lang::Lang;
use crate::links::link_sources;
use crate::salience::Term;
use copydesk_types::{Article, Entities, Section, Story};

/// Below this many words the article is marked short; nothing is padded to reach it.
pub(crate) const FULL_ARTICLE_WORDS: usize = 300;
/// Sources up to this many words are used whole (minus repeats); longer ones are condensed.
const USE_WHOLE_UP_TO: usize = 900;
/// Words a section aims for; the count of sections follows from it (2 to 6, or none).
const SECTION_WORDS: usize = 110;
/// Fewest sentences in a section: a section of one sentence is never made.
const SECTION_SENTENCES: usize = 2;
/// Printed paragraphs per section at least: a story of four short paragraphs gets no
/// subheadings, and no subheading stands over a single paragraph's worth of text.
const SECTION_PARAGRAPHS: usize = 2;
/// Most sections.
const MAX_SECTIONS: usize = 6;
/// Longest paragraph, in sentences, for reading on screens.
const PARAGRAPH_SENTENCES: usize = 3;

/// Openers that point back at a sentence the article may have dropped.
const DANGLING: &[&str] = &[
    "He ", "She ", "They ", "It ", "This ", "These ", "Those ", "His ", "Her ", "Their ", "Its ",
];
/// Connectives that can be dropped when the sentence they answer is not shown.
const CONNECTIVES: &[&str] = &["And ", "But ", "So ", "Also, ", "However, ", "Meanwhile, "];

/// One body sentence as the article prints it, with what sectioning needs to know.
#[derive(Debug, Clone)]
pub(crate) struct Piece {
    /// The sentence as printed.
    pub text: String,
    /// A key for the source paragraph: sentences of one paragraph stay together.
    pub para: usize,
    /// Which story it comes from (0 for a single story): a section prefers to end where the
    /// source changes.
    pub source: usize,
    /// Word count.
    pub words: usize,
    /// Topic-word hashes (see `Doc`), for topic shifts between sentences.
    pub content: Vec<u64>,
}

/// Builds the article for a cleaned story: lead, body, sections, subheadings and links.
pub(crate) fn build_article(
    doc: &Doc,
    terms: &[Term],
    story: &Story,
    entities: &Entities,
    focus: &[String],
) -> Article {
    let lead_idx = lead_indices(doc);
    let Some(&first) = lead_idx.first() else {
        return Article {
            lead: doc.headline.clone(),
            sections: Vec::new(),
            short: true,
            links: Vec::new(),
        };
    };
    let lead = lead_idx
        .iter()
        .map(|&i| doc.sentences[i].text.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let body = select_body(doc, terms, &lead_idx, first);
    let pieces: Vec<Piece> = body
        .iter()
        .map(|&i| Piece {
            text: edited(doc, &body, i),
            para: doc.sentences[i].para,
            source: 0,
            words: doc.sentences[i].words,
            content: doc.sentences[i].content.clone(),
        })
        .collect();
    let mut article = compose(doc.lang, lead, &pieces, terms, focus);
    link_sources(&mut article, story, entities, &doc.text_links);
    article
}

/// Lead and body sentences into an article: sections with subheadings when the body is long
/// enough for them, else one untitled section. `short` is set; links are left to the caller.
///
/// `focus` holds the focus keyphrase candidates, best first: until one subheading carries one of
/// them, each section is asked to carry the best candidate its text contains.
pub(crate) fn compose(
    lang: Lang,
    lead: String,
    pieces: &[Piece],
    terms: &[Term],
    focus: &[String],
) -> Article {
    let groups = group_into_sections(pieces);
    let mut used_heads: Vec<String> = Vec::new();
    let mut sections = Vec::new();
    let mut focus_pending = !focus.is_empty();
    let titled = groups.len() >= 2;
    for group in &groups {
        let texts: Vec<String> = group.iter().map(|&i| pieces[i].text.clone()).collect();
        let heading = if titled {
            let joined = texts.join(" ");
            let wants_focus = focus
                .iter()
                .take(SETTLE_CANDIDATES)
                .filter(|_| focus_pending)
                .find(|f| has_phrase(&joined, f))
                .map(String::as_str);
            let cx = HeadingContext {
                lang,
                terms,
                used: &used_heads,
                focus: wants_focus,
            };
            let heading = heading_for(&texts, &cx);
            if focus
                .iter()
                .take(SETTLE_CANDIDATES)
                .any(|f| has_phrase(&heading, f))
            {
                focus_pending = false;
            }
            used_heads.push(heading.clone());
            heading
        } else {
            String::new()
        };
        sections.push(Section {
            heading,
            paragraphs: paragraphs(pieces, group),
        });
    }
    // No subheading carries a focus candidate: the section that mentions the best candidate
    // most (the later one on a tie) gets a topic subheading around it.
    if titled && focus_pending {
        let section_texts: Vec<Vec<String>> = groups
            .iter()
            .map(|g| g.iter().map(|&i| pieces[i].text.clone()).collect())
            .collect();
        'candidates: for f in focus.iter().take(SETTLE_CANDIDATES) {
            let mut order: Vec<(usize, usize)> = section_texts
                .iter()
                .enumerate()
                .map(|(k, t)| (t.iter().filter(|s| has_phrase(s, f)).count(), k))
                .filter(|(n, _)| *n > 0)
                .collect();
            order.sort_by(|a, b| b.cmp(a));
            for (_, k) in order {
                let others: Vec<String> = sections
                    .iter()
                    .enumerate()
                    .filter(|(j, _)| *j != k)
                    .map(|(_, s)| s.heading.clone())
                    .collect();
                let cx = HeadingContext {
                    lang,
                    terms,
                    used: &others,
                    focus: Some(f),
                };
                if let Some(h) = focus_heading(&section_texts[k], f, &cx) {
                    sections[k].heading = h;
                    break 'candidates;
                }
            }
        }
    }
    let mut article = Article {
        lead,
        sections,
        short: false,
        links: Vec::new(),
    };
    article.short = article.word_count() < FULL_ARTICLE_WORDS || article.sections.len() < 3;
    article
}

/// The lead: the first real sentence, and the next one too when the first is brief.
fn lead_indices(doc: &Doc) -> Vec<usize> {
    let cands = lead_candidates(doc, 2);
    match cands.as_slice() {
        [a, b, ..] if doc.sentences[*a].words < 30 && *b == a + 1 => vec![*a, *b],
        [a, ..] => vec![*a],
        [] => Vec::new(),
    }
}

/// Body sentences after the lead, repeats removed, condensed to a budget for long sources.
fn select_body(doc: &Doc, terms: &[Term], lead: &[usize], first: usize) -> Vec<usize> {
    let mut pool: Vec<usize> = Vec::new();
    for i in first + 1..doc.sentences.len() {
        let s = &doc.sentences[i];
        if lead.contains(&i) || s.words < 4 {
            continue;
        }
        let repeats = lead.iter().chain(pool.iter()).any(|&j| {
            let o = &doc.sentences[j];
            o.content.len() >= 4 && s.content.len() >= 4 && overlap(&o.content, &s.content) > 0.6
        });
        if !repeats {
            pool.push(i);
        }
    }
    if doc.words <= USE_WHOLE_UP_TO {
        return pool;
    }
    let budget = (doc.words * 45 / 100).clamp(400, USE_WHOLE_UP_TO);
    let top_terms: Vec<&str> = terms.iter().take(10).map(|t| t.name.as_str()).collect();
    let mut ranked: Vec<(f32, usize)> = pool
        .iter()
        .map(|&i| {
            let text = &doc.sentences[i].text;
            let hits = top_terms.iter().filter(|t| text.contains(*t)).count() as f32;
            (1.0 / (1.0 + i as f32 / 8.0) + 0.15 * hits, i)
        })
        .collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut chosen: Vec<usize> = Vec::new();
    let mut words = 0;
    for (_, i) in ranked {
        if words >= budget {
            break;
        }
        chosen.push(i);
        words += doc.sentences[i].words;
        // A sentence that opens with "He" or "This" needs the one before it.
        if DANGLING
            .iter()
            .any(|d| doc.sentences[i].text.starts_with(d))
            && i > 0
            && pool.contains(&(i - 1))
            && !chosen.contains(&(i - 1))
        {
            chosen.push(i - 1);
            words += doc.sentences[i - 1].words;
        }
    }
    chosen.sort_unstable();
    chosen
}

/// A sentence as the article prints it: a connective is dropped when what it answers is not shown.
fn edited(doc: &Doc, body: &[usize], i: usize) -> String {
    let text = &doc.sentences[i].text;
    let previous_shown = i > 0 && body.contains(&(i - 1));
    if !previous_shown {
        if doc.lang != Lang::En {
            if let Some((first, rest)) = text.split_once(' ') {
                if crate::lang::is_conjunction(doc.lang, first) && !first.ends_with(',') {
                    let mut chars = rest.chars();
                    if let Some(f) = chars.next() {
                        return f.to_uppercase().chain(chars).collect();
                    }
                }
            }
        }
        for c in CONNECTIVES {
            if let Some(rest) = text.strip_prefix(c) {
                let mut chars = rest.chars();
                if let Some(f) = chars.next() {
                    return f.to_uppercase().chain(chars).collect();
                }
            }
        }
    }
    text.clone()
}

/// How many sections a body makes: one per [`SECTION_WORDS`] words, but never more than its
/// sentences or printed paragraphs allow ([`SECTION_SENTENCES`], [`SECTION_PARAGRAPHS`] each);
/// fewer than two means no subheadings at all.
pub(crate) fn section_count(pieces: &[Piece]) -> usize {
    let total: usize = pieces.iter().map(|p| p.words).sum();
    // Paragraphs as printed: the story's own, split every PARAGRAPH_SENTENCES sentences.
    let (mut printed, mut run, mut last) = (0usize, 0usize, None);
    for p in pieces {
        if last != Some(p.para) || run == PARAGRAPH_SENTENCES {
            printed += 1;
            run = 0;
        }
        run += 1;
        last = Some(p.para);
    }
    (total / SECTION_WORDS)
        .min(pieces.len() / SECTION_SENTENCES)
        .min(printed / SECTION_PARAGRAPHS)
        .min(MAX_SECTIONS)
}

/// Splits the body into runs of sentences, cutting where paragraphs end and topics shift; each
/// run has at least [`SECTION_SENTENCES`] sentences. One run when the body is too short for
/// sections (it is printed untitled).
fn group_into_sections(pieces: &[Piece]) -> Vec<Vec<usize>> {
    let all: Vec<usize> = (0..pieces.len()).collect();
    let n = section_count(pieces);
    if n < 2 {
        return if pieces.is_empty() {
            Vec::new()
        } else {
            vec![all]
        };
    }
    let total: usize = pieces.iter().map(|p| p.words).sum();
    let mut prefix = vec![0usize];
    for p in pieces {
        prefix.push(prefix.last().copied().unwrap_or(0) + p.words);
    }
    let target = total as f32 / n as f32;
    let mut cuts = Vec::new();
    let mut last_cut = 0usize;
    for k in 1..n {
        let ideal = target * k as f32;
        let remaining_groups = n - k;
        let lo = last_cut + SECTION_SENTENCES;
        let hi = pieces.len() - SECTION_SENTENCES * remaining_groups;
        let best = (lo..=hi.max(lo))
            .map(|c| {
                let (a, b) = (&pieces[c - 1], &pieces[c]);
                let para_break = if a.para != b.para { 1.0 } else { 0.0 };
                let para_break = if a.source != b.source {
                    para_break + 1.0
                } else {
                    para_break
                };
                let shift = 1.0 - overlap(&a.content, &b.content);
                let distance = (prefix[c] as f32 - ideal).abs() / target.max(1.0);
                (para_break + 0.5 * shift - 2.0 * distance, c)
            })
            .max_by(|x, y| x.0.total_cmp(&y.0))
            .map_or(lo, |(_, c)| c);
        cuts.push(best);
        last_cut = best;
    }
    let mut groups = Vec::new();
    let mut start = 0;
    for c in cuts.into_iter().chain(std::iter::once(pieces.len())) {
        groups.push(all[start..c].to_vec());
        start = c;
    }
    groups
}

/// Joins a section's sentences into paragraphs, following the story's own paragraphing.
fn paragraphs(pieces: &[Piece], group: &[usize]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    let mut current_para = None;
    for &i in group {
        let para = pieces[i].para;
        if current_para.is_some_and(|p| p != para) || current.len() >= PARAGRAPH_SENTENCES {
            out.push(current.join(" "));
            current.clear();
        }
        current.push(&pieces[i].text);
        current_para = Some(para);
    }
    if !current.is_empty() {
        out.push(current.join(" "));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pieces(paras: &[&[usize]]) -> Vec<Piece> {
        // paras[i] lists the word counts of paragraph i's sentences.
        let mut out = Vec::new();
        for (p, sentences) in paras.iter().enumerate() {
            for (k, &words) in sentences.iter().enumerate() {
                out.push(Piece {
                    text: format!("Sentence {k} of paragraph {p}."),
                    para: p,
                    source: 0,
                    words,
                    content: vec![(p * 10 + k) as u64],
                });
            }
        }
        out
    }

    #[test]
    fn when_no_clause_carries_the_focus_one_subheading_is_a_topic_heading_around_it() {
        let texts = [
            "The telecoms ministry published new rules for mobile operators on Monday.",
            "Mobile operators will have to share masts in rural areas.",
            "The ministry said mast sharing would cut prices for rural customers.",
            "Operators said the mast rules would cost them millions.",
            "Foreign investors will need approval to invest in India under the rules.",
            "Foreign investors have waited two years for the rules to be written.",
            "The approval process will take three months, the ministry said.",
            "Investors welcomed the clarity of the approval process.",
        ];
        let p: Vec<Piece> = texts
            .iter()
            .enumerate()
            .map(|(k, t)| Piece {
                text: t.to_string(),
                para: k / 2,
                source: 0,
                words: 40,
                content: vec![k as u64],
            })
            .collect();
        let focus = vec!["India".to_string()];
        let a = compose(Lang::En, "Lead.".into(), &p, &[], &focus);
        assert!(a.sections.len() >= 2, "{a:?}");
        let carried: Vec<&Section> = a
            .sections
            .iter()
            .filter(|s| has_phrase(&s.heading, "India"))
            .collect();
        assert_eq!(carried.len(), 1, "{:?}", a.sections);
        assert!(carried[0].paragraphs.iter().any(|t| t.contains("India")));
    }

    #[test]
    fn a_short_body_gets_one_untitled_section() {
        // A four-paragraph story: the lead and three body paragraphs.
        let p = pieces(&[&[40], &[45], &[50]]);
        assert_eq!(section_count(&p), 1);
        let a = compose(Lang::En, "Lead.".into(), &p, &[], &[]);
        assert_eq!(a.sections.len(), 1);
        assert!(a.sections[0].heading.is_empty(), "no subheading");
        assert_eq!(a.sections[0].paragraphs.len(), 3);
    }

    #[test]
    fn no_section_has_a_single_sentence() {
        let p = pieces(&[&[60], &[60], &[60], &[60], &[60], &[60], &[60]]);
        let groups = group_into_sections(&p);
        assert!(groups.len() >= 2, "{groups:?}");
        assert!(
            groups.iter().all(|g| g.len() >= SECTION_SENTENCES),
            "{groups:?}"
        );
        assert_eq!(groups.concat(), (0..p.len()).collect::<Vec<_>>());
    }
}
