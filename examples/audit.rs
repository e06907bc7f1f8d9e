//! Audits a whole deployment export before an upgrade or a switch of semantics.
//!
//! ```text
//! cargo run --example audit -- examples/data/deployment.json
//! cargo run --example audit -- --json examples/data/deployment.json
//! cargo run --example audit -- --migrate examples/data/deployment.json
//! ```
//!
//! The export uses LiteLLM's field names: `{"servers": [...], "teams": [{"team_id",
//! "object_permission"}], "keys": [{"key_alias", "team_id", "object_permission"}],
//! "end_users": [{"user_id", "object_permission"}]}`; other fields are ignored.
//!
//! By default the report lists the registry's diagnostics, each team's and end user's,
//! and, per key, its diagnostics (against its team) and what the fix for LiteLLM #21954
//! changes for it: the servers and tools it gains or loses when
//! `tool_permissions_grant_servers` goes from off to on. With `--migrate` it lists instead,
//! per key, what changes when a deployment switches from `Semantics::LiteLlm` (LiteLLM
//! 1.106.12's answers) to `Semantics::Default`. `--json` prints either report as JSON.
//!
//! Exit status: 0 on success, 2 when the export cannot be read.

use std::fmt::Write as _;
use std::io::Write as _;
use std::process::ExitCode;

use mcp_authz::{
    Diagnostic, Level, Linter, LiteLlmRelease, McpServer, ObjectPermission, Request,
    ResolutionDiff, Semantics, ServerChange, ServerDiff, ServerRegistry, Settings,
};
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Deserialize)]
struct Export {
    servers: Vec<McpServer>,
    #[serde(default)]
    teams: Vec<Team>,
    #[serde(default)]
    keys: Vec<Key>,
    #[serde(default)]
    end_users: Vec<EndUser>,
}

#[derive(Deserialize)]
struct Team {
    team_id: String,
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
    object_permission: Option<ObjectPermission>,
}

#[derive(Deserialize)]
struct EndUser {
    #[serde(alias = "end_user_id")]
    user_id: String,
    #[serde(default)]
    object_permission: Option<ObjectPermission>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Upgrade,
    Migrate,
}

/// One key's findings.
struct KeyReport<'a> {
    alias: String,
    team: Option<String>,
    team_missing: bool,
    diagnostics: Vec<Diagnostic>,
    visible: Vec<&'a McpServer>,
    diff: ResolutionDiff<'a>,
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
    mode: Mode,
) -> Vec<KeyReport<'a>> {
    let mut legacy = Settings::default();
    legacy.tool_permissions_grant_servers = false;
    let linter = registry.linter();
    export
        .keys
        .iter()
        .enumerate()
        .map(|(at, key)| {
            let team = key
                .team_id
                .as_ref()
                .and_then(|id| export.teams.iter().find(|t| &t.team_id == id));
            let team_permission = team.and_then(|t| t.object_permission.as_ref());
            let request = Request::new()
                .key_opt(key.object_permission.as_ref())
                .team_opt(team_permission);
            let (before, after) = match mode {
                Mode::Upgrade => (request.settings(legacy), request),
                Mode::Migrate => (
                    request.semantics(Semantics::LiteLlm(LiteLlmRelease::V1_106)),
                    request,
                ),
            };
            let before = registry.resolve_allowed_servers(&before);
            let after = registry.resolve_allowed_servers(&after);
            let diagnostics = key
                .object_permission
                .as_ref()
                .map(|p| {
                    let request = Request::new().key(p).team_opt(team_permission);
                    linter
                        .request(&request)
                        .into_iter()
                        .filter(|d| d.path().starts_with("key"))
                        .collect()
                })
                .unwrap_or_default();
            KeyReport {
                alias: key
                    .key_alias
                    .clone()
                    .unwrap_or_else(|| format!("keys[{at}]")),
                team: key.team_id.clone(),
                team_missing: key.team_id.is_some() && team.is_none(),
                diagnostics,
                visible: after.servers().map(|v| v.server()).collect(),
                diff: ResolutionDiff::new(&before, &after),
            }
        })
        .collect()
}

