//! The gateway's client side: one MCP client session per upstream URL, shared by every
//! caller.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use rmcp::model::{
    CallToolRequestParams, CallToolResult, ClientCapabilities, ClientConfig, Implementation, Tool,
};
use rmcp::service::RunningService;
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::{ErrorData, RoleClient, ServiceError, ServiceExt as _};
use tokio::sync::OnceCell;

type Upstream = RunningService<RoleClient, ClientConfig>;

/// One MCP client session per upstream URL, opened on first use and shared by every
/// caller; a session that failed is dropped and the next request opens another.
#[derive(Debug, Default)]
pub(crate) struct Pool {
    sessions: Mutex<HashMap<String, Arc<OnceCell<Upstream>>>>,
}

impl Pool {
    async fn session(&self, url: &str) -> Result<Arc<OnceCell<Upstream>>, ErrorData> {
        let cell = self
            .sessions
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(url.to_owned())
            .or_default()
            .clone();
        cell.get_or_try_init(|| async {
            let info = ClientConfig::new(
                ClientCapabilities::default(),
                Implementation::new("mcp-authz-gateway", env!("CARGO_PKG_VERSION")),
            );
            info.serve(StreamableHttpClientTransport::from_uri(url))
                .await
                .map_err(|e| {
                    ErrorData::internal_error(format!("upstream {url} unavailable: {e}"), None)
                })
        })
        .await?;
        Ok(cell)
    }

    fn forget(&self, url: &str) {
        self.sessions
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(url);
    }

    /// An upstream error is the caller's answer when the upstream gave one; a broken
    /// session is forgotten.
    fn upstream_error(&self, url: &str, error: ServiceError) -> ErrorData {
        match error {
            ServiceError::McpError(error) => error,
            other => {
                self.forget(url);
                ErrorData::internal_error(format!("upstream {url} failed: {other}"), None)
            }
        }
    }

    pub(crate) async fn list_tools(&self, url: &str) -> Result<Vec<Tool>, ErrorData> {
        let cell = self.session(url).await?;
        let Some(peer) = cell.get() else {
            return Err(ErrorData::internal_error("upstream session missing", None));
        };
        peer.list_all_tools()
            .await
            .map_err(|e| self.upstream_error(url, e))
    }

    pub(crate) async fn call_tool(
        &self,
        url: &str,
        params: CallToolRequestParams,
    ) -> Result<CallToolResult, ErrorData> {
        let cell = self.session(url).await?;
        let Some(peer) = cell.get() else {
            return Err(ErrorData::internal_error("upstream session missing", None));
        };
        peer.call_tool(params)
            .await
            .map_err(|e| self.upstream_error(url, e))
    }
}
