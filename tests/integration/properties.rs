//! Properties on generated registries and requests: the crate against the reference model
//! (`model.rs`), and relations the crate must keep with itself.
//!
//! Case counts are set so that the whole suite runs in about a minute in an unoptimised
//! `cargo test` on two cores; a failure is shrunk and its seed kept in
//! `proptest-regressions/`.

use std::collections::BTreeSet;

use mcp_authz::scenario::Scenario;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde_json::json;

use crate::bridge::{
    Observed, Probes, crate_answer, mcp_server, model_answer, object_permission, observe,
    scenario_answer, scenario_json, semantics, settings, toolset, with_crate_as,
};
use crate::generators::case;
use crate::model::{Case, EndUser, Lvl, Sem, admin_view, declares, level_list_of, levels};

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        max_global_rejects: cases * 8,
        ..ProptestConfig::default()
    }
}

fn ids(observed: &Observed) -> BTreeSet<&str> {
    observed.visible.iter().map(|(id, _)| id.as_str()).collect()
}

fn allowed_calls(observed: &Observed) -> BTreeSet<(&str, &str)> {
    observed
        .calls
        .iter()
        .filter(|(_, _, code)| *code == "allowed")
        .map(|(r, t, _)| (r.as_str(), t.as_str()))
        .collect()
}

/// Compares two answers part by part, so that a failure names the part that differs.
fn same(
    got: &Result<Observed, Vec<String>>,
    want: &Result<Observed, Vec<String>>,
) -> Result<(), TestCaseError> {
    match (got, want) {
        (Err(got), Err(want)) => prop_assert_eq!(got, want, "registry problems"),
        (Ok(got), Ok(want)) => {
            prop_assert_eq!(got.outcome, want.outcome, "requested outcome");
            prop_assert_eq!(&got.visible, &want.visible, "visible servers and scopes");
            for (g, w) in got.calls.iter().zip(&want.calls) {
                prop_assert_eq!(g, w, "call by reference");
            }
            prop_assert_eq!(got.calls.len(), want.calls.len());
            for (g, w) in got.prefixed.iter().zip(&want.prefixed) {
                prop_assert_eq!(g, w, "call by prefixed name");
            }
            prop_assert_eq!(got.prefixed.len(), want.prefixed.len());
            prop_assert_eq!(&got.listed, &want.listed, "filtered tool lists");
        }
        (got, want) => prop_assert!(false, "got {:?}, want {:?}", got, want),
    }
    Ok(())
}

/// A deterministic shuffle (xorshift), so a proptest seed drives every permutation.
fn shuffle<T>(items: &mut [T], seed: &mut u64) {
    for i in (1..items.len()).rev() {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        let j = usize::try_from(*seed % (i as u64 + 1)).unwrap();
        items.swap(i, j);
    }
}

/// The case with every list and map inside it reordered (not the registry itself).
fn permuted(case: &Case, mut seed: u64) -> Case {
    let seed = &mut seed;
    *seed |= 1;
    let mut out = case.clone();
    for s in &mut out.servers {
        shuffle(&mut s.groups, seed);
        shuffle(&mut s.allowed, seed);
        shuffle(&mut s.disallowed, seed);
    }
    let levels = [
        out.organization.as_mut(),
        out.key.as_mut(),
        out.team.as_mut(),
        out.user.as_mut(),
        out.end_user.permission_mut(),
        out.agent.as_mut(),
    ];
    for p in levels.into_iter().flatten() {
        if let Some(l) = &mut p.toolsets {
            shuffle(l, seed);
        }
        if let Some(l) = &mut p.servers {
            shuffle(l, seed);
        }
        if let Some(l) = &mut p.groups {
            shuffle(l, seed);
        }
        if let Some(m) = &mut p.tools {
            shuffle(m, seed);
            for (_, tools) in m.iter_mut() {
                shuffle(tools, seed);
            }
        }
    }
    if let Some(names) = &mut out.requested {
        shuffle(names, seed);
    }
    if let Some(groups) = &mut out.access_groups {
        shuffle(groups, seed);
        for (_, members) in groups.iter_mut() {
            shuffle(members, seed);
        }
    }
    out
}

/// Every UUID spelled as the registry would print it canonically (hyphenated, lower case).
fn canonical(s: &str) -> String {
    uuid::Uuid::try_parse(s).map_or_else(|_| s.to_owned(), |u| u.hyphenated().to_string())
}

