//! One benchmark case in a loop, for `valgrind --tool=callgrind`: instruction counts are
//! stable where wall-clock timings are not.
//!
//! ```text
//! cargo build --release -p mcp-authz-bench --example profile
//! valgrind --tool=callgrind target/release/examples/profile typical-compiled 1000 10000
//! ```
//!
//! Cases: `typical`, `typical-compiled`, `heavy`, `heavy-compiled`, `compile-typical`,
//! `compile-heavy`, `check`, `handle`, `route`, `tools-list`, `tools-list-compiled`,
//! `build`. Arguments: the case, the registry size, the number of iterations. Divide
//! the instructions of the timed function by the iterations (callgrind_annotate
//! `--inclusive=yes`); setup runs once and is counted apart.

// Bench code is test code: an unwrap that fails is a broken benchmark, not a bug to handle.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[path = "../workload/mod.rs"]
mod workload;

use std::hint::black_box;

use mcp_authz::{CompiledPermission, Level, Request, ServerRegistry};

struct Compiled {
    key: CompiledPermission,
    team: CompiledPermission,
    end_user: CompiledPermission,
}

fn compiled(registry: &ServerRegistry, levels: &workload::Levels) -> Compiled {
    let compiler = registry.compiler();
    Compiled {
        key: compiler.compile(Level::Key, &levels.key),
        team: compiler.compile(Level::Team, &levels.team),
        end_user: compiler.compile(Level::EndUser, &levels.end_user),
    }
}

fn raw_request(levels: &workload::Levels) -> Request<'_> {
    Request::new()
        .key(&levels.key)
        .team(&levels.team)
        .end_user(Some(&levels.end_user))
}

fn compiled_request(c: &Compiled) -> Request<'_> {
    Request::new()
        .key(&c.key)
        .team(&c.team)
        .level(Level::EndUser, Some((&c.end_user).into()))
}

#[inline(never)]
fn timed<R>(iterations: usize, mut f: impl FnMut() -> R) {
    for _ in 0..iterations {
        black_box(f());
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let case = args.get(1).map_or("typical-compiled", String::as_str);
    let n: usize = args.get(2).map_or(1_000, |s| s.parse().unwrap());
    let iterations: usize = args.get(3).map_or(10_000, |s| s.parse().unwrap());
    let servers = workload::servers(n, 42);
    if case == "build" {
        timed(iterations, || ServerRegistry::new(servers.clone()).unwrap());
        return;
    }
    let registry = ServerRegistry::new(servers.clone()).unwrap();
    let levels = if case.starts_with("heavy") || case == "compile-heavy" {
        workload::heavy(&servers)
    } else {
        workload::typical(&servers)
    };
    let c = compiled(&registry, &levels);
    let raw = raw_request(&levels);
    let fast = compiled_request(&c);
    let resolution = registry.resolve_allowed_servers(&fast);
    let (server, allowed) = workload::restricted_server(&resolution);
    let prefix = registry.get(&server).unwrap().prefix().replace(' ', "_");
    let prefixed = format!("{prefix}-{allowed}");
    let offered = workload::offered_tools();
    let compiler = registry.compiler();
    match case {
        "typical" | "heavy" => timed(iterations, || {
            black_box(&registry).resolve_allowed_servers(black_box(&raw))
        }),
        "typical-compiled" | "heavy-compiled" => timed(iterations, || {
            black_box(&registry).resolve_allowed_servers(black_box(&fast))
        }),
        "compile-typical" | "compile-heavy" => timed(iterations, || {
            black_box(&compiler).compile(Level::Key, black_box(&levels.key))
        }),
        "check" => timed(iterations, || {
            black_box(&resolution).is_tool_allowed(black_box(&server), black_box(&allowed))
        }),
        "handle" => {
            let handle = resolution.visible_server(&server).unwrap();
            timed(iterations, || {
                black_box(handle).is_tool_allowed(black_box(&allowed))
            });
        }
        "route" => timed(iterations, || {
            black_box(&resolution).route(black_box(&prefixed)).is_ok()
        }),
        "tools-list" => timed(iterations, || {
            let resolution = black_box(&registry).resolve_allowed_servers(black_box(&raw));
            resolution
                .filter_tools(black_box(&server), &offered)
                .count()
        }),
        "tools-list-compiled" => timed(iterations, || {
            let resolution = black_box(&registry).resolve_allowed_servers(black_box(&fast));
            resolution
                .filter_tools(black_box(&server), &offered)
                .count()
        }),
        other => panic!("unknown case `{other}`"),
    }
}
