//! rayon: the endpoints split across a data-parallel thread pool, `par_iter` over blocking calls.
//!
//! None of the talks' programs: rayon is here for the opposite lesson. Its pool has one thread
//! per core because it is made for CPU-bound work, where more threads than cores only add
//! switching. A thread blocked on a socket does no work and cannot steal any, so at most "pool
//! size" requests wait at once, and rayon splits the list into halves before any thread starts:
//! with a pool of two threads the six sites take as long as the slower half's three in a row, not
//! as long as the slowest site (docs/RESULTS.md has the figures of the machine that ran). A
//! bigger pool (`--threads N`, or `RAYON_NUM_THREADS`) hides more latency, but then it is a
//! thread pool used as fetch-threads, with none of rayon's gain. Use rayon for what happens to
//! the bodies once they are fetched; wait on sockets with tasks.
//!
//! Run with:
//! ```sh
//! cargo run -p fetch-rayon
//! cargo run -p fetch-rayon -- --threads 6
//! ```
//!
//! Read it beside:
//! - `docs/book/src/rayon.md`, its chapter of the book
//! - `rayon` (<https://docs.rs/rayon>), the runtime under it

use std::process::ExitCode;

use common::Run;
use common::blocking as http;
use fetchkit::timeit;
use rayon::prelude::*;

fn main() -> ExitCode {
    common::exit(fetch_all())
}

fn fetch_all() -> anyhow::Result<ExitCode> {
    let run = Run::from_cli()?;
    // ANCHOR: runtime
    // One ureq agent shared by the pool's threads (clones share one connection pool).
    let client = http::client(&run);
    // The pool is the limit: one thread per core unless told otherwise.
    let threads = run
        .threads()
        .unwrap_or_else(common::cores)
        .min(run.concurrency());
    let limit = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| anyhow::anyhow!("cannot start a pool of {threads} threads: {e}"))?;
    // ANCHOR_END: runtime

    // ANCHOR: work
    let mut report = run.report();
    report.note(format!(
        "rayon pool of {threads} threads: at most {threads} requests wait at once"
    ));
    let results: Vec<_> = limit.install(|| {
        run.endpoints()
            .par_iter()
            .map(|endpoint| timeit(|| http::get(&client, endpoint)))
            .collect()
    });
    // collect() keeps the input order; the rows come once the whole pool is done.
    for (endpoint, (page, elapsed)) in run.endpoints().iter().zip(results) {
        report.record(endpoint, page, elapsed);
    }
    Ok(report.finish())
    // ANCHOR_END: work
}
