//! The linter: grants that cannot do what they say, hazards for the next edit, and
//! permissions whose meaning depends on which semantics or LiteLLM release reads them.
//!
//! It reads what a permission grants from the compiled permission the resolver uses
//! ([`Compiler`]), so it states no grant rule of its own. Registry diagnostics are in
//! `registry.rs`.

mod registry;

use std::collections::HashMap;
use std::fmt;

use crate::compile::{Compiled, Compiler, Sentinel, Source, sentinel};
use crate::diagnostic::{Diagnostic, LintCode, named};
use crate::groups::AccessGroups;
use crate::level::{Level, PerLevel};
use crate::naming::ToolNaming;
use crate::permission::{ObjectPermission, WILDCARD};
use crate::reason::{groups_path, quote, servers_path, source_path, tools_path, toolsets_path};
use crate::registry::ServerRegistry;
use crate::request::{Request, Settings};
use crate::resolve::grant::Grant;
use crate::semantics::Semantics;
use crate::server::McpServer;

/// Checks permissions (and the registry) against a registry.
///
/// Made by [`ServerRegistry::linter`]; the settings, semantics and access-group lookup
/// should be the ones requests are resolved with, since they change what a permission
/// grants.
///
/// ```
/// use mcp_authz::{Level, LintCode, McpServer, ObjectPermission, Request, ServerRegistry};
///
/// let registry = ServerRegistry::new([McpServer::new("srv-a").with_alias("gh")])?;
/// let key = ObjectPermission::new()
///     .with_servers(["deleted-id"])
///     .with_tool_permission("gh", ["create_issue"]);
/// let diagnostics = registry.linter().permission(Level::Key, &key);
/// let codes: Vec<LintCode> = diagnostics.iter().map(|d| d.code()).collect();
/// assert_eq!(
///     codes,
///     [LintCode::UnknownReference, LintCode::GrantedOnlyByToolPermissions]
/// );
/// assert_eq!(diagnostics[1].path(), r#"key.mcp_tool_permissions["gh"]"#);
///
/// // A whole request: every level, and each against its ceilings.
/// let team = ObjectPermission::new().with_servers(["other"]);
/// let all = registry.linter().request(&Request::new().key(&key).team(&team));
/// assert!(all.iter().any(|d| d.code() == LintCode::OutsideCeiling));
/// # Ok::<(), mcp_authz::RegistryError>(())
/// ```
#[derive(Clone, Copy)]
pub struct Linter<'a> {
    pub(crate) registry: &'a ServerRegistry,
    compiler: Compiler<'a>,
    pub(crate) naming: &'a ToolNaming,
}

/// LiteLLM's naming, as a place a linter can borrow it from.
static LITELLM_NAMING: ToolNaming = ToolNaming::LITELLM;

impl fmt::Debug for Linter<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Linter")
            .field("compiler", &self.compiler)
            .finish_non_exhaustive()
    }
}

impl ServerRegistry {
    /// A linter for this registry, with default settings and semantics and the
    /// registry's own access groups.
    #[must_use]
    pub fn linter(&self) -> Linter<'_> {
        Linter {
            registry: self,
            compiler: self.compiler(),
            naming: &LITELLM_NAMING,
        }
    }
}

impl<'a> Linter<'a> {
    /// Lints prefixes for this naming (the default is LiteLLM's: `-`, any spelling).
    #[must_use]
    pub fn naming(mut self, naming: &'a ToolNaming) -> Self {
        self.naming = naming;
        self
    }

    /// Lints with these settings.
    #[must_use]
    pub fn settings(mut self, settings: Settings) -> Self {
        self.compiler = self.compiler.settings(settings);
        self
    }

    /// Lints under these semantics (they decide whether UUID ids match other spellings,
    /// and, for a LiteLLM preset, which release differences are worth a word).
    #[must_use]
    pub fn semantics(mut self, semantics: Semantics) -> Self {
        self.compiler = self.compiler.semantics(semantics);
        self
    }

    /// Reads access-group membership from `groups` instead of the servers' own.
    #[must_use]
    pub fn access_groups(mut self, groups: &'a dyn AccessGroups) -> Self {
        self.compiler = self.compiler.access_groups(groups);
        self
    }

    pub(crate) fn compiler_rules(&self) -> crate::semantics::Rules {
        self.compiler.rules()
    }

    fn id(&self, index: u32) -> String {
        named(&self.registry.entry(index).server)
    }

