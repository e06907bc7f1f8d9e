//! MCP messages, filtered and decided: `tools/list` results and `tools/call` requests as
//! a gateway receives them (`serde_json::Value`), with no MCP SDK in between.
//!
//! A denied call is answered as MCP peers answer a tool they do not have: JSON-RPC
//! `-32602` with `"Unknown tool: <name>"`, so a caller learns nothing about tools it may
//! not use. The reason stays in the gateway's logs ([`ToolCall`] serializes as a log
//! record). A filtered listing is for one caller, so every page is marked
//! `cacheScope: "private"` and carries a `ttlMs` (MCP 2026-07-28 caching).

use std::fmt;

use serde::Serialize;
use serde::ser::{SerializeStruct, Serializer};
use serde_json::{Map, Value};

use crate::id::ServerId;
use crate::naming::ToolNaming;
use crate::resolution::{CallDecision, Resolution, Routed};

/// JSON-RPC's "Invalid params", the code MCP peers answer an unknown tool with.
pub const INVALID_PARAMS: i64 = -32602;

/// The gateway's side of the MCP messages it filters: how it names tools
/// ([`ToolNaming`]) and how long a caller may cache a filtered listing.
///
/// ```
/// use mcp_authz::{McpGateway, McpServer, ObjectPermission, Request, ServerRegistry};
/// use serde_json::json;
///
/// let registry = ServerRegistry::new([
///     McpServer::new("srv-a").with_alias("gh"),
///     McpServer::new("srv-b").with_alias("jira"),
/// ])?;
/// let key = ObjectPermission::new().with_tool_permission("gh", ["create_issue"]);
/// let resolution = registry.resolve_allowed_servers(&Request::new().key(&key));
/// let gateway = McpGateway::new();
///
/// // tools/list of a multiplexed gateway: prefixed names, other members kept.
/// let listed = gateway.filter_tools_list(&resolution, json!({
///     "tools": [
///         {"name": "gh-create_issue", "inputSchema": {"type": "object"}},
///         {"name": "gh-delete_repo", "inputSchema": {"type": "object"}},
///         {"name": "jira-search", "inputSchema": {"type": "object"}},
///     ],
///     "nextCursor": "page-2",
/// }))?;
/// assert_eq!(listed, json!({
///     "tools": [{"name": "gh-create_issue", "inputSchema": {"type": "object"}}],
///     "nextCursor": "page-2",
///     "cacheScope": "private",
///     "ttlMs": 0,
/// }));
///
/// // tools/call: allowed calls go upstream with the bare name; denials are "unknown".
/// let call = gateway.decide_tools_call(&resolution, &json!({"name": "gh-create_issue", "arguments": {}}));
/// assert_eq!(call.upstream_params(json!({"name": "gh-create_issue", "arguments": {}})).unwrap(),
///            json!({"name": "create_issue", "arguments": {}}));
/// let denied = gateway.decide_tools_call(&resolution, &json!({"name": "jira-search"}));
/// assert_eq!(denied.denial().unwrap().response(&json!(7)), json!({
///     "jsonrpc": "2.0", "id": 7,
///     "error": {"code": -32602, "message": "Unknown tool: jira-search"},
/// }));
/// assert_eq!(serde_json::to_value(&denied)?, json!({
///     "name": "jira-search", "server_id": null, "tool": null,
///     "allowed": false, "reason": "unknown_prefix",
/// }));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct McpGateway {
    naming: ToolNaming,
    ttl_ms: u64,
}

impl McpGateway {
    /// LiteLLM's naming ([`ToolNaming::LITELLM`]), and listings that are stale at once
    /// (`ttlMs: 0`: a caller's permissions can change at any time).
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The same gateway with another naming.
    #[must_use]
    pub fn with_naming(mut self, naming: ToolNaming) -> Self {
        self.naming = naming;
        self
    }

    /// The same gateway with listings fresh for `ttl_ms` milliseconds (an upstream's
    /// shorter `ttlMs` wins).
    #[must_use]
    pub fn with_ttl_ms(mut self, ttl_ms: u64) -> Self {
        self.ttl_ms = ttl_ms;
        self
    }

