//! Diffs of resolutions, and the set algebra on tool scopes behind them.

use super::*;
use crate::permission::ObjectPermission;
use crate::registry::ServerRegistry;
use crate::request::{Request, Settings};
use crate::semantics::{LiteLlmRelease, Semantics};
use crate::tools::SortedNames;
use std::sync::Arc;

fn only<'a>(names: &[&'a str]) -> ToolScope<'a> {
    ToolScope::Only(ToolSet::from_sorted(names.to_vec()))
}

fn except<'a>(names: &[&'a str]) -> ToolScope<'a> {
    // ToolSet::from_sorted needs sorted input; the tests pass it sorted.
    ToolScope::AllExcept(ToolSet::from_sorted(names.to_vec()))
}

/// Each changed server's id and how it changed, in the diff's order.
fn changes(diff: &ResolutionDiff) -> Vec<(&str, ServerChange)> {
    diff.servers()
        .iter()
        .map(|s| (s.server().id().as_str(), s.change()))
        .collect()
}

#[test]
fn scope_difference_covers_every_pair() {
    let all = ToolScope::All;
    assert_eq!(minus(&all, &all), only(&[]));
    assert_eq!(minus(&all, &except(&["a"])), only(&["a"]));
    assert_eq!(minus(&all, &only(&["a"])), except(&["a"]));
    assert_eq!(minus(&except(&["a"]), &all), only(&[]));
    assert_eq!(minus(&except(&["a"]), &except(&["a", "b"])), only(&["b"]));
    assert_eq!(minus(&except(&["a"]), &only(&["b"])), except(&["a", "b"]));
    assert_eq!(minus(&only(&["a", "b"]), &all), only(&[]));
    assert_eq!(minus(&only(&["a", "b"]), &except(&["b"])), only(&["b"]));
    assert_eq!(minus(&only(&["a", "b"]), &only(&["b", "c"])), only(&["a"]));
}

#[test]
fn registry_backed_sets_take_part_in_the_algebra() {
    let names = Arc::new(SortedNames::new(vec!["del".into(), "drop".into()]));
    let deny = ToolScope::AllExcept(ToolSet::registry(&names));
    assert_eq!(minus(&ToolScope::All, &deny), only(&["del", "drop"]));
    assert_eq!(minus(&deny, &only(&["a"])), except(&["a", "del", "drop"]));
}

#[test]
fn deltas_read_as_sets() {
    assert_eq!(ToolDelta(only(&[])).to_string(), "none");
    assert_eq!(ToolDelta(only(&["a", "b"])).to_string(), "a, b");
    assert_eq!(ToolDelta(ToolScope::All).to_string(), "all tools");
    assert_eq!(ToolDelta(except(&["x"])).to_string(), "all tools except x");
    // The scenario format's shape, the one `before` and `after` use.
    let json = |scope| serde_json::to_value(ToolDelta(scope)).unwrap();
    assert_eq!(
        json(except(&["x"])),
        serde_json::json!({"allow": "*", "deny": ["x"]})
    );
    assert_eq!(json(ToolScope::All), serde_json::json!({"allow": "*"}));
    assert_eq!(json(only(&["a"])), serde_json::json!({"allow": ["a"]}));
    assert_eq!(json(only(&[])), serde_json::json!({"allow": []}));
    assert!(ToolDelta::none().is_empty());
}

fn registry() -> ServerRegistry {
    ServerRegistry::new([
        McpServer::new("srv-a").with_alias("gh"),
        McpServer::new("srv-b").with_alias("jira"),
        McpServer::new("srv-c")
            .with_alias("slack")
            .with_allowed_tools(["send", "delete"])
            .with_disallowed_tools(["delete"]),
    ])
    .unwrap()
}

