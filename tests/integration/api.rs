//! The public API, used only through `mcp_authz::*`.

use mcp_authz::{
    AccessGroups, CallDecision, Level, LiteLlmRelease, MapAccessGroups, McpServer,
    ObjectPermission, RegistryProblem, Request, RequestedOutcome, Resolution, RouteError,
    Semantics, ServerRegistry, Settings, ToolNaming, ToolScope,
};

const PRIVATE: &str = "aa1d8e71-318a-43cb-83ad-588d56470b1b";

fn registry() -> ServerRegistry {
    ServerRegistry::new([
        McpServer::new("srv-a")
            .with_name("github")
            .with_alias("gh")
            .with_access_groups(["dev"]),
        McpServer::new("srv-b")
            .with_name("jira")
            .with_access_groups(["dev", "pm"]),
        McpServer::new("srv-c")
            .with_name("wiki")
            .with_allow_all_keys(true),
        McpServer::new("srv-d")
            .with_name("slack")
            .with_access_groups(["pm"])
            .with_allowed_tools(["send", "read"])
            .with_disallowed_tools(["delete"]),
        McpServer::new(PRIVATE).with_name("internal"),
    ])
    .unwrap()
}

fn ids(resolution: &Resolution<'_>) -> Vec<String> {
    resolution
        .servers()
        .map(|v| v.server().id().to_string())
        .collect()
}

fn only(resolution: &Resolution<'_>, server: &str) -> Vec<String> {
    match resolution.tool_scope(server) {
        Some(ToolScope::Only(set)) => set.iter().map(str::to_owned).collect(),
        other => panic!("expected an Only scope for {server}, got {other:?}"),
    }
}

fn tools_only(server: &str, tools: &[&str]) -> ObjectPermission {
    ObjectPermission::new()
        .with_servers(Vec::<String>::new())
        .with_tool_permission(server, tools.iter().copied())
}

// LiteLLM #21954 at every level.

#[test]
fn issue_21954_key_tool_permission_grants_the_server() {
    let r = registry();
    let key = tools_only(PRIVATE, &["tool_a", "tool_b"]);
    let res = r.resolve_allowed_servers(&Request::new().key(&key));
    assert_eq!(ids(&res), ["srv-c", PRIVATE]);
    assert_eq!(only(&res, PRIVATE), ["tool_a", "tool_b"]);
    assert!(res.is_tool_allowed(PRIVATE, "tool_a"));
    assert!(!res.is_tool_allowed(PRIVATE, "tool_c"));
}

#[test]
fn issue_21954_is_the_setting_tool_permissions_grant_servers() {
    let r = registry();
    let key = tools_only(PRIVATE, &["tool_a"]);
    let legacy = Settings::default().with_tool_permissions_grant_servers(false);
    let res = r.resolve_allowed_servers(&Request::new().key(&key).settings(legacy));
    assert_eq!(ids(&res), ["srv-c"]);
    assert_eq!(
        res.decide_call(PRIVATE, "tool_a"),
        CallDecision::ServerNotVisible
    );
}

#[test]
fn issue_21954_team_tool_permission_grants_and_is_inherited() {
    let r = registry();
    let team = tools_only("gh", &["list_repos"]);
    let res = r.resolve_allowed_servers(&Request::new().team(&team));
    assert_eq!(ids(&res), ["srv-a", "srv-c"]);
    assert_eq!(only(&res, "srv-a"), ["list_repos"]);
}

#[test]
fn issue_21954_key_tool_permission_is_bounded_by_the_team() {
    let r = registry();
    let team = ObjectPermission::new().with_servers(["srv-a", "srv-b"]);
    let inside = tools_only("srv-a", &["create_issue"]);
    let res = r.resolve_allowed_servers(&Request::new().key(&inside).team(&team));
    assert_eq!(ids(&res), ["srv-a", "srv-c"]);
    assert_eq!(only(&res, "srv-a"), ["create_issue"]);

    let outside = tools_only("srv-d", &["send"]);
    let res = r.resolve_allowed_servers(&Request::new().key(&outside).team(&team));
    assert_eq!(ids(&res), ["srv-c"]);
    assert!(!res.is_tool_allowed("srv-d", "send"));
}

