//! The resolver: from a request's levels to the visible servers and their tools, one
//! rule per function, each named after its SPEC section:
//!
//! | SPEC | rule | function |
//! |---|---|---|
//! | 2 | id matching | [`Compiler::lookup`](crate::compile::Compiler) |
//! | 3.1 | a level's grant | `Compiler::compile_level` |
//! | 3.2 | combining levels | [`servers::combine`] |
//! | 3.3 | sentinels | `compile::sentinel`, [`blocked`] |
//! | 3.4 | admin view | [`admin_view`] |
//! | 3.5 | `allow_all_keys` | [`with_allow_all_keys`] |
//! | 3.6 | requested names | [`requested::filter`] |
//! | 4.1 | server filters | [`tools::ServerFilter`] |
//! | 4.2 | tool-list combination | [`tools::restrictions`] |
//! | 4.3 | the effective scope | [`tools::scope`] |
//! | 4 | prefix routing | [`Resolution::route`](crate::Resolution::route) |

pub(crate) mod grant;
mod requested;
mod servers;
pub(crate) mod tools;
pub(crate) mod trace;

use crate::compile::{Compiled, Compiler};
use crate::level::{Level, PerLevel};
use crate::permission::ObjectPermission;
use crate::registry::ServerRegistry;
use crate::request::Request;
use crate::resolution::{RequestedOutcome, Resolution, Visible, VisibleScope};
use crate::semantics::Rules;
use grant::Meet;
use tools::{Purpose, ScopeMemo, ServerFilter};
use trace::{AdminOff, Event, NoTrace, Trace};

/// One level of a request, compiled.
#[derive(Clone, Copy)]
pub(crate) struct LevelInput<'a, 'c> {
    pub(crate) level: Level,
    pub(crate) compiled: &'c Compiled,
    pub(crate) permission: &'a ObjectPermission,
    /// The compiled level's scope memos, when the request brought it compiled (so they
    /// outlive the resolution); else none.
    pub(crate) memos: &'a [ScopeMemo],
}

/// The levels that take part in a request (the end user only when identified).
pub(crate) type Levels<'a, 'c> = PerLevel<Option<LevelInput<'a, 'c>>>;

/// Compiles into `out` each level a request brought raw, or compiled for something else
/// (filled in place: the levels' compiled forms are large, and a request whose levels are
/// all compiled already should not pay for moving an empty table).
pub(crate) fn compile_missing(
    compiler: &Compiler<'_>,
    request: &Request<'_>,
    provenance: bool,
    out: &mut PerLevel<Option<Compiled>>,
) {
    for (level, permission) in request.levels.iter() {
        let Some(permission) = permission else {
            continue;
        };
        if permission
            .compiled()
            .is_none_or(|c| !compiler.accepts(&c.compiled, level))
        {
            out[level] =
                Some(compiler.compile_level_with(level, permission.permission(), provenance));
        }
    }
}

/// The request's levels, each compiled: from `owned` where [`compile_missing`] compiled it.
pub(crate) fn inputs<'a, 'c>(
    request: &Request<'a>,
    owned: &'c PerLevel<Option<Compiled>>,
) -> Levels<'a, 'c>
where
    'a: 'c,
{
    let mut out: Levels<'a, 'c> = PerLevel::default();
    for (level, permission) in request.levels.iter() {
        let Some(permission) = permission else {
            continue;
        };
        if level == Level::EndUser && !request.end_user_identified {
            continue;
        }
        let (compiled, memos) = match (&owned[level], permission.compiled()) {
            (Some(compiled), _) => (compiled, &[][..]),
            (None, Some(c)) => (&c.compiled, &*c.compiled.scope_memos),
            (None, None) => continue,
        };
        out[level] = Some(LevelInput {
            level,
            compiled,
            permission: permission.permission(),
            memos,
        });
    }
    out
}

