//! JSON scenarios: a registry and one request in, the resolution out.
//!
//! The format is the one `examples/resolve.rs` reads (see [the scenario guide](crate::guide::scenarios)): test harnesses
//! feed scenarios to the crate, and the crate's own test vectors are scenarios with an
//! `expect` member.

use std::fmt;

use indexmap::IndexMap;
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value, json};

use crate::de::{ListMap, Nullable, opt_bool, opt_string, opt_string_list, set_once};
use crate::error::{ParseError, RegistryError};
use crate::groups::MapAccessGroups;
use crate::level::Level;
use crate::permission::{ObjectPermission, PermissionSeed};
use crate::registry::ServerRegistry;
use crate::request::{PermissionRef, Request, Settings};
use crate::resolution::Resolution;
use crate::semantics::Semantics;
use crate::server::McpServer;
use crate::toolset::Toolset;

/// One call to decide: by server reference and bare tool, or by prefixed name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScenarioCall {
    /// `{"server": ref, "tool": bare}`.
    Tool {
        /// A server reference (id, alias or name).
        server: String,
        /// The bare tool name.
        tool: String,
    },
    /// `{"name": prefixed}`, mapped back with separator `-`.
    Prefixed {
        /// The prefixed tool name.
        name: String,
    },
}

/// A scenario: a registry, one request, and optionally tools to filter and calls to check.
///
/// ```
/// use mcp_authz::scenario::Scenario;
/// use serde_json::json;
///
/// let scenario = Scenario::from_json(r#"{
///     "servers": [{"server_id": "srv-a", "alias": "gh"}],
///     "key": {"mcp_servers": [], "mcp_tool_permissions": {"gh": ["create_issue"]}},
///     "calls": [{"server": "gh", "tool": "create_issue"}, {"name": "gh-delete_repo"}]
/// }"#)?;
/// let output = scenario.run()?;
/// assert_eq!(output["servers"], json!([{"server_id": "srv-a", "tools": {"allow": ["create_issue"]}}]));
/// assert_eq!(output["calls"][0]["allowed"], true);
/// assert_eq!(output["calls"][1]["allowed"], false);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Scenario {
    /// The registry's servers.
    pub servers: Vec<McpServer>,
    /// The registry's toolsets.
    pub toolsets: Vec<Toolset>,
    /// Access-group membership to use instead of the servers' own, if given.
    pub access_groups: Option<MapAccessGroups>,
    /// The key's permission.
    pub key: Option<ObjectPermission>,
    /// The team's permission.
    pub team: Option<ObjectPermission>,
    /// The end user's permission.
    pub end_user: Option<ObjectPermission>,
    /// The organization's permission.
    pub organization: Option<ObjectPermission>,
    /// The permission of the user who owns the key.
    pub user: Option<ObjectPermission>,
    /// The permission of the agent the request acts for.
    pub agent: Option<ObjectPermission>,
    /// Whether an end user is identified (default: whether `end_user` is given).
    pub end_user_identified: Option<bool>,
    /// The proxy-admin view.
    pub admin: bool,
    /// Requested server names.
    pub requested: Option<Vec<String>>,
    /// The semantics.
    pub semantics: Semantics,
    /// The settings.
    pub settings: Settings,
    /// Server id to the tools that server offers.
    pub tools: Option<IndexMap<String, Vec<String>>>,
    /// Calls to decide.
    pub calls: Vec<ScenarioCall>,
    /// The expected output (test vectors only).
    pub expect: Option<Value>,
}

/// A scenario could not be run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ScenarioError {
    /// The scenario text could not be read.
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// Its servers do not form a valid registry.
    #[error(transparent)]
    Registry(#[from] RegistryError),
}

impl Scenario {
    /// Reads a scenario from JSON text.
    ///
    /// # Errors
    /// The text is not a scenario: invalid JSON, an unknown member, a wrong type, or an
    /// invalid server or permission; the message names the field and the value.
    pub fn from_json(json: &str) -> Result<Self, ParseError> {
        serde_json::from_str(json).map_err(|e| ParseError::json("scenario", &e))
    }

