//! Synchronous: one request after another, each waiting for the last to finish.
//!
//! The baseline of both talks: `sync.py` fetched the six home pages in a loop with `requests`,
//! and `block.py` summed the jobs of 100 zip codes the same way. Each request blocks the one
//! thread until its answer arrives, so the run takes the sum of all the request times.
//!
//! Run with:
//! ```sh
//! cargo run -p fetch-sync
//! cargo run -p fetch-sync -- --workload jobs
//! ```
//!
//! Read it beside:
//! - `python/talks/sync.py`, the talk's program in Python
//! - `python/talks/block.py`, the talk's program in Python
//! - `docs/book/src/sync.md`, its chapter of the book
//! - `docs/book/src/blocking.md`, its chapter of the book
//! - `std::net`, the operating system's own blocking calls under it

use std::process::ExitCode;

use common::Run;
use common::blocking as http;
use fetchkit::timeit;

fn main() -> ExitCode {
    common::exit(fetch_all())
}

fn fetch_all() -> anyhow::Result<ExitCode> {
    let run = Run::from_cli()?;
    // ANCHOR: runtime
    // One ureq agent for the whole run: it keeps the connection to a host open from one request
    // to the next.
    let client = http::client(&run);
    // No limit to set: one request at a time is already the tightest.
    // ANCHOR_END: runtime

    // ANCHOR: work
    let mut report = run.report();
    for endpoint in run.endpoints() {
        // The thread waits here, doing nothing, for every request in turn.
        let (page, elapsed) = timeit(|| http::get(&client, endpoint));
        report.record(endpoint, page, elapsed);
    }
    Ok(report.finish())
    // ANCHOR_END: work
}
