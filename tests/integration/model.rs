//! A reference model of SPEC.md, written to be read: plain vectors, loops over the whole
//! registry, no indexes and nothing shared with `src/`. The properties compare the crate
//! with it on generated inputs.
//!
//! Where SPEC.md is silent the model follows the crate's documented decisions: an empty
//! alias or name is none; requested names compare ASCII case-insensitively (and under
//! `Default` a UUID name matches a UUID id in any spelling); a call's server reference is
//! resolved against the whole registry; prefixed names match exactly among the visible
//! servers, longest prefix first; a server list entry `{spelling}-{t}` also names `t`.

use std::collections::BTreeSet;

use uuid::Uuid;

pub(crate) const NO_MCP_SERVERS: &str = "no-mcp-servers";
pub(crate) const ALL_PROXY_MCP_SERVERS: &str = "all-proxy-mcpservers";
pub(crate) const WILDCARD: &str = "*";

/// A server as SPEC 1.1 describes it. `name` and `alias` are kept as written; an empty one
/// reads as none (see [`Server::name`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Server {
    pub(crate) id: String,
    pub(crate) name: Option<String>,
    pub(crate) alias: Option<String>,
    pub(crate) allow_all_keys: bool,
    pub(crate) groups: Vec<String>,
    pub(crate) allowed: Vec<String>,
    pub(crate) disallowed: Vec<String>,
}

impl Server {
    pub(crate) fn name(&self) -> Option<&str> {
        self.name.as_deref().filter(|n| !n.is_empty())
    }

    pub(crate) fn alias(&self) -> Option<&str> {
        self.alias.as_deref().filter(|a| !a.is_empty())
    }
}

/// An object permission (SPEC 1.2): `None` is unset (`null`), `Some` of empty is `[]`/`{}`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Permission {
    pub(crate) servers: Option<Vec<String>>,
    pub(crate) groups: Option<Vec<String>>,
    /// Entries in order; the generators never repeat a key.
    pub(crate) tools: Option<Vec<(String, Vec<String>)>>,
    /// Toolset ids.
    pub(crate) toolsets: Option<Vec<String>>,
}

/// A toolset (SPEC 1.5): an id and `(server_id, tool_name)` entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Toolset {
    pub(crate) id: String,
    pub(crate) tools: Vec<(String, String)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sem {
    Default,
    /// LiteLLM 1.106.12.
    LiteLlm106,
    /// LiteLLM 1.110.2.
    LiteLlm110,
}

impl Sem {
    pub(crate) fn is_litellm(self) -> bool {
        self != Sem::Default
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Flags {
    pub(crate) tool_permissions_grant_servers: bool,
    pub(crate) require_key: bool,
    pub(crate) require_end_user: bool,
}

/// Whether an end user is identified, and with which permission (or none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum EndUser {
    Anonymous,
    Identified(Option<Permission>),
}

impl EndUser {
    pub(crate) fn is_identified(&self) -> bool {
        matches!(self, EndUser::Identified(_))
    }

    pub(crate) fn permission(&self) -> Option<&Permission> {
        match self {
            EndUser::Anonymous => None,
            EndUser::Identified(p) => p.as_ref(),
        }
    }

    pub(crate) fn permission_mut(&mut self) -> Option<&mut Permission> {
        match self {
            EndUser::Anonymous => None,
            EndUser::Identified(p) => p.as_mut(),
        }
    }
}

/// One request (SPEC 1.3) with the registry it is made against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Case {
    pub(crate) servers: Vec<Server>,
    /// An external access-group map (SPEC 1.4): group to member ids, keys not repeated.
    pub(crate) access_groups: Option<Vec<(String, Vec<String>)>>,
    pub(crate) toolsets: Vec<Toolset>,
    pub(crate) organization: Option<Permission>,
    pub(crate) team: Option<Permission>,
    pub(crate) key: Option<Permission>,
    pub(crate) user: Option<Permission>,
    pub(crate) end_user: EndUser,
    pub(crate) agent: Option<Permission>,
    pub(crate) admin: bool,
    pub(crate) requested: Option<Vec<String>>,
    pub(crate) semantics: Sem,
    pub(crate) flags: Flags,
}

/// A tool scope as sets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Scope {
    All,
    AllExcept(BTreeSet<String>),
    Only(BTreeSet<String>),
}

