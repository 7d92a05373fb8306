//! When the operating system refuses a thread, that endpoint fails and the others go on.

use std::os::unix::process::CommandExt;
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
    // SAFETY: only async-signal-safe calls (setrlimit, setgid, setuid) between fork and exec.
    unsafe {
        command.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: 12,
                rlim_max: 12,
            };
            if libc::setrlimit(libc::RLIMIT_NPROC, &limit) != 0
                || libc::setgid(65534) != 0
                || libc::setuid(65534) != 0
            {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
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
