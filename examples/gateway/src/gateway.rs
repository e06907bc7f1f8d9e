//! The gateway: one MCP server over streamable HTTP in front of several upstream MCP
//! servers, where every `tools/list` and `tools/call` is decided by `mcp-authz`.
//!
//! A request is authenticated twice over, cheaply: the HTTP layer checks the bearer key
//! against the export being served and answers `401` for a missing or unknown one; it
//! leaves the caller it found in the request's extensions, which rmcp hands to the MCP
//! handler. The handler resolves that caller against the same export (a reload in
//! between makes it authenticate again against the new one), then
//!
//! - `tools/list`: asks only the visible upstreams for their tools, has the crate filter
//!   and prefix each listing ([`McpGateway::prefix_server_tools_list`]) and answers the
//!   merged list, marked `cacheScope: "private"` (it is one caller's);
//! - `tools/call`: has the crate route and decide the prefixed name
//!   ([`McpGateway::decide_tools_call`]); an allowed call goes to its upstream with the
//!   bare tool name and the upstream's result is the answer; a denied one is answered with
//!   the crate's error (`-32602`, `Unknown tool: <name>`) and never leaves the gateway.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, Instant};

use futures::future::join_all;
use http::HeaderMap;
use http_body_util::{BodyExt as _, Full};
use mcp_authz::{Denial, McpGateway, Resolution};
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, ErrorCode, Implementation, ListToolsResult,
    PaginatedRequestParams, ServerCapabilities, ServerConfig,
};
use rmcp::service::{NotificationContext, RequestContext};
use rmcp::{ErrorData, Peer, RoleServer, ServerHandler};
use serde_json::{Value, json};
use tokio::sync::watch;

use crate::export::{Builtins, Caller, Export, LoadError};
use crate::http::Response;
use crate::pool::Pool;

/// The header LiteLLM reads an end user's id from first, and the one it reads next.
pub const END_USER_HEADERS: [&str; 2] = ["x-litellm-customer-id", "x-litellm-end-user-id"];

/// The export being served, with its place in the sequence of loads.
#[derive(Debug)]
struct Loaded {
    generation: u64,
    export: Export,
}

/// What the last reload did; the gateway publishes one after every attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReloadEvent {
    /// Attempts so far (the first load included).
    pub attempts: u64,
    /// The generation being served.
    pub generation: u64,
    /// Why the last attempt was refused, when it was.
    pub refused: Option<String>,
}

/// What authorizing has cost so far, and how many requests it decided.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// `tools/list` and `tools/call` requests authorized.
    pub requests: u64,
    /// Time spent authorizing them: bearer lookup, resolution, filtering and prefixing
    /// listings, deciding calls, and turning rmcp's types into the JSON the crate reads and
    /// back (upstream round trips excluded).
    pub authorization: Duration,
    /// Of those, `tools/list` requests.
    pub lists: u64,
    /// Of that time, the part spent on `tools/list` requests.
    pub list_authorization: Duration,
    /// Calls forwarded upstream.
    pub forwarded: u64,
    /// Calls denied.
    pub denied: u64,
}

#[derive(Debug, Default)]
struct Counters {
    requests: AtomicU64,
    nanos: AtomicU64,
    lists: AtomicU64,
    list_nanos: AtomicU64,
    forwarded: AtomicU64,
    denied: AtomicU64,
}

/// The caller the HTTP layer authenticated, against which generation, and what that cost.
#[derive(Debug, Clone)]
struct Authenticated {
    generation: u64,
    caller: Caller,
    nanos: u64,
}

/// The gateway's shared state: the export it serves, its upstream connections, counters.
#[derive(Debug)]
pub struct Gateway {
    current: RwLock<Arc<Loaded>>,
    builtins: Builtins,
    mcp: McpGateway,
    pool: Pool,
    counters: Counters,
    events: watch::Sender<ReloadEvent>,
    /// Serializes reloads, so generations are assigned in the order exports are swapped.
    reloading: Mutex<()>,
    /// Client sessions, told `notifications/tools/list_changed` after a reload.
    sessions: Mutex<Vec<Peer<RoleServer>>>,
    log_decisions: AtomicBool,
}

