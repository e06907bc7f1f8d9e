//! LiteLLM issue #21954, resolved: a key that names tools for a private server, with
//! `mcp_servers: []`, sees that server with exactly those tools.
//!
//! ```text
//! cargo run --example quickstart
//! ```

use mcp_authz::{McpServer, ObjectPermission, Request, ServerRegistry, ToolScope};

const PRIVATE: &str = "aa1d8e71-318a-43cb-83ad-588d56470b1b";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let registry = ServerRegistry::new([
        McpServer::new("e9ffaf61-16f8-4b33-8a01-e914f64d5343")
            .with_name("public_mcp_server")
            .with_allow_all_keys(true),
        McpServer::new(PRIVATE).with_name("private_mcp_server"),
    ])?;

    // The key's object_permission, exactly as LiteLLM stores it.
    let key = ObjectPermission::from_json(&format!(
        r#"{{"mcp_servers": [], "mcp_access_groups": [],
            "mcp_tool_permissions": {{"{PRIVATE}": ["tool_a", "tool_b"]}}}}"#
    ))?;

    let resolution = registry.resolve_allowed_servers(&Request::new().key(&key));

    println!("visible servers:");
    for visible in resolution.servers() {
        let tools = match visible.tools() {
            ToolScope::All => "all tools".to_owned(),
            ToolScope::AllExcept(denied) => format!("all tools but {denied:?}"),
            ToolScope::Only(allowed) => format!("only {allowed:?}"),
        };
        println!(
            "  {} ({}): {tools}",
            visible.server().prefix(),
            visible.server().id()
        );
    }

    for tool in ["tool_a", "tool_b", "tool_c"] {
        let decision = resolution.decide_call(PRIVATE, tool);
        println!(
            "call private_mcp_server/{tool}: {}",
            if decision.is_allowed() {
                "allowed".to_owned()
            } else {
                format!("denied ({decision})")
            }
        );
    }

    let offered = ["tool_a", "tool_b", "tool_c"];
    let listed: Vec<&&str> = resolution.filter_tools(PRIVATE, &offered).collect();
    println!("tools/list on private_mcp_server: {listed:?}");
    Ok(())
}
