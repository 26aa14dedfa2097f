//! From an analysed document to the [`Entities`] message: grouping, descriptors, quotes,
//! sources, salience, place links, and byte-to-char offset conversion.

use crate::alias::add_descriptor_mentions;
use crate::builtin::ENGINE_NAME;
use crate::doc::Doc;
use crate::gazetteer::Gazetteer;
use crate::group::{group, salience, Group};
use crate::lang::Lang;
use crate::models::Tagger;
use crate::quotes::{find_quotes, FoundQuote};
use crate::tagger::Scratch;
use copydesk_types::{Entities, Entity, EntityKind, Mention, Quote};

/// Everything found in a text, with byte offsets, before conversion to the message types.
pub struct Found<'t> {
    /// The document and its mentions.
    pub doc: Doc<'t>,
    /// Entity groups, most salient first.
    pub groups: Vec<Group>,
    /// Salience per group.
    pub salience: Vec<f32>,
    /// Group index of each mention.
    pub group_of: Vec<usize>,
    /// Quotes, in text order.
    pub quotes: Vec<FoundQuote>,
    /// Names of the outlets cited as sources, in text order.
    pub sources: Vec<String>,
    /// Place link per group.
    pub places: Vec<Option<(u64, String)>>,
}

/// Analyse `text`: tag, group, find descriptors, quotes and sources.
pub fn find<'t>(
    text: &'t str,
    tagger: Option<&Tagger>,
    gaz: &Gazetteer,
    lang: Lang,
    scratch: &mut Scratch,
) -> Found<'t> {
    let mut doc = Doc::analyse(text, tagger, gaz, lang, scratch);
    let (mut groups, _) = group(&doc);
    add_descriptor_mentions(&mut doc, &mut groups);
    let (headline_end, lead_end) = crate::group::headline_and_lead_end(text);
    let max = groups.iter().map(|g| g.members.len()).max().unwrap_or(1);
    let mut scored: Vec<(f32, usize, Group)> = groups
        .into_iter()
        .map(|g| {
            let first = g
                .members
                .iter()
                .map(|&m| doc.mentions[m].start)
                .min()
                .unwrap_or(0);
            (salience(&doc, &g, headline_end, lead_end, max), first, g)
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut group_of = vec![0; doc.mentions.len()];
    for (gi, (_, _, g)) in scored.iter().enumerate() {
        for &m in &g.members {
            group_of[m] = gi;
            doc.mentions[m].kind = g.kind;
        }
    }
    let places = scored
        .iter()
        .map(|(_, _, g)| link_place(&doc, g, gaz))
        .collect();
    let (salience, groups): (Vec<f32>, Vec<Group>) =
        scored.into_iter().map(|(s, _, g)| (s, g)).unzip();
    let mut mention_at = vec![None; doc.tokens.len()];
    for (i, m) in doc.mentions.iter().enumerate() {
        mention_at[m.first..m.last]
            .iter_mut()
            .for_each(|x| *x = Some(i));
    }
    let quotes = find_quotes(&doc, &mention_at);
    let sources = crate::sources::cited(&doc)
        .into_iter()
        .map(|c| c.2)
        .collect();
    Found {
        doc,
        groups,
        salience,
        group_of,
        quotes,
        sources,
        places,
    }
}

/// GeoNames id and country code for a place group, from its canonical name or any mention.
fn link_place(doc: &Doc, g: &Group, gaz: &Gazetteer) -> Option<(u64, String)> {
    if g.kind != EntityKind::Loc {
        return None;
    }
    std::iter::once(g.canonical)
        .chain(g.members.iter().copied())
        .find_map(|m| gaz.lookup(doc.mention_text(&doc.mentions[m])))
        .map(|p| (p.geonames_id, p.country_code.clone()))
        .filter(|p| p.0 != 0 || !p.1.is_empty())
}

/// Byte offset -> char offset, in one pass over the text when it is not ASCII.
pub struct CharOffsets {
    map: Option<Vec<u32>>,
}

impl CharOffsets {
    /// Build for `text`.
    pub fn new(text: &str) -> Self {
        if text.is_ascii() {
            return CharOffsets { map: None };
        }
        let mut map = vec![0u32; text.len() + 1];
        let mut n = 0u32;
        for (b, c) in text.char_indices() {
            map[b..b + c.len_utf8()].iter_mut().for_each(|x| *x = n);
            n += 1;
        }
        map[text.len()] = n;
        CharOffsets { map: Some(map) }
    }

    /// The char offset of byte offset `b` (a char boundary).
    pub fn get(&self, b: usize) -> usize {
        self.map.as_ref().map_or(b, |m| m[b] as usize)
    }
}

/// Convert what was found into the message type.
pub fn entities(text: &str, f: Found) -> Entities {
    let co = CharOffsets::new(text);
    let doc = &f.doc;
    let mut order: Vec<usize> = (0..doc.mentions.len()).collect();
    order.sort_by_key(|&m| (doc.mentions[m].start, doc.mentions[m].end));
    let mentions = order
        .iter()
        .map(|&m| {
            let rm = &doc.mentions[m];
            Mention {
                text: doc.mention_text(rm).to_string(),
                kind: rm.kind,
                start: co.get(rm.start),
                end: co.get(rm.end),
                entity: f.group_of[m],
            }
        })
        .collect();
    let entities = f
        .groups
        .iter()
        .zip(&f.salience)
        .zip(&f.places)
        .map(|((g, s), place)| Entity {
            canonical: canonical_text(doc, g),
            kind: g.kind,
            mentions: g.members.len(),
            salience: *s,
            geonames_id: place.as_ref().map(|p| p.0).filter(|id| *id != 0),
            country_code: place
                .as_ref()
                .map(|p| p.1.clone())
                .filter(|c| !c.is_empty()),
        })
        .collect();
    let quotes = f
        .quotes
        .iter()
        .map(|q| {
            let speaker_entity = q
                .speaker_mention
                .map(|m| f.group_of[m])
                .filter(|&g| matches!(f.groups[g].kind, EntityKind::Person | EntityKind::Org));
            let speaker = match (speaker_entity, q.speaker_span) {
                (Some(g), Some((s, e))) if is_pronoun(&text[s..e]) => {
                    Some(canonical_text(doc, &f.groups[g]))
                }
                (_, Some((s, e))) if is_pronoun(&text[s..e]) => None,
                (_, Some((s, e))) => Some(text[s..e].to_string()),
                _ => None,
            };
            Quote {
                text: text[q.start..q.end].to_string(),
                start: co.get(q.start),
                end: co.get(q.end),
                speaker,
                speaker_entity,
                cue: q.cue.clone(),
            }
        })
        .collect();
    Entities {
        mentions,
        entities,
        quotes,
        sources_cited: f.sources,
        cited: Vec::new(),
        engine: ENGINE_NAME.to_string(),
    }
}

fn is_pronoun(s: &str) -> bool {
    matches!(s.to_lowercase().as_str(), "he" | "she")
}

/// The canonical name: the canonical mention's text, without a possessive or leading "the".
fn canonical_text(doc: &Doc, g: &Group) -> String {
    let t = doc.mention_text(&doc.mentions[g.canonical]);
    t.to_string()
}
