//! The compiled server registry: validated once, indexed for lookups that never scan.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use uuid::Uuid;

use crate::error::{RegistryError, RegistryProblem};
use crate::groups::AccessGroups;
use crate::hash::{Caseless, CaselessRef, FxBuild, FxIndexMap};
use crate::id::parse_uuid;
use crate::naming::Routing;
use crate::resolve::tools::OwnScopes;
use crate::server::McpServer;
use crate::tools::SortedNames;
use crate::toolset::Toolset;

/// The servers that bear one name, in registry order, without repeats.
#[derive(Debug, Clone)]
pub(crate) enum Members {
    One(u32),
    Many(Vec<u32>),
}

impl Members {
    pub(crate) fn as_slice(&self) -> &[u32] {
        match self {
            Self::One(i) => std::slice::from_ref(i),
            Self::Many(v) => v,
        }
    }

    // INVARIANT: servers are added in registry order, so a repeat can only be the last.
    fn add(&mut self, i: u32) {
        match self {
            Self::One(j) if *j == i => {}
            Self::One(j) => *self = Self::Many(vec![*j, i]),
            Self::Many(v) => {
                if v.last() != Some(&i) {
                    v.push(i);
                }
            }
        }
    }
}

type IdMap = HashMap<Arc<str>, u32, FxBuild>;
type UuidMap = HashMap<Uuid, u32, FxBuild>;

/// What a reference string names (SPEC "Name resolution").
#[derive(Debug, Clone)]
pub(crate) enum Named {
    /// The string is this server's id. An alias or name that equals an id can only be
    /// that same server's (the registry refuses the others), so the id answers alone.
    Id(u32),
    /// The string is no server's id; these servers bear it as alias or name.
    Names(Members),
}

impl Named {
    fn as_slice(&self) -> &[u32] {
        match self {
            Self::Id(i) => std::slice::from_ref(i),
            Self::Names(m) => m.as_slice(),
        }
    }
}

fn add_name(by_ref: &mut HashMap<Arc<str>, Named, FxBuild>, value: &Arc<str>, index: u32) {
    // INVARIANT: validation refused an alias or name that is another server's id, so a
    // value that is an id here is this server's own.
    match by_ref.get_mut(&**value) {
        Some(Named::Id(_)) => {}
        Some(Named::Names(members)) => members.add(index),
        None => {
            by_ref.insert(Arc::clone(value), Named::Names(Members::One(index)));
        }
    }
}

/// Adds server `index` to the members of `key`.
fn add_shared<K, S>(map: &mut HashMap<K, Members, S>, key: K, index: u32)
where
    K: std::hash::Hash + Eq,
    S: std::hash::BuildHasher,
{
    map.entry(key)
        .and_modify(|m| m.add(index))
        .or_insert(Members::One(index));
}

/// The spellings a tool-name prefix may use for a server (see [`McpServer::spellings`]):
/// the given names with spaces as `_`, without repeats, sharing a name that has no space.
fn spellings(names: [Option<&Arc<str>>; 3]) -> Vec<Arc<str>> {
    let mut out: Vec<Arc<str>> = Vec::with_capacity(3);
    for name in names.into_iter().flatten() {
        let spelled = if name.contains(' ') {
            Arc::from(name.replace(' ', "_"))
        } else {
            Arc::clone(name)
        };
        if !out.contains(&spelled) {
            out.push(spelled);
        }
    }
    out
}

/// Indexes server `index` under every spelling of its prefix, and under the shown one.
fn index_prefixes(
    by_prefix: &mut HashMap<Arc<str>, Members, FxBuild>,
    by_shown: &mut HashMap<Arc<str>, Members, FxBuild>,
    spellings: &[Arc<str>],
    index: u32,
) {
    for spelling in spellings {
        add_shared(by_prefix, Arc::clone(spelling), index);
    }
    // INVARIANT: `spellings` starts with the alias, else the name, else the id: the shown
    // prefix.
    if let Some(shown) = spellings.first() {
        add_shared(by_shown, Arc::clone(shown), index);
    }
}

