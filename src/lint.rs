//! The linter: grants that cannot do what they say, and hazards for the next edit.
//!
//! Permission diagnostics are here; registry diagnostics are in `lint_registry.rs`.

use std::fmt;

use crate::diagnostic::{Diagnostic, LintCode, named};
use crate::groups::AccessGroups;
use crate::permission::ObjectPermission;
use crate::reason::{groups_path, quote, servers_path, tools_path};
use crate::registry::ServerRegistry;
use crate::request::{Semantics, Settings};
use crate::resolve::{ALL_PROXY_MCP_SERVERS, Level, NO_MCP_SERVERS};
use crate::scope::WILDCARD;

/// Checks permissions (and the registry) against a registry.
///
/// Made by [`ServerRegistry::linter`]; the settings, semantics and access-group lookup
/// should be the ones requests are resolved with, since they change what a permission
/// grants.
///
/// ```
/// use mcp_authz::{Level, LintCode, McpServer, ObjectPermission, ServerRegistry};
///
/// let registry = ServerRegistry::new([McpServer::new("srv-a").with_alias("gh")])?;
/// let key = ObjectPermission::new()
///     .with_servers(["deleted-id"])
///     .with_tool_permission("gh", ["create_issue"]);
/// let diagnostics = registry.linter().permission(Level::Key, &key, None);
/// let codes: Vec<LintCode> = diagnostics.iter().map(|d| d.code()).collect();
/// assert_eq!(
///     codes,
///     [LintCode::UnknownReference, LintCode::GrantedOnlyByToolPermissions]
/// );
/// assert_eq!(diagnostics[1].path(), r#"key.mcp_tool_permissions["gh"]"#);
/// # Ok::<(), mcp_authz::RegistryError>(())
/// ```
#[derive(Clone, Copy)]
pub struct Linter<'a> {
    pub(crate) registry: &'a ServerRegistry,
    settings: Settings,
    semantics: Semantics,
    groups: Option<&'a dyn AccessGroups>,
}

impl fmt::Debug for Linter<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Linter")
            .field("settings", &self.settings)
            .field("semantics", &self.semantics)
            .field("custom_access_groups", &self.groups.is_some())
            .finish_non_exhaustive()
    }
}

impl ServerRegistry {
    /// A linter for this registry, with default settings and semantics and the
    /// registry's own access groups.
    #[must_use]
    pub fn linter(&self) -> Linter<'_> {
        Linter {
            registry: self,
            settings: Settings::default(),
            semantics: Semantics::Default,
            groups: None,
        }
    }
}

/// What a permission grants, entry by entry: (server, path of the entry).
struct Grants {
    /// Whether the permission declares servers without its tool permissions.
    declares: bool,
    all: bool,
    direct: Vec<(u32, String)>,
    by_tools: Vec<(u32, String)>,
}

impl Grants {
    fn contains(&self, index: u32) -> bool {
        self.all
            || self.direct.iter().any(|&(i, _)| i == index)
            || self.by_tools.iter().any(|&(i, _)| i == index)
    }
}

impl<'a> Linter<'a> {
    /// Lints with these settings.
    #[must_use]
    pub fn settings(mut self, settings: Settings) -> Self {
        self.settings = settings;
        self
    }

    /// Lints under these semantics (they decide whether UUID ids match other spellings).
    #[must_use]
    pub fn semantics(mut self, semantics: Semantics) -> Self {
        self.semantics = semantics;
        self
    }

    /// Reads access-group membership from `groups` instead of the servers' own.
    #[must_use]
    pub fn access_groups(mut self, groups: &'a dyn AccessGroups) -> Self {
        self.groups = Some(groups);
        self
    }

    fn uuids(&self) -> bool {
        self.semantics == Semantics::Default
    }

