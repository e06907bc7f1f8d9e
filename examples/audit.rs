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
//! One JSON object with LiteLLM's table and field names, read by
//! `mcp_authz::litellm::Deployment`. Only `servers` is required; every other member
//! defaults to empty, other members and the columns not listed here (`spend`, `models`,
//! `token`, ...) are ignored, so rows can be exported from LiteLLM's tables as they are.
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
//! with `mcp_` (SPEC 1.2), the types of the listed columns, and ids: two rows of one table
//! with the same id are an error.
//!
//! `-h` or `--help` anywhere before `--` prints the help and exits with 0. Exit status: 0
//! on success, 2 on a bad argument or an export that cannot be read. With `--json`, every
//! error (a bad argument included) is printed on standard output as
//! `{"error": {"message": ...}}`, the scenario format's error document, and nothing is
//! printed on standard error; without it, errors go to standard error as text.
//!
//! Tool scopes in the JSON report (`before`, `after`, `tools_gained`, `tools_lost`,
//! `calls_gained`, `calls_lost`) all use the scenario format's shape: `{"allow": "*"}`,
//! `{"allow": "*", "deny": [...]}` or `{"allow": [...]}` (`{"allow": []}`: no tool).

use std::ffi::OsString;
use std::fmt::Write as _;
use std::io::{Read as _, Write as _};
use std::process::ExitCode;

use mcp_authz::litellm::{Deployment, KeyRow};
use mcp_authz::{
    Diagnostic, Level, Linter, McpServer, ObjectPermission, Request, ResolutionDiff, Semantics,
    ServerChange, ServerDiff, ServerRegistry, Settings,
};
use serde_json::{Value, json};

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

