//! The resolver: from a request's permissions to the visible servers and their tools.
//!
//! Both semantics run through this one code path; where they differ, the difference is a
//! branch on `Semantics` at the single point that differs.

use crate::grant::{Grant, sort_dedup};
use crate::groups::AccessGroups;
use crate::permission::ObjectPermission;
use crate::registry::ServerRegistry;
use crate::request::{EndUser, Request, Semantics};
use crate::resolution::{RequestedOutcome, Resolution, Visible};
use crate::scope::{LevelLists, Lists, Restrictions, ToolLists, scope};

/// LiteLLM's sentinel: in a key's `mcp_servers`, the caller sees no server at all.
pub(crate) const NO_MCP_SERVERS: &str = "no-mcp-servers";
/// LiteLLM's sentinel: in a team's `mcp_servers`, every registry server.
pub(crate) const ALL_PROXY_MCP_SERVERS: &str = "all-proxy-mcpservers";

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

/// Servers per access group that a level's grant reserves room for.
const GROUP_ROOM: usize = 8;

/// The parts of a request every step needs.
struct Ctx<'a, 'r> {
    registry: &'a ServerRegistry,
    groups: Option<&'r dyn AccessGroups>,
    uuids: bool,
    tool_permissions_grant: bool,
}

impl<'a> Ctx<'a, '_> {
    /// Calls `f` with every registry server in `group`.
    fn for_group(&self, group: &str, f: impl FnMut(u32)) {
        self.registry
            .for_group_member(self.groups, self.uuids, group, f);
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
