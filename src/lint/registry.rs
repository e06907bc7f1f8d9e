//! Registry diagnostics: names that collide, and server lists the semantics read apart.

use std::collections::{HashMap, HashSet};

use crate::diagnostic::{Diagnostic, LintCode, named};
use crate::lint::Linter;
use crate::naming::Routing;
use crate::server::McpServer;

/// A server's name fields: (field, value), alias first.
fn names(server: &McpServer) -> impl Iterator<Item = (&'static str, &str)> {
    [("alias", server.alias()), ("server_name", server.name())]
        .into_iter()
        .filter_map(|(field, value)| value.map(|v| (field, v)))
}

/// A server's prefix spellings that `routing` accepts, with the field each comes from:
/// (field, spelling), the shown prefix first.
fn prefixes(server: &McpServer, routing: Routing) -> Vec<(&'static str, String)> {
    let mut out: Vec<(&'static str, String)> = Vec::new();
    let all = names(server).chain([("server_id", server.id().as_str())]);
    let take = match routing {
        Routing::AnySpelling => 3,
        Routing::ShownPrefix => 1,
    };
    for (field, value) in all.take(take) {
        let spelled = value.replace(' ', "_");
        if !out.iter().any(|(_, s)| *s == spelled) {
            out.push((field, spelled));
        }
    }
    out
}

impl Linter<'_> {
    /// Diagnostics for the registry itself: shared aliases or server names, a name equal
    /// to an access group's, prefixes that overlap at the linter's separator (LiteLLM's
    /// `-` unless [`Linter::naming`] says otherwise), and servers with both tool lists.
    #[must_use]
    pub fn registry(&self) -> Vec<Diagnostic> {
        let servers: Vec<&McpServer> = self.registry.servers().collect();
        let mut out = Vec::new();
        let groups: HashSet<&str> = servers
            .iter()
            .flat_map(|s| s.access_groups().iter().map(String::as_str))
            .collect();
        // Name -> the servers that bear it, in registry order, each once.
        let mut bearers: HashMap<&str, Vec<usize>> = HashMap::new();
        for (at, server) in servers.iter().enumerate() {
            for (_, value) in names(server) {
                let list = bearers.entry(value).or_default();
                if list.last() != Some(&at) {
                    list.push(at);
                }
            }
        }

        for (at, server) in servers.iter().enumerate() {
            let mut seen_values: Vec<&str> = Vec::new();
            for (field, value) in names(server) {
                if seen_values.contains(&value) {
                    continue;
                }
                seen_values.push(value);
                let path = format!("servers[{at}].{field}");
                let earlier: Vec<usize> = bearers
                    .get(value)
                    .map(|list| list.iter().copied().take_while(|&i| i < at).collect())
                    .unwrap_or_default();
                if !earlier.is_empty() {
                    out.push(Diagnostic::new(
                        LintCode::SharedName,
                        path.clone(),
                        format!(
                            "{field} `{value}` of server {} is also borne by {}: a reference \
                             to it grants all of them, and a call naming its server `{value}` \
                             is denied",
                            named(server),
                            listing(&servers, &earlier)
                        ),
                    ));
                }
                if groups.contains(value) {
                    out.push(Diagnostic::new(
                        LintCode::NameIsAccessGroup,
                        path,
                        format!(
                            "{field} `{value}` of server {} is also an access group's name \
                             (LiteLLM #14536): requesting `{value}` also picks every server \
                             of the group",
                            named(server)
                        ),
                    ));
                }
            }
            if !server.allowed_tools().is_empty() && !server.disallowed_tools().is_empty() {
                out.push(Diagnostic::new(
                    LintCode::AllowAndDenyLists,
                    format!("servers[{at}].disallowed_tools"),
                    format!(
                        "server {} has both allowed_tools and disallowed_tools: under \
                         LiteLLM 1.106 a call ignores disallowed_tools, so a tool on both \
                         lists is hidden from listing yet callable (1.110 and the default \
                         semantics deny it)",
                        named(server)
                    ),
                ));
            }
        }
        self.prefix_overlaps(&servers, &mut out);
        self.toolset_entries(&mut out);
        out
    }

    /// Toolsets with no tools, and toolset entries whose `server_id` names no server.
    fn toolset_entries(&self, out: &mut Vec<Diagnostic>) {
        let ids = self.compiler_rules().id_match();
        for (at, entry) in self.registry.toolset_entries().enumerate() {
            let id = entry.toolset.id();
            if entry.toolset.tools().is_empty() {
                out.push(Diagnostic::new(
                    LintCode::EmptyToolset,
                    format!("toolsets[{at}].tools"),
                    format!(
                        "toolset `{id}` has no tools: a permission that names it grants nothing"
                    ),
                ));
            }
            for &tool in entry.unmatched(ids) {
                let Some(t) = entry.toolset.tools().get(tool as usize) else {
                    continue;
                };
                out.push(Diagnostic::new(
                    LintCode::ToolsetUnknownServer,
                    format!("toolsets[{at}].tools[{tool}]"),
                    format!(
                        "`{}` names no server (toolsets name servers by id only): tool `{}` of \
                         toolset `{id}` grants nothing",
                        t.server_id(),
                        t.tool_name()
                    ),
                ));
            }
        }
    }
}

