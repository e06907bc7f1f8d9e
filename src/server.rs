//! One MCP server as the registry knows it.

use std::borrow::Cow;
use std::fmt;

use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Serialize};

use crate::de::{opt_bool, opt_string, opt_string_list, set_once, string};
use crate::error::ParseError;
use crate::id::ServerId;

/// An MCP server: its id, the names it can be referred to by, whether every caller may
/// see it, its access groups, and its own tool allow- and denylists.
///
/// Reading JSON accepts LiteLLM's `GET /v1/mcp/server` objects and
/// `LiteLLM_MCPServerTable` rows unchanged: `access_groups` is read as
/// `mcp_access_groups`, and the fields the crate does not use (`url`, `transport`, ...)
/// are ignored. An empty `alias` or `server_name` (`""`) reads as none: an empty name
/// could only ever match an empty reference.
///
/// ```
/// use mcp_authz::McpServer;
///
/// let server = McpServer::new("srv-a")
///     .with_name("github")
///     .with_alias("gh")
///     .with_access_groups(["dev"])
///     .with_disallowed_tools(["delete_repo"]);
/// assert_eq!(server.id().as_str(), "srv-a");
/// assert_eq!(server.prefix(), "gh");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct McpServer {
    server_id: ServerId,
    server_name: Option<String>,
    alias: Option<String>,
    allow_all_keys: bool,
    mcp_access_groups: Vec<String>,
    allowed_tools: Vec<String>,
    disallowed_tools: Vec<String>,
}

impl McpServer {
    /// A server with only an id: no name, no alias, in no access group, not
    /// `allow_all_keys`, with no tool lists.
    pub fn new(id: impl Into<ServerId>) -> Self {
        Self {
            server_id: id.into(),
            server_name: None,
            alias: None,
            allow_all_keys: false,
            mcp_access_groups: Vec::new(),
            allowed_tools: Vec::new(),
            disallowed_tools: Vec::new(),
        }
    }

    /// Reads a server from JSON text.
    ///
    /// # Errors
    /// The text is not a JSON object, `server_id` is missing, or a field has the wrong
    /// type; the message names the field and the value.
    pub fn from_json(json: &str) -> Result<Self, ParseError> {
        serde_json::from_str(json).map_err(|e| ParseError::json("server", &e))
    }

    /// Sets `server_name` (an empty name means none).
    #[must_use]
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.server_name = non_empty(name.into());
        self
    }

    /// Sets `alias` (an empty alias means none).
    #[must_use]
    pub fn with_alias(mut self, alias: impl Into<String>) -> Self {
        self.alias = non_empty(alias.into());
        self
    }

    /// Sets `allow_all_keys`: every caller sees this server.
    #[must_use]
    pub fn with_allow_all_keys(mut self, allow_all_keys: bool) -> Self {
        self.allow_all_keys = allow_all_keys;
        self
    }

    /// Sets the access groups this server belongs to.
    #[must_use]
    pub fn with_access_groups<I, S>(mut self, groups: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.mcp_access_groups = groups.into_iter().map(Into::into).collect();
        self
    }

    /// Sets `allowed_tools`, the server-level allowlist (empty: no allowlist).
    #[must_use]
    pub fn with_allowed_tools<I, S>(mut self, tools: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.allowed_tools = tools.into_iter().map(Into::into).collect();
        self
    }

    /// Sets `disallowed_tools`, the server-level denylist.
    #[must_use]
    pub fn with_disallowed_tools<I, S>(mut self, tools: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.disallowed_tools = tools.into_iter().map(Into::into).collect();
        self
    }

    /// `server_id`.
    #[must_use]
    pub fn id(&self) -> &ServerId {
        &self.server_id
    }

    /// `server_name`, if any.
    #[must_use]
    pub fn name(&self) -> Option<&str> {
        self.server_name.as_deref()
    }

    /// `alias`, if any.
    #[must_use]
    pub fn alias(&self) -> Option<&str> {
        self.alias.as_deref()
    }

    /// Whether every caller sees this server.
    #[must_use]
    pub fn is_allow_all_keys(&self) -> bool {
        self.allow_all_keys
    }

    /// The access groups this server belongs to.
    #[must_use]
    pub fn access_groups(&self) -> &[String] {
        &self.mcp_access_groups
    }

    /// `allowed_tools` as configured (empty: no allowlist).
    #[must_use]
    pub fn allowed_tools(&self) -> &[String] {
        &self.allowed_tools
    }

    /// `disallowed_tools` as configured.
    #[must_use]
    pub fn disallowed_tools(&self) -> &[String] {
        &self.disallowed_tools
    }

    /// The prefix a gateway shows before this server's tool names: the alias, else the
    /// server name, else the id, with spaces replaced by `_` (SPEC 4), exactly as
    /// [`Resolution::route`](crate::Resolution::route) matches it. The name shown for a
    /// tool is [`ToolNaming::shown_name`](crate::ToolNaming::shown_name).
    ///
    /// ```
    /// use mcp_authz::McpServer;
    ///
    /// assert_eq!(McpServer::new("srv-a").with_name("git hub").prefix(), "git_hub");
    /// assert_eq!(McpServer::new("srv-a").with_name("git hub").with_alias("gh").prefix(), "gh");
    /// ```
    #[must_use]
    pub fn prefix(&self) -> Cow<'_, str> {
        let shown = self
            .alias
            .as_deref()
            .or(self.server_name.as_deref())
            .unwrap_or(self.server_id.as_str());
        if shown.contains(' ') {
            Cow::Owned(shown.replace(' ', "_"))
        } else {
            Cow::Borrowed(shown)
        }
    }

    /// The spellings a tool-name prefix may use for this server: alias, server name and
    /// id, each with spaces replaced by `_`, without repeats.
    #[must_use]
    pub fn spellings(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::with_capacity(3);
        for s in [
            self.alias.as_deref(),
            self.server_name.as_deref(),
            Some(self.server_id.as_str()),
        ]
        .into_iter()
        .flatten()
        {
            let spelled = s.replace(' ', "_");
            if !out.contains(&spelled) {
                out.push(spelled);
            }
        }
        out
    }
}

