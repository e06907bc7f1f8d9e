//! Why a server is visible or not, and why a tool is allowed or not: the reasons an
//! [`Explanation`](crate::Explanation) gives, each with a stable code and a sentence.

use std::fmt;

use serde::Serialize;

use crate::compile::{Source, ToolPart};
use crate::level::Level;
use crate::permission::{ALL_PROXY_MCP_SERVERS, NO_MCP_SERVERS, ObjectPermission, WILDCARD};
use crate::registry::ServerRegistry;

/// One step of an explanation: a rule that granted, kept, removed, allowed or denied.
///
/// Each variant has a stable snake-case code ([`Reason::code`]) and a human sentence (its
/// `Display`). Paths name the exact place in a permission, as LiteLLM stores it:
/// `key.mcp_servers[2]`, `team.mcp_access_groups[0]`, `team.mcp_tool_permissions["gh"]`;
/// requested names are `requested[0]`. Serialized, a reason is an object with its `code`
/// and its fields (`{"code": "granted_by_server_entry", "level": "key", "path":
/// "key.mcp_servers[0]", "reference": "gh"}`); in an explanation's JSON each also carries
/// its `message`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Reason {
    /// An `mcp_servers` entry of a level names the server.
    GrantedByServerEntry {
        /// The level.
        level: Level,
        /// The entry, e.g. `key.mcp_servers[2]`.
        path: String,
        /// The reference written there.
        reference: String,
    },
    /// An access group a level names contains the server.
    GrantedByAccessGroup {
        /// The level.
        level: Level,
        /// The entry, e.g. `team.mcp_access_groups[0]`.
        path: String,
        /// The group.
        group: String,
    },
    /// A level's `mcp_tool_permissions` names the server, and tool permissions grant
    /// servers (the fix for LiteLLM #21954).
    GrantedByToolPermission {
        /// The level.
        level: Level,
        /// The entry, e.g. `key.mcp_tool_permissions["gh"]`.
        path: String,
    },
    /// A toolset a level names lists a tool of the server: a toolset grants its servers.
    GrantedByToolset {
        /// The level.
        level: Level,
        /// The entry, e.g. `key.mcp_toolsets[1]`.
        path: String,
        /// The toolset's id.
        toolset: String,
        /// The first of its tools on this server.
        tool: String,
    },
    /// The team's `mcp_servers` holds `all-proxy-mcpservers`: the team grants every server.
    GrantedByAllProxy {
        /// The entry, e.g. `team.mcp_servers[0]`.
        path: String,
    },
    /// A granting level declares no servers, so it inherits what the granting levels above
    /// it grant.
    Inherited {
        /// The level that inherits.
        level: Level,
    },
    /// The server has `allow_all_keys`: every caller sees it, and no level removes it.
    AllowAllKeys,
    /// The caller has the proxy-admin view and the key does not set `mcp_servers`: every
    /// server is visible and the levels are skipped.
    AdminView,
    /// The caller has the admin view, but the key sets `mcp_servers` (`[]` counts as set),
    /// so the levels decide.
    AdminViewKeySetsServers,
    /// LiteLLM 1.110: the caller has the admin view, but the key is on a team, so the levels
    /// decide.
    AdminViewKeyOnTeam,
    /// LiteLLM: the caller has the admin view, but the key's owner (the user level)
    /// restricts, so the levels decide.
    AdminViewUserRestricts,
    /// A level's `mcp_tool_permissions` names the server but does not grant it, because
    /// `tool_permissions_grant_servers` is off: the entry only restricts tools.
    ToolPermissionDoesNotGrant {
        /// The level.
        level: Level,
        /// The entry.
        path: String,
    },
    /// The key's `mcp_servers` holds `no-mcp-servers`: the caller sees no server at all.
    NoMcpServers {
        /// The entry, e.g. `key.mcp_servers[0]`.
        path: String,
    },
    /// The level declares servers, and none of its entries grants this one.
    NotGranted {
        /// The level.
        level: Level,
    },
    /// A more specific level grants the server, but this granting level declares servers
    /// and does not: it is a ceiling, so the grant is dropped.
    OutsideCeiling {
        /// The ceiling.
        level: Level,
    },
    /// No granting level (organization, team, key) declares any server.
    NothingDeclared,
    /// A `require_*_mcp_access_defined` setting is on and the level declares no servers.
    MustDeclare {
        /// The key or the end user.
        level: Level,
    },
    /// A narrowing level (user, end user, agent) declares servers and does not grant this
    /// one: it narrows what the granting levels grant.
    Narrowed {
        /// The level.
        level: Level,
    },
    /// LiteLLM: nothing before the organization restricted, so the organization's grant
    /// became the result.
    OrganizationReplaced,
    /// LiteLLM: a level's `mcp_toolsets` entry names no toolset, or one with no tools: only
    /// `allow_all_keys` servers stay visible, and no tool is allowed on any server.
    ToolsetDenies {
        /// The level.
        level: Level,
        /// The entry, e.g. `team.mcp_toolsets[0]`.
        path: String,
        /// The toolset id written there.
        toolset: String,
    },
    /// A requested name is the server's id, alias or server name.
    RequestedByName {
        /// The name's place, e.g. `requested[0]`.
        path: String,
        /// The name.
        name: String,
    },
    /// A requested name is an access group that contains the server.
    RequestedByGroup {
        /// The name's place.
        path: String,
        /// The name.
        name: String,
    },
    /// Names were requested and none of them picks the server (names never grant; a
    /// request whose names pick nothing gets no server).
    NotRequested,
    /// A reference matches no registry server (or a group has no member): it grants
    /// nothing, and it still makes its level declare.
    UnmatchedReference {
        /// The level.
        level: Level,
        /// The entry.
        path: String,
        /// The reference or group written there.
        reference: String,
    },
    /// A call's server reference matches no registry server.
    UnknownServer {
        /// The reference.
        reference: String,
    },
    /// A call's server reference matches several registry servers (a shared alias or
    /// name), so the call is denied.
    AmbiguousServer {
        /// The reference.
        reference: String,
    },
    /// The server the call names is not visible to the caller.
    ServerNotVisible,
    /// The tool name is empty.
    EmptyToolName,
    /// A prefixed tool name starts with no visible server's prefix.
    UnknownPrefix {
        /// The prefixed name.
        name: String,
    },
    /// A prefixed tool name's longest matching prefix belongs to several visible servers.
    AmbiguousPrefix {
        /// The prefixed name.
        name: String,
        /// The prefix.
        prefix: String,
    },
    /// A prefixed tool name was mapped to its server by this prefix.
    RoutedByPrefix {
        /// The prefix.
        prefix: String,
        /// The bare tool name after it.
        tool: String,
    },
    /// The server's own `allowed_tools` lists the tool.
    ServerAllowlistIncludes,
    /// The server's own `allowed_tools` does not list the tool.
    ServerAllowlistExcludes,
    /// The server's own `disallowed_tools` lists the tool; the denylist always wins.
    ServerDenylistDenies,
    /// LiteLLM semantics: the server's `disallowed_tools` lists the tool, but a call is
    /// decided without it because `allowed_tools` is non-empty; listing still hides it.
    DenylistIgnoredOnCall,
    /// A level's tool list for the server lists the tool.
    ToolListIncludes {
        /// The level.
        level: Level,
        /// The entry.
        path: String,
    },
    /// A level's tool list for the server does not list the tool.
    ToolListExcludes {
        /// The level.
        level: Level,
        /// The entry.
        path: String,
    },
    /// A level's tool list for the server is `[]`: no tool is allowed.
    ToolListEmpty {
        /// The level.
        level: Level,
        /// The entry.
        path: String,
    },
    /// A level's tool list for the server holds `"*"`: it does not restrict.
    ToolListWildcard {
        /// The level.
        level: Level,
        /// The entry.
        path: String,
    },
    /// LiteLLM semantics: the team's tool list for the server is `[]`, which counts as no
    /// list.
    TeamEmptyListIgnored {
        /// The entry.
        path: String,
    },
    /// LiteLLM semantics: the key's tool list for the server is `[]`, which is ignored
    /// under the team's non-empty list.
    KeyEmptyListIgnored {
        /// The entry.
        path: String,
    },
    /// Neither the server's own lists nor any level's tool list restrict its tools.
    NoToolRestriction,
    /// LiteLLM: a level's `mcp_toolsets` entry names no toolset, or one with no tools, so no
    /// tool is allowed on any server.
    ToolsDeniedByToolset {
        /// The level.
        level: Level,
        /// The entry.
        path: String,
    },
}

