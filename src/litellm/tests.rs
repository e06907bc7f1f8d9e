use super::*;
use crate::level::Level;
use crate::permission::ObjectPermission;
use crate::request::{Request, Settings};

/// A `LiteLLM_VerificationToken` row as `GET /key/info` returns it, with every column.
const KEY_INFO: &str = r#"{
    "token": "88dc28d0f030c55ed4ab77ed8faf098196cb1c05df778539800c9f1243fe6b4b",
    "key_name": "sk-...Qw8A", "key_alias": "ci-bot", "soft_budget_cooldown": false,
    "spend": 12.75, "expires": null, "models": ["gpt-4o"], "aliases": {}, "config": {},
    "router_settings": {}, "user_id": "alice", "team_id": "team-platform",
    "agent_id": null, "project_id": null, "permissions": {}, "max_parallel_requests": null,
    "metadata": {"tags": ["ci"], "mcp_servers": "not a column the crate reads"},
    "blocked": null, "tpm_limit": 1000, "rpm_limit": null, "max_budget": 100.0,
    "budget_duration": "30d", "budget_reset_at": null, "allowed_cache_controls": [],
    "allowed_routes": [], "policies": [], "access_group_ids": [], "model_spend": {},
    "model_max_budget": {}, "budget_id": null, "organization_id": "org-research",
    "object_permission_id": "op-k1", "created_at": "2026-01-05T10:00:00Z",
    "created_by": "root", "updated_at": "2026-01-05T10:00:00Z", "updated_by": "root",
    "last_active": null, "rotation_count": 0, "auto_rotate": false,
    "litellm_budget_table": null,
    "object_permission": {
        "object_permission_id": "op-k1", "vector_stores": [], "agents": [],
        "agent_access_groups": [], "mcp_servers": ["gh"],
        "mcp_tool_permissions": {"gh": ["create_issue"]}
    }
}"#;

#[test]
fn a_full_litellm_key_row_reads_its_columns_and_ignores_the_others() {
    let key = KeyRow::from_json(KEY_INFO).unwrap();
    assert_eq!(key.alias(), Some("ci-bot"));
    assert_eq!(key.name(), Some("sk-...Qw8A"));
    assert_eq!(key.team_id(), Some("team-platform"));
    assert_eq!(key.organization_id(), Some("org-research"));
    assert_eq!(key.user_id(), Some("alice"));
    assert_eq!(key.agent_id(), None);
    assert_eq!(
        key.token(),
        Some("88dc28d0f030c55ed4ab77ed8faf098196cb1c05df778539800c9f1243fe6b4b")
    );
    assert_eq!(
        key.object_permission(),
        Some(
            &ObjectPermission::new()
                .with_servers(["gh"])
                .with_tool_permission("gh", ["create_issue"])
        )
    );
    assert_eq!(
        key,
        KeyRow::new()
            .with_token("88dc28d0f030c55ed4ab77ed8faf098196cb1c05df778539800c9f1243fe6b4b")
            .with_alias("ci-bot")
            .with_team("team-platform")
            .with_organization("org-research")
            .with_user("alice")
            .with_permission(
                ObjectPermission::new()
                    .with_servers(["gh"])
                    .with_tool_permission("gh", ["create_issue"])
            )
            .with_name("sk-...Qw8A")
    );
}

