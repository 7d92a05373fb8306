//! The connection threads of a thread-per-connection server: how many this machine lets the
//! process start, and what the server does at that ceiling instead of dying.
//!
//! A thread costs more than its stack: four memory mappings (the stack and its guard page, the
//! signal stack and its guard), a task of the kernel's, a descriptor for its connection. Linux
//! allows `vm.max_map_count` mappings (65,530 by default), so about 16,000 threads, and the
//! standard library aborts the whole process when a new thread cannot map its signal stack:
//! `Builder::spawn` returns no error for it. So the server counts its threads itself and stops
//! below the ceiling, which [`thread_budget`] reads off the machine.
//!
//! At the ceiling, a new connection takes the thread of the connection that has waited longest
//! for its next request (a kept-alive connection a client is not using): that connection is
//! closed, as HTTP lets a server close an idle one, and counted (`closed_idle` in `/stats`).
//! When every thread is busy with a request, the new connection is refused (`refused`).

use std::collections::BTreeMap;
use std::io::{self, IoSlice, Read, Write};
use std::net::TcpStream;
use std::os::fd::{AsRawFd, RawFd};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::{Connection, stats};

/// The memory mappings one more thread takes (measured: 4.3 a thread, malloc's arenas
/// included, for a thread that only waits).
const MAPPINGS_PER_THREAD: usize = 5;

/// What is kept free of each limit for the rest of the process (its libraries, malloc's
/// arenas, the runtime's own threads) and of the machine.
const MARGIN: usize = 512;

/// How many threads the machine lets this process start, and which of its limits says so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadBudget {
    pub threads: usize,
    /// The limit that sets it, and the setting that lifts it on a reader's machine.
    pub limit: String,
}

/// Reads the machine's limits on threads: `vm.max_map_count` (for the mappings each thread
/// takes), `kernel.threads-max` and `kernel.pid_max` (a task each), the cgroup's `pids.max`, and
/// `ulimit -u`; the budget is the smallest, less a margin.
pub fn thread_budget() -> ThreadBudget {
    let number =
        |path: &str| -> Option<usize> { std::fs::read_to_string(path).ok()?.trim().parse().ok() };
    let lines = |path: &str| std::fs::read_to_string(path).map_or(0, |t| t.lines().count());
    // Tasks running on the machine now: /proc/loadavg's "running/total".
    let tasks = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|t| t.split_whitespace().nth(3)?.split('/').nth(1)?.parse().ok())
        .unwrap_or(0);
    let mut candidates = Vec::new();
    if let Some(maps) = number("/proc/sys/vm/max_map_count") {
        let free = maps.saturating_sub(lines("/proc/self/maps") + MARGIN);
        candidates.push((
            free / MAPPINGS_PER_THREAD,
            format!(
                "vm.max_map_count = {maps}, {MAPPINGS_PER_THREAD} mappings a thread (sysctl -w vm.max_map_count=N lifts it)"
            ),
        ));
    }
    for (path, name) in [
        ("/proc/sys/kernel/threads-max", "kernel.threads-max"),
        ("/proc/sys/kernel/pid_max", "kernel.pid_max"),
    ] {
        if let Some(max) = number(path) {
            candidates.push((
                max.saturating_sub(tasks + MARGIN),
                format!("{name} = {max}, {tasks} tasks running (sysctl -w {name}=N lifts it)"),
            ));
        }
    }
    if let Some(max) = number("/sys/fs/cgroup/pids.max") {
        let current = number("/sys/fs/cgroup/pids.current").unwrap_or(0);
        candidates.push((
            max.saturating_sub(current + MARGIN),
            format!("the cgroup's pids.max = {max}"),
        ));
    }
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `limit` is a valid, writable rlimit for the duration of the call.
    if unsafe { libc::getrlimit(libc::RLIMIT_NPROC, &mut limit) } == 0
        && limit.rlim_cur != libc::RLIM_INFINITY
    {
        let max = usize::try_from(limit.rlim_cur).unwrap_or(usize::MAX);
        candidates.push((
            max.saturating_sub(tasks + MARGIN),
            format!("ulimit -u = {max} (ulimit -u N lifts it)"),
        ));
    }
    candidates
        .into_iter()
        .min_by_key(|(threads, _)| *threads)
        .map_or(
            ThreadBudget {
                threads: usize::MAX,
                limit: "none read".into(),
            },
            |(threads, limit)| ThreadBudget {
                threads: threads.max(1),
                limit,
            },
        )
}

