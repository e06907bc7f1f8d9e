//! The MCP part of a LiteLLM object permission.

use std::fmt;
use std::sync::Arc;

use indexmap::IndexMap;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Serialize};

use crate::de::{Nullable, ToolMap, opt_string_list, set_once};
use crate::error::ParseError;

/// LiteLLM's sentinel: in a key's `mcp_servers`, the caller sees no server at all (SPEC 3.3).
pub(crate) const NO_MCP_SERVERS: &str = "no-mcp-servers";
/// LiteLLM's sentinel: in a team's `mcp_servers`, every registry server (SPEC 3.3).
pub(crate) const ALL_PROXY_MCP_SERVERS: &str = "all-proxy-mcpservers";
/// In a tool list, "no restriction" (SPEC 4.2; MCP tool names never contain `*`).
pub(crate) const WILDCARD: &str = "*";

/// The `object_permission` of any level (an organization, a team, a key, a user, an end
/// user or an agent): the MCP servers it names, the access groups it names, the tools it
/// allows per server, and the toolsets it names.
///
/// Each field keeps "not set" (`None`: JSON `null` or absent) apart from "set and empty"
/// (`Some` of an empty list or map), because the semantics need both: an admin whose key
/// sets `mcp_servers: []` is scoped, one whose key leaves it `null` is not. For what a
/// level grants, `null`, `[]` and `{}` all declare nothing.
///
/// Reading JSON accepts LiteLLM's `LiteLLM_ObjectPermissionTable` rows unchanged: the
/// fields it does not model (`object_permission_id`, `vector_stores`, `agents`, ...) are
/// ignored, but an unknown field whose name starts with `mcp_` (in any ASCII case) is an
/// error, since ignoring an MCP restriction would silently change access.
///
/// ```
/// use mcp_authz::ObjectPermission;
///
/// let key = ObjectPermission::from_json(
///     r#"{"mcp_servers": [], "mcp_tool_permissions": {"srv-a": ["tool_a"]}}"#,
/// )?;
/// assert_eq!(key.mcp_servers(), Some(&[][..]));
/// assert_eq!(key.mcp_access_groups(), None);
///
/// let typo = ObjectPermission::from_json(r#"{"mcp_tool_permission": {}}"#);
/// assert!(typo.unwrap_err().to_string().contains("unknown MCP field `mcp_tool_permission`"));
/// # Ok::<(), mcp_authz::ParseError>(())
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ObjectPermission {
    // Shared: a `CompiledPermission` keeps the permission it was compiled from, and a
    // copy is a reference count rather than a copy of every name.
    fields: Arc<fields::ObjectPermission>,
}

mod fields {
    use indexmap::IndexMap;
    use serde::Serialize;

    /// The fields, under the public type's name so that `Debug` prints as before.
    #[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
    #[allow(clippy::struct_field_names)] // LiteLLM's own field names, kept for serde
    pub(super) struct ObjectPermission {
        pub(super) mcp_servers: Option<Vec<String>>,
        pub(super) mcp_access_groups: Option<Vec<String>>,
        pub(super) mcp_tool_permissions: Option<IndexMap<String, Vec<String>>>,
        pub(super) mcp_toolsets: Option<Vec<String>>,
    }
}

impl fmt::Debug for ObjectPermission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.fields.fmt(f)
    }
}

impl Serialize for ObjectPermission {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.fields.serialize(s)
    }
}

/// A permission with every MCP field unset, for a level that is present without a
/// permission of its own (a key on a team whose row has none) and must outlive any request.
pub(crate) static NO_PERMISSION: std::sync::LazyLock<ObjectPermission> =
    std::sync::LazyLock::new(ObjectPermission::default);

impl ObjectPermission {
    /// A permission with every MCP field unset.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads a permission from JSON text.
    ///
    /// # Errors
    /// The text is not a JSON object, a field has the wrong type, a tool-permission map
    /// names a server twice, or an unknown `mcp_*` field is present; the message names the
    /// field and the value.
    pub fn from_json(json: &str) -> Result<Self, ParseError> {
        serde_json::from_str(json).map_err(|e| ParseError::json("object permission", &e))
    }

    /// Sets `mcp_servers`: server references (ids, aliases or server names).
    #[must_use]
    pub fn with_servers<I, S>(mut self, servers: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Arc::make_mut(&mut self.fields).mcp_servers =
            Some(servers.into_iter().map(Into::into).collect());
        self
    }

    /// Sets `mcp_access_groups`.
    #[must_use]
    pub fn with_access_groups<I, S>(mut self, groups: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Arc::make_mut(&mut self.fields).mcp_access_groups =
            Some(groups.into_iter().map(Into::into).collect());
        self
    }

