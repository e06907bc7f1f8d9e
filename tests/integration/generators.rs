//! Generators of registries and requests for the properties.
//!
//! The alphabets are small on purpose, so that ids, names, aliases, groups, tool names and
//! UUID spellings collide often.

use proptest::prelude::*;
use proptest::sample::select;

use crate::model::{
    ALL_PROXY_MCP_SERVERS, Case, EndUser, Flags, NO_MCP_SERVERS, Permission, Sem, Server, Toolset,
};

// ---------------------------------------------------------------------------------------
// Alphabets

/// Names and aliases; some spell others in another case, contain the separator or a space,
/// or are group names or sentinels.
pub(crate) const NAMES: &[&str] = &[
    "github",
    "GitHub",
    "gh",
    "GH",
    "jira",
    "wiki",
    "git hub",
    "git_hub",
    "files",
    "gh-tool",
    "dev",
    "srv",
    NO_MCP_SERVERS,
    ALL_PROXY_MCP_SERVERS,
];

pub(crate) const GROUPS: &[&str] = &["dev", "pm", "ops", "Dev"];
const PERMISSION_GROUPS: &[&str] = &["dev", "pm", "ops", "Dev", "nosuch", "github"];

/// Entries of server-level tool lists, bare and prefixed with some server's spelling.
pub(crate) const SERVER_TOOLS: &[&str] = &[
    "read",
    "write",
    "delete",
    "search",
    "",
    "*",
    "gh-read",
    "github-write",
    "srv-0-read",
    "srv-1-delete",
    "git_hub-search",
    "gh-tool-read",
    "gh-",
    "5eed0000-0000-4000-8000-00000000abc0-read",
];

/// Tool names in permissions (bare by contract, but anything can be written).
pub(crate) const PERMISSION_TOOLS: &[&str] = &[
    "read", "write", "delete", "search", "*", "", "gh-read", "READ",
];

/// Requested names beyond references: other cases, non-ASCII case, blanks.
const REQUESTED_EXTRA: &[&str] = &[
    "GITHUB",
    "Gh",
    "SRV-0",
    "Srv-1",
    "DEV",
    "Dev",
    "dev",
    "pm",
    "",
    " ",
    "gh ",
    "G\u{130}THUB",
    "\u{ff47}\u{ff48}",
    "Wiki",
];

/// The UUID of server slot `i`.
pub(crate) fn uuid_of(i: usize) -> String {
    format!("5eed0000-0000-4000-8000-{:012x}", 0xabc0 + i)
}

/// One of the five spellings the `uuid` crate parses.
pub(crate) fn spell_uuid(hyphenated: &str, spelling: u8) -> String {
    match spelling % 5 {
        0 => hyphenated.to_owned(),
        1 => hyphenated.to_uppercase(),
        2 => hyphenated.replace('-', ""),
        3 => format!("{{{hyphenated}}}"),
        _ => format!("urn:uuid:{hyphenated}"),
    }
}

/// A server reference: an id (plain, with a space, a UUID in any spelling), a name, an
/// unknown reference or a sentinel.
pub(crate) fn reference() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => (0..8usize).prop_map(|i| format!("srv-{i}")),
        1 => (0..12usize).prop_map(|i| format!("srv {i}")),
        4 => (0..12usize, any::<u8>()).prop_map(|(i, s)| spell_uuid(&uuid_of(i), s)),
        6 => select(NAMES).prop_map(str::to_owned),
        1 => Just("nosuch".to_owned()),
        1 => select(&[NO_MCP_SERVERS, ALL_PROXY_MCP_SERVERS][..]).prop_map(str::to_owned),
    ]
}

/// The ways a request can spell the servers of `servers`: ids (UUIDs in every spelling),
/// aliases and names, and each of those in upper case.
fn spellings_of(servers: &[Server]) -> Vec<String> {
    let mut out = Vec::new();
    for s in servers {
        out.push(s.id.clone());
        out.push(s.id.to_uppercase());
        if let Ok(u) = uuid::Uuid::try_parse(&s.id) {
            let hyphenated = u.hyphenated().to_string();
            out.extend((0..5).map(|spelling| spell_uuid(&hyphenated, spelling)));
        }
        for name in [s.alias(), s.name()].into_iter().flatten() {
            out.push(name.to_owned());
            out.push(name.to_uppercase());
        }
    }
    out.sort();
    out.dedup();
    out
}

/// A reference to one of `servers` in any of its spellings, or one from the pool. The
/// first server is named more often than the others, so that levels meet on one server
/// (a key's and a team's tool lists for the same server, say) in most cases.
fn reference_in(servers: &[Server]) -> impl Strategy<Value = String> + use<> {
    prop_oneof![
        2 => select(spellings_of(servers.get(..1).unwrap_or_default())),
        3 => select(spellings_of(servers)),
        1 => reference(),
    ]
}

