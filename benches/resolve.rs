//! Criterion benchmarks: building the registry, resolving a request, deciding calls and
//! filtering a `tools/list`. Inputs come from the seeded generator in `workload/`; every
//! input is built outside the timed closure and passed through `black_box`.
//!
//! `cargo bench` runs them all in a few minutes; `cargo bench -- resolve/` runs a group.

// Bench code is test code: an unwrap that fails is a broken benchmark, not a bug to handle.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod workload;

use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, BenchmarkId, Criterion, criterion_group, criterion_main};
use mcp_authz::{
    CompiledPermission, Level, McpServer, Request, Resolution, ServerRegistry, ToolScope,
};

use workload::Levels;

fn registry(n: usize) -> (Vec<McpServer>, ServerRegistry) {
    let servers = workload::servers(n, 42);
    let registry = ServerRegistry::new(servers.clone()).unwrap();
    (servers, registry)
}

fn request(levels: &Levels) -> Request<'_> {
    Request::new()
        .key(&levels.key)
        .team(&levels.team)
        .end_user(Some(&levels.end_user))
}

/// A request's levels compiled against a registry.
struct Compiled {
    key: CompiledPermission,
    team: CompiledPermission,
    end_user: CompiledPermission,
}

impl Compiled {
    fn new(registry: &ServerRegistry, levels: &Levels) -> Self {
        let compiler = registry.compiler();
        Self {
            key: compiler.compile(Level::Key, &levels.key),
            team: compiler.compile(Level::Team, &levels.team),
            end_user: compiler.compile(Level::EndUser, &levels.end_user),
        }
    }

    fn request(&self) -> Request<'_> {
        Request::new()
            .key(&self.key)
            .team(&self.team)
            .level(Level::EndUser, Some((&self.end_user).into()))
    }
}

/// A visible server that offers every tool but a denylist.
fn denylist_server(resolution: &Resolution<'_>) -> String {
    resolution
        .servers()
        .find(|v| matches!(v.tools(), ToolScope::AllExcept(_)))
        .map(|v| v.server().id().to_string())
        .expect("the typical request sees a server with a denylist")
}

fn build(c: &mut Criterion) {
    let mut group = c.benchmark_group("build");
    group.sample_size(10);
    for n in [100, 10_000, 100_000] {
        let servers = workload::servers(n, 42);
        group.bench_with_input(BenchmarkId::from_parameter(n), &servers, |b, servers| {
            b.iter_batched(
                || servers.clone(),
                |servers| ServerRegistry::new(black_box(servers)).unwrap(),
                BatchSize::LargeInput,
            );
        });
    }
    group.finish();
}

fn resolve(c: &mut Criterion) {
    let mut group = c.benchmark_group("resolve");
    for n in [1_000, 10_000, 100_000] {
        let (servers, registry) = registry(n);
        let levels = workload::typical(&servers);
        let request = request(&levels);
        let visible = registry.resolve_allowed_servers(&request).len();
        eprintln!("resolve/typical/{n}: {visible} servers visible");
        group.bench_function(BenchmarkId::new("typical", n), |b| {
            b.iter(|| black_box(&registry).resolve_allowed_servers(black_box(&request)));
        });
        // The gateway's cached path: the levels compiled once against the registry.
        let compiled = Compiled::new(&registry, &levels);
        let request = compiled.request();
        group.bench_function(BenchmarkId::new("typical-compiled", n), |b| {
            b.iter(|| black_box(&registry).resolve_allowed_servers(black_box(&request)));
        });
    }
    let (servers, registry) = registry(100_000);
    let levels = workload::heavy(&servers);
    let request = request(&levels);
    let visible = registry.resolve_allowed_servers(&request).len();
    eprintln!("resolve/heavy/100000: {visible} servers visible");
    group.bench_function(BenchmarkId::new("heavy", 100_000), |b| {
        b.iter(|| black_box(&registry).resolve_allowed_servers(black_box(&request)));
    });
    let compiled = Compiled::new(&registry, &levels);
    let request = compiled.request();
    group.bench_function(BenchmarkId::new("heavy-compiled", 100_000), |b| {
        b.iter(|| black_box(&registry).resolve_allowed_servers(black_box(&request)));
    });
    group.finish();
}

/// Compiling one level's permission: what a gateway pays once per key or team, and what a
/// raw resolve pays per level on every request.
fn compile(c: &mut Criterion) {
    let mut group = c.benchmark_group("compile");
    let (servers, registry) = registry(100_000);
    for (name, levels) in [
        ("typical", workload::typical(&servers)),
        ("heavy", workload::heavy(&servers)),
    ] {
        let compiler = registry.compiler();
        group.bench_function(BenchmarkId::new(name, 100_000), |b| {
            b.iter(|| black_box(&compiler).compile(Level::Key, black_box(&levels.key)));
        });
    }
    group.finish();
}