/// A server with its tool lists compiled.
#[derive(Debug)]
pub(crate) struct Entry {
    pub(crate) server: McpServer,
    /// `allowed_tools` with every prefixed entry also read bare; `None`: no allowlist.
    pub(crate) allow: Option<Arc<SortedNames>>,
    /// `disallowed_tools`, likewise.
    pub(crate) deny: Arc<SortedNames>,
    /// `allow` without the tools `deny` names, when `deny` removes some (else `allow`
    /// itself is that set): the scope of a server no level restricts, computed once here
    /// instead of on every request.
    pub(crate) allow_not_denied: Option<Arc<SortedNames>>,
    /// The scopes these lists give when no level restricts the server.
    pub(crate) own: OwnScopes,
}

impl Entry {
    /// `server` with its tool lists compiled, reading prefixed entries by `spellings`.
    fn new(server: McpServer, spellings: &[Arc<str>]) -> Self {
        let allow =
            (!server.allowed_tools().is_empty()).then(|| expand(spellings, server.allowed_tools()));
        let deny = expand(spellings, server.disallowed_tools());
        let allow_not_denied = allow
            .as_ref()
            .filter(|a| !deny.is_empty() && a.iter().any(|t| deny.contains(t)))
            .map(|a| a.without(&deny));
        let (allow, deny) = (allow.map(Arc::new), Arc::new(deny));
        let allow_not_denied = allow_not_denied.map(Arc::new);
        let own = OwnScopes::new(allow.as_ref(), &deny, allow_not_denied.as_ref());
        Self {
            server,
            allow,
            deny,
            allow_not_denied,
            own,
        }
    }
}

/// Every entry of a server-level tool list names the tool it spells and, when it starts
/// with one of the server's own spellings and `-`, the bare tool after that prefix:
/// LiteLLM configurations write these lists both ways.
fn expand(spellings: &[Arc<str>], list: &[String]) -> SortedNames {
    let mut names: Vec<&str> = Vec::with_capacity(list.len());
    for entry in list {
        names.push(entry);
        for spelling in spellings {
            if let Some(bare) = entry
                .strip_prefix(&**spelling)
                .and_then(|rest| rest.strip_prefix('-'))
            {
                if !bare.is_empty() {
                    names.push(bare);
                }
            }
        }
    }
    SortedNames::from_strs(names)
}

/// The servers a gateway knows, validated and indexed.
///
/// Build it once (at start-up, or whenever the server table changes) and share it: it is
/// immutable and `Send + Sync`, and a clone shares its tables (cloning costs a reference
/// count, not a copy). Every lookup a resolution makes is a hash lookup, so the cost of a
/// request does not grow with the number of servers.
///
/// ```
/// use mcp_authz::{McpServer, ServerRegistry};
///
/// let registry = ServerRegistry::new([
///     McpServer::new("srv-a").with_alias("gh"),
///     McpServer::new("srv-b").with_alias("srv-a"),
/// ]);
/// assert_eq!(
///     registry.unwrap_err().to_string(),
///     "invalid server registry: alias `srv-a` of server `srv-b` is the id of server `srv-a`"
/// );
/// ```
#[derive(Clone)]
pub struct ServerRegistry {
    tables: Arc<Tables>,
}

/// Prints a summary (the number of servers and toolsets, and the first few ids), not the
/// tables: a registry of 10,000 servers stays one line in a log.
impl fmt::Debug for ServerRegistry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const SHOWN: usize = 4;
        struct Ids<'r>(&'r [Entry]);
        impl fmt::Debug for Ids<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let mut list = f.debug_list();
                list.entries(self.0.iter().take(SHOWN).map(|e| e.server.id().as_str()));
                if self.0.len() > SHOWN {
                    list.entry(&format_args!("... {} more", self.0.len() - SHOWN));
                }
                list.finish()
            }
        }
        f.debug_struct("ServerRegistry")
            .field("servers", &self.tables.entries.len())
            .field("ids", &Ids(&self.tables.entries))
            .field("allow_all_keys", &self.tables.allow_all.len())
            .field("toolsets", &self.tables.toolsets.len())
            .finish()
    }
}

