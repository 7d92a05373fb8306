//! fetch-threads against a local origin: the checks every model must pass.

harness::model_tests!(env!("CARGO_BIN_EXE_fetch-threads"));

/// The blocking models look host names up on threads of their own (ureq's way, with a time
/// limit), and a thread the OS refuses is that endpoint's row.
#[test]
fn survives_a_thread_limit() {
    harness::Model::new(env!("CARGO_BIN_EXE_fetch-threads")).survives_a_thread_limit();
}
