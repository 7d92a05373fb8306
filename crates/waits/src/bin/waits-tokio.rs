//! tokio: a task per waiter, each asleep on tokio's timer, on the runtime fetch-tokio runs on
//! (a worker thread per core). A task is a future boxed with its header on the heap; sleeping,
//! it is an entry in the runtime's timer wheel.
//!
//! The talk "Async Python" quotes eventlet's "green threads are so cheap they are nearly free";
//! this is that question for tokio's tasks, the figure the field's "how much memory do a
//! million tasks take" tables compare.
//!
//! Run with: `cargo run --release -p waits --bin waits-tokio -- --n 1000000`

use std::process::ExitCode;

use waits::{Job, Waited};

fn main() -> ExitCode {
    waits::main("waits-tokio", wait_all)
}

fn wait_all(job: &Job) -> anyhow::Result<Waited> {
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        job.spawning();
        let waiters: Vec<_> = (0..job.n)
            .map(|_| tokio::spawn(tokio::time::sleep(job.wait)))
            .collect();
        job.spawned();
        for waiter in waiters {
            waiter.await?;
        }
        Ok(Waited::All)
    })
}
