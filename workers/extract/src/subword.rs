//! Subword-embedding clusters: a word's place in a binary tree of distributional clusters,
//! computed from its characters, so an inflected or never-seen name ("Sallalle", "Kiurun") gets a
//! cluster too, not only the words a table lists.
//!
//! The file (`model/subword-<lang>.bin`, written by `tools/make_subword.py`) holds a floret-style
//! table: rows shared by hashed character n-grams, learned from unlabeled web text, projected to
//! a few principal directions and quantised to `i8`; and a tree of split directions from
//! hierarchical 2-means. A word's vector is the mean of the rows of its padded form (`<word>`) and
//! of each of its `minn..=maxn`-character n-grams, each n-gram hashed with MurmurHash3 (x64,
//! 128-bit) into `hash_count` rows; walking the tree by the sign of the vector's dot product with
//! each node's direction gives the bit path, read like a Brown-cluster path.

use std::borrow::Cow;

const MAGIC: &[u8; 8] = b"CDSUBW02";

/// Leading coordinates the tagger reads, binned, beside the path.
pub const COORDS: usize = 64;

/// A loaded subword table and cluster tree.
pub struct Subword {
    buckets: u32,
    dims: usize,
    depth: u32,
    minn: usize,
    maxn: usize,
    hash_count: usize,
    seed: u32,
    bow: String,
    eow: String,
    table: Cow<'static, [u8]>,
    nodes: Vec<f32>,
    /// Per dimension: the int8 scale of the table.
    scale: Vec<f32>,
    /// Per dimension: the spread of the vocabulary's unit vectors.
    spread: Vec<f32>,
}

/// What [`Subword::read`] gives for one word.
#[derive(Clone, Copy, Default)]
pub struct WordVec {
    /// Cluster path with a leading 1 bit (0 for an empty word).
    pub path: u32,
    /// Bin of each leading coordinate: 0..=4 for z < -1.5, < -0.5, <= 0.5, <= 1.5, above.
    pub bins: Bins,
}

/// Bins of the leading coordinates (2, the middle bin, when unknown).
#[derive(Clone, Copy)]
pub struct Bins(pub [u8; COORDS]);

impl Default for Bins {
    fn default() -> Bins {
        Bins([2; COORDS])
    }
}

impl Subword {
    /// Parse the file's bytes; `None` when they are not a subword file of this version.
    pub fn parse(bytes: Cow<'static, [u8]>) -> Option<Subword> {
        let b = bytes.as_ref();
        if b.len() < 40 || &b[..8] != MAGIC {
            return None;
        }
        let u = |i: usize| le_u32(&b[8 + 4 * i..12 + 4 * i]);
        let (buckets, dims, depth) = (u(0), u(1) as usize, u(2));
        let (minn, maxn, hash_count, seed) = (u(3) as usize, u(4) as usize, u(5) as usize, u(6));
        let (lb, le) = ((u(7) >> 8) as usize, (u(7) & 0xff) as usize);
        if dims == 0 || dims > 1024 || !(1..=20).contains(&depth) || !(1..=4).contains(&hash_count)
        {
            return None;
        }
        let mut at = 40;
        let bow = std::str::from_utf8(b.get(at..at + lb)?).ok()?.to_string();
        at += lb;
        let eow = std::str::from_utf8(b.get(at..at + le)?).ok()?.to_string();
        at += le;
        let table_len = buckets as usize * dims;
        let nodes_len = ((1usize << depth) - 1) * dims;
        if b.len() != at + table_len + 4 * nodes_len + 8 * dims {
            return None;
        }
        let floats = |from: usize, n: usize| -> Vec<f32> {
            b[from..from + 4 * n]
                .chunks_exact(4)
                .map(|c| f32::from_bits(le_u32(c)))
                .collect()
        };
        let nodes = floats(at + table_len, nodes_len);
        let scale = floats(at + table_len + 4 * nodes_len, dims);
        let spread = floats(at + table_len + 4 * nodes_len + 4 * dims, dims);
        let table = match bytes {
            Cow::Borrowed(s) => Cow::Borrowed(&s[at..at + table_len]),
            Cow::Owned(v) => Cow::Owned(v[at..at + table_len].to_vec()),
        };
        Some(Subword {
            buckets,
            dims,
            depth,
            minn,
            maxn,
            hash_count,
            seed,
            bow,
            eow,
            table,
            nodes,
            scale,
            spread,
        })
    }

