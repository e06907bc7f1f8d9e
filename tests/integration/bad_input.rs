//! Bad input: every case gets the exact error message (naming field and value) or a
//! documented answer; nothing panics and nothing widens access.

use mcp_authz::scenario::run_json;
use mcp_authz::{CallDecision, McpServer, ObjectPermission, Request, ServerRegistry, ToolScope};

fn permission_error(json: &str) -> String {
    ObjectPermission::from_json(json).unwrap_err().to_string()
}

fn scenario_error(json: &str) -> String {
    let out = run_json(json);
    out["error"]["message"]
        .as_str()
        .unwrap_or_else(|| panic!("expected an error for {json}, got {out}"))
        .to_owned()
}

// Found by the `scenario` fuzz target: a field name with a newline was echoed raw, so the
// message spanned two lines (and could forge a log line).
#[test]
fn control_characters_in_echoed_input_are_escaped() {
    assert_eq!(
        permission_error("{\"mcp_x\\ny\": 1}"),
        "invalid object permission: unknown MCP field `mcp_x\\ny` (known: `mcp_servers`, \
         `mcp_access_groups`, `mcp_tool_permissions`) at line 1 column 11"
    );
    assert_eq!(
        scenario_error("{\"servers\": [], \"ad\\u001bmin\": true}"),
        "invalid scenario: unknown field `ad\\u{1b}min`, expected one of `servers`, \
         `access_groups`, `key`, `team`, `end_user`, `end_user_identified`, `admin`, \
         `requested`, `semantics`, `settings`, `tools`, `calls`, `expect` at line 1 column 29"
    );
    assert_eq!(
        scenario_error("{\"servers\": [], \"settings\": {\"a\\rb\": true}}"),
        "invalid scenario: unknown field `a\\rb`, expected one of \
         `tool_permissions_grant_servers`, `require_key_mcp_access_defined`, \
         `require_end_user_mcp_access_defined` at line 1 column 35"
    );
    let e = ServerRegistry::new([McpServer::new("a\nb"), McpServer::new("a\nb")]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid server registry: duplicate server id `a\\nb`"
    );
    assert_eq!(e.problems().len(), 1);
}

fn names(prefix: &str, range: std::ops::Range<usize>) -> Vec<String> {
    range.map(|i| format!("{prefix}{i}")).collect()
}

// Long tool lists for one server at several levels used to be intersected by scanning one
// list per tool of another: 100k entries each took minutes. Now sorted once, then probed.
#[test]
fn long_tool_lists_at_every_level_intersect() {
    let registry = ServerRegistry::new([McpServer::new("srv-a")]).unwrap();
    let key = ObjectPermission::new().with_tool_permission("srv-a", names("t", 0..100_000));
    let team = ObjectPermission::new().with_tool_permission("srv-a", names("t", 50_000..150_000));
    let end_user =
        ObjectPermission::new().with_tool_permission("srv-a", names("t", 60_000..160_000));
    let resolution = registry.resolve_allowed_servers(
        &Request::new()
            .key(&key)
            .team(&team)
            .end_user(Some(&end_user)),
    );
    let scope = resolution.tool_scope("srv-a").unwrap();
    let ToolScope::Only(allowed) = scope else {
        panic!("expected a tool set, got {scope:?}");
    };
    assert_eq!(allowed.len(), 40_000);
    assert!(resolution.is_tool_allowed("srv-a", "t60000"));
    assert!(resolution.is_tool_allowed("srv-a", "t99999"));
    assert!(!resolution.is_tool_allowed("srv-a", "t59999"));
    assert!(!resolution.is_tool_allowed("srv-a", "t100000"));
}

const MIB: usize = 1 << 20;

// A prefixed name used to be tried at every separator, hashing the prefix each time: a
// 1 MiB name of separators cost hours. Prefixes longer than every spelling are skipped.
#[test]
fn one_mib_prefixed_names_route() {
    let registry = ServerRegistry::new([
        McpServer::new("srv-a").with_alias("gh"),
        McpServer::new("srv-b").with_alias("gh-tool"),
    ])
    .unwrap();
    let resolution = registry.resolve_allowed_servers(&Request::new().admin(true));
    let dashes = "-".repeat(MIB);
    assert_eq!(
        resolution.decide_prefixed_call(&dashes),
        CallDecision::UnknownPrefix
    );
    let long_tool = format!("gh-tool-{dashes}");
    let routed = resolution.route(&long_tool).unwrap();
    assert_eq!(routed.server.id().as_str(), "srv-b");
    assert_eq!(routed.tool.len(), MIB);
    let no_prefix = format!("{}-read", "x".repeat(MIB));
    assert_eq!(
        resolution.decide_prefixed_call(&no_prefix),
        CallDecision::UnknownPrefix
    );

    // A 1 MiB spelling of separators, and a 2 MiB name of them: one prefix length to try.
    let registry =
        ServerRegistry::new([McpServer::new("srv-a").with_alias(dashes.clone())]).unwrap();
    let resolution = registry.resolve_allowed_servers(&Request::new().admin(true));
    let twice = "-".repeat(2 * MIB);
    let routed = resolution.route(&twice).unwrap();
    assert_eq!(routed.server.id().as_str(), "srv-a");
    assert_eq!(routed.tool.len(), MIB - 1);
}