#[test]
fn issue_21954_end_user_tool_permission_narrows_but_never_grants() {
    let r = registry();
    let team = ObjectPermission::new().with_servers(["srv-a", "srv-b"]);
    let end_user = tools_only("jira", &["get_ticket"]);
    let res = r.resolve_allowed_servers(&Request::new().team(&team).end_user(Some(&end_user)));
    assert_eq!(ids(&res), ["srv-b", "srv-c"]);
    assert_eq!(only(&res, "srv-b"), ["get_ticket"]);

    // Without a team or key grant, the end user's tool permission grants nothing.
    let alone = tools_only("srv-d", &["send"]);
    let res = r.resolve_allowed_servers(&Request::new().end_user(Some(&alone)));
    assert_eq!(ids(&res), ["srv-c"]);
}

// Combining levels, sentinels, admin view, requested names.

#[test]
fn end_user_who_declares_nothing_changes_nothing_unless_required() {
    let r = registry();
    let key = ObjectPermission::new().with_servers(["srv-a"]);
    let res = r.resolve_allowed_servers(&Request::new().key(&key).end_user(None));
    assert_eq!(ids(&res), ["srv-a", "srv-c"]);
    let strict = Settings::default().with_require_end_user_mcp_access_defined(true);
    let res = r.resolve_allowed_servers(&Request::new().key(&key).end_user(None).settings(strict));
    assert_eq!(ids(&res), ["srv-c"]);
    // An end user who is not identified is not required.
    let res = r.resolve_allowed_servers(&Request::new().key(&key).settings(strict));
    assert_eq!(ids(&res), ["srv-a", "srv-c"]);
}

#[test]
fn no_mcp_servers_sentinel_beats_everything() {
    let r = registry();
    let key = ObjectPermission::new().with_servers(["no-mcp-servers"]);
    let team = ObjectPermission::new().with_servers(["all-proxy-mcpservers"]);
    let res = r.resolve_allowed_servers(&Request::new().key(&key).team(&team).admin(true));
    assert!(res.is_empty());
    assert_eq!(res.requested(), RequestedOutcome::Blocked);
    assert_eq!(
        res.decide_call("srv-c", "search"),
        CallDecision::ServerNotVisible
    );
}

#[test]
fn admin_view_depends_on_null_versus_empty_servers() {
    let r = registry();
    let unset = ObjectPermission::new().with_tool_permission("srv-a", ["create_issue"]);
    let res = r.resolve_allowed_servers(&Request::new().key(&unset).admin(true));
    assert_eq!(ids(&res).len(), 5);
    assert_eq!(only(&res, "srv-a"), ["create_issue"]);
    let empty = ObjectPermission::new().with_servers(Vec::<String>::new());
    let res = r.resolve_allowed_servers(&Request::new().key(&empty).admin(true));
    assert_eq!(ids(&res), ["srv-c"]);
}

#[test]
fn requested_names_filter_and_fail_closed() {
    let r = registry();
    let key = ObjectPermission::new().with_servers(["srv-a", "srv-b"]);
    let res = r.resolve_allowed_servers(&Request::new().key(&key).requested(&["GH", "pm"]));
    assert_eq!(ids(&res), ["srv-a", "srv-b"]);
    assert_eq!(res.requested(), RequestedOutcome::Matched);
    let res = r.resolve_allowed_servers(&Request::new().key(&key).requested(&["slack"]));
    assert!(res.is_empty());
    assert!(res.requested_matched_nothing());
    let none: [&str; 0] = [];
    let res = r.resolve_allowed_servers(&Request::new().key(&key).requested(&none));
    assert!(res.requested_matched_nothing());
}

#[test]
fn external_access_groups_replace_the_servers_own() {
    let r = registry();
    let groups = MapAccessGroups::from_iter([("dev", ["srv-d", "not-registered"])]);
    let key = ObjectPermission::new().with_access_groups(["dev"]);
    let res = r.resolve_allowed_servers(&Request::new().key(&key).access_groups(&groups));
    assert_eq!(ids(&res), ["srv-c", "srv-d"]);
    let res = r.resolve_allowed_servers(&Request::new().key(&key));
    assert_eq!(ids(&res), ["srv-a", "srv-b", "srv-c"]);
}

