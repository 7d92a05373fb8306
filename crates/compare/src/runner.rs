//! Running the processes: the standalone origin, and each model as its own process so that its
//! CPU time and peak memory are its own.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde_json::Value;

/// The origin, started as a process of its own and stopped when dropped.
#[derive(Debug)]
pub struct OriginProcess {
    child: Child,
    pub url: String,
}

impl OriginProcess {
    /// Starts `bin_dir/origin` on a free port and reads the address it prints.
    pub fn start(bin_dir: &Path) -> anyhow::Result<OriginProcess> {
        let bin = bin_dir.join("origin");
        let mut child = Command::new(&bin)
            .args(["--port", "0"])
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

/// Runs `bin` with `args`, killing it past `deadline`.
pub fn run_model(bin: &Path, args: &[String], deadline: Duration) -> Outcome {
    let finished = match harness::child::run(Command::new(bin).args(args), deadline) {
        Ok(finished) => finished,
        Err(e) => return Outcome::Broken(format!("cannot run {}: {e}", bin.display())),
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

/// Connections closed by the client wait in TIME_WAIT for a minute, each holding an ephemeral
/// port. Before a run that opens `n` connections, wait (up to 70 s) until enough ports are
/// free, so that a sweep does not measure the previous run's leftovers. Returns how long it
/// waited.
pub fn wait_for_ports(n: u64) -> Duration {
    let start = Instant::now();
    let Some((low, high)) = port_range() else {
        return Duration::ZERO;
    };
    let ports = high.saturating_sub(low) + 1;
    // Keep half the range free: connect() slows down as it searches a crowded range for a free
    // port, and that would be measured as the model's time.
    while time_wait() + n > ports / 2 && start.elapsed() < Duration::from_secs(70) {
        std::thread::sleep(Duration::from_millis(500));
    }
    start.elapsed()
}

fn port_range() -> Option<(u64, u64)> {
    let text = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range").ok()?;
    let mut parts = text.split_whitespace().map(|p| p.parse::<u64>().ok());
    Some((parts.next()??, parts.next()??))
}

/// Sockets in TIME_WAIT, from `/proc/net/sockstat` ("TCP: inuse 5 orphan 0 tw 1835 ...").
fn time_wait() -> u64 {
    let text = std::fs::read_to_string("/proc/net/sockstat").unwrap_or_default();
    text.lines()
        .find(|line| line.starts_with("TCP:"))
        .and_then(|line| {
            let words: Vec<&str> = line.split_whitespace().collect();
            let at = words.iter().position(|w| *w == "tw")?;
            words.get(at + 1)?.parse().ok()
        })
        .unwrap_or(0)
}