#[test]
fn full_rows_of_every_other_table_read() {
    let team = TeamRow::from_json(
        r#"{"team_id": "team-platform", "team_alias": "platform", "organization_id": "org-1",
            "object_permission_id": "op-t1", "admins": [], "members": ["alice"],
            "members_with_roles": [{"role": "admin", "user_id": "alice"}], "metadata": {},
            "max_budget": null, "spend": 3.5, "models": [], "blocked": false,
            "router_settings": {}, "team_member_permissions": [],
            "object_permission": {"object_permission_id": "op-t1", "mcp_access_groups": ["dev"]}}"#,
    )
    .unwrap();
    assert_eq!(
        team,
        TeamRow::new("team-platform")
            .with_alias("platform")
            .with_organization("org-1")
            .with_permission(ObjectPermission::new().with_access_groups(["dev"]))
    );

    let organization = OrganizationRow::from_json(
        r#"{"organization_id": "org-1", "organization_alias": "research", "budget_id": "b-1",
            "metadata": {}, "models": [], "spend": 0.0, "model_spend": {},
            "object_permission_id": null, "object_permission": null}"#,
    )
    .unwrap();
    assert_eq!(
        organization,
        OrganizationRow::new("org-1").with_alias("research")
    );

    let user = UserRow::from_json(
        r#"{"user_id": "root", "user_alias": null, "team_id": null, "sso_user_id": null,
            "organization_id": null, "password": null, "teams": ["team-platform"],
            "user_role": "proxy_admin", "max_budget": null, "spend": 0.0,
            "user_email": "root@example.com", "models": [], "metadata": {}}"#,
    )
    .unwrap();
    assert_eq!(user, UserRow::new("root").with_role("proxy_admin"));
    assert!(user.is_admin());

    let agent = AgentRow::from_json(
        r#"{"agent_id": "agent-triage", "agent_name": "triage",
            "litellm_params": {"model": "gpt-4o"}, "agent_card_params": {"name": "triage"},
            "agent_access_groups": [], "object_permission_id": "op-a1",
            "object_permission": {"mcp_servers": ["jira"]}}"#,
    )
    .unwrap();
    assert_eq!(
        agent,
        AgentRow::new("agent-triage")
            .with_name("triage")
            .with_permission(ObjectPermission::new().with_servers(["jira"]))
    );

    let end_user = EndUserRow::from_json(
        r#"{"user_id": "customer-42", "alias": "acme", "spend": 0.0,
            "allowed_model_region": "eu", "default_model": null, "budget_id": null,
            "object_permission_id": "op-e1", "blocked": false,
            "object_permission": {"mcp_servers": ["wiki"]}}"#,
    )
    .unwrap();
    assert_eq!(
        end_user,
        EndUserRow::new("customer-42")
            .with_alias("acme")
            .with_permission(ObjectPermission::new().with_servers(["wiki"]))
    );
    let by_alias = EndUserRow::from_json(r#"{"end_user_id": "customer-42"}"#).unwrap();
    assert_eq!(by_alias.id(), "customer-42");
}

#[test]
fn rows_round_trip_through_json() {
    let key = KeyRow::from_json(KEY_INFO).unwrap();
    let back = KeyRow::from_json(&serde_json::to_string(&key).unwrap()).unwrap();
    assert_eq!(back, key);
    let user = UserRow::new("u").with_role("internal_user");
    let back: UserRow = serde_json::from_value(serde_json::to_value(&user).unwrap()).unwrap();
    assert_eq!(back, user);
}

#[test]
fn only_the_two_admin_roles_give_the_admin_view() {
    let admin = |role: &str| UserRow::new("u").with_role(role).is_admin();
    assert!(admin("proxy_admin"));
    assert!(admin("proxy_admin_viewer"));
    assert!(!admin("internal_user"));
    assert!(!admin("org_admin"));
    assert!(!admin("PROXY_ADMIN"));
    assert!(!UserRow::new("u").is_admin());
}

