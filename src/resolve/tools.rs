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
use std::sync::Arc;

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
    entry: &'a Entry,
    pub(crate) allow: Option<&'a Arc<SortedNames>>,
    pub(crate) deny: Option<&'a Arc<SortedNames>>,
}

impl<'a> ServerFilter<'a> {
    pub(crate) fn new(entry: &'a Entry, purpose: Purpose, rules: Rules) -> Self {
        let allow = entry.allow.as_ref();
        let ignore_deny = purpose == Purpose::Call
            && rules.call_ignores_denylist_under_allowlist
            && allow.is_some();
        let deny = Some(&entry.deny).filter(|d| !ignore_deny && !d.is_empty());
        Self { entry, allow, deny }
    }

    /// Whether the server's own lists let `tool` through.
    pub(crate) fn allows(&self, tool: &str) -> bool {
        self.allow.is_none_or(|a| a.contains(tool)) && self.deny.is_none_or(|d| !d.contains(tool))
    }

    /// The scope when no level restricts.
    fn unrestricted(&self) -> ToolScope<'a> {
        match (self.allow, self.deny) {
            (None, None) => ToolScope::All,
            (None, Some(deny)) => ToolScope::AllExcept(ToolSet::registry(deny)),
            (Some(allow), None) => ToolScope::Only(ToolSet::registry(allow)),
            (Some(allow), Some(_)) => ToolScope::Only(ToolSet::registry(
                self.entry.allow_not_denied.as_ref().unwrap_or(allow),
            )),
        }
    }
}

/// One level's tool list for one server (SPEC 4.2): its parts, merged by union.
#[derive(Clone, Copy)]
pub(crate) struct LevelList<'l, 'a> {
    pub(crate) level: Level,
    parts: &'l [(u32, ToolPart)],
    permission: &'a ObjectPermission,
    registry: &'a ServerRegistry,
    ids: IdMatch,
}

impl<'l, 'a: 'l> LevelList<'l, 'a> {
    /// The level's list for `server`, or `None` when no part names it.
    pub(crate) fn for_server(
        input: &'l LevelInput<'a, '_>,
        registry: &'a ServerRegistry,
        server: u32,
        ids: IdMatch,
    ) -> Option<Self> {
        let all = input.compiled.tool_lists.as_slice();
        let start = all.partition_point(|&(i, _)| i < server);
        let rest = all.get(start..).unwrap_or_default();
        let len = rest.partition_point(|&(i, _)| i == server);
        let parts = rest.get(..len).unwrap_or_default();
        (!parts.is_empty()).then_some(Self {
            level: input.level,
            parts,
            permission: input.permission,
            registry,
            ids,
        })
    }

    /// The names of one part.
    pub(crate) fn names(&self, part: ToolPart) -> &'a [String] {
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
    pub(crate) fn parts(self) -> impl Iterator<Item = (ToolPart, &'a [String])> + 'l {
        self.parts
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

    pub(crate) fn contains(self, tool: &str) -> bool {
        self.parts()
            .any(|(_, names)| names.iter().any(|t| eq_names(t, tool)))
    }

    /// The number of tools, repeats included.
    fn len(self) -> usize {
        self.parts().map(|(_, names)| names.len()).sum()
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

/// SPEC 4.2 and 7: which levels' tool lists restrict `server`.
pub(crate) fn restrictions<'l, 'a, T: Trace>(
    levels: &'l Levels<'a, '_>,
    registry: &'a ServerRegistry,
    server: u32,
    rules: Rules,
    trace: &mut T,
) -> Restrictions<'l, 'a> {
    let ids = rules.id_match();
    let mut out = Restrictions::default();
    for (level, input) in levels.iter() {
        let Some(input) = input else { continue };
        if let Some(at) = input.compiled.denies_tools {
            out.denied.get_or_insert((level, at));
        }
        let Some(list) = LevelList::for_server(input, registry, server, ids) else {
            continue;
        };
        if let Some(part) = list.wildcard(rules) {
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
        Some(team) if team.is_empty_union() => Some((Level::Team, Ignored::TeamEmpty)),
        Some(_) if out.lists[Level::Key].is_some_and(LevelList::is_empty_union) => {
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

/// SPEC 4.3: the tool scope of a server under its own lists and the level restrictions.
pub(crate) fn scope<'a>(
    filter: ServerFilter<'a>,
    restrictions: &Restrictions<'_, 'a>,
) -> ToolScope<'a> {
    if restrictions.denied.is_some() {
        return ToolScope::Only(ToolSet::from_sorted(Vec::new()));
    }
    let mut lists: Vec<LevelList<'_, 'a>> = Vec::new();
    let mut present = restrictions.lists.0.iter().flatten().copied();
    let Some(mut first) = present.next() else {
        return filter.unrestricted();
    };
    for list in present {
        // The shortest list drives the intersection.
        if list.len() < first.len() {
            lists.push(first);
            first = list;
        } else {
            lists.push(list);
        }
    }
    // Probing the other lists for every tool of the first costs the product of their
    // lengths, and the lists are request input: past a few hundred probes, probe sorted
    // copies of them instead (allocated only for such long lists).
    let probes = first
        .len()
        .saturating_mul(lists.iter().map(|r| r.len()).sum::<usize>());
    let sorted: Vec<Vec<&'a str>> = if probes > LINEAR_PROBES {
        lists
            .iter()
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
            lists.iter().all(|r| r.contains(t))
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
    ToolScope::Only(ToolSet::from_sorted(out))
}
