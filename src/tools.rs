//! Tool sets and the tool scope of a visible server.

use std::cmp::Ordering;
use std::fmt;
use std::sync::Arc;

use serde::Serialize;
use serde::ser::{SerializeMap, SerializeSeq, Serializer};

/// The first 8 bytes of `s`, zero-padded, as a big-endian word: comparing two of these
/// orders strings as `str::cmp` does, except that equal words need the full comparison.
#[inline]
fn head(s: &str) -> u64 {
    let bytes = s.as_bytes();
    if let Some(word) = bytes.first_chunk::<8>() {
        u64::from_be_bytes(*word)
    } else {
        let mut word = [0u8; 8];
        for (dst, src) in word.iter_mut().zip(bytes) {
            *dst = *src;
        }
        u64::from_be_bytes(word)
    }
}

/// `name.cmp(query)`, where `query_head` is `head(query)`: most pairs of tool names are
/// decided by their first 8 bytes, without a call to `memcmp`.
#[inline]
fn cmp_headed(name: &str, query: &str, query_head: u64) -> Ordering {
    match head(name).cmp(&query_head) {
        // Equal zero-padded heads of two strings of at most 8 bytes: the shorter one is
        // the smaller, and equal lengths mean equal strings.
        Ordering::Equal if name.len() <= 8 && query.len() <= 8 => name.len().cmp(&query.len()),
        Ordering::Equal => name.cmp(query),
        unequal => unequal,
    }
}

/// `a.cmp(b)`, decided as [`cmp_headed`] does.
#[inline]
pub(crate) fn cmp_names(a: &str, b: &str) -> Ordering {
    cmp_headed(a, b, head(b))
}

/// Whether sorted `names` holds `query`: a binary search that reads the query's head once.
#[inline]
pub(crate) fn contains_sorted<T: AsRef<str>>(names: &[T], query: &str) -> bool {
    let query_head = head(query);
    names
        .binary_search_by(|n| cmp_headed(n.as_ref(), query, query_head))
        .is_ok()
}

/// `a == b`, likewise.
#[inline]
pub(crate) fn eq_names(a: &str, b: &str) -> bool {
    a.len() == b.len() && head(a) == head(b) && (a.len() <= 8 || a == b)
}

/// The last 8 bytes of `s` (or all of a shorter `s`, zero-padded) as a word.
#[inline]
fn tail(s: &str) -> u64 {
    s.as_bytes()
        .last_chunk::<8>()
        .map_or_else(|| head(s), |word| u64::from_le_bytes(*word))
}

/// A hash of a name from its first and last 8 bytes and its length: one multiply, whose
/// top bits are the well-mixed ones.
#[inline]
fn mix(name: &str) -> u64 {
    (head(name) ^ tail(name).rotate_left(29) ^ name.len() as u64)
        .wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

/// A 256-bit Bloom filter over a set of names: for most names outside the set it answers
/// "no" from two word reads and a multiply, so filtering a long `tools/list` against a
/// small set rarely searches the set.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct NameFilter([u64; 4]);

impl NameFilter {
    #[inline]
    fn bit(name: &str) -> (usize, u64) {
        // The top 8 bits pick one of 256: a word (2 bits) and a bit in it (6 bits).
        let top = mix(name) >> 56;
        ((top >> 6) as usize, 1u64 << (top & 63))
    }

    pub(crate) fn new<'n>(names: impl IntoIterator<Item = &'n str>) -> Self {
        let mut words = [0u64; 4];
        for name in names {
            let (word, bit) = Self::bit(name);
            if let Some(w) = words.get_mut(word) {
                *w |= bit;
            }
        }
        Self(words)
    }

    /// `false` only when `name` is certainly not in the set.
    #[inline]
    pub(crate) fn may_contain(&self, name: &str) -> bool {
        let (word, bit) = Self::bit(name);
        self.0.get(word).is_none_or(|w| w & bit != 0)
    }
}

