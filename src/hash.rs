//! Hashing for the registry's lookup tables.
//!
//! The tables are built once from the registry (operator configuration) and then only
//! queried; a request never inserts into them. An attacker who controls a reference can make
//! a lookup miss, never make the table degrade, so a fast non-keyed hash is safe here and
//! `RandomState`'s SipHash would only cost time on every lookup. The function is the one
//! rustc uses (`FxHasher`): a rotate, a xor and a multiply per word.

use std::hash::{BuildHasherDefault, Hasher};

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

impl FxHasher {
    /// Adds `bytes`, each word of them passed through `fold` (bytewise, such as a change of
    /// case) before it is mixed in, so that hashing with a fold is hashing the folded text.
    #[inline]
    fn write_folded(&mut self, bytes: &[u8], fold: impl Fn(u64) -> u64) {
        let mut rest = bytes;
        while let Some((word, tail)) = rest.split_first_chunk::<8>() {
            self.add(fold(u64::from_le_bytes(*word)));
            rest = tail;
        }
        // The tail (0 to 7 bytes) in one word, read as two overlapping halves rather than
        // byte by byte: names are short, so the tail is most of the work. The tail's
        // length goes in too, so that overlapping reads of `aaaa` and `aaaaa` differ.
        let len = rest.len() as u64;
        if let (Some(head), Some(last)) = (rest.first_chunk::<4>(), rest.last_chunk::<4>()) {
            let word =
                u64::from(u32::from_le_bytes(*head)) | (u64::from(u32::from_le_bytes(*last)) << 32);
            self.add(fold(word) ^ (len << 56));
        } else if let (Some(&first), Some(&last)) = (rest.first(), rest.last()) {
            let middle = rest.get(rest.len() / 2).copied().unwrap_or(0);
            let word = u64::from(first) | (u64::from(middle) << 8) | (u64::from(last) << 16);
            self.add(fold(word) | (len << 24));
        }
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        self.write_folded(bytes, |word| word);
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

/// The hash of `name`'s bytes, as the registry's name tables key on it.
#[inline]
pub(crate) fn hash_exact(name: &[u8]) -> u64 {
    let mut state = FxHasher::default();
    state.write_folded(name, |word| word);
    state.hash
}

/// The hash of `name` with its ASCII letters lowercased, without writing that text out:
/// `hash_exact` of the lowercased name. Only ASCII folds, as in `eq_ignore_ascii_case`.
#[inline]
pub(crate) fn hash_lowercase(name: &[u8]) -> u64 {
    let mut state = FxHasher::default();
    state.write_folded(name, ascii_lowercase);
    state.hash
}

/// The eight bytes of `word` with `A`..=`Z` lowercased and every other byte (non-ASCII
/// bytes among them) unchanged.
#[inline]
fn ascii_lowercase(word: u64) -> u64 {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // In each byte's 7 low bits (no carry crosses a byte): adding 0x3f sets the high bit
    // from `A` (0x41) up, adding 0x25 from past `Z` (0x5a) up; a byte with its own high
    // bit set is not ASCII.
    let low = word & LOW7;
    let from_a = low.wrapping_add(0x3f3f_3f3f_3f3f_3f3f);
    let past_z = low.wrapping_add(0x2525_2525_2525_2525);
    let upper = (from_a ^ past_z) & !word & HIGH;
    // 0x80 >> 2 is 0x20, the ASCII case bit.
    word | (upper >> 2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::names::{NameTable, Text};
    use std::hash::BuildHasher;

    #[test]
    fn caseless_names_find_a_key_in_any_ascii_case() {
        let mut text = Text::default();
        let mut map: NameTable<u32> = NameTable::default();
        for (name, value) in [("github", 7), ("k8s", 8)] {
            if let Some((_, v)) = map.entry(&mut text, name) {
                *v = value;
            }
        }
        assert_eq!(map.get_lowercase(&text, "GitHub"), Some(&7));
        assert_eq!(map.get_lowercase(&text, "GITHUB"), Some(&7));
        assert_eq!(map.get_lowercase(&text, "git hub"), None);
        assert_eq!(map.get_lowercase(&text, "K8S"), Some(&8));
        // Only ASCII folds: the Kelvin sign is not a `k`.
        assert_eq!(map.get_lowercase(&text, "\u{212a}8s"), None);
    }

    #[test]
    fn lowercase_hash_is_the_hash_of_the_lowercased_text() {
        let all: String = (0u8..=0x7f).map(char::from).collect();
        for name in [
            all.as_str(),
            "",
            "a",
            "AB",
            "GitHub",
            "K8S-Prod",
            "SRV-0001",
            "\u{212a}elvin",
            "AA1D8E71-318A-43CB-83AD-588D56470B1B",
        ] {
            let lower = name.to_ascii_lowercase();
            assert_eq!(
                hash_lowercase(name.as_bytes()),
                hash_exact(lower.as_bytes()),
                "{name}"
            );
        }
        assert_ne!(hash_lowercase("\u{212a}".as_bytes()), hash_exact(b"k"));
        // Every byte, one word at a time: only `A`..=`Z` change, by the case bit.
        for b in 0u8..=0xff {
            let word = u64::from_le_bytes([b; 8]);
            let expected = u64::from_le_bytes([b.to_ascii_lowercase(); 8]);
            assert_eq!(ascii_lowercase(word), expected, "{b:#x}");
        }
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
            assert_ne!(
                hash_exact(x.as_bytes()),
                hash_exact(y.as_bytes()),
                "{x} {y}"
            );
        }
    }
}
