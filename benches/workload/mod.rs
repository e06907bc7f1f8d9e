//! Deterministic workloads for the benchmarks and the allocation test: registries and
//! permissions drawn from a seeded generator, so every run measures the same inputs.
//!
//! Shape of a registry of `n` servers (server `i`):
//! - id: a UUID for every fourth server (database servers), else `srv-{i}`;
//! - server name `server-{i}`; alias `s{i}` for every other server;
//! - access group `group-{i / 8}` (every group has 8 members, whatever `n`);
//! - every tenth server has a 20-tool `allowed_tools` (some entries prefixed with its
//!   alias), every seventh a 3-tool `disallowed_tools`;
//! - exactly 10 servers are `allow_all_keys`, spread over the registry; each has a
//!   3-tool `disallowed_tools` (public servers that block their dangerous tools).
//!
//! Tools are named `tool_000` .. `tool_499`.

// Shared by the bench and the allocation test; each uses a part of it.
#![allow(dead_code)]

use mcp_authz::{McpServer, ObjectPermission, Resolution, ToolScope};

/// The number of distinct tool names.
pub(crate) const TOOLS: usize = 500;
/// Servers per access group.
pub(crate) const GROUP_SIZE: usize = 8;
/// `allow_all_keys` servers in every registry.
pub(crate) const ALLOW_ALL: usize = 10;

/// SplitMix64: small, fast and good enough to scatter references.
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next_u64() % n as u64).unwrap_or(0)
    }
}

pub(crate) fn tool(k: usize) -> String {
    format!("tool_{k:03}")
}

/// Every tool name, as a gateway would receive them from a server's `tools/list`.
pub(crate) fn offered_tools() -> Vec<String> {
    (0..TOOLS).map(tool).collect()
}

fn server_id(i: usize, rng: &mut Rng) -> String {
    if i % 4 == 0 {
        let bits = (u128::from(rng.next_u64()) << 64) | u128::from(rng.next_u64());
        mcp_authz::Uuid::from_u128(bits).to_string()
    } else {
        format!("srv-{i:06}")
    }
}

fn alias(i: usize) -> Option<String> {
    (i % 2 == 0).then(|| format!("s{i}"))
}

/// A registry of `n` servers (see the module docs for its shape).
pub(crate) fn servers(n: usize, seed: u64) -> Vec<McpServer> {
    let mut rng = Rng::new(seed);
    let allow_all_every = (n / ALLOW_ALL).max(1);
    (0..n)
        .map(|i| {
            let allow_all = i % allow_all_every == allow_all_every / 2 + 1;
            let mut server = McpServer::new(server_id(i, &mut rng))
                .with_name(format!("server-{i}"))
                .with_access_groups([format!("group-{}", i / GROUP_SIZE)])
                .with_allow_all_keys(allow_all);
            if let Some(alias) = alias(i) {
                server = server.with_alias(alias);
            }
            if i % 10 == 0 {
                let prefix = alias(i).unwrap_or_else(|| format!("server-{i}"));
                server = server.with_allowed_tools((0..20).map(|j| {
                    let t = tool(rng.below(TOOLS));
                    if j % 4 == 0 {
                        format!("{prefix}-{t}")
                    } else {
                        t
                    }
                }));
            }
            if i % 7 == 0 || allow_all {
                server = server.with_disallowed_tools((0..3).map(|_| tool(rng.below(TOOLS))));
            }
            server
        })
        .collect()
}

/// How many references of each kind one level's permission holds.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Mix {
    /// `mcp_servers` entries (ids, names and aliases).
    pub(crate) servers: usize,
    /// `mcp_access_groups` entries.
    pub(crate) groups: usize,
    /// `mcp_tool_permissions` entries.
    pub(crate) tool_permissions: usize,
    /// Tools per `mcp_tool_permissions` entry.
    pub(crate) tools_each: usize,
}

impl Mix {
    /// About 20 references: 12 servers, 2 groups, 6 tool permissions of 5 tools.
    pub(crate) const TYPICAL: Self = Self {
        servers: 12,
        groups: 2,
        tool_permissions: 6,
        tools_each: 5,
    };
    /// 1,000 references: 600 servers, 100 groups, 300 tool permissions of 5 tools.
    pub(crate) const HEAVY: Self = Self {
        servers: 600,
        groups: 100,
        tool_permissions: 300,
        tools_each: 5,
    };
}

