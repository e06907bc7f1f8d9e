//! SPEC 4: the tool scope of a visible server, from its own lists (4.1) and the levels'
//! tool lists (4.2), combined as the semantics says.

use crate::compile::ToolPart;
use crate::level::{Level, PerLevel};
use crate::permission::{ObjectPermission, WILDCARD};
use crate::registry::{Entry, IdMatch, ServerRegistry};
use crate::resolve::trace::{Event, Ignored, Trace};
use crate::resolve::{LevelInput, Levels};
use crate::semantics::Rules;
use crate::tools::{SortedNames, ToolScope, ToolSet, cmp_names, contains_sorted, eq_names};
use std::sync::{Arc, OnceLock};

/// What a scope is for: listing, or deciding a call (they differ only under LiteLLM
/// 1.106, SPEC 7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Purpose {
    List,
    Call,
}

/// SPEC 4.1: a server's own allow- and denylist, as they apply for `purpose`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ServerFilter<'a> {
    pub(crate) allow: Option<&'a Arc<SortedNames>>,
    pub(crate) deny: Option<&'a Arc<SortedNames>>,
    /// `allow` without `deny`'s tools, when they share some.
    allow_not_denied: Option<&'a Arc<SortedNames>>,
    purpose: Purpose,
}

impl<'a> ServerFilter<'a> {
    pub(crate) fn new(entry: &'a Entry, purpose: Purpose, rules: Rules) -> Self {
        Self::of(
            entry.allow.as_ref(),
            &entry.deny,
            entry.allow_not_denied.as_ref(),
            purpose,
            rules,
        )
    }

    /// The filter of a server with these lists (the registry builds its entries' own
    /// scopes with it).
    pub(crate) fn of(
        allow: Option<&'a Arc<SortedNames>>,
        deny: &'a Arc<SortedNames>,
        allow_not_denied: Option<&'a Arc<SortedNames>>,
        purpose: Purpose,
        rules: Rules,
    ) -> Self {
        let ignore_deny = purpose == Purpose::Call
            && rules.call_ignores_denylist_under_allowlist
            && allow.is_some();
        let deny = Some(deny).filter(|d| !ignore_deny && !d.is_empty());
        Self {
            allow,
            deny,
            allow_not_denied,
            purpose,
        }
    }

    /// Whether the server's own lists let `tool` through.
    pub(crate) fn allows(&self, tool: &str) -> bool {
        self.allow.is_none_or(|a| a.contains(tool)) && self.deny.is_none_or(|d| !d.contains(tool))
    }

    /// The scope when no level restricts.
    pub(crate) fn unrestricted(&self) -> ToolScope<'a> {
        match (self.allow, self.deny) {
            (None, None) => ToolScope::All,
            (None, Some(deny)) => ToolScope::AllExcept(ToolSet::registry(deny)),
            (Some(allow), None) => ToolScope::Only(ToolSet::registry(allow)),
            (Some(allow), Some(_)) => {
                ToolScope::Only(ToolSet::registry(self.allow_not_denied.unwrap_or(allow)))
            }
        }
    }
}

/// SPEC 7 (1.106): whether calls to a server are decided by another scope than its
/// listing (a call ignores `disallowed_tools` under `allowed_tools`).
pub(crate) fn calls_differ(entry: &Entry, rules: Rules) -> bool {
    ServerFilter::new(entry, Purpose::Call, rules)
        .deny
        .is_none()
        && !entry.deny.is_empty()
}

/// A server's scopes when no level restricts it, for listing and, where it differs, for
/// calls: computed once, when the registry is built, so that a resolution keeps nothing
/// for such a server but its index.
#[derive(Debug)]
pub(crate) struct OwnScopes {
    pub(crate) list: ToolScope<'static>,
    /// The call scope when [`calls_differ`].
    call: Option<ToolScope<'static>>,
}

impl OwnScopes {
    pub(crate) fn new(
        allow: Option<&Arc<SortedNames>>,
        deny: &Arc<SortedNames>,
        allow_not_denied: Option<&Arc<SortedNames>>,
    ) -> Self {
        // The call scope only differs under rules whose calls ignore the denylist; listing
        // is the same under every rule set.
        let rules = Rules {
            call_ignores_denylist_under_allowlist: true,
            ..Rules::DEFAULT
        };
        let call = ServerFilter::of(allow, deny, allow_not_denied, Purpose::Call, rules);
        Self {
            list: ServerFilter::of(allow, deny, allow_not_denied, Purpose::List, rules)
                .unrestricted()
                .into_owned(),
            call: (call.deny.is_none() && !deny.is_empty())
                .then(|| call.unrestricted().into_owned()),
        }
    }

