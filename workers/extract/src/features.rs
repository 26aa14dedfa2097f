//! Feature extraction for the tagger. Each token gets a few dozen features (word, lowercase,
//! shapes, affixes, a two-token window, gazetteer membership, sentence position, an ALL-CAPS
//! sentence flag, and from the [`Lexicon`]: frequency bucket, given-name and surname flags, word
//! cluster prefixes), each a 64-bit hash of (template, values): nothing is stored as a string, so
//! training and tagging share one code path and tagging allocates almost nothing.

use crate::gazetteer::push_lower;
use crate::hash::{feature, Hasher};
use crate::lexicon::{cluster_prefix, Lexicon, LOWER_SEED};

/// Longest prefix and suffix used, in chars.
const AFFIX: usize = 6;

/// Per-token values the templates combine.
#[derive(Clone, Copy, Default)]
struct Tok {
    word: u64,
    lower: u64,
    shape: u64,
    short: u64,
    pre: [u64; AFFIX],
    suf: [u64; AFFIX],
    affixes: usize,
    len_bucket: u64,
    /// Frequency bucket of the lowercase form (0 unknown).
    freq: u64,
    /// Given-name / surname flags, of the word or of its stem (an inflected "Sallan").
    flags: u64,
    /// Cluster bit-path (0 none).
    cluster: u32,
    /// Mid-sentence capitalisation bucket (0 unknown).
    caps: u64,
    /// Subword-cluster bit-path (0 when the language has no subword table).
    sub: u32,
    /// Binned leading coordinates of the word's subword vector.
    sub_bins: crate::subword::Bins,
    /// Brown-cluster bit-path of the word as written (0 none or no table).
    brown: u32,
    /// Brown path of the word's head when the word itself has none: the longest listed tail of
    /// a compound ("Bundesforschungsministerium" -> "Ministerium") or the part after its last
    /// hyphen ("EU-Kommission" -> "Kommission").
    head: u32,
    /// Brown path of the part before the first hyphen ("DLR" in "DLR-Forscher"), 0 none.
    first: u32,
    /// Cluster and frequency bucket of the word's compound tail (see
    /// [`Lexicon::compound_tails`]; 0 none).
    tail: u32,
    tail_freq: u64,
    /// Kinds of noun the lowercase word is a form of (see [`crate::brown::KIND_NOUN`]), or, for
    /// a word not listed, those of its longest listed tail with [`KIND_FROM_TAIL`] added; 0
    /// none or no kinds table.
    kind: u64,
}

/// Marks a [`Tok::kind`] taken from the word's compound tail.
const KIND_FROM_TAIL: u64 = 64;

/// Reusable buffers, so a long run of sentences allocates once.
#[derive(Default)]
pub struct Featurizer {
    toks: Vec<Tok>,
    /// Character trigram hashes of capitalised words, all tokens in a row.
    grams: Vec<u64>,
    /// `gram_starts[i]..gram_starts[i + 1]` are token i's trigrams.
    gram_starts: Vec<usize>,
    lower: String,
    chars: Vec<char>,
    sub_buf: String,
    sub_acc: Vec<i32>,
}

/// Features of a cluster path: its prefixes (templates `base..base + n`), then its 8-bit prefix
/// with the word's shape, and the neighbours' prefixes (`around`: the previous and the next
/// word's 6- and 8-bit prefixes) beside the word's 6-bit prefix or its shape.
fn path_features(
    f: &mut impl FnMut(u64, u64, u64),
    base: u64,
    prefixes: &[u32],
    path: u32,
    short: u64,
    around: ((u64, u64), (u64, u64)),
) {
    for (k, &bits) in prefixes.iter().enumerate() {
        f(base + k as u64, cluster_prefix(path, bits) as u64, 0);
    }
    let (t, p6) = (base + prefixes.len() as u64, cluster_prefix(path, 6) as u64);
    let ((prev6, prev8), (next6, next8)) = around;
    f(t, cluster_prefix(path, 8) as u64, short);
    f(t + 1, prev6, p6);
    f(t + 2, p6, next6);
    f(t + 3, prev8, short);
    f(t + 4, short, next8);
}

/// Sentinel value hashes for positions before the start and after the end of a sentence.
const BOS: u64 = 0x1111_2222_3333_4444;
const EOS: u64 = 0x5555_6666_7777_8888;

