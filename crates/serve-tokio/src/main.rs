//! A server on tokio: hyper answers, and each connection is a task.
//!
//! The asyncio answer to the talk's closing question ("What about a web server?"): the accept
//! loop spawns a task per connection, hyper reads its requests, and a request's `ms` is a
//! `tokio::time::sleep`, a timer the runtime keeps while the task is parked (cut into slices of a
//! second, between which the wait looks whether its client left: `servekit::hangup`). Nothing
//! blocks: a worker thread per core (or `--threads`) polls whichever tasks their sockets and
//! timers woke.
//!
//! A connection costs a task (the future of hyper's connection state machine with its buffers)
//! and a registration in the runtime's poller, not a thread. hyper refuses bad requests itself:
//! garbage is a 400, a head over `MAX_HEAD` a 431, and a head not whole within
//! `--header-timeout` closes the connection.
//!
//! Run with:
//! ```sh
//! cargo run --release -p serve-tokio
//! curl 'http://127.0.0.1:8080/work?ms=50&size=1024'
//! ```
//!
//! Read it beside:
//! - `python/servers/serve_tornado.py`, the same server in Python
//! - `python/servers/serve_aiohttp.py`, the same server in Python
//! - `docs/book/src/servers.md`, its chapter of the book
//! - `tokio` (<https://docs.rs/tokio>), the runtime under it

use std::os::fd::AsRawFd;
use std::process::ExitCode;

use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;

use servekit::{Serve, stats};

fn main() -> ExitCode {
    common::exit(serve())
}

fn serve() -> anyhow::Result<ExitCode> {
    let serve = Serve::from_cli()?;
    // A worker thread per core unless --threads; asked for first, since tokio panics when the
    // OS refuses one.
    let workers = serve.workers();
    fetchkit::check_threads(workers)?;
    let listener = serve.listen()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_all()
        .build()?;
    runtime.block_on(accept(listener, serve))
}

async fn accept(listener: std::net::TcpListener, serve: Serve) -> anyhow::Result<ExitCode> {
    listener.set_nonblocking(true)?;
    let listener = TcpListener::from_std(listener)?;
    let http = serve.http1(TokioTimer::new());
    // ANCHOR: accept
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(e) => {
                // No descriptor left, say: the connection waits in the backlog meanwhile.
                stats().refused(&e);
                tokio::time::sleep(servekit::ACCEPT_PAUSE).await;
                continue;
            }
        };
        stats().accepted();
        let _ = stream.set_nodelay(true);
        let fd = stream.as_raw_fd();
        // A task for this connection; hyper reads its requests, and the database call of each
        // is a timer: the worker polls other tasks meanwhile.
        let (io, answer) = servekit::for_hyper(TokioIo::new(stream), fd, tokio::time::sleep);
        let connection = http.serve_connection(io, answer);
        tokio::spawn(async move {
            // A client that leaves, or sends a bad request, ends only its own connection.
            let _ = connection.await;
        });
    }
    // ANCHOR_END: accept
}