    /// The call scope under `rules`, where it differs from the listing.
    pub(crate) fn call(&self, entry: &Entry, rules: Rules) -> Option<&ToolScope<'static>> {
        self.call.as_ref().filter(|_| calls_differ(entry, rules))
    }
}

/// One level's tool list for one server (SPEC 4.2): `tool_servers[at]` of the level's
/// compiled form. Small (the resolver keeps one per level for each server it restricts);
/// what it holds is read from the level.
#[derive(Clone, Copy)]
pub(crate) struct LevelList<'l, 'a> {
    input: &'l LevelInput<'a, 'l>,
    registry: &'a ServerRegistry,
    at: u32,
    ids: IdMatch,
}

/// Tool-list parts with what their names are read from.
#[derive(Clone, Copy)]
pub(crate) struct Parts<'l, 'a> {
    entries: &'l [(u32, ToolPart)],
    permission: &'a ObjectPermission,
    registry: &'a ServerRegistry,
    ids: IdMatch,
}

/// What the resolver asks of a level's list for a server, computed when the level is
/// compiled ([`Parts::summarize`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Summary {
    /// [`Parts::wildcard`].
    wildcard: Option<ToolPart>,
    /// [`Parts::is_empty_union`].
    empty_union: bool,
    /// The number of tools, repeats included ([`LevelList::len`]).
    len: usize,
}

/// A level's tool-list parts for one server: `tool_lists[start..end]` of its
/// compiled level, with their summary.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ServerTools {
    pub(crate) server: u32,
    start: u32,
    end: u32,
    summary: Summary,
}

impl ServerTools {
    /// The summaries of every server's parts in `tool_lists` (sorted by server).
    pub(crate) fn group(
        tool_lists: &[(u32, ToolPart)],
        permission: &ObjectPermission,
        registry: &ServerRegistry,
        rules: Rules,
    ) -> Vec<ServerTools> {
        let mut out = Vec::new();
        let mut start = 0;
        while let Some(&(server, _)) = tool_lists.get(start) {
            let rest = tool_lists.get(start..).unwrap_or_default();
            let len = rest.partition_point(|&(i, _)| i == server);
            let end = start + len;
            let list = Parts {
                entries: rest.get(..len).unwrap_or_default(),
                permission,
                registry,
                ids: rules.id_match(),
            };
            if out.is_empty() {
                out.reserve_exact(tool_lists.len());
            }
            // A list longer than 4G parts cannot come from a permission that fits in memory.
            if let (Ok(s), Ok(e)) = (u32::try_from(start), u32::try_from(end)) {
                out.push(ServerTools {
                    server,
                    start: s,
                    end: e,
                    summary: list.summarize(rules),
                });
            }
            start = end;
        }
        out
    }
}

/// Walks a level's [`ServerTools`] forward, for servers asked in ascending order: the
/// resolver merges the visible servers with each level's lists instead of searching.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Cursor {
    at: usize,
}

impl Cursor {
    /// Whether the level has a list for `server`, which is at or after the last server
    /// asked for.
    pub(crate) fn has(&mut self, input: &LevelInput<'_, '_>, server: u32) -> bool {
        let all = input.compiled.tool_servers.as_slice();
        while all.get(self.at).is_some_and(|t| t.server < server) {
            self.at += 1;
        }
        all.get(self.at).is_some_and(|t| t.server == server)
    }

    /// The level's list for `server`, likewise.
    pub(crate) fn seek<'l, 'a>(
        &mut self,
        input: &'l LevelInput<'a, '_>,
        registry: &'a ServerRegistry,
        server: u32,
        ids: IdMatch,
    ) -> Option<LevelList<'l, 'a>> {
        if !self.has(input, server) {
            return None;
        }
        LevelList::at(input, registry, self.at, ids)
    }
}

