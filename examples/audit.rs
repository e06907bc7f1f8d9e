//! Audits a whole deployment export before an upgrade or a switch of semantics.
//!
//! ```text
//! cargo run --example audit -- examples/data/deployment.json
//! cargo run --example audit -- --json examples/data/deployment.json
//! cargo run --example audit -- --from litellm-1.106 --to litellm-1.110 examples/data/deployment.json
//! cargo run --example audit -- --from litellm-1.110 --to default examples/data/deployment.json
//! cargo run --example audit -- --migrate examples/data/deployment.json
//! ```
//!
//! # What it compares
//!
//! For every key of the export it resolves the key's request twice and reports what
//! changes between the two answers: the servers gained and lost, and per server the tools
//! gained and lost in listings and in calls.
//!
//! - By default: the fix for LiteLLM #21954, `tool_permissions_grant_servers` going from off
//!   to on, under the `--to` semantics (`default` unless given).
//! - `--from S --to S`: the same request under two semantics (`--to` defaults to
//!   `default`). `--from litellm-1.106 --to litellm-1.110` is what upgrading LiteLLM
//!   changes; `--from litellm-1.110 --to default` is what moving to this crate's semantics
//!   changes.
//! - `--migrate`: shorthand for `--from litellm --to default` (`litellm` is the newest
//!   modelled release).
//!
//! Semantics names are `default`, `litellm-1.106`, `litellm-1.110` and `litellm`.
//!
//! The report lists the registry's diagnostics, each organization's, team's, user's,
//! agent's and end user's on its own, then per key the diagnostics of its whole request
//! (every level, each granting level against its ceilings; linted under the `--to`
//! semantics, so a LiteLLM `--to` adds `release_difference` and `preset_differs`),
//! leaving out those already listed for a level on its own, and what changes for it.
//! `--json` prints the same as JSON.
//!
//! # The export
//!
//! One JSON object with LiteLLM's table and field names. Only `servers` is required; every
//! other member defaults to empty, and fields not listed here are ignored.
//!
//! ```text
//! {
//!   "servers":       [LiteLLM_MCPServerTable rows or GET /v1/mcp/server objects],
//!   "toolsets":      [LiteLLM_MCPToolsetTable rows: {"toolset_id", "toolset_name",
//!                     "description", "tools": [{"server_id", "tool_name"}] or its JSON string}],
//!   "settings":      {"tool_permissions_grant_servers", "require_key_mcp_access_defined",
//!                     "require_end_user_mcp_access_defined"},
//!   "organizations": [{"organization_id", "object_permission"}],
//!   "teams":         [{"team_id", "organization_id", "object_permission"}],
//!   "users":         [{"user_id", "user_role", "object_permission"}],
//!   "agents":        [{"agent_id", "object_permission"}],
//!   "keys":          [{"key_alias", "team_id", "organization_id", "user_id", "agent_id",
//!                     "object_permission"}],
//!   "end_users":     [{"user_id" (or "end_user_id"), "object_permission"}]
//! }
//! ```
//!
//! A key's request is made of its own `object_permission`, its team's (`team_id`), its
//! organization's (the key's own `organization_id`, else its team's), its owner's (`user_id`,
//! a LiteLLM internal user; a `user_role` of `proxy_admin` or `proxy_admin_viewer` gives the
//! admin view) and the agent's it acts for (`agent_id`), with the export's `settings`. A
//! key on a team whose row has no `object_permission` is on a team with no MCP permission.
//! A reference to a row the export lacks is noted in the report: a missing team resolves as
//! a team with no MCP permission, a missing organization, user or agent as none. End users
//! are not part of a key's request (a key serves many of them); they are listed and linted
//! on their own.
//!
//! `settings` members are checked (an unknown one is an error: a misspelt switch would
//! silently change every answer), and so are `object_permission` members whose name starts
//! with `mcp_` (SPEC 1.2).
//!
//! Exit status: 0 on success, 2 on a bad argument or an export that cannot be read. With
//! `--json`, errors are printed on standard output as `{"error": {"message": ...}}`.

use std::fmt::Write as _;
use std::io::{Read as _, Write as _};
use std::process::ExitCode;

