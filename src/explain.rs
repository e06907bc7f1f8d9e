//! Explanations: for every registry server, whether a request sees it and the chain of
//! rules that decided it.
//!
//! The resolver records what each level grants (and which references matched nothing)
//! through its `Trace` hook; resolution proper uses `NoTrace`, so nothing is recorded
//! unless an explanation is asked for. From those facts and the request, the explanation
//! reaches its own verdict for every server by the rules of the crate docs, independently
//! of the resolution's answer; the crate's tests check that the two agree on every vector.

use serde::Serialize;
use serde::ser::{SerializeStruct, Serializer};

use crate::permission::ObjectPermission;
use crate::reason::{Reason, groups_path, position_of, servers_path, tools_path};
use crate::registry::ServerRegistry;
use crate::request::{EndUser, Request, Semantics, Settings};
use crate::resolution::RequestedOutcome;
use crate::resolve::{ALL_PROXY_MCP_SERVERS, Level, NO_MCP_SERVERS, Trace, Via};
use crate::server::McpServer;

/// Records every grant and unmatched reference the resolver reports.
struct Recorder<'a> {
    grants: Vec<(Level, u32, Via<'a>)>,
    unmatched: Vec<(Level, Via<'a>)>,
}

impl<'a> Trace<'a> for Recorder<'a> {
    fn grant(&mut self, level: Level, index: u32, via: Via<'a>) {
        self.grants.push((level, index, via));
    }
    fn unmatched(&mut self, level: Level, via: Via<'a>) {
        self.unmatched.push((level, via));
    }
}

/// Why a request sees, or does not see, each registry server.
///
/// Made by [`ServerRegistry::explain`]. Its verdicts agree with
/// [`ServerRegistry::resolve_allowed_servers`] for the same request; it also explains tool
/// decisions ([`Explanation::tool`], [`Explanation::prefixed_tool`]).
///
/// ```
/// use mcp_authz::{Level, McpServer, ObjectPermission, Reason, Request, ServerRegistry};
///
/// let registry = ServerRegistry::new([
///     McpServer::new("srv-a").with_alias("gh"),
///     McpServer::new("srv-b").with_alias("jira"),
/// ])?;
/// let key = ObjectPermission::new().with_servers(["gh", "jira"]);
/// let team = ObjectPermission::new().with_servers(["srv-a"]);
/// let request = Request::new().key(&key).team(&team);
/// let explanation = registry.explain(&request);
///
/// let jira = explanation.server("srv-b").unwrap();
/// assert!(!jira.is_visible());
/// assert_eq!(jira.reasons().last(), Some(&Reason::OutsideTeam));
/// assert_eq!(
///     jira.reasons()[0].to_string(),
///     "key.mcp_servers[1] (`jira`) grants it"
/// );
/// # Ok::<(), mcp_authz::RegistryError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Explanation<'a> {
    pub(crate) registry: &'a ServerRegistry,
    pub(crate) semantics: Semantics,
    pub(crate) key: Option<&'a ObjectPermission>,
    pub(crate) team: Option<&'a ObjectPermission>,
    pub(crate) end_user: Option<&'a ObjectPermission>,
    servers: Vec<ServerExplanation<'a>>,
    requested: RequestedOutcome,
    unmatched: Vec<Reason>,
}

/// Whether one registry server is visible, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerExplanation<'a> {
    server: &'a McpServer,
    visible: bool,
    reasons: Vec<Reason>,
}

impl<'a> ServerExplanation<'a> {
    /// The server.
    #[must_use]
    pub fn server(&self) -> &'a McpServer {
        self.server
    }

    /// Whether the request sees it.
    #[must_use]
    pub fn is_visible(&self) -> bool {
        self.visible
    }

    /// The rules that decided, in the order they apply: what each level granted, then
    /// what removed or kept the server.
    #[must_use]
    pub fn reasons(&self) -> &[Reason] {
        &self.reasons
    }
}

impl ServerRegistry {
    /// Explains, for every registry server, whether `request` sees it and why.
    ///
    /// This runs the resolver with recording switched on, so it costs more than
    /// [`ServerRegistry::resolve_allowed_servers`]; resolution itself records nothing.
    #[must_use]
    pub fn explain<'a>(&'a self, request: &Request<'a>) -> Explanation<'a> {
        let mut recorder = Recorder {
            grants: Vec::new(),
            unmatched: Vec::new(),
        };
        // The resolution is not consulted: the verdicts below are reached from the
        // recorded facts alone, so the two can be checked against each other.
        let _ = self.resolve_traced(request, &mut recorder);
        Reasoner {
            registry: self,
            request,
            recorder,
        }
        .explain()
    }
}