impl Gateway {
    /// A gateway serving `export`; `builtins` says where `builtin:NAME` upstreams are.
    ///
    /// # Errors
    /// The export is refused ([`Export::load`]).
    pub fn new(export: &str, builtins: Builtins) -> Result<Arc<Self>, LoadError> {
        let export = Export::load(export, &builtins)?;
        let (events, _) = watch::channel(ReloadEvent {
            attempts: 1,
            generation: 1,
            refused: None,
        });
        Ok(Arc::new(Self {
            current: RwLock::new(Arc::new(Loaded {
                generation: 1,
                export,
            })),
            builtins,
            mcp: McpGateway::new(),
            pool: Pool::default(),
            counters: Counters::default(),
            events,
            reloading: Mutex::new(()),
            sessions: Mutex::new(Vec::new()),
            log_decisions: AtomicBool::new(false),
        }))
    }

    /// Prints each `tools/call` decision to standard error as a JSON line (the crate's
    /// log record), or stops.
    pub fn set_decision_log(&self, on: bool) {
        self.log_decisions.store(on, Ordering::Relaxed);
    }

    fn current(&self) -> Arc<Loaded> {
        self.current
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Builds a registry from a new export and swaps it in atomically: requests already
    /// running finish on the export they started with, later ones see the new one. A
    /// refused export leaves the served one in place. Returns the new generation.
    ///
    /// # Errors
    /// The export is refused ([`Export::load`]); the message is the crate's when the crate
    /// refused it.
    pub fn reload(&self, text: &str) -> Result<u64, LoadError> {
        let _serial = self
            .reloading
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let loaded = Export::load(text, &self.builtins);
        let previous = self.events.borrow().clone();
        let attempts = previous.attempts + 1;
        match loaded {
            Ok(export) => {
                let generation = previous.generation + 1;
                *self.current.write().unwrap_or_else(PoisonError::into_inner) =
                    Arc::new(Loaded { generation, export });
                self.events.send_replace(ReloadEvent {
                    attempts,
                    generation,
                    refused: None,
                });
                self.notify_list_changed();
                Ok(generation)
            }
            Err(error) => {
                self.events.send_replace(ReloadEvent {
                    attempts,
                    generation: previous.generation,
                    refused: Some(error.to_string()),
                });
                Err(error)
            }
        }
    }

    /// Tells every open session that its tool list may have changed (after the swap, so a
    /// client that lists again sees the new export); closed sessions are forgotten.
    fn notify_list_changed(&self) {
        let mut sessions = self.sessions.lock().unwrap_or_else(PoisonError::into_inner);
        sessions.retain(|peer| !peer.is_transport_closed());
        let peers = sessions.clone();
        drop(sessions);
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                for peer in peers {
                    // A session that went away meanwhile has nothing to refresh.
                    let _ = peer.notify_tool_list_changed().await;
                }
            });
        }
    }

    fn register(&self, peer: Peer<RoleServer>) {
        let mut sessions = self.sessions.lock().unwrap_or_else(PoisonError::into_inner);
        sessions.retain(|peer| !peer.is_transport_closed());
        sessions.push(peer);
    }

    /// Reload events, the latest first.
    #[must_use]
    pub fn events(&self) -> watch::Receiver<ReloadEvent> {
        self.events.subscribe()
    }

    /// What authorizing has cost so far.
    #[must_use]
    pub fn stats(&self) -> Stats {
        Stats {
            requests: self.counters.requests.load(Ordering::Relaxed),
            authorization: Duration::from_nanos(self.counters.nanos.load(Ordering::Relaxed)),
            lists: self.counters.lists.load(Ordering::Relaxed),
            list_authorization: Duration::from_nanos(
                self.counters.list_nanos.load(Ordering::Relaxed),
            ),
            forwarded: self.counters.forwarded.load(Ordering::Relaxed),
            denied: self.counters.denied.load(Ordering::Relaxed),
        }
    }

    fn record(&self, nanos: u64) {
        self.counters.requests.fetch_add(1, Ordering::Relaxed);
        self.counters.nanos.fetch_add(nanos, Ordering::Relaxed);
    }

    fn record_list(&self, nanos: u64) {
        self.record(nanos);
        self.counters.lists.fetch_add(1, Ordering::Relaxed);
        self.counters.list_nanos.fetch_add(nanos, Ordering::Relaxed);
    }

    /// The HTTP layer: a request without a bearer key the served export knows is answered
    /// `401`; any other goes on to `next` (rmcp's streamable HTTP service) with the caller
    /// in its extensions.
    pub async fn authenticate<B, F>(
        &self,
        mut request: http::Request<B>,
        next: impl FnOnce(http::Request<B>) -> F,
    ) -> Response
    where
        F: Future<Output = Response>,
    {
        let started = Instant::now();
        let loaded = self.current();
        let caller = bearer(request.headers())
            .and_then(|key| loaded.export.caller(key, end_user(request.headers())));
        let Some(caller) = caller else {
            return unauthorized();
        };
        request.extensions_mut().insert(Authenticated {
            generation: loaded.generation,
            caller,
            nanos: elapsed_nanos(started),
        });
        drop(loaded);
        next(request).await
    }

    /// The caller of an MCP request, against `loaded`: the one the HTTP layer found when
    /// it authenticated against the same export, else found again from the headers.
    fn caller(
        loaded: &Loaded,
        context: &RequestContext<RoleServer>,
    ) -> Result<(Caller, u64), ErrorData> {
        let parts = context.extensions.get::<http::request::Parts>();
        if let Some(found) = parts.and_then(|p| p.extensions.get::<Authenticated>())
            && found.generation == loaded.generation
        {
            return Ok((found.caller.clone(), found.nanos));
        }
        let started = Instant::now();
        parts
            .and_then(|p| {
                let key = bearer(&p.headers)?;
                loaded.export.caller(key, end_user(&p.headers))
            })
            .map(|caller| (caller, elapsed_nanos(started)))
            .ok_or_else(|| {
                ErrorData::new(ErrorCode::INVALID_REQUEST, "unknown or revoked key", None)
            })
    }

    async fn list_tools(
        &self,
        context: &RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        let started = Instant::now();
        let loaded = self.current();
        let (caller, http_nanos) = Self::caller(&loaded, context)?;
        let resolution = resolve(&loaded.export, &caller)?;
        // Only the upstreams this caller may see are asked.
        let visible: Vec<(&str, &str)> = resolution
            .servers()
            .filter_map(|v| {
                let id = v.server().id().as_str();
                loaded.export.upstream(id).map(|url| (id, url))
            })
            .collect();
        let mut nanos = http_nanos + elapsed_nanos(started);

        let listings = join_all(visible.iter().map(|&(_, url)| self.pool.list_tools(url))).await;

        let merging = Instant::now();
        let mut merged = self
            .mcp
            .filter_tools_list(&resolution, json!({"tools": []}))
            .map_err(|e| ErrorData::internal_error(e.to_string(), None))?;
        for (&(id, url), listing) in visible.iter().zip(listings) {
            let tools = match listing {
                Ok(tools) => tools,
                Err(error) => {
                    // One upstream down does not take the others' tools away.
                    eprintln!("gateway: tools/list of `{id}` at {url} failed: {error}");
                    continue;
                }
            };
            let tools = serde_json::to_value(tools)
                .map_err(|e| ErrorData::internal_error(e.to_string(), None))?;
            let shown = self
                .mcp
                .prefix_server_tools_list(&resolution, id, json!({"tools": tools}))
                .map_err(|e| ErrorData::internal_error(e.to_string(), None))?;
            append_tools(&mut merged, shown);
        }
        let result = serde_json::from_value::<ListToolsResult>(merged)
            .map_err(|e| ErrorData::internal_error(e.to_string(), None));
        nanos += elapsed_nanos(merging);
        self.record_list(nanos);
        result
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: &RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let started = Instant::now();
        let loaded = self.current();
        let (caller, http_nanos) = Self::caller(&loaded, context)?;
        let resolution = resolve(&loaded.export, &caller)?;
        let params = serde_json::to_value(&request)
            .map_err(|e| ErrorData::internal_error(e.to_string(), None))?;
        let call = self.mcp.decide_tools_call(&resolution, &params);
        if self.log_decisions.load(Ordering::Relaxed) {
            eprintln!("{}", serde_json::to_string(&call).unwrap_or_default());
        }
        let params = match call.upstream_params(params) {
            Ok(params) => params,
            Err(denial) => {
                self.record(http_nanos + elapsed_nanos(started));
                self.counters.denied.fetch_add(1, Ordering::Relaxed);
                return Err(denial_error(&denial));
            }
        };
        let mut params = serde_json::from_value::<CallToolRequestParams>(params)
            .map_err(|e| ErrorData::internal_error(e.to_string(), None))?;
        // The caller's request metadata is about its hop, not the upstream's.
        params.meta = None;
        self.record(http_nanos + elapsed_nanos(started));
        let url = call
            .server_id()
            .and_then(|id| loaded.export.upstream(id.as_str()))
            .ok_or_else(|| ErrorData::internal_error("no upstream for this server", None))?
            .to_owned();
        drop(resolution);
        drop(loaded);
        self.counters.forwarded.fetch_add(1, Ordering::Relaxed);
        self.pool
            .call_tool(&url, params)
            .await
            .map(CallToolResponse::Complete)
    }
}