impl ServerRegistry {
    /// Resolves which servers `request` may see, and which tools on each it may list and
    /// call. Never fails and never panics; see the crate docs for the rules.
    ///
    /// The request's permissions may be raw ([`ObjectPermission`]) or compiled against
    /// this registry ([`CompiledPermission`](crate::CompiledPermission), made by
    /// [`ServerRegistry::compiler`]); a raw one is compiled on the fly. The work grows
    /// with the size of the request's permissions and the number of `allow_all_keys`
    /// servers, not with the size of the registry (except where the answer itself lists
    /// every server: the admin view and the team's `all-proxy-mcpservers`).
    ///
    /// ```
    /// use mcp_authz::{McpServer, ObjectPermission, Request, ServerRegistry};
    ///
    /// let registry = ServerRegistry::new([
    ///     McpServer::new("srv-a").with_alias("gh"),
    ///     McpServer::new("srv-b").with_alias("jira"),
    /// ])?;
    /// let key = ObjectPermission::new().with_tool_permission("gh", ["create_issue"]);
    /// let resolution = registry.resolve_allowed_servers(&Request::new().key(&key));
    /// let visible: Vec<&str> = resolution.servers().map(|v| v.server().id().as_str()).collect();
    /// assert_eq!(visible, ["srv-a"]);
    /// assert!(resolution.is_tool_allowed("gh", "create_issue"));
    /// assert!(!resolution.is_tool_allowed("gh", "delete_repo"));
    /// # Ok::<(), mcp_authz::RegistryError>(())
    /// ```
    #[must_use]
    pub fn resolve_allowed_servers<'a>(&'a self, request: &Request<'a>) -> Resolution<'a> {
        let compiler = request.compiler(self);
        let mut owned = PerLevel::default();
        compile_missing(&compiler, request, false, &mut owned);
        let levels = inputs(request, &owned);
        self.resolve_levels(&compiler, request, &levels, &mut NoTrace)
    }

    /// The resolver proper, reporting to `trace`.
    pub(crate) fn resolve_levels<'a, T: Trace>(
        &'a self,
        compiler: &Compiler<'a>,
        request: &Request<'a>,
        levels: &Levels<'a, '_>,
        trace: &mut T,
    ) -> Resolution<'a> {
        let rules = compiler.rules();
        let semantics = request.semantics;
        if blocked(levels, trace) {
            return Resolution::new(self, semantics, Vec::new(), RequestedOutcome::Blocked);
        }
        if T::ON {
            report_grants(levels, rules, trace);
        }
        let servers = u32::try_from(self.len()).unwrap_or(u32::MAX);
        let base = if admin_view(request, levels, rules, trace) {
            Meet::all()
        } else {
            servers::combine(
                levels,
                request.end_user_identified,
                servers,
                request.settings,
                rules,
                trace,
            )
        };
        if T::ON {
            for &server in self.allow_all() {
                trace.event(Event::AllowAllKeys { server });
            }
        }
        let room = base.upper_bound(servers) + self.allow_all().len();
        let mut visible: Vec<Visible<'a>> = Vec::with_capacity(room);
        let requested = match request.requested {
            None => {
                self.with_allow_all_keys(&base, servers, |index| visible.push(Visible::own(index)));
                RequestedOutcome::NotRequested
            }
            Some(names) => {
                let mut indices = Vec::with_capacity(room);
                self.with_allow_all_keys(&base, servers, |index| indices.push(index));
                requested::filter(compiler, names.iter(), &mut indices, trace);
                visible.extend(indices.iter().map(|&index| Visible::own(index)));
                if indices.is_empty() {
                    RequestedOutcome::MatchedNothing
                } else {
                    RequestedOutcome::Matched
                }
            }
        };
        Scopes::new(self, levels, rules).restrict(&mut visible, trace);
        Resolution::new(self, semantics, visible, requested)
    }

    /// SPEC 3.5: calls `f` with the granted servers and every `allow_all_keys` server, in
    /// registry order: two sorted runs merged as they are walked.
    fn with_allow_all_keys(&self, base: &Meet<'_>, servers: u32, mut f: impl FnMut(u32)) {
        let mut rest = self.allow_all();
        base.for_each(servers, |index| {
            while let Some((&public, tail)) = rest.split_first() {
                if public > index {
                    break;
                }
                if public < index {
                    f(public);
                }
                rest = tail;
            }
            f(index);
        });
        for &public in rest {
            f(public);
        }
    }
}

/// SPEC 4: the tool scopes of the visible servers. Every visible server starts with its
/// own scopes; the servers some level's tool lists name (few, in a typical request) are
/// found by walking those lists beside the visible servers, both in registry order, and
/// only they get a scope computed here.
struct Scopes<'l, 'a, 'c> {
    registry: &'a ServerRegistry,
    levels: &'l Levels<'a, 'c>,
    rules: Rules,
    /// The levels of the request that have tool lists, each with its place in them.
    listing: [(Level, tools::Cursor); Level::COUNT],
    listing_len: usize,
    denied: Option<(Level, u32)>,
}

impl<'l, 'a, 'c> Scopes<'l, 'a, 'c> {
    fn new(registry: &'a ServerRegistry, levels: &'l Levels<'a, 'c>, rules: Rules) -> Self {
        let mut listing = [(Level::Key, tools::Cursor::default()); Level::COUNT];
        let mut listing_len = 0;
        for (level, input) in levels.iter() {
            if input.is_some_and(|i| !i.compiled.tool_servers.is_empty()) {
                if let Some(slot) = listing.get_mut(listing_len) {
                    slot.0 = level;
                    listing_len += 1;
                }
            }
        }
        Self {
            registry,
            levels,
            rules,
            listing,
            listing_len,
            denied: tools::denied(levels),
        }
    }

