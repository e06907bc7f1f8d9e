//! Which rules decide: the crate's own, or one LiteLLM release's. Everything a preset
//! changes is stated here, once, as a [`Rules`] value per release.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::level::Level;
use crate::registry::IdMatch;

/// A LiteLLM release whose decisions [`Semantics::LiteLlm`] reproduces (SPEC 7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum LiteLlmRelease {
    /// LiteLLM 1.106.12 (scenario name `litellm-1.106`).
    V1_106,
    /// LiteLLM 1.110.2 (scenario name `litellm-1.110`).
    V1_110,
}

impl LiteLlmRelease {
    /// Every modelled release, oldest first.
    pub const ALL: [LiteLlmRelease; 2] = [Self::V1_106, Self::V1_110];

    /// The newest modelled release: what the scenario name `litellm` means. It moves when
    /// a newer release is added, like a `latest` tag.
    pub const NEWEST: LiteLlmRelease = Self::V1_110;

    /// The exact LiteLLM version the preset was checked against (`1.106.12`).
    #[must_use]
    pub fn version(self) -> &'static str {
        match self {
            Self::V1_106 => "1.106.12",
            Self::V1_110 => "1.110.2",
        }
    }

    /// The rules of this release where they differ from the default semantics.
    const fn rules(self) -> Rules {
        // Both releases share these (SPEC 7, "Rules both releases share" and the
        // hierarchy rules).
        let shared = Rules {
            ids_compare_as_uuids: false,
            one_server_per_requested_name: true,
            litellm_hierarchy: true,
            ..Rules::DEFAULT
        };
        match self {
            Self::V1_106 => Rules {
                key_and_team_tool_lists_by_truthiness: true,
                call_ignores_denylist_under_allowlist: true,
                ..shared
            },
            Self::V1_110 => Rules {
                admin_view_needs_no_team: true,
                ..shared
            },
        }
    }
}

/// Which rules decide a request: the crate's own, or a LiteLLM release's where they
/// differ (see the crate docs, "LiteLLM presets").
///
/// Read from and written to JSON by name: `"default"`, `"litellm-1.106"`,
/// `"litellm-1.110"`, and `"litellm"` for the newest modelled release.
///
/// ```
/// use mcp_authz::{LiteLlmRelease, Semantics};
///
/// assert_eq!(Semantics::from_name("litellm")?, Semantics::LiteLlm(LiteLlmRelease::NEWEST));
/// assert_eq!(Semantics::LiteLlm(LiteLlmRelease::V1_106).name(), "litellm-1.106");
/// assert!(Semantics::from_name("litellm-2").is_err());
/// # Ok::<(), mcp_authz::UnknownSemantics>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Semantics {
    /// The crate's semantics: one decision for listing and calling, empty lists mean
    /// "none" at every level, UUID ids compare as UUIDs, narrowing levels only narrow.
    #[default]
    Default,
    /// One LiteLLM release's answers, decision for decision, including where they are
    /// accidents.
    LiteLlm(LiteLlmRelease),
}

/// A semantics name that names none.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown semantics `{name}` (expected one of: {})", Semantics::NAMES.join(", "))]
pub struct UnknownSemantics {
    name: String,
}

impl Semantics {
    /// Every semantics: the default, then each LiteLLM release, oldest first.
    pub const ALL: [Semantics; 3] = [
        Semantics::Default,
        Semantics::LiteLlm(LiteLlmRelease::V1_106),
        Semantics::LiteLlm(LiteLlmRelease::V1_110),
    ];

    /// The newest modelled LiteLLM release (moves when a release is added).
    pub const LITELLM: Semantics = Semantics::LiteLlm(LiteLlmRelease::NEWEST);

    /// Every name [`Semantics::from_name`] accepts.
    pub const NAMES: [&'static str; 4] = ["default", "litellm-1.106", "litellm-1.110", "litellm"];

    /// The stable name: `default`, `litellm-1.106`, `litellm-1.110`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Default => "default",
            Self::LiteLlm(LiteLlmRelease::V1_106) => "litellm-1.106",
            Self::LiteLlm(LiteLlmRelease::V1_110) => "litellm-1.110",
        }
    }

    /// The semantics a name names; `litellm` is the newest modelled release.
    ///
    /// # Errors
    /// The name is none of [`Semantics::NAMES`]; the message lists them.
    pub fn from_name(name: &str) -> Result<Self, UnknownSemantics> {
        if name == "litellm" {
            return Ok(Self::LITELLM);
        }
        Self::ALL
            .into_iter()
            .find(|s| s.name() == name)
            .ok_or_else(|| UnknownSemantics {
                name: name.to_owned(),
            })
    }

    /// Whether this is a LiteLLM preset.
    #[must_use]
    pub fn is_litellm(self) -> bool {
        matches!(self, Self::LiteLlm(_))
    }

    pub(crate) const fn rules(self) -> Rules {
        match self {
            Self::Default => Rules::DEFAULT,
            Self::LiteLlm(release) => release.rules(),
        }
    }
}

impl fmt::Display for Semantics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for Semantics {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for Semantics {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        Self::from_name(&name).map_err(serde::de::Error::custom)
    }
}

