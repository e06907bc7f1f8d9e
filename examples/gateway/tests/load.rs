//! A bounded load test on loopback: 8 clients × 500 requests (lists, allowed calls,
//! denied calls), every answer checked, and what authorizing costs per request reported
//! next to what a request costs in all. Its own test binary, so that other tests do not
//! run beside it and blur the numbers. CI runs it unoptimised; for the numbers a
//! deployment would see:
//!
//! ```text
//! cargo test --release --manifest-path examples/gateway/Cargo.toml --test load -- --nocapture
//! ```

// Test code: a failed unwrap is a failed test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::cast_precision_loss
)]

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use mcp_authz_gateway::{Client, Running};
use rmcp::model::CallToolRequestParams;
use serde_json::json;

const EXPORT: &str = include_str!("../data/export.json");
const CLIENTS: usize = 8;
const REQUESTS: usize = 500;

/// A caller and what the gateway must answer it.
struct Profile {
    key: &'static str,
    end_user: Option<&'static str>,
    listed: &'static [&'static str],
    allowed: (&'static str, &'static str, &'static str),
    denied: &'static str,
}

const PROFILES: [Profile; 4] = [
    Profile {
        key: "sk-issue-21954",
        end_user: None,
        listed: &[
            "public-search",
            "public-fetch_page",
            "private_mcp_server-tool_a",
            "private_mcp_server-tool_b",
        ],
        allowed: ("private_mcp_server-tool_b", "private", "tool_b"),
        denied: "private_mcp_server-tool_c",
    },
    Profile {
        key: "sk-support-agent",
        end_user: None,
        listed: &[
            "public-search",
            "public-fetch_page",
            "tickets-get_ticket",
            "tickets-add_comment",
        ],
        allowed: ("tickets-add_comment", "tickets", "add_comment"),
        denied: "tickets-close_ticket",
    },
    Profile {
        key: "sk-support-agent",
        end_user: Some("customer-42"),
        listed: &["public-search", "public-fetch_page", "tickets-get_ticket"],
        allowed: ("tickets-get_ticket", "tickets", "get_ticket"),
        denied: "tickets-add_comment",
    },
    Profile {
        key: "sk-outside-team",
        end_user: None,
        listed: &["public-search", "public-fetch_page"],
        allowed: ("public-search", "public", "search"),
        denied: "private_mcp_server-tool_a",
    },
];

#[derive(Default)]
struct Timings {
    list: Vec<Duration>,
    allowed: Vec<Duration>,
    denied: Vec<Duration>,
}

/// One client's requests: a list, an allowed call, a denied call, over and over.
async fn drive(client: Client, profile: &Profile, seed: usize) -> Timings {
    let mut timings = Timings::default();
    for i in 0..REQUESTS {
        let started = Instant::now();
        match (i + seed) % 3 {
            0 => {
                let listed = client.list_tools(None).await.unwrap();
                let names: Vec<&str> = listed.tools.iter().map(|t| t.name.as_ref()).collect();
                assert_eq!(
                    names, profile.listed,
                    "{} as {:?}",
                    profile.key, profile.end_user
                );
                timings.list.push(started.elapsed());
            }
            1 => {
                let (name, server, tool) = profile.allowed;
                let args = json!({"i": i});
                let params = CallToolRequestParams::new(name)
                    .with_arguments(args.as_object().cloned().unwrap());
                let result = client.call_tool(params).await.unwrap();
                assert_eq!(
                    result.structured_content,
                    Some(json!({"server": server, "tool": tool, "arguments": args}))
                );
                timings.allowed.push(started.elapsed());
            }
            _ => {
                let error = match client
                    .call_tool(CallToolRequestParams::new(profile.denied))
                    .await
                {
                    Err(rmcp::ServiceError::McpError(error)) => error,
                    other => panic!("{} calling {}: {other:?}", profile.key, profile.denied),
                };
                assert_eq!(error.code.0, -32602);
                assert_eq!(error.message, format!("Unknown tool: {}", profile.denied));
                timings.denied.push(started.elapsed());
            }
        }
    }
    client.cancel().await.unwrap();
    timings
}

fn mean(durations: &[Duration]) -> Duration {
    durations.iter().sum::<Duration>() / u32::try_from(durations.len().max(1)).unwrap()
}

