//! A permission compiled against a registry: its references, access groups, toolsets and
//! tool lists resolved once (SPEC 2, 3.1, 3.3, 4.2), with where each came from.
//!
//! Resolution compiles every raw permission it is given; a gateway that keeps a
//! [`CompiledPermission`] per key and team skips that work on every request.

use std::fmt;

use crate::groups::AccessGroups;
use crate::level::Level;
use crate::permission::{ALL_PROXY_MCP_SERVERS, NO_MCP_SERVERS, ObjectPermission};
use crate::registry::{IdMatch, ServerRegistry};
use crate::request::Settings;
use crate::resolve::grant::{Grant, sort_dedup};
use crate::resolve::tools::{ScopeMemo, ServerTools};
use crate::semantics::{Rules, Semantics};

/// Where in a permission a fact comes from: an entry of one of its MCP fields, by
/// position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Source {
    /// `mcp_servers[at]`.
    Server(u32),
    /// `mcp_access_groups[at]`.
    Group(u32),
    /// The `mcp_tool_permissions` entry at position `at`.
    ToolPermission(u32),
    /// `mcp_toolsets[at]`, naming toolset `toolset` (a registry position, when it names
    /// one), whose entry at position `entry` names the server.
    Toolset {
        at: u32,
        toolset: Option<u32>,
        entry: Option<u32>,
    },
    /// `mcp_servers[at]` is the team's `all-proxy-mcpservers`.
    AllProxy(u32),
}

/// One part of a level's tool list for a server (SPEC 4.2): a tool-permission entry or
/// the tools a toolset lists for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ToolPart {
    /// The `mcp_tool_permissions` entry at position `at`.
    Entry(u32),
    /// `mcp_toolsets[at]`: group `group` of toolset `toolset`.
    Toolset { at: u32, toolset: u32, group: u32 },
}

/// What a compiled permission was compiled with: using it with anything else recompiles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stamp {
    registry: u64,
    semantics: Semantics,
    settings: Settings,
    /// The address of the access-group lookup (0: the registry's own).
    groups: usize,
    level: Level,
}

/// A permission resolved against a registry, for one level.
#[derive(Debug, Clone)]
pub(crate) struct Compiled {
    pub(crate) stamp: Stamp,
    /// SPEC 3.3: the position of `no-mcp-servers` in a key's `mcp_servers`.
    pub(crate) blocked: Option<u32>,
    /// Every registry server a reference, group or toolset entry names, with where, in
    /// the order of the permission's fields and entries. With tool permissions that do not
    /// grant, their entries are here too (they restrict tools).
    pub(crate) matches: Vec<(u32, Source)>,
    /// References, groups and toolsets that name nothing.
    pub(crate) unmatched: Vec<Source>,
    /// `S(L)` (SPEC 3.1), under the semantics and settings it was compiled with.
    pub(crate) servers: Grant,
    /// SPEC 3.1 "declared" (SPEC 7 "restricts" under a LiteLLM preset).
    pub(crate) declares: bool,
    /// SPEC 7: whether the level keeps the organization from replacing the result (it
    /// restricted, or names toolsets).
    pub(crate) keeps_organization_out: bool,
    /// SPEC 7: the `mcp_toolsets` entry that denies every tool (it names no toolset, or
    /// one with no tools), on a level where LiteLLM lets it.
    pub(crate) denies_tools: Option<u32>,
    /// SPEC 4.2: the level's tool-list parts, sorted by server.
    pub(crate) tool_lists: Vec<(u32, ToolPart)>,
    /// The servers `tool_lists` names, each with its parts and what they add up to.
    pub(crate) tool_servers: Vec<ServerTools>,
    /// One per `tool_servers` entry, for a level compiled to be kept
    /// ([`Compiler::compile`]); empty for one compiled for a single request.
    pub(crate) scope_memos: Box<[ScopeMemo]>,
}

impl Compiled {
    /// The level it was compiled for.
    pub(crate) fn level(&self) -> Level {
        self.stamp.level
    }

    /// Whether `source` grants its server on `level` (SPEC 3.1; SPEC 7 for an end user's
    /// toolsets): tool permissions only with `tool_permissions_grant_servers`.
    pub(crate) fn source_grants(
        source: Source,
        level: Level,
        settings: Settings,
        rules: Rules,
    ) -> bool {
        match source {
            Source::ToolPermission(_) => settings.tool_permissions_grant_servers,
            Source::Toolset { .. } => !(rules.litellm_hierarchy && level == Level::EndUser),
            Source::Server(_) | Source::Group(_) | Source::AllProxy(_) => true,
        }
    }