    /// Builds the registry and the request, resolves, and calls `f` with the registry and
    /// the resolution.
    ///
    /// # Errors
    /// The servers do not form a valid registry.
    pub fn with_resolution<R>(
        &self,
        f: impl FnOnce(&ServerRegistry, &Request<'_>, &Resolution<'_>) -> R,
    ) -> Result<R, RegistryError> {
        let registry = ServerRegistry::with_toolsets(
            self.servers.iter().cloned(),
            self.toolsets.iter().cloned(),
        )?;
        let identified = self.end_user_identified.unwrap_or(self.end_user.is_some());
        let mut request = Request::new()
            .admin(self.admin)
            .settings(self.settings)
            .semantics(self.semantics);
        for (level, permission) in [
            (Level::Organization, &self.organization),
            (Level::Team, &self.team),
            (Level::Key, &self.key),
            (Level::User, &self.user),
            (Level::Agent, &self.agent),
        ] {
            request = request.level(level, permission.as_ref().map(PermissionRef::Raw));
        }
        if identified {
            request = request.end_user(self.end_user.as_ref());
        }
        if let Some(names) = &self.requested {
            request = request.requested(names);
        }
        if let Some(groups) = &self.access_groups {
            request = request.access_groups(groups);
        }
        let resolution = registry.resolve_allowed_servers(&request);
        Ok(f(&registry, &request, &resolution))
    }

    /// Runs the scenario and returns the output document of the scenario format.
    ///
    /// # Errors
    /// The servers do not form a valid registry.
    pub fn run(&self) -> Result<Value, RegistryError> {
        self.run_with(OutputOptions::default())
    }

    /// [`Scenario::run`], with the extra members `options` ask for.
    ///
    /// # Errors
    /// The servers do not form a valid registry.
    pub fn run_with(&self, options: OutputOptions) -> Result<Value, RegistryError> {
        self.with_resolution(|registry, request, resolution| {
            let mut out = self.output(resolution);
            if let Value::Object(members) = &mut out {
                if options.explain {
                    members.insert("explain".into(), self.explain_output(registry, request));
                }
                if options.lint {
                    members.insert("diagnostics".into(), self.diagnostics(registry, request));
                }
            }
            out
        })
    }

    /// The `explain` member: the explanation of every server, and of every call.
    fn explain_output(&self, registry: &ServerRegistry, request: &Request<'_>) -> Value {
        let explanation = registry.explain(request);
        let mut out = serde_json::to_value(&explanation).unwrap_or(Value::Null);
        if let (Value::Object(members), false) = (&mut out, self.calls.is_empty()) {
            let calls: Vec<Value> = self
                .calls
                .iter()
                .map(|call| {
                    let explained = match call {
                        ScenarioCall::Tool { server, tool } => explanation.tool(server, tool),
                        ScenarioCall::Prefixed { name } => explanation.prefixed_tool(name),
                    };
                    serde_json::to_value(&explained).unwrap_or(Value::Null)
                })
                .collect();
            members.insert("calls".into(), Value::Array(calls));
        }
        out
    }

    /// The `diagnostics` member: the registry's, then each level's (granting levels against
    /// their ceilings).
    fn diagnostics(&self, registry: &ServerRegistry, request: &Request<'_>) -> Value {
        let mut linter = registry
            .linter()
            .settings(self.settings)
            .semantics(self.semantics);
        if let Some(groups) = &self.access_groups {
            linter = linter.access_groups(groups);
        }
        let mut all = linter.registry();
        all.extend(linter.request(request));
        serde_json::to_value(&all).unwrap_or(Value::Null)
    }

