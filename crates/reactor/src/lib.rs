//! A reactor: one thread, one `epoll` (through mio), and the program's callbacks.
//!
//! This is what tokio and smol do for you, laid bare. They too keep a poller and a table of
//! registered sockets, sleep in `epoll_wait` until a socket is ready or a timer is due, and then
//! run whatever waits on it. The difference is what runs: they wake a task (a future, which then
//! polls its sockets again), where this reactor calls a [`Protocol`]'s methods with the bytes it
//! read, as Twisted does. The program is written as those callbacks and as [`Deferred`]s, the
//! results that arrive later; "you don't write Python, you write Twisted".
//!
//! What it keeps per connection is the lesson: a socket, a pending write (empty once the request
//! is out) and the protocol's own state. There is one read buffer for every connection, owned by
//! the reactor, because a read is handed to its protocol at once and the buffer is free again.
//!
//! The pieces, each small:
//! - [`Reactor::connect_tcp`]: a non-blocking connect, completed when the socket turns writable
//!   and checked with `take_error`; then reads and writes until `WouldBlock` (mio is
//!   edge-triggered: a socket that is not drained is not reported again).
//! - [`Reactor::listen_tcp`]: a listening socket whose connections are accepted until
//!   `WouldBlock`, each given the protocol its [`Factory`] builds (Twisted's `listenTCP`);
//!   [`Reactor::with_transport`] writes to a connection from a timer or another connection's
//!   callback, as a Twisted protocol writes to `self.transport` whenever it likes.
//! - [`Reactor::call_later`] and [`Reactor::cancel`]: a heap of timers, the next due one deciding
//!   how long to sleep.
//! - [`Reactor::resolve`]: a name lookup on a thread (as Twisted's default resolver does), whose
//!   answer wakes the poller through a `mio::Waker`.
//! - [`Deferred`]: a result not there yet, with the callbacks to run when it is.

use std::cell::{Cell, RefCell};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, VecDeque};
use std::future::Future;
use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::task::Context;
use std::time::{Duration, Instant};

use fetchkit::{FetchError, Lookup, Woken};
use mio::net::TcpStream;
use mio::{Events, Interest, Poll, Token};
use slab::Slab;

/// The size of the one read buffer: 64 KiB costs 64 KiB once, not per connection.
const READ_BUFFER: usize = 64 * 1024;

/// The token of the waker that lookup threads use; connections have the slab's keys.
const WAKE: Token = Token(usize::MAX);

/// The token of the first listening socket; the next ones count down from it.
const LISTEN: usize = usize::MAX - 1;

/// How long to wait after an accept failed (no descriptors left, say) before trying again: the
/// connection waits in the backlog meanwhile, and the loop does not spin.
const ACCEPT_PAUSE: Duration = Duration::from_millis(10);

/// What a connection's owner is told, as Twisted's `Protocol` is: the connection is made, bytes
/// arrived, the connection is gone. Each method runs on the reactor's thread and must not block.
pub trait Protocol {
    /// The connection is open: a client writes its request now.
    fn connection_made(&mut self, transport: &mut dyn Transport);
    /// Bytes arrived. They live in the reactor's buffer, only for this call.
    fn data_received(&mut self, data: &[u8], transport: &mut dyn Transport);
    /// The connection is closed: `Ok` when the peer closed it cleanly (or this side did), the
    /// error otherwise, a failed connect included. Called once, last.
    fn connection_lost(&mut self, reason: io::Result<()>);
    /// The peer will send nothing more, and may still read (it shut down its writing side, as
    /// a client may after its request): Twisted's `readConnectionLost`. By default the
    /// connection is closed once what was written has been sent; a protocol that still has
    /// answers to give closes it when it has given them.
    fn read_connection_lost(&mut self, transport: &mut dyn Transport) {
        transport.lose_connection();
    }
    /// Everything written so far has been taken by the socket: a protocol that waits for its
    /// peer to read (it stopped producing while [`Transport::buffered`] was high) goes on now.
    fn write_drained(&mut self, transport: &mut dyn Transport) {
        let _ = transport;
    }
}

