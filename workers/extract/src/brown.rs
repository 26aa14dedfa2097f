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

/// A cluster file, read in place.
pub struct Brown {
    bytes: Cow<'static, [u8]>,
    count: usize,
}

impl Brown {
    /// Check and wrap the file's bytes; `None` when they are not a cluster file of this version.
    pub fn parse(bytes: Cow<'static, [u8]>) -> Option<Brown> {
        let b = bytes.as_ref();
        if b.len() < 12 || &b[..8] != MAGIC {
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
        let mut rows: Vec<(u32, u16)> = words.iter().map(|(w, p)| (fnv1a32(w), *p)).collect();
        rows.sort();
        let mut b = MAGIC.to_vec();
        b.extend((rows.len() as u32).to_le_bytes());
        rows.iter().for_each(|(h, _)| b.extend(h.to_le_bytes()));
        rows.iter().for_each(|(_, p)| b.extend(p.to_le_bytes()));
        Brown::parse(Cow::Owned(b)).expect("parses")
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
    fn a_truncated_or_foreign_file_is_refused() {
        assert!(Brown::parse(Cow::Borrowed(b"CDBROWN1\x02\0\0\0")).is_none());
        assert!(Brown::parse(Cow::Borrowed(b"CDSUBW02\0\0\0\0")).is_none());
        assert!(Brown::parse(Cow::Borrowed(b"CDBROWN1\0\0\0\0")).is_some_and(|b| b.is_empty()));
    }
}
