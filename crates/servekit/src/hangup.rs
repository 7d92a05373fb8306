//! A request that waits, and a client that leaves meanwhile: how a server tells, so that the
//! wait is cancelled instead of held to its end (up to [`MAX_DELAY`](crate::MAX_DELAY)).
//!
//! A client that is gone shows on its socket in one of two ways. A reset (`RST`: the client
//! closed with unread data, or its kernel refused what was sent to it) is plain: the socket
//! reports an error. A client that simply closes its socket sends `FIN`, as does a client that
//! only shuts down its writing side and still waits for the answer (a half-close, which RFC
//! 9112 allows and which every server here answers): the server cannot tell the two apart from
//! the `FIN`. It can ask, though. To an HTTP/1.1 client whose `FIN` arrived during a wait the
//! server sends [`PROBE`], an interim `100 Continue` (every HTTP/1.1 client must read and pass
//! over a 1xx it did not expect: RFC 9110, section 15.2). A half-closed client reads it and goes
//! on waiting; a closed socket's kernel answers it with a reset, which ends the wait. An
//! HTTP/1.0 client may not be sent a 1xx, so its `FIN` ends nothing; a reset still does.
//!
//! How often a server looks is its own: a thread sleeps in `poll(2)` on its socket and wakes at
//! the `FIN` ([`Lookout::wait`]); the reactor is told by its poller; the servers whose wait is a
//! runtime's timer (hyper's, and the green threads') look between the slices of their wait,
//! every [`LOOK_EVERY`] ([`wait_looking`]).

use std::os::fd::RawFd;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use crate::stats;

/// What a server sends an HTTP/1.1 client whose `FIN` arrived while its request waited: a
/// closed socket answers it with a reset; a half-closed client reads it and passes over it.
pub const PROBE: &[u8] = b"HTTP/1.1 100 Continue\r\n\r\n";

/// How often the servers whose wait is a timer look at the client: a wait shorter than this is
/// never interrupted, and a longer one is cancelled within this much of the client leaving.
pub const LOOK_EVERY: Duration = Duration::from_secs(1);

/// How soon after sending the probe a server whose wait is a timer looks for its reset: a
/// loopback round trip is microseconds; a slower one is seen at the next regular look.
const PROBE_ROUND_TRIP: Duration = Duration::from_millis(10);

/// The client of a request that waits, seen through its socket: looked at without reading
/// from it, so that the requests it sent ahead stay for the conversation to read.
#[derive(Debug)]
pub struct Lookout {
    fd: RawFd,
    /// An HTTP/1.1 request: its client may be sent the probe.
    may_probe: bool,
    /// The FIN arrived: from now on only a reset says the client is gone.
    probed: bool,
    /// The probe went out and the socket has not been looked at since: its reset is near.
    probing: bool,
    /// Nothing the server wrote before waits unsent above the socket, so the probe cannot land
    /// inside an earlier answer; `None` when the server writes nothing it does not send at once.
    quiet: Option<Arc<AtomicBool>>,
}

impl Lookout {
    /// The lookout of a request on the socket `fd`, which must stay open while the lookout is
    /// used (it is the socket of the connection the request waits on).
    pub fn new(fd: RawFd, http11: bool) -> Lookout {
        Lookout {
            fd,
            may_probe: http11,
            probed: false,
            probing: false,
            quiet: None,
        }
    }

    /// Whether the client is gone, looked at now: a reset is; a `FIN` sends the probe (once)
    /// and is not, until the reset that answers the probe arrives. Counted in `/stats` as
    /// `abandoned` when it is.
    pub fn gone(&mut self) -> bool {
        self.look(Duration::ZERO)
    }

    /// Blocks the thread for `delay`, or until the client is gone (`false`): `poll(2)` on the
    /// socket, woken by a `FIN` or a reset, for a thread per connection.
    pub fn wait(&mut self, delay: Duration) -> bool {
        let end = Instant::now() + delay;
        loop {
            let left = end.saturating_duration_since(Instant::now());
            if self.look(left) {
                return false;
            }
            if left.is_zero() {
                return true;
            }
        }
    }

