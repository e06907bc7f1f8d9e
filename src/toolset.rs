//! Toolsets: LiteLLM's named bundles of `(server_id, tool_name)` (SPEC 1.5), read from
//! `LiteLLM_MCPToolsetTable` rows.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};

use crate::de::{opt_string, set_once, string};
use crate::error::ParseError;

/// One tool of a toolset: a server, by id, and a bare tool name on it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct ToolsetTool {
    server_id: String,
    tool_name: String,
}

impl ToolsetTool {
    /// Tool `tool_name` of the server whose id is `server_id`.
    pub fn new(server_id: impl Into<String>, tool_name: impl Into<String>) -> Self {
        Self {
            server_id: server_id.into(),
            tool_name: tool_name.into(),
        }
    }

    /// The server's id (ids only: a name or alias here names no server).
    #[must_use]
    pub fn server_id(&self) -> &str {
        &self.server_id
    }

    /// The bare tool name.
    #[must_use]
    pub fn tool_name(&self) -> &str {
        &self.tool_name
    }
}

/// A toolset: a named bundle of tools across servers that an object permission's
/// `mcp_toolsets` grants (SPEC 1.5, 3.1, 4.2).
///
/// Reading JSON accepts `LiteLLM_MCPToolsetTable` rows unchanged: `tools` is a list of
/// `{"server_id", "tool_name"}` objects or the JSON string of such a list (LiteLLM may
/// store either), `null` reads as no tools, and other fields (`created_at`, ...) are
/// ignored.
///
/// ```
/// use mcp_authz::Toolset;
///
/// let row = r#"{"toolset_id": "ts-billing", "toolset_name": "billing",
///              "tools": "[{\"server_id\": \"srv-a\", \"tool_name\": \"refund\"}]"}"#;
/// let toolset = Toolset::from_json(row)?;
/// assert_eq!(toolset.id(), "ts-billing");
/// assert_eq!(toolset.tools()[0].tool_name(), "refund");
/// # Ok::<(), mcp_authz::ParseError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[allow(clippy::struct_field_names)] // LiteLLM's own field names, kept for serde
pub struct Toolset {
    toolset_id: String,
    toolset_name: Option<String>,
    description: Option<String>,
    tools: Vec<ToolsetTool>,
}

impl Toolset {
    /// A toolset with this id and no tools.
    pub fn new(id: impl Into<String>) -> Self {
        Self {
            toolset_id: id.into(),
            toolset_name: None,
            description: None,
            tools: Vec::new(),
        }
    }

    /// Reads a toolset row from JSON text.
    ///
    /// # Errors
    /// The text is not a JSON object, `toolset_id` is missing, or a field has the wrong
    /// type (a `tools` string must hold a JSON list of tools); the message names the field
    /// and the value.
    pub fn from_json(json: &str) -> Result<Self, ParseError> {
        serde_json::from_str(json).map_err(|e| ParseError::json("toolset", &e))
    }

    /// Sets `toolset_name`.
    #[must_use]
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.toolset_name = Some(name.into());
        self
    }

    /// Adds tool `tool_name` of server `server_id`.
    #[must_use]
    pub fn with_tool(mut self, server_id: impl Into<String>, tool_name: impl Into<String>) -> Self {
        self.tools.push(ToolsetTool::new(server_id, tool_name));
        self
    }

    /// `toolset_id`.
    #[must_use]
    pub fn id(&self) -> &str {
        &self.toolset_id
    }

    /// `toolset_name`, if set.
    #[must_use]
    pub fn name(&self) -> Option<&str> {
        self.toolset_name.as_deref()
    }

    /// `description`, if set.
    #[must_use]
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// The tools, as listed.
    #[must_use]
    pub fn tools(&self) -> &[ToolsetTool] {
        &self.tools
    }
}

