//! What a request brings: the permissions of its key, team and end user, and its options.

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};

use crate::compile::{CompiledPermission, Compiler};
use crate::de::opt_bool;
use crate::groups::AccessGroups;
use crate::level::{Level, PerLevel};
use crate::permission::ObjectPermission;
use crate::registry::ServerRegistry;
use crate::semantics::Semantics;

/// Switches that change what levels grant.
///
/// Built from [`Settings::default`] with the `with_` methods (the fields can be read and
/// set, but the struct may gain fields, so it cannot be written as a literal outside the
/// crate). Read from JSON as an object whose members are each optional; a missing or
/// `null` member keeps its default, and an unknown member is an error.
///
/// ```
/// use mcp_authz::Settings;
///
/// let legacy = Settings::default().with_tool_permissions_grant_servers(false);
/// assert!(!legacy.tool_permissions_grant_servers);
/// assert!(!legacy.require_key_mcp_access_defined);
/// let strict: Settings = serde_json::from_str(r#"{"require_key_mcp_access_defined": true}"#)?;
/// assert_eq!(strict, Settings::default().with_require_key_mcp_access_defined(true));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub struct Settings {
    /// A server named in `mcp_tool_permissions` is granted by that permission (the fix for
    /// LiteLLM #21954). Default on.
    pub tool_permissions_grant_servers: bool,
    /// A key that declares no servers gets none, instead of inheriting its team's.
    /// Default off.
    pub require_key_mcp_access_defined: bool,
    /// An identified end user who declares no servers gets none. Default off.
    pub require_end_user_mcp_access_defined: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            tool_permissions_grant_servers: true,
            require_key_mcp_access_defined: false,
            require_end_user_mcp_access_defined: false,
        }
    }
}

impl Settings {
    /// These settings with `tool_permissions_grant_servers` set.
    #[must_use]
    pub fn with_tool_permissions_grant_servers(mut self, on: bool) -> Self {
        self.tool_permissions_grant_servers = on;
        self
    }

    /// These settings with `require_key_mcp_access_defined` set.
    #[must_use]
    pub fn with_require_key_mcp_access_defined(mut self, on: bool) -> Self {
        self.require_key_mcp_access_defined = on;
        self
    }

    /// These settings with `require_end_user_mcp_access_defined` set.
    #[must_use]
    pub fn with_require_end_user_mcp_access_defined(mut self, on: bool) -> Self {
        self.require_end_user_mcp_access_defined = on;
        self
    }
}

const SETTINGS: &[&str] = &[
    "tool_permissions_grant_servers",
    "require_key_mcp_access_defined",
    "require_end_user_mcp_access_defined",
];

// By hand rather than derived: a derived struct also accepts a JSON list (its fields by
// position) and names no field in its type errors.
impl<'de> Deserialize<'de> for Settings {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Settings;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("settings (a JSON object)")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Settings, A::Error> {
                let mut out = Settings::default();
                let mut seen: Vec<&'static str> = Vec::new();
                while let Some(key) = map.next_key::<String>()? {
                    let Some(&field) = SETTINGS.iter().find(|f| **f == key) else {
                        return Err(de::Error::unknown_field(&key, SETTINGS));
                    };
                    if seen.contains(&field) {
                        return Err(de::Error::duplicate_field(field));
                    }
                    seen.push(field);
                    let value = opt_bool(&mut map, field)?;
                    let slot = match field {
                        "tool_permissions_grant_servers" => &mut out.tool_permissions_grant_servers,
                        "require_key_mcp_access_defined" => &mut out.require_key_mcp_access_defined,
                        _ => &mut out.require_end_user_mcp_access_defined,
                    };
                    if let Some(value) = value {
                        *slot = value;
                    }
                }
                Ok(out)
            }
        }
        d.deserialize_map(V)
    }
}

/// The requested server names (the `x-mcp-servers` header or the `/mcp/{names}` path).
#[derive(Debug, Clone, Copy)]
pub enum RequestedNames<'a> {
    /// Owned strings.
    Strings(&'a [String]),
    /// Borrowed strings.
    Strs(&'a [&'a str]),
}

impl<'a> RequestedNames<'a> {
    pub(crate) fn iter(&self) -> impl Iterator<Item = &'a str> + 'a {
        let (strings, strs): (&'a [String], &'a [&'a str]) = match *self {
            Self::Strings(s) => (s, &[]),
            Self::Strs(s) => (&[], s),
        };
        strings
            .iter()
            .map(String::as_str)
            .chain(strs.iter().copied())
    }
}

impl<'a> From<&'a [String]> for RequestedNames<'a> {
    fn from(names: &'a [String]) -> Self {
        Self::Strings(names)
    }
}

impl<'a> From<&'a Vec<String>> for RequestedNames<'a> {
    fn from(names: &'a Vec<String>) -> Self {
        Self::Strings(names)
    }
}

impl<'a> From<&'a [&'a str]> for RequestedNames<'a> {
    fn from(names: &'a [&'a str]) -> Self {
        Self::Strs(names)
    }
}

