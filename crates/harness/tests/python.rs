//! The Python reference rows: every program of the talks (python/talks) against the origin, with
//! the right sizes and the talk's 1651, and every Python server (python/servers) on the route
//! the Rust servers answer. Skipped, and said so, where `scripts/python.sh` has not made the
//! environment they run in.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use catalogue::{PYTHON, PYTHON_SERVERS, PYTHON_TALKS, PythonKind};
use serde_json::Value;

/// The workspace's root, where the Python rows' paths start.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The interpreter, or `None` (said past the test harness's capture) where it is missing.
fn python() -> Option<PathBuf> {
    let interpreter = root().join(PYTHON);
    if interpreter.is_file() {
        return Some(interpreter);
    }
    use std::io::Write;
    let _ = writeln!(
        std::io::stderr(),
        "skipped: no {PYTHON} (scripts/python.sh creates it)"
    );
    None
}

/// Runs one of the talks' programs with `args` and `--json`, to a deadline; its exit code and
/// report.
fn run(python: &Path, program: &catalogue::Python, args: &[&str]) -> (i32, Value) {
    let mut command = Command::new(python);
    command
        .current_dir(root())
        .arg(program.path())
        .args(args)
        .arg("--json");
    let done = procs::run(&mut command, Duration::from_secs(120)).expect("run the program");
    let status = done
        .status
        .unwrap_or_else(|| panic!("{} did not finish in 120 s", program.name));
    let report = serde_json::from_str(done.stdout.trim()).unwrap_or_else(|e| {
        panic!(
            "{}: no JSON report ({e}):\n{}\nstderr:\n{}",
            program.name, done.stdout, done.stderr
        )
    });
    (status.code().unwrap_or(-1), report)
}

#[test]
fn every_talk_program_gets_the_right_sizes_and_the_talks_total() {
    let Some(python) = python() else { return };
    let origin = harness::start_origin();
    let base = origin.base_url();
    for program in PYTHON_TALKS {
        let (code, report) = run(
            &python,
            program,
            &["--origin", &base, "--time-scale", "0.02"],
        );
        let name = program.name;
        assert_eq!(code, 0, "{name}: {report}");
        assert_eq!(report["correct"], true, "{name}: {report}");
        let requests = report["requests"].as_array().expect("requests");
        match program.kind {
            PythonKind::Sites => {
                assert_eq!(report["ok"], 6, "{name}");
                let sizes: Vec<u64> = requests
                    .iter()
                    .map(|r| r["bytes"].as_u64().unwrap_or(0))
                    .collect();
                let want: u64 = origin::sites().iter().map(|s| s.bytes as u64).sum();
                assert_eq!(sizes.iter().sum::<u64>(), want, "{name}: {sizes:?}");
            }
            PythonKind::Jobs => {
                assert_eq!(report["jobs_total"], 1651, "{name}");
                assert_eq!(requests.len(), 100, "{name}");
                // And the program's own answer, in the talk's words.
                let mut command = Command::new(&python);
                command.current_dir(root()).arg(program.path()).args([
                    "--origin",
                    &base,
                    "--time-scale",
                    "0.02",
                ]);
                let done = procs::run(&mut command, Duration::from_secs(120)).expect("run");
                assert!(
                    done.stdout.contains("jobs available: 1651\nmodule: "),
                    "{name}: {}",
                    done.stdout
                );
            }
            PythonKind::Server => unreachable!("the talks' programs are clients"),
        }
        // Every request was timed, and the all-at-once programs overlapped them.
        assert!(requests.iter().all(|r| r["seconds"].as_f64() > Some(0.0)));
        let in_flight = report["peak_in_flight"].as_u64().unwrap_or(0);
        if program.family.all_at_once() {
            assert!(in_flight > 1, "{name}: {in_flight} at once");
        } else {
            assert_eq!(in_flight, 1, "{name}");
        }
    }
}

#[test]
fn a_sites_program_fetches_a_sweep_and_a_jobs_program_more_zips() {
    let Some(python) = python() else { return };
    let origin = harness::start_origin();
    let base = origin.base_url();
    let gevent = catalogue::Python::named("gevnt.py").expect("gevnt.py");
    let sweep = ["--count", "50", "--size", "1000", "--delay", "0.2"];
    let (code, report) = run(
        &python,
        gevent,
        &[&["--origin", &base], &sweep[..]].concat(),
    );
    assert_eq!((code, &report["ok"]), (0, &Value::from(50)), "{report}");
    assert_eq!(report["bytes"], 50_000);
    let wall = report["wall_s"].as_f64().expect("wall_s");
    assert!(wall < 5.0, "50 waits of 0.2 s at once took {wall} s");
    let asyncio = catalogue::Python::named("async.py").expect("async.py");
    let args = ["--origin", &base, "--count", "300", "--time-scale", "0.02"];
    let (code, report) = run(&python, asyncio, &args);
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["jobs_total"], 3 * 1651);
    assert_eq!(report["expected_jobs_total"], 3 * 1651);
}

#[test]
fn a_refused_origin_is_a_failed_row_not_a_hang() {
    let Some(python) = python() else { return };
    let refused = harness::refused_url();
    let block = catalogue::Python::named("block.py").expect("block.py");
    let (code, report) = run(&python, block, &["--origin", &refused]);
    assert_ne!(code, 0, "{report}");
    assert_eq!(report["ok"], 0);
    assert_eq!(report["failed"], 100);
    assert_eq!(report["requests"][0]["error_kind"], "refused", "{report}");
    // And a bad origin is a clear error at start-up, with exit 2.
    let mut command = Command::new(&python);
    command
        .current_dir(root())
        .arg(block.path())
        .args(["--origin", "ftp://nowhere"]);
    let done = procs::run(&mut command, Duration::from_secs(30)).expect("run block.py");
    assert_eq!(done.status.and_then(|s| s.code()), Some(2));
    assert!(done.stderr.contains("not an http"), "{}", done.stderr);
}

#[test]
fn every_python_server_answers_the_route_with_keep_alive() {
    let Some(python) = python() else { return };
    let interpreter = python.to_str().expect("a UTF-8 path");
    for server in PYTHON_SERVERS {
        let path = root().join(server.path());
        let running = procs::Server::start(interpreter, &[path.to_str().expect("UTF-8")]);
        let name = server.name;
        // Two requests on one connection: keep-alive.
        let mut stream = running.connect();
        for _ in 0..2 {
            procs::send(&mut stream, "/work?ms=20&size=1000");
            let answer = procs::read_answer(&mut stream).expect("an answer");
            assert_eq!(answer.status, 200, "{name}");
            assert_eq!(answer.body, vec![b'x'; 1000], "{name}");
        }
        let default = running.get("/work");
        assert_eq!((default.status, default.body.len()), (200, 1024), "{name}");
        assert_eq!(running.get("/work?ms=x").status, 400, "{name}");
        assert_eq!(running.get("/work?size=2000000").status, 400, "{name}");
        assert_eq!(running.get("/nowhere").status, 404, "{name}");
        let stats = running.stats();
        assert!(stats["accepted"].as_u64() >= Some(5), "{name}: {stats}");
        assert!(stats["requests"].as_u64() >= Some(3), "{name}: {stats}");
    }
}
