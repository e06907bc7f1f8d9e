//! The rows of the levels a key names (teams, organizations, users, agents) and of end
//! users.

use serde::Serialize;
use serde::de::{Deserialize, Deserializer};

use super::read::{Fields, Shape};
use crate::error::ParseError;
use crate::permission::ObjectPermission;

/// A team (LiteLLM_TeamTable): `team_id` (required), `team_alias`, `organization_id` and
/// `object_permission`; other columns are ignored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TeamRow {
    team_id: String,
    team_alias: Option<String>,
    organization_id: Option<String>,
    object_permission: Option<ObjectPermission>,
}

static TEAM: Shape = Shape {
    expecting: "a team row (a JSON object)",
    id: Some(("team_id", None)),
    strings: &["team_alias", "organization_id"],
};

impl<'de> Deserialize<'de> for TeamRow {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut f = Fields::read(d, &TEAM)?;
        Ok(Self {
            team_alias: f.take("team_alias"),
            organization_id: f.take("organization_id"),
            team_id: f.id,
            object_permission: f.permission,
        })
    }
}

impl TeamRow {
    /// A team with this id, no alias, no organization and no permission.
    pub fn new(id: impl Into<String>) -> Self {
        Self {
            team_id: id.into(),
            team_alias: None,
            organization_id: None,
            object_permission: None,
        }
    }

    /// Reads a team row from JSON text.
    ///
    /// # Errors
    /// The text is not a JSON object, `team_id` is missing, or a column the crate reads has
    /// the wrong type; the message names the field and the value.
    pub fn from_json(json: &str) -> Result<Self, ParseError> {
        serde_json::from_str(json).map_err(|e| ParseError::json("team row", &e))
    }

    /// Sets `team_alias`.
    #[must_use]
    pub fn with_alias(mut self, alias: impl Into<String>) -> Self {
        self.team_alias = Some(alias.into());
        self
    }

    /// Sets `organization_id`.
    #[must_use]
    pub fn with_organization(mut self, organization_id: impl Into<String>) -> Self {
        self.organization_id = Some(organization_id.into());
        self
    }

    /// Sets `object_permission`.
    #[must_use]
    pub fn with_permission(mut self, permission: ObjectPermission) -> Self {
        self.object_permission = Some(permission);
        self
    }

    /// `team_id`.
    #[must_use]
    pub fn id(&self) -> &str {
        &self.team_id
    }

    /// `team_alias`, if set.
    #[must_use]
    pub fn alias(&self) -> Option<&str> {
        self.team_alias.as_deref()
    }

    /// `organization_id`, if the team belongs to one.
    #[must_use]
    pub fn organization_id(&self) -> Option<&str> {
        self.organization_id.as_deref()
    }

    /// `object_permission`, if the row has one.
    #[must_use]
    pub fn object_permission(&self) -> Option<&ObjectPermission> {
        self.object_permission.as_ref()
    }
}

/// An organization (LiteLLM_OrganizationTable): `organization_id` (required),
/// `organization_alias` and `object_permission`; other columns are ignored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrganizationRow {
    organization_id: String,
    organization_alias: Option<String>,
    object_permission: Option<ObjectPermission>,
}

static ORGANIZATION: Shape = Shape {
    expecting: "an organization row (a JSON object)",
    id: Some(("organization_id", None)),
    strings: &["organization_alias"],
};

impl<'de> Deserialize<'de> for OrganizationRow {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut f = Fields::read(d, &ORGANIZATION)?;
        Ok(Self {
            organization_alias: f.take("organization_alias"),
            organization_id: f.id,
            object_permission: f.permission,
        })
    }
}

impl OrganizationRow {
    /// An organization with this id, no alias and no permission.
    pub fn new(id: impl Into<String>) -> Self {
        Self {
            organization_id: id.into(),
            organization_alias: None,
            object_permission: None,
        }
    }