    /// The word's cluster path with a leading 1 bit marking its length (as
    /// [`crate::lexicon::WordInfo::cluster`]); 0 for an empty word. `buf` and `acc` are scratch.
    pub fn path(&self, word: &str, buf: &mut String, acc: &mut Vec<i32>) -> u32 {
        self.read(word, buf, acc).path
    }

    /// The word's cluster path and binned leading coordinates.
    pub fn read(&self, word: &str, buf: &mut String, acc: &mut Vec<i32>) -> WordVec {
        let mut out = WordVec::default();
        if word.is_empty() {
            return out;
        }
        buf.clear();
        buf.push_str(&self.bow);
        buf.push_str(word);
        buf.push_str(&self.eow);
        acc.clear();
        acc.resize(self.dims, 0);
        let mut add = |gram: &[u8]| {
            let (lo, hi) = murmur3_x64_128(gram, self.seed);
            let parts = [lo as u32, (lo >> 32) as u32, hi as u32, (hi >> 32) as u32];
            for &p in &parts[..self.hash_count] {
                let row = (p % self.buckets) as usize * self.dims;
                for (a, &q) in acc.iter_mut().zip(&self.table[row..row + self.dims]) {
                    *a += q as i8 as i32;
                }
            }
        };
        let key = buf.as_bytes();
        add(key);
        // N-grams of whole characters (no allocation: each start's end found by walking n chars).
        for n in self.minn..=self.maxn {
            for (start, _) in buf.char_indices() {
                let end = match buf[start..].char_indices().nth(n) {
                    Some((off, _)) => start + off,
                    None if buf[start..].chars().count() == n => key.len(),
                    None => break,
                };
                add(&key[start..end]);
            }
        }
        // Neither the tree's signs nor the unit vector depend on the mean's divisor, so the sum
        // stands for the mean.
        let norm = acc
            .iter()
            .zip(&self.scale)
            .map(|(&a, &s)| (a as f32 * s) * (a as f32 * s))
            .sum::<f32>()
            .sqrt();
        if norm > 0.0 {
            for (d, bin) in out.bins.0.iter_mut().enumerate().take(self.dims) {
                let z = acc[d] as f32 * self.scale[d] / norm / self.spread[d];
                *bin = match z {
                    z if z < -1.5 => 0,
                    z if z < -0.5 => 1,
                    z if z <= 0.5 => 2,
                    z if z <= 1.5 => 3,
                    _ => 4,
                };
            }
        }
        let mut node = 1usize;
        let mut path = 1u32;
        while node < (1 << self.depth) {
            let w = &self.nodes[(node - 1) * self.dims..node * self.dims];
            let dot: f32 = acc.iter().zip(w).map(|(&a, &w)| a as f32 * w).sum();
            let bit = (dot > 0.0) as usize;
            path = path << 1 | bit as u32;
            node = 2 * node + bit;
        }
        out.path = path;
        out
    }
}

/// MurmurHash3_x64_128 (Austin Appleby's reference), as floret and spaCy use it: the two 64-bit
/// halves.
pub fn murmur3_x64_128(data: &[u8], seed: u32) -> (u64, u64) {
    const C1: u64 = 0x87c3_7b91_1142_53d5;
    const C2: u64 = 0x4cf5_ad43_2745_937f;
    let len = data.len();
    let mut h1 = seed as u64;
    let mut h2 = seed as u64;
    let blocks = len / 16;
    for i in 0..blocks {
        let k = &data[i * 16..i * 16 + 16];
        let mut k1 = le_u64(&k[..8]);
        let mut k2 = le_u64(&k[8..]);
        k1 = k1.wrapping_mul(C1).rotate_left(31).wrapping_mul(C2);
        h1 ^= k1;
        h1 = h1
            .rotate_left(27)
            .wrapping_add(h2)
            .wrapping_mul(5)
            .wrapping_add(0x52dc_e729);
        k2 = k2.wrapping_mul(C2).rotate_left(33).wrapping_mul(C1);
        h2 ^= k2;
        h2 = h2
            .rotate_left(31)
            .wrapping_add(h1)
            .wrapping_mul(5)
            .wrapping_add(0x3849_5ab5);
    }
    let tail = &data[blocks * 16..];
    let mut k1 = 0u64;
    let mut k2 = 0u64;
    for (i, &b) in tail.iter().enumerate() {
        if i < 8 {
            k1 |= (b as u64) << (8 * i);
        } else {
            k2 |= (b as u64) << (8 * (i - 8));
        }
    }
    if tail.len() > 8 {
        k2 = k2.wrapping_mul(C2).rotate_left(33).wrapping_mul(C1);
        h2 ^= k2;
    }
    if !tail.is_empty() {
        k1 = k1.wrapping_mul(C1).rotate_left(31).wrapping_mul(C2);
        h1 ^= k1;
    }
    h1 ^= len as u64;
    h2 ^= len as u64;
    h1 = h1.wrapping_add(h2);
    h2 = h2.wrapping_add(h1);
    h1 = fmix64(h1);
    h2 = fmix64(h2);
    h1 = h1.wrapping_add(h2);
    h2 = h2.wrapping_add(h1);
    (h1, h2)
}

