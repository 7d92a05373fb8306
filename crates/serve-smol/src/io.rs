//! hyper's transport on a smol socket, reading straight into hyper's buffer.
//!
//! smol-hyper's `FuturesIo` adapts any `futures_io::AsyncRead`, whose `poll_read` takes an
//! initialised `&mut [u8]`; hyper hands an uninitialised buffer, so the adapter writes zeros over
//! all of it (8 KiB here) on every poll, a `Pending` one included (smol-hyper 0.1.1,
//! `src/rt/futures.rs`, `poll_read`). That memset was 4.4% of serve-smol's CPU samples under
//! wrk at C = 5,000 (`perf record`; docs/experiments/smol-glue/README.md, "serve-smol's glue,
//! traced").
//! A TCP socket can read into uninitialised memory (`recv` writes, never reads, its buffer), so
//! this transport does, and waits on async-io's readiness in between as `Async` itself does.

use std::io::{self, IoSlice, Write};
use std::net::{Shutdown, TcpStream};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use smol::Async;
use socket2::SockRef;

/// A smol socket as hyper's transport.
#[derive(Debug)]
pub struct Io(Arc<Async<TcpStream>>);

impl From<smol::net::TcpStream> for Io {
    fn from(stream: smol::net::TcpStream) -> Io {
        Io(stream.into())
    }
}

impl Io {
    /// Retries `op` on the socket until it does not block, waiting for async-io's readiness
    /// (`writable` or not) in between.
    fn poll_with<T>(
        &self,
        cx: &mut Context<'_>,
        writable: bool,
        mut op: impl FnMut(&TcpStream) -> io::Result<T>,
    ) -> Poll<io::Result<T>> {
        loop {
            match op(self.0.get_ref()) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                done => return Poll::Ready(done),
            }
            if writable {
                ready!(self.0.poll_writable(cx))?;
            } else {
                ready!(self.0.poll_readable(cx))?;
            }
        }
    }
}

impl hyper::rt::Read for Io {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        mut buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        // SAFETY: `recv` only writes to the unfilled part it is given, and only the `read`
        // bytes it wrote are then marked filled (`advance`).
        let read = ready!(self.poll_with(cx, false, |socket| {
            SockRef::from(socket).recv(unsafe { buf.as_mut() })
        }))?;
        // SAFETY: as above: these `read` bytes were written by `recv`.
        unsafe { buf.advance(read) };
        Poll::Ready(Ok(()))
    }
}

impl hyper::rt::Write for Io {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.poll_with(cx, true, |mut socket| socket.write(buf))
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.poll_with(cx, true, |mut socket| socket.write_vectored(bufs))
    }

    fn is_write_vectored(&self) -> bool {
        true
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(self.0.get_ref().shutdown(Shutdown::Write))
    }
}
