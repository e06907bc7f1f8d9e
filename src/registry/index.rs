//! The registry's lookup tables, built in one validating pass over the servers' names.
//!
//! Every name a table keys on is stored once, in one [`Text`]. One exact table serves the
//! three questions asked of a name as it is spelled (which servers a reference names,
//! which servers bear a tool-name prefix, which show it): a name without spaces, the usual
//! case, is one slot for all three, so indexing it is one probe, and so is a lookup.

use std::collections::HashMap;

use uuid::Uuid;

use crate::error::RegistryProblem;
use crate::hash::FxBuild;
use crate::id::parse_uuid;
use crate::names::{Forms, NameTable, Text};
use crate::naming::Routing;
use crate::server::McpServer;

/// The servers that bear one name, in registry order, without repeats.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) enum Members {
    #[default]
    Empty,
    One(u32),
    /// Two or more: a list in [`MemberLists`].
    Many(u32),
}

/// The member lists of names several servers bear, for every table at once, so that a
/// table's value stays a few bytes.
#[derive(Debug, Default)]
struct MemberLists {
    lists: Vec<Vec<u32>>,
    /// Set when a list could not be numbered (more than `u32::MAX` of them).
    overflowed: bool,
}

impl MemberLists {
    /// Adds server `i`. Servers are added in registry order, so a repeat is the last one,
    /// except that ids are indexed before names: [`MemberLists::restore_order`] then puts
    /// back the order of a list that a name's other form shares with an id.
    #[inline]
    fn add(&mut self, members: &mut Members, i: u32) {
        match *members {
            Members::Empty => *members = Members::One(i),
            Members::One(j) if j == i => {}
            _ => self.add_to_list(members, i),
        }
    }

    /// [`MemberLists::add`] where `members` is or becomes a list.
    fn add_to_list(&mut self, members: &mut Members, i: u32) {
        match *members {
            Members::Empty => *members = Members::One(i),
            Members::One(j) => {
                let Ok(at) = u32::try_from(self.lists.len()) else {
                    self.overflowed = true;
                    return;
                };
                // Room for a few more: lists of shared names are short, groups' longer.
                let mut list = Vec::with_capacity(4);
                list.extend([j, i]);
                self.lists.push(list);
                *members = Members::Many(at);
            }
            Members::Many(at) => {
                if let Some(list) = self.lists.get_mut(at as usize) {
                    if list.last() != Some(&i) {
                        list.push(i);
                    }
                }
            }
        }
    }

    /// Sorts, without repeats, the lists that are not.
    fn restore_order(&mut self) {
        for list in &mut self.lists {
            if !list.is_sorted() {
                list.sort_unstable();
                list.dedup();
            }
        }
    }

    fn get<'a>(&'a self, members: &'a Members) -> &'a [u32] {
        match members {
            Members::Empty => &[],
            Members::One(i) => std::slice::from_ref(i),
            Members::Many(at) => self.lists.get(*at as usize).map_or(&[], Vec::as_slice),
        }
    }
}

/// What a reference string names (SPEC "Name resolution").
#[derive(Debug, Clone, Copy)]
pub(crate) enum Named {
    /// The string is this server's id. An alias or name that equals an id can only be
    /// that same server's (the registry refuses the others), so the id answers alone.
    Id(u32),
    /// The string is no server's id; these servers bear it as alias or name.
    Names(Members),
}

/// What one name, as spelled, is to the registry: any of a reference, a tool-name prefix
/// ([`Routing::AnySpelling`]), a shown prefix ([`Routing::ShownPrefix`]) and the lowercase
/// form of ids, aliases and names (for requests that name servers in any case).
#[derive(Debug, Clone, Copy, Default)]
struct Roles {
    reference: Option<Named>,
    prefix: Members,
    shown: Members,
    lowercase: Members,
}

/// Lengths of names, for a lookup that first asks whether any name is that long.
#[derive(Debug, Default)]
struct Lengths {
    /// Lengths below 256, one bit each.
    short: [u64; 4],
    long: Vec<usize>,
}

impl Lengths {
    fn insert(&mut self, len: usize) {
        match self.short.get_mut(len / 64) {
            Some(word) => *word |= 1 << (len % 64),
            None => self.long.push(len),
        }
    }

    /// Sorts the long lengths, for [`Lengths::contains`].
    fn seal(mut self) -> Self {
        self.long.sort_unstable();
        self.long.dedup();
        self
    }

