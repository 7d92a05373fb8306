//! Green threads: blocking code on coroutines that yield to one hub.
//!
//! The talk's gevent and eventlet programs: `urls` mapped to `gevent.spawn(fetch, url)` (or
//! eventlet's `GreenPool(size).spawn`), then `gevent.joinall`. `fetch` is plain blocking code,
//! as the synchronous program's was; the difference is underneath, where every socket wait
//! switches to the hub, and the hub switches to whichever green thread can go on.
//!
//! Stackful coroutines from `corosensei`, on one hub thread (`crates/green`, shared with
//! serve-green), as gevent has one hub per thread; docs/MODELS.md ("Choices") says why not `may`.
//!
//! The caveats are green threads' own:
//! - each one has a fixed stack (`green::STACK`, 256 KiB of address space; pages count in memory
//!   only once touched); overflowing it hits the guard page and ends the process;
//! - a call that blocks without going through the hub (`std::thread::sleep`, a std socket, a
//!   library's own blocking I/O) stalls every green thread, not just its own (tested in
//!   the `green` crate);
//! - one hub is one core: the requests overlap their waiting, never their computing.
//!
//! Run with:
//! ```sh
//! cargo run -p fetch-green
//! cargo run -p fetch-green -- --workload jobs
//! ```
//!
//! Read it beside:
//! - `python/talks/evntlt.py`, the talk's program in Python
//! - `python/talks/gevnt.py`, the talk's program in Python
//! - `docs/book/src/eventlet.md`, its chapter of the book
//! - `docs/book/src/gevent.md`, its chapter of the book
//! - `crates/green/src/hub.rs`, the runtime under it, the workspace's own

mod http;

use std::process::ExitCode;
use std::rc::Rc;

use common::Run;
use fetchkit::{Elapsed, FetchError, timeit};
use green::Hub;

fn main() -> ExitCode {
    common::exit(fetch_all())
}

fn fetch_all() -> anyhow::Result<ExitCode> {
    let run = Run::from_cli()?;
    // ANCHOR: runtime
    // One client for the run, with the TLS roots every request shares.
    let client = Rc::new(h1::Client::new(run.tls_config()?, run.timeout()));
    // eventlet's GreenPool(size): --concurrency green threads at once, the rest wait their turn.
    let mut hub = Hub::new(run.concurrency())?;
    // ANCHOR_END: runtime

    // ANCHOR: work
    let mut report = run.report();
    for endpoint in run.endpoints() {
        let (client, endpoint) = (client.clone(), endpoint.clone());
        // gevent.spawn(fetch, url): blocking code, which yields to the hub whenever it waits.
        hub.spawn(move |io| timeit(|| http::get(io, &client, &endpoint)));
    }
    // gevent.joinall: run the hub until every green thread has returned (a green thread whose
    // stack could not be mapped never ran: its endpoint's error row).
    for (endpoint, joined) in run.endpoints().iter().zip(hub.join_all()?) {
        let (page, elapsed) =
            joined.unwrap_or_else(|no_stack| (Err(FetchError::from(no_stack)), Elapsed::none()));
        report.record(endpoint, page, elapsed);
    }
    Ok(report.finish())
    // ANCHOR_END: work
}
