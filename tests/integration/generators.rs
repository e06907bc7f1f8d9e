//! Generators of registries and requests for the properties, and the bridges from the
//! model's inputs to the crate's: builders, JSON scenarios, and answers read back.
//!
//! The alphabets are small on purpose, so that ids, names, aliases, groups, tool names and
//! UUID spellings collide often.

use std::collections::BTreeSet;

use mcp_authz::scenario::Scenario;
use mcp_authz::{
    MapAccessGroups, McpServer, ObjectPermission, RegistryError, Request, RequestedOutcome,
    Resolution, Semantics, ServerRegistry, Settings, ToolScope,
};
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{Map, Value, json};

use crate::model::{
    ALL_PROXY_MCP_SERVERS, Case, EndUser, Flags, NO_MCP_SERVERS, Outcome, Permission, Scope, Sem,
    Server,
};

// ---------------------------------------------------------------------------------------
// Alphabets

/// Names and aliases; some spell others in another case, contain the separator or a space,
/// or are group names or sentinels.
pub(crate) const NAMES: &[&str] = &[
    "github",
    "GitHub",
    "gh",
    "GH",
    "jira",
    "wiki",
    "git hub",
    "git_hub",
    "files",
    "gh-tool",
    "dev",
    "srv",
    NO_MCP_SERVERS,
    ALL_PROXY_MCP_SERVERS,
];

pub(crate) const GROUPS: &[&str] = &["dev", "pm", "ops", "Dev"];
const PERMISSION_GROUPS: &[&str] = &["dev", "pm", "ops", "Dev", "nosuch", "github"];

/// Entries of server-level tool lists, bare and prefixed with some server's spelling.
const SERVER_TOOLS: &[&str] = &[
    "read",
    "write",
    "delete",
    "search",
    "",
    "*",
    "gh-read",
    "github-write",
    "srv-0-read",
    "srv-1-delete",
    "git_hub-search",
    "gh-tool-read",
    "gh-",
    "5eed0000-0000-4000-8000-00000000abc0-read",
];

/// Tool names in permissions (bare by contract, but anything can be written).
const PERMISSION_TOOLS: &[&str] = &[
    "read", "write", "delete", "search", "*", "", "gh-read", "READ",
];

/// Requested names beyond references: other cases, non-ASCII case, blanks.
const REQUESTED_EXTRA: &[&str] = &[
    "GITHUB",
    "Gh",
    "SRV-0",
    "Srv-1",
    "DEV",
    "Dev",
    "dev",
    "pm",
    "",
    " ",
    "gh ",
    "G\u{130}THUB",
    "\u{ff47}\u{ff48}",
    "Wiki",
];

/// The UUID of server slot `i`.
pub(crate) fn uuid_of(i: usize) -> String {
    format!("5eed0000-0000-4000-8000-{:012x}", 0xabc0 + i)
}

/// One of the five spellings the `uuid` crate parses.
pub(crate) fn spell_uuid(hyphenated: &str, spelling: u8) -> String {
    match spelling % 5 {
        0 => hyphenated.to_owned(),
        1 => hyphenated.to_uppercase(),
        2 => hyphenated.replace('-', ""),
        3 => format!("{{{hyphenated}}}"),
        _ => format!("urn:uuid:{hyphenated}"),
    }
}

/// A server reference: an id (plain, with a space, a UUID in any spelling), a name, an
/// unknown reference or a sentinel.
pub(crate) fn reference() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => (0..8usize).prop_map(|i| format!("srv-{i}")),
        1 => (0..12usize).prop_map(|i| format!("srv {i}")),
        4 => (0..12usize, any::<u8>()).prop_map(|(i, s)| spell_uuid(&uuid_of(i), s)),
        6 => select(NAMES).prop_map(str::to_owned),
        1 => Just("nosuch".to_owned()),
        1 => select(&[NO_MCP_SERVERS, ALL_PROXY_MCP_SERVERS][..]).prop_map(str::to_owned),
    ]
}

