//! A model's CPU figure is its own, even when the binary is `exec`ed by a process that has
//! already spent CPU (as `cargo run` does after a build). Every model reports through
//! `common::Report`, so one model's test holds them all to it.

#[test]
fn reports_only_its_own_cpu() {
    harness::Model::new(env!("CARGO_BIN_EXE_fetch-sync")).reports_only_its_own_cpu();
}