    /// SPEC 7: the `mcp_toolsets` entry that also leaves only `allow_all_keys` servers
    /// (on every level that denies tools, except the end user's).
    pub(crate) fn denies_servers(&self) -> Option<u32> {
        self.denies_tools
            .filter(|_| self.stamp.level != Level::EndUser)
    }
}

/// Compiles permissions against a registry, under the semantics, settings and access-group
/// lookup that requests will be resolved with (they change what a permission grants).
///
/// Made by [`ServerRegistry::compiler`].
///
/// ```
/// use mcp_authz::{Level, McpServer, ObjectPermission, Request, ServerRegistry};
///
/// let registry = ServerRegistry::new([McpServer::new("srv-a").with_alias("gh")])?;
/// let key = ObjectPermission::new().with_tool_permission("gh", ["create_issue"]);
/// // Once per key, and again whenever the registry is rebuilt:
/// let compiled = registry.compiler().compile(Level::Key, &key);
/// // On every request:
/// let resolution = registry.resolve_allowed_servers(&Request::new().key(&compiled));
/// assert!(resolution.is_tool_allowed("gh", "create_issue"));
/// # Ok::<(), mcp_authz::RegistryError>(())
/// ```
#[derive(Clone, Copy)]
pub struct Compiler<'r> {
    registry: &'r ServerRegistry,
    pub(crate) semantics: Semantics,
    pub(crate) settings: Settings,
    groups: Option<&'r dyn AccessGroups>,
}

impl fmt::Debug for Compiler<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Compiler")
            .field("semantics", &self.semantics)
            .field("settings", &self.settings)
            .field("custom_access_groups", &self.groups.is_some())
            .finish_non_exhaustive()
    }
}

/// A permission compiled against one registry for one level: see [`Compiler`].
///
/// A request takes it wherever it takes an [`ObjectPermission`]. Used with a registry,
/// semantics, settings, access-group lookup or level other than the ones it was compiled
/// with, it is compiled again on the fly from the permission it keeps, so the answer is
/// always the one the raw permission gives; only the saving is lost.
///
/// It also keeps, for each server its tool permissions name, the tools they leave that
/// server (its own lists applied), once a request has needed them: the requests after
/// that one borrow them. Keeping them is safe to share between threads (it happens once
/// per server, and every thread sees the same tools), and it never changes an answer.
///
/// ```
/// use mcp_authz::{Level, McpServer, ObjectPermission, Request, ServerRegistry};
///
/// let registry = ServerRegistry::new([McpServer::new("srv-a").with_alias("gh")])?;
/// let team = ObjectPermission::new().with_servers(["gh"]);
/// let compiled = registry.compiler().compile(Level::Team, &team);
/// assert_eq!(compiled.level(), Level::Team);
/// let key = ObjectPermission::new();
/// let resolution = registry.resolve_allowed_servers(&Request::new().key(&key).team(&compiled));
/// assert!(resolution.is_visible("gh"));
/// # Ok::<(), mcp_authz::RegistryError>(())
/// ```
#[derive(Debug, Clone)]
pub struct CompiledPermission {
    pub(crate) compiled: Compiled,
    pub(crate) permission: ObjectPermission,
}

impl CompiledPermission {
    /// The permission it was compiled from.
    #[must_use]
    pub fn permission(&self) -> &ObjectPermission {
        &self.permission
    }

    /// The level it was compiled for.
    #[must_use]
    pub fn level(&self) -> Level {
        self.compiled.level()
    }
}

impl ServerRegistry {
    /// A compiler for this registry, with default settings and semantics and the
    /// registry's own access groups.
    #[must_use]
    pub fn compiler(&self) -> Compiler<'_> {
        Compiler {
            registry: self,
            semantics: Semantics::Default,
            settings: Settings::default(),
            groups: None,
        }
    }
}

fn address(groups: Option<&dyn AccessGroups>) -> usize {
    groups.map_or(0, |g| std::ptr::from_ref(g).cast::<()>() as usize)
}

impl<'r> Compiler<'r> {
    pub(crate) fn new(
        registry: &'r ServerRegistry,
        semantics: Semantics,
        settings: Settings,
        groups: Option<&'r dyn AccessGroups>,
    ) -> Self {
        Self {
            registry,
            semantics,
            settings,
            groups,
        }
    }

    /// Compiles under these settings.
    #[must_use]
    pub fn settings(mut self, settings: Settings) -> Self {
        self.settings = settings;
        self
    }

    /// Compiles under these semantics.
    #[must_use]
    pub fn semantics(mut self, semantics: Semantics) -> Self {
        self.semantics = semantics;
        self
    }

