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
    /// `64 - log2(slots.len())`: a slot's position is the top bits of the hash.
    shift: u32,
}

impl<V> Default for NameTable<V> {
    fn default() -> Self {
        Self {
            slots: Vec::new(),
            len: 0,
            shift: 64,
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
/// it looks for. (An empty table's shift is 64: the start is out of its no slots.)
#[inline]
fn start(hash: u64, shift: u32) -> (usize, u32) {
    // The top bits pick the slot: a multiplicative hash mixes every input bit into them.
    let at = if shift < 64 { hash >> shift } else { u64::MAX };
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

    /// The key and value of `name`; a name not yet in the table is appended to `text`
    /// and added with the default value. `None` only if the table could not make room.
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
        self.shift = 64 - slots.trailing_zeros();
    }
}

/// Whether `name` has a space: then its tool-name prefix spelling is another name.
pub(crate) fn has_space(name: &str) -> bool {
    name.bytes().any(|b| b == b' ')
}

/// Whether `name` has an ASCII capital: then its lowercase form is another name.
pub(crate) fn has_uppercase(name: &str) -> bool {
    name.bytes().any(|b| b.is_ascii_uppercase())
}
