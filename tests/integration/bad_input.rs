//! Bad input: every case gets the exact error message (naming field and value) or a
//! documented answer; nothing panics and nothing widens access.

use mcp_authz::scenario::run_json;
use mcp_authz::{McpServer, ObjectPermission, ServerRegistry};

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
