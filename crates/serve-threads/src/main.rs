//! A server with a thread per connection: each one blocks in its own `read` and `sleep`.
//!
//! The question that ends the talk "Async Python" ("What about a web server? Does a yielding
//! approach work better than threading?"), answered the threading way: the accept loop spawns
//! an operating-system thread for every connection, and that thread serves it with plain
//! blocking code (`servekit::converse`: read a request head, `thread::sleep` for the
//! request's `ms`, write the answer, again) until the client leaves. The kernel's scheduler does
//! the switching.
//!
//! The price is the clients' to set, not the server's: a thread per connection, each with a
//! stack (std's 2 MiB of address space, of which only touched pages are resident), a kernel task
//! and a spawn the OS may refuse. A refused spawn closes that connection and is counted; the
//! server goes on. `--threads N` caps the connection threads at N at once (none by default): a
//! connection over the cap is closed and counted the same way.
//!
//! Run with:
//! ```sh
//! cargo run --release -p serve-threads
//! curl 'http://127.0.0.1:8080/work?ms=50&size=1024'
//! ```

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::{io, thread};

use servekit::{Serve, stats};

fn main() -> ExitCode {
    common::exit(serve())
}

fn serve() -> anyhow::Result<ExitCode> {
    let serve = Serve::from_cli()?;
    let listener = serve.listen()?;
    let header_timeout = serve.header_timeout();
    let cap = serve.threads().unwrap_or(usize::MAX);
    let live = Arc::new(AtomicUsize::new(0));
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
        if live.fetch_add(1, Ordering::Relaxed) >= cap {
            live.fetch_sub(1, Ordering::Relaxed);
            stats().refused(&io::Error::other("--threads connection threads are busy"));
            continue;
        }
        let _ = stream.set_nodelay(true);
        let done = Done(live.clone());
        // A thread for this connection, which it serves until the client leaves.
        let spawned = thread::Builder::new().spawn(move || {
            let _done = done;
            servekit::converse(stream, header_timeout);
        });
        // Refused (no memory for a stack, a thread limit): the stream is dropped with the
        // closure, which closes the connection.
        if let Err(e) = spawned {
            stats().refused(&e);
        }
    }
    // ANCHOR_END: accept
}

/// One connection thread fewer when dropped: when the thread ends, or when it never started.
struct Done(Arc<AtomicUsize>);

impl Drop for Done {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}
