//! The example's upstream MCP servers: small rmcp servers on loopback, each with a few
//! tools that answer with their own name and count every call they receive (so a test
//! can show that a denied call never arrived).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, ListToolsResult,
    PaginatedRequestParams, ServerCapabilities, ServerConfig, Tool,
};
use rmcp::service::RequestContext;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::{StreamableHttpServerConfig, StreamableHttpService};
use rmcp::{ErrorData, RoleServer, ServerHandler};
use serde_json::json;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// Calls received, per tool.
#[derive(Debug, Clone, Default)]
pub struct Calls(Arc<Mutex<BTreeMap<String, u64>>>);

impl Calls {
    /// How many calls of `tool` arrived.
    #[must_use]
    pub fn of(&self, tool: &str) -> u64 {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(tool)
            .copied()
            .unwrap_or(0)
    }

    /// How many calls arrived, all tools together.
    #[must_use]
    pub fn total(&self) -> u64 {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .values()
            .sum()
    }

    fn record(&self, tool: &str) {
        *self
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(tool.to_owned())
            .or_default() += 1;
    }
}

/// One upstream MCP server: its name and tools.
#[derive(Debug, Clone)]
struct Upstream {
    name: &'static str,
    tools: &'static [&'static str],
    calls: Calls,
}

impl ServerHandler for Upstream {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        let schema = json!({"type": "object", "additionalProperties": true});
        let schema = match schema {
            serde_json::Value::Object(schema) => Arc::new(schema),
            _ => Arc::default(),
        };
        Ok(ListToolsResult::with_all_items(
            self.tools
                .iter()
                .map(|&tool| {
                    Tool::new(
                        tool,
                        format!("{tool} on the {} server", self.name),
                        schema.clone(),
                    )
                })
                .collect(),
        ))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let tool = request.name.as_ref();
        if !self.tools.contains(&tool) {
            return Err(ErrorData::invalid_params(
                format!("Unknown tool: {tool}"),
                None,
            ));
        }
        self.calls.record(tool);
        let arguments = request.arguments.unwrap_or_default();
        let mut result = CallToolResult::success(vec![ContentBlock::text(format!(
            "{}/{tool} ran",
            self.name
        ))]);
        result.structured_content = Some(json!({
            "server": self.name,
            "tool": tool,
            "arguments": arguments,
        }));
        Ok(result.into())
    }
}

/// A running upstream: where it listens and what it received.
#[derive(Debug, Clone)]
pub struct RunningUpstream {
    /// Its name (what `builtin:NAME` in an export names).
    pub name: &'static str,
    /// Its streamable HTTP endpoint.
    pub url: String,
    /// The calls it received.
    pub calls: Calls,
}

/// The example's upstreams: name and tools. `private` is LiteLLM #21954's server.
pub const UPSTREAMS: [(&str, &[&str]); 3] = [
    ("public", &["search", "fetch_page"]),
    ("private", &["tool_a", "tool_b", "tool_c"]),
    ("tickets", &["get_ticket", "add_comment", "close_ticket"]),
];

/// Starts one upstream on a free loopback port; it stops when `shutdown` is cancelled.
///
/// # Errors
/// The listener could not be bound.
pub async fn start(
    name: &'static str,
    tools: &'static [&'static str],
    shutdown: CancellationToken,
) -> std::io::Result<RunningUpstream> {
    let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
    let url = format!("http://{}/mcp", listener.local_addr()?);
    let calls = Calls::default();
    let upstream = Upstream {
        name,
        tools,
        calls: calls.clone(),
    };
    let config = StreamableHttpServerConfig::default()
        .with_cancellation_token(shutdown.child_token())
        .with_sse_keep_alive(None);
    let service = StreamableHttpService::new(
        move || Ok(upstream.clone()),
        Arc::new(LocalSessionManager::default()),
        config,
    );
    tokio::spawn(crate::http::serve(
        listener,
        move |request| {
            let service = service.clone();
            async move { service.handle(request).await }
        },
        shutdown,
    ));
    Ok(RunningUpstream { name, url, calls })
}

/// Starts every upstream of [`UPSTREAMS`].
///
/// # Errors
/// A listener could not be bound.
pub async fn start_all(shutdown: &CancellationToken) -> std::io::Result<Vec<RunningUpstream>> {
    let mut running = Vec::new();
    for (name, tools) in UPSTREAMS {
        running.push(start(name, tools, shutdown.clone()).await?);
    }
    Ok(running)
}
