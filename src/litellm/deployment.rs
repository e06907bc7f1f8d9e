//! A whole deployment export: every row, indexed by id.

use std::collections::HashMap;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, Visitor};

use super::key::{KeyRow, KeyRows};
use super::rows::{AgentRow, EndUserRow, OrganizationRow, TeamRow, UserRow};
use crate::de::{list_once, set_once};
use crate::error::{ParseError, RegistryError, one_line};
use crate::registry::ServerRegistry;
use crate::request::{Request, Settings};
use crate::server::McpServer;
use crate::toolset::Toolset;

/// A row found by id.
trait Row {
    /// The export's member that lists these rows.
    const TABLE: &'static str;
    /// The id column.
    const ID: &'static str;
    fn id(&self) -> &str;
}

macro_rules! row {
    ($row:ty, $table:literal, $id:literal) => {
        impl Row for $row {
            const TABLE: &'static str = $table;
            const ID: &'static str = $id;
            fn id(&self) -> &str {
                <$row>::id(self)
            }
        }
    };
}

row!(OrganizationRow, "organizations", "organization_id");
row!(TeamRow, "teams", "team_id");
row!(UserRow, "users", "user_id");
row!(AgentRow, "agents", "agent_id");
row!(EndUserRow, "end_users", "user_id");

/// Rows in export order, indexed by id.
#[derive(Debug, Clone)]
struct Table<T> {
    rows: Vec<T>,
    by_id: HashMap<Box<str>, usize>,
}

impl<T: Row> Table<T> {
    /// Indexes `rows`; an id seen twice is a problem (a database's primary key is unique,
    /// and which copy a lookup found would be an accident).
    fn new(rows: Vec<T>, problems: &mut Vec<String>) -> Self {
        let mut by_id = HashMap::with_capacity(rows.len());
        for (at, row) in rows.iter().enumerate() {
            if by_id.insert(Box::from(row.id()), at).is_some() {
                problems.push(format!(
                    "duplicate `{}` `{}` at `{}[{at}]`",
                    T::ID,
                    one_line(row.id()),
                    T::TABLE
                ));
            }
        }
        Self { rows, by_id }
    }

    fn get(&self, id: &str) -> Option<&T> {
        self.rows.get(*self.by_id.get(id)?)
    }
}

/// A LiteLLM deployment's export: its MCP servers and toolsets, its settings, and the rows
/// of every level (organizations, teams, users, agents, keys, end users).
///
/// Read from one JSON object with LiteLLM's table and column names:
///
/// ```text
/// {
///   "servers":       [LiteLLM_MCPServerTable rows or GET /v1/mcp/server objects],
///   "toolsets":      [LiteLLM_MCPToolsetTable rows],
///   "settings":      {"tool_permissions_grant_servers", "require_key_mcp_access_defined",
///                     "require_end_user_mcp_access_defined"},
///   "organizations": [OrganizationRow], "teams": [TeamRow], "users": [UserRow],
///   "agents":        [AgentRow], "keys": [KeyRow], "end_users": [EndUserRow]
/// }
/// ```
///
/// Only `servers` is required; a missing or `null` member is empty (`settings`: the
/// defaults), and other members are ignored. Two rows of one table with the same id are an
/// error. The servers and toolsets are validated when [`Deployment::registry`] builds the
/// registry.
///
/// ```
/// use mcp_authz::litellm::Deployment;
///
/// let deployment = Deployment::from_json(
///     r#"{
///       "servers": [{"server_id": "srv-gh", "alias": "gh"},
///                   {"server_id": "srv-jira", "alias": "jira"}],
///       "organizations": [{"organization_id": "org-1", "spend": 12.5,
///                          "object_permission": {"mcp_servers": ["gh", "jira"]}}],
///       "teams": [{"team_id": "team-1", "organization_id": "org-1", "models": ["gpt-4o"],
///                  "object_permission": {"mcp_servers": ["jira"]}}],
///       "users": [{"user_id": "root", "user_role": "proxy_admin"}],
///       "keys": [{"key_alias": "ci-bot", "team_id": "team-1", "token": "88dc28d0f0",
///                 "object_permission": null},
///                {"key_alias": "console", "user_id": "root", "team_id": "team-404"}]
///     }"#,
/// )?;
/// let registry = deployment.registry()?;
/// let [ci_bot, console] = deployment.keys() else { unreachable!() };
///
/// // The key inherits its team's jira, which its organization allows.
/// let request = deployment.request_for(ci_bot);
/// let resolution = registry.resolve_allowed_servers(&request);
/// let seen: Vec<&str> = resolution.servers().map(|v| v.server().id().as_str()).collect();
/// assert_eq!(seen, ["srv-jira"]);
///
/// // A key's reference to a row the export lacks is reported.
/// let missing: Vec<_> = deployment.rows_for(console).missing().collect();
/// assert_eq!(missing, [(mcp_authz::Level::Team, "team-404")]);
/// assert!(deployment.rows_for(console).is_admin());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Deployment {
    servers: Vec<McpServer>,
    toolsets: Vec<Toolset>,
    settings: Settings,
    organizations: Table<OrganizationRow>,
    teams: Table<TeamRow>,
    users: Table<UserRow>,
    agents: Table<AgentRow>,
    keys: Vec<KeyRow>,
    /// Each key's `token`, to its position in `keys`.
    by_token: HashMap<Box<str>, usize>,
    end_users: Table<EndUserRow>,
}

