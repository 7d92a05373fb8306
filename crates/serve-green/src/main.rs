//! A server on green threads: blocking code per connection, on coroutines that yield to a hub.
//!
//! gevent's answer to the talk's closing question: `StreamServer(listener, handle)
//! .serve_forever()`, which accepts connections and runs `handle` for each on a green thread
//! of its own. `handle` is the very code that serve-threads runs on an OS thread
//! (`servekit::converse`: read a head, wait, answer, again); the socket it is given yields
//! to the hub on `WouldBlock`, and its `wait` is a `gevent.sleep` (`crates/green`, shared with
//! fetch-green). So the program reads as threaded code and runs as an event loop.
//!
//! A connection costs a coroutine's stack (`green::STACK` of address space, of which only the
//! touched pages are resident) instead of a thread, and a hub is one thread: `--threads N` runs
//! N hubs (one by default, as one gevent process has one), each accepting from the same socket.
//!
//! Run with:
//! ```sh
//! cargo run --release -p serve-green
//! curl 'http://127.0.0.1:8080/work?ms=50&size=1024'
//! ```
//!
//! Read it beside:
//! - `python/servers/serve_gevent.py`, the same server in Python
//! - `docs/book/src/servers.md`, its chapter of the book
//! - `crates/green/src/hub.rs`, the runtime under it, the workspace's own

use std::io::{self, Read, Write};
use std::net::TcpListener;
use std::os::fd::AsRawFd;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use green::{Event, Hub, Io, TcpStream};
use servekit::{Lookout, Serve, stats};

fn main() -> ExitCode {
    common::exit(serve())
}

fn serve() -> anyhow::Result<ExitCode> {
    let serve = Serve::from_cli()?;
    let listener = serve.listen()?;
    let header_timeout = serve.header_timeout();
    // A hub per thread (--threads), each accepting from the same socket.
    serve.on_each_thread(listener, move |listener| {
        serve_forever(listener, header_timeout)
    })?;
    Ok(ExitCode::SUCCESS)
}

/// One hub, serving connections until the process ends.
fn serve_forever(listener: TcpListener, header_timeout: Duration) -> io::Result<()> {
    let hub = Hub::server()?;
    // The hub tells of every connection; the server counts them for /stats.
    let count = |event: Event<'_>| match event {
        Event::Accepted => stats().accepted(),
        Event::Refused(why) => stats().refused(why),
    };
    // ANCHOR: accept
    // StreamServer(listener, handle).serve_forever(): each connection's green thread runs the
    // blocking conversation, whose waits switch to the hub.
    hub.serve_forever(listener, count, move |io, stream| {
        servekit::converse(Green { io, stream }, header_timeout);
    })
    // ANCHOR_END: accept
}

/// A green thread's socket, for the blocking conversation: reading, the head's deadline and
/// the request's wait all yield to the hub, where a thread's socket would block its thread.
struct Green<'i, 'y> {
    io: &'i Io<'y>,
    stream: TcpStream<'i, 'y>,
}

impl servekit::Connection for Green<'_, '_> {
    fn read_timeout(&mut self, limit: Option<Duration>) -> io::Result<()> {
        match limit {
            Some(limit) => self.io.set_timeout(limit),
            None => self.io.clear_timeout(),
        }
        Ok(())
    }

    /// `gevent.sleep`, timed by its own clock (the deadline set for the head is the whole green
    /// thread's, and would cut the wait short; the next head sets its own), and woken early by
    /// the socket: a client that leaves meanwhile ends the wait (servekit::hangup).
    fn wait(&mut self, delay: Duration, http11: bool) -> bool {
        self.io.clear_timeout();
        let mut client = Lookout::new(self.stream.as_raw_fd(), http11);
        let end = Instant::now() + delay;
        loop {
            if client.gone() {
                return false;
            }
            let left = end.saturating_duration_since(Instant::now());
            if left.is_zero() || !self.io.sleep_or_wake(left) {
                return true;
            }
        }
    }
}

impl Read for Green<'_, '_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.stream.read(buf)
    }
}

impl Write for Green<'_, '_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.stream.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.stream.flush()
    }
}