fn resolve<'e>(export: &'e Export, caller: &Caller) -> Result<Resolution<'e>, ErrorData> {
    export
        .resolve(caller)
        .ok_or_else(|| ErrorData::new(ErrorCode::INVALID_REQUEST, "unknown or revoked key", None))
}

/// The crate's JSON-RPC error object (`{"code": -32602, "message": "Unknown tool: ..."}`)
/// as rmcp's error, which rmcp sends as it is.
fn denial_error(denial: &Denial) -> ErrorData {
    serde_json::from_value(denial.error())
        .unwrap_or_else(|_| ErrorData::invalid_params(denial.message(), None))
}

/// Appends a prefixed page's tools to the merged result, keeping the shorter `ttlMs`.
fn append_tools(merged: &mut Value, page: Value) {
    let (Value::Object(mut page), Some(merged)) = (page, merged.as_object_mut()) else {
        return;
    };
    if let (Some(ttl), Some(mine)) = (
        page.get("ttlMs").and_then(Value::as_u64),
        merged.get("ttlMs").and_then(Value::as_u64),
    ) && ttl < mine
    {
        merged.insert("ttlMs".to_owned(), Value::from(ttl));
    }
    if let (Some(Value::Array(tools)), Some(Value::Array(all))) =
        (page.remove("tools"), merged.get_mut("tools"))
    {
        all.extend(tools);
    }
}

