//! Threads: one operating-system thread per endpoint, results sent back over a channel.
//!
//! The talks' `thrd.py` (threading + Queue) and `threaded.py` (a Thread per zip code). Every
//! request blocks its own thread, so they all wait at once and the run takes about as long as
//! the slowest one. The price is a thread each: a stack (2 MiB of address space, of which only
//! the touched pages are resident), a kernel task, and a spawn that the OS may refuse.
//!
//! Run with:
//! ```sh
//! cargo run -p fetch-threads
//! cargo run -p fetch-threads -- --workload jobs
//! ```

use std::process::ExitCode;
use std::thread;

use common::FetchError;

fn main() -> anyhow::Result<ExitCode> {
    let run = common::Run::from_cli()?;

    // One ureq agent shared by every thread: clones are handles to one connection pool, which
    // keeps at most 3 idle connections per host; a thread that finds none idle opens its own.
    let agent = common::blocking::agent(&run);

    // The channel plays the talk's results Queue. A second, bounded channel holds one slot per
    // request allowed in flight: `--concurrency N` makes the spawning loop wait for a free slot.
    let (results_tx, results_rx) = crossbeam_channel::unbounded();
    let (slots_tx, slots_rx) = crossbeam_channel::bounded(run.concurrency());

    let mut report = run.report();
    for endpoint in run.endpoints() {
        let _ = slots_tx.send(());
        let (agent, results, slot) = (agent.clone(), results_tx.clone(), slots_rx.clone());
        let mine = endpoint.clone();
        let spawned = thread::Builder::new().spawn(move || {
            let (page, elapsed) = common::timeit(|| common::blocking::get(&agent, mine.url()));
            let _ = slot.recv();
            let _ = results.send((mine, page, elapsed));
        });
        // Builder::spawn returns the OS's refusal (thread::spawn would panic on it): only this
        // endpoint fails, and the others go on.
        if let Err(e) = spawned {
            let _ = slots_rx.recv();
            report.fail(endpoint, FetchError::thread_refused(&e));
        }
    }
    // Once every thread has dropped its sender, the loop below ends.
    drop(results_tx);
    for (endpoint, page, elapsed) in results_rx {
        report.record(&endpoint, page, elapsed);
    }
    Ok(report.finish())
}
