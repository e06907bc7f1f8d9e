//! A key's row, and a key with the rows its ids name.

use serde::Serialize;
use serde::de::{Deserialize, Deserializer};

use super::read::{Fields, Shape};
use super::rows::{AgentRow, OrganizationRow, TeamRow, UserRow};
use crate::error::ParseError;
use crate::level::Level;
use crate::permission::{NO_PERMISSION, ObjectPermission};
use crate::request::{PermissionRef, Request};

/// A key (LiteLLM_VerificationToken, or the `info` of `GET /key/info`): its own
/// `object_permission` and the ids of the rows that make up the rest of its request.
///
/// Reads `token` (the hashed key a gateway authenticates by), `key_alias`, `key_name`,
/// `team_id`, `organization_id`, `user_id` (the key's owner, an internal user), `agent_id`
/// and `object_permission`, each optional; other columns are ignored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct KeyRow {
    #[serde(skip_serializing_if = "Option::is_none")]
    token: Option<String>,
    key_alias: Option<String>,
    key_name: Option<String>,
    team_id: Option<String>,
    organization_id: Option<String>,
    user_id: Option<String>,
    agent_id: Option<String>,
    object_permission: Option<ObjectPermission>,
}

static KEY: Shape = Shape {
    expecting: "a key row (a JSON object)",
    id: None,
    strings: &[
        "token",
        "key_alias",
        "key_name",
        "team_id",
        "organization_id",
        "user_id",
        "agent_id",
    ],
};

impl<'de> Deserialize<'de> for KeyRow {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut f = Fields::read(d, &KEY)?;
        Ok(Self {
            token: f.take("token"),
            key_alias: f.take("key_alias"),
            key_name: f.take("key_name"),
            team_id: f.take("team_id"),
            organization_id: f.take("organization_id"),
            user_id: f.take("user_id"),
            agent_id: f.take("agent_id"),
            object_permission: f.permission,
        })
    }
}

impl KeyRow {
    /// A key with no alias, no permission and no team, organization, owner or agent.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads a key row from JSON text.
    ///
    /// # Errors
    /// The text is not a JSON object or a column the crate reads has the wrong type; the
    /// message names the field and the value.
    pub fn from_json(json: &str) -> Result<Self, ParseError> {
        serde_json::from_str(json).map_err(|e| ParseError::json("key row", &e))
    }

    /// Sets `token`: the key as LiteLLM stores it, the hex SHA-256 of the `sk-...` key.
    #[must_use]
    pub fn with_token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// `token` (the hex SHA-256 of the key, as LiteLLM stores it), if set.
    #[must_use]
    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    /// Sets `key_alias`.
    #[must_use]
    pub fn with_alias(mut self, alias: impl Into<String>) -> Self {
        self.key_alias = Some(alias.into());
        self
    }

    /// Sets `key_name`.
    #[must_use]
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.key_name = Some(name.into());
        self
    }

    /// Sets `team_id`: the key is on that team.
    #[must_use]
    pub fn with_team(mut self, team_id: impl Into<String>) -> Self {
        self.team_id = Some(team_id.into());
        self
    }

    /// Sets `organization_id`.
    #[must_use]
    pub fn with_organization(mut self, organization_id: impl Into<String>) -> Self {
        self.organization_id = Some(organization_id.into());
        self
    }

    /// Sets `user_id`, the key's owner.
    #[must_use]
    pub fn with_user(mut self, user_id: impl Into<String>) -> Self {
        self.user_id = Some(user_id.into());
        self
    }

    /// Sets `agent_id`, the agent the key acts for.
    #[must_use]
    pub fn with_agent(mut self, agent_id: impl Into<String>) -> Self {
        self.agent_id = Some(agent_id.into());
        self
    }

    /// Sets `object_permission`.
    #[must_use]
    pub fn with_permission(mut self, permission: ObjectPermission) -> Self {
        self.object_permission = Some(permission);
        self
    }

    /// `key_alias`, if set.
    #[must_use]
    pub fn alias(&self) -> Option<&str> {
        self.key_alias.as_deref()
    }

    /// `key_name` (LiteLLM's abbreviated key, `sk-...abcd`), if set.
    #[must_use]
    pub fn name(&self) -> Option<&str> {
        self.key_name.as_deref()
    }

    /// `team_id`, or `None` when the key is on no team.
    #[must_use]
    pub fn team_id(&self) -> Option<&str> {
        self.team_id.as_deref()
    }

    /// `organization_id`: the key's own organization, if set.
    #[must_use]
    pub fn organization_id(&self) -> Option<&str> {
        self.organization_id.as_deref()
    }

    /// `user_id`: the internal user who owns the key, if set.
    #[must_use]
    pub fn user_id(&self) -> Option<&str> {
        self.user_id.as_deref()
    }

    /// `agent_id`: the agent the key acts for, if set.
    #[must_use]
    pub fn agent_id(&self) -> Option<&str> {
        self.agent_id.as_deref()
    }

    /// `object_permission`, if the row has one.
    #[must_use]
    pub fn object_permission(&self) -> Option<&ObjectPermission> {
        self.object_permission.as_ref()
    }
}