#[test]
fn servers_gained_lost_and_changed() {
    let r = registry();
    let before_key = ObjectPermission::new()
        .with_servers(["gh", "jira"])
        .with_tool_permission("gh", ["a", "b"]);
    let after_key = ObjectPermission::new()
        .with_servers(["gh", "slack"])
        .with_tool_permission("gh", ["b", "c"]);
    let before = r.resolve_allowed_servers(&Request::new().key(&before_key));
    let after = r.resolve_allowed_servers(&Request::new().key(&after_key));
    let diff = ResolutionDiff::new(&before, &after);
    let ids = changes(&diff);
    assert_eq!(
        ids,
        [
            ("srv-a", ServerChange::ToolsChanged),
            ("srv-b", ServerChange::Lost),
            ("srv-c", ServerChange::Gained),
        ]
    );
    let gh = &diff.servers()[0];
    assert_eq!(gh.listed().gained().to_string(), "c");
    assert_eq!(gh.listed().lost().to_string(), "a");
    assert_eq!(diff.servers()[1].listed().lost().to_string(), "all tools");
    assert_eq!(diff.servers()[2].listed().gained().to_string(), "send");
    assert_eq!(diff.gained().count(), 1);
    assert_eq!(diff.lost().count(), 1);
    assert!(ResolutionDiff::new(&after, &after).is_empty());
}

#[test]
fn litellm_calls_differ_where_listings_agree() {
    let r = registry();
    let key = ObjectPermission::new().with_servers(["slack"]);
    let default = r.resolve_allowed_servers(&Request::new().key(&key));
    let litellm = r.resolve_allowed_servers(
        &Request::new()
            .key(&key)
            .semantics(Semantics::LiteLlm(LiteLlmRelease::V1_106)),
    );
    assert_eq!(
        litellm.call_scope("slack"),
        Some(&only(&["delete", "send"]))
    );
    assert_eq!(litellm.tool_scope("slack"), Some(&only(&["send"])));
    let diff = ResolutionDiff::new(&default, &litellm);
    assert_eq!(diff.servers().len(), 1);
    let slack = &diff.servers()[0];
    assert_eq!(slack.change(), ServerChange::ToolsChanged);
    assert!(slack.listed().is_empty());
    assert_eq!(slack.callable().gained().to_string(), "delete");
    let json = serde_json::to_value(&diff).unwrap();
    assert_eq!(
        json[0]["calls_gained"],
        serde_json::json!({"allow": ["delete"]})
    );
    assert_eq!(json[0]["tools_gained"], serde_json::json!({"allow": []}));
}

#[test]
fn the_21954_fix_shows_as_a_gained_server() {
    let r = registry();
    let key = ObjectPermission::new()
        .with_servers(["jira"])
        .with_tool_permission("gh", ["create_issue"]);
    let legacy = Settings {
        tool_permissions_grant_servers: false,
        ..Settings::default()
    };
    let before = r.resolve_allowed_servers(&Request::new().key(&key).settings(legacy));
    let after = r.resolve_allowed_servers(&Request::new().key(&key));
    let diff = ResolutionDiff::new(&before, &after);
    let gained: Vec<&str> = diff.gained().map(|s| s.id().as_str()).collect();
    assert_eq!(gained, ["srv-a"]);
    assert_eq!(
        diff.servers()[0].listed().gained().to_string(),
        "create_issue"
    );
}

#[test]
fn servers_only_one_registry_has_are_compared_too() {
    let old = ServerRegistry::new([McpServer::new("srv-a"), McpServer::new("srv-old")]).unwrap();
    let new = ServerRegistry::new([McpServer::new("srv-a"), McpServer::new("srv-new")]).unwrap();
    let key = ObjectPermission::new().with_servers(["srv-a", "srv-old", "srv-new"]);
    let before = old.resolve_allowed_servers(&Request::new().key(&key));
    let after = new.resolve_allowed_servers(&Request::new().key(&key));
    let diff = ResolutionDiff::new(&before, &after);
    let ids = changes(&diff);
    assert_eq!(
        ids,
        [
            ("srv-new", ServerChange::Gained),
            ("srv-old", ServerChange::Lost)
        ]
    );
}