struct Reasoner<'a, 'q> {
    registry: &'a ServerRegistry,
    request: &'q Request<'a>,
    recorder: Recorder<'a>,
}

fn permission_at<'a>(request: &Request<'a>, level: Level) -> Option<&'a ObjectPermission> {
    match level {
        Level::Key => request.key,
        Level::Team => request.team,
        Level::EndUser => request.end_user.permission(),
    }
}

/// What one level says about one server.
struct LevelFacts {
    declared: bool,
    grants: Vec<Reason>,
}

impl LevelFacts {
    fn grants(&self) -> bool {
        !self.grants.is_empty()
    }
}

impl<'a> Reasoner<'a, '_> {
    fn settings(&self) -> Settings {
        self.request.settings
    }

    fn declared(&self, level: Level) -> bool {
        permission_at(self.request, level)
            .is_some_and(|p| p.declares(self.settings().tool_permissions_grant_servers))
    }

    /// The recorded grants of `level` for server `index`, as reasons.
    fn facts(&self, level: Level, index: u32) -> LevelFacts {
        let permission = permission_at(self.request, level);
        let grants = self
            .recorder
            .grants
            .iter()
            .filter(|&&(l, i, via)| {
                l == level && (i == index || (via == Via::AllProxy && i == u32::MAX))
            })
            .map(|&(_, _, via)| grant_reason(level, permission, via))
            .collect();
        LevelFacts {
            declared: self.declared(level),
            grants,
        }
    }

    fn explain(self) -> Explanation<'a> {
        let request = self.request;
        let registry = self.registry;
        let unmatched = self
            .recorder
            .unmatched
            .iter()
            .map(|&(level, via)| unmatched_reason(level, permission_at(request, level), via))
            .collect();
        let mut servers: Vec<ServerExplanation<'a>> = (0u32..)
            .zip(registry.servers())
            .map(|(index, server)| self.server(index, server))
            .collect();

        let requested = if key_blocks(request.key).is_some() {
            RequestedOutcome::Blocked
        } else if let Some(names) = request.requested {
            let names: Vec<&str> = names.iter().collect();
            self.apply_requested(&names, &mut servers);
            if servers.iter().any(|s| s.visible) {
                RequestedOutcome::Matched
            } else {
                RequestedOutcome::MatchedNothing
            }
        } else {
            RequestedOutcome::NotRequested
        };

        Explanation {
            registry,
            semantics: request.semantics,
            key: request.key,
            team: request.team,
            end_user: request.end_user.permission(),
            servers,
            requested,
            unmatched,
        }
    }

    /// SPEC 3.2 to 3.5 for one server, from the recorded grants.
    fn server(&self, index: u32, server: &'a McpServer) -> ServerExplanation<'a> {
        let request = self.request;
        let mut reasons = Vec::new();
        if let Some(at) = key_blocks(request.key) {
            reasons.push(Reason::NoMcpServers {
                path: servers_path(Level::Key, at),
            });
            return ServerExplanation {
                server,
                visible: false,
                reasons,
            };
        }
        let admin_view = request.admin && request.key.is_none_or(|k| k.mcp_servers().is_none());
        if admin_view {
            reasons.push(Reason::AdminView);
            return ServerExplanation {
                server,
                visible: true,
                reasons,
            };
        }

        let key = self.facts(Level::Key, index);
        let team = self.facts(Level::Team, index);
        let key_grants = key.grants();
        let team_grants = team.grants();
        let (key_declared, team_declared) = (key.declared, team.declared);
        reasons.extend(key.grants);
        reasons.extend(team.grants);
        let mut granted = match (team_declared, key_declared) {
            (true, true) => {
                if !key_grants {
                    reasons.push(Reason::NotGranted { level: Level::Key });
                } else if !team_grants {
                    reasons.push(Reason::OutsideTeam);
                }
                key_grants && team_grants
            }
            (true, false) => {
                if self.settings().require_key_mcp_access_defined {
                    reasons.push(Reason::KeyMustDeclare);
                    false
                } else {
                    reasons.push(Reason::InheritedFromTeam);
                    if !team_grants {
                        reasons.push(Reason::NotGranted { level: Level::Team });
                    }
                    team_grants
                }
            }
            (false, true) => {
                if !key_grants {
                    reasons.push(Reason::NotGranted { level: Level::Key });
                }
                key_grants
            }
            (false, false) => {
                reasons.push(Reason::NothingDeclared);
                false
            }
        };
        if !self.settings().tool_permissions_grant_servers {
            for level in [Level::Key, Level::Team] {
                reasons.extend(self.non_granting_tool_permissions(level, index));
            }
        }

        if let EndUser::Identified(_) = request.end_user {
            let end_user = self.facts(Level::EndUser, index);
            let end_user_grants = end_user.grants();
            reasons.extend(end_user.grants);
            if end_user.declared {
                if !end_user_grants {
                    if granted {
                        reasons.push(Reason::EndUserNarrowed);
                    }
                    granted = false;
                }
            } else if self.settings().require_end_user_mcp_access_defined {
                if granted {
                    reasons.push(Reason::EndUserMustDeclare);
                }
                granted = false;
            }
        }

        if server.is_allow_all_keys() {
            reasons.push(Reason::AllowAllKeys);
            granted = true;
        }
        ServerExplanation {
            server,
            visible: granted,
            reasons,
        }
    }

    /// With `tool_permissions_grant_servers` off: the tool-permission entries of `level`
    /// that name server `index` without granting it.
    fn non_granting_tool_permissions(&self, level: Level, index: u32) -> Vec<Reason> {
        let uuids = self.request.semantics == Semantics::Default;
        permission_at(self.request, level)
            .into_iter()
            .flat_map(ObjectPermission::tool_entries)
            .filter(|(reference, _)| self.registry.lookup(reference, uuids).contains(&index))
            .map(|(reference, _)| Reason::ToolPermissionDoesNotGrant {
                level,
                path: tools_path(level, reference),
            })
            .collect()
    }

    /// SPEC 3.6: keeps the visible servers a requested name picks, and says which.
    fn apply_requested(&self, names: &[&str], servers: &mut [ServerExplanation<'a>]) {
        let registry = self.registry;
        let candidates: Vec<bool> = servers.iter().map(|s| s.visible).collect();
        let is_candidate = |i: u32| candidates.get(i as usize).copied().unwrap_or(false);
        let mut picks: Vec<(u32, Reason)> = Vec::new();
        for (at, &name) in names.iter().enumerate() {
            let path = format!("requested[{at}]");
            let by_name = || Reason::RequestedByName {
                path: path.clone(),
                name: name.to_owned(),
            };
            let by_group = || Reason::RequestedByGroup {
                path: path.clone(),
                name: name.to_owned(),
            };
            let by_names: Vec<u32> = match self.request.semantics {
                Semantics::Default => {
                    let mut v: Vec<u32> = registry.lookup_caseless(name).to_vec();
                    v.extend(registry.id_index(name, true));
                    v.into_iter().filter(|&i| is_candidate(i)).collect()
                }
                // One server per name, the first in registry order.
                Semantics::LiteLlm => registry
                    .lookup_caseless(name)
                    .iter()
                    .copied()
                    .find(|&i| is_candidate(i))
                    .into_iter()
                    .collect(),
            };
            let read_group = self.request.semantics == Semantics::Default || by_names.is_empty();
            picks.extend(by_names.into_iter().map(|i| (i, by_name())));
            if read_group {
                for i in self.group_members(name) {
                    if is_candidate(i) {
                        picks.push((i, by_group()));
                    }
                }
            }
        }
        for (index, server) in (0u32..).zip(servers.iter_mut()) {
            if !server.visible {
                continue;
            }
            let mut picked = false;
            for (_, reason) in picks.iter().filter(|(i, _)| *i == index) {
                if !server.reasons.contains(reason) {
                    server.reasons.push(reason.clone());
                }
                picked = true;
            }
            if !picked {
                server.reasons.push(Reason::NotRequested);
                server.visible = false;
            }
        }
    }

    fn group_members(&self, group: &str) -> Vec<u32> {
        let uuids = self.request.semantics == Semantics::Default;
        self.registry
            .group_members(self.request.groups, uuids, group)
    }
}

/// The position of `no-mcp-servers` in the key's `mcp_servers`, if it is there.
fn key_blocks(key: Option<&ObjectPermission>) -> Option<usize> {
    key.and_then(|k| k.servers().iter().position(|s| s == NO_MCP_SERVERS))
}

fn grant_reason(level: Level, permission: Option<&ObjectPermission>, via: Via<'_>) -> Reason {
    let servers = permission.map_or(&[][..], ObjectPermission::servers);
    let groups = permission.map_or(&[][..], ObjectPermission::groups);
    match via {
        Via::Server(reference) => Reason::GrantedByServerEntry {
            level,
            path: servers_path(level, position_of(servers, reference)),
            reference: reference.to_owned(),
        },
        Via::Group(group) => Reason::GrantedByAccessGroup {
            level,
            path: groups_path(level, position_of(groups, group)),
            group: group.to_owned(),
        },
        Via::ToolPermission(reference) => Reason::GrantedByToolPermission {
            level,
            path: tools_path(level, reference),
        },
        Via::AllProxy => Reason::GrantedByAllProxy {
            path: servers_path(level, position_of(servers, ALL_PROXY_MCP_SERVERS)),
        },
    }
}

fn unmatched_reason(level: Level, permission: Option<&ObjectPermission>, via: Via<'_>) -> Reason {
    let servers = permission.map_or(&[][..], ObjectPermission::servers);
    let groups = permission.map_or(&[][..], ObjectPermission::groups);
    let (path, reference) = match via {
        Via::Server(r) => (servers_path(level, position_of(servers, r)), r),
        Via::Group(g) => (groups_path(level, position_of(groups, g)), g),
        Via::ToolPermission(r) => (tools_path(level, r), r),
        Via::AllProxy => (servers_path(level, 0), ALL_PROXY_MCP_SERVERS),
    };
    Reason::UnmatchedReference {
        level,
        path,
        reference: reference.to_owned(),
    }
}

impl<'a> Explanation<'a> {
    /// Every registry server, in registry order, with its verdict and reasons.
    #[must_use]
    pub fn servers(&self) -> &[ServerExplanation<'a>] {
        &self.servers
    }

    /// The explanation of the server with this exact id (UUID ids in any spelling).
    #[must_use]
    pub fn server(&self, id: &str) -> Option<&ServerExplanation<'a>> {
        let index = self.registry.id_index(id, true)?;
        self.servers.get(index as usize)
    }

    /// The visible servers, in registry order.
    #[must_use = "iterators are lazy"]
    pub fn visible(&self) -> impl Iterator<Item = &'a McpServer> + '_ {
        self.servers.iter().filter(|s| s.visible).map(|s| s.server)
    }

    /// What requested names did (or that `no-mcp-servers` blocked everything).
    #[must_use]
    pub fn requested(&self) -> RequestedOutcome {
        self.requested
    }

    /// The references and access groups of the request's permissions that matched no
    /// server ([`Reason::UnmatchedReference`]), in the order the resolver met them.
    #[must_use]
    pub fn unmatched(&self) -> &[Reason] {
        &self.unmatched
    }

    /// The semantics the explanation was made under.
    #[must_use]
    pub fn semantics(&self) -> Semantics {
        self.semantics
    }

    pub(crate) fn is_visible_index(&self, index: u32) -> bool {
        self.servers.get(index as usize).is_some_and(|s| s.visible)
    }
}