/// The ways a request can spell the servers of `servers`: ids (UUIDs in every spelling),
/// aliases and names, and each of those in upper case.
fn spellings_of(servers: &[Server]) -> Vec<String> {
    let mut out = Vec::new();
    for s in servers {
        out.push(s.id.clone());
        out.push(s.id.to_uppercase());
        if let Ok(u) = uuid::Uuid::try_parse(&s.id) {
            let hyphenated = u.hyphenated().to_string();
            out.extend((0..5).map(|spelling| spell_uuid(&hyphenated, spelling)));
        }
        for name in [s.alias(), s.name()].into_iter().flatten() {
            out.push(name.to_owned());
            out.push(name.to_uppercase());
        }
    }
    out.sort();
    out.dedup();
    out
}

/// A reference to one of `servers` in any of its spellings, or one from the pool. The
/// first server is named more often than the others, so that levels meet on one server
/// (a key's and a team's tool lists for the same server, say) in most cases.
fn reference_in(servers: &[Server]) -> impl Strategy<Value = String> + use<> {
    prop_oneof![
        2 => select(spellings_of(servers.get(..1).unwrap_or_default())),
        3 => select(spellings_of(servers)),
        1 => reference(),
    ]
}

// ---------------------------------------------------------------------------------------
// Registries

#[derive(Debug, Clone)]
enum IdKind {
    Plain,
    Spaced,
    Uuid(u8),
    Empty,
    /// Another slot's plain id: a duplicate when that slot is plain too.
    Copy(usize),
}

#[derive(Debug, Clone)]
enum NameKind {
    None,
    Pool(String),
    Empty,
    /// The server's own id, in upper case (another spelling of a UUID id).
    OwnId(bool),
    /// Any reference: sometimes another server's id, which the registry refuses.
    Other(String),
}

fn id_kind() -> impl Strategy<Value = IdKind> {
    prop_oneof![
        60 => Just(IdKind::Plain),
        8 => Just(IdKind::Spaced),
        30 => any::<u8>().prop_map(IdKind::Uuid),
        1 => Just(IdKind::Empty),
        2 => (0..12usize).prop_map(IdKind::Copy),
    ]
}

fn name_kind() -> impl Strategy<Value = NameKind> {
    prop_oneof![
        30 => Just(NameKind::None),
        40 => select(NAMES).prop_map(|n| NameKind::Pool(n.to_owned())),
        15 => select(&["gh", "GH", "files"][..]).prop_map(|n| NameKind::Pool(n.to_owned())),
        5 => Just(NameKind::Empty),
        8 => any::<bool>().prop_map(NameKind::OwnId),
        2 => reference().prop_map(NameKind::Other),
    ]
}

fn tool_list(pool: &'static [&'static str]) -> impl Strategy<Value = Vec<String>> {
    prop_oneof![
        3 => Just(Vec::new()),
        2 => prop::collection::vec(select(pool).prop_map(str::to_owned), 1..4),
    ]
}

fn server_at(
    i: usize,
    (id, name, alias, allow_all_keys, groups, allowed, disallowed): (
        IdKind,
        NameKind,
        NameKind,
        bool,
        Vec<String>,
        Vec<String>,
        Vec<String>,
    ),
) -> Server {
    let id = match id {
        IdKind::Plain => format!("srv-{i}"),
        IdKind::Spaced => format!("srv {i}"),
        IdKind::Uuid(s) => spell_uuid(&uuid_of(i), s),
        IdKind::Empty => String::new(),
        IdKind::Copy(j) => format!("srv-{j}"),
    };
    let named = |kind: NameKind| match kind {
        NameKind::None => None,
        NameKind::Pool(n) | NameKind::Other(n) => Some(n),
        NameKind::Empty => Some(String::new()),
        NameKind::OwnId(upper) => Some(if upper { id.to_uppercase() } else { id.clone() }),
    };
    Server {
        name: named(name),
        alias: named(alias),
        id,
        allow_all_keys,
        groups,
        allowed,
        disallowed,
    }
}

