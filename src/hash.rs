//! Hashing for the registry's lookup tables.
//!
//! The tables are built once from the registry (operator configuration) and then only
//! queried; a request never inserts into them. An attacker who controls a reference can make
//! a lookup miss, never make the table degrade, so a fast non-keyed hash is safe here and
//! `RandomState`'s SipHash would only cost time on every lookup. The function is the one
//! rustc uses (`FxHasher`): a rotate, a xor and a multiply per word.

use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::sync::Arc;

use indexmap::{Equivalent, IndexMap};

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

/// A word-at-a-time multiplicative hasher (the `FxHasher` of rustc).
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct FxHasher {
    hash: u64,
}

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut rest = bytes;
        while let Some((word, tail)) = rest.split_first_chunk::<8>() {
            self.add(u64::from_le_bytes(*word));
            rest = tail;
        }
        // The tail (0 to 7 bytes) in one word, read as two overlapping halves rather than
        // byte by byte: names are short, so the tail is most of the work. The tail's
        // length goes in too, so that overlapping reads of `aaaa` and `aaaaa` differ.
        let len = rest.len() as u64;
        if let (Some(head), Some(last)) = (rest.first_chunk::<4>(), rest.last_chunk::<4>()) {
            let word =
                u64::from(u32::from_le_bytes(*head)) | (u64::from(u32::from_le_bytes(*last)) << 32);
            self.add(word ^ (len << 56));
        } else if let (Some(&first), Some(&last)) = (rest.first(), rest.last()) {
            let middle = rest.get(rest.len() / 2).copied().unwrap_or(0);
            let word = u64::from(first) | (u64::from(middle) << 8) | (u64::from(last) << 16);
            self.add(word | (len << 24));
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.hash
    }
}

pub(crate) type FxBuild = BuildHasherDefault<FxHasher>;
pub(crate) type FxIndexMap<K, V> = IndexMap<K, V, FxBuild>;

/// A table key compared ASCII case-insensitively (requested server names).
#[derive(Debug, Clone)]
pub(crate) struct Caseless(pub(crate) Arc<str>);

/// A borrowed query for a [`Caseless`] key: hashes and compares like one, without
/// lowercasing into a fresh `String`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CaselessRef<'q>(pub(crate) &'q str);

fn hash_caseless<H: Hasher>(s: &str, state: &mut H) {
    for b in s.bytes() {
        state.write_u8(b.to_ascii_lowercase());
    }
    state.write_u8(0xff);
}

impl Hash for Caseless {
    fn hash<H: Hasher>(&self, state: &mut H) {
        hash_caseless(&self.0, state);
    }
}

impl PartialEq for Caseless {
    fn eq(&self, other: &Self) -> bool {
        self.0.eq_ignore_ascii_case(&other.0)
    }
}

impl Eq for Caseless {}

impl Hash for CaselessRef<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        hash_caseless(self.0, state);
    }
}

impl Equivalent<Caseless> for CaselessRef<'_> {
    fn equivalent(&self, key: &Caseless) -> bool {
        self.0.eq_ignore_ascii_case(&key.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::BuildHasher;

    #[test]
    fn caseless_ref_finds_key_in_any_ascii_case() {
        let mut map: FxIndexMap<Caseless, u32> = FxIndexMap::default();
        map.insert(Caseless("GitHub".into()), 7);
        assert_eq!(map.get(&CaselessRef("github")), Some(&7));
        assert_eq!(map.get(&CaselessRef("GITHUB")), Some(&7));
        assert_eq!(map.get(&CaselessRef("git hub")), None);
        // Only ASCII folds: the Kelvin sign is not a `k`.
        map.insert(Caseless("k8s".into()), 8);
        assert_eq!(map.get(&CaselessRef("\u{212a}8s")), None);
    }

    #[test]
    fn hasher_distinguishes_tail_bytes() {
        let build = FxBuild::default();
        let a = build.hash_one("abcdefghi");
        let b = build.hash_one("abcdefghj");
        assert_ne!(a, b);
        // Overlapping tail reads must not merge strings of different lengths.
        for (x, y) in [
            ("a", "aa"),
            ("aa", "aaa"),
            ("aaaa", "aaaaa"),
            ("aaaaaa", "aaaaaaa"),
        ] {
            assert_ne!(build.hash_one(x), build.hash_one(y), "{x} {y}");
        }
    }
}
