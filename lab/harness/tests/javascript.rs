//! The JavaScript reference rows: Node's `promises.mjs` against the origin (the six sites'
//! sizes, the talk's 1651, a refused origin as failed rows), and the talk's `async.html` in
//! headless Chromium where it is installed. Skipped, and said so, where `node` (or Chromium
//! with its driver, which `scripts/js.sh` installs) is missing.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use catalogue::{BROWSER_CONNECTIONS_PER_HOST, JavaScript, NODE};
use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Says `why` past the test harness's capture.
fn skipped(why: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "skipped: {why}");
}

fn node() -> bool {
    let found = Command::new(NODE)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        skipped("no node (scripts/js.sh installs it)");
    }
    found
}

/// Whether the browser's row can run here: Chromium, and playwright-core to drive it.
fn chromium() -> bool {
    let browser = std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| "/usr/bin/chromium".into());
    if !browser.is_file() {
        skipped("no chromium (scripts/js.sh installs it)");
        return false;
    }
    if !root().join("js/node_modules/playwright-core").is_dir() {
        skipped("no chromium driver: js/node_modules/playwright-core (scripts/js.sh installs it)");
        return false;
    }
    node()
}

/// Runs `name` with `args`, to a deadline: its exit code, stdout and stderr.
fn run(name: &str, args: &[&str]) -> (i32, String, String) {
    let program = JavaScript::named(name).expect("in the catalogue");
    let mut command = Command::new(NODE);
    command.current_dir(root()).arg(program.script()).args(args);
    let done = procs::run(&mut command, Duration::from_secs(120)).expect("run node");
    let status = done
        .status
        .unwrap_or_else(|| panic!("{name} did not finish in 120 s"));
    (status.code().unwrap_or(-1), done.stdout, done.stderr)
}

/// Runs `name` with `args` and `--json`: its exit code and report.
fn json_report(name: &str, args: &[&str]) -> (i32, Value) {
    let args: Vec<&str> = args.iter().copied().chain(["--json"]).collect();
    let (code, stdout, stderr) = run(name, &args);
    let report = serde_json::from_str(stdout.trim())
        .unwrap_or_else(|e| panic!("{name}: no JSON report ({e}):\n{stdout}\nstderr:\n{stderr}"));
    (code, report)
}

/// A loopback port nothing listens on.
fn refused() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("address");
    drop(listener);
    format!("http://{addr}")
}

fn requests(report: &Value) -> &[Value] {
    report["requests"].as_array().map_or(&[], Vec::as_slice)
}

#[test]
fn node_gets_the_sites_sizes_and_the_talks_total_all_at_once() {
    if !node() {
        return;
    }
    let origin = harness::start_origin();
    let base = origin.base_url();
    let (code, sites) = json_report("promises.mjs", &["--origin", &base, "--time-scale", "0.02"]);
    assert_eq!(code, 0, "{sites}");
    assert_eq!(sites["ok"], 6, "{sites}");
    let bytes: u64 = requests(&sites)
        .iter()
        .map(|r| r["bytes"].as_u64().unwrap_or(0))
        .sum();
    let want: u64 = origin::sites().iter().map(|s| s.bytes as u64).sum();
    assert_eq!(bytes, want);
    assert_eq!(sites["peak_in_flight"], 6, "{sites}");

    let jobs = [
        "--workload",
        "jobs",
        "--origin",
        &base,
        "--time-scale",
        "0.02",
    ];
    let (code, report) = json_report("promises.mjs", &jobs);
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["jobs_total"], 1651);
    assert_eq!(report["correct"], true);
    assert_eq!(
        report["peak_in_flight"], 100,
        "Promise.all holds nothing back"
    );
    for field in ["wall_s", "user_s", "sys_s", "peak_rss_bytes"] {
        assert!(report[field].as_f64() > Some(0.0), "{field}: {report}");
    }
    // And in the page's words: the total, then the talk's console.time line.
    let (code, stdout, _) = run("promises.mjs", &jobs);
    assert_eq!(code, 0);
    assert!(stdout.starts_with("1651\nTotal Jobs: "), "{stdout}");

    // At scale, the zips over and over.
    let scaled = [
        "--workload",
        "jobs",
        "--count",
        "300",
        "--origin",
        &base,
        "--time-scale",
        "0.02",
    ];
    let (_, report) = json_report("promises.mjs", &scaled);
    assert_eq!(report["jobs_total"], 3 * 1651, "{report}");
}

#[test]
fn node_reports_a_refused_origin_as_failed_rows_and_bad_arguments_at_start() {
    if !node() {
        return;
    }
    let (code, report) = json_report("promises.mjs", &["--origin", &refused()]);
    assert_eq!(code, 1, "{report}");
    assert_eq!(
        (report["ok"].as_u64(), report["failed"].as_u64()),
        (Some(0), Some(6))
    );
    assert!(
        requests(&report)
            .iter()
            .all(|r| r["error_kind"] == "refused"),
        "{report}"
    );
    for bad in [
        &["--count", "0"][..],
        &["--origin", "ftp://x"],
        &["--workload", "x"],
        &["--nope"],
    ] {
        let (code, stdout, stderr) = run("promises.mjs", bad);
        assert_eq!(code, 2, "{bad:?}: {stdout}{stderr}");
        assert!(stderr.starts_with("promises.mjs: "), "{bad:?}: {stderr}");
    }
}

#[test]
fn the_talks_page_asks_for_the_talks_100_zips() {
    let page = std::fs::read_to_string(root().join("js/talks/async.html")).expect("async.html");
    let zips: Vec<&str> = page
        .split('\'')
        .filter(|s| s.len() == 5 && s.bytes().all(|b| b.is_ascii_digit()))
        .collect();
    assert_eq!(zips, origin::zips());
    assert!(page.contains("$.when.apply('$', deferreds)"));
    assert!(page.contains("console.time('Total Jobs')"));
}

#[test]
fn the_browser_runs_the_talks_page_six_requests_at_a_time() {
    if !chromium() {
        return;
    }
    let origin = harness::start_origin_with_js();
    let (code, report) = json_report(
        "async.html",
        &["--origin", &origin.base_url(), "--time-scale", "0.1"],
    );
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["jobs_total"], 1651, "{report}");
    assert_eq!(report["correct"], true, "{report}");
    assert_eq!(requests(&report).len(), 100);
    let on_wire = report["peak_in_flight"].as_u64().unwrap_or(0);
    assert!(
        (2..=BROWSER_CONNECTIONS_PER_HOST as u64).contains(&on_wire),
        "{on_wire} on the wire at once"
    );
    // The page asked for more than the browser sent at once.
    assert!(report["peak_asked"].as_u64() > Some(on_wire), "{report}");
    let console = report["console"].to_string();
    assert!(console.contains("Total Jobs: "), "{console}");
    assert!(report["wall_s"].as_f64() > Some(0.0));
    assert!(report["peak_rss_bytes"].as_f64() > Some(0.0));
}

#[test]
fn the_browser_reports_a_refused_origin_and_bad_arguments() {
    if !chromium() {
        return;
    }
    let (code, report) = json_report("async.html", &["--origin", &refused(), "--timeout", "10"]);
    assert_eq!(code, 1, "{report}");
    assert_eq!(
        (report["ok"].as_u64(), report["failed"].as_u64()),
        (Some(0), Some(100))
    );
    assert!(
        report["error"]
            .as_str()
            .is_some_and(|e| e.contains("REFUSED")),
        "{report}"
    );
    let (code, _, stderr) = run("async.html", &["--count", "5"]);
    assert_eq!(code, 2, "{stderr}");
}
