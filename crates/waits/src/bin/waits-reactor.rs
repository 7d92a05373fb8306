//! The reactor: a Deferred per waiter, fired by the reactor's `call_later`, all joined by a
//! DeferredList that stops the reactor: Twisted's `deferLater(reactor, 10, ...)` under a
//! `DeferredList`. A waiter is a timer in the reactor's heap and the callback it will run; there
//! is no task, no stack, nothing else.
//!
//! Run with: `cargo run --release -p waits --bin waits-reactor -- --n 1000000`

use std::process::ExitCode;

use reactor::{Deferred, DeferredList, Reactor};
use waits::{Job, Waited};

fn main() -> ExitCode {
    waits::main("waits-reactor", wait_all)
}

fn wait_all(job: &Job) -> anyhow::Result<Waited> {
    let reactor = Reactor::new()?;
    job.spawning();
    let waiters: Vec<Deferred<'_, ()>> = (0..job.n)
        .map(|_| {
            let waiter = Deferred::new();
            let fire = waiter.clone();
            reactor.call_later(job.wait, move || fire.callback(()));
            waiter
        })
        .collect();
    job.spawned();
    let stop = reactor.clone();
    DeferredList::of(waiters).add_callback(move |_| {
        stop.stop();
        Ok(())
    });
    reactor.run()?;
    Ok(Waited::All)
}