    /// Adds an `mcp_tool_permissions` entry: `server` (a reference) may use only `tools`.
    /// Sets the map if it was unset; replaces an earlier entry for the same reference.
    #[must_use]
    pub fn with_tool_permission<S, I, T>(mut self, server: S, tools: I) -> Self
    where
        S: Into<String>,
        I: IntoIterator<Item = T>,
        T: Into<String>,
    {
        Arc::make_mut(&mut self.fields)
            .mcp_tool_permissions
            .get_or_insert_with(IndexMap::new)
            .insert(server.into(), tools.into_iter().map(Into::into).collect());
        self
    }

    /// Sets `mcp_toolsets`: toolset ids (SPEC 1.5).
    #[must_use]
    pub fn with_toolsets<I, S>(mut self, toolsets: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Arc::make_mut(&mut self.fields).mcp_toolsets =
            Some(toolsets.into_iter().map(Into::into).collect());
        self
    }

    /// Sets `mcp_tool_permissions` to an empty map (`{}`), which restricts nothing.
    #[must_use]
    pub fn with_empty_tool_permissions(mut self) -> Self {
        Arc::make_mut(&mut self.fields).mcp_tool_permissions = Some(IndexMap::new());
        self
    }

    /// `mcp_servers`, or `None` when unset.
    #[must_use]
    pub fn mcp_servers(&self) -> Option<&[String]> {
        self.fields.mcp_servers.as_deref()
    }

    /// `mcp_access_groups`, or `None` when unset.
    #[must_use]
    pub fn mcp_access_groups(&self) -> Option<&[String]> {
        self.fields.mcp_access_groups.as_deref()
    }

    /// `mcp_tool_permissions`, or `None` when unset.
    #[must_use]
    pub fn mcp_tool_permissions(&self) -> Option<&IndexMap<String, Vec<String>>> {
        self.fields.mcp_tool_permissions.as_ref()
    }

    /// `mcp_toolsets`, or `None` when unset.
    #[must_use]
    pub fn mcp_toolsets(&self) -> Option<&[String]> {
        self.fields.mcp_toolsets.as_deref()
    }

    /// The non-empty `mcp_servers`, if any.
    pub(crate) fn servers(&self) -> &[String] {
        self.fields.mcp_servers.as_deref().unwrap_or_default()
    }

    /// The non-empty `mcp_access_groups`, if any.
    pub(crate) fn groups(&self) -> &[String] {
        self.fields.mcp_access_groups.as_deref().unwrap_or_default()
    }

    /// The `mcp_toolsets` entries (none when unset).
    pub(crate) fn toolsets(&self) -> &[String] {
        self.fields.mcp_toolsets.as_deref().unwrap_or_default()
    }

    /// The entries of `mcp_tool_permissions` (none when unset).
    pub(crate) fn tool_entries(&self) -> impl Iterator<Item = (&String, &Vec<String>)> {
        self.fields.mcp_tool_permissions.iter().flatten()
    }

    /// The `mcp_tool_permissions` entry at position `at`.
    pub(crate) fn tool_entry(&self, at: usize) -> Option<(&String, &Vec<String>)> {
        self.fields.mcp_tool_permissions.as_ref()?.get_index(at)
    }

    /// The number of `mcp_tool_permissions` entries.
    pub(crate) fn tool_entry_count(&self) -> usize {
        self.fields
            .mcp_tool_permissions
            .as_ref()
            .map_or(0, IndexMap::len)
    }
}

impl<'de> Deserialize<'de> for ObjectPermission {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        PermissionSeed(None).deserialize(d)
    }
}

/// Reads an object permission held by `owner` (a scenario's `key`, a LiteLLM row's
/// `object_permission`, ...), which an unknown `mcp_` field's error then names.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PermissionSeed(pub(crate) Option<&'static str>);