/// The keys by `token`; a token on two keys is a problem.
fn tokens(keys: &[KeyRow], problems: &mut Vec<String>) -> HashMap<Box<str>, usize> {
    let mut by_token = HashMap::with_capacity(keys.len());
    for (at, key) in keys.iter().enumerate() {
        let Some(token) = key.token() else { continue };
        if by_token.insert(Box::from(token), at).is_some() {
            problems.push(format!(
                "duplicate `token` `{}` at `keys[{at}]`",
                one_line(token)
            ));
        }
    }
    by_token
}

impl Deployment {
    /// Reads a deployment export from JSON text.
    ///
    /// # Errors
    /// The text is not a JSON object, `servers` is missing, a member or a column the crate
    /// reads has the wrong type, an `object_permission` is invalid (an unknown `mcp_*`
    /// member, say), `settings` has an unknown member, or two rows of one table share an id;
    /// the message names the field and the value.
    pub fn from_json(json: &str) -> Result<Self, ParseError> {
        serde_json::from_str(json).map_err(|e| ParseError::json("deployment", &e))
    }

    /// Builds the server registry from `servers` and `toolsets`.
    ///
    /// # Errors
    /// As [`ServerRegistry::with_toolsets`]: every problem with the servers and toolsets.
    pub fn registry(&self) -> Result<ServerRegistry, RegistryError> {
        ServerRegistry::with_toolsets(self.servers.iter().cloned(), self.toolsets.iter().cloned())
    }

    /// `servers`, in export order.
    #[must_use]
    pub fn servers(&self) -> &[McpServer] {
        &self.servers
    }

    /// `toolsets`, in export order.
    #[must_use]
    pub fn toolsets(&self) -> &[Toolset] {
        &self.toolsets
    }

    /// `settings` (the defaults when the export has none).
    #[must_use]
    pub fn settings(&self) -> Settings {
        self.settings
    }

    /// `organizations`, in export order.
    #[must_use]
    pub fn organizations(&self) -> &[OrganizationRow] {
        &self.organizations.rows
    }

    /// `teams`, in export order.
    #[must_use]
    pub fn teams(&self) -> &[TeamRow] {
        &self.teams.rows
    }

    /// `users`, in export order.
    #[must_use]
    pub fn users(&self) -> &[UserRow] {
        &self.users.rows
    }

    /// `agents`, in export order.
    #[must_use]
    pub fn agents(&self) -> &[AgentRow] {
        &self.agents.rows
    }

    /// `keys`, in export order.
    #[must_use]
    pub fn keys(&self) -> &[KeyRow] {
        &self.keys
    }

    /// The key whose `token` is `token` (exactly: LiteLLM stores the lower-case hex
    /// SHA-256 of the `sk-...` key, so a gateway hashes the bearer key and asks for that).
    ///
    /// ```
    /// use mcp_authz::litellm::Deployment;
    ///
    /// let deployment = Deployment::from_json(r#"{"servers": [],
    ///     "keys": [{"key_alias": "ci-bot", "token": "88dc28d0f0"}]}"#)?;
    /// assert_eq!(deployment.key_by_token("88dc28d0f0").and_then(|k| k.alias()), Some("ci-bot"));
    /// assert!(deployment.key_by_token("88DC28D0F0").is_none());
    /// # Ok::<(), mcp_authz::ParseError>(())
    /// ```
    #[must_use]
    pub fn key_by_token(&self, token: &str) -> Option<&KeyRow> {
        self.keys.get(*self.by_token.get(token)?)
    }

