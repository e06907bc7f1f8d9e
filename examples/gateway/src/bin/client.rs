//! A small MCP client for the example gateway: lists what a key sees, or calls a tool.
//!
//! ```text
//! client [--url URL] [--end-user ID] KEY            # tools/list
//! client [--url URL] [--end-user ID] KEY TOOL [ARGS] # tools/call, ARGS a JSON object
//! ```

use std::process::ExitCode;

use mcp_authz_gateway::connect;
use rmcp::model::CallToolRequestParams;

const USAGE: &str = "usage: client [--url URL] [--end-user ID] KEY [TOOL [ARGS]]";

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("client: {message}");
            ExitCode::from(2)
        }
    }
}

async fn run() -> Result<(), String> {
    let mut url = "http://127.0.0.1:4000/mcp".to_owned();
    let mut end_user = None;
    let mut rest = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--url" => url = args.next().ok_or(USAGE)?,
            "--end-user" => end_user = Some(args.next().ok_or(USAGE)?),
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            _ => rest.push(arg),
        }
    }
    let mut rest = rest.into_iter();
    let key = rest.next().ok_or(USAGE)?;
    let client = connect(&url, &key, end_user.as_deref())
        .await
        .map_err(|e| format!("cannot connect: {e}"))?;
    match rest.next() {
        None => {
            let tools = client.list_all_tools().await.map_err(|e| e.to_string())?;
            for tool in tools {
                println!("{}", tool.name);
            }
        }
        Some(tool) => {
            let mut params = CallToolRequestParams::new(tool);
            if let Some(args) = rest.next() {
                let args: serde_json::Value =
                    serde_json::from_str(&args).map_err(|e| format!("ARGS: {e}"))?;
                params = params.with_arguments(
                    args.as_object()
                        .cloned()
                        .ok_or("ARGS must be a JSON object")?,
                );
            }
            match client.call_tool(params).await {
                Ok(result) => println!(
                    "{}",
                    serde_json::to_string(&result).map_err(|e| e.to_string())?
                ),
                Err(rmcp::ServiceError::McpError(error)) => {
                    println!("error {}: {}", error.code.0, error.message);
                }
                Err(other) => return Err(other.to_string()),
            }
        }
    }
    let _ = client.cancel().await;
    Ok(())
}
