//! Tool explanations: which list allowed or denied one tool on one server.

use serde::Serialize;
use serde::ser::{SerializeStruct, Serializer};

use crate::explain::{Explanation, WithMessage};
use crate::permission::ObjectPermission;
use crate::reason::{Reason, tools_path};
use crate::request::Semantics;
use crate::resolution::{CallDecision, DEFAULT_SEPARATOR};
use crate::resolve::Level;
use crate::scope::WILDCARD;
use crate::server::McpServer;

/// Whether a call to one tool may run and whether the tool is listed, and why.
///
/// Made by [`Explanation::tool`] or [`Explanation::prefixed_tool`]. Under
/// [`Semantics::Default`] a tool is listed exactly when a call to it is allowed; under
/// [`Semantics::LiteLlm`] a call may be allowed for a tool the listing hides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolExplanation<'a> {
    server: Option<&'a McpServer>,
    tool: String,
    decision: CallDecision,
    listed: bool,
    reasons: Vec<Reason>,
}

impl<'a> ToolExplanation<'a> {
    /// The server the call was decided for, when its reference or prefix named exactly
    /// one.
    #[must_use]
    pub fn server(&self) -> Option<&'a McpServer> {
        self.server
    }

    /// The bare tool name.
    #[must_use]
    pub fn tool(&self) -> &str {
        &self.tool
    }

    /// The decision on a call.
    #[must_use]
    pub fn decision(&self) -> CallDecision {
        self.decision
    }

    /// Whether a call may run.
    #[must_use]
    pub fn is_allowed(&self) -> bool {
        self.decision.is_allowed()
    }

    /// Whether a filtered `tools/list` shows the tool.
    #[must_use]
    pub fn is_listed(&self) -> bool {
        self.listed
    }

    /// The rules that decided, in order: how the server was found, its own lists, then
    /// each level's tool list.
    #[must_use]
    pub fn reasons(&self) -> &[Reason] {
        &self.reasons
    }
}

/// One level's tool-permission entries for one server: (path, list).
type Entries<'p> = Vec<(String, &'p [String])>;

/// What the lists said so far.
struct Verdict {
    listed: bool,
    callable: bool,
    reasons: Vec<Reason>,
}

impl Verdict {
    fn deny(&mut self, reason: Reason) {
        self.listed = false;
        self.callable = false;
        self.reasons.push(reason);
    }

    /// Applies one level's entries (merged by union) as a restriction.
    fn apply(&mut self, level: Level, entries: &Entries<'_>, tool: &str) {
        if let Some((path, _)) = entries
            .iter()
            .find(|(_, l)| l.iter().any(|t| t == WILDCARD))
        {
            self.reasons.push(Reason::ToolListWildcard {
                level,
                path: path.clone(),
            });
            return;
        }
        let including: Vec<&String> = entries
            .iter()
            .filter(|(_, l)| l.iter().any(|t| t == tool))
            .map(|(path, _)| path)
            .collect();
        if including.is_empty() {
            for (path, list) in entries {
                let path = path.clone();
                self.deny(if list.is_empty() {
                    Reason::ToolListEmpty { level, path }
                } else {
                    Reason::ToolListExcludes { level, path }
                });
            }
        } else {
            for path in including {
                self.reasons.push(Reason::ToolListIncludes {
                    level,
                    path: path.clone(),
                });
            }
        }
    }
}

fn has_wildcard(entries: &Entries<'_>) -> bool {
    entries.iter().any(|(_, l)| l.iter().any(|t| t == WILDCARD))
}

fn all_empty(entries: &Entries<'_>) -> bool {
    entries.iter().all(|(_, l)| l.is_empty())
}

impl<'a> Explanation<'a> {
    fn uuids(&self) -> bool {
        self.semantics == Semantics::Default
    }