    /// `end_users`, in export order.
    #[must_use]
    pub fn end_users(&self) -> &[EndUserRow] {
        &self.end_users.rows
    }

    /// The organization whose `organization_id` is `id` (exactly).
    #[must_use]
    pub fn organization(&self, id: &str) -> Option<&OrganizationRow> {
        self.organizations.get(id)
    }

    /// The team whose `team_id` is `id` (exactly).
    #[must_use]
    pub fn team(&self, id: &str) -> Option<&TeamRow> {
        self.teams.get(id)
    }

    /// The user whose `user_id` is `id` (exactly).
    #[must_use]
    pub fn user(&self, id: &str) -> Option<&UserRow> {
        self.users.get(id)
    }

    /// The agent whose `agent_id` is `id` (exactly).
    #[must_use]
    pub fn agent(&self, id: &str) -> Option<&AgentRow> {
        self.agents.get(id)
    }

    /// The end user whose `user_id` is `id` (exactly).
    #[must_use]
    pub fn end_user(&self, id: &str) -> Option<&EndUserRow> {
        self.end_users.get(id)
    }

    /// `key` with the rows of this export that its ids name ([`KeyRows::missing`] lists
    /// the ids the export has no row for).
    #[must_use]
    pub fn rows_for<'a>(&'a self, key: &'a KeyRow) -> KeyRows<'a> {
        let mut rows = KeyRows::new(key);
        rows.team = key.team_id().and_then(|id| self.team(id));
        rows.organization = rows.organization_id().and_then(|id| self.organization(id));
        rows.user = key.user_id().and_then(|id| self.user(id));
        rows.agent = key.agent_id().and_then(|id| self.agent(id));
        rows
    }

    /// `key`'s request ([`KeyRows::request`] of [`Deployment::rows_for`]) with the export's
    /// settings.
    #[must_use]
    pub fn request_for<'a>(&'a self, key: &'a KeyRow) -> Request<'a> {
        self.rows_for(key).request().settings(self.settings)
    }
}

impl<'de> Deserialize<'de> for Deployment {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Deployment;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a deployment export (a JSON object)")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Deployment, A::Error> {
                let mut servers = None;
                let mut toolsets = None;
                let mut settings: Option<Option<Settings>> = None;
                let mut organizations = None;
                let mut teams = None;
                let mut users = None;
                let mut agents = None;
                let mut keys = None;
                let mut end_users = None;
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "servers" => list_once(&mut map, &mut servers, "servers")?,
                        "toolsets" => list_once(&mut map, &mut toolsets, "toolsets")?,
                        "settings" => set_once(&mut settings, "settings", || map.next_value())?,
                        "organizations" => {
                            list_once(&mut map, &mut organizations, "organizations")?;
                        }
                        "teams" => list_once(&mut map, &mut teams, "teams")?,
                        "users" => list_once(&mut map, &mut users, "users")?,
                        "agents" => list_once(&mut map, &mut agents, "agents")?,
                        "keys" => list_once(&mut map, &mut keys, "keys")?,
                        "end_users" => list_once(&mut map, &mut end_users, "end_users")?,
                        // An export may carry other tables (budgets, models, ...).
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                let servers = servers.ok_or_else(|| de::Error::missing_field("servers"))?;
                let mut problems = Vec::new();
                let deployment = Deployment {
                    servers,
                    toolsets: toolsets.unwrap_or_default(),
                    settings: settings.flatten().unwrap_or_default(),
                    organizations: Table::new(organizations.unwrap_or_default(), &mut problems),
                    teams: Table::new(teams.unwrap_or_default(), &mut problems),
                    users: Table::new(users.unwrap_or_default(), &mut problems),
                    agents: Table::new(agents.unwrap_or_default(), &mut problems),
                    by_token: tokens(keys.as_deref().unwrap_or_default(), &mut problems),
                    keys: keys.unwrap_or_default(),
                    end_users: Table::new(end_users.unwrap_or_default(), &mut problems),
                };
                match problems.as_slice() {
                    [] => Ok(deployment),
                    [one] => Err(de::Error::custom(one)),
                    many => Err(de::Error::custom(format_args!(
                        "{} problems: {}",
                        many.len(),
                        many.join("; ")
                    ))),
                }
            }
        }
        d.deserialize_map(V)
    }
}