#[test]
fn a_gateway_can_plug_in_its_own_group_lookup() {
    struct Everything;
    impl AccessGroups for Everything {
        fn visit_members(&self, group: &str, visit: &mut dyn FnMut(&str)) {
            if group == "all" {
                for id in ["srv-b", "AA1D8E71318A43CB83AD588D56470B1B"] {
                    visit(id);
                }
            }
        }
    }
    let r = registry();
    let key = ObjectPermission::new().with_access_groups(["all"]);
    let res = r.resolve_allowed_servers(&Request::new().key(&key).access_groups(&Everything));
    assert_eq!(ids(&res), ["srv-b", "srv-c", PRIVATE]);
    // Under LiteLLM's semantics ids compare as exact strings.
    let res = r.resolve_allowed_servers(
        &Request::new()
            .key(&key)
            .access_groups(&Everything)
            .semantics(Semantics::LiteLlm(LiteLlmRelease::V1_106)),
    );
    assert_eq!(ids(&res), ["srv-b", "srv-c"]);
}

// Tools and calls.

#[test]
fn server_lists_and_level_lists_intersect_and_deny_wins() {
    let r = registry();
    let key = ObjectPermission::new().with_tool_permission("slack", ["send", "delete", "x"]);
    let res = r.resolve_allowed_servers(&Request::new().key(&key));
    assert_eq!(only(&res, "srv-d"), ["send"]);
    assert_eq!(
        res.decide_call("srv-d", "delete"),
        CallDecision::ToolNotAllowed
    );
    assert_eq!(res.decide_call("srv-d", ""), CallDecision::EmptyToolName);
}

#[test]
fn litellm_calls_ignore_the_denylist_under_an_allowlist() {
    let r = ServerRegistry::new([McpServer::new("a")
        .with_allowed_tools(["t1", "t2"])
        .with_disallowed_tools(["t2"])])
    .unwrap();
    let key = ObjectPermission::new().with_servers(["a"]);
    let litellm = r.resolve_allowed_servers(
        &Request::new()
            .key(&key)
            .semantics(Semantics::LiteLlm(LiteLlmRelease::V1_106)),
    );
    assert_eq!(only(&litellm, "a"), ["t1"]);
    assert!(litellm.is_tool_allowed("a", "t2"));
    let default = r.resolve_allowed_servers(&Request::new().key(&key));
    assert!(!default.is_tool_allowed("a", "t2"));
}

#[test]
fn references_must_name_exactly_one_server() {
    let r = ServerRegistry::new([
        McpServer::new("srv-a").with_name("files"),
        McpServer::new("srv-b").with_name("files"),
    ])
    .unwrap();
    let key = ObjectPermission::new().with_servers(["srv-b"]);
    let res = r.resolve_allowed_servers(&Request::new().key(&key));
    assert_eq!(res.decide_call("files", "x"), CallDecision::AmbiguousServer);
    assert_eq!(res.decide_call("nosuch", "x"), CallDecision::UnknownServer);
    assert_eq!(
        res.decide_call("srv-a", "x"),
        CallDecision::ServerNotVisible
    );
    // The prefixed name is matched among visible servers only.
    let call = res.route("files-x").unwrap();
    assert_eq!(call.server.id().as_str(), "srv-b");
}

#[test]
fn prefixed_names_use_the_longest_visible_prefix() {
    let r = ServerRegistry::new([
        McpServer::new("a").with_alias("gh"),
        McpServer::new("b").with_alias("gh-enterprise"),
        McpServer::new(PRIVATE),
        McpServer::new("c").with_name("my server"),
    ])
    .unwrap();
    let key = ObjectPermission::new().with_servers(["a", "b", PRIVATE, "c"]);
    let res = r.resolve_allowed_servers(&Request::new().key(&key));
    let route = |name| {
        res.route(name)
            .map(|c| (c.server.id().to_string(), c.tool.to_owned()))
    };
    assert_eq!(route("gh-enterprise-list"), Ok(("b".into(), "list".into())));
    assert_eq!(route("gh-list"), Ok(("a".into(), "list".into())));
    let by_id = format!("{PRIVATE}-query");
    assert_eq!(route(&by_id), Ok((PRIVATE.into(), "query".into())));
    assert_eq!(route("my_server-x"), Ok(("c".into(), "x".into())));
    assert_eq!(route("nosuch-x"), Err(RouteError::UnknownPrefix));
    assert_eq!(route("gh"), Err(RouteError::UnknownPrefix));
    let colons = ToolNaming::new("::").unwrap();
    assert_eq!(
        res.route_with("gh::list", &colons).map(|c| c.tool),
        Ok("list")
    );
    assert_eq!(
        res.route_with("gh-list", &colons),
        Err(RouteError::UnknownPrefix)
    );
    assert_eq!(res.decide_prefixed_call("gh-"), CallDecision::EmptyToolName);

    // Without `b` visible, the shorter prefix `gh` is the longest visible one.
    let key = ObjectPermission::new().with_servers(["a"]);
    let res = r.resolve_allowed_servers(&Request::new().key(&key));
    let call = res.route("gh-enterprise-list").unwrap();
    assert_eq!(
        (call.server.id().as_str(), call.tool),
        ("a", "enterprise-list")
    );
}

