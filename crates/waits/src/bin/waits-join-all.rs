//! `join_all`, the floor: no task at all, one future per waiter joined into one on one thread
//! (`futures::future::join_all` over tokio's `sleep`, on tokio's current-thread runtime). Each
//! waiter is its sleep future and its place in the join: the least a waiting unit can be while
//! it still has a timer of its own.
//!
//! Run with: `cargo run --release -p waits --bin waits-join-all -- --n 1000000`

use std::process::ExitCode;

use futures_util::future::join_all;
use waits::{Job, Waited};

fn main() -> ExitCode {
    waits::main("waits-join-all", wait_all)
}

fn wait_all(job: &Job) -> anyhow::Result<Waited> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()?;
    runtime.block_on(async {
        job.spawning();
        let waiters: Vec<_> = (0..job.n).map(|_| tokio::time::sleep(job.wait)).collect();
        job.spawned();
        join_all(waiters).await;
        Ok(Waited::All)
    })
}
