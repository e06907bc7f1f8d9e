//! Serde building blocks that name the field in every type error.
//!
//! serde's own messages say what was found and what was expected (``invalid type: integer
//! `5`, expected a string``) but not where; these seeds put the field's name into the
//! "expected" half, so every message names both the field and the value.
//!
//! Also here: reading a [`ServerRegistry`] (which validates it), kept apart from the
//! registry's own file, which is about building and indexing.

use std::fmt;
use std::marker::PhantomData;

use indexmap::IndexMap;
use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::registry::ServerRegistry;
use crate::server::McpServer;
use crate::toolset::Toolset;

/// A string inside field `field`.
struct Str(&'static str);

impl<'de> DeserializeSeed<'de> for Str {
    type Value = String;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<String, D::Error> {
        d.deserialize_string(self)
    }
}

impl Visitor<'_> for Str {
    type Value = String;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a string in `{}`", self.0)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_owned())
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<String, E> {
        Ok(v)
    }
}

/// A list of strings in field `field`.
struct StrList(&'static str);

impl<'de> DeserializeSeed<'de> for StrList {
    type Value = Vec<String>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Vec<String>, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for StrList {
    type Value = Vec<String>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a list of strings for `{}`", self.0)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<String>, A::Error> {
        // The size hint is untrusted input: cap what is reserved up front.
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(s) = seq.next_element_seed(Str(self.0))? {
            out.push(s);
        }
        Ok(out)
    }
}

/// `null` or a value read by seed `S`.
pub(crate) struct Nullable<S>(pub(crate) S);

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Nullable<S> {
    type Value = Option<S::Value>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de, S: DeserializeSeed<'de>> Visitor<'de> for Nullable<S> {
    type Value = Option<S::Value>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("null or a value")
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        self.0.deserialize(d).map(Some)
    }
}

/// `null` or a string, for field `field`.
pub(crate) fn opt_string<'de, A: MapAccess<'de>>(
    map: &mut A,
    field: &'static str,
) -> Result<Option<String>, A::Error> {
    map.next_value_seed(Nullable(Str(field)))
}

/// A string, for field `field`.
pub(crate) fn string<'de, A: MapAccess<'de>>(
    map: &mut A,
    field: &'static str,
) -> Result<String, A::Error> {
    map.next_value_seed(Str(field))
}

/// `null` or a list of strings, for field `field`.
pub(crate) fn opt_string_list<'de, A: MapAccess<'de>>(
    map: &mut A,
    field: &'static str,
) -> Result<Option<Vec<String>>, A::Error> {
    map.next_value_seed(Nullable(StrList(field)))
}

/// `null` or a boolean, for field `field`.
pub(crate) fn opt_bool<'de, A: MapAccess<'de>>(
    map: &mut A,
    field: &'static str,
) -> Result<Option<bool>, A::Error> {
    struct Bool(&'static str);
    impl<'de> DeserializeSeed<'de> for Bool {
        type Value = bool;
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
            d.deserialize_bool(self)
        }
    }
    impl Visitor<'_> for Bool {
        type Value = bool;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "a boolean for `{}`", self.0)
        }
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<bool, E> {
            Ok(v)
        }
    }
    map.next_value_seed(Nullable(Bool(field)))
}

/// A map from a server reference to a list of tool names, for field `field`. A key that
/// appears twice is an error: JSON parsers disagree on which copy wins, and a permission
/// must not depend on that.
pub(crate) struct ToolMap(pub(crate) &'static str);

impl<'de> DeserializeSeed<'de> for ToolMap {
    type Value = IndexMap<String, Vec<String>>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(ListMap {
            field: self.0,
            key: "server reference",
        })
    }
}

/// A map from a string to a list of strings, refusing repeated keys; `key` names what a
/// key is in messages.
pub(crate) struct ListMap {
    pub(crate) field: &'static str,
    pub(crate) key: &'static str,
}

