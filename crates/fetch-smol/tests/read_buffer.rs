//! fetch-smol's read buffer is set by `FETCH_SMOL_READ_BUFFER` (bytes, or `adaptive`), so that
//! the benchmark can measure each size with one binary; anything else is a start-up error.

use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_fetch-smol");

fn run(value: &str) -> std::process::Output {
    Command::new(BIN)
        .args(["--time-scale", "0.01", "--json"])
        .env("FETCH_SMOL_READ_BUFFER", value)
        .output()
        .expect("run fetch-smol")
}

#[test]
fn every_size_reads_the_same_pages() {
    for value in ["1024", "16384", "adaptive"] {
        let out = run(value);
        assert!(
            out.status.success(),
            "{value}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("a JSON report");
        assert_eq!(json["ok"], 6, "{value}: {json}");
        assert_eq!(json["correct"], true, "{value}: {json}");
    }
}

#[test]
fn a_size_that_is_not_one_is_a_start_up_error() {
    for value in ["", "four", "12"] {
        let out = run(value);
        assert_eq!(out.status.code(), Some(2), "{value:?}");
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(said.contains("FETCH_SMOL_READ_BUFFER"), "{value:?}: {said}");
    }
}
