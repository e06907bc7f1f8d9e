//! The answer to a request: visible servers, their tool scopes, and call decisions.

use std::borrow::Cow;
use std::fmt;

use serde::Serialize;

use crate::naming::{ToolNaming, separators_from_right};
use crate::registry::ServerRegistry;
use crate::semantics::Semantics;
use crate::server::McpServer;
use crate::tools::{ScopeFilter, ToolScope};

/// What requested server names did to a resolution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RequestedOutcome {
    /// No names were requested: every visible server is in the result.
    NotRequested,
    /// Names were requested and picked at least one visible server.
    Matched,
    /// Names were requested (possibly an empty list) and picked no visible server, so the
    /// result is empty: requests fail closed.
    MatchedNothing,
    /// The key's `mcp_servers` holds LiteLLM's `no-mcp-servers` sentinel: no server is
    /// visible, whatever was requested.
    Blocked,
}

#[derive(Debug, Clone)]
pub(crate) struct Visible<'a> {
    pub(crate) index: u32,
    /// While resolving: some level's tool lists name the server (its scope is computed
    /// once every level has said so). Always `false` in a finished resolution.
    pub(crate) listed: bool,
    pub(crate) scope: VisibleScope<'a>,
}

/// The tool scopes of a visible server.
#[derive(Debug, Clone)]
pub(crate) enum VisibleScope<'a> {
    /// No level restricts the server: its own scopes, which the registry keeps
    /// ([`OwnScopes`](crate::resolve::tools::OwnScopes)).
    Own,
    /// Levels restrict it.
    Restricted {
        scope: ToolScope<'a>,
        /// The scope calls are decided by, where it differs from `scope` (only under
        /// LiteLLM 1.106).
        call_scope: Option<ToolScope<'a>>,
    },
}

impl Visible<'_> {
    /// Server `index`, with its own scopes.
    pub(crate) fn own(index: u32) -> Self {
        Visible {
            index,
            listed: false,
            scope: VisibleScope::Own,
        }
    }

    fn into_owned(self) -> Visible<'static> {
        Visible {
            index: self.index,
            listed: false,
            scope: match self.scope {
                VisibleScope::Own => VisibleScope::Own,
                VisibleScope::Restricted { scope, call_scope } => VisibleScope::Restricted {
                    scope: scope.into_owned(),
                    call_scope: call_scope.map(ToolScope::into_owned),
                },
            },
        }
    }
}

/// The servers a request may see, in registry order, and the tools it may use on each.
///
/// Listing and calling are answered from one decision: a tool is in
/// [`Resolution::filter_tools`] exactly when [`Resolution::is_tool_allowed`] allows a call
/// to it. (Under LiteLLM 1.106 a call may be allowed for a tool the listing hides; see the
/// crate docs.)
///
/// As [`ServerRegistry::resolve_allowed_servers`] returns it, it borrows the registry and
/// the request's permissions. [`Resolution::into_owned`] turns it into a
/// `Resolution<'static>`, which shares the registry (a clone of the handle) and owns its
/// tool names, for a gateway to keep per session, move into a task, or cache. Both are
/// `Clone + Send + Sync`.
///
/// It serializes as the scenario format's output (`servers`, each with `server_id` and
/// `tools`, and `requested`), plus `semantics`, and, when some server's calls are decided
/// by another scope than its listing (LiteLLM 1.106), `call_tools`: server id to that
/// scope. A decision log is one `serde_json::to_string`.
///
/// ```
/// use mcp_authz::{McpServer, ObjectPermission, Request, Resolution, ServerRegistry, ToolScope};
///
/// fn resolve(registry: &ServerRegistry, key_json: &str) -> Result<Resolution<'static>, Box<dyn std::error::Error>> {
///     let key = ObjectPermission::from_json(key_json)?;
///     Ok(registry.resolve_allowed_servers(&Request::new().key(&key)).into_owned())
/// }
///
/// let registry = ServerRegistry::new([McpServer::new("srv-a").with_alias("gh"), McpServer::new("srv-b")])?;
/// let resolution = resolve(&registry, r#"{"mcp_tool_permissions": {"gh": ["create_issue"]}}"#)?;
/// let worker = std::thread::spawn(move || resolution.is_tool_allowed("gh", "create_issue"));
/// assert!(worker.join().unwrap());
///
/// let resolution = resolve(&registry, r#"{"mcp_servers": ["srv-b"]}"#)?;
/// assert!(matches!(resolution.tool_scope("srv-b"), Some(ToolScope::All)));
/// assert_eq!(
///     serde_json::to_string(&resolution)?,
///     r#"{"servers":[{"server_id":"srv-b","tools":{"allow":"*"}}],"requested":"not_requested","semantics":"default"}"#
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Resolution<'a> {
    registry: Cow<'a, ServerRegistry>,
    semantics: Semantics,
    visible: Vec<Visible<'a>>,
    requested: RequestedOutcome,
}

