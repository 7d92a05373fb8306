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

/// A future that is ready after `delay`: the stand-in for waiting on a socket.
struct Sleep {
    deadline: Instant,
    timer_started: bool,
}

fn sleep(delay: Duration) -> Sleep {
    Sleep {
        deadline: Instant::now() + delay,
        timer_started: false,
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if Instant::now() >= self.deadline {
            return Poll::Ready(());
        }
        if !self.timer_started {
            // The reactor's job, done crudely: arrange for the waker to be called when ready.
            self.timer_started = true;
            let (waker, deadline) = (cx.waker().clone(), self.deadline);
            std::thread::spawn(move || {
                std::thread::sleep(deadline.saturating_duration_since(Instant::now()));
                waker.wake();
            });
        }
        Poll::Pending
    }
}

/// A coroutine: `.await` hands control back to the executor until the sleep is over.
async fn get_jobs(zip: &'static str, delay_ms: u64, jobs: u32) -> (&'static str, u32) {
    sleep(Duration::from_millis(delay_ms)).await;
    (zip, jobs)
}

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

/// The event loop: poll each woken task until every task is done.
fn run(tasks: Vec<Task>) {
    let (queue, woken) = channel();
    let mut tasks: Vec<Option<Task>> = tasks.into_iter().map(Some).collect();
    for id in 0..tasks.len() {
        let _ = queue.send(id);
    }
    let mut left = tasks.len();
    while left > 0 {
        let Ok(id) = woken.recv() else { return };
        let Some(task) = tasks[id].as_mut() else {
            continue;
        };
        let waker = Waker::from(Arc::new(TaskWaker {
            id,
            queue: Mutex::new(queue.clone()),
        }));
        if task
            .as_mut()
            .poll(&mut Context::from_waker(&waker))
            .is_ready()
        {
            tasks[id] = None;
            left -= 1;
        }
    }
}

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
