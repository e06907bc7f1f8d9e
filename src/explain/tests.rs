//! The reasons an explanation gives, one rule at a time.

use super::*;
use crate::groups::MapAccessGroups;
use crate::reason::Reason as R;
use crate::resolution::CallDecision;
use crate::semantics::LiteLlmRelease;

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
            .with_allowed_tools(["send", "read", "delete"])
            .with_disallowed_tools(["delete"]),
    ])
    .unwrap()
}

fn reasons(e: &Explanation<'_>, id: &str) -> Vec<Reason> {
    e.server(id).unwrap().reasons().to_vec()
}

fn codes(reasons: &[Reason]) -> Vec<&'static str> {
    reasons.iter().map(Reason::code).collect()
}

#[test]
fn grants_name_their_entry() {
    let r = registry();
    let key = ObjectPermission::new()
        .with_servers(["wiki", "gh"])
        .with_access_groups(["pm"])
        .with_tool_permission("slack", ["send"]);
    let e = r.explain(&Request::new().key(&key));
    assert_eq!(
        reasons(&e, "srv-a"),
        [R::GrantedByServerEntry {
            level: Level::Key,
            path: "key.mcp_servers[1]".into(),
            reference: "gh".into(),
        }]
    );
    assert_eq!(
        reasons(&e, "srv-b"),
        [R::GrantedByAccessGroup {
            level: Level::Key,
            path: "key.mcp_access_groups[0]".into(),
            group: "pm".into(),
        }]
    );
    assert_eq!(
        reasons(&e, "srv-d"),
        [R::GrantedByToolPermission {
            level: Level::Key,
            path: r#"key.mcp_tool_permissions["slack"]"#.into(),
        }]
    );
    assert_eq!(
        codes(&reasons(&e, "srv-c")),
        ["granted_by_server_entry", "allow_all_keys"]
    );
    assert!(e.servers().iter().all(ServerExplanation::is_visible));
}

#[test]
fn team_ceiling_inheritance_and_settings() {
    let r = registry();
    let team = ObjectPermission::new().with_servers(["srv-a"]);
    let key = ObjectPermission::new().with_servers(["jira"]);
    let e = r.explain(&Request::new().key(&key).team(&team));
    assert_eq!(
        codes(&reasons(&e, "srv-b")),
        ["granted_by_server_entry", "outside_ceiling"]
    );
    assert_eq!(
        codes(&reasons(&e, "srv-a")),
        ["granted_by_server_entry", "not_granted"]
    );
    let e = r.explain(&Request::new().team(&team));
    assert_eq!(
        codes(&reasons(&e, "srv-a")),
        ["granted_by_server_entry", "inherited"]
    );
    let strict = Settings {
        require_key_mcp_access_defined: true,
        ..Settings::default()
    };
    let e = r.explain(&Request::new().team(&team).settings(strict));
    assert_eq!(
        codes(&reasons(&e, "srv-a")),
        ["granted_by_server_entry", "must_declare"]
    );
    assert!(!e.server("srv-a").unwrap().is_visible());
    let e = r.explain(&Request::new());
    assert_eq!(codes(&reasons(&e, "srv-a")), ["nothing_declared"]);
}

#[test]
fn tool_permissions_that_do_not_grant_are_named() {
    let r = registry();
    let key = ObjectPermission::new().with_tool_permission("gh", ["x"]);
    let legacy = Settings {
        tool_permissions_grant_servers: false,
        ..Settings::default()
    };
    let e = r.explain(&Request::new().key(&key).settings(legacy));
    assert_eq!(
        codes(&reasons(&e, "srv-a")),
        ["tool_permission_does_not_grant", "nothing_declared"]
    );
    assert_eq!(e.visible().count(), 1);
}

#[test]
fn end_user_narrows_and_can_be_required() {
    let r = registry();
    let key = ObjectPermission::new().with_access_groups(["dev"]);
    let end_user = ObjectPermission::new().with_servers(["srv-a"]);
    let e = r.explain(&Request::new().key(&key).end_user(Some(&end_user)));
    assert_eq!(
        codes(&reasons(&e, "srv-b")),
        ["granted_by_access_group", "narrowed"]
    );
    assert!(e.server("srv-a").unwrap().is_visible());
    let strict = Settings {
        require_end_user_mcp_access_defined: true,
        ..Settings::default()
    };
    let e = r.explain(&Request::new().key(&key).end_user(None).settings(strict));
    assert_eq!(
        codes(&reasons(&e, "srv-a")),
        ["granted_by_access_group", "must_declare"]
    );
}