    /// Whether some name is `len` bytes long: a bit test, or a search among the few
    /// lengths of 256 bytes and more.
    #[inline]
    fn contains(&self, len: usize) -> bool {
        match self.short.get(len / 64) {
            Some(word) => word & (1 << (len % 64)) != 0,
            None => self.long.binary_search(&len).is_ok(),
        }
    }
}

/// The lookup tables of a registry's servers.
#[derive(Debug)]
pub(crate) struct Index {
    text: Text,
    /// Every id, alias, server name, prefix spelling and lowercase form of the first
    /// three: a name in more than one of these forms is one key.
    names: NameTable<Roles>,
    by_uuid: HashMap<Uuid, u32, FxBuild>,
    groups: NameTable<Members>,
    lists: MemberLists,
    /// The lengths of the prefix spellings (`long` sorted).
    prefix_lengths: Lengths,
    shown_lengths: Lengths,
    allow_all: Vec<u32>,
}

/// The lengths of the prefix spellings, for each [`Routing`].
#[derive(Debug, Default)]
struct PrefixLengths {
    any: Lengths,
    shown: Lengths,
}

/// Adds server `index` to the servers that bear a name (its `roles`, `len` bytes long) as
/// a tool-name prefix, and as their shown one if `shown`.
#[inline]
fn add_prefix(
    roles: &mut Roles,
    lists: &mut MemberLists,
    lengths: &mut PrefixLengths,
    len: usize,
    index: u32,
    shown: bool,
) {
    if matches!(roles.prefix, Members::Empty) {
        lengths.any.insert(len);
    }
    lists.add(&mut roles.prefix, index);
    if shown {
        if matches!(roles.shown, Members::Empty) {
            lengths.shown.insert(len);
        }
        lists.add(&mut roles.shown, index);
    }
}

/// Adds server `index` under the forms of its name `value` that are `value` itself (its
/// slot, `roles`): as a tool-name prefix (and the shown one, if `shown`) unless it has a
/// space, as a lowercase form unless it has a capital. Returns which forms differ.
#[inline]
fn add_own_forms(
    roles: &mut Roles,
    value: &str,
    index: u32,
    shown: bool,
    lists: &mut MemberLists,
    lengths: &mut PrefixLengths,
) -> Forms {
    let forms = Forms::of(value);
    if !forms.spaced {
        add_prefix(roles, lists, lengths, value.len(), index, shown);
    }
    if !forms.capitals {
        lists.add(&mut roles.lowercase, index);
    }
    forms
}

/// How many servers' names a build looks up ahead: their slots are read together, so that
/// the cache misses of a large table overlap instead of taking turns.
const BATCH: usize = 16;

/// An [`Index`] being built, and the problems found on the way.
struct Builder<'s> {
    servers: &'s [McpServer],
    text: Text,
    names: NameTable<Roles>,
    by_uuid: HashMap<Uuid, u32, FxBuild>,
    groups: NameTable<Members>,
    lists: MemberLists,
    lengths: PrefixLengths,
    allow_all: Vec<u32>,
    problems: Vec<RegistryProblem>,
}

impl<'s> Builder<'s> {
    fn new(servers: &'s [McpServer]) -> Self {
        // Sized once for every name, so that no table grows (and rehashes) on the way.
        // (The access groups' text is left out: reading it costs a cache miss per server,
        // and groups are few; the text grows for them if it must.)
        let (mut count, mut bytes) = (0usize, 0usize);
        for server in servers {
            for name in [Some(server.id().as_str()), server.alias(), server.name()]
                .into_iter()
                .flatten()
            {
                count += 1;
                bytes += name.len();
            }
        }
        Self {
            servers,
            text: Text::with_capacity(bytes),
            names: NameTable::with_capacity(count),
            by_uuid: HashMap::default(),
            groups: NameTable::default(),
            lists: MemberLists::default(),
            lengths: PrefixLengths::default(),
            allow_all: Vec::new(),
            problems: Vec::new(),
        }
    }

