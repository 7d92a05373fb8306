//! tokio: one task per endpoint on an event loop, results taken as they complete.
//!
//! The asyncio + aiohttp row of the talks (`async.py`: `asyncio.as_completed` over one coroutine
//! per zip code). A task is a future, not a thread: a few KiB of heap with its request's buffers
//! (docs/MODELS.md, "What each one costs", has the run's figures). While one waits on its socket
//! the runtime polls the others, so every request waits at once and the run takes about as long
//! as the slowest. `reqwest` is the HTTP client, the aiohttp of tokio (set up in `http.rs`).
//!
//! Run with:
//! ```sh
//! cargo run -p fetch-tokio
//! cargo run -p fetch-tokio -- --workload jobs
//! ```
//!
//! Read it beside:
//! - `python/talks/async.py`, the talk's program in Python
//! - `docs/book/src/asyncio.md`, its chapter of the book
//! - `tokio` (<https://docs.rs/tokio>), the runtime under it

mod http;

use std::process::ExitCode;
use std::sync::Arc;

use common::Run;
use fetchkit::timeit_async;
use tokio::sync::Semaphore;

fn main() -> ExitCode {
    common::exit(fetch_all())
}

fn fetch_all() -> anyhow::Result<ExitCode> {
    let run = Run::from_cli()?;
    // ANCHOR: runtime
    // One client for the run: it owns the connection pool.
    let client = http::client(&run)?;
    // The event loop, asyncio's `get_event_loop()`: a worker thread per core unless --threads.
    // tokio starts them while the runtime is built, and panics (then waits forever) where the
    // OS refuses one: ask for them first, to stop with a clear error instead.
    let workers = run.threads().unwrap_or_else(common::cores);
    fetchkit::check_threads(workers)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_all()
        .build()?;
    // Tasks cost little; --concurrency bounds the requests in flight, not the tasks.
    let limit = Arc::new(Semaphore::new(run.concurrency()));
    // ANCHOR_END: runtime

    // ANCHOR: work
    let mut report = run.report();
    // `loop.run_until_complete(...)`: this thread blocks until every request is done.
    runtime.block_on(async {
        let mut tasks = tokio::task::JoinSet::new();
        for endpoint in run.endpoints() {
            let (client, limit, endpoint) = (client.clone(), limit.clone(), endpoint.clone());
            tasks.spawn(async move {
                let _permit = limit.acquire().await;
                let (page, elapsed) = timeit_async(http::get(&client, &endpoint)).await;
                (endpoint, page, elapsed)
            });
        }
        // `asyncio.as_completed`: each result as soon as its task ends, whatever the order.
        while let Some(done) = tasks.join_next().await {
            let (endpoint, page, elapsed) = done?;
            report.record(&endpoint, page, elapsed);
        }
        Ok(report.finish())
    })
    // ANCHOR_END: work
}