/// At most three servers by name, then how many more.
fn listing(servers: &[&McpServer], indices: &[usize]) -> String {
    const SHOWN: usize = 3;
    let mut names: Vec<String> = indices
        .iter()
        .take(SHOWN)
        .filter_map(|&i| servers.get(i).map(|s| named(s)))
        .collect();
    if indices.len() > SHOWN {
        names.push(format!("{} more", indices.len() - SHOWN));
    }
    names.join(", ")
}

impl Linter<'_> {
    /// For every prefix spelling `p` of a server and every separator in it, looks the part
    /// before the separator up among the other servers' spellings: one hash lookup per
    /// separator, so the cost grows with the registry, not with its square.
    fn prefix_overlaps(&self, servers: &[&McpServer], out: &mut Vec<Diagnostic>) {
        let sep = self.naming.separator();
        let routing = self.naming.routing();
        let spelled: Vec<Vec<(&'static str, String)>> =
            servers.iter().map(|s| prefixes(s, routing)).collect();
        let mut by_spelling: HashMap<&str, Vec<usize>> = HashMap::new();
        for (at, spellings) in spelled.iter().enumerate() {
            for (_, spelling) in spellings {
                by_spelling.entry(spelling.as_str()).or_default().push(at);
            }
        }
        for (long_at, long) in spelled.iter().enumerate() {
            let mut reported: Vec<usize> = Vec::new();
            for (field, long_prefix) in long {
                for (split, _) in long_prefix.match_indices(sep) {
                    let (Some(short_prefix), Some(rest)) = (
                        long_prefix.get(..split),
                        long_prefix.get(split + sep.len()..),
                    ) else {
                        continue;
                    };
                    let shorts = by_spelling.get(short_prefix).map_or(&[][..], Vec::as_slice);
                    for &short_at in shorts {
                        if short_at == long_at || reported.contains(&short_at) {
                            continue;
                        }
                        let (Some(long_server), Some(short_server)) =
                            (servers.get(long_at), servers.get(short_at))
                        else {
                            continue;
                        };
                        reported.push(short_at);
                        let (long_named, short_named) = (named(long_server), named(short_server));
                        out.push(Diagnostic::new(
                            LintCode::PrefixOverlap,
                            format!("servers[{long_at}].{field}"),
                            format!(
                                "prefix `{long_prefix}` of server {long_named} begins with \
                                 prefix `{short_prefix}` of server {short_named} and `{sep}`: \
                                 `{long_prefix}{sep}x` routes to {long_named} for a caller \
                                 who sees it, and to tool `{rest}{sep}x` of {short_named} for \
                                 one who sees only {short_named}, so where a call runs \
                                 depends on what else the caller sees"
                            ),
                        ));
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