impl<'l, 'a: 'l> LevelList<'l, 'a> {
    /// The list of `input.compiled.tool_servers[at]`.
    fn at(
        input: &'l LevelInput<'a, '_>,
        registry: &'a ServerRegistry,
        at: usize,
        ids: IdMatch,
    ) -> Option<Self> {
        input.compiled.tool_servers.get(at)?;
        Some(Self {
            input,
            registry,
            at: u32::try_from(at).ok()?,
            ids,
        })
    }

    /// The level whose list this is.
    pub(crate) fn level(self) -> Level {
        self.input.level
    }

    /// What compilation found out about the list: the resolver asks on every request.
    fn summary(self) -> Summary {
        self.tools().map(|t| t.summary).unwrap_or_default()
    }

    fn tools(self) -> Option<&'l ServerTools> {
        self.input.compiled.tool_servers.get(self.at as usize)
    }

    /// Where the scope this list gives alone is kept, when its level keeps one.
    fn memo(self) -> Option<&'a ScopeMemo> {
        self.input.memos.get(self.at as usize)
    }

    /// The list's parts.
    fn of_parts(self) -> Parts<'l, 'a> {
        let parts = self.tools().map_or(&[][..], |t| {
            self.input
                .compiled
                .tool_lists
                .get(t.start as usize..t.end as usize)
                .unwrap_or_default()
        });
        Parts {
            entries: parts,
            permission: self.input.permission,
            registry: self.registry,
            ids: self.ids,
        }
    }

    /// The parts with their names.
    pub(crate) fn parts(self) -> impl Iterator<Item = (ToolPart, &'a [String])> + 'l {
        self.of_parts().parts()
    }

    pub(crate) fn contains(self, tool: &str) -> bool {
        self.of_parts().contains(tool)
    }

    /// The number of tools, repeats included.
    fn len(self) -> usize {
        self.summary().len
    }

    fn iter(self) -> impl Iterator<Item = &'a str> + 'l {
        self.of_parts().iter()
    }

    /// The level's list for `server`, or `None` when no part names it.
    pub(crate) fn for_server(
        input: &'l LevelInput<'a, '_>,
        registry: &'a ServerRegistry,
        server: u32,
        ids: IdMatch,
    ) -> Option<Self> {
        let all = input.compiled.tool_servers.as_slice();
        let at = all.binary_search_by_key(&server, |t| t.server).ok()?;
        Self::at(input, registry, at, ids)
    }
}

impl<'l, 'a: 'l> Parts<'l, 'a> {
    /// What the resolver will ask of this list.
    fn summarize(self, rules: Rules) -> Summary {
        Summary {
            wildcard: self.wildcard(rules),
            empty_union: self.is_empty_union(),
            len: self.parts().map(|(_, names)| names.len()).sum(),
        }
    }

    /// The names of one part.
    fn names(&self, part: ToolPart) -> &'a [String] {
        let (registry, permission) = (self.registry, self.permission);
        match part {
            ToolPart::Entry(at) => permission
                .tool_entry(at as usize)
                .map_or(&[][..], |(_, tools)| tools.as_slice()),
            ToolPart::Toolset { toolset, group, .. } => registry
                .toolset(toolset)
                .and_then(|t| t.groups(self.ids).get(group as usize))
                .map_or(&[][..], |g| g.tools.as_slice()),
        }
    }

    /// The parts with their names.
    fn parts(self) -> impl Iterator<Item = (ToolPart, &'a [String])> + 'l {
        self.entries
            .iter()
            .map(move |&(_, part)| (part, self.names(part)))
    }

    /// SPEC 4.2 and 7: the part whose `"*"` makes the list no restriction (under LiteLLM
    /// a toolset's `"*"` is a tool named `*`).
    fn wildcard(self, rules: Rules) -> Option<ToolPart> {
        self.parts()
            .find(|&(part, names)| {
                let literal =
                    matches!(part, ToolPart::Toolset { .. }) && rules.toolset_wildcard_is_literal();
                !literal && names.iter().any(|t| t == WILDCARD)
            })
            .map(|(part, _)| part)
    }

    /// Whether every part is `[]`.
    fn is_empty_union(self) -> bool {
        self.parts().all(|(_, names)| names.is_empty())
    }

    fn contains(self, tool: &str) -> bool {
        self.parts()
            .any(|(_, names)| names.iter().any(|t| eq_names(t, tool)))
    }

    fn iter(self) -> impl Iterator<Item = &'a str> + 'l {
        self.parts()
            .flat_map(|(_, names)| names.iter().map(String::as_str))
    }
}

