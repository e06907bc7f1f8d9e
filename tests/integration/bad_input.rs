//! Bad input: every case gets the exact error message (naming field and value) or a
//! documented answer; nothing panics and nothing widens access.

use mcp_authz::scenario::run_json;
use mcp_authz::{
    CallDecision, McpServer, ObjectPermission, Request, RequestedOutcome, ServerRegistry, ToolScope,
};
use serde_json::json;

mod types;

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
         `mcp_access_groups`, `mcp_tool_permissions`, `mcp_toolsets`) at line 1 column 11"
    );
    assert_eq!(
        scenario_error("{\"servers\": [], \"ad\\u001bmin\": true}"),
        "invalid scenario: unknown field `ad\\u{1b}min`, expected one of `servers`, \
         `toolsets`, `access_groups`, `key`, `team`, `end_user`, `organization`, `user`, \
         `agent`, `end_user_identified`, `admin`, \
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
        "invalid server registry: duplicate server id `a\\nb` at position 1 (first at position 0)"
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

// Explaining and linting read the resolver's record and route with the resolver's own
// code: a call name of 1 MiB of separators, 1 MiB references and 100k-entry lists cost
// them what they cost resolution (an explanation once routed without the prefix-length
// guard: 3.7 s for 200 KB of `-`, quadratic in the name).
#[test]
fn explaining_and_linting_huge_input_stays_linear() {
    let dashes = "-".repeat(MIB);
    let registry = ServerRegistry::new([
        McpServer::new("srv-a").with_alias("gh"),
        McpServer::new("srv-b").with_alias("gh-tool"),
        McpServer::new("srv-c").with_alias("-".repeat(1000)),
    ])
    .unwrap();
    let key = ObjectPermission::new()
        .with_servers(
            names("gone-", 0..100_000)
                .into_iter()
                .chain([dashes.clone()]),
        )
        .with_access_groups(names("g", 0..100_000))
        .with_tool_permission("gh", names("t", 0..100_000))
        .with_tool_permission(dashes.as_str(), [dashes.clone()])
        .with_toolsets(names("ts", 0..100_000));
    let team = ObjectPermission::new().with_tool_permission("gh", names("t", 50_000..150_000));
    let request = Request::new().key(&key).team(&team).admin(true);
    let explanation = registry.explain(&request);
    assert_eq!(
        explanation.unmatched().len(),
        100_000 + 1 + 100_000 + 1 + 100_000
    );
    let call = explanation.prefixed_tool(&dashes);
    assert_eq!(call.decision(), CallDecision::UnknownPrefix);
    assert_eq!(
        call.decision(),
        explanation.resolution().decide_prefixed_call(&dashes)
    );
    let tool = explanation.tool("gh", "t60000");
    assert!(tool.is_allowed());
    let linted = registry.linter().request(&request);
    assert!(linted.len() >= 300_000, "{}", linted.len());
    assert!(linted.iter().all(|d| !d.message().contains('\n')));

    // 100k references that each name a server, at the key and at a narrowing level.
    let servers: Vec<McpServer> = (0..100_000)
        .map(|i| McpServer::new(format!("s{i}")))
        .collect();
    let registry = ServerRegistry::new(servers).unwrap();
    let all = ObjectPermission::new().with_servers(names("s", 0..100_000));
    let half = ObjectPermission::new().with_servers(names("s", 50_000..100_000));
    let team = ObjectPermission::new().with_servers(names("s", 0..10));
    let request = Request::new().key(&all).team(&team).agent(&half);
    let explanation = registry.explain(&request);
    assert_eq!(explanation.visible().count(), 0);
    let linted = registry.linter().request(&request);
    let outside = linted
        .iter()
        .filter(|d| d.code() == mcp_authz::LintCode::OutsideCeiling)
        .count();
    assert_eq!(outside, 100_000 - 10);
}

// ---------------------------------------------------------------------------------------
// `null` where a list is expected reads as unset; the semantics keep unset and empty apart.

#[test]
fn null_reads_as_unset() {
    let server = McpServer::from_json(
        r#"{"server_id": "a", "server_name": null, "alias": null, "allow_all_keys": null,
            "mcp_access_groups": null, "allowed_tools": null, "disallowed_tools": null}"#,
    )
    .unwrap();
    assert_eq!(server, McpServer::new("a"));
    let permission = ObjectPermission::from_json(
        r#"{"mcp_servers": null, "mcp_access_groups": null, "mcp_tool_permissions": null}"#,
    )
    .unwrap();
    assert_eq!(permission, ObjectPermission::new());

    let all_null = run_json(
        r#"{"servers": [{"server_id": "a"}, {"server_id": "b", "allow_all_keys": true}],
            "access_groups": null, "key": null, "team": null, "end_user": null,
            "end_user_identified": null, "admin": null, "requested": null,
            "semantics": null, "settings": null, "tools": null, "calls": null}"#,
    );
    assert_eq!(
        all_null,
        json!({"servers": [{"server_id": "b", "tools": {"allow": "*"}}],
               "requested": "not_requested", "semantics": "default"})
    );
}

