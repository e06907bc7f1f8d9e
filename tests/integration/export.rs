//! The shipped deployment export (`examples/data/deployment.json`) shows what the audit
//! example is for: keys whose access the #21954 fix changes, and keys whose access a
//! switch from LiteLLM semantics to the default changes, for each rule that differs.

use std::path::Path;

use mcp_authz::{
    Level, LiteLlmRelease, McpServer, ObjectPermission, Request, ResolutionDiff, Semantics,
    ServerRegistry, Settings,
};
use serde_json::Value;

struct Export {
    registry: ServerRegistry,
    document: Value,
}

fn export() -> Export {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/data/deployment.json");
    let document: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let servers: Vec<McpServer> = serde_json::from_value(document["servers"].clone()).unwrap();
    Export {
        registry: ServerRegistry::new(servers).unwrap(),
        document,
    }
}

fn permission(v: &Value) -> Option<ObjectPermission> {
    serde_json::from_value(v["object_permission"].clone()).unwrap()
}

/// (key alias, key permission, team permission) for every key.
fn keys(export: &Export) -> Vec<(String, Option<ObjectPermission>, Option<ObjectPermission>)> {
    let teams = export.document["teams"].as_array().unwrap();
    export.document["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            let team = teams.iter().find(|t| t["team_id"] == k["team_id"]);
            (
                k["key_alias"].as_str().unwrap().to_owned(),
                permission(k),
                team.and_then(permission),
            )
        })
        .collect()
}

/// The aliases of the keys whose answers differ between `before` and `after` requests.
fn changed(export: &Export, before: fn(Request<'_>) -> Request<'_>) -> Vec<String> {
    keys(export)
        .into_iter()
        .filter(|(_, key, team)| {
            let request = Request::new().key_opt(key.as_ref()).team_opt(team.as_ref());
            let a = export.registry.resolve_allowed_servers(&before(request));
            let b = export.registry.resolve_allowed_servers(&request);
            !ResolutionDiff::new(&a, &b).is_empty()
        })
        .map(|(alias, _, _)| alias)
        .collect()
}

fn legacy(r: Request<'_>) -> Request<'_> {
    let mut settings = Settings::default();
    settings.tool_permissions_grant_servers = false;
    r.settings(settings)
}

#[test]
fn the_21954_fix_changes_some_keys() {
    let export = export();
    assert_eq!(
        changed(&export, legacy),
        ["ci-bot", "release-bot", "legacy-dashboard"]
    );
}

#[test]
fn every_litellm_difference_shows_in_some_key() {
    let export = export();
    // release-bot: a UUID in another spelling; support-agent: a team tool list `[]`;
    // zapier-automation: a server with both tool lists.
    assert_eq!(
        changed(&export, |r| r
            .semantics(Semantics::LiteLlm(LiteLlmRelease::V1_106))),
        ["release-bot", "support-agent", "zapier-automation"]
    );
}

#[test]
fn every_key_of_interest_has_the_diagnostic_it_was_written_for() {
    let export = export();
    let linter = export.registry.linter();
    let codes: Vec<(String, Vec<&str>)> = keys(&export)
        .iter()
        .map(|(alias, key, team)| {
            let key = key.as_ref().unwrap();
            let diagnostics = match team {
                Some(team) => linter.request(&Request::new().key(key).team(team)),
                None => linter.permission(Level::Key, key),
            };
            (
                alias.clone(),
                diagnostics.iter().map(|d| d.code().as_str()).collect(),
            )
        })
        .collect();
    let of = |alias: &str| codes.iter().find(|(a, _)| a == alias).unwrap().1.clone();
    assert_eq!(of("ci-bot"), ["granted_only_by_tool_permissions"]);
    assert_eq!(of("old-analyst"), ["unknown_reference"]);
    assert_eq!(of("data-scientist"), ["unusable_tool", "outside_ceiling"]);
    let registry: Vec<&str> = linter
        .registry()
        .iter()
        .map(|d| d.code().as_str())
        .collect();
    assert_eq!(
        registry,
        [
            "shared_name",
            "allow_and_deny_lists",
            "name_is_access_group",
            "prefix_overlap"
        ]
    );
}