/// 1 to 12 servers.
pub(crate) fn servers() -> impl Strategy<Value = Vec<Server>> {
    let server = (
        id_kind(),
        name_kind(),
        name_kind(),
        prop::bool::weighted(0.2),
        prop::collection::vec(select(GROUPS).prop_map(str::to_owned), 0..3),
        tool_list(SERVER_TOOLS),
        tool_list(SERVER_TOOLS),
    );
    // Small registries more often: levels then meet on the same servers.
    let size = prop_oneof![3 => 1..=4usize, 2 => 5..=12usize];
    (size, prop::collection::vec(server, 12)).prop_map(|(n, mut raw)| {
        raw.truncate(n);
        raw.into_iter()
            .enumerate()
            .map(|(i, r)| server_at(i, r))
            .collect()
    })
}

// ---------------------------------------------------------------------------------------
// Requests

fn unique_keys<T>(entries: Vec<(String, T)>) -> Vec<(String, T)> {
    let mut out: Vec<(String, T)> = Vec::new();
    for (k, v) in entries {
        if !out.iter().any(|(seen, _)| *seen == k) {
            out.push((k, v));
        }
    }
    out
}

fn permission_tools() -> impl Strategy<Value = Vec<String>> {
    prop_oneof![
        2 => Just(Vec::new()),
        1 => Just(vec!["*".to_owned()]),
        4 => prop::collection::vec(select(PERMISSION_TOOLS).prop_map(str::to_owned), 1..4),
    ]
}

/// A permission with each field unset, empty, or holding entries.
pub(crate) fn permission(registry: &[Server]) -> impl Strategy<Value = Permission> + use<> {
    let servers = prop_oneof![
        2 => Just(None),
        1 => Just(Some(Vec::new())),
        4 => prop::collection::vec(reference_in(registry), 1..4).prop_map(Some),
    ];
    let groups = prop_oneof![
        3 => Just(None),
        1 => Just(Some(Vec::new())),
        2 => prop::collection::vec(select(PERMISSION_GROUPS).prop_map(str::to_owned), 1..3)
            .prop_map(Some),
    ];
    let tools = prop_oneof![
        2 => Just(None),
        1 => Just(Some(Vec::new())),
        4 => prop::collection::vec((reference_in(registry), permission_tools()), 1..4)
            .prop_map(|e| Some(unique_keys(e))),
    ];
    (servers, groups, tools).prop_map(|(servers, groups, tools)| Permission {
        servers,
        groups,
        tools,
    })
}

fn level(registry: &[Server]) -> impl Strategy<Value = Option<Permission>> + use<> {
    prop_oneof![1 => Just(None), 3 => permission(registry).prop_map(Some)]
}

fn requested(registry: &[Server]) -> impl Strategy<Value = Option<Vec<String>>> + use<> {
    let name = prop_oneof![
        3 => reference_in(registry),
        2 => select(REQUESTED_EXTRA).prop_map(str::to_owned),
    ];
    prop_oneof![
        3 => Just(None),
        2 => prop::collection::vec(name, 0..4).prop_map(Some),
    ]
}

fn access_groups(
    registry: &[Server],
) -> impl Strategy<Value = Option<Vec<(String, Vec<String>)>>> + use<> {
    let entry = (
        select(PERMISSION_GROUPS).prop_map(str::to_owned),
        prop::collection::vec(reference_in(registry), 0..4),
    );
    prop_oneof![
        3 => Just(None),
        1 => prop::collection::vec(entry, 0..4).prop_map(|e| Some(unique_keys(e))),
    ]
}

fn end_user(registry: &[Server]) -> impl Strategy<Value = EndUser> + use<> {
    prop_oneof![
        2 => Just(EndUser::Anonymous),
        1 => Just(EndUser::Identified(None)),
        2 => permission(registry).prop_map(|p| EndUser::Identified(Some(p))),
    ]
}

fn flags() -> impl Strategy<Value = Flags> {
    (
        prop::bool::weighted(0.8),
        prop::bool::weighted(0.2),
        prop::bool::weighted(0.2),
    )
        .prop_map(|(grant, key, end_user)| Flags {
            tool_permissions_grant_servers: grant,
            require_key: key,
            require_end_user: end_user,
        })
}