impl Featurizer {
    /// Features of every token of one sentence, appended to `out`; `starts[i]..starts[i + 1]`
    /// are token i's. `gaz` is the per-token gazetteer mark from [`crate::gazetteer::Gazetteer::mark`].
    pub fn sentence(
        &mut self,
        words: &[&str],
        gaz: &[u8],
        lex: &Lexicon,
        out: &mut Vec<u64>,
        starts: &mut Vec<u32>,
    ) {
        out.clear();
        starts.clear();
        self.toks.clear();
        self.grams.clear();
        self.gram_starts.clear();
        for w in words {
            self.gram_starts.push(self.grams.len());
            let t = self.token(w, lex);
            self.toks.push(t);
            // Trigrams inside a capitalised word: unseen names share pieces with seen ones.
            if w.starts_with(char::is_uppercase) && self.chars.len() >= 4 {
                let padded: Vec<char> = std::iter::once('^')
                    .chain(self.chars.iter().copied())
                    .chain(std::iter::once('$'))
                    .collect();
                for win in padded.windows(3) {
                    let mut h = Hasher::new(30);
                    win.iter().for_each(|&c| h.char(c));
                    self.grams.push(h.finish());
                }
            }
        }
        self.gram_starts.push(self.grams.len());
        let letters = words
            .iter()
            .filter(|w| w.chars().any(char::is_alphabetic))
            .count();
        let caps = words
            .iter()
            .filter(|w| w.chars().any(char::is_alphabetic) && !w.chars().any(char::is_lowercase))
            .count();
        let all_caps = letters >= 2 && caps * 10 >= letters * 8;
        let n = words.len();
        let get = |i: isize| -> Option<&Tok> {
            if i < 0 {
                None
            } else {
                self.toks.get(i as usize)
            }
        };
        let lower_at = |i: isize| get(i).map_or(if i < 0 { BOS } else { EOS }, |t| t.lower);
        let short_at = |i: isize| get(i).map_or(if i < 0 { BOS } else { EOS }, |t| t.short);
        let gaz_at = |i: isize| {
            if i < 0 || i as usize >= n {
                99
            } else {
                gaz[i as usize] as u64
            }
        };
        let freq_at = |i: isize| get(i).map_or(99, |t| t.freq);
        let flags_at = |i: isize| get(i).map_or(99, |t| t.flags);
        let cl_at = |i: isize, b: u32| get(i).map_or(99, |t| cluster_prefix(t.cluster, b) as u64);
        let sub_at = |i: isize, b: u32| get(i).map_or(99, |t| cluster_prefix(t.sub, b) as u64);
        let brown_at = |i: isize, b: u32| get(i).map_or(99, |t| cluster_prefix(t.brown, b) as u64);
        let has_brown = lex.brown.is_some();
        let has_kinds = lex.kinds.is_some();
        let kind_at = |i: isize| get(i).map_or(99, |t| t.kind);
        // The last three letters of a neighbour: case endings and prepositions' forms ("-ssa",
        // "-lle", "-en") that say what kind of word follows or precedes.
        let suf3_at = |i: isize| {
            get(i).map_or(if i < 0 { BOS } else { EOS }, |t| {
                if t.affixes >= 3 {
                    t.suf[2]
                } else {
                    t.lower
                }
            })
        };
        for (i, t) in self.toks.iter().enumerate() {
            starts.push(out.len() as u32);
            let j = i as isize;
            let mut f = |tpl: u64, a: u64, b: u64| out.push(feature(tpl, a, b));
            f(0, 0, 0);
            f(1, t.word, 0);
            f(2, t.lower, 0);
            f(3, t.shape, 0);
            f(4, t.short, 0);
            for k in 0..t.affixes {
                f(40 + k as u64, t.pre[k], 0);
                f(50 + k as u64, t.suf[k], 0);
            }
            f(13, lower_at(j - 1), 0);
            f(14, lower_at(j + 1), 0);
            f(15, lower_at(j - 2), 0);
            f(16, lower_at(j + 2), 0);
            f(17, short_at(j - 1), 0);
            f(18, short_at(j + 1), 0);
            f(19, lower_at(j - 1), t.lower);
            f(20, t.lower, lower_at(j + 1));
            f(
                21,
                short_at(j - 1),
                t.short ^ short_at(j + 1).rotate_left(23),
            );
            f(22, gaz_at(j), 0);
            f(23, gaz_at(j - 1), gaz_at(j));
            f(24, gaz_at(j), gaz_at(j + 1));
            if i == 0 {
                f(25, t.short, 0);
            }
            if all_caps {
                f(26, 0, 0);
                f(27, t.lower, 0);
            }
            f(28, lower_at(j - 1), t.short);
            f(29, t.short, lower_at(j + 1));
            f(30, t.len_bucket, t.short);
            f(
                31,
                short_at(j - 2),
                short_at(j - 1) ^ t.short.rotate_left(7),
            );
            f(60, t.freq, t.short);
            f(61, freq_at(j - 1), t.short);
            f(62, t.short, freq_at(j + 1));
            f(63, t.flags, t.short);
            f(64, flags_at(j - 1), t.flags);
            f(65, t.flags, flags_at(j + 1));
            if t.cluster != 0 {
                for (k, bits) in [4u32, 8, 12, 16, 20].into_iter().enumerate() {
                    f(70 + k as u64, cluster_prefix(t.cluster, bits) as u64, 0);
                }
                f(76, t.cluster as u64, t.short);
            }
            if t.tail != 0 {
                for (k, bits) in [4u32, 8, 12].into_iter().enumerate() {
                    f(220 + k as u64, cluster_prefix(t.tail, bits) as u64, 0);
                }
                f(223, cluster_prefix(t.tail, 8) as u64, t.short);
                f(224, t.tail_freq, t.short);
            }
            f(77, cl_at(j - 1, 12), 0);
            f(78, cl_at(j + 1, 12), 0);
            f(79, cl_at(j - 1, 8), t.short);
            f(80, t.short, cl_at(j + 1, 8));
            f(81, cl_at(j - 2, 8), cl_at(j - 1, 8));
            if has_kinds {
                f(230, t.kind, 0);
                f(231, t.kind, t.short);
                f(232, kind_at(j - 1), t.kind);
                f(233, t.kind, kind_at(j + 1));
            }
            let caps_at = |i: isize| get(i).map_or(99, |t| t.caps);
            f(85, t.caps, t.short);
            f(86, caps_at(j - 1), t.caps);
            f(87, t.caps, caps_at(j + 1));
            f(82, suf3_at(j - 1), t.short);
            f(83, t.short, suf3_at(j + 1));
            for g in &self.grams[self.gram_starts[i]..self.gram_starts[i + 1]] {
                f(84, *g, 0);
            }
            if has_brown {
                // Brown clusters from outside the training data (0: the word is not listed).
                let around = (
                    (brown_at(j - 1, 6), brown_at(j - 1, 8)),
                    (brown_at(j + 1, 6), brown_at(j + 1, 8)),
                );
                path_features(
                    &mut f,
                    200,
                    &[4, 6, 8, 10, 12, 15],
                    t.brown,
                    t.short,
                    around,
                );
                if t.head != 0 {
                    for (k, bits) in [4u32, 8, 12].into_iter().enumerate() {
                        f(211 + k as u64, cluster_prefix(t.head, bits) as u64, 0);
                    }
                    f(214, cluster_prefix(t.head, 8) as u64, t.short);
                }
                if t.first != 0 {
                    f(215, cluster_prefix(t.first, 8) as u64, 0);
                    f(216, cluster_prefix(t.first, 12) as u64, t.short);
                }
            }
            if t.sub != 0 {
                // Subword clusters: every word has one, seen in training or not.
                let around = (
                    (sub_at(j - 1, 6), sub_at(j - 1, 8)),
                    (sub_at(j + 1, 6), sub_at(j + 1, 8)),
                );
                path_features(&mut f, 90, &[3, 6, 9, 12], t.sub, t.short, around);
                for (d, &bin) in t.sub_bins.0.iter().enumerate() {
                    if bin != 2 {
                        f(100 + d as u64, bin as u64, 0);
                    }
                }
            }
        }
        starts.push(out.len() as u32);
    }

