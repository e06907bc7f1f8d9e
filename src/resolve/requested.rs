//! SPEC 3.6 (and SPEC 7's one server per name): requested names keep the visible servers
//! they pick; they never grant.

use crate::compile::Compiler;
use crate::registry::IdMatch;
use crate::resolve::grant::sort_dedup;
use crate::resolve::trace::{Event, Trace};

/// Keeps the servers of `visible` (sorted) that some name picks, and reports each pick.
pub(crate) fn filter<'n, T: Trace>(
    compiler: &Compiler<'_>,
    names: impl Iterator<Item = &'n str>,
    visible: &mut Vec<u32>,
    trace: &mut T,
) {
    let registry = compiler.registry();
    let rules = compiler.rules();
    let mut picked: Vec<u32> = Vec::new();
    let is_visible = |i: &u32| visible.binary_search(i).is_ok();
    for (at, name) in (0u32..).zip(names) {
        let mut pick = |server: u32, group: bool, picked: &mut Vec<u32>| {
            picked.push(server);
            if T::ON {
                trace.event(Event::Picked { server, at, group });
            }
        };
        let by_name = registry
            .lookup_caseless(name)
            .iter()
            .copied()
            .filter(is_visible);
        let before = picked.len();
        if rules.one_server_per_requested_name {
            // The first visible server in registry order.
            if let Some(i) = by_name.take(1).next() {
                pick(i, false, &mut picked);
            }
        } else {
            for i in by_name {
                pick(i, false, &mut picked);
            }
            // A UUID id in any spelling.
            if let Some(i) = registry.id_index(name, IdMatch::Uuid).filter(is_visible) {
                pick(i, false, &mut picked);
            }
        }
        // Under LiteLLM a name is read as an access group only when it picked no server.
        if !rules.one_server_per_requested_name || picked.len() == before {
            compiler.for_group(name, |i| {
                if is_visible(&i) {
                    pick(i, true, &mut picked);
                }
            });
        }
    }
    sort_dedup(&mut picked);
    if T::ON {
        for &server in visible.iter() {
            if picked.binary_search(&server).is_err() {
                trace.event(Event::NotRequested { server });
            }
        }
    }
    *visible = picked;
}
