//! Where each run's connections go: an address of its own in 127.0.0.0/8, so that no run waits
//! for the ports of the run before it.
//!
//! A connection closed by its client waits in TIME_WAIT for a minute, holding its four-tuple:
//! source address and port, destination address and port. Every address of 127.0.0.0/8 reaches
//! the loopback device on Linux, and the kernel gives a new connection any ephemeral port whose
//! four-tuple is free, so a port held in TIME_WAIT towards one address is free towards another.
//! Each run's server (the origin, a serve-* binary) therefore listens on an address that no
//! earlier run of this benchmark used: every run has the whole ephemeral range to itself, where
//! a run of 10,000 connections to one address used to wait up to a minute for the previous
//! run's ports to drain.
//!
//! The guard stays, and counts: before a run that opens `n` connections to its address, the
//! sockets in TIME_WAIT towards that very address are counted, and the run waits only while they
//! leave too few ports. Every second waited is added up, and `settings.json` records the total:
//! with fresh addresses it is zero.

use std::net::Ipv4Addr;
use std::time::{Duration, Instant};

/// Fresh loopback addresses, one per run, and the time waited for ports.
#[derive(Debug)]
pub struct Addresses {
    next: u32,
    waited: Duration,
}

impl Default for Addresses {
    fn default() -> Addresses {
        Addresses::new()
    }
}

impl Addresses {
    /// Addresses from `127.S.0.1` on, where `S` changes every minute, so that a benchmark
    /// started again at once does not meet its own last runs' ports either.
    pub fn new() -> Addresses {
        let minutes = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() / 60);
        let second = 16 + (minutes % 224) as u32;
        Addresses {
            next: u32::from(Ipv4Addr::new(127, second as u8, 0, 1)),
            waited: Duration::ZERO,
        }
    }

    /// An address no earlier run used, once at most `n` connections' worth of its ports are
    /// held in TIME_WAIT (waiting up to 70 s, and counting the wait).
    pub fn fresh(&mut self, n: u64) -> Ipv4Addr {
        let address = loop {
            let candidate = Ipv4Addr::from(self.next);
            self.next = self.next.wrapping_add(1);
            // Skip the addresses that read as a network's or a broadcast's.
            if !matches!(candidate.octets()[3], 0 | 255) {
                break candidate;
            }
        };
        self.waited += wait_for_ports(address, n);
        address
    }

    /// How long the runs waited for ports, in all.
    pub fn waited(&self) -> Duration {
        self.waited
    }
}

/// Waits until connections in TIME_WAIT towards `address` leave room for `n` more (up to 70 s),
/// and returns how long it waited: zero at once unless the machine's connections in TIME_WAIT
/// could crowd the range, and then zero unless they go to `address`.
fn wait_for_ports(address: Ipv4Addr, n: u64) -> Duration {
    let start = Instant::now();
    let Some(ports) = ephemeral_ports() else {
        return Duration::ZERO;
    };
    // Keep half the range free: connect() slows down as it searches a crowded range for a free
    // port, and that would be measured as the model's time. A run that needs more than half
    // waits for the range to be all but empty.
    let room = (ports / 2).max(n.saturating_add(ports / 20)).min(ports);
    let mut waited = Duration::ZERO;
    while time_wait_total() + n > room
        && time_wait_to(address) + n > room
        && start.elapsed() < Duration::from_secs(70)
    {
        std::thread::sleep(Duration::from_millis(500));
        waited = start.elapsed();
    }
    waited
}

/// How many ports the ephemeral range holds (`net.ipv4.ip_local_port_range`).
pub fn ephemeral_ports() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range").ok()?;
    let mut parts = text.split_whitespace().map(|p| p.parse::<u64>().ok());
    let (low, high) = (parts.next()??, parts.next()??);
    Some(high.saturating_sub(low) + 1)
}

/// Sockets in TIME_WAIT on the whole machine, from `/proc/net/sockstat` ("TCP: inuse 5 orphan 0
/// tw 1835 ..."): cheap to read, and an upper bound of [`time_wait_to`].
fn time_wait_total() -> u64 {
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

/// Sockets in TIME_WAIT with `address` at either end, from `/proc/net/tcp`: the client's end
/// (its remote address) or the server's (its local one), whichever closed first.
fn time_wait_to(address: Ipv4Addr) -> u64 {
    let text = std::fs::read_to_string("/proc/net/tcp").unwrap_or_default();
    count_time_wait(&text, address)
}

/// The lines of a `/proc/net/tcp` text in state TIME_WAIT (`06`) with `address` at either end.
fn count_time_wait(text: &str, address: Ipv4Addr) -> u64 {
    // The kernel prints an IPv4 address as the hex of its bytes in memory order.
    let hex = format!("{:08X}", u32::from_le_bytes(address.octets()));
    text.lines()
        .skip(1)
        .filter(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let (Some(local), Some(remote), Some(state)) =
                (fields.get(1), fields.get(2), fields.get(3))
            else {
                return false;
            };
            *state == "06" && (local.starts_with(&hex) || remote.starts_with(&hex))
        })
        .count() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_address_is_new_and_on_loopback() {
        let mut addresses = Addresses::new();
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..1000 {
            let address = addresses.fresh(1);
            assert!(address.is_loopback(), "{address}");
            assert!(!matches!(address.octets()[3], 0 | 255), "{address}");
            assert!(seen.insert(address), "{address} twice");
        }
        assert_eq!(addresses.waited(), Duration::ZERO);
    }

    #[test]
    fn time_wait_is_counted_towards_one_address_only() {
        // Two sockets in TIME_WAIT (06) towards 127.16.0.1:8080, one towards 127.0.0.1, one
        // established (01) towards 127.16.0.1, one in TIME_WAIT at a server on 127.16.0.1.
        let text = "  sl  local_address rem_address   st tx_queue rx_queue\n\
           0: 0100007F:9C40 0100107F:1F90 06 00000000:00000000\n\
           1: 0100007F:9C41 0100107F:1F90 06 00000000:00000000\n\
           2: 0100007F:9C42 0100007F:1F90 06 00000000:00000000\n\
           3: 0100007F:9C43 0100107F:1F90 01 00000000:00000000\n\
           4: 0100107F:1F90 0100007F:9C44 06 00000000:00000000\n";
        assert_eq!(count_time_wait(text, Ipv4Addr::new(127, 16, 0, 1)), 3);
        assert_eq!(count_time_wait(text, Ipv4Addr::new(127, 0, 0, 1)), 4);
        assert_eq!(count_time_wait(text, Ipv4Addr::new(127, 9, 9, 9)), 0);
    }
}