/// The registry's servers and lookup tables, shared by every clone of it.
#[derive(Debug)]
pub(crate) struct Tables {
    pub(crate) entries: Vec<Entry>,
    /// Every id, alias and server name, to what it names as a reference: one probe
    /// resolves a reference.
    by_ref: HashMap<Arc<str>, Named, FxBuild>,
    by_uuid: HashMap<Uuid, u32, FxBuild>,
    by_caseless: FxIndexMap<Caseless, Members>,
    by_prefix: HashMap<Arc<str>, Members, FxBuild>,
    /// The lengths in bytes of the spellings in `by_prefix`, sorted, without repeats.
    prefix_lengths: Vec<usize>,
    /// Each server's shown prefix ([`McpServer::prefix`]), for [`Routing::ShownPrefix`].
    by_shown: HashMap<Arc<str>, Members, FxBuild>,
    shown_lengths: Vec<usize>,
    pub(crate) by_group: HashMap<Box<str>, Members, FxBuild>,
    pub(crate) allow_all: Vec<u32>,
    toolsets: Vec<ToolsetEntry>,
    by_toolset: HashMap<Box<str>, u32, FxBuild>,
    /// Tells this registry apart from every other one built in the process, so a
    /// permission compiled against another registry is never used with this one.
    generation: u64,
}

/// How ids in toolset entries are matched (SPEC 1.5: by id only; UUIDs as UUIDs under the
/// default semantics, exact strings under LiteLLM's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IdMatch {
    Uuid,
    Exact,
}

/// The tools one toolset lists for one registry server.
#[derive(Debug)]
pub(crate) struct ToolsetGroup {
    pub(crate) server: u32,
    /// The tool names, in the toolset's order.
    pub(crate) tools: Vec<String>,
    /// The position in the toolset's `tools` of the first entry for this server.
    pub(crate) first: u32,
}

/// A toolset with its entries grouped by the registry server they name.
#[derive(Debug)]
pub(crate) struct ToolsetEntry {
    pub(crate) toolset: Toolset,
    /// Groups sorted by server, for each [`IdMatch`] (`Uuid` first).
    groups: [Vec<ToolsetGroup>; 2],
    /// The positions of entries whose `server_id` names no registry server, likewise.
    unmatched: [Vec<u32>; 2],
}

impl ToolsetEntry {
    pub(crate) fn groups(&self, ids: IdMatch) -> &[ToolsetGroup] {
        let [uuid, exact] = &self.groups;
        match ids {
            IdMatch::Uuid => uuid,
            IdMatch::Exact => exact,
        }
    }

    pub(crate) fn unmatched(&self, ids: IdMatch) -> &[u32] {
        let [uuid, exact] = &self.unmatched;
        match ids {
            IdMatch::Uuid => uuid,
            IdMatch::Exact => exact,
        }
    }
}

static GENERATION: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

impl ServerRegistry {
    /// Validates and indexes `servers`, keeping their order.
    ///
    /// # Errors
    /// Every problem found, in registry order: an empty `server_id`, a duplicate
    /// `server_id` (UUID ids compare as UUIDs, so one UUID spelled twice is a duplicate),
    /// an alias or server name that is another server's id, or more servers than fit in a
    /// `u32`.
    pub fn new(servers: impl IntoIterator<Item = McpServer>) -> Result<Self, RegistryError> {
        Self::with_toolsets(servers, [])
    }

