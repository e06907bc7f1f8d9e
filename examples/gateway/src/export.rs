//! A LiteLLM-shaped export, loaded for serving: the crate's [`Deployment`] and the
//! registry it builds, plus where each server is, which the crate's row types leave out.
//!
//! - **Tokens.** LiteLLM keeps a virtual key (`sk-...`) as the hex SHA-256 of the key in
//!   the `token` column of `LiteLLM_VerificationToken`; the gateway hashes the bearer key
//!   and asks [`Deployment::key_by_token`]. A key row without a `token` cannot be used to
//!   call.
//! - **Upstreams.** A server's `url` column is where the gateway forwards. `builtin:NAME`
//!   names an upstream this process started (the example's own servers, whose loopback
//!   ports are chosen at start); any other value is used as the streamable HTTP address.

use std::collections::HashMap;
use std::fmt;

use mcp_authz::litellm::{Deployment, EndUserRow, KeyRow};
use mcp_authz::{Resolution, ServerRegistry};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// Where `builtin:NAME` upstreams listen: NAME to streamable HTTP URL.
pub type Builtins = HashMap<String, String>;

/// An export ready to serve. Built once per load; a reload builds a new one.
#[derive(Debug)]
pub struct Export {
    deployment: Deployment,
    registry: ServerRegistry,
    /// Server id to the upstream URL the gateway forwards to.
    upstreams: HashMap<String, String>,
}

/// Who is calling: the key a bearer token is, and the end user a header names.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Caller {
    /// The hex SHA-256 of the bearer key: the key row's `token`.
    token: String,
    end_user: Option<String>,
}

/// An export that cannot be served; the gateway keeps the one it has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadError {
    /// The crate refused the export (its message, unchanged).
    Crate(String),
    /// What the gateway itself needs is wrong: every problem, one per entry.
    Gateway(Vec<String>),
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Crate(message) => f.write_str(message),
            Self::Gateway(problems) => f.write_str(&problems.join("; ")),
        }
    }
}

impl std::error::Error for LoadError {}

/// The hex SHA-256 of a key, as LiteLLM stores it in `token`.
#[must_use]
pub fn hash_token(key: &str) -> String {
    use fmt::Write as _;
    Sha256::digest(key.as_bytes())
        .iter()
        .fold(String::with_capacity(64), |mut hex, byte| {
            let _ = write!(hex, "{byte:02x}");
            hex
        })
}

impl Export {
    /// Reads and checks an export.
    ///
    /// # Errors
    /// The crate's message when [`Deployment::from_json`] or [`Deployment::registry`]
    /// refuses it (a token on two keys among them); otherwise every problem with a
    /// server's `url`.
    pub fn load(text: &str, builtins: &Builtins) -> Result<Self, LoadError> {
        let deployment =
            Deployment::from_json(text).map_err(|e| LoadError::Crate(e.to_string()))?;
        let registry = deployment
            .registry()
            .map_err(|e| LoadError::Crate(e.to_string()))?;
        // INVARIANT: the crate accepted the text, so it is a JSON object.
        let raw: Value = serde_json::from_str(text).map_err(|e| LoadError::Crate(e.to_string()))?;
        let mut problems = Vec::new();
        let upstreams = upstreams(&raw, &registry, builtins, &mut problems);
        if problems.is_empty() {
            Ok(Self {
                deployment,
                registry,
                upstreams,
            })
        } else {
            Err(LoadError::Gateway(problems))
        }
    }

    /// The registry (a cheap handle).
    #[must_use]
    pub fn registry(&self) -> &ServerRegistry {
        &self.registry
    }

    /// The caller a bearer key and an end-user id make, when the key is one of the export's.
    #[must_use]
    pub fn caller(&self, bearer: &str, end_user: Option<&str>) -> Option<Caller> {
        let token = hash_token(bearer);
        self.deployment.key_by_token(&token)?;
        Some(Caller {
            token,
            end_user: end_user.map(str::to_owned),
        })
    }

    /// The key row of a caller.
    #[must_use]
    pub fn key(&self, caller: &Caller) -> Option<&KeyRow> {
        self.deployment.key_by_token(&caller.token)
    }

    /// What a caller may see and call: the key's request (team, organization, owner,
    /// agent, settings) with the end user, when one is named. An end user the export has
    /// no row for is still identified, with no permission of its own. `None` for a caller
    /// made by another export.
    #[must_use]
    pub fn resolve(&self, caller: &Caller) -> Option<Resolution<'_>> {
        let key = self.key(caller)?;
        let mut request = self.deployment.request_for(key);
        if let Some(id) = &caller.end_user {
            request = request.end_user(
                self.deployment
                    .end_user(id)
                    .and_then(EndUserRow::object_permission),
            );
        }
        Some(self.registry.resolve_allowed_servers(&request))
    }

    /// Where the server with this id is served.
    #[must_use]
    pub fn upstream(&self, server_id: &str) -> Option<&str> {
        self.upstreams.get(server_id).map(String::as_str)
    }
}

