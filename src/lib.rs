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
pub use permission::ObjectPermission;
pub use reason::Reason;
pub use registry::ServerRegistry;
pub use request::{PermissionRef, Request, RequestedNames, Settings};
pub use resolution::{
    CallDecision, DEFAULT_SEPARATOR, RequestedOutcome, Resolution, RouteError, RoutedCall,
    VisibleServer,
};
pub use semantics::{LiteLlmRelease, Semantics, UnknownSemantics};
pub use server::McpServer;
pub use tools::{ToolScope, ToolSet};
pub use toolset::{Toolset, ToolsetTool};