    /// Reads access-group membership from `groups` instead of the servers' own. Compile
    /// again when the lookup's answers change.
    #[must_use]
    pub fn access_groups(mut self, groups: &'r dyn AccessGroups) -> Self {
        self.groups = Some(groups);
        self
    }

    /// Compiles `permission` as the permission of `level`.
    #[must_use]
    pub fn compile(&self, level: Level, permission: &ObjectPermission) -> CompiledPermission {
        let mut compiled = self.compile_level(level, permission);
        compiled.scope_memos = compiled
            .tool_servers
            .iter()
            .map(|_| ScopeMemo::default())
            .collect();
        CompiledPermission {
            compiled,
            permission: permission.clone(),
        }
    }

    pub(crate) fn registry(&self) -> &'r ServerRegistry {
        self.registry
    }

    pub(crate) fn rules(&self) -> Rules {
        self.semantics.rules()
    }

    pub(crate) fn ids(&self) -> IdMatch {
        self.rules().id_match()
    }

    fn stamp(&self, level: Level) -> Stamp {
        Stamp {
            registry: self.registry.generation(),
            semantics: self.semantics,
            settings: self.settings,
            groups: address(self.groups),
            level,
        }
    }

    /// Whether `compiled` was compiled as this compiler would compile for `level`.
    pub(crate) fn accepts(&self, compiled: &Compiled, level: Level) -> bool {
        compiled.stamp == self.stamp(level)
    }

    /// Calls `f` with every registry server in `group` (SPEC 1.4).
    pub(crate) fn for_group(&self, group: &str, f: impl FnMut(u32)) {
        self.registry
            .for_group_member(self.groups, self.ids(), group, f);
    }

    /// The servers a reference names (SPEC 2).
    pub(crate) fn lookup(&self, reference: &str) -> &'r [u32] {
        self.registry.lookup(reference, self.ids())
    }

    /// SPEC 3.1 and 4.2 for one level: what `permission` grants, from where, and its tool
    /// lists.
    pub(crate) fn compile_level(&self, level: Level, permission: &ObjectPermission) -> Compiled {
        self.compile_level_with(level, permission, true)
    }

    /// [`Compiler::compile_level`]; without `provenance`, `matches` and `unmatched` stay
    /// empty (resolution needs neither, only explanations and the linter do).
    pub(crate) fn compile_level_with(
        &self,
        level: Level,
        permission: &ObjectPermission,
        provenance: bool,
    ) -> Compiled {
        let rules = self.rules();
        let settings = self.settings;
        let mut found = Found {
            level,
            settings,
            rules,
            provenance,
            matches: Vec::new(),
            unmatched: Vec::new(),
            servers: Vec::with_capacity(
                permission.servers().len()
                    + GROUP_ROOM * permission.groups().len()
                    + permission.tool_entry_count()
                    + GROUP_ROOM * permission.toolsets().len(),
            ),
        };
        if provenance {
            found.matches.reserve(found.servers.capacity());
        }
        let mut tool_lists: Vec<(u32, ToolPart)> = Vec::new();
        let mut blocked = None;
        let mut all_proxy = false;

        for (at, reference) in (0u32..).zip(permission.servers()) {
            // SPEC 3.3: a sentinel only on its own level; elsewhere an ordinary reference.
            match sentinel(level, reference) {
                Some(Sentinel::NoMcpServers) => {
                    blocked.get_or_insert(at);
                }
                Some(Sentinel::AllProxy) => {
                    all_proxy = true;
                    if provenance {
                        found.matches.push((u32::MAX, Source::AllProxy(at)));
                    }
                }
                None => found.all(self.lookup(reference), Source::Server(at)),
            }
        }
        for (at, group) in (0u32..).zip(permission.groups()) {
            let source = Source::Group(at);
            let mut any = false;
            self.for_group(group, |i| {
                any = true;
                found.one(i, source);
            });
            if !any {
                found.none(source);
            }
        }
        let entries = permission.tool_entry_count();
        for (at, (reference, _)) in (0u32..).zip(permission.tool_entries()) {
            let servers = self.lookup(reference);
            found.all(servers, Source::ToolPermission(at));
            if tool_lists.is_empty() {
                tool_lists.reserve(entries + permission.toolsets().len());
            }
            tool_lists.extend(servers.iter().map(|&i| (i, ToolPart::Entry(at))));
        }
        let (live_toolset, denies_tools) = self.toolsets(permission, &mut found, &mut tool_lists);
        // Several parts for one server merge by union; keep them in field order.
        tool_lists.sort_by_key(|&(i, _)| i);
        let tool_servers = ServerTools::group(&tool_lists, permission, self.registry, rules);

        let hierarchy = rules.litellm_hierarchy;
        let tool_permissions = settings.tool_permissions_grant_servers && entries > 0;
        let by_entries =
            !permission.servers().is_empty() || !permission.groups().is_empty() || tool_permissions;
        let has_toolsets = !permission.toolsets().is_empty();
        // SPEC 3.1 "declared"; SPEC 7 "restricts": a key's toolsets count only when they
        // name a toolset with tools, an end user's never.
        let declares = match (hierarchy, level) {
            (true, Level::Key) => by_entries || live_toolset,
            (true, Level::EndUser) => by_entries,
            _ => by_entries || has_toolsets,
        };
        let keeps_organization_out =
            declares || (hierarchy && has_toolsets && level != Level::EndUser);
        let servers = if all_proxy {
            Grant::All
        } else {
            let mut servers = found.servers;
            sort_dedup(&mut servers);
            Grant::Some(servers)
        };
        Compiled {
            stamp: self.stamp(level),
            blocked,
            matches: found.matches,
            unmatched: found.unmatched,
            servers,
            declares,
            keeps_organization_out,
            denies_tools: denies_tools.filter(|_| hierarchy && level != Level::Key),
            tool_lists,
            tool_servers,
            scope_memos: Box::default(),
        }
    }

    /// SPEC 1.5 and 3.1: the toolsets a permission names. Returns whether one names a
    /// toolset with tools, and the first entry that names none with tools.
    fn toolsets(
        &self,
        permission: &ObjectPermission,
        found: &mut Found,
        tool_lists: &mut Vec<(u32, ToolPart)>,
    ) -> (bool, Option<u32>) {
        let mut live_toolset = false;
        let mut denies_tools = None;
        for (at, id) in (0u32..).zip(permission.toolsets()) {
            let found_toolset = self
                .registry
                .toolset_index(id)
                .and_then(|t| Some((t, self.registry.toolset(t)?)));
            let (toolset, entry) = match found_toolset {
                Some((t, entry)) if !entry.toolset.tools().is_empty() => (t, entry),
                other => {
                    found.none(Source::Toolset {
                        at,
                        toolset: other.map(|(t, _)| t),
                        entry: None,
                    });
                    denies_tools.get_or_insert(at);
                    continue;
                }
            };
            live_toolset = true;
            let groups = entry.groups(self.ids());
            if groups.is_empty() {
                found.none(Source::Toolset {
                    at,
                    toolset: Some(toolset),
                    entry: None,
                });
            }
            for (g, group) in (0u32..).zip(groups) {
                let source = Source::Toolset {
                    at,
                    toolset: Some(toolset),
                    entry: Some(group.first),
                };
                found.one(group.server, source);
                tool_lists.push((
                    group.server,
                    ToolPart::Toolset {
                        at,
                        toolset,
                        group: g,
                    },
                ));
            }
        }
        (live_toolset, denies_tools)
    }
}

