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
//! - [`Hub::serve_forever`] is gevent's `StreamServer(listener, handle).serve_forever()`: an
//!   accept loop on a green thread of its own, which spawns a green thread running `handle` for
//!   each connection ([`Io::spawn`] is `gevent.spawn` from within a greenlet).
//!
//! One idea a file: [`hub`] (the green threads and the loop that resumes them), [`io`] (what a
//! green thread waits through and hands the hub: its socket, its sleeps, its lookups, the green
//! threads it spawns) and [`server`] (an accept loop on a green thread). The hub knows nothing
//! of servers.
//!
//! The price of code that looks blocking: anything that blocks without going through [`Io`]
//! (a `std::thread::sleep`, a blocking DNS call, a socket of std's) stops the hub itself, and
//! every green thread with it (`a_blocking_call_stalls_every_green_thread` below shows it).

pub mod hub;
pub mod io;
pub mod server;

pub use hub::{Hub, STACK};
pub use io::{Io, TcpListener, TcpStream};
pub use server::Event;

#[cfg(test)]
mod tests {
    use std::io;
    use std::time::{Duration, Instant};

    use super::*;

    /// The results of a hub's green threads, each of which had its stack.
    fn joined<R: 'static>(hub: Hub<R>) -> Vec<R> {
        hub.join_all()
            .unwrap()
            .into_iter()
            .map(|r| r.expect("a stack"))
            .collect()
    }

    /// A green thread spawned by another starts at the hub's next turn, while its spawner
    /// waits with no deadline of its own: here, as in a server's accept loop, the spawner waits
    /// for a connection that only the green thread it spawned will make. A hub that started
    /// spawned green threads only after its next event would wait forever (here, until the
    /// spawner's five seconds are up).
    #[test]
    fn a_green_thread_spawned_by_another_starts_while_its_spawner_waits() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let mut hub = Hub::new(10).unwrap();
        hub.spawn(move |io| {
            io.set_timeout(Duration::from_secs(5));
            let listener = io.listen(listener)?;
            io.spawn(
                move |io| drop(io.connect(addr)),
                |e| panic!("no stack: {e}"),
            );
            listener.accept().map(drop)
        });
        let started = Instant::now();
        let accepted = hub.join_all().unwrap().pop().unwrap().unwrap();
        assert!(accepted.is_ok(), "{accepted:?}");
        assert!(started.elapsed() < Duration::from_secs(4));
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
        let ended = joined(hub);
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
        let ended = joined(hub);
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
        let ended = joined(hub);
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
        let ended = joined(hub);
        assert!(ended[0] < Duration::from_secs(2), "{ended:?}");
    }
}