impl<'de> DeserializeSeed<'de> for ListMap {
    type Value = IndexMap<String, Vec<String>>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ListMap {
    type Value = IndexMap<String, Vec<String>>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a map of lists of strings for `{}`", self.field)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = IndexMap::with_capacity(map.size_hint().unwrap_or(0).min(64));
        while let Some(key) = map.next_key_seed(Str(self.field))? {
            if out.contains_key(&key) {
                return Err(de::Error::custom(format_args!(
                    "duplicate {} `{key}` in `{}`",
                    self.key, self.field
                )));
            }
            let tools = map.next_value_seed(StrList(self.field))?;
            out.insert(key, tools);
        }
        Ok(out)
    }
}

/// A list of `T` in field `field`; `null` reads as an empty list.
struct List<T> {
    field: &'static str,
    item: PhantomData<fn() -> T>,
}

impl<T> List<T> {
    fn new(field: &'static str) -> Self {
        Self {
            field,
            item: PhantomData,
        }
    }
}

impl<'de, T: Deserialize<'de>> DeserializeSeed<'de> for List<T> {
    type Value = Vec<T>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Vec<T>, D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de, T: Deserialize<'de>> Visitor<'de> for List<T> {
    type Value = Vec<T>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a list for `{}`", self.field)
    }
    fn visit_none<E: de::Error>(self) -> Result<Vec<T>, E> {
        Ok(Vec::new())
    }
    fn visit_unit<E: de::Error>(self) -> Result<Vec<T>, E> {
        Ok(Vec::new())
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Vec<T>, D::Error> {
        d.deserialize_seq(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
        // The size hint is untrusted input: cap what is reserved up front.
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(item) = seq.next_element()? {
            out.push(item);
        }
        Ok(out)
    }
}

/// Reads a registry document and builds the registry from it: a list of servers, or an
/// object `{"servers": [...], "toolsets": [...]}` (`toolsets` optional; no other member,
/// since a misspelt `toolsets` would silently drop every toolset). A registry that fails
/// to build is an error whose message is the [`RegistryError`](crate::RegistryError)'s.
///
/// ```
/// use mcp_authz::ServerRegistry;
///
/// let registry: ServerRegistry = serde_json::from_str(
///     r#"{"servers": [{"server_id": "srv-a", "alias": "gh"}],
///         "toolsets": [{"toolset_id": "ts-1", "tools": []}]}"#,
/// )?;
/// assert_eq!(registry.len(), 1);
///
/// let twice = serde_json::from_str::<ServerRegistry>(
///     r#"[{"server_id": "srv-a"}, {"server_id": "srv-a"}]"#,
/// );
/// assert_eq!(
///     twice.unwrap_err().to_string(),
///     "invalid server registry: duplicate server id `srv-a` at position 1 (first at position 0) at line 1 column 48"
/// );
/// # Ok::<(), serde_json::Error>(())
/// ```
impl<'de> Deserialize<'de> for ServerRegistry {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        const MEMBERS: &[&str] = &["servers", "toolsets"];
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ServerRegistry;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(
                    "a server registry (a list of servers, or an object with `servers` and \
                     `toolsets`)",
                )
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<ServerRegistry, A::Error> {
                let servers: Vec<McpServer> = List::new("servers").visit_seq(seq)?;
                ServerRegistry::new(servers).map_err(de::Error::custom)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ServerRegistry, A::Error> {
                let mut servers: Option<Vec<McpServer>> = None;
                let mut toolsets: Option<Vec<Toolset>> = None;
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "servers" => list_once(&mut map, &mut servers, "servers")?,
                        "toolsets" => list_once(&mut map, &mut toolsets, "toolsets")?,
                        other => return Err(de::Error::unknown_field(other, MEMBERS)),
                    }
                }
                let servers = servers.ok_or_else(|| de::Error::missing_field("servers"))?;
                ServerRegistry::with_toolsets(servers, toolsets.unwrap_or_default())
                    .map_err(de::Error::custom)
            }
        }
        d.deserialize_any(V)
    }
}