    /// The naming.
    #[must_use]
    pub fn naming(&self) -> &ToolNaming {
        &self.naming
    }

    /// Filters a multiplexed `tools/list` result, whose tool names are prefixed: a tool
    /// stays when its name routes to a visible server ([`Resolution::route_with`]) whose
    /// listing scope allows the bare tool. Every other member of each tool and of the
    /// result is kept; a tool that is not an object with a string `name` is dropped.
    ///
    /// # Errors
    /// [`McpError`] when `result` is not an object or its `tools` is not an array; the
    /// result is consumed, so an unfiltered one cannot be forwarded by mistake.
    pub fn filter_tools_list(
        &self,
        resolution: &Resolution<'_>,
        result: Value,
    ) -> Result<Value, McpError> {
        self.filter(result, |name| {
            match resolution.route_detail(name, &self.naming) {
                Routed::To { index, tool, .. } => resolution.is_listed_at(index, tool),
                Routed::Ambiguous { .. } | Routed::Unknown => false,
            }
        })
    }

    /// Filters one server's `tools/list` result (bare names) for the server a reference
    /// names: the tools its listing scope allows, none when it is not visible.
    ///
    /// # Errors
    /// As [`McpGateway::filter_tools_list`].
    pub fn filter_server_tools_list(
        &self,
        resolution: &Resolution<'_>,
        server: &str,
        result: Value,
    ) -> Result<Value, McpError> {
        self.filter(result, resolution.lists(server))
    }

    /// One server's `tools/list` result (bare names), filtered as
    /// [`McpGateway::filter_server_tools_list`] filters it and renamed to the names the
    /// gateway shows ([`ToolNaming::shown_name`]), for a multiplexed listing. A tool whose
    /// shown name would route to another server or tool (a prefix that overlaps another
    /// visible server's) is left out: listing it would offer a call that runs elsewhere.
    ///
    /// # Errors
    /// As [`McpGateway::filter_tools_list`].
    pub fn prefix_server_tools_list(
        &self,
        resolution: &Resolution<'_>,
        server: &str,
        result: Value,
    ) -> Result<Value, McpError> {
        let Some(index) = resolution.visible_index(server) else {
            return self.filter(result, |_| false);
        };
        let entry = &resolution.registry().entry(index).server;
        let lists = resolution.lists(server);
        let mut result = self.filter(result, |name| {
            lists(name) && {
                let shown = self.naming.shown_name(entry, name);
                matches!(
                    resolution.route_detail(&shown, &self.naming),
                    Routed::To { index: i, tool, .. } if i == index && tool == name
                )
            }
        })?;
        if let Some(Value::Array(tools)) = result.get_mut("tools") {
            for tool in tools {
                if let Some(Value::String(name)) = tool.get_mut("name") {
                    *name = self.naming.shown_name(entry, name);
                }
            }
        }
        Ok(result)
    }

    /// Decides a multiplexed `tools/call` by its params' prefixed `name`: routed as
    /// [`Resolution::route_with`] routes it, then decided by the server's call scope
    /// ([`Resolution::decide_prefixed_call_with`]; under LiteLLM 1.106 that can allow a
    /// tool a filtered listing hides).
    #[must_use]
    pub fn decide_tools_call(&self, resolution: &Resolution<'_>, params: &Value) -> ToolCall {
        let Some(name) = call_name(params) else {
            return ToolCall::invalid();
        };
        let routed = resolution.route_detail(name, &self.naming);
        let decision = resolution.decide_routed(&routed);
        let (server, tool) = match routed {
            Routed::To { index, tool, .. } => (
                Some(resolution.registry().entry(index).server.id().clone()),
                Some(tool.to_owned()),
            ),
            Routed::Ambiguous { .. } | Routed::Unknown => (None, None),
        };
        ToolCall {
            name: name.to_owned(),
            server,
            tool,
            decision,
        }
    }

