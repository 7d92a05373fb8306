//! compio: every request a task on one io_uring runtime, then all of them joined.
//!
//! The shape of fetch-smol (`$.when(...)` over one task per request), on completions instead of
//! readiness: the runtime queues each connect, write and read on io_uring's submission queue
//! and wakes a task when its operation's completion comes back, with no `epoll_wait` and no
//! `EAGAIN` in between. The buffers travel with the operations: a write gives its bytes to the
//! kernel and gets them back with the result, and a read names the kernel's ring of provided
//! buffers instead of a buffer of its own, so a request that waits for its answer holds none.
//!
//! No HTTP client runs on compio's owned buffers, so the request is written and the answer
//! read with the `h1` parser that fetch-reactor and fetch-green use, and HTTPS is rustls driven
//! by hand (`http.rs`): both are sans-IO, bytes in and bytes out, which is what a completion
//! API wants. One runtime is one thread, as one asyncio loop is.
//!
//! Where io_uring is not available (an old kernel, `sysctl kernel.io_uring_disabled`, a
//! container's seccomp profile), it stops at start-up with exit code 2, saying so.
//!
//! Run with:
//! ```sh
//! cargo run -p fetch-compio
//! cargo run -p fetch-compio -- --workload jobs
//! ```
//!
//! Read it beside:
//! - `docs/book/src/completion.md`, its chapter of the book
//! - `compio` (<https://docs.rs/compio>), the runtime under it

mod http;

use std::process::ExitCode;
use std::sync::Arc;

use async_lock::Semaphore;
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
    // The runtime and its ring, set up first: a machine without io_uring hears why.
    let runtime = common::io_uring_runtime(http::RING, http::RING_BUFFER)?;
    // ANCHOR_END: runtime

    // ANCHOR: work
    let mut report = run.report();
    // block_on drives the ring on this thread; the tasks run here too, between completions.
    runtime.block_on(async {
        let mut tasks = Vec::new();
        for endpoint in run.endpoints() {
            let (client, limit, endpoint) = (client.clone(), limit.clone(), endpoint.clone());
            tasks.push(compio::runtime::spawn(async move {
                let _permit = limit.acquire().await;
                let (page, elapsed) = timeit_async(http::get(&client, &endpoint)).await;
                (endpoint, page, elapsed)
            }));
        }
        // `$.when(...)`: wait for every task, in the order they were started.
        for task in tasks {
            let done = task.await.map_err(http::ended);
            let (endpoint, page, elapsed) = done?;
            report.record(&endpoint, page, elapsed);
        }
        Ok(report.finish())
    })
    // ANCHOR_END: work
}