/// A key with the rows its ids name: its team, its organization, its owner and its agent.
///
/// The key's ids decide which levels the request has: a key with a `team_id` is on a team
/// (one whose row is not given, or has no `object_permission`, is a team with an empty
/// permission), and its organization is its own `organization_id`, else its team's. The
/// rows only supply those levels' permissions (and the owner's role); a row is used for
/// the level the key names, whatever its own id, and a row for a level the key does not
/// name is not used.
#[derive(Debug, Clone, Copy)]
pub struct KeyRows<'a> {
    key: &'a KeyRow,
    pub(super) team: Option<&'a TeamRow>,
    pub(super) organization: Option<&'a OrganizationRow>,
    pub(super) user: Option<&'a UserRow>,
    pub(super) agent: Option<&'a AgentRow>,
}

impl<'a> KeyRows<'a> {
    /// The key, with none of its rows yet.
    #[must_use]
    pub fn new(key: &'a KeyRow) -> Self {
        Self {
            key,
            team: None,
            organization: None,
            user: None,
            agent: None,
        }
    }

    /// The row of the key's team.
    #[must_use]
    pub fn with_team(mut self, team: &'a TeamRow) -> Self {
        self.team = Some(team);
        self
    }

    /// The row of the key's organization (its own, else its team's).
    #[must_use]
    pub fn with_organization(mut self, organization: &'a OrganizationRow) -> Self {
        self.organization = Some(organization);
        self
    }

    /// The row of the key's owner.
    #[must_use]
    pub fn with_user(mut self, user: &'a UserRow) -> Self {
        self.user = Some(user);
        self
    }

    /// The row of the agent the key acts for.
    #[must_use]
    pub fn with_agent(mut self, agent: &'a AgentRow) -> Self {
        self.agent = Some(agent);
        self
    }

    /// The key.
    #[must_use]
    pub fn key(&self) -> &'a KeyRow {
        self.key
    }

    /// The team's row, if the key is on a team and the row is given.
    #[must_use]
    pub fn team(&self) -> Option<&'a TeamRow> {
        self.key.team_id().and(self.team)
    }

    /// The id of the key's organization: its own `organization_id`, else its team's.
    #[must_use]
    pub fn organization_id(&self) -> Option<&'a str> {
        self.key
            .organization_id()
            .or_else(|| self.team().and_then(TeamRow::organization_id))
    }

    /// The organization's row, if the key has an organization and the row is given.
    #[must_use]
    pub fn organization(&self) -> Option<&'a OrganizationRow> {
        self.organization_id().and(self.organization)
    }

    /// The owner's row, if the key has an owner and the row is given.
    #[must_use]
    pub fn user(&self) -> Option<&'a UserRow> {
        self.key.user_id().and(self.user)
    }

    /// The agent's row, if the key acts for an agent and the row is given.
    #[must_use]
    pub fn agent(&self) -> Option<&'a AgentRow> {
        self.key.agent_id().and(self.agent)
    }

    /// Whether the caller has the proxy-admin view: the owner's row has an admin role
    /// ([`UserRow::is_admin`]).
    #[must_use]
    pub fn is_admin(&self) -> bool {
        self.user().is_some_and(UserRow::is_admin)
    }

    /// Each level whose id the key names but whose row is not given, with that id: team,
    /// organization, user, agent, in that order. The request resolves a missing team as a
    /// team with an empty permission, and a missing organization, owner or agent as none
    /// (so a missing owner also gives no admin view).
    pub fn missing(&self) -> impl Iterator<Item = (Level, &'a str)> + use<'a> {
        [
            (Level::Team, self.key.team_id(), self.team.is_some()),
            (
                Level::Organization,
                self.organization_id(),
                self.organization.is_some(),
            ),
            (Level::User, self.key.user_id(), self.user.is_some()),
            (Level::Agent, self.key.agent_id(), self.agent.is_some()),
        ]
        .into_iter()
        .filter_map(|(level, id, found)| match id {
            Some(id) if !found => Some((level, id)),
            _ => None,
        })
    }

    /// The key's request: the organization's, the team's, the key's, the owner's and the
    /// agent's permissions, and the admin view from the owner's role. No end user, default
    /// settings and semantics: set those on the request.
    #[must_use]
    pub fn request(&self) -> Request<'a> {
        let raw = |p: Option<&'a ObjectPermission>| p.map(PermissionRef::Raw);
        let team = self.key.team_id().map(|_| {
            self.team()
                .and_then(TeamRow::object_permission)
                .unwrap_or(&*NO_PERMISSION)
        });
        Request::new()
            .level(
                Level::Organization,
                raw(self
                    .organization()
                    .and_then(OrganizationRow::object_permission)),
            )
            .team_opt(team)
            .key_opt(self.key.object_permission())
            .level(
                Level::User,
                raw(self.user().and_then(UserRow::object_permission)),
            )
            .level(
                Level::Agent,
                raw(self.agent().and_then(AgentRow::object_permission)),
            )
            .admin(self.is_admin())
    }
}