/// `servers[i].url` by server id, `builtin:NAME` replaced by that upstream's URL.
fn upstreams(
    raw: &Value,
    registry: &ServerRegistry,
    builtins: &Builtins,
    problems: &mut Vec<String>,
) -> HashMap<String, String> {
    let rows = raw.get("servers").and_then(Value::as_array);
    let mut upstreams = HashMap::new();
    // INVARIANT: the registry holds the export's servers in export order.
    for (index, server) in registry.servers().enumerate() {
        let id = server.id().as_str();
        let url = rows
            .and_then(|rows| rows.get(index))
            .and_then(|row| row.get("url"))
            .and_then(Value::as_str);
        match target(id, url, builtins) {
            Ok(target) => {
                upstreams.insert(id.to_owned(), target);
            }
            Err(problem) => problems.push(problem),
        }
    }
    upstreams
}

/// The URL a server's `url` column names, or the problem with it.
fn target(id: &str, url: Option<&str>, builtins: &Builtins) -> Result<String, String> {
    let Some(url) = url else {
        return Err(format!("server `{id}` has no `url` to forward to"));
    };
    if let Some(name) = url.strip_prefix("builtin:") {
        return builtins.get(name).cloned().ok_or_else(|| {
            format!("server `{id}` names `{url}`, an upstream this gateway does not run")
        });
    }
    if url.starts_with("http://") || url.starts_with("https://") {
        Ok(url.to_owned())
    } else {
        Err(format!(
            "server `{id}` has url `{url}`: the gateway forwards over streamable HTTP only"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn builtins() -> Builtins {
        [("one".to_owned(), "http://127.0.0.1:1/mcp".to_owned())].into()
    }

    #[test]
    fn hashes_keys_as_litellm_stores_them() {
        // sha256("sk-1234") (`printf %s sk-1234 | sha256sum`), as LiteLLM's hash_token
        // computes it.
        assert_eq!(
            hash_token("sk-1234"),
            "88dc28d0f030c55ed4ab77ed8faf098196cb1c05df778539800c9f1243fe6b4b"
        );
    }

    #[test]
    fn finds_a_key_by_its_token_and_routes_builtins() {
        let text = format!(
            r#"{{"servers": [{{"server_id": "s1", "url": "builtin:one", "allow_all_keys": true}}],
                "keys": [{{"key_alias": "a"}}, {{"key_alias": "b", "token": "{}"}}]}}"#,
            hash_token("sk-b")
        );
        let export = Export::load(&text, &builtins()).unwrap();
        let caller = export.caller("sk-b", None).unwrap();
        assert_eq!(export.key(&caller).unwrap().alias(), Some("b"));
        assert_eq!(export.caller("sk-a", None), None);
        assert_eq!(export.upstream("s1"), Some("http://127.0.0.1:1/mcp"));
        let ids: Vec<_> = export
            .resolve(&caller)
            .unwrap()
            .servers()
            .map(|v| v.server().id().as_str().to_owned())
            .collect();
        assert_eq!(ids, ["s1"]);
    }

    #[test]
    fn a_token_on_two_keys_is_the_crates_to_refuse() {
        let err = Export::load(
            r#"{"servers": [], "keys": [{"token": "x"}, {"token": "x"}]}"#,
            &builtins(),
        )
        .unwrap_err();
        assert_eq!(
            err,
            LoadError::Crate(
                "invalid deployment: duplicate `token` `x` at `keys[1]` at line 1 column 57"
                    .to_owned()
            )
        );
    }

    #[test]
    fn refuses_with_the_crate_message() {
        let err = Export::load(
            r#"{"servers": [{"server_id": "a"}, {"server_id": "a"}]}"#,
            &builtins(),
        )
        .unwrap_err();
        assert_eq!(err, LoadError::Crate(
                "invalid server registry: duplicate server id `a` at position 1 (first at position 0)"
                    .to_owned()
            ));
    }

    #[test]
    fn reports_every_gateway_problem() {
        let text = r#"{"servers": [{"server_id": "a", "url": "builtin:two"}, {"server_id": "b"},
                                   {"server_id": "c", "url": "stdio"}],
                       "keys": [{"token": "x"}, {"token": "y"}]}"#;
        let err = Export::load(text, &builtins()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "server `a` names `builtin:two`, an upstream this gateway does not run; \
             server `b` has no `url` to forward to; \
             server `c` has url `stdio`: the gateway forwards over streamable HTTP only"
        );
    }
}