impl Reason {
    /// The stable snake-case code (`granted_by_access_group`, `outside_team`, ...).
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::GrantedByServerEntry { .. } => "granted_by_server_entry",
            Self::GrantedByAccessGroup { .. } => "granted_by_access_group",
            Self::GrantedByToolPermission { .. } => "granted_by_tool_permission",
            Self::GrantedByToolset { .. } => "granted_by_toolset",
            Self::GrantedByAllProxy { .. } => "granted_by_all_proxy",
            Self::Inherited { .. } => "inherited",
            Self::AllowAllKeys => "allow_all_keys",
            Self::AdminView => "admin_view",
            Self::AdminViewKeySetsServers => "admin_view_key_sets_servers",
            Self::AdminViewKeyOnTeam => "admin_view_key_on_team",
            Self::AdminViewUserRestricts => "admin_view_user_restricts",
            Self::ToolPermissionDoesNotGrant { .. } => "tool_permission_does_not_grant",
            Self::NoMcpServers { .. } => "no_mcp_servers",
            Self::NotGranted { .. } => "not_granted",
            Self::OutsideCeiling { .. } => "outside_ceiling",
            Self::NothingDeclared => "nothing_declared",
            Self::MustDeclare { .. } => "must_declare",
            Self::Narrowed { .. } => "narrowed",
            Self::OrganizationReplaced => "organization_replaced",
            Self::ToolsetDenies { .. } => "toolset_denies",
            Self::RequestedByName { .. } => "requested_by_name",
            Self::RequestedByGroup { .. } => "requested_by_group",
            Self::NotRequested => "not_requested",
            Self::UnmatchedReference { .. } => "unmatched_reference",
            Self::UnknownServer { .. } => "unknown_server",
            Self::AmbiguousServer { .. } => "ambiguous_server",
            Self::ServerNotVisible => "server_not_visible",
            Self::EmptyToolName => "empty_tool_name",
            Self::UnknownPrefix { .. } => "unknown_prefix",
            Self::AmbiguousPrefix { .. } => "ambiguous_prefix",
            Self::RoutedByPrefix { .. } => "routed_by_prefix",
            Self::ServerAllowlistIncludes => "server_allowlist_includes",
            Self::ServerAllowlistExcludes => "server_allowlist_excludes",
            Self::ServerDenylistDenies => "server_denylist_denies",
            Self::DenylistIgnoredOnCall => "denylist_ignored_on_call",
            Self::ToolListIncludes { .. } => "tool_list_includes",
            Self::ToolListExcludes { .. } => "tool_list_excludes",
            Self::ToolListEmpty { .. } => "tool_list_empty",
            Self::ToolListWildcard { .. } => "tool_list_wildcard",
            Self::TeamEmptyListIgnored { .. } => "team_empty_list_ignored",
            Self::KeyEmptyListIgnored { .. } => "key_empty_list_ignored",
            Self::NoToolRestriction => "no_tool_restriction",
            Self::ToolsDeniedByToolset { .. } => "tools_denied_by_toolset",
        }
    }
}

