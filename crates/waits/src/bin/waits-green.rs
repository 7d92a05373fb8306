//! Green threads: a green thread per waiter on the hub, each `sleep`ing as a gevent greenlet
//! does (`gevent.sleep`), all joined (`gevent.joinall`). A green thread has a stack of its own,
//! mapped from the kernel (`--stack-kib`, 256 by default, of which only the pages it touches
//! count in memory) with a guard page below it: two memory mappings each, so
//! `vm.max_map_count` bounds how many can wait at once.
//!
//! Run with: `cargo run --release -p waits --bin waits-green -- --n 30000 --stack-kib 16`

use std::process::ExitCode;

use green::Hub;
use waits::{Job, Waited};

fn main() -> ExitCode {
    waits::main("waits-green", wait_all)
}

fn wait_all(job: &Job) -> anyhow::Result<Waited> {
    // Room for all of them at once: a GreenPool as big as the job.
    let mut hub = Hub::with_stack(job.n, job.stack)?;
    job.spawning();
    let wait = job.wait;
    for _ in 0..job.n {
        hub.spawn(move |io| io.sleep(wait));
    }
    job.spawned();
    let slept = hub.join_all()?;
    // A green thread whose stack could not be mapped never ran: the limit the rest met.
    match slept.iter().position(Result::is_err) {
        None => Ok(Waited::All),
        Some(first) => {
            let error = slept[first].as_ref().err().map(ToString::to_string);
            let reached = slept.iter().filter(|r| r.is_ok()).count();
            let error = std::io::Error::other(error.unwrap_or_default());
            // Each had its stack and the stack's guard page: two mappings.
            Ok(Waited::Stopped(waits::limit_met(reached, 2, &error)))
        }
    }
}
