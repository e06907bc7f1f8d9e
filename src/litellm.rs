//! LiteLLM's own rows, read from its JSON unchanged, and a whole deployment made of them.
//!
//! A LiteLLM proxy keeps the levels of a request in its database: keys
//! (`LiteLLM_VerificationToken`), teams, organizations, internal users, agents and end users,
//! each with an `object_permission`. The row types here read those rows as LiteLLM's tables
//! and API spell them. The columns the crate uses are checked, and a wrong type names the
//! field and the value; every other column (`spend`, `models`, `metadata`, `token`, ...) is
//! ignored; `object_permission` is read by [`ObjectPermission`]'s own rules, so an unknown
//! `mcp_*` member in it is still an error.
//!
//! [`KeyRows`] turns a key and the rows its ids name into a [`Request`], the way LiteLLM
//! assembles one (SPEC 1.3). [`Deployment`] holds every row of an export, finds a key's rows
//! by id, and builds the server registry.
//!
//! [`ObjectPermission`]: crate::ObjectPermission
//! [`Request`]: crate::Request
//!
//! ```
//! use mcp_authz::litellm::{KeyRow, KeyRows, TeamRow};
//! use mcp_authz::{Level, ObjectPermission};
//!
//! // A key and its team as a gateway fetched them from LiteLLM's database.
//! let key = KeyRow::from_json(
//!     r#"{"token": "88dc28d0f030c55ed4ab77ed8faf098196cb1c05df778539800c9f1243fe6b4b",
//!         "key_alias": "ci-bot", "spend": 0.0, "models": [], "team_id": "team-platform",
//!         "user_id": "alice",
//!         "object_permission": {"object_permission_id": "op-1", "mcp_servers": ["gh"]}}"#,
//! )?;
//! let team = TeamRow::from_json(r#"{"team_id": "team-platform", "team_alias": "platform"}"#)?;
//!
//! let rows = KeyRows::new(&key).with_team(&team);
//! // The key names its owner `alice`, whose row was not fetched: the request has no user
//! // level and no admin view.
//! assert_eq!(rows.missing().collect::<Vec<_>>(), [(Level::User, "alice")]);
//! let request = rows.request();
//! assert_eq!(request.permission(Level::Key), key.object_permission());
//! // The team row has no `object_permission`: the key is on a team with an empty one.
//! assert_eq!(request.permission(Level::Team), Some(&ObjectPermission::new()));
//! # Ok::<(), mcp_authz::ParseError>(())
//! ```

mod deployment;
mod key;
mod read;
mod rows;

pub use deployment::Deployment;
pub use key::{KeyRow, KeyRows};
pub use rows::{AgentRow, EndUserRow, OrganizationRow, TeamRow, UserRow};

#[cfg(test)]
mod tests;
