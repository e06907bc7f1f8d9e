//! Tool explanations: which list allowed or denied one tool on one server, from the same
//! functions the resolver decides with.

use serde::Serialize;
use serde::ser::{SerializeStruct, Serializer};

use crate::explain::{Explanation, WithMessage};
use crate::level::Level;
use crate::naming::ToolNaming;
use crate::reason::{Reason, part_path, toolsets_path};
use crate::registry::Entry;
use crate::resolution::{CallDecision, Routed};
use crate::resolve::tools::{self, LevelList, Purpose, ServerFilter};
use crate::resolve::trace::{Event, Ignored, Record};
use crate::semantics::Rules;
use crate::server::McpServer;

/// Whether a call to one tool may run and whether the tool is listed, and why.
///
/// Made by [`Explanation::tool`] or [`Explanation::prefixed_tool`]; the decision and the
/// listing are the resolution's own. Under the default semantics a tool is listed exactly
/// when a call to it is allowed; under LiteLLM 1.106 a call may be allowed for a tool the
/// listing hides.
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

impl<'a> Explanation<'a> {
    /// Explains a call to bare tool `tool` on the server a reference (id, alias or server
    /// name) names; a reference that names no server or several is denied.
    #[must_use]
    pub fn tool(&self, server: &str, tool: &str) -> ToolExplanation<'a> {
        let decision = self.resolution.decide_call(server, tool);
        if let Ok(index) = self.resolution.reference(server) {
            return self.tool_at(index, tool, decision, Vec::new());
        }
        let reference = server.to_owned();
        let reason = if decision == CallDecision::UnknownServer {
            Reason::UnknownServer { reference }
        } else {
            Reason::AmbiguousServer { reference }
        };
        denied(tool, decision, reason)
    }

    /// Explains a call by prefixed name (`{prefix}-{tool}`), routed as
    /// [`Resolution::route`](crate::Resolution::route) routes it.
    #[must_use]
    pub fn prefixed_tool(&self, name: &str) -> ToolExplanation<'a> {
        self.prefixed_tool_with(name, &ToolNaming::LITELLM)
    }

    /// [`Explanation::prefixed_tool`] under another naming.
    #[must_use]
    pub fn prefixed_tool_with(&self, name: &str, naming: &ToolNaming) -> ToolExplanation<'a> {
        let routed = self.resolution.route_detail(name, naming);
        let decision = self.resolution.decide_routed(&routed);
        match routed {
            Routed::To {
                index,
                prefix,
                tool,
            } => {
                let routed = Reason::RoutedByPrefix {
                    prefix: prefix.to_owned(),
                    tool: tool.to_owned(),
                };
                self.tool_at(index, tool, decision, vec![routed])
            }
            Routed::Ambiguous { prefix } => {
                let reason = Reason::AmbiguousPrefix {
                    name: name.to_owned(),
                    prefix: prefix.to_owned(),
                };
                denied(name, decision, reason)
            }
            Routed::Unknown => denied(
                name,
                decision,
                Reason::UnknownPrefix {
                    name: name.to_owned(),
                },
            ),
        }
    }

    /// SPEC 4 for one tool on server `index`: the reasons of the lists the resolver
    /// consults, around the resolution's own `decision`.
    fn tool_at(
        &self,
        index: u32,
        tool: &str,
        decision: CallDecision,
        mut reasons: Vec<Reason>,
    ) -> ToolExplanation<'a> {
        let registry = self.registry();
        let entry = registry.entry(index);
        let server = Some(&entry.server);
        let listed = self.resolution.is_listed_at(index, tool);
        let done = |reasons| ToolExplanation {
            server,
            tool: tool.to_owned(),
            decision,
            listed,
            reasons,
        };
        if !self.resolution.is_visible_index(index) {
            reasons.push(Reason::ServerNotVisible);
            return done(reasons);
        }
        if tool.is_empty() {
            reasons.push(Reason::EmptyToolName);
            return done(reasons);
        }
        let before = reasons.len();
        let rules = self.semantics().rules();
        server_lists(entry, tool, rules, &mut reasons);

        let levels = self.levels();
        let mut record = Record::default();
        let restrictions = tools::restrictions(&levels, registry, index, rules, &mut record);
        let ids = rules.id_match();
        let list_of = |level: Level| {
            levels[level]
                .as_ref()
                .and_then(|input| LevelList::for_server(input, registry, index, ids))
        };
        for event in &record.0 {
            let Event::ToolListIgnored { level, why, .. } = *event else {
                continue;
            };
            let Some(list) = list_of(level) else { continue };
            let Some(permission) = self.permissions[level] else {
                continue;
            };
            match why {
                Ignored::Wildcard(part) => reasons.push(Reason::ToolListWildcard {
                    level,
                    path: part_path(level, permission, part),
                }),
                Ignored::TeamEmpty | Ignored::KeyEmpty => {
                    for (part, _) in list.parts() {
                        let path = part_path(level, permission, part);
                        reasons.push(if why == Ignored::TeamEmpty {
                            Reason::TeamEmptyListIgnored { path }
                        } else {
                            Reason::KeyEmptyListIgnored { path }
                        });
                    }
                }
            }
        }
        if let Some((level, at)) = restrictions.denied {
            reasons.push(Reason::ToolsDeniedByToolset {
                level,
                path: toolsets_path(level, at as usize),
            });
        }
        // In fold order: the key's list first, then its ceilings', then the narrowing ones.
        let lists = rules
            .server_steps()
            .iter()
            .filter_map(|step| restrictions.lists[step.level()]);
        for list in lists {
            let level = list.level();
            let Some(permission) = self.permissions[level] else {
                continue;
            };
            let including: Vec<String> = list
                .parts()
                .filter(|(_, names)| names.iter().any(|t| t == tool))
                .map(|(part, _)| part_path(level, permission, part))
                .collect();
            if including.is_empty() {
                for (part, names) in list.parts() {
                    let path = part_path(level, permission, part);
                    reasons.push(if names.is_empty() {
                        Reason::ToolListEmpty { level, path }
                    } else {
                        Reason::ToolListExcludes { level, path }
                    });
                }
            } else {
                reasons.extend(
                    including
                        .into_iter()
                        .map(|path| Reason::ToolListIncludes { level, path }),
                );
            }
        }
        if reasons.len() == before {
            reasons.push(Reason::NoToolRestriction);
        }
        done(reasons)
    }
}

/// SPEC 4.1: what the server's own lists say of `tool`, for listing and for calls.
fn server_lists(entry: &Entry, tool: &str, rules: Rules, reasons: &mut Vec<Reason>) {
    let listing = ServerFilter::new(entry, Purpose::List, rules);
    if let Some(allow) = listing.allow {
        reasons.push(if allow.contains(tool) {
            Reason::ServerAllowlistIncludes
        } else {
            Reason::ServerAllowlistExcludes
        });
    }
    if listing.deny.is_some_and(|d| d.contains(tool)) {
        reasons.push(Reason::ServerDenylistDenies);
        if ServerFilter::new(entry, Purpose::Call, rules)
            .deny
            .is_none()
        {
            reasons.push(Reason::DenylistIgnoredOnCall);
        }
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