fn percentile(sorted: &[Duration], p: usize) -> Duration {
    sorted[(sorted.len() - 1) * p / 100]
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

async fn run(running: &Running) -> (Timings, Duration) {
    let mut clients = Vec::new();
    for c in 0..CLIENTS {
        let profile = &PROFILES[c % PROFILES.len()];
        clients.push(
            mcp_authz_gateway::connect(&running.url, profile.key, profile.end_user)
                .await
                .unwrap(),
        );
    }
    let started = Instant::now();
    let tasks: Vec<_> = clients
        .into_iter()
        .enumerate()
        .map(|(c, client)| {
            tokio::spawn(async move { drive(client, &PROFILES[c % PROFILES.len()], c).await })
        })
        .collect();
    let mut all = Timings::default();
    for task in tasks {
        let timings = task.await.unwrap();
        all.list.extend(timings.list);
        all.allowed.extend(timings.allowed);
        all.denied.extend(timings.denied);
    }
    (all, started.elapsed())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eight_clients_times_500_requests_every_answer_checked() {
    let running = mcp_authz_gateway::start(EXPORT, SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .unwrap();
    let (timings, wall) = tokio::time::timeout(Duration::from_secs(300), run(&running))
        .await
        .expect("the load test did not finish in 300 s");

    let total = CLIENTS * REQUESTS;
    let answered = timings.list.len() + timings.allowed.len() + timings.denied.len();
    assert_eq!(answered, total);
    let stats = running.gateway.stats();
    assert_eq!(stats.requests, u64::try_from(total).unwrap());
    assert_eq!(stats.lists, u64::try_from(timings.list.len()).unwrap());
    assert_eq!(stats.denied, u64::try_from(timings.denied.len()).unwrap());
    assert_eq!(
        stats.forwarded,
        u64::try_from(timings.allowed.len()).unwrap()
    );
    // Every allowed call reached its upstream once; no denied one did.
    let upstream_calls: u64 = running.upstreams.iter().map(|u| u.calls.total()).sum();
    assert_eq!(upstream_calls, stats.forwarded);
    let private = &running.upstream("private").unwrap().calls;
    let tickets = &running.upstream("tickets").unwrap().calls;
    assert_eq!((private.of("tool_c"), tickets.of("close_ticket")), (0, 0));

    let mut sorted: Vec<Duration> = timings
        .list
        .iter()
        .chain(&timings.allowed)
        .chain(&timings.denied)
        .copied()
        .collect();
    sorted.sort();
    let per_request = mean(&sorted);
    let authorization = stats.authorization / u32::try_from(total).unwrap();
    let profile = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };
    eprintln!(
        "load ({profile} build): {CLIENTS} clients x {REQUESTS} requests = {total} in {:.2} s ({:.0} requests/s), every answer checked",
        wall.as_secs_f64(),
        total as f64 / wall.as_secs_f64()
    );
    eprintln!(
        "  per request at the client: mean {:.0} µs, p50 {:.0} µs, p99 {:.0} µs",
        micros(per_request),
        micros(percentile(&sorted, 50)),
        micros(percentile(&sorted, 99))
    );
    eprintln!(
        "  by kind (mean): tools/list {:.0} µs, allowed tools/call {:.0} µs, denied tools/call {:.0} µs",
        micros(mean(&timings.list)),
        micros(mean(&timings.allowed)),
        micros(mean(&timings.denied))
    );
    let calls = stats.requests - stats.lists;
    let call_authorization = stats
        .authorization
        .checked_sub(stats.list_authorization)
        .unwrap()
        / u32::try_from(calls).unwrap();
    let list_authorization = stats.list_authorization / u32::try_from(stats.lists).unwrap();
    eprintln!(
        "  authorization in the gateway (key lookup, resolve, filter/prefix, decide): mean {:.1} µs per request, {:.2}% of the total",
        micros(authorization),
        100.0 * authorization.as_secs_f64() / per_request.as_secs_f64()
    );
    eprintln!(
        "  authorization by kind (mean): tools/list {:.1} µs of {:.0} µs, tools/call {:.1} µs of {:.0} µs",
        micros(list_authorization),
        micros(mean(&timings.list)),
        micros(call_authorization),
        micros(mean(
            &[timings.allowed.as_slice(), timings.denied.as_slice()].concat()
        )),
    );
    assert!(authorization < per_request);
}
