//! Why a server is visible or not, and why a tool is allowed or not: the reasons an
//! [`Explanation`](crate::Explanation) gives, each with a stable code and a sentence.

use std::fmt;

use serde::Serialize;

use crate::resolve::{ALL_PROXY_MCP_SERVERS, Level, NO_MCP_SERVERS};
use crate::scope::WILDCARD;

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
    /// The team's `mcp_servers` holds `all-proxy-mcpservers`: the team grants every server.
    GrantedByAllProxy {
        /// The entry, e.g. `team.mcp_servers[0]`.
        path: String,
    },
    /// The key declares no servers, so it inherits its team's.
    InheritedFromTeam,
    /// The server has `allow_all_keys`: every caller sees it, and no level removes it.
    AllowAllKeys,
    /// The caller has the proxy-admin view and the key does not set `mcp_servers`: every
    /// server is visible and the levels are skipped.
    AdminView,
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
    /// The key grants the server, but the team declares servers and does not: the team is
    /// the key's ceiling, so the key's grant is dropped.
    OutsideTeam,
    /// Neither the key nor the team declares any server.
    NothingDeclared,
    /// `require_key_mcp_access_defined` is on and the key declares no servers.
    KeyMustDeclare,
    /// The identified end user declares servers and does not grant this one: an end user
    /// narrows what the key and team grant.
    EndUserNarrowed,
    /// `require_end_user_mcp_access_defined` is on and the identified end user declares no
    /// servers.
    EndUserMustDeclare,
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
}

impl Reason {
    /// The stable snake-case code (`granted_by_access_group`, `outside_team`, ...).
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::GrantedByServerEntry { .. } => "granted_by_server_entry",
            Self::GrantedByAccessGroup { .. } => "granted_by_access_group",
            Self::GrantedByToolPermission { .. } => "granted_by_tool_permission",
            Self::GrantedByAllProxy { .. } => "granted_by_all_proxy",
            Self::InheritedFromTeam => "inherited_from_team",
            Self::AllowAllKeys => "allow_all_keys",
            Self::AdminView => "admin_view",
            Self::ToolPermissionDoesNotGrant { .. } => "tool_permission_does_not_grant",
            Self::NoMcpServers { .. } => "no_mcp_servers",
            Self::NotGranted { .. } => "not_granted",
            Self::OutsideTeam => "outside_team",
            Self::NothingDeclared => "nothing_declared",
            Self::KeyMustDeclare => "key_must_declare",
            Self::EndUserNarrowed => "end_user_narrowed",
            Self::EndUserMustDeclare => "end_user_must_declare",
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
            Self::InheritedFromTeam => {
                f.write_str("the key declares no servers, so it inherits the team's")
            }
            Self::AllowAllKeys => {
                f.write_str("the server has `allow_all_keys`: every caller sees it")
            }
            Self::AdminView => f.write_str(
                "the caller has the admin view and key.mcp_servers is not set: every server \
                 is visible",
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
                level_name(*level)
            ),
            Self::OutsideTeam => f.write_str(
                "the key grants it but the team does not: the team is the key's ceiling, so \
                 the grant is dropped",
            ),
            Self::NothingDeclared => f.write_str("neither the key nor the team declares servers"),
            Self::KeyMustDeclare => {
                f.write_str("require_key_mcp_access_defined is on and the key declares no servers")
            }
            Self::EndUserNarrowed => {
                f.write_str("the end user declares servers and does not grant this one")
            }
            Self::EndUserMustDeclare => f.write_str(
                "require_end_user_mcp_access_defined is on and the end user declares no servers",
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
        }
    }
}

fn level_name(level: Level) -> &'static str {
    match level {
        Level::Key => "key",
        Level::Team => "team",
        Level::EndUser => "end user",
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

/// A string as a JSON string literal.
pub(crate) fn quote(s: &str) -> String {
    serde_json::Value::from(s).to_string()
}

/// Where `item` (a reference borrowed from `list`) sits in `list`: by address first, so a
/// repeated entry is found at its own place, else by value.
pub(crate) fn position_of(list: &[String], item: &str) -> usize {
    list.iter()
        .position(|s| std::ptr::eq(s.as_str(), item))
        .or_else(|| list.iter().position(|s| s == item))
        .unwrap_or(0)
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
    fn repeated_entries_are_found_at_their_own_place() {
        let list = vec!["a".to_owned(), "a".to_owned()];
        let second = list[1].as_str();
        assert_eq!(position_of(&list, second), 1);
        assert_eq!(position_of(&list, "a"), 0);
    }

    #[test]
    fn codes_match_the_serialized_tag() {
        let reasons = [
            Reason::GrantedByToolPermission {
                level: Level::Key,
                path: tools_path(Level::Key, "gh"),
            },
            Reason::OutsideTeam,
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
