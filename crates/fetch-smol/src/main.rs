//! smol: every request spawned on a small executor, then all of them joined.
//!
//! Like the talk's JavaScript `$.when(...)` over one `$.getJSON` per zip code, or gevent's
//! `spawn` + `joinall`: start everything, then wait for everything. smol is a small runtime
//! (an executor, a reactor, timers) assembled from separate crates; its spawned tasks run on a
//! background executor thread while this thread waits in `block_on`.
//!
//! The HTTP client is hyper, driven on smol through `smol-hyper`, as smol's own examples do,
//! with futures-rustls for HTTPS and redirects followed by hand (see `http.rs`): it is the same
//! HTTP/1.1 code that reqwest uses, so the comparison with tokio is a comparison of runtimes,
//! not of HTTP parsers.
//!
//! Run with:
//! ```sh
//! cargo run -p fetch-smol
//! cargo run -p fetch-smol -- --workload jobs
//! ```

mod http;

use std::process::ExitCode;
use std::sync::Arc;

use common::FetchError;
use smol::Timer;
use smol::lock::Semaphore;

fn main() -> anyhow::Result<ExitCode> {
    let run = common::Run::from_cli()?;
    let timeout = run.timeout();
    // One client for the run, with the TLS roots every request shares.
    let client = http::Client::new(run.tls_config()?);
    // Tasks cost almost nothing; --concurrency bounds the requests, not the tasks.
    let limit = Arc::new(Semaphore::new(run.concurrency()));

    let mut report = run.report();
    smol::block_on(async {
        let tasks: Vec<_> = run
            .endpoints()
            .iter()
            .map(|endpoint| {
                let (url, limit, client) =
                    (endpoint.url().to_string(), limit.clone(), client.clone());
                smol::spawn(async move {
                    let _permit = limit.acquire_arc().await;
                    // smol has no timeout wrapper: race the request against a timer.
                    let request = client.get(&url);
                    let deadline = async {
                        Timer::after(timeout).await;
                        Err(FetchError::timeout(timeout))
                    };
                    common::timed(smol::future::or(request, deadline)).await
                })
            })
            .collect();
        // `$.when(...)`: wait for every task, in the order they were started.
        for (endpoint, task) in run.endpoints().iter().zip(tasks) {
            let (page, elapsed) = task.await;
            report.record(endpoint, page, elapsed);
        }
    });
    Ok(report.finish())
}