    fn lookup(&self, reference: &str) -> &'a [u32] {
        self.registry.lookup(reference, self.uuids())
    }

    fn group_members(&self, group: &str) -> Vec<u32> {
        self.registry
            .group_members(self.groups, self.uuids(), group)
    }

    fn id(&self, index: u32) -> String {
        named(&self.registry.entry(index).server)
    }

    fn ids(&self, indices: &[u32]) -> String {
        indices
            .iter()
            .map(|&i| self.id(i))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn grants(&self, level: Level, permission: &ObjectPermission) -> Grants {
        let mut grants = Grants {
            declares: permission.declares(false),
            all: false,
            direct: Vec::new(),
            by_tools: Vec::new(),
        };
        for (at, reference) in permission.servers().iter().enumerate() {
            if level == Level::Team && reference == ALL_PROXY_MCP_SERVERS {
                grants.all = true;
            }
            for &i in self.lookup(reference) {
                grants.direct.push((i, servers_path(level, at)));
            }
        }
        for (at, group) in permission.groups().iter().enumerate() {
            for i in self.group_members(group) {
                grants.direct.push((i, groups_path(level, at)));
            }
        }
        if self.settings.tool_permissions_grant_servers {
            for (reference, _) in permission.tool_entries() {
                for &i in self.lookup(reference) {
                    grants.by_tools.push((i, tools_path(level, reference)));
                }
            }
        }
        grants
    }

    /// Diagnostics for the permission of `level`. For a key, pass its team's permission
    /// (if it has a team) to check the key's grants against the team's ceiling.
    #[must_use]
    pub fn permission(
        &self,
        level: Level,
        permission: &ObjectPermission,
        team: Option<&ObjectPermission>,
    ) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        let grants = self.grants(level, permission);
        let team = team.filter(|_| level == Level::Key);
        let team_declares =
            team.is_some_and(|t| t.declares(self.settings.tool_permissions_grant_servers));
        let team_grants = team.map(|t| self.grants(Level::Team, t));
        let resolves_to_nothing =
            !grants.all && grants.direct.is_empty() && grants.by_tools.is_empty();
        let stale_note = if level == Level::Key && team_declares && resolves_to_nothing {
            "; the key declares servers but resolves to none, so it no longer inherits its \
             team's servers: it sees only allow_all_keys servers"
        } else {
            ""
        };

        self.server_entries(level, permission, stale_note, &mut out);
        for (at, group) in permission.groups().iter().enumerate() {
            if self.group_members(group).is_empty() {
                out.push(Diagnostic::new(
                    LintCode::EmptyAccessGroup,
                    groups_path(level, at),
                    format!(
                        "access group `{group}` has no member server: it grants nothing{stale_note}"
                    ),
                ));
            }
        }
        for (reference, tools) in permission.tool_entries() {
            let path = tools_path(level, reference);
            let found = self.lookup(reference);
            match found {
                [] => out.push(Diagnostic::new(
                    LintCode::UnknownReference,
                    path.clone(),
                    format!(
                        "`{reference}` matches no server: the entry grants and restricts \
                         nothing{stale_note}"
                    ),
                )),
                [_] => {}
                many => out.push(Diagnostic::new(
                    LintCode::AmbiguousReference,
                    path.clone(),
                    format!(
                        "`{reference}` matches {} servers ({}): the tool list applies to all \
                         of them",
                        many.len(),
                        self.ids(many)
                    ),
                )),
            }
            for &index in found {
                self.tool_entry_grant(level, &grants, team_grants.as_ref(), index, &path, &mut out);
            }
            self.tool_list(level, &path, tools, found, &mut out);
        }
        if let Some(team_grants) = team_grants.filter(|_| team_declares) {
            self.outside_team(&grants, &team_grants, &mut out);
        }
        out
    }

    fn server_entries(
        &self,
        level: Level,
        permission: &ObjectPermission,
        stale_note: &str,
        out: &mut Vec<Diagnostic>,
    ) {
        let servers = permission.servers();
        for (at, reference) in servers.iter().enumerate() {
            let path = servers_path(level, at);
            let sentinel = match level {
                Level::Key => reference == NO_MCP_SERVERS,
                Level::Team => reference == ALL_PROXY_MCP_SERVERS,
                Level::EndUser => false,
            };
            if sentinel {
                let others = servers.len() > 1
                    || !permission.groups().is_empty()
                    || (level == Level::Team
                        && self.settings.tool_permissions_grant_servers
                        && permission.tool_entries().next().is_some());
                if others {
                    let effect = if level == Level::Key {
                        "the key sees no server at all"
                    } else {
                        "the team grants every server"
                    };
                    out.push(Diagnostic::new(
                        LintCode::SentinelWithEntries,
                        path,
                        format!(
                            "`{reference}` shares the permission with other server entries, \
                             which have no effect: {effect}"
                        ),
                    ));
                }
                continue;
            }
            match self.lookup(reference) {
                [] => {
                    let why = if reference == NO_MCP_SERVERS || reference == ALL_PROXY_MCP_SERVERS {
                        format!(
                            "`{reference}` is a sentinel only in a {} permission; here it \
                             matches no server",
                            if reference == NO_MCP_SERVERS {
                                "key"
                            } else {
                                "team"
                            }
                        )
                    } else {
                        format!("`{reference}` matches no server (a deleted server's id?)")
                    };
                    out.push(Diagnostic::new(
                        LintCode::UnknownReference,
                        path,
                        format!("{why}: it grants nothing{stale_note}"),
                    ));
                }
                [_] => {}
                many => out.push(Diagnostic::new(
                    LintCode::AmbiguousReference,
                    path,
                    format!(
                        "`{reference}` matches {} servers ({}): it grants all of them, and a \
                         call that names its server `{reference}` is denied",
                        many.len(),
                        self.ids(many)
                    ),
                )),
            }
        }
    }

    /// Whether an `mcp_tool_permissions` entry is the only grant of server `index` (the
    /// #33397 hazard), or, when tool permissions do not grant, restricts a server the
    /// caller cannot see.
    fn tool_entry_grant(
        &self,
        level: Level,
        grants: &Grants,
        team: Option<&Grants>,
        index: u32,
        path: &str,
        out: &mut Vec<Diagnostic>,
    ) {
        let directly = grants.all || grants.direct.iter().any(|&(i, _)| i == index);
        if directly {
            return;
        }
        let server = self.id(index);
        if self.settings.tool_permissions_grant_servers {
            out.push(Diagnostic::new(
                LintCode::GrantedOnlyByToolPermissions,
                path.to_owned(),
                format!(
                    "server {server} is granted only through this entry: removing it from \
                     mcp_servers will not revoke it while this entry stays (LiteLLM #33397)"
                ),
            ));
            return;
        }
        if level == Level::EndUser || self.registry.entry(index).server.is_allow_all_keys() {
            return;
        }
        // A level that declares no servers only restricts tools: a team's lists then apply
        // to whatever its keys declare, and a key inherits its team's servers.
        if !grants.declares {
            match level {
                Level::Team => return,
                Level::Key if team.is_some_and(|t| t.contains(index)) => return,
                _ => {}
            }
        }
        out.push(Diagnostic::new(
            LintCode::ToolPermissionDoesNotGrant,
            path.to_owned(),
            format!(
                "tool_permissions_grant_servers is off and nothing else grants server \
                 {server}: this entry restricts tools of a server the caller cannot see"
            ),
        ));
    }

    fn tool_list(
        &self,
        level: Level,
        path: &str,
        tools: &[String],
        servers: &[u32],
        out: &mut Vec<Diagnostic>,
    ) {
        if tools.is_empty() {
            let litellm = if level == Level::Team {
                " (under LiteLLM semantics a team's `[]` counts as no list)"
            } else {
                ""
            };
            out.push(Diagnostic::new(
                LintCode::EmptyToolList,
                path.to_owned(),
                format!(
                    "`[]` allows no tool: the server stays visible and every call to it is \
                     denied{litellm}"
                ),
            ));
            return;
        }
        let has_wildcard = tools.iter().any(|t| t == WILDCARD);
        if has_wildcard && tools.iter().any(|t| t != WILDCARD) {
            out.push(Diagnostic::new(
                LintCode::WildcardWithNames,
                path.to_owned(),
                format!(
                    "the list holds {} and names: it does not restrict, so the names do \
                     nothing",
                    quote(WILDCARD)
                ),
            ));
            return;
        }
        for (at, tool) in tools.iter().enumerate() {
            if tool == WILDCARD {
                continue;
            }
            for &index in servers {
                let entry = self.registry.entry(index);
                let why = if entry.deny.contains(tool) {
                    "its disallowed_tools lists it"
                } else if entry.allow.as_ref().is_some_and(|a| !a.contains(tool)) {
                    "its allowed_tools does not list it"
                } else {
                    continue;
                };
                out.push(Diagnostic::new(
                    LintCode::UnusableTool,
                    format!("{path}[{at}]"),
                    format!(
                        "tool `{tool}` can never be used on server {}: {why}",
                        self.id(index)
                    ),
                ));
            }
        }
    }

    fn outside_team(&self, key: &Grants, team: &Grants, out: &mut Vec<Diagnostic>) {
        if team.all {
            return;
        }
        let mut seen: Vec<u32> = Vec::new();
        for (index, path) in key.direct.iter().chain(&key.by_tools) {
            if team.contains(*index)
                || seen.contains(index)
                || self.registry.entry(*index).server.is_allow_all_keys()
            {
                continue;
            }
            seen.push(*index);
            out.push(Diagnostic::new(
                LintCode::OutsideTeam,
                path.clone(),
                format!(
                    "grants server {}, which the key's team does not grant: the team is the \
                     key's ceiling, so this grant is dropped",
                    self.id(*index)
                ),
            ));
        }
    }
}

#[cfg(test)]
#[path = "lint_tests.rs"]
mod tests;