    fn token(&mut self, w: &str, lex: &Lexicon) -> Tok {
        self.lower.clear();
        push_lower(&mut self.lower, w);
        self.chars.clear();
        self.chars.extend(self.lower.chars());
        let mut t = Tok {
            word: hash(1, w),
            lower: hash(LOWER_SEED, &self.lower),
            ..Tok::default()
        };
        let info = lex.get(t.lower);
        t.freq = info.freq as u64;
        t.cluster = info.cluster;
        t.caps = info.caps as u64;
        let n = self.chars.len();
        if lex.compound_tails && info.cluster == 0 && n >= 7 {
            for start in 3..=n - 4 {
                let mut h = Hasher::new(LOWER_SEED);
                self.chars[start..].iter().for_each(|&c| h.char(c));
                let tail = lex.get(h.finish());
                if tail.cluster != 0 {
                    t.tail = tail.cluster;
                    t.tail_freq = tail.freq as u64;
                    break;
                }
            }
        }
        if let Some(kinds) = &lex.kinds {
            t.kind = kinds.path(&self.lower) as u64;
            if t.kind == 0 {
                // "bundesforschungsministerium" -> "ministerium": a compound is what its head is.
                let tails = self.lower.char_indices().skip(3).map(|(at, _)| at);
                for at in tails {
                    let tail = &self.lower[at..];
                    if tail.chars().count() < 4 {
                        break;
                    }
                    let k = kinds.path(tail) as u64;
                    if k != 0 {
                        t.kind = KIND_FROM_TAIL | k;
                        break;
                    }
                }
            }
        }
        if let Some(b) = &lex.brown {
            t.brown = b.path(w);
            if t.brown == 0 {
                (t.head, t.first) = b.head(w, &mut self.sub_buf);
            }
        }
        if let Some(sw) = &lex.subword {
            let v = sw.read(w, &mut self.sub_buf, &mut self.sub_acc);
            t.sub = v.path;
            t.sub_bins = v.bins;
        }
        t.flags = info.flags as u64;
        if info.flags == 0 && w.starts_with(char::is_uppercase) {
            // An inflected name ("Sallan", "Merkels"): the flags of its stem, marked as such.
            let n = self.chars.len();
            for cut in 1..=3.min(n.saturating_sub(3)) {
                let mut h = Hasher::new(LOWER_SEED);
                self.chars[..n - cut].iter().for_each(|&c| h.char(c));
                let f = lex.get(h.finish()).flags;
                if f != 0 {
                    t.flags = 8 | f as u64;
                    break;
                }
            }
        }
        let mut shape = Hasher::new(3);
        let mut short = Hasher::new(4);
        let mut last = ' ';
        for (k, c) in w.chars().enumerate() {
            let s = if c.is_uppercase() {
                'X'
            } else if c.is_lowercase() {
                'x'
            } else if c.is_numeric() {
                'd'
            } else {
                c
            };
            if k < 8 {
                shape.char(s);
            }
            if s != last {
                short.char(s);
                last = s;
            }
        }
        t.shape = shape.finish();
        t.short = short.finish();
        let n = self.chars.len();
        t.len_bucket = match n {
            0..=2 => n as u64,
            3..=4 => 3,
            5..=7 => 4,
            _ => 5,
        };
        t.affixes = AFFIX.min(n.saturating_sub(1));
        for k in 0..t.affixes {
            let mut p = Hasher::new(10 + k as u64);
            self.chars[..=k].iter().for_each(|&c| p.char(c));
            t.pre[k] = p.finish();
            let mut s = Hasher::new(20 + k as u64);
            self.chars[n - 1 - k..].iter().for_each(|&c| s.char(c));
            t.suf[k] = s.finish();
        }
        t
    }
}

