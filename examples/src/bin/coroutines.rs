//! Coroutines, futures and an executor, written out: what `async`/`.await` (the talk's
//! `@asyncio.coroutine` and `yield from`) compile to, and what runs them.
//!
//! An `async fn` is turned by the compiler into a state machine, a `Future`: each `.await` is a
//! point where it can return `Pending` ("shelve the coroutine until it is ready", in the talk's
//! words) and later resume. Something must poll it again when it can make progress: the
//! executor, woken by a `Waker`. Here both are hand-made: a `Sleep` future woken by a timer
//! thread, and an executor that polls whichever task was woken. Three "requests" of 0.3, 0.2
//! and 0.1 s run at once on one thread and finish in the order of their delays, in 0.3 s: the
//! talk's `asyncio.as_completed`.
//!
//! Run with:
//! ```sh
//! cargo run -p talk-examples --bin coroutines
//! ```

use std::future::Future;
use std::pin::Pin;
use std::sync::mpsc::{Sender, channel};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use std::time::{Duration, Instant};

// ANCHOR: sleep
/// A future that is ready after `delay`: the stand-in for waiting on a socket.
struct Sleep {
    deadline: Instant,
    /// The waker of the latest poll, shared with the timer thread once it runs.
    waker: Option<Arc<Mutex<Waker>>>,
}

fn sleep(delay: Duration) -> Sleep {
    Sleep {
        deadline: Instant::now() + delay,
        waker: None,
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if Instant::now() >= self.deadline {
            return Poll::Ready(());
        }
        match &self.waker {
            // Polled again: the future may have moved to another task or executor since, so the
            // waker to call is the latest one (the mistake to avoid is keeping only the first).
            // `will_wake` spares the clone when it is the same.
            Some(shared) => {
                let mut waker = shared.lock().unwrap_or_else(|e| e.into_inner());
                if !waker.will_wake(cx.waker()) {
                    waker.clone_from(cx.waker());
                }
            }
            // First poll: the reactor's job, done crudely. A timer thread calls whichever waker
            // is stored when the deadline comes.
            None => {
                let shared = Arc::new(Mutex::new(cx.waker().clone()));
                let (timer, deadline) = (shared.clone(), self.deadline);
                std::thread::spawn(move || {
                    std::thread::sleep(deadline.saturating_duration_since(Instant::now()));
                    timer
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .wake_by_ref();
                });
                self.waker = Some(shared);
            }
        }
        Poll::Pending
    }
}
// ANCHOR_END: sleep

// ANCHOR: get_jobs
/// A coroutine: `.await` hands control back to the executor until the sleep is over.
async fn get_jobs(zip: &'static str, delay_ms: u64, jobs: u32) -> (&'static str, u32) {
    sleep(Duration::from_millis(delay_ms)).await;
    (zip, jobs)
}
// ANCHOR_END: get_jobs

type Task = Pin<Box<dyn Future<Output = ()>>>;

/// Waking a task sends its number to the executor's queue.
struct TaskWaker {
    id: usize,
    queue: Mutex<Sender<usize>>,
}

impl Wake for TaskWaker {
    fn wake(self: Arc<Self>) {
        let _ = self.queue.lock().map(|q| q.send(self.id));
    }
}

// ANCHOR: run
/// The event loop: poll each woken task until every task is done.
fn run(tasks: Vec<Task>) {
    let (queue, woken) = channel();
    let mut tasks: Vec<Option<Task>> = tasks.into_iter().map(Some).collect();
    // One waker per task, made once and handed to every poll of that task.
    let wakers: Vec<Waker> = (0..tasks.len())
        .map(|id| {
            Waker::from(Arc::new(TaskWaker {
                id,
                queue: Mutex::new(queue.clone()),
            }))
        })
        .collect();
    for id in 0..tasks.len() {
        let _ = queue.send(id);
    }
    let mut left = tasks.len();
    while left > 0 {
        let Ok(id) = woken.recv() else { return };
        let Some(task) = tasks[id].as_mut() else {
            continue;
        };
        if task
            .as_mut()
            .poll(&mut Context::from_waker(&wakers[id]))
            .is_ready()
        {
            tasks[id] = None;
            left -= 1;
        }
    }
}
// ANCHOR_END: run

fn main() {
    let start = Instant::now();
    let total = Arc::new(Mutex::new(0));
    let requests = [("79936", 300, 7), ("90011", 200, 12), ("60629", 100, 5)];
    let tasks: Vec<Task> = requests
        .into_iter()
        .map(|(zip, delay, jobs)| {
            let total = total.clone();
            Box::pin(async move {
                let (zip, jobs) = get_jobs(zip, delay, jobs).await;
                println!(
                    "{:.2} s: {zip} answered {jobs}",
                    start.elapsed().as_secs_f64()
                );
                *total.lock().unwrap_or_else(|e| e.into_inner()) += jobs;
            }) as Task
        })
        .collect();
    run(tasks);
    let total = *total.lock().unwrap_or_else(|e| e.into_inner());
    println!(
        "jobs available: {total}, in {:.2} s on one thread",
        start.elapsed().as_secs_f64()
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    struct Count(AtomicUsize);

    impl Wake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    #[test]
    fn the_waker_of_the_latest_poll_is_woken() {
        let (first, latest) = (
            Arc::new(Count(AtomicUsize::new(0))),
            Arc::new(Count(AtomicUsize::new(0))),
        );
        let mut future = Box::pin(sleep(Duration::from_millis(50)));
        for count in [&first, &latest] {
            let waker = Waker::from(count.clone());
            let poll = future.as_mut().poll(&mut Context::from_waker(&waker));
            assert!(poll.is_pending());
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while latest.0.load(Ordering::SeqCst) == 0 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(latest.0.load(Ordering::SeqCst), 1, "the latest waker");
        assert_eq!(first.0.load(Ordering::SeqCst), 0, "a stale waker");
    }
}
