//! Wrong JSON types, numbers as ids, duplicate keys, unknown `mcp_*` fields: every one is
//! refused with a message that names the field and, where it has one, the value.

use mcp_authz::McpServer;

use super::{permission_error, scenario_error};

const SERVER_ERRORS: &[(&str, &str)] = &[
    (
        r#""srv-a""#,
        r#"invalid server: invalid type: string "srv-a", expected an MCP server (a JSON object) at line 1 column 7"#,
    ),
    (
        "[]",
        "invalid server: invalid type: sequence, expected an MCP server (a JSON object) at line 1 column 0",
    ),
    (
        "null",
        "invalid server: invalid type: null, expected an MCP server (a JSON object) at line 1 column 4",
    ),
    (
        "5",
        "invalid server: invalid type: integer `5`, expected an MCP server (a JSON object) at line 1 column 1",
    ),
    (
        r#"{"server_id": 7}"#,
        "invalid server: invalid type: integer `7`, expected a string in `server_id` at line 1 column 15",
    ),
    (
        r#"{"server_id": null}"#,
        "invalid server: invalid type: null, expected a string in `server_id` at line 1 column 18",
    ),
    (
        r#"{"server_id": ["a"]}"#,
        "invalid server: invalid type: sequence, expected a string in `server_id` at line 1 column 14",
    ),
    (
        r#"{"server_id": {"a": 1}}"#,
        "invalid server: invalid type: map, expected a string in `server_id` at line 1 column 14",
    ),
    (
        r#"{"server_id": true}"#,
        "invalid server: invalid type: boolean `true`, expected a string in `server_id` at line 1 column 18",
    ),
    (
        r#"{"server_id": 1.5}"#,
        "invalid server: invalid type: floating point `1.5`, expected a string in `server_id` at line 1 column 17",
    ),
    (
        r#"{"server_id": "a", "server_name": 5}"#,
        "invalid server: invalid type: integer `5`, expected a string in `server_name` at line 1 column 35",
    ),
    (
        r#"{"server_id": "a", "server_name": ["x"]}"#,
        "invalid server: invalid type: sequence, expected a string in `server_name` at line 1 column 34",
    ),
    (
        r#"{"server_id": "a", "alias": true}"#,
        "invalid server: invalid type: boolean `true`, expected a string in `alias` at line 1 column 32",
    ),
    (
        r#"{"server_id": "a", "alias": {}}"#,
        "invalid server: invalid type: map, expected a string in `alias` at line 1 column 28",
    ),
    (
        r#"{"server_id": "a", "allow_all_keys": "yes"}"#,
        r#"invalid server: invalid type: string "yes", expected a boolean for `allow_all_keys` at line 1 column 42"#,
    ),
    (
        r#"{"server_id": "a", "allow_all_keys": 1}"#,
        "invalid server: invalid type: integer `1`, expected a boolean for `allow_all_keys` at line 1 column 38",
    ),
    (
        r#"{"server_id": "a", "allow_all_keys": []}"#,
        "invalid server: invalid type: sequence, expected a boolean for `allow_all_keys` at line 1 column 37",
    ),
    (
        r#"{"server_id": "a", "mcp_access_groups": "dev"}"#,
        r#"invalid server: invalid type: string "dev", expected a list of strings for `mcp_access_groups` at line 1 column 45"#,
    ),
    (
        r#"{"server_id": "a", "mcp_access_groups": [1]}"#,
        "invalid server: invalid type: integer `1`, expected a string in `mcp_access_groups` at line 1 column 42",
    ),
    (
        r#"{"server_id": "a", "mcp_access_groups": {}}"#,
        "invalid server: invalid type: map, expected a list of strings for `mcp_access_groups` at line 1 column 40",
    ),
    (
        r#"{"server_id": "a", "access_groups": [null]}"#,
        "invalid server: invalid type: null, expected a string in `mcp_access_groups` at line 1 column 41",
    ),
    (
        r#"{"server_id": "a", "allowed_tools": "read"}"#,
        r#"invalid server: invalid type: string "read", expected a list of strings for `allowed_tools` at line 1 column 42"#,
    ),
    (
        r#"{"server_id": "a", "allowed_tools": [null]}"#,
        "invalid server: invalid type: null, expected a string in `allowed_tools` at line 1 column 41",
    ),
    (
        r#"{"server_id": "a", "disallowed_tools": {"x": 1}}"#,
        "invalid server: invalid type: map, expected a list of strings for `disallowed_tools` at line 1 column 39",
    ),
    (
        r#"{"server_id": "a", "disallowed_tools": [["x"]]}"#,
        "invalid server: invalid type: sequence, expected a string in `disallowed_tools` at line 1 column 40",
    ),
    (
        r#"{"server_id": "a", "server_id": "b"}"#,
        "invalid server: duplicate field `server_id` at line 1 column 30",
    ),
    (
        r#"{"server_id": "a", "alias": "x", "alias": "y"}"#,
        "invalid server: duplicate field `alias` at line 1 column 40",
    ),
];

