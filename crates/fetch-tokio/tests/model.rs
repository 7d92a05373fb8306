//! fetch-tokio against a local origin: the checks every model must pass.

harness::model_tests!(env!("CARGO_BIN_EXE_fetch-tokio"));

/// fetch-tokio looks host names up on threads of its own, and a thread the OS refuses is that
/// endpoint's row.
#[test]
fn survives_a_thread_limit() {
    // One thread in the pool, whatever the machine's cores, to stay within the limit.
    harness::Model::new(env!("CARGO_BIN_EXE_fetch-tokio"))
        .with_args(&["--threads", "1"])
        .survives_a_thread_limit();
}

/// With more workers than the limit allows, tokio would panic while it starts them and then
/// wait forever: the model asks for them first, and stops with a clear error and exit code 2.
#[test]
fn survives_a_thread_limit_below_its_workers() {
    harness::Model::new(env!("CARGO_BIN_EXE_fetch-tokio"))
        .with_args(&["--threads", "8"])
        .survives_a_thread_limit();
}
