//! fetch-rayon against a local origin: the checks every model must pass, with a pool of six
//! threads so that the six endpoints of the overlap check can all wait at once.

harness::model_tests!(env!("CARGO_BIN_EXE_fetch-rayon"), ["--threads", "6"]);

/// The blocking models look host names up on threads of their own (ureq's way, with a time
/// limit), and a thread the OS refuses is that endpoint's row.
#[test]
fn survives_a_thread_limit() {
    // One thread in the pool, whatever the machine's cores, to stay within the limit.
    harness::Model::new(env!("CARGO_BIN_EXE_fetch-rayon"))
        .with_args(&["--threads", "1"])
        .survives_a_thread_limit();
}
