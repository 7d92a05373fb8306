//! fetch-green against a local origin: the checks every model must pass.

harness::model_tests!(env!("CARGO_BIN_EXE_fetch-green"));

/// fetch-green runs every green thread on one thread and starts another only to look a name
/// up: a refused one is that endpoint's row.
#[test]
fn survives_a_thread_limit() {
    harness::Model::new(env!("CARGO_BIN_EXE_fetch-green")).survives_a_thread_limit();
}
