//! Green threads: stackful coroutines (corosensei) on one hub thread, with sockets that yield.
//!
//! gevent's design, piece by piece:
//! - a green thread is a function with a stack of its own ([`STACK`] bytes of address space, of
//!   which only the pages it touches cost memory), that runs until it would wait and then
//!   switches back to the hub: `yielder.suspend` saves its registers and returns to the hub's
//!   stack, and a later `resume` carries on from the same line;
//! - the hub ([`Hub`]) is an event loop on mio: it resumes the green thread whose socket became
//!   ready, or whose deadline passed;
//! - the socket ([`TcpStream`]) is gevent's monkey-patched socket: `read` and `write` look
//!   blocking to the code that calls them, and yield to the hub on `WouldBlock`;
//! - [`Hub::spawn`] with the hub's size is eventlet's `GreenPool(size).spawn`, and
//!   [`Hub::join_all`] is `gevent.joinall`;
//! - [`Hub::serve_forever`] is gevent's `StreamServer(listener, handle).serve_forever()`: the
//!   hub accepts connections and runs `handle` on a green thread of its own for each.
//!
//! The price of code that looks blocking: anything that blocks without going through [`Io`]
//! (a `std::thread::sleep`, a blocking DNS call, a socket of std's) stops the hub itself, and
//! every green thread with it (`a_blocking_call_stalls_every_green_thread` below shows it).

use std::cell::Cell;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::future::Future;
use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::task::Context;
use std::time::{Duration, Instant};

use corosensei::stack::DefaultStack;
use corosensei::{Coroutine, CoroutineResult, Yielder};
use fetchkit::{FetchError, Woken};
use mio::{Events, Interest, Poll, Token};
use slab::Slab;

/// The address space of each green thread's stack. Only touched pages count in memory, and a
/// TLS handshake touches more than a plain request; a stack overflow hits a guard page and
/// ends the process, so this is sized with room to spare.
pub const STACK: usize = 256 * 1024;

/// The token of the waker that lookup threads use; green threads have their slab keys.
const WAKE: Token = Token(usize::MAX);

/// The token of the listening socket of [`Hub::serve_forever`].
const LISTEN: Token = Token(usize::MAX - 1);

/// Why the hub resumed a green thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Resume {
    /// What it waits for may be ready: try again.
    Go,
    /// Its deadline passed.
    TimedOut,
}

/// What a green thread yields: the deadline of its wait, if any.
type Wait = Option<Instant>;

type Green<R> = Coroutine<Resume, Wait, R, DefaultStack>;

/// What a green thread runs.
type Job<R> = Box<dyn FnOnce(&Io<'_>) -> R>;

/// What a server's green thread runs for an accepted connection.
type Serve<R> = Box<dyn Fn(mio::net::TcpStream) -> Job<R>>;

/// How long to wait after an accept failed (no descriptors left, say) before trying again: the
/// connection waits in the backlog meanwhile, and the hub does not spin.
pub const ACCEPT_PAUSE: Duration = Duration::from_millis(10);

/// What the hub of [`Hub::serve_forever`] tells the server of its connections, for the server
/// to count as it likes: the hub itself counts nothing.
#[derive(Debug)]
pub enum Event<'e> {
    /// A connection was accepted.
    Accepted,
    /// A connection could not be served: the accept failed, or no stack could be had for it.
    /// The connection is closed (or left in the backlog); the hub goes on.
    Refused(&'e io::Error),
}

/// A server's listening socket, its connections' handler and who hears of them.
struct Server<R> {
    listener: mio::net::TcpListener,
    serve: Serve<R>,
    on: Rc<dyn Fn(Event<'_>)>,
}

/// A green thread's result when it could not start: its stack could not be had.
pub trait NoStack {
    fn no_stack(error: io::Error) -> Self;
}

/// The hub: one thread, one poller, every green thread.
pub struct Hub<R> {
    poll: Poll,
    shared: Rc<Shared>,
    size: usize,
    running: Slab<Running<R>>,
    /// Green threads not started yet: where their result goes (nowhere for a server's), and
    /// what they run.
    queued: VecDeque<(Option<usize>, Job<R>)>,
    ready: VecDeque<usize>,
    timers: BinaryHeap<Reverse<(Instant, usize, u64)>>,
    results: Vec<Option<R>>,
    serial: u64,
    /// A server's listening socket and its connections' handler.
    server: Option<Server<R>>,
    /// When to accept again after an accept failed.
    accept_again: Option<Instant>,
}

struct Running<R> {
    green: Green<R>,
    /// Which spawn this is, in order: where its result goes (nowhere for a server's).
    index: Option<usize>,
    /// Tells this green thread from a later one in the same slot, for stale timers.
    serial: u64,
    /// The deadline a timer is set for.
    armed: Option<Instant>,
    ready: bool,
}

/// What the green threads share with the hub: the poller's registry, and the lookups woken.
struct Shared {
    registry: mio::Registry,
    woken: Arc<Woken>,
}

impl<R> std::fmt::Debug for Hub<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hub")
            .field("size", &self.size)
            .field("running", &self.running.len())
            .field("queued", &self.queued.len())
            .finish_non_exhaustive()
    }
}

