//! A server on io_uring: compio's runtime, a task per connection, and the kernel told what to do
//! instead of asked what is ready.
//!
//! Every other server waits for readiness (epoll: "which sockets can be read?") and then makes a
//! system call per read and per write. Here each accept, read and write is an operation handed
//! to the kernel on io_uring's submission queue, and its result comes back on the completion
//! queue: Twisted's proactor (its IOCP reactor on Windows), the Linux way. That moves a buffer's
//! ownership: the kernel fills or drains it after the call has returned, so the program gives it
//! up until the completion arrives, and compio's `BufResult` hands it back with the result.
//!
//! A waiting connection pins no receive buffer: its read names a group instead of a buffer, the
//! kernel's provided-buffer ring (one per thread: `RING` buffers of `RING_BUFFER` bytes), from
//! which the kernel picks one only when data arrives; the buffer goes back to the ring once the
//! head is parsed. Connections arrive through one multishot accept. Reads are single-shot, though
//! io_uring has a multishot receive: that one keeps taking buffers from the shared ring while
//! its connection's answer waits, so a client pipelining without reading would empty the ring
//! for every connection; a single-shot read is asked for once the last answer is written
//! (backpressure). A request's `ms` is compio's timer, in slices between which the wait looks
//! whether its client left (`servekit::hangup`), as in serve-tokio.
//!
//! compio runs a runtime (and a ring) per thread: `--threads N` of them (one by default, as one
//! serve-reactor loop), each accepting from the same socket. Where io_uring is not available (an
//! old kernel, `sysctl kernel.io_uring_disabled`, a container's seccomp profile) the server
//! stops at start-up with exit code 2, saying so.
//!
//! Run with:
//! ```sh
//! cargo run --release -p serve-compio
//! curl 'http://127.0.0.1:8080/work?ms=50&size=1024'
//! ```
//!
//! Read it beside:
//! - `docs/book/src/servers.md`, its chapter of the book
//! - `docs/book/src/completion.md`, its chapter of the book
//! - `compio` (<https://docs.rs/compio>), the runtime under it

use std::io;
use std::os::fd::AsRawFd;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use bytes::Bytes;
use compio::BufResult;
use compio::io::{AsyncRead, AsyncReadManaged, AsyncWriteExt};
use compio::net::{TcpListener, TcpStream};
use futures_lite::StreamExt;

use servekit::{Lookout, Persist, Rejected, Request, Route, Serve, stats};

/// The buffers of a thread's ring, and their size: what the kernel reads into, 4 MiB shared by
/// every connection of the thread. A request head is usually one buffer; a bigger one is read in
/// several. With 256 buffers, 10,000 connections took them all at every burst of requests.
const RING: u16 = 4096;
const RING_BUFFER: usize = 1024;

fn main() -> ExitCode {
    common::exit(serve())
}

fn serve() -> anyhow::Result<ExitCode> {
    let serve = Serve::from_cli()?;
    // Tried first, so that a machine without io_uring hears why, with exit code 2.
    drop(common::io_uring_runtime(RING, RING_BUFFER)?);
    let listener = serve.listen()?;
    let header_timeout = serve.header_timeout();
    // A runtime per thread (--threads), each accepting from the same socket.
    serve.on_each_thread(listener, move |listener| {
        let runtime = common::io_uring_runtime(RING, RING_BUFFER).map_err(io::Error::other)?;
        runtime.block_on(accept(listener, header_timeout))
    })?;
    Ok(ExitCode::SUCCESS)
}

