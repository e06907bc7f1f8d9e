//! SPEC 3.2: the server fold over the levels, as the semantics orders them.

use crate::level::{Level, PerLevel};
use crate::request::Settings;
use crate::resolve::Levels;
use crate::resolve::grant::{Grant, Meet};
use crate::resolve::trace::{Event, Removal, Trace};
use crate::semantics::{Rules, Step};

/// The result so far: unbounded until a granting level declares.
enum Bound<'g> {
    Unbounded,
    Bounded(Meet<'g>),
}

/// The fold's state and what it reports to.
struct Fold<'g, 't, T> {
    base: Bound<'g>,
    /// The registry's size, to enumerate "every server" for the trace.
    servers: u32,
    trace: &'t mut T,
}

impl<'g, T: Trace> Fold<'g, '_, T> {
    fn report(&mut self, members: impl Iterator<Item = u32>, removal: Removal) {
        for server in members {
            self.trace.event(Event::Removed { server, removal });
        }
    }

    /// Every server `meet` holds (for the trace only: it allocates).
    fn members(meet: &Meet<'_>, servers: u32) -> Vec<u32> {
        let mut out = Vec::new();
        meet.for_each(servers, |i| out.push(i));
        out
    }

    /// Bounds the result by `grant`: `first` when nothing bounded it before, `after`
    /// when something did.
    fn bound(&mut self, grant: &'g Grant, first: Removal, after: Removal) {
        let n = self.servers;
        match std::mem::replace(&mut self.base, Bound::Unbounded) {
            Bound::Unbounded => {
                if T::ON {
                    self.report((0..n).filter(|&i| !grant.contains(i)), first);
                }
                self.base = Bound::Bounded(Meet::of(grant));
            }
            Bound::Bounded(mut base) => {
                if T::ON {
                    let removed: Vec<u32> = Self::members(&base, n)
                        .into_iter()
                        .filter(|&i| !grant.contains(i))
                        .collect();
                    self.report(removed.into_iter(), after);
                }
                base.bound(grant);
                self.base = Bound::Bounded(base);
            }
        }
    }

    /// Empties the result.
    fn empty(&mut self, removal: Removal) {
        if T::ON {
            let n = self.servers;
            let removed: Vec<u32> = match &self.base {
                Bound::Unbounded => (0..n).collect(),
                Bound::Bounded(base) => Self::members(base, n),
            };
            self.report(removed.into_iter(), removal);
        }
        self.base = Bound::Bounded(Meet::none());
    }

    /// Closes the granting chain: unbounded means no granting level declared, so nothing.
    fn close(&mut self) {
        if matches!(self.base, Bound::Unbounded) {
            self.empty(Removal::NothingDeclared);
        }
    }

    fn into_meet(mut self) -> Meet<'g> {
        self.close();
        match self.base {
            Bound::Bounded(meet) => meet,
            Bound::Unbounded => Meet::none(),
        }
    }
}

/// SPEC 3.2 (and SPEC 7's order under LiteLLM): the servers the levels grant, before
/// `allow_all_keys` servers join.
pub(crate) fn combine<'c, T: Trace>(
    levels: &Levels<'_, 'c>,
    identified: bool,
    servers: u32,
    settings: Settings,
    rules: Rules,
    trace: &mut T,
) -> Meet<'c> {
    let steps = rules.server_steps();
    let declares: PerLevel<bool> =
        PerLevel(Level::ALL.map(|l| levels[l].is_some_and(|p| p.compiled.declares)));
    let mut fold = Fold {
        base: Bound::Unbounded,
        servers,
        trace,
    };
    // LiteLLM: whether a level before the organization restricted.
    let mut restricted = false;
    for (at, &step) in steps.iter().enumerate() {
        let level = step.level();
        let input = levels[level];
        let grant = input
            .filter(|_| declares[level])
            .map(|p| &p.compiled.servers);
        match (step, grant) {
            (Step::Ceiling(_), Some(grant)) => {
                fold.bound(
                    grant,
                    Removal::NotGranted(level),
                    Removal::OutsideCeiling(level),
                );
            }
            (Step::Ceiling(Level::Key), None) if settings.require_key_mcp_access_defined => {
                fold.empty(Removal::MustDeclare(Level::Key));
            }
            (Step::Ceiling(_), None) => {
                let later = steps.get(at + 1..).unwrap_or_default();
                let inherits = later
                    .iter()
                    .any(|s| matches!(s, Step::Ceiling(l) if declares[*l]));
                if T::ON && inherits && matches!(fold.base, Bound::Unbounded) {
                    fold.trace.event(Event::Inherits { level });
                }
            }
            (Step::Narrow(_), Some(grant)) => {
                fold.close();
                fold.bound(grant, Removal::Narrowed(level), Removal::Narrowed(level));
            }
            (Step::Narrow(Level::EndUser), None)
                if identified && settings.require_end_user_mcp_access_defined =>
            {
                restricted = true;
                fold.empty(Removal::MustDeclare(Level::EndUser));
            }
            (Step::Narrow(_) | Step::NarrowOrReplace(_), None) => {}
            (Step::NarrowOrReplace(_), Some(grant)) => {
                if restricted {
                    fold.close();
                    fold.bound(
                        grant,
                        Removal::OutsideCeiling(level),
                        Removal::OutsideCeiling(level),
                    );
                } else {
                    if T::ON {
                        fold.trace.event(Event::Replaced);
                        let n = fold.servers;
                        fold.report(
                            (0..n).filter(|&i| !grant.contains(i)),
                            Removal::ReplacedByOrganization,
                        );
                    }
                    fold.base = Bound::Bounded(Meet::of(grant));
                }
            }
        }
        if let Some(input) = input {
            restricted |= input.compiled.keeps_organization_out;
            if let Some(at) = input.compiled.denies_servers() {
                fold.empty(Removal::ToolsetDenies(level, at));
            }
        }
    }
    fold.into_meet()
}
