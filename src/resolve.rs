//! The resolver: from a request's permissions to the visible servers and their tools.
//!
//! Both semantics run through this one code path; where they differ, the difference is a
//! branch on `Semantics` at the single point that differs.

use crate::groups::AccessGroups;
use crate::permission::ObjectPermission;
use crate::registry::{Entry, ServerRegistry};
use crate::request::{EndUser, Request, Semantics};
use crate::resolution::{RequestedOutcome, Resolution, Visible};
use crate::tools::{ToolScope, ToolSet, cmp_names, contains_sorted, eq_names};

/// LiteLLM's sentinel: in a key's `mcp_servers`, the caller sees no server at all.
pub(crate) const NO_MCP_SERVERS: &str = "no-mcp-servers";
/// LiteLLM's sentinel: in a team's `mcp_servers`, every registry server.
pub(crate) const ALL_PROXY_MCP_SERVERS: &str = "all-proxy-mcpservers";
/// In a tool list, "no restriction".
pub(crate) const WILDCARD: &str = "*";

/// A permission level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// The key (virtual key / API key).
    Key,
    /// The key's team.
    Team,
    /// The identified end user.
    EndUser,
}

impl Level {
    /// The level's name as used in permission paths: `key`, `team`, `end_user`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Key => "key",
            Self::Team => "team",
            Self::EndUser => "end_user",
        }
    }
}