    /// [`ServerRegistry::new`], with the toolsets that permissions' `mcp_toolsets` name
    /// (SPEC 1.5).
    ///
    /// ```
    /// use mcp_authz::{McpServer, ServerRegistry, Toolset};
    ///
    /// let registry = ServerRegistry::with_toolsets(
    ///     [McpServer::new("srv-a")],
    ///     [Toolset::new("ts-1").with_tool("srv-a", "refund"), Toolset::new("ts-1")],
    /// );
    /// assert_eq!(
    ///     registry.unwrap_err().to_string(),
    ///     "invalid server registry: duplicate toolset id `ts-1` at position 1"
    /// );
    /// ```
    ///
    /// # Errors
    /// Every problem [`ServerRegistry::new`] reports, then every toolset problem: an empty
    /// or duplicate `toolset_id`.
    pub fn with_toolsets(
        servers: impl IntoIterator<Item = McpServer>,
        toolsets: impl IntoIterator<Item = Toolset>,
    ) -> Result<Self, RegistryError> {
        let servers: Vec<McpServer> = servers.into_iter().collect();
        let toolsets: Vec<Toolset> = toolsets.into_iter().collect();
        let n = servers.len();
        let validated = validate(&servers);
        let by_toolset = validate_toolsets(&toolsets);
        let (by_id, by_uuid, by_toolset) = match (validated, by_toolset) {
            (Ok((by_id, by_uuid)), Ok(by_toolset)) => (by_id, by_uuid, by_toolset),
            (servers, toolsets) => {
                let mut problems = servers
                    .err()
                    .map(|e| e.problems().to_vec())
                    .unwrap_or_default();
                problems.extend(toolsets.err().unwrap_or_default());
                return Err(RegistryError::new(problems));
            }
        };

        let mut by_ref: HashMap<Arc<str>, Named, FxBuild> = by_id
            .into_iter()
            .map(|(id, index)| (id, Named::Id(index)))
            .collect();
        by_ref.reserve(2 * n);
        let mut by_prefix: HashMap<Arc<str>, Members, FxBuild> = HashMap::default();
        by_prefix.reserve(2 * n);
        let mut by_shown: HashMap<Arc<str>, Members, FxBuild> = HashMap::default();
        by_shown.reserve(n);
        let mut by_group: HashMap<Box<str>, Members, FxBuild> = HashMap::default();
        let mut by_caseless: FxIndexMap<Caseless, Members> = FxIndexMap::default();
        by_caseless.reserve(2 * n);
        let mut allow_all = Vec::new();
        let mut entries = Vec::with_capacity(n);

        for (index, server) in (0u32..).zip(servers) {
            // Each name is allocated once and shared by the tables that key on it.
            let id = by_ref
                .get_key_value(server.id().as_str())
                .map_or_else(|| Arc::from(server.id().as_str()), |(k, _)| Arc::clone(k));
            let alias = server.alias().map(Arc::<str>::from);
            let name = server.name().map(Arc::<str>::from);
            for value in [&alias, &name].into_iter().flatten() {
                add_name(&mut by_ref, value, index);
            }
            for key in [Some(&id), alias.as_ref(), name.as_ref()]
                .into_iter()
                .flatten()
            {
                by_caseless
                    .entry(Caseless(Arc::clone(key)))
                    .and_modify(|m| m.add(index))
                    .or_insert(Members::One(index));
            }
            let spellings = spellings([alias.as_ref(), name.as_ref(), Some(&id)]);
            index_prefixes(&mut by_prefix, &mut by_shown, &spellings, index);
            for group in server.access_groups() {
                match by_group.get_mut(group.as_str()) {
                    Some(members) => members.add(index),
                    None => {
                        by_group.insert(group.as_str().into(), Members::One(index));
                    }
                }
            }
            if server.is_allow_all_keys() {
                allow_all.push(index);
            }
            entries.push(Entry::new(server, &spellings));
        }

        let mut tables = Tables {
            entries,
            by_ref,
            by_uuid,
            by_caseless,
            prefix_lengths: lengths(&by_prefix),
            by_prefix,
            shown_lengths: lengths(&by_shown),
            by_shown,
            by_group,
            allow_all,
            toolsets: Vec::new(),
            by_toolset,
            generation: GENERATION.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        };
        tables.toolsets = toolsets
            .into_iter()
            .map(|toolset| tables.group_toolset(toolset))
            .collect();
        Ok(Self {
            tables: Arc::new(tables),
        })
    }

