//! A process's figures as the kernel keeps them under `/proc`.

/// The number after `name` in a `/proc` file of `Name:  value` lines (`/proc/PID/status`,
/// `/proc/meminfo`).
pub fn field(path: &str, name: &str) -> Option<u64> {
    let text = std::fs::read_to_string(path).ok()?;
    let line = text.lines().find(|l| l.starts_with(name))?;
    line[name.len()..].split_whitespace().next()?.parse().ok()
}

/// A field of `/proc/PID/status`, such as `VmRSS:` (in KiB) or `Threads:`.
pub fn status_field(pid: u32, name: &str) -> Option<u64> {
    field(&format!("/proc/{pid}/status"), name)
}

/// A process's resident memory now, in KiB (`VmRSS`).
pub fn rss_kib(pid: u32) -> Option<u64> {
    status_field(pid, "VmRSS:")
}

/// A process's CPU time so far, user and system, in seconds, from `/proc/PID/stat`.
pub fn cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i)?.parse::<f64>().ok();
    // utime and stime are the 14th and 15th fields, the 12th and 13th after the name.
    // SAFETY: sysconf has no preconditions.
    let per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
    Some((ticks(11)? + ticks(12)?) / per_second.max(1.0))
}

/// The memory of every TCP socket on the machine, from `/proc/net/sockstat` (`TCP: ... mem N`,
/// in pages), in KiB.
pub fn socket_memory_kib() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/net/sockstat").ok()?;
    let tcp = text.lines().find(|l| l.starts_with("TCP:"))?;
    let mut words = tcp.split_whitespace();
    words.find(|w| *w == "mem")?;
    let pages: u64 = words.next()?.parse().ok()?;
    // SAFETY: sysconf has no preconditions.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) }.max(4096) as u64;
    Some(pages * page / 1024)
}

/// Runs `f`, sampling `figure` every 50 ms meanwhile: `f`'s value, and the highest sample above
/// the one taken before `f` began (`None` where the figure cannot be read).
pub fn peak_while<T>(figure: fn() -> Option<u64>, f: impl FnOnce() -> T) -> (T, Option<u64>) {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
    let Some(before) = figure() else {
        return (f(), None);
    };
    let (sampling, peak) = (
        Arc::new(AtomicBool::new(true)),
        Arc::new(AtomicU64::new(before)),
    );
    let sampler = {
        let (sampling, peak) = (sampling.clone(), peak.clone());
        std::thread::spawn(move || {
            while sampling.load(Ordering::Relaxed) {
                if let Some(value) = figure() {
                    peak.fetch_max(value, Ordering::Relaxed);
                }
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
        })
    };
    let value = f();
    sampling.store(false, Ordering::Relaxed);
    let _ = sampler.join();
    (value, Some(peak.load(Ordering::Relaxed) - before))
}

/// How many times, since boot, a connection found a listening socket's accept queue full
/// (`TcpExt: ListenOverflows` of `/proc/net/netstat`): machine-wide, so the difference over a
/// run is that run's. Each one costs the client a retransmitted handshake, a second or more.
pub fn listen_overflows() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/net/netstat").ok()?;
    let mut lines = text.lines().filter(|l| l.starts_with("TcpExt:"));
    let (names, values) = (lines.next()?, lines.next()?);
    let at = names
        .split_whitespace()
        .position(|n| n == "ListenOverflows")?;
    values.split_whitespace().nth(at)?.parse().ok()
}