    /// The output document for a resolution of this scenario.
    #[must_use]
    pub fn output(&self, resolution: &Resolution<'_>) -> Value {
        // The resolution's own serialization: `servers` (with `call_tools` where calls
        // are decided otherwise), `requested` and `semantics`.
        let mut out = match json!(resolution) {
            Value::Object(map) => map,
            _ => Map::new(),
        };
        if let Some(tools) = &self.tools {
            let mut filtered = Map::new();
            for (server, offered) in tools {
                if resolution.is_visible(server) {
                    let allowed: Vec<&String> = resolution.filter_tools(server, offered).collect();
                    filtered.insert(server.clone(), json!(allowed));
                }
            }
            out.insert("tools".into(), Value::Object(filtered));
        }
        if !self.calls.is_empty() {
            let calls: Vec<Value> = self
                .calls
                .iter()
                .map(|call| {
                    let decision = match call {
                        ScenarioCall::Tool { server, tool } => resolution.decide_call(server, tool),
                        ScenarioCall::Prefixed { name } => resolution.decide_prefixed_call(name),
                    };
                    json!({"allowed": decision.is_allowed(), "reason": decision.to_string()})
                })
                .collect();
            out.insert("calls".into(), Value::Array(calls));
        }
        Value::Object(out)
    }
}

/// Compares an output document with a vector's `expect` member, member by member where
/// `expect` has one: `servers` and `tools` exactly, `calls` by their `allowed` flags (the
/// reasons are free text), any other member exactly. An expected `error` passes only when
/// `output` is an error document.
///
/// # Errors
/// A description of the first member that differs.
pub fn compare(expect: &Value, output: &Value) -> Result<(), String> {
    let Some(expect) = expect.as_object() else {
        return Err(format!("`expect` is not an object: {expect}"));
    };
    let is_error = output.get("error").is_some();
    if expect.get("error").and_then(Value::as_bool) == Some(true) {
        return if is_error {
            Ok(())
        } else {
            Err(format!("expected an error, got {output}"))
        };
    }
    if is_error {
        return Err(format!("expected a result, got {output}"));
    }
    for (member, want) in expect {
        let got = output.get(member).unwrap_or(&Value::Null);
        let same = if member == "calls" {
            allowed_flags(want) == allowed_flags(got)
        } else {
            want == got
        };
        if !same {
            return Err(format!("`{member}`: expected {want}, got {got}"));
        }
    }
    Ok(())
}

fn allowed_flags(calls: &Value) -> Option<Vec<Option<bool>>> {
    calls.as_array().map(|calls| {
        calls
            .iter()
            .map(|c| c.get("allowed").and_then(Value::as_bool))
            .collect()
    })
}

/// The error document of the scenario format: `{"error": {"message": ...}}`.
#[must_use]
pub fn error_output(error: &dyn std::error::Error) -> Value {
    json!({"error": {"message": error.to_string()}})
}

/// Extra members of the output document.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct OutputOptions {
    /// Add `explain`: why each server is visible or not, and why each call is decided as
    /// it is (see [`Explanation`](crate::Explanation)).
    pub explain: bool,
    /// Add `diagnostics`: the linter's findings for the registry and each permission.
    pub lint: bool,
}

/// Runs scenario text end to end: the output document, or the error document.
#[must_use]
pub fn run_json(text: &str) -> Value {
    run_json_with(text, OutputOptions::default())
}

/// [`run_json`], with the extra members `options` ask for.
#[must_use]
pub fn run_json_with(text: &str, options: OutputOptions) -> Value {
    match Scenario::from_json(text) {
        Ok(scenario) => match scenario.run_with(options) {
            Ok(output) => output,
            Err(e) => error_output(&e),
        },
        Err(e) => error_output(&e),
    }
}

/// Checks a test vector: runs it and compares with its `expect` member.
///
/// # Errors
/// The vector has no `expect` member, or the output differs from it.
pub fn check_vector(text: &str) -> Result<(), String> {
    let document: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let expect = document
        .get("expect")
        .ok_or_else(|| "no `expect` member".to_owned())?;
    compare(expect, &run_json(text))
}

const MEMBERS: &[&str] = &[
    "servers",
    "toolsets",
    "access_groups",
    "key",
    "team",
    "end_user",
    "organization",
    "user",
    "agent",
    "end_user_identified",
    "admin",
    "requested",
    "semantics",
    "settings",
    "tools",
    "calls",
    "expect",
];

/// A level's permission in a scenario, which errors name by its member.
fn permission(member: &'static str) -> Nullable<PermissionSeed> {
    Nullable(PermissionSeed(Some(member)))
}

