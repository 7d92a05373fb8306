//! The hub, as gevent's: one thread, one poller (mio), and every green thread, each a
//! coroutine with a stack of its own. [`Hub::run`]'s loop starts the green threads that have room,
//! resumes those whose socket or deadline is ready, and sleeps in one poll until the next.
//!
//! Each green thread that is ready gets one turn a pass of the loop, and the poller is asked
//! between passes, so a new connection is accepted (by a server's accept loop, itself a green
//! thread) after one turn of each ready green thread, however much they have to do: a green
//! thread that moves [`TURN`](crate::io::TURN) bytes without waiting yields its turn
//! (`gevent.sleep(0)`), as a thread's time slice would end.

use std::cell::{Cell, RefCell};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::io;
use std::rc::Rc;
use std::time::{Duration, Instant};

use corosensei::stack::DefaultStack;
use corosensei::{Coroutine, CoroutineResult};
use fetchkit::Woken;
use mio::{Events, Poll, Token};
use slab::Slab;

use crate::io::{Io, Resume, Shared, Spawned, Wait};

/// The address space of each green thread's stack. Only touched pages count in memory, and a
/// TLS handshake touches more than a plain request; a stack overflow hits a guard page and
/// ends the process, so this is sized with room to spare.
pub const STACK: usize = 256 * 1024;

/// The token of the waker that lookup threads use; green threads have their slab keys.
const WAKE: Token = Token(usize::MAX);

/// A green thread: its result, or none for one spawned from another ([`Io::spawn`]).
type Green<R> = Coroutine<Resume, Wait, Option<R>, DefaultStack>;

/// What a green thread runs: its result, or none for one spawned from another.
type Job<R> = Box<dyn FnOnce(&Io<'_>) -> Option<R>>;

/// Where a queued green thread's outcome goes: its place among the results of
/// [`Hub::join_all`], or, for one spawned from another green thread, the one told when no stack
/// could be had for it.
enum To {
    Result(usize),
    Refused(Box<dyn FnOnce(io::Error)>),
}

/// The hub: one thread, one poller, every green thread.
pub struct Hub<R> {
    pub(crate) poll: Poll,
    shared: Rc<Shared>,
    size: usize,
    /// Each green thread's stack, in bytes of address space.
    stack: usize,
    running: Slab<Running<R>>,
    /// Green threads not started yet: where their outcome goes, and what they run.
    queued: VecDeque<(To, Job<R>)>,
    ready: VecDeque<usize>,
    timers: BinaryHeap<Reverse<(Instant, usize, u64)>>,
    results: Vec<Option<io::Result<R>>>,
    serial: u64,
}

struct Running<R> {
    green: Green<R>,
    /// Which spawn this is, in order: where its result goes (nowhere for one spawned from
    /// another green thread).
    index: Option<usize>,
    /// Tells this green thread from a later one in the same slot, for stale timers.
    serial: u64,
    /// The deadline a timer is set for.
    armed: Option<Instant>,
    ready: bool,
}

impl<R> std::fmt::Debug for Hub<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hub")
            .field("size", &self.size)
            .field("running", &self.running.len())
            .field("queued", &self.queued.len())
            .finish_non_exhaustive()
    }
}