    /// Reads a registry from JSON: a list of servers, or `{"servers": [...], "toolsets":
    /// [...]}`, each server as [`McpServer::from_json`] reads it, then validated as
    /// [`ServerRegistry::with_toolsets`] validates it.
    ///
    /// ```
    /// use mcp_authz::ServerRegistry;
    ///
    /// let registry = ServerRegistry::from_json(r#"[{"server_id": "srv-a", "alias": "gh"}]"#)?;
    /// assert!(registry.get("srv-a").is_some());
    /// let twice = ServerRegistry::from_json(r#"[{"server_id": "a"}, {"server_id": "a"}]"#);
    /// assert!(twice.unwrap_err().to_string().contains("duplicate server id `a` at position 1"));
    /// # Ok::<(), mcp_authz::ParseError>(())
    /// ```
    ///
    /// # Errors
    /// [`ParseError`](crate::ParseError) naming the field and value, or the registry's
    /// problems.
    pub fn from_json(json: &str) -> Result<Self, crate::ParseError> {
        serde_json::from_str(json).map_err(|e| crate::ParseError::json("server registry", &e))
    }

    /// The toolsets, in the order they were given.
    #[must_use = "iterators are lazy"]
    pub fn toolsets(&self) -> impl ExactSizeIterator<Item = &Toolset> + '_ {
        self.tables.toolsets.iter().map(|t| &t.toolset)
    }

    pub(crate) fn toolset_entries(&self) -> impl Iterator<Item = &ToolsetEntry> {
        self.tables.toolsets.iter()
    }

    /// The toolset with this id (exact), by position.
    pub(crate) fn toolset_index(&self, id: &str) -> Option<u32> {
        self.tables.by_toolset.get(id).copied()
    }

    pub(crate) fn toolset(&self, index: u32) -> Option<&ToolsetEntry> {
        self.tables.toolsets.get(index as usize)
    }

    /// This registry's identity among every registry built in the process.
    pub(crate) fn generation(&self) -> u64 {
        self.tables.generation
    }

    /// The `allow_all_keys` servers, in registry order.
    pub(crate) fn allow_all(&self) -> &[u32] {
        &self.tables.allow_all
    }

    /// The number of servers.
    #[must_use]
    pub fn len(&self) -> usize {
        self.tables.entries.len()
    }

    /// Whether the registry has no servers.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.tables.entries.is_empty()
    }

    /// The servers, in registry order.
    #[must_use = "iterators are lazy"]
    pub fn servers(&self) -> impl ExactSizeIterator<Item = &McpServer> + '_ {
        self.tables.entries.iter().map(|e| &e.server)
    }

    /// The server with this exact id (UUID ids also in any other spelling of the UUID).
    #[must_use]
    pub fn get(&self, id: &str) -> Option<&McpServer> {
        self.id_index(id, IdMatch::Uuid)
            .map(|i| &self.entry(i).server)
    }

    /// The servers a permission reference names (crate docs, "Name resolution"): the
    /// server with that id, else every server with that alias or server name, else none.
    #[must_use = "iterators are lazy"]
    pub fn resolve_reference<'s>(
        &'s self,
        reference: &str,
    ) -> impl Iterator<Item = &'s McpServer> + 's {
        self.lookup(reference, IdMatch::Uuid)
            .iter()
            .map(move |&i| &self.entry(i).server)
    }

    #[allow(clippy::indexing_slicing)]
    pub(crate) fn entry(&self, index: u32) -> &Entry {
        // INVARIANT: every index in this registry's tables, and so every index a
        // resolution holds, was made from a position in `entries`, which never shrinks.
        &self.tables.entries[index as usize]
    }

    pub(crate) fn id_index(&self, id: &str, ids: IdMatch) -> Option<u32> {
        self.tables.id_index(id, ids)
    }

    fn uuid_index(&self, s: &str, ids: IdMatch) -> Option<&u32> {
        self.tables.uuid_index(s, ids)
    }

    /// Resolves a reference: the id's server, else the servers with that alias or name.
    pub(crate) fn lookup(&self, reference: &str, ids: IdMatch) -> &[u32] {
        match self.tables.by_ref.get(reference) {
            // A name that spells another server's id as a UUID is refused by the
            // registry, so an exact hit answers under both semantics.
            Some(named) => named.as_slice(),
            None => self
                .uuid_index(reference, ids)
                .map_or(&[], std::slice::from_ref),
        }
    }

    /// Servers whose id, alias or name equals `name` ignoring ASCII case.
    pub(crate) fn lookup_caseless(&self, name: &str) -> &[u32] {
        self.tables
            .by_caseless
            .get(&CaselessRef(name))
            .map_or(&[], Members::as_slice)
    }

    /// Whether some server bears a tool-name prefix `len` bytes long, under `routing`.
    pub(crate) fn has_prefix_length(&self, len: usize, routing: Routing) -> bool {
        let lengths = match routing {
            Routing::AnySpelling => &self.tables.prefix_lengths,
            Routing::ShownPrefix => &self.tables.shown_lengths,
        };
        lengths.binary_search(&len).is_ok()
    }

    /// Servers that bear `spelling` as a tool-name prefix, under `routing`.
    pub(crate) fn lookup_prefix(&self, spelling: &str, routing: Routing) -> &[u32] {
        let table = match routing {
            Routing::AnySpelling => &self.tables.by_prefix,
            Routing::ShownPrefix => &self.tables.by_shown,
        };
        table.get(spelling).map_or(&[], Members::as_slice)
    }

    /// The registry's own members of `group`.
    pub(crate) fn group(&self, group: &str) -> &[u32] {
        self.tables
            .by_group
            .get(group)
            .map_or(&[], Members::as_slice)
    }

    /// Calls `f` with every registry server in `group`: as `lookup` answers when a gateway
    /// gave one (its ids matched as ids, UUID-aware under `IdMatch::Uuid`), else from the servers'
    /// own `mcp_access_groups`.
    pub(crate) fn for_group_member(
        &self,
        lookup: Option<&dyn AccessGroups>,
        ids: IdMatch,
        group: &str,
        mut f: impl FnMut(u32),
    ) {
        match lookup {
            None => self.group(group).iter().for_each(|&i| f(i)),
            Some(lookup) => lookup.visit_members(group, &mut |id| {
                if let Some(i) = self.id_index(id, ids) {
                    f(i);
                }
            }),
        }
    }
}

