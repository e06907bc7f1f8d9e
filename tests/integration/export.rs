//! The shipped deployment exports (`examples/data/deployment.json`, and
//! `examples/data/hierarchy.json` for what needs `require_key_mcp_access_defined`) show what
//! the audit example is for: keys whose access the #21954 fix changes, keys whose access
//! upgrading LiteLLM 1.106 to 1.110 changes, and keys whose access a switch from LiteLLM
//! semantics to the default changes, for each rule that differs.
//!
//! Each key's request is built as the example builds it, by `Deployment::request_for`: the
//! key, its team, its organization (its own, else its team's), its owner (a `proxy_admin`
//! gives the admin view) and its agent, with the export's settings.

use std::path::Path;

use mcp_authz::litellm::Deployment;
use mcp_authz::{
    LiteLlmRelease, Request, ResolutionDiff, Semantics, ServerChange, ServerRegistry, Settings,
};

const V1_106: Semantics = Semantics::LiteLlm(LiteLlmRelease::V1_106);
const V1_110: Semantics = Semantics::LiteLlm(LiteLlmRelease::V1_110);

struct Export {
    deployment: Deployment,
    registry: ServerRegistry,
}

impl Export {
    fn settings(&self) -> Settings {
        self.deployment.settings()
    }

    /// Each key's alias with its request under the default semantics and the export's
    /// settings.
    fn requests(&self) -> impl Iterator<Item = (String, Request<'_>)> {
        self.deployment.keys().iter().map(|key| {
            let alias = key.alias().unwrap().to_owned();
            (alias, self.deployment.request_for(key))
        })
    }
}

fn export(file: &str) -> Export {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/data")
        .join(file);
    let deployment = Deployment::from_json(&std::fs::read_to_string(path).unwrap()).unwrap();
    // Every row a key names is in the export: the expectations below are about rules, not
    // about references to rows that are missing.
    for key in deployment.keys() {
        let missing: Vec<_> = deployment.rows_for(key).missing().collect();
        assert!(
            missing.is_empty(),
            "{file}: {:?} names {missing:?}",
            key.alias()
        );
    }
    Export {
        registry: deployment.registry().unwrap(),
        deployment,
    }
}

fn export_hierarchy() -> Export {
    export("hierarchy.json")
}