fn elapsed_nanos(since: Instant) -> u64 {
    u64::try_from(since.elapsed().as_nanos()).unwrap_or(u64::MAX)
}

/// The key of an `Authorization: Bearer <key>` header.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(http::header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, key) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| key.trim())
}

/// The end user a request names, as LiteLLM reads it from headers.
fn end_user(headers: &HeaderMap) -> Option<&str> {
    END_USER_HEADERS
        .iter()
        .find_map(|name| headers.get(*name)?.to_str().ok())
        .map(str::trim)
        .filter(|id| !id.is_empty())
}

fn unauthorized() -> Response {
    let body = json!({"error": {"message": "a LiteLLM virtual key is needed: Authorization: Bearer sk-..."}});
    http::Response::builder()
        .status(http::StatusCode::UNAUTHORIZED)
        .header(
            http::header::WWW_AUTHENTICATE,
            "Bearer realm=\"mcp-authz-gateway\"",
        )
        .header(http::header::CONTENT_TYPE, "application/json")
        .body(Full::new(bytes::Bytes::from(body.to_string())).boxed())
        .unwrap_or_default()
}

/// The gateway's MCP handler for one session (or one stateless request).
#[derive(Debug, Clone)]
pub struct Session(pub Arc<Gateway>);

impl ServerHandler for Session {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_tool_list_changed()
                .build(),
        )
        .with_server_info(Implementation::new(
            "mcp-authz-gateway",
            env!("CARGO_PKG_VERSION"),
        ))
    }

    async fn on_initialized(&self, context: NotificationContext<RoleServer>) {
        self.0.register(context.peer);
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        self.0.list_tools(&context).await
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        self.0.call_tool(request, &context).await
    }
}
