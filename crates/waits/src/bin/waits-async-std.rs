//! async-std: a task per waiter, `task::spawn(task::sleep(..))`, on async-std's global
//! executor (the same `async-io` timers as smol underneath), as fetch-async-std spawns its
//! requests.
//!
//! Run with: `cargo run --release -p waits --bin waits-async-std -- --n 1000000`

use std::process::ExitCode;

use async_std::task;
use waits::{Job, Waited};

fn main() -> ExitCode {
    waits::main("waits-async-std", wait_all)
}

fn wait_all(job: &Job) -> anyhow::Result<Waited> {
    task::block_on(async {
        job.spawning();
        let waiters: Vec<_> = (0..job.n)
            .map(|_| task::spawn(task::sleep(job.wait)))
            .collect();
        job.spawned();
        for waiter in waiters {
            waiter.await;
        }
        Ok(Waited::All)
    })
}