#[test]
fn sentinels_and_admin_view() {
    let r = registry();
    let blocked = ObjectPermission::new().with_servers(["srv-a", "no-mcp-servers"]);
    let e = r.explain(&Request::new().key(&blocked).admin(true));
    assert_eq!(
        reasons(&e, "srv-c"),
        [R::NoMcpServers {
            path: "key.mcp_servers[1]".into()
        }]
    );
    assert_eq!(e.requested(), RequestedOutcome::Blocked);
    let team = ObjectPermission::new().with_servers(["all-proxy-mcpservers"]);
    let e = r.explain(&Request::new().team(&team));
    assert_eq!(
        codes(&reasons(&e, "srv-d")),
        ["granted_by_all_proxy", "inherited"]
    );
    let e = r.explain(&Request::new().admin(true));
    assert_eq!(codes(&reasons(&e, "srv-b")), ["admin_view"]);
}

#[test]
fn requested_names_keep_and_remove() {
    let r = registry();
    let team = ObjectPermission::new().with_access_groups(["dev"]);
    let e = r.explain(&Request::new().team(&team).requested(&["GH", "pm"]));
    assert_eq!(
        reasons(&e, "srv-a").last(),
        Some(&R::RequestedByName {
            path: "requested[0]".into(),
            name: "GH".into()
        })
    );
    assert_eq!(
        codes(&reasons(&e, "srv-b")).last(),
        Some(&"requested_by_group")
    );
    assert_eq!(codes(&reasons(&e, "srv-c")).last(), Some(&"not_requested"));
    assert_eq!(e.requested(), RequestedOutcome::Matched);
    let e = r.explain(&Request::new().team(&team).requested(&["nothing"]));
    assert_eq!(e.requested(), RequestedOutcome::MatchedNothing);
}

#[test]
fn custom_group_lookup_is_followed() {
    let r = registry();
    let groups = MapAccessGroups::from_iter([("ops", ["srv-d"])]);
    let key = ObjectPermission::new().with_access_groups(["ops", "none"]);
    let e = r.explain(&Request::new().key(&key).access_groups(&groups));
    assert_eq!(codes(&reasons(&e, "srv-d")), ["granted_by_access_group"]);
    assert_eq!(
        e.unmatched(),
        [R::UnmatchedReference {
            level: Level::Key,
            path: "key.mcp_access_groups[1]".into(),
            reference: "none".into(),
        }]
    );
}

#[test]
fn tool_reasons_name_the_deciding_list() {
    let r = registry();
    let key = ObjectPermission::new()
        .with_servers(["slack", "gh"])
        .with_tool_permission("slack", ["send", "read"])
        .with_tool_permission("gh", ["*"]);
    let team = ObjectPermission::new()
        .with_access_groups(["dev"])
        .with_servers(["slack"])
        .with_tool_permission("srv-d", ["send"]);
    let e = r.explain(&Request::new().key(&key).team(&team));
    let read = e.tool("slack", "read");
    assert!(!read.is_allowed() && !read.is_listed());
    assert_eq!(
        codes(read.reasons()),
        [
            "server_allowlist_includes",
            "tool_list_includes",
            "tool_list_excludes"
        ]
    );
    assert_eq!(
        read.reasons()[2].to_string(),
        r#"team.mcp_tool_permissions["srv-d"] does not list it"#
    );
    assert_eq!(
        codes(e.tool("slack", "delete").reasons()),
        [
            "server_allowlist_includes",
            "server_denylist_denies",
            "tool_list_excludes",
            "tool_list_excludes"
        ]
    );
    assert_eq!(codes(e.tool("gh", "x").reasons()), ["tool_list_wildcard"]);
    assert!(e.tool("gh", "x").is_allowed());
    let routed = e.prefixed_tool("slack-send");
    assert!(routed.is_allowed());
    assert_eq!(routed.reasons()[0].code(), "routed_by_prefix");
    assert_eq!(
        e.tool("jira", "t").decision(),
        CallDecision::ServerNotVisible
    );
    assert_eq!(e.tool("nope", "t").decision(), CallDecision::UnknownServer);
    assert_eq!(
        e.prefixed_tool("nope-t").decision(),
        CallDecision::UnknownPrefix
    );
}

