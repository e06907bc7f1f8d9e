//! Bridges between the model's inputs and the crate's: builders, JSON scenarios, and the
//! answers of both, read back on the same probes so the properties can compare them.

use std::collections::BTreeSet;

use mcp_authz::scenario::Scenario;
use mcp_authz::{
    Level, LiteLlmRelease, MapAccessGroups, McpServer, ObjectPermission, PermissionRef,
    RegistryError, Request, RequestedOutcome, Resolution, Semantics, ServerRegistry, Settings,
    ToolScope,
};
use serde_json::{Map, Value, json};

use crate::generators::{PERMISSION_TOOLS, SERVER_TOOLS};
use crate::model::{Case, Flags, Outcome, Permission, Scope, Sem, Server, Toolset};
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
    if let Some(toolsets) = &p.toolsets {
        out = out.with_toolsets(toolsets.iter().cloned());
    }
    out
}

pub(crate) fn toolset(t: &Toolset) -> mcp_authz::Toolset {
    t.tools.iter().fold(
        mcp_authz::Toolset::new(t.id.as_str()).with_name(t.id.as_str()),
        |out, (server, tool)| out.with_tool(server.as_str(), tool.as_str()),
    )
}

pub(crate) fn semantics(sem: Sem) -> Semantics {
    match sem {
        Sem::Default => Semantics::Default,
        Sem::LiteLlm106 => Semantics::LiteLlm(LiteLlmRelease::V1_106),
        Sem::LiteLlm110 => Semantics::LiteLlm(LiteLlmRelease::V1_110),
    }
}

pub(crate) fn settings(flags: Flags) -> Settings {
    Settings::default()
        .with_tool_permissions_grant_servers(flags.tool_permissions_grant_servers)
        .with_require_key_mcp_access_defined(flags.require_key)
        .with_require_end_user_mcp_access_defined(flags.require_end_user)
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
    with_crate_as(case, false, f)
}

/// [`with_crate`], with every level compiled first (as a gateway that keeps compiled
/// permissions does) when `compiled`, and the request resolved twice: the answer is the
/// second one, which reads what the first left in the compiled levels.
pub(crate) fn with_crate_as<R>(
    case: &Case,
    precompile: bool,
    f: impl FnOnce(&ServerRegistry, &Resolution<'_>) -> R,
) -> Result<R, RegistryError> {
    let registry = ServerRegistry::with_toolsets(
        case.servers.iter().map(mcp_server),
        case.toolsets.iter().map(toolset),
    )?;
    let groups = case
        .access_groups
        .as_ref()
        .map(|g| g.iter().cloned().collect::<MapAccessGroups>());
    let mut compiler = registry
        .compiler()
        .settings(settings(case.flags))
        .semantics(semantics(case.semantics));
    if let Some(groups) = &groups {
        compiler = compiler.access_groups(groups);
    }
    let permissions = [
        (Level::Key, case.key.as_ref()),
        (Level::Team, case.team.as_ref()),
        (Level::Organization, case.organization.as_ref()),
        (Level::User, case.user.as_ref()),
        (Level::Agent, case.agent.as_ref()),
        (Level::EndUser, case.end_user.permission()),
    ]
    .map(|(level, p)| (level, p.map(object_permission)));
    let kept = permissions.each_ref().map(|(level, p)| {
        p.as_ref()
            .filter(|_| precompile)
            .map(|p| compiler.compile(*level, p))
    });
    let mut request = Request::new()
        .admin(case.admin)
        .settings(settings(case.flags))
        .semantics(semantics(case.semantics));
    for ((level, raw), kept) in permissions.iter().zip(&kept) {
        let permission = match kept {
            Some(c) => Some(PermissionRef::Compiled(c)),
            None => raw.as_ref().map(PermissionRef::Raw),
        };
        request = match (level, permission) {
            (Level::EndUser, _) if !case.end_user.is_identified() => request,
            // Identified, without a permission of its own.
            (Level::EndUser, None) => request.end_user(None),
            (_, permission) => request.level(*level, permission),
        };
    }
    if let Some(names) = &case.requested {
        request = request.requested(names);
    }
    if let Some(groups) = &groups {
        request = request.access_groups(groups);
    }
    if precompile {
        drop(registry.resolve_allowed_servers(&request));
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
        "mcp_toolsets": p.toolsets,
        "vector_stores": [],
    })
}

/// Toolset rows; LiteLLM stores `tools` as a JSON string at times: every other toolset is
/// written so.
fn toolsets_json(toolsets: &[Toolset]) -> Value {
    let rows: Vec<Value> = toolsets
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let tools: Vec<Value> = t
                .tools
                .iter()
                .map(|(server, tool)| json!({"server_id": server, "tool_name": tool}))
                .collect();
            let tools = if i % 2 == 1 {
                Value::String(Value::Array(tools).to_string())
            } else {
                Value::Array(tools)
            };
            json!({"toolset_id": t.id, "toolset_name": t.id, "tools": tools})
        })
        .collect();
    Value::Array(rows)
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
    if !case.toolsets.is_empty() {
        doc.insert("toolsets".into(), toolsets_json(&case.toolsets));
    }
    for (member, p) in [
        ("organization", &case.organization),
        ("user", &case.user),
        ("agent", &case.agent),
    ] {
        if let Some(p) = p {
            doc.insert(member.into(), permission_json(p));
        }
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
            Sem::LiteLlm106 => "litellm-1.106",
            Sem::LiteLlm110 => "litellm-1.110",
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