/// A little-endian u32 from the first 4 bytes (callers pass exactly 4).
fn le_u32(b: &[u8]) -> u32 {
    b.iter()
        .take(4)
        .enumerate()
        .fold(0, |acc, (i, &x)| acc | (x as u32) << (8 * i))
}

/// A little-endian u64 from the first 8 bytes (callers pass exactly 8).
fn le_u64(b: &[u8]) -> u64 {
    b.iter()
        .take(8)
        .enumerate()
        .fold(0, |acc, (i, &x)| acc | (x as u64) << (8 * i))
}

fn fmix64(mut k: u64) -> u64 {
    k ^= k >> 33;
    k = k.wrapping_mul(0xff51_afd7_ed55_8ccd);
    k ^= k >> 33;
    k = k.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    k ^= k >> 33;
    k
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn murmur3_matches_the_reference_vectors() {
        // Values from the reference implementation (Python `mmh3.hash128(x, seed, True, False)`,
        // split into its low and high 64 bits).
        assert_eq!(murmur3_x64_128(b"", 0), (0, 0));
        let (lo, hi) = murmur3_x64_128(b"hello", 0);
        assert_eq!((lo, hi), (0xcbd8_a7b3_41bd_9b02, 0x5b1e_906a_48ae_1d19));
        // A seed and a 14-byte key (both tail words), as floret hashes an n-gram.
        assert_eq!(
            murmur3_x64_128("<Helsingissä>".as_bytes(), 2_166_136_261),
            (0xeb49_681e_742c_d0c5, 0x7e4e_9a7f_8c60_a15c)
        );
    }

    /// A tiny table written in the file format: 4 buckets, 2 dims, depth 1 (one node).
    fn tiny(node: [f32; 2]) -> Subword {
        let mut b = MAGIC.to_vec();
        for v in [4u32, 2, 1, 2, 3, 1, 7, 1 << 8 | 1] {
            b.extend(v.to_le_bytes());
        }
        b.extend(b"<>");
        b.extend([10u8, 0, 10, 0, 10, 0, 10, 0]); // every row (10, 0)
        for v in node {
            b.extend(v.to_le_bytes());
        }
        for v in [1.0f32, 1.0, 0.5, 0.5] {
            b.extend(v.to_le_bytes()); // scale, then spread
        }
        Subword::parse(Cow::Owned(b)).expect("parses")
    }

    #[test]
    fn a_word_walks_the_tree_by_the_sign_of_its_vector() {
        let (mut buf, mut acc) = (String::new(), Vec::new());
        assert_eq!(tiny([1.0, 0.0]).path("Sanna", &mut buf, &mut acc), 0b11);
        assert_eq!(tiny([-1.0, 0.0]).path("Sanna", &mut buf, &mut acc), 0b10);
        assert_eq!(tiny([1.0, 0.0]).path("", &mut buf, &mut acc), 0);
        // Multi-byte characters are n-grams of whole characters (no panic on a split).
        assert_eq!(tiny([1.0, 0.0]).path("Ääkkönen", &mut buf, &mut acc), 0b11);
        // The unit vector is (1, 0): 1 / 0.5 = 2 spreads above (bin 4), 0 in the middle bin.
        let v = tiny([1.0, 0.0]).read("Sanna", &mut buf, &mut acc);
        assert_eq!(&v.bins.0[..2], &[4, 2]);
    }

    #[test]
    fn a_truncated_or_foreign_file_is_refused() {
        assert!(Subword::parse(Cow::Borrowed(b"CDSUBW01")).is_none());
        assert!(Subword::parse(Cow::Borrowed(&[0u8; 64])).is_none());
    }
}
