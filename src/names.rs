//! The registry's names: stored once, in one text, and found by hash.
//!
//! A registry indexes a few names per server (its id, alias and server name, their
//! tool-name prefix spellings, its access groups). Keyed by separately allocated strings,
//! every name costs an allocation, and every probe of a table compares against text
//! somewhere else on the heap. Here every name is a [`Span`] of one [`Text`], and a
//! [`NameTable`] keeps each key's span, a part of its hash and its value in one slot: a
//! build allocates per table, not per name, and a lookup reads one slot (rarely a few
//! neighbours) and compares the text of one name.

use std::fmt;

use crate::hash::{hash_exact, hash_lowercase};

/// Names, one after another.
#[derive(Debug, Default)]
pub(crate) struct Text(String);

/// Where one name lies in a [`Text`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Span {
    start: usize,
    end: usize,
}

impl Span {
    fn len(self) -> usize {
        self.end - self.start
    }
}

impl Text {
    /// Room for `bytes` bytes of names.
    pub(crate) fn with_capacity(bytes: usize) -> Self {
        Self(String::with_capacity(bytes))
    }

    /// Gives back the room reserved and not used.
    pub(crate) fn shrink_to_fit(&mut self) {
        self.0.shrink_to_fit();
    }

    /// Appends `name`.
    pub(crate) fn push(&mut self, name: &str) -> Span {
        let start = self.0.len();
        self.0.push_str(name);
        Span {
            start,
            end: self.0.len(),
        }
    }

    /// Appends `name` with its ASCII letters lowercased.
    pub(crate) fn push_lowercase(&mut self, name: &str) -> Span {
        let start = self.0.len();
        self.0.extend(name.chars().map(|c| c.to_ascii_lowercase()));
        Span {
            start,
            end: self.0.len(),
        }
    }

    /// Appends `name` with every space written as `_`.
    pub(crate) fn push_spaces_as_underscores(&mut self, name: &str) -> Span {
        let start = self.0.len();
        self.0
            .extend(name.chars().map(|c| if c == ' ' { '_' } else { c }));
        Span {
            start,
            end: self.0.len(),
        }
    }

    /// The name at `span` (empty for a span of another text).
    fn bytes(&self, span: Span) -> &[u8] {
        self.0
            .as_bytes()
            .get(span.start..span.end)
            .unwrap_or_default()
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct Slot<V> {
    /// Bits of the key's hash, never 0; 0 marks an empty slot.
    tag: u32,
    key: Span,
    value: V,
}

/// A hash table from names (spans of a [`Text`]) to values: open addressing with linear
/// probing, at most half full, built once and then only read.
///
/// The text is passed in rather than owned so that several tables can share one text.
/// A name can be looked up as spelled, or lowercased (ASCII) without writing the
/// lowercased text out: a table that keeps names' lowercase forms answers queries that
/// ignore case.
pub(crate) struct NameTable<V> {
    /// A power of two long (or empty).
    slots: Vec<Slot<V>>,
    len: usize,
    /// `64 - log2(slots.len())`: a slot's position is the top bits of the hash. From 1 to
    /// 63 (an empty table's 63 points at slots it does not have).
    shift: u32,
}

impl<V> Default for NameTable<V> {
    fn default() -> Self {
        Self {
            slots: Vec::new(),
            len: 0,
            shift: 63,
        }
    }
}

/// Prints a summary: the keys are spans, meaningless without their text.
impl<V> fmt::Debug for NameTable<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NameTable")
            .field("len", &self.len)
            .field("slots", &self.slots.len())
            .finish_non_exhaustive()
    }
}

/// Where a probe for `hash` starts in a table of `1 << (64 - shift)` slots, and the tag
/// it looks for.
#[inline]
fn start(hash: u64, shift: u32) -> (usize, u32) {
    // The top bits pick the slot: a multiplicative hash mixes every input bit into them.
    // (`shift` is below 64, so `wrapping_shr` shifts by it exactly.)
    let at = hash.wrapping_shr(shift);
    #[allow(clippy::cast_possible_truncation)] // the tag keeps 32 bits on purpose
    let tag = (hash as u32 ^ (hash >> 32) as u32) | 1;
    (usize::try_from(at).unwrap_or(0), tag)
}

impl<V: Copy + Default> NameTable<V> {
    /// A table with room for `names` names before it grows.
    pub(crate) fn with_capacity(names: usize) -> Self {
        let mut table = Self::default();
        if names > 0 {
            table.resize(names);
        }
        table
    }