    /// Decides a `tools/call` to the server a reference names, by its params' bare
    /// `name` ([`Resolution::decide_call`]).
    #[must_use]
    pub fn decide_server_tools_call(
        &self,
        resolution: &Resolution<'_>,
        server: &str,
        params: &Value,
    ) -> ToolCall {
        let Some(name) = call_name(params) else {
            return ToolCall::invalid();
        };
        let (server, decision) = match resolution.reference(server) {
            Ok(index) => (
                Some(resolution.registry().entry(index).server.id().clone()),
                resolution.decide_at(index, name),
            ),
            Err(denied) => (None, denied),
        };
        ToolCall {
            name: name.to_owned(),
            server,
            tool: Some(name.to_owned()),
            decision,
        }
    }

    /// Keeps the tools `keep` accepts by name, then marks the result per-caller.
    fn filter(&self, result: Value, mut keep: impl FnMut(&str) -> bool) -> Result<Value, McpError> {
        let Value::Object(mut members) = result else {
            return Err(McpError::NotAnObject {
                found: shown(&result),
            });
        };
        match members.get_mut("tools") {
            Some(Value::Array(tools)) => tools.retain(|tool| {
                tool.get("name")
                    .and_then(Value::as_str)
                    .is_some_and(&mut keep)
            }),
            other => {
                return Err(McpError::ToolsNotAnArray {
                    found: other.map_or_else(|| "nothing".to_owned(), |v| shown(v)),
                });
            }
        }
        self.mark_private(&mut members);
        Ok(Value::Object(members))
    }

    fn mark_private(&self, members: &mut Map<String, Value>) {
        let ttl = members
            .get("ttlMs")
            .and_then(Value::as_u64)
            .map_or(self.ttl_ms, |upstream| upstream.min(self.ttl_ms));
        members.insert("cacheScope".to_owned(), Value::from("private"));
        members.insert("ttlMs".to_owned(), Value::from(ttl));
    }
}

fn call_name(params: &Value) -> Option<&str> {
    params.get("name").and_then(Value::as_str)
}

/// A `tools/call` decided: the name asked for, where it routes, and the decision. It
/// serializes as a log record: `{"name", "server_id", "tool", "allowed", "reason"}`
/// (`reason` a [`CallDecision::code`]). Made by [`McpGateway::decide_tools_call`] (see
/// its example) and [`McpGateway::decide_server_tools_call`]:
///
/// ```
/// use mcp_authz::{CallDecision, McpGateway, McpServer, ObjectPermission, Request, ServerRegistry};
/// use serde_json::json;
///
/// let registry = ServerRegistry::new([McpServer::new("srv-a")])?;
/// let key = ObjectPermission::new().with_tool_permission("srv-a", ["read"]);
/// let resolution = registry.resolve_allowed_servers(&Request::new().key(&key));
/// let call = McpGateway::new().decide_server_tools_call(&resolution, "srv-a", &json!({"name": "write"}));
/// assert_eq!(call.decision(), CallDecision::ToolNotAllowed);
/// assert_eq!(call.denial().unwrap().error(), json!({"code": -32602, "message": "Unknown tool: write"}));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolCall {
    name: String,
    server: Option<ServerId>,
    tool: Option<String>,
    decision: CallDecision,
}

impl ToolCall {
    fn invalid() -> Self {
        Self {
            name: String::new(),
            server: None,
            tool: None,
            decision: CallDecision::InvalidParams,
        }
    }

    /// The decision.
    #[must_use]
    pub fn decision(&self) -> CallDecision {
        self.decision
    }

    /// Whether the call may run.
    #[must_use]
    pub fn is_allowed(&self) -> bool {
        self.decision.is_allowed()
    }

    /// The tool name the call asked for, as written (empty when the params had none).
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The server the name routes to or the reference names, when there is one.
    #[must_use]
    pub fn server_id(&self) -> Option<&ServerId> {
        self.server.as_ref()
    }

