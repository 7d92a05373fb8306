//! smol: a task per waiter on smol's global executor, each asleep on an `async-io` timer, as
//! fetch-smol spawns its requests. smol's timers live in its reactor's ordered map, kept by the
//! thread that drives it.
//!
//! Run with: `cargo run --release -p waits --bin waits-smol -- --n 1000000`

use std::process::ExitCode;

use waits::{Job, Waited};

fn main() -> ExitCode {
    waits::main("waits-smol", wait_all)
}

fn wait_all(job: &Job) -> anyhow::Result<Waited> {
    smol::block_on(async {
        job.spawning();
        let wait = job.wait;
        let waiters: Vec<_> = (0..job.n)
            .map(|_| {
                smol::spawn(async move {
                    smol::Timer::after(wait).await;
                })
            })
            .collect();
        job.spawned();
        for waiter in waiters {
            waiter.await;
        }
        Ok(Waited::All)
    })
}