    /// Indexes every server's id; the problems of ids.
    fn add_ids(&mut self) {
        let servers = self.servers;
        for (i, server) in servers.iter().enumerate() {
            if i % BATCH == 0 {
                let next = servers.get(i..).unwrap_or_default().iter().take(BATCH);
                next.for_each(|s| self.names.prefetch(s.id().as_str()));
            }
            let Ok(index) = u32::try_from(i) else {
                self.problems.push(RegistryProblem::TooManyServers {
                    count: servers.len(),
                });
                break;
            };
            let id = server.id().as_str();
            if id.is_empty() {
                self.problems
                    .push(RegistryProblem::EmptyServerId { position: i });
                continue;
            }
            let Some((_, roles)) = self.names.entry(&mut self.text, id) else {
                continue;
            };
            if let Some(Named::Id(first)) = roles.reference {
                self.problems.push(RegistryProblem::DuplicateServerId {
                    id: id.to_owned(),
                    position: i,
                    first: first as usize,
                });
                continue;
            }
            if let Some(uuid) = parse_uuid(id) {
                if let Some(&other) = self.by_uuid.get(&uuid) {
                    self.problems.push(RegistryProblem::DuplicateUuid {
                        id: id.to_owned(),
                        position: i,
                        other: id_at(servers, other).to_owned(),
                        first: other as usize,
                    });
                    continue;
                }
                self.by_uuid.insert(uuid, index);
            }
            roles.reference = Some(Named::Id(index));
            // Its forms now, while its slot is at hand: the id is the shown prefix of a
            // server with neither alias nor name.
            let shown = server.alias().is_none() && server.name().is_none();
            let forms = add_own_forms(roles, id, index, shown, &mut self.lists, &mut self.lengths);
            if forms.spaced || forms.capitals {
                self.add_other_forms(id, forms, index, shown);
            }
        }
    }

    /// Adds server `index` under the forms of its name `value` that differ from `value`
    /// (other keys): its prefix spelling, and as its shown prefix if `shown`; its
    /// lowercase form.
    fn add_other_forms(&mut self, value: &str, forms: Forms, index: u32, shown: bool) {
        let (lists, lengths) = (&mut self.lists, &mut self.lengths);
        if forms.spaced {
            // A prefix spells each space `_`.
            let spelled = self.text.push_spaces_as_underscores(value);
            if let Some((_, roles)) = self.names.entry_at(&self.text, spelled) {
                add_prefix(roles, lists, lengths, value.len(), index, shown);
            }
        }
        if forms.capitals {
            let lower = self.text.push_lowercase(value);
            if let Some((_, roles)) = self.names.entry_at(&self.text, lower) {
                lists.add(&mut roles.lowercase, index);
            }
        }
    }

    /// Indexes every server's names, prefixes and groups, once every id is known; the
    /// problems of names.
    fn add_names(&mut self) {
        let servers = self.servers;
        for (index, server) in (0u32..).zip(servers) {
            if index as usize % BATCH == 0 {
                let next = servers.get(index as usize..).unwrap_or_default();
                for s in next.iter().take(BATCH) {
                    for name in [s.alias(), s.name()].into_iter().flatten() {
                        self.names.prefetch(name);
                    }
                }
            }
            // The prefix spellings are alias, name and id, in this order, the first the
            // shown one; the id's forms are in already.
            let mut shown = true;
            for (field, value) in [("alias", server.alias()), ("server_name", server.name())] {
                let Some(value) = value else { continue };
                let Some((_, roles)) = self.names.entry(&mut self.text, value) else {
                    continue;
                };
                if let Some(other) = add_name(roles, value, index, &self.by_uuid, &mut self.lists) {
                    self.problems.push(RegistryProblem::NameIsOtherServerId {
                        field,
                        value: value.to_owned(),
                        server: server.id().to_string(),
                        other: id_at(servers, other).to_owned(),
                    });
                }
                let forms = add_own_forms(
                    roles,
                    value,
                    index,
                    shown,
                    &mut self.lists,
                    &mut self.lengths,
                );
                if forms.spaced || forms.capitals {
                    self.add_other_forms(value, forms, index, shown);
                }
                shown = false;
            }
            for group in server.access_groups() {
                if let Some((_, members)) = self.groups.entry(&mut self.text, group) {
                    self.lists.add(members, index);
                }
            }
            if server.is_allow_all_keys() {
                self.allow_all.push(index);
            }
        }
    }

    fn finish(mut self) -> Result<Index, Vec<RegistryProblem>> {
        if self.lists.overflowed && self.problems.is_empty() {
            self.problems.push(RegistryProblem::TooManyServers {
                count: self.servers.len(),
            });
        }
        if !self.problems.is_empty() {
            return Err(self.problems);
        }
        self.lists.restore_order();
        self.text.shrink_to_fit();
        Ok(Index {
            text: self.text,
            names: self.names,
            by_uuid: self.by_uuid,
            groups: self.groups,
            lists: self.lists,
            prefix_lengths: self.lengths.any.seal(),
            shown_lengths: self.lengths.shown.seal(),
            allow_all: self.allow_all,
        })
    }
}

