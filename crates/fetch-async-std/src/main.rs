//! async-std + surf: one task per endpoint, results sent back over a channel.
//!
//! The same shape as fetch-threads, with tasks where it has threads: `task::spawn` instead of
//! `thread::spawn`, `async_std::channel` instead of crossbeam's. Tasks are futures polled by a
//! small pool of executor threads, so ten thousand of them cost kilobytes each, not a stack each.
//! It stands for the callback-era event loops of the talk "Async Python" (Twisted, Tornado): a
//! runtime and an HTTP client built for each other.
//!
//! Both are no longer maintained: async-std's own README now points to smol (advisory
//! RUSTSEC-2025-0052) and surf carries an unmaintained advisory (RUSTSEC-2025-0036). They still
//! build and run, and readers meet this code in the wild; new code should use fetch-smol's or
//! fetch-tokio's stack.
//!
//! surf's backend here is `h1-client-rustls` (async-h1 on async-std itself, with rustls): pure
//! Rust and on the same runtime, where the default `curl-client` would hand the work to
//! libcurl's own event loop. Its pool allows 50 connections per host by default, which would
//! silently cap this comparison at 50 requests in flight; the limit is raised to the run's
//! concurrency. Redirects, TLS roots and a body check surf lacks are in `client.rs`.
//!
//! Run with:
//! ```sh
//! cargo run -p fetch-async-std
//! cargo run -p fetch-async-std -- --workload jobs
//! ```

mod client;

use std::process::ExitCode;

use async_std::{channel, future, task};
use common::FetchError;

fn main() -> anyhow::Result<ExitCode> {
    let run = common::Run::from_cli()?;
    let timeout = run.timeout();

    // One client for the run: it owns the connection pools.
    let client: surf::Client = surf::Config::new()
        .set_max_connections_per_host(run.concurrency())
        .set_tls_config(client::tls_config(&run)?)
        .try_into()?;

    // The channel collects the results, as in fetch-threads; the bounded one holds a slot per
    // request allowed in flight.
    let (results_tx, results_rx) = channel::unbounded();
    let (slots_tx, slots_rx) = channel::bounded(run.concurrency());

    let mut report = run.report();
    task::block_on(async {
        for endpoint in run.endpoints() {
            let _ = slots_tx.send(()).await;
            let (client, results, slot) = (client.clone(), results_tx.clone(), slots_rx.clone());
            let mine = endpoint.clone();
            task::spawn(async move {
                // The whole request, body included, races the timeout.
                let request = future::timeout(timeout, client::get(&client, mine.url()));
                let (page, elapsed) = common::timed(request).await;
                let page = page.unwrap_or_else(|_| Err(FetchError::timeout(timeout)));
                let _ = slot.recv().await;
                let _ = results.send((mine, page, elapsed)).await;
            });
        }
        // Once every task has dropped its sender, the loop below ends.
        drop(results_tx);
        while let Ok((endpoint, page, elapsed)) = results_rx.recv().await {
            report.record(&endpoint, page, elapsed);
        }
    });
    Ok(report.finish())
}