/// How a level's permission reached a server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Via<'a> {
    /// An `mcp_servers` entry.
    Server(&'a str),
    /// An `mcp_access_groups` entry.
    Group(&'a str),
    /// An `mcp_tool_permissions` key.
    ToolPermission(&'a str),
    /// The team's `all-proxy-mcpservers` sentinel.
    AllProxy,
}

/// Observes the resolver. Resolution uses [`NoTrace`], whose empty methods compile away;
/// explanations record what they are told.
pub(crate) trait Trace<'a> {
    /// `level` grants server `index` through `via`.
    fn grant(&mut self, level: Level, index: u32, via: Via<'a>);
    /// A reference of `level` (through `via`) matched no server.
    fn unmatched(&mut self, level: Level, via: Via<'a>);
}

/// Records nothing.
pub(crate) struct NoTrace;

impl<'a> Trace<'a> for NoTrace {
    #[inline(always)]
    fn grant(&mut self, _: Level, _: u32, _: Via<'a>) {}
    #[inline(always)]
    fn unmatched(&mut self, _: Level, _: Via<'a>) {}
}

/// What one level grants: every server (the team sentinel) or a sorted set of indices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Grant {
    All,
    Some(Vec<u32>),
}

impl Grant {
    fn intersect(self, other: &Grant) -> Grant {
        match (self, other) {
            (a, Grant::All) => a,
            (Grant::All, b) => b.clone(),
            (Grant::Some(mut a), Grant::Some(b)) => {
                retain_sorted(&mut a, b);
                Grant::Some(a)
            }
        }
    }
}

/// Keeps the elements of sorted `a` that are in sorted `b`.
pub(crate) fn retain_sorted(a: &mut Vec<u32>, b: &[u32]) {
    let mut j = 0;
    a.retain(|x| {
        while b.get(j).is_some_and(|y| y < x) {
            j += 1;
        }
        b.get(j) == Some(x)
    });
}

fn sort_dedup(v: &mut Vec<u32>) {
    if v.len() < RADIX_MIN {
        v.sort_unstable();
    } else {
        radix_sort(v);
    }
    v.dedup();
}

/// From this length on, server indices are radix-sorted: a permission with hundreds of
/// references grants lists that a comparison sort spends most of the resolve on.
const RADIX_MIN: usize = 256;

/// Sorts `v` by least-significant-digit radix sort on bytes: a pass per byte of the
/// largest index (three for a registry under 16M servers), each linear in `v`'s length.
fn radix_sort(v: &mut Vec<u32>) {
    let max = v.iter().copied().max().unwrap_or(0);
    let mut to: Vec<u32> = Vec::with_capacity(v.capacity());
    to.resize(v.len(), 0);
    let mut shift = 0;
    while shift < u32::BITS && max >> shift != 0 {
        let digit = |x: u32| ((x >> shift) & 0xff) as usize;
        let mut offsets = [0usize; 256];
        for &x in v.iter() {
            if let Some(count) = offsets.get_mut(digit(x)) {
                *count += 1;
            }
        }
        let mut total = 0;
        for offset in &mut offsets {
            let count = *offset;
            *offset = total;
            total += count;
        }
        for &x in v.iter() {
            if let Some(offset) = offsets.get_mut(digit(x)) {
                if let Some(slot) = to.get_mut(*offset) {
                    *slot = x;
                }
                *offset += 1;
            }
        }
        std::mem::swap(v, &mut to);
        shift += 8;
    }
}

/// Servers per access group that a level's grant reserves room for.
const GROUP_ROOM: usize = 8;

/// A level's resolved `mcp_tool_permissions`: (server, tools), sorted by server.
type ToolLists<'a> = Vec<(u32, &'a [String])>;

/// The tool lists of the key, the team and the end user.
#[derive(Default)]
struct LevelLists<'a> {
    key: ToolLists<'a>,
    team: ToolLists<'a>,
    end_user: ToolLists<'a>,
}

/// The parts of a request every step needs.
struct Ctx<'a, 'r> {
    registry: &'a ServerRegistry,
    groups: Option<&'r dyn AccessGroups>,
    uuids: bool,
    tool_permissions_grant: bool,
}

impl<'a> Ctx<'a, '_> {
    /// Calls `f` with every registry server in `group`.
    fn for_group(&self, group: &str, mut f: impl FnMut(u32)) {
        match self.groups {
            None => self.registry.group(group).iter().for_each(|&i| f(i)),
            Some(lookup) => lookup.visit_members(group, &mut |id| {
                if let Some(i) = self.registry.id_index(id, self.uuids) {
                    f(i);
                }
            }),
        }
    }

    /// What `permission` grants at `level` (`None` when it declares nothing), and its
    /// tool lists. One pass: a tool-permission key that grants is looked up once.
    fn level_grant<T: Trace<'a>>(
        &self,
        permission: &'a ObjectPermission,
        level: Level,
        trace: &mut T,
    ) -> (Option<Grant>, ToolLists<'a>) {
        if !permission.declares(self.tool_permissions_grant) {
            return (None, self.tool_lists(Some(permission)));
        }
        // Room for the usual case (a reference names one server, a group a few, and the
        // `allow_all_keys` servers join later), so the pass does not regrow.
        let entries = permission.tool_entry_count();
        let mut out = Vec::with_capacity(
            permission.servers().len()
                + GROUP_ROOM * permission.groups().len()
                + entries
                + self.registry.allow_all.len(),
        );
        let mut all = false;
        for reference in permission.servers() {
            if level == Level::Team && reference == ALL_PROXY_MCP_SERVERS {
                all = true;
                trace.grant(level, u32::MAX, Via::AllProxy);
                continue;
            }
            self.add_reference(reference, level, Via::Server(reference), &mut out, trace);
        }
        for group in permission.groups() {
            let before = out.len();
            self.for_group(group, |i| {
                out.push(i);
                trace.grant(level, i, Via::Group(group));
            });
            if out.len() == before {
                trace.unmatched(level, Via::Group(group));
            }
        }
        let lists = if self.tool_permissions_grant {
            let mut lists = Vec::with_capacity(entries);
            for (reference, tools) in permission.tool_entries() {
                let via = Via::ToolPermission(reference);
                let before = out.len();
                self.add_reference(reference, level, via, &mut out, trace);
                for &i in out.get(before..).unwrap_or_default() {
                    lists.push((i, tools.as_slice()));
                }
            }
            // Several lists for one server merge by union, so their order does not matter.
            lists.sort_unstable_by_key(|&(i, _)| i);
            lists
        } else {
            self.tool_lists(Some(permission))
        };
        if all {
            return (Some(Grant::All), lists);
        }
        sort_dedup(&mut out);
        (Some(Grant::Some(out)), lists)
    }

    fn add_reference<T: Trace<'a>>(
        &self,
        reference: &str,
        level: Level,
        via: Via<'a>,
        out: &mut Vec<u32>,
        trace: &mut T,
    ) {
        let found = self.registry.lookup(reference, self.uuids);
        if found.is_empty() {
            trace.unmatched(level, via);
        }
        for &i in found {
            out.push(i);
            trace.grant(level, i, via);
        }
    }

    /// A level's `mcp_tool_permissions`, resolved: (server, tools), sorted by server.
    fn tool_lists(&self, permission: Option<&'a ObjectPermission>) -> ToolLists<'a> {
        let mut out = Vec::with_capacity(permission.map_or(0, ObjectPermission::tool_entry_count));
        for (reference, tools) in permission
            .into_iter()
            .flat_map(ObjectPermission::tool_entries)
        {
            for &i in self.registry.lookup(reference, self.uuids) {
                out.push((i, tools.as_slice()));
            }
        }
        out.sort_unstable_by_key(|&(i, _)| i);
        out
    }
}

