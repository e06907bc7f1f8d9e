//! Every vector's explanation agrees with its resolution: the same visible servers, the
//! same requested outcome, and the same decision for every call and listed tool.

use std::fs;
use std::path::Path;

use mcp_authz::scenario::{Scenario, ScenarioCall};
use mcp_authz::{Explanation, Resolution, ServerRegistry};

fn scenarios(dir: &str) -> Vec<(String, Scenario)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join(dir);
    let mut out: Vec<(String, Scenario)> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .filter_map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            Scenario::from_json(&fs::read_to_string(&p).unwrap())
                .ok()
                .map(|s| (name, s))
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// Every tool name the scenario mentions anywhere, and the empty name.
fn tool_names(scenario: &Scenario) -> Vec<String> {
    let mut names: Vec<String> = vec![String::new(), "no_such_tool".into()];
    for offered in scenario.tools.iter().flat_map(|t| t.values()) {
        names.extend(offered.iter().cloned());
    }
    for server in &scenario.servers {
        names.extend(server.allowed_tools().iter().cloned());
        names.extend(server.disallowed_tools().iter().cloned());
    }
    for toolset in &scenario.toolsets {
        names.extend(toolset.tools().iter().map(|t| t.tool_name().to_owned()));
    }
    for permission in [
        &scenario.organization,
        &scenario.team,
        &scenario.key,
        &scenario.user,
        &scenario.end_user,
        &scenario.agent,
    ]
    .into_iter()
    .flatten()
    {
        for list in permission
            .mcp_tool_permissions()
            .into_iter()
            .flat_map(|m| m.values())
        {
            names.extend(list.iter().cloned());
        }
    }
    for call in &scenario.calls {
        if let ScenarioCall::Tool { tool, .. } = call {
            names.push(tool.clone());
        }
    }
    names.sort();
    names.dedup();
    names
}

/// Compares one scenario; returns the number of decisions compared.
fn agree(
    name: &str,
    scenario: &Scenario,
    registry: &ServerRegistry,
    resolution: &Resolution<'_>,
    explanation: &Explanation<'_>,
) -> Result<usize, String> {
    let resolved: Vec<&str> = resolution
        .servers()
        .map(|v| v.server().id().as_str())
        .collect();
    let explained: Vec<&str> = explanation.visible().map(|s| s.id().as_str()).collect();
    if resolved != explained {
        return Err(format!(
            "{name}: visible {resolved:?} vs explained {explained:?}"
        ));
    }
    if resolution.requested() != explanation.requested() {
        return Err(format!("{name}: requested outcome differs"));
    }
    let mut compared = 1;
    let tools = tool_names(scenario);
    let mut references: Vec<String> = Vec::new();
    for server in registry.servers() {
        references.push(server.id().to_string());
        references.extend(server.alias().map(str::to_owned));
        references.extend(server.name().map(str::to_owned));
    }
    references.push("no-such-server".into());
    for call in &scenario.calls {
        match call {
            ScenarioCall::Tool { server, .. } => references.push(server.clone()),
            ScenarioCall::Prefixed { .. } => {}
        }
    }
    for reference in &references {
        for tool in &tools {
            let want = resolution.decide_call(reference, tool);
            let got = explanation.tool(reference, tool);
            if want != got.decision() {
                return Err(format!(
                    "{name}: call {reference}/{tool}: resolution {want:?}, explanation {:?} \
                     ({:?})",
                    got.decision(),
                    got.reasons()
                ));
            }
            let listed = resolution
                .filter_tools(reference, std::slice::from_ref(tool))
                .count()
                == 1;
            if listed != got.is_listed() {
                return Err(format!(
                    "{name}: listing {reference}/{tool}: resolution {listed}, explanation {}",
                    got.is_listed()
                ));
            }
            compared += 2;
        }
    }
    let mut prefixed: Vec<String> = scenario
        .calls
        .iter()
        .filter_map(|c| match c {
            ScenarioCall::Prefixed { name } => Some(name.clone()),
            ScenarioCall::Tool { .. } => None,
        })
        .collect();
    for server in registry.servers() {
        for spelling in server.spellings() {
            for tool in &tools {
                prefixed.push(format!("{spelling}-{tool}"));
            }
        }
    }
    for call in &prefixed {
        let want = resolution.decide_prefixed_call(call);
        let got = explanation.prefixed_tool(call);
        if want != got.decision() {
            return Err(format!(
                "{name}: prefixed call {call}: resolution {want:?}, explanation {:?}",
                got.decision()
            ));
        }
        compared += 1;
    }
    Ok(compared)
}

fn check_dir(dir: &str, minimum: usize) {
    let mut checked = 0;
    let mut decisions = 0;
    let mut failures = Vec::new();
    for (name, scenario) in scenarios(dir) {
        let outcome = scenario.with_resolution(|registry, request, resolution| {
            let explanation = registry.explain(request);
            agree(&name, &scenario, registry, resolution, &explanation)
        });
        match outcome {
            Ok(Ok(n)) => {
                checked += 1;
                decisions += n;
            }
            Ok(Err(why)) => failures.push(why),
            Err(_) => {} // an invalid registry: there is nothing to explain
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(
        checked >= minimum,
        "expected at least {minimum} explained vectors in tests/{dir}, found {checked}"
    );
    assert!(
        decisions > checked * 10,
        "{decisions} decisions for {checked} vectors"
    );
}

#[test]
fn explanations_agree_with_default_vectors() {
    check_dir("vectors", 55);
}

#[test]
fn explanations_agree_with_litellm_1_106_vectors() {
    check_dir("vectors-litellm-1.106", 200);
}

#[test]
fn explanations_agree_with_litellm_1_110_vectors() {
    check_dir("vectors-litellm-1.110", 200);
}

#[test]
fn explanations_agree_with_hierarchy_vectors() {
    check_dir("vectors-hierarchy", 180);
}
