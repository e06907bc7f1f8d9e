//! Explanations: for every registry server, whether a request sees it and the chain of
//! rules that decided it; for a tool, which list allowed or denied it.
//!
//! An explanation is the resolver's own record. [`ServerRegistry::explain`] runs the
//! resolver with a recording [`Trace`](crate::resolve::trace::Trace) (plain resolution
//! records nothing), takes every verdict from the resolution that run produced, and
//! turns the recorded events into [`Reason`]s. Nothing here decides anything, so an
//! explanation cannot disagree with the decision it explains.

mod tool;

use serde::Serialize;
use serde::ser::{SerializeStruct, Serializer};

pub use tool::ToolExplanation;

use crate::compile::{Compiled, Source};
use crate::level::{Level, PerLevel};
use crate::permission::ObjectPermission;
use crate::reason::{Reason, grant_reason, servers_path, source_path};
use crate::registry::ServerRegistry;
use crate::request::{PermissionRef, Request, Settings};
use crate::resolution::{RequestedOutcome, Resolution};
use crate::resolve::trace::{AdminOff, Event, Record, Removal};
use crate::resolve::{Levels, compile_missing, inputs};
use crate::semantics::{Rules, Semantics};
use crate::server::McpServer;

/// Why a request sees, or does not see, each registry server.
///
/// Made by [`ServerRegistry::explain`]. Its verdicts are those of
/// [`ServerRegistry::resolve_allowed_servers`] for the same request (it holds that
/// resolution: [`Explanation::resolution`]); it also explains tool decisions
/// ([`Explanation::tool`], [`Explanation::prefixed_tool`]).
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
/// assert_eq!(jira.reasons().last(), Some(&Reason::OutsideCeiling { level: Level::Team }));
/// assert_eq!(
///     jira.reasons()[0].to_string(),
///     "key.mcp_servers[1] (`jira`) grants it"
/// );
/// # Ok::<(), mcp_authz::RegistryError>(())
/// ```
#[derive(Debug)]
pub struct Explanation<'a> {
    registry: &'a ServerRegistry,
    pub(crate) resolution: Resolution<'a>,
    /// Every level of the request, compiled (owned, so the explanation needs only `'a`).
    pub(crate) compiled: PerLevel<Option<Compiled>>,
    pub(crate) permissions: PerLevel<Option<&'a ObjectPermission>>,
    servers: Vec<ServerExplanation<'a>>,
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
    /// [`ServerRegistry::resolve_allowed_servers`] (and grows with the registry, since it
    /// covers every server); resolution itself records nothing.
    #[must_use]
    pub fn explain<'a>(&'a self, request: &Request<'a>) -> Explanation<'a> {
        let compiler = request.compiler(self);
        let mut owned = PerLevel::default();
        compile_missing(&compiler, request, true, &mut owned);
        for (level, permission) in request.levels.iter() {
            if let (None, Some(c)) = (&owned[level], permission.and_then(PermissionRef::compiled)) {
                owned[level] = Some(c.compiled.clone());
            }
        }
        let levels = inputs(request, &owned);
        let mut record = Record::default();
        let resolution = self.resolve_levels(&compiler, request, &levels, &mut record);
        let permissions = PerLevel(Level::ALL.map(|l| levels[l].map(|i| i.permission)));
        let rules = compiler.rules();
        let names: Vec<&str> = request
            .requested
            .map(|n| n.iter().collect())
            .unwrap_or_default();
        let servers = explain_servers(
            self,
            &resolution,
            &permissions,
            &record.0,
            &names,
            request.settings,
            rules,
        );
        let unmatched = unmatched(&levels, rules);
        Explanation {
            registry: self,
            resolution,
            compiled: owned,
            permissions,
            servers,
            unmatched,
        }
    }
}

/// The references of every level that name nothing, in fold order.
fn unmatched(levels: &Levels<'_, '_>, rules: Rules) -> Vec<Reason> {
    let mut out = Vec::new();
    for step in rules.server_steps() {
        let Some(input) = levels[step.level()] else {
            continue;
        };
        for &source in &input.compiled.unmatched {
            let (path, reference) = source_path(input.level, input.permission, source);
            out.push(Reason::UnmatchedReference {
                level: input.level,
                path,
                reference,
            });
        }
    }
    out
}