/// A thread-per-connection server's threads: at most `cap` at once, and the connections that
/// wait for their next request, oldest first, to close when a new one needs a thread.
#[derive(Debug, Clone)]
pub struct ConnectionThreads {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    cap: usize,
    live: AtomicUsize,
    idle: Mutex<Idle>,
}

/// The connections waiting for their next request, by the order they began to wait.
#[derive(Debug, Default)]
struct Idle {
    next: u64,
    waiting: BTreeMap<u64, RawFd>,
}

impl ConnectionThreads {
    /// At most `cap` connection threads at once.
    pub fn new(cap: usize) -> ConnectionThreads {
        ConnectionThreads {
            shared: Arc::new(Shared {
                cap: cap.max(1),
                live: AtomicUsize::new(0),
                idle: Mutex::default(),
            }),
        }
    }

    /// A place for `stream`'s thread: at once while there is room, else after closing the
    /// connection that has waited longest for its next request and seeing its thread end. `None`
    /// when every thread is busy with a request: the connection is refused (and counted).
    pub fn admit(&self, stream: TcpStream) -> Option<Admitted> {
        let shared = &self.shared;
        if shared.live.fetch_add(1, Ordering::AcqRel) >= shared.cap {
            shared.live.fetch_sub(1, Ordering::AcqRel);
            if !self.close_oldest() || !self.room_within(Duration::from_millis(200)) {
                stats().refused(&io::Error::other(format!(
                    "all {} connection threads are busy with requests",
                    shared.cap
                )));
                return None;
            }
            shared.live.fetch_add(1, Ordering::AcqRel);
        }
        Some(Admitted {
            stream,
            threads: self.clone(),
            waiting: None,
        })
    }

    /// Closes the connection that has waited longest for its next request: its thread's read
    /// returns, and the thread ends.
    fn close_oldest(&self) -> bool {
        let mut idle = self
            .shared
            .idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let Some((_, fd)) = idle.waiting.pop_first() else {
            return false;
        };
        // SAFETY: `fd` is the socket of a live `Admitted`: it leaves the map (under this lock)
        // before its socket is closed, so the descriptor is still that connection's.
        unsafe { libc::shutdown(fd, libc::SHUT_RDWR) };
        stats().closed_idle();
        true
    }

    /// Waits until a thread has ended, for at most `limit`.
    fn room_within(&self, limit: Duration) -> bool {
        let end = Instant::now() + limit;
        while self.shared.live.load(Ordering::Acquire) >= self.shared.cap {
            if Instant::now() >= end {
                return false;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        true
    }
}

/// An admitted connection, for its thread to serve: its place is given back when it is
/// dropped, at the end of the thread or with a thread that never started.
#[derive(Debug)]
pub struct Admitted {
    stream: TcpStream,
    threads: ConnectionThreads,
    /// Its key among the connections waiting for their next request, while it waits.
    waiting: Option<u64>,
}

impl Admitted {
    fn stop_waiting(&mut self) {
        if let Some(key) = self.waiting.take() {
            let idle = &self.threads.shared.idle;
            idle.lock()
                .unwrap_or_else(PoisonError::into_inner)
                .waiting
                .remove(&key);
        }
    }
}

impl Connection for Admitted {
    fn read_timeout(&mut self, limit: Option<Duration>) -> io::Result<()> {
        self.stream.set_read_timeout(limit)
    }

    fn wait(&mut self, delay: Duration) {
        std::thread::sleep(delay);
    }

    fn between_requests(&mut self, waiting: bool) {
        if waiting && self.waiting.is_none() {
            let mut idle = self
                .threads
                .shared
                .idle
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            let key = idle.next;
            idle.next += 1;
            idle.waiting.insert(key, self.stream.as_raw_fd());
            self.waiting = Some(key);
        } else if !waiting {
            self.stop_waiting();
        }
    }
}

impl Read for Admitted {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.stream.read(buf)
    }
}

impl Write for Admitted {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.stream.write(buf)
    }

    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        self.stream.write_vectored(bufs)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.stream.flush()
    }
}

impl Drop for Admitted {
    fn drop(&mut self) {
        // Out of the map before the socket closes with `stream`, so that no one shuts down a
        // descriptor number that a new connection may reuse.
        self.stop_waiting();
        self.threads.shared.live.fetch_sub(1, Ordering::AcqRel);
    }
}