impl Scope {
    pub(crate) fn allows(&self, tool: &str) -> bool {
        match self {
            Scope::All => true,
            Scope::AllExcept(denied) => !denied.contains(tool),
            Scope::Only(allowed) => allowed.contains(tool),
        }
    }
}

/// What requested names did (`Resolution::requested`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    NotRequested,
    Matched,
    MatchedNothing,
    Blocked,
}

/// The model's answer for one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Answer {
    pub(crate) outcome: Outcome,
    /// Visible servers in registry order: (id, listing scope, calling scope).
    pub(crate) visible: Vec<(String, Scope, Scope)>,
}

// ---------------------------------------------------------------------------------------
// Registry validation (SPEC 1.1)

fn same_uuid(a: &str, b: &str) -> bool {
    match (Uuid::try_parse(a), Uuid::try_parse(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

/// Whether reference `r` names id `id`: exactly, or (under `Default`) as the same UUID.
pub(crate) fn id_matches(id: &str, r: &str, sem: Sem) -> bool {
    id == r || (sem == Sem::Default && same_uuid(id, r))
}

/// The problems building a registry reports, as messages, in registry order.
pub(crate) fn registry_problems(servers: &[Server]) -> Vec<String> {
    let mut problems = Vec::new();
    let mut accepted: Vec<(usize, &str)> = Vec::new();
    for (position, s) in servers.iter().enumerate() {
        if s.id.is_empty() {
            problems.push(format!(
                "server at position {position} has an empty `server_id`"
            ));
            continue;
        }
        if let Some((first, _)) = accepted.iter().find(|(_, a)| *a == s.id.as_str()) {
            problems.push(format!(
                "duplicate server id `{}` at position {position} (first at position {first})",
                s.id
            ));
            continue;
        }
        if let Some((first, other)) = accepted.iter().find(|(_, a)| same_uuid(a, &s.id)) {
            problems.push(format!(
                "duplicate server id `{}` at position {position}: the same UUID as `{other}` \
                 at position {first}",
                s.id
            ));
            continue;
        }
        accepted.push((position, &s.id));
    }
    for (position, s) in servers.iter().enumerate() {
        for (field, value) in [("alias", s.alias()), ("server_name", s.name())] {
            let Some(value) = value else { continue };
            let other = accepted
                .iter()
                .map(|(_, id)| id)
                .find(|id| id_matches(id, value, Sem::Default));
            // A server may bear its own id as a name. With duplicates, "its own" is the
            // first server with that id, the one the registry kept.
            if let Some(other) = other {
                let owner = servers.iter().position(|t| t.id == **other);
                if owner != Some(position) {
                    problems.push(format!(
                        "{field} `{value}` of server `{}` is the id of server `{other}`",
                        s.id
                    ));
                }
            }
        }
    }
    problems
}

// ---------------------------------------------------------------------------------------
// Name resolution (SPEC 2) and access groups (SPEC 1.4)

/// The servers a permission reference names: the one whose id it is, else every server
/// bearing it as alias or name (exact), else none.
pub(crate) fn resolve<'s>(servers: &'s [Server], r: &str, sem: Sem) -> Vec<&'s Server> {
    let by_id: Vec<&Server> = servers
        .iter()
        .filter(|s| id_matches(&s.id, r, sem))
        .collect();
    if !by_id.is_empty() {
        return by_id;
    }
    servers
        .iter()
        .filter(|s| s.alias() == Some(r) || s.name() == Some(r))
        .collect()
}

/// The servers in group `g`: from the external map when given (ids matched as ids), else
/// from the servers' own groups. Group names compare exactly.
pub(crate) fn group_members<'s>(case: &'s Case, g: &str) -> Vec<&'s Server> {
    let mut out = Vec::new();
    match &case.access_groups {
        Some(map) => {
            for (group, members) in map {
                if group != g {
                    continue;
                }
                for member in members {
                    for s in &case.servers {
                        if id_matches(&s.id, member, case.semantics) {
                            out.push(s);
                        }
                    }
                }
            }
        }
        None => {
            for s in &case.servers {
                if s.groups.iter().any(|x| x == g) {
                    out.push(s);
                }
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// Servers (SPEC 3)

/// Which level a permission belongs to (SPEC 1.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lvl {
    Organization,
    Team,
    Key,
    User,
    EndUser,
    Agent,
}

fn non_empty<T>(list: Option<&Vec<T>>) -> bool {
    list.is_some_and(|l| !l.is_empty())
}

/// SPEC 3.1 "declared".
pub(crate) fn declares(p: &Permission, flags: Flags) -> bool {
    non_empty(p.servers.as_ref())
        || non_empty(p.groups.as_ref())
        || non_empty(p.toolsets.as_ref())
        || (flags.tool_permissions_grant_servers && non_empty(p.tools.as_ref()))
}

/// The toolset a permission names by `id`, when the registry has it.
fn toolset<'c>(case: &'c Case, id: &str) -> Option<&'c Toolset> {
    case.toolsets.iter().find(|t| t.id == id)
}

