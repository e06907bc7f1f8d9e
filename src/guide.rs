//! The guide: the rules, the tools around them and the measured costs, one page each.
//!
//! Every page is a Markdown file of the repository, included here so that it reads the
//! same on GitHub and in these docs; the modules hold no items. The README is the
//! [crate's front page](crate).
//!
//! - [`rules`]: what a request sees, rule by rule (`docs/rules.md`).
//! - [`scenarios`]: one request as JSON, and `examples/resolve.rs` (`docs/scenarios.md`).
//! - [`explain`]: explanations, lint codes, diffs and `examples/audit.rs`
//!   (`docs/explain.md`).
//! - [`compiled`]: permissions compiled once per key and team (`docs/compiled.md`).
//! - [`performance`]: measured costs and how to reproduce them (`docs/performance.md`).
//! - [`fuzzing`]: the cargo-fuzz targets on the stable toolchain (`docs/fuzzing.md`).
//! - [`contributing`]: tests, CI and the rules for these pages (`CONTRIBUTING.md`).

#[doc = include_str!("../docs/rules.md")]
pub mod rules {}

#[doc = include_str!("../docs/scenarios.md")]
pub mod scenarios {}

#[doc = include_str!("../docs/explain.md")]
pub mod explain {}

#[doc = include_str!("../docs/compiled.md")]
pub mod compiled {}

#[doc = include_str!("../docs/performance.md")]
pub mod performance {}

#[doc = include_str!("../docs/fuzzing.md")]
pub mod fuzzing {}

#[doc = include_str!("../CONTRIBUTING.md")]
pub mod contributing {}
