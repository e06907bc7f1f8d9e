//! Invariants the fuzz targets check on every input that builds a registry.
//!
//! Each is cheap and needs no model: it compares the crate with itself (a narrower request
//! never sees more, listing agrees with calling) or with a fact read straight off the input.

use mcp_authz::scenario::{Scenario, ScenarioCall};
use mcp_authz::{
    AccessGroups, CallDecision, Level, LiteLlmRelease, McpServer, ObjectPermission, PermissionRef,
    Request, RequestedOutcome, Resolution, RouteError, Semantics, ServerId, ServerRegistry,
    ToolScope,
};

const NO_MCP_SERVERS: &str = "no-mcp-servers";

/// The scenario's request, with or without its end user and its requested names.
fn request(s: &Scenario, end_user: bool, requested: bool) -> Request<'_> {
    let mut request = Request::new()
        .key_opt(s.key.as_ref())
        .team_opt(s.team.as_ref())
        .level(
            Level::Organization,
            s.organization.as_ref().map(PermissionRef::Raw),
        )
        .level(Level::User, s.user.as_ref().map(PermissionRef::Raw))
        .level(Level::Agent, s.agent.as_ref().map(PermissionRef::Raw))
        .admin(s.admin)
        .settings(s.settings)
        .semantics(s.semantics);
    if end_user && s.end_user_identified.unwrap_or(s.end_user.is_some()) {
        request = request.end_user(s.end_user.as_ref());
    }
    if let (true, Some(names)) = (requested, &s.requested) {
        request = request.requested(names);
    }
    if let Some(groups) = &s.access_groups {
        request = request.access_groups(groups as &dyn AccessGroups);
    }
    request
}

/// The scenario's team alone, as the key's ceiling: no key, no end user, no names.
fn team_only(s: &Scenario) -> Request<'_> {
    let mut settings = s.settings;
    settings.require_key_mcp_access_defined = false;
    let mut request = Request::new()
        .team_opt(s.team.as_ref())
        .settings(settings)
        .semantics(s.semantics);
    if let Some(groups) = &s.access_groups {
        request = request.access_groups(groups as &dyn AccessGroups);
    }
    request
}

fn declares(p: &ObjectPermission, tool_permissions_grant: bool) -> bool {
    p.mcp_servers().is_some_and(|l| !l.is_empty())
        || p.mcp_access_groups().is_some_and(|l| !l.is_empty())
        || (tool_permissions_grant && p.mcp_tool_permissions().is_some_and(|m| !m.is_empty()))
}

fn ids(resolution: &Resolution<'_>) -> Vec<String> {
    resolution
        .servers()
        .map(|v| v.server().id().as_str().to_owned())
        .collect()
}

fn is_subset(small: &[String], big: &[String]) -> bool {
    small.iter().all(|id| big.contains(id))
}

/// Tool names worth probing: every name the scenario mentions, every name a scope holds,
/// and two that no input is likely to hold.
fn probes(s: &Scenario, resolution: &Resolution<'_>) -> Vec<String> {
    let mut out: Vec<String> = vec![String::new(), "x".into()];
    for server in &s.servers {
        out.extend(server.allowed_tools().iter().cloned());
        out.extend(server.disallowed_tools().iter().cloned());
    }
    for toolset in &s.toolsets {
        out.extend(toolset.tools().iter().map(|t| t.tool_name().to_owned()));
    }
    let levels = [
        &s.organization,
        &s.team,
        &s.key,
        &s.user,
        &s.end_user,
        &s.agent,
    ];
    for level in levels.into_iter().flatten() {
        for tools in level
            .mcp_tool_permissions()
            .into_iter()
            .flat_map(|m| m.values())
        {
            out.extend(tools.iter().cloned());
        }
    }
    for offered in s.tools.iter().flat_map(|m| m.values()) {
        out.extend(offered.iter().cloned());
    }
    for call in &s.calls {
        if let ScenarioCall::Tool { tool, .. } = call {
            out.push(tool.clone());
        }
    }
    for v in resolution.servers() {
        match v.tools() {
            ToolScope::All => {}
            ToolScope::AllExcept(set) | ToolScope::Only(set) => {
                out.extend(set.iter().map(str::to_owned));
            }
        }
    }
    out.sort();
    out.dedup();
    // Bounded work per input: the fuzzer's inputs are small, but a list can still be long.
    out.truncate(64);
    out
}