impl Tables {
    fn group_toolset(&self, toolset: Toolset) -> ToolsetEntry {
        let mut groups: [Vec<ToolsetGroup>; 2] = Default::default();
        let mut unmatched: [Vec<u32>; 2] = Default::default();
        for (mode, (groups, unmatched)) in [IdMatch::Uuid, IdMatch::Exact]
            .into_iter()
            .zip(groups.iter_mut().zip(unmatched.iter_mut()))
        {
            for (at, tool) in (0u32..).zip(toolset.tools()) {
                let Some(server) = self.id_index(tool.server_id(), mode) else {
                    unmatched.push(at);
                    continue;
                };
                match groups.iter_mut().find(|g| g.server == server) {
                    Some(group) => group.tools.push(tool.tool_name().to_owned()),
                    None => groups.push(ToolsetGroup {
                        server,
                        tools: vec![tool.tool_name().to_owned()],
                        first: at,
                    }),
                }
            }
            groups.sort_by_key(|g| g.server);
        }
        ToolsetEntry {
            toolset,
            groups,
            unmatched,
        }
    }

    pub(crate) fn id_index(&self, id: &str, ids: IdMatch) -> Option<u32> {
        match self.by_ref.get(id) {
            Some(&Named::Id(i)) => Some(i),
            _ => self.uuid_index(id, ids).copied(),
        }
    }

    /// The server whose id is the UUID `s` spells, when ids compare as UUIDs.
    fn uuid_index(&self, s: &str, ids: IdMatch) -> Option<&u32> {
        if ids == IdMatch::Uuid && !self.by_uuid.is_empty() {
            parse_uuid(s).and_then(|u| self.by_uuid.get(&u))
        } else {
            None
        }
    }
}