    /// The bare tool name the server is called with, when the name routed.
    #[must_use]
    pub fn tool(&self) -> Option<&str> {
        self.tool.as_deref()
    }

    /// The denial to answer with, when the call may not run.
    #[must_use]
    pub fn denial(&self) -> Option<Denial> {
        (!self.is_allowed()).then(|| Denial {
            name: self.name.clone(),
            reason: self.decision,
        })
    }

    /// The params to send upstream: `params` with `name` set to the bare tool. A denied
    /// call gives its denial instead.
    ///
    /// # Errors
    /// The [`Denial`] when the call may not run.
    pub fn upstream_params(&self, mut params: Value) -> Result<Value, Denial> {
        match (&self.tool, self.denial()) {
            (_, Some(denial)) => Err(denial),
            (Some(tool), None) => {
                if let Some(name) = params.get_mut("name") {
                    *name = Value::from(tool.as_str());
                }
                Ok(params)
            }
            // INVARIANT: an allowed call has routed to a tool.
            (None, None) => Err(Denial {
                name: self.name.clone(),
                reason: CallDecision::InvalidParams,
            }),
        }
    }
}

impl Serialize for ToolCall {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("ToolCall", 5)?;
        st.serialize_field("name", &self.name)?;
        st.serialize_field("server_id", &self.server)?;
        st.serialize_field("tool", &self.tool)?;
        st.serialize_field("allowed", &self.is_allowed())?;
        st.serialize_field("reason", self.decision.code())?;
        st.end()
    }
}

/// The answer to a denied `tools/call`: JSON-RPC `-32602`, `"Unknown tool: <name>"`
/// (or, for params without a string `name`, `"Invalid params: ..."`). The reason is for
/// the gateway's logs only; the error it renders does not carry it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Denial {
    name: String,
    reason: CallDecision,
}

impl Denial {
    /// Why the call was denied (for logs; never sent to the client).
    #[must_use]
    pub fn reason(&self) -> CallDecision {
        self.reason
    }

    /// The stable code of [`Denial::reason`] (`tool_not_allowed`, ...).
    #[must_use]
    pub fn code(&self) -> &'static str {
        self.reason.code()
    }

    /// The message the client sees.
    #[must_use]
    pub fn message(&self) -> String {
        if self.reason == CallDecision::InvalidParams {
            "Invalid params: tools/call needs a string `name`".to_owned()
        } else {
            format!("Unknown tool: {}", self.name)
        }
    }

    /// The JSON-RPC error object: `{"code": -32602, "message": ...}`.
    #[must_use]
    pub fn error(&self) -> Value {
        let mut error = Map::new();
        error.insert("code".to_owned(), Value::from(INVALID_PARAMS));
        error.insert("message".to_owned(), Value::from(self.message()));
        Value::Object(error)
    }

    /// The whole JSON-RPC response to the request with this `id`.
    #[must_use]
    pub fn response(&self, id: &Value) -> Value {
        let mut response = Map::new();
        response.insert("jsonrpc".to_owned(), Value::from("2.0"));
        response.insert("id".to_owned(), id.clone());
        response.insert("error".to_owned(), self.error());
        Value::Object(response)
    }
}

impl fmt::Display for Denial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.message(), self.reason.code())
    }
}

/// A JSON value as an error message shows it: its JSON, cut after 64 characters.
fn shown(value: &Value) -> String {
    const MAX: usize = 64;
    let text = value.to_string();
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}...", text.get(..cut).unwrap_or_default()),
        None => text,
    }
}

/// A `tools/list` result that cannot be filtered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum McpError {
    /// The result is not a JSON object.
    #[error("a tools/list result must be an object, found `{found}`")]
    NotAnObject {
        /// The value, as JSON (cut after 64 characters).
        found: String,
    },
    /// The result's `tools` is missing or not an array.
    #[error("`tools` of a tools/list result must be an array, found `{found}`")]
    ToolsNotAnArray {
        /// The value as JSON (cut after 64 characters), or `nothing`.
        found: String,
    },
}

#[cfg(test)]
mod tests;
