//! The crate's integration tests: one binary, one module per concern.

// Test code: a failed unwrap is a failed test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod alloc;
mod api;
mod autotraits;
mod bad_input;
mod bridge;
mod compiled;
mod explain;
mod export;
mod gateway;
mod generators;
mod model;
mod properties;
mod vectors;