/// The connection as a protocol sees it: somewhere to write, a way to close, and, as Twisted's
/// transports are producers, a way to stop reading while the protocol cannot keep up.
pub trait Transport {
    /// Queues bytes to send; they go out as the socket accepts them.
    fn write(&mut self, data: &[u8]);
    /// Closes the connection once what was written has been sent.
    fn lose_connection(&mut self);
    /// How many written bytes the socket has not taken yet.
    fn buffered(&self) -> usize {
        0
    }
    /// Stops reading from the connection: bytes the peer sends wait in the kernel, whose flow
    /// control then holds the peer back. Twisted's `pauseProducing`.
    fn pause_reading(&mut self) {}
    /// Reads from the connection again. Twisted's `resumeProducing`.
    fn resume_reading(&mut self) {}
}

/// What builds a protocol for each connection a listening socket accepts: Twisted's
/// `Factory.buildProtocol`.
pub trait Factory<'a> {
    /// The protocol of the accepted connection `id`; it hears `connection_made` next.
    fn build_protocol(&mut self, id: ConnectionId) -> Box<dyn Protocol + 'a>;
    /// An accept failed (no descriptors left, say): the connection stays in the backlog, and the
    /// reactor tries again shortly.
    fn accept_failed(&mut self, error: io::Error);
}

/// The reactor. Cloning it clones a handle: callbacks keep one to schedule more work, as
/// Twisted's programs use its global `reactor`.
#[derive(Clone)]
pub struct Reactor<'a> {
    inner: Rc<Inner<'a>>,
}

struct Inner<'a> {
    poll: RefCell<Poll>,
    registry: mio::Registry,
    connections: RefCell<Slab<Slot<'a>>>,
    listeners: RefCell<Vec<Listening<'a>>>,
    timers: RefCell<Timers<'a>>,
    lookups: RefCell<Slab<(Lookup, Deferred<'a, Vec<SocketAddr>>)>>,
    woken: Arc<Woken>,
    buffer: RefCell<Box<[u8]>>,
    running: Cell<bool>,
    /// How many connections were made: each one's number tells it from a later connection in
    /// the same slot.
    connections_made: Cell<u64>,
}

/// A listening socket and what builds its connections' protocols.
struct Listening<'a> {
    socket: mio::net::TcpListener,
    factory: Box<dyn Factory<'a> + 'a>,
    /// An accept failed and a retry is due after [`ACCEPT_PAUSE`]: readiness is not acted on
    /// meanwhile, so that a full descriptor table costs one try per pause, not a spin.
    paused: bool,
}

/// A connection's place in the table: out while its protocol is being called.
type Slot<'a> = Option<Connection<'a>>;

struct Connection<'a> {
    socket: TcpStream,
    protocol: Box<dyn Protocol + 'a>,
    /// What the socket did not take yet.
    out: Vec<u8>,
    connected: bool,
    closing: bool,
    /// The protocol asked not to read ([`Transport::pause_reading`]).
    paused: bool,
    /// The peer shut down its writing side: nothing more to read.
    eof: bool,
    number: u64,
}

impl std::fmt::Debug for Reactor<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reactor")
            .field("connections", &self.inner.connections.borrow().len())
            .finish_non_exhaustive()
    }
}

/// A timer's handle, for [`Reactor::cancel`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TimerId(u64);

#[derive(Default)]
struct Timers<'a> {
    due: BinaryHeap<Reverse<(Instant, TimerId)>>,
    calls: HashMap<TimerId, Box<dyn FnOnce() + 'a>>,
    next: u64,
}