/// A registry and one request against it, under either semantics.
pub(crate) fn case() -> impl Strategy<Value = Case> {
    servers()
        .prop_flat_map(|servers| {
            (
                access_groups(&servers),
                level(&servers),
                level(&servers),
                end_user(&servers),
                prop::bool::weighted(0.2),
                requested(&servers),
                prop_oneof![Just(Sem::Default), Just(Sem::LiteLlm)],
                flags(),
                Just(servers),
            )
        })
        .prop_map(
            |(access_groups, key, team, end_user, admin, requested, semantics, flags, servers)| {
                Case {
                    servers,
                    access_groups,
                    key,
                    team,
                    end_user,
                    admin,
                    requested,
                    semantics,
                    flags,
                }
            },
        )
}

// ---------------------------------------------------------------------------------------
// The crate's side

pub(crate) fn mcp_server(s: &Server) -> McpServer {
    let mut out = McpServer::new(s.id.as_str())
        .with_allow_all_keys(s.allow_all_keys)
        .with_access_groups(s.groups.iter().cloned())
        .with_allowed_tools(s.allowed.iter().cloned())
        .with_disallowed_tools(s.disallowed.iter().cloned());
    if let Some(name) = &s.name {
        out = out.with_name(name.as_str());
    }
    if let Some(alias) = &s.alias {
        out = out.with_alias(alias.as_str());
    }
    out
}

pub(crate) fn object_permission(p: &Permission) -> ObjectPermission {
    let mut out = ObjectPermission::new();
    if let Some(servers) = &p.servers {
        out = out.with_servers(servers.iter().cloned());
    }
    if let Some(groups) = &p.groups {
        out = out.with_access_groups(groups.iter().cloned());
    }
    if let Some(tools) = &p.tools {
        out = out.with_empty_tool_permissions();
        for (server, list) in tools {
            out = out.with_tool_permission(server.as_str(), list.iter().cloned());
        }
    }
    out
}

pub(crate) fn semantics(sem: Sem) -> Semantics {
    match sem {
        Sem::Default => Semantics::Default,
        Sem::LiteLlm => Semantics::LiteLlm,
    }
}

pub(crate) fn settings(flags: Flags) -> Settings {
    let mut out = Settings::default();
    out.tool_permissions_grant_servers = flags.tool_permissions_grant_servers;
    out.require_key_mcp_access_defined = flags.require_key;
    out.require_end_user_mcp_access_defined = flags.require_end_user;
    out
}