impl Index {
    /// Validates the servers' ids and names and indexes them, or returns every problem
    /// found, in registry order: first the ids' (empty, duplicate, the same UUID twice,
    /// too many servers), then the names' (an alias or name that is another server's id).
    pub(crate) fn build(servers: &[McpServer]) -> Result<Self, Vec<RegistryProblem>> {
        let mut builder = Builder::new(servers);
        builder.add_ids();
        builder.add_names();
        builder.finish()
    }

    /// What `reference` names exactly: a server's id, or aliases and names.
    #[allow(clippy::inline_always)] // one probe: a call would cost a fifth of it again
    #[inline(always)]
    pub(crate) fn reference(&self, reference: &str) -> Option<&Named> {
        self.names
            .get(&self.text, reference)
            .and_then(|roles| roles.reference.as_ref())
    }

    /// The servers `named` names.
    pub(crate) fn named<'a>(&'a self, named: &'a Named) -> &'a [u32] {
        match named {
            Named::Id(i) => std::slice::from_ref(i),
            Named::Names(members) => self.lists.get(members),
        }
    }

    /// The server with id `uuid`, compared as a UUID.
    pub(crate) fn uuid(&self, uuid: &Uuid) -> Option<&u32> {
        self.by_uuid.get(uuid)
    }

    /// Whether some server's id is a UUID.
    pub(crate) fn has_uuids(&self) -> bool {
        !self.by_uuid.is_empty()
    }

    /// Servers whose id, alias or name equals `name` ignoring ASCII case.
    pub(crate) fn caseless(&self, name: &str) -> &[u32] {
        self.names
            .get_lowercase(&self.text, name)
            .map_or(&[], |roles| self.lists.get(&roles.lowercase))
    }

    /// Whether some server bears a tool-name prefix `len` bytes long, under `routing`.
    pub(crate) fn has_prefix_length(&self, len: usize, routing: Routing) -> bool {
        let lengths = match routing {
            Routing::AnySpelling => &self.prefix_lengths,
            Routing::ShownPrefix => &self.shown_lengths,
        };
        lengths.contains(len)
    }

    /// Servers that bear `spelling` as a tool-name prefix, under `routing`.
    pub(crate) fn prefix(&self, spelling: &str, routing: Routing) -> &[u32] {
        self.names.get(&self.text, spelling).map_or(&[], |roles| {
            self.lists.get(match routing {
                Routing::AnySpelling => &roles.prefix,
                Routing::ShownPrefix => &roles.shown,
            })
        })
    }

    /// The servers in `group`, by their own `mcp_access_groups`.
    pub(crate) fn group(&self, group: &str) -> &[u32] {
        self.groups
            .get(&self.text, group)
            .map_or(&[], |m| self.lists.get(m))
    }

    /// The `allow_all_keys` servers, in registry order.
    pub(crate) fn allow_all(&self) -> &[u32] {
        &self.allow_all
    }
}

/// Adds server `index` to the servers that bear `value` as alias or name (its `roles`),
/// unless `value` is another server's id: then that server.
fn add_name(
    roles: &mut Roles,
    value: &str,
    index: u32,
    by_uuid: &HashMap<Uuid, u32, FxBuild>,
    lists: &mut MemberLists,
) -> Option<u32> {
    match &mut roles.reference {
        // A server may bear its own id as alias or name: the id answers for it.
        Some(Named::Id(other)) => Some(*other).filter(|&other| other != index),
        reference => {
            // Another spelling of a UUID id is that id, too.
            if let Some(&other) = (!by_uuid.is_empty())
                .then(|| parse_uuid(value))
                .flatten()
                .and_then(|u| by_uuid.get(&u))
                .filter(|&&other| other != index)
            {
                return Some(other);
            }
            match reference {
                Some(Named::Names(members)) => lists.add(members, index),
                _ => *reference = Some(Named::Names(Members::One(index))),
            }
            None
        }
    }
}

fn id_at(servers: &[McpServer], index: u32) -> &str {
    servers.get(index as usize).map_or("", |s| s.id().as_str())
}