/// The ids of servers by spelling and by UUID, or every problem that refuses them.
fn validate(servers: &[McpServer]) -> Result<(IdMap, UuidMap), RegistryError> {
    let n = servers.len();
    let mut problems = Vec::new();
    let mut by_id: IdMap = HashMap::default();
    let mut by_uuid: HashMap<Uuid, u32, FxBuild> = HashMap::default();
    by_id.reserve(n);

    for (i, server) in servers.iter().enumerate() {
        let Ok(index) = u32::try_from(i) else {
            problems.push(RegistryProblem::TooManyServers { count: n });
            break;
        };
        let id = server.id().as_str();
        if id.is_empty() {
            problems.push(RegistryProblem::EmptyServerId { position: i });
            continue;
        }
        if let Some(&first) = by_id.get(id) {
            problems.push(RegistryProblem::DuplicateServerId {
                id: id.to_owned(),
                position: i,
                first: first as usize,
            });
            continue;
        }
        if let Some(uuid) = parse_uuid(id) {
            if let Some(&other) = by_uuid.get(&uuid) {
                problems.push(RegistryProblem::DuplicateUuid {
                    id: id.to_owned(),
                    position: i,
                    other: id_at(servers, other).to_owned(),
                    first: other as usize,
                });
                continue;
            }
            by_uuid.insert(uuid, index);
        }
        by_id.insert(id.into(), index);
    }

    // An alias or name that is another server's id would make references ambiguous.
    for (index, server) in (0u32..).zip(servers) {
        for (field, value) in [("alias", server.alias()), ("server_name", server.name())] {
            let Some(value) = value else { continue };
            let other = by_id
                .get(value)
                .or_else(|| parse_uuid(value).and_then(|u| by_uuid.get(&u)));
            if let Some(&other) = other.filter(|&&other| other != index) {
                problems.push(RegistryProblem::NameIsOtherServerId {
                    field,
                    value: value.to_owned(),
                    server: server.id().to_string(),
                    other: id_at(servers, other).to_owned(),
                });
            }
        }
    }

    if problems.is_empty() {
        Ok((by_id, by_uuid))
    } else {
        Err(RegistryError::new(problems))
    }
}

/// The toolsets by id, or every problem that refuses them.
fn validate_toolsets(
    toolsets: &[Toolset],
) -> Result<HashMap<Box<str>, u32, FxBuild>, Vec<RegistryProblem>> {
    let mut problems = Vec::new();
    let mut by_id: HashMap<Box<str>, u32, FxBuild> = HashMap::default();
    for (position, toolset) in toolsets.iter().enumerate() {
        let Ok(index) = u32::try_from(position) else {
            break;
        };
        if toolset.id().is_empty() {
            problems.push(RegistryProblem::EmptyToolsetId { position });
        } else if by_id.contains_key(toolset.id()) {
            problems.push(RegistryProblem::DuplicateToolsetId {
                id: toolset.id().to_owned(),
                position,
            });
        } else {
            by_id.insert(toolset.id().into(), index);
        }
    }
    if problems.is_empty() {
        Ok(by_id)
    } else {
        Err(problems)
    }
}

/// The lengths of the keys of `map`, sorted, without repeats.
fn lengths<V>(map: &HashMap<Arc<str>, V, FxBuild>) -> Vec<usize> {
    let mut out: Vec<usize> = map.keys().map(|k| k.len()).collect();
    out.sort_unstable();
    out.dedup();
    out
}

