//! Registries and requests built from structured input over small alphabets, so that ids,
//! names, aliases, groups and UUID spellings collide often: building never panics, accepts
//! exactly the valid registries, and every resolution keeps the invariants of
//! `mcp_authz_fuzz::check_scenario`.

#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use mcp_authz::scenario::{Scenario, ScenarioCall};
use mcp_authz::{MapAccessGroups, McpServer, ObjectPermission, Semantics};

const WORDS: &[&str] = &[
    "srv-a",
    "srv-b",
    "srv-c",
    "gh",
    "GH",
    "github",
    "git hub",
    "git_hub",
    "gh-tool",
    "jira",
    "dev",
    "pm",
    "Dev",
    "read",
    "write",
    "delete",
    "gh-read",
    "*",
    "",
    " ",
    "-",
    "no-mcp-servers",
    "all-proxy-mcpservers",
    "k\u{212a}",
    "K",
    "srv-a-read",
];

const UUIDS: &[&str] = &[
    "aa1d8e71-318a-43cb-83ad-588d56470b1b",
    "e9ffaf61-16f8-4b33-8a01-e914f64d5343",
];

#[derive(Debug, Arbitrary)]
enum Word {
    Known(u8),
    Uuid(u8, u8),
    Free(String),
}

impl Word {
    fn text(&self) -> String {
        match self {
            Self::Known(i) => WORDS[usize::from(*i) % WORDS.len()].to_owned(),
            Self::Uuid(i, spelling) => {
                let u = UUIDS[usize::from(*i) % UUIDS.len()];
                match spelling % 5 {
                    0 => u.to_owned(),
                    1 => u.to_uppercase(),
                    2 => u.replace('-', ""),
                    3 => format!("{{{u}}}"),
                    _ => format!("urn:uuid:{u}"),
                }
            }
            Self::Free(s) => s.clone(),
        }
    }
}

fn texts(words: &[Word]) -> Vec<String> {
    words.iter().map(Word::text).collect()
}

#[derive(Debug, Arbitrary)]
struct Server {
    id: Word,
    name: Option<Word>,
    alias: Option<Word>,
    allow_all_keys: bool,
    groups: Vec<Word>,
    allowed: Vec<Word>,
    disallowed: Vec<Word>,
}

#[derive(Debug, Arbitrary)]
struct Permission {
    servers: Option<Vec<Word>>,
    groups: Option<Vec<Word>>,
    tools: Option<Vec<(Word, Vec<Word>)>>,
}

impl Permission {
    fn build(&self) -> ObjectPermission {
        let mut p = ObjectPermission::new();
        if let Some(servers) = &self.servers {
            p = p.with_servers(texts(servers));
        }
        if let Some(groups) = &self.groups {
            p = p.with_access_groups(texts(groups));
        }
        if let Some(tools) = &self.tools {
            p = p.with_empty_tool_permissions();
            for (server, list) in tools {
                p = p.with_tool_permission(server.text(), texts(list));
            }
        }
        p
    }
}

#[derive(Debug, Arbitrary)]
struct Input {
    servers: Vec<Server>,
    groups: Option<Vec<(Word, Vec<Word>)>>,
    key: Option<Permission>,
    team: Option<Permission>,
    end_user: Option<Permission>,
    end_user_identified: Option<bool>,
    admin: bool,
    requested: Option<Vec<Word>>,
    semantics: u8,
    settings: (bool, bool, bool),
    calls: Vec<(Word, Option<Word>)>,
}

fuzz_target!(|input: Input| {
    let servers: Vec<McpServer> = input
        .servers
        .iter()
        .take(32)
        .map(|s| {
            let mut server = McpServer::new(s.id.text())
                .with_allow_all_keys(s.allow_all_keys)
                .with_access_groups(texts(&s.groups))
                .with_allowed_tools(texts(&s.allowed))
                .with_disallowed_tools(texts(&s.disallowed));
            if let Some(name) = &s.name {
                server = server.with_name(name.text());
            }
            if let Some(alias) = &s.alias {
                server = server.with_alias(alias.text());
            }
            server
        })
        .collect();
    mcp_authz_fuzz::check_registry(&servers);

    let mut scenario = Scenario {
        servers,
        access_groups: input.groups.as_ref().map(|groups| {
            groups
                .iter()
                .map(|(group, members)| (group.text(), texts(members)))
                .collect::<MapAccessGroups>()
        }),
        key: input.key.as_ref().map(Permission::build),
        team: input.team.as_ref().map(Permission::build),
        end_user: input.end_user.as_ref().map(Permission::build),
        end_user_identified: input.end_user_identified,
        admin: input.admin,
        requested: input.requested.as_deref().map(texts),
        semantics: Semantics::ALL[usize::from(input.semantics) % Semantics::ALL.len()],
        calls: input
            .calls
            .iter()
            .map(|(a, b)| match b {
                Some(tool) => ScenarioCall::Tool {
                    server: a.text(),
                    tool: tool.text(),
                },
                None => ScenarioCall::Prefixed { name: a.text() },
            })
            .collect(),
        ..Scenario::default()
    };
    scenario.settings.tool_permissions_grant_servers = input.settings.0;
    scenario.settings.require_key_mcp_access_defined = input.settings.1;
    scenario.settings.require_end_user_mcp_access_defined = input.settings.2;
    mcp_authz_fuzz::check_scenario(&scenario);
});
