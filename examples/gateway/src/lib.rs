//! An MCP gateway on rmcp (the official Rust MCP SDK) whose every `tools/list` and
//! `tools/call` is decided by `mcp-authz`, with the example upstream servers it fronts.
//! See README.md beside this package.

pub mod export;
pub mod gateway;
pub mod http;
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