#[test]
fn row_errors_name_the_field_and_the_value() {
    let team = |json: &str| TeamRow::from_json(json).unwrap_err().to_string();
    assert_eq!(
        team(r#"{"team_id": 5}"#),
        "invalid team row: invalid type: integer `5`, expected a string in `team_id` at line 1 \
         column 13"
    );
    assert_eq!(
        team(r#"{"team_id": null}"#),
        "invalid team row: invalid type: null, expected a string in `team_id` at line 1 column 16"
    );
    assert_eq!(
        team(r#"{"team_alias": "platform"}"#),
        "invalid team row: missing field `team_id` at line 1 column 26"
    );
    assert_eq!(
        team(r#"{"team_id": "t", "organization_id": ["org-1"]}"#),
        "invalid team row: invalid type: sequence, expected a string in `organization_id` at \
         line 1 column 36"
    );
    assert_eq!(
        team(r#"{"team_id": "t", "team_id": "u"}"#),
        "invalid team row: duplicate field `team_id` at line 1 column 26"
    );
    assert_eq!(
        team(r#"["t"]"#),
        "invalid team row: invalid type: sequence, expected a team row (a JSON object) at line \
         1 column 0"
    );
    assert_eq!(
        KeyRow::from_json(r#"{"key_alias": "k", "object_permission": {"mcp_server": []}}"#)
            .unwrap_err()
            .to_string(),
        "invalid key row: unknown MCP field `mcp_server` (known: `mcp_servers`, \
         `mcp_access_groups`, `mcp_tool_permissions`, `mcp_toolsets`) at line 1 column 53"
    );
    assert_eq!(
        KeyRow::from_json(r#"{"object_permission": {"mcp_servers": "gh"}}"#)
            .unwrap_err()
            .to_string(),
        "invalid key row: invalid type: string \"gh\", expected a list of strings for \
         `mcp_servers` at line 1 column 42"
    );
    assert_eq!(
        UserRow::from_json(r#"{"user_id": "u", "user_role": true}"#)
            .unwrap_err()
            .to_string(),
        "invalid user row: invalid type: boolean `true`, expected a string in `user_role` at \
         line 1 column 34"
    );
    assert_eq!(
        EndUserRow::from_json(r#"{"user_id": "a", "end_user_id": "b"}"#)
            .unwrap_err()
            .to_string(),
        "invalid end user row: duplicate field `end_user_id` at line 1 column 30"
    );
    assert_eq!(
        EndUserRow::from_json(r#"{"end_user_id": 4}"#)
            .unwrap_err()
            .to_string(),
        "invalid end user row: invalid type: integer `4`, expected a string in `end_user_id` at \
         line 1 column 17"
    );
}

fn ids(levels: &[Level], request: &Request<'_>) -> Vec<Option<ObjectPermission>> {
    levels
        .iter()
        .map(|&l| request.permission(l).cloned())
        .collect()
}

#[test]
fn a_key_request_takes_each_level_from_the_row_the_key_names() {
    let servers = |s: &str| ObjectPermission::new().with_servers([s]);
    let key = KeyRow::new()
        .with_team("team-1")
        .with_user("alice")
        .with_agent("agent-1")
        .with_permission(servers("key"));
    let team = TeamRow::new("team-1")
        .with_organization("org-team")
        .with_permission(servers("team"));
    let organization = OrganizationRow::new("org-team").with_permission(servers("org"));
    let user = UserRow::new("alice")
        .with_role("proxy_admin_viewer")
        .with_permission(servers("user"));
    let agent = AgentRow::new("agent-1").with_permission(servers("agent"));
    let rows = KeyRows::new(&key)
        .with_team(&team)
        .with_organization(&organization)
        .with_user(&user)
        .with_agent(&agent);
    assert_eq!(rows.organization_id(), Some("org-team"));
    assert_eq!(rows.missing().count(), 0);
    let request = rows.request();
    let levels = [
        Level::Organization,
        Level::Team,
        Level::Key,
        Level::User,
        Level::EndUser,
        Level::Agent,
    ];
    assert_eq!(
        ids(&levels, &request),
        [
            Some(servers("org")),
            Some(servers("team")),
            Some(servers("key")),
            Some(servers("user")),
            None,
            Some(servers("agent")),
        ]
    );
    assert!(request.admin);
    assert!(!request.is_end_user_identified());

    // The key's own organization comes before its team's.
    let own = key.clone().with_organization("org-key");
    assert_eq!(
        KeyRows::new(&own).with_team(&team).organization_id(),
        Some("org-key")
    );
}

#[test]
fn a_key_on_a_team_without_a_row_or_permission_has_an_empty_team() {
    let key = KeyRow::new().with_team("team-1").with_user("bob");
    let rows = KeyRows::new(&key);
    assert_eq!(
        rows.missing().collect::<Vec<_>>(),
        [(Level::Team, "team-1"), (Level::User, "bob")]
    );
    let request = rows.request();
    assert_eq!(
        request.permission(Level::Team),
        Some(&ObjectPermission::new())
    );
    assert_eq!(request.permission(Level::User), None);
    assert!(!request.admin);

    let bare_team = TeamRow::new("team-1");
    let request = KeyRows::new(&key).with_team(&bare_team).request();
    assert_eq!(
        request.permission(Level::Team),
        Some(&ObjectPermission::new())
    );

    // A key on no team has no team level, even when a team row is given.
    let teamless = KeyRow::new();
    let request = KeyRows::new(&teamless).with_team(&bare_team).request();
    assert_eq!(request.permission(Level::Team), None);
    assert_eq!(KeyRows::new(&teamless).missing().count(), 0);
}

#[test]
fn rows_for_levels_the_key_does_not_name_are_not_used() {
    let key = KeyRow::new();
    let admin = UserRow::new("root").with_role("proxy_admin");
    let organization =
        OrganizationRow::new("o").with_permission(ObjectPermission::new().with_servers(["a"]));
    let rows = KeyRows::new(&key)
        .with_user(&admin)
        .with_organization(&organization);
    assert!(rows.user().is_none() && rows.organization().is_none());
    assert!(!rows.is_admin());
    assert_eq!(rows.request().permission(Level::Organization), None);
}

fn data(file: &str) -> Deployment {
    let path = format!("{}/examples/data/{file}", env!("CARGO_MANIFEST_DIR"));
    Deployment::from_json(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn the_example_exports_read() {
    let deployment = data("deployment.json");
    let counts = [
        deployment.servers().len(),
        deployment.toolsets().len(),
        deployment.organizations().len(),
        deployment.teams().len(),
        deployment.users().len(),
        deployment.agents().len(),
        deployment.keys().len(),
        deployment.end_users().len(),
    ];
    assert_eq!(counts, [7, 1, 1, 4, 2, 1, 12, 2]);
    assert_eq!(deployment.settings(), Settings::default());
    assert_eq!(deployment.registry().unwrap().len(), 7);
    assert_eq!(
        deployment
            .team("team-research")
            .and_then(TeamRow::organization_id),
        Some("org-research")
    );
    assert_eq!(
        deployment
            .organization("org-research")
            .map(OrganizationRow::alias),
        Some(Some("research"))
    );
    assert!(deployment.user("root").is_some_and(UserRow::is_admin));
    assert_eq!(
        deployment.agent("agent-triage").and_then(AgentRow::name),
        Some("triage")
    );
    assert!(deployment.end_user("customer-77").is_some());
    assert!(deployment.team("team-missing").is_none());

    let key = |alias: &str| {
        deployment
            .keys()
            .iter()
            .find(|k| k.alias() == Some(alias))
            .unwrap()
    };
    // research-notebook: organization through its team, owner alice.
    let rows = deployment.rows_for(key("research-notebook"));
    assert_eq!(
        rows.organization().map(OrganizationRow::id),
        Some("org-research")
    );
    assert_eq!(rows.user().map(UserRow::id), Some("alice"));
    assert!(!rows.is_admin());
    let request = deployment.request_for(key("admin-console"));
    assert!(request.admin);
    assert_eq!(
        request.permission(Level::Team),
        deployment
            .team("team-platform")
            .and_then(TeamRow::object_permission)
    );

    let hierarchy = data("hierarchy.json");
    assert!(hierarchy.settings().require_key_mcp_access_defined);
    let request = hierarchy.request_for(&hierarchy.keys()[0]);
    assert_eq!(request.settings, hierarchy.settings());
    assert_eq!(
        request.permission(Level::Organization),
        hierarchy
            .organization("org-acme")
            .and_then(OrganizationRow::object_permission)
    );
}

fn deployment_error(json: &str) -> String {
    Deployment::from_json(json).unwrap_err().to_string()
}

#[test]
fn deployment_errors_name_the_member_and_the_value() {
    assert_eq!(
        deployment_error(r#"{"teams": []}"#),
        "invalid deployment: missing field `servers` at line 1 column 13"
    );
    assert_eq!(
        deployment_error(r#"{"servers": [], "teams": {"team_id": "t"}}"#),
        "invalid deployment: invalid type: map, expected a list for `teams` at line 1 column 25"
    );
    assert_eq!(
        deployment_error(r#"{"servers": [], "settings": {"grant": true}}"#),
        "invalid deployment: unknown field `grant`, expected one of \
         `tool_permissions_grant_servers`, `require_key_mcp_access_defined`, \
         `require_end_user_mcp_access_defined` at line 1 column 36"
    );
    assert_eq!(
        deployment_error(r#"{"servers": [], "keys": [{"team_id": 1}]}"#),
        "invalid deployment: invalid type: integer `1`, expected a string in `team_id` at line \
         1 column 38"
    );
    assert_eq!(
        deployment_error(r#"{"servers": [], "keys": [], "keys": []}"#),
        "invalid deployment: duplicate field `keys` at line 1 column 34"
    );
}

#[test]
fn rows_sharing_an_id_are_all_reported() {
    assert_eq!(
        deployment_error(r#"{"servers": [], "teams": [{"team_id": "t"}, {"team_id": "t"}]}"#),
        "invalid deployment: duplicate `team_id` `t` at `teams[1]` at line 1 column 62"
    );
    assert_eq!(
        deployment_error(
            r#"{"servers": [], "users": [{"user_id": "u"}, {"user_id": "u"}],
                "end_users": [{"user_id": "e"}, {"end_user_id": "e"}]}"#
        ),
        "invalid deployment: 2 problems: duplicate `user_id` `u` at `users[1]`; duplicate \
         `user_id` `e` at `end_users[1]` at line 2 column 70"
    );
}

#[test]
fn a_deployment_ignores_other_members_and_reads_null_as_empty() {
    let deployment = Deployment::from_json(
        r#"{"servers": [{"server_id": "a"}], "budgets": [{"budget_id": "b"}],
            "teams": null, "settings": null, "keys": [{}]}"#,
    )
    .unwrap();
    assert_eq!(deployment.servers().len(), 1);
    assert!(deployment.teams().is_empty());
    assert_eq!(deployment.settings(), Settings::default());
    assert_eq!(deployment.keys(), [KeyRow::new()]);
}

#[test]
fn registry_problems_surface_when_the_registry_is_built() {
    let deployment =
        Deployment::from_json(r#"{"servers": [{"server_id": "a"}, {"server_id": "a"}]}"#).unwrap();
    assert_eq!(
        deployment.registry().unwrap_err().to_string(),
        "invalid server registry: duplicate server id `a` at position 1 (first at position 0)"
    );
}

#[test]
fn keys_are_found_by_token_and_a_token_on_two_keys_is_refused() {
    let deployment = Deployment::from_json(
        r#"{"servers": [], "keys": [{"key_alias": "a"}, {"key_alias": "b", "token": "t-b"}]}"#,
    )
    .unwrap();
    assert_eq!(
        deployment.key_by_token("t-b").and_then(KeyRow::alias),
        Some("b")
    );
    assert!(deployment.key_by_token("t-a").is_none());
    let twice = Deployment::from_json(
        r#"{"servers": [], "keys": [{"token": "x"}, {"token": "y"}, {"token": "x"}]}"#,
    );
    assert_eq!(
        twice.unwrap_err().to_string(),
        "invalid deployment: duplicate `token` `x` at `keys[2]` at line 1 column 73"
    );
    let typed = KeyRow::from_json(r#"{"token": 7}"#)
        .unwrap_err()
        .to_string();
    assert!(typed.contains("`token`"), "{typed}");
}
