//! serve-green over loopback: the checks every server must pass.

harness::server_tests!(env!("CARGO_BIN_EXE_serve-green"));