/// Where one name lies in a [`SortedNames`]' text, with the name's head word, so that a
/// search reads the text only to confirm a match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    head: u64,
    start: u32,
    end: u32,
}

impl Span {
    fn len(self) -> usize {
        (self.end - self.start) as usize
    }
}

/// Names owned by the registry: sorted, without repeats. They are stored in one string
/// with a sorted list of spans into it, and an open-addressing table from a name's
/// [`mix`] to its span, so a tool list costs three allocations however many names it
/// holds, and a search costs a multiply and, mostly, one probe.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct SortedNames {
    text: Box<str>,
    spans: Box<[Span]>,
    /// A power of two at least twice the number of names (so a probe always meets an
    /// empty slot), each slot 0 or one more than a span's index; empty for an empty list
    /// and for one too long for `u16` indexes, which is searched in `spans` instead.
    slots: Box<[u16]>,
}

/// The slot a name's probe starts at in a table of `len` slots (a power of two).
#[inline]
fn first_slot(name: &str, len: usize) -> usize {
    // The table's bits of the mix, from the top.
    let top = mix(name)
        .checked_shr(64 - len.trailing_zeros())
        .unwrap_or(0);
    usize::try_from(top).unwrap_or(0) & len.wrapping_sub(1)
}

impl SortedNames {
    /// The set of `names` (the tests' spelling).
    #[cfg(test)]
    #[allow(clippy::needless_pass_by_value)] // the signature tests across the crate call
    pub(crate) fn new(names: Vec<Box<str>>) -> Self {
        Self::from_strs(names.iter().map(|n| &**n).collect())
    }

    /// The set of `names`, copied into one string.
    pub(crate) fn from_strs(mut names: Vec<&str>) -> Self {
        names.sort_unstable_by(|a, b| cmp_names(a, b));
        names.dedup();
        let mut text = String::with_capacity(names.iter().map(|n| n.len()).sum());
        let mut spans = Vec::with_capacity(names.len());
        for name in names {
            let start = text.len();
            text.push_str(name);
            // A tool list longer than 4 GiB cannot be configured; such a name is dropped.
            if let (Ok(start), Ok(end)) = (u32::try_from(start), u32::try_from(text.len())) {
                spans.push(Span {
                    head: head(name),
                    start,
                    end,
                });
            }
        }
        let mut names = Self {
            text: text.into_boxed_str(),
            spans: spans.into_boxed_slice(),
            slots: Box::default(),
        };
        names.slots = names.table();
        names
    }

    /// The hash table of the spans: linear probing from [`first_slot`].
    fn table(&self) -> Box<[u16]> {
        let spans = &*self.spans;
        if spans.is_empty() || spans.len() >= usize::from(u16::MAX) / 2 {
            return Box::default();
        }
        let mut slots = vec![0u16; (spans.len() * 2).next_power_of_two()];
        let mask = slots.len() - 1;
        for (index, &span) in (1u16..).zip(spans) {
            let mut at = first_slot(self.at(span), slots.len());
            // At most half the slots are taken, so the probe ends at an empty one.
            while slots.get(at).is_some_and(|&slot| slot != 0) {
                at = (at + 1) & mask;
            }
            if let Some(slot) = slots.get_mut(at) {
                *slot = index;
            }
        }
        slots.into_boxed_slice()
    }

    #[inline]
    fn at(&self, span: Span) -> &str {
        self.text
            .get(span.start as usize..span.end as usize)
            .unwrap_or_default()
    }

    /// Whether `span` holds `name`, whose head word is `name_head`: the text is read only
    /// for a name longer than its head.
    #[inline]
    fn holds(&self, span: Span, name: &str, name_head: u64) -> bool {
        span.head == name_head
            && span.len() == name.len()
            && (name.len() <= 8 || self.at(span) == name)
    }