impl<'de> Deserialize<'de> for Scenario {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(ScenarioVisitor)
    }
}

struct ScenarioVisitor;

impl<'de> Visitor<'de> for ScenarioVisitor {
    type Value = Scenario;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a scenario (a JSON object)")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Scenario, A::Error> {
        let mut s = Scenario::default();
        let mut seen: Vec<&'static str> = Vec::new();
        let mut servers = None;
        while let Some(key) = map.next_key::<String>()? {
            let Some(&member) = MEMBERS.iter().find(|m| **m == key) else {
                return Err(de::Error::unknown_field(&key, MEMBERS));
            };
            if seen.contains(&member) {
                return Err(de::Error::duplicate_field(member));
            }
            seen.push(member);
            match member {
                "servers" => servers = Some(map.next_value_seed(Servers)?),
                "access_groups" => {
                    let groups = map.next_value_seed(Nullable(ListMap {
                        field: "access_groups",
                        key: "group",
                    }))?;
                    s.access_groups = groups.map(MapAccessGroups::from_iter);
                }
                "toolsets" => {
                    s.toolsets = map
                        .next_value::<Option<Vec<Toolset>>>()?
                        .unwrap_or_default();
                }
                "key" => s.key = map.next_value_seed(permission("key"))?,
                "team" => s.team = map.next_value_seed(permission("team"))?,
                "end_user" => s.end_user = map.next_value_seed(permission("end_user"))?,
                "organization" => {
                    s.organization = map.next_value_seed(permission("organization"))?;
                }
                "user" => s.user = map.next_value_seed(permission("user"))?,
                "agent" => s.agent = map.next_value_seed(permission("agent"))?,
                "end_user_identified" => {
                    s.end_user_identified = opt_bool(&mut map, "end_user_identified")?;
                }
                "admin" => s.admin = opt_bool(&mut map, "admin")?.unwrap_or(false),
                "requested" => s.requested = opt_string_list(&mut map, "requested")?,
                "semantics" => {
                    s.semantics = match opt_string(&mut map, "semantics")? {
                        None => Semantics::Default,
                        Some(name) => Semantics::from_name(&name).map_err(|_| {
                            de::Error::custom(format_args!(
                                "unknown `semantics` `{name}` (expected one of: {})",
                                Semantics::NAMES.join(", ")
                            ))
                        })?,
                    };
                }
                "settings" => {
                    s.settings = map.next_value::<Option<Settings>>()?.unwrap_or_default();
                }
                "tools" => {
                    s.tools = map.next_value_seed(Nullable(ListMap {
                        field: "tools",
                        key: "server",
                    }))?;
                }
                "calls" => s.calls = map.next_value_seed(Nullable(Calls))?.unwrap_or_default(),
                _ => s.expect = Some(map.next_value::<Value>()?),
            }
        }
        s.servers = servers.ok_or_else(|| de::Error::missing_field("servers"))?;
        Ok(s)
    }
}

/// The `servers` list, named in type errors (serde's own `Vec` says only "a sequence").
struct Servers;

impl<'de> de::DeserializeSeed<'de> for Servers {
    type Value = Vec<McpServer>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Servers {
    type Value = Vec<McpServer>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of servers for `servers`")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        // The size hint is untrusted input: cap what is reserved up front.
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(server) = seq.next_element()? {
            out.push(server);
        }
        Ok(out)
    }
}

struct Calls;

impl<'de> de::DeserializeSeed<'de> for Calls {
    type Value = Vec<ScenarioCall>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Calls {
    type Value = Vec<ScenarioCall>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of calls for `calls`")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        while let Some(call) = seq.next_element_seed(Call)? {
            out.push(call);
        }
        Ok(out)
    }
}

struct Call;