use mcp_authz::{
    Diagnostic, Level, Linter, McpServer, ObjectPermission, PermissionRef, Request, ResolutionDiff,
    Semantics, ServerChange, ServerDiff, ServerRegistry, Settings, Toolset,
};
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Deserialize)]
struct Export {
    servers: Vec<McpServer>,
    #[serde(default)]
    toolsets: Vec<Toolset>,
    #[serde(default)]
    settings: Option<Settings>,
    #[serde(default)]
    organizations: Vec<Organization>,
    #[serde(default)]
    teams: Vec<Team>,
    #[serde(default)]
    users: Vec<User>,
    #[serde(default)]
    agents: Vec<Agent>,
    #[serde(default)]
    keys: Vec<Key>,
    #[serde(default)]
    end_users: Vec<EndUser>,
}

#[derive(Deserialize)]
struct Organization {
    organization_id: String,
    #[serde(default)]
    object_permission: Option<ObjectPermission>,
}

#[derive(Deserialize)]
#[allow(clippy::struct_field_names)] // LiteLLM's field names
struct Team {
    team_id: String,
    #[serde(default)]
    organization_id: Option<String>,
    #[serde(default)]
    object_permission: Option<ObjectPermission>,
}

#[derive(Deserialize)]
#[allow(clippy::struct_field_names)] // LiteLLM's field names
struct User {
    user_id: String,
    #[serde(default)]
    user_role: Option<String>,
    #[serde(default)]
    object_permission: Option<ObjectPermission>,
}

impl User {
    /// LiteLLM's roles with the proxy-admin view.
    fn is_admin(&self) -> bool {
        matches!(
            self.user_role.as_deref(),
            Some("proxy_admin" | "proxy_admin_viewer")
        )
    }
}

#[derive(Deserialize)]
struct Agent {
    agent_id: String,
    #[serde(default)]
    object_permission: Option<ObjectPermission>,
}

#[derive(Deserialize)]
#[allow(clippy::struct_field_names)] // LiteLLM's field names
struct Key {
    key_alias: Option<String>,
    #[serde(default)]
    team_id: Option<String>,
    #[serde(default)]
    organization_id: Option<String>,
    #[serde(default)]
    user_id: Option<String>,
    #[serde(default)]
    agent_id: Option<String>,
    #[serde(default)]
    object_permission: Option<ObjectPermission>,
}

#[derive(Deserialize)]
struct EndUser {
    #[serde(alias = "end_user_id")]
    user_id: String,
    #[serde(default)]
    object_permission: Option<ObjectPermission>,
}

/// What the two resolutions of each key differ in.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// The fix for LiteLLM #21954: `tool_permissions_grant_servers` off, then on.
    Fix21954(Semantics),
    /// The same request under two semantics.
    Compare { from: Semantics, to: Semantics },
}

impl Mode {
    /// The settings of the later resolution (the ones the linter uses).
    fn after_settings(self, settings: Settings) -> Settings {
        let mut after = settings;
        if let Self::Fix21954(_) = self {
            after.tool_permissions_grant_servers = true;
        }
        after
    }

    /// The semantics of the later resolution (the one the linter uses).
    fn after_semantics(self) -> Semantics {
        match self {
            Self::Fix21954(semantics) => semantics,
            Self::Compare { to, .. } => to,
        }
    }

    /// The request as it resolves before and after.
    fn requests(self, request: Request<'_>, settings: Settings) -> (Request<'_>, Request<'_>) {
        let after = request
            .settings(self.after_settings(settings))
            .semantics(self.after_semantics());
        let before = match self {
            Self::Fix21954(_) => {
                let mut legacy = settings;
                legacy.tool_permissions_grant_servers = false;
                after.settings(legacy)
            }
            Self::Compare { from, .. } => after.semantics(from),
        };
        (before, after)
    }

    fn column(self) -> String {
        match self {
            Self::Fix21954(Semantics::Default) => "#21954 FIX (off -> on)".to_owned(),
            Self::Fix21954(semantics) => format!("#21954 FIX (off -> on, {semantics})"),
            Self::Compare { from, to } => {
                format!("{} -> {}", from.name(), to.name()).to_uppercase()
            }
        }
    }