/// The tool lists one level has for one server (several entries can name it), merged by
/// union. An empty slice: the level has no entry for the server.
#[derive(Clone, Copy, Default)]
struct Lists<'l, 'a>(&'l [(u32, &'a [String])]);

impl<'l, 'a> Lists<'l, 'a> {
    /// The run of `all` for server `index`, searching from `*at` and leaving `*at` past
    /// the run: servers are visited in ascending order, so one walk over a level's lists
    /// serves every visible server.
    fn next_run(all: &'l [(u32, &'a [String])], at: &mut usize, index: u32) -> Self {
        let rest = all.get(*at..).unwrap_or_default();
        let start = *at + rest.iter().take_while(|&&(i, _)| i < index).count();
        let len = all
            .get(start..)
            .unwrap_or_default()
            .iter()
            .take_while(|&&(i, _)| i == index)
            .count();
        *at = start + len;
        Self(all.get(start..start + len).unwrap_or_default())
    }

    /// The restriction these lists impose: `None` when there is no entry or an entry
    /// holds the wildcard.
    fn restriction(self) -> Option<Self> {
        let restricts =
            !self.0.is_empty() && !self.0.iter().any(|(_, l)| l.iter().any(|t| t == WILDCARD));
        restricts.then_some(self)
    }

    fn is_empty_union(self) -> bool {
        self.0.iter().all(|(_, l)| l.is_empty())
    }

    fn contains(self, tool: &str) -> bool {
        self.0
            .iter()
            .any(|(_, l)| l.iter().any(|t| eq_names(t, tool)))
    }

    /// The number of tools, repeats included.
    fn len(self) -> usize {
        self.0.iter().map(|(_, l)| l.len()).sum()
    }

    fn iter(self) -> impl Iterator<Item = &'a str> + 'l {
        self.0
            .iter()
            .flat_map(|(_, l)| l.iter().map(String::as_str))
    }
}

/// The level restrictions on one server: at most one per level, so they live on the
/// stack.
#[derive(Default)]
struct Restrictions<'l, 'a> {
    items: [Lists<'l, 'a>; 3],
    len: usize,
}

impl<'l, 'a> Restrictions<'l, 'a> {
    fn extend(&mut self, lists: impl IntoIterator<Item = Lists<'l, 'a>>) {
        for l in lists {
            if let Some(slot) = self.items.get_mut(self.len) {
                *slot = l;
                self.len += 1;
            }
        }
    }

    fn as_slice(&self) -> &[Lists<'l, 'a>] {
        self.items.get(..self.len).unwrap_or_default()
    }
}

/// Up to this many probes, a tool is looked for in the other restrictions' lists directly.
const LINEAR_PROBES: usize = 256;