impl<R: NoStack + 'static> Hub<R> {
    /// A hub that runs at most `size` green threads at once.
    pub fn new(size: usize) -> io::Result<Hub<R>> {
        let poll = Poll::new()?;
        let registry = poll.registry().try_clone()?;
        let waker = mio::Waker::new(&registry, WAKE)?;
        Ok(Hub {
            poll,
            shared: Rc::new(Shared {
                registry,
                // A poller that cannot be woken leaves the lookup to its deadline.
                woken: Woken::new(move || drop(waker.wake())),
            }),
            size: size.max(1),
            running: Slab::new(),
            queued: VecDeque::new(),
            ready: VecDeque::new(),
            timers: BinaryHeap::new(),
            results: Vec::new(),
            serial: 0,
            server: None,
            accept_again: None,
        })
    }

    /// Adds a green thread running `f`. It starts when the hub runs and a place is free.
    pub fn spawn(&mut self, f: impl FnOnce(&Io<'_>) -> R + 'static) {
        self.queued
            .push_back((Some(self.results.len()), Box::new(f)));
        self.results.push(None);
    }

    /// Runs the hub until every green thread has returned; their results, in spawn order.
    pub fn join_all(mut self) -> io::Result<Vec<R>> {
        self.run()?;
        Ok(self.results.into_iter().flatten().collect())
    }

    /// Runs green threads as they become ready, until none is left and none can arrive.
    fn run(&mut self) -> io::Result<()> {
        let mut events = Events::with_capacity(1024);
        loop {
            self.start_queued();
            while let Some(key) = self.ready.pop_front() {
                self.resume(key, Resume::Go);
                self.start_queued();
            }
            if self.running.is_empty() && self.queued.is_empty() && self.server.is_none() {
                return Ok(());
            }
            let Some(mut timeout) = self.expire_timers() else {
                // A deadline passed and its green thread ran: look again before sleeping.
                continue;
            };
            if let Some(at) = self.accept_again {
                let now = Instant::now();
                if at <= now {
                    self.accept_again = None;
                    self.accept();
                    continue;
                }
                timeout = Some(timeout.map_or(at - now, |t| t.min(at - now)));
            }
            match self.poll.poll(&mut events, timeout) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
            for event in events.iter() {
                if event.token() == WAKE {
                    let keys = self.shared.woken.take();
                    keys.into_iter().for_each(|key| self.make_ready(key));
                } else if event.token() == LISTEN {
                    self.accept();
                } else {
                    self.make_ready(event.token().0);
                }
            }
        }
    }

    /// Accepts every connection waiting, each to be served on a green thread of its own.
    fn accept(&mut self) {
        let Some(server) = &self.server else {
            return;
        };
        loop {
            match server.listener.accept() {
                Ok((socket, _)) => {
                    (server.on)(Event::Accepted);
                    self.queued.push_back((None, (server.serve)(socket)));
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    // Edge-triggered: the backlog will not be reported again until a new
                    // connection arrives, so look again after a pause.
                    (server.on)(Event::Refused(&e));
                    self.accept_again = Some(Instant::now() + ACCEPT_PAUSE);
                    return;
                }
            }
        }
    }

    fn make_ready(&mut self, key: usize) {
        if let Some(running) = self.running.get_mut(key)
            && !running.ready
        {
            running.ready = true;
            self.ready.push_back(key);
        }
    }

    /// Starts queued green threads while there is room.
    fn start_queued(&mut self) {
        while self.running.len() < self.size {
            let Some((index, f)) = self.queued.pop_front() else {
                return;
            };
            let stack = match DefaultStack::new(STACK) {
                Ok(stack) => stack,
                Err(e) => {
                    match index {
                        Some(index) => self.results[index] = Some(R::no_stack(e)),
                        // A server's connection: closed, and told.
                        None => {
                            if let Some(server) = &self.server {
                                (server.on)(Event::Refused(&e));
                            }
                        }
                    }
                    continue;
                }
            };
            let entry = self.running.vacant_entry();
            let key = entry.key();
            let shared = self.shared.clone();
            let green = Coroutine::with_stack(stack, move |yielder, _: Resume| {
                let io = Io {
                    yielder,
                    shared,
                    key,
                    deadline: Cell::new(None),
                };
                f(&io)
            });
            self.serial += 1;
            entry.insert(Running {
                green,
                index,
                serial: self.serial,
                armed: None,
                ready: false,
            });
            self.resume(key, Resume::Go);
        }
    }

    /// Switches to a green thread until it waits again or returns.
    fn resume(&mut self, key: usize, why: Resume) {
        let Some(running) = self.running.get_mut(key) else {
            return;
        };
        running.ready = false;
        match running.green.resume(why) {
            CoroutineResult::Yield(deadline) => {
                if let Some(at) = deadline.filter(|&at| running.armed != Some(at)) {
                    running.armed = Some(at);
                    self.timers.push(Reverse((at, key, running.serial)));
                }
            }
            CoroutineResult::Return(result) => {
                if let Some(index) = self.running.remove(key).index {
                    self.results[index] = Some(result);
                }
            }
        }
    }

    /// Resumes the first green thread whose deadline passed, and returns `None`; or, when no
    /// deadline has passed, how long until the next one, if there is one.
    fn expire_timers(&mut self) -> Option<Option<Duration>> {
        while let Some(&Reverse((at, key, serial))) = self.timers.peek() {
            let live = self
                .running
                .get(key)
                .is_some_and(|r| r.serial == serial && r.armed == Some(at));
            if !live {
                self.timers.pop();
                continue;
            }
            let now = Instant::now();
            if at > now {
                return Some(Some(at - now));
            }
            self.timers.pop();
            if let Some(running) = self.running.get_mut(key) {
                running.armed = None;
            }
            self.resume(key, Resume::TimedOut);
            return None;
        }
        Some(None)
    }
}

