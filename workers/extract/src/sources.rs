//! Outlets a story cites as its sources: "according to reporting by Bloomberg", "According to
//! The Guardian's reporting", "RT reported", "told the BBC", "in an interview with Der Spiegel",
//! "later confirmed ... on Russian state television". Known outlets (the [`crate::outlets`]
//! table) are recognised whatever the tagger made of them, and typed ORG; other organisations
//! count only in the unmistakable patterns ("reporting by X", "X reported").

use crate::doc::{Doc, RawMention};
use crate::gazetteer::{Gazetteer, PlaceKind};
use crate::outlets::Outlets;
use copydesk_types::EntityKind;

/// Phrases that end just before a cited outlet; `true` when any organisation qualifies, `false`
/// when only a known outlet does (the phrase alone does not make a news source).
const BEFORE: &[(&str, bool)] = &[
    ("reporting by", true),
    ("report by", true),
    ("reports by", true),
    ("reported by", true),
    ("report in", true),
    ("report from", true),
    ("reports in", true),
    ("interview with", true),
    ("interview on", true),
    ("broadcast by", true),
    ("first reported by", true),
    ("published by", true),
    ("published in", true),
    ("obtained by", true),
    ("seen by", true),
    ("reviewed by", true),
    ("according to", false),
    ("told", false),
    ("speaking to", false),
    ("spoke to", false),
    ("speaking on", false),
    ("said on", false),
    ("appeared on", false),
    ("confirmed to", false),
    ("on", false),
    ("cited by", false),
    ("quoted by", false),
    ("wrote in", false),
    ("writing in", false),
    ("op-ed in", false),
    ("to", false),
    ("in", false),
    ("by", false),
];
/// Words just after a cited outlet ("RT reported", "The Guardian's reporting").
const AFTER: &[&str] = &[
    "reported",
    "reports",
    "reporting",
    "report",
    "revealed",
    "first",
    "published",
    "cited",
    "quoted",
    "broke",
    "wrote",
    "has",
    "said",
    "says",
    "confirmed",
];
/// Broadcast words of a descriptor outlet ("Russian state television").
const BROADCAST: &[&str] = &["television", "tv", "media", "broadcaster", "radio", "news"];

fn lower(doc: &Doc, i: usize) -> String {
    if i < doc.tokens.len() {
        doc.key(i, i + 1)
    } else {
        String::new()
    }
}

/// Type known outlets as ORG and add the ones the tagger missed, before grouping. An outlet
/// name that is also the surname of a person the story names stays a person.
pub fn mark_outlets(doc: &mut Doc, gaz: &Gazetteer) {
    let surnames: Vec<String> = doc
        .mentions
        .iter()
        .filter(|m| m.kind == EntityKind::Person && m.last - m.first > 1)
        .map(|m| doc.key(m.last - 1, m.last))
        .collect();
    let mut added = Vec::new();
    for (si, &(a, b)) in doc.sentences.iter().enumerate() {
        let mut i = a;
        while i < b {
            let Some(len) = (1..=4.min(b - i)).rev().find(|&l| {
                let t = &doc.text[doc.tokens[i].start..doc.tokens[i + l - 1].end];
                t.starts_with(|c: char| c.is_uppercase())
                    && gaz
                        .lookup_any(t)
                        .is_some_and(|p| p.kind == PlaceKind::Outlet)
            }) else {
                i += 1;
                continue;
            };
            let (first, last) = (
                if i > a
                    && lower(doc, i - 1) == "the"
                    && doc.text[doc.tokens[i - 1].start..].starts_with('T')
                {
                    i - 1
                } else {
                    i
                },
                i + len,
            );
            let key = doc.key(i, last);
            let covering: Vec<usize> = (0..doc.mentions.len())
                .filter(|&k| doc.mentions[k].first < last && first < doc.mentions[k].last)
                .collect();
            if surnames.contains(&key)
                || covering
                    .iter()
                    .any(|&k| doc.mentions[k].last - doc.mentions[k].first > last - first)
            {
                i = last;
                continue;
            }
            for &k in &covering {
                doc.mentions[k].end = doc.mentions[k].start; // replaced by the outlet, removed below
            }
            let all_caps = len == 1
                && doc.key(i, last).len() >= 2
                && doc.text[doc.tokens[i].start..doc.tokens[i].end]
                    .chars()
                    .all(|c| c.is_uppercase());
            if !covering.is_empty() || len > 1 || all_caps || cites_around(doc, first, last, true) {
                added.push(RawMention {
                    start: doc.tokens[first].start,
                    end: doc.tokens[last - 1].end,
                    first,
                    last,
                    kind: EntityKind::Org,
                    sentence: si,
                });
            }
            i = last;
        }
    }
    doc.mentions.retain(|m| m.end > m.start);
    doc.mentions.extend(added);
    doc.mentions.sort_by_key(|m| m.start);
}

