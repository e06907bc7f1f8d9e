//! The permission levels of a request, as data: one list in ceiling order, and per-level
//! state indexed by level.

use std::ops::{Index, IndexMut};

use serde::{Deserialize, Serialize};

/// A level whose object permission takes part in a request (SPEC 1.3).
///
/// Three levels *grant*, each a ceiling for the ones after it: [`Level::Organization`],
/// [`Level::Team`], [`Level::Key`]. Three only *narrow*: [`Level::User`] (the key's owner),
/// [`Level::EndUser`] and [`Level::Agent`]. [`Level::ALL`] lists them in that order.
///
/// ```
/// use mcp_authz::Level;
///
/// let granting: Vec<&str> = Level::ALL.iter().filter(|l| l.grants()).map(|l| l.as_str()).collect();
/// assert_eq!(granting, ["organization", "team", "key"]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Level {
    /// The organization of the key or its team (`LiteLLM_OrganizationTable`).
    Organization,
    /// The key's team.
    Team,
    /// The key (virtual key / API key).
    Key,
    /// The user who owns the key (LiteLLM's internal user).
    User,
    /// The identified end user.
    EndUser,
    /// The agent the request acts for (`LiteLLM_AgentsTable`).
    Agent,
}

/// How a level takes part in the server grant (SPEC 3.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// Grants servers, and is a ceiling for the granting levels after it.
    Grants,
    /// Only narrows what the granting levels grant.
    Narrows,
}

impl Level {
    /// Every level, in ceiling order: the granting chain, then the narrowing levels.
    pub const ALL: [Level; 6] = [
        Level::Organization,
        Level::Team,
        Level::Key,
        Level::User,
        Level::EndUser,
        Level::Agent,
    ];

    /// The number of levels: per-level state is an array of this length.
    pub(crate) const COUNT: usize = Self::ALL.len();

    /// The level's name as used in permission paths: `organization`, `team`, `key`,
    /// `user`, `end_user`, `agent`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Organization => "organization",
            Self::Team => "team",
            Self::Key => "key",
            Self::User => "user",
            Self::EndUser => "end_user",
            Self::Agent => "agent",
        }
    }

    /// The level's name in a sentence: `end user` for [`Level::EndUser`].
    pub(crate) fn noun(self) -> &'static str {
        match self {
            Self::EndUser => "end user",
            other => other.as_str(),
        }
    }

    /// Whether the level grants servers (the organization, the team, the key) rather than
    /// only narrowing them.
    #[must_use]
    pub fn grants(self) -> bool {
        self.role() == Role::Grants
    }

    pub(crate) fn role(self) -> Role {
        match self {
            Self::Organization | Self::Team | Self::Key => Role::Grants,
            Self::User | Self::EndUser | Self::Agent => Role::Narrows,
        }
    }

    /// The level's position in [`Level::ALL`].
    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

// INVARIANT: `Level::index` is the position in `Level::ALL`, so a `PerLevel` has one slot
// for every level and no more; adding a level without its slot fails to compile here.
#[allow(clippy::indexing_slicing)] // a bad index fails the build, which is the point
const _: () = {
    let mut i = 0;
    while i < Level::COUNT {
        assert!(Level::ALL[i] as usize == i);
        i += 1;
    }
};

/// One value per level, indexed by [`Level`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct PerLevel<T>(pub(crate) [T; Level::COUNT]);

impl<T> PerLevel<T> {
    /// Each level with its value, in [`Level::ALL`] order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (Level, &T)> {
        Level::ALL.into_iter().zip(self.0.iter())
    }
}

impl<T> Index<Level> for PerLevel<T> {
    type Output = T;
    #[allow(clippy::indexing_slicing)] // INVARIANT above: every index is in bounds
    fn index(&self, level: Level) -> &T {
        &self.0[level.index()]
    }
}

impl<T> IndexMut<Level> for PerLevel<T> {
    #[allow(clippy::indexing_slicing)] // INVARIANT above: every index is in bounds
    fn index_mut(&mut self, level: Level) -> &mut T {
        &mut self.0[level.index()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_are_in_ceiling_order_and_index_their_slots() {
        assert_eq!(
            Level::ALL.map(Level::as_str),
            ["organization", "team", "key", "user", "end_user", "agent"]
        );
        let grants: Vec<Level> = Level::ALL.into_iter().filter(|l| l.grants()).collect();
        assert_eq!(grants, [Level::Organization, Level::Team, Level::Key]);
        let mut per = PerLevel([0; Level::COUNT]);
        per[Level::Agent] = 6;
        per[Level::Organization] = 1;
        assert_eq!(per.0, [1, 0, 0, 0, 0, 6]);
        assert_eq!(
            serde_json::to_string(&Level::EndUser).unwrap(),
            "\"end_user\""
        );
    }
}