    /// Reads an organization row from JSON text.
    ///
    /// # Errors
    /// The text is not a JSON object, `organization_id` is missing, or a column the crate
    /// reads has the wrong type; the message names the field and the value.
    pub fn from_json(json: &str) -> Result<Self, ParseError> {
        serde_json::from_str(json).map_err(|e| ParseError::json("organization row", &e))
    }

    /// Sets `organization_alias`.
    #[must_use]
    pub fn with_alias(mut self, alias: impl Into<String>) -> Self {
        self.organization_alias = Some(alias.into());
        self
    }

    /// Sets `object_permission`.
    #[must_use]
    pub fn with_permission(mut self, permission: ObjectPermission) -> Self {
        self.object_permission = Some(permission);
        self
    }

    /// `organization_id`.
    #[must_use]
    pub fn id(&self) -> &str {
        &self.organization_id
    }

    /// `organization_alias`, if set.
    #[must_use]
    pub fn alias(&self) -> Option<&str> {
        self.organization_alias.as_deref()
    }

    /// `object_permission`, if the row has one.
    #[must_use]
    pub fn object_permission(&self) -> Option<&ObjectPermission> {
        self.object_permission.as_ref()
    }
}

/// An internal user (LiteLLM_UserTable), the owner of keys: `user_id` (required),
/// `user_role` and `object_permission`; other columns are ignored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserRow {
    user_id: String,
    user_role: Option<String>,
    object_permission: Option<ObjectPermission>,
}

static USER: Shape = Shape {
    expecting: "a user row (a JSON object)",
    id: Some(("user_id", None)),
    strings: &["user_role"],
};

impl<'de> Deserialize<'de> for UserRow {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut f = Fields::read(d, &USER)?;
        Ok(Self {
            user_role: f.take("user_role"),
            user_id: f.id,
            object_permission: f.permission,
        })
    }
}

impl UserRow {
    /// LiteLLM's roles that have the proxy-admin view (SPEC 3.4).
    pub const ADMIN_ROLES: [&'static str; 2] = ["proxy_admin", "proxy_admin_viewer"];

    /// A user with this id, no role and no permission.
    pub fn new(id: impl Into<String>) -> Self {
        Self {
            user_id: id.into(),
            user_role: None,
            object_permission: None,
        }
    }

    /// Reads a user row from JSON text.
    ///
    /// # Errors
    /// The text is not a JSON object, `user_id` is missing, or a column the crate reads has
    /// the wrong type; the message names the field and the value.
    pub fn from_json(json: &str) -> Result<Self, ParseError> {
        serde_json::from_str(json).map_err(|e| ParseError::json("user row", &e))
    }

    /// Sets `user_role` (`proxy_admin`, `internal_user`, ...).
    #[must_use]
    pub fn with_role(mut self, role: impl Into<String>) -> Self {
        self.user_role = Some(role.into());
        self
    }

    /// Sets `object_permission`.
    #[must_use]
    pub fn with_permission(mut self, permission: ObjectPermission) -> Self {
        self.object_permission = Some(permission);
        self
    }

    /// `user_id`.
    #[must_use]
    pub fn id(&self) -> &str {
        &self.user_id
    }

    /// `user_role`, if set.
    #[must_use]
    pub fn role(&self) -> Option<&str> {
        self.user_role.as_deref()
    }

    /// Whether the role has the proxy-admin view: `proxy_admin` or `proxy_admin_viewer`
    /// (exactly; LiteLLM compares roles as written).
    #[must_use]
    pub fn is_admin(&self) -> bool {
        self.user_role
            .as_deref()
            .is_some_and(|role| Self::ADMIN_ROLES.contains(&role))
    }

    /// `object_permission`, if the row has one.
    #[must_use]
    pub fn object_permission(&self) -> Option<&ObjectPermission> {
        self.object_permission.as_ref()
    }
}

/// An agent (LiteLLM_AgentsTable): `agent_id` (required), `agent_name` and
/// `object_permission`; other columns are ignored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AgentRow {
    agent_id: String,
    agent_name: Option<String>,
    object_permission: Option<ObjectPermission>,
}

