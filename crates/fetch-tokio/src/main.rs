//! tokio: one task per endpoint on an event loop, results taken as they complete.
//!
//! The asyncio + aiohttp row of the talks (`async.py`: `asyncio.as_completed` over one coroutine
//! per zip code). A task is a future, a few hundred bytes, not a thread: while one waits on its
//! socket the runtime polls the others, so every request waits at once and the run takes about
//! as long as the slowest. `reqwest` is the HTTP client, the aiohttp of tokio.
//!
//! Run with:
//! ```sh
//! cargo run -p fetch-tokio
//! cargo run -p fetch-tokio -- --workload jobs
//! ```

use std::process::ExitCode;
use std::sync::Arc;

use bytes::Bytes;
use common::{Endpoint, FetchError, Page, Run};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

fn main() -> anyhow::Result<ExitCode> {
    let run = Run::from_cli()?;
    // The event loop, asyncio's `get_event_loop()`: a worker thread per core unless --threads.
    let mut runtime = tokio::runtime::Builder::new_multi_thread();
    if let Some(threads) = run.threads() {
        runtime.worker_threads(threads);
    }
    let runtime = runtime.enable_all().build()?;
    // `loop.run_until_complete(...)`: this thread blocks until every request is done.
    runtime.block_on(fetch_all(&run))
}

async fn fetch_all(run: &Run) -> anyhow::Result<ExitCode> {
    // One client for the run: it owns the connection pool, and reqwest's docs warn against one
    // per request. Cloning it only clones a handle. It follows redirects and speaks HTTPS,
    // trusting the public roots (and --ca-cert).
    let client = reqwest::Client::builder()
        .timeout(run.timeout())
        .redirect(reqwest::redirect::Policy::limited(common::MAX_REDIRECTS))
        .tls_backend_preconfigured(run.tls_config()?)
        .build()?;
    // Tasks cost almost nothing; --concurrency bounds the requests, not the tasks.
    let limit = Arc::new(Semaphore::new(run.concurrency()));

    let mut report = run.report();
    let mut tasks = JoinSet::new();
    for endpoint in run.endpoints() {
        let (client, limit, endpoint) = (client.clone(), limit.clone(), endpoint.clone());
        tasks.spawn(async move {
            let _permit = limit.acquire_owned().await;
            let (page, elapsed) = common::timed(get(&client, &endpoint)).await;
            (endpoint, page, elapsed)
        });
    }
    // `asyncio.as_completed`: each result as soon as its task ends, whatever the order.
    while let Some(done) = tasks.join_next().await {
        let (endpoint, page, elapsed) = done?;
        report.record(&endpoint, page, elapsed);
    }
    Ok(report.finish())
}

async fn get(client: &reqwest::Client, endpoint: &Endpoint) -> Result<Page<Bytes>, FetchError> {
    // `.await` is the talk's `yield from`: the task is shelved here until the socket is ready.
    let response = client.get(endpoint.url()).send().await?;
    common::check_status(response.status().as_u16())?;
    let url = response.url().to_string();
    let body = response.bytes().await.map_err(FetchError::in_body)?;
    Ok(Page::new(url, body))
}
