//! One test per registry lint code: a registry that triggers it and one that does not.

use super::*;
use crate::registry::ServerRegistry;

fn lint(servers: Vec<McpServer>) -> Vec<Diagnostic> {
    ServerRegistry::new(servers).unwrap().linter().registry()
}

fn codes(diagnostics: &[Diagnostic]) -> Vec<LintCode> {
    diagnostics.iter().map(Diagnostic::code).collect()
}

#[test]
fn shared_alias_or_name_is_reported_once_per_later_server() {
    let d = lint(vec![
        McpServer::new("srv-a").with_alias("files"),
        McpServer::new("srv-b")
            .with_name("files")
            .with_alias("files"),
    ]);
    assert_eq!(codes(&d), [LintCode::SharedName]);
    assert_eq!(d[0].path(), "servers[1].alias");
    assert!(d[0].message().contains("also borne by `srv-a`"), "{}", d[0]);
    let distinct = lint(vec![
        McpServer::new("srv-a").with_alias("gh").with_name("gh"),
        McpServer::new("srv-b").with_name("files"),
    ]);
    assert!(distinct.is_empty(), "{distinct:?}");
}

#[test]
fn name_equal_to_an_access_group_is_reported() {
    let d = lint(vec![
        McpServer::new("srv-a").with_alias("dev"),
        McpServer::new("srv-b").with_access_groups(["dev"]),
    ]);
    assert_eq!(codes(&d), [LintCode::NameIsAccessGroup]);
    assert_eq!(d[0].path(), "servers[0].alias");
    let apart = lint(vec![
        McpServer::new("srv-a").with_alias("gh"),
        McpServer::new("srv-b").with_access_groups(["dev"]),
    ]);
    assert!(apart.is_empty(), "{apart:?}");
}

#[test]
fn prefix_that_begins_another_prefix_is_reported() {
    let d = lint(vec![
        McpServer::new("srv-a").with_alias("gh"),
        McpServer::new("srv-b").with_name("gh tools"),
        McpServer::new("srv-c").with_alias("gh-tools"),
    ]);
    // `gh tools` is spelled `gh_tools` in prefixes: it does not overlap.
    assert_eq!(codes(&d), [LintCode::PrefixOverlap]);
    assert_eq!(d[0].path(), "servers[2].alias");
    assert!(
        d[0].message().contains(
            "`gh-tools-x` routes to `srv-c` (gh-tools) for a caller who sees it, and to tool \
             `tools-x` of `srv-a` (gh) for one who sees only `srv-a` (gh)"
        ),
        "{}",
        d[0]
    );
    // What the message says is what routing does.
    let registry = ServerRegistry::new([
        McpServer::new("srv-a").with_alias("gh"),
        McpServer::new("srv-c").with_alias("gh-tools"),
    ])
    .unwrap();
    let routed = |servers: &[&str]| {
        let key = crate::ObjectPermission::new().with_servers(servers.iter().copied());
        let resolution = registry.resolve_allowed_servers(&crate::Request::new().key(&key));
        resolution
            .route("gh-tools-x")
            .map(|c| (c.server.id().to_string(), c.tool.to_owned()))
            .unwrap()
    };
    assert_eq!(routed(&["srv-a", "srv-c"]), ("srv-c".into(), "x".into()));
    assert_eq!(routed(&["srv-a"]), ("srv-a".into(), "tools-x".into()));
    let apart = lint(vec![
        McpServer::new("srv-a").with_alias("gh"),
        McpServer::new("srv-b").with_alias("ghe"),
        McpServer::new("srv-c").with_alias("gh_tools"),
    ]);
    assert!(apart.is_empty(), "{apart:?}");
}

#[test]
fn server_with_both_tool_lists_is_reported() {
    let d = lint(vec![
        McpServer::new("srv-a")
            .with_allowed_tools(["send"])
            .with_disallowed_tools(["delete"]),
    ]);
    assert_eq!(codes(&d), [LintCode::AllowAndDenyLists]);
    let one = lint(vec![
        McpServer::new("srv-a").with_allowed_tools(["send"]),
        McpServer::new("srv-b").with_disallowed_tools(["delete"]),
    ]);
    assert!(one.is_empty(), "{one:?}");
}

#[test]
fn many_bearers_of_one_name_are_listed_briefly() {
    let d = lint(
        (0..5)
            .map(|i| McpServer::new(format!("s{i}")).with_name("files"))
            .collect(),
    );
    assert_eq!(d.len(), 4);
    assert!(
        d[3].message()
            .contains("borne by `s0` (files), `s1` (files), `s2` (files), 1 more"),
        "{}",
        d[3]
    );
}