fn id_at(servers: &[McpServer], index: u32) -> &str {
    servers.get(index as usize).map_or("", |s| s.id().as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn registry() -> ServerRegistry {
        ServerRegistry::new([
            McpServer::new("srv-a").with_name("github").with_alias("gh"),
            McpServer::new("srv-b").with_name("files"),
            McpServer::new("srv-c")
                .with_name("files")
                .with_allow_all_keys(true),
            McpServer::new("aa1d8e71-318a-43cb-83ad-588d56470b1b").with_name("internal"),
        ])
        .unwrap()
    }

    #[test]
    fn references_resolve_by_id_then_by_name() {
        let r = registry();
        assert_eq!(r.lookup("srv-a", IdMatch::Uuid), [0]);
        assert_eq!(r.lookup("gh", IdMatch::Uuid), [0]);
        assert_eq!(r.lookup("files", IdMatch::Uuid), [1, 2]);
        assert_eq!(r.lookup("GH", IdMatch::Uuid), [] as [u32; 0]);
        assert_eq!(
            r.lookup("AA1D8E71318A43CB83AD588D56470B1B", IdMatch::Uuid),
            [3]
        );
        assert_eq!(
            r.lookup("AA1D8E71318A43CB83AD588D56470B1B", IdMatch::Exact),
            [] as [u32; 0]
        );
        assert_eq!(r.lookup_caseless("GH"), [0]);
        assert_eq!(r.lookup_caseless("FILES"), [1, 2]);
        assert_eq!(r.allow_all(), [2]);
    }

    #[test]
    fn every_problem_is_reported() {
        let e = ServerRegistry::new([
            McpServer::new(""),
            McpServer::new("a"),
            McpServer::new("a"),
            McpServer::new("aa1d8e71-318a-43cb-83ad-588d56470b1b"),
            McpServer::new("{AA1D8E71-318A-43CB-83AD-588D56470B1B}"),
            McpServer::new("b").with_name("a"),
        ])
        .unwrap_err();
        assert_eq!(
            e.problems(),
            [
                RegistryProblem::EmptyServerId { position: 0 },
                RegistryProblem::DuplicateServerId {
                    id: "a".into(),
                    position: 2,
                    first: 1,
                },
                RegistryProblem::DuplicateUuid {
                    id: "{AA1D8E71-318A-43CB-83AD-588D56470B1B}".into(),
                    position: 4,
                    other: "aa1d8e71-318a-43cb-83ad-588d56470b1b".into(),
                    first: 3,
                },
                RegistryProblem::NameIsOtherServerId {
                    field: "server_name",
                    value: "a".into(),
                    server: "b".into(),
                    other: "a".into(),
                },
            ]
        );
    }

    #[test]
    fn debug_summarizes_instead_of_dumping_the_tables() {
        let big =
            ServerRegistry::new((0..10_000).map(|i| McpServer::new(format!("srv-{i}")))).unwrap();
        assert_eq!(
            format!("{big:?}"),
            r#"ServerRegistry { servers: 10000, ids: ["srv-0", "srv-1", "srv-2", "srv-3", ... 9996 more], allow_all_keys: 0, toolsets: 0 }"#
        );
        assert_eq!(
            format!("{:?}", registry()),
            r#"ServerRegistry { servers: 4, ids: ["srv-a", "srv-b", "srv-c", "aa1d8e71-318a-43cb-83ad-588d56470b1b"], allow_all_keys: 1, toolsets: 0 }"#
        );
    }

    #[test]
    fn clones_share_their_tables() {
        let r = registry();
        let clone = r.clone();
        assert!(Arc::ptr_eq(&r.tables, &clone.tables));
        assert_eq!(clone.generation(), r.generation());
    }

    #[test]
    fn a_server_may_use_its_own_id_as_alias() {
        let r = ServerRegistry::new([McpServer::new("x").with_alias("x").with_name("x")]);
        assert!(r.is_ok());
    }

    #[test]
    fn server_lists_read_prefixed_entries_bare_too() {
        let r = ServerRegistry::new([McpServer::new("srv-a")
            .with_name("git hub")
            .with_alias("gh")
            .with_allowed_tools(["gh-create", "git_hub-list", "srv-a-x", "gh-", "plain"])])
        .unwrap();
        let allow = r.entry(0).allow.as_ref().unwrap();
        let names: Vec<&str> = allow.iter().collect();
        assert_eq!(
            names,
            [
                "create",
                "gh-",
                "gh-create",
                "git_hub-list",
                "list",
                "plain",
                "srv-a-x",
                "x"
            ]
        );
    }
}
