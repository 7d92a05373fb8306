//! serve-compio over loopback: the checks every server must pass (skipped, and said so, where
//! io_uring is unavailable).

harness::server_tests!(env!("CARGO_BIN_EXE_serve-compio"));