    fn sees(self) -> String {
        match self {
            Self::Fix21954(Semantics::Default) => "sees (with the fix)".to_owned(),
            Self::Fix21954(semantics) => format!("sees (with the fix, {semantics})"),
            Self::Compare { to, .. } => format!("sees under {to}"),
        }
    }

    fn heading(self) -> String {
        match self {
            Self::Fix21954(_) => "the #21954 fix".to_owned(),
            Self::Compare { from, to } => format!("switching from {from} to {to}"),
        }
    }

    /// The member of a key's JSON object that holds the diff.
    fn json_member(self) -> &'static str {
        match self {
            Self::Fix21954(_) => "fix_21954",
            Self::Compare { .. } => "changes",
        }
    }
}

/// One key's findings.
struct KeyReport<'a> {
    alias: String,
    team: Option<&'a str>,
    organization: Option<&'a str>,
    user: Option<&'a str>,
    agent: Option<&'a str>,
    admin: bool,
    notes: Vec<String>,
    diagnostics: Vec<Diagnostic>,
    visible: Vec<&'a McpServer>,
    diff: ResolutionDiff,
}

/// A key's levels, read from the rows of the export its ids refer to.
struct Levels<'a> {
    organization: Option<&'a ObjectPermission>,
    organization_id: Option<&'a str>,
    /// `Some` when the key is on a team (the empty permission when the row has none).
    team: Option<&'a ObjectPermission>,
    user: Option<&'a ObjectPermission>,
    agent: Option<&'a ObjectPermission>,
    admin: bool,
    notes: Vec<String>,
}

/// The row of `rows` whose id is `id`, or a note that the export lacks it.
fn find<'a, T>(
    rows: &'a [T],
    id: Option<&str>,
    row_id: impl Fn(&T) -> &str,
    what: &str,
    fallback: &str,
    notes: &mut Vec<String>,
) -> Option<&'a T> {
    let id = id?;
    let row = rows.iter().find(|r| row_id(r) == id);
    if row.is_none() {
        notes.push(format!(
            "{what} `{id}` is not in the export: resolved {fallback}"
        ));
    }
    row
}

impl<'a> Levels<'a> {
    fn of(export: &'a Export, key: &'a Key, no_permission: &'a ObjectPermission) -> Self {
        let mut notes = Vec::new();
        let team_row = find(
            &export.teams,
            key.team_id.as_deref(),
            |t| &t.team_id,
            "team",
            "as a team with no MCP permission",
            &mut notes,
        );
        let organization_id = key
            .organization_id
            .as_deref()
            .or_else(|| team_row.and_then(|t| t.organization_id.as_deref()));
        let organization = find(
            &export.organizations,
            organization_id,
            |o| &o.organization_id,
            "organization",
            "without an organization",
            &mut notes,
        );
        let user = find(
            &export.users,
            key.user_id.as_deref(),
            |u| &u.user_id,
            "user",
            "without the owner's permission and role",
            &mut notes,
        );
        let agent = find(
            &export.agents,
            key.agent_id.as_deref(),
            |a| &a.agent_id,
            "agent",
            "without an agent",
            &mut notes,
        );
        Self {
            organization: organization.and_then(|o| o.object_permission.as_ref()),
            organization_id,
            team: key.team_id.as_ref().map(|_| {
                team_row
                    .and_then(|t| t.object_permission.as_ref())
                    .unwrap_or(no_permission)
            }),
            user: user.and_then(|u| u.object_permission.as_ref()),
            agent: agent.and_then(|a| a.object_permission.as_ref()),
            admin: user.is_some_and(User::is_admin),
            notes,
        }
    }

