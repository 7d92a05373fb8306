//! When the operating system refuses a thread, that endpoint fails and the others go on.

use std::process::Command;

/// Runs fetch-threads as an unprivileged user allowed only a few processes (`ulimit -u`), so
/// that most of its spawns are refused. Root ignores that limit, and only root can switch users:
/// run as anyone else, the test says so and checks nothing.
#[test]
fn a_refused_thread_is_one_failed_endpoint() {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        eprintln!("skipped: needs root to run the model as a user with a small ulimit -u");
        return;
    }
    let mut command = Command::new(env!("CARGO_BIN_EXE_fetch-threads"));
    command.args(["--count", "40", "--size", "10", "--delay", "0.3", "--json"]);
    harness::as_nobody_with_threads(&mut command, 12);
    let output = command.output().expect("run fetch-threads");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let json: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap_or_else(|e| {
        panic!(
            "no JSON report ({e}): {stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    assert_eq!(output.status.code(), Some(1), "{json}");
    assert_eq!(json["n"], 40);
    let refused = json["requests"]
        .as_array()
        .expect("requests")
        .iter()
        .filter(|r| r["error_kind"] == "thread-refused")
        .count();
    assert!(refused > 0, "no refusal: {json}");
    assert!(json["ok"].as_u64() > Some(0), "nothing succeeded: {json}");
    assert_eq!(
        json["ok"].as_u64().unwrap_or(0) + refused as u64,
        40,
        "{json}"
    );
}
