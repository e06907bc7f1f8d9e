//! What each caller sees and may call, through the gateway, is what the crate decides.

use mcp_authz::McpGateway;
use mcp_authz::litellm::Deployment;
use mcp_authz_gateway::upstream::UPSTREAMS;
use rmcp::model::CacheScope;
use serde_json::json;

use super::*;

#[tokio::test]
async fn the_issue_21954_key_sees_the_private_server_with_exactly_tool_a_and_tool_b() {
    let running = start(EXPORT).await;
    let client = client(&running, "sk-issue-21954", None).await;
    let listed = list(&client).await;
    let names: Vec<&str> = listed.tools.iter().map(|t| t.name.as_ref()).collect();
    assert_eq!(
        names,
        [
            "public-search",
            "public-fetch_page",
            "private_mcp_server-tool_a",
            "private_mcp_server-tool_b",
        ]
    );
    // The upstream's description and schema come through unchanged.
    assert_eq!(
        listed.tools[2].description.as_deref(),
        Some("tool_a on the private server")
    );
    // A filtered listing is this caller's alone.
    assert_eq!(listed.cache_scope, Some(CacheScope::Private));
    assert_eq!(listed.ttl_ms, Some(0));
}

#[tokio::test]
async fn the_issue_21954_key_calls_tool_a_and_tool_b_and_not_tool_c() {
    let running = start(EXPORT).await;
    let client = client(&running, "sk-issue-21954", None).await;
    let private = &running.upstream("private").unwrap().calls;

    let args = json!({"query": "x"});
    assert_ran(
        &call(&client, "private_mcp_server-tool_a", args.clone()).await,
        "private",
        "tool_a",
        &args,
    );
    assert_ran(
        &call(&client, "private_mcp_server-tool_b", json!({})).await,
        "private",
        "tool_b",
        &json!({}),
    );
    assert_denied(
        &call(&client, "private_mcp_server-tool_c", json!({})).await,
        "private_mcp_server-tool_c",
    );

    assert_eq!(
        (
            private.of("tool_a"),
            private.of("tool_b"),
            private.of("tool_c")
        ),
        (1, 1, 0)
    );
    let stats = running.gateway.stats();
    assert_eq!((stats.forwarded, stats.denied), (2, 1));
}

#[tokio::test]
async fn a_key_outside_its_teams_ceiling_sees_nothing_of_the_private_server() {
    let running = start(EXPORT).await;
    let client = client(&running, "sk-outside-team", None).await;
    assert_eq!(names(&client).await, ["public-search", "public-fetch_page"]);
    for tool in ["tool_a", "tool_b", "tool_c"] {
        let name = format!("private_mcp_server-{tool}");
        assert_denied(&call(&client, &name, json!({})).await, &name);
    }
    assert_eq!(running.upstream("private").unwrap().calls.total(), 0);
}

#[tokio::test]
async fn an_end_user_narrows_what_the_key_sees_and_calls() {
    let running = start(EXPORT).await;
    let agent = client(&running, "sk-support-agent", None).await;
    let customer = client(&running, "sk-support-agent", Some("customer-42")).await;
    assert_eq!(
        names(&agent).await,
        [
            "public-search",
            "public-fetch_page",
            "tickets-get_ticket",
            "tickets-add_comment"
        ]
    );
    assert_eq!(
        names(&customer).await,
        ["public-search", "public-fetch_page", "tickets-get_ticket"]
    );
    let args = json!({"id": 7});
    assert_ran(
        &call(&agent, "tickets-add_comment", args.clone()).await,
        "tickets",
        "add_comment",
        &args,
    );
    assert_denied(
        &call(&customer, "tickets-add_comment", args.clone()).await,
        "tickets-add_comment",
    );
    assert_ran(
        &call(&customer, "tickets-get_ticket", args.clone()).await,
        "tickets",
        "get_ticket",
        &args,
    );
    let tickets = &running.upstream("tickets").unwrap().calls;
    assert_eq!(
        (tickets.of("add_comment"), tickets.of("get_ticket")),
        (1, 1)
    );
}