static AGENT: Shape = Shape {
    expecting: "an agent row (a JSON object)",
    id: Some(("agent_id", None)),
    strings: &["agent_name"],
};

impl<'de> Deserialize<'de> for AgentRow {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut f = Fields::read(d, &AGENT)?;
        Ok(Self {
            agent_name: f.take("agent_name"),
            agent_id: f.id,
            object_permission: f.permission,
        })
    }
}

impl AgentRow {
    /// An agent with this id, no name and no permission.
    pub fn new(id: impl Into<String>) -> Self {
        Self {
            agent_id: id.into(),
            agent_name: None,
            object_permission: None,
        }
    }

    /// Reads an agent row from JSON text.
    ///
    /// # Errors
    /// The text is not a JSON object, `agent_id` is missing, or a column the crate reads
    /// has the wrong type; the message names the field and the value.
    pub fn from_json(json: &str) -> Result<Self, ParseError> {
        serde_json::from_str(json).map_err(|e| ParseError::json("agent row", &e))
    }

    /// Sets `agent_name`.
    #[must_use]
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.agent_name = Some(name.into());
        self
    }

    /// Sets `object_permission`.
    #[must_use]
    pub fn with_permission(mut self, permission: ObjectPermission) -> Self {
        self.object_permission = Some(permission);
        self
    }

    /// `agent_id`.
    #[must_use]
    pub fn id(&self) -> &str {
        &self.agent_id
    }

    /// `agent_name`, if set.
    #[must_use]
    pub fn name(&self) -> Option<&str> {
        self.agent_name.as_deref()
    }

    /// `object_permission`, if the row has one.
    #[must_use]
    pub fn object_permission(&self) -> Option<&ObjectPermission> {
        self.object_permission.as_ref()
    }
}

/// An end user (LiteLLM_EndUserTable, LiteLLM's "customer"): `user_id` (required; also read
/// as `end_user_id`), `alias` and `object_permission`; other columns are ignored.
///
/// An end user is not one of a key's rows (a key serves many end users): add one to a
/// key's request with [`Request::end_user`](crate::Request::end_user).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EndUserRow {
    user_id: String,
    alias: Option<String>,
    object_permission: Option<ObjectPermission>,
}

static END_USER: Shape = Shape {
    expecting: "an end user row (a JSON object)",
    id: Some(("user_id", Some("end_user_id"))),
    strings: &["alias"],
};

impl<'de> Deserialize<'de> for EndUserRow {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut f = Fields::read(d, &END_USER)?;
        Ok(Self {
            alias: f.take("alias"),
            user_id: f.id,
            object_permission: f.permission,
        })
    }
}

impl EndUserRow {
    /// An end user with this id, no alias and no permission.
    pub fn new(id: impl Into<String>) -> Self {
        Self {
            user_id: id.into(),
            alias: None,
            object_permission: None,
        }
    }

    /// Reads an end user row from JSON text.
    ///
    /// # Errors
    /// The text is not a JSON object, `user_id` (or `end_user_id`) is missing or given
    /// twice, or a column the crate reads has the wrong type; the message names the field
    /// and the value.
    pub fn from_json(json: &str) -> Result<Self, ParseError> {
        serde_json::from_str(json).map_err(|e| ParseError::json("end user row", &e))
    }

    /// Sets `alias`.
    #[must_use]
    pub fn with_alias(mut self, alias: impl Into<String>) -> Self {
        self.alias = Some(alias.into());
        self
    }

    /// Sets `object_permission`.
    #[must_use]
    pub fn with_permission(mut self, permission: ObjectPermission) -> Self {
        self.object_permission = Some(permission);
        self
    }

    /// `user_id`, the end user's id.
    #[must_use]
    pub fn id(&self) -> &str {
        &self.user_id
    }

    /// `alias`, if set.
    #[must_use]
    pub fn alias(&self) -> Option<&str> {
        self.alias.as_deref()
    }

    /// `object_permission`, if the row has one.
    #[must_use]
    pub fn object_permission(&self) -> Option<&ObjectPermission> {
        self.object_permission.as_ref()
    }
}
