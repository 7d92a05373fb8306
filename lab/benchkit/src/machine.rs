//! The machine and the code a run measured, recorded beside its figures: what it is, and the
//! limits it sets, each read from the machine itself, so that a page made from the run states
//! the limits of the machine that ran it.

use std::process::Command;

use runfiles::{Limits, Machine};

/// Reads the machine's facts from `/proc`, `/etc/os-release`, `rustc` and `git`, and raises
/// this process's open-file limit as far as it goes (the programs it starts inherit it).
pub fn read(python: Option<String>, javascript: &crate::context::JavaScriptSide) -> Machine {
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let os_release = std::fs::read_to_string("/etc/os-release").unwrap_or_default();
    let files = fetchkit::raise_fd_limit().ok();
    let (commit, clean) = commit();
    Machine {
        cores: std::thread::available_parallelism().map_or(1, |n| n.get() as u32),
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
        rustc: output("rustc", &["--version"]).unwrap_or_else(|| "unknown".into()),
        python,
        node: javascript.node.clone(),
        chromium: javascript.chromium.clone(),
        commit,
        clean,
        date: humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string(),
        fd_limit: files.as_ref().map_or(0, |l| l.soft),
        limits: Limits {
            open_files_soft: files.as_ref().map_or(0, |l| l.soft),
            open_files_hard: files.as_ref().map_or(0, |l| l.hard),
            pid_max: sysctl("kernel/pid_max"),
            threads_max: sysctl("kernel/threads-max"),
            max_map_count: sysctl("vm/max_map_count"),
            ephemeral_ports: port_range(),
            ephemeral_port_count: crate::addresses::ephemeral_ports(),
            somaxconn: sysctl("net/core/somaxconn"),
            tcp_max_tw_buckets: sysctl("net/ipv4/tcp_max_tw_buckets"),
            io_uring: io_uring(),
            io_uring_disabled: sysctl("kernel/io_uring_disabled"),
        },
    }
}

/// The machine in one line, for the run's first lines.
pub fn describe(m: &Machine) -> String {
    format!(
        "{} core{} ({}), {:.1} GiB memory, {} (Linux {}), {}, commit {}, open-file limit {}",
        m.cores,
        if m.cores == 1 { "" } else { "s" },
        m.cpu,
        m.memory_bytes as f64 / (1u64 << 30) as f64,
        m.os,
        m.kernel,
        m.rustc,
        m.commit,
        m.fd_limit
    )
}

fn field<'a>(text: &'a str, name: &str) -> Option<&'a str> {
    text.lines()
        .find_map(|line| line.strip_prefix(name))
        .map(str::trim)
}

/// A number under `/proc/sys/`.
fn sysctl(path: &str) -> Option<u64> {
    std::fs::read_to_string(format!("/proc/sys/{path}"))
        .ok()?
        .trim()
        .parse()
        .ok()
}

fn port_range() -> Option<(u64, u64)> {
    let text = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range").ok()?;
    let mut parts = text.split_whitespace().map(|p| p.parse::<u64>().ok());
    Some((parts.next()??, parts.next()??))
}

/// Whether this process may set up an io_uring ring of one entry.
fn io_uring() -> bool {
    // io_uring_params is 120 bytes; the kernel fills it in.
    let mut params = [0u8; 120];
    // SAFETY: io_uring_setup(2) reads and writes `params`, which is valid and large enough for
    // the struct, and returns a new descriptor or -1.
    let fd = unsafe { libc::syscall(libc::SYS_io_uring_setup, 1u32, params.as_mut_ptr()) };
    if fd < 0 {
        return false;
    }
    // SAFETY: `fd` is the descriptor just returned, owned here.
    unsafe { libc::close(fd as libc::c_int) };
    true
}

pub fn output(program: &str, args: &[&str]) -> Option<String> {
    Command::new(program)
        .args(args)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
}

/// The commit, with `+changes` when tracked files differ from it, and whether they do not.
fn commit() -> (String, bool) {
    let head =
        output("git", &["rev-parse", "--short=12", "HEAD"]).unwrap_or_else(|| "unknown".into());
    let dirty = Command::new("git")
        .args(["status", "--porcelain", "--untracked-files=no"])
        .output()
        .is_ok_and(|o| !o.stdout.is_empty());
    if dirty {
        (format!("{head}+changes"), false)
    } else {
        (head, true)
    }
}
