//! smol: every request spawned on a small executor, then all of them joined.
//!
//! Like the talk's JavaScript `$.when(...)` over one `$.getJSON` per zip code, or gevent's
//! `spawn` + `joinall`: start everything, then wait for everything. smol is a small runtime
//! (an executor, a reactor, timers) assembled from separate crates; its spawned tasks run on a
//! background executor thread while this thread waits in `block_on`.
//!
//! The HTTP client is hyper, driven on smol through `smol-hyper`, as smol's own examples do,
//! with futures-rustls for HTTPS and redirects followed by hand (set up in `http.rs`): it is
//! the same HTTP/1.1 code that reqwest uses, so the comparison with tokio is a comparison of
//! runtimes, not of HTTP parsers.
//!
//! Run with:
//! ```sh
//! cargo run -p fetch-smol
//! cargo run -p fetch-smol -- --workload jobs
//! ```
//!
//! Read it beside:
//! - `js/talks/async.html`, the talk's page, in a browser
//! - `js/talks/promises.mjs`, the same join in Node
//! - `docs/book/src/when.md`, its chapter of the book
//! - `smol` (<https://docs.rs/smol>), the runtime under it

mod http;

use std::process::ExitCode;
use std::sync::Arc;

use common::Run;
use fetchkit::timeit_async;
use smol::lock::Semaphore;

fn main() -> ExitCode {
    common::exit(fetch_all())
}

fn fetch_all() -> anyhow::Result<ExitCode> {
    let run = Run::from_cli()?;
    // ANCHOR: runtime
    // One client for the run, with the TLS roots every request shares.
    let client = http::client(&run)?;
    // Tasks cost little; --concurrency bounds the requests in flight, not the tasks.
    let limit = Arc::new(Semaphore::new(run.concurrency()));
    // ANCHOR_END: runtime

    // ANCHOR: work
    let mut report = run.report();
    // smol::block_on runs the future on this thread; the tasks run on smol's executor thread.
    smol::block_on(async {
        let mut tasks = Vec::new();
        for endpoint in run.endpoints() {
            let (client, limit, endpoint) = (client.clone(), limit.clone(), endpoint.clone());
            tasks.push(smol::spawn(async move {
                let _permit = limit.acquire().await;
                let (page, elapsed) = timeit_async(http::get(&client, &endpoint)).await;
                (endpoint, page, elapsed)
            }));
        }
        // `$.when(...)`: wait for every task, in the order they were started.
        for task in tasks {
            let (endpoint, page, elapsed) = task.await;
            report.record(&endpoint, page, elapsed);
        }
        Ok(report.finish())
    })
    // ANCHOR_END: work
}
