//! What the resolver reports as it decides: explanations are built from this record, so
//! they cannot disagree with the decision they explain.

use crate::compile::{Source, ToolPart};
use crate::level::Level;

/// Why the admin view did not apply to a caller who has it (SPEC 3.4, 7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AdminOff {
    /// The key sets `mcp_servers` (`[]` counts as set).
    KeySetsServers,
    /// LiteLLM 1.110: the key is on a team.
    KeyOnTeam,
    /// LiteLLM: the key's owner restricts.
    UserRestricts,
}

/// Why a step of the server fold removed a server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Removal {
    /// The first level to declare does not grant it.
    NotGranted(Level),
    /// A granting level above the one that granted it does not (it is a ceiling).
    OutsideCeiling(Level),
    /// A narrowing level declares and does not grant it.
    Narrowed(Level),
    /// No granting level declares anything.
    NothingDeclared,
    /// A `require_*_mcp_access_defined` setting, and the level declares nothing.
    MustDeclare(Level),
    /// LiteLLM: the organization's grant replaced the result, without it.
    ReplacedByOrganization,
    /// LiteLLM: a level's `mcp_toolsets[at]` names no toolset or one with no tools.
    ToolsetDenies(Level, u32),
}

/// Why a level's tool list for a server was not applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ignored {
    /// It holds `"*"` (in this part).
    Wildcard(ToolPart),
    /// LiteLLM 1.106: the team's list is `[]`, which counts as none.
    TeamEmpty,
    /// LiteLLM 1.106: the key's list is `[]`, ignored under the team's non-empty list.
    KeyEmpty,
}

/// One decision of the resolver.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Event {
    /// SPEC 3.3: the key's `mcp_servers[at]` is `no-mcp-servers`.
    Blocked { at: u32 },
    /// SPEC 3.4: the admin view applies; `ignored` levels' server grants are skipped.
    AdminView,
    /// The caller has the admin view and it does not apply.
    AdminViewOff(AdminOff),
    /// A level's entry grants a server (or, with `source` a tool permission that does not
    /// grant, names it).
    Grant {
        level: Level,
        server: u32,
        source: Source,
    },
    /// `level` declares nothing, so the result is inherited from the levels above it.
    Inherits { level: Level },
    /// A step of the server fold removed `server`.
    Removed { server: u32, removal: Removal },
    /// LiteLLM: the organization's grant became the result.
    Replaced,
    /// SPEC 3.5: `server` has `allow_all_keys`.
    AllowAllKeys { server: u32 },
    /// SPEC 3.6: `requested[at]` picks `server`, by name or as an access group.
    Picked { server: u32, at: u32, group: bool },
    /// SPEC 3.6: no requested name picks `server`.
    NotRequested { server: u32 },
    /// SPEC 4.2: `level`'s tool list for `server` is not applied.
    ToolListIgnored {
        server: u32,
        level: Level,
        why: Ignored,
    },
}

/// Observes the resolver. Resolution uses [`NoTrace`], whose `ON` is false: the resolver
/// builds no event for it, and its empty method compiles away.
pub(crate) trait Trace {
    /// Whether events are wanted at all: work done only to report is skipped when not.
    const ON: bool;
    fn event(&mut self, event: Event);
}

/// Records nothing.
pub(crate) struct NoTrace;

impl Trace for NoTrace {
    const ON: bool = false;
    #[inline(always)]
    fn event(&mut self, _: Event) {}
}

/// Records every event, in order.
#[derive(Debug, Default)]
pub(crate) struct Record(pub(crate) Vec<Event>);

impl Trace for Record {
    const ON: bool = true;
    fn event(&mut self, event: Event) {
        self.0.push(event);
    }
}
