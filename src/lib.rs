#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

mod compile;
mod de;
mod diagnostic;
mod diff;
mod error;
mod explain;
mod groups;
pub mod guide;
mod hash;
mod id;
mod level;
mod lint;
pub mod litellm;
mod mcp;
mod names;
mod naming;
mod permission;
mod reason;
mod registry;
mod request;
mod resolution;
mod resolve;
pub mod scenario;
mod semantics;
mod server;
mod tools;
mod toolset;

pub use compile::{CompiledPermission, Compiler};
pub use diagnostic::{Diagnostic, LintCode, Severity};
pub use diff::{ResolutionDiff, ServerChange, ServerDiff, ToolChange, ToolDelta};
pub use error::{ParseError, RegistryError, RegistryProblem};
pub use explain::{Explanation, ServerExplanation, ToolExplanation};
pub use groups::{AccessGroups, MapAccessGroups};
pub use id::ServerId;
pub use level::Level;
pub use lint::Linter;
pub use mcp::{Denial, INVALID_PARAMS, McpError, McpGateway, ToolCall};
pub use naming::{Routing, SeparatorError, ToolNaming};
pub use permission::ObjectPermission;
pub use reason::Reason;
pub use registry::ServerRegistry;
pub use request::{PermissionRef, Request, RequestedNames, Settings};
pub use resolution::{
    CallDecision, RequestedOutcome, Resolution, RouteError, RoutedCall, VisibleServer,
};
pub use semantics::{LiteLlmRelease, Semantics, UnknownSemantics};
pub use server::McpServer;
pub use tools::{ToolScope, ToolSet};
pub use toolset::{Toolset, ToolsetTool};

/// The ordered map of the public API ([`ObjectPermission::mcp_tool_permissions`], the
/// scenario format's `tools`), re-exported so that callers name the same `indexmap`
/// version as the crate.
pub use indexmap::IndexMap;
/// The UUID type of [`ServerId::as_uuid`], re-exported so that callers name the same
/// `uuid` version as the crate.
pub use uuid::Uuid;
