//! One test per permission lint code: a permission that triggers it and one that does not.

use super::*;
use crate::request::Request;
use crate::semantics::LiteLlmRelease;
use crate::server::McpServer;

fn registry() -> ServerRegistry {
    ServerRegistry::new([
        McpServer::new("srv-a")
            .with_name("github")
            .with_alias("gh")
            .with_access_groups(["dev"]),
        McpServer::new("srv-b")
            .with_name("jira")
            .with_access_groups(["dev", "pm"]),
        McpServer::new("srv-c")
            .with_name("wiki")
            .with_allow_all_keys(true),
        McpServer::new("srv-d")
            .with_name("slack")
            .with_allowed_tools(["send", "read"])
            .with_disallowed_tools(["delete"]),
        McpServer::new("srv-e").with_name("files"),
        McpServer::new("srv-f").with_name("files"),
        McpServer::new("aa1d8e71-318a-43cb-83ad-588d56470b1b").with_name("internal"),
    ])
    .unwrap()
}

fn lint(
    level: Level,
    permission: &ObjectPermission,
    team: Option<&ObjectPermission>,
) -> Vec<Diagnostic> {
    lint_with(&registry().linter(), level, permission, team)
}

/// A key's diagnostics, against its team when it has one.
fn lint_with(
    linter: &Linter<'_>,
    level: Level,
    permission: &ObjectPermission,
    team: Option<&ObjectPermission>,
) -> Vec<Diagnostic> {
    match team {
        Some(team) if level == Level::Key => linter
            .request(&Request::new().key(permission).team(team))
            .into_iter()
            .filter(|d| d.path().starts_with("key"))
            .collect(),
        _ => linter.permission(level, permission),
    }
}

fn codes(diagnostics: &[Diagnostic]) -> Vec<LintCode> {
    diagnostics.iter().map(Diagnostic::code).collect()
}

fn has(
    level: Level,
    permission: &ObjectPermission,
    team: Option<&ObjectPermission>,
    code: LintCode,
) -> bool {
    codes(&lint(level, permission, team)).contains(&code)
}

#[test]
fn unknown_reference_is_reported_with_its_path() {
    let key = ObjectPermission::new().with_servers(["srv-a", "deleted-id"]);
    let d = lint(Level::Key, &key, None);
    assert_eq!(codes(&d), [LintCode::UnknownReference]);
    assert_eq!(d[0].path(), "key.mcp_servers[1]");
    assert_eq!(d[0].severity(), crate::Severity::Error);
    let tools = ObjectPermission::new().with_tool_permission("gone", ["x"]);
    assert_eq!(
        lint(Level::Team, &tools, None)[0].path(),
        r#"team.mcp_tool_permissions["gone"]"#
    );
    assert!(has(Level::Team, &tools, None, LintCode::UnknownReference));
}

#[test]
fn known_references_are_not_unknown() {
    let key = ObjectPermission::new()
        .with_servers(["srv-a", "jira", "AA1D8E71318A43CB83AD588D56470B1B"])
        .with_tool_permission("gh", ["x"]);
    assert!(!has(Level::Key, &key, None, LintCode::UnknownReference));
}

#[test]
fn stale_key_reference_says_it_blocks_team_inheritance() {
    let key = ObjectPermission::new().with_servers(["deleted-id"]);
    let team = ObjectPermission::new().with_servers(["srv-a"]);
    let d = lint(Level::Key, &key, Some(&team));
    assert_eq!(codes(&d), [LintCode::UnknownReference]);
    assert!(
        d[0].message()
            .contains("no longer inherits its team's servers"),
        "{}",
        d[0]
    );
    let partly = ObjectPermission::new().with_servers(["deleted-id", "srv-a"]);
    let d = lint(Level::Key, &partly, Some(&team));
    assert!(!d[0].message().contains("inherits"), "{}", d[0]);
}

#[test]
fn uuid_in_another_spelling_is_unknown_only_under_litellm_semantics() {
    let key = ObjectPermission::new().with_servers(["AA1D8E71318A43CB83AD588D56470B1B"]);
    let r = registry();
    let litellm = r
        .linter()
        .semantics(Semantics::LiteLlm(LiteLlmRelease::V1_106))
        .permission(Level::Key, &key);
    assert_eq!(codes(&litellm), [LintCode::UnknownReference]);
    assert!(r.linter().permission(Level::Key, &key).is_empty());
}

