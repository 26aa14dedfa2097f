//! Brown word clusters from outside the training data (`model/brown-<lang>.bin`, written by
//! `tools/make_brown.py` from the `spacy-lookups-data` package): for German, the cluster of the
//! 500,000 most probable words, case as written, so a name the training split never had
//! ("Scholz", "Wolfsburg") still shares a cluster with names used alike.
//!
//! The file is read in place (no table is built): the magic, a u32 count, the FNV-1a hashes of
//! the words sorted ascending (u32), then each hash's path (u16, a leading 1 bit then the
//! branches). A lookup is a binary search; a word not in the file has no cluster.

use std::borrow::Cow;

const MAGIC: &[u8; 8] = b"CDBROWN1";
const KINDS_MAGIC: &[u8; 8] = b"CDKINDS1";

/// Word kinds (bits of a kinds file's values): a form of a common noun.
pub const KIND_NOUN: u32 = 1;
/// A form of a place name.
pub const KIND_PLACE: u32 = 2;
/// A form of a given name.
pub const KIND_GIVEN: u32 = 4;
/// A form of a surname.
pub const KIND_SURNAME: u32 = 8;
/// A form of another proper name.
pub const KIND_PROPER: u32 = 16;

/// A cluster file, read in place.
pub struct Brown {
    bytes: Cow<'static, [u8]>,
    count: usize,
}

impl Brown {
    /// Check and wrap the file's bytes; `None` when they are not a cluster file of this version.
    pub fn parse(bytes: Cow<'static, [u8]>) -> Option<Brown> {
        Brown::parse_as(bytes, MAGIC)
    }

    /// A word-kinds file (`model/kinds-<lang>.bin`, written by `tools/make_kinds.py`): the same
    /// layout under its own magic, each lowercase word form's value the kinds of noun it is a
    /// form of ([`KIND_NOUN`] and the others), read with [`Brown::path`].
    pub fn parse_kinds(bytes: Cow<'static, [u8]>) -> Option<Brown> {
        Brown::parse_as(bytes, KINDS_MAGIC)
    }

    fn parse_as(bytes: Cow<'static, [u8]>, magic: &[u8; 8]) -> Option<Brown> {
        let b = bytes.as_ref();
        if b.len() < 12 || &b[..8] != magic {
            return None;
        }
        let count = u32::from_le_bytes([b[8], b[9], b[10], b[11]]) as usize;
        if b.len() != 12 + 6 * count {
            return None;
        }
        Some(Brown { bytes, count })
    }

    /// Words in the file.
    pub fn len(&self) -> usize {
        self.count
    }

    /// True when the file lists no word.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    fn hash_at(&self, i: usize) -> u32 {
        let b = &self.bytes[12 + 4 * i..16 + 4 * i];
        u32::from_le_bytes([b[0], b[1], b[2], b[3]])
    }

    /// The word's cluster path (leading 1 bit marking its length), 0 when it has none.
    pub fn path(&self, word: &str) -> u32 {
        let h = fnv1a32(word);
        let (mut lo, mut hi) = (0usize, self.count);
        while lo < hi {
            let mid = (lo + hi) / 2;
            match self.hash_at(mid).cmp(&h) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => {
                    let at = 12 + 4 * self.count + 2 * mid;
                    return u16::from_le_bytes([self.bytes[at], self.bytes[at + 1]]) as u32;
                }
            }
        }
        0
    }

    /// For a word with no path of its own, the paths of its head and of its first hyphen part
    /// (0 where none): the part after the last hyphen ("EU-Kommission" -> "Kommission") and the
    /// part before the first ("DLR" in "DLR-Forscher"); or, for a capitalised word without a
    /// hyphen, its longest listed tail of at least four letters after at least three, capitalised
    /// as a noun is ("Bundesforschungsministerium" -> "Ministerium"). German compounds are mostly
    /// common nouns, and their head says what kind. `buf` is scratch space.
    pub fn head(&self, word: &str, buf: &mut String) -> (u32, u32) {
        if let Some((a, rest)) = word.split_once('-') {
            let first = if a.is_empty() { 0 } else { self.path(a) };
            let last = rest.rsplit('-').next().unwrap_or(rest);
            let head = if last.is_empty() { 0 } else { self.path(last) };
            return (head, first);
        }
        if !word.starts_with(char::is_uppercase) {
            return (0, 0);
        }
        for (at, _) in word.char_indices().skip(3) {
            let tail = &word[at..];
            if tail.chars().count() < 4 {
                break;
            }
            buf.clear();
            let mut cs = tail.chars();
            if let Some(c) = cs.next() {
                buf.extend(c.to_uppercase());
                buf.push_str(cs.as_str());
            }
            let head = self.path(buf);
            if head != 0 {
                return (head, 0);
            }
        }
        (0, 0)
    }
}