/// One visible server and its tool scope: a `Copy` handle a gateway can keep while it
/// serves the server (a routed call, a `tools/list`), so that each decision is the scope
/// test alone, with no lookup of the server.
///
/// ```
/// use mcp_authz::{McpServer, ObjectPermission, Request, ServerRegistry};
///
/// let registry = ServerRegistry::new([McpServer::new("srv-a").with_alias("gh")])?;
/// let key = ObjectPermission::new().with_tool_permission("gh", ["create_issue", "list_repos"]);
/// let resolution = registry.resolve_allowed_servers(&Request::new().key(&key));
/// let gh = resolution.visible_server("gh").unwrap();
/// assert_eq!(gh.server().id().as_str(), "srv-a");
/// assert!(gh.is_tool_allowed("create_issue"));
/// assert!(!gh.is_tool_allowed("delete_repo"));
/// assert!(resolution.visible_server("jira").is_none());
/// # Ok::<(), mcp_authz::RegistryError>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct VisibleServer<'r> {
    server: &'r McpServer,
    scope: &'r ToolScope<'r>,
    call_scope: &'r ToolScope<'r>,
}

impl<'r> VisibleServer<'r> {
    /// The server.
    #[must_use]
    pub fn server(&self) -> &'r McpServer {
        self.server
    }

    /// Which tools of it may be listed (and, under the default semantics, called).
    #[must_use]
    pub fn tools(&self) -> &'r ToolScope<'r> {
        self.scope
    }

    /// Whether a call to bare tool `tool` on this server may run: what
    /// [`Resolution::is_tool_allowed`] answers for it.
    #[must_use]
    #[inline]
    pub fn is_tool_allowed(&self, tool: &str) -> bool {
        decide(self.call_scope, tool).is_allowed()
    }
}

/// The answer to "may this call run?", with the reason.
///
/// ```
/// use mcp_authz::{CallDecision, McpServer, ObjectPermission, Request, ServerRegistry};
///
/// let registry = ServerRegistry::new([McpServer::new("srv-a"), McpServer::new("srv-b")])?;
/// let key = ObjectPermission::new().with_tool_permission("srv-a", ["read"]);
/// let resolution = registry.resolve_allowed_servers(&Request::new().key(&key));
/// assert_eq!(resolution.decide_call("srv-a", "read"), CallDecision::Allowed);
/// assert_eq!(resolution.decide_call("srv-a", "write"), CallDecision::ToolNotAllowed);
/// assert_eq!(resolution.decide_call("srv-b", "read").code(), "server_not_visible");
/// assert_eq!(resolution.decide_call("srv-x", "read").to_string(), "no server has this id, alias or name");
/// # Ok::<(), mcp_authz::RegistryError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CallDecision {
    /// The server is visible and the tool is in its scope.
    Allowed,
    /// The server reference matches no registry server.
    UnknownServer,
    /// The server reference matches several registry servers (a shared alias or name).
    AmbiguousServer,
    /// The server exists but the caller may not see it.
    ServerNotVisible,
    /// The server is visible but the tool is not in its scope.
    ToolNotAllowed,
    /// The tool name is empty.
    EmptyToolName,
    /// A prefixed name starts with no visible server's prefix.
    UnknownPrefix,
    /// A prefixed name's longest matching prefix belongs to several visible servers.
    AmbiguousPrefix,
    /// A `tools/call` request's params have no string `name`.
    InvalidParams,
}

