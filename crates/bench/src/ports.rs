//! Ephemeral ports: a run that opens many connections leaves them in TIME_WAIT, and the next
//! run must not measure that.

use std::time::{Duration, Instant};

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
    // port, and that would be measured as the model's time. A run that needs more than half
    // (19,000 of 28,232 here) waits for the range to be all but empty.
    let room = (ports / 2).max(n.saturating_add(ports / 20)).min(ports);
    while time_wait() + n > room && start.elapsed() < Duration::from_secs(70) {
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