#[test]
fn litellm_truthiness_and_call_path_are_explained() {
    let r = registry();
    let key = ObjectPermission::new()
        .with_servers(["slack", "gh"])
        .with_tool_permission("gh", Vec::<String>::new())
        .with_tool_permission("slack", ["send"]);
    let team = ObjectPermission::new()
        .with_servers(["slack", "gh"])
        .with_tool_permission("gh", ["create_issue"])
        .with_tool_permission("slack", Vec::<String>::new());
    let request = Request::new()
        .key(&key)
        .team(&team)
        .semantics(Semantics::LiteLlm(LiteLlmRelease::V1_106));
    let e = r.explain(&request);
    let gh = e.tool("gh", "create_issue");
    assert!(gh.is_allowed());
    assert_eq!(
        codes(gh.reasons()),
        ["key_empty_list_ignored", "tool_list_includes"]
    );
    let send = e.tool("slack", "send");
    assert!(send.is_allowed());
    assert_eq!(
        codes(send.reasons()),
        [
            "server_allowlist_includes",
            "team_empty_list_ignored",
            "tool_list_includes"
        ]
    );
    let bare = ObjectPermission::new().with_servers(["slack"]);
    let e = r.explain(
        &Request::new()
            .key(&bare)
            .semantics(Semantics::LiteLlm(LiteLlmRelease::V1_106)),
    );
    let delete = e.tool("slack", "delete");
    assert!(delete.is_allowed() && !delete.is_listed());
    assert_eq!(
        codes(delete.reasons()),
        [
            "server_allowlist_includes",
            "server_denylist_denies",
            "denylist_ignored_on_call"
        ]
    );
}

#[test]
fn explanations_serialize_with_codes_and_messages() {
    let r = registry();
    let key = ObjectPermission::new().with_servers(["gh"]);
    let e = r.explain(&Request::new().key(&key));
    let json = serde_json::to_value(&e).unwrap();
    assert_eq!(json["requested"], "not_requested");
    assert_eq!(json["servers"][0]["server_id"], "srv-a");
    assert_eq!(
        json["servers"][0]["reasons"][0]["code"],
        "granted_by_server_entry"
    );
    assert_eq!(
        json["servers"][0]["reasons"][0]["message"],
        "key.mcp_servers[0] (`gh`) grants it"
    );
    let tool = serde_json::to_value(e.tool("gh", "t")).unwrap();
    assert_eq!(tool["decision"], "allowed");
    assert_eq!(tool["reasons"][0]["code"], "no_tool_restriction");
}

fn with_toolsets() -> ServerRegistry {
    ServerRegistry::with_toolsets(
        [
            McpServer::new("srv-a").with_alias("gh"),
            McpServer::new("srv-b").with_alias("jira"),
            McpServer::new("srv-c").with_alias("wiki"),
        ],
        [
            crate::toolset::Toolset::new("ts-billing")
                .with_tool("srv-b", "refund")
                .with_tool("srv-b", "invoice"),
            crate::toolset::Toolset::new("ts-empty"),
        ],
    )
    .unwrap()
}

#[test]
fn new_levels_and_toolsets_name_their_paths() {
    let r = with_toolsets();
    let organization = ObjectPermission::new().with_servers(["gh", "jira"]);
    let key = ObjectPermission::new().with_toolsets(["nosuch", "ts-billing"]);
    let agent = ObjectPermission::new().with_tool_permission("gh", ["create_issue"]);
    let request = Request::new()
        .organization(&organization)
        .key(&key)
        .agent(&agent);
    let e = r.explain(&request);
    // The key's toolset grants jira, inside the organization's ceiling.
    assert_eq!(
        reasons(&e, "srv-b")[0],
        R::GrantedByToolset {
            level: Level::Key,
            path: "key.mcp_toolsets[1]".into(),
            toolset: "ts-billing".into(),
            tool: "refund".into(),
        }
    );
    assert_eq!(
        reasons(&e, "srv-b")[0].to_string(),
        "key.mcp_toolsets[1] (toolset `ts-billing`) grants it: the toolset lists its tool `refund`"
    );
    // The agent names gh: the key does not grant it, and the agent narrows jira away.
    assert_eq!(
        codes(&reasons(&e, "srv-a")),
        [
            "granted_by_server_entry",
            "granted_by_tool_permission",
            "not_granted"
        ]
    );
    assert_eq!(
        reasons(&e, "srv-a")[0],
        R::GrantedByServerEntry {
            level: Level::Organization,
            path: "organization.mcp_servers[0]".into(),
            reference: "gh".into(),
        }
    );
    assert_eq!(
        reasons(&e, "srv-a")[1],
        R::GrantedByToolPermission {
            level: Level::Agent,
            path: r#"agent.mcp_tool_permissions["gh"]"#.into(),
        }
    );
    assert_eq!(
        reasons(&e, "srv-b").last(),
        Some(&R::Narrowed {
            level: Level::Agent
        })
    );
    assert_eq!(
        e.unmatched()[0],
        R::UnmatchedReference {
            level: Level::Key,
            path: "key.mcp_toolsets[0]".into(),
            reference: "nosuch".into(),
        }
    );
    // A tool on jira is decided by the key's toolset.
    let refund = e.tool("jira", "refund");
    assert!(!refund.is_allowed(), "jira is not visible");
    let alone = r.explain(&Request::new().key(&key));
    let refund = alone.tool("jira", "refund");
    assert!(refund.is_allowed());
    assert_eq!(
        refund.reasons(),
        [R::ToolListIncludes {
            level: Level::Key,
            path: "key.mcp_toolsets[1]".into(),
        }]
    );
    assert_eq!(
        codes(alone.tool("jira", "delete").reasons()),
        ["tool_list_excludes"]
    );
}