    /// The key's request: every level but the end user, no semantics or settings yet.
    fn request(&self, key: Option<&'a ObjectPermission>) -> Request<'a> {
        let raw = |p: Option<&'a ObjectPermission>| p.map(PermissionRef::Raw);
        Request::new()
            .level(Level::Organization, raw(self.organization))
            .team_opt(self.team)
            .key_opt(key)
            .level(Level::User, raw(self.user))
            .level(Level::Agent, raw(self.agent))
            .admin(self.admin)
    }
}

/// The request's diagnostics, less those each non-key level has on its own: the level
/// sections list them, and a level's own finding (a team's `release_difference` on a tool
/// list, say) need not concern every key on it (a key that does not see that server).
fn request_diagnostics(linter: &Linter<'_>, request: &Request<'_>) -> Vec<Diagnostic> {
    let own: Vec<Diagnostic> = [Level::Organization, Level::Team, Level::User, Level::Agent]
        .into_iter()
        .filter_map(|level| {
            request
                .permission(level)
                .map(|p| linter.permission(level, p))
        })
        .flatten()
        .collect();
    linter
        .request(request)
        .into_iter()
        .filter(|d| !own.contains(d))
        .collect()
}

fn label(server: &McpServer) -> String {
    if server.prefix() == server.id().as_str() {
        server.id().to_string()
    } else {
        format!("{} [{}]", server.prefix(), server.id())
    }
}

fn key_reports<'a>(
    export: &'a Export,
    registry: &'a ServerRegistry,
    linter: &Linter<'_>,
    settings: Settings,
    mode: Mode,
    no_permission: &'a ObjectPermission,
) -> Vec<KeyReport<'a>> {
    export
        .keys
        .iter()
        .enumerate()
        .map(|(at, key)| {
            let levels = Levels::of(export, key, no_permission);
            let request = levels.request(key.object_permission.as_ref());
            let (before, after) = mode.requests(request, settings);
            let diagnostics = request_diagnostics(linter, &after);
            let before = registry.resolve_allowed_servers(&before);
            let after = registry.resolve_allowed_servers(&after);
            KeyReport {
                alias: key
                    .key_alias
                    .clone()
                    .unwrap_or_else(|| format!("keys[{at}]")),
                team: key.team_id.as_deref(),
                organization: levels.organization_id,
                user: key.user_id.as_deref(),
                agent: key.agent_id.as_deref(),
                admin: levels.admin,
                notes: levels.notes,
                diagnostics,
                visible: after
                    .servers()
                    .filter_map(|v| registry.get(v.server().id().as_str()))
                    .collect(),
                diff: ResolutionDiff::new(&before, &after),
            }
        })
        .collect()
}

fn change_line(change: &ServerDiff) -> String {
    let server = label(change.server());
    let mut line = match change.change() {
        ServerChange::Gained => format!("+ {server}: gained, tools: {}", change.listed().gained()),
        ServerChange::Lost => format!("- {server}: lost, tools: {}", change.listed().lost()),
        _ => {
            let mut parts = Vec::new();
            if !change.listed().gained().is_empty() {
                parts.push(format!("tools gained: {}", change.listed().gained()));
            }
            if !change.listed().lost().is_empty() {
                parts.push(format!("tools lost: {}", change.listed().lost()));
            }
            format!("~ {server}: {}", parts.join("; "))
        }
    };
    if change.callable() != change.listed() {
        let calls = change.callable();
        let mut parts = Vec::new();
        if !calls.gained().is_empty() {
            parts.push(format!("calls gained: {}", calls.gained()));
        }
        if !calls.lost().is_empty() {
            parts.push(format!("calls lost: {}", calls.lost()));
        }
        if line.ends_with(": ") {
            line.push_str(&parts.join("; "));
        } else if !parts.is_empty() {
            let _ = write!(line, "; {}", parts.join("; "));
        }
    }
    line
}

fn diagnostics_block(out: &mut String, indent: &str, diagnostics: &[Diagnostic]) {
    if diagnostics.is_empty() {
        let _ = writeln!(out, "{indent}no diagnostics");
    }
    for d in diagnostics {
        let _ = writeln!(out, "{indent}{d}");
    }
}

