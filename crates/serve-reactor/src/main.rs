//! A server on a reactor: a protocol per connection, and callbacks for everything that happens.
//!
//! Twisted's answer to the talk's closing question: `reactor.listenTCP(port, factory)`, where
//! the factory builds a `Protocol` for each connection, and the reactor calls its
//! `dataReceived` with whatever bytes arrive. Nothing waits: a request's `ms` is a
//! `reactor.callLater` whose callback writes the answer (cancelled in `connectionLost` when the
//! client leaves first), and a head that is late is another timer, which drops the connection.
//! The reactor is `crates/reactor`, shared with fetch-reactor.
//!
//! A connection costs what the protocol keeps (the bytes of a head not yet whole, the timer it
//! waits on) and a slot in the reactor's table: no stack, no task. One reactor is one thread:
//! `--threads N` runs N reactors (one by default, as one Twisted process has one), each
//! accepting from the same socket.
//!
//! Run with:
//! ```sh
//! cargo run --release -p serve-reactor
//! curl 'http://127.0.0.1:8080/work?ms=50&size=1024'
//! ```
//!
//! Read it beside:
//! - `python/servers/serve_twisted.py`, the same server in Python
//! - `docs/book/src/servers.md`, its chapter of the book
//! - `crates/reactor/src/reactor.rs`, the runtime under it, the workspace's own

use std::cell::RefCell;
use std::net::TcpListener;
use std::process::ExitCode;
use std::rc::Rc;
use std::time::Duration;

use reactor::{ConnectionId, Factory, Protocol, Reactor, TimerId, Transport};
use servekit::{Persist, Rejected, Request, Route, Serve, stats};

fn main() -> ExitCode {
    common::exit(serve())
}

fn serve() -> anyhow::Result<ExitCode> {
    let serve = Serve::from_cli()?;
    let listener = serve.listen()?;
    let header_timeout = serve.header_timeout();
    // A reactor per thread (--threads), each accepting from the same socket.
    serve.on_each_thread(listener, move |listener| run(listener, header_timeout))?;
    Ok(ExitCode::SUCCESS)
}

/// One reactor, serving connections until the process ends.
fn run(listener: TcpListener, header_timeout: Duration) -> std::io::Result<()> {
    let reactor = Reactor::new()?;
    // reactor.listenTCP(port, factory); reactor.run()
    let factory = Site {
        reactor: reactor.clone(),
        header_timeout,
    };
    reactor.listen_tcp(listener, factory)?;
    reactor.run()
}

/// Twisted's `Factory`: a protocol for each connection accepted.
struct Site {
    reactor: Reactor<'static>,
    header_timeout: Duration,
}

impl Factory<'static> for Site {
    fn build_protocol(&mut self, id: ConnectionId) -> Box<dyn Protocol> {
        stats().accepted();
        Box::new(Http {
            reactor: self.reactor.clone(),
            id,
            header_timeout: self.header_timeout,
            state: Rc::default(),
        })
    }

    fn accept_failed(&mut self, error: std::io::Error) {
        stats().refused(&error);
    }
}

/// The protocol of one connection. A clone is a handle to the same connection: a timer's
/// callback keeps one, to answer when it fires.
#[derive(Clone)]
struct Http {
    reactor: Reactor<'static>,
    id: ConnectionId,
    header_timeout: Duration,
    state: Rc<RefCell<State>>,
}

#[derive(Default)]
struct State {
    /// What the client sent and no answer has taken yet: the next request head, or more.
    input: Vec<u8>,
    /// The timer running: the next head's deadline, or the wait before an answer.
    timer: Option<TimerId>,
    /// A request is being answered: the next one waits its turn.
    busy: bool,
    /// The client shut down its writing side: once its requests are answered, close.
    eof: bool,
    /// The request that waits is HTTP/1.1: at a FIN, its client may be probed.
    http11: bool,
}

impl Protocol for Http {
    fn connection_made(&mut self, _: &mut dyn Transport) {
        self.expect_a_head();
    }

    fn data_received(&mut self, data: &[u8], transport: &mut dyn Transport) {
        self.state.borrow_mut().input.extend_from_slice(data);
        self.serve_next(transport);
    }

