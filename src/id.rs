//! Server ids.

use std::borrow::Borrow;
use std::fmt;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The canonical id of an MCP server (`server_id`).
///
/// Database servers have UUID ids, config servers any non-empty string. An id keeps the
/// spelling it was given; where the semantics compare ids as UUIDs (see the crate docs,
/// "Name resolution"), [`ServerId::as_uuid`] is the value compared.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ServerId(String);

impl ServerId {
    /// An id with the given spelling. Whether it is acceptable in a registry (non-empty,
    /// unique) is checked when the registry is built.
    pub fn new(id: impl Into<String>) -> Self {
        Self(id.into())
    }

    /// The id as it was spelled.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The UUID this id spells, in any form the `uuid` crate parses (hyphenated or not,
    /// either case, braced, `urn:uuid:`), or `None` for an id that is not a UUID.
    #[must_use]
    pub fn as_uuid(&self) -> Option<Uuid> {
        parse_uuid(&self.0)
    }

    /// The id as a `String`.
    #[must_use]
    pub fn into_string(self) -> String {
        self.0
    }
}

/// Parses `s` as a UUID without allocating; `None` for anything else.
pub(crate) fn parse_uuid(s: &str) -> Option<Uuid> {
    // Every UUID form is 32 to 45 bytes long; the length check keeps names cheap.
    if (32..=45).contains(&s.len()) {
        Uuid::try_parse(s).ok()
    } else {
        None
    }
}

impl Borrow<str> for ServerId {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for ServerId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ServerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for ServerId {
    fn from(id: &str) -> Self {
        Self::new(id)
    }
}

impl From<String> for ServerId {
    fn from(id: String) -> Self {
        Self(id)
    }
}

impl PartialEq<str> for ServerId {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for ServerId {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_forms_parse_to_one_value() {
        let canonical = ServerId::new("aa1d8e71-318a-43cb-83ad-588d56470b1b");
        for spelling in [
            "AA1D8E71-318A-43CB-83AD-588D56470B1B",
            "aa1d8e71318a43cb83ad588d56470b1b",
            "{aa1d8e71-318a-43cb-83ad-588d56470b1b}",
            "urn:uuid:aa1d8e71-318a-43cb-83ad-588d56470b1b",
        ] {
            assert_eq!(
                ServerId::new(spelling).as_uuid(),
                canonical.as_uuid(),
                "{spelling}"
            );
        }
        assert!(canonical.as_uuid().is_some());
    }

    #[test]
    fn names_are_not_uuids() {
        assert_eq!(ServerId::new("srv-a").as_uuid(), None);
        assert_eq!(ServerId::new("").as_uuid(), None);
        assert_eq!(
            ServerId::new("zz1d8e71-318a-43cb-83ad-588d56470b1b").as_uuid(),
            None
        );
    }

    #[test]
    fn id_keeps_its_spelling() {
        let id = ServerId::from("AA1D8E71318A43CB83AD588D56470B1B");
        assert_eq!(id.as_str(), "AA1D8E71318A43CB83AD588D56470B1B");
        assert_eq!(id.to_string(), "AA1D8E71318A43CB83AD588D56470B1B");
        assert_eq!(id, "AA1D8E71318A43CB83AD588D56470B1B");
    }
}