fn change_line(change: &ServerDiff<'_>) -> String {
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
    let what = match mode {
        Mode::Upgrade => "#21954 FIX (off -> on)",
        Mode::Migrate => "LITELLM -> DEFAULT",
    };
    let width = keys.iter().map(|k| k.alias.len()).max().unwrap_or(3).max(3);
    let team_width = keys
        .iter()
        .map(|k| k.team.as_deref().map_or(1, str::len))
        .max()
        .unwrap_or(4)
        .max(4);
    let _ = writeln!(
        out,
        "{:width$}  {:team_width$}  {:>5}  {:>7}  {what}",
        "KEY", "TEAM", "DIAGS", "SERVERS"
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
            key.team.as_deref().unwrap_or("-"),
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

fn level_sections(out: &mut String, export: &Export, linter: &Linter<'_>) {
    let _ = writeln!(out, "\nregistry");
    diagnostics_block(out, "  ", &linter.registry());
    for team in &export.teams {
        let _ = writeln!(out, "\nteam {}", team.team_id);
        let diagnostics = team
            .object_permission
            .as_ref()
            .map(|p| linter.permission(Level::Team, p))
            .unwrap_or_default();
        diagnostics_block(out, "  ", &diagnostics);
    }
    for user in &export.end_users {
        let _ = writeln!(out, "\nend user {}", user.user_id);
        let diagnostics = user
            .object_permission
            .as_ref()
            .map(|p| linter.permission(Level::EndUser, p))
            .unwrap_or_default();
        diagnostics_block(out, "  ", &diagnostics);
    }
}

fn key_section(out: &mut String, key: &KeyReport<'_>, mode: Mode) {
    let team = key
        .team
        .as_deref()
        .map_or(String::new(), |t| format!(" (team {t})"));
    let _ = writeln!(out, "\nkey {}{team}", key.alias);
    if key.team_missing {
        let _ = writeln!(out, "  note: the export has no team with this id");
    }
    let visible: Vec<&str> = key.visible.iter().map(|s| s.prefix()).collect();
    let sees = if visible.is_empty() {
        "nothing".to_owned()
    } else {
        visible.join(", ")
    };
    let (sees_label, heading) = match mode {
        Mode::Upgrade => ("sees (with the fix)", "the #21954 fix"),
        Mode::Migrate => ("sees under Default", "switching from LiteLlm to Default"),
    };
    let _ = writeln!(out, "  {sees_label}: {sees}");
    if mode == Mode::Upgrade {
        diagnostics_block(out, "  ", &key.diagnostics);
    }
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
    let _ = writeln!(
        out,
        "{} servers, {} teams, {} keys, {} end users\n",
        registry.len(),
        export.teams.len(),
        export.keys.len(),
        export.end_users.len()
    );
    summary_table(&mut out, keys, mode);
    if mode == Mode::Upgrade {
        level_sections(&mut out, export, linter);
    }
    for key in keys {
        key_section(&mut out, key, mode);
    }
    out
}

fn json_report(export: &Export, linter: &Linter<'_>, keys: &[KeyReport<'_>], mode: Mode) -> Value {
    let change_member = match mode {
        Mode::Upgrade => "fix_21954",
        Mode::Migrate => "litellm_to_default",
    };
    let keys: Vec<Value> = keys
        .iter()
        .map(|k| {
            let mut v = json!({
                "key_alias": k.alias,
                "team_id": k.team,
                "visible": k.visible.iter().map(|s| s.id()).collect::<Vec<_>>(),
                change_member: k.diff,
            });
            if let (Mode::Upgrade, Some(members)) = (mode, v.as_object_mut()) {
                members.insert("diagnostics".into(), json!(k.diagnostics));
            }
            v
        })
        .collect();
    if mode == Mode::Migrate {
        return json!({ "keys": keys });
    }
    let lint = |level, p: &Option<ObjectPermission>| {
        p.as_ref()
            .map(|p| linter.permission(level, p))
            .unwrap_or_default()
    };
    json!({
        "registry": linter.registry(),
        "teams": export.teams.iter().map(|t| json!({
            "team_id": t.team_id,
            "diagnostics": lint(Level::Team, &t.object_permission),
        })).collect::<Vec<_>>(),
        "end_users": export.end_users.iter().map(|u| json!({
            "user_id": u.user_id,
            "diagnostics": lint(Level::EndUser, &u.object_permission),
        })).collect::<Vec<_>>(),
        "keys": keys,
    })
}

fn run(path: &str, json_output: bool, mode: Mode) -> Result<String, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read `{path}`: {e}"))?;
    let export: Export =
        serde_json::from_str(&text).map_err(|e| format!("invalid export `{path}`: {e}"))?;
    let registry =
        ServerRegistry::new(export.servers.iter().cloned()).map_err(|e| e.to_string())?;
    let linter = registry.linter();
    let keys = key_reports(&export, &registry, mode);
    Ok(if json_output {
        format!("{:#}", json_report(&export, &linter, &keys, mode))
    } else {
        text_report(&export, &registry, &linter, &keys, mode)
    })
}

fn main() -> ExitCode {
    let mut json_output = false;
    let mut mode = Mode::Upgrade;
    let mut paths = Vec::new();
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--json" => json_output = true,
            "--migrate" => mode = Mode::Migrate,
            _ => paths.push(arg),
        }
    }
    let [path] = paths.as_slice() else {
        eprintln!("usage: audit [--json] [--migrate] EXPORT.json");
        return ExitCode::from(2);
    };
    match run(path, json_output, mode) {
        Ok(mut report) => {
            if !report.ends_with('\n') {
                report.push('\n');
            }
            // A closed pipe (`audit ... | head`) is not an error worth a panic.
            let _ = std::io::stdout().write_all(report.as_bytes());
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("audit: {message}");
            ExitCode::from(2)
        }
    }
}
