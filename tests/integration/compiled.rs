//! Compiled permissions, the gateway's cached path: they answer as raw permissions do, on
//! the first request and on the requests after it, which borrow the scopes the first one
//! left in the compiled levels.

use mcp_authz::{
    Level, LiteLlmRelease, McpServer, ObjectPermission, Request, Resolution, Semantics,
    ServerRegistry,
};

fn json(resolution: &Resolution<'_>) -> serde_json::Value {
    serde_json::to_value(resolution).unwrap()
}

/// What a gateway reads for `tools`: the listing, and each call's decision.
fn answers<'t>(
    resolution: &Resolution<'_>,
    tools: &[&'t str],
) -> (Vec<&'t str>, Vec<&'static str>) {
    let listed = resolution.filter_tools("srv", tools).copied().collect();
    let calls = tools
        .iter()
        .map(|t| resolution.decide_call("srv", t).code())
        .collect();
    (listed, calls)
}

#[test]
fn kept_scopes_answer_as_raw_ones_for_listing_and_for_calls() {
    // Under LiteLLM 1.106 a call ignores the denylist under an allowlist, so this server's
    // listing scope and call scope differ: the two must be kept apart.
    let registry = ServerRegistry::new([McpServer::new("srv")
        .with_allowed_tools(["a", "b"])
        .with_disallowed_tools(["b"])])
    .unwrap();
    let key = ObjectPermission::new()
        .with_servers(["srv"])
        .with_tool_permission("srv", ["a", "b", "c"]);
    let team = ObjectPermission::new()
        .with_servers(["srv"])
        .with_tool_permission("srv", ["b", "a"]);
    let tools = ["a", "b", "c"];
    for semantics in Semantics::ALL {
        let compiler = registry.compiler().semantics(semantics);
        let raw_request = Request::new().key(&key).semantics(semantics);
        let raw = registry.resolve_allowed_servers(&raw_request);
        // Asked for calls first, then for listing; and the other way round.
        for calls_first in [true, false] {
            let kept = compiler.compile(Level::Key, &key);
            let request = Request::new().key(&kept).semantics(semantics);
            for _ in 0..2 {
                let resolution = registry.resolve_allowed_servers(&request);
                if calls_first {
                    assert_eq!(answers(&resolution, &tools), answers(&raw, &tools));
                    assert_eq!(json(&resolution), json(&raw), "{semantics:?}");
                } else {
                    assert_eq!(json(&resolution), json(&raw), "{semantics:?}");
                    assert_eq!(answers(&resolution, &tools), answers(&raw, &tools));
                }
            }
        }
        // Two levels restrict: their kept scopes are intersected.
        let (kept_key, kept_team) = (
            compiler.compile(Level::Key, &key),
            compiler.compile(Level::Team, &team),
        );
        let raw = registry
            .resolve_allowed_servers(&Request::new().key(&key).team(&team).semantics(semantics));
        let request = Request::new()
            .key(&kept_key)
            .team(&kept_team)
            .semantics(semantics);
        for _ in 0..2 {
            let resolution = registry.resolve_allowed_servers(&request);
            assert_eq!(json(&resolution), json(&raw), "{semantics:?}");
            assert_eq!(answers(&resolution, &tools), answers(&raw, &tools));
        }
    }
    let v1_106 = Semantics::LiteLlm(LiteLlmRelease::V1_106);
    let kept = registry
        .compiler()
        .semantics(v1_106)
        .compile(Level::Key, &key);
    let resolution = registry.resolve_allowed_servers(&Request::new().key(&kept).semantics(v1_106));
    assert_eq!(
        answers(&resolution, &tools),
        (vec!["a"], vec!["allowed", "allowed", "tool_not_allowed"])
    );
}
