//! fetch-reactor against a local origin: the checks every model must pass.

harness::model_tests!(env!("CARGO_BIN_EXE_fetch-reactor"));

/// fetch-reactor runs on its own thread and starts one only to look a name up: a refused one is
/// that endpoint's row.
#[test]
fn survives_a_thread_limit() {
    harness::Model::new(env!("CARGO_BIN_EXE_fetch-reactor")).survives_a_thread_limit();
}