impl<'a, const N: usize> From<&'a [&'a str; N]> for RequestedNames<'a> {
    fn from(names: &'a [&'a str; N]) -> Self {
        Self::Strs(names)
    }
}

/// A level's permission in a request: raw, or compiled against a registry.
#[derive(Debug, Clone, Copy)]
pub enum PermissionRef<'a> {
    /// A raw permission: compiled on the fly.
    Raw(&'a ObjectPermission),
    /// A compiled permission: used as it is when it was compiled for the request's
    /// registry, semantics, settings, access groups and level, else compiled again.
    Compiled(&'a CompiledPermission),
}

impl<'a> PermissionRef<'a> {
    /// The permission.
    #[must_use]
    pub fn permission(self) -> &'a ObjectPermission {
        match self {
            Self::Raw(p) => p,
            Self::Compiled(c) => c.permission(),
        }
    }

    pub(crate) fn compiled(self) -> Option<&'a CompiledPermission> {
        match self {
            Self::Raw(_) => None,
            Self::Compiled(c) => Some(c),
        }
    }
}

impl<'a> From<&'a ObjectPermission> for PermissionRef<'a> {
    fn from(p: &'a ObjectPermission) -> Self {
        Self::Raw(p)
    }
}

impl<'a> From<&'a CompiledPermission> for PermissionRef<'a> {
    fn from(c: &'a CompiledPermission) -> Self {
        Self::Compiled(c)
    }
}

/// One request's inputs to [`ServerRegistry::resolve_allowed_servers`](crate::ServerRegistry::resolve_allowed_servers).
///
/// Built with chained setters; everything unset means "none" (no key permission, no team,
/// no end user identified, no admin view, no requested names, default settings and
/// semantics, the registry's own access groups).
///
/// ```
/// use mcp_authz::{McpServer, ObjectPermission, Request, Semantics, ServerRegistry};
///
/// let registry = ServerRegistry::new([
///     McpServer::new("srv-a").with_alias("gh").with_access_groups(["dev"]),
///     McpServer::new("srv-b").with_access_groups(["dev"]),
/// ])?;
/// let key = ObjectPermission::new().with_servers(["srv-a", "srv-b"]);
/// let team = ObjectPermission::new().with_access_groups(["dev"]);
/// let request = Request::new()
///     .key(&key)
///     .team(&team)
///     .requested(&["gh"])
///     .semantics(Semantics::Default);
/// let resolution = registry.resolve_allowed_servers(&request);
/// assert_eq!(resolution.servers().map(|v| v.server().id().as_str()).collect::<Vec<_>>(), ["srv-a"]);
/// # Ok::<(), mcp_authz::RegistryError>(())
/// ```
///
/// Leave the end user out when the request has none: [`Request::end_user`] identifies
/// one, and `.end_user(None)` is an identified end user without a permission, which
/// `require_end_user_mcp_access_defined` turns into no servers at all.
///
/// ```
/// use mcp_authz::{McpServer, ObjectPermission, Request, ServerRegistry, Settings};
///
/// let registry = ServerRegistry::new([McpServer::new("srv-a")])?;
/// let key = ObjectPermission::new().with_servers(["srv-a"]);
/// let strict = Settings::default().with_require_end_user_mcp_access_defined(true);
/// let no_end_user = Request::new().key(&key).settings(strict);
/// assert_eq!(registry.resolve_allowed_servers(&no_end_user).len(), 1);
/// let end_user_without_permission = no_end_user.end_user(None);
/// assert!(registry.resolve_allowed_servers(&end_user_without_permission).is_empty());
/// # Ok::<(), mcp_authz::RegistryError>(())
/// ```
#[derive(Clone, Copy, Default)]
pub struct Request<'a> {
    pub(crate) levels: PerLevel<Option<PermissionRef<'a>>>,
    pub(crate) end_user_identified: bool,
    pub(crate) admin: bool,
    pub(crate) requested: Option<RequestedNames<'a>>,
    pub(crate) settings: Settings,
    pub(crate) semantics: Semantics,
    pub(crate) groups: Option<&'a dyn AccessGroups>,
}

impl<'a> Request<'a> {
    /// A request with nothing set.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The permission of `level` (raw or compiled), or none. For [`Level::EndUser`], a
    /// permission also identifies the end user, and none leaves the end user as it was.
    #[must_use]
    pub fn level(mut self, level: Level, permission: Option<PermissionRef<'a>>) -> Self {
        if level == Level::EndUser && permission.is_some() {
            self.end_user_identified = true;
        }
        self.levels[level] = permission;
        self
    }

    /// The key's object permission (raw or compiled).
    #[must_use]
    pub fn key(self, permission: impl Into<PermissionRef<'a>>) -> Self {
        self.level(Level::Key, Some(permission.into()))
    }

    /// The key's object permission, or none.
    #[must_use]
    pub fn key_opt(self, permission: Option<&'a ObjectPermission>) -> Self {
        self.level(Level::Key, permission.map(PermissionRef::Raw))
    }