/// A reason with its sentence, for JSON.
#[derive(Serialize)]
pub(crate) struct WithMessage<'r> {
    #[serde(flatten)]
    pub(crate) reason: &'r Reason,
    pub(crate) message: String,
}

impl<'r> WithMessage<'r> {
    pub(crate) fn new(reason: &'r Reason) -> Self {
        Self {
            reason,
            message: reason.to_string(),
        }
    }
}

/// Serializes as `{"server_id", "visible", "reasons": [{"code", ..., "message"}]}`.
impl Serialize for ServerExplanation<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("ServerExplanation", 3)?;
        st.serialize_field("server_id", self.server.id())?;
        st.serialize_field("visible", &self.visible)?;
        let reasons: Vec<WithMessage<'_>> = self.reasons.iter().map(WithMessage::new).collect();
        st.serialize_field("reasons", &reasons)?;
        st.end()
    }
}

/// Serializes as `{"requested", "servers": [...], "unmatched": [...]}`.
impl Serialize for Explanation<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Explanation", 3)?;
        st.serialize_field("requested", &self.requested)?;
        st.serialize_field("servers", &self.servers)?;
        let unmatched: Vec<WithMessage<'_>> = self.unmatched.iter().map(WithMessage::new).collect();
        st.serialize_field("unmatched", &unmatched)?;
        st.end()
    }
}

#[cfg(test)]
#[path = "explain_tests.rs"]
mod tests;
