//! fetch-smol against a local origin: the checks every model must pass.

harness::model_tests!(env!("CARGO_BIN_EXE_fetch-smol"));

/// fetch-smol looks host names up on threads of its own, and a thread the OS refuses is that
/// endpoint's row. (Below three threads, smol's executor and async-io cannot start.)
#[test]
fn survives_a_thread_limit() {
    harness::Model::new(env!("CARGO_BIN_EXE_fetch-smol")).survives_a_thread_limit();
}
