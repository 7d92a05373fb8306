//! fetch-async-std against a local origin: the checks every model must pass.

harness::model_tests!(env!("CARGO_BIN_EXE_fetch-async-std"));

/// fetch-async-std checks at start-up that it may run the threads its runtime starts later,
/// and looks host names up on threads of its own: under a thread limit it stops with a clear
/// error, or gives each endpoint its row.
#[test]
fn survives_a_thread_limit() {
    harness::Model::new(env!("CARGO_BIN_EXE_fetch-async-std")).survives_a_thread_limit();
}