impl<R: 'static> Hub<R> {
    /// A hub that runs at most `size` green threads at once: eventlet's `GreenPool(size)`.
    pub fn new(size: usize) -> io::Result<Hub<R>> {
        Hub::with_stack(size, STACK)
    }

    /// The same, each green thread with a stack of `stack` bytes instead of [`STACK`]: a stack
    /// too small for what a green thread does ends the process at its guard page.
    pub fn with_stack(size: usize, stack: usize) -> io::Result<Hub<R>> {
        let poll = Poll::new()?;
        let registry = poll.registry().try_clone()?;
        let waker = mio::Waker::new(&registry, WAKE)?;
        Ok(Hub {
            poll,
            shared: Rc::new(Shared {
                registry,
                // A poller that cannot be woken leaves the lookup to its deadline.
                woken: Woken::new(move || drop(waker.wake())),
                spawned: RefCell::new(VecDeque::new()),
            }),
            size: size.max(1),
            stack,
            running: Slab::new(),
            queued: VecDeque::new(),
            ready: VecDeque::new(),
            timers: BinaryHeap::new(),
            results: Vec::new(),
            serial: 0,
        })
    }

    /// Adds a green thread running `f`. It starts when the hub runs and a place is free.
    pub fn spawn(&mut self, f: impl FnOnce(&Io<'_>) -> R + 'static) {
        self.queued
            .push_back((To::Result(self.results.len()), Box::new(|io| Some(f(io)))));
        self.results.push(None);
    }

    /// Runs the hub until every green thread has returned: `gevent.joinall`. Their results, in
    /// spawn order; an error for a green thread that never ran, whose stack could not be had.
    pub fn join_all(mut self) -> io::Result<Vec<io::Result<R>>> {
        self.run()?;
        Ok(self.results.into_iter().flatten().collect())
    }

    /// Runs green threads as they become ready, until none is left.
    // ANCHOR: run
    fn run(&mut self) -> io::Result<()> {
        let mut events = Events::with_capacity(1024);
        loop {
            self.start_queued();
            // A turn for each green thread ready now; one that yields its turn is ready again
            // after the poll below, behind whatever the poll wakes.
            for _ in 0..self.ready.len() {
                let Some(key) = self.ready.pop_front() else {
                    break;
                };
                self.resume(key, Resume::Go);
                self.start_queued();
            }
            if self.running.is_empty() && self.queued.is_empty() {
                return Ok(());
            }
            let Some(mut timeout) = self.expire_timers() else {
                // A deadline passed and its green thread ran: look again before sleeping.
                continue;
            };
            if !self.ready.is_empty() {
                // Green threads wait for their next turn: poll without sleeping.
                timeout = Some(Duration::ZERO);
            }
            match self.poll.poll(&mut events, timeout) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
            for event in events.iter() {
                if event.token() == WAKE {
                    let keys = self.shared.woken.take();
                    keys.into_iter().for_each(|key| self.make_ready(key));
                } else {
                    self.make_ready(event.token().0);
                }
            }
        }
    }
    // ANCHOR_END: run

    fn make_ready(&mut self, key: usize) {
        if let Some(running) = self.running.get_mut(key)
            && !running.ready
        {
            running.ready = true;
            self.ready.push_back(key);
        }
    }

    /// Starts queued green threads while there is room, those spawned by green threads among
    /// them.
    fn start_queued(&mut self) {
        loop {
            // A green thread started here may spawn others as it runs: queue them before each
            // start, so that none waits for the hub to poll.
            self.take_spawned();
            if self.running.len() >= self.size {
                return;
            }
            let Some((to, f)) = self.queued.pop_front() else {
                return;
            };
            let stack = match DefaultStack::new(self.stack) {
                Ok(stack) => stack,
                Err(e) => {
                    let e = io::Error::new(
                        e.kind(),
                        format!("cannot map a stack for a green thread: {e}"),
                    );
                    match to {
                        To::Result(index) => self.results[index] = Some(Err(e)),
                        To::Refused(refused) => refused(e),
                    }
                    continue;
                }
            };
            let index = match to {
                To::Result(index) => Some(index),
                To::Refused(_) => None,
            };
            let entry = self.running.vacant_entry();
            let key = entry.key();
            let shared = self.shared.clone();
            let green = Coroutine::with_stack(stack, move |yielder, _: Resume| {
                let io = Io {
                    yielder,
                    shared,
                    key,
                    deadline: Cell::new(None),
                    moved: Cell::new(0),
                };
                f(&io)
            });
            self.serial += 1;
            entry.insert(Running {
                green,
                index,
                serial: self.serial,
                armed: None,
                ready: false,
            });
            self.resume(key, Resume::Go);
        }
    }

    /// Queues the green threads that green threads spawned ([`Io::spawn`]).
    fn take_spawned(&mut self) {
        let spawned: Vec<Spawned> = self.shared.spawned.borrow_mut().drain(..).collect();
        for Spawned { run, refused } in spawned {
            let job: Job<R> = Box::new(move |io| {
                run(io);
                None
            });
            self.queued.push_back((To::Refused(refused), job));
        }
    }

    // ANCHOR: resume
    /// Switches to a green thread until it waits again or returns.
    fn resume(&mut self, key: usize, why: Resume) {
        let Some(running) = self.running.get_mut(key) else {
            return;
        };
        running.ready = false;
        match running.green.resume(why) {
            CoroutineResult::Yield(Wait::Woken(deadline)) => {
                if let Some(at) = deadline.filter(|&at| running.armed != Some(at)) {
                    running.armed = Some(at);
                    self.timers.push(Reverse((at, key, running.serial)));
                }
            }
            CoroutineResult::Yield(Wait::Turn) => self.make_ready(key),
            CoroutineResult::Return(result) => {
                if let (Some(index), Some(result)) = (self.running.remove(key).index, result) {
                    self.results[index] = Some(Ok(result));
                }
            }
        }
    }
    // ANCHOR_END: resume

    /// Resumes the first green thread whose deadline passed, and returns `None`; or, when no
    /// deadline has passed, how long until the next one, if there is one.
    fn expire_timers(&mut self) -> Option<Option<Duration>> {
        while let Some(&Reverse((at, key, serial))) = self.timers.peek() {
            let live = self
                .running
                .get(key)
                .is_some_and(|r| r.serial == serial && r.armed == Some(at));
            if !live {
                self.timers.pop();
                continue;
            }
            let now = Instant::now();
            if at > now {
                return Some(Some(at - now));
            }
            self.timers.pop();
            if let Some(running) = self.running.get_mut(key) {
                running.armed = None;
            }
            self.resume(key, Resume::TimedOut);
            return None;
        }
        Some(None)
    }
}
