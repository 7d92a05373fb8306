//! Threads: one operating-system thread per endpoint, results sent back over a channel.
//!
//! The talks' `thrd.py` (threading + Queue) and `threaded.py` (a Thread per zip code). Every
//! request blocks its own thread, so they all wait at once and the run takes about as long as
//! the slowest one. The price is a thread each: a stack (2 MiB of address space, of which only
//! the touched pages are resident), four memory mappings, a kernel task, and a spawn that the OS
//! may refuse. Past what the machine allows (a quarter of `vm.max_map_count`, for the mappings,
//! or `kernel.pid_max`), the next endpoints wait for a thread to finish, and the report says
//! which limit it met.
//!
//! Run with:
//! ```sh
//! cargo run -p fetch-threads
//! cargo run -p fetch-threads -- --workload jobs
//! ```
//!
//! Read it beside:
//! - `python/talks/thrd.py`, the talk's program in Python
//! - `python/talks/threaded.py`, the talk's program in Python
//! - `docs/book/src/threading.md`, its chapter of the book
//! - `docs/book/src/threaded.md`, its chapter of the book
//! - `std::thread`, the operating system's own blocking calls under it

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
    // One ureq agent shared by every thread: clones are handles to one connection pool, which
    // keeps at most 3 idle connections per host; a thread that finds none idle opens its own.
    let client = http::client(&run);
    // `--concurrency N`: at most N threads at once, counted here; never more than the machine
    // allows (vm.max_map_count, pid_max, ulimit -u), past which std would abort the process.
    let (limit, mut running) = (run.thread_limit(), 0);
    // ANCHOR_END: runtime

    // ANCHOR: work
    let mut report = run.report();
    // The channel plays the talk's results Queue.
    let (results, finished) = crossbeam_channel::unbounded();
    for endpoint in run.endpoints() {
        // At the limit, a thread must finish before the next one starts.
        if running == limit {
            let (endpoint, page, elapsed) = finished.recv()?;
            report.record(&endpoint, page, elapsed);
            running -= 1;
        }
        let spawned = std::thread::Builder::new().spawn({
            let (client, results, endpoint) = (client.clone(), results.clone(), endpoint.clone());
            move || {
                let (page, elapsed) = timeit(|| http::get(&client, &endpoint));
                let _ = results.send((endpoint, page, elapsed));
            }
        });
        // Builder::spawn returns the OS's refusal (thread::spawn would panic on it): only this
        // endpoint fails, and the others go on.
        match spawned {
            Ok(_) => running += 1,
            Err(e) => report.fail(endpoint, fetchkit::FetchError::thread_refused(&e)),
        }
    }
    // Once every thread has dropped its sender, the loop below ends.
    drop(results);
    for (endpoint, page, elapsed) in finished {
        report.record(&endpoint, page, elapsed);
    }
    Ok(report.finish())
    // ANCHOR_END: work
}
