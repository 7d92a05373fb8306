//! The reactor itself, as in Twisted's `base.py` and its `epollreactor.py`: one poller (mio's
//! `epoll`), one table of what it watches (connections and listening sockets), the timers, and
//! [`Reactor::run`], the main loop: run the due timers, wait in one poll for as long as the next
//! timer allows, then hand each event to what it belongs to.

use std::cell::{Cell, RefCell};
use std::io;
use std::net::SocketAddr;
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use fetchkit::{ACCEPT_PAUSE, Lookup, Woken};
use mio::net::TcpStream;
use mio::{Events, Interest, Poll, Token};
use slab::Slab;

use crate::defer::Deferred;
use crate::protocol::{ConnectionId, Factory, Protocol, Transport};
use crate::tcp::Connection;
use crate::timers::{Next, TimerId, Timers};

/// The size of the one read buffer: 64 KiB costs 64 KiB once, not per connection.
const READ_BUFFER: usize = 64 * 1024;

/// The token of the waker that lookup threads use; the table's entries have its keys.
const WAKE: Token = Token(usize::MAX);

/// What the reactor watches: a connection, or a listening socket.
enum Entry<'a> {
    /// Out of its place (`None`) while its protocol runs, so that the callbacks it fires may
    /// connect, abort or schedule freely.
    Connection(Option<Connection<'a>>),
    Listener(Listening<'a>),
}

/// A listening socket and what builds its connections' protocols.
struct Listening<'a> {
    socket: mio::net::TcpListener,
    factory: Box<dyn Factory<'a> + 'a>,
    /// An accept failed and a retry is due after [`ACCEPT_PAUSE`]: readiness is not acted on
    /// meanwhile, so that a full descriptor table costs one try per pause, not a spin.
    paused: bool,
}

/// The reactor. Cloning it clones a handle: callbacks keep one to schedule more work, as
/// Twisted's programs use its global `reactor`.
#[derive(Clone)]
pub struct Reactor<'a> {
    pub(crate) inner: Rc<Inner<'a>>,
}

pub(crate) struct Inner<'a> {
    poll: RefCell<Poll>,
    registry: mio::Registry,
    table: RefCell<Slab<Entry<'a>>>,
    timers: RefCell<Timers<'a>>,
    /// The name lookups under way on their threads ([`crate::resolve`]).
    pub(crate) lookups: RefCell<Slab<(Lookup, Deferred<'a, Vec<SocketAddr>>)>>,
    pub(crate) woken: Arc<Woken>,
    buffer: RefCell<Box<[u8]>>,
    running: Cell<bool>,
    /// How many connections were made: each one's number tells it from a later connection in
    /// the same place.
    connections_made: Cell<u64>,
}

