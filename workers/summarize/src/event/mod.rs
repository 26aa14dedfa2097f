//! The event article: one article from several wire stories about the same event.
//!
//! [`summarize_event`] is a pure function of the event's current members. The lead comes from
//! the most informative copy; then the facts the other copies add, without repeats (near-
//! duplicate sentences across copies are taken once), each copy's facts attributed inline to
//! its source ("..., according to Reuters.", linked to the wire's story when it has an
//! address). Subheadings, links, focus keyphrase, meta description and JSON-LD follow the same
//! rules as a single story's article. The built-in writer is extractive: every sentence is a
//! sentence of a member, lightly edited (an attribution added, an orphaned "But" dropped).
//!
//! Updating an event is calling it again: when a story joins, the article is rewritten from
//! all members; of several versions of one story (same guid) only the latest counts; when a
//! member is killed, leave it out or pass the kill (a kill as a story's latest version takes
//! the story out) and what came from it is gone; when none is left, [`SummarizeError::EmptyEvent`]
//! says the article must be retracted. The slug comes from the earliest member, so it stays
//! put as stories join.
//!
//! Layout: `select` picks and orders the sentences, `attribution` names the sources.

mod attribution;
mod select;

use crate::article::{compose, Piece};
use crate::brief::fit_brief;
use crate::doc::Doc;
use crate::focus::{focus_candidates, meta_first, settle_focus};
use crate::lang::Lang;
use crate::links::{apply_links, candidate_links};
use crate::markup::{authors, json_ld_for, open_graph, LdMeta, Seo};
use crate::salience::{salient_terms, Term};
use crate::seo::{keywords, meta_description, seo_headline, slug, without_conjunction};
use crate::SummarizeError;
use attribution::attribute_run;
use copydesk_types::{Entities, Story, Summary};
use select::{select, Pick};
use std::collections::HashMap;

/// Engine name written into an event article's [`Summary::engine`].
pub const EVENT_ENGINE: &str = "builtin-extractive-event-v1";
/// Words an event article aims for (lead and body): about a screen and a half, the length of
/// a newsroom's round-up of the wires.
pub const EVENT_ARTICLE_WORDS: usize = 400;

/// One story of an event, with what extract found in it.
#[derive(Debug, Clone, Copy)]
pub struct EventMember<'a> {
    /// The story (its `source` names the wire inline; its `uri` becomes that name's link).
    pub story: &'a Story,
    /// Its entities (names for keywords and subheadings, cited outlets for links).
    pub entities: &'a Entities,
}

impl<'a> EventMember<'a> {
    /// A member from a story and its entities.
    pub fn new(story: &'a Story, entities: &'a Entities) -> Self {
        EventMember { story, entities }
    }
}

/// The name a member's facts are attributed to: its provider, else its dateline credit.
fn source_name(member: &EventMember<'_>, doc: &Doc) -> Option<String> {
    member
        .story
        .source
        .clone()
        .or_else(|| doc.credit.clone())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

/// Salient names over all members: a name's scores add up across copies.
fn merged_terms(docs: &[Doc], members: &[EventMember<'_>]) -> Vec<Term> {
    let mut merged: Vec<Term> = Vec::new();
    let mut at: HashMap<String, usize> = HashMap::new();
    for (doc, m) in docs.iter().zip(members) {
        for t in salient_terms(doc, m.entities) {
            match at.get(&t.name) {
                Some(&i) => merged[i].score += t.score,
                None => {
                    at.insert(t.name.clone(), merged.len());
                    merged.push(t);
                }
            }
        }
    }
    merged.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.name.cmp(&b.name))
    });
    merged
}