#[test]
fn sentinels_are_not_unknown_where_they_mean_something() {
    let key = ObjectPermission::new().with_servers(["no-mcp-servers"]);
    assert!(lint(Level::Key, &key, None).is_empty());
    let team = ObjectPermission::new().with_servers(["all-proxy-mcpservers"]);
    assert!(lint(Level::Team, &team, None).is_empty());
    let key = ObjectPermission::new().with_servers(["all-proxy-mcpservers"]);
    let d = lint(Level::Key, &key, None);
    assert_eq!(codes(&d), [LintCode::UnknownReference]);
    assert!(
        d[0].message()
            .contains("sentinel only in a team permission"),
        "{}",
        d[0]
    );
}

#[test]
fn sentinel_with_other_entries_is_reported() {
    let key = ObjectPermission::new().with_servers(["srv-a", "no-mcp-servers"]);
    let d = lint(Level::Key, &key, None);
    assert_eq!(codes(&d), [LintCode::SentinelWithEntries]);
    assert_eq!(d[0].path(), "key.mcp_servers[1]");
    let team = ObjectPermission::new()
        .with_servers(["all-proxy-mcpservers"])
        .with_access_groups(["dev"]);
    assert!(has(Level::Team, &team, None, LintCode::SentinelWithEntries));
    let alone = ObjectPermission::new().with_servers(["no-mcp-servers"]);
    assert!(!has(
        Level::Key,
        &alone,
        None,
        LintCode::SentinelWithEntries
    ));
}

#[test]
fn empty_access_group_is_reported() {
    let key = ObjectPermission::new().with_access_groups(["dev", "nobody"]);
    let d = lint(Level::Key, &key, None);
    assert_eq!(codes(&d), [LintCode::EmptyAccessGroup]);
    assert_eq!(d[0].path(), "key.mcp_access_groups[1]");
    let fine = ObjectPermission::new().with_access_groups(["dev", "pm"]);
    assert!(!has(Level::Key, &fine, None, LintCode::EmptyAccessGroup));
}

#[test]
fn access_groups_come_from_the_given_lookup() {
    let groups = crate::MapAccessGroups::from_iter([("ops", ["srv-b"])]);
    let key = ObjectPermission::new().with_access_groups(["ops"]);
    let r = registry();
    assert!(
        r.linter()
            .access_groups(&groups)
            .permission(Level::Key, &key)
            .is_empty()
    );
    assert_eq!(
        codes(&r.linter().permission(Level::Key, &key)),
        [LintCode::EmptyAccessGroup]
    );
}

#[test]
fn ambiguous_reference_is_reported() {
    let key = ObjectPermission::new()
        .with_servers(["files"])
        .with_tool_permission("files", ["read"]);
    let d = lint(Level::Key, &key, None);
    assert_eq!(
        codes(&d),
        [LintCode::AmbiguousReference, LintCode::AmbiguousReference]
    );
    assert!(
        d[0].message().contains("`srv-e` (files), `srv-f` (files)"),
        "{}",
        d[0]
    );
    let one = ObjectPermission::new().with_servers(["srv-e"]);
    assert!(!has(Level::Key, &one, None, LintCode::AmbiguousReference));
}

#[test]
fn grant_only_through_tool_permissions_is_the_33397_hazard() {
    let key = ObjectPermission::new()
        .with_servers(["srv-b"])
        .with_tool_permission("gh", ["create_issue"]);
    let d = lint(Level::Key, &key, None);
    assert_eq!(codes(&d), [LintCode::GrantedOnlyByToolPermissions]);
    assert!(d[0].message().contains("srv-a"), "{}", d[0]);
    let listed = ObjectPermission::new()
        .with_servers(["srv-a"])
        .with_tool_permission("gh", ["create_issue"]);
    assert!(lint(Level::Key, &listed, None).is_empty());
    let by_group = ObjectPermission::new()
        .with_access_groups(["dev"])
        .with_tool_permission("gh", ["create_issue"]);
    assert!(lint(Level::Key, &by_group, None).is_empty());
}

