//! The tool scope of a visible server: its own allow- and denylists under the levels'
//! `mcp_tool_permissions`.

use crate::registry::Entry;
use crate::tools::{ToolScope, ToolSet, cmp_names, contains_sorted, eq_names};

/// In a tool list, "no restriction".
pub(crate) const WILDCARD: &str = "*";

/// A level's resolved `mcp_tool_permissions`: (server, tools), sorted by server.
pub(crate) type ToolLists<'a> = Vec<(u32, &'a [String])>;

/// The tool lists of the key, the team and the end user.
#[derive(Default)]
pub(crate) struct LevelLists<'a> {
    pub(crate) key: ToolLists<'a>,
    pub(crate) team: ToolLists<'a>,
    pub(crate) end_user: ToolLists<'a>,
}

/// The tool lists one level has for one server (several entries can name it), merged by
/// union. An empty slice: the level has no entry for the server.
#[derive(Clone, Copy, Default)]
pub(crate) struct Lists<'l, 'a>(&'l [(u32, &'a [String])]);

impl<'l, 'a> Lists<'l, 'a> {
    /// The run of `all` for server `index`, searching from `*at` and leaving `*at` past
    /// the run: servers are visited in ascending order, so one walk over a level's lists
    /// serves every visible server.
    pub(crate) fn next_run(all: &'l [(u32, &'a [String])], at: &mut usize, index: u32) -> Self {
        let rest = all.get(*at..).unwrap_or_default();
        let start = *at + rest.iter().take_while(|&&(i, _)| i < index).count();
        let len = all
            .get(start..)
            .unwrap_or_default()
            .iter()
            .take_while(|&&(i, _)| i == index)
            .count();
        *at = start + len;
        Self(all.get(start..start + len).unwrap_or_default())
    }

    /// The restriction these lists impose: `None` when there is no entry or an entry
    /// holds the wildcard.
    pub(crate) fn restriction(self) -> Option<Self> {
        let restricts =
            !self.0.is_empty() && !self.0.iter().any(|(_, l)| l.iter().any(|t| t == WILDCARD));
        restricts.then_some(self)
    }

    pub(crate) fn is_empty_union(self) -> bool {
        self.0.iter().all(|(_, l)| l.is_empty())
    }

    fn contains(self, tool: &str) -> bool {
        self.0
            .iter()
            .any(|(_, l)| l.iter().any(|t| eq_names(t, tool)))
    }

    /// The number of tools, repeats included.
    fn len(self) -> usize {
        self.0.iter().map(|(_, l)| l.len()).sum()
    }

    fn iter(self) -> impl Iterator<Item = &'a str> + 'l {
        self.0
            .iter()
            .flat_map(|(_, l)| l.iter().map(String::as_str))
    }
}

/// The level restrictions on one server: at most one per level, so they live on the
/// stack.
#[derive(Default)]
pub(crate) struct Restrictions<'l, 'a> {
    items: [Lists<'l, 'a>; 3],
    len: usize,
}

impl<'l, 'a> Restrictions<'l, 'a> {
    pub(crate) fn extend(&mut self, lists: impl IntoIterator<Item = Lists<'l, 'a>>) {
        for l in lists {
            if let Some(slot) = self.items.get_mut(self.len) {
                *slot = l;
                self.len += 1;
            }
        }
    }

    pub(crate) fn as_slice(&self) -> &[Lists<'l, 'a>] {
        self.items.get(..self.len).unwrap_or_default()
    }
}

/// Up to this many probes, a tool is looked for in the other restrictions' lists directly.
const LINEAR_PROBES: usize = 256;