    pub(crate) fn contains(&self, name: &str) -> bool {
        if self.slots.is_empty() {
            return self.search(name);
        }
        let name_head = head(name);
        let mask = self.slots.len() - 1;
        let mut at = first_slot(name, self.slots.len());
        // Each probe a slot further; an empty slot ends it. The bound only guards the
        // invariant that some slot is empty.
        for _ in 0..self.slots.len() {
            let slot = self.slots.get(at).copied().unwrap_or(0);
            let Some(&span) = usize::from(slot)
                .checked_sub(1)
                .and_then(|index| self.spans.get(index))
            else {
                return false;
            };
            if self.holds(span, name, name_head) {
                return true;
            }
            at = (at + 1) & mask;
        }
        false
    }

    /// [`SortedNames::contains`] by searching the sorted spans.
    fn search(&self, name: &str) -> bool {
        // A search on the head words alone (no branch on the text), then the text of the
        // one name with that head, or a search among the few that share it.
        let name_head = head(name);
        let from = self.spans.partition_point(|s| s.head < name_head);
        let rest = self.spans.get(from..).unwrap_or_default();
        let (first, shared) = match rest {
            [first, next, ..] if first.head == name_head => (*first, next.head == name_head),
            [first, ..] if first.head == name_head => (*first, false),
            _ => return false,
        };
        if !shared {
            return self.holds(first, name, name_head);
        }
        let run = rest
            .get(..rest.partition_point(|s| s.head == name_head))
            .unwrap_or_default();
        run.binary_search_by(|&s| self.at(s).cmp(name)).is_ok()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// These names without the ones in `other`.
    pub(crate) fn without(&self, other: &Self) -> Self {
        Self::from_strs(self.iter().filter(|n| !other.contains(n)).collect())
    }

    pub(crate) fn len(&self) -> usize {
        self.spans.len()
    }

    pub(crate) fn iter(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        self.spans.iter().map(|&s| self.at(s))
    }
}

#[derive(Clone)]
enum Repr<'a> {
    /// A server's own list, borrowed from the registry.
    Registry(&'a Arc<SortedNames>),
    /// Names borrowed from permissions (or the registry), sorted, without repeats.
    Borrowed(Vec<&'a str>),
    /// Names owned, shared by the clones of a set.
    Shared(Arc<SortedNames>),
}

/// A set of tool names, sorted and without repeats; it borrows from the registry or the
/// permissions it was computed from, or, as a `ToolSet<'static>`, owns them (see
/// [`ToolSet::into_owned`]). Two sets are equal when they hold the same names, wherever
/// they keep them.
#[derive(Clone)]
pub struct ToolSet<'a>(Repr<'a>);

impl PartialEq for ToolSet<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl Eq for ToolSet<'_> {}

impl<'a> ToolSet<'a> {
    pub(crate) fn registry(names: &'a Arc<SortedNames>) -> Self {
        Self(Repr::Registry(names))
    }

    /// INVARIANT: callers pass names sorted and without repeats.
    pub(crate) fn from_sorted(names: Vec<&'a str>) -> Self {
        debug_assert!(names.windows(2).all(|w| w.first() < w.get(1)));
        Self(Repr::Borrowed(names))
    }

    /// The same set, owning its names: a server's own list is shared with the registry
    /// (a reference count), names borrowed from permissions are copied into one string.
    #[must_use]
    pub fn into_owned(self) -> ToolSet<'static> {
        ToolSet(Repr::Shared(match self.0 {
            Repr::Registry(names) => Arc::clone(names),
            Repr::Shared(names) => names,
            Repr::Borrowed(names) => Arc::new(SortedNames::from_strs(names)),
        }))
    }

    /// Whether `tool` is in the set.
    #[must_use]
    pub fn contains(&self, tool: &str) -> bool {
        match &self.0 {
            Repr::Registry(names) => names.contains(tool),
            Repr::Shared(names) => names.contains(tool),
            Repr::Borrowed(names) => contains_sorted(names, tool),
        }
    }