impl CallDecision {
    /// Whether the call may run.
    #[must_use]
    pub fn is_allowed(self) -> bool {
        self == Self::Allowed
    }

    /// A stable snake-case code (`allowed`, `server_not_visible`, ...).
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Self::Allowed => "allowed",
            Self::UnknownServer => "unknown_server",
            Self::AmbiguousServer => "ambiguous_server",
            Self::ServerNotVisible => "server_not_visible",
            Self::ToolNotAllowed => "tool_not_allowed",
            Self::EmptyToolName => "empty_tool_name",
            Self::UnknownPrefix => "unknown_prefix",
            Self::AmbiguousPrefix => "ambiguous_prefix",
            Self::InvalidParams => "invalid_params",
        }
    }
}

impl fmt::Display for CallDecision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Allowed => "allowed",
            Self::UnknownServer => "no server has this id, alias or name",
            Self::AmbiguousServer => "several servers have this alias or name",
            Self::ServerNotVisible => "the server is not visible to this caller",
            Self::ToolNotAllowed => "the tool is not allowed on this server",
            Self::EmptyToolName => "the tool name is empty",
            Self::UnknownPrefix => "the name starts with no visible server's prefix",
            Self::AmbiguousPrefix => "the name's prefix belongs to several visible servers",
            Self::InvalidParams => "the call's params have no string `name`",
        })
    }
}

/// Why a prefixed tool name maps to no server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum RouteError {
    /// No visible server's prefix (followed by the separator) starts the name.
    #[error("the name starts with no visible server's prefix")]
    UnknownPrefix,
    /// The longest matching prefix belongs to several visible servers.
    #[error("the name's prefix belongs to several visible servers")]
    AmbiguousPrefix,
}

impl From<RouteError> for CallDecision {
    fn from(error: RouteError) -> Self {
        match error {
            RouteError::UnknownPrefix => Self::UnknownPrefix,
            RouteError::AmbiguousPrefix => Self::AmbiguousPrefix,
        }
    }
}

/// Where a prefixed name routes, with the prefix that decided it.
pub(crate) enum Routed<'n> {
    To {
        index: u32,
        prefix: &'n str,
        tool: &'n str,
    },
    Ambiguous {
        prefix: &'n str,
    },
    Unknown,
}

/// A prefixed tool name mapped back to its server and bare tool name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoutedCall<'r, 'n> {
    /// The visible server the name's prefix names.
    pub server: &'r McpServer,
    /// The tool name without the prefix and separator.
    pub tool: &'n str,
}

impl<'a> Resolution<'a> {
    pub(crate) fn new(
        registry: &'a ServerRegistry,
        semantics: Semantics,
        visible: Vec<Visible<'a>>,
        requested: RequestedOutcome,
    ) -> Self {
        Self {
            registry: Cow::Borrowed(registry),
            semantics,
            visible,
            requested,
        }
    }

