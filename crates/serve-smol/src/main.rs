//! A server on smol: hyper answers, driven through `smol-hyper`, and each connection is a task.
//!
//! The same server as serve-tokio on another runtime, as fetch-smol is fetch-tokio's twin: the
//! accept loop spawns a task per connection on a `smol::Executor`, hyper reads its requests, and
//! a request's `ms` is a `smol::Timer` (in slices, looking for a client that left, as there).
//! smol assembles the runtime from parts, so the program does what tokio's builder does for it:
//! it starts the executor's threads (one per core, or `--threads`) itself, each running
//! `executor.run(...)`, with the accept loop on this one.
//!
//! A connection costs a task and a registration in async-io's poller, not a thread; hyper
//! refuses bad requests as in serve-tokio. hyper reads through `io::Io`, straight into its own
//! buffer: smol-hyper's adapter writes zeros over that buffer on every poll (see io.rs).
//!
//! Run with:
//! ```sh
//! cargo run --release -p serve-smol
//! curl 'http://127.0.0.1:8080/work?ms=50&size=1024'
//! ```
//!
//! Read it beside:
//! - `docs/book/src/servers.md`, its chapter of the book
//! - `smol` (<https://docs.rs/smol>), the runtime under it

mod io;

use std::os::fd::AsRawFd;
use std::process::ExitCode;
use std::sync::Arc;

use smol::net::TcpListener;
use smol::{Executor, Timer, future};
use smol_hyper::rt::SmolTimer;

use servekit::{Serve, stats};

fn main() -> ExitCode {
    common::exit(serve())
}

fn serve() -> anyhow::Result<ExitCode> {
    let serve = Serve::from_cli()?;
    // The executor's threads and async-io's driver thread, asked for first: async-io panics
    // when the OS refuses its thread.
    let workers = serve.workers();
    fetchkit::check_threads(workers + 1)?;
    let listener = serve.listen()?;
    let executor = Arc::new(Executor::new());
    for _ in 1..workers {
        let executor = executor.clone();
        std::thread::Builder::new()
            .name("smol-worker".into())
            .spawn(move || smol::block_on(executor.run(future::pending::<()>())))?;
    }
    let accepting = accept(executor.clone(), listener, serve);
    smol::block_on(executor.run(accepting))
}

async fn accept(
    executor: Arc<Executor<'static>>,
    listener: std::net::TcpListener,
    serve: Serve,
) -> anyhow::Result<ExitCode> {
    let listener = TcpListener::try_from(listener)?;
    let http = serve.http1(SmolTimer::new());
    // ANCHOR: accept
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(e) => {
                // No descriptor left, say: the connection waits in the backlog meanwhile.
                stats().refused(&e);
                Timer::after(servekit::ACCEPT_PAUSE).await;
                continue;
            }
        };
        stats().accepted();
        let _ = stream.set_nodelay(true);
        let fd = stream.as_raw_fd();
        // A task for this connection; hyper reads its requests, and the database call of each
        // is a timer: the executor runs other tasks meanwhile.
        let (io, answer) = servekit::for_hyper(io::Io::from(stream), fd, Timer::after);
        let connection = http.serve_connection(io, answer);
        executor
            .spawn(async move {
                // A client that leaves, or sends a bad request, ends only its own connection.
                let _ = connection.await;
            })
            .detach();
    }
    // ANCHOR_END: accept
}