fn check(c: &mut Criterion) {
    let (servers, registry) = registry(1_000);
    let levels = workload::typical(&servers);
    let request = request(&levels);
    let resolution = registry.resolve_allowed_servers(&request);
    let (server, allowed) = workload::restricted_server(&resolution);
    let denied = "tool_none".to_owned();
    assert!(resolution.is_tool_allowed(&server, &allowed));
    assert!(!resolution.is_tool_allowed(&server, &denied));
    let visible = registry.get(&server).unwrap();
    let prefixed = format!("{}-{allowed}", visible.prefix().replace(' ', "_"));
    assert!(resolution.decide_prefixed_call(&prefixed).is_allowed());

    let mut group = c.benchmark_group("check");
    group.bench_function("is_tool_allowed/allowed", |b| {
        b.iter(|| black_box(&resolution).is_tool_allowed(black_box(&server), black_box(&allowed)));
    });
    group.bench_function("is_tool_allowed/denied", |b| {
        b.iter(|| black_box(&resolution).is_tool_allowed(black_box(&server), black_box(&denied)));
    });
    // The same decision through a handle the gateway keeps for the server.
    let handle = resolution.visible_server(&server).unwrap();
    assert!(handle.is_tool_allowed(&allowed));
    group.bench_function("handle_is_tool_allowed/allowed", |b| {
        b.iter(|| black_box(handle).is_tool_allowed(black_box(&allowed)));
    });
    group.bench_function("handle_is_tool_allowed/denied", |b| {
        b.iter(|| black_box(handle).is_tool_allowed(black_box(&denied)));
    });
    // The same decision once the server's scope is in hand: the tool test alone.
    let scope = resolution.tool_scope(&server).unwrap();
    group.bench_function("tool_scope_allows", |b| {
        b.iter(|| black_box(scope).allows(black_box(&allowed)));
    });
    group.bench_function("route", |b| {
        b.iter(|| black_box(&resolution).route(black_box(&prefixed)));
    });
    group.bench_function("decide_prefixed_call", |b| {
        b.iter(|| black_box(&resolution).decide_prefixed_call(black_box(&prefixed)));
    });
    group.finish();
}

fn filter(c: &mut Criterion) {
    let (servers, registry) = registry(1_000);
    let levels = workload::typical(&servers);
    let request = request(&levels);
    let resolution = registry.resolve_allowed_servers(&request);
    let offered = workload::offered_tools();
    let (restricted, _) = workload::restricted_server(&resolution);
    let denylist = denylist_server(&resolution);

    let mut group = c.benchmark_group("filter");
    for (name, server) in [("restricted", &restricted), ("denylist", &denylist)] {
        let kept = resolution.filter_tools(server, &offered).count();
        eprintln!("filter/{name}/500: {kept} of 500 tools kept");
        group.bench_function(BenchmarkId::new(name, 500), |b| {
            b.iter(|| {
                black_box(&resolution)
                    .filter_tools(black_box(server), black_box(&offered))
                    .count()
            });
        });
    }
    group.finish();
}

/// A whole `tools/list`: resolve the typical request against 1k servers, then filter the
/// 500 tools one visible server offers.
fn whole_request(c: &mut Criterion) {
    let (servers, registry) = registry(1_000);
    let levels = workload::typical(&servers);
    let request = request(&levels);
    let (server, _) = workload::restricted_server(&registry.resolve_allowed_servers(&request));
    let offered = workload::offered_tools();

    c.bench_function("request/tools_list/1000", |b| {
        b.iter(|| {
            let resolution = black_box(&registry).resolve_allowed_servers(black_box(&request));
            resolution
                .filter_tools(black_box(&server), black_box(&offered))
                .count()
        });
    });
    // The gateway's cached path: the levels compiled once.
    let compiled = Compiled::new(&registry, &levels);
    let request = compiled.request();
    c.bench_function("request/tools_list-compiled/1000", |b| {
        b.iter(|| {
            let resolution = black_box(&registry).resolve_allowed_servers(black_box(&request));
            resolution
                .filter_tools(black_box(&server), black_box(&offered))
                .count()
        });
    });
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
}

criterion_group! {
    name = benches;
    config = config();
    targets = build, resolve, compile, check, filter, whole_request
}
criterion_main!(benches);
