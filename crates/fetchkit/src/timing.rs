//! The timing helper, after the talk's `@common.timeit`, and the whole-run figures, after the
//! talk's `ResourceHelper.usage()`.
//!
//! [`timeit`] and [`timed`] also count the requests in flight, so that the report can say how
//! many were ever under way at once: the concurrency a model really reached, whatever its
//! settings promised.

use std::fs::File;
use std::future::Future;
use std::os::unix::fs::FileExt;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

static IN_FLIGHT: AtomicUsize = AtomicUsize::new(0);
static PEAK_IN_FLIGHT: AtomicUsize = AtomicUsize::new(0);
/// Past this many requests in flight, the warning to print, once.
static WARNING: OnceLock<(usize, String)> = OnceLock::new();
static WARNED: AtomicBool = AtomicBool::new(false);

/// Prints `warning` to stderr, once, when more than `in_flight` requests are in flight at once.
pub fn warn_past(in_flight: usize, warning: String) {
    let _ = WARNING.set((in_flight, warning));
}

/// When a request started and how long it took: its bar on the run's timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Elapsed {
    pub started: Instant,
    pub took: Duration,
}

impl Elapsed {
    /// No time at all: for a request that never started (no thread or stack could be had).
    pub fn none() -> Elapsed {
        Elapsed {
            started: Instant::now(),
            took: Duration::ZERO,
        }
    }
}

/// Runs `f` and returns its value with how long it took: the talk's `timeit` decorator.
pub fn timeit<T>(f: impl FnOnce() -> T) -> (T, Elapsed) {
    let watch = Stopwatch::start();
    let value = f();
    (value, watch.elapsed())
}

/// Awaits `future` and returns its output with how long it took: [`timeit`] for async code.
/// It works on any runtime.
pub async fn timeit_async<F: Future>(future: F) -> (F::Output, Elapsed) {
    let watch = Stopwatch::start();
    let value = future.await;
    (value, watch.elapsed())
}

/// [`timeit`] for a program of callbacks, which cannot wrap a request in one call: start the
/// watch when the request starts, read it when the answer's callback runs. The request counts
/// as in flight for as long as the watch lives.
#[derive(Debug)]
pub struct Stopwatch {
    started: Instant,
    _flight: InFlight,
}

impl Stopwatch {
    pub fn start() -> Stopwatch {
        Stopwatch {
            _flight: InFlight::start(),
            started: Instant::now(),
        }
    }

    /// When the watch started, and the time since.
    pub fn elapsed(&self) -> Elapsed {
        Elapsed {
            started: self.started,
            took: self.started.elapsed(),
        }
    }
}

/// The most requests that were in flight at once in this process so far.
pub fn peak_in_flight() -> usize {
    PEAK_IN_FLIGHT.load(Ordering::Relaxed)
}

/// Counts one request in flight for as long as it lives, even if its future is dropped.
#[derive(Debug)]
struct InFlight;

impl InFlight {
    fn start() -> InFlight {
        let now = IN_FLIGHT.fetch_add(1, Ordering::Relaxed) + 1;
        PEAK_IN_FLIGHT.fetch_max(now, Ordering::Relaxed);
        if let Some((most, warning)) = WARNING.get() {
            if now > *most && !WARNED.swap(true, Ordering::Relaxed) {
                eprintln!("{warning}");
            }
        }
        InFlight
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        IN_FLIGHT.fetch_sub(1, Ordering::Relaxed);
    }
}

/// What the process has used so far: CPU time and memory, every thread included.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Usage {
    pub user: Duration,
    pub sys: Duration,
    /// Peak resident set size of this program (`VmHWM`), in bytes.
    pub peak_rss: u64,
    /// `ru_maxrss` from getrusage, in bytes. On Linux it also counts the image that was replaced
    /// by `exec`: a program started by `cargo run` inherits cargo's tens of MiB here. The report
    /// uses `VmHWM`, which starts afresh at `exec`, and falls back on this one without `/proc`.
    pub ru_maxrss: u64,
    /// Peak virtual memory size (`VmPeak`), in bytes: thread stacks show here long before they
    /// show in the resident set. Zero where `/proc` is not available.
    pub vm_peak: u64,
    /// Resident set size at the moment of reading (`VmRSS`), in bytes.
    pub rss: u64,
    /// Threads of the process at the moment of reading.
    pub threads: u64,
}

