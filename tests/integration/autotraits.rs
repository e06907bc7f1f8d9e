//! Every public type is `Send + Sync` (and `Unpin`), so a registry can be shared behind an
//! `Arc` and results handed between threads.

use mcp_authz::litellm::{
    AgentRow, Deployment, EndUserRow, KeyRow, KeyRows, OrganizationRow, TeamRow, UserRow,
};
use mcp_authz::scenario::{OutputOptions, Scenario, ScenarioCall, ScenarioError};
use mcp_authz::*;

fn assert_auto_traits<T: Send + Sync + Unpin>() {}

#[test]
fn public_types_are_send_sync_unpin() {
    assert_auto_traits::<&dyn AccessGroups>();
    assert_auto_traits::<AgentRow>();
    assert_auto_traits::<CallDecision>();
    assert_auto_traits::<Deployment>();
    assert_auto_traits::<Diagnostic>();
    assert_auto_traits::<EndUserRow>();
    assert_auto_traits::<Explanation<'static>>();
    assert_auto_traits::<KeyRow>();
    assert_auto_traits::<KeyRows<'static>>();
    assert_auto_traits::<Level>();
    assert_auto_traits::<LintCode>();
    assert_auto_traits::<Linter<'static>>();
    assert_auto_traits::<MapAccessGroups>();
    assert_auto_traits::<McpServer>();
    assert_auto_traits::<ObjectPermission>();
    assert_auto_traits::<OrganizationRow>();
    assert_auto_traits::<OutputOptions>();
    assert_auto_traits::<ParseError>();
    assert_auto_traits::<Reason>();
    assert_auto_traits::<RegistryError>();
    assert_auto_traits::<RegistryProblem>();
    assert_auto_traits::<Request<'static>>();
    assert_auto_traits::<RequestedNames<'static>>();
    assert_auto_traits::<RequestedOutcome>();
    assert_auto_traits::<Resolution<'static>>();
    assert_auto_traits::<ResolutionDiff>();
    assert_auto_traits::<RouteError>();
    assert_auto_traits::<RoutedCall<'static, 'static>>();
    assert_auto_traits::<Scenario>();
    assert_auto_traits::<ScenarioCall>();
    assert_auto_traits::<ScenarioError>();
    assert_auto_traits::<Semantics>();
    assert_auto_traits::<ServerChange>();
    assert_auto_traits::<ServerDiff>();
    assert_auto_traits::<ServerExplanation<'static>>();
    assert_auto_traits::<ServerId>();
    assert_auto_traits::<ServerRegistry>();
    assert_auto_traits::<Settings>();
    assert_auto_traits::<TeamRow>();
    assert_auto_traits::<Severity>();
    assert_auto_traits::<ToolChange>();
    assert_auto_traits::<ToolDelta>();
    assert_auto_traits::<ToolExplanation<'static>>();
    assert_auto_traits::<ToolScope<'static>>();
    assert_auto_traits::<ToolSet<'static>>();
    assert_auto_traits::<UserRow>();
    assert_auto_traits::<VisibleServer<'static>>();
}
