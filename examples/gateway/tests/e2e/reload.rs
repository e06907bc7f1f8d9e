//! Reloading the export while clients stay connected.

use std::path::PathBuf;
use std::time::Duration;

use mcp_authz_gateway::ReloadEvent;
use rmcp::model::ClientConfig;
use rmcp::service::NotificationContext;
use rmcp::{ClientHandler, RoleClient};
use serde_json::json;
use tokio::sync::mpsc;

/// A client that reports each `notifications/tools/list_changed` it hears.
struct ListChanged(mpsc::UnboundedSender<()>);

impl ClientHandler for ListChanged {
    fn get_info(&self) -> ClientConfig {
        mcp_authz_gateway::client_config()
    }

    async fn on_tool_list_changed(&self, _context: NotificationContext<RoleClient>) {
        let _ = self.0.send(());
    }
}

use super::*;

/// A file in a directory of its own under the system's temporary directory.
struct TempExport(PathBuf);

impl TempExport {
    fn new(test: &str, contents: &str) -> Self {
        let dir =
            std::env::temp_dir().join(format!("mcp-authz-gateway-{}-{test}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = Self(dir.join("export.json"));
        file.write(contents);
        file
    }

    /// Replaces the file at once (write beside it, then rename), as an editor or a
    /// deployment tool does.
    fn write(&self, text: &str) {
        let next = self.0.with_extension("next");
        std::fs::write(&next, text).unwrap();
        std::fs::rename(&next, &self.0).unwrap();
    }
}

impl Drop for TempExport {
    fn drop(&mut self) {
        if let Some(dir) = self.0.parent() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// Waits (bounded) for the reload attempt after `seen`.
async fn next_event(running: &Running, seen: u64) -> ReloadEvent {
    let mut events = running.gateway.events();
    tokio::time::timeout(
        Duration::from_secs(10),
        events.wait_for(|e| e.attempts > seen),
    )
    .await
    .expect("no reload within 10 s")
    .unwrap()
    .clone()
}

/// The export without the private server, and with the tickets server only if `tickets`.
fn without_private(tickets: bool) -> String {
    edited(|export| {
        let servers = export["servers"].as_array_mut().unwrap();
        servers.retain(|s| s["server_id"] != PRIVATE && (tickets || s["server_id"] != "tickets"));
        if !tickets {
            export["toolsets"] = json!([]);
        }
    })
}

fn without_tickets() -> String {
    edited(|export| {
        let servers = export["servers"].as_array_mut().unwrap();
        servers.retain(|s| s["server_id"] != "tickets");
        export["toolsets"] = json!([]);
    })
}

#[tokio::test]
async fn a_file_change_adds_and_removes_a_server_while_clients_are_connected() {
    let initial = without_tickets();
    let file = TempExport::new("change", &initial);
    let running = start(&initial).await;
    mcp_authz_gateway::reload::watch(
        running.gateway.clone(),
        file.0.clone(),
        initial,
        Duration::from_millis(20),
        running.shutdown().clone(),
    )
    .unwrap();
    let issue = client(&running, "sk-issue-21954", None).await;
    let (changed, mut heard) = mpsc::unbounded_channel();
    let agent = mcp_authz_gateway::connect_with(
        &running.url,
        "sk-support-agent",
        None,
        ListChanged(changed),
    )
    .await
    .unwrap();
    assert_eq!(
        names(&issue).await,
        [
            "public-search",
            "public-fetch_page",
            "private_mcp_server-tool_a",
            "private_mcp_server-tool_b"
        ]
    );
    assert_eq!(names(&agent).await, ["public-search", "public-fetch_page"]);
    assert_denied(
        &call(&agent, "tickets-get_ticket", json!({})).await,
        "tickets-get_ticket",
    );

    // tickets comes, private goes; the same sessions go on.
    file.write(&without_private(true));
    let event = next_event(&running, 1).await;
    assert_eq!(
        event,
        ReloadEvent {
            attempts: 2,
            generation: 2,
            refused: None
        }
    );
    // The open session is told to list again.
    tokio::time::timeout(Duration::from_secs(10), heard.recv())
        .await
        .expect("no tools/list_changed within 10 s")
        .unwrap();

    assert_eq!(names(&issue).await, ["public-search", "public-fetch_page"]);
    assert_denied(
        &call(&issue, "private_mcp_server-tool_a", json!({})).await,
        "private_mcp_server-tool_a",
    );
    assert_eq!(
        names(&agent).await,
        [
            "public-search",
            "public-fetch_page",
            "tickets-get_ticket",
            "tickets-add_comment"
        ]
    );
    let args = json!({"id": 1});
    assert_ran(
        &call(&agent, "tickets-get_ticket", args.clone()).await,
        "tickets",
        "get_ticket",
        &args,
    );
    assert_eq!(running.upstream("private").unwrap().calls.total(), 0);
    assert_eq!(
        running.upstream("tickets").unwrap().calls.of("get_ticket"),
        1
    );
}

#[tokio::test]
async fn a_bad_export_is_refused_with_the_crates_message_and_the_old_one_stays() {
    let file = TempExport::new("refused", EXPORT);
    let running = start(EXPORT).await;
    mcp_authz_gateway::reload::watch(
        running.gateway.clone(),
        file.0.clone(),
        EXPORT.to_owned(),
        Duration::from_millis(20),
        running.shutdown().clone(),
    )
    .unwrap();
    let issue = client(&running, "sk-issue-21954", None).await;
    let before = names(&issue).await;

    // Two servers with one id: the crate's registry refuses it.
    file.write(&edited(|export| {
        let servers = export["servers"].as_array_mut().unwrap();
        let copy = servers[0].clone();
        servers.push(copy);
    }));
    let event = next_event(&running, 1).await;
    assert_eq!(
        event.refused.as_deref(),
        Some(
            "invalid server registry: 2 problems: duplicate server id `public` at position 3 \
             (first at position 0); server_name `public` of server `public` is the id of server \
             `public`"
        )
    );
    assert_eq!(event.generation, 1);
    assert_eq!(names(&issue).await, before);
    assert_ran(
        &call(&issue, "private_mcp_server-tool_a", json!({})).await,
        "private",
        "tool_a",
        &json!({}),
    );

    // An export the crate cannot read: its message, naming the field.
    file.write(&edited(|export| {
        export["keys"][0]["object_permission"]["mcp_servrs"] = json!([]);
    }));
    let event = next_event(&running, 2).await;
    let message = event.refused.unwrap();
    assert!(message.contains("mcp_servrs"), "{message}");
    assert_eq!(event.generation, 1);

    // Not JSON at all.
    file.write("{");
    let event = next_event(&running, 3).await;
    assert!(event.refused.is_some());
    assert_eq!(names(&issue).await, before);

    // A good one is taken again.
    file.write(&without_private(true));
    let event = next_event(&running, 4).await;
    assert_eq!(
        event,
        ReloadEvent {
            attempts: 5,
            generation: 2,
            refused: None
        }
    );
    assert_eq!(names(&issue).await, ["public-search", "public-fetch_page"]);
}

#[tokio::test]
async fn a_key_removed_by_a_reload_is_refused_on_its_open_session() {
    let running = start(EXPORT).await;
    let outside = client(&running, "sk-outside-team", None).await;
    assert_eq!(
        names(&outside).await,
        ["public-search", "public-fetch_page"]
    );
    let reloaded = edited(|export| {
        export["keys"]
            .as_array_mut()
            .unwrap()
            .retain(|k| k["key_alias"] != "outside-team");
    });
    assert_eq!(running.gateway.reload(&reloaded).unwrap(), 2);
    assert!(outside.list_tools(None).await.is_err());
    assert!(
        mcp_authz_gateway::connect(&running.url, "sk-outside-team", None)
            .await
            .is_err()
    );
}