    /// This resolution, owning its tool names and sharing the registry (a clone of the
    /// [`ServerRegistry`] handle, which costs a reference count): it can outlive the
    /// request's permissions and the registry it was borrowed from. The cost is one copy
    /// of each tool set the levels' lists made; a server's own lists are shared, not
    /// copied.
    #[must_use]
    pub fn into_owned(self) -> Resolution<'static> {
        Resolution {
            registry: Cow::Owned(self.registry.into_owned()),
            semantics: self.semantics,
            visible: self.visible.into_iter().map(Visible::into_owned).collect(),
            requested: self.requested,
        }
    }

    /// The visible servers in registry order, each with its tool scope.
    ///
    /// ```
    /// use mcp_authz::{McpServer, ObjectPermission, Request, ServerRegistry};
    ///
    /// let registry = ServerRegistry::new([McpServer::new("srv-a"), McpServer::new("srv-b")])?;
    /// let key = ObjectPermission::new().with_servers(["srv-b"]);
    /// let resolution = registry.resolve_allowed_servers(&Request::new().key(&key));
    /// let ids: Vec<&str> = resolution.servers().map(|v| v.server().id().as_str()).collect();
    /// assert_eq!(ids, ["srv-b"]);
    /// # Ok::<(), mcp_authz::RegistryError>(())
    /// ```
    #[must_use = "iterators are lazy"]
    pub fn servers(&self) -> impl ExactSizeIterator<Item = VisibleServer<'_>> + '_ {
        self.visible.iter().map(|v| self.handle(v))
    }

    fn handle<'s>(&'s self, v: &'s Visible<'a>) -> VisibleServer<'s> {
        VisibleServer {
            server: &self.registry.entry(v.index).server,
            scope: self.list_scope(v),
            call_scope: self.call_scope_of(v),
        }
    }

    /// The visible server a reference (id, alias or name) names, as a handle that decides
    /// calls to it without looking it up again; `None` when the reference names no server,
    /// several, or one the caller may not see.
    #[must_use]
    pub fn visible_server(&self, server: &str) -> Option<VisibleServer<'_>> {
        self.visible_ref(server).ok().map(|v| self.handle(v))
    }

    /// The scope a visible server's tools are listed by.
    fn list_scope<'s>(&'s self, v: &'s Visible<'a>) -> &'s ToolScope<'a> {
        match &v.scope {
            VisibleScope::Own => &self.registry.entry(v.index).own.list,
            VisibleScope::Restricted { scope, .. } => scope,
        }
    }

    /// The scope calls to a visible server are decided by, where it differs from its
    /// listing.
    fn differing_call_scope<'s>(&'s self, v: &'s Visible<'a>) -> Option<&'s ToolScope<'a>> {
        match &v.scope {
            VisibleScope::Own => {
                let entry = self.registry.entry(v.index);
                entry
                    .own
                    .call(entry, self.semantics.rules())
                    .map(|s| -> &ToolScope<'a> { s })
            }
            VisibleScope::Restricted { call_scope, .. } => call_scope.as_ref(),
        }
    }

    /// The scope calls to a visible server are decided by.
    fn call_scope_of<'s>(&'s self, v: &'s Visible<'a>) -> &'s ToolScope<'a> {
        self.differing_call_scope(v)
            .unwrap_or_else(|| self.list_scope(v))
    }

    /// The number of visible servers.
    #[must_use]
    pub fn len(&self) -> usize {
        self.visible.len()
    }

    /// Whether no server is visible.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.visible.is_empty()
    }

    /// What requested names did (and whether the `no-mcp-servers` sentinel blocked all).
    #[must_use]
    pub fn requested(&self) -> RequestedOutcome {
        self.requested
    }

    /// Whether names were requested and none picked a visible server.
    #[must_use]
    pub fn requested_matched_nothing(&self) -> bool {
        self.requested == RequestedOutcome::MatchedNothing
    }

    /// The semantics this resolution was made under.
    #[must_use]
    pub fn semantics(&self) -> Semantics {
        self.semantics
    }

    /// The registry it was resolved against.
    #[must_use]
    pub fn registry(&self) -> &ServerRegistry {
        &self.registry
    }

    pub(crate) fn is_visible_index(&self, index: u32) -> bool {
        self.visible_at(index).is_some()
    }

    /// Whether a filtered `tools/list` of server `index` shows `tool`.
    pub(crate) fn is_listed_at(&self, index: u32, tool: &str) -> bool {
        !tool.is_empty()
            && self
                .visible_at(index)
                .is_some_and(|v| self.list_scope(v).allows(tool))
    }

    fn visible_at(&self, index: u32) -> Option<&Visible<'a>> {
        self.visible
            .binary_search_by_key(&index, |v| v.index)
            .ok()
            .and_then(|at| self.visible.get(at))
    }

    /// Resolves a server reference (id, alias or name) to exactly one registry server.
    pub(crate) fn reference(&self, server: &str) -> Result<u32, CallDecision> {
        match self
            .registry
            .lookup(server, self.semantics.rules().id_match())
        {
            [] => Err(CallDecision::UnknownServer),
            [one] => Ok(*one),
            _ => Err(CallDecision::AmbiguousServer),
        }
    }

    fn visible_ref(&self, server: &str) -> Result<&Visible<'a>, CallDecision> {
        let index = self.reference(server)?;
        self.visible_at(index).ok_or(CallDecision::ServerNotVisible)
    }

    /// The registry position of the visible server a reference names.
    pub(crate) fn visible_index(&self, server: &str) -> Option<u32> {
        self.visible_ref(server).ok().map(|v| v.index)
    }

    /// Decides a call to bare tool `tool` on registry server `index`.
    pub(crate) fn decide_at(&self, index: u32, tool: &str) -> CallDecision {
        self.visible_at(index)
            .map_or(CallDecision::ServerNotVisible, |v| {
                decide(self.call_scope_of(v), tool)
            })
    }

    /// Whether the server a reference names (it must name exactly one) is visible.
    #[must_use]
    pub fn is_visible(&self, server: &str) -> bool {
        self.visible_ref(server).is_ok()
    }

    /// The tool scope of the visible server a reference names.
    #[must_use]
    pub fn tool_scope(&self, server: &str) -> Option<&ToolScope<'a>> {
        self.visible_ref(server).ok().map(|v| self.list_scope(v))
    }

    /// The tool scope calls to the visible server a reference names are decided by. It is
    /// [`Resolution::tool_scope`], except under LiteLLM 1.106, where it can allow more (a
    /// call ignores `disallowed_tools` under a non-empty `allowed_tools`).
    #[must_use]
    pub fn call_scope(&self, server: &str) -> Option<&ToolScope<'a>> {
        self.visible_ref(server).ok().map(|v| self.call_scope_of(v))
    }

    /// Decides a call to bare tool `tool` on the server a reference names.
    #[must_use]
    pub fn decide_call(&self, server: &str, tool: &str) -> CallDecision {
        match self.reference(server) {
            Ok(index) => self.decide_at(index, tool),
            Err(denied) => denied,
        }
    }

    /// Whether a call to bare tool `tool` on the server a reference names may run.
    #[must_use]
    pub fn is_tool_allowed(&self, server: &str, tool: &str) -> bool {
        self.decide_call(server, tool).is_allowed()
    }

    /// The offered tools of the server a reference names that the caller may list, in
    /// the offered order; nothing for a server that is not visible.
    ///
    /// ```
    /// use mcp_authz::{McpServer, ObjectPermission, Request, ServerRegistry};
    ///
    /// let registry = ServerRegistry::new([McpServer::new("srv-a").with_disallowed_tools(["drop"])])?;
    /// let key = ObjectPermission::new().with_servers(["srv-a"]);
    /// let resolution = registry.resolve_allowed_servers(&Request::new().key(&key));
    /// let offered = ["query", "drop", "explain"];
    /// let listed: Vec<&&str> = resolution.filter_tools("srv-a", &offered).collect();
    /// assert_eq!(listed, [&"query", &"explain"]);
    /// assert_eq!(resolution.filter_tools("srv-b", &offered).count(), 0);
    /// # Ok::<(), mcp_authz::RegistryError>(())
    /// ```
    #[must_use = "iterators are lazy"]
    pub fn filter_tools<'o, T: AsRef<str>>(
        &self,
        server: &str,
        offered: &'o [T],
    ) -> impl Iterator<Item = &'o T> {
        let lists = self.lists(server);
        offered.iter().filter(move |tool| lists(tool.as_ref()))
    }

    /// Whether a filtered `tools/list` of the server a reference names shows a tool:
    /// the scope looked up once, for a listing's many names.
    pub(crate) fn lists(&self, server: &str) -> impl Fn(&str) -> bool + '_ {
        let scope = self.tool_scope(server).map(ScopeFilter::new);
        move |tool| !tool.is_empty() && scope.is_some_and(|s| s.allows(tool))
    }

    /// Maps a prefixed tool name (`{prefix}-{tool}`, LiteLLM's naming) back to a visible
    /// server and the bare tool, by the longest prefix among the visible servers' aliases,
    /// names and ids (spaces spelled `_`, compared exactly): [`Resolution::route_with`]
    /// and [`ToolNaming::LITELLM`].
    ///
    /// Prefixes are compared as a gateway shows them, so case and spelling count: a UUID
    /// id written in upper case routes nothing, though the same id in any spelling names
    /// its server as a reference. Which spellings route can depend on what else the
    /// caller sees (`gh-enterprise-x` routes to a visible `gh-enterprise`, else to tool
    /// `enterprise-x` of `gh`); [`Routing::ShownPrefix`](crate::Routing::ShownPrefix)
    /// accepts only the prefix a listing shows.
    ///
    /// ```
    /// use mcp_authz::{McpServer, ObjectPermission, Request, RouteError, ServerRegistry};
    ///
    /// let registry = ServerRegistry::new([
    ///     McpServer::new("srv-a").with_alias("gh"),
    ///     McpServer::new("srv-b").with_alias("gh-enterprise"),
    /// ])?;
    /// let key = ObjectPermission::new().with_servers(["srv-a", "srv-b"]);
    /// let resolution = registry.resolve_allowed_servers(&Request::new().key(&key));
    /// let call = resolution.route("gh-enterprise-create_issue").unwrap();
    /// assert_eq!((call.server.id().as_str(), call.tool), ("srv-b", "create_issue"));
    /// assert_eq!(resolution.route("jira-search"), Err(RouteError::UnknownPrefix));
    /// # Ok::<(), mcp_authz::RegistryError>(())
    /// ```
    ///
    /// # Errors
    /// [`RouteError::UnknownPrefix`] when no visible server's prefix matches,
    /// [`RouteError::AmbiguousPrefix`] when the longest match belongs to several.
    pub fn route<'n>(&self, name: &'n str) -> Result<RoutedCall<'_, 'n>, RouteError> {
        self.route_with(name, &ToolNaming::LITELLM)
    }

    /// [`Resolution::route`] under another naming: another separator, or
    /// [`Routing::ShownPrefix`](crate::Routing::ShownPrefix), which accepts only the
    /// prefix the gateway shows.
    ///
    /// # Errors
    /// As [`Resolution::route`].
    pub fn route_with<'n>(
        &self,
        name: &'n str,
        naming: &ToolNaming,
    ) -> Result<RoutedCall<'_, 'n>, RouteError> {
        let (index, tool) = self.split(name, naming)?;
        Ok(RoutedCall {
            server: &self.registry.entry(index).server,
            tool,
        })
    }

    fn split<'n>(&self, name: &'n str, naming: &ToolNaming) -> Result<(u32, &'n str), RouteError> {
        match self.route_detail(name, naming) {
            Routed::To { index, tool, .. } => Ok((index, tool)),
            Routed::Ambiguous { .. } => Err(RouteError::AmbiguousPrefix),
            Routed::Unknown => Err(RouteError::UnknownPrefix),
        }
    }

    /// SPEC 4, prefix routing: the longest prefix among the visible servers' spellings
    /// that `naming` accepts.
    pub(crate) fn route_detail<'n>(&self, name: &'n str, naming: &ToolNaming) -> Routed<'n> {
        let separator = naming.separator();
        let routing = naming.routing();
        if separator.is_empty() {
            return Routed::Unknown;
        }
        // Longest prefix first: try every separator position from the right. Never split
        // at the first separator: ids are UUIDs that contain `-`.
        for at in separators_from_right(name, separator) {
            // Only a prefix as long as some spelling can match. Skipping the others before
            // hashing them keeps a long name with many separators (client input) linear in
            // its length, not quadratic.
            if !self.registry.has_prefix_length(at, routing) {
                continue;
            }
            let (Some(prefix), Some(tool)) = (name.get(..at), name.get(at + separator.len()..))
            else {
                continue;
            };
            let mut found = self
                .registry
                .lookup_prefix(prefix, routing)
                .iter()
                .filter(|&&i| self.visible_at(i).is_some());
            if let Some(&index) = found.next() {
                if found.next().is_some() {
                    return Routed::Ambiguous { prefix };
                }
                return Routed::To {
                    index,
                    prefix,
                    tool,
                };
            }
        }
        Routed::Unknown
    }

    /// Decides a call by its prefixed name (`{prefix}-{tool}`): routed as
    /// [`Resolution::route`], then decided as [`Resolution::decide_call`] decides it. This
    /// is the call test: under LiteLLM 1.106 it can allow a tool that a filtered listing
    /// hides ([`Resolution::call_scope`]).
    ///
    /// ```
    /// use mcp_authz::{CallDecision, McpServer, ObjectPermission, Request, ServerRegistry};
    ///
    /// let registry = ServerRegistry::new([McpServer::new("srv-a").with_alias("gh")])?;
    /// let key = ObjectPermission::new().with_tool_permission("gh", ["create_issue"]);
    /// let resolution = registry.resolve_allowed_servers(&Request::new().key(&key));
    /// assert_eq!(resolution.decide_prefixed_call("gh-create_issue"), CallDecision::Allowed);
    /// assert_eq!(resolution.decide_prefixed_call("gh-delete_repo"), CallDecision::ToolNotAllowed);
    /// assert_eq!(resolution.decide_prefixed_call("srv-a-create_issue"), CallDecision::Allowed);
    /// # Ok::<(), mcp_authz::RegistryError>(())
    /// ```
    #[must_use]
    pub fn decide_prefixed_call(&self, name: &str) -> CallDecision {
        self.decide_prefixed_call_with(name, &ToolNaming::LITELLM)
    }

    /// [`Resolution::decide_prefixed_call`] under another naming.
    #[must_use]
    pub fn decide_prefixed_call_with(&self, name: &str, naming: &ToolNaming) -> CallDecision {
        self.decide_routed(&self.route_detail(name, naming))
    }

    /// The decision for a call routed as `routed` says (SPEC 4: a name that routes
    /// nowhere, or ambiguously, is denied).
    pub(crate) fn decide_routed(&self, routed: &Routed<'_>) -> CallDecision {
        match *routed {
            Routed::To { index, tool, .. } => self.decide_at(index, tool),
            Routed::Ambiguous { .. } => CallDecision::AmbiguousPrefix,
            Routed::Unknown => CallDecision::UnknownPrefix,
        }
    }
}

