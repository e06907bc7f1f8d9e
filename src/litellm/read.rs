//! Reading one row: the columns a row type uses, checked, and every other column skipped.

use std::fmt;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};

use crate::de::{opt_string, set_once, string};
use crate::permission::ObjectPermission;

/// The columns one row type reads; every other column is ignored.
pub(super) struct Shape {
    /// What the row is, for "expected" messages.
    pub(super) expecting: &'static str,
    /// The required id column, if the row has one, and another name it may go by.
    pub(super) id: Option<(&'static str, Option<&'static str>)>,
    /// The optional string columns.
    pub(super) strings: &'static [&'static str],
}

/// The columns of one row as read.
pub(super) struct Fields {
    shape: &'static Shape,
    /// Empty when the shape has no id column.
    pub(super) id: String,
    strings: Vec<Option<String>>,
    pub(super) permission: Option<ObjectPermission>,
}

impl Fields {
    pub(super) fn read<'de, D: Deserializer<'de>>(
        d: D,
        shape: &'static Shape,
    ) -> Result<Self, D::Error> {
        d.deserialize_map(shape)
    }

    /// The value of optional string column `field`.
    pub(super) fn take(&mut self, field: &str) -> Option<String> {
        let at = self.shape.strings.iter().position(|f| *f == field)?;
        self.strings.get_mut(at)?.take()
    }
}

impl<'de> Visitor<'de> for &'static Shape {
    type Value = Fields;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.expecting)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Fields, A::Error> {
        let mut id: Option<String> = None;
        // `Some(None)` marks a column seen as null, so a repeat is caught too.
        let mut strings: Vec<Option<Option<String>>> = vec![None; self.strings.len()];
        let mut permission: Option<Option<ObjectPermission>> = None;
        let id_names = self
            .id
            .map_or([None, None], |(name, alias)| [Some(name), alias]);
        while let Some(key) = map.next_key::<String>()? {
            if let Some(field) = id_names.into_iter().flatten().find(|f| *f == key) {
                set_once(&mut id, field, || string(&mut map, field))?;
            } else if let Some((field, slot)) = self
                .strings
                .iter()
                .zip(strings.iter_mut())
                .find(|(f, _)| **f == key)
            {
                set_once(slot, field, || opt_string(&mut map, field))?;
            } else if key == "object_permission" {
                set_once(&mut permission, "object_permission", || {
                    map.next_value::<Option<ObjectPermission>>()
                })?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        let id = match self.id {
            Some((name, _)) => id.ok_or_else(|| de::Error::missing_field(name))?,
            None => String::new(),
        };
        Ok(Fields {
            shape: self,
            id,
            strings: strings.into_iter().map(Option::flatten).collect(),
            permission: permission.flatten(),
        })
    }
}
