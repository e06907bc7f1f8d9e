//! The compiled server registry: validated once, indexed for lookups that never scan.

mod index;

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use crate::error::{RegistryError, RegistryProblem};
use crate::groups::AccessGroups;
use crate::hash::FxBuild;
use crate::id::parse_uuid;
use crate::naming::Routing;
use crate::resolve::tools::OwnScopes;
use crate::server::McpServer;
use crate::tools::SortedNames;
use crate::toolset::Toolset;
use index::{Index, Named};

/// The spellings a tool-name prefix may use for `server` (see [`McpServer::spellings`]):
/// alias, name and id with spaces as `_`, without repeats; borrowed unless spelled anew.
fn spellings(server: &McpServer) -> [Option<Cow<'_, str>>; 3] {
    let mut out: [Option<Cow<'_, str>>; 3] = [None, None, None];
    let names = [server.alias(), server.name(), Some(server.id().as_str())];
    for (slot, name) in out.iter_mut().zip(names) {
        *slot = name.map(|name| {
            if name.contains(' ') {
                Cow::Owned(name.replace(' ', "_"))
            } else {
                Cow::Borrowed(name)
            }
        });
    }
    // Three names: a repeat is one of the first two again.
    let [first, second, third] = &mut out;
    if *second == *first {
        *second = None;
    }
    if *third == *first || *third == *second {
        *third = None;
    }
    out
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
    /// `server` with its tool lists compiled; `empty` is the registry's one empty list.
    fn new(server: McpServer, empty: &Arc<SortedNames>) -> Self {
        let (allow, deny) =
            if server.allowed_tools().is_empty() && server.disallowed_tools().is_empty() {
                (None, None)
            } else {
                let spellings = spellings(&server);
                let allow = (!server.allowed_tools().is_empty())
                    .then(|| expand(&spellings, server.allowed_tools()));
                let deny = (!server.disallowed_tools().is_empty())
                    .then(|| expand(&spellings, server.disallowed_tools()));
                (allow, deny)
            };
        let allow_not_denied = allow.as_ref().and_then(|a| {
            let deny = deny.as_ref().filter(|d| !d.is_empty())?;
            a.iter().any(|t| deny.contains(t)).then(|| a.without(deny))
        });
        let allow = allow.map(Arc::new);
        let deny = deny.map_or_else(|| Arc::clone(empty), Arc::new);
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
fn expand(spellings: &[Option<Cow<'_, str>>; 3], list: &[String]) -> SortedNames {
    // Room for every entry and a bare name for each (a second allocation otherwise).
    let mut names: Vec<&str> = Vec::with_capacity(2 * list.len());
    for entry in list {
        names.push(entry);
        for spelling in spellings.iter().flatten() {
            // Most entries are bare: a byte check spares comparing them with the spelling.
            if entry.as_bytes().get(spelling.len()) != Some(&b'-') {
                continue;
            }
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
            .field("allow_all_keys", &self.tables.index.allow_all().len())
            .field("toolsets", &self.tables.toolsets.len())
            .finish()
    }
}

/// The registry's servers and lookup tables, shared by every clone of it.
#[derive(Debug)]
pub(crate) struct Tables {
    pub(crate) entries: Vec<Entry>,
    /// Every lookup by name, and the `allow_all_keys` servers.
    index: Index,
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
        let index = Index::build(&servers);
        let by_toolset = validate_toolsets(&toolsets);
        let (index, by_toolset) = match (index, by_toolset) {
            (Ok(index), Ok(by_toolset)) => (index, by_toolset),
            (servers, toolsets) => {
                let mut problems = servers.err().unwrap_or_default();
                problems.extend(toolsets.err().unwrap_or_default());
                return Err(RegistryError::new(problems));
            }
        };

        // Most servers have no denylist: they share one empty list.
        let empty = Arc::new(SortedNames::default());
        let entries = servers
            .into_iter()
            .map(|server| Entry::new(server, &empty))
            .collect();
        let mut tables = Tables {
            entries,
            index,
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
        self.tables.index.allow_all()
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
        let index = &self.tables.index;
        match index.reference(reference) {
            // A name that spells another server's id as a UUID is refused by the
            // registry, so an exact hit answers under both semantics.
            Some(named) => index.named(named),
            None => self
                .uuid_index(reference, ids)
                .map_or(&[], std::slice::from_ref),
        }
    }

    /// Servers whose id, alias or name equals `name` ignoring ASCII case.
    pub(crate) fn lookup_caseless(&self, name: &str) -> &[u32] {
        self.tables.index.caseless(name)
    }

    /// Whether some server bears a tool-name prefix `len` bytes long, under `routing`.
    pub(crate) fn has_prefix_length(&self, len: usize, routing: Routing) -> bool {
        self.tables.index.has_prefix_length(len, routing)
    }

    /// Servers that bear `spelling` as a tool-name prefix, under `routing`.
    pub(crate) fn lookup_prefix(&self, spelling: &str, routing: Routing) -> &[u32] {
        self.tables.index.prefix(spelling, routing)
    }

    /// The registry's own members of `group`.
    pub(crate) fn group(&self, group: &str) -> &[u32] {
        self.tables.index.group(group)
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
        match self.index.reference(id) {
            Some(&Named::Id(i)) => Some(i),
            _ => self.uuid_index(id, ids).copied(),
        }
    }

    /// The server whose id is the UUID `s` spells, when ids compare as UUIDs.
    fn uuid_index(&self, s: &str, ids: IdMatch) -> Option<&u32> {
        if ids == IdMatch::Uuid && self.index.has_uuids() {
            parse_uuid(s).and_then(|u| self.index.uuid(&u))
        } else {
            None
        }
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
    fn names_in_capitals_or_with_spaces_are_found_in_each_form() {
        let r = ServerRegistry::new([
            McpServer::new("Srv-A")
                .with_name("Git Hub")
                .with_alias("GH"),
            McpServer::new("srv-b").with_name("git hub"),
            McpServer::new("srv-c").with_alias("Git_Hub"),
        ])
        .unwrap();
        assert_eq!(r.lookup_caseless("srv-a"), [0]);
        assert_eq!(r.lookup_caseless("gh"), [0]);
        assert_eq!(r.lookup_caseless("GIT HUB"), [0, 1]);
        assert_eq!(r.lookup_caseless("git_hub"), [2]);
        assert_eq!(r.lookup("Git Hub", IdMatch::Uuid), [0]);
        assert_eq!(r.lookup("git_hub", IdMatch::Uuid), [] as [u32; 0]);
        assert_eq!(r.lookup_prefix("Git_Hub", Routing::AnySpelling), [0, 2]);
        assert_eq!(r.lookup_prefix("git_hub", Routing::AnySpelling), [1]);
        assert_eq!(r.lookup_prefix("Git_Hub", Routing::ShownPrefix), [2]);
        assert_eq!(r.lookup_prefix("GH", Routing::ShownPrefix), [0]);
        assert_eq!(r.lookup_prefix("gh", Routing::AnySpelling), [] as [u32; 0]);
        assert!(r.has_prefix_length("Git_Hub".len(), Routing::AnySpelling));
        assert!(!r.has_prefix_length("Srv-A".len() + 1, Routing::AnySpelling));
        // Another form of an earlier server's name that is a later server's id: both, in
        // registry order.
        let r = ServerRegistry::new([
            McpServer::new("srv-a").with_name("SRV-B").with_alias("x y"),
            McpServer::new("srv-b").with_alias("x_y"),
            McpServer::new("x_y"),
        ])
        .unwrap_err();
        assert_eq!(r.problems().len(), 1);
        let r = ServerRegistry::new([
            McpServer::new("srv-a").with_name("SRV-B").with_alias("x y"),
            McpServer::new("srv-b").with_alias("X Y"),
            McpServer::new("x_y"),
        ])
        .unwrap();
        assert_eq!(r.lookup_caseless("srv-b"), [0, 1]);
        assert_eq!(r.lookup_prefix("x_y", Routing::AnySpelling), [0, 2]);
        assert_eq!(r.lookup_prefix("x_y", Routing::ShownPrefix), [0, 2]);
        assert_eq!(r.lookup_caseless("x y"), [0, 1]);
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