fn summary_table(out: &mut String, keys: &[KeyReport<'_>], mode: Mode) {
    let width = keys.iter().map(|k| k.alias.len()).max().unwrap_or(3).max(3);
    let team_width = keys
        .iter()
        .map(|k| k.team.map_or(1, str::len))
        .max()
        .unwrap_or(4)
        .max(4);
    let _ = writeln!(
        out,
        "{:width$}  {:team_width$}  {:>5}  {:>7}  {}",
        "KEY",
        "TEAM",
        "DIAGS",
        "SERVERS",
        mode.column()
    );
    for key in keys {
        let summary: Vec<String> = key
            .diff
            .servers()
            .iter()
            .map(|c| {
                let sign = match c.change() {
                    ServerChange::Gained => "+",
                    ServerChange::Lost => "-",
                    _ => "~",
                };
                format!("{sign}{}", c.server().prefix())
            })
            .collect();
        let _ = writeln!(
            out,
            "{:width$}  {:team_width$}  {:>5}  {:>7}  {}",
            key.alias,
            key.team.unwrap_or("-"),
            key.diagnostics.len(),
            key.visible.len(),
            if summary.is_empty() {
                "no change".to_owned()
            } else {
                summary.join(" ")
            }
        );
    }
}

fn lint(linter: &Linter<'_>, level: Level, p: Option<&ObjectPermission>) -> Vec<Diagnostic> {
    p.map(|p| linter.permission(level, p)).unwrap_or_default()
}

fn level_sections(out: &mut String, export: &Export, linter: &Linter<'_>) {
    let _ = writeln!(out, "\nregistry");
    diagnostics_block(out, "  ", &linter.registry());
    let mut section = |heading: String, level: Level, p: Option<&ObjectPermission>| {
        let _ = writeln!(out, "\n{heading}");
        diagnostics_block(out, "  ", &lint(linter, level, p));
    };
    for o in &export.organizations {
        section(
            format!("organization {}", o.organization_id),
            Level::Organization,
            o.object_permission.as_ref(),
        );
    }
    for t in &export.teams {
        let organization = t
            .organization_id
            .as_deref()
            .map_or(String::new(), |o| format!(" (organization {o})"));
        section(
            format!("team {}{organization}", t.team_id),
            Level::Team,
            t.object_permission.as_ref(),
        );
    }
    for u in &export.users {
        let role = u
            .user_role
            .as_deref()
            .map_or(String::new(), |r| format!(" ({r})"));
        section(
            format!("user {}{role}", u.user_id),
            Level::User,
            u.object_permission.as_ref(),
        );
    }
    for a in &export.agents {
        section(
            format!("agent {}", a.agent_id),
            Level::Agent,
            a.object_permission.as_ref(),
        );
    }
    for u in &export.end_users {
        section(
            format!("end user {}", u.user_id),
            Level::EndUser,
            u.object_permission.as_ref(),
        );
    }
}

fn key_section(out: &mut String, key: &KeyReport<'_>, mode: Mode) {
    let mut context = Vec::new();
    if let Some(team) = key.team {
        context.push(format!("team {team}"));
    }
    if let Some(organization) = key.organization {
        context.push(format!("organization {organization}"));
    }
    if let Some(user) = key.user {
        let admin = if key.admin { ", admin view" } else { "" };
        context.push(format!("user {user}{admin}"));
    }
    if let Some(agent) = key.agent {
        context.push(format!("agent {agent}"));
    }
    let context = if context.is_empty() {
        String::new()
    } else {
        format!(" ({})", context.join(", "))
    };
    let _ = writeln!(out, "\nkey {}{context}", key.alias);
    for note in &key.notes {
        let _ = writeln!(out, "  note: {note}");
    }
    let visible: Vec<_> = key.visible.iter().map(|s| s.prefix()).collect();
    let sees = if visible.is_empty() {
        "nothing".to_owned()
    } else {
        visible.join(", ")
    };
    let _ = writeln!(out, "  {}: {sees}", mode.sees());
    diagnostics_block(out, "  ", &key.diagnostics);
    let heading = mode.heading();
    if key.diff.is_empty() {
        let _ = writeln!(out, "  {heading} changes nothing");
    } else {
        let _ = writeln!(out, "  {heading}:");
        for change in key.diff.servers() {
            let _ = writeln!(out, "    {}", change_line(change));
        }
    }
}

fn text_report(
    export: &Export,
    registry: &ServerRegistry,
    linter: &Linter<'_>,
    keys: &[KeyReport<'_>],
    mode: Mode,
) -> String {
    let mut out = String::new();
    // (count, singular, always shown): the levels an export may leave out are shown only
    // when it has some.
    let counts = [
        (registry.len(), "server", true),
        (registry.toolsets().len(), "toolset", false),
        (export.organizations.len(), "organization", false),
        (export.teams.len(), "team", true),
        (export.users.len(), "user", false),
        (export.agents.len(), "agent", false),
        (export.keys.len(), "key", true),
        (export.end_users.len(), "end user", false),
    ];
    let counts: Vec<String> = counts
        .iter()
        .filter(|&&(n, _, always)| always || n > 0)
        .map(|&(n, what, _)| format!("{n} {what}{}", if n == 1 { "" } else { "s" }))
        .collect();
    let _ = writeln!(out, "{}\n", counts.join(", "));
    summary_table(&mut out, keys, mode);
    level_sections(&mut out, export, linter);
    for key in keys {
        key_section(&mut out, key, mode);
    }
    out
}

fn json_report(export: &Export, linter: &Linter<'_>, keys: &[KeyReport<'_>], mode: Mode) -> Value {
    let keys: Vec<Value> = keys
        .iter()
        .map(|k| {
            json!({
                "key_alias": k.alias,
                "team_id": k.team,
                "organization_id": k.organization,
                "user_id": k.user,
                "agent_id": k.agent,
                "admin": k.admin,
                "notes": k.notes,
                "visible": k.visible.iter().map(|s| s.id()).collect::<Vec<_>>(),
                "diagnostics": k.diagnostics,
                mode.json_member(): k.diff,
            })
        })
        .collect();
    let rows = |level: Level, rows: Vec<(&str, &str, Option<&ObjectPermission>)>| {
        rows.into_iter()
            .map(|(member, id, p)| json!({ member: id, "diagnostics": lint(linter, level, p) }))
            .collect::<Vec<_>>()
    };
    let compared = match mode {
        Mode::Fix21954(semantics) => json!({
            "setting": "tool_permissions_grant_servers",
            "from": false,
            "to": true,
            "semantics": semantics,
        }),
        Mode::Compare { from, to } => json!({ "from": from, "to": to }),
    };
    json!({
        "compare": compared,
        "registry": linter.registry(),
        "organizations": rows(Level::Organization, export.organizations.iter()
            .map(|o| ("organization_id", o.organization_id.as_str(), o.object_permission.as_ref()))
            .collect()),
        "teams": rows(Level::Team, export.teams.iter()
            .map(|t| ("team_id", t.team_id.as_str(), t.object_permission.as_ref()))
            .collect()),
        "users": rows(Level::User, export.users.iter()
            .map(|u| ("user_id", u.user_id.as_str(), u.object_permission.as_ref()))
            .collect()),
        "agents": rows(Level::Agent, export.agents.iter()
            .map(|a| ("agent_id", a.agent_id.as_str(), a.object_permission.as_ref()))
            .collect()),
        "end_users": rows(Level::EndUser, export.end_users.iter()
            .map(|u| ("user_id", u.user_id.as_str(), u.object_permission.as_ref()))
            .collect()),
        "keys": keys,
    })
}

fn read(path: &str) -> Result<String, String> {
    if path == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
        Ok(text)
    } else {
        std::fs::read_to_string(path).map_err(|e| format!("cannot read `{path}`: {e}"))
    }
}