/// The level tool lists that restrict one server, at most one per level, and the level
/// whose toolsets deny every tool.
#[derive(Default)]
pub(crate) struct Restrictions<'l, 'a> {
    pub(crate) lists: PerLevel<Option<LevelList<'l, 'a>>>,
    pub(crate) denied: Option<(Level, u32)>,
}

/// SPEC 7: the first level whose toolsets deny every tool, and the entry that does.
pub(crate) fn denied(levels: &Levels<'_, '_>) -> Option<(Level, u32)> {
    levels
        .iter()
        .find_map(|(level, input)| Some((level, input.as_ref()?.compiled.denies_tools?)))
}

/// SPEC 4.2 and 7: which levels' tool lists restrict `server`.
pub(crate) fn restrictions<'l, 'a, T: Trace>(
    levels: &'l Levels<'a, '_>,
    registry: &'a ServerRegistry,
    server: u32,
    rules: Rules,
    trace: &mut T,
) -> Restrictions<'l, 'a> {
    let ids = rules.id_match();
    restrict(
        levels,
        |_, input| LevelList::for_server(input, registry, server, ids),
        server,
        rules,
        trace,
    )
}

/// [`restrictions`], with each level's list for `server` found by `find` (a search, or
/// a [`Cursor`]).
#[inline]
pub(crate) fn restrict<'l, 'a: 'l, 'c: 'l, T: Trace>(
    levels: &'l Levels<'a, 'c>,
    mut find: impl FnMut(Level, &'l LevelInput<'a, 'c>) -> Option<LevelList<'l, 'a>>,
    server: u32,
    rules: Rules,
    trace: &mut T,
) -> Restrictions<'l, 'a> {
    let mut out = Restrictions {
        lists: PerLevel::default(),
        denied: denied(levels),
    };
    for (level, input) in levels.iter() {
        let Some(input) = input else { continue };
        let Some(list) = find(level, input) else {
            continue;
        };
        if let Some(part) = list.summary().wildcard {
            if T::ON {
                trace.event(Event::ToolListIgnored {
                    server,
                    level,
                    why: Ignored::Wildcard(part),
                });
            }
            continue;
        }
        out.lists[level] = Some(list);
    }
    if rules.key_and_team_tool_lists_by_truthiness {
        by_truthiness(&mut out, server, trace);
    }
    out
}

/// SPEC 7 (1.106): a team's `[]` counts as no list, and a key's `[]` is ignored under a
/// team's non-empty list.
fn by_truthiness<T: Trace>(out: &mut Restrictions<'_, '_>, server: u32, trace: &mut T) {
    let ignored = match out.lists[Level::Team] {
        Some(team) if team.summary().empty_union => Some((Level::Team, Ignored::TeamEmpty)),
        Some(_) if out.lists[Level::Key].is_some_and(|key| key.summary().empty_union) => {
            Some((Level::Key, Ignored::KeyEmpty))
        }
        _ => None,
    };
    if let Some((level, why)) = ignored {
        out.lists[level] = None;
        if T::ON {
            trace.event(Event::ToolListIgnored { server, level, why });
        }
    }
}

/// Up to this many probes, a tool is looked for in the other restrictions' lists directly.
const LINEAR_PROBES: usize = 256;

/// Whether a server's scope is its own ([`OwnScopes`]): no level's toolsets deny every
/// tool and no level's tool list applies to it.
pub(crate) fn is_own(denied: Option<(Level, u32)>, listed: bool) -> bool {
    denied.is_none() && !listed
}

/// The tools one level's list leaves a server on its own (SPEC 4.3 with that list as the
/// only restriction), for listing and for calls: computed by the first request that
/// needs them and kept with the compiled level
/// ([`CompiledPermission`](crate::CompiledPermission)), so that the requests after it
/// borrow them, and intersect them when several levels restrict the server, instead of
/// filtering, intersecting and sorting the lists again.
#[derive(Debug, Clone, Default)]
pub(crate) struct ScopeMemo {
    list: OnceLock<Arc<SortedNames>>,
    call: OnceLock<Arc<SortedNames>>,
}