/// The server fields the crate reads.
const FIELDS: [&str; 8] = [
    "server_id",
    "server_name",
    "alias",
    "allow_all_keys",
    "mcp_access_groups",
    "access_groups",
    "allowed_tools",
    "disallowed_tools",
];

/// The known field `name` misspells, if it is one of them in another ASCII case or with a
/// trailing `s` dropped or added. Unknown server fields are ignored (LiteLLM's objects carry
/// many), but these are near certainly a typo of a field that decides access: ignoring
/// `disallowed_tool` would silently drop a denylist.
fn near_miss(name: &str) -> Option<&'static str> {
    FIELDS.into_iter().find(|field| {
        name.eq_ignore_ascii_case(field)
            || field
                .strip_suffix('s')
                .is_some_and(|singular| name.eq_ignore_ascii_case(singular))
            || name
                .strip_suffix(['s', 'S'])
                .is_some_and(|stem| stem.eq_ignore_ascii_case(field))
    })
}

fn non_empty(s: String) -> Option<String> {
    if s.is_empty() { None } else { Some(s) }
}

impl<'de> Deserialize<'de> for McpServer {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = McpServer;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an MCP server (a JSON object)")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<McpServer, A::Error> {
                let mut id: Option<String> = None;
                let mut name: Option<Option<String>> = None;
                let mut alias: Option<Option<String>> = None;
                let mut allow_all: Option<Option<bool>> = None;
                let mut groups: Option<Option<Vec<String>>> = None;
                let mut allowed: Option<Option<Vec<String>>> = None;
                let mut disallowed: Option<Option<Vec<String>>> = None;
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "server_id" => {
                            set_once(&mut id, "server_id", || string(&mut map, "server_id"))?;
                        }
                        "server_name" => {
                            set_once(&mut name, "server_name", || {
                                opt_string(&mut map, "server_name")
                            })?;
                        }
                        "alias" => {
                            set_once(&mut alias, "alias", || opt_string(&mut map, "alias"))?;
                        }
                        "allow_all_keys" => {
                            set_once(&mut allow_all, "allow_all_keys", || {
                                opt_bool(&mut map, "allow_all_keys")
                            })?;
                        }
                        "mcp_access_groups" | "access_groups" => {
                            set_once(&mut groups, "mcp_access_groups", || {
                                opt_string_list(&mut map, "mcp_access_groups")
                            })?;
                        }
                        "allowed_tools" => {
                            set_once(&mut allowed, "allowed_tools", || {
                                opt_string_list(&mut map, "allowed_tools")
                            })?;
                        }
                        "disallowed_tools" => {
                            set_once(&mut disallowed, "disallowed_tools", || {
                                opt_string_list(&mut map, "disallowed_tools")
                            })?;
                        }
                        other => {
                            if let Some(meant) = near_miss(other) {
                                return Err(serde::de::Error::custom(format_args!(
                                    "unknown server field `{other}` (did you mean `{meant}`?)"
                                )));
                            }
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                let id = id.ok_or_else(|| serde::de::Error::missing_field("server_id"))?;
                Ok(McpServer {
                    server_id: ServerId::new(id),
                    server_name: name.flatten().and_then(non_empty),
                    alias: alias.flatten().and_then(non_empty),
                    allow_all_keys: allow_all.flatten().unwrap_or(false),
                    mcp_access_groups: groups.flatten().unwrap_or_default(),
                    allowed_tools: allowed.flatten().unwrap_or_default(),
                    disallowed_tools: disallowed.flatten().unwrap_or_default(),
                })
            }
        }
        d.deserialize_map(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_litellm_server_objects() {
        let s = McpServer::from_json(
            r#"{"server_id": "e9ffaf61-16f8-4b33-8a01-e914f64d5343",
                "server_name": "public_mcp_server", "alias": "public_mcp_server",
                "url": "http://localhost:9999/sse", "transport": "sse",
                "allow_all_keys": true, "access_groups": ["dev"],
                "allowed_tools": null, "disallowed_tools": ["x"], "mcp_info": {}}"#,
        )
        .unwrap();
        assert_eq!(s.name(), Some("public_mcp_server"));
        assert!(s.is_allow_all_keys());
        assert_eq!(s.access_groups(), ["dev"]);
        assert!(s.allowed_tools().is_empty());
        assert_eq!(s.disallowed_tools(), ["x"]);
    }

    #[test]
    fn both_group_spellings_at_once_are_refused() {
        let e = McpServer::from_json(
            r#"{"server_id": "a", "access_groups": [], "mcp_access_groups": []}"#,
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid server: duplicate field `mcp_access_groups` at line 1 column 59"
        );
    }

    #[test]
    fn missing_and_mistyped_fields_are_named() {
        assert_eq!(
            McpServer::from_json(r#"{"alias": "gh"}"#)
                .unwrap_err()
                .to_string(),
            "invalid server: missing field `server_id` at line 1 column 15"
        );
        assert_eq!(
            McpServer::from_json(r#"{"server_id": 7}"#)
                .unwrap_err()
                .to_string(),
            "invalid server: invalid type: integer `7`, expected a string in `server_id` at \
             line 1 column 15"
        );
        assert_eq!(
            McpServer::from_json(r#"{"server_id": "a", "allow_all_keys": "yes"}"#)
                .unwrap_err()
                .to_string(),
            "invalid server: invalid type: string \"yes\", expected a boolean for \
             `allow_all_keys` at line 1 column 42"
        );
    }

    #[test]
    fn near_misses_of_known_fields_are_refused() {
        for (json, meant) in [
            (
                r#"{"server_id": "a", "disallowed_tool": ["x"]}"#,
                "disallowed_tools",
            ),
            (
                r#"{"server_id": "a", "Allowed_Tools": ["x"]}"#,
                "allowed_tools",
            ),
            (
                r#"{"server_id": "a", "allow_all_key": true}"#,
                "allow_all_keys",
            ),
            (
                r#"{"server_id": "a", "access_group": ["dev"]}"#,
                "access_groups",
            ),
            (r#"{"server_id": "a", "aliass": "gh"}"#, "alias"),
            (r#"{"SERVER_ID": "a"}"#, "server_id"),
        ] {
            let e = McpServer::from_json(json).unwrap_err().to_string();
            assert!(
                e.contains(&format!("(did you mean `{meant}`?)")),
                "{json}: {e}"
            );
        }
        // Other unknown fields are LiteLLM's own, and ignored.
        for json in [
            r#"{"server_id": "a", "url": "http://x", "mcp_info": {}, "tools": 3}"#,
            r#"{"server_id": "a", "description": null, "status": "healthy"}"#,
        ] {
            assert!(McpServer::from_json(json).is_ok(), "{json}");
        }
    }

    #[test]
    fn empty_names_read_as_none_and_null_flags_as_false() {
        let s = McpServer::from_json(
            r#"{"server_id": "a", "alias": "", "server_name": null, "allow_all_keys": null}"#,
        )
        .unwrap();
        assert_eq!(s.alias(), None);
        assert_eq!(s.name(), None);
        assert!(!s.is_allow_all_keys());
        assert_eq!(s.prefix(), "a");
    }

    #[test]
    fn spellings_replace_spaces_and_skip_repeats() {
        let s = McpServer::new("id 1")
            .with_name("my server")
            .with_alias("my server");
        assert_eq!(s.spellings(), ["my_server", "id_1"]);
        // The shown prefix is the first spelling.
        assert_eq!(s.prefix(), "my_server");
    }
}