fn run(options: &Options) -> Result<String, String> {
    let path = &options.path;
    let export: Export = serde_json::from_str(&read(path)?).map_err(|e| {
        if path == "-" {
            format!("invalid export on standard input: {e}")
        } else {
            format!("invalid export `{path}`: {e}")
        }
    })?;
    let registry = ServerRegistry::with_toolsets(
        export.servers.iter().cloned(),
        export.toolsets.iter().cloned(),
    )
    .map_err(|e| e.to_string())?;
    let settings = export.settings.unwrap_or_default();
    let mode = options.mode;
    let linter = registry
        .linter()
        .settings(mode.after_settings(settings))
        .semantics(mode.after_semantics());
    let no_permission = ObjectPermission::new();
    let keys = key_reports(&export, &registry, &linter, settings, mode, &no_permission);
    Ok(if options.json {
        format!("{:#}", json_report(&export, &linter, &keys, mode))
    } else {
        text_report(&export, &registry, &linter, &keys, mode)
    })
}

const USAGE: &str =
    "usage: audit [--json] [--from SEMANTICS] [--to SEMANTICS] [--migrate] EXPORT.json";

fn help() -> String {
    format!(
        "{USAGE}

Reports, per key of a LiteLLM deployment export, what a change of rules changes.

  (no --from)        the fix for LiteLLM #21954: tool_permissions_grant_servers off -> on,
                     under the --to semantics (default: default)
  --from S [--to S]  the same requests under two semantics (--to defaults to default)
  --migrate          shorthand for --from litellm --to default
  --json             print the report as JSON (errors as {{\"error\": {{\"message\": ...}}}})
  -h, --help         print this help

SEMANTICS: one of {}; litellm is the newest modelled release
EXPORT.json: a file, or - for standard input; its format is in examples/audit.rs
Exit status: 0 on success, 2 on a bad argument or an export that cannot be read.",
        Semantics::NAMES.join(", ")
    )
}

struct Options {
    json: bool,
    mode: Mode,
    path: String,
}

enum Command {
    Help,
    Run(Options),
}

/// Reads the arguments. An error is a message for the user.
fn parse(args: &[String]) -> Result<Command, String> {
    let mut json_output = false;
    let (mut from, mut to, mut migrate) = (None, None, false);
    let mut paths = Vec::new();
    let mut args = args.iter();
    let semantics = |flag: &str, value: Option<&String>| -> Result<Semantics, String> {
        let value = value.ok_or_else(|| format!("`{flag}` needs a semantics name"))?;
        Semantics::from_name(value).map_err(|e| e.to_string())
    };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "-h" | "--help" => return Ok(Command::Help),
            "--json" => json_output = true,
            "--migrate" => migrate = true,
            "--from" => from = Some(semantics("--from", args.next())?),
            "--to" => to = Some(semantics("--to", args.next())?),
            "--" => paths.extend(args.by_ref().cloned()),
            flag if flag.starts_with("--from=") || flag.starts_with("--to=") => {
                let (name, value) = flag.split_once('=').unwrap_or((flag, ""));
                let value = Some(semantics(name, Some(&value.to_owned()))?);
                if name == "--from" {
                    from = value;
                } else {
                    to = value;
                }
            }
            flag if flag.starts_with('-') && flag != "-" => {
                return Err(format!("unknown option `{flag}`"));
            }
            _ => paths.push(arg.clone()),
        }
    }
    let mode = match (migrate, from, to) {
        (true, None, None) => Mode::Compare {
            from: Semantics::LITELLM,
            to: Semantics::Default,
        },
        (true, _, _) => {
            return Err(
                "`--migrate` means `--from litellm --to default`: it takes no --from or --to"
                    .to_owned(),
            );
        }
        (false, Some(from), to) => Mode::Compare {
            from,
            to: to.unwrap_or_default(),
        },
        (false, None, to) => Mode::Fix21954(to.unwrap_or_default()),
    };
    match <[String; 1]>::try_from(paths) {
        Ok([path]) => Ok(Command::Run(Options {
            json: json_output,
            mode,
            path,
        })),
        Err(paths) if paths.is_empty() => Err("no export file given".to_owned()),
        Err(_) => Err("more than one export file given".to_owned()),
    }
}

/// Writes to standard output; a closed pipe (`audit ... | head`) is not worth a panic.
fn emit(mut text: String) {
    if !text.ends_with('\n') {
        text.push('\n');
    }
    let _ = std::io::stdout().write_all(text.as_bytes());
}

fn fail(json_output: bool, message: &str, usage: bool) -> ExitCode {
    if json_output {
        emit(format!("{:#}", json!({ "error": { "message": message } })));
    } else {
        let usage = if usage {
            format!("\n{USAGE}")
        } else {
            String::new()
        };
        let _ = writeln!(std::io::stderr(), "audit: {message}{usage}");
    }
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // Known before the arguments are read, so that even their errors come out as JSON.
    let json_output = args
        .iter()
        .take_while(|a| *a != "--")
        .any(|a| a == "--json");
    match parse(&args) {
        Ok(Command::Help) => {
            emit(help());
            ExitCode::SUCCESS
        }
        Ok(Command::Run(options)) => match run(&options) {
            Ok(report) => {
                emit(report);
                ExitCode::SUCCESS
            }
            Err(message) => fail(json_output, &message, false),
        },
        Err(message) => fail(json_output, &message, true),
    }
}