    /// The value of `name`.
    // Always inlined: a call costs about as much as the probe it makes.
    #[allow(clippy::inline_always)]
    #[inline(always)]
    pub(crate) fn get(&self, text: &Text, name: &str) -> Option<&V> {
        let name = name.as_bytes();
        self.probe(hash_exact(name), name.len(), |key| text.bytes(key) == name)
    }

    /// The value of the key that is `name` with its ASCII letters lowercased.
    #[inline]
    pub(crate) fn get_lowercase(&self, text: &Text, name: &str) -> Option<&V> {
        let name = name.as_bytes();
        self.probe(hash_lowercase(name), name.len(), |key| {
            text.bytes(key)
                .iter()
                .zip(name)
                .all(|(k, n)| *k == n.to_ascii_lowercase())
        })
    }

    #[inline(always)]
    #[allow(clippy::inline_always)] // the two lookups above, each with its own `is_key`
    fn probe(&self, hash: u64, len: usize, is_key: impl Fn(Span) -> bool) -> Option<&V> {
        let (mut at, tag) = start(hash, self.shift);
        let mask = self.slots.len().wrapping_sub(1);
        // INVARIANT: the table is at most half full, so the probe meets an empty slot.
        loop {
            let slot = self.slots.get(at)?;
            if slot.tag == 0 {
                return None;
            }
            if slot.tag == tag && slot.key.len() == len && is_key(slot.key) {
                return Some(&slot.value);
            }
            at = (at + 1) & mask;
        }
    }

    /// Reads the slot where a probe for `name` starts, so that an entry for it made soon
    /// after finds the slot in the cache. Reading the slots of several names first, then
    /// making their entries, lets the cache misses of a large table overlap.
    #[inline]
    pub(crate) fn prefetch(&self, name: &str) {
        let (at, _) = start(hash_exact(name.as_bytes()), self.shift);
        if let Some(slot) = self.slots.get(at) {
            std::hint::black_box(slot.tag);
        }
    }

    /// The key and value of `name`; a name not yet in the table is appended to `text`
    /// and added with the default value. `None` only if the table could not make room.
    #[inline]
    pub(crate) fn entry(&mut self, text: &mut Text, name: &str) -> Option<(Span, &mut V)> {
        let (at, new) = self.find_or_claim(text, name.as_bytes())?;
        let slot = self.slots.get_mut(at)?;
        if new {
            slot.key = text.push(name);
        }
        Some((slot.key, &mut slot.value))
    }

    /// [`NameTable::entry`] for a name already in `text` at `key` (a key of a table that
    /// compares names another way, say).
    pub(crate) fn entry_at(&mut self, text: &Text, key: Span) -> Option<(Span, &mut V)> {
        let (at, new) = self.find_or_claim(text, text.bytes(key))?;
        let slot = self.slots.get_mut(at)?;
        if new {
            slot.key = key;
        }
        Some((slot.key, &mut slot.value))
    }

    /// The position of `name`'s slot, and whether it is new: then it is tagged and holds
    /// the default value, and the caller writes its key.
    #[inline]
    fn find_or_claim(&mut self, text: &Text, name: &[u8]) -> Option<(usize, bool)> {
        if (self.len + 1).saturating_mul(2) > self.slots.len() {
            self.grow(text);
        }
        let (mut at, tag) = start(hash_exact(name), self.shift);
        let mask = self.slots.len().wrapping_sub(1);
        // INVARIANT: the table is at most half full, so the probe meets an empty slot.
        loop {
            let slot = self.slots.get_mut(at)?;
            if slot.tag == 0 {
                *slot = Slot {
                    tag,
                    key: Span::default(),
                    value: V::default(),
                };
                self.len += 1;
                return Some((at, true));
            }
            if slot.tag == tag && slot.key.len() == name.len() && text.bytes(slot.key) == name {
                return Some((at, false));
            }
            at = (at + 1) & mask;
        }
    }

    /// Doubles the slots (or makes the first ones) and puts every name back.
    #[cold]
    #[inline(never)]
    fn grow(&mut self, text: &Text) {
        let old = std::mem::take(&mut self.slots);
        self.resize(old.len().max(1));
        let mask = self.slots.len().wrapping_sub(1);
        for slot in old.into_iter().filter(|s| s.tag != 0) {
            // The tag does not depend on the table's size; the position does.
            let (mut at, _) = start(hash_exact(text.bytes(slot.key)), self.shift);
            while let Some(free) = self.slots.get_mut(at) {
                if free.tag == 0 {
                    *free = slot;
                    break;
                }
                at = (at + 1) & mask;
            }
        }
    }