impl fmt::Display for Reason {
    #[allow(clippy::too_many_lines)] // one sentence per variant
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::GrantedByServerEntry {
                path, reference, ..
            } => write!(f, "{path} (`{reference}`) grants it"),
            Self::GrantedByAccessGroup { path, group, .. } => {
                write!(f, "{path} names access group `{group}`, which contains it")
            }
            Self::GrantedByToolPermission { path, .. } => write!(
                f,
                "{path} grants it: tool permissions grant their servers (the fix for LiteLLM \
                 #21954)"
            ),
            Self::GrantedByAllProxy { path } => write!(
                f,
                "{path} is `{ALL_PROXY_MCP_SERVERS}`: the team grants every server"
            ),
            Self::GrantedByToolset {
                path,
                toolset,
                tool,
                ..
            } => write!(
                f,
                "{path} (toolset `{toolset}`) grants it: the toolset lists its tool `{tool}`"
            ),
            Self::Inherited { level } => write!(
                f,
                "the {} declares no servers, so it inherits what the levels above it grant",
                level.noun()
            ),
            Self::AllowAllKeys => {
                f.write_str("the server has `allow_all_keys`: every caller sees it")
            }
            Self::AdminView => f.write_str(
                "the caller has the admin view and key.mcp_servers is not set: every server \
                 is visible",
            ),
            Self::AdminViewKeySetsServers => f.write_str(
                "the caller has the admin view, but key.mcp_servers is set, so the levels decide",
            ),
            Self::AdminViewKeyOnTeam => f.write_str(
                "LiteLLM 1.110: the caller has the admin view, but the key is on a team, so the \
                 levels decide",
            ),
            Self::AdminViewUserRestricts => f.write_str(
                "LiteLLM: the caller has the admin view, but the key's owner restricts servers, \
                 so the levels decide",
            ),
            Self::ToolPermissionDoesNotGrant { path, .. } => write!(
                f,
                "{path} names it but does not grant it: tool_permissions_grant_servers is off"
            ),
            Self::NoMcpServers { path } => write!(
                f,
                "{path} is `{NO_MCP_SERVERS}`: the caller sees no server at all"
            ),
            Self::NotGranted { level } => write!(
                f,
                "the {} declares servers and none of its entries grants this one",
                level.noun()
            ),
            Self::OutsideCeiling { level } => write!(
                f,
                "a more specific level grants it but the {} does not: the {} is a ceiling, so \
                 the grant is dropped",
                level.noun(),
                level.noun()
            ),
            Self::NothingDeclared => {
                f.write_str("no granting level (organization, team, key) declares servers")
            }
            Self::MustDeclare { level } => write!(
                f,
                "require_{}_mcp_access_defined is on and the {} declares no servers",
                level.as_str(),
                level.noun()
            ),
            Self::Narrowed { level } => write!(
                f,
                "the {} declares servers and does not grant this one",
                level.noun()
            ),
            Self::OrganizationReplaced => f.write_str(
                "LiteLLM: nothing before the organization restricted, so its grant became the \
                 result",
            ),
            Self::ToolsetDenies { path, toolset, .. } => write!(
                f,
                "LiteLLM: {path} (`{toolset}`) names no toolset with tools: only allow_all_keys \
                 servers stay visible"
            ),
            Self::RequestedByName { path, name } => {
                write!(f, "{path} (`{name}`) names it")
            }
            Self::RequestedByGroup { path, name } => {
                write!(
                    f,
                    "{path} (`{name}`) names an access group that contains it"
                )
            }
            Self::NotRequested => f.write_str("names were requested and none picks it"),
            Self::UnmatchedReference {
                path, reference, ..
            } => write!(f, "{path} (`{reference}`) matches no server"),
            Self::UnknownServer { reference } => {
                write!(f, "no server has the id, alias or name `{reference}`")
            }
            Self::AmbiguousServer { reference } => {
                write!(f, "several servers have the alias or name `{reference}`")
            }
            Self::ServerNotVisible => f.write_str("the server is not visible to this caller"),
            Self::EmptyToolName => f.write_str("the tool name is empty"),
            Self::UnknownPrefix { name } => {
                write!(f, "`{name}` starts with no visible server's prefix")
            }
            Self::AmbiguousPrefix { name, prefix } => write!(
                f,
                "the prefix `{prefix}` of `{name}` belongs to several visible servers"
            ),
            Self::RoutedByPrefix { prefix, tool } => {
                write!(
                    f,
                    "the prefix `{prefix}` names the server; the tool is `{tool}`"
                )
            }
            Self::ServerAllowlistIncludes => f.write_str("the server's allowed_tools lists it"),
            Self::ServerAllowlistExcludes => {
                f.write_str("the server's allowed_tools does not list it")
            }
            Self::ServerDenylistDenies => {
                f.write_str("the server's disallowed_tools lists it (the denylist always wins)")
            }
            Self::DenylistIgnoredOnCall => f.write_str(
                "LiteLLM semantics: a call ignores disallowed_tools under a non-empty \
                 allowed_tools (listing still hides it)",
            ),
            Self::ToolListIncludes { path, .. } => write!(f, "{path} lists it"),
            Self::ToolListExcludes { path, .. } => write!(f, "{path} does not list it"),
            Self::ToolListEmpty { path, .. } => write!(f, "{path} is `[]`: no tool is allowed"),
            Self::ToolListWildcard { path, .. } => {
                write!(f, "{path} holds `\"{WILDCARD}\"`: it does not restrict")
            }
            Self::TeamEmptyListIgnored { path } => write!(
                f,
                "LiteLLM semantics: {path} is `[]`, which counts as no list"
            ),
            Self::KeyEmptyListIgnored { path } => write!(
                f,
                "LiteLLM semantics: {path} is `[]`, which is ignored under the team's list"
            ),
            Self::NoToolRestriction => {
                f.write_str("no server list and no tool list restricts its tools")
            }
            Self::ToolsDeniedByToolset { path, .. } => write!(
                f,
                "LiteLLM: {path} names no toolset with tools, so no tool is allowed"
            ),
        }
    }
}

