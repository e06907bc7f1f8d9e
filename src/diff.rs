//! Diffs of two resolutions: servers gained and lost, tools gained and lost per server.
//!
//! A tool scope is a set of tool names that may be infinite: `All` (every tool),
//! `AllExcept(D)` (every tool but D) or `Only(S)`. Tools gained are `after \ before` and
//! tools lost are `before \ after`, computed on these sets without knowing which tools a
//! server offers, so each is itself a scope: `All \ Only(S)` is `AllExcept(S)` ("every
//! tool but S was gained"), `AllExcept(D) \ AllExcept(E)` is `Only(E \ D)`, and so on. A
//! server that is not visible has no tools, so a gained server gains its whole scope and
//! a lost one loses it.

use std::fmt;

use serde::Serialize;
use serde::ser::{SerializeStruct, Serializer};

use crate::resolution::Resolution;
use crate::server::McpServer;
use crate::tools::{ToolScope, ToolSet};

/// A set of tools gained or lost; a [`ToolScope`] read as a set of tool names.
///
/// Displays as `none`, `all tools`, `all tools except a, b` or `a, b`; serializes as its
/// scope does, in the scenario format's shape: `{"allow": []}` (none),
/// `{"allow": ["a", "b"]}`, `{"allow": "*"}` or `{"allow": "*", "deny": ["a", "b"]}`, so
/// that a diff's `tools_gained` reads like its `before` and `after`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolDelta(ToolScope<'static>);

impl ToolDelta {
    /// The tools, as a scope.
    #[must_use]
    pub fn as_scope(&self) -> &ToolScope<'static> {
        &self.0
    }

    /// Whether no tool is in it.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.allows_no_tool()
    }

    fn none() -> Self {
        Self(ToolScope::Only(ToolSet::from_sorted(Vec::new())))
    }
}

impl fmt::Display for ToolDelta {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let join = |set: &ToolSet<'_>| set.iter().collect::<Vec<_>>().join(", ");
        match &self.0 {
            ToolScope::All => f.write_str("all tools"),
            ToolScope::AllExcept(set) => write!(f, "all tools except {}", join(set)),
            ToolScope::Only(set) if set.is_empty() => f.write_str("none"),
            ToolScope::Only(set) => f.write_str(&join(set)),
        }
    }
}

impl Serialize for ToolDelta {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

/// The sorted names of `a` that are (`keep == true`) or are not in `b`.
fn filter<'r>(a: &'r ToolSet<'_>, b: &ToolSet<'_>, keep: bool) -> ToolSet<'r> {
    ToolSet::from_sorted(a.iter().filter(|t| b.contains(t) == keep).collect())
}

fn union<'r>(a: &'r ToolSet<'_>, b: &'r ToolSet<'_>) -> ToolSet<'r> {
    let mut all: Vec<&'r str> = a.iter().chain(b.iter()).collect();
    all.sort_unstable();
    all.dedup();
    ToolSet::from_sorted(all)
}

/// `x \ y` on tool scopes read as sets of names.
fn minus<'r>(x: &'r ToolScope<'_>, y: &'r ToolScope<'_>) -> ToolScope<'r> {
    let empty = || ToolScope::Only(ToolSet::from_sorted(Vec::new()));
    match (x, y) {
        (_, ToolScope::All) => empty(),
        (ToolScope::All, ToolScope::AllExcept(e)) => ToolScope::Only(e.clone()),
        (ToolScope::All, ToolScope::Only(b)) => ToolScope::AllExcept(b.clone()),
        (ToolScope::AllExcept(d), ToolScope::AllExcept(e)) => ToolScope::Only(filter(e, d, false)),
        (ToolScope::AllExcept(d), ToolScope::Only(b)) => ToolScope::AllExcept(union(d, b)),
        (ToolScope::Only(a), ToolScope::AllExcept(e)) => ToolScope::Only(filter(a, e, true)),
        (ToolScope::Only(a), ToolScope::Only(b)) => ToolScope::Only(filter(a, b, false)),
    }
}