impl<'de> de::DeserializeSeed<'de> for Call {
    type Value = ScenarioCall;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Call {
    type Value = ScenarioCall;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(r#"a call in `calls`: {"server", "tool"} or {"name"}"#)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let (mut server, mut tool, mut name) = (None, None, None);
        while let Some(key) = map.next_key::<String>()? {
            let (slot, field) = match key.as_str() {
                "server" => (&mut server, "server"),
                "tool" => (&mut tool, "tool"),
                "name" => (&mut name, "name"),
                other => {
                    return Err(de::Error::unknown_field(other, &["server", "tool", "name"]));
                }
            };
            set_once(slot, field, || crate::de::string(&mut map, "calls"))?;
        }
        match (server, tool, name) {
            (Some(server), Some(tool), None) => Ok(ScenarioCall::Tool { server, tool }),
            (None, None, Some(name)) => Ok(ScenarioCall::Prefixed { name }),
            _ => Err(de::Error::custom(
                r#"a call in `calls` needs either "server" and "tool", or "name" alone"#,
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_members_and_bad_calls_are_named() {
        let e = Scenario::from_json(r#"{"servers": [], "admn": true}"#).unwrap_err();
        assert!(e.to_string().contains("unknown field `admn`"), "{e}");
        let e = Scenario::from_json(r#"{"servers": [], "calls": [{"server": "a"}]}"#).unwrap_err();
        assert!(e.to_string().contains("needs either"), "{e}");
        let e = Scenario::from_json(r#"{"servers": [], "semantics": "python"}"#).unwrap_err();
        assert!(
            e.to_string().contains("unknown `semantics` `python`"),
            "{e}"
        );
        let e = Scenario::from_json(r#"{"admin": false}"#).unwrap_err();
        assert!(e.to_string().contains("missing field `servers`"), "{e}");
        let e = Scenario::from_json(r#"{"servers": null}"#).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid scenario: invalid type: null, expected a list of servers for `servers` \
             at line 1 column 16"
        );
        let e = Scenario::from_json(r#"{"servers": [], "calls": [{"name": "a", "name": "b"}]}"#)
            .unwrap_err();
        assert!(e.to_string().contains("duplicate field `name`"), "{e}");
    }

    #[test]
    fn explain_and_lint_add_members_and_change_no_other() {
        let text = r#"{"servers": [{"server_id": "srv-a", "alias": "gh"},
                                    {"server_id": "srv-b", "alias": "jira"}],
                       "key": {"mcp_servers": ["gh", "gone"]},
                       "team": {"mcp_servers": ["srv-a"]},
                       "calls": [{"server": "jira", "tool": "t"}, {"name": "gh-t"}]}"#;
        let plain = run_json(text);
        let options = OutputOptions {
            explain: true,
            lint: true,
        };
        let mut rich = run_json_with(text, options);
        let explain = rich.as_object_mut().unwrap().remove("explain").unwrap();
        let diagnostics = rich.as_object_mut().unwrap().remove("diagnostics").unwrap();
        assert_eq!(rich, plain);
        assert_eq!(explain["servers"][0]["visible"], true);
        assert_eq!(explain["servers"][1]["reasons"][0]["code"], "not_granted");
        assert_eq!(explain["calls"][0]["decision"], "server_not_visible");
        assert_eq!(explain["calls"][1]["allowed"], true);
        assert_eq!(diagnostics[0]["code"], "unknown_reference");
        assert_eq!(diagnostics[0]["path"], "key.mcp_servers[1]");
        assert!(plain.get("explain").is_none() && plain.get("diagnostics").is_none());
    }

    #[test]
    fn compare_checks_calls_by_flag_and_the_rest_exactly() {
        let out = json!({"servers": [], "calls": [{"allowed": true, "reason": "x"}]});
        assert!(compare(&json!({"calls": [{"allowed": true}]}), &out).is_ok());
        assert!(compare(&json!({"calls": [{"allowed": false}]}), &out).is_err());
        assert!(compare(&json!({"calls": []}), &out).is_err());
        assert!(compare(&json!({"servers": [1]}), &out).is_err());
        assert!(compare(&json!({"error": true}), &out).is_err());
        assert!(compare(&json!({"error": true}), &json!({"error": {}})).is_ok());
        assert!(compare(&json!({"servers": []}), &json!({"error": {}})).is_err());
    }
}