/// Turns the resolver's events into each server's reasons.
fn explain_servers<'a>(
    registry: &'a ServerRegistry,
    resolution: &Resolution<'a>,
    permissions: &PerLevel<Option<&'a ObjectPermission>>,
    events: &[Event],
    names: &[&str],
    settings: Settings,
    rules: Rules,
) -> Vec<ServerExplanation<'a>> {
    let mut servers: Vec<ServerExplanation<'a>> = (0u32..)
        .zip(registry.servers())
        .map(|(index, server)| ServerExplanation {
            server,
            visible: resolution.is_visible_index(index),
            reasons: Vec::new(),
        })
        .collect();
    let every = |servers: &mut Vec<ServerExplanation<'a>>, reason: Reason| {
        for s in servers.iter_mut() {
            s.reasons.push(reason.clone());
        }
    };
    let one = |servers: &mut Vec<ServerExplanation<'a>>, index: u32, reason: Reason| {
        if let Some(s) = servers.get_mut(index as usize) {
            if !s.reasons.contains(&reason) {
                s.reasons.push(reason);
            }
        }
    };
    for &event in events {
        match event {
            Event::Blocked { at } => every(
                &mut servers,
                Reason::NoMcpServers {
                    path: servers_path(Level::Key, at as usize),
                },
            ),
            Event::AdminView => every(&mut servers, Reason::AdminView),
            Event::AdminViewOff(off) => every(
                &mut servers,
                match off {
                    AdminOff::KeySetsServers => Reason::AdminViewKeySetsServers,
                    AdminOff::KeyOnTeam => Reason::AdminViewKeyOnTeam,
                    AdminOff::UserRestricts => Reason::AdminViewUserRestricts,
                },
            ),
            Event::Grant {
                level,
                server,
                source,
            } => {
                let Some(permission) = permissions[level] else {
                    continue;
                };
                let reason = if Compiled::source_grants(source, level, settings, rules) {
                    grant_reason(level, permission, registry, source)
                } else if let Source::ToolPermission(_) = source {
                    Reason::ToolPermissionDoesNotGrant {
                        level,
                        path: source_path(level, permission, source).0,
                    }
                } else {
                    continue;
                };
                if matches!(source, Source::AllProxy(_)) {
                    every(&mut servers, reason);
                } else {
                    one(&mut servers, server, reason);
                }
            }
            Event::Inherits { level } => every(&mut servers, Reason::Inherited { level }),
            Event::Removed { server, removal } => {
                if let Some(reason) = removal_reason(removal, permissions) {
                    one(&mut servers, server, reason);
                }
            }
            Event::Replaced => every(&mut servers, Reason::OrganizationReplaced),
            Event::AllowAllKeys { server } => one(&mut servers, server, Reason::AllowAllKeys),
            Event::Picked { server, at, group } => {
                let name = names
                    .get(at as usize)
                    .copied()
                    .unwrap_or_default()
                    .to_owned();
                let path = format!("requested[{at}]");
                let reason = if group {
                    Reason::RequestedByGroup { path, name }
                } else {
                    Reason::RequestedByName { path, name }
                };
                one(&mut servers, server, reason);
            }
            Event::NotRequested { server } => one(&mut servers, server, Reason::NotRequested),
            Event::ToolListIgnored { .. } => {}
        }
    }
    servers
}

/// The reason a step of the server fold gives for removing a server.
fn removal_reason(
    removal: Removal,
    permissions: &PerLevel<Option<&ObjectPermission>>,
) -> Option<Reason> {
    Some(match removal {
        Removal::NotGranted(level) => Reason::NotGranted { level },
        Removal::ReplacedByOrganization => Reason::NotGranted {
            level: Level::Organization,
        },
        Removal::OutsideCeiling(level) => Reason::OutsideCeiling { level },
        Removal::Narrowed(level) => Reason::Narrowed { level },
        Removal::NothingDeclared => Reason::NothingDeclared,
        Removal::MustDeclare(level) => Reason::MustDeclare { level },
        Removal::ToolsetDenies(level, at) => {
            let source = Source::Toolset {
                at,
                toolset: None,
                entry: None,
            };
            let (path, toolset) = source_path(level, permissions[level]?, source);
            Reason::ToolsetDenies {
                level,
                path,
                toolset,
            }
        }
    })
}

impl<'a> Explanation<'a> {
    /// Every registry server, in registry order, with its verdict and reasons.
    #[must_use]
    pub fn servers(&self) -> &[ServerExplanation<'a>] {
        &self.servers
    }

    /// The explanation of the server a reference names: its id, alias or server name,
    /// matched as [`Resolution::is_visible`] matches it (under the semantics of the
    /// explanation). `None` when the reference names no server, or several (a shared
    /// alias or name: ask by id).
    ///
    /// ```
    /// use mcp_authz::{McpServer, ObjectPermission, Request, ServerRegistry};
    ///
    /// let registry = ServerRegistry::new([McpServer::new("srv-a").with_alias("gh")])?;
    /// let key = ObjectPermission::new().with_servers(["gh"]);
    /// let explanation = registry.explain(&Request::new().key(&key));
    /// assert!(explanation.server("gh").is_some_and(|s| s.is_visible()));
    /// assert!(explanation.server("srv-a").is_some_and(|s| s.is_visible()));
    /// assert!(explanation.server("nope").is_none());
    /// # Ok::<(), mcp_authz::RegistryError>(())
    /// ```
    #[must_use]
    pub fn server(&self, reference: &str) -> Option<&ServerExplanation<'a>> {
        let index = self.resolution.reference(reference).ok()?;
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
        self.resolution.requested()
    }

    /// The references, access groups and toolsets of the request's permissions that
    /// match no server ([`Reason::UnmatchedReference`]), in the order the resolver meets
    /// them.
    #[must_use]
    pub fn unmatched(&self) -> &[Reason] {
        &self.unmatched
    }

    /// The semantics the explanation was made under.
    #[must_use]
    pub fn semantics(&self) -> Semantics {
        self.resolution.semantics()
    }

    /// The resolution whose decisions this explains.
    #[must_use]
    pub fn resolution(&self) -> &Resolution<'a> {
        &self.resolution
    }

    pub(crate) fn registry(&self) -> &'a ServerRegistry {
        self.registry
    }

    /// The request's levels, as the resolver saw them.
    pub(crate) fn levels(&self) -> Levels<'a, '_> {
        let mut out: Levels<'a, '_> = PerLevel::default();
        for level in Level::ALL {
            if let (Some(compiled), Some(permission)) =
                (&self.compiled[level], self.permissions[level])
            {
                out[level] = Some(crate::resolve::LevelInput {
                    level,
                    compiled,
                    permission,
                    memos: &[],
                });
            }
        }
        out
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
        st.serialize_field("requested", &self.requested())?;
        st.serialize_field("servers", &self.servers)?;
        let unmatched: Vec<WithMessage<'_>> = self.unmatched.iter().map(WithMessage::new).collect();
        st.serialize_field("unmatched", &unmatched)?;
        st.end()
    }
}

#[cfg(test)]
mod tests;