/// A `mcp_toolsets` entry that names no toolset, or one with no tools.
fn is_dead(case: &Case, id: &str) -> bool {
    toolset(case, id).is_none_or(|t| t.tools.is_empty())
}

/// SPEC 7 "restricts": declares, except that a key's toolsets count only when they name a
/// toolset with tools, and an end user's never.
fn restricts(case: &Case, p: &Permission, level: Lvl) -> bool {
    let by_entries = non_empty(p.servers.as_ref())
        || non_empty(p.groups.as_ref())
        || (case.flags.tool_permissions_grant_servers && non_empty(p.tools.as_ref()));
    let toolsets = p.toolsets.iter().flatten();
    match level {
        Lvl::Key => by_entries || toolsets.into_iter().any(|id| !is_dead(case, id)),
        Lvl::EndUser => by_entries,
        _ => declares(p, case.flags),
    }
}

/// A set of servers, as ids (ids are unique in a valid registry).
type Ids = BTreeSet<String>;

/// The servers a toolset entry's `server_id` names: by id only.
fn toolset_servers<'c>(case: &'c Case, server_id: &str) -> Vec<&'c Server> {
    case.servers
        .iter()
        .filter(|s| id_matches(&s.id, server_id, case.semantics))
        .collect()
}

/// `S(L)` (SPEC 3.1; SPEC 7 leaves an end user's toolsets out of it).
fn grant(case: &Case, p: &Permission, level: Lvl) -> Ids {
    let mut out = Ids::new();
    for r in p.servers.iter().flatten() {
        if level == Lvl::Team && r == ALL_PROXY_MCP_SERVERS {
            out.extend(case.servers.iter().map(|s| s.id.clone()));
        } else {
            out.extend(
                resolve(&case.servers, r, case.semantics)
                    .into_iter()
                    .map(|s| s.id.clone()),
            );
        }
    }
    for g in p.groups.iter().flatten() {
        out.extend(group_members(case, g).into_iter().map(|s| s.id.clone()));
    }
    if case.flags.tool_permissions_grant_servers {
        for (r, _) in p.tools.iter().flatten() {
            out.extend(
                resolve(&case.servers, r, case.semantics)
                    .into_iter()
                    .map(|s| s.id.clone()),
            );
        }
    }
    if !(case.semantics.is_litellm() && level == Lvl::EndUser) {
        for id in p.toolsets.iter().flatten() {
            for (server_id, _) in toolset(case, id)
                .map(|t| t.tools.as_slice())
                .unwrap_or_default()
            {
                out.extend(
                    toolset_servers(case, server_id)
                        .into_iter()
                        .map(|s| s.id.clone()),
                );
            }
        }
    }
    out
}

fn is_blocked(case: &Case) -> bool {
    case.key
        .as_ref()
        .and_then(|k| k.servers.as_ref())
        .is_some_and(|l| l.iter().any(|r| r == NO_MCP_SERVERS))
}

/// Every level with its permission, the end user only when identified.
pub(crate) fn levels(case: &Case) -> Vec<(Lvl, &Permission)> {
    let mut out = Vec::new();
    for (level, p) in [
        (Lvl::Organization, case.organization.as_ref()),
        (Lvl::Team, case.team.as_ref()),
        (Lvl::Key, case.key.as_ref()),
        (Lvl::User, case.user.as_ref()),
        (Lvl::EndUser, case.end_user.permission()),
        (Lvl::Agent, case.agent.as_ref()),
    ] {
        if let Some(p) = p {
            out.push((level, p));
        }
    }
    out
}

fn level_permission(case: &Case, level: Lvl) -> Option<&Permission> {
    levels(case)
        .into_iter()
        .find(|(l, _)| *l == level)
        .map(|(_, p)| p)
}