/// Where the server fold (SPEC 3.2) applies a level, and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    /// A granting level: when it declares, it bounds the result; when it does not, the
    /// result is inherited from the levels that do.
    Ceiling(Level),
    /// A narrowing level: when it declares, it narrows the result; it never grants.
    Narrow(Level),
    /// LiteLLM's organization: it narrows when something before it restricted, and
    /// otherwise its grant becomes the result.
    NarrowOrReplace(Level),
}

impl Step {
    pub(crate) fn level(self) -> Level {
        match self {
            Self::Ceiling(level) | Self::Narrow(level) | Self::NarrowOrReplace(level) => level,
        }
    }
}

/// Everything a semantics decides differently, as data. Each field names the rule it
/// switches; the functions that state the rules read them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(clippy::struct_excessive_bools)] // one switch per rule, by design
pub(crate) struct Rules {
    /// SPEC 2: a UUID id matches a reference in any spelling of the UUID (else only the
    /// exact string).
    pub(crate) ids_compare_as_uuids: bool,
    /// SPEC 7: a requested name picks one visible server (first in registry order), and is
    /// read as an access group only when it picks none.
    pub(crate) one_server_per_requested_name: bool,
    /// SPEC 7 (1.106): the key's and the team's tool lists combine by truthiness.
    pub(crate) key_and_team_tool_lists_by_truthiness: bool,
    /// SPEC 7 (1.106): a call ignores `disallowed_tools` under a non-empty `allowed_tools`.
    pub(crate) call_ignores_denylist_under_allowlist: bool,
    /// SPEC 7 (1.110): the admin view applies only to a key on no team.
    pub(crate) admin_view_needs_no_team: bool,
    /// SPEC 7, organizations, users, agents and toolsets: which levels restrict, the order
    /// of the server fold, the organization's replacement, toolsets that deny, the admin
    /// view's exceptions, exact toolset entries.
    pub(crate) litellm_hierarchy: bool,
}

impl Rules {
    pub(crate) const DEFAULT: Rules = Rules {
        ids_compare_as_uuids: true,
        one_server_per_requested_name: false,
        key_and_team_tool_lists_by_truthiness: false,
        call_ignores_denylist_under_allowlist: false,
        admin_view_needs_no_team: false,
        litellm_hierarchy: false,
    };

    /// SPEC 3.2: the server fold, most specific granting level first (so an explanation
    /// names the key before its ceilings); intersection commutes, so the order changes no
    /// answer. Under LiteLLM the organization comes last, where it may replace the result.
    pub(crate) fn server_steps(self) -> &'static [Step] {
        if self.litellm_hierarchy {
            &[
                Step::Ceiling(Level::Key),
                Step::Ceiling(Level::Team),
                Step::Narrow(Level::EndUser),
                Step::Narrow(Level::Agent),
                Step::Narrow(Level::User),
                Step::NarrowOrReplace(Level::Organization),
            ]
        } else {
            &[
                Step::Ceiling(Level::Key),
                Step::Ceiling(Level::Team),
                Step::Ceiling(Level::Organization),
                Step::Narrow(Level::User),
                Step::Narrow(Level::EndUser),
                Step::Narrow(Level::Agent),
            ]
        }
    }

    /// SPEC 2: how ids are matched.
    pub(crate) fn id_match(self) -> IdMatch {
        if self.ids_compare_as_uuids {
            IdMatch::Uuid
        } else {
            IdMatch::Exact
        }
    }

    /// SPEC 7: whether a `"*"` in a toolset's `tool_name` is a tool named `*` (LiteLLM)
    /// rather than "all tools".
    pub(crate) fn toolset_wildcard_is_literal(self) -> bool {
        self.litellm_hierarchy
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_litellm_is_the_newest() {
        for s in Semantics::ALL {
            assert_eq!(Semantics::from_name(s.name()), Ok(s));
            let json = serde_json::to_string(&s).unwrap();
            assert_eq!(serde_json::from_str::<Semantics>(&json).unwrap(), s);
        }
        assert_eq!(
            Semantics::from_name("litellm"),
            Ok(Semantics::LiteLlm(LiteLlmRelease::NEWEST))
        );
        assert_eq!(
            Semantics::from_name("python").unwrap_err().to_string(),
            "unknown semantics `python` (expected one of: default, litellm-1.106, \
             litellm-1.110, litellm)"
        );
    }

    #[test]
    fn each_release_states_only_its_own_changes() {
        let old = Semantics::LiteLlm(LiteLlmRelease::V1_106).rules();
        let new = Semantics::LiteLlm(LiteLlmRelease::V1_110).rules();
        assert!(
            old.key_and_team_tool_lists_by_truthiness && !new.key_and_team_tool_lists_by_truthiness
        );
        assert!(
            old.call_ignores_denylist_under_allowlist && !new.call_ignores_denylist_under_allowlist
        );
        assert!(!old.admin_view_needs_no_team && new.admin_view_needs_no_team);
        assert_eq!(Semantics::Default.rules(), Rules::DEFAULT);
    }
}
