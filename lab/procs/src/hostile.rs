//! What a hostile client does to a server, for the tests and the hostile part alike: a flood of
//! clients that pipeline requests and never read the answers, and a probe, a new client asking
//! a small answer at a steady pace meanwhile, timing each.

use std::io::Write;
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::server::{read_answer, send};

/// What the probe asks for: no wait and a small body, so its time is the server's alone.
pub const PROBE_TARGET: &str = "/work?ms=0&size=16";

/// How long one probe waits for its answer before it counts as unanswered.
const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

/// `connections` clients that each send `requests` pipelined `GET target` and read nothing.
/// A write that the server does not take within `write_timeout` is left there: a server that
/// stops reading a client whose answers wait is what a well-behaved one does.
pub fn pipeline_without_reading(
    addr: SocketAddr,
    connections: usize,
    requests: usize,
    target: &str,
    write_timeout: Duration,
) -> Vec<TcpStream> {
    let pipelined = format!("GET {target} HTTP/1.1\r\nHost: t\r\n\r\n").repeat(requests);
    (0..connections)
        .filter_map(|_| {
            let mut stream = TcpStream::connect(addr).ok()?;
            stream.set_write_timeout(Some(write_timeout)).ok()?;
            let _ = stream.write_all(pipelined.as_bytes());
            Some(stream)
        })
        .collect()
}

/// A new client every `every`, on a thread of its own until [`Probe::stop`]: each connects,
/// asks for [`PROBE_TARGET`] and times the answer.
#[derive(Debug)]
pub struct Probe {
    stop: Arc<AtomicBool>,
    thread: JoinHandle<Vec<Option<Duration>>>,
}

impl Probe {
    pub fn every(addr: SocketAddr, every: Duration) -> Probe {
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            let mut times = Vec::new();
            let mut next = Instant::now();
            while !stopped.load(Ordering::Relaxed) {
                times.push(probe(addr));
                next += every;
                // A probe slower than the pace starts the next one at once, never a burst.
                next = next.max(Instant::now());
                while Instant::now() < next && !stopped.load(Ordering::Relaxed) {
                    std::thread::sleep(Duration::from_millis(10).min(every));
                }
            }
            times
        });
        Probe { stop, thread }
    }

    /// Stops the probe after the one under way: each probe's time to its answer, `None` for
    /// one that got no answer within 5 s.
    pub fn stop(self) -> Vec<Option<Duration>> {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.join().unwrap_or_default()
    }
}

/// One new client's time to the answer of [`PROBE_TARGET`], connecting included.
pub fn probe(addr: SocketAddr) -> Option<Duration> {
    let start = Instant::now();
    let mut stream = TcpStream::connect_timeout(&addr, PROBE_TIMEOUT).ok()?;
    stream.set_read_timeout(Some(PROBE_TIMEOUT)).ok()?;
    stream.set_write_timeout(Some(PROBE_TIMEOUT)).ok()?;
    send(&mut stream, PROBE_TARGET);
    let answer = read_answer(&mut stream)?;
    (answer.status == 200 && answer.body.len() == 16).then(|| start.elapsed())
}

/// The probes' summary: how many, how many went unanswered, and the slowest answer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Probed {
    pub probes: usize,
    pub unanswered: usize,
    pub slowest: Option<Duration>,
}

impl Probed {
    pub fn of(times: &[Option<Duration>]) -> Probed {
        Probed {
            probes: times.len(),
            unanswered: times.iter().filter(|t| t.is_none()).count(),
            slowest: times.iter().flatten().max().copied(),
        }
    }

    /// Whether every probe was answered within `limit`.
    pub fn all_within(&self, limit: Duration) -> bool {
        self.probes > 0 && self.unanswered == 0 && self.slowest.is_some_and(|s| s <= limit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probes_sum_up_with_the_unanswered_and_the_slowest() {
        let ms = |n| Some(Duration::from_millis(n));
        let probed = Probed::of(&[ms(3), ms(900), ms(12)]);
        assert_eq!(probed.slowest, ms(900));
        assert!(probed.all_within(Duration::from_secs(1)));
        assert!(!probed.all_within(Duration::from_millis(500)));
        let lost = Probed::of(&[ms(3), None]);
        assert_eq!(lost.unanswered, 1);
        assert!(!lost.all_within(Duration::from_secs(1)));
        assert!(!Probed::of(&[]).all_within(Duration::from_secs(1)));
    }
}