impl<'a> Reactor<'a> {
    pub fn new() -> io::Result<Reactor<'a>> {
        let poll = Poll::new()?;
        let registry = poll.registry().try_clone()?;
        let waker = mio::Waker::new(&registry, WAKE)?;
        Ok(Reactor {
            inner: Rc::new(Inner {
                poll: RefCell::new(poll),
                registry,
                connections: RefCell::new(Slab::new()),
                listeners: RefCell::default(),
                timers: RefCell::default(),
                lookups: RefCell::new(Slab::new()),
                // A poller that cannot be woken leaves the lookup to its timeout: nothing better
                // can be done from the lookup's thread.
                woken: Woken::new(move || drop(waker.wake())),
                buffer: RefCell::new(vec![0; READ_BUFFER].into_boxed_slice()),
                running: Cell::new(false),
                connections_made: Cell::new(0),
            }),
        })
    }

    /// Runs callbacks as sockets and timers become ready, until [`stop`](Reactor::stop), or
    /// until nothing is left that could call one.
    pub fn run(&self) -> io::Result<()> {
        let inner = &self.inner;
        inner.running.set(true);
        let mut events = Events::with_capacity(1024);
        while inner.running.get() {
            let timeout = self.run_due_timers();
            if !inner.running.get() {
                break;
            }
            let idle = inner.connections.borrow().is_empty()
                && inner.listeners.borrow().is_empty()
                && inner.lookups.borrow().is_empty()
                && timeout.is_none();
            if idle {
                break;
            }
            match inner.poll.borrow_mut().poll(&mut events, timeout) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
            for event in events.iter() {
                if event.token() == WAKE {
                    self.answer_lookups();
                } else if event.token().0 > LISTEN - inner.listeners.borrow().len() {
                    self.accept(LISTEN - event.token().0);
                } else {
                    self.ready(event.token(), event.is_writable(), event.is_error());
                }
            }
        }
        Ok(())
    }

    /// Ends [`run`](Reactor::run) after the callback that calls it.
    pub fn stop(&self) {
        self.inner.running.set(false);
    }

    /// Calls `f` after `delay`, unless cancelled first.
    pub fn call_later(&self, delay: Duration, f: impl FnOnce() + 'a) -> TimerId {
        let mut timers = self.inner.timers.borrow_mut();
        let id = TimerId(timers.next);
        timers.next += 1;
        timers.due.push(Reverse((Instant::now() + delay, id)));
        timers.calls.insert(id, Box::new(f));
        id
    }

    /// Cancels a timer; a timer that already ran is left alone.
    pub fn cancel(&self, id: TimerId) {
        self.inner.timers.borrow_mut().calls.remove(&id);
    }

    /// Runs the timers that are due and returns how long until the next one.
    fn run_due_timers(&self) -> Option<Duration> {
        loop {
            let now = Instant::now();
            let due = {
                let mut timers = self.inner.timers.borrow_mut();
                // Cancelled timers leave their place in the heap: drop them as they surface.
                while let Some(Reverse((_, id))) = timers.due.peek().copied() {
                    if timers.calls.contains_key(&id) {
                        break;
                    }
                    timers.due.pop();
                }
                match timers.due.peek().copied() {
                    Some(Reverse((at, id))) if at <= now => {
                        timers.due.pop();
                        timers.calls.remove(&id)
                    }
                    Some(Reverse((at, _))) => return Some(at - now),
                    None => return None,
                }
            };
            if let Some(call) = due {
                call();
            }
        }
    }

    /// Looks a name up on a thread of its own ([`fetchkit::lookup`]); the answer fires the
    /// returned Deferred on this thread.
    pub fn resolve(&self, host: &str, port: u16) -> Deferred<'a, Vec<SocketAddr>> {
        let answer = Deferred::new();
        match fetchkit::lookup(host, port) {
            Ok(lookup) => {
                let key = self
                    .inner
                    .lookups
                    .borrow_mut()
                    .insert((lookup, answer.clone()));
                self.poll_lookup(key);
            }
            Err(refused) => answer.errback(FetchError::from(refused)),
        }
        answer
    }

    fn answer_lookups(&self) {
        for key in self.inner.woken.take() {
            self.poll_lookup(key);
        }
    }

    /// Polls one lookup with a waker that names it; fires its Deferred when it has answered.
    fn poll_lookup(&self, key: usize) {
        let waker = self.inner.woken.waker(key);
        let answer = {
            let mut lookups = self.inner.lookups.borrow_mut();
            let Some((lookup, _)) = lookups.get_mut(key) else {
                return;
            };
            match Pin::new(lookup).poll(&mut Context::from_waker(&waker)) {
                std::task::Poll::Ready(answer) => Some((answer, lookups.remove(key).1)),
                std::task::Poll::Pending => None,
            }
        };
        if let Some((answer, deferred)) = answer {
            deferred.fire(answer.map_err(FetchError::from));
        }
    }

    /// Starts connecting to `addr`; `protocol` hears of it from then on. A connect that fails at
    /// once (no descriptors left, say) is the error here, and the protocol is dropped.
    pub fn connect_tcp(
        &self,
        addr: SocketAddr,
        protocol: impl Protocol + 'a,
    ) -> io::Result<ConnectionId> {
        let mut socket = TcpStream::connect(addr)?;
        let mut connections = self.inner.connections.borrow_mut();
        let entry = connections.vacant_entry();
        let token = Token(entry.key());
        self.inner.registry.register(
            &mut socket,
            token,
            Interest::READABLE | Interest::WRITABLE,
        )?;
        let number = self.inner.connections_made.get() + 1;
        self.inner.connections_made.set(number);
        entry.insert(Some(Connection {
            socket,
            protocol: Box::new(protocol),
            out: Vec::new(),
            connected: false,
            closing: false,
            paused: false,
            eof: false,
            number,
        }));
        Ok(ConnectionId(token, number))
    }

    /// Listens on `listener`: each connection it accepts gets the protocol `factory` builds.
    pub fn listen_tcp(
        &self,
        listener: std::net::TcpListener,
        factory: impl Factory<'a> + 'a,
    ) -> io::Result<()> {
        listener.set_nonblocking(true)?;
        let mut socket = mio::net::TcpListener::from_std(listener);
        let mut listeners = self.inner.listeners.borrow_mut();
        let token = Token(LISTEN - listeners.len());
        self.inner
            .registry
            .register(&mut socket, token, Interest::READABLE)?;
        listeners.push(Listening {
            socket,
            factory: Box::new(factory),
            paused: false,
        });
        Ok(())
    }

    /// Accepts every connection waiting on listener `index`. Each is a connection like a
    /// connected client's: its first event finds it connected, and its protocol hears
    /// `connection_made`.
    fn accept(&self, index: usize) {
        loop {
            let mut listeners = self.inner.listeners.borrow_mut();
            let Some(listening) = listeners.get_mut(index) else {
                return;
            };
            if listening.paused {
                return;
            }
            let mut socket = match listening.socket.accept() {
                Ok((socket, _)) => socket,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    // No descriptor left (EMFILE, ENFILE), no buffer (ENOBUFS): the connection
                    // waits in the backlog. One retry after a pause, whatever else arrives
                    // meanwhile; edge-triggered, the backlog would not be reported again.
                    listening.factory.accept_failed(e);
                    listening.paused = true;
                    drop(listeners);
                    let reactor = self.clone();
                    self.call_later(ACCEPT_PAUSE, move || {
                        if let Some(listening) = reactor.inner.listeners.borrow_mut().get_mut(index)
                        {
                            listening.paused = false;
                        }
                        reactor.accept(index);
                    });
                    return;
                }
            };
            let mut connections = self.inner.connections.borrow_mut();
            let entry = connections.vacant_entry();
            let token = Token(entry.key());
            let interest = Interest::READABLE | Interest::WRITABLE;
            if let Err(e) = self.inner.registry.register(&mut socket, token, interest) {
                listening.factory.accept_failed(e);
                continue;
            }
            let number = self.inner.connections_made.get() + 1;
            self.inner.connections_made.set(number);
            let protocol = listening
                .factory
                .build_protocol(ConnectionId(token, number));
            entry.insert(Some(Connection {
                socket,
                protocol,
                out: Vec::new(),
                connected: false,
                closing: false,
                paused: false,
                eof: false,
                number,
            }));
        }
    }

    /// Runs `f` with connection `id`'s transport, from outside its protocol's callbacks (a
    /// timer's, say): what it writes goes out as a callback's writes do, and a
    /// `lose_connection` closes the connection once they are sent. A connection already closed
    /// (or one whose protocol is running right now) is left alone, and `f` is not called.
    pub fn with_transport(&self, id: ConnectionId, f: impl FnOnce(&mut dyn Transport)) {
        let taken = match self.inner.connections.borrow_mut().get_mut(id.0.0) {
            Some(slot) if slot.as_ref().is_some_and(|c| c.number == id.1) => slot.take(),
            _ => None,
        };
        let Some(mut connection) = taken else { return };
        let (_, mut transport) = connection.split();
        f(&mut transport);
        // Reading may have been resumed, with bytes waiting in the kernel that no new event
        // will announce (edge-triggered): read them now.
        let outcome = transport
            .check()
            .and_then(|()| self.drive(&mut connection, false));
        self.put_back(id.0, connection, outcome);
    }

    /// Closes a connection at once, whatever it was doing; its protocol hears
    /// `connection_lost` with `ConnectionAborted`, as Twisted's `abortConnection` does. A
    /// connection already closed is left alone, and so is a later one in its slot.
    pub fn abort(&self, id: ConnectionId) {
        // A connection whose protocol is running right now is not in its slot: it is left to
        // finish that call, as nothing in this crate aborts a connection from its own callbacks.
        let taken = {
            let mut connections = self.inner.connections.borrow_mut();
            match connections.get(id.0.0) {
                Some(Some(c)) if c.number == id.1 => connections.remove(id.0.0),
                _ => None,
            }
        };
        if let Some(mut connection) = taken {
            let _ = self.inner.registry.deregister(&mut connection.socket);
            connection.protocol.connection_lost(Err(io::Error::new(
                io::ErrorKind::ConnectionAborted,
                "aborted",
            )));
        }
    }

    /// A socket is ready: finish its connect, flush its writes, read what arrived; or it met an
    /// error (a reset, say), which ends it.
    fn ready(&self, token: Token, writable: bool, error: bool) {
        // Out of the table while its protocol runs, so that the callbacks it fires may connect,
        // abort or schedule freely.
        let taken = match self.inner.connections.borrow_mut().get_mut(token.0) {
            Some(slot) => slot.take(),
            None => return,
        };
        let Some(mut connection) = taken else { return };
        // A reset shows here even while nothing reads the socket (paused, or after its EOF).
        let failed = if error {
            connection.socket.take_error().unwrap_or_else(Some)
        } else {
            None
        };
        let outcome = match failed {
            Some(e) => Err(e),
            None => self.drive(&mut connection, writable),
        };
        self.put_back(token, connection, outcome);
    }

    /// Puts a connection back in its slot after its protocol ran, or closes it: when the peer
    /// closed it, an error ended it, or the protocol lost it and nothing is left to send.
    fn put_back(&self, token: Token, mut connection: Connection<'a>, outcome: io::Result<bool>) {
        let mut connections = self.inner.connections.borrow_mut();
        match outcome {
            Ok(true) if !(connection.closing && connection.out.is_empty()) => {
                if let Some(slot) = connections.get_mut(token.0) {
                    *slot = Some(connection);
                }
            }
            // Closed: by the peer, by an error, or by the protocol.
            end => {
                if connections.contains(token.0) {
                    connections.remove(token.0);
                }
                drop(connections);
                let _ = self.inner.registry.deregister(&mut connection.socket);
                connection.protocol.connection_lost(end.map(drop));
            }
        }
    }

    /// Moves a connection along; `Ok(true)` while it stays open.
    fn drive(&self, connection: &mut Connection<'a>, writable: bool) -> io::Result<bool> {
        if !connection.connected {
            if let Some(e) = connection.socket.take_error()? {
                return Err(e);
            }
            match connection.socket.peer_addr() {
                Ok(_) => connection.connected = true,
                // Not connected yet: wait for the next event.
                Err(e) if e.kind() == io::ErrorKind::NotConnected => return Ok(true),
                Err(e) => return Err(e),
            }
            let _ = connection.socket.set_nodelay(true);
            let (protocol, mut transport) = connection.split();
            protocol.connection_made(&mut transport);
            transport.check()?;
        } else if writable && !connection.out.is_empty() {
            connection.split().1.flush()?;
            if connection.out.is_empty() {
                let (protocol, mut transport) = connection.split();
                protocol.write_drained(&mut transport);
                transport.check()?;
            }
        }
        let mut buffer = self.inner.buffer.borrow_mut();
        while !connection.closing && !connection.paused && !connection.eof {
            match connection.socket.read(&mut buffer) {
                Ok(0) => {
                    connection.eof = true;
                    let (protocol, mut transport) = connection.split();
                    protocol.read_connection_lost(&mut transport);
                    transport.check()?;
                }
                Ok(n) => {
                    let (protocol, mut transport) = connection.split();
                    protocol.data_received(&buffer[..n], &mut transport);
                    transport.check()?;
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(true)
    }
}

/// A connection's handle, for [`Reactor::abort`]: its slot, and its number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionId(Token, u64);

/// The transport of a plain TCP connection: writes go to the socket until it would block, and
/// the rest waits in `out` for the socket to turn writable.
struct Socket<'c> {
    socket: &'c mut TcpStream,
    out: &'c mut Vec<u8>,
    closing: &'c mut bool,
    paused: &'c mut bool,
    error: Option<io::Error>,
}

impl<'a> Connection<'a> {
    /// The protocol, and the transport it is handed.
    fn split(&mut self) -> (&mut (dyn Protocol + 'a), Socket<'_>) {
        let transport = Socket {
            socket: &mut self.socket,
            out: &mut self.out,
            closing: &mut self.closing,
            paused: &mut self.paused,
            error: None,
        };
        (&mut *self.protocol, transport)
    }
}

impl Socket<'_> {
    fn flush(&mut self) -> io::Result<()> {
        let mut sent = 0;
        while sent < self.out.len() {
            match self.socket.write(&self.out[sent..]) {
                Ok(n) => sent += n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        self.out.drain(..sent);
        if self.out.is_empty() {
            // Nothing left to send: give the buffer back.
            *self.out = Vec::new();
        }
        Ok(())
    }

    /// The first error a write met, if any.
    fn check(self) -> io::Result<()> {
        self.error.map_or(Ok(()), Err)
    }
}

impl Transport for Socket<'_> {
    /// Writes to the socket at once when nothing waits before `data`; only what the socket does
    /// not take is copied, to wait for it to turn writable.
    fn write(&mut self, data: &[u8]) {
        if self.error.is_some() {
            return;
        }
        let mut sent = 0;
        while self.out.is_empty() && sent < data.len() {
            match self.socket.write(&data[sent..]) {
                Ok(n) => sent += n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.error = Some(e);
                    return;
                }
            }
        }
        self.out.extend_from_slice(&data[sent..]);
    }

    fn lose_connection(&mut self) {
        *self.closing = true;
    }

    fn buffered(&self) -> usize {
        self.out.len()
    }

    fn pause_reading(&mut self) {
        *self.paused = true;
    }

    fn resume_reading(&mut self) {
        *self.paused = false;
    }
}

/// A result that is not there yet: the callbacks added to it run when it fires, on the
/// reactor's thread. It fires once: a second result (a late answer after a timeout, say) is
/// dropped.
///
/// Twisted's Deferred passes its result along a chain of callbacks, each one's return value the
/// next one's argument. Here the chain is typed: [`add_both`](Deferred::add_both) and
/// [`add_callback`](Deferred::add_callback) return the Deferred of the next link, which fires
/// with what the callback returned; a link is added once, since a result has one owner.
pub struct Deferred<'a, T> {
    state: Rc<RefCell<State<'a, T>>>,
}

