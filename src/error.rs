//! Errors, one type per phase that can fail: reading JSON, and building a registry.
//! Resolution itself cannot fail.

use std::borrow::Cow;
use std::fmt;

/// A JSON document (a server, an object permission, a scenario) could not be read.
///
/// The message names the field and the offending value, and where the input is text, the
/// line and column.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    /// The document is not valid JSON, or a field has the wrong type or an unknown name.
    #[error("invalid {document}: {message}")]
    Json {
        /// What was being read (`object permission`, `scenario`, ...).
        document: &'static str,
        /// What is wrong, with the field and value.
        message: String,
    },
}

impl ParseError {
    pub(crate) fn json(document: &'static str, error: &serde_json::Error) -> Self {
        // serde quotes mistyped strings escaped, but echoes field names raw (`unknown field
        // `...``): escape here, once, for every message.
        Self::Json {
            document,
            message: one_line(&error.to_string()).into_owned(),
        }
    }
}

/// `text` with control characters escaped (`\n`, `\u{1b}`), so that a message that quotes
/// user input stays on one line and cannot forge a second one in a log.
pub(crate) fn one_line(text: &str) -> Cow<'_, str> {
    if text.chars().any(char::is_control) {
        let mut out = String::with_capacity(text.len() + 8);
        for c in text.chars() {
            if c.is_control() {
                out.extend(c.escape_default());
            } else {
                out.push(c);
            }
        }
        Cow::Owned(out)
    } else {
        Cow::Borrowed(text)
    }
}

/// One thing wrong with a server registry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RegistryProblem {
    /// A server has an empty `server_id`.
    #[error("server at position {position} has an empty `server_id`")]
    EmptyServerId {
        /// Its position in the registry, from 0.
        position: usize,
    },
    /// Two servers have the same `server_id`.
    #[error(
        "duplicate server id `{}` at position {position} (first at position {first})",
        one_line(.id)
    )]
    DuplicateServerId {
        /// The id.
        id: String,
        /// The position of the repeat in the registry, from 0.
        position: usize,
        /// The position of the server that has it first.
        first: usize,
    },
    /// Two servers have ids that spell the same UUID.
    #[error(
        "duplicate server id `{}` at position {position}: the same UUID as `{}` at position {first}",
        one_line(.id), one_line(.other)
    )]
    DuplicateUuid {
        /// The later id.
        id: String,
        /// Its position in the registry, from 0.
        position: usize,
        /// The earlier id it equals.
        other: String,
        /// The earlier id's position.
        first: usize,
    },
    /// More servers than the registry can index.
    #[error("too many servers: {count} (at most 4294967295)")]
    TooManyServers {
        /// How many were given.
        count: usize,
    },
    /// A server's alias or name is another server's id, so a reference to it would be
    /// ambiguous.
    #[error(
        "{field} `{}` of server `{}` is the id of server `{}`",
        one_line(.value), one_line(.server), one_line(.other)
    )]
    NameIsOtherServerId {
        /// `alias` or `server_name`.
        field: &'static str,
        /// The alias or name.
        value: String,
        /// The server that bears it.
        server: String,
        /// The server whose id it is.
        other: String,
    },
    /// A toolset has an empty `toolset_id`.
    #[error("toolset at position {position} has an empty `toolset_id`")]
    EmptyToolsetId {
        /// Its position among the toolsets, from 0.
        position: usize,
    },
    /// Two toolsets have the same `toolset_id`.
    #[error("duplicate toolset id `{}` at position {position}", one_line(.id))]
    DuplicateToolsetId {
        /// The id.
        id: String,
        /// The later toolset's position, from 0.
        position: usize,
    },
}

/// A server registry could not be built. Lists every problem found, in registry order.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct RegistryError {
    problems: Vec<RegistryProblem>,
}

impl RegistryError {
    pub(crate) fn new(problems: Vec<RegistryProblem>) -> Self {
        Self { problems }
    }

    /// Every problem found, in registry order (never empty).
    #[must_use]
    pub fn problems(&self) -> &[RegistryProblem] {
        &self.problems
    }
}

impl fmt::Display for RegistryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.problems.as_slice() {
            [one] => write!(f, "invalid server registry: {one}"),
            many => {
                write!(f, "invalid server registry: {} problems: ", many.len())?;
                for (i, problem) in many.iter().enumerate() {
                    if i > 0 {
                        f.write_str("; ")?;
                    }
                    write!(f, "{problem}")?;
                }
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_problem_reads_as_one_line() {
        let error = RegistryError::new(vec![RegistryProblem::DuplicateServerId {
            id: "srv-a".into(),
            position: 3,
            first: 1,
        }]);
        assert_eq!(
            error.to_string(),
            "invalid server registry: duplicate server id `srv-a` at position 3 (first at position 1)"
        );
    }

    #[test]
    fn control_characters_in_values_are_escaped() {
        let error = RegistryError::new(vec![RegistryProblem::DuplicateServerId {
            id: "a\nb\u{1b}".into(),
            position: 1,
            first: 0,
        }]);
        assert_eq!(
            error.to_string(),
            "invalid server registry: duplicate server id `a\\nb\\u{1b}` at position 1 (first at position 0)"
        );
        assert_eq!(one_line("plain `text` é"), "plain `text` é");
    }

    #[test]
    fn many_problems_are_all_listed() {
        let error = RegistryError::new(vec![
            RegistryProblem::EmptyServerId { position: 0 },
            RegistryProblem::NameIsOtherServerId {
                field: "alias",
                value: "srv-b".into(),
                server: "srv-a".into(),
                other: "srv-b".into(),
            },
        ]);
        assert_eq!(
            error.to_string(),
            "invalid server registry: 2 problems: server at position 0 has an empty \
             `server_id`; alias `srv-b` of server `srv-a` is the id of server `srv-b`"
        );
        assert_eq!(error.problems().len(), 2);
    }
}