fn hash(seed: u64, s: &str) -> u64 {
    crate::hash::hash_str(seed, s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn features_are_deterministic_and_per_token() {
        let mut fz = Featurizer::default();
        let (mut a, mut sa, mut b, mut sb) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let lex = Lexicon::default();
        fz.sentence(
            &["Angela", "Merkel", "spoke"],
            &[0, 0, 0],
            &lex,
            &mut a,
            &mut sa,
        );
        fz.sentence(
            &["Angela", "Merkel", "spoke"],
            &[0, 0, 0],
            &lex,
            &mut b,
            &mut sb,
        );
        assert_eq!(a, b);
        assert_eq!(sa.len(), 4);
        assert!(sa.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn a_word_gets_its_kind_of_noun_and_an_unlisted_compound_its_heads() {
        let table = {
            let mut rows = [
                (
                    crate::brown::fnv1a32("ministerium"),
                    crate::brown::KIND_NOUN as u16,
                ),
                (
                    crate::brown::fnv1a32("aachen"),
                    crate::brown::KIND_PLACE as u16,
                ),
            ];
            rows.sort();
            let mut b = b"CDKINDS1".to_vec();
            b.extend((rows.len() as u32).to_le_bytes());
            rows.iter().for_each(|(h, _)| b.extend(h.to_le_bytes()));
            rows.iter().for_each(|(_, k)| b.extend(k.to_le_bytes()));
            b
        };
        let features = |kinds: bool, word: &str| {
            let mut lex = Lexicon::parse("", None);
            lex.kinds = kinds.then(|| {
                crate::brown::Brown::parse_kinds(std::borrow::Cow::Owned(table.clone()))
                    .expect("kinds")
            });
            let (mut out, mut starts) = (Vec::new(), Vec::new());
            Featurizer::default().sentence(&[word], &[0], &lex, &mut out, &mut starts);
            out
        };
        let kind_only = |word: &str| -> Vec<u64> {
            let without = features(false, word);
            features(true, word)
                .into_iter()
                .filter(|f| !without.contains(f))
                .collect()
        };
        // Four templates, the same for a word of the same kind and shape, told apart by kind.
        let (noun, place) = (kind_only("Ministerium"), kind_only("Aachen"));
        assert_eq!(noun.len(), 4);
        assert_eq!(place.len(), 4);
        assert!(noun.iter().all(|f| !place.contains(f)));
        // A compound not in the table is a noun by its head, marked as taken from the head.
        let compound = kind_only("Bundesforschungsministerium");
        assert_eq!(compound.len(), 4);
        assert!(compound.iter().all(|f| !noun.contains(f)));
        assert_eq!(kind_only("Bundesverkehrsministerium")[0], compound[0]);
        // A word with no listed kind and no listed tail has kind 0, not a feature of its own.
        assert_eq!(kind_only("Xqzvtlmbr")[0], kind_only("Qwrtzlpk")[0]);
    }

    #[test]
    fn a_compound_without_a_cluster_gets_its_tails_features() {
        let features = |tails: bool, word: &str| {
            let mut lex = Lexicon::parse("", Some("representanten\t0110\n"));
            lex.compound_tails = tails;
            let (mut out, mut starts) = (Vec::new(), Vec::new());
            Featurizer::default().sentence(&[word], &[0], &lex, &mut out, &mut starts);
            out
        };
        let with = features(true, "stortingsrepresentanten");
        let without = features(false, "stortingsrepresentanten");
        assert_eq!(
            with.len(),
            without.len() + 5,
            "three prefixes, shape, frequency"
        );
        assert!(without.iter().all(|f| with.contains(f)));
        // The same tail in another compound shares those features.
        let other = features(true, "fylkesrepresentanten");
        let shared = |a: &[u64], b: &[u64]| a.iter().filter(|f| b.contains(f)).count();
        assert!(
            shared(&with, &other) >= shared(&without, &features(false, "fylkesrepresentanten")) + 5
        );
        // Too short a head, or a word with its own cluster, gets none.
        assert_eq!(
            features(true, "xrepresentanten").len(),
            features(false, "xrepresentanten").len()
        );
        assert_eq!(
            features(true, "representanten").len(),
            features(false, "representanten").len()
        );
    }

    #[test]
    fn all_caps_headlines_share_lowercase_features_with_prose() {
        let mut fz = Featurizer::default();
        let (mut a, mut sa, mut b, mut sb) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let lex = Lexicon::default();
        fz.sentence(&["LONDON", "TALKS"], &[0, 0], &lex, &mut a, &mut sb);
        fz.sentence(&["London", "talks"], &[0, 0], &lex, &mut b, &mut sa);
        let shared = a[..sb[1] as usize]
            .iter()
            .filter(|f| b[..sa[1] as usize].contains(f))
            .count();
        assert!(shared >= 8, "only {shared} shared features");
    }
}
