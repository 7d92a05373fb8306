//! A reactor: the program is callbacks, and an event loop calls them.
//!
//! The talk's Twisted program: one `getPage(url)` per site, each returning a Deferred, a
//! callback on each that prints the page's size and time, a `DeferredList` over all of them whose
//! callback stops the reactor, and `reactor.run()`. Nothing here waits: a function starts an
//! operation and returns at once, and the rest of the work is a callback that the reactor calls
//! when a socket or a timer is ready ("you don't write Python, you write Twisted").
//!
//! The reactor (`crates/reactor`, shared with serve-reactor) is a small one on mio: a poller, a
//! table of connections, a timer heap, and the `Protocol` and `Deferred` of Twisted. It is what
//! tokio and smol do for you under `async`/`await`. HTTP (`http.rs`) is a protocol that feeds the `h1`
//! parser, with rustls as a protocol wrapped around it for HTTPS. Each connection keeps only its
//! parse state; the one read buffer belongs to the reactor.
//!
//! Run with:
//! ```sh
//! cargo run -p fetch-reactor
//! cargo run -p fetch-reactor -- --workload jobs
//! ```
//!
//! Read it beside:
//! - `python/talks/twis.py`, the talk's program in Python
//! - `docs/book/src/twisted.md`, its chapter of the book
//! - `crates/reactor/src/reactor.rs`, the runtime under it, the workspace's own

mod http;

use std::cell::RefCell;
use std::process::ExitCode;

use common::Run;
use fetchkit::Stopwatch;
use reactor::{DeferredList, DeferredSemaphore, Reactor};

fn main() -> ExitCode {
    common::exit(fetch_all())
}

fn fetch_all() -> anyhow::Result<ExitCode> {
    let run = Run::from_cli()?;
    // ANCHOR: runtime
    // One client for the run, with the TLS roots every request shares.
    let client = h1::Client::new(run.tls_config()?, run.timeout());
    // ANCHOR_END: runtime

    // ANCHOR: work
    let report = RefCell::new(run.report());
    {
        let reactor = Reactor::new()?;
        // Twisted's DeferredSemaphore: --concurrency requests at a time, the rest wait their turn.
        let limit = DeferredSemaphore::new(run.concurrency());
        // Set up the callbacks: nothing is fetched until the reactor runs.
        let mut pages = Vec::new();
        for endpoint in run.endpoints() {
            let (reactor, client, report) = (reactor.clone(), &client, &report);
            pages.push(limit.run(move || {
                let watch = Stopwatch::start();
                http::get_page(&reactor, client, endpoint).add_both(move |page| {
                    report.borrow_mut().record(endpoint, page, watch.elapsed());
                    Ok(())
                })
            }));
        }
        // A DeferredList over every page: when the last one is in, stop the reactor.
        let stop = reactor.clone();
        DeferredList::of(pages).add_callback(move |_| {
            stop.stop();
            Ok(())
        });
        reactor.run()?;
    }
    Ok(report.into_inner().finish())
    // ANCHOR_END: work
}