    /// The number of tools.
    #[must_use]
    pub fn len(&self) -> usize {
        match &self.0 {
            Repr::Registry(names) => names.len(),
            Repr::Shared(names) => names.len(),
            Repr::Borrowed(names) => names.len(),
        }
    }

    /// Whether the set is empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The tools in sorted order.
    #[must_use = "iterators are lazy"]
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        let (registry, owned): (Option<&SortedNames>, &[&str]) = match &self.0 {
            Repr::Registry(names) => (Some(names), &[]),
            Repr::Shared(names) => (Some(names), &[]),
            Repr::Borrowed(names) => (None, names),
        };
        ToolIter {
            registry,
            spans: registry.map_or(&[][..], |r| &r.spans).iter(),
            owned: owned.iter(),
        }
    }
}

struct ToolIter<'s> {
    registry: Option<&'s SortedNames>,
    spans: std::slice::Iter<'s, Span>,
    owned: std::slice::Iter<'s, &'s str>,
}

impl<'s> Iterator for ToolIter<'s> {
    type Item = &'s str;
    fn next(&mut self) -> Option<&'s str> {
        match (self.registry, self.spans.next()) {
            (Some(registry), Some(&span)) => Some(registry.at(span)),
            _ => self.owned.next().copied(),
        }
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.spans.len() + self.owned.len();
        (n, Some(n))
    }
}

impl ExactSizeIterator for ToolIter<'_> {}

impl fmt::Debug for ToolSet<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

impl Serialize for ToolSet<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.len()))?;
        for tool in self.iter() {
            seq.serialize_element(tool)?;
        }
        seq.end()
    }
}

/// A tool scope prepared for many questions: the set's [`NameFilter`] answers most of
/// them before the set is searched.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ScopeFilter<'s, 'a> {
    scope: &'s ToolScope<'a>,
    filter: NameFilter,
}

impl<'s, 'a> ScopeFilter<'s, 'a> {
    pub(crate) fn new(scope: &'s ToolScope<'a>) -> Self {
        let filter = match scope {
            ToolScope::All => NameFilter::default(),
            ToolScope::AllExcept(set) | ToolScope::Only(set) => NameFilter::new(set.iter()),
        };
        Self { scope, filter }
    }

    /// [`ToolScope::allows`].
    #[inline]
    pub(crate) fn allows(&self, tool: &str) -> bool {
        match self.scope {
            ToolScope::All => true,
            ToolScope::AllExcept(denied) => {
                !(self.filter.may_contain(tool) && denied.contains(tool))
            }
            ToolScope::Only(allowed) => self.filter.may_contain(tool) && allowed.contains(tool),
        }
    }
}

