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
//! The pieces, one idea a file, as Twisted keeps them: [`protocol`] (where a reader starts: what a
//! connection's owner is told), [`defer`] (results not there yet, with no socket in sight),
//! [`timers`] (`call_later`), [`tcp`] (a connection and its transport), [`reactor`] (the
//! poller, the table and the main loop) and `resolve` (name lookups on threads). What they do:
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
//! - [`Deferred`]: a result not there yet, with the callbacks to run when it is;
//!   [`DeferredList`] and [`DeferredSemaphore`] for many of them.

pub mod defer;
pub mod protocol;
pub mod reactor;
mod resolve;
pub mod tcp;
pub mod timers;

pub use defer::{Deferred, DeferredList, DeferredSemaphore};
pub use protocol::ConnectionId;
pub use protocol::{Factory, Protocol, Transport};
pub use reactor::Reactor;
pub use timers::TimerId;

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::io;
    use std::rc::Rc;
    use std::time::Duration;

    use super::*;

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