    fn ids(&self, indices: &[u32]) -> String {
        indices
            .iter()
            .map(|&i| self.id(i))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Diagnostics for one level's permission on its own.
    #[must_use]
    pub fn permission(&self, level: Level, permission: &ObjectPermission) -> Vec<Diagnostic> {
        let compiled = self.compiler.compile_level(level, permission);
        let mut out = Vec::new();
        self.level(level, permission, &compiled, None, "", &mut out);
        out
    }

    /// Diagnostics for every level of `request` (the linter's own settings, semantics and
    /// access groups apply, not the request's), each granting level checked against the
    /// ceilings above it and each narrowing level against what the granting levels grant;
    /// for a LiteLLM preset, also where the request's answer depends on the release or
    /// differs from the default semantics.
    #[must_use]
    pub fn request(&self, request: &Request<'_>) -> Vec<Diagnostic> {
        let mut compiled: PerLevel<Option<(Compiled, &ObjectPermission)>> = PerLevel::default();
        for level in Level::ALL {
            if let Some(p) = request.permission(level) {
                compiled[level] = Some((self.compiler.compile_level(level, p), p));
            }
        }
        let declaring = |level: Level| {
            compiled[level]
                .as_ref()
                .filter(|(c, _)| c.declares)
                .map(|(c, _)| &c.servers)
        };
        let mut out = Vec::new();
        for (level, entry) in compiled.iter() {
            let Some((c, permission)) = entry else {
                continue;
            };
            // The granting levels above this one that declare, nearest first.
            let ceilings: Vec<(Level, &Grant)> = Level::ALL
                .iter()
                .take(level.index())
                .rev()
                .filter(|l| l.grants() && level.grants())
                .filter_map(|&l| declaring(l).map(|g| (l, g)))
                .collect();
            let stale_note = if level == Level::Key
                && c.declares
                && matches!(&c.servers, Grant::Some(v) if v.is_empty())
                && !ceilings.is_empty()
            {
                "; the key declares servers but resolves to none, so it no longer inherits its \
                 team's servers: it sees only allow_all_keys servers"
            } else {
                ""
            };
            let inherited = ceilings.first().map(|&(_, g)| g);
            self.level(level, permission, c, inherited, stale_note, &mut out);
            if let Some(&(ceiling, grant)) = ceilings.first() {
                self.outside_ceiling(permission, c, ceiling, grant, &mut out);
            }
            if !level.grants() && c.declares {
                self.narrowing_grants(level, permission, c, &compiled, &mut out);
            }
        }
        if self.compiler.semantics.is_litellm() {
            self.litellm_differences(request, &compiled, &mut out);
        }
        out
    }

    /// The diagnostics of one level's entries. `ceiling` is what the nearest declaring
    /// granting level above grants, for a granting level that has one.
    fn level(
        &self,
        level: Level,
        permission: &ObjectPermission,
        compiled: &Compiled,
        ceiling: Option<&Grant>,
        stale_note: &str,
        out: &mut Vec<Diagnostic>,
    ) {
        // Each entry's servers, looked up by entry: one pass over the matches.
        let mut by_source: HashMap<Source, Vec<u32>> = HashMap::new();
        for &(server, source) in &compiled.matches {
            by_source.entry(source).or_default().push(server);
        }
        let found =
            |source: Source| -> Vec<u32> { by_source.get(&source).cloned().unwrap_or_default() };
        self.server_entries(level, permission, &found, stale_note, out);
        for (at, group) in permission.groups().iter().enumerate() {
            if found(Source::Group(index(at))).is_empty() {
                out.push(Diagnostic::new(
                    LintCode::EmptyAccessGroup,
                    groups_path(level, at),
                    format!(
                        "access group `{group}` has no member server: it grants nothing{stale_note}"
                    ),
                ));
            }
        }
        for (at, (reference, tools)) in permission.tool_entries().enumerate() {
            let path = tools_path(level, reference);
            let servers = found(Source::ToolPermission(index(at)));
            match servers.as_slice() {
                [] => out.push(Diagnostic::new(
                    LintCode::UnknownReference,
                    path.clone(),
                    format!(
                        "`{reference}` matches no server: the entry grants and restricts \
                         nothing{stale_note}"
                    ),
                )),
                [_] => {}
                many => out.push(Diagnostic::new(
                    LintCode::AmbiguousReference,
                    path.clone(),
                    format!(
                        "`{reference}` matches {} servers ({}): the tool list applies to all \
                         of them",
                        many.len(),
                        self.ids(many)
                    ),
                )),
            }
            for &server in &servers {
                self.tool_entry_grant(level, permission, compiled, ceiling, server, &path, out);
            }
            self.tool_list(level, &path, tools, &servers, out);
        }
        self.toolsets(level, permission, compiled, stale_note, out);
    }

    fn server_entries(
        &self,
        level: Level,
        permission: &ObjectPermission,
        found: &dyn Fn(Source) -> Vec<u32>,
        stale_note: &str,
        out: &mut Vec<Diagnostic>,
    ) {
        let servers = permission.servers();
        for (at, reference) in servers.iter().enumerate() {
            let path = servers_path(level, at);
            if let Some(kind) = sentinel(level, reference) {
                let others = servers.len() > 1
                    || !permission.groups().is_empty()
                    || (kind == Sentinel::AllProxy
                        && self.compiler.settings.tool_permissions_grant_servers
                        && permission.tool_entries().next().is_some());
                if others {
                    let effect = match kind {
                        Sentinel::NoMcpServers => "the key sees no server at all",
                        Sentinel::AllProxy => "the team grants every server",
                    };
                    out.push(Diagnostic::new(
                        LintCode::SentinelWithEntries,
                        path,
                        format!(
                            "`{reference}` shares the permission with other server entries, \
                             which have no effect: {effect}"
                        ),
                    ));
                }
                continue;
            }
            match found(Source::Server(index(at))).as_slice() {
                [] => {
                    let home = [Level::Key, Level::Team]
                        .into_iter()
                        .find(|&l| sentinel(l, reference).is_some());
                    let why = match home {
                        Some(home) => format!(
                            "`{reference}` is a sentinel only in a {} permission; here it \
                             matches no server",
                            home.noun()
                        ),
                        None => format!("`{reference}` matches no server (a deleted server's id?)"),
                    };
                    out.push(Diagnostic::new(
                        LintCode::UnknownReference,
                        path,
                        format!("{why}: it grants nothing{stale_note}"),
                    ));
                }
                [_] => {}
                many => out.push(Diagnostic::new(
                    LintCode::AmbiguousReference,
                    path,
                    format!(
                        "`{reference}` matches {} servers ({}): it grants all of them, and a \
                         call that names its server `{reference}` is denied",
                        many.len(),
                        self.ids(many)
                    ),
                )),
            }
        }
    }

    /// Toolsets a level names that grant nothing (SPEC 1.5).
    fn toolsets(
        &self,
        level: Level,
        permission: &ObjectPermission,
        compiled: &Compiled,
        stale_note: &str,
        out: &mut Vec<Diagnostic>,
    ) {
        for &source in &compiled.unmatched {
            let Source::Toolset { at, toolset, .. } = source else {
                continue;
            };
            let path = toolsets_path(level, at as usize);
            let id = permission
                .toolsets()
                .get(at as usize)
                .map_or("", String::as_str);
            let entry = toolset.and_then(|t| self.registry.toolset(t));
            let (code, what) = match entry {
                None => (LintCode::UnknownToolset, format!("`{id}` names no toolset")),
                Some(t) if t.toolset.tools().is_empty() => (
                    LintCode::EmptyToolset,
                    format!("toolset `{id}` has no tools"),
                ),
                Some(_) => (
                    LintCode::ToolsetUnknownServer,
                    format!("toolset `{id}` names no registry server"),
                ),
            };
            let litellm = if compiled.denies_tools == Some(at) {
                "; under LiteLLM it also denies every tool on every server"
            } else {
                ""
            };
            out.push(Diagnostic::new(
                code,
                path,
                format!("{what}: it grants nothing{litellm}{stale_note}"),
            ));
        }
    }

    /// Whether an `mcp_tool_permissions` entry is the only grant of server `index` (the
    /// #33397 hazard), or, when tool permissions do not grant, restricts a server the
    /// caller cannot see.
    #[allow(clippy::too_many_arguments)]
    fn tool_entry_grant(
        &self,
        level: Level,
        permission: &ObjectPermission,
        compiled: &Compiled,
        ceiling: Option<&Grant>,
        index: u32,
        path: &str,
        out: &mut Vec<Diagnostic>,
    ) {
        let directly = compiled.matches.iter().any(|&(i, source)| {
            !matches!(source, Source::ToolPermission(_))
                && (i == index || matches!(source, Source::AllProxy(_)))
        });
        if directly {
            return;
        }
        let server = self.id(index);
        if self.compiler.settings.tool_permissions_grant_servers {
            out.push(Diagnostic::new(
                LintCode::GrantedOnlyByToolPermissions,
                path.to_owned(),
                format!(
                    "server {server} is granted only through this entry: removing it from \
                     mcp_servers will not revoke it while this entry stays (LiteLLM #33397)"
                ),
            ));
            return;
        }
        if !level.grants() || self.registry.entry(index).server.is_allow_all_keys() {
            return;
        }
        // A level that declares no servers only restricts tools: a team's lists then apply
        // to whatever its keys declare, and a key inherits what its ceilings grant.
        let declares = !permission.servers().is_empty()
            || !permission.groups().is_empty()
            || !permission.toolsets().is_empty();
        if !declares && (level != Level::Key || ceiling.is_some_and(|c| c.contains(index))) {
            return;
        }
        out.push(Diagnostic::new(
            LintCode::ToolPermissionDoesNotGrant,
            path.to_owned(),
            format!(
                "tool_permissions_grant_servers is off and nothing else grants server \
                 {server}: this entry restricts tools of a server the caller cannot see"
            ),
        ));
    }

    fn tool_list(
        &self,
        level: Level,
        path: &str,
        tools: &[String],
        servers: &[u32],
        out: &mut Vec<Diagnostic>,
    ) {
        if tools.is_empty() {
            let litellm = if level == Level::Team {
                " (under LiteLLM 1.106 a team's `[]` counts as no list and allows every tool; \
                 LiteLLM 1.110 denies like the default semantics)"
            } else {
                ""
            };
            out.push(Diagnostic::new(
                LintCode::EmptyToolList,
                path.to_owned(),
                format!(
                    "`[]` allows no tool: the server stays visible and every call to it is \
                     denied{litellm}"
                ),
            ));
            if level == Level::Team && self.compiler.semantics.is_litellm() {
                out.push(Diagnostic::new(
                    LintCode::ReleaseDifference,
                    path.to_owned(),
                    "LiteLLM 1.106 reads a team's `[]` as no list (every tool allowed); \
                     1.110 reads it as no tool allowed: upgrading removes these tools"
                        .to_owned(),
                ));
            }
            return;
        }
        let has_wildcard = tools.iter().any(|t| t == WILDCARD);
        if has_wildcard && tools.iter().any(|t| t != WILDCARD) {
            out.push(Diagnostic::new(
                LintCode::WildcardWithNames,
                path.to_owned(),
                format!(
                    "the list holds {} and names: it does not restrict, so the names do \
                     nothing",
                    quote(WILDCARD)
                ),
            ));
            return;
        }
        for (at, tool) in tools.iter().enumerate() {
            if tool == WILDCARD {
                continue;
            }
            for &index in servers {
                let entry = self.registry.entry(index);
                if let Some((prefix, bare)) = self.prefixed(&entry.server, tool) {
                    out.push(Diagnostic::new(
                        LintCode::PrefixedToolName,
                        format!("{path}[{at}]"),
                        format!(
                            "tool `{tool}` starts with `{prefix}{}`, a prefix of server {}: \
                             tool names in permissions are bare, so this allows only a tool \
                             literally named `{tool}` (for the server's `{bare}`, write `{bare}`)",
                            self.naming.separator(),
                            self.id(index)
                        ),
                    ));
                }
                let why = if entry.deny.contains(tool) {
                    "its disallowed_tools lists it"
                } else if entry.allow.as_ref().is_some_and(|a| !a.contains(tool)) {
                    "its allowed_tools does not list it"
                } else {
                    continue;
                };
                out.push(Diagnostic::new(
                    LintCode::UnusableTool,
                    format!("{path}[{at}]"),
                    format!(
                        "tool `{tool}` can never be used on server {}: {why}",
                        self.id(index)
                    ),
                ));
            }
        }
    }

    /// The spelling of `server` that `tool` starts with, followed by the separator, and the
    /// rest: the tool name written with a prefix.
    fn prefixed<'t>(&self, server: &McpServer, tool: &'t str) -> Option<(String, &'t str)> {
        let separator = self.naming.separator();
        server.spellings().into_iter().find_map(|spelling| {
            let bare = tool
                .strip_prefix(spelling.as_str())?
                .strip_prefix(separator)?;
            (!bare.is_empty()).then_some((spelling, bare))
        })
    }