/// All copies as one document for the focus keyphrase and the meta description: the lead
/// copy's headline, the leading sentences of every copy (lead copy first), then the rest.
fn merged_doc(docs: &[Doc], lead: usize) -> Doc {
    let mut order: Vec<usize> = vec![lead];
    order.extend((0..docs.len()).filter(|&i| i != lead));
    let head = |d: &Doc| d.sentences.iter().take(3).cloned().collect::<Vec<_>>();
    let tail = |d: &Doc| d.sentences.iter().skip(3).cloned().collect::<Vec<_>>();
    let mut sentences = head(&docs[lead]);
    for &i in &order[1..] {
        sentences.extend(head(&docs[i]));
    }
    for &i in &order {
        sentences.extend(tail(&docs[i]));
    }
    Doc {
        headline: docs[lead].headline.clone(),
        words: sentences.iter().map(|s| s.words).sum(),
        sentences,
        lang: docs[lead].lang,
        credit: None,
        text_links: Vec::new(),
    }
}

/// The text of a pick, with an orphaned opening conjunction dropped.
fn pick_text(docs: &[Doc], p: Pick, previous: Option<Pick>) -> String {
    let doc = &docs[p.doc];
    let text = &doc.sentences[p.sentence].text;
    let follows = previous.is_some_and(|q| q.doc == p.doc && q.sentence + 1 == p.sentence);
    if follows {
        text.clone()
    } else {
        without_conjunction(doc.lang, text)
    }
}

