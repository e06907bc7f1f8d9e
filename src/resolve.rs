//! The resolver: from a request's permissions to the visible servers and their tools.
//!
//! Both semantics run through this one code path; where they differ, the difference is a
//! branch on `Semantics` at the single point that differs.

use crate::groups::AccessGroups;
use crate::permission::ObjectPermission;
use crate::registry::{Entry, ServerRegistry};
use crate::request::{EndUser, Request, Semantics};
use crate::resolution::{RequestedOutcome, Resolution, Visible};
use crate::tools::{ToolScope, ToolSet};

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
    v.sort_unstable();
    v.dedup();
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

    /// What `permission` grants at `level`, or `None` when it declares nothing.
    fn level_grant<T: Trace<'a>>(
        &self,
        permission: &'a ObjectPermission,
        level: Level,
        trace: &mut T,
    ) -> Option<Grant> {
        if !permission.declares(self.tool_permissions_grant) {
            return None;
        }
        let mut out = Vec::new();
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
        if self.tool_permissions_grant {
            for (reference, _) in permission.tool_entries() {
                let via = Via::ToolPermission(reference);
                self.add_reference(reference, level, via, &mut out, trace);
            }
        }
        if all {
            return Some(Grant::All);
        }
        sort_dedup(&mut out);
        Some(Grant::Some(out))
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
    fn tool_lists(&self, permission: Option<&'a ObjectPermission>) -> Vec<(u32, &'a [String])> {
        let mut out = Vec::new();
        for (reference, tools) in permission
            .into_iter()
            .flat_map(ObjectPermission::tool_entries)
        {
            for &i in self.registry.lookup(reference, self.uuids) {
                out.push((i, tools.as_slice()));
            }
        }
        out.sort_by_key(|&(i, _)| i);
        out
    }
}

/// The tool lists one level has for one server (several entries can name it), merged by
/// union. An empty slice: the level has no entry for the server.
#[derive(Clone, Copy)]
struct Lists<'l, 'a>(&'l [(u32, &'a [String])]);

impl<'l, 'a> Lists<'l, 'a> {
    fn for_server(all: &'l [(u32, &'a [String])], index: u32) -> Self {
        let start = all.partition_point(|&(i, _)| i < index);
        let len = all
            .get(start..)
            .map_or(0, |rest| rest.partition_point(|&(i, _)| i == index));
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

    fn iter(self) -> impl Iterator<Item = &'a str> + 'l {
        self.0
            .iter()
            .flat_map(|(_, l)| l.iter().map(String::as_str))
    }
}

/// The tool scope of a server under its own lists and the level restrictions.
fn scope<'a>(entry: &'a Entry, restrictions: &[Lists<'_, 'a>], ignore_deny: bool) -> ToolScope<'a> {
    let deny = Some(&entry.deny).filter(|d| !ignore_deny && !d.is_empty());
    let allow = entry.allow.as_ref();
    let Some((first, rest)) = restrictions.split_first() else {
        return match (allow, deny) {
            (None, None) => ToolScope::All,
            (None, Some(deny)) => ToolScope::AllExcept(ToolSet::registry(deny)),
            (Some(allow), _) => ToolScope::Only(ToolSet::from_sorted(
                allow
                    .iter()
                    .filter(|t| deny.is_none_or(|d| !d.contains(t)))
                    .collect(),
            )),
        };
    };
    // The other restrictions as sorted sets: probing their lists for each tool of the first
    // would cost the product of two lists' lengths, and lists are request input.
    let rest: Vec<Vec<&'a str>> = rest
        .iter()
        .map(|r| {
            let mut names: Vec<&'a str> = r.iter().collect();
            names.sort_unstable();
            names.dedup();
            names
        })
        .collect();
    let mut out: Vec<&'a str> = first
        .iter()
        .filter(|t| {
            allow.is_none_or(|a| a.contains(t))
                && deny.is_none_or(|d| !d.contains(t))
                && rest.iter().all(|r| r.binary_search(t).is_ok())
        })
        .collect();
    out.sort_unstable();
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
        let base = if admin_view {
            Grant::All
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
                    sort_dedup(&mut v);
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

        let key_lists = ctx.tool_lists(request.key);
        let team_lists = ctx.tool_lists(request.team);
        let end_user_lists = ctx.tool_lists(request.end_user.permission());
        let visible = indices
            .into_iter()
            .map(|index| {
                let entry = self.entry(index);
                let key = Lists::for_server(&key_lists, index);
                let team = Lists::for_server(&team_lists, index);
                let end_user = Lists::for_server(&end_user_lists, index);
                let mut restrictions: Vec<Lists<'_, 'a>> = Vec::new();
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
                            (Some(t), _) => restrictions.push(t),
                            (None, k) => restrictions.extend(k),
                        }
                    }
                }
                restrictions.extend(end_user.restriction());
                let list_scope = scope(entry, &restrictions, false);
                let call_scope = (semantics == Semantics::LiteLlm
                    && entry.allow.is_some()
                    && !entry.deny.is_empty())
                .then(|| scope(entry, &restrictions, true));
                Visible {
                    index,
                    scope: list_scope,
                    call_scope,
                }
            })
            .collect();

        Resolution::new(self, semantics, visible, requested)
    }
}

impl<'a> Ctx<'a, '_> {
    /// SPEC 3.2: the key under the team's ceiling, then the end user.
    fn combine_levels<T: Trace<'a>>(&self, request: &Request<'a>, trace: &mut T) -> Grant {
        let ctx = self;
        let team = request
            .team
            .and_then(|p| ctx.level_grant(p, Level::Team, trace));
        let key = request
            .key
            .and_then(|p| ctx.level_grant(p, Level::Key, trace));
        let require_key = request.settings.require_key_mcp_access_defined;
        let mut base = match (team, key) {
            (Some(team), Some(key)) => key.intersect(&team),
            (Some(_), None) if require_key => Grant::Some(Vec::new()),
            (Some(team), None) => team,
            (None, Some(key)) => key,
            (None, None) => Grant::Some(Vec::new()),
        };
        if let EndUser::Identified(end_user) = request.end_user {
            match end_user.and_then(|p| ctx.level_grant(p, Level::EndUser, trace)) {
                Some(end_user) => base = base.intersect(&end_user),
                None if request.settings.require_end_user_mcp_access_defined => {
                    base = Grant::Some(Vec::new());
                }
                None => {}
            }
        }
        base
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
    fn lists_for_server_finds_the_run() {
        let a = vec!["a".to_owned()];
        let b = vec!["b".to_owned()];
        let all = vec![
            (1, a.as_slice()),
            (2, a.as_slice()),
            (2, b.as_slice()),
            (5, b.as_slice()),
        ];
        assert_eq!(Lists::for_server(&all, 2).0.len(), 2);
        assert_eq!(Lists::for_server(&all, 3).0.len(), 0);
        assert_eq!(Lists::for_server(&all, 9).0.len(), 0);
        assert_eq!(
            Lists::for_server(&all, 2).iter().collect::<Vec<_>>(),
            ["a", "b"]
        );
    }
}
