//! `SIGHUP` reloads the export. Its own test binary: the signal goes to the whole
//! process, and would reload every other test's gateway too.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::SocketAddr;
use std::time::Duration;

use mcp_authz_gateway::ReloadEvent;

const EXPORT: &str = include_str!("../data/export.json");

#[tokio::test]
async fn sighup_reloads_the_export() {
    let running = mcp_authz_gateway::start(EXPORT, SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .unwrap();
    let dir = std::env::temp_dir().join(format!("mcp-authz-gateway-{}-sighup", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("export.json");
    std::fs::write(&path, EXPORT).unwrap();
    // Polled once an hour: only the signal can make this reload happen in the test.
    mcp_authz_gateway::reload::watch(
        running.gateway.clone(),
        path.clone(),
        EXPORT.to_owned(),
        Duration::from_secs(3600),
        running.shutdown().clone(),
    )
    .unwrap();
    let client = mcp_authz_gateway::connect(&running.url, "sk-support-agent", None)
        .await
        .unwrap();
    let before = client.list_all_tools().await.unwrap().len();
    assert_eq!(before, 4);

    let without_public = EXPORT.replace(r#""allow_all_keys": true"#, r#""allow_all_keys": false"#);
    assert_ne!(without_public, EXPORT);
    std::fs::write(&path, &without_public).unwrap();
    let status = std::process::Command::new("kill")
        .args(["-HUP", &std::process::id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());

    let mut events = running.gateway.events();
    let event = tokio::time::timeout(Duration::from_secs(10), events.wait_for(|e| e.attempts > 1))
        .await
        .expect("no reload within 10 s")
        .unwrap()
        .clone();
    assert_eq!(
        event,
        ReloadEvent {
            attempts: 2,
            generation: 2,
            refused: None
        }
    );
    let names: Vec<String> = client
        .list_all_tools()
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.name.into_owned())
        .collect();
    // public is no longer open to every key; the key's team grants only tickets.
    assert_eq!(names, ["tickets-get_ticket", "tickets-add_comment"]);
    let _ = std::fs::remove_dir_all(dir);
}