// ANCHOR: accept
async fn accept(listener: std::net::TcpListener, header_timeout: Duration) -> io::Result<()> {
    let listener = TcpListener::from_std(listener)?;
    // One multishot accept: every connection that arrives is a completion of the same operation.
    let mut incoming = listener.incoming();
    while let Some(accepted) = incoming.next().await {
        let stream = match accepted {
            Ok(stream) => stream,
            Err(e) => {
                // No descriptor left, say: the connection waits in the backlog meanwhile.
                stats().refused(&e);
                compio::time::sleep(servekit::ACCEPT_PAUSE).await;
                continue;
            }
        };
        stats().accepted();
        let _ = stream.set_nodelay(true);
        // A task for this connection, on this thread's runtime.
        compio::runtime::spawn(converse(stream, header_timeout)).detach();
    }
    Ok(())
}
// ANCHOR_END: accept

// ANCHOR: converse
/// Serves one connection, request after request, until the client closes it, asks to close it,
/// sends a bad request, or keeps its next head waiting longer than `header_timeout`.
async fn converse(mut stream: TcpStream, header_timeout: Duration) {
    // What a read brought past the request it completed (pipelining): usually nothing.
    let mut rest = Vec::new();
    loop {
        let request = match next_request(&mut stream, &mut rest, header_timeout).await {
            Ok(Some(request)) => request,
            Ok(None) => return,
            Err(Rejected { status }) => {
                let mut head = Vec::new();
                servekit::write_head(&mut head, status, 0, Persist::Close);
                let _ = stream.write_all(head).await;
                return;
            }
        };
        let Request {
            route,
            persist,
            head: head_only,
            http11,
            ..
        } = request;
        let (status, body) = match route {
            Route::Work { delay, body } => {
                let mut client = Lookout::new(stream.as_raw_fd(), http11);
                if !servekit::wait_looking(delay, compio::time::sleep, &mut client).await {
                    return;
                }
                (200, Bytes::from_static(body))
            }
            Route::Now { status, body } => (status, Bytes::from(body)),
        };
        let mut head = Vec::with_capacity(128);
        servekit::write_head(&mut head, status, body.len(), persist);
        let body = if head_only { Bytes::new() } else { body };
        // Head and body go to the kernel as one write, and are its until the write completes.
        let BufResult(written, _) = stream.write_vectored_all((head, (body,))).await;
        if written.is_err() || persist == Persist::Close {
            return;
        }
    }
}

/// Reads until a whole request head is at hand; `Ok(None)` when the connection closed, or the
/// head did not arrive within `header_timeout`.
async fn next_request(
    stream: &mut TcpStream,
    rest: &mut Vec<u8>,
    header_timeout: Duration,
) -> Result<Option<Request>, Rejected> {
    let deadline = Instant::now() + header_timeout;
    loop {
        if let Some(request) = servekit::parse_request(rest)? {
            rest.drain(..request.len);
            return Ok(Some(request));
        }
        // The read names no buffer: the kernel takes one from the ring when data arrives.
        let read = compio::time::timeout_at(deadline, stream.read_managed(0)).await;
        match read {
            Err(_) => {
                stats().timed_out();
                return Ok(None);
            }
            Ok(Ok(Some(buffer))) => {
                // The usual case, a read that is one request: parsed where the kernel put it.
                if rest.is_empty()
                    && let Some(request) = servekit::parse_request(&buffer)?
                {
                    rest.extend_from_slice(&buffer[request.len..]);
                    return Ok(Some(request));
                }
                rest.extend_from_slice(&buffer);
                // The buffer goes back to the ring here, when it is dropped.
            }
            Ok(Ok(None)) => return Ok(None),
            // Every buffer of the ring is taken (a burst of arrivals bigger than the ring): the
            // bytes are there already, so a read into a buffer of this connection's own
            // completes at once, and the buffer is freed with it.
            Ok(Err(e)) if e.kind() == io::ErrorKind::ResourceBusy => {
                let BufResult(read, buffer) = stream.read(Vec::with_capacity(RING_BUFFER)).await;
                match read {
                    Ok(0) | Err(_) => return Ok(None),
                    Ok(_) => rest.extend_from_slice(&buffer),
                }
            }
            Ok(Err(_)) => return Ok(None),
        }
    }
}
// ANCHOR_END: converse
