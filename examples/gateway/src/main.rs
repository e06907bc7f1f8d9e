//! Starts the example upstreams and the gateway in front of them, serving until Ctrl-C.
//!
//! ```text
//! cargo run --manifest-path examples/gateway/Cargo.toml -- [EXPORT] [--listen ADDR]
//! ```
//!
//! EXPORT defaults to `data/export.json` beside this package, ADDR to `127.0.0.1:4000`
//! (LiteLLM's port). The export is reloaded when the file changes and on `SIGHUP`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use mcp_authz_gateway::start;

const USAGE: &str = "usage: mcp-authz-gateway [EXPORT] [--listen ADDR]";

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("mcp-authz-gateway: {message}");
            ExitCode::from(2)
        }
    }
}

async fn run() -> Result<(), String> {
    let mut export = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/data/export.json"));
    let mut listen = SocketAddr::from(([127, 0, 0, 1], 4000));
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            "--listen" => {
                let addr = args.next().ok_or(USAGE)?;
                listen = addr
                    .parse()
                    .map_err(|e| format!("--listen `{addr}`: {e}"))?;
            }
            _ if arg.starts_with('-') => return Err(format!("unknown option `{arg}`\n{USAGE}")),
            _ => export = PathBuf::from(arg),
        }
    }
    let text = std::fs::read_to_string(&export)
        .map_err(|e| format!("cannot read {}: {e}", export.display()))?;

    let running = start(&text, listen).await?;
    running.gateway.set_decision_log(true);
    mcp_authz_gateway::reload::watch(
        running.gateway.clone(),
        export.clone(),
        text,
        Duration::from_millis(500),
        running.shutdown().clone(),
    )
    .map_err(|e| format!("cannot watch for SIGHUP: {e}"))?;
    let (url, upstreams) = (&running.url, &running.upstreams);
    println!("mcp-authz gateway on {url}");
    println!(
        "  export {} (reloaded when it changes, or on SIGHUP)",
        export.display()
    );
    for upstream in upstreams {
        println!("  upstream {:<8} {}", upstream.name, upstream.url);
    }
    println!("  keys: sk-issue-21954 sk-support-agent sk-outside-team sk-triage-bot");
    println!("  end users (header x-litellm-end-user-id): customer-42");
    println!(
        "try: cargo run --manifest-path examples/gateway/Cargo.toml --bin client -- sk-issue-21954"
    );
    let _ = tokio::signal::ctrl_c().await;
    running.stop();
    Ok(())
}