    /// Explains a call to bare tool `tool` on the server a reference (id, alias or server
    /// name) names; a reference that names no server or several is denied.
    #[must_use]
    pub fn tool(&self, server: &str, tool: &str) -> ToolExplanation<'a> {
        match self.registry.lookup(server, self.uuids()) {
            [index] => self.tool_at(*index, tool, Vec::new()),
            found => {
                let (decision, reason) = if found.is_empty() {
                    (
                        CallDecision::UnknownServer,
                        Reason::UnknownServer {
                            reference: server.to_owned(),
                        },
                    )
                } else {
                    (
                        CallDecision::AmbiguousServer,
                        Reason::AmbiguousServer {
                            reference: server.to_owned(),
                        },
                    )
                };
                denied(tool, decision, reason)
            }
        }
    }

    /// Explains a call by prefixed name (`{prefix}-{tool}`), mapped to a visible server by
    /// the longest matching prefix as [`Resolution::route`](crate::Resolution::route) does.
    #[must_use]
    pub fn prefixed_tool(&self, name: &str) -> ToolExplanation<'a> {
        self.prefixed_tool_with(name, DEFAULT_SEPARATOR)
    }

    /// [`Explanation::prefixed_tool`] with another separator.
    #[must_use]
    pub fn prefixed_tool_with(&self, name: &str, separator: &str) -> ToolExplanation<'a> {
        if !separator.is_empty() {
            for (at, _) in name.rmatch_indices(separator) {
                let (Some(prefix), Some(tool)) = (name.get(..at), name.get(at + separator.len()..))
                else {
                    continue;
                };
                let found: Vec<u32> = self
                    .registry
                    .lookup_prefix(prefix)
                    .iter()
                    .copied()
                    .filter(|&i| self.is_visible_index(i))
                    .collect();
                match found.as_slice() {
                    [] => {}
                    [index] => {
                        let routed = Reason::RoutedByPrefix {
                            prefix: prefix.to_owned(),
                            tool: tool.to_owned(),
                        };
                        return self.tool_at(*index, tool, vec![routed]);
                    }
                    _ => {
                        let reason = Reason::AmbiguousPrefix {
                            name: name.to_owned(),
                            prefix: prefix.to_owned(),
                        };
                        return denied(name, CallDecision::AmbiguousPrefix, reason);
                    }
                }
            }
        }
        let reason = Reason::UnknownPrefix {
            name: name.to_owned(),
        };
        denied(name, CallDecision::UnknownPrefix, reason)
    }

    /// A level's tool-permission entries that name server `index`.
    fn entries(&self, level: Level, index: u32) -> Entries<'a> {
        let permission = match level {
            Level::Key => self.key,
            Level::Team => self.team,
            Level::EndUser => self.end_user,
        };
        permission
            .into_iter()
            .flat_map(ObjectPermission::tool_entries)
            .filter(|(reference, _)| {
                self.registry
                    .lookup(reference, self.uuids())
                    .contains(&index)
            })
            .map(|(reference, list)| (tools_path(level, reference), list.as_slice()))
            .collect()
    }

    /// SPEC section 4 for one tool on server `index`.
    fn tool_at(&self, index: u32, tool: &str, reasons: Vec<Reason>) -> ToolExplanation<'a> {
        let entry = self.registry.entry(index);
        let server = Some(&entry.server);
        let mut v = Verdict {
            listed: true,
            callable: true,
            reasons,
        };
        if !self.is_visible_index(index) {
            v.deny(Reason::ServerNotVisible);
            return finish(server, tool, CallDecision::ServerNotVisible, v);
        }
        if tool.is_empty() {
            v.deny(Reason::EmptyToolName);
            return finish(server, tool, CallDecision::EmptyToolName, v);
        }
        let before = v.reasons.len();
        if let Some(allow) = &entry.allow {
            if allow.contains(tool) {
                v.reasons.push(Reason::ServerAllowlistIncludes);
            } else {
                v.deny(Reason::ServerAllowlistExcludes);
            }
        }
        if entry.deny.contains(tool) {
            v.listed = false;
            v.reasons.push(Reason::ServerDenylistDenies);
            if self.semantics == Semantics::LiteLlm && entry.allow.is_some() {
                v.reasons.push(Reason::DenylistIgnoredOnCall);
            } else {
                v.callable = false;
            }
        }

        let key = self.entries(Level::Key, index);
        let team = self.entries(Level::Team, index);
        match self.semantics {
            Semantics::Default => {
                v.apply(Level::Key, &key, tool);
                v.apply(Level::Team, &team, tool);
            }
            Semantics::LiteLlm => {
                let team_counts = !team.is_empty() && !has_wildcard(&team) && !all_empty(&team);
                if !team.is_empty() && !has_wildcard(&team) && all_empty(&team) {
                    for (path, _) in &team {
                        v.reasons
                            .push(Reason::TeamEmptyListIgnored { path: path.clone() });
                    }
                }
                let key_restricts = !key.is_empty() && !has_wildcard(&key);
                if team_counts {
                    if key_restricts && all_empty(&key) {
                        for (path, _) in &key {
                            v.reasons
                                .push(Reason::KeyEmptyListIgnored { path: path.clone() });
                        }
                    } else {
                        v.apply(Level::Key, &key, tool);
                    }
                    v.apply(Level::Team, &team, tool);
                } else {
                    v.apply(Level::Key, &key, tool);
                    if has_wildcard(&team) {
                        v.apply(Level::Team, &team, tool);
                    }
                }
            }
        }
        let end_user = self.entries(Level::EndUser, index);
        v.apply(Level::EndUser, &end_user, tool);
        if v.reasons.len() == before {
            v.reasons.push(Reason::NoToolRestriction);
        }
        let decision = if v.callable {
            CallDecision::Allowed
        } else {
            CallDecision::ToolNotAllowed
        };
        finish(server, tool, decision, v)
    }
}

fn finish<'a>(
    server: Option<&'a McpServer>,
    tool: &str,
    decision: CallDecision,
    v: Verdict,
) -> ToolExplanation<'a> {
    ToolExplanation {
        server,
        tool: tool.to_owned(),
        decision,
        listed: v.listed,
        reasons: v.reasons,
    }
}

fn denied<'a>(tool: &str, decision: CallDecision, reason: Reason) -> ToolExplanation<'a> {
    ToolExplanation {
        server: None,
        tool: tool.to_owned(),
        decision,
        listed: false,
        reasons: vec![reason],
    }
}

/// Serializes as `{"server_id", "tool", "allowed", "listed", "decision", "reasons"}`.
impl Serialize for ToolExplanation<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("ToolExplanation", 6)?;
        st.serialize_field("server_id", &self.server.map(McpServer::id))?;
        st.serialize_field("tool", &self.tool)?;
        st.serialize_field("allowed", &self.is_allowed())?;
        st.serialize_field("listed", &self.listed)?;
        st.serialize_field("decision", self.decision.code())?;
        let reasons: Vec<WithMessage<'_>> = self.reasons.iter().map(WithMessage::new).collect();
        st.serialize_field("reasons", &reasons)?;
        st.end()
    }
}