type Callback<'a, T> = Box<dyn FnOnce(Result<T, FetchError>) + 'a>;

enum State<'a, T> {
    Waiting(Option<Callback<'a, T>>),
    /// Fired before any callback was added: the result waits for one.
    Fired(Option<Result<T, FetchError>>),
}

impl<T> Clone for Deferred<'_, T> {
    fn clone(&self) -> Self {
        Deferred {
            state: self.state.clone(),
        }
    }
}

impl<T> std::fmt::Debug for Deferred<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let fired = matches!(*self.state.borrow(), State::Fired(_));
        f.debug_struct("Deferred").field("fired", &fired).finish()
    }
}

impl<'a, T: 'a> Deferred<'a, T> {
    pub fn new() -> Deferred<'a, T> {
        Deferred {
            state: Rc::new(RefCell::new(State::Waiting(None))),
        }
    }

    /// Fires with a value.
    pub fn callback(&self, value: T) {
        self.fire(Ok(value));
    }

    /// Fires with an error.
    pub fn errback(&self, error: FetchError) {
        self.fire(Err(error));
    }

    /// Fires with `result`, unless it has fired already; returns whether it fired now.
    pub fn fire(&self, result: Result<T, FetchError>) -> bool {
        let callback = {
            let mut state = self.state.borrow_mut();
            match &mut *state {
                State::Fired(_) => return false,
                State::Waiting(callback) => {
                    let callback = callback.take();
                    *state = State::Fired(None);
                    match callback {
                        Some(callback) => callback,
                        None => {
                            *state = State::Fired(Some(result));
                            return true;
                        }
                    }
                }
            }
        };
        callback(result);
        true
    }

    /// Whether it has fired.
    pub fn has_fired(&self) -> bool {
        matches!(*self.state.borrow(), State::Fired(_))
    }

    /// Adds the next link: `f` gets the result, value or error, and its return value fires the
    /// Deferred returned here. It runs at once when this one has already fired.
    pub fn add_both<U: 'a>(
        self,
        f: impl FnOnce(Result<T, FetchError>) -> Result<U, FetchError> + 'a,
    ) -> Deferred<'a, U> {
        let next = Deferred::new();
        let link = next.clone();
        let callback: Callback<'a, T> = Box::new(move |result| {
            link.fire(f(result));
        });
        let ready = {
            let mut state = self.state.borrow_mut();
            match &mut *state {
                State::Waiting(slot) => {
                    assert!(slot.is_none(), "a Deferred's result has one owner");
                    *slot = Some(callback);
                    return next;
                }
                State::Fired(result) => result.take().map(|r| (callback, r)),
            }
        };
        if let Some((callback, result)) = ready {
            callback(result);
        }
        next
    }

    /// Adds a link for the value only: an error passes by to the next link.
    pub fn add_callback<U: 'a>(
        self,
        f: impl FnOnce(T) -> Result<U, FetchError> + 'a,
    ) -> Deferred<'a, U> {
        self.add_both(|result| result.and_then(f))
    }

    /// Fires when every one of `deferreds` has fired, with their results in order: Twisted's
    /// `DeferredList`.
    pub fn gather(deferreds: Vec<Deferred<'a, T>>) -> Deferred<'a, Vec<Result<T, FetchError>>> {
        let all = Deferred::new();
        let n = deferreds.len();
        let results = Rc::new(RefCell::new((0..n).map(|_| None).collect::<Vec<_>>()));
        let left = Rc::new(Cell::new(n));
        if n == 0 {
            all.callback(Vec::new());
        }
        for (i, deferred) in deferreds.into_iter().enumerate() {
            let (all, results, left) = (all.clone(), results.clone(), left.clone());
            deferred.add_both(move |result| {
                results.borrow_mut()[i] = Some(result);
                left.set(left.get() - 1);
                if left.get() == 0 {
                    let results = results.take().into_iter().flatten().collect();
                    all.callback(results);
                }
                Ok(())
            });
        }
        all
    }
}