impl Hub<()> {
    /// gevent's `StreamServer(listener, handle).serve_forever()`: accepts connections for as
    /// long as the hub runs, and runs `handle` for each on a green thread of its own, without
    /// the hub's size as a limit. `on` hears of every connection accepted and every one refused
    /// (an accept that failed, a stack that could not be had): the server's to count.
    pub fn serve_forever(
        mut self,
        listener: std::net::TcpListener,
        on: impl Fn(Event<'_>) + 'static,
        handle: impl Fn(&Io<'_>, TcpStream<'_, '_>) + 'static,
    ) -> io::Result<()> {
        listener.set_nonblocking(true)?;
        let mut listener = mio::net::TcpListener::from_std(listener);
        self.poll
            .registry()
            .register(&mut listener, LISTEN, Interest::READABLE)?;
        self.size = usize::MAX;
        let (handle, on) = (Rc::new(handle), Rc::new(on));
        let refused = on.clone();
        let serve = move |socket| -> Job<()> {
            let (handle, refused) = (handle.clone(), refused.clone());
            Box::new(move |io| match io.adopt(socket) {
                Ok(stream) => handle(io, stream),
                Err(e) => refused(Event::Refused(&e)),
            })
        };
        self.server = Some(Server {
            listener,
            serve: Box::new(serve),
            on,
        });
        self.run()
    }
}

impl NoStack for () {
    fn no_stack(_: io::Error) {}
}

/// What a green thread is handed: its way to wait without blocking the hub. Every wait goes
/// through here.
pub struct Io<'y> {
    yielder: &'y Yielder<Resume, Wait>,
    shared: Rc<Shared>,
    key: usize,
    deadline: Cell<Option<Instant>>,
}

impl std::fmt::Debug for Io<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Io").field("key", &self.key).finish()
    }
}