impl<'de> Deserialize<'de> for Toolset {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Toolset;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a toolset (a JSON object)")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Toolset, A::Error> {
                let mut id = None;
                let mut name: Option<Option<String>> = None;
                let mut description: Option<Option<String>> = None;
                let mut tools: Option<Vec<ToolsetTool>> = None;
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "toolset_id" => {
                            set_once(&mut id, "toolset_id", || string(&mut map, "toolset_id"))?;
                        }
                        "toolset_name" => {
                            set_once(&mut name, "toolset_name", || {
                                opt_string(&mut map, "toolset_name")
                            })?;
                        }
                        "description" => {
                            set_once(&mut description, "description", || {
                                opt_string(&mut map, "description")
                            })?;
                        }
                        "tools" => {
                            set_once(&mut tools, "tools", || map.next_value_seed(Tools))?;
                        }
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(Toolset {
                    toolset_id: id.ok_or_else(|| de::Error::missing_field("toolset_id"))?,
                    toolset_name: name.flatten(),
                    description: description.flatten(),
                    tools: tools.unwrap_or_default(),
                })
            }
        }
        d.deserialize_map(V)
    }
}

/// `tools`: a list, the JSON string of a list, or `null`.
struct Tools;

impl<'de> DeserializeSeed<'de> for Tools {
    type Value = Vec<ToolsetTool>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Tools {
    type Value = Vec<ToolsetTool>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of {\"server_id\", \"tool_name\"} for `tools` (or its JSON string)")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        let mut d = serde_json::Deserializer::from_str(v);
        let tools = d
            .deserialize_seq(Tools)
            .and_then(|t| d.end().map(|()| t))
            .map_err(|e| E::custom(format_args!("in the JSON string of `tools`: {e}")))?;
        Ok(tools)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(tool) = seq.next_element_seed(Tool)? {
            out.push(tool);
        }
        Ok(out)
    }
}

struct Tool;

impl<'de> DeserializeSeed<'de> for Tool {
    type Value = ToolsetTool;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Tool {
    type Value = ToolsetTool;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a tool in `tools`: {\"server_id\", \"tool_name\"}")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let (mut server_id, mut tool_name) = (None, None);
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "server_id" => {
                    set_once(&mut server_id, "server_id", || {
                        string(&mut map, "tools.server_id")
                    })?;
                }
                "tool_name" => {
                    set_once(&mut tool_name, "tool_name", || {
                        string(&mut map, "tools.tool_name")
                    })?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(ToolsetTool {
            server_id: server_id.ok_or_else(|| de::Error::missing_field("server_id"))?,
            tool_name: tool_name.ok_or_else(|| de::Error::missing_field("tool_name"))?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tools_read_as_a_list_a_json_string_or_null() {
        let listed = Toolset::from_json(
            r#"{"toolset_id": "t", "tools": [{"server_id": "a", "tool_name": "x"}],
                "created_at": "2026-01-01"}"#,
        )
        .unwrap();
        let stored = Toolset::from_json(
            r#"{"toolset_id": "t", "tools": "[{\"server_id\": \"a\", \"tool_name\": \"x\"}]"}"#,
        )
        .unwrap();
        assert_eq!(listed, stored);
        assert_eq!(listed, Toolset::new("t").with_tool("a", "x"));
        let none = Toolset::from_json(r#"{"toolset_id": "t", "tools": null}"#).unwrap();
        assert!(none.tools().is_empty());
    }

    #[test]
    fn bad_rows_name_the_field() {
        let err = |json: &str| Toolset::from_json(json).unwrap_err().to_string();
        assert_eq!(
            err(r#"{"tools": []}"#),
            "invalid toolset: missing field `toolset_id` at line 1 column 13"
        );
        assert_eq!(
            err(r#"{"toolset_id": "t", "tools": [{"server_id": 5, "tool_name": "x"}]}"#),
            "invalid toolset: invalid type: integer `5`, expected a string in \
             `tools.server_id` at line 1 column 45"
        );
        assert!(
            err(r#"{"toolset_id": "t", "tools": "[1]"}"#)
                .starts_with("invalid toolset: in the JSON string of `tools`: invalid type"),
        );
    }
}