    /// Polls the socket for at most `limit` (a `FIN` until the probe is out, a reset always),
    /// sends the probe at a `FIN`, and says whether the client is gone.
    fn look(&mut self, limit: Duration) -> bool {
        // poll(2) always reports POLLERR and POLLHUP (a reset); POLLRDHUP is the FIN.
        let events = if self.may_probe && !self.probed {
            libc::POLLRDHUP
        } else {
            0
        };
        let mut poll = libc::pollfd {
            fd: self.fd,
            events,
            revents: 0,
        };
        // Whole milliseconds, rounded up: a wait never ends early, nor spins on its last one.
        let ms = limit.as_micros().div_ceil(1000);
        let ms = libc::c_int::try_from(ms).unwrap_or(libc::c_int::MAX);
        // SAFETY: one pollfd, valid for the call; the descriptor is open (`Lookout::new`).
        let ready = unsafe { libc::poll(&mut poll, 1, ms) };
        if ready <= 0 {
            // Nothing (or EINTR: the caller looks again).
            self.probing = false;
            return false;
        }
        if poll.revents & (libc::POLLERR | libc::POLLHUP | libc::POLLNVAL) != 0 {
            stats().abandoned();
            return true;
        }
        if poll.revents & libc::POLLRDHUP != 0 {
            // The FIN. With the probe sent, the reset that a closed socket answers with is for
            // the next look; without it (HTTP/1.0, or bytes still queued) the FIN may be a
            // half-close, and only a reset will say more.
            self.probed = true;
            self.probing = self.send_probe();
        }
        false
    }

    /// Sends the probe if nothing waits before it, above the socket (hyper's buffer, see
    /// [`Quiet`]) or in it (bytes not yet taken by the client: the probe would then be cut, or
    /// land inside an answer the client reads slowly).
    fn send_probe(&self) -> bool {
        if let Some(quiet) = &self.quiet
            && !quiet.load(Ordering::Acquire)
        {
            return false;
        }
        let mut queued: libc::c_int = 0;
        // SAFETY: TIOCOUTQ (SIOCOUTQ on a socket) writes one int; the descriptor is open.
        let asked = unsafe { libc::ioctl(self.fd, libc::TIOCOUTQ, &mut queued) };
        if asked != 0 || queued != 0 {
            return false;
        }
        let flags = libc::MSG_DONTWAIT | libc::MSG_NOSIGNAL;
        // SAFETY: the buffer is valid for its length; the descriptor is open (`Lookout::new`).
        let sent = unsafe { libc::send(self.fd, PROBE.as_ptr().cast(), PROBE.len(), flags) };
        // An empty socket takes the probe whole.
        usize::try_from(sent) == Ok(PROBE.len())
    }

    /// When to look next: soon after the probe went out (its reset is a round trip away), and
    /// every [`LOOK_EVERY`] otherwise.
    pub fn next_look(&self) -> Duration {
        if self.probing {
            PROBE_ROUND_TRIP
        } else {
            LOOK_EVERY
        }
    }
}

/// Waits `delay` with the runtime's `sleep`, in slices, looking at the client between them
/// ([`Lookout::next_look`]): `false` when it left first, and the wait is cut there.
pub async fn wait_looking<F: Future>(
    delay: Duration,
    sleep: impl Fn(Duration) -> F,
    lookout: &mut Lookout,
) -> bool {
    let end = Instant::now() + delay;
    loop {
        let left = end.saturating_duration_since(Instant::now());
        let slice = left.min(lookout.next_look());
        sleep(slice).await;
        if slice == left {
            return true;
        }
        if lookout.gone() {
            return false;
        }
    }
}

/// A connection's transport for hyper, which tells a [`Lookout`] when all that hyper wrote has
/// gone to the socket: hyper keeps what the socket did not take in a buffer of its own, and a
/// probe sent meanwhile would land inside an answer.
#[derive(Debug)]
pub struct Quiet<T> {
    io: T,
    fd: RawFd,
    flushed: Arc<AtomicBool>,
}