#[test]
fn null_and_empty_list_differ_where_the_semantics_say_so() {
    let registry =
        ServerRegistry::new([McpServer::new("a"), McpServer::new("b").with_alias("gh")]).unwrap();
    let unset = ObjectPermission::from_json(r#"{"mcp_servers": null}"#).unwrap();
    let empty = ObjectPermission::from_json(r#"{"mcp_servers": []}"#).unwrap();
    let visible = |request: &Request<'_>| {
        let resolution = registry.resolve_allowed_servers(request);
        let ids: Vec<String> = resolution
            .servers()
            .map(|v| v.server().id().to_string())
            .collect();
        (ids, resolution.requested())
    };
    // The admin view: a key that leaves `mcp_servers` unset sees everything; `[]` scopes.
    assert_eq!(
        visible(&Request::new().admin(true).key(&unset)).0,
        ["a", "b"]
    );
    assert!(
        visible(&Request::new().admin(true).key(&empty))
            .0
            .is_empty()
    );
    // Requested names: none given is no filter; an empty list fails closed.
    assert_eq!(
        visible(&Request::new().admin(true)),
        (vec!["a".into(), "b".into()], RequestedOutcome::NotRequested)
    );
    let no_names: [&str; 0] = [];
    assert_eq!(
        visible(&Request::new().admin(true).requested(&no_names)),
        (vec![], RequestedOutcome::MatchedNothing)
    );
}

// ---------------------------------------------------------------------------------------
// Ids are strings: a number is refused (see the tables above), a numeric string is an id.

#[test]
fn numeric_strings_are_ids() {
    let out = run_json(
        r#"{"servers": [{"server_id": "7"}, {"server_id": "8"}],
            "key": {"mcp_servers": ["7"]}, "calls": [{"server": "7", "tool": "x"},
            {"server": "8", "tool": "x"}]}"#,
    );
    assert_eq!(
        out["servers"],
        json!([{"server_id": "7", "tools": {"allow": "*"}}])
    );
    assert_eq!(out["calls"][0]["allowed"], json!(true));
    assert_eq!(out["calls"][1]["allowed"], json!(false));
    assert_eq!(
        scenario_error(r#"{"servers": [], "access_groups": {"g": [7]}}"#),
        "invalid scenario: invalid type: integer `7`, expected a string in `access_groups` at \
         line 1 column 41"
    );
}

// LiteLLM's server objects carry `mcp_*` fields the crate does not model (`mcp_info`);
// servers ignore unknown fields (SPEC 1.1), permissions refuse unknown `mcp_*` ones (1.2).
#[test]
fn unknown_mcp_fields_are_ignored_on_servers_only() {
    let server = McpServer::from_json(
        r#"{"server_id": "a", "mcp_info": {"server_name": "x"}, "mcp_tools": ["y"]}"#,
    )
    .unwrap();
    assert_eq!(server, McpServer::new("a"));
    assert_eq!(
        permission_error(r#"{"mcp_servers": ["a"], "mcp_tools": ["y"]}"#),
        "invalid object permission: unknown MCP field `mcp_tools` (known: `mcp_servers`, \
         `mcp_access_groups`, `mcp_tool_permissions`, `mcp_toolsets`) at line 1 column 34"
    );
}

// ---------------------------------------------------------------------------------------
// Names: empty, blank, holding the separator, in non-ASCII case.

fn visible_ids(resolution: &mcp_authz::Resolution<'_>) -> Vec<String> {
    resolution
        .servers()
        .map(|v| v.server().id().to_string())
        .collect()
}

#[test]
fn empty_names_are_none_and_blank_names_are_names() {
    // An empty id is refused; an empty alias or name reads as none; a blank one is kept
    // as written (nothing is trimmed).
    assert_eq!(
        ServerRegistry::new([McpServer::new("")])
            .unwrap_err()
            .to_string(),
        "invalid server registry: server at position 0 has an empty `server_id`"
    );
    let registry = ServerRegistry::new([
        McpServer::from_json(r#"{"server_id": "a", "alias": "", "server_name": ""}"#).unwrap(),
        McpServer::from_json(r#"{"server_id": "b", "alias": "  ", "server_name": "gh "}"#).unwrap(),
        McpServer::new(" "),
    ])
    .unwrap();
    assert_eq!(registry.resolve_reference("").count(), 0);
    let ids = |r: &str| {
        registry
            .resolve_reference(r)
            .map(|s| s.id().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(" "), [" "]);
    assert_eq!(ids("  "), ["b"]);
    assert_eq!(ids("gh "), ["b"]);
    assert!(ids("gh").is_empty());

    // A level that names only "" declares and grants nothing: under a team, the key gets
    // no server rather than inheriting the team's.
    let team = ObjectPermission::new().with_servers(["a", "b"]);
    let key = ObjectPermission::new().with_servers([""]);
    let resolution = registry.resolve_allowed_servers(&Request::new().key(&key).team(&team));
    assert!(resolution.is_empty());

    // Empty tool names are never allowed, never listed.
    let admin = registry.resolve_allowed_servers(&Request::new().admin(true));
    assert_eq!(admin.decide_call("a", ""), CallDecision::EmptyToolName);
    assert_eq!(
        admin.filter_tools("a", &["", "x"]).collect::<Vec<_>>(),
        [&"x"]
    );
    assert_eq!(
        admin.decide_prefixed_call("a-"),
        CallDecision::EmptyToolName
    );
    // Blank spellings become `_` prefixes.
    assert_eq!(admin.route("_-x").unwrap().server.id().as_str(), " ");
    assert_eq!(admin.route("__-x").unwrap().server.id().as_str(), "b");

    // Requested names are not trimmed either; "" and " " pick only what bears them.
    let picked = |names: &[&str]| {
        visible_ids(&registry.resolve_allowed_servers(&Request::new().admin(true).requested(names)))
    };
    assert!(picked(&[""]).is_empty());
    assert_eq!(picked(&[" "]), [" "]);
    assert_eq!(picked(&["  ", "GH "]), ["b"]);
    assert!(picked(&["gh"]).is_empty());
}

#[test]
fn names_holding_the_separator_route_by_the_longest_prefix() {
    let registry = ServerRegistry::new([
        McpServer::new("srv-a").with_alias("gh"),
        McpServer::new("srv-b")
            .with_alias("gh-tool")
            .with_allowed_tools(["read"]),
        McpServer::new("aa1d8e71-318a-43cb-83ad-588d56470b1b"),
    ])
    .unwrap();
    let admin = registry.resolve_allowed_servers(&Request::new().admin(true));
    let route = |name: &str| {
        admin
            .route(name)
            .map(|r| (r.server.id().to_string(), r.tool.to_owned()))
    };
    assert_eq!(route("gh-tool-read"), Ok(("srv-b".into(), "read".into())));
    assert_eq!(route("gh-tool-x-y"), Ok(("srv-b".into(), "x-y".into())));
    assert_eq!(route("gh-x"), Ok(("srv-a".into(), "x".into())));
    assert_eq!(route("gh-tool"), Ok(("srv-a".into(), "tool".into())));
    assert_eq!(
        route("aa1d8e71-318a-43cb-83ad-588d56470b1b-run"),
        Ok(("aa1d8e71-318a-43cb-83ad-588d56470b1b".into(), "run".into()))
    );
    // A call never falls back to a shorter prefix: `gh-tool-write` is decided for `gh-tool`
    // (which does not allow it), not run on `gh` as `tool-write`.
    assert_eq!(
        admin.decide_prefixed_call("gh-tool-write"),
        CallDecision::ToolNotAllowed
    );
    // When only `gh` is visible, the same name is `gh`'s tool `tool-write`.
    let key = ObjectPermission::new().with_servers(["srv-a"]);
    let scoped = registry.resolve_allowed_servers(&Request::new().key(&key));
    assert_eq!(
        scoped.route("gh-tool-write").map(|r| r.tool),
        Ok("tool-write")
    );
    assert_eq!(
        scoped.decide_prefixed_call("GH-x"),
        CallDecision::UnknownPrefix,
        "prefixes match exactly"
    );
}

#[test]
fn requested_names_fold_ascii_case_only() {
    let registry = ServerRegistry::new([
        McpServer::new("srv-a").with_name("stra\u{df}e"),
        McpServer::new("srv-b").with_name("\u{e9}cole"),
        McpServer::new("srv-c").with_alias("k8s"),
        McpServer::new("srv-d").with_alias("github"),
    ])
    .unwrap();
    let picked = |name: &str| {
        visible_ids(
            &registry.resolve_allowed_servers(&Request::new().admin(true).requested(&[name])),
        )
    };
    assert_eq!(
        picked("STRA\u{df}E"),
        ["srv-a"],
        "ASCII letters fold around the ß"
    );
    assert!(picked("STRASSE").is_empty());
    assert!(picked("\u{c9}COLE").is_empty(), "É does not fold to é");
    assert_eq!(picked("\u{e9}COLE"), ["srv-b"]);
    assert!(
        picked("\u{212a}8s").is_empty(),
        "the Kelvin sign is not a K"
    );
    assert_eq!(picked("K8S"), ["srv-c"]);
    assert!(
        picked("G\u{130}THUB").is_empty(),
        "dotted capital I is not an i"
    );
    assert!(
        picked("\u{ff47}\u{ff48}").is_empty(),
        "fullwidth letters are not ASCII"
    );
    assert_eq!(picked("GitHub"), ["srv-d"]);
}

// ---------------------------------------------------------------------------------------
// Size: 100k-entry lists and 1 MiB strings get their answers (no timing is asserted; the
// regressions above were quadratic), and deep nesting is an error, not a stack overflow.

const BIG: usize = 100_000;

#[test]
fn a_registry_of_100k_servers() {
    let servers = (0..BIG).map(|i| {
        McpServer::new(format!("srv-{i}"))
            .with_alias(format!("a{}", i % 1000))
            .with_access_groups([format!("g{}", i % 10)])
            .with_allow_all_keys(i == BIG - 1)
    });
    let registry = ServerRegistry::new(servers).unwrap();
    assert_eq!(registry.len(), BIG);
    // An alias borne by 100 servers grants all of them.
    let key = ObjectPermission::new().with_servers(["a7"]);
    let resolution = registry.resolve_allowed_servers(&Request::new().key(&key));
    assert_eq!(
        resolution.len(),
        101,
        "100 servers bear `a7`, plus the allow_all_keys one"
    );
    assert_eq!(
        resolution.decide_call("a7", "x"),
        CallDecision::AmbiguousServer
    );
    assert_eq!(resolution.decide_call("srv-7", "x"), CallDecision::Allowed);
    assert_eq!(
        resolution.decide_call("srv-8", "x"),
        CallDecision::ServerNotVisible
    );
    // The admin view lists everything; requested names and groups pick from it.
    let admin = registry.resolve_allowed_servers(&Request::new().admin(true));
    assert_eq!(admin.len(), BIG);
    let names = ["SRV-99998", "g3"];
    let picked = registry.resolve_allowed_servers(&Request::new().admin(true).requested(&names));
    assert_eq!(picked.len(), BIG / 10 + 1);
}

#[test]
fn permissions_and_requests_with_100k_entries() {
    let registry = ServerRegistry::new([
        McpServer::new("srv-a").with_allowed_tools((0..BIG).map(|i| format!("t{i}"))),
        McpServer::new("srv-b").with_access_groups(["dev"]),
        McpServer::new("srv-c"),
    ])
    .unwrap();
    let mut references: Vec<String> = (0..BIG).map(|i| format!("nosuch-{i}")).collect();
    references.push("srv-a".into());
    let groups: Vec<String> = (0..BIG)
        .map(|i| format!("group-{i}"))
        .chain(["dev".into()])
        .collect();
    let key = ObjectPermission::new()
        .with_servers(references.iter().cloned())
        .with_access_groups(groups.iter().cloned());
    let team = (0..BIG)
        .fold(ObjectPermission::new(), |p, i| {
            p.with_tool_permission(format!("nosuch-{i}"), ["x"])
        })
        .with_servers(["srv-a", "srv-b"]);
    let requested: Vec<String> = (0..BIG)
        .map(|i| format!("n{i}"))
        .chain(["SRV-B".into()])
        .collect();

    let resolution = registry.resolve_allowed_servers(&Request::new().key(&key).team(&team));
    assert_eq!(visible_ids(&resolution), ["srv-a", "srv-b"]);
    assert!(resolution.is_tool_allowed("srv-a", "t99999"));
    assert!(!resolution.is_tool_allowed("srv-a", "t100000"));
    let offered: Vec<String> = (0..2 * BIG).map(|i| format!("t{i}")).collect();
    assert_eq!(resolution.filter_tools("srv-a", &offered).count(), BIG);

    let picked = registry
        .resolve_allowed_servers(&Request::new().key(&key).team(&team).requested(&requested));
    assert_eq!(visible_ids(&picked), ["srv-b"]);

    let mut groups = mcp_authz::MapAccessGroups::new();
    for i in 0..BIG {
        groups.insert("dev", format!("gone-{i}"));
    }
    groups.insert("dev", "srv-c");
    let external =
        registry.resolve_allowed_servers(&Request::new().key(&key).access_groups(&groups));
    assert_eq!(visible_ids(&external), ["srv-a", "srv-c"]);
}

#[test]
fn a_scenario_with_100k_entry_lists() {
    let many = |prefix: &str| -> Vec<String> { (0..BIG).map(|i| format!("{prefix}{i}")).collect() };
    let scenario = json!({
        "servers": [{"server_id": "srv-a", "disallowed_tools": many("d")}],
        "key": {"mcp_servers": many("r").into_iter().chain(["srv-a".to_owned()]).collect::<Vec<_>>(),
                "mcp_tool_permissions": {"srv-a": many("t")}},
        "requested": many("n").into_iter().chain(["srv-a".to_owned()]).collect::<Vec<_>>(),
        "tools": {"srv-a": many("t")},
        "calls": [{"server": "srv-a", "tool": "t5"}, {"name": "srv-a-t5"}, {"name": "srv-a-x"}],
    });
    let out = run_json(&scenario.to_string());
    assert_eq!(out["servers"][0]["server_id"], json!("srv-a"));
    assert_eq!(out["tools"]["srv-a"].as_array().map(Vec::len), Some(BIG));
    assert_eq!(
        out["calls"],
        json!([{"allowed": true, "reason": "allowed"}, {"allowed": true, "reason": "allowed"},
               {"allowed": false, "reason": "the tool is not allowed on this server"}])
    );
}

#[test]
fn one_mib_strings() {
    let long = |c: char| c.to_string().repeat(MIB);
    let id = long('i');
    let alias = long('a');
    let registry = ServerRegistry::new([
        McpServer::new(id.as_str())
            .with_alias(alias.as_str())
            .with_allowed_tools([long('t')]),
        McpServer::new("srv-b"),
    ])
    .unwrap();
    let key = ObjectPermission::new().with_tool_permission(alias.as_str(), [long('t')]);
    let requested = vec![long('A')];
    let resolution =
        registry.resolve_allowed_servers(&Request::new().key(&key).requested(&requested));
    assert_eq!(visible_ids(&resolution), [id.as_str()]);
    assert!(resolution.is_tool_allowed(&id, &long('t')));
    assert!(!resolution.is_tool_allowed(&id, &long('u')));
    assert_eq!(
        resolution.decide_prefixed_call(&format!("{alias}-{}", long('t'))),
        CallDecision::Allowed
    );
    assert_eq!(
        resolution.decide_call(&long('x'), "t"),
        CallDecision::UnknownServer
    );
    // A 1 MiB value in an error message is quoted whole, on one line.
    let e = ServerRegistry::new([McpServer::new(id.as_str()), McpServer::new(id.as_str())])
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        format!(
            "invalid server registry: duplicate server id `{id}` at position 1 (first at position 0)"
        )
    );
    // A 1 MiB number is out of range before it is a wrong type.
    assert_eq!(
        permission_error(&format!(r#"{{"mcp_servers": [{}]}}"#, "1".repeat(MIB))),
        "invalid object permission: number out of range at line 1 column 1048593"
    );
}

#[test]
fn deep_nesting_is_an_error_or_skipped_never_a_stack_overflow() {
    let deep = format!("{}{}", "[".repeat(BIG), "]".repeat(BIG));
    // Read values (the scenario's `expect`, a permission field) stop at serde_json's
    // recursion limit.
    assert_eq!(
        scenario_error(&format!(r#"{{"servers": [], "expect": {deep}}}"#)),
        "invalid scenario: recursion limit exceeded at line 1 column 153"
    );
    assert_eq!(
        permission_error(&format!(r#"{{"mcp_servers": {deep}}}"#)),
        "invalid object permission: invalid type: sequence, expected a string in \
         `mcp_servers` at line 1 column 17"
    );
    assert_eq!(
        scenario_error(&deep),
        "invalid scenario: invalid type: sequence, expected a scenario (a JSON object) at line \
         1 column 0"
    );
    // Fields the crate ignores are skipped without recursion, however deep.
    let objects = format!("{}1{}", r#"{"a":"#.repeat(BIG), "}".repeat(BIG));
    let out = run_json(&format!(
        r#"{{"servers": [{{"server_id": "a", "url": {deep}, "mcp_info": {objects}}}],
             "key": {{"models": {deep}, "mcp_servers": ["a"]}}}}"#
    ));
    assert_eq!(
        out["servers"],
        json!([{"server_id": "a", "tools": {"allow": "*"}}])
    );
}