/// Reads field `field`, a list of `T` (`null`: empty), into `slot`, failing on its second
/// occurrence.
pub(crate) fn list_once<'de, A: MapAccess<'de>, T: Deserialize<'de>>(
    map: &mut A,
    slot: &mut Option<Vec<T>>,
    field: &'static str,
) -> Result<(), A::Error> {
    set_once(slot, field, || map.next_value_seed(List::new(field)))
}

/// Reads field `field` into `slot` with `read`, failing on its second occurrence.
pub(crate) fn set_once<T, E: de::Error>(
    slot: &mut Option<T>,
    field: &'static str,
    read: impl FnOnce() -> Result<T, E>,
) -> Result<(), E> {
    if slot.is_some() {
        return Err(de::Error::duplicate_field(field));
    }
    *slot = Some(read()?);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn registry(json: &str) -> Result<ServerRegistry, String> {
        serde_json::from_str(json).map_err(|e| e.to_string())
    }

    fn ids(registry: &ServerRegistry) -> Vec<&str> {
        registry.servers().map(|s| s.id().as_str()).collect()
    }

    #[test]
    fn a_registry_reads_from_a_list_or_an_object() {
        let listed =
            registry(r#"[{"server_id": "b"}, {"server_id": "a", "alias": "gh"}]"#).unwrap();
        assert_eq!(ids(&listed), ["b", "a"]);
        assert_eq!(listed.toolsets().len(), 0);

        let object = registry(
            r#"{"servers": [{"server_id": "a"}],
                "toolsets": [{"toolset_id": "ts-1", "tools": [{"server_id": "a", "tool_name": "x"}]}]}"#,
        )
        .unwrap();
        assert_eq!(ids(&object), ["a"]);
        let toolsets: Vec<&str> = object.toolsets().map(Toolset::id).collect();
        assert_eq!(toolsets, ["ts-1"]);

        let without_toolsets = registry(r#"{"servers": [{"server_id": "a"}], "toolsets": null}"#);
        assert_eq!(ids(&without_toolsets.unwrap()), ["a"]);
    }

    #[test]
    fn registry_errors_become_messages_naming_the_problem() {
        assert_eq!(
            registry(r#"[{"server_id": "a"}, {"server_id": "b", "alias": "a"}]"#).unwrap_err(),
            "invalid server registry: alias `a` of server `b` is the id of server `a` at line 1 \
             column 54"
        );
        assert_eq!(
            registry(r#"{"servers": [], "toolsets": [{"toolset_id": "t"}, {"toolset_id": "t"}]}"#)
                .unwrap_err(),
            "invalid server registry: duplicate toolset id `t` at position 1 at line 1 column 71"
        );
    }

    #[test]
    fn a_registry_document_is_checked_member_by_member() {
        assert_eq!(
            registry(r#"{"servers": [], "toolset": []}"#).unwrap_err(),
            "unknown field `toolset`, expected `servers` or `toolsets` at line 1 column 25"
        );
        assert_eq!(
            registry(r#"{"toolsets": []}"#).unwrap_err(),
            "missing field `servers` at line 1 column 16"
        );
        assert_eq!(
            registry(r#"{"servers": [], "servers": []}"#).unwrap_err(),
            "duplicate field `servers` at line 1 column 25"
        );
        assert_eq!(
            registry(r#"{"servers": {"server_id": "a"}}"#).unwrap_err(),
            "invalid type: map, expected a list for `servers` at line 1 column 12"
        );
        assert_eq!(
            registry("5").unwrap_err(),
            "invalid type: integer `5`, expected a server registry (a list of servers, or an \
             object with `servers` and `toolsets`) at line 1 column 1"
        );
        assert_eq!(
            registry(r#"[{"server_id": 7}]"#).unwrap_err(),
            "invalid type: integer `7`, expected a string in `server_id` at line 1 column 16"
        );
    }
}
