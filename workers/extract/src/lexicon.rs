//! Word-level knowledge the tagger uses beside its weights, per language: how common a word is
//! in running text (a frequency bucket from `wordfreq`), whether it is a known given name or
//! surname (from Faker's and the US census name lists), and, for English, its distributional
//! word cluster learned from unlabeled news at `make train-ner` time. Unseen names lean on
//! these: a rare capitalised word after a known given name is a person, a frequent one is not.
//!
//! Files: `model/lexicon-<lang>.tsv` (`word  freq_bucket  flags`, built by
//! `tools/make_lexicon.py`) and `model/clusters-en.tsv` (`word  bit-path  caps_bucket`, written by
//! the trainer). Words are lowercase; lookups go by the same hash the features use.

use crate::hash::{hash_str, FxBuild};
use std::collections::HashMap;

/// Seed of the lowercase-word hash, shared with [`crate::features`].
pub const LOWER_SEED: u64 = 2;

/// What the lexicon knows about one lowercase word.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WordInfo {
    /// Zipf-like frequency bucket, 1 (rare) ..= 7 (very common); 0 when unknown.
    pub freq: u8,
    /// Bit 0: a given name; bit 1: a surname.
    pub flags: u8,
    /// Cluster bit-path, with a leading 1 bit marking its length; 0 when none.
    pub cluster: u32,
    /// How often the word is capitalised mid-sentence, 1 (never) ..= 5 (always); 0 unknown.
    pub caps: u8,
}

/// Lowercase-word hash -> [`WordInfo`], and the language's subword clusters when it has them.
#[derive(Default)]
pub struct Lexicon {
    words: HashMap<u64, WordInfo, FxBuild>,
    /// Clusters any word gets from its characters (`model/subword-<lang>.bin`).
    pub subword: Option<Box<crate::subword::Subword>>,
    /// Brown clusters of words as written, from outside the training data (`model/brown-<lang>.bin`).
    pub brown: Option<crate::brown::Brown>,
    /// Give a word with no cluster its compound tail's (de, nb, fi: "stortingsrepresentanten"
    /// -> "representanten"): the longest tail of at least four letters after at least three
    /// that has a cluster.
    pub compound_tails: bool,
    /// What kind of noun a lowercase word form is (`model/kinds-<lang>.bin`; German only): a
    /// common noun, a place, a given name, a surname, another proper name.
    pub kinds: Option<crate::brown::Brown>,
}

/// Flag bit of a given name.
pub const GIVEN: u8 = 1;
/// Flag bit of a surname.
pub const SURNAME: u8 = 2;

impl Lexicon {
    /// Parse a lexicon (`word  freq  flags`) and, optionally, a cluster file (`word  bits`);
    /// malformed lines are skipped.
    pub fn parse(lexicon: &str, clusters: Option<&str>) -> Lexicon {
        let mut words: HashMap<u64, WordInfo, FxBuild> =
            HashMap::with_capacity_and_hasher(lexicon.len() / 12, FxBuild);
        for line in lexicon.lines().filter(|l| !l.starts_with('#')) {
            let mut cols = line.split('\t');
            let (Some(w), Some(freq)) = (cols.next(), cols.next()) else {
                continue;
            };
            let flags = cols.next().unwrap_or("");
            let e = words.entry(hash_str(LOWER_SEED, w)).or_default();
            e.freq = freq.parse().unwrap_or(0);
            e.flags = (flags.contains('g') as u8 * GIVEN) | (flags.contains('s') as u8 * SURNAME);
        }
        for line in clusters
            .unwrap_or("")
            .lines()
            .filter(|l| !l.starts_with('#'))
        {
            let mut cols = line.split('\t');
            let (Some(w), Some(bits)) = (cols.next(), cols.next()) else {
                continue;
            };
            let caps = cols.next().and_then(|c| c.parse().ok()).unwrap_or(0);
            if bits.is_empty() || bits.len() > 30 || !bits.bytes().all(|b| b == b'0' || b == b'1') {
                continue;
            }
            let path = bits
                .bytes()
                .fold(1u32, |acc, b| acc << 1 | (b - b'0') as u32);
            let e = words.entry(hash_str(LOWER_SEED, w)).or_default();
            e.cluster = path;
            e.caps = caps;
        }
        Lexicon {
            words,
            subword: None,
            brown: None,
            compound_tails: false,
            kinds: None,
        }
    }

    /// What is known about the word whose lowercase hash is `lower`.
    #[inline]
    pub fn get(&self, lower: u64) -> WordInfo {
        self.words.get(&lower).copied().unwrap_or_default()
    }

    /// Number of words known.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }
}

/// The first `n` bits of a cluster path (the whole path when shorter), with its length marker.
#[inline]
pub fn cluster_prefix(path: u32, n: u32) -> u32 {
    if path == 0 {
        return 0;
    }
    let len = 31 - path.leading_zeros();
    if len <= n {
        path
    } else {
        path >> (len - n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lexicon_lines_and_cluster_paths_are_read() {
        let lex = Lexicon::parse(
            "# c\nanna\t3\tg\nthe\t7\t\nbad line\n",
            Some("anna\t0110\nthe\t1x\n"),
        );
        let anna = lex.get(hash_str(LOWER_SEED, "anna"));
        assert_eq!((anna.freq, anna.flags), (3, GIVEN));
        assert_eq!(anna.cluster, 0b10110);
        assert_eq!(cluster_prefix(anna.cluster, 2), 0b101);
        assert_eq!(
            lex.get(hash_str(LOWER_SEED, "the")).cluster,
            0,
            "a malformed path is skipped"
        );
        assert_eq!(lex.get(hash_str(LOWER_SEED, "zzz")), WordInfo::default());
    }
}