/// Builds the registry and the request through the public API, resolves, and hands both
/// to `f`.
///
/// # Errors
/// The servers are not a valid registry.
pub(crate) fn with_crate<R>(
    case: &Case,
    f: impl FnOnce(&ServerRegistry, &Resolution<'_>) -> R,
) -> Result<R, RegistryError> {
    let registry = ServerRegistry::new(case.servers.iter().map(mcp_server))?;
    let key = case.key.as_ref().map(object_permission);
    let team = case.team.as_ref().map(object_permission);
    let end_user = case.end_user.permission().map(object_permission);
    let groups = case
        .access_groups
        .as_ref()
        .map(|g| g.iter().cloned().collect::<MapAccessGroups>());
    let mut request = Request::new()
        .key_opt(key.as_ref())
        .team_opt(team.as_ref())
        .admin(case.admin)
        .settings(settings(case.flags))
        .semantics(semantics(case.semantics));
    if case.end_user.is_identified() {
        request = request.end_user(end_user.as_ref());
    }
    if let Some(names) = &case.requested {
        request = request.requested(names);
    }
    if let Some(groups) = &groups {
        request = request.access_groups(groups);
    }
    let resolution = registry.resolve_allowed_servers(&request);
    Ok(f(&registry, &resolution))
}

pub(crate) fn scope(scope: &ToolScope<'_>) -> Scope {
    let set = |s: &mcp_authz::ToolSet<'_>| s.iter().map(str::to_owned).collect();
    match scope {
        ToolScope::All => Scope::All,
        ToolScope::AllExcept(denied) => Scope::AllExcept(set(denied)),
        ToolScope::Only(allowed) => Scope::Only(set(allowed)),
    }
}

pub(crate) fn outcome(outcome: RequestedOutcome) -> Outcome {
    match outcome {
        RequestedOutcome::NotRequested => Outcome::NotRequested,
        RequestedOutcome::Matched => Outcome::Matched,
        RequestedOutcome::MatchedNothing => Outcome::MatchedNothing,
        RequestedOutcome::Blocked => Outcome::Blocked,
        other => panic!("unexpected outcome {other:?}"),
    }
}

/// Everything a resolution answers, on the probes of a case: the outcome, the visible
/// servers with their scopes, call decisions by reference and by prefixed name, and the
/// filtered tool lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Observed {
    pub(crate) outcome: Outcome,
    pub(crate) visible: Vec<(String, Scope)>,
    pub(crate) calls: Vec<(String, String, &'static str)>,
    pub(crate) prefixed: Vec<(String, &'static str)>,
    pub(crate) listed: Vec<(String, Vec<String>)>,
}

pub(crate) fn observe(case: &Case, resolution: &Resolution<'_>) -> Observed {
    let probes = Probes::of(case);
    let mut calls = Vec::new();
    let mut listed = Vec::new();
    for r in &probes.references {
        for t in &probes.tools {
            calls.push((r.clone(), t.clone(), resolution.decide_call(r, t).code()));
        }
        let tools: Vec<String> = resolution.filter_tools(r, &probes.tools).cloned().collect();
        listed.push((r.clone(), tools));
    }
    Observed {
        outcome: outcome(resolution.requested()),
        visible: resolution
            .servers()
            .map(|v| (v.server().id().as_str().to_owned(), scope(v.tools())))
            .collect(),
        calls,
        prefixed: probes
            .prefixed
            .iter()
            .map(|n| (n.clone(), resolution.decide_prefixed_call(n).code()))
            .collect(),
        listed,
    }
}

/// The crate's observed answer for a case, or its registry problems as messages.
pub(crate) fn crate_answer(case: &Case) -> Result<Observed, Vec<String>> {
    with_crate(case, |_, resolution| observe(case, resolution))
        .map_err(|e| e.problems().iter().map(ToString::to_string).collect())
}

/// What the properties ask a resolution about.
pub(crate) struct Probes {
    pub(crate) references: Vec<String>,
    pub(crate) tools: Vec<String>,
    pub(crate) prefixed: Vec<String>,
}

impl Probes {
    pub(crate) fn of(case: &Case) -> Self {
        let mut references = BTreeSet::new();
        let mut spelled = BTreeSet::new();
        for s in &case.servers {
            references.insert(s.id.clone());
            if let Ok(u) = uuid::Uuid::try_parse(&s.id) {
                references.insert(u.hyphenated().to_string().to_uppercase());
                references.insert(u.simple().to_string());
            }
            references.extend(s.alias().map(str::to_owned));
            references.extend(s.name().map(str::to_owned));
            references.extend(s.alias().map(str::to_uppercase));
            spelled.extend(crate::model::spellings(s));
        }
        references.insert("nosuch".to_owned());
        references.insert(String::new());
        let tools: Vec<String> = SERVER_TOOLS
            .iter()
            .chain(PERMISSION_TOOLS)
            .chain(&["other"])
            .map(|t| (*t).to_owned())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let mut prefixed: BTreeSet<String> =
            ["read", "-read", "gh--read", "srv-0", "", "gh-tool-x"]
                .into_iter()
                .map(str::to_owned)
                .collect();
        for p in &spelled {
            for t in ["read", "delete", "gh-read", "", "*"] {
                prefixed.insert(format!("{p}-{t}"));
            }
        }
        Self {
            references: references.into_iter().collect(),
            tools,
            prefixed: prefixed.into_iter().collect(),
        }
    }
}

// ---------------------------------------------------------------------------------------
// JSON scenarios

fn list_or_null(list: &[String], null_when_empty: bool) -> Value {
    if list.is_empty() && null_when_empty {
        Value::Null
    } else {
        json!(list)
    }
}

fn permission_json(p: &Permission) -> Value {
    let tools = p.tools.as_ref().map(|entries| {
        let mut map = Map::new();
        for (k, v) in entries {
            map.insert(k.clone(), json!(v));
        }
        Value::Object(map)
    });
    json!({
        "object_permission_id": "op-1",
        "mcp_servers": p.servers,
        "mcp_access_groups": p.groups,
        "mcp_tool_permissions": tools,
        "vector_stores": [],
    })
}

/// The case as a scenario document, written by hand from the scenario format (LiteLLM's
/// field names; empty server lists as `null` and the `access_groups` spelling on odd
/// servers, so both readings are exercised).
pub(crate) fn scenario_json(case: &Case) -> Value {
    let servers: Vec<Value> = case
        .servers
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let odd = i % 2 == 1;
            let mut o = Map::new();
            o.insert("server_id".into(), json!(s.id));
            o.insert("server_name".into(), json!(s.name));
            o.insert("alias".into(), json!(s.alias));
            o.insert("allow_all_keys".into(), json!(s.allow_all_keys));
            o.insert(
                if odd {
                    "access_groups"
                } else {
                    "mcp_access_groups"
                }
                .into(),
                list_or_null(&s.groups, odd),
            );
            o.insert("allowed_tools".into(), list_or_null(&s.allowed, odd));
            o.insert("disallowed_tools".into(), list_or_null(&s.disallowed, !odd));
            o.insert("url".into(), json!("http://localhost/mcp"));
            Value::Object(o)
        })
        .collect();
    let mut doc = Map::new();
    doc.insert("servers".into(), Value::Array(servers));
    if let Some(groups) = &case.access_groups {
        let mut map = Map::new();
        for (g, members) in groups {
            map.insert(g.clone(), json!(members));
        }
        doc.insert("access_groups".into(), Value::Object(map));
    }
    doc.insert(
        "key".into(),
        case.key.as_ref().map_or(Value::Null, permission_json),
    );
    doc.insert(
        "team".into(),
        case.team.as_ref().map_or(Value::Null, permission_json),
    );
    doc.insert(
        "end_user".into(),
        case.end_user
            .permission()
            .map_or(Value::Null, permission_json),
    );
    doc.insert(
        "end_user_identified".into(),
        json!(case.end_user.is_identified()),
    );
    doc.insert("admin".into(), json!(case.admin));
    doc.insert("requested".into(), json!(case.requested));
    doc.insert(
        "semantics".into(),
        json!(match case.semantics {
            Sem::Default => "default",
            Sem::LiteLlm => "litellm",
        }),
    );
    doc.insert(
        "settings".into(),
        json!({
            "tool_permissions_grant_servers": case.flags.tool_permissions_grant_servers,
            "require_key_mcp_access_defined": case.flags.require_key,
            "require_end_user_mcp_access_defined": case.flags.require_end_user,
        }),
    );
    Value::Object(doc)
}