impl<'y> Io<'y> {
    /// Switches to the hub until it resumes this green thread: an error when the deadline
    /// passed first.
    fn suspend(&self) -> io::Result<()> {
        match self.yielder.suspend(self.deadline.get()) {
            Resume::Go => Ok(()),
            Resume::TimedOut => Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the deadline passed",
            )),
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

    /// Makes an accepted socket this green thread's.
    fn adopt(&self, mut socket: mio::net::TcpStream) -> io::Result<TcpStream<'_, 'y>> {
        self.shared.registry.register(
            &mut socket,
            Token(self.key),
            Interest::READABLE | Interest::WRITABLE,
        )?;
        let _ = socket.set_nodelay(true);
        Ok(TcpStream { socket, io: self })
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
        self.until_done(|socket| socket.read(buf))
    }
}

impl Write for TcpStream<'_, '_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.until_done(|socket| socket.write(buf))
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

#[cfg(test)]
mod tests {
    use super::*;

    impl NoStack for Duration {
        fn no_stack(_: io::Error) -> Self {
            Duration::MAX
        }
    }

    /// Green threads share one thread: a call that blocks it without going through the hub
    /// (here `std::thread::sleep`, standing for any blocking call) delays every other green
    /// thread, though their own waits are short.
    #[test]
    fn a_blocking_call_stalls_every_green_thread() {
        let start = Instant::now();
        let mut hub = Hub::new(10).unwrap();
        for i in 0..4 {
            hub.spawn(move |io| {
                if i == 0 {
                    io.sleep(Duration::from_millis(10)).unwrap();
                    std::thread::sleep(Duration::from_millis(400));
                } else {
                    for _ in 0..5 {
                        io.sleep(Duration::from_millis(20)).unwrap();
                    }
                }
                start.elapsed()
            });
        }
        let ended = hub.join_all().unwrap();
        // Alone, each of the others would take 100 ms; they all waited for the blocked hub.
        for (i, end) in ended.iter().enumerate().skip(1) {
            assert!(
                *end >= Duration::from_millis(400),
                "green thread {i}: {end:?}"
            );
        }
    }

    /// Green sleeps overlap: ten of 100 ms take about 100 ms, not a second.
    #[test]
    fn green_sleeps_overlap() {
        let start = Instant::now();
        let mut hub = Hub::new(100).unwrap();
        for _ in 0..10 {
            hub.spawn(move |io| {
                io.sleep(Duration::from_millis(100)).unwrap();
                start.elapsed()
            });
        }
        let ended = hub.join_all().unwrap();
        assert_eq!(ended.len(), 10);
        assert!(start.elapsed() < Duration::from_millis(700), "{ended:?}");
    }

    /// A hub of size 2 runs two green threads at a time: six sleeps of 50 ms take three rounds.
    #[test]
    fn the_size_bounds_the_green_threads_at_once() {
        let start = Instant::now();
        let mut hub = Hub::new(2).unwrap();
        for _ in 0..6 {
            hub.spawn(move |io| {
                io.sleep(Duration::from_millis(50)).unwrap();
                start.elapsed()
            });
        }
        let ended = hub.join_all().unwrap();
        assert!(ended[5] >= Duration::from_millis(150), "{ended:?}");
    }

    /// A wait past the deadline set by `set_timeout` fails with a timeout.
    #[test]
    fn a_deadline_ends_a_wait() {
        let mut hub = Hub::new(1).unwrap();
        hub.spawn(|io| {
            io.set_timeout(Duration::from_millis(30));
            let start = Instant::now();
            let slept = io.sleep(Duration::from_secs(5));
            assert_eq!(slept.unwrap_err().kind(), io::ErrorKind::TimedOut);
            start.elapsed()
        });
        let ended = hub.join_all().unwrap();
        assert!(ended[0] < Duration::from_secs(2), "{ended:?}");
    }
}