/// The tool scope of a server under its own lists and the level restrictions.
fn scope<'a>(entry: &'a Entry, restrictions: &[Lists<'_, 'a>], ignore_deny: bool) -> ToolScope<'a> {
    let deny = Some(&entry.deny).filter(|d| !ignore_deny && !d.is_empty());
    let allow = entry.allow.as_ref();
    let Some((first, rest)) = restrictions.split_first() else {
        return match (allow, deny) {
            (None, None) => ToolScope::All,
            (None, Some(deny)) => ToolScope::AllExcept(ToolSet::registry(deny)),
            (Some(allow), None) => ToolScope::Only(ToolSet::registry(allow)),
            (Some(allow), Some(_)) => ToolScope::Only(ToolSet::registry(
                entry.allow_not_denied.as_ref().unwrap_or(allow),
            )),
        };
    };
    // Probing the other restrictions' lists for every tool of the first costs the product
    // of their lengths, and the lists are request input: past a few hundred probes, probe
    // sorted copies of them instead (allocated only for such long lists).
    let probes = first
        .len()
        .saturating_mul(rest.iter().map(|r| r.len()).sum::<usize>());
    let sorted: Vec<Vec<&'a str>> = if probes > LINEAR_PROBES {
        rest.iter()
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
            rest.iter().all(|r| r.contains(t))
        } else {
            sorted.iter().all(|names| contains_sorted(names, t))
        }
    };
    let mut out: Vec<&'a str> = Vec::new();
    for t in first.iter() {
        if allow.is_none_or(|a| a.contains(t)) && deny.is_none_or(|d| !d.contains(t)) && in_rest(t)
        {
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

impl ServerRegistry {
    /// Resolves which servers `request` may see, and which tools on each it may list and
    /// call. Never fails and never panics; see the crate docs for the rules.
    ///
    /// The work grows with the size of the request's permissions and the number of
    /// `allow_all_keys` servers, not with the size of the registry (except where the
    /// answer itself lists every server: the admin view and the team's
    /// `all-proxy-mcpservers`).
    #[must_use]
    pub fn resolve_allowed_servers<'a>(&'a self, request: &Request<'a>) -> Resolution<'a> {
        self.resolve_traced(request, &mut NoTrace)
    }

    pub(crate) fn resolve_traced<'a, T: Trace<'a>>(
        &'a self,
        request: &Request<'a>,
        trace: &mut T,
    ) -> Resolution<'a> {
        let semantics = request.semantics;
        let ctx = Ctx {
            registry: self,
            groups: request.groups,
            uuids: semantics == Semantics::Default,
            tool_permissions_grant: request.settings.tool_permissions_grant_servers,
        };

        if request
            .key
            .is_some_and(|k| k.servers().iter().any(|s| s == NO_MCP_SERVERS))
        {
            return Resolution::new(self, semantics, Vec::new(), RequestedOutcome::Blocked);
        }

        let admin_view = request.admin && request.key.is_none_or(|k| k.mcp_servers().is_none());
        let (base, lists) = if admin_view {
            let lists = LevelLists {
                key: ctx.tool_lists(request.key),
                team: ctx.tool_lists(request.team),
                end_user: ctx.tool_lists(request.end_user.permission()),
            };
            (Grant::All, lists)
        } else {
            ctx.combine_levels(request, trace)
        };

        let mut indices = match base {
            Grant::All => (0..self.len())
                .filter_map(|i| u32::try_from(i).ok())
                .collect(),
            Grant::Some(mut v) => {
                if !self.allow_all.is_empty() {
                    v.extend_from_slice(&self.allow_all);
                    // Two sorted runs: the stable sort finds them and merges in one pass,
                    // where an unstable one would sort the whole grant again.
                    #[allow(clippy::stable_sort_primitive)]
                    v.sort();
                    v.dedup();
                }
                v
            }
        };

        let requested = match request.requested {
            None => RequestedOutcome::NotRequested,
            Some(names) => {
                self.filter_requested(&ctx, semantics, names.iter(), &mut indices);
                if indices.is_empty() {
                    RequestedOutcome::MatchedNothing
                } else {
                    RequestedOutcome::Matched
                }
            }
        };

        let mut visible = Vec::with_capacity(indices.len());
        // INVARIANT: `indices` ascend, as `next_run` requires.
        let mut at = [0usize; 3];
        visible.extend(indices.into_iter().map(|index| {
            let entry = self.entry(index);
            let [key_at, team_at, end_user_at] = &mut at;
            let key = Lists::next_run(&lists.key, key_at, index);
            let team = Lists::next_run(&lists.team, team_at, index);
            let end_user = Lists::next_run(&lists.end_user, end_user_at, index);
            let mut restrictions = Restrictions::default();
            match semantics {
                Semantics::Default => {
                    restrictions.extend(key.restriction());
                    restrictions.extend(team.restriction());
                }
                Semantics::LiteLlm => {
                    // A team's non-empty list is the ceiling and a key's non-empty
                    // list narrows it; an empty team list counts as none, and an empty
                    // key list counts only when the team has no non-empty list.
                    let team = team.restriction().filter(|t| !t.is_empty_union());
                    let key = key.restriction();
                    match (team, key) {
                        (Some(t), Some(k)) if !k.is_empty_union() => {
                            restrictions.extend([t, k]);
                        }
                        (Some(t), _) => restrictions.extend(Some(t)),
                        (None, k) => restrictions.extend(k),
                    }
                }
            }
            restrictions.extend(end_user.restriction());
            let list_scope = scope(entry, restrictions.as_slice(), false);
            let call_scope = (semantics == Semantics::LiteLlm
                && entry.allow.is_some()
                && !entry.deny.is_empty())
            .then(|| scope(entry, restrictions.as_slice(), true));
            Visible {
                index,
                scope: list_scope,
                call_scope,
            }
        }));

        Resolution::new(self, semantics, visible, requested)
    }
}

impl<'a> Ctx<'a, '_> {
    /// SPEC 3.2: the key under the team's ceiling, then the end user; and the levels'
    /// tool lists, read in the same pass.
    fn combine_levels<T: Trace<'a>>(
        &self,
        request: &Request<'a>,
        trace: &mut T,
    ) -> (Grant, LevelLists<'a>) {
        let ctx = self;
        let mut lists = LevelLists::default();
        let mut level =
            |permission: Option<&'a ObjectPermission>, level, out: &mut ToolLists<'a>| {
                let (grant, tool_lists) =
                    permission.map_or((None, Vec::new()), |p| ctx.level_grant(p, level, trace));
                *out = tool_lists;
                grant
            };
        let team = level(request.team, Level::Team, &mut lists.team);
        let key = level(request.key, Level::Key, &mut lists.key);
        let require_key = request.settings.require_key_mcp_access_defined;
        let mut base = match (team, key) {
            (Some(team), Some(key)) => key.intersect(&team),
            (Some(_), None) if require_key => Grant::Some(Vec::new()),
            (Some(team), None) => team,
            (None, Some(key)) => key,
            (None, None) => Grant::Some(Vec::new()),
        };
        if let EndUser::Identified(end_user) = request.end_user {
            match level(end_user, Level::EndUser, &mut lists.end_user) {
                Some(end_user) => base = base.intersect(&end_user),
                None if request.settings.require_end_user_mcp_access_defined => {
                    base = Grant::Some(Vec::new());
                }
                None => {}
            }
        }
        (base, lists)
    }
}

