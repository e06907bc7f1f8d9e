//! Lint diagnostics: a stable code, a severity, the path of the offending entry and a
//! message.

use std::fmt;

use serde::Serialize;

use crate::server::McpServer;

/// A server as messages name it: `` `id` ``, or `` `id` (prefix) `` when it has an alias
/// or name, so that UUID ids stay recognisable.
pub(crate) fn named(server: &McpServer) -> String {
    if server.prefix() == server.id().as_str() {
        format!("`{}`", server.id())
    } else {
        format!("`{}` ({})", server.id(), server.prefix())
    }
}

/// How much a diagnostic matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Severity {
    /// Worth knowing; may well be intended.
    Info,
    /// Likely not what the writer meant, or a hazard for the next edit.
    Warning,
    /// The entry cannot do what it says: it grants nothing, or its grant is dropped.
    Error,
}

impl Severity {
    /// `info`, `warning` or `error`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Info => "info",
            Self::Warning => "warning",
            Self::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a diagnostic is about. Each code has a fixed severity ([`LintCode::severity`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum LintCode {
    /// A server reference (in `mcp_servers` or as an `mcp_tool_permissions` key) matches
    /// no server, typically the id of a deleted server. It grants nothing, yet it makes
    /// its level declare: a key with only stale references no longer inherits its team.
    UnknownReference,
    /// An `mcp_access_groups` entry names a group with no member server.
    EmptyAccessGroup,
    /// A reference matches several servers (a shared alias or server name): it grants all
    /// of them, and a call that names its server this way is denied.
    AmbiguousReference,
    /// A server is granted only through `mcp_tool_permissions` (the LiteLLM #33397
    /// hazard): removing it from `mcp_servers` will not revoke it.
    GrantedOnlyByToolPermissions,
    /// With `tool_permissions_grant_servers` off, an `mcp_tool_permissions` entry names a
    /// server that this permission (and, for a key, its team) does not grant: the entry
    /// only restricts tools of a server the caller cannot see.
    ToolPermissionDoesNotGrant,
    /// A granting level grants a server that the nearest declaring granting level above it
    /// (the key's team, the team's organization) does not; that level is a ceiling, so the
    /// grant is dropped.
    OutsideCeiling,
    /// A narrowing level (user, end user, agent) names a server that no granting level
    /// grants: it only narrows, so the entry cannot make the server visible.
    NarrowingGrants,
    /// An `mcp_toolsets` entry names no toolset: it grants nothing (and, under LiteLLM,
    /// denies every tool on most levels).
    UnknownToolset,
    /// A toolset with no tools: naming it grants nothing.
    EmptyToolset,
    /// A toolset entry whose `server_id` names no registry server (ids only: a name or
    /// alias there names nothing).
    ToolsetUnknownServer,
    /// For a LiteLLM deployment: LiteLLM 1.106 and 1.110 answer this differently (a team's
    /// `[]` tool list, an admin key on a team); see also [`LintCode::AllowAndDenyLists`].
    ReleaseDifference,
    /// For a LiteLLM deployment: the preset's answer differs from the default semantics
    /// (LiteLLM fails open or surprises here).
    PresetDiffers,
    /// `{server: []}`: the server stays visible with no tool, so every call to it is
    /// denied.
    EmptyToolList,
    /// A tool in an `mcp_tool_permissions` list that the server's own `allowed_tools` or
    /// `disallowed_tools` make unusable.
    UnusableTool,
    /// A tool list holds `"*"` and names: `"*"` makes the list unrestricted, so the names
    /// do nothing.
    WildcardWithNames,
    /// A sentinel (`no-mcp-servers` on a key, `all-proxy-mcpservers` on a team) shares its
    /// list with other entries, which then have no effect.
    SentinelWithEntries,
    /// Registry: two servers share an alias or server name.
    SharedName,
    /// Registry: an alias or server name equals an access-group name (LiteLLM #14536): a
    /// requested name then also picks the whole group.
    NameIsAccessGroup,
    /// Registry: one server's tool-name prefix followed by the separator begins another
    /// server's prefix, so where some prefixed names route depends on whether the caller
    /// sees the longer one.
    PrefixOverlap,
    /// A tool name in a permission's tool list starts with one of its server's prefixes
    /// and the separator (`{"gh": ["gh-create_issue"]}`): names in permissions are bare,
    /// so it allows only a tool literally called so.
    PrefixedToolName,
    /// Registry: a server has both `allowed_tools` and `disallowed_tools`; under LiteLLM
    /// 1.106 a call ignores the denylist, so listing and calling disagree (1.110 fixed it).
    AllowAndDenyLists,
}

impl LintCode {
    /// The stable snake-case code (`unknown_reference`, `outside_ceiling`, ...).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::UnknownReference => "unknown_reference",
            Self::EmptyAccessGroup => "empty_access_group",
            Self::AmbiguousReference => "ambiguous_reference",
            Self::GrantedOnlyByToolPermissions => "granted_only_by_tool_permissions",
            Self::ToolPermissionDoesNotGrant => "tool_permission_does_not_grant",
            Self::OutsideCeiling => "outside_ceiling",
            Self::NarrowingGrants => "narrowing_grants",
            Self::UnknownToolset => "unknown_toolset",
            Self::EmptyToolset => "empty_toolset",
            Self::ToolsetUnknownServer => "toolset_unknown_server",
            Self::ReleaseDifference => "release_difference",
            Self::PresetDiffers => "preset_differs",
            Self::EmptyToolList => "empty_tool_list",
            Self::UnusableTool => "unusable_tool",
            Self::WildcardWithNames => "wildcard_with_names",
            Self::SentinelWithEntries => "sentinel_with_entries",
            Self::SharedName => "shared_name",
            Self::NameIsAccessGroup => "name_is_access_group",
            Self::PrefixOverlap => "prefix_overlap",
            Self::PrefixedToolName => "prefixed_tool_name",
            Self::AllowAndDenyLists => "allow_and_deny_lists",
        }
    }

    /// The severity of every diagnostic with this code.
    #[must_use]
    pub fn severity(self) -> Severity {
        match self {
            Self::UnknownReference
            | Self::EmptyAccessGroup
            | Self::OutsideCeiling
            | Self::UnknownToolset
            | Self::EmptyToolset => Severity::Error,
            Self::NarrowingGrants
            | Self::ToolsetUnknownServer
            | Self::ReleaseDifference
            | Self::PresetDiffers
            | Self::AmbiguousReference
            | Self::GrantedOnlyByToolPermissions
            | Self::ToolPermissionDoesNotGrant
            | Self::UnusableTool
            | Self::WildcardWithNames
            | Self::SentinelWithEntries
            | Self::SharedName
            | Self::NameIsAccessGroup
            | Self::PrefixOverlap
            | Self::PrefixedToolName => Severity::Warning,
            Self::EmptyToolList | Self::AllowAndDenyLists => Severity::Info,
        }
    }
}

impl fmt::Display for LintCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One finding of the linter.
///
/// Serialized as `{"code", "severity", "path", "message"}`.
///
/// ```
/// use mcp_authz::{Level, LintCode, McpServer, ObjectPermission, ServerRegistry, Severity};
///
/// let registry = ServerRegistry::new([McpServer::new("srv-a")])?;
/// let key = ObjectPermission::new().with_servers(["srv-gone"]);
/// let found = registry.linter().permission(Level::Key, &key);
/// assert_eq!(found[0].code(), LintCode::UnknownReference);
/// assert_eq!(found[0].severity(), Severity::Error);
/// assert_eq!(found[0].path(), "key.mcp_servers[0]");
/// # Ok::<(), mcp_authz::RegistryError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Diagnostic {
    code: LintCode,
    severity: Severity,
    path: String,
    message: String,
}