/// Servers per access group (or toolset) that a level's grant reserves room for.
const GROUP_ROOM: usize = 8;

/// What a level's entries name, as compilation finds it.
struct Found {
    level: Level,
    settings: Settings,
    rules: Rules,
    provenance: bool,
    matches: Vec<(u32, Source)>,
    unmatched: Vec<Source>,
    servers: Vec<u32>,
}

impl Found {
    fn one(&mut self, server: u32, source: Source) {
        if self.provenance {
            self.matches.push((server, source));
        }
        if Compiled::source_grants(source, self.level, self.settings, self.rules) {
            self.servers.push(server);
        }
    }

    fn all(&mut self, servers: &[u32], source: Source) {
        if servers.is_empty() {
            self.none(source);
        }
        for &server in servers {
            self.one(server, source);
        }
    }

    fn none(&mut self, source: Source) {
        if self.provenance {
            self.unmatched.push(source);
        }
    }
}

/// LiteLLM's sentinel entries (SPEC 3.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sentinel {
    /// `no-mcp-servers` on a key: no server at all.
    NoMcpServers,
    /// `all-proxy-mcpservers` on a team: every server.
    AllProxy,
}

/// SPEC 3.3: the sentinel `reference` is on `level`, if any; on any other level it is an
/// ordinary reference.
pub(crate) fn sentinel(level: Level, reference: &str) -> Option<Sentinel> {
    match level {
        Level::Key if reference == NO_MCP_SERVERS => Some(Sentinel::NoMcpServers),
        Level::Team if reference == ALL_PROXY_MCP_SERVERS => Some(Sentinel::AllProxy),
        _ => None,
    }
}