/// `/proc/self/status`, opened once and early ([`Usage::prepare`]): at the end of a run of
/// thousands of connections the process may have no descriptor left to open it with.
static STATUS: OnceLock<Option<File>> = OnceLock::new();

/// The process's CPU time when the program began ([`Usage::prepare`]): what came before it is
/// not the program's. `cargo run` `exec`s the binary in cargo's own process, and
/// `getrusage(RUSAGE_SELF)` keeps counting across an `exec`, so without this a model run by
/// cargo would report the build's CPU as its own.
static CPU_AT_START: OnceLock<(Duration, Duration)> = OnceLock::new();

/// `/proc/self/status`, opened the first time it is asked for.
fn status_file() -> Option<&'static File> {
    STATUS
        .get_or_init(|| File::open("/proc/self/status").ok())
        .as_ref()
}

/// The text of `/proc/self/status` now, read from the start of the file opened early.
fn status() -> String {
    let Some(file) = status_file() else {
        return String::new();
    };
    let (mut text, mut chunk) = (Vec::new(), [0u8; 4096]);
    while let Ok(n @ 1..) = file.read_at(&mut chunk, text.len() as u64) {
        text.extend_from_slice(&chunk[..n]);
    }
    String::from_utf8_lossy(&text).into_owned()
}

impl Usage {
    /// Marks the program's start and opens what [`Usage::now`] reads, while descriptors are
    /// still free: call it first thing, before the run's connections.
    pub fn prepare() {
        CPU_AT_START.get_or_init(|| {
            let (user, sys, _) = rusage();
            (user, sys)
        });
        status_file();
    }

    /// The program's figures so far: `getrusage(RUSAGE_SELF)` less the CPU time spent before
    /// [`Usage::prepare`] (by whatever `exec`ed this program), and `/proc/self/status`.
    pub fn now() -> Usage {
        let (user, sys, ru_maxrss) = rusage();
        let (user_before, sys_before) = CPU_AT_START.get().copied().unwrap_or_default();
        let status = status();
        let field = |name: &str| -> u64 {
            status
                .lines()
                .find_map(|line| line.strip_prefix(name))
                .and_then(|rest| rest.split_whitespace().next())
                .and_then(|n| n.parse().ok())
                .unwrap_or(0)
        };
        Usage {
            user: user.saturating_sub(user_before),
            sys: sys.saturating_sub(sys_before),
            peak_rss: match field("VmHWM:") {
                0 => ru_maxrss,
                hwm => hwm * 1024,
            },
            ru_maxrss,
            vm_peak: field("VmPeak:") * 1024,
            rss: field("VmRSS:") * 1024,
            threads: field("Threads:"),
        }
    }
}

/// `getrusage(RUSAGE_SELF)`: user and system CPU time, and `ru_maxrss` in bytes; zeros where
/// the call fails.
fn rusage() -> (Duration, Duration, u64) {
    // SAFETY: an all-zero rusage is a valid value for getrusage to fill in.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `ru` is valid and writable for the duration of the call.
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) } != 0 {
        return (Duration::ZERO, Duration::ZERO, 0);
    }
    let timeval = |tv: libc::timeval| {
        Duration::from_secs(tv.tv_sec as u64) + Duration::from_micros(tv.tv_usec as u64)
    };
    // Linux reports ru_maxrss in KiB (macOS in bytes).
    (
        timeval(ru.ru_utime),
        timeval(ru.ru_stime),
        ru.ru_maxrss as u64 * 1024,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeit_returns_the_value_and_the_time() {
        let (value, elapsed) = timeit(|| {
            std::thread::sleep(Duration::from_millis(20));
            42
        });
        assert_eq!(value, 42);
        assert!(elapsed.took >= Duration::from_millis(20));
        assert!(elapsed.started + elapsed.took <= Instant::now());
    }

    #[test]
    fn overlapping_requests_raise_the_peak() {
        let threads: Vec<_> = (0..3)
            .map(|_| {
                std::thread::spawn(|| timeit(|| std::thread::sleep(Duration::from_millis(200))))
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert!(peak_in_flight() >= 2, "peak {}", peak_in_flight());
    }

    #[test]
    fn usage_reads_this_process() {
        let usage = Usage::now();
        assert!(usage.peak_rss > 1024 * 1024, "{usage:?}");
        assert!(usage.vm_peak >= usage.peak_rss, "{usage:?}");
        assert!(usage.threads >= 1);
    }
}