impl<'de> DeserializeSeed<'de> for PermissionSeed {
    type Value = ObjectPermission;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<ObjectPermission, D::Error> {
        struct V(Option<&'static str>);
        impl<'de> Visitor<'de> for V {
            type Value = ObjectPermission;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object permission (a JSON object)")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                // `Some(None)` marks a field seen as null, so a repeat is caught too.
                let mut servers: Option<Option<Vec<String>>> = None;
                let mut groups: Option<Option<Vec<String>>> = None;
                let mut tools: Option<Option<IndexMap<String, Vec<String>>>> = None;
                let mut toolsets: Option<Option<Vec<String>>> = None;
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "mcp_servers" => {
                            set_once(&mut servers, "mcp_servers", || {
                                opt_string_list(&mut map, "mcp_servers")
                            })?;
                        }
                        "mcp_access_groups" => {
                            set_once(&mut groups, "mcp_access_groups", || {
                                opt_string_list(&mut map, "mcp_access_groups")
                            })?;
                        }
                        "mcp_tool_permissions" => {
                            set_once(&mut tools, "mcp_tool_permissions", || {
                                map.next_value_seed(Nullable(ToolMap("mcp_tool_permissions")))
                            })?;
                        }
                        "mcp_toolsets" => {
                            set_once(&mut toolsets, "mcp_toolsets", || {
                                opt_string_list(&mut map, "mcp_toolsets")
                            })?;
                        }
                        // Any case: `MCP_SERVERS` is a typo of a restriction, not another
                        // field, and ignoring it would drop the restriction.
                        other
                            if other
                                .get(..4)
                                .is_some_and(|p| p.eq_ignore_ascii_case("mcp_")) =>
                        {
                            let owner = self.0.map(|o| format!(" in `{o}`")).unwrap_or_default();
                            return Err(de::Error::custom(format_args!(
                                "unknown MCP field `{other}`{owner} (known: `mcp_servers`, \
                                 `mcp_access_groups`, `mcp_tool_permissions`, `mcp_toolsets`)"
                            )));
                        }
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(ObjectPermission {
                    fields: Arc::new(fields::ObjectPermission {
                        mcp_servers: servers.flatten(),
                        mcp_access_groups: groups.flatten(),
                        mcp_tool_permissions: tools.flatten(),
                        mcp_toolsets: toolsets.flatten(),
                    }),
                })
            }
        }
        d.deserialize_map(V(self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(json: &str) -> String {
        ObjectPermission::from_json(json).unwrap_err().to_string()
    }

    #[test]
    fn null_empty_and_absent_are_kept_apart() {
        let p = ObjectPermission::from_json(
            r#"{"mcp_servers": [], "mcp_access_groups": null, "mcp_tool_permissions": {}}"#,
        )
        .unwrap();
        assert_eq!(p.mcp_servers(), Some(&[][..]));
        assert_eq!(p.mcp_access_groups(), None);
        assert_eq!(p.mcp_tool_permissions().map(IndexMap::len), Some(0));
        let absent = ObjectPermission::from_json("{}").unwrap();
        assert_eq!(absent.mcp_servers(), None);
    }

    #[test]
    fn toolsets_are_read() {
        let p = ObjectPermission::from_json(r#"{"mcp_toolsets": ["ts-1"]}"#).unwrap();
        assert_eq!(p, ObjectPermission::new().with_toolsets(["ts-1"]));
        assert_eq!(p.mcp_toolsets(), Some(&["ts-1".to_owned()][..]));
    }

    #[test]
    fn other_litellm_fields_are_ignored() {
        let p = ObjectPermission::from_json(
            r#"{"object_permission_id": "op-1", "vector_stores": [], "models": ["gpt"],
                "blocked_tools": {"x": 1}, "mcp_servers": ["a"]}"#,
        )
        .unwrap();
        assert_eq!(p, ObjectPermission::new().with_servers(["a"]));
    }

    #[test]
    fn unknown_mcp_field_is_named() {
        assert_eq!(
            err(r#"{"mcp_toolset": []}"#),
            "invalid object permission: unknown MCP field `mcp_toolset` (known: \
             `mcp_servers`, `mcp_access_groups`, `mcp_tool_permissions`, `mcp_toolsets`) at \
             line 1 column 14"
        );
    }

    #[test]
    fn unknown_mcp_field_in_another_case_is_refused() {
        assert_eq!(
            err(r#"{"MCP_SERVERS": ["a"]}"#),
            "invalid object permission: unknown MCP field `MCP_SERVERS` (known: \
             `mcp_servers`, `mcp_access_groups`, `mcp_tool_permissions`, `mcp_toolsets`) at \
             line 1 column 14"
        );
        assert!(ObjectPermission::from_json(r#"{"mcp": 1, "mcpservers": []}"#).is_ok());
    }

    #[test]
    fn wrong_types_name_field_and_value() {
        assert_eq!(
            err(r#"{"mcp_servers": [5]}"#),
            "invalid object permission: invalid type: integer `5`, expected a string in \
             `mcp_servers` at line 1 column 18"
        );
        assert_eq!(
            err(r#"{"mcp_servers": "srv-a"}"#),
            "invalid object permission: invalid type: string \"srv-a\", expected a list of \
             strings for `mcp_servers` at line 1 column 23"
        );
        assert_eq!(
            err(r#"{"mcp_tool_permissions": {"a": null}}"#),
            "invalid object permission: invalid type: null, expected a list of strings for \
             `mcp_tool_permissions` at line 1 column 35"
        );
    }

    #[test]
    fn duplicates_are_refused() {
        assert_eq!(
            err(r#"{"mcp_tool_permissions": {"a": ["x"], "a": []}}"#),
            "invalid object permission: duplicate server reference `a` in \
             `mcp_tool_permissions` at line 1 column 41"
        );
        assert_eq!(
            err(r#"{"mcp_servers": null, "mcp_servers": ["a"]}"#),
            "invalid object permission: duplicate field `mcp_servers` at line 1 column 35"
        );
    }

    #[test]
    fn json_round_trip_keeps_meaning() {
        let p = ObjectPermission::new()
            .with_servers(["a"])
            .with_tool_permission("b", Vec::<String>::new());
        let back = ObjectPermission::from_json(&serde_json::to_string(&p).unwrap()).unwrap();
        assert_eq!(back, p);
    }
}