    /// Gives the servers of `visible` (in registry order, each with its own scopes) that
    /// the levels restrict their scopes.
    fn restrict<T: Trace>(&mut self, visible: &mut [Visible<'a>], trace: &mut T) {
        if self.denied.is_some() {
            // A level's toolsets deny every tool: every server is restricted.
            for v in visible.iter_mut() {
                self.restricted(v, trace);
            }
            return;
        }
        let listing = self.listing.get(..self.listing_len).unwrap_or_default();
        if listing.is_empty() {
            return;
        }
        for &(level, _) in listing {
            if let Some(input) = &self.levels[level] {
                mark_listed(visible, &input.compiled.tool_servers);
            }
        }
        for v in visible.iter_mut().filter(|v| v.listed) {
            v.listed = false;
            self.restricted(v, trace);
        }
    }

    /// Visible server `v`, which a level restricts, with its tool scopes (SPEC 4.3).
    #[inline(never)]
    fn restricted<T: Trace>(&mut self, v: &mut Visible<'a>, trace: &mut T) {
        let (registry, levels, rules) = (self.registry, self.levels, self.rules);
        let ids = rules.id_match();
        let index = v.index;
        let listing = self.listing.get_mut(..self.listing_len).unwrap_or_default();
        let restrictions = tools::restrict(
            levels,
            |level, input| {
                let (_, cursor) = listing.iter_mut().find(|(l, _)| *l == level)?;
                cursor.seek(input, registry, index, ids)
            },
            index,
            rules,
            trace,
        );
        let listed = restrictions.lists.0.iter().any(Option::is_some);
        if tools::is_own(restrictions.denied, listed) {
            return;
        }
        let entry = registry.entry(index);
        let scope = tools::scope(
            ServerFilter::new(entry, Purpose::List, rules),
            &restrictions,
        );
        let call_scope = tools::calls_differ(entry, rules).then(|| {
            tools::scope(
                ServerFilter::new(entry, Purpose::Call, rules),
                &restrictions,
            )
        });
        v.scope = VisibleScope::Restricted { scope, call_scope };
    }
}

/// Marks the servers of `visible` that `listed` names (both sorted by server): a merge of
/// the two, or a search per listed server when `visible` is much the longer.
fn mark_listed(visible: &mut [Visible<'_>], listed: &[tools::ServerTools]) {
    let search = listed.len().saturating_mul(8) < visible.len();
    let mut at = 0;
    for t in listed {
        let rest = visible.get(at..).unwrap_or_default();
        at += if search {
            rest.partition_point(|v| v.index < t.server)
        } else {
            rest.iter().take_while(|v| v.index < t.server).count()
        };
        match visible.get_mut(at) {
            None => return,
            Some(v) if v.index == t.server => {
                v.listed = true;
                at += 1;
            }
            Some(_) => {}
        }
    }
}

/// SPEC 3.3: whether the key's `no-mcp-servers` hides every server.
fn blocked<T: Trace>(levels: &Levels<'_, '_>, trace: &mut T) -> bool {
    let at = levels[Level::Key].and_then(|k| k.compiled.blocked);
    if let Some(at) = at {
        trace.event(Event::Blocked { at });
    }
    at.is_some()
}

/// SPEC 3.4 and 7: whether the admin view applies.
fn admin_view<T: Trace>(
    request: &Request<'_>,
    levels: &Levels<'_, '_>,
    rules: Rules,
    trace: &mut T,
) -> bool {
    if !request.admin {
        return false;
    }
    let key_sets_servers =
        request.levels[Level::Key].is_some_and(|k| k.permission().mcp_servers().is_some());
    let off = if key_sets_servers {
        Some(AdminOff::KeySetsServers)
    } else if rules.admin_view_needs_no_team && request.levels[Level::Team].is_some() {
        Some(AdminOff::KeyOnTeam)
    } else if rules.litellm_hierarchy && levels[Level::User].is_some_and(|u| u.compiled.declares) {
        Some(AdminOff::UserRestricts)
    } else {
        None
    };
    trace.event(off.map_or(Event::AdminView, Event::AdminViewOff));
    off.is_none()
}

/// For explanations: every server each level's entries name, in fold order.
fn report_grants<T: Trace>(levels: &Levels<'_, '_>, rules: Rules, trace: &mut T) {
    for step in rules.server_steps() {
        let Some(input) = levels[step.level()] else {
            continue;
        };
        for &(server, source) in &input.compiled.matches {
            trace.event(Event::Grant {
                level: input.level,
                server,
                source,
            });
        }
    }
}