#[test]
fn filter_tools_agrees_with_calls() {
    let r = registry();
    let key = ObjectPermission::new()
        .with_servers(["srv-d", "gh"])
        .with_tool_permission("gh", ["create_issue", "nope"]);
    let res = r.resolve_allowed_servers(&Request::new().key(&key));
    let offered = ["send", "read", "delete", "archive", "create_issue", ""];
    for server in ["srv-a", "srv-b", "srv-c", "srv-d"] {
        let listed: Vec<&&str> = res.filter_tools(server, &offered).collect();
        for tool in &offered {
            assert_eq!(
                listed.contains(&tool),
                res.is_tool_allowed(server, tool),
                "{server}/{tool}"
            );
        }
    }
    assert_eq!(res.filter_tools("srv-b", &offered).count(), 0);
}

// Errors name the field and the value.

#[test]
fn registry_errors_list_every_problem() {
    let e = ServerRegistry::new([
        McpServer::new("srv-a").with_alias("srv-b"),
        McpServer::new("srv-b"),
        McpServer::new("srv-b"),
    ])
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid server registry: 2 problems: duplicate server id `srv-b` at position 2 \
         (first at position 1); alias `srv-b` of \
         server `srv-a` is the id of server `srv-b`"
    );
    assert!(matches!(
        e.problems().first(),
        Some(RegistryProblem::DuplicateServerId { id, position: 2, first: 1, .. }) if id == "srv-b"
    ));
}

#[test]
fn permission_errors_name_the_field() {
    let e = ObjectPermission::from_json(r#"{"mcp_access_groups": [true]}"#).unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid object permission: invalid type: boolean `true`, expected a string in \
         `mcp_access_groups` at line 1 column 27"
    );
    let e = McpServer::from_json(r#"{"server_id": "a", "allowed_tools": {}}"#).unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid server: invalid type: map, expected a list of strings for `allowed_tools` \
         at line 1 column 36"
    );
}

#[test]
fn levels_have_stable_names() {
    assert_eq!(
        [Level::Key, Level::Team, Level::EndUser].map(Level::as_str),
        ["key", "team", "end_user"]
    );
}

#[test]
fn a_registry_document_deserializes_into_a_validated_registry() {
    let registry: ServerRegistry = serde_json::from_str(
        r#"{"servers": [{"server_id": "8F14E45F-CEEA-467F-A0E6-3B2B9D2F4C11", "alias": "gh"}],
            "toolsets": [{"toolset_id": "ts-1", "tools": []}]}"#,
    )
    .unwrap();
    let server = registry.servers().next().unwrap();
    // The crate root's `Uuid` is the type the API returns.
    let uuid: Option<mcp_authz::Uuid> = server.id().as_uuid();
    assert_eq!(
        uuid.map(|u| u.to_string()).as_deref(),
        Some("8f14e45f-ceea-467f-a0e6-3b2b9d2f4c11")
    );
    assert_eq!(registry.toolsets().len(), 1);
    let e = serde_json::from_str::<ServerRegistry>(r#"[{"server_id": ""}]"#).unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid server registry: server at position 0 has an empty `server_id` at line 1 \
         column 19"
    );
}

#[test]
fn tool_permissions_are_the_re_exported_index_map() {
    let p = ObjectPermission::new()
        .with_tool_permission("b", ["x"])
        .with_tool_permission("a", ["y"]);
    let tools: &mcp_authz::IndexMap<String, Vec<String>> = p.mcp_tool_permissions().unwrap();
    assert_eq!(tools.keys().collect::<Vec<_>>(), ["b", "a"]);
}
