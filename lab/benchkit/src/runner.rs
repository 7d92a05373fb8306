//! Running the processes: the standalone origin, and each model as its own process so that its
//! CPU time and peak memory are its own.

use std::io::{BufRead, BufReader};
use std::net::Ipv4Addr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::{Context, bail};
use serde_json::Value;

/// The origin, started as a process of its own and stopped when dropped.
#[derive(Debug)]
pub struct OriginProcess {
    child: Child,
    pub url: String,
}

impl OriginProcess {
    /// Starts `bin_dir/origin` on a free port of `address` and reads the address it prints. It
    /// serves the workspace's `js/` at `/files/`, for the talk's page.
    pub fn start(bin_dir: &Path, address: Ipv4Addr) -> anyhow::Result<OriginProcess> {
        let bin = bin_dir.join("origin");
        let mut command = Command::new(&bin);
        command.args(["--port", "0", "--bind", &address.to_string()]);
        if let Ok(js) = Path::new(crate::context::JS_DIR).canonicalize() {
            command.arg("--files").arg(js);
        }
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("cannot start {}", bin.display()))?;
        let stdout = child.stdout.take().context("the origin's stdout")?;
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line)?;
        let Some(url) = line
            .split_whitespace()
            .find(|word| word.starts_with("http://"))
        else {
            let _ = child.kill();
            bail!("the origin did not print its address (it printed {line:?})");
        };
        Ok(OriginProcess {
            url: url.to_string(),
            child,
        })
    }
}

impl Drop for OriginProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What one run of a model gave.
#[derive(Debug)]
pub enum Outcome {
    /// The model ran to the end and printed its JSON report (exit code 0 or 1).
    Report { json: Value, raw: String },
    /// It did not: killed past its deadline, crashed, or printed no report.
    Broken(String),
}

/// Runs `bin` with `args` (and `env`, a variable of its environment), killing it past
/// `deadline`.
pub fn run_model(
    bin: &Path,
    args: &[String],
    env: Option<(&str, &str)>,
    deadline: Duration,
) -> Outcome {
    let mut command = Command::new(bin);
    command.args(args);
    if let Some((var, value)) = env {
        command.env(var, value);
    }
    run_command(&mut command, deadline)
}

/// Runs one of the talks' Python programs (`python/talks/NAME`) with `interpreter`, as a model
/// is run: same arguments, same JSON report.
pub fn run_python(
    interpreter: &Path,
    program: &catalogue::Python,
    args: &[String],
    deadline: Duration,
) -> Outcome {
    run_command(
        Command::new(interpreter).arg(program.path()).args(args),
        deadline,
    )
}

/// Runs one of the talks' JavaScript programs with `node`, as a model is run: same arguments,
/// same JSON report (a page through its browser driver).
pub fn run_javascript(
    program: &catalogue::JavaScript,
    args: &[String],
    deadline: Duration,
) -> Outcome {
    run_command(
        Command::new(catalogue::NODE)
            .arg(program.script())
            .args(args),
        deadline,
    )
}

/// Whether the Python rows can run, and which Python: `interpreter --version`.
pub fn python_version(interpreter: &Path) -> Option<String> {
    let output = Command::new(interpreter).arg("--version").output().ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_string())
}

/// Runs a program that prints its JSON report on stdout (exit code 0, or 1 for a run that
/// reports failures), killing it past `deadline`.
pub fn run_command(command: &mut Command, deadline: Duration) -> Outcome {
    let program = command.get_program().to_string_lossy().into_owned();
    let finished = match procs::run(command, deadline) {
        Ok(finished) => finished,
        Err(e) => return Outcome::Broken(format!("cannot run {program}: {e}")),
    };
    let Some(status) = finished.status else {
        return Outcome::Broken(format!("killed after {deadline:?}"));
    };
    let last = finished
        .stderr
        .lines()
        .last()
        .unwrap_or("")
        .trim()
        .to_string();
    match (
        status.code(),
        serde_json::from_str::<Value>(finished.stdout.trim()),
    ) {
        (Some(0 | 1), Ok(json)) => Outcome::Report {
            json,
            raw: finished.stdout,
        },
        (Some(code), _) => Outcome::Broken(format!("exit code {code}: {last}")),
        (None, _) => Outcome::Broken(format!("killed by a signal ({status}): {last}")),
    }
}

/// Whether `curl` runs here, and which version: the reference row needs it.
pub fn curl_version() -> Option<String> {
    let output = Command::new("curl").arg("--version").output().ok()?;
    let text = String::from_utf8_lossy(&output.stdout);
    output
        .status
        .success()
        .then(|| text.lines().next().unwrap_or("curl").to_string())
}

/// Runs `curl --parallel` over `urls`, at most 300 transfers at once (curl's ceiling), every body
/// written to /dev/null, and reports it as a model reports itself (`--json`): wall time, the
/// CPU and peak RSS the kernel counted for curl, and how many answers were `200`.
///
/// `--parallel-immediate` opens the connections at once, as the models do; without it curl
/// waits for the first transfer to learn whether the server multiplexes (HTTP/2) before
/// starting the others, which adds the first site's latency to the six sites' wall time.
pub fn run_curl(urls: &[String], dir: &Path, deadline: Duration) -> Outcome {
    // One URL and one output per pair of lines, as `curl -K` reads them.
    let mut config = String::from("write-out = \"%{http_code}\\n\"\n");
    for url in urls {
        config.push_str(&format!("url = \"{url}\"\noutput = \"/dev/null\"\n"));
    }
    let file = dir.join("curl.config");
    if let Err(e) = std::fs::write(&file, config) {
        return Outcome::Broken(format!("cannot write {}: {e}", file.display()));
    }
    let parallel = crate::cells::CURL_PARALLEL_MAX.to_string();
    let mut command = Command::new("curl");
    command
        .args([
            "--parallel",
            "--parallel-immediate",
            "--parallel-max",
            &parallel,
        ])
        .args(["--silent", "--config"])
        .arg(&file);
    let finished = procs::run(&mut command, deadline);
    let _ = std::fs::remove_file(&file);
    let finished = match finished {
        Ok(finished) => finished,
        Err(e) => return Outcome::Broken(format!("cannot run curl: {e}")),
    };
    let (Some(status), Some(usage)) = (finished.status, finished.usage) else {
        return Outcome::Broken(format!("killed after {deadline:?}"));
    };
    // curl exits non-zero when a transfer failed; each transfer's code says which.
    let ok = finished
        .stdout
        .lines()
        .filter(|l| l.trim() == "200")
        .count();
    let json = serde_json::json!({
        "model": crate::cells::CURL,
        "n": urls.len(),
        "ok": ok,
        "failed": urls.len() - ok,
        "wall_s": finished.elapsed.as_secs_f64(),
        "user_s": usage.user.as_secs_f64(),
        "sys_s": usage.sys.as_secs_f64(),
        "peak_rss_bytes": usage.peak_rss,
        "peak_in_flight": urls.len().min(crate::cells::CURL_PARALLEL_MAX),
        "exit_code": status.code(),
    });
    Outcome::Report {
        raw: json.to_string(),
        json,
    }
}
