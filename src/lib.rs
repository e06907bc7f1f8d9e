#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

mod de;
mod diagnostic;
mod diff;
mod error;
mod explain;
mod explain_tool;
mod grant;
mod groups;
mod hash;
mod id;
mod lint;
mod lint_registry;
mod permission;
mod reason;
mod registry;
mod request;
mod resolution;
mod resolve;
pub mod scenario;
mod scope;
mod server;
mod tools;

pub use diagnostic::{Diagnostic, LintCode, Severity};
pub use diff::{ResolutionDiff, ServerChange, ServerDiff, ToolChange, ToolDelta};
pub use error::{ParseError, RegistryError, RegistryProblem};
pub use explain::{Explanation, ServerExplanation};
pub use explain_tool::ToolExplanation;
pub use groups::{AccessGroups, MapAccessGroups};
pub use id::ServerId;
pub use lint::Linter;
pub use permission::ObjectPermission;
pub use reason::Reason;
pub use registry::ServerRegistry;
pub use request::{Request, RequestedNames, Semantics, Settings};
pub use resolution::{
    CallDecision, DEFAULT_SEPARATOR, RequestedOutcome, Resolution, RouteError, RoutedCall,
    VisibleServer,
};
pub use resolve::Level;
pub use server::McpServer;
pub use tools::{ToolScope, ToolSet};
