//! Criterion benchmarks (see the README, "Performance").

fn main() {}