#[tokio::test]
async fn a_call_to_a_hidden_tool_is_denied_and_never_reaches_the_upstream() {
    let running = start(EXPORT).await;
    let agent = client(&running, "sk-support-agent", None).await;
    // close_ticket is the server's disallowed tool: no key may list or call it. The
    // upstream has it, and would run it.
    assert_denied(
        &call(&agent, "tickets-close_ticket", json!({})).await,
        "tickets-close_ticket",
    );
    // A server the key does not see.
    assert_denied(
        &call(&agent, "private_mcp_server-tool_a", json!({})).await,
        "private_mcp_server-tool_a",
    );
    for upstream in &running.upstreams {
        assert_eq!(
            upstream.calls.total(),
            0,
            "{} received a call",
            upstream.name
        );
    }
    assert_eq!(running.gateway.stats().denied, 2);
}

#[tokio::test]
async fn a_tool_the_scope_allows_but_the_upstream_lacks_is_the_upstreams_to_refuse() {
    let running = start(EXPORT).await;
    let agent = client(&running, "sk-support-agent", None).await;
    // The key may call any tool of tickets but close_ticket: the crate decides by scope,
    // not by what the upstream offers, so the call goes upstream, which refuses it.
    let answer = call(&agent, "tickets-drop_all", json!({})).await;
    assert_eq!(answer.unwrap_err().message, "Unknown tool: drop_all");
    let stats = running.gateway.stats();
    assert_eq!((stats.forwarded, stats.denied), (1, 0));
}

#[tokio::test]
async fn a_request_without_a_known_key_is_refused_before_mcp() {
    let running = start(EXPORT).await;
    for key in ["sk-not-a-key", "", "sk-issue-21954 "] {
        let refused = mcp_authz_gateway::connect(&running.url, key, None).await;
        // `sk-issue-21954 ` is trimmed by the header's own rules: it is the key.
        assert_eq!(refused.is_ok(), key == "sk-issue-21954 ", "key `{key}`");
    }
    assert_eq!(running.gateway.stats().requests, 0);
}

/// Every key of the export, with and without each end user: the gateway lists exactly the
/// upstream tools the crate's resolution lists, under the names the crate shows, and of
/// every name it could be asked (each upstream tool under each server's prefix) it
/// forwards exactly the calls the crate allows.
#[tokio::test]
async fn every_caller_sees_and_calls_exactly_what_the_crate_decides() {
    let running = start(EXPORT).await;
    let deployment = Deployment::from_json(EXPORT).unwrap();
    let registry = deployment.registry().unwrap();
    let mcp = McpGateway::new();
    let offered = |id: &str| -> &'static [&'static str] {
        let builtin = match id {
            PRIVATE => "private",
            other => other,
        };
        UPSTREAMS
            .iter()
            .find(|(name, _)| *name == builtin)
            .unwrap()
            .1
    };
    let tokens = [
        "sk-issue-21954",
        "sk-support-agent",
        "sk-outside-team",
        "sk-triage-bot",
    ];
    let mut checked = 0;
    for (key, token) in deployment.keys().iter().zip(tokens) {
        for end_user in [None, Some("customer-42"), Some("nobody")] {
            let mut request = deployment.request_for(key);
            if let Some(id) = end_user {
                request =
                    request.end_user(deployment.end_user(id).and_then(|u| u.object_permission()));
            }
            let resolution = registry.resolve_allowed_servers(&request);
            let expected: Vec<String> = resolution
                .servers()
                .flat_map(|visible| {
                    let server = visible.server();
                    resolution
                        .filter_tools(server.id().as_str(), offered(server.id().as_str()))
                        .map(|tool| mcp.naming().shown_name(server, tool))
                        .collect::<Vec<_>>()
                })
                .collect();

            let client = client(&running, token, end_user).await;
            assert_eq!(names(&client).await, expected, "{token} as {end_user:?}");
            for server in registry.servers() {
                for tool in offered(server.id().as_str()) {
                    let name = mcp.naming().shown_name(server, tool);
                    let allowed = mcp
                        .decide_tools_call(&resolution, &json!({"name": name}))
                        .is_allowed();
                    let answer = call(&client, &name, json!({})).await;
                    assert_eq!(
                        answer.is_ok(),
                        allowed,
                        "{token} as {end_user:?} calling {name}"
                    );
                    if !allowed {
                        assert_denied(&answer, &name);
                    }
                    checked += 1;
                }
            }
            client.cancel().await.unwrap();
        }
    }
    assert_eq!(checked, 4 * 3 * 8);
    let stats = running.gateway.stats();
    let sent: u64 = running.upstreams.iter().map(|u| u.calls.total()).sum();
    assert_eq!(sent, stats.forwarded);
    assert!(stats.forwarded > 0 && stats.denied > 0);
}