// ---------------------------------------------------------------------------------------
// Registries

#[derive(Debug, Clone)]
enum IdKind {
    Plain,
    Spaced,
    Uuid(u8),
    Empty,
    /// Another slot's plain id: a duplicate when that slot is plain too.
    Copy(usize),
}

#[derive(Debug, Clone)]
enum NameKind {
    None,
    Pool(String),
    Empty,
    /// The server's own id, in upper case (another spelling of a UUID id).
    OwnId(bool),
    /// Any reference: sometimes another server's id, which the registry refuses.
    Other(String),
}

fn id_kind() -> impl Strategy<Value = IdKind> {
    prop_oneof![
        60 => Just(IdKind::Plain),
        8 => Just(IdKind::Spaced),
        30 => any::<u8>().prop_map(IdKind::Uuid),
        1 => Just(IdKind::Empty),
        2 => (0..12usize).prop_map(IdKind::Copy),
    ]
}

fn name_kind() -> impl Strategy<Value = NameKind> {
    prop_oneof![
        30 => Just(NameKind::None),
        40 => select(NAMES).prop_map(|n| NameKind::Pool(n.to_owned())),
        15 => select(&["gh", "GH", "files"][..]).prop_map(|n| NameKind::Pool(n.to_owned())),
        5 => Just(NameKind::Empty),
        8 => any::<bool>().prop_map(NameKind::OwnId),
        2 => reference().prop_map(NameKind::Other),
    ]
}

fn tool_list(pool: &'static [&'static str]) -> impl Strategy<Value = Vec<String>> {
    prop_oneof![
        3 => Just(Vec::new()),
        2 => prop::collection::vec(select(pool).prop_map(str::to_owned), 1..4),
    ]
}

fn server_at(
    i: usize,
    (id, name, alias, allow_all_keys, groups, allowed, disallowed): (
        IdKind,
        NameKind,
        NameKind,
        bool,
        Vec<String>,
        Vec<String>,
        Vec<String>,
    ),
) -> Server {
    let id = match id {
        IdKind::Plain => format!("srv-{i}"),
        IdKind::Spaced => format!("srv {i}"),
        IdKind::Uuid(s) => spell_uuid(&uuid_of(i), s),
        IdKind::Empty => String::new(),
        IdKind::Copy(j) => format!("srv-{j}"),
    };
    let named = |kind: NameKind| match kind {
        NameKind::None => None,
        NameKind::Pool(n) | NameKind::Other(n) => Some(n),
        NameKind::Empty => Some(String::new()),
        NameKind::OwnId(upper) => Some(if upper { id.to_uppercase() } else { id.clone() }),
    };
    Server {
        name: named(name),
        alias: named(alias),
        id,
        allow_all_keys,
        groups,
        allowed,
        disallowed,
    }
}

/// 1 to 12 servers.
pub(crate) fn servers() -> impl Strategy<Value = Vec<Server>> {
    let server = (
        id_kind(),
        name_kind(),
        name_kind(),
        prop::bool::weighted(0.2),
        prop::collection::vec(select(GROUPS).prop_map(str::to_owned), 0..3),
        tool_list(SERVER_TOOLS),
        tool_list(SERVER_TOOLS),
    );
    // Small registries more often: levels then meet on the same servers.
    let size = prop_oneof![3 => 1..=4usize, 2 => 5..=12usize];
    (size, prop::collection::vec(server, 12)).prop_map(|(n, mut raw)| {
        raw.truncate(n);
        raw.into_iter()
            .enumerate()
            .map(|(i, r)| server_at(i, r))
            .collect()
    })
}

// ---------------------------------------------------------------------------------------
// Requests

fn unique_keys<T>(entries: Vec<(String, T)>) -> Vec<(String, T)> {
    let mut out: Vec<(String, T)> = Vec::new();
    for (k, v) in entries {
        if !out.iter().any(|(seen, _)| *seen == k) {
            out.push((k, v));
        }
    }
    out
}

fn permission_tools() -> impl Strategy<Value = Vec<String>> {
    prop_oneof![
        2 => Just(Vec::new()),
        1 => Just(vec!["*".to_owned()]),
        4 => prop::collection::vec(select(PERMISSION_TOOLS).prop_map(str::to_owned), 1..4),
    ]
}

