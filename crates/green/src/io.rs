//! What a green thread waits through, as gevent's monkey-patched modules do: [`Io`] (its
//! sleeps, its deadline, its name lookups) and [`TcpStream`] (a socket whose `read` and `write`
//! look blocking and yield to the hub on `WouldBlock`).

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::future::Future;
use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::task::Context;
use std::time::{Duration, Instant};

use corosensei::Yielder;
use fetchkit::{FetchError, Woken};
use mio::{Interest, Token};

/// The bytes a green thread reads and writes in one turn before it lets the others run: a
/// client pipelining requests for big answers would otherwise hold the hub for as long as the
/// kernel takes its answers (megabytes a connection), and every new client behind it.
pub const TURN: usize = 64 * 1024;

/// Why the hub resumed a green thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Resume {
    /// What it waits for may be ready: try again.
    Go,
    /// Its deadline passed.
    TimedOut,
}

/// What a green thread yields for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Wait {
    /// Its socket, or a lookup, until the deadline if there is one.
    Woken(Option<Instant>),
    /// Nothing: it has used its turn and runs again after the others (`gevent.sleep(0)`).
    Turn,
}

/// What the green threads share with the hub: the poller's registry, the lookups woken, and
/// the green threads spawned by green threads, for the hub to start.
pub(crate) struct Shared {
    pub(crate) registry: mio::Registry,
    pub(crate) woken: Arc<Woken>,
    pub(crate) spawned: RefCell<VecDeque<Spawned>>,
}

/// A green thread spawned by another ([`Io::spawn`]): what it runs, and who is told when no
/// stack can be had for it.
pub(crate) struct Spawned {
    pub(crate) run: Box<dyn FnOnce(&Io<'_>)>,
    pub(crate) refused: Box<dyn FnOnce(io::Error)>,
}

/// What a green thread is handed: its way to wait without blocking the hub. Every wait goes
/// through here.
pub struct Io<'y> {
    pub(crate) yielder: &'y Yielder<Resume, Wait>,
    pub(crate) shared: Rc<Shared>,
    pub(crate) key: usize,
    pub(crate) deadline: Cell<Option<Instant>>,
    /// The bytes read and written since this green thread last let the others run.
    pub(crate) moved: Cell<usize>,
}

impl std::fmt::Debug for Io<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Io").field("key", &self.key).finish()
    }
}

impl<'y> Io<'y> {
    /// Switches to the hub until it resumes this green thread: an error when the deadline
    /// passed first.
    // ANCHOR: suspend
    fn suspend(&self) -> io::Result<()> {
        // The green thread's registers are saved here and the hub's stack runs; the hub's
        // `resume` comes back to this line.
        self.moved.set(0);
        match self.yielder.suspend(Wait::Woken(self.deadline.get())) {
            Resume::Go => Ok(()),
            Resume::TimedOut => Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the deadline passed",
            )),
        }
    }
    // ANCHOR_END: suspend

    /// Counts `bytes` moved without waiting; past [`TURN`] of them, lets every other ready green
    /// thread run first.
    fn moved(&self, bytes: usize) {
        let moved = self.moved.get() + bytes;
        self.moved.set(moved);
        if moved >= TURN {
            self.moved.set(0);
            self.yielder.suspend(Wait::Turn);
        }
    }

    /// Every wait from now on fails once `limit` has passed: gevent's `Timeout`.
    pub fn set_timeout(&self, limit: Duration) {
        self.deadline.set(Some(Instant::now() + limit));
    }

    /// Lifts the limit of [`set_timeout`](Io::set_timeout).
    pub fn clear_timeout(&self) {
        self.deadline.set(None);
    }

    /// Sleeps without holding up the hub: `gevent.sleep`.
    pub fn sleep(&self, duration: Duration) -> io::Result<()> {
        let end = Instant::now() + duration;
        let outer = self.deadline.get();
        self.deadline.set(Some(outer.map_or(end, |d| d.min(end))));
        let slept = loop {
            match self.suspend() {
                Err(e) if Instant::now() < end => break Err(e),
                Err(_) => break Ok(()),
                // Woken for nothing: sleep on.
                Ok(()) => {}
            }
        };
        self.deadline.set(outer);
        slept
    }

    /// Sleeps until this green thread's socket has news from the poller (readable, writable,
    /// closed, reset), or `duration` has passed: `true` when woken by the socket.
    pub fn sleep_or_wake(&self, duration: Duration) -> bool {
        let end = Instant::now() + duration;
        let outer = self.deadline.get();
        self.deadline.set(Some(outer.map_or(end, |d| d.min(end))));
        let woken = self.suspend().is_ok();
        self.deadline.set(outer);
        woken
    }

    /// Looks `host` up on a thread of its own ([`fetchkit::lookup`]) while the hub runs the
    /// others: gevent's thread-pool resolver.
    pub fn resolve(&self, host: &str, port: u16) -> Result<Vec<SocketAddr>, FetchError> {
        let mut lookup = fetchkit::lookup(host, port)?;
        let waker = self.shared.woken.waker(self.key);
        loop {
            let polled = Pin::new(&mut lookup).poll(&mut Context::from_waker(&waker));
            if let std::task::Poll::Ready(answer) = polled {
                return Ok(answer?);
            }
            self.suspend()?;
        }
    }

    /// Connects to `addr`, waiting on the hub for the connection.
    pub fn connect(&self, addr: SocketAddr) -> io::Result<TcpStream<'_, 'y>> {
        let mut socket = mio::net::TcpStream::connect(addr)?;
        self.shared.registry.register(
            &mut socket,
            Token(self.key),
            Interest::READABLE | Interest::WRITABLE,
        )?;
        let stream = TcpStream { socket, io: self };
        loop {
            self.suspend()?;
            if let Some(e) = stream.socket.take_error()? {
                return Err(e);
            }
            match stream.socket.peer_addr() {
                Ok(_) => break,
                Err(e) if e.kind() == io::ErrorKind::NotConnected => {}
                Err(e) => return Err(e),
            }
        }
        let _ = stream.socket.set_nodelay(true);
        Ok(stream)
    }

    /// Starts `f` on a green thread of its own, once this one next waits: `gevent.spawn` from
    /// within a greenlet. Where no stack can be had for it, `refused` is told why instead.
    pub fn spawn(
        &self,
        f: impl FnOnce(&Io<'_>) + 'static,
        refused: impl FnOnce(io::Error) + 'static,
    ) {
        self.shared.spawned.borrow_mut().push_back(Spawned {
            run: Box::new(f),
            refused: Box::new(refused),
        });
    }

    /// Makes a listening socket this green thread's, to accept from without blocking the hub.
    pub fn listen(&self, listener: std::net::TcpListener) -> io::Result<TcpListener<'_, 'y>> {
        listener.set_nonblocking(true)?;
        let mut socket = mio::net::TcpListener::from_std(listener);
        self.shared
            .registry
            .register(&mut socket, Token(self.key), Interest::READABLE)?;
        Ok(TcpListener { socket, io: self })
    }

    /// Makes an accepted socket this green thread's.
    pub fn adopt(&self, mut socket: mio::net::TcpStream) -> io::Result<TcpStream<'_, 'y>> {
        self.shared.registry.register(
            &mut socket,
            Token(self.key),
            Interest::READABLE | Interest::WRITABLE,
        )?;
        let _ = socket.set_nodelay(true);
        Ok(TcpStream { socket, io: self })
    }
}

