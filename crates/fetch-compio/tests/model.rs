//! fetch-compio against a local origin: the checks every model must pass (skipped, and said so,
//! where io_uring is unavailable).

harness::model_tests!(env!("CARGO_BIN_EXE_fetch-compio"));