/// Checks every invariant on a scenario whose servers form a valid registry.
///
/// # Panics
/// When an invariant does not hold: that is the finding.
pub fn check_scenario(s: &Scenario) {
    let Ok(registry) =
        ServerRegistry::with_toolsets(s.servers.iter().cloned(), s.toolsets.iter().cloned())
    else {
        return;
    };
    let full = registry.resolve_allowed_servers(&request(s, true, true));
    let visible = ids(&full);
    let output = s.output(&full);
    assert_eq!(
        output["servers"].as_array().map(Vec::len),
        Some(full.len()),
        "output lists the visible servers"
    );

    // Registry order, each once.
    let positions: Vec<usize> = visible
        .iter()
        .map(|id| {
            registry
                .servers()
                .position(|r| r.id().as_str() == id)
                .expect("a visible server is a registry server")
        })
        .collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "visible servers out of registry order or repeated: {visible:?}"
    );

    // The key's sentinel blocks everything; requested names say what they did.
    let blocked = s
        .key
        .as_ref()
        .and_then(ObjectPermission::mcp_servers)
        .is_some_and(|l| l.iter().any(|r| r == NO_MCP_SERVERS));
    match (blocked, &s.requested) {
        (true, _) => {
            assert_eq!(full.requested(), RequestedOutcome::Blocked);
            assert!(visible.is_empty());
        }
        (false, None) => assert_eq!(full.requested(), RequestedOutcome::NotRequested),
        (false, Some(_)) => assert_eq!(
            full.requested(),
            if visible.is_empty() {
                RequestedOutcome::MatchedNothing
            } else {
                RequestedOutcome::Matched
            }
        ),
    }

    // Unrequested, unblocked: allow_all_keys servers are always there, and the admin view
    // without its own `mcp_servers` sees everything.
    if !blocked && s.requested.is_none() {
        for server in registry.servers().filter(|r| r.is_allow_all_keys()) {
            assert!(visible.iter().any(|id| id == server.id().as_str()));
        }
        // (LiteLLM 1.110 bounds an admin key on a team, and LiteLLM turns the admin view
        // off for a restricting key owner: this invariant is the default semantics'.)
        let plain_admin =
            s.semantics == Semantics::Default || (s.team.is_none() && s.user.is_none());
        if plain_admin && s.admin && s.key.as_ref().is_none_or(|k| k.mcp_servers().is_none()) {
            assert_eq!(
                visible.len(),
                registry.len(),
                "admin view sees every server"
            );
        }
    }

    // The team is a ceiling.
    let admin_view = s.admin && s.key.as_ref().is_none_or(|k| k.mcp_servers().is_none());
    let tool_permissions_grant = s.settings.tool_permissions_grant_servers;
    if !admin_view
        && s.team
            .as_ref()
            .is_some_and(|t| declares(t, tool_permissions_grant))
    {
        let ceiling = ids(&registry.resolve_allowed_servers(&team_only(s)));
        assert!(
            is_subset(&visible, &ceiling),
            "team ceiling broken: {visible:?} not within {ceiling:?}"
        );
    }

    let tools = probes(s, &full);

    // An end user only narrows, servers and tools alike. Under LiteLlm a requested name
    // that loses the server it matched reads as an access group instead (SPEC 7), so there
    // the comparison is made before requested names apply.
    let with_names = s.semantics == Semantics::Default;
    let without_end_user = registry.resolve_allowed_servers(&request(s, false, with_names));
    let with_end_user = registry.resolve_allowed_servers(&request(s, true, with_names));
    assert!(is_subset(&ids(&with_end_user), &ids(&without_end_user)));
    for id in &ids(&with_end_user) {
        for t in &tools {
            if with_end_user.is_tool_allowed(id, t) {
                assert!(
                    without_end_user.is_tool_allowed(id, t),
                    "end user widened `{t}` on `{id}`"
                );
            }
        }
    }

    // Requested names only pick servers; they never change a scope.
    let unrequested = registry.resolve_allowed_servers(&request(s, true, false));
    assert!(is_subset(&visible, &ids(&unrequested)));
    for v in full.servers() {
        assert_eq!(
            unrequested.tool_scope(v.server().id().as_str()),
            Some(v.tools())
        );
    }

    // Listing and calling: one decision under Default; under LiteLlm listed ⇒ callable.
    for v in full.servers() {
        let id = v.server().id().as_str();
        assert!(full.is_visible(id));
        assert_eq!(full.tool_scope(id), Some(v.tools()));
        for t in &tools {
            let listed = full.filter_tools(id, std::slice::from_ref(t)).count() == 1;
            let allowed = full.is_tool_allowed(id, t);
            assert_eq!(listed, !t.is_empty() && v.tools().allows(t));
            match s.semantics {
                Semantics::LiteLlm(LiteLlmRelease::V1_106) => {
                    assert!(!listed || allowed, "`{id}` `{t}`");
                }
                _ => assert_eq!(listed, allowed, "`{id}` `{t}`"),
            }
        }
    }
    for server in registry.servers() {
        let id = server.id().as_str();
        if !visible.iter().any(|v| v == id) {
            assert!(!full.is_visible(id));
            assert_eq!(full.decide_call(id, "x"), CallDecision::ServerNotVisible);
        }
    }

    // The explanation is the resolution's own record, and the linter reads any input.
    let full_request = request(s, true, true);
    let explanation = registry.explain(&full_request);
    let explained: Vec<String> = explanation
        .visible()
        .map(|server| server.id().as_str().to_owned())
        .collect();
    assert_eq!(explained, visible, "explanation and resolution disagree");
    for call in &s.calls {
        match call {
            ScenarioCall::Tool { server, tool } => assert_eq!(
                explanation.tool(server, tool).decision(),
                full.decide_call(server, tool)
            ),
            ScenarioCall::Prefixed { name } => assert_eq!(
                explanation.prefixed_tool(name).decision(),
                full.decide_prefixed_call(name)
            ),
        }
    }
    let mut linter = registry
        .linter()
        .settings(s.settings)
        .semantics(s.semantics);
    if let Some(groups) = &s.access_groups {
        linter = linter.access_groups(groups as &dyn AccessGroups);
    }
    let diagnostics = linter.request(&full_request);
    assert!(diagnostics.iter().all(|d| !d.message().contains('\n')));

    // The scenario's own calls.
    for call in &s.calls {
        match call {
            ScenarioCall::Tool { server, tool } => {
                if full.decide_call(server, tool).is_allowed() {
                    assert!(full.is_visible(server) && !tool.is_empty());
                }
            }
            ScenarioCall::Prefixed { name } => {
                let decision = full.decide_prefixed_call(name);
                match full.route(name) {
                    Ok(routed) => {
                        let id = routed.server.id().as_str();
                        assert!(full.is_visible(id), "routed to a hidden server");
                        assert!(name.ends_with(routed.tool));
                        assert_eq!(decision, full.decide_call(id, routed.tool));
                    }
                    Err(denied) => assert_eq!(decision, CallDecision::from(denied)),
                }
            }
        }
    }
}

