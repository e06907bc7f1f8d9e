//! End to end: an rmcp client, through the running gateway, against the example upstreams.
//! Every test starts its own gateway and upstreams on loopback ports the OS picks.

// Test code: a failed unwrap is a failed test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod access;
mod reload;

use std::net::SocketAddr;

use mcp_authz_gateway::{Client, Running};
use rmcp::model::{CallToolRequestParams, CallToolResult, ListToolsResult};
use rmcp::{ErrorData, Peer, RoleClient};
use serde_json::{Value, json};

/// The export the example serves.
const EXPORT: &str = include_str!("../../data/export.json");

/// The private server of LiteLLM #21954.
const PRIVATE: &str = "aa1d8e71-318a-43cb-83ad-588d56470b1b";

fn loopback() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 0))
}

async fn start(export: &str) -> Running {
    mcp_authz_gateway::start(export, loopback()).await.unwrap()
}

async fn client(running: &Running, key: &str, end_user: Option<&str>) -> Client {
    mcp_authz_gateway::connect(&running.url, key, end_user)
        .await
        .unwrap()
}

/// One `tools/list` request, as the gateway answered it.
async fn list(client: &Peer<RoleClient>) -> ListToolsResult {
    client.list_tools(None).await.unwrap()
}

/// The names a `tools/list` shows.
async fn names(client: &Peer<RoleClient>) -> Vec<String> {
    list(client)
        .await
        .tools
        .into_iter()
        .map(|tool| tool.name.into_owned())
        .collect()
}

/// A `tools/call`: the upstream's result, or the JSON-RPC error the gateway answered.
async fn call(
    client: &Peer<RoleClient>,
    name: &str,
    arguments: Value,
) -> Result<CallToolResult, ErrorData> {
    let mut params = CallToolRequestParams::new(name.to_owned());
    if let Value::Object(arguments) = arguments {
        params = params.with_arguments(arguments);
    }
    match client.call_tool(params).await {
        Ok(result) => Ok(result),
        Err(rmcp::ServiceError::McpError(error)) => Err(error),
        Err(other) => panic!("tools/call {name}: {other}"),
    }
}

/// Asserts a call ran on `server`'s `tool` upstream and returned its result.
fn assert_ran(
    result: &Result<CallToolResult, ErrorData>,
    server: &str,
    tool: &str,
    arguments: &Value,
) {
    let result = result.as_ref().unwrap();
    assert_eq!(
        result.structured_content,
        Some(json!({"server": server, "tool": tool, "arguments": arguments})),
    );
    assert_eq!(
        result.content[0].as_text().unwrap().text,
        format!("{server}/{tool} ran")
    );
}

/// Asserts a call was answered with the crate's denial: `-32602`, `Unknown tool: <name>`.
fn assert_denied(result: &Result<CallToolResult, ErrorData>, name: &str) {
    let error = result.as_ref().unwrap_err();
    assert_eq!(error.code.0, -32602);
    assert_eq!(error.message, format!("Unknown tool: {name}"));
    assert_eq!(error.data, None);
}

/// The export with `edit` applied.
fn edited(edit: impl FnOnce(&mut Value)) -> String {
    let mut export: Value = serde_json::from_str(EXPORT).unwrap();
    edit(&mut export);
    export.to_string()
}
