//! Reads a scenario (a file, or `-` for standard input) and prints the resolution as JSON.
//!
//! ```text
//! cargo run --example resolve -- scenario.json
//! cargo run --example resolve -- --explain --lint scenario.json
//! cargo run --example resolve -- --check tests/vectors/*.json
//! ```
//!
//! `--explain` adds an `explain` member (why each server is visible or not, and why each
//! call is decided as it is); `--lint` adds a `diagnostics` member (the linter's findings
//! for the registry and each permission). The other members are unchanged.
//!
//! With `--check`, every file is a test vector: it is run and compared with its `expect`
//! member, and the last line says how many passed and failed. An invalid scenario prints
//! `{"error": {"message": ...}}` and exits with status 2.

use std::io::{Read, Write};
use std::process::ExitCode;

use mcp_authz::scenario::{OutputOptions, check_vector, run_json_with};

fn read(path: &str) -> Result<String, String> {
    if path == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
        Ok(text)
    } else {
        std::fs::read_to_string(path).map_err(|e| format!("cannot read `{path}`: {e}"))
    }
}

/// Prints a line; a closed pipe (`| head`) ends the output quietly instead of panicking.
fn emit(line: std::fmt::Arguments<'_>) {
    let _ = writeln!(std::io::stdout().lock(), "{line}");
}

fn check(paths: &[String]) -> ExitCode {
    let (mut passed, mut failed) = (0, 0);
    for path in paths {
        match read(path).and_then(|text| check_vector(&text)) {
            Ok(()) => passed += 1,
            Err(why) => {
                failed += 1;
                emit(format_args!("FAIL {path}: {why}"));
            }
        }
    }
    emit(format_args!("{passed} passed, {failed} failed"));
    if failed == 0 && passed > 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut options = OutputOptions::default();
    args.retain(|arg| match arg.as_str() {
        "--explain" => {
            options.explain = true;
            false
        }
        "--lint" => {
            options.lint = true;
            false
        }
        _ => true,
    });
    match args.as_slice() {
        [flag, paths @ ..] if flag == "--check" => check(paths),
        [path] => {
            let output = match read(path) {
                Ok(text) => run_json_with(&text, options),
                Err(message) => serde_json::json!({"error": {"message": message}}),
            };
            emit(format_args!("{output:#}"));
            if output.get("error").is_some() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            }
        }
        _ => {
            eprintln!(
                "usage: resolve [--explain] [--lint] FILE | resolve [--explain] [--lint] - | \
                 resolve --check FILE..."
            );
            ExitCode::from(2)
        }
    }
}