/// True when tokens `first..last` sit in a citing context.
fn cites_around(doc: &Doc, first: usize, last: usize, known: bool) -> bool {
    let sent = doc
        .sentences
        .iter()
        .find(|(a, b)| *a <= first && first < *b)
        .copied()
        .unwrap_or((0, doc.tokens.len()));
    let mut s = first;
    if s > sent.0 && lower(doc, s - 1) == "the" {
        s -= 1;
    }
    let before: Vec<String> = (s.saturating_sub(4).max(sent.0)..s)
        .map(|i| lower(doc, i))
        .collect();
    let joined = before.join(" ");
    let by_before = BEFORE
        .iter()
        .any(|(p, any)| (known || *any) && (joined == *p || joined.ends_with(&format!(" {p}"))));
    let mut next = last;
    if matches!(lower(doc, next).as_str(), "'s" | "’s") {
        next += 1;
    }
    let after = lower(doc, next);
    let by_after = if known {
        AFTER.contains(&after.as_str())
    } else {
        matches!(
            after.as_str(),
            "reported" | "reports" | "first" | "reporting"
        )
    };
    by_before || by_after
}

/// Cited outlets: `(byte start, byte end, name, mention)` in text order, each name once. The
/// name is the outlet table's ("The Guardian") for known outlets, else the text's.
pub fn cited(doc: &Doc) -> Vec<(usize, usize, String, Option<usize>)> {
    let table = Outlets::embedded();
    let mut out: Vec<(usize, usize, String, Option<usize>)> = Vec::new();
    for (k, m) in doc
        .mentions
        .iter()
        .enumerate()
        .filter(|(_, m)| m.kind.is_name())
    {
        let text = doc.mention_text(m);
        let known = table.find(text);
        if m.kind == EntityKind::Person && known.is_none() {
            continue;
        }
        if cites_around(doc, m.first, m.last, known.is_some()) {
            let name = known.map_or_else(|| text.to_string(), |o| o.name.clone());
            out.push((m.start, m.end, name, Some(k)));
        }
    }
    // "on Russian state television", "told state broadcaster NRK"
    for (i, t) in doc.tokens.iter().enumerate() {
        if lower(doc, i) != "state"
            || !BROADCAST.contains(&lower(doc, i + 1).as_str())
            || doc
                .mentions
                .iter()
                .any(|m| m.first <= i + 2 && i + 2 < m.last)
        {
            continue;
        }
        let mut first = i;
        if i > 0
            && doc.text[doc.tokens[i - 1].start..doc.tokens[i - 1].end]
                .starts_with(char::is_uppercase)
        {
            first = i - 1;
        }
        if cites_around(doc, first, i + 2, true) {
            let end = doc.tokens[i + 1].end;
            let start = if first < i {
                doc.tokens[first].start
            } else {
                t.start
            };
            out.push((start, end, doc.text[start..end].to_string(), None));
        }
    }
    out.sort_by_key(|c| c.0);
    let mut seen: Vec<String> = Vec::new();
    out.retain(|c| {
        let fresh = !seen.contains(&c.2);
        seen.push(c.2.clone());
        fresh
    });
    out
}
