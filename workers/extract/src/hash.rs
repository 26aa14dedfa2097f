//! A tiny, fast, deterministic hasher for feature keys: features are never stored as strings,
//! only as 64-bit hashes of (template, value), so extraction allocates nothing per feature.

/// Multiplier from FxHash (rustc's hasher): fast and good enough for feature keys.
const K: u64 = 0x517c_c1b7_2722_0a95;

/// Incremental hasher over bytes and chars.
#[derive(Clone, Copy)]
pub struct Hasher(u64);

impl Hasher {
    /// Start a hash for one feature template or value kind.
    pub fn new(seed: u64) -> Self {
        Hasher(seed.wrapping_mul(K) ^ 0x9e37_79b9_7f4a_7c15)
    }

    /// Feed one 64-bit word.
    #[inline]
    pub fn word(&mut self, w: u64) {
        self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(K);
    }

    /// Feed one char.
    #[inline]
    pub fn char(&mut self, c: char) {
        self.word(c as u64);
    }

    /// Feed a string.
    pub fn str(&mut self, s: &str) {
        for c in s.chars() {
            self.char(c);
        }
    }

    /// The final, well-mixed value (so the low bits can index a table).
    #[inline]
    pub fn finish(self) -> u64 {
        mix(self.0)
    }
}

/// Avalanche a value so that every bit depends on every input bit (splitmix64 finaliser).
#[inline]
pub fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Combine a feature template id with up to three value hashes into one feature key.
#[inline]
pub fn feature(template: u64, a: u64, b: u64) -> u64 {
    mix(template.wrapping_mul(K) ^ a.rotate_left(17) ^ b.rotate_left(41).wrapping_mul(K))
}

/// Hash a string in one go.
pub fn hash_str(seed: u64, s: &str) -> u64 {
    let mut h = Hasher::new(seed);
    h.str(s);
    h.finish()
}

/// A `BuildHasher` for std maps keyed by strings we control (no untrusted keys reach them).
#[derive(Clone, Copy, Default)]
pub struct FxBuild;

/// The std-compatible hasher behind [`FxBuild`].
pub struct FxStd(u64);

impl std::hash::Hasher for FxStd {
    fn finish(&self) -> u64 {
        mix(self.0)
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ b as u64).wrapping_mul(K);
        }
    }
}

impl std::hash::BuildHasher for FxBuild {
    type Hasher = FxStd;
    fn build_hasher(&self) -> FxStd {
        FxStd(0)
    }
}
