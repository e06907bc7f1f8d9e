//! Registry diagnostics: names that collide, and server lists the semantics read apart.

use crate::diagnostic::{Diagnostic, LintCode, named};
use crate::lint::Linter;
use crate::resolution::DEFAULT_SEPARATOR;
use crate::server::McpServer;

/// A server's name fields: (field, value), alias first.
fn names(server: &McpServer) -> impl Iterator<Item = (&'static str, &str)> {
    [("alias", server.alias()), ("server_name", server.name())]
        .into_iter()
        .filter_map(|(field, value)| value.map(|v| (field, v)))
}

/// A server's prefix spellings with the field each comes from: (field, spelling).
fn prefixes(server: &McpServer) -> Vec<(&'static str, String)> {
    let mut out: Vec<(&'static str, String)> = Vec::new();
    for (field, value) in names(server).chain([("server_id", server.id().as_str())]) {
        let spelled = value.replace(' ', "_");
        if !out.iter().any(|(_, s)| *s == spelled) {
            out.push((field, spelled));
        }
    }
    out
}

impl Linter<'_> {
    /// Diagnostics for the registry itself: shared aliases or server names, a name equal
    /// to an access group's, prefixes that overlap at the default separator `-`, and
    /// servers with both tool lists.
    #[must_use]
    pub fn registry(&self) -> Vec<Diagnostic> {
        let servers: Vec<&McpServer> = self.registry.servers().collect();
        let mut out = Vec::new();
        let mut groups: Vec<&str> = servers
            .iter()
            .flat_map(|s| s.access_groups().iter().map(String::as_str))
            .collect();
        groups.sort_unstable();
        groups.dedup();

        for (at, server) in servers.iter().enumerate() {
            let mut seen_values: Vec<&str> = Vec::new();
            for (field, value) in names(server) {
                if seen_values.contains(&value) {
                    continue;
                }
                seen_values.push(value);
                let path = format!("servers[{at}].{field}");
                let earlier: Vec<String> = servers
                    .iter()
                    .take(at)
                    .filter(|other| names(other).any(|(_, v)| v == value))
                    .map(|other| named(other))
                    .collect();
                if !earlier.is_empty() {
                    out.push(Diagnostic::new(
                        LintCode::SharedName,
                        path.clone(),
                        format!(
                            "{field} `{value}` of server {} is also borne by {}: a reference \
                             to it grants all of them, and a call naming its server `{value}` \
                             is denied",
                            named(server),
                            earlier.join(", ")
                        ),
                    ));
                }
                if groups.binary_search(&value).is_ok() {
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
                         LiteLLM semantics a call ignores disallowed_tools, so a tool on both \
                         lists is hidden from listing yet callable",
                        named(server)
                    ),
                ));
            }
        }
        prefix_overlaps(&servers, &mut out);
        out
    }
}

fn prefix_overlaps(servers: &[&McpServer], out: &mut Vec<Diagnostic>) {
    let spelled: Vec<Vec<(&'static str, String)>> = servers.iter().map(|s| prefixes(s)).collect();
    for (long_at, long) in spelled.iter().enumerate() {
        'pairs: for (short_at, short) in spelled.iter().enumerate() {
            if short_at == long_at {
                continue;
            }
            for (field, long_prefix) in long {
                for (_, short_prefix) in short {
                    let Some(rest) = long_prefix
                        .strip_prefix(short_prefix.as_str())
                        .and_then(|r| r.strip_prefix(DEFAULT_SEPARATOR))
                    else {
                        continue;
                    };
                    let (Some(long_server), Some(short_server)) =
                        (servers.get(long_at), servers.get(short_at))
                    else {
                        continue;
                    };
                    out.push(Diagnostic::new(
                        LintCode::PrefixOverlap,
                        format!("servers[{long_at}].{field}"),
                        format!(
                            "prefix `{long_prefix}` of server {} begins with prefix \
                             `{short_prefix}` of server {} and `{DEFAULT_SEPARATOR}`: \
                             `{long_prefix}{DEFAULT_SEPARATOR}x` always routes to {}, \
                             never to tool `{rest}{DEFAULT_SEPARATOR}x` of {}",
                            named(long_server),
                            named(short_server),
                            named(long_server),
                            named(short_server)
                        ),
                    ));
                    continue 'pairs;
                }
            }
        }
    }
}

#[cfg(test)]
#[path = "lint_registry_tests.rs"]
mod tests;
