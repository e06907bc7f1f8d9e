//! Every scenario under `tests/vectors/`, `tests/vectors-litellm-1.106/`,
//! `tests/vectors-litellm-1.110/` and `tests/vectors-hierarchy/`, run through the library
//! and compared with its `expect` member.

use std::fs;
use std::path::{Path, PathBuf};

use mcp_authz::Semantics;
use mcp_authz::scenario::check_vector;

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
fn litellm_1_106_vectors_pass() {
    run_all("vectors-litellm-1.106", 224);
}

#[test]
fn litellm_1_110_vectors_pass() {
    run_all("vectors-litellm-1.110", 224);
}

#[test]
fn hierarchy_vectors_pass() {
    run_all("vectors-hierarchy", 186);
}

/// Each release's directory asks for that release, and the hierarchy vectors' names say
/// which semantics they hold: a vector run under the wrong preset would prove nothing.
#[test]
fn vectors_ask_for_the_semantics_their_directory_names() {
    let release = |name: &str| Semantics::from_name(name).unwrap_or_else(|e| panic!("{name}: {e}"));
    let mut seen = 0;
    for (dir, fixed) in [
        ("vectors", Some(Semantics::Default)),
        ("vectors-litellm-1.106", Some(release("litellm-1.106"))),
        ("vectors-litellm-1.110", Some(release("litellm-1.110"))),
        ("vectors-hierarchy", None),
    ] {
        for path in vectors(dir) {
            // Read the member alone: some vectors are invalid scenarios on purpose.
            let document: serde_json::Value =
                serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let semantics = document
                .get("semantics")
                .and_then(serde_json::Value::as_str)
                .map_or(Semantics::Default, release);
            let expected = fixed.unwrap_or_else(|| {
                let prefix = ["litellm-1.106", "litellm-1.110", "default"]
                    .into_iter()
                    .find(|p| name.starts_with(&format!("{p}-")))
                    .unwrap_or_else(|| panic!("{name}: no semantics in its name"));
                release(prefix)
            });
            assert_eq!(semantics, expected, "{dir}/{name}");
            seen += 1;
        }
    }
    assert_eq!(seen, 59 + 224 + 224 + 186);
}