/// `{level}.mcp_servers[{i}]`.
pub(crate) fn servers_path(level: Level, index: usize) -> String {
    format!("{}.mcp_servers[{index}]", level.as_str())
}

/// `{level}.mcp_access_groups[{i}]`.
pub(crate) fn groups_path(level: Level, index: usize) -> String {
    format!("{}.mcp_access_groups[{index}]", level.as_str())
}

/// `{level}.mcp_tool_permissions["{reference}"]`, the reference quoted as JSON.
pub(crate) fn tools_path(level: Level, reference: &str) -> String {
    format!(
        "{}.mcp_tool_permissions[{}]",
        level.as_str(),
        quote(reference)
    )
}

/// `{level}.mcp_toolsets[{i}]`.
pub(crate) fn toolsets_path(level: Level, index: usize) -> String {
    format!("{}.mcp_toolsets[{index}]", level.as_str())
}

/// The path of `source` in `level`'s permission, and what is written there.
pub(crate) fn source_path(
    level: Level,
    permission: &ObjectPermission,
    source: Source,
) -> (String, String) {
    let at = |list: &[String], i: u32| list.get(i as usize).cloned().unwrap_or_default();
    match source {
        Source::Server(i) | Source::AllProxy(i) => {
            (servers_path(level, i as usize), at(permission.servers(), i))
        }
        Source::Group(i) => (groups_path(level, i as usize), at(permission.groups(), i)),
        Source::ToolPermission(i) => {
            let reference = permission
                .tool_entry(i as usize)
                .map(|(r, _)| r.clone())
                .unwrap_or_default();
            (tools_path(level, &reference), reference)
        }
        Source::Toolset { at: i, .. } => (
            toolsets_path(level, i as usize),
            at(permission.toolsets(), i),
        ),
    }
}

