//! The SEO article: a lead paragraph, then sections of story sentences in story order, each
//! under a subheading cut from the section's most central sentence (see `headings`).

use crate::brief::lead_candidates;
use crate::doc::{overlap, Doc};
use crate::headings::heading_for;
use crate::links::link_sources;
use crate::salience::Term;
use copydesk_types::{Article, Section, Story};

/// Below this many words the article is marked short; nothing is padded to reach it.
pub(crate) const FULL_ARTICLE_WORDS: usize = 300;
/// Sources up to this many words are used whole (minus repeats); longer ones are condensed.
const USE_WHOLE_UP_TO: usize = 900;
/// Words a section aims for; the count of sections follows from it (3 to 6).
const SECTION_WORDS: usize = 110;
/// Longest paragraph, in sentences, for reading on screens.
const PARAGRAPH_SENTENCES: usize = 3;

/// Openers that point back at a sentence the article may have dropped.
const DANGLING: &[&str] = &[
    "He ", "She ", "They ", "It ", "This ", "These ", "Those ", "His ", "Her ", "Their ", "Its ",
];
/// Connectives that can be dropped when the sentence they answer is not shown.
const CONNECTIVES: &[&str] = &["And ", "But ", "So ", "Also, ", "However, ", "Meanwhile, "];

/// Builds the article for a cleaned story.
pub(crate) fn build_article(
    doc: &Doc,
    terms: &[Term],
    story: &Story,
    sources: &[String],
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
    let groups = group_into_sections(doc, &body);
    let mut used_heads: Vec<String> = Vec::new();
    let mut sections = Vec::new();
    for group in &groups {
        let texts: Vec<String> = group.iter().map(|&i| edited(doc, &body, i)).collect();
        let heading = heading_for(&texts, terms, &used_heads);
        used_heads.push(heading.clone());
        sections.push(Section {
            heading,
            paragraphs: paragraphs(doc, group, &texts),
        });
    }
    let mut article = Article {
        lead,
        sections,
        short: false,
        links: Vec::new(),
    };
    link_sources(&mut article, story, sources);
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

/// Splits the body into 3-6 runs of sentences, cutting where paragraphs end and topics shift.
fn group_into_sections(doc: &Doc, body: &[usize]) -> Vec<Vec<usize>> {
    let total: usize = body.iter().map(|&i| doc.sentences[i].words).sum();
    let n = (total / SECTION_WORDS).clamp(3, 6).min(body.len());
    if n <= 1 {
        return if body.is_empty() {
            Vec::new()
        } else {
            vec![body.to_vec()]
        };
    }
    let mut prefix = vec![0usize];
    for &i in body {
        prefix.push(prefix.last().copied().unwrap_or(0) + doc.sentences[i].words);
    }
    let target = total as f32 / n as f32;
    let mut cuts = Vec::new();
    let mut last_cut = 0usize;
    for k in 1..n {
        let ideal = target * k as f32;
        let remaining_groups = n - k;
        let lo = last_cut + 1;
        let hi = body.len() - remaining_groups;
        let best = (lo..=hi)
            .map(|c| {
                let (a, b) = (&doc.sentences[body[c - 1]], &doc.sentences[body[c]]);
                let para_break = if a.para != b.para { 1.0 } else { 0.0 };
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
    for c in cuts.into_iter().chain(std::iter::once(body.len())) {
        groups.push(body[start..c].to_vec());
        start = c;
    }
    groups
}

/// Joins a section's sentences into paragraphs, following the story's own paragraphing.
fn paragraphs(doc: &Doc, group: &[usize], texts: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    let mut current_para = None;
    for (&i, text) in group.iter().zip(texts) {
        let para = doc.sentences[i].para;
        if current_para.is_some_and(|p| p != para) || current.len() >= PARAGRAPH_SENTENCES {
            out.push(current.join(" "));
            current.clear();
        }
        current.push(text);
        current_para = Some(para);
    }
    if !current.is_empty() {
        out.push(current.join(" "));
    }
    out
}