/// A listening socket that yields: `accept` returns a connection, as a blocking socket's does,
/// and in between the hub runs the other green threads.
pub struct TcpListener<'i, 'y> {
    socket: mio::net::TcpListener,
    io: &'i Io<'y>,
}

impl std::fmt::Debug for TcpListener<'_, '_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TcpListener")
            .field("socket", &self.socket)
            .finish()
    }
}

impl TcpListener<'_, '_> {
    /// The next connection, waiting on the hub until one arrives; an error the kernel gave
    /// (no descriptor left, say) is returned for the caller to decide how long to pause.
    pub fn accept(&self) -> io::Result<mio::net::TcpStream> {
        loop {
            match self.socket.accept() {
                Ok((socket, _)) => return Ok(socket),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => self.io.suspend()?,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }
}

impl Drop for TcpListener<'_, '_> {
    fn drop(&mut self) {
        let _ = self.io.shared.registry.deregister(&mut self.socket);
    }
}

/// A socket that yields: `read` and `write` return when done, as a blocking socket's do, and
/// in between the hub runs the other green threads.
pub struct TcpStream<'i, 'y> {
    socket: mio::net::TcpStream,
    io: &'i Io<'y>,
}

impl std::fmt::Debug for TcpStream<'_, '_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TcpStream")
            .field("socket", &self.socket)
            .finish()
    }
}

impl TcpStream<'_, '_> {
    /// Retries `op` until it does not block, yielding to the hub in between.
    fn until_done<T>(
        &mut self,
        mut op: impl FnMut(&mut mio::net::TcpStream) -> io::Result<T>,
    ) -> io::Result<T> {
        loop {
            match op(&mut self.socket) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => self.io.suspend()?,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                done => return done,
            }
        }
    }
}

impl std::os::fd::AsRawFd for TcpStream<'_, '_> {
    fn as_raw_fd(&self) -> std::os::fd::RawFd {
        self.socket.as_raw_fd()
    }
}

impl Read for TcpStream<'_, '_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.until_done(|socket| socket.read(buf))?;
        self.io.moved(n);
        Ok(n)
    }
}

impl Write for TcpStream<'_, '_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.until_done(|socket| socket.write(buf))?;
        self.io.moved(n);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Drop for TcpStream<'_, '_> {
    fn drop(&mut self) {
        let _ = self.io.shared.registry.deregister(&mut self.socket);
    }
}
