//! The reactor's clock: callbacks due at a time, soonest first, as Twisted's `callLater` keeps
//! them. A heap of (due, id) and a map of the callbacks still wanted: cancelling removes the
//! callback, and its place in the heap is dropped when it surfaces.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::time::{Duration, Instant};

/// A timer's handle, for [`Reactor::cancel`](crate::Reactor::cancel).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TimerId(u64);

/// What is due, or how long until something is.
pub(crate) enum Next<'a> {
    /// A callback whose time has come: run it (no borrow of the timers is held).
    Due(Box<dyn FnOnce() + 'a>),
    /// The soonest callback is due in this long.
    In(Duration),
    /// No callback is waiting.
    Nothing,
}

/// The callbacks waiting for their time.
#[derive(Default)]
pub(crate) struct Timers<'a> {
    due: BinaryHeap<Reverse<(Instant, TimerId)>>,
    calls: HashMap<TimerId, Box<dyn FnOnce() + 'a>>,
    next: u64,
}

impl<'a> Timers<'a> {
    /// `f`, to be called after `delay`.
    pub(crate) fn call_later(&mut self, delay: Duration, f: impl FnOnce() + 'a) -> TimerId {
        let id = TimerId(self.next);
        self.next += 1;
        self.due.push(Reverse((Instant::now() + delay, id)));
        self.calls.insert(id, Box::new(f));
        id
    }

    /// Forgets a timer; one that already ran is left alone.
    pub(crate) fn cancel(&mut self, id: TimerId) {
        self.calls.remove(&id);
    }

    /// The handle the next timer made will have: timers made from now on are after it.
    pub(crate) fn mark(&self) -> TimerId {
        TimerId(self.next)
    }

    /// The next callback due at `now` among those made before `mark`, or how long until one
    /// is. A timer made while the due ones run waits for the next pass, as Twisted's
    /// `runUntilCurrent` keeps its new calls for the next: a callback that calls again at once
    /// (`callLater(0)`) lets the poll in between.
    pub(crate) fn next(&mut self, now: Instant, mark: TimerId) -> Next<'a> {
        // Cancelled timers leave their place in the heap: drop them as they surface.
        while let Some(Reverse((_, id))) = self.due.peek().copied() {
            if self.calls.contains_key(&id) {
                break;
            }
            self.due.pop();
        }
        match self.due.peek().copied() {
            Some(Reverse((at, id))) if at <= now && id < mark => {
                self.due.pop();
                match self.calls.remove(&id) {
                    Some(call) => Next::Due(call),
                    None => Next::Nothing,
                }
            }
            Some(Reverse((at, _))) => Next::In(at.saturating_duration_since(now)),
            None => Next::Nothing,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timers_come_due_in_order_and_cancelled_ones_never() {
        let mut timers = Timers::default();
        let order = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
        for (ms, name) in [(30, "c"), (10, "a"), (20, "b")] {
            let order = order.clone();
            timers.call_later(Duration::from_millis(ms), move || {
                order.borrow_mut().push(name)
            });
        }
        let o = order.clone();
        let cancelled =
            timers.call_later(Duration::from_millis(15), move || o.borrow_mut().push("x"));
        timers.cancel(cancelled);
        let later = Instant::now() + Duration::from_millis(100);
        let mark = timers.mark();
        assert!(
            matches!(timers.next(Instant::now(), mark), Next::In(d) if d <= Duration::from_millis(10))
        );
        while let Next::Due(call) = timers.next(later, mark) {
            call();
        }
        assert_eq!(*order.borrow(), ["a", "b", "c"]);
        assert!(matches!(timers.next(later, mark), Next::Nothing));
    }

    #[test]
    fn a_timer_made_while_the_due_ones_run_waits_for_the_next_pass() {
        let mut timers = Timers::default();
        timers.call_later(Duration::ZERO, || {});
        let (now, mark) = (Instant::now(), timers.mark());
        timers.call_later(Duration::ZERO, || {});
        assert!(matches!(timers.next(now, mark), Next::Due(_)));
        assert!(matches!(timers.next(now, mark), Next::In(d) if d < Duration::from_millis(1)));
        assert!(matches!(
            timers.next(Instant::now(), timers.mark()),
            Next::Due(_)
        ));
    }
}
