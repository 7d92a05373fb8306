//! The connection threads of a thread-per-connection server, counted so that they stay below
//! what the machine allows (`fetchkit::thread_budget`: past it, the standard library aborts the
//! whole process), and what the server does at that ceiling instead of dying.
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

    fn wait(&mut self, delay: Duration, http11: bool) -> bool {
        self.stream.wait(delay, http11)
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
