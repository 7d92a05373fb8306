//! compio: a task per waiter on compio's thread-per-core runtime, each asleep on the
//! runtime's timer, as fetch-compio spawns its requests on io_uring.
//!
//! Run with: `cargo run --release -p waits --bin waits-compio -- --n 1000000`

use std::process::ExitCode;

use waits::{Job, Waited};

fn main() -> ExitCode {
    waits::main("waits-compio", wait_all)
}

fn wait_all(job: &Job) -> anyhow::Result<Waited> {
    // On io_uring, which a kernel may not allow: then a clear error, and exit 2.
    let runtime = compio::runtime::Runtime::new()?;
    runtime.block_on(async {
        job.spawning();
        let waiters: Vec<_> = (0..job.n)
            .map(|_| compio::runtime::spawn(compio::time::sleep(job.wait)))
            .collect();
        job.spawned();
        for waiter in waiters {
            waiter
                .await
                .map_err(|_| anyhow::anyhow!("a waiter panicked"))?;
        }
        Ok(Waited::All)
    })
}