fn is_other_uuid_spelling(s: &str) -> bool {
    canonical(s) != s
}

/// The case with none of the LiteLLM rules able to apply: no `[]` tool list at the key or
/// team, no server with both an allowlist and a denylist, no requested names, every UUID in
/// one spelling, no admin view on a team, and none of the hierarchy (no organization, user,
/// agent or toolsets).
fn without_litellm_rules(case: &Case) -> Case {
    let mut out = case.clone();
    out.requested = None;
    out.organization = None;
    out.user = None;
    out.agent = None;
    out.toolsets.clear();
    if out.team.is_some() {
        out.admin = false;
    }
    for s in &mut out.servers {
        if !s.allowed.is_empty() {
            s.disallowed.clear();
        }
        s.id = canonical(&s.id);
        s.name = s.name.as_deref().map(canonical);
        s.alias = s.alias.as_deref().map(canonical);
    }
    for (level, is_key_or_team) in [
        (out.key.as_mut(), true),
        (out.team.as_mut(), true),
        (out.end_user.permission_mut(), false),
    ] {
        let Some(p) = level else { continue };
        p.toolsets = None;
        if let Some(l) = &mut p.servers {
            *l = l.iter().map(|r| canonical(r)).collect();
        }
        if let Some(m) = &mut p.tools {
            if is_key_or_team {
                m.retain(|(_, tools)| !tools.is_empty());
            }
            for (r, _) in m.iter_mut() {
                *r = canonical(r);
            }
        }
    }
    if let Some(groups) = &mut out.access_groups {
        for (_, members) in groups.iter_mut() {
            *members = members.iter().map(|m| canonical(m)).collect();
        }
    }
    out
}

proptest! {
    #![proptest_config(config(6000))]

    /// The crate and the model agree on registry problems, visible servers, tool scopes,
    /// calls by reference and by prefixed name, and filtered tool lists.
    #[test]
    fn crate_agrees_with_model(case in case()) {
        same(&crate_answer(&case), &model_answer(&case))?;
    }

    /// Compiled permissions (the gateway's cached path, whose levels keep what a list
    /// leaves a server for the requests after the first) answer as raw ones do.
    #[test]
    fn compiled_permissions_answer_as_raw_ones(case in case()) {
        let compiled = with_crate_as(&case, true, |_, r| observe(&case, r)).map_err(|e| e.to_string());
        let raw = with_crate_as(&case, false, |_, r| observe(&case, r)).map_err(|e| e.to_string());
        prop_assert_eq!(compiled, raw);
    }
}

