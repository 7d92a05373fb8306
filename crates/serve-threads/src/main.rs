//! A server with a thread per connection: each one blocks in its own `read` and `sleep`.
//!
//! The question that ends the talk "Async Python" ("What about a web server? Does a yielding
//! approach work better than threading?"), answered the threading way: the accept loop spawns
//! an operating-system thread for every connection, and that thread serves it with plain
//! blocking code (`servekit::converse`: read a request head, sleep for the request's `ms` in
//! `poll(2)` on the socket, which wakes early if the client leaves, write the answer, again)
//! until the client leaves. The kernel's scheduler does the switching.
//!
//! The price is the clients' to set, not the server's: a thread per connection, each with a
//! stack (std's 2 MiB of address space, of which only touched pages are resident), four memory
//! mappings, a kernel task and a spawn the OS may refuse. So the threads are counted: at most as
//! many as the machine allows (a quarter of `vm.max_map_count`, for the mappings; printed at start-up),
//! or `--threads N`. Past that, a new connection takes the thread of the connection idle longest
//! (closed, and counted in `/stats` as `closed_idle`), or is refused when every thread is
//! serving a request (counted as `refused`). A refused spawn is counted the same way; the server
//! goes on.
//!
//! Run with:
//! ```sh
//! cargo run --release -p serve-threads
//! curl 'http://127.0.0.1:8080/work?ms=50&size=1024'
//! ```
//!
//! Read it beside:
//! - `python/servers/serve_threads.py`, the same server in Python
//! - `docs/book/src/servers.md`, its chapter of the book
//! - `std::thread`, the operating system's own blocking calls under it

use std::process::ExitCode;
use std::thread;

use servekit::{ConnectionThreads, Serve, stats};

fn main() -> ExitCode {
    common::exit(serve())
}

fn serve() -> anyhow::Result<ExitCode> {
    let serve = Serve::from_cli()?;
    let listener = serve.listen()?;
    let header_timeout = serve.header_timeout();
    // As many threads as the machine allows (or --threads): past them, a new connection takes
    // the thread of the one idle longest, or is refused. Never a spawn the OS cannot honour.
    let threads = ConnectionThreads::new(serve.thread_limit());
    // ANCHOR: accept
    loop {
        let stream = match listener.accept() {
            Ok((stream, _)) => stream,
            Err(e) => {
                // No descriptor left, say: the connection waits in the backlog meanwhile.
                stats().refused(&e);
                thread::sleep(servekit::ACCEPT_PAUSE);
                continue;
            }
        };
        stats().accepted();
        let _ = stream.set_nodelay(true);
        let Some(connection) = threads.admit(stream) else {
            continue;
        };
        // A thread for this connection, which it serves until the client leaves.
        let spawned = thread::Builder::new().spawn(move || {
            servekit::converse(connection, header_timeout);
        });
        // Refused (no memory for a stack, a thread limit): the connection is dropped with the
        // closure, which closes it and gives its place back.
        if let Err(e) = spawned {
            stats().refused(&e);
        }
    }
    // ANCHOR_END: accept
}
