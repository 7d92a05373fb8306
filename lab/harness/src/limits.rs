//! What a model does where the machine says no: too few descriptors, too few threads, too
//! little memory, a closed stdout. Each is a clear error or that endpoint's row, never a panic or
//! a hang.

use std::process::Command;

use procs::child;
use serde_json::Value;

use crate::{Model, Outcome, rows, secs, start_origin};

/// A program stopped at start-up because the OS refused it a thread: it must say so.
pub fn assert_refused_a_thread(stderr: &str) {
    assert!(
        stderr.starts_with("error: the OS refused a thread"),
        "{stderr}"
    );
}

/// Runs the child as an unprivileged user of its own, allowed `threads` threads in all
/// (`ulimit -u`, which does not bind root). The caller must be root.
///
/// `ulimit -u` counts every process and thread of a user, so a child run as `nobody` would share
/// its budget with whatever else runs as `nobody` at that moment (another test's server, say),
/// and a thread it should have been allowed could be refused. Each child gets a user id no other
/// process has: no such user exists, and none needs to.
pub fn as_nobody_with_threads(command: &mut Command, threads: u64) {
    use std::os::unix::process::CommandExt;
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let uid =
        100_000 + (std::process::id() % 50_000) * 64 + NEXT.fetch_add(1, Ordering::Relaxed) % 64;
    // SAFETY: only async-signal-safe calls (setrlimit, setgid, setuid) between fork and exec.
    unsafe {
        command.pre_exec(move || {
            let limit = libc::rlimit {
                rlim_cur: threads,
                rlim_max: threads,
            };
            if libc::setrlimit(libc::RLIMIT_NPROC, &limit) != 0
                || libc::setgid(65534) != 0
                || libc::setuid(uid) != 0
            {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

impl Model {
    /// With `ulimit -n` at 256 and 1,000 requests at once, the model either completes or gives
    /// every endpoint it could not open a connection for a "too many open files" row that says
    /// what to do. Nothing aborts.
    pub fn survives_a_low_descriptor_limit(&self) {
        let origin = start_origin();
        // Bounded models never hold many sockets: no need to keep their requests waiting.
        let delay = if self.family.all_at_once() {
            "0.5"
        } else {
            "0"
        };
        let base = origin.base_url();
        let args = [
            "--origin", &base, "--count", "1000", "--size", "100", "--delay", delay, "--json",
        ];
        let mut command = Command::new(self.bin);
        command.args(args).args(&self.extra);
        procs::limit_descriptors(&mut command, 256);
        let finished = child::run(&mut command, secs(60)).expect("run the model");
        let status = finished.status.expect("the model finished in time");
        let outcome = Outcome {
            code: status.code().unwrap_or(-1),
            stdout: finished.stdout,
            stderr: finished.stderr,
            elapsed: finished.elapsed,
        };
        assert!(matches!(outcome.code, 0 | 1), "{outcome:?}");
        let json = outcome.json();
        assert_eq!(json["n"], 1000);
        let ok = json["ok"].as_u64().unwrap_or(0);
        let failed: Vec<&Value> = rows(&json).filter(|r| !r["error"].is_null()).collect();
        assert_eq!(ok + failed.len() as u64, 1000, "every endpoint reported");
        for row in failed {
            assert_eq!(row["error_kind"], "too-many-open-files", "{row}");
            assert!(
                row["error"].as_str().unwrap_or("").contains("ulimit -n"),
                "{row}"
            );
        }
        // The report's own figures survive the descriptors running out: its memory and thread
        // counts are read from a file opened before the run.
        assert!(json["vm_peak_bytes"].as_u64() > Some(0), "{json}");
        assert!(json["threads_at_end"].as_u64() > Some(0), "{json}");
    }

    /// Run as an unprivileged user allowed three threads (`ulimit -u 3`), twenty requests to a
    /// host that has to be looked up: every endpoint has its row, ok or "thread refused", or,
    /// for a runtime that needs more threads than that to start, a clear error and exit code 2.
    /// Nothing panics or hangs. Needs root, to run the model as `nobody`; skipped otherwise.
    pub fn survives_a_thread_limit(&self) {
        // SAFETY: geteuid has no preconditions.
        if unsafe { libc::geteuid() } != 0 {
            eprintln!("skipped: needs root to run the model as a user with a small ulimit -u");
            return;
        }
        let origin = start_origin();
        let base = origin.base_url().replacen("127.0.0.1", "localhost", 1);
        let mut command = Command::new(self.bin);
        command
            .args([
                "--origin", &base, "--count", "20", "--size", "10", "--delay", "0.2",
            ])
            .arg("--json")
            .args(&self.extra);
        as_nobody_with_threads(&mut command, 3);
        let finished = child::run(&mut command, secs(30)).expect("run the model");
        let status = finished.status.expect("the model finished in time");
        if status.code() == Some(2) {
            assert_refused_a_thread(&finished.stderr);
            return;
        }
        assert!(
            matches!(status.code(), Some(0 | 1)),
            "{status}: {}",
            finished.stderr
        );
        let json: Value = serde_json::from_str(finished.stdout.trim()).expect("a JSON report");
        let failed: Vec<&Value> = rows(&json).filter(|r| !r["error"].is_null()).collect();
        assert_eq!(
            json["ok"].as_u64().unwrap_or(0) + failed.len() as u64,
            20,
            "{json}"
        );
        for row in failed {
            assert_eq!(row["error_kind"], "thread-refused", "{row}");
        }
    }

    /// Under a 768 MiB limit of address space (`prlimit --as`), two pages of 256 MiB each, which
    /// could not both be held whole, are counted as they arrive and the run reports as usual.
    pub fn survives_a_memory_limit(&self) {
        let origin = start_origin();
        let page = origin::MAX_BYTES;
        let urls = [
            origin.url(&format!("/bytes/{page}")),
            origin.url(&format!("/bytes/{page}?delay=0.01")),
        ];
        let mut command = Command::new(self.bin);
        command.args(&urls).arg("--json").args(&self.extra);
        procs::set_limit(&mut command, libc::RLIMIT_AS, 768 << 20);
        let finished = child::run(&mut command, secs(120)).expect("run the model");
        let status = finished.status.expect("the model finished in time");
        assert_eq!(status.code(), Some(0), "{}", finished.stderr);
        let json: Value = serde_json::from_str(finished.stdout.trim()).expect("a JSON report");
        assert_eq!(json["ok"], 2, "{json}");
        assert_eq!(json["bytes"], 2 * page, "{json}");
    }

    /// A reader that stops reading (`fetch-x | head -1`) ends the report, not the run: the model
    /// exits with its own code instead of panicking on the broken pipe.
    pub fn survives_a_closed_stdout(&self) {
        let mut child = Command::new(self.bin)
            .args(["--count", "3", "--size", "10"])
            .args(&self.extra)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("run the model");
        drop(child.stdout.take());
        let output = child.wait_with_output().expect("wait for the model");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}