/// Which tools of a visible server a caller may list and call.
///
/// ```
/// use mcp_authz::{McpServer, ObjectPermission, Request, ServerRegistry, ToolScope};
///
/// let registry = ServerRegistry::new([
///     McpServer::new("srv-a"),
///     McpServer::new("srv-b").with_disallowed_tools(["drop"]),
///     McpServer::new("srv-c"),
/// ])?;
/// let key = ObjectPermission::new()
///     .with_servers(["srv-a", "srv-b"])
///     .with_tool_permission("srv-c", ["read"]);
/// let resolution = registry.resolve_allowed_servers(&Request::new().key(&key));
/// assert_eq!(resolution.tool_scope("srv-a"), Some(&ToolScope::All));
/// match resolution.tool_scope("srv-b") {
///     Some(ToolScope::AllExcept(denied)) => assert_eq!(denied.iter().collect::<Vec<_>>(), ["drop"]),
///     other => panic!("{other:?}"),
/// }
/// let only = resolution.tool_scope("srv-c").unwrap();
/// assert!(only.allows("read") && !only.allows("write"));
/// assert_eq!(serde_json::to_string(only)?, r#"{"allow":["read"]}"#);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ToolScope<'a> {
    /// Every tool the server offers.
    All,
    /// Every tool but these (the server's own denylist).
    AllExcept(ToolSet<'a>),
    /// Only these tools; an empty set allows none (the server is listed, every call to it
    /// is denied).
    Only(ToolSet<'a>),
}

impl ToolScope<'_> {
    /// The same scope, owning its tool names (see [`ToolSet::into_owned`]).
    #[must_use]
    pub fn into_owned(self) -> ToolScope<'static> {
        match self {
            Self::All => ToolScope::All,
            Self::AllExcept(set) => ToolScope::AllExcept(set.into_owned()),
            Self::Only(set) => ToolScope::Only(set.into_owned()),
        }
    }

    /// Whether the scope allows `tool`.
    #[must_use]
    pub fn allows(&self, tool: &str) -> bool {
        match self {
            Self::All => true,
            Self::AllExcept(denied) => !denied.contains(tool),
            Self::Only(allowed) => allowed.contains(tool),
        }
    }

    /// Whether the scope allows no tool at all (the server is listed, and every call to it
    /// is denied).
    #[must_use]
    pub fn allows_no_tool(&self) -> bool {
        matches!(self, Self::Only(set) if set.is_empty())
    }
}