impl<'a, T: 'a> Default for Deferred<'a, T> {
    fn default() -> Self {
        Deferred::new()
    }
}

/// At most `tokens` operations at once; the others wait their turn: Twisted's
/// `DeferredSemaphore`, which is how a Twisted program bounds its concurrency.
pub struct Semaphore<'a> {
    tokens: Cell<usize>,
    waiting: RefCell<VecDeque<Box<dyn FnOnce() + 'a>>>,
}

impl<'a> Semaphore<'a> {
    pub fn new(tokens: usize) -> Rc<Semaphore<'a>> {
        Rc::new(Semaphore {
            tokens: Cell::new(tokens),
            waiting: RefCell::default(),
        })
    }

    /// Runs `operation` when a token is free, and gives the token back when its Deferred fires.
    pub fn run<T: 'a>(
        self: &Rc<Self>,
        operation: impl FnOnce() -> Deferred<'a, T> + 'a,
    ) -> Deferred<'a, T> {
        let result = Deferred::new();
        let (this, out) = (self.clone(), result.clone());
        let start = move || {
            operation().add_both(move |r| {
                out.fire(r);
                this.release();
                Ok(())
            });
        };
        if self.tokens.get() > 0 {
            self.tokens.set(self.tokens.get() - 1);
            start();
        } else {
            self.waiting.borrow_mut().push_back(Box::new(start));
        }
        result
    }

    fn release(&self) {
        let next = self.waiting.borrow_mut().pop_front();
        match next {
            // The token passes straight to the next operation in line.
            Some(start) => start(),
            None => self.tokens.set(self.tokens.get() + 1),
        }
    }
}