/// The path of one part of a level's tool list.
pub(crate) fn part_path(level: Level, permission: &ObjectPermission, part: ToolPart) -> String {
    let source = match part {
        ToolPart::Entry(at) => Source::ToolPermission(at),
        ToolPart::Toolset { at, .. } => Source::Toolset {
            at,
            toolset: None,
            entry: None,
        },
    };
    source_path(level, permission, source).0
}

/// The reason an entry that grants `source` gives.
pub(crate) fn grant_reason(
    level: Level,
    permission: &ObjectPermission,
    registry: &ServerRegistry,
    source: Source,
) -> Reason {
    let (path, written) = source_path(level, permission, source);
    match source {
        Source::Server(_) => Reason::GrantedByServerEntry {
            level,
            path,
            reference: written,
        },
        Source::Group(_) => Reason::GrantedByAccessGroup {
            level,
            path,
            group: written,
        },
        Source::ToolPermission(_) => Reason::GrantedByToolPermission { level, path },
        Source::AllProxy(_) => Reason::GrantedByAllProxy { path },
        Source::Toolset { toolset, entry, .. } => Reason::GrantedByToolset {
            level,
            path,
            toolset: written,
            tool: toolset
                .and_then(|t| registry.toolset(t))
                .zip(entry)
                .and_then(|(t, e)| t.toolset.tools().get(e as usize))
                .map(|t| t.tool_name().to_owned())
                .unwrap_or_default(),
        },
    }
}

/// A string as a JSON string literal.
pub(crate) fn quote(s: &str) -> String {
    serde_json::Value::from(s).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_name_the_exact_entry() {
        assert_eq!(servers_path(Level::Key, 2), "key.mcp_servers[2]");
        assert_eq!(
            groups_path(Level::EndUser, 0),
            "end_user.mcp_access_groups[0]"
        );
        assert_eq!(
            tools_path(Level::Team, "g\"h"),
            r#"team.mcp_tool_permissions["g\"h"]"#
        );
    }

    #[test]
    fn codes_match_the_serialized_tag() {
        let reasons = [
            Reason::GrantedByToolPermission {
                level: Level::Key,
                path: tools_path(Level::Key, "gh"),
            },
            Reason::OutsideCeiling { level: Level::Team },
            Reason::ToolListEmpty {
                level: Level::Team,
                path: tools_path(Level::Team, "gh"),
            },
        ];
        for reason in reasons {
            let json = serde_json::to_value(&reason).unwrap();
            assert_eq!(json["code"], reason.code());
        }
        assert_eq!(
            Reason::GrantedByToolPermission {
                level: Level::Team,
                path: tools_path(Level::Team, "gh"),
            }
            .to_string(),
            "team.mcp_tool_permissions[\"gh\"] grants it: tool permissions grant their servers \
             (the fix for LiteLLM #21954)"
        );
    }
}