proptest! {
    #![proptest_config(config(1200))]

    /// Every visible server that is not `allow_all_keys` is in the team's grant, when the
    /// team declares one and the admin view is off.
    #[test]
    fn team_is_a_ceiling(case in case()) {
        prop_assume!(!admin_view(&case));
        prop_assume!(case.team.as_ref().is_some_and(|t| declares(t, case.flags)));
        let Ok(full) = crate_answer(&case) else { return Err(TestCaseError::reject("invalid registry")) };
        let mut team_only = case.clone();
        team_only.key = None;
        team_only.end_user = EndUser::Anonymous;
        team_only.requested = None;
        team_only.flags.require_key = false;
        let ceiling = crate_answer(&team_only).unwrap();
        for (id, _) in &full.visible {
            let server = case.servers.iter().find(|s| s.id == *id).unwrap();
            if !server.allow_all_keys {
                prop_assert!(ids(&ceiling).contains(id.as_str()), "`{}` is outside the team's grant", id);
            }
        }
    }

    /// An identified end user only removes servers and tools. (Under LiteLLM, before
    /// requested names apply: see `litellm_name_reads_as_group_once_its_server_is_gone`.)
    #[test]
    fn end_user_only_narrows(mut case in case()) {
        prop_assume!(case.end_user.is_identified());
        if case.semantics.is_litellm() {
            case.requested = None;
        }
        let Ok(with) = crate_answer(&case) else { return Err(TestCaseError::reject("invalid registry")) };
        let mut anonymous = case.clone();
        anonymous.end_user = EndUser::Anonymous;
        let without = crate_answer(&anonymous).unwrap();
        prop_assert!(ids(&with).is_subset(&ids(&without)));
        prop_assert!(allowed_calls(&with).is_subset(&allowed_calls(&without)));
    }

    /// The key's owner and the agent, like the end user, only remove servers and tools,
    /// under every semantics (before requested names, as above).
    #[test]
    fn user_and_agent_only_narrow(mut case in case()) {
        prop_assume!(case.user.is_some() || case.agent.is_some());
        if case.semantics.is_litellm() {
            case.requested = None;
        }
        let Ok(with) = crate_answer(&case) else { return Err(TestCaseError::reject("invalid registry")) };
        for level in [Lvl::User, Lvl::Agent] {
            let mut without = case.clone();
            match level {
                Lvl::User => without.user = None,
                _ => without.agent = None,
            }
            let without = crate_answer(&without).unwrap();
            prop_assert!(ids(&with).is_subset(&ids(&without)), "{:?}", level);
            prop_assert!(allowed_calls(&with).is_subset(&allowed_calls(&without)), "{:?}", level);
        }
    }

    /// An organization that declares is a ceiling for the team and the key: every visible
    /// server that is not `allow_all_keys` is in the organization's grant (the admin view
    /// off, which under LiteLLM ignores the organization's servers).
    #[test]
    fn organization_is_a_ceiling(case in case()) {
        prop_assume!(!admin_view(&case));
        prop_assume!(case.organization.as_ref().is_some_and(|o| declares(o, case.flags)));
        let Ok(full) = crate_answer(&case) else { return Err(TestCaseError::reject("invalid registry")) };
        let mut organization_only = case.clone();
        organization_only.team = None;
        organization_only.key = None;
        organization_only.user = None;
        organization_only.agent = None;
        organization_only.end_user = EndUser::Anonymous;
        organization_only.requested = None;
        organization_only.flags.require_key = false;
        let ceiling = crate_answer(&organization_only).unwrap();
        for (id, _) in &full.visible {
            let server = case.servers.iter().find(|s| s.id == *id).unwrap();
            if !server.allow_all_keys {
                prop_assert!(ids(&ceiling).contains(id.as_str()), "`{}` is outside the organization's grant", id);
            }
        }
    }

    /// Toolsets never widen a level's tools: an allowed call is in every restricting
    /// level's list for its server (its entries and its toolsets' tools), under the
    /// semantics where every such list applies (not LiteLLM 1.106's truthiness).
    #[test]
    fn every_restricting_list_holds_each_allowed_tool(case in case()) {
        prop_assume!(case.semantics != Sem::LiteLlm106);
        let Ok(observed) = crate_answer(&case) else { return Err(TestCaseError::reject("invalid registry")) };
        for (r, t) in allowed_calls(&observed) {
            let Some(server) = case.servers.iter().find(|s| s.id == r) else { continue };
            for (level, p) in levels(&case) {
                if let Some(list) = level_list_of(&case, p, server) {
                    prop_assert!(list.contains(t), "{:?} allows `{}` on `{}` outside its list", level, t, r);
                }
            }
        }
    }

    /// Requested names only remove servers, and never change the scope of one they keep.
    #[test]
    fn requested_names_only_narrow(case in case()) {
        prop_assume!(case.requested.is_some());
        let Ok(with) = crate_answer(&case) else { return Err(TestCaseError::reject("invalid registry")) };
        let mut unrequested = case.clone();
        unrequested.requested = None;
        let without = crate_answer(&unrequested).unwrap();
        for (id, scope) in &with.visible {
            let kept = without.visible.iter().find(|(other, _)| other == id);
            prop_assert_eq!(kept.map(|(_, s)| s), Some(scope), "`{}`", id);
        }
        prop_assert!(allowed_calls(&with).is_subset(&allowed_calls(&without)));
    }

    /// Under the default semantics and LiteLLM 1.110 a tool is in `filter_tools` exactly
    /// when a call to it is allowed.
    #[test]
    fn listing_and_calling_agree_but_under_1_106(case in case()) {
        prop_assume!(case.semantics != Sem::LiteLlm106);
        let Ok(observed) = crate_answer(&case) else { return Err(TestCaseError::reject("invalid registry")) };
        let allowed = allowed_calls(&observed);
        for (r, listed) in &observed.listed {
            let callable: Vec<&str> = observed
                .calls
                .iter()
                .filter(|(cr, t, _)| cr == r && allowed.contains(&(r.as_str(), t.as_str())))
                .map(|(_, t, _)| t.as_str())
                .collect();
            let listed: Vec<&str> = listed.iter().map(String::as_str).collect();
            prop_assert_eq!(listed, callable, "`{}`", r);
        }
    }

    /// Under every semantics a listed tool is callable (under 1.106 the divergence goes
    /// the other way).
    #[test]
    fn listed_tool_is_callable(case in case()) {
        let Ok(observed) = crate_answer(&case) else { return Err(TestCaseError::reject("invalid registry")) };
        let allowed = allowed_calls(&observed);
        for (r, listed) in &observed.listed {
            for t in listed {
                prop_assert!(allowed.contains(&(r.as_str(), t.as_str())), "`{}` lists `{}`", r, t);
            }
        }
    }

    /// The order of entries in any list or map inside the request or a server does not
    /// change the answer; under `Default` neither does the order of the registry, except
    /// for the order of the result.
    #[test]
    fn order_of_entries_does_not_matter(case in case(), seed in any::<u64>()) {
        let reordered = permuted(&case, seed);
        same(&crate_answer(&reordered), &crate_answer(&case))?;
        if case.semantics == Sem::Default {
            let mut registry_reordered = reordered.clone();
            let mut seed = seed.rotate_left(17) | 1;
            shuffle(&mut registry_reordered.servers, &mut seed);
            match (crate_answer(&registry_reordered), crate_answer(&case)) {
                (Ok(mut got), Ok(mut want)) => {
                    got.visible.sort_by(|a, b| a.0.cmp(&b.0));
                    want.visible.sort_by(|a, b| a.0.cmp(&b.0));
                    same(&Ok(got), &Ok(want))?;
                }
                (got, want) => prop_assert_eq!(got.is_ok(), want.is_ok()),
            }
        }
    }

    /// A scenario read back from JSON, written either by hand in the scenario format or by
    /// serializing the crate's own values, is the same scenario with the same answer.
    #[test]
    fn scenario_survives_a_json_round_trip(case in case()) {
        let direct = crate_answer(&case);

        let text = scenario_json(&case).to_string();
        let scenario = Scenario::from_json(&text).unwrap();
        let servers: Vec<_> = case.servers.iter().map(mcp_server).collect();
        prop_assert_eq!(&scenario.servers, &servers);
        prop_assert_eq!(&scenario.key, &case.key.as_ref().map(object_permission));
        prop_assert_eq!(&scenario.team, &case.team.as_ref().map(object_permission));
        prop_assert_eq!(
            &scenario.end_user,
            &case.end_user.permission().map(object_permission)
        );
        prop_assert_eq!(&scenario.organization, &case.organization.as_ref().map(object_permission));
        prop_assert_eq!(&scenario.user, &case.user.as_ref().map(object_permission));
        prop_assert_eq!(&scenario.agent, &case.agent.as_ref().map(object_permission));
        prop_assert_eq!(&scenario.toolsets, &case.toolsets.iter().map(toolset).collect::<Vec<_>>());
        prop_assert_eq!(&scenario.requested, &case.requested);
        prop_assert_eq!(scenario.admin, case.admin);
        prop_assert_eq!(scenario.semantics, semantics(case.semantics));
        prop_assert_eq!(scenario.settings, settings(case.flags));
        same(&scenario_answer(&case, &scenario), &direct)?;

        let serialized = json!({
            "servers": servers,
            "toolsets": case.toolsets.iter().map(toolset).collect::<Vec<_>>(),
            "organization": case.organization.as_ref().map(object_permission),
            "user": case.user.as_ref().map(object_permission),
            "agent": case.agent.as_ref().map(object_permission),
            "access_groups": scenario_json(&case).get("access_groups"),
            "key": case.key.as_ref().map(object_permission),
            "team": case.team.as_ref().map(object_permission),
            "end_user": case.end_user.permission().map(object_permission),
            "end_user_identified": case.end_user.is_identified(),
            "admin": case.admin,
            "requested": case.requested,
            "semantics": semantics(case.semantics),
            "settings": settings(case.flags),
        });
        let again = Scenario::from_json(&serialized.to_string()).unwrap();
        prop_assert_eq!(&again, &scenario);
        same(&scenario_answer(&case, &again), &direct)?;
    }

    /// Where none of the LiteLLM rules can apply, every preset answers as the default
    /// semantics do.
    #[test]
    fn semantics_agree_where_no_litellm_rule_applies(case in case()) {
        let mut default = without_litellm_rules(&case);
        default.semantics = Sem::Default;
        let mut litellm = default.clone();
        litellm.semantics = if case.semantics == Sem::LiteLlm110 { Sem::LiteLlm110 } else { Sem::LiteLlm106 };
        let strip = |observed: Result<Observed, Vec<String>>| {
            observed.map(|mut o| {
                o.calls.retain(|(r, _, _)| !is_other_uuid_spelling(r));
                o.listed.retain(|(r, _)| !is_other_uuid_spelling(r));
                o
            })
        };
        same(&strip(crate_answer(&litellm)), &strip(crate_answer(&default)))?;
    }
}