/// The crate's observed answer for a scenario read from JSON, probed like `case`.
pub(crate) fn scenario_answer(case: &Case, scenario: &Scenario) -> Result<Observed, Vec<String>> {
    scenario
        .with_resolution(|_, _, resolution| observe(case, resolution))
        .map_err(|e| e.problems().iter().map(ToString::to_string).collect())
}

/// The model's answer for a case, probed like [`observe`].
pub(crate) fn model_answer(case: &Case) -> Result<Observed, Vec<String>> {
    let answer = crate::model::answer(case)?;
    let probes = Probes::of(case);
    let mut calls = Vec::new();
    let mut listed = Vec::new();
    for r in &probes.references {
        for t in &probes.tools {
            calls.push((
                r.clone(),
                t.clone(),
                crate::model::decide_call(case, &answer, r, t),
            ));
        }
        let found = crate::model::resolve(&case.servers, r, case.semantics);
        let scope = match found.as_slice() {
            [s] => answer
                .visible
                .iter()
                .find(|(id, _, _)| *id == s.id)
                .map(|(_, list, _)| list),
            _ => None,
        };
        let tools = probes
            .tools
            .iter()
            .filter(|t| !t.is_empty() && scope.is_some_and(|s| s.allows(t)))
            .cloned()
            .collect();
        listed.push((r.clone(), tools));
    }
    Ok(Observed {
        outcome: answer.outcome,
        visible: answer
            .visible
            .iter()
            .map(|(id, list, _)| (id.clone(), list.clone()))
            .collect(),
        calls,
        prefixed: probes
            .prefixed
            .iter()
            .map(|n| (n.clone(), crate::model::decide_prefixed(case, &answer, n)))
            .collect(),
        listed,
    })
}