fn decide(call_scope: &ToolScope<'_>, tool: &str) -> CallDecision {
    if tool.is_empty() {
        CallDecision::EmptyToolName
    } else if call_scope.allows(tool) {
        CallDecision::Allowed
    } else {
        CallDecision::ToolNotAllowed
    }
}

impl Serialize for Resolution<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq, SerializeStruct};

        struct Servers<'r, 'a>(&'r Resolution<'a>);
        impl Serialize for Servers<'_, '_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut seq = s.serialize_seq(Some(self.0.visible.len()))?;
                for v in &self.0.visible {
                    seq.serialize_element(&ServerOut {
                        server: &self.0.registry.entry(v.index).server,
                        tools: self.0.list_scope(v),
                    })?;
                }
                seq.end()
            }
        }
        struct ServerOut<'r, 'a> {
            server: &'r McpServer,
            tools: &'r ToolScope<'a>,
        }
        impl Serialize for ServerOut<'_, '_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut st = s.serialize_struct("Server", 2)?;
                st.serialize_field("server_id", self.server.id())?;
                st.serialize_field("tools", self.tools)?;
                st.end()
            }
        }
        struct CallTools<'r, 'a>(&'r Resolution<'a>);
        impl Serialize for CallTools<'_, '_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut map = s.serialize_map(None)?;
                for v in &self.0.visible {
                    if let Some(calls) = self.0.differing_call_scope(v) {
                        map.serialize_entry(self.0.registry.entry(v.index).server.id(), calls)?;
                    }
                }
                map.end()
            }
        }

        let differs = self
            .visible
            .iter()
            .any(|v| self.differing_call_scope(v).is_some());
        let mut st = s.serialize_struct("Resolution", 3 + usize::from(differs))?;
        st.serialize_field("servers", &Servers(self))?;
        st.serialize_field("requested", &self.requested)?;
        st.serialize_field("semantics", &self.semantics)?;
        if differs {
            st.serialize_field("call_tools", &CallTools(self))?;
        }
        st.end()
    }
}

impl fmt::Debug for Resolution<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Resolution")
            .field("semantics", &self.semantics)
            .field("requested", &self.requested)
            .field(
                "servers",
                &self
                    .servers()
                    .map(|v| (v.server().id().as_str(), v.tools()))
                    .collect::<Vec<_>>(),
            )
            .finish()
    }
}