/// Whether the admin view applies (SPEC 3.4, and 7).
pub(crate) fn admin_view(case: &Case) -> bool {
    let mut on = case.admin && case.key.as_ref().is_none_or(|k| k.servers.is_none());
    if case.semantics == Sem::LiteLlm110 && case.team.is_some() {
        on = false;
    }
    if case.semantics.is_litellm()
        && case
            .user
            .as_ref()
            .is_some_and(|u| restricts(case, u, Lvl::User))
    {
        on = false;
    }
    on
}

fn intersect(a: &Ids, b: &Ids) -> Ids {
    a.intersection(b).cloned().collect()
}

/// SPEC 3.2 under the default semantics.
fn default_servers(case: &Case) -> Ids {
    let mut base: Option<Ids> = None;
    for level in [Lvl::Organization, Lvl::Team, Lvl::Key] {
        let Some(p) = level_permission(case, level) else {
            continue;
        };
        if declares(p, case.flags) {
            let g = grant(case, p, level);
            base = Some(match base {
                None => g,
                Some(b) => intersect(&b, &g),
            });
        }
    }
    let key_declares = case.key.as_ref().is_some_and(|k| declares(k, case.flags));
    if case.flags.require_key && !key_declares {
        base = Some(Ids::new());
    }
    let mut base = base.unwrap_or_default();
    for level in [Lvl::User, Lvl::EndUser, Lvl::Agent] {
        if let Some(p) = level_permission(case, level) {
            if declares(p, case.flags) {
                base = intersect(&base, &grant(case, p, level));
            }
        }
    }
    let end_user_declares = case
        .end_user
        .permission()
        .is_some_and(|p| declares(p, case.flags));
    if case.end_user.is_identified() && case.flags.require_end_user && !end_user_declares {
        base = Ids::new();
    }
    base
}

/// SPEC 7: key and team first, then the narrowing levels, then the organization, which
/// narrows or replaces; a dead toolset on most levels leaves nothing.
fn litellm_servers(case: &Case) -> Ids {
    let counted = |level: Lvl| {
        level_permission(case, level)
            .filter(|p| restricts(case, p, level))
            .map(|p| grant(case, p, level))
    };
    let mut base = match (counted(Lvl::Team), counted(Lvl::Key)) {
        (Some(team), Some(key)) => intersect(&key, &team),
        (Some(_), None) if case.flags.require_key => Ids::new(),
        (Some(team), None) => team,
        (None, Some(key)) => key,
        (None, None) => Ids::new(),
    };
    let mut restricted = [Lvl::Team, Lvl::Key].into_iter().any(|level| {
        level_permission(case, level)
            .is_some_and(|p| restricts(case, p, level) || non_empty(p.toolsets.as_ref()))
    });
    for level in [Lvl::EndUser, Lvl::Agent, Lvl::User] {
        if let Some(g) = counted(level) {
            base = intersect(&base, &g);
            restricted = true;
        }
    }
    let end_user_restricts = case
        .end_user
        .permission()
        .is_some_and(|p| restricts(case, p, Lvl::EndUser));
    if case.end_user.is_identified() && case.flags.require_end_user && !end_user_restricts {
        base = Ids::new();
        restricted = true;
    }
    if let Some(g) = counted(Lvl::Organization) {
        base = if restricted { intersect(&base, &g) } else { g };
    }
    for level in [Lvl::Team, Lvl::User, Lvl::Agent, Lvl::Organization] {
        if level_permission(case, level)
            .is_some_and(|p| p.toolsets.iter().flatten().any(|id| is_dead(case, id)))
        {
            base = Ids::new();
        }
    }
    base
}

/// The visible servers before requested names (SPEC 3.2 to 3.5), as ids.
fn visible_ids(case: &Case) -> Ids {
    let mut base = if admin_view(case) {
        case.servers.iter().map(|s| s.id.clone()).collect()
    } else if case.semantics.is_litellm() {
        litellm_servers(case)
    } else {
        default_servers(case)
    };
    for s in &case.servers {
        if s.allow_all_keys {
            base.insert(s.id.clone());
        }
    }
    base
}

