//! async-std + surf: one task per endpoint, then all of them joined.
//!
//! The same shape as fetch-smol, on the runtime that was built from smol's parts (its executor
//! and reactor are async-executor and async-io) with `std`'s names: `task::spawn`,
//! `task::block_on`. It stands for the callback-era event loops of the talk "Async Python"
//! (Twisted, Tornado): a runtime and an HTTP client, surf, built for each other.
//!
//! Both are no longer maintained (docs/MODELS.md says what the advisories say and why they stay):
//! new code should use fetch-smol's or fetch-tokio's stack. surf runs here over a backend of this
//! model's own (async-h1 over its own connections, in `http.rs`), which mends what its stock
//! backend gets wrong (docs/MODELS.md, "async-std and surf").
//!
//! Run with:
//! ```sh
//! cargo run -p fetch-async-std
//! cargo run -p fetch-async-std -- --workload jobs
//! ```
//!
//! Read it beside:
//! - `python/talks/torn2.py`, the talk's program in Python
//! - `docs/book/src/tornado.md`, its chapter of the book
//! - `async-std` (<https://docs.rs/async-std>), the runtime under it

mod http;

use std::process::ExitCode;
use std::sync::Arc;

use async_lock::Semaphore;
use async_std::task;
use common::Run;
use fetchkit::timeit_async;

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
    // task::block_on runs the future on this thread; the tasks run on async-std's executor.
    task::block_on(async {
        let mut tasks = Vec::new();
        for endpoint in run.endpoints() {
            let (client, limit, endpoint) = (client.clone(), limit.clone(), endpoint.clone());
            tasks.push(task::spawn(async move {
                let _permit = limit.acquire().await;
                let (page, elapsed) = timeit_async(http::get(&client, &endpoint)).await;
                (endpoint, page, elapsed)
            }));
        }
        // Wait for every task, in the order they were started.
        for task in tasks {
            let (endpoint, page, elapsed) = task.await;
            report.record(&endpoint, page, elapsed);
        }
        Ok(report.finish())
    })
    // ANCHOR_END: work
}
