//! An event loop, written out: what asyncio's loop (and, underneath, every async runtime) does.
//!
//! The talk "Asynchronicity" shows `loops.py`: `call_soon(do_some_work, 2, 3, ...)` adds the
//! numbers, `call_later(3, work_callback, ...)` schedules the result, and the callback calls
//! `loop.stop()`. This is that program on a loop of about forty lines: a queue of callbacks
//! ready now, a heap of callbacks due later, and one thread that runs whichever comes next and
//! sleeps only when nothing is ready. Add the third source of events, the sockets (epoll), and
//! it is the workspace's reactor: its loop, `Reactor::run` in `crates/reactor/src/reactor.rs`,
//! is these steps with a poll where this one sleeps. tokio's does the same, and runs futures
//! instead of plain callbacks.
//!
//! Run with:
//! ```sh
//! cargo run -p talk-examples --bin event_loop
//! ```

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::time::{Duration, Instant};

type Callback = Box<dyn FnOnce(&mut EventLoop)>;

// ANCHOR: event_loop
#[derive(Default)]
struct EventLoop {
    ready: VecDeque<Callback>,
    /// Callbacks due later, soonest first; the sequence number keeps equal times in order.
    timers: BinaryHeap<Reverse<(Instant, u64)>>,
    scheduled: Vec<Option<Callback>>,
    stopped: bool,
}

impl EventLoop {
    fn call_soon(&mut self, callback: impl FnOnce(&mut EventLoop) + 'static) {
        self.ready.push_back(Box::new(callback));
    }

    fn call_later(&mut self, delay: Duration, callback: impl FnOnce(&mut EventLoop) + 'static) {
        let id = self.scheduled.len() as u64;
        self.scheduled.push(Some(Box::new(callback)));
        self.timers.push(Reverse((Instant::now() + delay, id)));
    }

    fn stop(&mut self) {
        self.stopped = true;
    }

    fn run_forever(&mut self) {
        while !self.stopped {
            // Move every timer that is due to the ready queue.
            while let Some(Reverse((when, id))) = self.timers.peek().copied() {
                if when > Instant::now() {
                    break;
                }
                self.timers.pop();
                if let Some(callback) = self.scheduled[id as usize].take() {
                    self.ready.push_back(callback);
                }
            }
            match self.ready.pop_front() {
                Some(callback) => callback(self),
                // Nothing to do until the next timer: sleep (epoll_wait, in a real runtime).
                None => match self.timers.peek() {
                    Some(Reverse((when, _))) => {
                        std::thread::sleep(*when - Instant::now().min(*when))
                    }
                    None => return,
                },
            }
        }
    }
}
// ANCHOR_END: event_loop

// ANCHOR: callbacks
fn work_callback(result: i32, event_loop: &mut EventLoop) {
    println!("ending loop for result: {result}");
    event_loop.stop();
}

fn do_some_work(x: i32, y: i32, event_loop: &mut EventLoop) {
    let r = x + y;
    println!("did some work: {x} + {y} = {r}; the result is due in 3 s");
    event_loop.call_later(Duration::from_secs(3), move |l| work_callback(r, l));
}
// ANCHOR_END: callbacks

fn main() {
    let start = Instant::now();
    let mut event_loop = EventLoop::default();
    event_loop.call_soon(|l| do_some_work(2, 3, l));
    // Meanwhile the loop is free: a tick every second shows it is not blocked by the wait.
    for second in 1..=2 {
        event_loop.call_later(Duration::from_secs(second), move |_| {
            println!("tick {second}")
        });
    }
    event_loop.run_forever();
    println!(
        "the loop ran for {:.2} s on one thread",
        start.elapsed().as_secs_f64()
    );
}