const PERMISSION_ERRORS: &[(&str, &str)] = &[
    (
        "[]",
        "invalid object permission: invalid type: sequence, expected an object permission (a JSON object) at line 1 column 0",
    ),
    (
        r#""x""#,
        r#"invalid object permission: invalid type: string "x", expected an object permission (a JSON object) at line 1 column 3"#,
    ),
    (
        "5",
        "invalid object permission: invalid type: integer `5`, expected an object permission (a JSON object) at line 1 column 1",
    ),
    (
        "null",
        "invalid object permission: invalid type: null, expected an object permission (a JSON object) at line 1 column 4",
    ),
    (
        r#"{"mcp_servers": "srv-a"}"#,
        r#"invalid object permission: invalid type: string "srv-a", expected a list of strings for `mcp_servers` at line 1 column 23"#,
    ),
    (
        r#"{"mcp_servers": [5]}"#,
        "invalid object permission: invalid type: integer `5`, expected a string in `mcp_servers` at line 1 column 18",
    ),
    (
        r#"{"mcp_servers": {}}"#,
        "invalid object permission: invalid type: map, expected a list of strings for `mcp_servers` at line 1 column 16",
    ),
    (
        r#"{"mcp_servers": [null]}"#,
        "invalid object permission: invalid type: null, expected a string in `mcp_servers` at line 1 column 21",
    ),
    (
        r#"{"mcp_servers": true}"#,
        "invalid object permission: invalid type: boolean `true`, expected a list of strings for `mcp_servers` at line 1 column 20",
    ),
    (
        r#"{"mcp_access_groups": true}"#,
        "invalid object permission: invalid type: boolean `true`, expected a list of strings for `mcp_access_groups` at line 1 column 26",
    ),
    (
        r#"{"mcp_access_groups": [null]}"#,
        "invalid object permission: invalid type: null, expected a string in `mcp_access_groups` at line 1 column 27",
    ),
    (
        r#"{"mcp_access_groups": "dev"}"#,
        r#"invalid object permission: invalid type: string "dev", expected a list of strings for `mcp_access_groups` at line 1 column 27"#,
    ),
    (
        r#"{"mcp_tool_permissions": []}"#,
        "invalid object permission: invalid type: sequence, expected a map of lists of strings for `mcp_tool_permissions` at line 1 column 25",
    ),
    (
        r#"{"mcp_tool_permissions": "x"}"#,
        r#"invalid object permission: invalid type: string "x", expected a map of lists of strings for `mcp_tool_permissions` at line 1 column 28"#,
    ),
    (
        r#"{"mcp_tool_permissions": {"a": "x"}}"#,
        r#"invalid object permission: invalid type: string "x", expected a list of strings for `mcp_tool_permissions` at line 1 column 34"#,
    ),
    (
        r#"{"mcp_tool_permissions": {"a": [1]}}"#,
        "invalid object permission: invalid type: integer `1`, expected a string in `mcp_tool_permissions` at line 1 column 33",
    ),
    (
        r#"{"mcp_tool_permissions": {"a": null}}"#,
        "invalid object permission: invalid type: null, expected a list of strings for `mcp_tool_permissions` at line 1 column 35",
    ),
    (
        r#"{"mcp_tool_permissions": {"a": {}}}"#,
        "invalid object permission: invalid type: map, expected a list of strings for `mcp_tool_permissions` at line 1 column 31",
    ),
    (
        r#"{"mcp_tool_permissions": {"a": ["x"], "a": ["y"]}}"#,
        "invalid object permission: duplicate server reference `a` in `mcp_tool_permissions` at line 1 column 41",
    ),
    (
        r#"{"mcp_tool_permission": {}}"#,
        "invalid object permission: unknown MCP field `mcp_tool_permission` (known: `mcp_servers`, `mcp_access_groups`, `mcp_tool_permissions`, `mcp_toolsets`) at line 1 column 22",
    ),
    (
        r#"{"mcp_toolset": null}"#,
        "invalid object permission: unknown MCP field `mcp_toolset` (known: `mcp_servers`, `mcp_access_groups`, `mcp_tool_permissions`, `mcp_toolsets`) at line 1 column 14",
    ),
    (
        r#"{"mcp_toolsets": "ts-1"}"#,
        "invalid object permission: invalid type: string \"ts-1\", expected a list of strings for `mcp_toolsets` at line 1 column 23",
    ),
    (
        r#"{"mcp_toolsets": [1]}"#,
        "invalid object permission: invalid type: integer `1`, expected a string in `mcp_toolsets` at line 1 column 19",
    ),
    (
        r#"{"mcp_": 1}"#,
        "invalid object permission: unknown MCP field `mcp_` (known: `mcp_servers`, `mcp_access_groups`, `mcp_tool_permissions`, `mcp_toolsets`) at line 1 column 7",
    ),
    (
        r#"{"MCP_SERVERS": ["a"]}"#,
        "invalid object permission: unknown MCP field `MCP_SERVERS` (known: `mcp_servers`, `mcp_access_groups`, `mcp_tool_permissions`, `mcp_toolsets`) at line 1 column 14",
    ),
    (
        r#"{"Mcp_tool_permissions": {}}"#,
        "invalid object permission: unknown MCP field `Mcp_tool_permissions` (known: `mcp_servers`, `mcp_access_groups`, `mcp_tool_permissions`, `mcp_toolsets`) at line 1 column 23",
    ),
];