    /// A granting level's grants that its nearest declaring ceiling does not grant.
    fn outside_ceiling(
        &self,
        permission: &ObjectPermission,
        compiled: &Compiled,
        ceiling: Level,
        grant: &Grant,
        out: &mut Vec<Diagnostic>,
    ) {
        let level = compiled.level();
        let mut seen: std::collections::HashSet<u32> = std::collections::HashSet::new();
        for &(index, source) in &compiled.matches {
            if matches!(source, Source::AllProxy(_))
                || !Compiled::source_grants(
                    source,
                    level,
                    self.compiler.settings,
                    self.compiler.rules(),
                )
                || grant.contains(index)
                || seen.contains(&index)
                || self.registry.entry(index).server.is_allow_all_keys()
            {
                continue;
            }
            seen.insert(index);
            out.push(Diagnostic::new(
                LintCode::OutsideCeiling,
                source_path(level, permission, source).0,
                format!(
                    "grants server {}, which the {} does not grant: the {} is the {}'s \
                     ceiling, so this grant is dropped",
                    self.id(index),
                    ceiling.noun(),
                    ceiling.noun(),
                    level.noun()
                ),
            ));
        }
    }

    /// A narrowing level that names servers no granting level grants: it can only narrow.
    fn narrowing_grants(
        &self,
        level: Level,
        permission: &ObjectPermission,
        compiled: &Compiled,
        all: &PerLevel<Option<(Compiled, &ObjectPermission)>>,
        out: &mut Vec<Diagnostic>,
    ) {
        let granting: Vec<&Grant> = Level::ALL
            .iter()
            .filter(|l| l.grants())
            .filter_map(|&l| all[l].as_ref().map(|(c, _)| &c.servers))
            .collect();
        let mut seen: std::collections::HashSet<u32> = std::collections::HashSet::new();
        for &(index, source) in &compiled.matches {
            if matches!(source, Source::AllProxy(_))
                || granting.iter().any(|g| g.contains(index))
                || seen.contains(&index)
                || self.registry.entry(index).server.is_allow_all_keys()
            {
                continue;
            }
            seen.insert(index);
            out.push(Diagnostic::new(
                LintCode::NarrowingGrants,
                source_path(level, permission, source).0,
                format!(
                    "names server {}, which no granting level (organization, team, key) \
                     grants: the {} only narrows, so this entry cannot make it visible",
                    self.id(index),
                    level.noun()
                ),
            ));
        }
    }