#[test]
fn tool_permission_that_does_not_grant_is_reported_when_the_setting_is_off() {
    let off = Settings {
        tool_permissions_grant_servers: false,
        ..Settings::default()
    };
    let r = registry();
    let linter = r.linter().settings(off);
    let key = ObjectPermission::new()
        .with_servers(["srv-b"])
        .with_tool_permission("gh", ["create_issue"]);
    let d = linter.permission(Level::Key, &key);
    assert_eq!(codes(&d), [LintCode::ToolPermissionDoesNotGrant]);
    // A key that declares nothing restricts the tools of what it inherits: fine.
    let inheriting = ObjectPermission::new().with_tool_permission("gh", ["create_issue"]);
    let team = ObjectPermission::new().with_servers(["srv-a"]);
    assert!(lint_with(&linter, Level::Key, &inheriting, Some(&team)).is_empty());
    // A key whose only reference is stale does not inherit: the entry restricts nothing
    // it can see.
    let stale = ObjectPermission::new()
        .with_servers(["deleted-id"])
        .with_tool_permission("gh", ["create_issue"]);
    assert_eq!(
        codes(&lint_with(&linter, Level::Key, &stale, Some(&team))),
        [
            LintCode::UnknownReference,
            LintCode::ToolPermissionDoesNotGrant
        ]
    );
    // A team that declares no servers restricts the tools of whatever its keys declare.
    let tools_only = ObjectPermission::new().with_tool_permission("gh", ["create_issue"]);
    assert!(linter.permission(Level::Team, &tools_only).is_empty());
    let declaring = ObjectPermission::new()
        .with_servers(["jira"])
        .with_tool_permission("gh", ["create_issue"]);
    assert_eq!(
        codes(&linter.permission(Level::Team, &declaring)),
        [LintCode::ToolPermissionDoesNotGrant]
    );
    // And with the setting on the entry grants: the other code applies.
    assert!(!has(
        Level::Key,
        &key,
        None,
        LintCode::ToolPermissionDoesNotGrant
    ));
}

