//! Every scenario under `tests/vectors/` and `tests/vectors-litellm/`, run through the
//! library and compared with its `expect` member.

use std::fs;
use std::path::{Path, PathBuf};

use mcp_authz::scenario::{Scenario, check_vector};

fn vectors(dir: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join(dir);
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

fn run_all(dir: &str, minimum: usize) {
    let files = vectors(dir);
    assert!(
        files.len() >= minimum,
        "expected at least {minimum} vectors in tests/{dir}, found {}",
        files.len()
    );
    let failures: Vec<String> = files
        .iter()
        .filter_map(|path| {
            let text = fs::read_to_string(path).unwrap();
            check_vector(&text)
                .err()
                .map(|why| format!("{}: {why}", path.file_name().unwrap().to_string_lossy()))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} vectors in tests/{dir} failed:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
}

#[test]
fn default_vectors_pass() {
    run_all("vectors", 59);
}

#[test]
fn litellm_vectors_pass() {
    run_all("vectors-litellm", 169);
}

#[test]
fn litellm_vectors_all_ask_for_litellm_semantics() {
    for path in vectors("vectors-litellm") {
        let scenario = Scenario::from_json(&fs::read_to_string(&path).unwrap()).unwrap();
        assert_eq!(
            scenario.semantics,
            mcp_authz::Semantics::LiteLlm,
            "{}",
            path.display()
        );
    }
}