/// Each key's alias with the diff of its request as `before` and as `after` change it.
fn diffs(
    export: &Export,
    before: impl Fn(Request<'_>) -> Request<'_>,
    after: impl Fn(Request<'_>) -> Request<'_>,
) -> Vec<(String, Vec<ServerChange>)> {
    export
        .requests()
        .map(|(alias, request)| {
            let a = export.registry.resolve_allowed_servers(&before(request));
            let b = export.registry.resolve_allowed_servers(&after(request));
            let changes = ResolutionDiff::new(&a, &b)
                .servers()
                .iter()
                .map(mcp_authz::ServerDiff::change)
                .collect();
            (alias, changes)
        })
        .collect()
}

/// The aliases of the keys whose answers differ between `before` and the default semantics.
fn changed(export: &Export, before: fn(Request<'_>) -> Request<'_>) -> Vec<String> {
    diffs(export, before, |r| r)
        .into_iter()
        .filter(|(_, changes)| !changes.is_empty())
        .map(|(alias, _)| alias)
        .collect()
}

/// Each key whose answer differs between `from` and `to`, with its server changes.
fn compare(export: &Export, from: Semantics, to: Semantics) -> Vec<(String, Vec<ServerChange>)> {
    diffs(export, |r| r.semantics(from), |r| r.semantics(to))
        .into_iter()
        .filter(|(_, changes)| !changes.is_empty())
        .collect()
}

fn aliases(changes: &[(String, Vec<ServerChange>)]) -> Vec<&str> {
    changes.iter().map(|(alias, _)| alias.as_str()).collect()
}

/// The server changes of key `alias`.
fn of<'c>(changes: &'c [(String, Vec<ServerChange>)], alias: &str) -> &'c [ServerChange] {
    &changes.iter().find(|(a, _)| a == alias).unwrap().1
}

/// Each key's lint codes, the linter under `semantics` and the export's settings.
fn codes(export: &Export, semantics: Semantics) -> Vec<(String, Vec<(String, &'static str)>)> {
    let linter = export
        .registry
        .linter()
        .settings(export.settings())
        .semantics(semantics);
    export
        .requests()
        .map(|(alias, request)| {
            let found = linter
                .request(&request)
                .iter()
                .map(|d| (d.path().to_owned(), d.code().as_str()))
                .collect();
            (alias, found)
        })
        .collect()
}

fn codes_of(codes: &[(String, Vec<(String, &'static str)>)], alias: &str) -> Vec<&'static str> {
    let found = &codes.iter().find(|(a, _)| a == alias).unwrap().1;
    found.iter().map(|&(_, code)| code).collect()
}

fn legacy(r: Request<'_>) -> Request<'_> {
    let mut settings = Settings::default();
    settings.tool_permissions_grant_servers = false;
    r.settings(settings)
}

#[test]
fn the_21954_fix_changes_some_keys() {
    let export = export("deployment.json");
    assert_eq!(
        changed(&export, legacy),
        ["ci-bot", "release-bot", "legacy-dashboard"]
    );
}

#[test]
fn every_litellm_difference_shows_in_some_key() {
    let export = export("deployment.json");
    // release-bot: a UUID in another spelling; support-agent: a team tool list `[]`;
    // zapier-automation: a server with both tool lists; admin-console: the admin view sees
    // zapier too; toolset-typo, triage-agent, research-notebook: the hierarchy rules that
    // both releases share (see the 1.110 test below).
    assert_eq!(
        changed(&export, |r| r.semantics(V1_106)),
        [
            "release-bot",
            "support-agent",
            "zapier-automation",
            "admin-console",
            "toolset-typo",
            "triage-agent",
            "research-notebook"
        ]
    );
}

#[test]
fn upgrading_litellm_changes_the_key_each_1_110_change_was_written_for() {
    let export = export("deployment.json");
    let changes = compare(&export, V1_106, V1_110);
    // support-agent: its team's `[]` for jira starts to deny; zapier-automation: a tool on
    // both of zapier's lists can no longer be called; admin-console: an admin key on a team
    // is bounded by the team.
    assert_eq!(
        aliases(&changes),
        ["support-agent", "zapier-automation", "admin-console"]
    );
    assert_eq!(of(&changes, "support-agent"), [ServerChange::ToolsChanged]);
    assert_eq!(
        of(&changes, "zapier-automation"),
        [ServerChange::ToolsChanged]
    );
    let admin = of(&changes, "admin-console");
    assert!(!admin.is_empty() && admin.iter().all(|c| *c == ServerChange::Lost));
}

#[test]
fn moving_from_litellm_1_110_to_the_default_changes_where_litellm_fails_open_or_closed() {
    let export = export("deployment.json");
    let changes = compare(&export, V1_110, Semantics::Default);
    assert_eq!(
        aliases(&changes),
        [
            "release-bot",
            "admin-console",
            "toolset-typo",
            "triage-agent",
            "research-notebook"
        ]
    );
    // Fails open under LiteLLM: a key whose only declaration is an unknown toolset inherits
    // its whole team; the default semantics grant it nothing.
    let typo = of(&changes, "toolset-typo");
    assert!(!typo.is_empty() && typo.iter().all(|c| *c == ServerChange::Lost));
    // Fails closed under LiteLLM: an agent's or a user's restriction stops the organization
    // from being inherited; the default semantics inherit it and let the level narrow. And
    // 1.110 bounds an admin key on a team by the team, which the default semantics do not.
    for alias in ["triage-agent", "research-notebook", "admin-console"] {
        assert!(
            of(&changes, alias)
                .iter()
                .all(|c| *c == ServerChange::Gained),
            "{alias}"
        );
    }

    // A key that declares nothing under require_key_mcp_access_defined gets its whole
    // organization under LiteLLM and none of it under the default semantics.
    let hierarchy = export_hierarchy();
    assert!(hierarchy.settings().require_key_mcp_access_defined);
    let changes = compare(&hierarchy, V1_110, Semantics::Default);
    assert_eq!(aliases(&changes), ["unscoped-key"]);
    let lost = of(&changes, "unscoped-key");
    assert!(!lost.is_empty() && lost.iter().all(|c| *c == ServerChange::Lost));
    let (alias, request) = hierarchy.requests().next().unwrap();
    assert_eq!(alias, "unscoped-key");
    let litellm = hierarchy
        .registry
        .resolve_allowed_servers(&request.semantics(V1_110));
    let default = hierarchy.registry.resolve_allowed_servers(&request);
    let ids = |r: &mcp_authz::Resolution<'_>| {
        r.servers()
            .map(|v| v.server().id().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&litellm), ["github", "jira", "wiki"]);
    assert_eq!(ids(&default), ["wiki"]);
    // Upgrading LiteLLM leaves it as it is: the rule is both releases'.
    assert!(compare(&hierarchy, V1_106, V1_110).is_empty());
}

#[test]
fn every_key_of_interest_has_the_diagnostic_it_was_written_for() {
    let export = export("deployment.json");
    let codes = codes(&export, Semantics::Default);
    assert_eq!(
        codes_of(&codes, "ci-bot"),
        ["granted_only_by_tool_permissions"]
    );
    assert_eq!(codes_of(&codes, "old-analyst"), ["unknown_reference"]);
    assert_eq!(
        codes_of(&codes, "data-scientist"),
        ["unusable_tool", "outside_ceiling"]
    );
    let linter = export.registry.linter();
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

#[test]
fn the_hierarchy_keys_have_the_diagnostics_they_were_written_for() {
    let export = export("deployment.json");
    let litellm = codes(&export, V1_110);
    assert_eq!(codes_of(&litellm, "admin-console"), ["release_difference"]);
    assert_eq!(codes_of(&litellm, "ticket-triage"), [] as [&str; 0]);
    assert_eq!(
        codes_of(&litellm, "toolset-typo"),
        ["unknown_toolset", "preset_differs"]
    );
    // The narrowing level that stops the organization from being inherited is named.
    let path_of = |alias: &str| {
        let found = &litellm.iter().find(|(a, _)| a == alias).unwrap().1;
        found
            .iter()
            .filter(|(_, code)| *code == "preset_differs")
            .map(|(path, _)| path.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(path_of("triage-agent"), ["agent"]);
    assert_eq!(path_of("research-notebook"), ["user"]);
    assert_eq!(path_of("toolset-typo"), ["key.mcp_toolsets[0]"]);

    // Under the default semantics only what is wrong whatever the semantics stays.
    let default = codes(&export, Semantics::Default);
    for alias in [
        "admin-console",
        "ticket-triage",
        "triage-agent",
        "research-notebook",
    ] {
        assert_eq!(codes_of(&default, alias), [] as [&str; 0], "{alias}");
    }
    assert_eq!(codes_of(&default, "toolset-typo"), ["unknown_toolset"]);

    let hierarchy = export_hierarchy();
    let litellm = codes(&hierarchy, V1_110);
    assert_eq!(codes_of(&litellm, "unscoped-key"), ["preset_differs"]);
    assert_eq!(codes_of(&litellm, "scoped-key"), [] as [&str; 0]);
}
