//! Serde building blocks that name the field in every type error.
//!
//! serde's own messages say what was found and what was expected (``invalid type: integer
//! `5`, expected a string``) but not where; these seeds put the field's name into the
//! "expected" half, so every message names both the field and the value.

use std::fmt;

use indexmap::IndexMap;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

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