impl std::fmt::Debug for Reactor<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reactor")
            .field("watched", &self.inner.table.borrow().len())
            .finish_non_exhaustive()
    }
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
                table: RefCell::new(Slab::new()),
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

    // ANCHOR: main_loop
    /// Runs callbacks as sockets and timers become ready, until [`stop`](Reactor::stop), or
    /// until nothing is left that could call one: Twisted's `mainLoop`.
    pub fn run(&self) -> io::Result<()> {
        let inner = &self.inner;
        inner.running.set(true);
        let mut events = Events::with_capacity(1024);
        while inner.running.get() {
            // The due timers first; the next one says how long the poll may sleep.
            let timeout = self.run_due_timers();
            if !inner.running.get() || self.idle(timeout) {
                break;
            }
            // One poll: sleep until a socket is ready, a lookup answers, or the timeout.
            match inner.poll.borrow_mut().poll(&mut events, timeout) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
            for event in events.iter() {
                self.dispatch(event);
            }
        }
        Ok(())
    }
    // ANCHOR_END: main_loop

    // ANCHOR: dispatch
    /// Hands an event to what it belongs to: the lookups' waker, a listening socket (accept),
    /// or a connection (read, write, or learn its error).
    fn dispatch(&self, event: &mio::event::Event) {
        let token = event.token();
        if token == WAKE {
            return self.answer_lookups();
        }
        let listener = matches!(
            self.inner.table.borrow().get(token.0),
            Some(Entry::Listener(_))
        );
        if listener {
            self.accept(token.0);
        } else {
            self.ready(event);
        }
    }
    // ANCHOR_END: dispatch

    /// Whether nothing is left that could call back: no connection, listener, lookup or timer.
    fn idle(&self, timeout: Option<Duration>) -> bool {
        self.inner.table.borrow().is_empty()
            && self.inner.lookups.borrow().is_empty()
            && timeout.is_none()
    }

    /// Ends [`run`](Reactor::run) after the callback that calls it.
    pub fn stop(&self) {
        self.inner.running.set(false);
    }

    /// Calls `f` after `delay`, unless cancelled first.
    pub fn call_later(&self, delay: Duration, f: impl FnOnce() + 'a) -> TimerId {
        self.inner.timers.borrow_mut().call_later(delay, f)
    }

    /// Cancels a timer; a timer that already ran is left alone.
    pub fn cancel(&self, id: TimerId) {
        self.inner.timers.borrow_mut().cancel(id);
    }

    /// Runs the timers that are due and returns how long until the next one. Those that the
    /// due ones make run after the next poll, so that a chain of timers (a client pipelining
    /// requests) cannot hold off every socket.
    fn run_due_timers(&self) -> Option<Duration> {
        let (now, mark) = (Instant::now(), self.inner.timers.borrow().mark());
        loop {
            let next = self.inner.timers.borrow_mut().next(now, mark);
            match next {
                Next::Due(call) => call(),
                Next::In(wait) => return Some(wait),
                Next::Nothing => return None,
            }
        }
    }

    /// The handle of the next connection: its place in the table, and its number.
    fn next_id(&self, table: &Slab<Entry<'a>>) -> ConnectionId {
        let number = self.inner.connections_made.get() + 1;
        self.inner.connections_made.set(number);
        ConnectionId(Token(table.vacant_key()), number)
    }

    /// Registers `socket` and puts it in the table at `id`'s place, as a connection of
    /// `protocol`: a connect under way, or one just accepted.
    fn insert(
        &self,
        table: &mut Slab<Entry<'a>>,
        mut socket: TcpStream,
        protocol: Box<dyn Protocol + 'a>,
        id: ConnectionId,
    ) -> io::Result<()> {
        let interest = Interest::READABLE | Interest::WRITABLE;
        self.inner.registry.register(&mut socket, id.0, interest)?;
        let key = table.insert(Entry::Connection(Some(Connection::new(
            socket, protocol, id.1,
        ))));
        debug_assert_eq!(key, id.0.0);
        Ok(())
    }

    /// Starts connecting to `addr`; `protocol` hears of it from then on. A connect that fails at
    /// once (no descriptors left, say) is the error here, and the protocol is dropped.
    pub fn connect_tcp(
        &self,
        addr: SocketAddr,
        protocol: impl Protocol + 'a,
    ) -> io::Result<ConnectionId> {
        let socket = TcpStream::connect(addr)?;
        let mut table = self.inner.table.borrow_mut();
        let id = self.next_id(&table);
        self.insert(&mut table, socket, Box::new(protocol), id)?;
        Ok(id)
    }

    /// Listens on `listener`: each connection it accepts gets the protocol `factory` builds.
    pub fn listen_tcp(
        &self,
        listener: std::net::TcpListener,
        factory: impl Factory<'a> + 'a,
    ) -> io::Result<()> {
        listener.set_nonblocking(true)?;
        let mut socket = mio::net::TcpListener::from_std(listener);
        let mut table = self.inner.table.borrow_mut();
        let token = Token(table.vacant_key());
        self.inner
            .registry
            .register(&mut socket, token, Interest::READABLE)?;
        table.insert(Entry::Listener(Listening {
            socket,
            factory: Box::new(factory),
            paused: false,
        }));
        Ok(())
    }

    /// Accepts every connection waiting on the listening socket at `key`.
    fn accept(&self, key: usize) {
        loop {
            let mut table = self.inner.table.borrow_mut();
            let Some(Entry::Listener(listening)) = table.get_mut(key) else {
                return;
            };
            if listening.paused {
                return;
            }
            let socket = match listening.socket.accept() {
                Ok((socket, _)) => socket,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    // No descriptor left (EMFILE, ENFILE), no buffer (ENOBUFS): the connection
                    // waits in the backlog. One retry after a pause, whatever else arrives
                    // meanwhile; edge-triggered, the backlog would not be reported again.
                    listening.factory.accept_failed(e);
                    listening.paused = true;
                    drop(table);
                    let reactor = self.clone();
                    self.call_later(ACCEPT_PAUSE, move || {
                        if let Some(Entry::Listener(listening)) =
                            reactor.inner.table.borrow_mut().get_mut(key)
                        {
                            listening.paused = false;
                        }
                        reactor.accept(key);
                    });
                    return;
                }
            };
            let id = self.next_id(&table);
            let Entry::Listener(listening) = &mut table[key] else {
                return;
            };
            let protocol = listening.factory.build_protocol(id);
            if let Err(e) = self.insert(&mut table, socket, protocol, id)
                && let Entry::Listener(listening) = &mut table[key]
            {
                listening.factory.accept_failed(e);
            }
        }
    }

    /// Runs `f` with connection `id`'s transport, from outside its protocol's callbacks (a
    /// timer's, say): what it writes goes out as a callback's writes do, and a
    /// `lose_connection` closes the connection once they are sent. A connection already closed
    /// (or one whose protocol is running right now) is left alone, and `f` is not called.
    pub fn with_transport(&self, id: ConnectionId, f: impl FnOnce(&mut dyn Transport)) {
        let Some(mut connection) = self.take(id.0, Some(id.1)) else {
            return;
        };
        let (_, mut transport) = connection.split();
        f(&mut transport);
        // Reading may have been resumed, with bytes waiting in the kernel that no new event
        // will announce (edge-triggered): read them now.
        let outcome = transport.check().and_then(|()| {
            let mut buffer = self.inner.buffer.borrow_mut();
            connection.drive(&mut buffer, false)
        });
        self.put_back(id.0, connection, outcome);
    }

    /// Closes a connection at once, whatever it was doing; its protocol hears
    /// `connection_lost` with `ConnectionAborted`, as Twisted's `abortConnection` does. A
    /// connection already closed is left alone, and so is a later one in its place.
    pub fn abort(&self, id: ConnectionId) {
        // A connection whose protocol is running right now is not in its place: it is left to
        // finish that call, as nothing in this crate aborts a connection from its own callbacks.
        let taken = {
            let mut table = self.inner.table.borrow_mut();
            match table.get(id.0.0) {
                Some(Entry::Connection(Some(c))) if c.number == id.1 => {
                    match table.remove(id.0.0) {
                        Entry::Connection(connection) => connection,
                        Entry::Listener(_) => None,
                    }
                }
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

    /// Takes the connection at `token` out of its place (numbered `number`, where given).
    fn take(&self, token: Token, number: Option<u64>) -> Option<Connection<'a>> {
        match self.inner.table.borrow_mut().get_mut(token.0) {
            Some(Entry::Connection(slot))
                if slot
                    .as_ref()
                    .is_some_and(|c| number.is_none_or(|n| c.number == n)) =>
            {
                slot.take()
            }
            _ => None,
        }
    }

    /// A socket is ready: finish its connect, flush its writes, read what arrived; or it met an
    /// error (a reset, say), which ends it.
    fn ready(&self, event: &mio::event::Event) {
        let token = event.token();
        let Some(mut connection) = self.take(token, None) else {
            return;
        };
        connection.note(event);
        // A reset shows here even while nothing reads the socket (paused, or after its EOF).
        let failed = if event.is_error() {
            connection.socket.take_error().unwrap_or_else(Some)
        } else {
            None
        };
        let outcome = match failed {
            Some(e) => Err(e),
            None => {
                let mut buffer = self.inner.buffer.borrow_mut();
                connection.drive(&mut buffer, event.is_writable())
            }
        };
        self.put_back(token, connection, outcome);
    }

    /// Puts a connection back in its place after its protocol ran, or closes it: when the peer
    /// closed it, an error ended it, or the protocol lost it and nothing is left to send.
    fn put_back(&self, token: Token, mut connection: Connection<'a>, outcome: io::Result<bool>) {
        let mut table = self.inner.table.borrow_mut();
        match outcome {
            Ok(true) if !connection.finished() => {
                if let Some(Entry::Connection(slot)) = table.get_mut(token.0) {
                    *slot = Some(connection);
                }
            }
            // Closed: by the peer, by an error, or by the protocol.
            end => {
                if table.contains(token.0) {
                    table.remove(token.0);
                }
                drop(table);
                let _ = self.inner.registry.deregister(&mut connection.socket);
                connection.protocol.connection_lost(end.map(drop));
            }
        }
    }
}