#[test]
fn inheriting_from_the_organization_is_said() {
    let r = with_toolsets();
    let organization = ObjectPermission::new().with_servers(["gh"]);
    let e = r.explain(&Request::new().organization(&organization));
    assert_eq!(
        reasons(&e, "srv-a"),
        [
            R::GrantedByServerEntry {
                level: Level::Organization,
                path: "organization.mcp_servers[0]".into(),
                reference: "gh".into(),
            },
            R::Inherited { level: Level::Key },
            R::Inherited { level: Level::Team },
        ]
    );
    assert!(e.server("srv-a").unwrap().is_visible());
    assert_eq!(
        reasons(&e, "srv-b").last(),
        Some(&R::NotGranted {
            level: Level::Organization
        })
    );
    // A team outside its organization's ceiling.
    let team = ObjectPermission::new().with_servers(["gh", "jira"]);
    let e = r.explain(&Request::new().organization(&organization).team(&team));
    assert_eq!(
        reasons(&e, "srv-b").last(),
        Some(&R::OutsideCeiling {
            level: Level::Organization
        })
    );
}

#[test]
fn litellm_organization_replacement_and_dead_toolsets_are_said() {
    let r = with_toolsets();
    let litellm = Semantics::LiteLlm(LiteLlmRelease::V1_110);
    let organization = ObjectPermission::new().with_servers(["gh"]);
    let strict = Settings {
        require_key_mcp_access_defined: true,
        ..Settings::default()
    };
    let request = Request::new()
        .organization(&organization)
        .settings(strict)
        .semantics(litellm);
    let e = r.explain(&request);
    assert!(e.server("srv-a").unwrap().is_visible());
    assert_eq!(
        codes(&reasons(&e, "srv-a")),
        [
            "granted_by_server_entry",
            "must_declare",
            "organization_replaced"
        ]
    );
    // The default semantics keep the flag: nothing is visible.
    let e = r.explain(&request.semantics(Semantics::Default));
    assert!(!e.server("srv-a").unwrap().is_visible());
    assert_eq!(codes(&reasons(&e, "srv-a")).last(), Some(&"must_declare"));

    // A team's dead toolset: only allow_all_keys servers, and no tool anywhere.
    let team = ObjectPermission::new()
        .with_servers(["gh"])
        .with_toolsets(["ts-empty"]);
    let e = r.explain(&Request::new().team(&team).semantics(litellm));
    assert!(!e.server("srv-a").unwrap().is_visible());
    assert_eq!(
        reasons(&e, "srv-a").last(),
        Some(&R::ToolsetDenies {
            level: Level::Team,
            path: "team.mcp_toolsets[0]".into(),
            toolset: "ts-empty".into(),
        })
    );
    let admin = r.explain(
        &Request::new()
            .admin(true)
            .end_user(Some(&team))
            .semantics(litellm),
    );
    assert!(admin.server("srv-a").unwrap().is_visible());
    let call = admin.tool("gh", "x");
    assert_eq!(call.decision(), CallDecision::ToolNotAllowed);
    assert_eq!(
        call.reasons(),
        [R::ToolsDeniedByToolset {
            level: Level::EndUser,
            path: "end_user.mcp_toolsets[0]".into(),
        }]
    );
}

#[test]
fn the_admin_view_says_why_it_does_not_apply() {
    let r = with_toolsets();
    let team = ObjectPermission::new().with_servers(["gh"]);
    let on_team = Request::new().admin(true).team(&team);
    let e = r.explain(&on_team.semantics(Semantics::LiteLlm(LiteLlmRelease::V1_110)));
    assert_eq!(reasons(&e, "srv-b")[0], R::AdminViewKeyOnTeam);
    assert!(!e.server("srv-b").unwrap().is_visible());
    let e = r.explain(&on_team.semantics(Semantics::LiteLlm(LiteLlmRelease::V1_106)));
    assert_eq!(reasons(&e, "srv-b"), [R::AdminView]);
    let key = ObjectPermission::new().with_servers(Vec::<String>::new());
    let e = r.explain(&Request::new().admin(true).key(&key));
    assert_eq!(reasons(&e, "srv-a")[0], R::AdminViewKeySetsServers);
}
