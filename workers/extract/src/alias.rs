//! Descriptors the text makes explicit: "US President Donald Trump" or "Donald Trump, the US
//! president," lets a later "the US president" (or "the president", when only one person holds
//! that role in the story) count as a mention of him.

use crate::doc::{Doc, RawMention};
use crate::group::{Group, ROLES};
use copydesk_types::EntityKind;

/// Longest descriptor, in tokens, before or after a name.
const MAX_DESCRIPTOR: usize = 5;

/// Find descriptor mentions and add them to the document and their groups.
pub fn add_descriptor_mentions(doc: &mut Doc, groups: &mut [Group]) {
    let mut descriptors: Vec<(Vec<String>, usize)> = Vec::new();
    for (gi, g) in groups
        .iter()
        .enumerate()
        .filter(|(_, g)| g.kind == EntityKind::Person)
    {
        for &m in &g.members {
            for d in [before(doc, &doc.mentions[m]), after(doc, &doc.mentions[m])]
                .into_iter()
                .flatten()
            {
                if !descriptors.iter().any(|(x, _)| *x == d) {
                    descriptors.push((d.clone(), gi));
                }
                // The bare role ("president") too; ambiguity is checked below.
                if d.len() > 1 {
                    let role = role_suffix(&d).unwrap_or_default();
                    descriptors.push((role, gi));
                }
            }
        }
    }
    let all = descriptors.clone();
    descriptors.retain(|(d, g)| !d.is_empty() && all.iter().all(|(x, h)| x != d || h == g));
    descriptors.sort();
    descriptors.dedup();
    if descriptors.is_empty() {
        return;
    }
    let words: Vec<String> = (0..doc.tokens.len()).map(|i| doc.key(i, i + 1)).collect();
    let mut added = Vec::new();
    for (si, &(a, b)) in doc.sentences.iter().enumerate() {
        for i in a..b {
            if words[i] != "the" {
                continue;
            }
            // Longest descriptor first.
            let hit = descriptors
                .iter()
                .filter(|(d, _)| i + 1 + d.len() <= b && words[i + 1..i + 1 + d.len()] == d[..])
                .max_by_key(|(d, _)| d.len());
            if let Some((d, g)) = hit {
                let (first, last) = (i, i + 1 + d.len());
                // Names inside the descriptor ("Russian") stay; anything crossing it wins.
                let crosses = |m: &RawMention| {
                    m.first < last
                        && first < m.last
                        && (m.first < first || m.last > last || m.kind == EntityKind::Person)
                };
                if doc.mentions.iter().chain(&added).any(crosses) {
                    continue;
                }
                added.push(RawMention {
                    start: doc.tokens[first].start,
                    end: doc.tokens[last - 1].end,
                    first,
                    last,
                    kind: EntityKind::Person,
                    sentence: si,
                });
                groups[*g]
                    .members
                    .push(doc.mentions.len() + added.len() - 1);
            }
        }
    }
    doc.mentions.extend(added);
}

/// The role at the end of a descriptor ("us president" -> "president").
fn role_suffix(d: &[String]) -> Option<Vec<String>> {
    let joined = d.join(" ");
    ROLES
        .iter()
        .filter(|r| joined == **r || joined.ends_with(&format!(" {r}")))
        .max_by_key(|r| r.len())
        .map(|r| r.split(' ').map(str::to_string).collect())
}

/// "US President Donald Trump": capitalised words ending in a role just before the name.
fn before(doc: &Doc, m: &RawMention) -> Option<Vec<String>> {
    let sent_start = doc.sentences[m.sentence].0;
    let mut first = m.first;
    while first > sent_start && m.first - first < MAX_DESCRIPTOR {
        let w = &doc.text[doc.tokens[first - 1].start..doc.tokens[first - 1].end];
        if !w.starts_with(char::is_uppercase) {
            break;
        }
        first -= 1;
    }
    (first..m.first).find_map(|s| {
        let d: Vec<String> = (s..m.first)
            .map(|i| doc.key(i, i + 1))
            .skip_while(|w| w == "the")
            .collect();
        role_suffix(&d).map(|_| d)
    })
}

/// "Donald Trump, the US president,": an appositive that ends in a role.
fn after(doc: &Doc, m: &RawMention) -> Option<Vec<String>> {
    let end = doc.sentences[m.sentence].1;
    let word = |i: usize| {
        if i < end {
            doc.key(i, i + 1)
        } else {
            String::new()
        }
    };
    if word(m.last) != "," || word(m.last + 1) != "the" {
        return None;
    }
    let start = m.last + 2;
    let stop = (start..end.min(start + MAX_DESCRIPTOR + 1))
        .find(|&i| matches!(word(i).as_str(), "," | "." | ";"))?;
    let d: Vec<String> = (start..stop).map(word).collect();
    role_suffix(&d).map(|_| d)
}