impl ScopeMemo {
    /// The tools `list` leaves the server under `filter`.
    fn get<'a>(
        &'a self,
        filter: ServerFilter<'a>,
        list: LevelList<'_, 'a>,
    ) -> &'a Arc<SortedNames> {
        let memo = match filter.purpose {
            Purpose::List => &self.list,
            Purpose::Call => &self.call,
        };
        memo.get_or_init(|| {
            Arc::new(SortedNames::from_strs(intersect(
                filter,
                list,
                std::iter::empty(),
            )))
        })
    }
}

/// SPEC 4.3: the tool scope of a server under its own lists and the level restrictions.
pub(crate) fn scope<'a>(
    filter: ServerFilter<'a>,
    restrictions: &Restrictions<'_, 'a>,
) -> ToolScope<'a> {
    if restrictions.denied.is_some() {
        return ToolScope::Only(ToolSet::from_sorted(Vec::new()));
    }
    let mut present = restrictions.lists.0.iter().flatten().copied();
    let Some(first) = present.next() else {
        return filter.unrestricted();
    };
    if !restrictions
        .lists
        .0
        .iter()
        .flatten()
        .all(|l| l.memo().is_some())
    {
        return ToolScope::Only(ToolSet::from_sorted(intersect(filter, first, present)));
    }
    // Every list keeps what it leaves the server alone: intersect those.
    let mut sets = [None; Level::COUNT];
    let mut n = 0;
    for list in restrictions.lists.0.iter().flatten() {
        if let (Some(memo), Some(slot)) = (list.memo(), sets.get_mut(n)) {
            *slot = Some(memo.get(filter, *list));
            n += 1;
        }
    }
    let sets = sets.iter().flatten();
    let Some(driver) = sets.clone().min_by_key(|s| s.len()) else {
        return filter.unrestricted();
    };
    if n == 1 {
        return ToolScope::Only(ToolSet::registry(driver));
    }
    let out: Vec<&'a str> = driver
        .iter()
        .filter(|&t| {
            sets.clone()
                .all(|s| std::ptr::eq(s, driver) || s.contains(t))
        })
        .collect();
    ToolScope::Only(ToolSet::from_sorted(out))
}

/// The tools of `filter` that `first` and every list of `rest` hold, sorted, without
/// repeats.
fn intersect<'l, 'a: 'l>(
    filter: ServerFilter<'a>,
    mut first: LevelList<'l, 'a>,
    rest: impl Iterator<Item = LevelList<'l, 'a>>,
) -> Vec<&'a str> {
    // At most one list per level: the others, on the stack.
    let mut others = [None; Level::COUNT];
    let mut n = 0;
    for list in rest {
        // The shortest list drives the intersection.
        let other = if list.len() < first.len() {
            std::mem::replace(&mut first, list)
        } else {
            list
        };
        if let Some(slot) = others.get_mut(n) {
            *slot = Some(other);
            n += 1;
        }
    }
    let lists = others.iter().flatten();
    // Probing the other lists for every tool of the first costs the product of their
    // lengths, and the lists are request input: past a few hundred probes, probe sorted
    // copies of them instead (allocated only for such long lists).
    let probes = first
        .len()
        .saturating_mul(lists.clone().map(|r| r.len()).sum::<usize>());
    let sorted: Vec<Vec<&'a str>> = if probes > LINEAR_PROBES {
        lists
            .clone()
            .map(|r| {
                let mut names: Vec<&'a str> = r.iter().collect();
                names.sort_unstable_by(|a, b| cmp_names(a, b));
                names.dedup();
                names
            })
            .collect()
    } else {
        Vec::new()
    };
    let in_rest = |t: &str| {
        if sorted.is_empty() {
            lists.clone().all(|r| r.contains(t))
        } else {
            sorted.iter().all(|names| contains_sorted(names, t))
        }
    };
    let mut out: Vec<&'a str> = Vec::new();
    for t in first.iter() {
        if filter.allows(t) && in_rest(t) {
            if out.is_empty() {
                out.reserve_exact(first.len());
            }
            out.push(t);
        }
    }
    out.sort_unstable_by(|a, b| cmp_names(a, b));
    out.dedup();
    out
}
