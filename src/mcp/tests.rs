//! The MCP helpers on real message shapes.

use serde_json::json;

use super::*;
use crate::naming::Routing;
use crate::permission::ObjectPermission;
use crate::registry::ServerRegistry;
use crate::request::Request;
use crate::semantics::{LiteLlmRelease, Semantics};
use crate::server::McpServer;

fn registry() -> ServerRegistry {
    ServerRegistry::new([
        McpServer::new("srv-a").with_alias("gh").with_name("github"),
        McpServer::new("srv-b")
            .with_name("jira cloud")
            .with_allowed_tools(["create", "search"])
            .with_disallowed_tools(["search"]),
        McpServer::new("srv-c").with_alias("gh-enterprise"),
    ])
    .unwrap()
}

fn key(json: &str) -> ObjectPermission {
    ObjectPermission::from_json(json).unwrap()
}

fn names(result: &Value) -> Vec<&str> {
    result["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect()
}

#[test]
fn a_multiplexed_listing_keeps_allowed_tools_and_every_other_member() {
    let registry = registry();
    let key = key(
        r#"{"mcp_servers": ["gh", "srv-b"], "mcp_tool_permissions": {"gh": ["create_issue"]}}"#,
    );
    let resolution = registry.resolve_allowed_servers(&Request::new().key(&key));
    let upstream = json!({
        "tools": [
            {"name": "gh-create_issue", "title": "Create", "inputSchema": {"type": "object"}, "_meta": {"x": 1}},
            {"name": "gh-delete_repo"},
            {"name": "jira_cloud-create"},
            {"name": "jira_cloud-search"},
            {"name": "gh-enterprise-create_issue"},
            {"title": "no name"},
            {"name": 7},
            "not a tool",
        ],
        "nextCursor": "c2",
        "cacheScope": "public",
        "ttlMs": 60000,
        "_meta": {"page": 1},
    });
    let listed = McpGateway::new()
        .with_ttl_ms(5_000)
        .filter_tools_list(&resolution, upstream)
        .unwrap();
    assert_eq!(
        listed,
        json!({
            "tools": [
                {"name": "gh-create_issue", "title": "Create", "inputSchema": {"type": "object"}, "_meta": {"x": 1}},
                {"name": "jira_cloud-create"},
            ],
            "nextCursor": "c2",
            "cacheScope": "private",
            "ttlMs": 5000,
            "_meta": {"page": 1},
        })
    );
    // An upstream's shorter lifetime wins; an unreadable one is replaced.
    let short = McpGateway::new()
        .with_ttl_ms(5_000)
        .filter_tools_list(&resolution, json!({"tools": [], "ttlMs": 100}))
        .unwrap();
    assert_eq!(short["ttlMs"], 100);
    let bad = McpGateway::new()
        .filter_tools_list(&resolution, json!({"tools": [], "ttlMs": -1}))
        .unwrap();
    assert_eq!(bad["ttlMs"], 0);
}

#[test]
fn what_a_listing_shows_is_what_a_call_may_run_and_nothing_else() {
    let registry = registry();
    let key = key(
        r#"{"mcp_servers": ["gh", "srv-b", "srv-c"], "mcp_tool_permissions": {"gh": ["a", "enterprise-b"]}}"#,
    );
    let resolution = registry.resolve_allowed_servers(&Request::new().key(&key));
    let gateway = McpGateway::new();
    let offered = [
        "gh-a",
        "gh-b",
        "gh-enterprise-b",
        "gh-enterprise-a",
        "github-a",
        "srv-a-a",
        "jira_cloud-create",
        "jira_cloud-search",
        "jira cloud-create",
        "nosuch-a",
        "gh-",
    ];
    let tools: Vec<Value> = offered.iter().map(|n| json!({"name": n})).collect();
    let listed = gateway
        .filter_tools_list(&resolution, json!({"tools": tools}))
        .unwrap();
    for name in offered {
        let call = gateway.decide_tools_call(&resolution, &json!({"name": name}));
        assert_eq!(
            names(&listed).contains(&name),
            call.is_allowed(),
            "{name}: {call:?}"
        );
    }
    // `gh-enterprise-b` routes to the visible `gh-enterprise`, not to tool
    // `enterprise-b` of `gh`.
    let call = gateway.decide_tools_call(&resolution, &json!({"name": "gh-enterprise-b"}));
    assert_eq!(call.server_id().map(ServerId::as_str), Some("srv-c"));
    assert_eq!(call.tool(), Some("b"));
}

#[test]
fn under_litellm_1_106_a_call_can_run_a_tool_the_listing_hides() {
    let registry = registry();
    let key = key(r#"{"mcp_servers": ["srv-b"]}"#);
    let request = Request::new()
        .key(&key)
        .semantics(Semantics::LiteLlm(LiteLlmRelease::V1_106));
    let resolution = registry.resolve_allowed_servers(&request);
    let gateway = McpGateway::new();
    let listed = gateway
        .filter_server_tools_list(
            &resolution,
            "srv-b",
            json!({"tools": [{"name": "create"}, {"name": "search"}]}),
        )
        .unwrap();
    assert_eq!(names(&listed), ["create"]);
    let call = gateway.decide_server_tools_call(&resolution, "srv-b", &json!({"name": "search"}));
    assert!(call.is_allowed(), "{call:?}");
    // The default semantics agree with themselves.
    let resolution = registry.resolve_allowed_servers(&Request::new().key(&key));
    let call = gateway.decide_server_tools_call(&resolution, "srv-b", &json!({"name": "search"}));
    assert_eq!(call.decision(), CallDecision::ToolNotAllowed);
}

#[test]
fn a_denial_looks_like_an_unknown_tool_and_keeps_its_reason_for_logs() {
    let registry = registry();
    let key = key(r#"{"mcp_tool_permissions": {"gh": ["create_issue"]}}"#);
    let resolution = registry.resolve_allowed_servers(&Request::new().key(&key));
    let gateway = McpGateway::new();
    for (name, reason) in [
        ("gh-delete_repo", "tool_not_allowed"),
        ("jira_cloud-create", "unknown_prefix"),
        ("gh-", "empty_tool_name"),
    ] {
        let call = gateway.decide_tools_call(&resolution, &json!({"name": name}));
        let denial = call.denial().unwrap();
        assert_eq!(denial.code(), reason);
        let response = denial.response(&json!("req-1"));
        assert_eq!(
            response,
            json!({"jsonrpc": "2.0", "id": "req-1", "error": {"code": -32602, "message": format!("Unknown tool: {name}")}})
        );
        assert!(!response.to_string().contains(reason), "{response}");
        assert_eq!(
            call.upstream_params(json!({"name": name})).unwrap_err(),
            denial
        );
        assert_eq!(serde_json::to_value(&call).unwrap()["reason"], reason);
    }
    let ok = gateway.decide_tools_call(
        &resolution,
        &json!({"name": "gh-create_issue", "arguments": {"t": 1}}),
    );
    assert!(ok.denial().is_none());
    assert_eq!(
        serde_json::to_value(&ok).unwrap(),
        json!({"name": "gh-create_issue", "server_id": "srv-a", "tool": "create_issue", "allowed": true, "reason": "allowed"})
    );
}

#[test]
fn params_without_a_string_name_are_invalid_not_unknown() {
    let registry = registry();
    let resolution = registry.resolve_allowed_servers(&Request::new());
    let gateway = McpGateway::new();
    for params in [json!({}), json!({"name": 3}), json!("gh-x"), Value::Null] {
        let call = gateway.decide_tools_call(&resolution, &params);
        assert_eq!(call.decision(), CallDecision::InvalidParams, "{params}");
        let error = call.denial().unwrap().error();
        assert_eq!(
            error,
            json!({"code": -32602, "message": "Invalid params: tools/call needs a string `name`"})
        );
        let call = gateway.decide_server_tools_call(&resolution, "gh", &params);
        assert_eq!(call.decision(), CallDecision::InvalidParams);
    }
}

#[test]
fn one_servers_listing_is_renamed_to_the_shown_names() {
    let registry = registry();
    let key = key(r#"{"mcp_servers": ["gh", "srv-b", "srv-c"]}"#);
    let resolution = registry.resolve_allowed_servers(&Request::new().key(&key));
    let gateway = McpGateway::new();
    let upstream =
        json!({"tools": [{"name": "create_issue", "title": "t"}, {"name": "enterprise-x"}]});
    let listed = gateway
        .prefix_server_tools_list(&resolution, "srv-a", upstream.clone())
        .unwrap();
    // `gh-enterprise-x` would run on `gh-enterprise`: it is not offered as `gh`'s.
    assert_eq!(
        listed["tools"],
        json!([{"name": "gh-create_issue", "title": "t"}])
    );
    let jira = gateway
        .prefix_server_tools_list(
            &resolution,
            "jira cloud",
            json!({"tools": [{"name": "create"}, {"name": "search"}]}),
        )
        .unwrap();
    assert_eq!(names(&jira), ["jira_cloud-create"]);
    // Not visible: nothing, still marked per-caller.
    let only_c = ObjectPermission::new().with_servers(["srv-c"]);
    let hidden = registry.resolve_allowed_servers(&Request::new().key(&only_c));
    let none = gateway
        .prefix_server_tools_list(&hidden, "srv-a", upstream)
        .unwrap();
    assert_eq!(
        none,
        json!({"tools": [], "cacheScope": "private", "ttlMs": 0})
    );
}

#[test]
fn shown_prefix_routing_accepts_only_the_names_a_listing_shows() {
    let registry = registry();
    let key = key(r#"{"mcp_servers": ["gh", "srv-b"]}"#);
    let resolution = registry.resolve_allowed_servers(&Request::new().key(&key));
    for separator in ["-", "_", "__", "/"] {
        let naming = ToolNaming::new(separator)
            .unwrap()
            .with_routing(Routing::ShownPrefix);
        let gateway = McpGateway::new().with_naming(naming.clone());
        let shown = naming.shown_name(registry.get("srv-a").unwrap(), "create_issue");
        assert_eq!(shown, format!("gh{separator}create_issue"));
        let call = gateway.decide_tools_call(&resolution, &json!({"name": shown}));
        assert!(call.is_allowed(), "{separator}: {call:?}");
        for other in ["github", "srv-a"] {
            let name = format!("{other}{separator}create_issue");
            let call = gateway.decide_tools_call(&resolution, &json!({"name": name}));
            assert_eq!(call.decision(), CallDecision::UnknownPrefix, "{name}");
            let any = McpGateway::new().with_naming(ToolNaming::new(separator).unwrap());
            assert!(
                any.decide_tools_call(&resolution, &json!({"name": name}))
                    .is_allowed()
            );
        }
        let jira = naming.shown_name(registry.get("srv-b").unwrap(), "create");
        assert_eq!(jira, format!("jira_cloud{separator}create"));
        assert!(
            gateway
                .decide_tools_call(&resolution, &json!({"name": jira}))
                .is_allowed()
        );
    }
}

#[test]
fn results_that_cannot_be_filtered_are_refused_with_the_value() {
    let registry = registry();
    let resolution = registry.resolve_allowed_servers(&Request::new());
    let gateway = McpGateway::new();
    let error = |result: Value| {
        gateway
            .filter_tools_list(&resolution, result)
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        error(json!([1, 2])),
        "a tools/list result must be an object, found `[1,2]`"
    );
    assert_eq!(
        error(json!({"tool": []})),
        "`tools` of a tools/list result must be an array, found `nothing`"
    );
    assert_eq!(
        error(json!({"tools": {"name": "x"}})),
        "`tools` of a tools/list result must be an array, found `{\"name\":\"x\"}`"
    );
    let long = error(json!({"tools": "y".repeat(200)}));
    assert_eq!(
        long,
        format!(
            "`tools` of a tools/list result must be an array, found `\"{}...`",
            "y".repeat(63)
        )
    );
}