/// Under `LiteLlm` a requested name reads as an access group only when it matches no visible
/// server (SPEC 7). So narrowing the visible servers can change what a name picks: here the
/// end user removes `srv-a`, the name `github` then reads as a group and picks `srv-b`,
/// which the same request without the end user did not get. `srv-b` is visible either way
/// (nothing is granted); under `Default` names are read both ways at once and the result
/// only narrows. (Found by the `registry` fuzz target, against too strong an invariant.)
#[test]
fn litellm_name_reads_as_group_once_its_server_is_gone() {
    use mcp_authz::{
        LiteLlmRelease, McpServer, ObjectPermission, Request, Semantics, ServerRegistry,
    };

    let registry = ServerRegistry::new([
        McpServer::new("srv-a").with_alias("github"),
        McpServer::new("srv-b")
            .with_allow_all_keys(true)
            .with_access_groups(["github"]),
    ])
    .unwrap();
    let key = ObjectPermission::new().with_servers(["srv-a"]);
    let end_user = ObjectPermission::new().with_servers(["nosuch"]);
    let picked = |semantics: Semantics, with_end_user: bool| {
        let mut request = Request::new()
            .key(&key)
            .requested(&["github"])
            .semantics(semantics);
        if with_end_user {
            request = request.end_user(Some(&end_user));
        }
        registry
            .resolve_allowed_servers(&request)
            .servers()
            .map(|v| v.server().id().as_str().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        picked(Semantics::LiteLlm(LiteLlmRelease::V1_106), false),
        ["srv-a"]
    );
    assert_eq!(
        picked(Semantics::LiteLlm(LiteLlmRelease::V1_106), true),
        ["srv-b"]
    );
    assert_eq!(picked(Semantics::Default, false), ["srv-a", "srv-b"]);
    assert_eq!(picked(Semantics::Default, true), ["srv-b"]);
}

proptest! {
    #![proptest_config(config(400))]

    /// An explanation agrees with the resolution on every registry server, every call by
    /// reference and by prefixed name, and every listed tool, under every semantics; and
    /// it gives every server and every call at least one reason.
    #[test]
    fn explanations_agree_with_resolutions(case in case()) {
        let scenario = Scenario::from_json(&scenario_json(&case).to_string()).unwrap();
        let probes = Probes::of(&case);
        let checked = scenario.with_resolution(|registry, request, resolution| {
            let explanation = registry.explain(request);
            for (server, explained) in registry.servers().zip(explanation.servers()) {
                let id = server.id().as_str();
                let visible = resolution.servers().any(|v| v.server().id().as_str() == id);
                prop_assert_eq!(explained.is_visible(), visible, "`{}`", id);
                prop_assert!(!explained.reasons().is_empty(), "`{}` has no reason", id);
            }
            for r in &probes.references {
                for t in &probes.tools {
                    let call = explanation.tool(r, t);
                    prop_assert_eq!(call.decision(), resolution.decide_call(r, t), "`{}` `{}`", r, t);
                    let listed = resolution.filter_tools(r, std::slice::from_ref(t)).count() == 1;
                    prop_assert_eq!(call.is_listed(), listed, "`{}` `{}` listed", r, t);
                    prop_assert!(!call.reasons().is_empty());
                }
            }
            for name in &probes.prefixed {
                let call = explanation.prefixed_tool(name);
                prop_assert_eq!(call.decision(), resolution.decide_prefixed_call(name), "`{}`", name);
                prop_assert!(!call.reasons().is_empty());
            }
            Ok(())
        });
        match checked {
            Ok(result) => result?,
            Err(_) => return Err(TestCaseError::reject("invalid registry")),
        }
    }
}