impl<T> Quiet<T> {
    /// `io` is the transport of the socket `fd`.
    pub fn new(io: T, fd: RawFd) -> Quiet<T> {
        Quiet {
            io,
            fd,
            flushed: Arc::new(AtomicBool::new(true)),
        }
    }

    /// The connection's peer, for the requests that hyper hands the server.
    pub fn peer(&self) -> Peer {
        Peer {
            fd: self.fd,
            flushed: self.flushed.clone(),
        }
    }
}

/// The peer of a connection that hyper serves through [`Quiet`]: the client whose requests'
/// [`Lookout`]s look whether it left.
#[derive(Debug, Clone)]
pub struct Peer {
    fd: RawFd,
    flushed: Arc<AtomicBool>,
}

impl Peer {
    /// The lookout of a request on this connection, valid while hyper serves the connection
    /// (hyper drops the request's service future before it closes the socket).
    pub fn lookout(&self, http11: bool) -> Lookout {
        Lookout {
            quiet: Some(self.flushed.clone()),
            ..Lookout::new(self.fd, http11)
        }
    }
}

impl<T: hyper::rt::Read + Unpin> hyper::rt::Read for Quiet<T> {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl<T: hyper::rt::Write + Unpin> hyper::rt::Write for Quiet<T> {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        self.flushed.store(false, Ordering::Release);
        std::pin::Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        self.flushed.store(false, Ordering::Release);
        std::pin::Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    /// hyper flushes its transport once its own buffer is empty: all it wrote is in the socket.
    fn poll_flush(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<std::io::Result<()>> {
        let flushed = std::pin::Pin::new(&mut self.io).poll_flush(cx);
        if let Poll::Ready(Ok(())) = flushed {
            self.flushed.store(true, Ordering::Release);
        }
        flushed
    }

    fn poll_shutdown(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.io).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read;
    use std::net::{Shutdown, TcpListener, TcpStream};
    use std::os::fd::AsRawFd;

    use super::*;

    /// A client's socket, and the server's end of it.
    fn connection() -> (TcpStream, TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let client = TcpStream::connect(listener.local_addr().expect("addr")).expect("connect");
        let (server, _) = listener.accept().expect("accept");
        (client, server)
    }

    #[test]
    fn a_half_closed_client_is_probed_and_waited_for() {
        let (mut client, server) = connection();
        client.shutdown(Shutdown::Write).expect("half-close");
        let mut lookout = Lookout::new(server.as_raw_fd(), true);
        assert!(lookout.wait(Duration::from_millis(300)), "the wait ran out");
        let mut probe = [0; 64];
        let n = client.read(&mut probe).expect("the probe");
        assert_eq!(&probe[..n], PROBE);
    }

    #[test]
    fn a_closed_client_ends_the_wait() {
        let (client, server) = connection();
        drop(client);
        let start = Instant::now();
        assert!(!Lookout::new(server.as_raw_fd(), true).wait(Duration::from_secs(20)));
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{:?}",
            start.elapsed()
        );
    }

    #[test]
    fn an_http_1_0_client_is_not_probed() {
        let (client, server) = connection();
        drop(client);
        // Its FIN may be a half-close, and it may not be sent a 1xx: the wait runs out.
        assert!(Lookout::new(server.as_raw_fd(), false).wait(Duration::from_millis(200)));
    }

    #[test]
    fn a_timer_wait_looks_between_its_slices() {
        let (client, server) = connection();
        drop(client);
        let mut lookout = Lookout::new(server.as_raw_fd(), true);
        let start = Instant::now();
        let sleep = |d: Duration| {
            std::thread::sleep(d);
            std::future::ready(())
        };
        let waited = wait_looking(Duration::from_secs(20), sleep, &mut lookout);
        let waited = std::pin::pin!(waited);
        let Poll::Ready(waited) = waited.poll(&mut Context::from_waker(std::task::Waker::noop()))
        else {
            panic!("a wait of ready sleeps is ready");
        };
        assert!(!waited);
        let elapsed = start.elapsed();
        assert!(
            elapsed >= LOOK_EVERY && elapsed < 5 * LOOK_EVERY,
            "{elapsed:?}"
        );
    }
}