impl ServerRegistry {
    /// SPEC 3.6: keeps the visible servers the requested names pick.
    fn filter_requested<'n>(
        &self,
        ctx: &Ctx<'_, '_>,
        semantics: Semantics,
        names: impl Iterator<Item = &'n str>,
        visible: &mut Vec<u32>,
    ) {
        let mut picked: Vec<u32> = Vec::new();
        let is_visible = |i: &u32| visible.binary_search(i).is_ok();
        for name in names {
            match semantics {
                Semantics::Default => {
                    picked.extend(self.lookup_caseless(name).iter().filter(|i| is_visible(i)));
                    if let Some(i) = self.id_index(name, true) {
                        picked.extend(Some(i).filter(is_visible));
                    }
                    ctx.for_group(name, |i| {
                        if is_visible(&i) {
                            picked.push(i);
                        }
                    });
                }
                Semantics::LiteLlm => {
                    // One server per name, first in registry order; the name is read as
                    // an access group only when it matched no server.
                    if let Some(&i) = self.lookup_caseless(name).iter().find(|i| is_visible(i)) {
                        picked.push(i);
                    } else {
                        ctx.for_group(name, |i| {
                            if is_visible(&i) {
                                picked.push(i);
                            }
                        });
                    }
                }
            }
        }
        sort_dedup(&mut picked);
        *visible = picked;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_restrictions_intersect_like_short_ones() {
        let key: Vec<String> = (0..400).map(|i| format!("t{i}")).collect();
        let team: Vec<String> = (200..700).map(|i| format!("t{i}")).collect();
        let end_user: Vec<String> = ["t250", "t199", "t650", "x"].map(String::from).to_vec();
        let registry = ServerRegistry::new([crate::McpServer::new("a")]).unwrap();
        let entry = registry.entry(0);
        let lists = [(0, key.as_slice())];
        let team_lists = [(0, team.as_slice())];
        let end_user_lists = [(0, end_user.as_slice())];
        let short: Vec<String> = ["t250", "x", "y"].map(String::from).to_vec();
        let short_lists = [(0, short.as_slice())];
        let (key, team, end_user, short) = (
            Lists(&lists),
            Lists(&team_lists),
            Lists(&end_user_lists),
            Lists(&short_lists),
        );
        let only = |r: &[Lists<'_, '_>]| match scope(entry, r, false) {
            ToolScope::Only(set) => set.iter().map(str::to_owned).collect::<Vec<_>>(),
            other => panic!("{other:?}"),
        };
        // 400 x 504 probes: sorted copies of the other lists.
        assert_eq!(only(&[key, team, end_user]), ["t250"]);
        // 4 x 3 probes: the lists themselves.
        assert_eq!(only(&[end_user, short]), ["t250", "x"]);
    }

    #[test]
    fn radix_sort_sorts() {
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        for (len, bound) in [(0, 1), (1, 1), (300, 1), (300, 70_000), (2_000, 1 << 31)] {
            let mut v: Vec<u32> = (0..len)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    u32::try_from(seed % bound).unwrap()
                })
                .collect();
            let mut expect = v.clone();
            expect.sort_unstable();
            radix_sort(&mut v);
            assert_eq!(v, expect, "{len} below {bound}");
        }
        let mut max = vec![u32::MAX, 0, u32::MAX - 1];
        radix_sort(&mut max);
        assert_eq!(max, [0, u32::MAX - 1, u32::MAX]);
    }

    #[test]
    fn retain_sorted_intersects() {
        let mut a = vec![1, 3, 5, 7, 9];
        retain_sorted(&mut a, &[0, 3, 4, 9, 10]);
        assert_eq!(a, [3, 9]);
        let mut b = vec![1, 2];
        retain_sorted(&mut b, &[]);
        assert!(b.is_empty());
    }

    #[test]
    fn grants_intersect_with_all_as_identity() {
        let some = Grant::Some(vec![1, 2]);
        assert_eq!(some.clone().intersect(&Grant::All), some);
        assert_eq!(Grant::All.intersect(&some), some);
        assert_eq!(
            Grant::Some(vec![1, 2]).intersect(&Grant::Some(vec![2, 3])),
            Grant::Some(vec![2])
        );
    }

    #[test]
    fn lists_next_run_walks_the_runs_in_order() {
        let a = vec!["a".to_owned()];
        let b = vec!["b".to_owned()];
        let all = vec![
            (1, a.as_slice()),
            (2, a.as_slice()),
            (2, b.as_slice()),
            (5, b.as_slice()),
        ];
        let mut at = 0;
        assert_eq!(Lists::next_run(&all, &mut at, 0).0.len(), 0);
        let two = Lists::next_run(&all, &mut at, 2);
        assert_eq!((two.0.len(), at), (2, 3));
        assert!(two.contains("b"));
        assert_eq!(Lists::next_run(&all, &mut at, 3).0.len(), 0);
        assert_eq!(Lists::next_run(&all, &mut at, 5).0.len(), 1);
        assert_eq!(Lists::next_run(&all, &mut at, 9).0.len(), 0);
        assert_eq!(at, 4);
    }
}