    /// The team's object permission (raw or compiled). Setting one puts the key on a team.
    #[must_use]
    pub fn team(self, permission: impl Into<PermissionRef<'a>>) -> Self {
        self.level(Level::Team, Some(permission.into()))
    }

    /// The team's object permission, or none (the key is on no team).
    #[must_use]
    pub fn team_opt(self, permission: Option<&'a ObjectPermission>) -> Self {
        self.level(Level::Team, permission.map(PermissionRef::Raw))
    }

    /// The organization's object permission (raw or compiled): a ceiling above the team.
    #[must_use]
    pub fn organization(self, permission: impl Into<PermissionRef<'a>>) -> Self {
        self.level(Level::Organization, Some(permission.into()))
    }

    /// The object permission of the user who owns the key (raw or compiled): it narrows.
    #[must_use]
    pub fn user(self, permission: impl Into<PermissionRef<'a>>) -> Self {
        self.level(Level::User, Some(permission.into()))
    }

    /// The object permission of the agent the request acts for (raw or compiled): it
    /// narrows.
    #[must_use]
    pub fn agent(self, permission: impl Into<PermissionRef<'a>>) -> Self {
        self.level(Level::Agent, Some(permission.into()))
    }

    /// An end user is identified, with this object permission (or none: an identified end
    /// user without a permission, which matters under
    /// `require_end_user_mcp_access_defined`).
    #[must_use]
    pub fn end_user(mut self, permission: Option<&'a ObjectPermission>) -> Self {
        self.end_user_identified = true;
        self.levels[Level::EndUser] = permission.map(PermissionRef::Raw);
        self
    }

    /// The caller has the proxy-admin view (`proxy_admin` / `proxy_admin_viewer`).
    #[must_use]
    pub fn admin(mut self, admin: bool) -> Self {
        self.admin = admin;
        self
    }

    /// Only servers with these names are wanted (names never grant).
    #[must_use]
    pub fn requested(mut self, names: impl Into<RequestedNames<'a>>) -> Self {
        self.requested = Some(names.into());
        self
    }

    /// The settings.
    #[must_use]
    pub fn settings(mut self, settings: Settings) -> Self {
        self.settings = settings;
        self
    }

    /// The semantics.
    #[must_use]
    pub fn semantics(mut self, semantics: Semantics) -> Self {
        self.semantics = semantics;
        self
    }

    /// Answer access-group membership from `groups` instead of the servers' own
    /// `mcp_access_groups`.
    #[must_use]
    pub fn access_groups(mut self, groups: &'a dyn AccessGroups) -> Self {
        self.groups = Some(groups);
        self
    }

    /// The permission of `level`, if the request has one.
    #[must_use]
    pub fn permission(&self, level: Level) -> Option<&'a ObjectPermission> {
        self.levels[level].map(PermissionRef::permission)
    }

    /// Whether an end user is identified.
    #[must_use]
    pub fn is_end_user_identified(&self) -> bool {
        self.end_user_identified
    }

    /// The compiler this request's raw permissions are compiled with.
    pub(crate) fn compiler(&self, registry: &'a ServerRegistry) -> Compiler<'a> {
        Compiler::new(registry, self.semantics, self.settings, self.groups)
    }
}

impl fmt::Debug for Request<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Request")
            .field("levels", &self.levels)
            .field("end_user_identified", &self.end_user_identified)
            .field("admin", &self.admin)
            .field("requested", &self.requested)
            .field("settings", &self.settings)
            .field("semantics", &self.semantics)
            .field("custom_access_groups", &self.groups.is_some())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_default_as_documented_and_refuse_unknown_fields() {
        let s: Settings =
            serde_json::from_str(r#"{"require_key_mcp_access_defined": true}"#).unwrap();
        assert!(s.tool_permissions_grant_servers);
        assert!(s.require_key_mcp_access_defined);
        assert!(!s.require_end_user_mcp_access_defined);
        let e = serde_json::from_str::<Settings>(r#"{"grant": true}"#).unwrap_err();
        assert!(e.to_string().starts_with("unknown field `grant`"), "{e}");
    }

    #[test]
    fn settings_are_an_object_with_named_booleans() {
        let e = serde_json::from_str::<Settings>("[false]").unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid type: sequence, expected settings (a JSON object) at line 1 column 0"
        );
        let e = serde_json::from_str::<Settings>(r#"{"require_key_mcp_access_defined": 1}"#)
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid type: integer `1`, expected a boolean for `require_key_mcp_access_defined` \
             at line 1 column 36"
        );
        let s: Settings =
            serde_json::from_str(r#"{"tool_permissions_grant_servers": null}"#).unwrap();
        assert_eq!(s, Settings::default());
    }

    #[test]
    fn requested_names_iterate_in_order() {
        let owned = vec!["a".to_owned(), "b".to_owned()];
        let names = RequestedNames::from(&owned);
        assert_eq!(names.iter().collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(
            RequestedNames::from(&["x"]).iter().collect::<Vec<_>>(),
            ["x"]
        );
    }
}