/// Serializes as the scenario format's `tools` object: `{"allow": "*"}`,
/// `{"allow": "*", "deny": [...]}` or `{"allow": [...]}`.
impl Serialize for ToolScope<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        match self {
            Self::All => map.serialize_entry("allow", "*")?,
            Self::AllExcept(denied) => {
                map.serialize_entry("allow", "*")?;
                map.serialize_entry("deny", denied)?;
            }
            Self::Only(allowed) => map.serialize_entry("allow", allowed)?,
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_comparison_agrees_with_str() {
        let names = [
            "",
            "a",
            "a\0",
            "ab",
            "tool_001",
            "tool_0010",
            "tool_002",
            "tool_00",
            "tool_",
            "toolbox_long_name",
            "toolbox_long_namf",
            "z",
            "\u{e9}t\u{e9}",
        ];
        for a in names {
            for b in names {
                assert_eq!(cmp_names(a, b), a.cmp(b), "{a:?} {b:?}");
                assert_eq!(eq_names(a, b), a == b, "{a:?} {b:?}");
                assert_eq!(contains_sorted(&[b], a), a == b, "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn sorted_names_find_names_that_share_a_head() {
        let members = [
            "toolbox_a",
            "toolbox_b",
            "toolbox_",
            "toolbox",
            "a",
            "a\0",
            "tool_001",
            "toolbox_long_name",
        ];
        let names = SortedNames::new(members.iter().map(|&m| m.into()).collect());
        for m in members {
            assert!(names.contains(m), "{m:?}");
        }
        for other in [
            "toolbox_c",
            "toolbox_long_namf",
            "toolbo",
            "a\0\0",
            "",
            "tool_002",
            "b",
        ] {
            assert!(!names.contains(other), "{other:?}");
        }
        assert!(!SortedNames::default().contains(""));
    }

    #[test]
    fn the_hash_table_and_the_sorted_search_agree() {
        // Names that share heads, tails and lengths, short and long, so probes collide.
        let pool: Vec<String> = (0..120)
            .map(|i| match i % 4 {
                0 => format!("tool_{i:03}"),
                1 => format!("t{i}"),
                2 => format!("toolbox_{i}_suffix"),
                _ => format!("{i}_toolbox_suffix"),
            })
            .collect();
        for len in [0, 1, 2, 3, 7, 8, 9, 31, 60] {
            for offset in [0, 13, 57] {
                let members: Vec<&str> = pool
                    .iter()
                    .cycle()
                    .skip(offset)
                    .take(len)
                    .map(String::as_str)
                    .collect();
                let names = SortedNames::from_strs(members.clone());
                assert_eq!(names.slots.is_empty(), len == 0);
                for query in pool.iter().map(String::as_str).chain(["", "tool_", "t"]) {
                    let member = members.contains(&query);
                    assert_eq!(names.contains(query), member, "{len} {offset} {query:?}");
                    assert_eq!(names.search(query), member, "{len} {offset} {query:?}");
                }
            }
        }
        // A list too long for the table's indexes is searched.
        let long: Vec<String> = (0..40_000).map(|i| format!("t{i}")).collect();
        let names = SortedNames::from_strs(long.iter().map(String::as_str).collect());
        assert!(names.slots.is_empty());
        assert!(names.contains("t39999") && names.contains("t0") && !names.contains("t40000"));
    }

    #[test]
    fn name_filter_never_says_no_to_a_member() {
        let members: Vec<String> = (0..300).map(|i| format!("tool_{i}")).collect();
        let filter = NameFilter::new(members.iter().map(String::as_str));
        assert!(members.iter().all(|m| filter.may_contain(m)));
        let small = NameFilter::new(["create_issue", "list_repos", "x"]);
        assert!(small.may_contain("create_issue") && small.may_contain("x"));
        let outside = (0..1000)
            .filter(|i| small.may_contain(&format!("other_{i}")))
            .count();
        assert!(
            outside < 100,
            "{outside} of 1000 outsiders pass a 3-name filter"
        );
        assert!(!NameFilter::default().may_contain("x"));
    }

    #[test]
    fn scope_filters_agree_with_scopes() {
        let names = Arc::new(SortedNames::new(vec!["b".into(), "tool_1".into()]));
        let only = ToolScope::Only(ToolSet::from_sorted(vec!["a", "tool_2"]));
        let except = ToolScope::AllExcept(ToolSet::registry(&names));
        for scope in [ToolScope::All, only, except] {
            let filter = ScopeFilter::new(&scope);
            for tool in ["a", "b", "c", "tool_1", "tool_2", ""] {
                assert_eq!(filter.allows(tool), scope.allows(tool), "{scope:?} {tool}");
            }
        }
    }

    #[test]
    fn scopes_allow_what_they_say() {
        let names = Arc::new(SortedNames::new(vec!["b".into(), "a".into(), "b".into()]));
        assert_eq!(names.len(), 2);
        let denied = ToolScope::AllExcept(ToolSet::registry(&names));
        assert!(!denied.allows("a"));
        assert!(denied.allows("c"));
        let only = ToolScope::Only(ToolSet::from_sorted(vec!["x", "y"]));
        assert!(only.allows("y"));
        assert!(!only.allows("z"));
        assert!(ToolScope::All.allows(""));
        assert!(ToolScope::Only(ToolSet::from_sorted(vec![])).allows_no_tool());
        assert!(!only.allows_no_tool());
    }

    #[test]
    fn sets_with_the_same_names_are_equal_wherever_they_borrow_from() {
        let names = Arc::new(SortedNames::new(vec!["a".into(), "b".into()]));
        assert_eq!(
            ToolSet::registry(&names),
            ToolSet::from_sorted(vec!["a", "b"])
        );
        assert_ne!(ToolSet::registry(&names), ToolSet::from_sorted(vec!["a"]));
    }

    #[test]
    fn scopes_serialize_in_scenario_form() {
        let names = Arc::new(SortedNames::new(vec!["del".into()]));
        let json = |scope: &ToolScope<'_>| serde_json::to_string(scope).unwrap();
        assert_eq!(json(&ToolScope::All), r#"{"allow":"*"}"#);
        assert_eq!(
            json(&ToolScope::AllExcept(ToolSet::registry(&names))),
            r#"{"allow":"*","deny":["del"]}"#
        );
        assert_eq!(
            json(&ToolScope::Only(ToolSet::from_sorted(vec!["a", "b"]))),
            r#"{"allow":["a","b"]}"#
        );
    }
}
