//! Scenario JSON in, resolution out: nothing panics, and every invariant of
//! `mcp_authz_fuzz::check_scenario` holds.

#![no_main]

use libfuzzer_sys::fuzz_target;
use mcp_authz::scenario::{Scenario, run_json};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let output = run_json(text);
    match Scenario::from_json(text) {
        Ok(scenario) => {
            let valid = scenario.run().is_ok();
            assert_eq!(output.get("error").is_none(), valid);
            mcp_authz_fuzz::check_registry(&scenario.servers);
            mcp_authz_fuzz::check_scenario(&scenario);
        }
        Err(e) => {
            assert_eq!(
                output["error"]["message"].as_str(),
                Some(e.to_string().as_str())
            );
            assert!(!e.to_string().contains('\n'));
        }
    }
});