/// The servers a key, its team and its end user draw their references from: whole
/// access groups, so that group references and server references overlap as they do in
/// a real deployment.
#[derive(Debug, Clone)]
pub(crate) struct Pool {
    groups: Vec<usize>,
}

impl Pool {
    /// `groups` distinct access groups of a registry of `n` servers.
    pub(crate) fn new(rng: &mut Rng, n: usize, groups: usize) -> Self {
        let all = n / GROUP_SIZE;
        let mut picked: Vec<usize> = Vec::with_capacity(groups);
        while picked.len() < groups.min(all) {
            let g = rng.below(all);
            if !picked.contains(&g) {
                picked.push(g);
            }
        }
        Self { groups: picked }
    }

    fn group(&self, rng: &mut Rng) -> usize {
        self.groups[rng.below(self.groups.len())]
    }

    fn server(&self, rng: &mut Rng) -> usize {
        self.group(rng) * GROUP_SIZE + rng.below(GROUP_SIZE)
    }
}

/// A reference to server `i` as a permission may spell it: its id, name or alias.
fn reference(servers: &[McpServer], i: usize, rng: &mut Rng) -> String {
    let server = &servers[i];
    match rng.below(3) {
        0 => server.id().to_string(),
        1 => server.name().unwrap_or(server.id().as_str()).to_owned(),
        _ => server
            .alias()
            .or(server.name())
            .unwrap_or(server.id().as_str())
            .to_owned(),
    }
}

/// One level's permission with the given mix of references into `pool`.
pub(crate) fn permission(
    servers: &[McpServer],
    pool: &Pool,
    mix: Mix,
    rng: &mut Rng,
) -> ObjectPermission {
    let refs: Vec<String> = (0..mix.servers)
        .map(|_| reference(servers, pool.server(rng), rng))
        .collect();
    let groups: Vec<String> = (0..mix.groups)
        .map(|_| format!("group-{}", pool.group(rng)))
        .collect();
    let mut permission = ObjectPermission::new()
        .with_servers(refs)
        .with_access_groups(groups);
    for _ in 0..mix.tool_permissions {
        let server = reference(servers, pool.server(rng), rng);
        let tools: Vec<String> = (0..mix.tools_each)
            .map(|_| tool(rng.below(TOOLS)))
            .collect();
        permission = permission.with_tool_permission(server, tools);
    }
    permission
}

/// A key, its team and an identified end user.
#[derive(Debug, Clone)]
pub(crate) struct Levels {
    pub(crate) key: ObjectPermission,
    pub(crate) team: ObjectPermission,
    pub(crate) end_user: ObjectPermission,
}

/// Three levels drawing on one pool of `pool_groups` access groups.
pub(crate) fn levels(servers: &[McpServer], pool_groups: usize, mix: Mix, seed: u64) -> Levels {
    let mut rng = Rng::new(seed);
    let pool = Pool::new(&mut rng, servers.len(), pool_groups);
    Levels {
        team: permission(servers, &pool, mix, &mut rng),
        key: permission(servers, &pool, mix, &mut rng),
        end_user: permission(servers, &pool, mix, &mut rng),
    }
}

/// The typical request's levels: about 20 references each, drawn from 6 access groups
/// (48 servers).
pub(crate) fn typical(servers: &[McpServer]) -> Levels {
    levels(servers, 6, Mix::TYPICAL, 7)
}

/// The heavy request's levels: 1,000 references each, drawn from 250 access groups
/// (2,000 servers).
pub(crate) fn heavy(servers: &[McpServer]) -> Levels {
    levels(servers, 250, Mix::HEAVY, 11)
}

/// A visible server whose scope is a non-empty set of tools: its id and one allowed bare
/// tool name.
pub(crate) fn restricted_server(resolution: &Resolution<'_>) -> (String, String) {
    resolution
        .servers()
        .find_map(|v| match v.tools() {
            ToolScope::Only(set) if !set.is_empty() => Some((
                v.server().id().to_string(),
                set.iter().find(|t| !t.contains('-')).unwrap().to_owned(),
            )),
            _ => None,
        })
        .expect("the typical request restricts some server's tools")
}
