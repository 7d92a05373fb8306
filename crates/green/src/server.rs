//! A server on the hub, as gevent's `StreamServer`: an accept loop on a green thread of its
//! own, which hands each connection to a green thread of its own, and what the server hears of
//! them ([`Event`]). The hub knows nothing of servers: the accept loop waits on its listening
//! socket as any green thread waits on its socket.

use std::io;
use std::rc::Rc;

use fetchkit::ACCEPT_PAUSE;

use crate::hub::Hub;
use crate::io::{Io, TcpStream};

/// What [`Hub::serve_forever`] tells the server of its connections, for the server to count as
/// it likes: the hub itself counts nothing.
#[derive(Debug)]
pub enum Event<'e> {
    /// A connection was accepted.
    Accepted,
    /// A connection could not be served: the accept failed, or no stack could be had for it.
    /// The connection is closed (or left in the backlog); the hub goes on.
    Refused(&'e io::Error),
}

/// Who hears of the connections, and what each connection's green thread runs.
type On = Rc<dyn Fn(Event<'_>)>;
type Handle = Rc<dyn Fn(&Io<'_>, TcpStream<'_, '_>)>;

impl Hub<io::Result<()>> {
    /// A hub for a server: every connection it accepts gets a green thread at once, with no
    /// limit but the machine's (a stack that cannot be had refuses that connection).
    pub fn server() -> io::Result<Hub<io::Result<()>>> {
        Hub::new(usize::MAX)
    }

    /// gevent's `StreamServer(listener, handle).serve_forever()`: accepts connections for as
    /// long as the hub runs, and runs `handle` for each on a green thread of its own, without
    /// the hub's size as a limit. `on` hears of every connection accepted and every one refused
    /// (an accept that failed, a stack that could not be had): the server's to count. Returns
    /// only when the listening socket cannot be waited on.
    pub fn serve_forever(
        mut self,
        listener: std::net::TcpListener,
        on: impl Fn(Event<'_>) + 'static,
        handle: impl Fn(&Io<'_>, TcpStream<'_, '_>) + 'static,
    ) -> io::Result<()> {
        let (on, handle): (On, Handle) = (Rc::new(on), Rc::new(handle));
        self.spawn(move |io| accept_loop(io, listener, &on, &handle));
        for result in self.join_all()? {
            result??;
        }
        Ok(())
    }
}

/// The accept loop, on a green thread of its own: each connection to a green thread of its own.
fn accept_loop(
    io: &Io<'_>,
    listener: std::net::TcpListener,
    on: &On,
    handle: &Handle,
) -> io::Result<()> {
    let listener = io.listen(listener)?;
    loop {
        match listener.accept() {
            Ok(socket) => {
                on(Event::Accepted);
                let (handle, on, refused) = (handle.clone(), on.clone(), on.clone());
                io.spawn(
                    move |io| match io.adopt(socket) {
                        Ok(stream) => handle(io, stream),
                        Err(e) => on(Event::Refused(&e)),
                    },
                    move |e| refused(Event::Refused(&e)),
                );
            }
            Err(e) => {
                // No descriptor left, say: the backlog stays readable, and an accept tried again
                // at once would fail again at once. Pause, and let the others run meanwhile.
                on(Event::Refused(&e));
                let _ = io.sleep(ACCEPT_PAUSE);
            }
        }
    }
}
