//! What a gateway does with the crate: keep resolutions, filter MCP messages, route
//! prefixed names.

use std::sync::Arc;

use mcp_authz::{
    CallDecision, LiteLlmRelease, McpServer, ObjectPermission, Request, Resolution, Semantics,
    ServerRegistry,
};
use serde_json::json;

fn registry() -> ServerRegistry {
    ServerRegistry::new([
        McpServer::new("srv-a").with_alias("gh").with_name("github"),
        McpServer::new("srv-b")
            .with_name("jira")
            .with_allowed_tools(["create", "search"])
            .with_disallowed_tools(["search"]),
        McpServer::new("srv-c").with_name("wiki"),
    ])
    .unwrap()
}

/// A resolution that outlives the permission it was made from and the registry handle it
/// was made with, as a gateway's session cache holds it.
fn session(registry: &ServerRegistry, key_json: &str, semantics: Semantics) -> Resolution<'static> {
    let key = ObjectPermission::from_json(key_json).unwrap();
    registry
        .resolve_allowed_servers(&Request::new().key(&key).semantics(semantics))
        .into_owned()
}

#[test]
fn an_owned_resolution_answers_as_the_borrowed_one_did() {
    let registry = registry();
    let key = ObjectPermission::from_json(
        r#"{"mcp_servers": ["jira", "wiki"], "mcp_tool_permissions": {"gh": ["create_issue"], "wiki": ["read"]}}"#,
    )
    .unwrap();
    for semantics in [
        Semantics::Default,
        Semantics::LiteLlm(LiteLlmRelease::V1_106),
    ] {
        let request = Request::new().key(&key).semantics(semantics);
        let borrowed = registry.resolve_allowed_servers(&request);
        let owned = borrowed.clone().into_owned();
        assert_eq!(
            serde_json::to_value(&owned).unwrap(),
            serde_json::to_value(&borrowed).unwrap()
        );
        for (server, tool) in [
            ("gh", "create_issue"),
            ("gh", "delete_repo"),
            ("jira", "create"),
            ("jira", "search"),
            ("wiki", "read"),
            ("wiki", "write"),
            ("nope", "x"),
        ] {
            assert_eq!(
                owned.decide_call(server, tool),
                borrowed.decide_call(server, tool),
                "{semantics} {server} {tool}"
            );
        }
    }
}

#[test]
fn an_owned_resolution_moves_into_threads_and_survives_a_registry_swap() {
    let current = Arc::new(std::sync::RwLock::new(registry()));
    let resolution = Arc::new(session(
        &current.read().unwrap(),
        r#"{"mcp_servers": ["gh"]}"#,
        Semantics::Default,
    ));
    // The gateway swaps in a registry without `srv-a`; the session keeps its snapshot.
    *current.write().unwrap() = ServerRegistry::new([McpServer::new("srv-c")]).unwrap();
    let workers: Vec<_> = (0..2)
        .map(|_| {
            let resolution = Arc::clone(&resolution);
            std::thread::spawn(move || resolution.decide_call("gh", "anything"))
        })
        .collect();
    for worker in workers {
        assert_eq!(worker.join().unwrap(), CallDecision::Allowed);
    }
    assert_eq!(resolution.registry().len(), 3);
    let fresh = session(
        &current.read().unwrap(),
        r#"{"mcp_servers": ["gh"]}"#,
        Semantics::Default,
    );
    assert_eq!(
        fresh.decide_call("gh", "anything"),
        CallDecision::UnknownServer
    );
}

#[test]
fn a_resolution_serializes_as_a_decision_log() {
    let registry = registry();
    let log = |semantics| {
        serde_json::to_value(session(
            &registry,
            r#"{"mcp_servers": ["jira"]}"#,
            semantics,
        ))
        .unwrap()
    };
    assert_eq!(
        log(Semantics::Default),
        json!({
            "servers": [{"server_id": "srv-b", "tools": {"allow": ["create"]}}],
            "requested": "not_requested",
            "semantics": "default",
        })
    );
    // LiteLLM 1.106 lets a call through the denylist under an allowlist: the log says so.
    assert_eq!(
        log(Semantics::LiteLlm(LiteLlmRelease::V1_106)),
        json!({
            "servers": [{"server_id": "srv-b", "tools": {"allow": ["create"]}}],
            "requested": "not_requested",
            "semantics": "litellm-1.106",
            "call_tools": {"srv-b": {"allow": ["create", "search"]}},
        })
    );
}

#[test]
fn prefixes_compare_as_shown_while_references_match_any_uuid_spelling() {
    let id = "aa1d8e71-318a-43cb-83ad-588d56470b1b";
    let registry = ServerRegistry::new([McpServer::new(id)]).unwrap();
    let key = ObjectPermission::new().with_servers([id]);
    let resolution = registry.resolve_allowed_servers(&Request::new().key(&key));
    let upper = id.to_uppercase();
    assert_eq!(resolution.decide_call(&upper, "q"), CallDecision::Allowed);
    assert_eq!(
        resolution.decide_prefixed_call(&format!("{upper}-q")),
        CallDecision::UnknownPrefix
    );
    let shown = mcp_authz::ToolNaming::default().shown_name(registry.get(id).unwrap(), "q");
    assert_eq!(shown, format!("{id}-q"));
    assert_eq!(
        resolution.decide_prefixed_call(&shown),
        CallDecision::Allowed
    );
}