/// Writes the event article from its members (see the module docs).
pub fn summarize_event(members: &[EventMember<'_>]) -> Result<Summary, SummarizeError> {
    // Versions of one story: only the latest counts, and a kill as the latest takes it out.
    let latest = |m: &EventMember<'_>| {
        !members.iter().any(|o| {
            o.story.guid == m.story.guid
                && (o.story.version > m.story.version
                    || (o.story.version == m.story.version && o.story.is_kill()))
        })
    };
    let usable: Vec<EventMember<'_>> = members
        .iter()
        .copied()
        .filter(|m| latest(m))
        .filter(|m| !m.story.is_kill() && m.story.body.iter().any(|p| !p.trim().is_empty()))
        .collect();
    if usable.is_empty() {
        return Err(SummarizeError::EmptyEvent {
            members: members.len(),
        });
    }
    let docs: Vec<Doc> = usable.iter().map(|m| Doc::from_story(m.story)).collect();
    let sel = select(&docs, EVENT_ARTICLE_WORDS);
    let lead_doc = &docs[sel.lead_doc];
    let lead_story = usable[sel.lead_doc].story;
    let lang: Lang = lead_doc.lang;
    let sources: Vec<Option<String>> = usable
        .iter()
        .zip(&docs)
        .map(|(m, d)| source_name(m, d))
        .collect();
    let mut distinct: Vec<&String> = sources.iter().flatten().collect();
    distinct.sort();
    distinct.dedup();
    let attribute = distinct.len() >= 2;

    let mut lead_texts: Vec<String> = sel
        .lead
        .iter()
        .map(|&p| pick_text(&docs, p, None))
        .collect();
    let mut lead_attributed = false;
    if let (true, Some(src)) = (attribute, &sources[sel.lead_doc]) {
        lead_attributed = attribute_run(lang, &mut lead_texts, src);
    }
    let lead = lead_texts.join(" ");

    // Body: runs of one copy's sentences, the first that can take it naming the source.
    let mut pieces: Vec<Piece> = Vec::new();
    let mut previous = sel.lead.last().copied();
    let mut run_start = 0;
    for (k, &p) in sel.body.iter().enumerate() {
        let s = &docs[p.doc].sentences[p.sentence];
        pieces.push(Piece {
            text: pick_text(&docs, p, previous),
            para: p.doc * 100_000 + s.para,
            source: p.doc,
            words: s.words,
            content: s.content.clone(),
        });
        previous = Some(p);
        let run_ends = sel.body.get(k + 1).is_none_or(|n| n.doc != p.doc);
        if run_ends {
            let named = p.doc != sel.lead_doc || !lead_attributed;
            if let (true, true, Some(src)) = (attribute, named, &sources[p.doc]) {
                let mut run: Vec<String> =
                    pieces[run_start..].iter().map(|x| x.text.clone()).collect();
                attribute_run(lang, &mut run, src);
                for (piece, text) in pieces[run_start..].iter_mut().zip(run) {
                    piece.text = text;
                }
            }
            run_start = pieces.len();
        }
    }

    let terms = merged_terms(&docs, &usable);
    let ranked: Vec<String> = sel
        .ranked
        .iter()
        .map(|&p| docs[p.doc].sentences[p.sentence].text.clone())
        .collect();
    let brief = fit_brief(ranked);
    let headline = seo_headline(lead_doc, lead_story, &brief);
    let merged = merged_doc(&docs, sel.lead_doc);
    let candidates = meta_first(&focus_candidates(&merged, &terms, &lead), |f| {
        meta_description(&merged, &brief, f)
    });
    let mut article = compose(lang, lead, &pieces, &terms, &candidates);
    let (focus, meta) = settle_focus(&candidates, &article, |f| {
        meta_description(&merged, &brief, f)
    });

    // Links: each wire's name to its story, then what the copies themselves link.
    let mut pairs: Vec<(String, String)> = Vec::new();
    for (m, src) in usable.iter().zip(&sources) {
        if let (Some(name), Some(uri)) =
            (src, m.story.uri.as_ref().filter(|u| u.starts_with("http")))
        {
            pairs.push((name.clone(), uri.clone()));
        }
    }
    for (m, d) in usable.iter().zip(&docs) {
        pairs.extend(candidate_links(m.story, m.entities, &d.text_links));
    }
    apply_links(&mut article, pairs);

    let earliest = usable
        .iter()
        .min_by(|a, b| {
            let t = |m: &EventMember<'_>| m.story.first_created.or(m.story.version_created);
            t(a).cmp(&t(b))
                .then_with(|| a.story.guid.cmp(&b.story.guid))
        })
        .map_or(lead_story, |m| m.story);
    let keywords = keywords(&terms, lead_story);
    let seo = Seo {
        headline: &headline,
        description: &meta,
        keywords: &keywords,
        word_count: article.word_count(),
    };
    let ld = LdMeta {
        identifier: format!("event:{}", earliest.guid),
        page: Some(format!("urn:copydesk:event:{}", earliest.guid)),
        published: usable
            .iter()
            .filter_map(|m| m.story.first_created.or(m.story.version_created))
            .min()
            .map(|t| t.to_rfc3339()),
        modified: usable
            .iter()
            .filter_map(|m| m.story.version_created.or(m.story.first_created))
            .max()
            .map(|t| t.to_rfc3339()),
        language: lead_story.language.clone(),
        authors: {
            let mut all: Vec<serde_json::Value> = Vec::new();
            for a in usable
                .iter()
                .filter_map(|m| m.story.byline.as_deref())
                .flat_map(authors)
            {
                if !all.contains(&a) {
                    all.push(a);
                }
            }
            all
        },
        publisher: (distinct.len() == 1).then(|| distinct[0].clone()),
        image: usable.iter().find_map(|m| m.story.image.clone()),
        based_on: usable
            .iter()
            .map(|m| m.story.uri.clone().unwrap_or_else(|| m.story.guid.clone()))
            .collect(),
    };
    let json_ld = json_ld_for(&ld, &seo, &terms);
    let mut og = open_graph(lead_story, &seo);
    if let Some(t) = &ld.modified {
        og.insert("article:modified_time".into(), t.clone());
    }
    if let Some(t) = &ld.published {
        og.insert("article:published_time".into(), t.clone());
    }
    Ok(Summary {
        brief: brief.join(" "),
        slug: slug(lang, earliest, &[]),
        article,
        headline,
        meta_description: meta,
        keywords,
        json_ld,
        open_graph: og,
        engine: EVENT_ENGINE.to_string(),
        focus_keyphrase: focus,
    })
}
