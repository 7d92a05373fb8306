//! rayon: the endpoints split across a data-parallel thread pool, `par_iter` over blocking calls.
//!
//! None of the talks' programs: rayon is here for the opposite lesson. Its pool has one thread
//! per core because it is made for CPU-bound work, where more threads than cores only add
//! switching. A thread blocked on a socket does no work and cannot steal any, so at most
//! "pool size" requests wait at once: on a 2-core machine the six sites take about half their
//! sum, not the slowest one's time. A bigger pool (`--threads N`, or `RAYON_NUM_THREADS`) hides
//! more latency, but then it is a thread pool used as fetch-threads, with none of rayon's gain.
//! Use rayon for what happens to the bodies once they are fetched; wait on sockets with tasks.
//!
//! Run with:
//! ```sh
//! cargo run -p fetch-rayon
//! cargo run -p fetch-rayon -- --threads 6
//! ```

use std::process::ExitCode;

use rayon::prelude::*;

fn main() -> anyhow::Result<ExitCode> {
    let run = common::Run::from_cli()?;

    // One ureq agent shared by the pool's threads (clones share one connection pool).
    let agent = common::blocking::agent(&run);

    // The pool bounds the requests in flight: one thread per core unless told otherwise.
    let threads = run.threads().unwrap_or_else(rayon::current_num_threads);
    let threads = threads.min(run.concurrency());
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()?;

    let mut report = run.report();
    report.note(format!(
        "rayon pool of {threads} threads: at most {threads} requests wait at once"
    ));
    let results: Vec<_> = pool.install(|| {
        run.endpoints()
            .par_iter()
            .map(|endpoint| common::timeit(|| common::blocking::get(&agent, endpoint.url())))
            .collect()
    });
    // collect() keeps the input order; the rows come once the whole pool is done.
    for (endpoint, (page, elapsed)) in run.endpoints().iter().zip(results) {
        report.record(endpoint, page, elapsed);
    }
    Ok(report.finish())
}
