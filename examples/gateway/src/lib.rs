//! An MCP gateway on rmcp (the official Rust MCP SDK) whose every `tools/list` and
//! `tools/call` is decided by `mcp-authz`, with the example upstream servers it fronts.
//! See README.md beside this package.

pub mod export;
pub mod gateway;
pub mod http;
mod pool;
pub mod reload;
pub mod upstream;

use std::net::SocketAddr;
use std::sync::Arc;

use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::{StreamableHttpServerConfig, StreamableHttpService};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

pub use export::{Builtins, Export, LoadError, hash_token};
pub use gateway::{Gateway, ReloadEvent, Session, Stats};

/// Serves `gateway` over streamable HTTP at `addr` (port 0: any free one) until
/// `shutdown` is cancelled. Returns the MCP endpoint's URL.
///
/// # Errors
/// The listener could not be bound.
pub async fn serve(
    gateway: Arc<Gateway>,
    addr: SocketAddr,
    shutdown: CancellationToken,
) -> std::io::Result<String> {
    let listener = TcpListener::bind(addr).await?;
    let url = format!("http://{}/mcp", listener.local_addr()?);
    let config =
        StreamableHttpServerConfig::default().with_cancellation_token(shutdown.child_token());
    let mcp = StreamableHttpService::new(
        {
            let gateway = gateway.clone();
            move || Ok(Session(gateway.clone()))
        },
        Arc::new(LocalSessionManager::default()),
        config,
    );
    tokio::spawn(http::serve(
        listener,
        move |request| {
            let gateway = gateway.clone();
            let mcp = mcp.clone();
            async move {
                gateway
                    .authenticate(request, |request| async move { mcp.handle(request).await })
                    .await
            }
        },
        shutdown,
    ));
    Ok(url)
}

/// Starts the example upstreams ([`upstream::UPSTREAMS`]) and returns where they are,
/// for an export's `builtin:NAME` urls.
///
/// # Errors
/// A listener could not be bound.
pub async fn start_upstreams(
    shutdown: &CancellationToken,
) -> std::io::Result<(Builtins, Vec<upstream::RunningUpstream>)> {
    let running = upstream::start_all(shutdown).await?;
    let builtins = running
        .iter()
        .map(|u| (u.name.to_owned(), u.url.clone()))
        .collect();
    Ok((builtins, running))
}

/// A gateway and the example upstreams behind it, running in this process until
/// [`Running::stop`] or drop.
#[derive(Debug)]
pub struct Running {
    /// The gateway's MCP endpoint.
    pub url: String,
    /// The gateway, to reload or read its [`Stats`].
    pub gateway: Arc<Gateway>,
    /// The upstreams, with the calls each received.
    pub upstreams: Vec<upstream::RunningUpstream>,
    shutdown: CancellationToken,
}

impl Running {
    /// The upstream of that name.
    #[must_use]
    pub fn upstream(&self, name: &str) -> Option<&upstream::RunningUpstream> {
        self.upstreams.iter().find(|u| u.name == name)
    }

    /// Cancelled when the gateway stops (for tasks that should stop with it).
    #[must_use]
    pub fn shutdown(&self) -> &CancellationToken {
        &self.shutdown
    }

    /// Stops the gateway and its upstreams.
    pub fn stop(&self) {
        self.shutdown.cancel();
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

/// Starts the example upstreams and a gateway serving `export` at `listen` in front of
/// them.
///
/// # Errors
/// A listener could not be bound, or the export was refused (the message says which).
pub async fn start(export: &str, listen: SocketAddr) -> Result<Running, String> {
    let shutdown = CancellationToken::new();
    let (builtins, upstreams) = start_upstreams(&shutdown)
        .await
        .map_err(|e| format!("cannot start the upstreams: {e}"))?;
    let gateway = Gateway::new(export, builtins).map_err(|e| format!("export refused: {e}"))?;
    let url = serve(gateway.clone(), listen, shutdown.clone())
        .await
        .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    Ok(Running {
        url,
        gateway,
        upstreams,
        shutdown,
    })
}

/// An MCP client session with the gateway.
pub type Client = rmcp::service::RunningService<rmcp::RoleClient, rmcp::model::ClientConfig>;

/// The identity the example's clients give.
#[must_use]
pub fn client_config() -> rmcp::model::ClientConfig {
    rmcp::model::ClientConfig::new(
        rmcp::model::ClientCapabilities::default(),
        rmcp::model::Implementation::new("mcp-authz-gateway-client", env!("CARGO_PKG_VERSION")),
    )
}

/// Connects an rmcp client to the gateway at `url` with a bearer key and, optionally, an
/// end user (LiteLLM's `x-litellm-end-user-id` header).
///
/// # Errors
/// The gateway refused the key (`401`), or the MCP handshake failed.
pub async fn connect(
    url: &str,
    key: &str,
    end_user: Option<&str>,
) -> Result<Client, rmcp::service::ClientInitializeError> {
    connect_with(url, key, end_user, client_config()).await
}

/// [`connect`] with a client handler of one's own (to hear notifications).
///
/// # Errors
/// As [`connect`].
pub async fn connect_with<H: rmcp::ClientHandler>(
    url: &str,
    key: &str,
    end_user: Option<&str>,
    handler: H,
) -> Result<rmcp::service::RunningService<rmcp::RoleClient, H>, rmcp::service::ClientInitializeError>
{
    use rmcp::ServiceExt as _;
    use rmcp::transport::StreamableHttpClientTransport;
    use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;

    let mut headers = std::collections::HashMap::new();
    if let Some(id) = end_user.and_then(|id| ::http::HeaderValue::from_str(id).ok()) {
        headers.insert(::http::HeaderName::from_static("x-litellm-end-user-id"), id);
    }
    let transport = StreamableHttpClientTransport::from_config(
        StreamableHttpClientTransportConfig::with_uri(url)
            .auth_header(key)
            .custom_headers(headers),
    );
    handler.serve(transport).await
}