impl Diagnostic {
    pub(crate) fn new(code: LintCode, path: String, message: String) -> Self {
        Self {
            code,
            severity: code.severity(),
            path,
            message,
        }
    }

    /// The code.
    #[must_use]
    pub fn code(&self) -> LintCode {
        self.code
    }

    /// The severity.
    #[must_use]
    pub fn severity(&self) -> Severity {
        self.severity
    }

    /// Where: a permission path (`key.mcp_tool_permissions["gh"][1]`) or a registry path
    /// (`servers[2].alias`).
    #[must_use]
    pub fn path(&self) -> &str {
        &self.path
    }

    /// What is wrong and what follows from it.
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }
}

/// `{severity} [{code}] {path}: {message}`.
impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} [{}] {}: {}",
            self.severity, self.code, self.path, self.message
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_serialize_as_their_names() {
        for code in [
            LintCode::UnknownReference,
            LintCode::GrantedOnlyByToolPermissions,
            LintCode::NameIsAccessGroup,
        ] {
            assert_eq!(
                serde_json::to_value(code).unwrap(),
                serde_json::Value::from(code.as_str())
            );
        }
    }

    #[test]
    fn diagnostics_print_on_one_line() {
        let d = Diagnostic::new(
            LintCode::OutsideCeiling,
            "key.mcp_servers[0]".into(),
            "grants `jira`".into(),
        );
        assert_eq!(
            d.to_string(),
            "error [outside_ceiling] key.mcp_servers[0]: grants `jira`"
        );
        assert_eq!(
            serde_json::to_value(&d).unwrap(),
            serde_json::json!({"code": "outside_ceiling", "severity": "error",
                               "path": "key.mcp_servers[0]", "message": "grants `jira`"})
        );
    }
}