/// A permission with each field unset, empty, or holding entries.
pub(crate) fn permission(registry: &[Server]) -> BoxedStrategy<Permission> {
    let servers = prop_oneof![
        2 => Just(None),
        1 => Just(Some(Vec::new())),
        4 => prop::collection::vec(reference_in(registry), 1..4).prop_map(Some),
    ];
    let groups = prop_oneof![
        3 => Just(None),
        1 => Just(Some(Vec::new())),
        2 => prop::collection::vec(select(PERMISSION_GROUPS).prop_map(str::to_owned), 1..3)
            .prop_map(Some),
    ];
    let tools = prop_oneof![
        2 => Just(None),
        1 => Just(Some(Vec::new())),
        4 => prop::collection::vec((reference_in(registry), permission_tools()), 1..4)
            .prop_map(|e| Some(unique_keys(e))),
    ];
    let toolsets = prop_oneof![
        6 => Just(None),
        1 => Just(Some(Vec::new())),
        3 => prop::collection::vec(select(TOOLSET_IDS).prop_map(str::to_owned), 1..3)
            .prop_map(Some),
    ];
    (servers, groups, tools, toolsets)
        .prop_map(|(servers, groups, tools, toolsets)| Permission {
            servers,
            groups,
            tools,
            toolsets,
        })
        .boxed()
}

/// Toolset ids permissions name: the registry's (`ts-0` to `ts-2`, when generated) and one
/// it never has.
const TOOLSET_IDS: &[&str] = &["ts-0", "ts-1", "ts-2", "nosuch"];

/// 0 to 3 toolsets with distinct ids, each with 0 to 3 entries naming servers by any
/// reference (only ids name a server).
fn toolsets(registry: &[Server]) -> impl Strategy<Value = Vec<Toolset>> + use<> {
    let tool = select(PERMISSION_TOOLS).prop_map(str::to_owned);
    let entries = prop::collection::vec((reference_in(registry), tool), 0..4);
    prop::collection::vec(entries, 0..4).prop_map(|all| {
        all.into_iter()
            .enumerate()
            .map(|(i, tools)| Toolset {
                id: format!("ts-{i}"),
                tools,
            })
            .collect()
    })
}

fn level(registry: &[Server]) -> impl Strategy<Value = Option<Permission>> + use<> {
    prop_oneof![1 => Just(None), 3 => permission(registry).prop_map(Some)]
}

/// A level most requests do not have (the organization, the key's owner, the agent).
fn rare_level(registry: &[Server]) -> impl Strategy<Value = Option<Permission>> + use<> {
    prop_oneof![3 => Just(None), 1 => permission(registry).prop_map(Some)]
}

fn requested(registry: &[Server]) -> impl Strategy<Value = Option<Vec<String>>> + use<> {
    let name = prop_oneof![
        3 => reference_in(registry),
        2 => select(REQUESTED_EXTRA).prop_map(str::to_owned),
    ];
    prop_oneof![
        3 => Just(None),
        2 => prop::collection::vec(name, 0..4).prop_map(Some),
    ]
}

fn access_groups(
    registry: &[Server],
) -> impl Strategy<Value = Option<Vec<(String, Vec<String>)>>> + use<> {
    let entry = (
        select(PERMISSION_GROUPS).prop_map(str::to_owned),
        prop::collection::vec(reference_in(registry), 0..4),
    );
    prop_oneof![
        3 => Just(None),
        1 => prop::collection::vec(entry, 0..4).prop_map(|e| Some(unique_keys(e))),
    ]
}

fn end_user(registry: &[Server]) -> impl Strategy<Value = EndUser> + use<> {
    prop_oneof![
        2 => Just(EndUser::Anonymous),
        1 => Just(EndUser::Identified(None)),
        2 => permission(registry).prop_map(|p| EndUser::Identified(Some(p))),
    ]
}

fn flags() -> impl Strategy<Value = Flags> {
    (
        prop::bool::weighted(0.8),
        prop::bool::weighted(0.2),
        prop::bool::weighted(0.2),
    )
        .prop_map(|(grant, key, end_user)| Flags {
            tool_permissions_grant_servers: grant,
            require_key: key,
            require_end_user: end_user,
        })
}

/// A registry and one request against it, under any semantics.
pub(crate) fn case() -> BoxedStrategy<Case> {
    servers()
        .prop_flat_map(|servers| {
            (
                (
                    access_groups(&servers),
                    toolsets(&servers),
                    rare_level(&servers),
                    level(&servers),
                    level(&servers),
                    rare_level(&servers),
                    end_user(&servers),
                    rare_level(&servers),
                ),
                prop::bool::weighted(0.2),
                requested(&servers),
                prop_oneof![
                    Just(Sem::Default),
                    Just(Sem::LiteLlm106),
                    Just(Sem::LiteLlm110)
                ],
                flags(),
                Just(servers),
            )
        })
        .prop_map(|(levels, admin, requested, semantics, flags, servers)| {
            let (access_groups, toolsets, organization, team, key, user, end_user, agent) = levels;
            Case {
                servers,
                access_groups,
                toolsets,
                organization,
                team,
                key,
                user,
                end_user,
                agent,
                admin,
                requested,
                semantics,
                flags,
            }
        })
        .boxed()
}