    fn read_connection_lost(&mut self, transport: &mut dyn Transport) {
        // A half-closed request still gets its answer (RFC 9112 allows the client to do so).
        // But the FIN may as well be a client gone: during a wait, an HTTP/1.1 client is sent
        // an interim answer, which a closed socket answers with a reset (servekit::hangup).
        let mut state = self.state.borrow_mut();
        state.eof = true;
        if state.busy && state.timer.is_some() && state.http11 {
            transport.write(servekit::PROBE);
        }
        drop(state);
        self.serve_next(transport);
    }

    fn write_drained(&mut self, transport: &mut dyn Transport) {
        // The client has read its answers: serve the next request it sent.
        self.serve_next(transport);
    }

    fn connection_lost(&mut self, _: std::io::Result<()>) {
        // A wait whose client is gone is cancelled with it.
        let mut state = self.state.borrow_mut();
        if let Some(timer) = state.timer.take() {
            self.reactor.cancel(timer);
            if state.busy {
                stats().abandoned();
            }
        }
    }
}

impl Http {
    /// Gives the next request head `--header-timeout` to arrive whole.
    fn expect_a_head(&self) {
        let (reactor, id) = (self.reactor.clone(), self.id);
        let timer = self.reactor.call_later(self.header_timeout, move || {
            stats().timed_out();
            reactor.abort(id);
        });
        self.state.borrow_mut().timer = Some(timer);
    }

    // ANCHOR: accept
    /// Answers the request at the start of the input, if it is whole and the client has read
    /// the answers before it: the input is read no further meanwhile (backpressure).
    fn serve_next(&self, transport: &mut dyn Transport) {
        let request = {
            let mut state = self.state.borrow_mut();
            if state.busy || transport.buffered() > 0 {
                transport.pause_reading();
                return;
            }
            let parsed = servekit::parse_request(&state.input);
            match parsed {
                Ok(None) if state.eof => return transport.lose_connection(),
                Ok(None) => {
                    // Waiting for the next head, which has --header-timeout to arrive.
                    let timed = state.timer.is_some();
                    drop(state);
                    if !timed {
                        self.expect_a_head();
                    }
                    return transport.resume_reading();
                }
                Ok(Some(request)) => {
                    state.input.drain(..request.len);
                    state.busy = true;
                    state.http11 = request.http11;
                    if let Some(timer) = state.timer.take() {
                        self.reactor.cancel(timer);
                    }
                    request
                }
                Err(Rejected { status }) => {
                    let mut head = Vec::new();
                    servekit::write_head(&mut head, status, 0, Persist::Close);
                    transport.write(&head);
                    return transport.lose_connection();
                }
            }
        };
        let Request {
            route,
            persist,
            head,
            ..
        } = request;
        match route {
            Route::Now { status, body } => self.answer(status, &body, persist, head, transport),
            Route::Work { delay, body } => {
                // The database call: a timer, whose callback answers. The reactor serves the
                // other connections meanwhile.
                let this = self.clone();
                let timer = self.reactor.call_later(delay, move || {
                    this.state.borrow_mut().timer = None;
                    let id = this.id;
                    this.reactor.with_transport(id, |transport| {
                        this.answer(200, body, persist, head, transport)
                    });
                });
                self.state.borrow_mut().timer = Some(timer);
            }
        }
    }
    // ANCHOR_END: accept

    /// Writes an answer (its head alone for a HEAD), then closes the connection or goes on to
    /// the next request.
    fn answer(
        &self,
        status: u16,
        body: &[u8],
        persist: Persist,
        head_only: bool,
        transport: &mut dyn Transport,
    ) {
        let mut head = Vec::new();
        servekit::write_head(&mut head, status, body.len(), persist);
        // Head and body in one write: one system call an answer.
        let body = if head_only { &[][..] } else { body };
        transport.write_sequence(&[&head, body]);
        if persist == Persist::Close {
            transport.lose_connection();
            return;
        }
        self.state.borrow_mut().busy = false;
        // A request the client sent ahead (pipelining) may be here already.
        self.serve_next(transport);
    }
}