const SCENARIO_ERRORS: &[(&str, &str)] = &[
    (
        "[]",
        "invalid scenario: invalid type: sequence, expected a scenario (a JSON object) at line 1 column 0",
    ),
    (
        "null",
        "invalid scenario: invalid type: null, expected a scenario (a JSON object) at line 1 column 4",
    ),
    (
        "{}",
        "invalid scenario: missing field `servers` at line 1 column 2",
    ),
    (
        r#"{"servers": null}"#,
        "invalid scenario: invalid type: null, expected a list of servers for `servers` at line 1 column 16",
    ),
    (
        r#"{"servers": {}}"#,
        "invalid scenario: invalid type: map, expected a list of servers for `servers` at line 1 column 12",
    ),
    (
        r#"{"servers": "srv-a"}"#,
        r#"invalid scenario: invalid type: string "srv-a", expected a list of servers for `servers` at line 1 column 19"#,
    ),
    (
        r#"{"servers": [5]}"#,
        "invalid scenario: invalid type: integer `5`, expected an MCP server (a JSON object) at line 1 column 14",
    ),
    (
        r#"{"servers": [], "access_groups": []}"#,
        "invalid scenario: invalid type: sequence, expected a map of lists of strings for `access_groups` at line 1 column 33",
    ),
    (
        r#"{"servers": [], "access_groups": {"g": "x"}}"#,
        r#"invalid scenario: invalid type: string "x", expected a list of strings for `access_groups` at line 1 column 42"#,
    ),
    (
        r#"{"servers": [], "access_groups": {"g": [1]}}"#,
        "invalid scenario: invalid type: integer `1`, expected a string in `access_groups` at line 1 column 41",
    ),
    (
        r#"{"servers": [], "access_groups": {"g": ["a"], "g": ["b"]}}"#,
        "invalid scenario: duplicate group `g` in `access_groups` at line 1 column 49",
    ),
    (
        r#"{"servers": [], "key": "x"}"#,
        r#"invalid scenario: invalid type: string "x", expected an object permission (a JSON object) at line 1 column 26"#,
    ),
    (
        r#"{"servers": [], "key": []}"#,
        "invalid scenario: invalid type: sequence, expected an object permission (a JSON object) at line 1 column 23",
    ),
    (
        r#"{"servers": [], "team": 5}"#,
        "invalid scenario: invalid type: integer `5`, expected an object permission (a JSON object) at line 1 column 25",
    ),
    (
        r#"{"servers": [], "end_user": true}"#,
        "invalid scenario: invalid type: boolean `true`, expected an object permission (a JSON object) at line 1 column 32",
    ),
    (
        r#"{"servers": [], "end_user_identified": "yes"}"#,
        r#"invalid scenario: invalid type: string "yes", expected a boolean for `end_user_identified` at line 1 column 44"#,
    ),
    (
        r#"{"servers": [], "end_user_identified": []}"#,
        "invalid scenario: invalid type: sequence, expected a boolean for `end_user_identified` at line 1 column 39",
    ),
    (
        r#"{"servers": [], "admin": 1}"#,
        "invalid scenario: invalid type: integer `1`, expected a boolean for `admin` at line 1 column 26",
    ),
    (
        r#"{"servers": [], "admin": "true"}"#,
        r#"invalid scenario: invalid type: string "true", expected a boolean for `admin` at line 1 column 31"#,
    ),
    (
        r#"{"servers": [], "requested": "gh"}"#,
        r#"invalid scenario: invalid type: string "gh", expected a list of strings for `requested` at line 1 column 33"#,
    ),
    (
        r#"{"servers": [], "requested": [1]}"#,
        "invalid scenario: invalid type: integer `1`, expected a string in `requested` at line 1 column 31",
    ),
    (
        r#"{"servers": [], "requested": {}}"#,
        "invalid scenario: invalid type: map, expected a list of strings for `requested` at line 1 column 29",
    ),
    (
        r#"{"servers": [], "semantics": 5}"#,
        "invalid scenario: invalid type: integer `5`, expected a string in `semantics` at line 1 column 30",
    ),
    (
        r#"{"servers": [], "semantics": "LiteLLM"}"#,
        "invalid scenario: unknown `semantics` `LiteLLM` (expected one of: default, litellm-1.106, litellm-1.110, litellm) at line 1 column 39",
    ),
    (
        r#"{"servers": [], "semantics": []}"#,
        "invalid scenario: invalid type: sequence, expected a string in `semantics` at line 1 column 29",
    ),
    (
        r#"{"servers": [], "settings": []}"#,
        "invalid scenario: invalid type: sequence, expected settings (a JSON object) at line 1 column 28",
    ),
    (
        r#"{"servers": [], "settings": {"tool_permissions_grant_servers": "yes"}}"#,
        r#"invalid scenario: invalid type: string "yes", expected a boolean for `tool_permissions_grant_servers` at line 1 column 68"#,
    ),
    (
        r#"{"servers": [], "settings": {"require_key_mcp_access_defined": true, "require_key_mcp_access_defined": false}}"#,
        "invalid scenario: duplicate field `require_key_mcp_access_defined` at line 1 column 101",
    ),
    (
        r#"{"servers": [], "tools": []}"#,
        "invalid scenario: invalid type: sequence, expected a map of lists of strings for `tools` at line 1 column 25",
    ),
    (
        r#"{"servers": [], "tools": {"a": "x"}}"#,
        r#"invalid scenario: invalid type: string "x", expected a list of strings for `tools` at line 1 column 34"#,
    ),
    (
        r#"{"servers": [], "tools": {"a": ["x"], "a": []}}"#,
        "invalid scenario: duplicate server `a` in `tools` at line 1 column 41",
    ),
    (
        r#"{"servers": [], "calls": {}}"#,
        "invalid scenario: invalid type: map, expected a list of calls for `calls` at line 1 column 25",
    ),
    (
        r#"{"servers": [], "calls": [1]}"#,
        r#"invalid scenario: invalid type: integer `1`, expected a call in `calls`: {"server", "tool"} or {"name"} at line 1 column 27"#,
    ),
    (
        r#"{"servers": [], "calls": [{"server": 1, "tool": "x"}]}"#,
        "invalid scenario: invalid type: integer `1`, expected a string in `calls` at line 1 column 38",
    ),
    (
        r#"{"servers": [], "calls": [{"name": "a", "tool": "b"}]}"#,
        r#"invalid scenario: a call in `calls` needs either "server" and "tool", or "name" alone at line 1 column 52"#,
    ),
    (
        r#"{"servers": [], "calls": [{"name": "a", "name": "b"}]}"#,
        "invalid scenario: duplicate field `name` at line 1 column 46",
    ),
    (
        r#"{"servers": [], "calls": [{"server": "a", "tool": "b", "extra": 1}]}"#,
        "invalid scenario: unknown field `extra`, expected one of `server`, `tool`, `name` at line 1 column 62",
    ),
    (
        r#"{"servers": [], "calls": [{}]}"#,
        r#"invalid scenario: a call in `calls` needs either "server" and "tool", or "name" alone at line 1 column 28"#,
    ),
    (
        r#"{"servers": [], "servers": []}"#,
        "invalid scenario: duplicate field `servers` at line 1 column 25",
    ),
    (
        r#"{"servers": [], "mcp_servers": []}"#,
        "invalid scenario: unknown field `mcp_servers`, expected one of `servers`, `toolsets`, `access_groups`, `key`, `team`, `end_user`, `organization`, `user`, `agent`, `end_user_identified`, `admin`, `requested`, `semantics`, `settings`, `tools`, `calls`, `expect` at line 1 column 29",
    ),
    (
        r#"{"servers": [{"server_id": "a"}], "key": {"mcp_servers": [7]}}"#,
        "invalid scenario: invalid type: integer `7`, expected a string in `mcp_servers` at line 1 column 59",
    ),
    (
        r#"{"servers": [{"server_id": "a"}], "key": {"mcp_tool_permission": {}}}"#,
        "invalid scenario: unknown MCP field `mcp_tool_permission` in `key` (known: `mcp_servers`, `mcp_access_groups`, `mcp_tool_permissions`, `mcp_toolsets`) at line 1 column 63",
    ),
    (
        r#"{"servers": [], "settings": [false]}"#,
        "invalid scenario: invalid type: sequence, expected settings (a JSON object) at line 1 column 28",
    ),
    (
        r#"{"servers": [], "settings": "x"}"#,
        r#"invalid scenario: invalid type: string "x", expected settings (a JSON object) at line 1 column 31"#,
    ),
    (
        r#"{"servers": [], "settings": {"grant": true}}"#,
        "invalid scenario: unknown field `grant`, expected one of `tool_permissions_grant_servers`, `require_key_mcp_access_defined`, `require_end_user_mcp_access_defined` at line 1 column 36",
    ),
    (
        r#"{"servers": [{"server_id": ""}]}"#,
        "invalid server registry: server at position 0 has an empty `server_id`",
    ),
    (
        r#"{"servers": [{"server_id": "a"}, {"server_id": "a"}]}"#,
        "invalid server registry: duplicate server id `a` at position 1 (first at position 0)",
    ),
    (
        r#"{"servers": [{"server_id": "a", "alias": "b"}, {"server_id": "b"}]}"#,
        "invalid server registry: alias `b` of server `a` is the id of server `b`",
    ),
    (
        r#"{"servers": [{"server_id": "a"}], "key": {"Mcp_Servers": ["a"]}}"#,
        "invalid scenario: unknown MCP field `Mcp_Servers` in `key` (known: `mcp_servers`, `mcp_access_groups`, `mcp_tool_permissions`, `mcp_toolsets`) at line 1 column 55",
    ),
];

#[test]
fn every_server_field_refuses_wrong_types() {
    for (json, message) in SERVER_ERRORS {
        assert_eq!(
            McpServer::from_json(json).unwrap_err().to_string(),
            *message,
            "{json}"
        );
    }
}

#[test]
fn every_permission_field_refuses_wrong_types() {
    for (json, message) in PERMISSION_ERRORS {
        assert_eq!(permission_error(json), *message, "{json}");
    }
}

#[test]
fn every_scenario_member_refuses_wrong_types() {
    for (json, message) in SCENARIO_ERRORS {
        assert_eq!(scenario_error(json), *message, "{json}");
    }
}
