//! Access-group lookup: which servers an access group contains.

use indexmap::IndexMap;

use crate::registry::ServerRegistry;

/// Answers which servers an access group contains, for gateways that keep group
/// membership somewhere other than the servers' own `mcp_access_groups`.
///
/// The contract:
/// - `visit_members(group, visit)` calls `visit` once for each member server of `group`,
///   with that server's id. Order and repeats do not matter. An unknown group has no
///   members: `visit` is not called.
/// - Group names compare exactly (case-sensitive).
/// - An id is matched against the registry's ids (UUID ids in any spelling of the UUID
///   under [`Semantics::Default`](crate::Semantics::Default)); ids that are not in the
///   registry are ignored, so a stale membership never grants anything.
/// - It is called during resolution, so it must not block, and it must not panic.
/// - It is `Send + Sync`: one lookup serves requests on many threads.
///
/// The trait is object-safe; a request takes it as `&dyn AccessGroups`.
///
/// ```
/// use mcp_authz::{AccessGroups, MapAccessGroups};
///
/// let groups = MapAccessGroups::from_iter([("ops", ["srv-b", "srv-d"])]);
/// let mut seen = Vec::new();
/// groups.visit_members("ops", &mut |id| seen.push(id.to_owned()));
/// assert_eq!(seen, ["srv-b", "srv-d"]);
/// ```
pub trait AccessGroups: Send + Sync {
    /// Calls `visit` with the id of every server in `group`.
    fn visit_members(&self, group: &str, visit: &mut dyn FnMut(&str));
}

/// The registry's own answer: group `g` contains every server whose `mcp_access_groups`
/// lists `g`. This is what a request uses unless it is given another lookup.
impl AccessGroups for ServerRegistry {
    fn visit_members(&self, group: &str, visit: &mut dyn FnMut(&str)) {
        for &i in self.group(group) {
            visit(self.entry(i).server.id().as_str());
        }
    }
}

/// Group membership from a map: group name to member server ids (for example, rows of a
/// gateway's own access-group table).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MapAccessGroups {
    groups: IndexMap<String, Vec<String>>,
}

impl MapAccessGroups {
    /// An empty map: every group has no members.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `server_id` to `group`.
    pub fn insert(&mut self, group: impl Into<String>, server_id: impl Into<String>) {
        self.groups
            .entry(group.into())
            .or_default()
            .push(server_id.into());
    }

    /// The members of `group`, as given.
    #[must_use]
    pub fn members(&self, group: &str) -> &[String] {
        self.groups.get(group).map_or(&[], Vec::as_slice)
    }
}

impl<G, I, S> FromIterator<(G, I)> for MapAccessGroups
where
    G: Into<String>,
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    fn from_iter<T: IntoIterator<Item = (G, I)>>(iter: T) -> Self {
        let mut out = Self::new();
        for (group, members) in iter {
            let group = group.into();
            let list = out.groups.entry(group).or_default();
            list.extend(members.into_iter().map(Into::into));
        }
        out
    }
}

impl AccessGroups for MapAccessGroups {
    fn visit_members(&self, group: &str, visit: &mut dyn FnMut(&str)) {
        for id in self.members(group) {
            visit(id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::McpServer;

    #[test]
    fn registry_groups_come_from_the_servers() {
        let r = ServerRegistry::new([
            McpServer::new("a").with_access_groups(["dev"]),
            McpServer::new("b").with_access_groups(["dev", "pm"]),
        ])
        .unwrap();
        let mut seen = Vec::new();
        r.visit_members("dev", &mut |id| seen.push(id.to_owned()));
        assert_eq!(seen, ["a", "b"]);
        seen.clear();
        r.visit_members("Dev", &mut |id| seen.push(id.to_owned()));
        assert!(seen.is_empty());
    }

    #[test]
    fn map_groups_accumulate() {
        let mut g = MapAccessGroups::new();
        g.insert("ops", "x");
        g.insert("ops", "y");
        assert_eq!(g.members("ops"), ["x", "y"]);
        assert!(g.members("nosuch").is_empty());
    }
}
