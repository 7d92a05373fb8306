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

/// Runs a program of python/talks that fetches nothing, with no arguments: what it printed.
fn run_plain(python: &Path, file: &str, deadline: Duration) -> procs::child::Finished {
    let mut command = Command::new(python);
    command
        .current_dir(root())
        .arg(format!("python/talks/{file}"));
    let done = procs::run(&mut command, deadline).expect("run the program");
    let status = done
        .status
        .unwrap_or_else(|| panic!("{file} did not finish in {deadline:?}"));
    assert!(status.success(), "{file}: {status}\n{}", done.stderr);
    done
}

#[test]
fn the_generator_programs_print_the_talks_fields_and_only_the_list_grows() {
    let Some(python) = python() else { return };
    let mut grew = std::collections::BTreeMap::new();
    for file in ["nogenerator.py", "generatorlong.py", "generator.py"] {
        let done = run_plain(&python, file, Duration::from_secs(30));
        // The talk's lines, in its order: module, mem, utime, stime, cpu, time.
        let fields: Vec<(&str, &str)> = done
            .stdout
            .lines()
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k, v.trim()))
            .collect();
        let names: Vec<&str> = fields.iter().map(|(k, _)| *k).collect();
        assert_eq!(
            names,
            ["module", "mem", "utime", "stime", "cpu", "time"],
            "{file}: {}",
            done.stdout
        );
        assert_eq!(fields[0].1, file);
        let mem: u64 = fields[1].1.replace(',', "").parse().expect("mem in bytes");
        for (name, value) in &fields[2..] {
            let seconds: f64 = value.parse().unwrap_or(f64::NAN);
            assert!((0.0..30.0).contains(&seconds), "{file}: {name} {value}");
        }
        grew.insert(file, mem);
    }
    // 10,000 numbers in a list hold 10,000 pointers at least (80,000 bytes); a generator and an
    // iterator hold one number at a time.
    let list = grew["nogenerator.py"];
    assert!(list >= 80_000, "the list grew the peak by {list} bytes");
    for file in ["generatorlong.py", "generator.py"] {
        assert!(
            grew[file] * 4 < list,
            "{file}: {} beside {list}",
            grew[file]
        );
    }
}

#[test]
fn loops_runs_its_callback_three_seconds_later_and_stops() {
    let Some(python) = python() else { return };
    let done = run_plain(&python, "loops.py", Duration::from_secs(30));
    assert_eq!(done.stdout, "ending loop for result: 5\n");
    // `call_later(3, ...)` never fires early; the upper bound is the deadline above.
    assert!(
        done.elapsed >= Duration::from_millis(2_900),
        "{:?}",
        done.elapsed
    );
}
