//! Threads: an operating-system thread per waiter, each in `thread::sleep`, all joined, as
//! fetch-threads gives each request a thread. A thread is a kernel task with a stack of its own
//! (64 KiB here, `Builder::stack_size`; the process's default is 2 MiB of address space), so
//! the machine's limits come first: `vm.max_map_count` mappings in the process (a thread takes
//! four, and one that cannot map its signal stack ends the whole process, so the program holds
//! to the budget `fetchkit::thread_budget` reads), `kernel.pid_max` tasks on the machine (a
//! spawn that fails names it).
//!
//! Run with: `cargo run --release -p waits --bin waits-threads -- --n 10000`

use std::process::ExitCode;
use std::thread;

use waits::{Job, Waited};

/// Each thread's stack: a sleeping thread touches a page or two of it.
const STACK: usize = 64 * 1024;

fn main() -> ExitCode {
    waits::main("waits-threads", wait_all)
}

fn wait_all(job: &Job) -> anyhow::Result<Waited> {
    let budget = fetchkit::thread_budget();
    job.spawning();
    let mut waiters = Vec::with_capacity(job.n);
    let mut stopped = None;
    for _ in 0..job.n {
        if waiters.len() >= budget.threads {
            stopped = Some(waits::Limit {
                reached: waiters.len(),
                name: budget.limit.clone(),
                error: format!("{} threads, the most its mappings allow", budget.threads),
            });
            break;
        }
        let wait = job.wait;
        match thread::Builder::new()
            .stack_size(STACK)
            .spawn(move || thread::sleep(wait))
        {
            Ok(waiter) => waiters.push(waiter),
            Err(e) => {
                // The machine's limit, read while every thread holds its place.
                stopped = Some(waits::limit_met(waiters.len(), 4, &e));
                break;
            }
        }
    }
    job.spawned();
    for waiter in waiters {
        waiter
            .join()
            .map_err(|_| anyhow::anyhow!("a waiting thread panicked"))?;
    }
    Ok(stopped.map_or(Waited::All, Waited::Stopped))
}