    /// Where a LiteLLM deployment's answer depends on the release, or differs from the
    /// default semantics, for this request.
    fn litellm_differences(
        &self,
        request: &Request<'_>,
        all: &PerLevel<Option<(Compiled, &ObjectPermission)>>,
        out: &mut Vec<Diagnostic>,
    ) {
        let declares = |l: Level| all[l].as_ref().is_some_and(|(c, _)| c.declares);
        let key = request.permission(Level::Key);
        if request.admin
            && key.is_none_or(|k| k.mcp_servers().is_none())
            && request.permission(Level::Team).is_some()
        {
            out.push(Diagnostic::new(
                LintCode::ReleaseDifference,
                "key".to_owned(),
                "an admin key on a team: LiteLLM 1.106 shows it every server, 1.110 bounds it by \
                 its team like any key"
                    .to_owned(),
            ));
        }
        let org = declares(Level::Organization);
        let narrowing = [Level::User, Level::EndUser, Level::Agent]
            .into_iter()
            .find(|&l| declares(l));
        let key_team_declare = declares(Level::Key) || declares(Level::Team);
        if org
            && !key_team_declare
            && self.compiler.settings.require_key_mcp_access_defined
            && narrowing.is_none()
        {
            out.push(Diagnostic::new(
                LintCode::PresetDiffers,
                "key".to_owned(),
                "the key declares nothing and require_key_mcp_access_defined is on: LiteLLM \
                 gives it the organization's servers anyway; the default semantics give it none"
                    .to_owned(),
            ));
        }
        if let Some(level) = narrowing.filter(|_| org && !key_team_declare) {
            out.push(Diagnostic::new(
                LintCode::PresetDiffers,
                level.as_str().to_owned(),
                format!(
                    "the {} restricts, so LiteLLM does not inherit the organization's servers \
                     (only allow_all_keys servers stay); the default semantics inherit them and \
                     let the {} narrow",
                    level.noun(),
                    level.noun()
                ),
            ));
        }
        if let Some(k) = key {
            let only_toolsets = k.servers().is_empty()
                && k.groups().is_empty()
                && (k.tool_entry_count() == 0
                    || !self.compiler.settings.tool_permissions_grant_servers)
                && !k.toolsets().is_empty();
            let stale = all[Level::Key].as_ref().is_some_and(|(c, _)| !c.declares);
            if only_toolsets && stale && declares(Level::Team) {
                out.push(Diagnostic::new(
                    LintCode::PresetDiffers,
                    toolsets_path(Level::Key, 0),
                    "the key's only declaration is a toolset with no tools (or none at all): \
                     LiteLLM lets the key inherit its team's servers (under the team's tool \
                     lists); the default semantics grant nothing"
                        .to_owned(),
                ));
            }
        }
    }
}

fn index(at: usize) -> u32 {
    u32::try_from(at).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests;