/// ASCII case-insensitive equality, spelled out.
fn caseless_eq(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

fn name_picks(s: &Server, name: &str) -> bool {
    caseless_eq(&s.id, name)
        || s.alias().is_some_and(|a| caseless_eq(a, name))
        || s.name().is_some_and(|n| caseless_eq(n, name))
}

/// SPEC 3.6 (and section 7 under `LiteLlm`): the visible servers the names keep.
fn apply_requested(case: &Case, visible: &Ids, names: &[String]) -> Ids {
    let is_visible = |s: &Server| visible.contains(&s.id);
    let mut kept = Ids::new();
    for name in names {
        match case.semantics {
            Sem::Default => {
                for s in case.servers.iter().filter(|s| is_visible(s)) {
                    if name_picks(s, name) || same_uuid(&s.id, name) {
                        kept.insert(s.id.clone());
                    }
                }
                for s in group_members(case, name) {
                    if is_visible(s) {
                        kept.insert(s.id.clone());
                    }
                }
            }
            Sem::LiteLlm106 | Sem::LiteLlm110 => {
                let first = case
                    .servers
                    .iter()
                    .find(|s| is_visible(s) && name_picks(s, name));
                match first {
                    Some(s) => {
                        kept.insert(s.id.clone());
                    }
                    None => {
                        for s in group_members(case, name) {
                            if is_visible(s) {
                                kept.insert(s.id.clone());
                            }
                        }
                    }
                }
            }
        }
    }
    kept
}

// ---------------------------------------------------------------------------------------
// Tools (SPEC 4, and section 7 under `LiteLlm`)

/// The spellings a prefix may use for `s`: alias, name, id, spaces as `_`.
pub(crate) fn spellings(s: &Server) -> Vec<String> {
    [s.alias(), s.name(), Some(s.id.as_str())]
        .into_iter()
        .flatten()
        .map(|x| x.replace(' ', "_"))
        .collect()
}

/// The tools a server-level list names: each entry, and `t` for `{spelling}-{t}`.
fn expand(s: &Server, list: &[String]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for entry in list {
        out.insert(entry.clone());
        for spelling in spellings(s) {
            let head = format!("{spelling}-");
            if let Some(rest) = entry.strip_prefix(&head) {
                if !rest.is_empty() {
                    out.insert(rest.to_owned());
                }
            }
        }
    }
    out
}

/// A level's tool list for `s` (SPEC 4.2): the union of its entries whose key resolves to
/// `s` and of the tools its toolsets list for `s`; `None` when nothing names `s` or a
/// wildcard lifts the restriction (under LiteLLM only an entry's `"*"`; a toolset's is a
/// tool named `*`).
pub(crate) fn level_list_of(case: &Case, p: &Permission, s: &Server) -> Option<BTreeSet<String>> {
    level_list(case, Some(p), s)
}

fn level_list(case: &Case, p: Option<&Permission>, s: &Server) -> Option<BTreeSet<String>> {
    let mut found = false;
    let mut wildcard = false;
    let mut union = BTreeSet::new();
    for (r, tools) in p.and_then(|p| p.tools.as_ref()).into_iter().flatten() {
        if resolve(&case.servers, r, case.semantics)
            .iter()
            .any(|t| t.id == s.id)
        {
            found = true;
            wildcard |= tools.iter().any(|t| t == WILDCARD);
            union.extend(tools.iter().cloned());
        }
    }
    for id in p.and_then(|p| p.toolsets.as_ref()).into_iter().flatten() {
        for (server_id, tool) in toolset(case, id)
            .map(|t| t.tools.as_slice())
            .unwrap_or_default()
        {
            if toolset_servers(case, server_id)
                .iter()
                .any(|t| t.id == s.id)
            {
                found = true;
                wildcard |= tool == WILDCARD && !case.semantics.is_litellm();
                union.insert(tool.clone());
            }
        }
    }
    if !found || wildcard {
        None
    } else {
        Some(union)
    }
}

fn scope_of(s: &Server, restrictions: &[BTreeSet<String>], use_deny: bool) -> Scope {
    let allow = if s.allowed.is_empty() {
        None
    } else {
        Some(expand(s, &s.allowed))
    };
    let deny = if use_deny {
        expand(s, &s.disallowed)
    } else {
        BTreeSet::new()
    };
    if restrictions.is_empty() {
        return match allow {
            None if deny.is_empty() => Scope::All,
            None => Scope::AllExcept(deny),
            Some(allow) => Scope::Only(allow.difference(&deny).cloned().collect()),
        };
    }
    let mut candidates = BTreeSet::new();
    for r in restrictions {
        candidates.extend(r.iter().cloned());
    }
    let only = candidates
        .into_iter()
        .filter(|t| restrictions.iter().all(|r| r.contains(t)))
        .filter(|t| allow.as_ref().is_none_or(|a| a.contains(t)))
        .filter(|t| !deny.contains(t))
        .collect();
    Scope::Only(only)
}

/// (listing scope, calling scope) of a visible server.
fn scopes(case: &Case, s: &Server) -> (Scope, Scope) {
    let list_of = |level: Lvl| level_list(case, level_permission(case, level), s);
    let mut restrictions = Vec::new();
    let (key, team) = (list_of(Lvl::Key), list_of(Lvl::Team));
    if case.semantics == Sem::LiteLlm106 {
        // Truthiness: a non-empty team list is the ceiling, narrowed by a non-empty
        // key list; otherwise the key's list, even `[]`, alone.
        match (team.filter(|t| !t.is_empty()), key) {
            (Some(t), Some(k)) if !k.is_empty() => restrictions.extend([t, k]),
            (Some(t), _) => restrictions.push(t),
            (None, k) => restrictions.extend(k),
        }
    } else {
        restrictions.extend(key.into_iter().chain(team));
    }
    for level in [Lvl::Organization, Lvl::User, Lvl::EndUser, Lvl::Agent] {
        restrictions.extend(list_of(level));
    }
    // SPEC 7: a dead toolset on any level but the key's denies every tool.
    let denied = case.semantics.is_litellm()
        && levels(case).iter().any(|(level, p)| {
            *level != Lvl::Key && p.toolsets.iter().flatten().any(|id| is_dead(case, id))
        });
    if denied {
        restrictions.push(BTreeSet::new());
    }
    let list = scope_of(s, &restrictions, true);
    let call = if case.semantics == Sem::LiteLlm106 && !s.allowed.is_empty() {
        scope_of(s, &restrictions, false)
    } else {
        list.clone()
    };
    (list, call)
}

// ---------------------------------------------------------------------------------------
// The answer, and call decisions

/// The model's answer, or the registry's problems when the servers are not a valid registry.
pub(crate) fn answer(case: &Case) -> Result<Answer, Vec<String>> {
    let problems = registry_problems(&case.servers);
    if !problems.is_empty() {
        return Err(problems);
    }
    if is_blocked(case) {
        return Ok(Answer {
            outcome: Outcome::Blocked,
            visible: Vec::new(),
        });
    }
    let mut visible = visible_ids(case);
    let outcome = match &case.requested {
        None => Outcome::NotRequested,
        Some(names) => {
            visible = apply_requested(case, &visible, names);
            if visible.is_empty() {
                Outcome::MatchedNothing
            } else {
                Outcome::Matched
            }
        }
    };
    let mut out = Vec::new();
    for s in &case.servers {
        if visible.contains(&s.id) {
            let (list, call) = scopes(case, s);
            out.push((s.id.clone(), list, call));
        }
    }
    Ok(Answer {
        outcome,
        visible: out,
    })
}

/// A call decision, as `CallDecision::code` spells it.
pub(crate) fn decide_call(case: &Case, answer: &Answer, server: &str, tool: &str) -> &'static str {
    let found = resolve(&case.servers, server, case.semantics);
    let [s] = found.as_slice() else {
        return if found.is_empty() {
            "unknown_server"
        } else {
            "ambiguous_server"
        };
    };
    let Some((_, _, call)) = answer.visible.iter().find(|(id, _, _)| *id == s.id) else {
        return "server_not_visible";
    };
    decide(call, tool)
}

fn decide(call: &Scope, tool: &str) -> &'static str {
    if tool.is_empty() {
        "empty_tool_name"
    } else if call.allows(tool) {
        "allowed"
    } else {
        "tool_not_allowed"
    }
}

/// A prefixed call `{prefix}-{tool}`: longest prefix among the visible servers' spellings.
pub(crate) fn decide_prefixed(case: &Case, answer: &Answer, name: &str) -> &'static str {
    let cuts: Vec<usize> = name.match_indices('-').map(|(at, _)| at).collect();
    for &at in cuts.iter().rev() {
        let (prefix, tool) = (&name[..at], &name[at + 1..]);
        let bearers: Vec<&(String, Scope, Scope)> = answer
            .visible
            .iter()
            .filter(|(id, _, _)| {
                case.servers
                    .iter()
                    .any(|s| s.id == *id && spellings(s).iter().any(|sp| sp == prefix))
            })
            .collect();
        match bearers.as_slice() {
            [] => {}
            [(_, _, call)] => return decide(call, tool),
            _ => return "ambiguous_prefix",
        }
    }
    "unknown_prefix"
}