/// What happened to a server between two resolutions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ServerChange {
    /// Not visible before, visible after.
    Gained,
    /// Visible before, not visible after.
    Lost,
    /// Visible in both, with other tools.
    ToolsChanged,
}

/// Tools gained and lost on one server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ToolChange {
    gained: ToolDelta,
    lost: ToolDelta,
}

impl ToolChange {
    fn between(before: Option<&ToolScope<'_>>, after: Option<&ToolScope<'_>>) -> Self {
        let side =
            |scope: Option<&ToolScope<'_>>, other: Option<&ToolScope<'_>>| match (scope, other) {
                (None, _) => ToolDelta::none(),
                (Some(s), None) => ToolDelta(s.clone().into_owned()),
                (Some(s), Some(o)) => ToolDelta(minus(s, o).into_owned()),
            };
        Self {
            gained: side(after, before),
            lost: side(before, after),
        }
    }

    /// Tools allowed after and not before.
    #[must_use]
    pub fn gained(&self) -> &ToolDelta {
        &self.gained
    }

    /// Tools allowed before and not after.
    #[must_use]
    pub fn lost(&self) -> &ToolDelta {
        &self.lost
    }

    /// Whether nothing was gained or lost.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.gained.is_empty() && self.lost.is_empty()
    }
}

/// How one server differs between two resolutions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerDiff {
    server: McpServer,
    change: ServerChange,
    before: Option<ToolScope<'static>>,
    after: Option<ToolScope<'static>>,
    listed: ToolChange,
    callable: ToolChange,
}

impl ServerDiff {
    /// The server (from the later resolution's registry when it has it).
    #[must_use]
    pub fn server(&self) -> &McpServer {
        &self.server
    }

    /// Gained, lost, or visible in both with other tools.
    #[must_use]
    pub fn change(&self) -> ServerChange {
        self.change
    }

    /// The listing scope before (`None`: not visible).
    #[must_use]
    pub fn before(&self) -> Option<&ToolScope<'static>> {
        self.before.as_ref()
    }

    /// The listing scope after (`None`: not visible).
    #[must_use]
    pub fn after(&self) -> Option<&ToolScope<'static>> {
        self.after.as_ref()
    }

    /// Tools gained and lost in listings.
    #[must_use]
    pub fn listed(&self) -> &ToolChange {
        &self.listed
    }

    /// Tools gained and lost for calls. Equal to [`ServerDiff::listed`] unless a side
    /// uses LiteLLM 1.106 ([`Semantics::LiteLlm`](crate::Semantics::LiteLlm)), where a
    /// call can be allowed for a tool the listing hides.
    #[must_use]
    pub fn callable(&self) -> &ToolChange {
        &self.callable
    }
}

/// Serializes as `{"server_id", "change", "before", "after", "tools_gained",
/// "tools_lost"}`, plus `calls_gained` and `calls_lost` when calls changed otherwise than
/// listings.
impl Serialize for ServerDiff {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let calls_differ = self.callable != self.listed;
        let mut st = s.serialize_struct("ServerDiff", if calls_differ { 8 } else { 6 })?;
        st.serialize_field("server_id", self.server.id())?;
        st.serialize_field("change", &self.change)?;
        st.serialize_field("before", &self.before)?;
        st.serialize_field("after", &self.after)?;
        st.serialize_field("tools_gained", &self.listed.gained)?;
        st.serialize_field("tools_lost", &self.listed.lost)?;
        if calls_differ {
            st.serialize_field("calls_gained", &self.callable.gained)?;
            st.serialize_field("calls_lost", &self.callable.lost)?;
        }
        st.end()
    }
}