    /// Empty slots for `names` names: at least twice as many, a power of two.
    fn resize(&mut self, names: usize) {
        let slots = names
            .saturating_mul(2)
            .max(8)
            .checked_next_power_of_two()
            .unwrap_or(1 << (usize::BITS - 1));
        self.slots = vec![Slot::default(); slots];
        // At least 8 slots, at most `1 << (usize::BITS - 1)`: a shift from 1 to 61.
        self.shift = 64 - slots.trailing_zeros();
    }
}

/// The forms of a name that are other names (other keys of a table).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Forms {
    /// The name has a space: its tool-name prefix spelling (spaces as `_`) differs.
    pub(crate) spaced: bool,
    /// The name has an ASCII capital: its lowercase form differs.
    pub(crate) capitals: bool,
}

impl Forms {
    pub(crate) fn of(name: &str) -> Self {
        const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
        const HIGH: u64 = 0x8080_8080_8080_8080;
        const ONES: u64 = 0x0101_0101_0101_0101;
        let (mut spaces, mut capitals) = (0u64, 0u64);
        // A word at a time; in each byte's 7 low bits (no carry crosses a byte), adding
        // sets the high bit from a threshold up (as in `hash::ascii_lowercase`).
        for_each_word(name.as_bytes(), |word| {
            let low = word & LOW7;
            let ascii = !word & HIGH;
            let spaceless = low ^ (ONES * u64::from(b' '));
            // The high bit of a byte that is zero here, a space in the name.
            spaces |= !(spaceless.wrapping_add(LOW7) | spaceless) & ascii;
            let from_a = low.wrapping_add(ONES * (0x80 - u64::from(b'A')));
            let past_z = low.wrapping_add(ONES * (0x7f - u64::from(b'Z')));
            capitals |= (from_a ^ past_z) & ascii;
        });
        Self {
            spaced: spaces != 0,
            capitals: capitals != 0,
        }
    }
}

/// Calls `f` with every 8 bytes of `bytes` as a word, then with the rest (1 to 7 bytes) in
/// one word, read as overlapping pieces and zero-padded: every byte is in some word, and
/// no byte that is not in `bytes` is anything but zero.
fn for_each_word(bytes: &[u8], mut f: impl FnMut(u64)) {
    let mut rest = bytes;
    while let Some((word, tail)) = rest.split_first_chunk::<8>() {
        f(u64::from_le_bytes(*word));
        rest = tail;
    }
    if let (Some(head), Some(last)) = (rest.first_chunk::<4>(), rest.last_chunk::<4>()) {
        f(u64::from(u32::from_le_bytes(*head)) | (u64::from(u32::from_le_bytes(*last)) << 32));
    } else if let (Some(&first), Some(&last)) = (rest.first(), rest.last()) {
        let middle = rest.get(rest.len() / 2).copied().unwrap_or(0);
        f(u64::from(first) | (u64::from(middle) << 8) | (u64::from(last) << 16));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_see_every_space_and_capital() {
        for len in 0..20 {
            for at in 0..len {
                for (b, spaced, capitals) in [
                    (b' ', true, false),
                    (b'A', false, true),
                    (b'Z', false, true),
                    (b'@', false, false),
                    (b'[', false, false),
                    (b'!', false, false),
                    (b'\x1f', false, false),
                    (0xa0, false, false),
                    (0xc1, false, false),
                ] {
                    let mut name = vec![b'a'; len];
                    name[at] = b;
                    // Bytes from 0x80 up stand in a two-byte character, so that the
                    // name is text.
                    if b >= 0x80 {
                        name.splice(at..=at, [0xc3, b & 0xbf]);
                    }
                    let name = String::from_utf8(name).unwrap();
                    let expected = Forms { spaced, capitals };
                    assert_eq!(Forms::of(&name), expected, "{name:?}");
                }
            }
        }
        assert_eq!(
            Forms::of("Git Hub"),
            Forms {
                spaced: true,
                capitals: true
            }
        );
        // The Kelvin sign is not a capital that ASCII folds.
        assert!(!Forms::of("\u{212a}8s").capitals);
    }

    #[test]
    fn a_table_finds_every_name_it_was_given_after_growing() {
        let mut text = Text::default();
        let mut table: NameTable<u32> = NameTable::default();
        let names: Vec<String> = (0..1000).map(|i| format!("name-{i}")).collect();
        for (i, name) in (0u32..).zip(&names) {
            if let Some((_, v)) = table.entry(&mut text, name) {
                *v = i;
            }
        }
        for (i, name) in (0u32..).zip(&names) {
            assert_eq!(table.get(&text, name), Some(&i));
        }
        assert_eq!(table.get(&text, "name-1000"), None);
        assert_eq!(NameTable::<u32>::default().get(&text, "name-1"), None);
    }
}