impl std::fmt::Debug for Semaphore<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Semaphore")
            .field("tokens", &self.tokens.get())
            .field("waiting", &self.waiting.borrow().len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deferred_fires_once_and_passes_its_result_along() {
        let d = Deferred::<u32>::new();
        let seen = Rc::new(Cell::new(0));
        let s = seen.clone();
        d.clone().add_callback(|v| Ok(v + 1)).add_both(move |r| {
            s.set(r.unwrap());
            Ok(())
        });
        assert!(d.fire(Ok(41)));
        assert!(!d.fire(Ok(0)), "a second result is dropped");
        assert_eq!(seen.get(), 42);
        // Added after it fired: runs at once.
        let late = Deferred::<u32>::new();
        late.callback(7);
        let got = Rc::new(Cell::new(0));
        let g = got.clone();
        late.add_both(move |r| {
            g.set(r.unwrap());
            Ok(())
        });
        assert_eq!(got.get(), 7);
    }

    #[test]
    fn an_error_skips_callbacks_to_the_next_errback() {
        let d = Deferred::<u32>::new();
        let kind = Rc::new(Cell::new(None));
        let k = kind.clone();
        d.clone()
            .add_callback(|_| -> Result<u32, FetchError> { panic!("not for errors") })
            .add_both(move |r| {
                k.set(r.err().map(|e| e.kind()));
                Ok(())
            });
        d.errback(FetchError::new(fetchkit::ErrorKind::Timeout, "late"));
        assert_eq!(kind.get(), Some(fetchkit::ErrorKind::Timeout));
    }

    #[test]
    fn timers_run_in_order_and_cancelled_ones_never() {
        let reactor = Reactor::new().unwrap();
        let order = Rc::new(RefCell::new(Vec::new()));
        for (ms, name) in [(30, "c"), (10, "a"), (20, "b")] {
            let order = order.clone();
            reactor.call_later(Duration::from_millis(ms), move || {
                order.borrow_mut().push(name)
            });
        }
        let o = order.clone();
        let cancelled = reactor.call_later(Duration::from_millis(15), move || {
            o.borrow_mut().push("cancelled")
        });
        reactor.cancel(cancelled);
        reactor.run().unwrap();
        assert_eq!(*order.borrow(), ["a", "b", "c"]);
    }

    #[test]
    fn a_semaphore_runs_at_most_its_tokens_at_once() {
        let reactor = Reactor::new().unwrap();
        let limit = Semaphore::new(2);
        let (now, peak) = (Rc::new(Cell::new(0)), Rc::new(Cell::new(0)));
        let mut all = Vec::new();
        for i in 0..6 {
            let (reactor2, now, peak) = (reactor.clone(), now.clone(), peak.clone());
            all.push(limit.run(move || {
                now.set(now.get() + 1);
                peak.set(peak.get().max(now.get()));
                let d = Deferred::new();
                let fire = d.clone();
                reactor2.call_later(Duration::from_millis(5 * i), move || {
                    now.set(now.get() - 1);
                    fire.callback(i);
                });
                d
            }));
        }
        let results = Rc::new(RefCell::new(Vec::new()));
        let r = results.clone();
        Deferred::gather(all).add_callback(move |all| {
            *r.borrow_mut() = all.into_iter().map(Result::unwrap).collect();
            Ok(())
        });
        reactor.run().unwrap();
        assert_eq!(peak.get(), 2);
        assert_eq!(*results.borrow(), [0, 1, 2, 3, 4, 5]);
    }

    /// Records what a connection's protocol hears.
    struct Listen(Rc<RefCell<Vec<&'static str>>>);

    impl Protocol for Listen {
        fn connection_made(&mut self, _: &mut dyn Transport) {
            self.0.borrow_mut().push("made");
        }
        fn data_received(&mut self, _: &[u8], _: &mut dyn Transport) {}
        fn connection_lost(&mut self, reason: io::Result<()>) {
            self.0.borrow_mut().push(match reason {
                Err(e) if e.kind() == io::ErrorKind::ConnectionAborted => "aborted",
                _ => "lost",
            });
        }
    }

    #[test]
    fn an_old_handle_never_aborts_the_next_connection_in_its_slot() {
        let server = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = server.local_addr().unwrap();
        let reactor = Reactor::new().unwrap();
        let (first, second) = (Rc::default(), Rc::default());
        let old = reactor
            .connect_tcp(addr, Listen(Rc::clone(&first)))
            .unwrap();
        reactor.abort(old);
        let new = reactor
            .connect_tcp(addr, Listen(Rc::clone(&second)))
            .unwrap();
        assert_eq!(old.0, new.0, "the slot is reused");
        reactor.abort(old);
        assert_eq!(*first.borrow(), ["aborted"]);
        assert!(second.borrow().is_empty(), "{:?}", second.borrow());
        reactor.abort(new);
        assert_eq!(*second.borrow(), ["aborted"]);
    }

    #[test]
    fn a_lookup_answers_through_the_poller() {
        let reactor = Reactor::new().unwrap();
        let got = Rc::new(RefCell::new(None));
        let g = got.clone();
        reactor.resolve("localhost", 80).add_both(move |r| {
            *g.borrow_mut() = Some(r.map(|addrs| addrs.len()));
            Ok(())
        });
        reactor.run().unwrap();
        assert!(matches!(*got.borrow(), Some(Ok(n)) if n > 0));
    }
}