/// What the report says about a key's reference to a row the export lacks, and how the
/// request resolves without it (as [`KeyRows::request`](mcp_authz::litellm::KeyRows::request)
/// does).
fn missing_note(level: Level, id: &str) -> String {
    let (what, fallback) = match level {
        Level::Team => ("team", "as a team with no MCP permission"),
        Level::Organization => ("organization", "without an organization"),
        Level::User => ("user", "without the owner's permission and role"),
        Level::Agent => ("agent", "without an agent"),
        _ => ("row", "without it"),
    };
    format!("{what} `{id}` is not in the export: resolved {fallback}")
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
    deployment: &'a Deployment,
    registry: &'a ServerRegistry,
    linter: &Linter<'_>,
    mode: Mode,
) -> Vec<KeyReport<'a>> {
    deployment
        .keys()
        .iter()
        .enumerate()
        .map(|(at, key)| {
            let rows = deployment.rows_for(key);
            let request = deployment.request_for(key);
            let (before, after) = mode.requests(request, deployment.settings());
            let diagnostics = request_diagnostics(linter, &after);
            let before = registry.resolve_allowed_servers(&before);
            let after = registry.resolve_allowed_servers(&after);
            KeyReport {
                alias: key_label(key, at),
                team: key.team_id(),
                organization: rows.organization_id(),
                user: key.user_id(),
                agent: key.agent_id(),
                admin: rows.is_admin(),
                notes: rows
                    .missing()
                    .map(|(level, id)| missing_note(level, id))
                    .collect(),
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

/// The key's alias, else its position in the export.
fn key_label(key: &KeyRow, at: usize) -> String {
    key.alias()
        .map_or_else(|| format!("keys[{at}]"), str::to_owned)
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

fn level_sections(out: &mut String, deployment: &Deployment, linter: &Linter<'_>) {
    let _ = writeln!(out, "\nregistry");
    diagnostics_block(out, "  ", &linter.registry());
    let mut section = |heading: String, level: Level, p: Option<&ObjectPermission>| {
        let _ = writeln!(out, "\n{heading}");
        diagnostics_block(out, "  ", &lint(linter, level, p));
    };
    for o in deployment.organizations() {
        section(
            format!("organization {}", o.id()),
            Level::Organization,
            o.object_permission(),
        );
    }
    for t in deployment.teams() {
        let organization = t
            .organization_id()
            .map_or(String::new(), |o| format!(" (organization {o})"));
        section(
            format!("team {}{organization}", t.id()),
            Level::Team,
            t.object_permission(),
        );
    }
    for u in deployment.users() {
        let role = u.role().map_or(String::new(), |r| format!(" ({r})"));
        section(
            format!("user {}{role}", u.id()),
            Level::User,
            u.object_permission(),
        );
    }
    for a in deployment.agents() {
        section(
            format!("agent {}", a.id()),
            Level::Agent,
            a.object_permission(),
        );
    }
    for u in deployment.end_users() {
        section(
            format!("end user {}", u.id()),
            Level::EndUser,
            u.object_permission(),
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
    deployment: &Deployment,
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
        (deployment.organizations().len(), "organization", false),
        (deployment.teams().len(), "team", true),
        (deployment.users().len(), "user", false),
        (deployment.agents().len(), "agent", false),
        (deployment.keys().len(), "key", true),
        (deployment.end_users().len(), "end user", false),
    ];
    let counts: Vec<String> = counts
        .iter()
        .filter(|&&(n, _, always)| always || n > 0)
        .map(|&(n, what, _)| format!("{n} {what}{}", if n == 1 { "" } else { "s" }))
        .collect();
    let _ = writeln!(out, "{}\n", counts.join(", "));
    summary_table(&mut out, keys, mode);
    level_sections(&mut out, deployment, linter);
    for key in keys {
        key_section(&mut out, key, mode);
    }
    out
}

fn json_report(
    deployment: &Deployment,
    linter: &Linter<'_>,
    keys: &[KeyReport<'_>],
    mode: Mode,
) -> Value {
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
    let rows = |level: Level, member: &str, rows: Vec<(&str, Option<&ObjectPermission>)>| {
        rows.into_iter()
            .map(|(id, p)| json!({ member: id, "diagnostics": lint(linter, level, p) }))
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
    let d = deployment;
    json!({
        "compare": compared,
        "registry": linter.registry(),
        "organizations": rows(Level::Organization, "organization_id", d.organizations().iter()
            .map(|o| (o.id(), o.object_permission()))
            .collect()),
        "teams": rows(Level::Team, "team_id", d.teams().iter()
            .map(|t| (t.id(), t.object_permission()))
            .collect()),
        "users": rows(Level::User, "user_id", d.users().iter()
            .map(|u| (u.id(), u.object_permission()))
            .collect()),
        "agents": rows(Level::Agent, "agent_id", d.agents().iter()
            .map(|a| (a.id(), a.object_permission()))
            .collect()),
        "end_users": rows(Level::EndUser, "user_id", d.end_users().iter()
            .map(|u| (u.id(), u.object_permission()))
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
    let deployment = Deployment::from_json(&read(path)?).map_err(|e| {
        if path == "-" {
            format!("standard input: {e}")
        } else {
            format!("`{path}`: {e}")
        }
    })?;
    let registry = deployment.registry().map_err(|e| e.to_string())?;
    let settings = deployment.settings();
    let mode = options.mode;
    let linter = registry
        .linter()
        .settings(mode.after_settings(settings))
        .semantics(mode.after_semantics());
    let keys = key_reports(&deployment, &registry, &linter, mode);
    Ok(if options.json {
        format!("{:#}", json_report(&deployment, &linter, &keys, mode))
    } else {
        text_report(&deployment, &registry, &linter, &keys, mode)
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
  --json             print the report as JSON on standard output; every error then is
                     JSON on standard output too: {{\"error\": {{\"message\": \"...\"}}}}
  -h, --help         print this help and exit (wherever it appears before --)
  --                 what follows is the export's path, even if it starts with -

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

/// The arguments before `--`: the options (after it come only paths).
fn options_part(args: &[String]) -> impl Iterator<Item = &str> {
    args.iter().map(String::as_str).take_while(|a| *a != "--")
}

/// Whether errors are to be JSON: known before the arguments are read, so that even their
/// errors come out as JSON.
fn wants_json(args: &[String]) -> bool {
    options_part(args).any(|a| a == "--json")
}

/// Reads the arguments. An error is a message for the user.
fn parse(args: &[String]) -> Result<Command, String> {
    // Help wins over everything else on the line, a bad option included: whoever asks for
    // help gets it, not an error.
    if options_part(args).any(|a| a == "-h" || a == "--help") {
        return Ok(Command::Help);
    }
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

/// An error as the user sees it: with `--json`, a JSON document (for standard output, where
/// a caller that reads the report reads it too); else one line for standard error, with
/// the usage line after a bad argument.
fn error_text(json_output: bool, message: &str, usage: bool) -> String {
    if json_output {
        format!("{:#}", json!({ "error": { "message": message } }))
    } else if usage {
        format!("audit: {message}\n{USAGE}")
    } else {
        format!("audit: {message}")
    }
}

fn fail(json_output: bool, message: &str, usage: bool) -> ExitCode {
    let text = error_text(json_output, message, usage);
    if json_output {
        emit(text);
    } else {
        let _ = writeln!(std::io::stderr(), "{text}");
    }
    ExitCode::from(2)
}

/// The arguments as strings (lossily for messages), and the first that is not UTF-8.
fn utf8_args(raw: Vec<OsString>) -> (Vec<String>, Option<String>) {
    let mut bad = None;
    let args = raw
        .into_iter()
        .map(|a| {
            a.into_string().unwrap_or_else(|a| {
                let lossy = a.to_string_lossy().into_owned();
                bad.get_or_insert_with(|| lossy.clone());
                lossy
            })
        })
        .collect();
    (args, bad)
}

fn main() -> ExitCode {
    // `std::env::args` panics on an argument that is not UTF-8; read them raw instead, so
    // that even that is an error in the chosen format.
    let (args, not_utf8) = utf8_args(std::env::args_os().skip(1).collect());
    let json_output = wants_json(&args);
    if let Some(arg) = not_utf8 {
        let message = format!("argument `{arg}` is not valid UTF-8");
        return fail(json_output, &message, true);
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn args(line: &str) -> Vec<String> {
        line.split_whitespace().map(str::to_owned).collect()
    }

    fn path_of(line: &str) -> String {
        match parse(&args(line)) {
            Ok(Command::Run(options)) => options.path,
            Ok(Command::Help) => "help".to_owned(),
            Err(e) => format!("error: {e}"),
        }
    }

    #[test]
    fn help_wins_wherever_it_is_asked_for_before_the_paths() {
        for line in [
            "--help",
            "-h",
            "export.json --help",
            "--bogus -h",
            "--from --help",
        ] {
            assert_eq!(path_of(line), "help", "{line}");
        }
        // After `--`, `--help` is a file name.
        assert_eq!(path_of("-- --help"), "--help");
        assert_eq!(path_of("--json -- -h"), "-h");
    }

    #[test]
    fn bad_arguments_are_named() {
        assert_eq!(path_of("--bogus x.json"), "error: unknown option `--bogus`");
        assert_eq!(path_of("--from"), "error: `--from` needs a semantics name");
        assert_eq!(path_of(""), "error: no export file given");
        assert_eq!(
            path_of("a.json b.json"),
            "error: more than one export file given"
        );
        assert_eq!(
            path_of("--migrate --to default x.json"),
            "error: `--migrate` means `--from litellm --to default`: it takes no --from or --to"
        );
        assert_eq!(path_of("- "), "-");
    }

    #[test]
    fn json_is_wanted_only_among_the_options() {
        assert!(wants_json(&args("--json x.json")));
        assert!(wants_json(&args("x.json --json")));
        assert!(!wants_json(&args("-- --json")));
        assert!(!wants_json(&args("x.json")));
    }

    #[test]
    fn errors_under_json_are_json_documents_only() {
        let text = error_text(true, "cannot read `x.json`: gone", true);
        let value: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            value,
            json!({"error": {"message": "cannot read `x.json`: gone"}})
        );
        assert_eq!(
            error_text(false, "unknown option `--x`", true),
            format!("audit: unknown option `--x`\n{USAGE}")
        );
        assert_eq!(error_text(false, "gone", false), "audit: gone");
    }

    #[cfg(unix)]
    #[test]
    fn an_argument_that_is_not_utf8_is_reported_not_a_panic() {
        use std::os::unix::ffi::OsStringExt as _;
        let raw = vec![
            OsString::from("--json"),
            OsString::from_vec(vec![b'a', 0xff]),
        ];
        let (args, bad) = utf8_args(raw);
        assert_eq!(args, ["--json", "a\u{fffd}"]);
        assert_eq!(bad.as_deref(), Some("a\u{fffd}"));
        assert_eq!(utf8_args(vec![OsString::from("x")]).1, None);
    }

    fn options(json: bool, mode: Mode, file: &str) -> Options {
        Options {
            json,
            mode,
            path: format!("{}/examples/data/{file}", env!("CARGO_MANIFEST_DIR")),
        }
    }

    /// Every tool scope in a report, with where it is.
    fn scopes<'v>(report: &'v Value, member: &str) -> Vec<(String, &'v Value)> {
        let mut out = Vec::new();
        for key in report["keys"].as_array().unwrap() {
            for change in key[member].as_array().unwrap() {
                for field in [
                    "before",
                    "after",
                    "tools_gained",
                    "tools_lost",
                    "calls_gained",
                    "calls_lost",
                ] {
                    if let Some(scope) = change.get(field) {
                        out.push((format!("{} {field}", key["key_alias"]), scope));
                    }
                }
            }
        }
        out
    }

    /// Whether `scope` is in the scenario format's shape: `{"allow": "*"}`,
    /// `{"allow": "*", "deny": [...]}` or `{"allow": [...]}`.
    fn is_scope(scope: &Value) -> bool {
        let Some(object) = scope.as_object() else {
            return false;
        };
        let names = |v: &Value| v.as_array().is_some_and(|a| a.iter().all(Value::is_string));
        match (object.get("allow"), object.get("deny"), object.len()) {
            (Some(allow), None, 1) => allow == "*" || names(allow),
            (Some(allow), Some(deny), 2) => allow == "*" && names(deny),
            _ => false,
        }
    }

    #[test]
    fn a_json_report_encodes_every_tool_scope_one_way() {
        for (mode, member) in [
            (Mode::Fix21954(Semantics::Default), "fix_21954"),
            (
                Mode::Compare {
                    from: Semantics::LITELLM,
                    to: Semantics::Default,
                },
                "changes",
            ),
            (
                Mode::Compare {
                    from: Semantics::from_name("litellm-1.106").unwrap(),
                    to: Semantics::from_name("litellm-1.110").unwrap(),
                },
                "changes",
            ),
        ] {
            let report: Value =
                serde_json::from_str(&run(&options(true, mode, "deployment.json")).unwrap())
                    .unwrap();
            let found = scopes(&report, member);
            assert!(found.len() > 5, "{member}: {found:?}");
            for (at, scope) in &found {
                assert!(scope.is_null() || is_scope(scope), "{at}: {scope}");
            }
        }
        let report: Value = serde_json::from_str(
            &run(&options(
                true,
                Mode::Fix21954(Semantics::Default),
                "deployment.json",
            ))
            .unwrap(),
        )
        .unwrap();
        // ci-bot loses the postgres server, whose denylist removes drop_table.
        let ci_bot = &report["keys"][0];
        assert_eq!(ci_bot["key_alias"], "ci-bot");
        assert_eq!(
            ci_bot["fix_21954"][0]["tools_lost"],
            json!({"allow": "*", "deny": ["drop_table"]})
        );
        assert_eq!(
            ci_bot["fix_21954"][0]["before"],
            ci_bot["fix_21954"][0]["tools_lost"]
        );
    }

    #[test]
    fn a_missing_or_invalid_export_is_an_error_message() {
        let mut missing = options(true, Mode::Fix21954(Semantics::Default), "no-such.json");
        let message = run(&missing).unwrap_err();
        assert!(message.starts_with("cannot read `"), "{message}");
        // This very file: Rust, not JSON.
        missing.path = format!("{}/examples/audit.rs", env!("CARGO_MANIFEST_DIR"));
        let message = run(&missing).unwrap_err();
        assert!(
            message.ends_with("audit.rs`: invalid deployment: expected value at line 1 column 1"),
            "{message}"
        );
    }

    #[test]
    fn the_text_report_notes_rows_the_export_lacks() {
        assert_eq!(
            missing_note(Level::Team, "t"),
            "team `t` is not in the export: resolved as a team with no MCP permission"
        );
        let report = run(&options(
            false,
            Mode::Fix21954(Semantics::Default),
            "hierarchy.json",
        ))
        .unwrap();
        assert!(
            report.starts_with("3 servers, 1 organization, 0 teams, 2 keys\n"),
            "{report}"
        );
    }
}