/// FNV-1a, 32 bits, over the UTF-8 bytes (as `tools/make_brown.py` hashes).
pub fn fnv1a32(s: &str) -> u32 {
    s.bytes().fold(0x811c_9dc5u32, |h, b| {
        (h ^ b as u32).wrapping_mul(0x0100_0193)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(words: &[(&str, u16)]) -> Brown {
        Brown::parse(Cow::Owned(bytes(MAGIC, words))).expect("parses")
    }

    fn bytes(magic: &[u8; 8], words: &[(&str, u16)]) -> Vec<u8> {
        let mut rows: Vec<(u32, u16)> = words.iter().map(|(w, p)| (fnv1a32(w), *p)).collect();
        rows.sort();
        let mut b = magic.to_vec();
        b.extend((rows.len() as u32).to_le_bytes());
        rows.iter().for_each(|(h, _)| b.extend(h.to_le_bytes()));
        rows.iter().for_each(|(_, p)| b.extend(p.to_le_bytes()));
        b
    }

    #[test]
    fn a_kinds_file_reads_like_a_cluster_file_under_its_own_magic() {
        let words = [
            ("forschung", KIND_NOUN as u16),
            ("aachen", (KIND_PLACE | KIND_SURNAME) as u16),
        ];
        let kinds = Brown::parse_kinds(Cow::Owned(bytes(KINDS_MAGIC, &words))).expect("parses");
        assert_eq!(kinds.path("forschung"), KIND_NOUN);
        assert_eq!(kinds.path("aachen"), KIND_PLACE | KIND_SURNAME);
        assert_eq!(kinds.path("merkel"), 0);
        // Neither file passes for the other.
        assert!(Brown::parse(Cow::Owned(bytes(KINDS_MAGIC, &words))).is_none());
        assert!(Brown::parse_kinds(Cow::Owned(bytes(MAGIC, &words))).is_none());
    }

    #[test]
    fn fnv1a_matches_the_reference_values() {
        assert_eq!(fnv1a32(""), 0x811c_9dc5);
        assert_eq!(fnv1a32("a"), 0xe40c_292c);
        assert_eq!(fnv1a32("foobar"), 0xbf9c_f968);
    }

    #[test]
    fn words_are_found_by_binary_search_and_others_get_no_cluster() {
        let b = file(&[
            ("Merkel", 0b1000101),
            ("Berlin", 0b10000101),
            ("und", 0b110),
        ]);
        assert_eq!(b.len(), 3);
        assert_eq!(b.path("Merkel"), 0b1000101);
        assert_eq!(b.path("Berlin"), 0b10000101);
        assert_eq!(b.path("und"), 0b110);
        assert_eq!(b.path("merkel"), 0, "case as written");
        assert_eq!(b.path("Scholz"), 0);
    }

    #[test]
    fn compounds_and_hyphenated_words_get_their_heads_path() {
        let b = file(&[
            ("Ministerium", 0b101),
            ("Kommission", 0b110),
            ("EU", 0b111),
            ("Forscher", 0b1001),
        ]);
        let mut buf = String::new();
        assert_eq!(b.head("Bundesforschungsministerium", &mut buf), (0b101, 0));
        assert_eq!(b.head("EU-Kommission", &mut buf), (0b110, 0b111));
        assert_eq!(b.head("DLR-Forscher", &mut buf), (0b1001, 0));
        assert_eq!(b.head("Spezstroi", &mut buf), (0, 0), "no listed tail");
        assert_eq!(
            b.head("ministerium", &mut buf),
            (0, 0),
            "lowercase: not a noun"
        );
        assert_eq!(
            b.head("Uministerium", &mut buf),
            (0, 0),
            "the tail starts at the 4th letter"
        );
    }

    #[test]
    fn a_truncated_or_foreign_file_is_refused() {
        assert!(Brown::parse(Cow::Borrowed(b"CDBROWN1\x02\0\0\0")).is_none());
        assert!(Brown::parse(Cow::Borrowed(b"CDSUBW02\0\0\0\0")).is_none());
        assert!(Brown::parse(Cow::Borrowed(b"CDBROWN1\0\0\0\0")).is_some_and(|b| b.is_empty()));
    }
}
