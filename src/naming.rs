//! Prefixed tool names: the name a gateway shows for a server's tool, and the way a shown
//! name routes back to its server (SPEC 4).

use std::borrow::Cow;
use std::fmt;

use crate::server::McpServer;

/// Which spellings of a visible server's name a prefixed tool name may start with.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Routing {
    /// SPEC 4: any of the server's alias, server name and id (spaces spelled `_`), as
    /// LiteLLM accepts them. Which spellings route where can then depend on what else the
    /// caller sees (`gh-enterprise-x` routes to a visible `gh-enterprise`, else to tool
    /// `enterprise-x` of `gh`).
    #[default]
    AnySpelling,
    /// Only the prefix the gateway shows ([`McpServer::prefix`]): the names
    /// [`ToolNaming::shown_name`] makes are the only names that route, so a call by any
    /// name a listing did not show is denied. As with any spelling, only the visible
    /// servers' prefixes count, and one shown by two visible servers is ambiguous (denied).
    ShownPrefix,
}

/// How a gateway names a server's tools (`{prefix}{separator}{tool}`) and how such a name
/// routes back: a separator and a [`Routing`]. The default is LiteLLM's: `-` and any
/// spelling.
///
/// ```
/// use mcp_authz::{McpServer, Routing, ToolNaming};
///
/// let server = McpServer::new("srv-a").with_name("git hub");
/// assert_eq!(ToolNaming::default().shown_name(&server, "create_issue"), "git_hub-create_issue");
///
/// let envoy = ToolNaming::new("__")?.with_routing(Routing::ShownPrefix);
/// assert_eq!(envoy.shown_name(&server, "create_issue"), "git_hub__create_issue");
/// assert_eq!(ToolNaming::new("").unwrap_err().to_string(), "a tool-name separator cannot be empty");
/// # Ok::<(), mcp_authz::SeparatorError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ToolNaming {
    separator: Cow<'static, str>,
    routing: Routing,
}

/// A separator that cannot separate: the empty string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[error("a tool-name separator cannot be empty")]
#[non_exhaustive]
pub struct SeparatorError;

impl ToolNaming {
    /// LiteLLM's naming: `{prefix}-{tool}`, routed by any spelling.
    pub const LITELLM: Self = Self {
        separator: Cow::Borrowed("-"),
        routing: Routing::AnySpelling,
    };

    /// Names joined by `separator` (LiteLLM `-`, agentgateway `_`, Envoy AI Gateway
    /// `__`, others `/`), routed by any spelling.
    ///
    /// # Errors
    /// [`SeparatorError`] for an empty separator.
    pub fn new(separator: impl Into<Cow<'static, str>>) -> Result<Self, SeparatorError> {
        let separator = separator.into();
        if separator.is_empty() {
            return Err(SeparatorError);
        }
        Ok(Self {
            separator,
            routing: Routing::AnySpelling,
        })
    }

    /// The same naming, routed as `routing` says.
    #[must_use]
    pub fn with_routing(mut self, routing: Routing) -> Self {
        self.routing = routing;
        self
    }

    /// The separator.
    #[must_use]
    pub fn separator(&self) -> &str {
        &self.separator
    }

    /// The routing.
    #[must_use]
    pub fn routing(&self) -> Routing {
        self.routing
    }

    /// The name a gateway shows for `tool` of `server`: its [`McpServer::prefix`], the
    /// separator, and the tool.
    #[must_use]
    pub fn shown_name(&self, server: &McpServer, tool: &str) -> String {
        let prefix = server.prefix();
        let mut name = String::with_capacity(prefix.len() + self.separator.len() + tool.len());
        name.push_str(&prefix);
        name.push_str(&self.separator);
        name.push_str(tool);
        name
    }
}

impl Default for ToolNaming {
    fn default() -> Self {
        Self::LITELLM
    }
}

impl fmt::Display for ToolNaming {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let routing = match self.routing {
            Routing::AnySpelling => "any spelling",
            Routing::ShownPrefix => "shown prefix",
        };
        write!(f, "`{{prefix}}{}{{tool}}` ({routing})", self.separator)
    }
}

/// Where `separator` occurs in `name`, from the right: a byte scan for the usual one-byte
/// separator, where `str::rmatch_indices` would set up a substring searcher per name.
pub(crate) fn separators_from_right<'n>(
    name: &'n str,
    separator: &'n str,
) -> impl Iterator<Item = usize> + 'n {
    enum Splits<'n> {
        Byte { bytes: &'n [u8], byte: u8 },
        Str(std::str::RMatchIndices<'n, &'n str>),
    }
    impl Iterator for Splits<'_> {
        type Item = usize;
        fn next(&mut self) -> Option<usize> {
            match self {
                Self::Byte { bytes, byte } => {
                    let at = bytes.iter().rposition(|b| b == byte)?;
                    *bytes = bytes.get(..at).unwrap_or_default();
                    Some(at)
                }
                Self::Str(matches) => matches.next().map(|(at, _)| at),
            }
        }
    }
    match separator.as_bytes() {
        // A one-byte UTF-8 string is ASCII, so every position found is a char boundary.
        &[byte] => Splits::Byte {
            bytes: name.as_bytes(),
            byte,
        },
        _ => Splits::Str(name.rmatch_indices(separator)),
    }
}

#[cfg(test)]
mod tests {
    use super::separators_from_right;

    #[test]
    fn separators_are_found_from_the_right_as_rmatch_indices_finds_them() {
        for (name, separator) in [
            ("a-b-c", "-"),
            ("--", "-"),
            ("", "-"),
            ("é-x", "-"),
            ("a::b::::c", "::"),
            ("abc", "::"),
        ] {
            let expected: Vec<usize> = name.rmatch_indices(separator).map(|(at, _)| at).collect();
            let found: Vec<usize> = separators_from_right(name, separator).collect();
            assert_eq!(found, expected, "{name:?} {separator:?}");
        }
    }
}