/// The tool scope of a server under its own lists and the level restrictions.
pub(crate) fn scope<'a>(
    entry: &'a Entry,
    restrictions: &[Lists<'_, 'a>],
    ignore_deny: bool,
) -> ToolScope<'a> {
    let deny = Some(&entry.deny).filter(|d| !ignore_deny && !d.is_empty());
    let allow = entry.allow.as_ref();
    let Some((first, rest)) = restrictions.split_first() else {
        return match (allow, deny) {
            (None, None) => ToolScope::All,
            (None, Some(deny)) => ToolScope::AllExcept(ToolSet::registry(deny)),
            (Some(allow), None) => ToolScope::Only(ToolSet::registry(allow)),
            (Some(allow), Some(_)) => ToolScope::Only(ToolSet::registry(
                entry.allow_not_denied.as_ref().unwrap_or(allow),
            )),
        };
    };
    // Probing the other restrictions' lists for every tool of the first costs the product
    // of their lengths, and the lists are request input: past a few hundred probes, probe
    // sorted copies of them instead (allocated only for such long lists).
    let probes = first
        .len()
        .saturating_mul(rest.iter().map(|r| r.len()).sum::<usize>());
    let sorted: Vec<Vec<&'a str>> = if probes > LINEAR_PROBES {
        rest.iter()
            .map(|r| {
                let mut names: Vec<&'a str> = r.iter().collect();
                names.sort_unstable_by(|a, b| cmp_names(a, b));
                names.dedup();
                names
            })
            .collect()
    } else {
        Vec::new()
    };
    let in_rest = |t: &str| {
        if sorted.is_empty() {
            rest.iter().all(|r| r.contains(t))
        } else {
            sorted.iter().all(|names| contains_sorted(names, t))
        }
    };
    let mut out: Vec<&'a str> = Vec::new();
    for t in first.iter() {
        if allow.is_none_or(|a| a.contains(t)) && deny.is_none_or(|d| !d.contains(t)) && in_rest(t)
        {
            if out.is_empty() {
                out.reserve_exact(first.len());
            }
            out.push(t);
        }
    }
    out.sort_unstable_by(|a, b| cmp_names(a, b));
    out.dedup();
    ToolScope::Only(ToolSet::from_sorted(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::ServerRegistry;

    #[test]
    fn long_restrictions_intersect_like_short_ones() {
        let key: Vec<String> = (0..400).map(|i| format!("t{i}")).collect();
        let team: Vec<String> = (200..700).map(|i| format!("t{i}")).collect();
        let end_user: Vec<String> = ["t250", "t199", "t650", "x"].map(String::from).to_vec();
        let registry = ServerRegistry::new([crate::McpServer::new("a")]).unwrap();
        let entry = registry.entry(0);
        let lists = [(0, key.as_slice())];
        let team_lists = [(0, team.as_slice())];
        let end_user_lists = [(0, end_user.as_slice())];
        let short: Vec<String> = ["t250", "x", "y"].map(String::from).to_vec();
        let short_lists = [(0, short.as_slice())];
        let (key, team, end_user, short) = (
            Lists(&lists),
            Lists(&team_lists),
            Lists(&end_user_lists),
            Lists(&short_lists),
        );
        let only = |r: &[Lists<'_, '_>]| match scope(entry, r, false) {
            ToolScope::Only(set) => set.iter().map(str::to_owned).collect::<Vec<_>>(),
            other => panic!("{other:?}"),
        };
        // 400 x 504 probes: sorted copies of the other lists.
        assert_eq!(only(&[key, team, end_user]), ["t250"]);
        // 4 x 3 probes: the lists themselves.
        assert_eq!(only(&[end_user, short]), ["t250", "x"]);
    }

    #[test]
    fn lists_next_run_walks_the_runs_in_order() {
        let a = vec!["a".to_owned()];
        let b = vec!["b".to_owned()];
        let all = vec![
            (1, a.as_slice()),
            (2, a.as_slice()),
            (2, b.as_slice()),
            (5, b.as_slice()),
        ];
        let mut at = 0;
        assert_eq!(Lists::next_run(&all, &mut at, 0).0.len(), 0);
        let two = Lists::next_run(&all, &mut at, 2);
        assert_eq!((two.0.len(), at), (2, 3));
        assert!(two.contains("b"));
        assert_eq!(Lists::next_run(&all, &mut at, 3).0.len(), 0);
        assert_eq!(Lists::next_run(&all, &mut at, 5).0.len(), 1);
        assert_eq!(Lists::next_run(&all, &mut at, 9).0.len(), 0);
        assert_eq!(at, 4);
    }
}
