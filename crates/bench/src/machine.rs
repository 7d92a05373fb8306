//! The machine and the code a comparison ran on, recorded beside its results.

use std::process::Command;

use serde::Serialize;

/// What the results were measured on.
#[derive(Debug, Clone, Serialize)]
pub struct Machine {
    pub cores: usize,
    pub memory_bytes: u64,
    pub cpu: String,
    pub os: String,
    pub kernel: String,
    pub rustc: String,
    pub commit: String,
    pub date: String,
    pub fd_limit: u64,
}

impl Machine {
    /// Reads the machine's facts from `/proc`, `/etc/os-release`, `rustc` and `git`.
    pub fn read() -> Machine {
        let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let os_release = std::fs::read_to_string("/etc/os-release").unwrap_or_default();
        Machine {
            cores: std::thread::available_parallelism().map_or(1, usize::from),
            memory_bytes: field(&meminfo, "MemTotal:")
                .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
                .map_or(0, |kib| kib * 1024),
            cpu: field(&cpuinfo, "model name")
                .map(|v| v.trim_start_matches(':').trim().to_string())
                .unwrap_or_else(|| "unknown".into()),
            os: field(&os_release, "PRETTY_NAME=")
                .map(|v| v.trim_matches('"').to_string())
                .unwrap_or_else(|| std::env::consts::OS.into()),
            kernel: std::fs::read_to_string("/proc/sys/kernel/osrelease")
                .map(|s| s.trim().to_string())
                .unwrap_or_else(|_| "unknown".into()),
            rustc: output("rustc", &["--version"]),
            commit: commit(),
            date: humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string(),
            fd_limit: origin::raise_fd_limit().map_or(0, |l| l.soft),
        }
    }

    /// One line for the top of a report.
    pub fn describe(&self) -> String {
        format!(
            "{} cores ({}), {:.1} GiB memory, {} (Linux {}), {}, open-file limit {}",
            self.cores,
            self.cpu,
            self.memory_bytes as f64 / (1u64 << 30) as f64,
            self.os,
            self.kernel,
            self.rustc,
            self.fd_limit
        )
    }
}

fn field<'a>(text: &'a str, name: &str) -> Option<&'a str> {
    text.lines()
        .find_map(|line| line.strip_prefix(name))
        .map(str::trim)
}

fn output(program: &str, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// The commit, with `+changes` when the work tree differs from it.
fn commit() -> String {
    let head = output("git", &["rev-parse", "--short=12", "HEAD"]);
    let dirty = Command::new("git")
        .args(["status", "--porcelain", "--untracked-files=no"])
        .output()
        .is_ok_and(|o| !o.stdout.is_empty());
    if dirty {
        format!("{head}+changes")
    } else {
        head
    }
}