/// The differences between two resolutions: before and after an edit of a permission or
/// the registry, or under two settings or semantics.
///
/// Servers are matched by exact `server_id`. Only servers that changed are listed: in
/// the later resolution's registry order, then servers only the earlier registry has.
///
/// ```
/// use mcp_authz::{McpServer, ObjectPermission, Request, ResolutionDiff, ServerRegistry, Settings};
///
/// let registry = ServerRegistry::new([McpServer::new("srv-a").with_alias("gh")])?;
/// let key = ObjectPermission::new()
///     .with_servers(Vec::<String>::new())
///     .with_tool_permission("gh", ["create_issue"]);
/// let legacy = Settings::default().with_tool_permissions_grant_servers(false);
/// let before = registry.resolve_allowed_servers(&Request::new().key(&key).settings(legacy));
/// let after = registry.resolve_allowed_servers(&Request::new().key(&key));
///
/// let diff = ResolutionDiff::new(&before, &after);
/// let change = &diff.servers()[0];
/// assert_eq!(change.server().id().as_str(), "srv-a");
/// assert_eq!(change.listed().gained().to_string(), "create_issue");
/// # Ok::<(), mcp_authz::RegistryError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct ResolutionDiff {
    servers: Vec<ServerDiff>,
}

impl ResolutionDiff {
    /// Compares `before` with `after`. The diff owns what it reports (the changed servers
    /// and tool sets are copied), so it outlives both.
    #[must_use]
    pub fn new(before: &Resolution<'_>, after: &Resolution<'_>) -> Self {
        let mut servers = Vec::new();
        let later = after.registry().servers();
        let only_earlier = before.registry().servers().filter(|s| {
            after
                .registry()
                .get(s.id().as_str())
                .is_none_or(|o| o.id() != s.id())
        });
        for server in later.chain(only_earlier) {
            let id = server.id().as_str();
            let list_before = listing(before, id);
            let list_after = listing(after, id);
            let call_before = calls(before, id);
            let call_after = calls(after, id);
            let change = match (list_before.is_some(), list_after.is_some()) {
                (false, true) => ServerChange::Gained,
                (true, false) => ServerChange::Lost,
                (true, true) if list_before != list_after || call_before != call_after => {
                    ServerChange::ToolsChanged
                }
                _ => continue,
            };
            servers.push(ServerDiff {
                server: server.clone(),
                change,
                listed: ToolChange::between(list_before, list_after),
                callable: ToolChange::between(call_before, call_after),
                before: list_before.map(|s| s.clone().into_owned()),
                after: list_after.map(|s| s.clone().into_owned()),
            });
        }
        Self { servers }
    }

    /// The servers that changed.
    #[must_use]
    pub fn servers(&self) -> &[ServerDiff] {
        &self.servers
    }

    /// Whether the two resolutions answer alike.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.servers.is_empty()
    }

    /// The servers visible only after.
    #[must_use = "iterators are lazy"]
    pub fn gained(&self) -> impl Iterator<Item = &McpServer> + '_ {
        self.with(ServerChange::Gained)
    }

    /// The servers visible only before.
    #[must_use = "iterators are lazy"]
    pub fn lost(&self) -> impl Iterator<Item = &McpServer> + '_ {
        self.with(ServerChange::Lost)
    }

    fn with(&self, change: ServerChange) -> impl Iterator<Item = &McpServer> + '_ {
        self.servers
            .iter()
            .filter(move |s| s.change == change)
            .map(|s| &s.server)
    }
}

/// The listing scope of the server with exactly this id, when visible.
fn listing<'r>(resolution: &'r Resolution<'_>, id: &str) -> Option<&'r ToolScope<'r>> {
    resolution
        .servers()
        .find(|v| v.server().id().as_str() == id)
        .map(|v| v.tools())
}

fn calls<'r>(resolution: &'r Resolution<'_>, id: &str) -> Option<&'r ToolScope<'r>> {
    listing(resolution, id).and_then(|_| resolution.call_scope(id))
}

#[cfg(test)]
mod tests;
