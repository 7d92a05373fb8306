//! Every waiting program at a small N: each waiter waited about the time asked, spawned before
//! the waits ended, and the report's figures add up; the Python and Node programs where their
//! interpreters are (skipped, and said so, where not).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use catalogue::{Language, PYTHON, WAITERS};
use serde_json::Value;

const N: u64 = 200;
const WAIT_S: f64 = 0.3;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The binary of a Rust waiting program, built beside this test.
fn bin(name: &str) -> PathBuf {
    let here = std::env::current_exe().expect("the test's path");
    let dir = here
        .parent()
        .and_then(Path::parent)
        .expect("target/<profile>");
    dir.join(name)
}

fn skipped(why: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "skipped: {why}");
}

/// Runs `command` with `--n N --wait WAIT_S --json` and more: its exit code and report.
fn report(mut command: Command, more: &[&str]) -> (i32, Value) {
    command
        .current_dir(root())
        .args([
            "--n",
            &N.to_string(),
            "--wait",
            &WAIT_S.to_string(),
            "--json",
        ])
        .args(more);
    let done = procs::run(&mut command, Duration::from_secs(60)).expect("run it");
    let status = done.status.expect("finished within a minute");
    let json = serde_json::from_str(done.stdout.trim())
        .unwrap_or_else(|e| panic!("no report ({e}): {}\n{}", done.stdout, done.stderr));
    (status.code().unwrap_or(-1), json)
}

/// What every complete run's report holds.
fn check(name: &str, code: i32, r: &Value) {
    assert_eq!(code, 0, "{name}: {r}");
    assert_eq!(r["waited"], N, "{name}: {r}");
    assert!(r["limit"].is_null(), "{name}: {r}");
    let f = |key: &str| r[key].as_f64().unwrap_or(f64::NAN);
    assert!(f("wall_s") >= WAIT_S * 0.95, "{name}: woke early: {r}");
    assert!(f("wall_s") < WAIT_S + 20.0, "{name}: {r}");
    assert!(
        f("spawn_s") >= 0.0 && f("spawn_s") < f("wall_s"),
        "{name}: {r}"
    );
    // The kernel sums its resident-set counters from per-CPU parts it folds in lazily: two
    // readings of the peak can differ by a few pages either way.
    assert!(
        f("peak_rss_bytes") + 256.0 * 1024.0 >= f("baseline_rss_bytes"),
        "{name}: {r}"
    );
    let per = (f("peak_rss_bytes") - f("baseline_rss_bytes")).max(0.0) / N as f64;
    assert!((f("per_waiter_bytes") - per).abs() < 1.0, "{name}: {r}");
}

#[test]
fn every_rust_waiting_program_waits_its_n_waiters_and_reports_them() {
    for w in WAITERS.iter().filter(|w| w.language == Language::Rust) {
        let (code, r) = report(Command::new(bin(w.name)), &[]);
        check(w.name, code, &r);
    }
    // The green threads with a small stack: the report says which.
    let (code, r) = report(Command::new(bin("waits-green")), &["--stack-kib", "16"]);
    check("waits-green --stack-kib 16", code, &r);
    assert_eq!(r["stack_bytes"], 16 * 1024);
}

#[test]
fn a_bad_command_line_is_a_clear_error_and_exit_2() {
    for args in [&["--n", "0"][..], &["--wait", "x"], &["--nope"]] {
        let mut command = Command::new(bin("waits-tokio"));
        command.args(args);
        let done = procs::run(&mut command, Duration::from_secs(30)).expect("run");
        assert_eq!(done.status.and_then(|s| s.code()), Some(2), "{args:?}");
        assert!(done.stderr.contains("error"), "{args:?}: {}", done.stderr);
    }
}

#[test]
fn the_python_and_node_programs_wait_theirs_where_they_run() {
    let python = root().join(PYTHON);
    let node = Command::new(catalogue::NODE)
        .arg("--version")
        .output()
        .is_ok();
    for w in WAITERS.iter().filter(|w| w.language != Language::Rust) {
        let command = match w.language {
            Language::Python if python.is_file() => {
                let mut c = Command::new(&python);
                c.arg(w.path());
                c
            }
            Language::Node if node => {
                let mut c = Command::new(catalogue::NODE);
                c.arg(w.path());
                c
            }
            _ => {
                skipped(&format!("{}: its interpreter is not installed", w.name));
                continue;
            }
        };
        let (code, r) = report(command, &[]);
        check(w.name, code, &r);
    }
}
