//! The hub as a server's accept loop, as gevent's `StreamServer`: a listening socket whose
//! connections are each handed to a green thread of their own, and what the server hears of
//! them ([`Event`]).

use std::io;
use std::rc::Rc;
use std::time::Instant;

use fetchkit::ACCEPT_PAUSE;
use mio::{Interest, Token};

use crate::hub::{Hub, Job};
use crate::io::{Io, TcpStream};

/// The token of the listening socket of [`Hub::serve_forever`].
pub(crate) const LISTEN: Token = Token(usize::MAX - 1);

/// What a server's green thread runs for an accepted connection.
type Serve<R> = Box<dyn Fn(mio::net::TcpStream) -> Job<R>>;

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
pub(crate) struct Server<R> {
    listener: mio::net::TcpListener,
    serve: Serve<R>,
    pub(crate) on: Rc<dyn Fn(Event<'_>)>,
}

impl Hub<()> {
    /// A hub for a server: every connection it accepts gets a green thread at once, with no
    /// limit but the machine's (a stack that cannot be had refuses that connection).
    pub fn server() -> io::Result<Hub<()>> {
        Hub::new(usize::MAX)
    }

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

impl<R: 'static> Hub<R> {
    /// Accepts every connection waiting, each to be served on a green thread of its own.
    pub(crate) fn accept(&mut self) {
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
}