/// Checks what building a registry from `servers` must do, and the admin view of it.
///
/// # Panics
/// When an invariant does not hold.
pub fn check_registry(servers: &[McpServer]) {
    let same = |a: &str, b: &str| {
        a == b
            || ServerId::new(a)
                .as_uuid()
                .is_some_and(|u| ServerId::new(b).as_uuid() == Some(u))
    };
    let empty = servers.iter().any(|s| s.id().as_str().is_empty());
    let duplicate = servers.iter().enumerate().any(|(i, a)| {
        servers
            .iter()
            .skip(i + 1)
            .any(|b| same(a.id().as_str(), b.id().as_str()))
    });
    let name_is_other_id = servers.iter().enumerate().any(|(i, a)| {
        [a.alias(), a.name()].into_iter().flatten().any(|name| {
            servers
                .iter()
                .enumerate()
                .any(|(j, b)| j != i && !b.id().as_str().is_empty() && same(name, b.id().as_str()))
        })
    });
    let registry = ServerRegistry::new(servers.iter().cloned());
    let registry = match registry {
        Err(e) => {
            assert!(empty || duplicate || name_is_other_id, "refused: {e}");
            assert!(!e.problems().is_empty());
            assert!(!e.to_string().contains('\n'));
            return;
        }
        Ok(r) => {
            assert!(
                !(empty || duplicate || name_is_other_id),
                "accepted a bad registry"
            );
            r
        }
    };
    assert_eq!(registry.len(), servers.len());
    for server in servers {
        let id = server.id().as_str();
        assert_eq!(registry.get(id).map(McpServer::id), Some(server.id()));
        let found: Vec<&ServerId> = registry.resolve_reference(id).map(McpServer::id).collect();
        assert_eq!(found, [server.id()]);
        for name in [server.alias(), server.name()].into_iter().flatten() {
            assert!(
                registry
                    .resolve_reference(name)
                    .any(|r| r.id() == server.id())
            );
        }
    }

    let admin = registry.resolve_allowed_servers(&Request::new().admin(true));
    let visible: Vec<&ServerId> = admin.servers().map(|v| v.server().id()).collect();
    let all: Vec<&ServerId> = servers.iter().map(McpServer::id).collect();
    assert_eq!(visible, all, "the admin view lists every server in order");
    for v in admin.servers() {
        let server = v.server();
        if server.allowed_tools().is_empty() && server.disallowed_tools().is_empty() {
            assert_eq!(v.tools(), &ToolScope::All);
        }
        for denied in server.disallowed_tools() {
            assert!(!v.tools().allows(denied));
        }
        // A tool name without a separator leaves the spelling as the only prefix to try.
        for spelling in server.spellings() {
            let bearers = servers
                .iter()
                .filter(|s| s.spellings().contains(&spelling))
                .count();
            let name = format!("{spelling}-probe");
            match admin.route(&name) {
                Ok(routed) => {
                    assert_eq!(bearers, 1, "`{name}` routed despite a shared prefix");
                    assert!(routed.server.spellings().contains(&spelling));
                    assert_eq!(routed.tool, "probe");
                }
                Err(denied) => {
                    assert_eq!(denied, RouteError::AmbiguousPrefix, "`{name}`");
                    assert!(bearers > 1);
                }
            }
        }
    }
}