#[test]
fn key_grant_outside_its_team_is_reported() {
    let key = ObjectPermission::new()
        .with_servers(["srv-a", "jira", "wiki"])
        .with_tool_permission("slack", ["send"]);
    let team = ObjectPermission::new().with_servers(["srv-a"]);
    let d = lint(Level::Key, &key, Some(&team));
    assert_eq!(
        codes(&d),
        [
            LintCode::GrantedOnlyByToolPermissions,
            LintCode::OutsideCeiling,
            LintCode::OutsideCeiling
        ]
    );
    assert_eq!(d[1].path(), "key.mcp_servers[1]");
    assert_eq!(d[2].path(), r#"key.mcp_tool_permissions["slack"]"#);
    // Inside the team, under `all-proxy-mcpservers`, or without a team: nothing dropped.
    let inside = ObjectPermission::new().with_access_groups(["dev"]);
    let dev = ObjectPermission::new().with_access_groups(["dev"]);
    assert!(!has(
        Level::Key,
        &inside,
        Some(&dev),
        LintCode::OutsideCeiling
    ));
    let all = ObjectPermission::new().with_servers(["all-proxy-mcpservers"]);
    assert!(!has(Level::Key, &key, Some(&all), LintCode::OutsideCeiling));
    assert!(!has(Level::Key, &key, None, LintCode::OutsideCeiling));
    let undeclared = ObjectPermission::new().with_servers(Vec::<String>::new());
    assert!(!has(
        Level::Key,
        &key,
        Some(&undeclared),
        LintCode::OutsideCeiling
    ));
}

#[test]
fn empty_tool_list_is_reported() {
    let key = ObjectPermission::new()
        .with_servers(["srv-a"])
        .with_tool_permission("srv-a", Vec::<String>::new());
    let d = lint(Level::Key, &key, None);
    assert_eq!(codes(&d), [LintCode::EmptyToolList]);
    assert_eq!(d[0].severity(), crate::Severity::Info);
    let some = ObjectPermission::new()
        .with_servers(["srv-a"])
        .with_tool_permission("srv-a", ["x"]);
    assert!(!has(Level::Key, &some, None, LintCode::EmptyToolList));
}

#[test]
fn tool_made_unusable_by_the_server_lists_is_reported() {
    let key = ObjectPermission::new()
        .with_servers(["slack"])
        .with_tool_permission("slack", ["send", "delete", "archive"]);
    let d = lint(Level::Key, &key, None);
    assert_eq!(codes(&d), [LintCode::UnusableTool, LintCode::UnusableTool]);
    assert_eq!(d[0].path(), r#"key.mcp_tool_permissions["slack"][1]"#);
    assert!(
        d[0].message().contains("disallowed_tools lists it"),
        "{}",
        d[0]
    );
    assert!(
        d[1].message().contains("allowed_tools does not list it"),
        "{}",
        d[1]
    );
    let usable = ObjectPermission::new()
        .with_servers(["slack"])
        .with_tool_permission("slack", ["send", "read"]);
    assert!(!has(Level::Key, &usable, None, LintCode::UnusableTool));
}

#[test]
fn tool_written_with_its_server_prefix_is_reported() {
    let key = ObjectPermission::new().with_tool_permission(
        "gh",
        [
            "gh-create_issue",
            "github-list",
            "srv-a-x",
            "gh_tool",
            "gh-",
        ],
    );
    let d: Vec<Diagnostic> = lint(Level::Key, &key, None)
        .into_iter()
        .filter(|d| d.code() == LintCode::PrefixedToolName)
        .collect();
    let paths: Vec<&str> = d.iter().map(Diagnostic::path).collect();
    assert_eq!(
        paths,
        [
            r#"key.mcp_tool_permissions["gh"][0]"#,
            r#"key.mcp_tool_permissions["gh"][1]"#,
            r#"key.mcp_tool_permissions["gh"][2]"#,
        ]
    );
    assert!(
        d[0].message().contains("starts with `gh-`")
            && d[0].message().contains("write `create_issue`"),
        "{}",
        d[0]
    );
    // The trap is real: the prefixed entry allows no call to the bare tool.
    let registry = registry();
    let resolution = registry.resolve_allowed_servers(&Request::new().key(&key));
    assert!(!resolution.is_tool_allowed("gh", "create_issue"));
    assert!(resolution.is_tool_allowed("gh", "gh-create_issue"));
    // Another separator reads other names as prefixed.
    let naming = ToolNaming::new("__").unwrap();
    let key = ObjectPermission::new().with_tool_permission("gh", ["gh__create_issue", "gh-x"]);
    let d = registry
        .linter()
        .naming(&naming)
        .permission(Level::Key, &key);
    let flagged: Vec<&str> = d
        .iter()
        .filter(|d| d.code() == LintCode::PrefixedToolName)
        .map(Diagnostic::path)
        .collect();
    assert_eq!(flagged, [r#"key.mcp_tool_permissions["gh"][0]"#]);
}

#[test]
fn wildcard_mixed_with_names_is_reported() {
    let key = ObjectPermission::new()
        .with_servers(["gh"])
        .with_tool_permission("gh", ["*", "create_issue"]);
    assert_eq!(
        codes(&lint(Level::Key, &key, None)),
        [LintCode::WildcardWithNames]
    );
    let alone = ObjectPermission::new()
        .with_servers(["gh"])
        .with_tool_permission("gh", ["*"]);
    assert!(lint(Level::Key, &alone, None).is_empty());
}

fn hierarchy_registry() -> ServerRegistry {
    ServerRegistry::with_toolsets(
        [
            McpServer::new("srv-a").with_alias("gh"),
            McpServer::new("srv-b").with_alias("jira"),
        ],
        [
            crate::toolset::Toolset::new("ts-1")
                .with_tool("srv-a", "create_issue")
                .with_tool("github", "x"),
            crate::toolset::Toolset::new("ts-empty"),
        ],
    )
    .unwrap()
}

#[test]
fn toolsets_that_grant_nothing_are_reported() {
    let r = hierarchy_registry();
    let key = ObjectPermission::new().with_toolsets(["ts-1", "nosuch", "ts-empty"]);
    let d = r.linter().permission(Level::Key, &key);
    assert_eq!(
        codes(&d),
        [LintCode::UnknownToolset, LintCode::EmptyToolset]
    );
    assert_eq!(d[0].path(), "key.mcp_toolsets[1]");
    assert_eq!(d[1].path(), "key.mcp_toolsets[2]");
    // On a team under LiteLLM such an entry also denies every tool.
    let team = ObjectPermission::new().with_toolsets(["nosuch"]);
    let litellm = r
        .linter()
        .semantics(Semantics::LiteLlm(LiteLlmRelease::V1_110));
    assert!(
        litellm.permission(Level::Team, &team)[0]
            .message()
            .contains("denies every tool")
    );
    // The registry: an empty toolset, and an entry naming a server by name.
    let registry = r.linter().registry();
    let toolset_codes: Vec<(LintCode, &str)> =
        registry.iter().map(|d| (d.code(), d.path())).collect();
    assert_eq!(
        toolset_codes,
        [
            (LintCode::ToolsetUnknownServer, "toolsets[0].tools[1]"),
            (LintCode::EmptyToolset, "toolsets[1].tools"),
        ]
    );
}

#[test]
fn ceilings_and_narrowing_levels_are_checked_across_the_request() {
    let r = hierarchy_registry();
    let organization = ObjectPermission::new().with_servers(["gh"]);
    let team = ObjectPermission::new().with_servers(["gh", "jira"]);
    let agent = ObjectPermission::new().with_servers(["jira"]);
    let d = r.linter().request(
        &Request::new()
            .organization(&organization)
            .team(&team)
            .agent(&agent),
    );
    let found: Vec<(LintCode, &str)> = d.iter().map(|d| (d.code(), d.path())).collect();
    assert_eq!(found, [(LintCode::OutsideCeiling, "team.mcp_servers[1]"),]);
    assert!(
        d[0].message()
            .contains("the organization is the team's ceiling")
    );
    // An agent naming a server no granting level grants.
    let key = ObjectPermission::new().with_servers(["gh"]);
    let d = r.linter().request(&Request::new().key(&key).agent(&agent));
    assert_eq!(codes(&d), [LintCode::NarrowingGrants]);
    assert_eq!(d[0].path(), "agent.mcp_servers[0]");
}

#[test]
fn litellm_deployments_hear_where_releases_and_the_preset_differ() {
    let r = hierarchy_registry();
    let litellm = r
        .linter()
        .semantics(Semantics::LiteLlm(LiteLlmRelease::V1_110));
    let team = ObjectPermission::new().with_tool_permission("gh", Vec::<String>::new());
    let d = litellm.request(&Request::new().team(&team).admin(true));
    let found: Vec<LintCode> = codes(&d);
    assert_eq!(
        found,
        [
            LintCode::GrantedOnlyByToolPermissions,
            LintCode::EmptyToolList,
            LintCode::ReleaseDifference,
            LintCode::ReleaseDifference,
        ]
    );
    assert!(d[3].message().contains("admin key on a team"));
    // The default semantics' linter says nothing of releases.
    let d = r.linter().request(&Request::new().team(&team).admin(true));
    assert!(!codes(&d).contains(&LintCode::ReleaseDifference));

    // The three places LiteLLM fails open.
    let organization = ObjectPermission::new().with_servers(["gh"]);
    let strict = Settings {
        require_key_mcp_access_defined: true,
        ..Settings::default()
    };
    let d = litellm
        .settings(strict)
        .request(&Request::new().organization(&organization));
    assert_eq!(codes(&d), [LintCode::PresetDiffers]);
    let agent = ObjectPermission::new().with_servers(["gh"]);
    let d = litellm.request(&Request::new().organization(&organization).agent(&agent));
    assert_eq!(codes(&d), [LintCode::PresetDiffers]);
    assert_eq!(d[0].path(), "agent");
    let stale = ObjectPermission::new().with_toolsets(["nosuch"]);
    let team = ObjectPermission::new().with_servers(["gh"]);
    let d = litellm.request(&Request::new().key(&stale).team(&team));
    assert_eq!(
        codes(&d),
        [LintCode::UnknownToolset, LintCode::PresetDiffers]
    );
}
