//! Results that are not there yet, as in Twisted's `defer.py`: [`Deferred`] (a result and the
//! callbacks that wait on it), [`DeferredList`] (every one of several) and
//! [`DeferredSemaphore`] (at most so many at once). Nothing here knows about sockets or the
//! poller: a Deferred fires whenever its owner calls it, from a timer, a connection's callback
//! or a test.
//!
//! A Deferred's error is [`FetchError`], on purpose: as a Twisted program's callbacks pass one
//! `Failure` along the chain, every link here passes the same error type, and the programs of
//! this workspace fail with why a fetch failed. A chain generic over its error would make every
//! link convert between them.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;

use fetchkit::FetchError;

/// A result that is not there yet: the callbacks added to it run when it fires, on the
/// reactor's thread. It fires once: a second result (a late answer after a timeout, say) is
/// dropped.
///
/// Twisted's Deferred passes its result along a chain of callbacks, each one's return value the
/// next one's argument. Here the chain is typed: [`add_both`](Deferred::add_both) and
/// [`add_callback`](Deferred::add_callback) return the Deferred of the next link, which fires
/// with what the callback returned; a link is added once, since a result has one owner.
pub struct Deferred<'a, T> {
    state: Rc<RefCell<State<'a, T>>>,
}

type Callback<'a, T> = Box<dyn FnOnce(Result<T, FetchError>) + 'a>;

enum State<'a, T> {
    Waiting(Option<Callback<'a, T>>),
    /// Fired before any callback was added: the result waits for one.
    Fired(Option<Result<T, FetchError>>),
}

impl<T> Clone for Deferred<'_, T> {
    fn clone(&self) -> Self {
        Deferred {
            state: self.state.clone(),
        }
    }
}

impl<T> std::fmt::Debug for Deferred<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let fired = matches!(*self.state.borrow(), State::Fired(_));
        f.debug_struct("Deferred").field("fired", &fired).finish()
    }
}

impl<'a, T: 'a> Deferred<'a, T> {
    pub fn new() -> Deferred<'a, T> {
        Deferred {
            state: Rc::new(RefCell::new(State::Waiting(None))),
        }
    }

    /// Fires with a value.
    pub fn callback(&self, value: T) {
        self.fire(Ok(value));
    }

    /// Fires with an error.
    pub fn errback(&self, error: FetchError) {
        self.fire(Err(error));
    }

    /// Fires with `result`, unless it has fired already; returns whether it fired now.
    pub fn fire(&self, result: Result<T, FetchError>) -> bool {
        let callback = {
            let mut state = self.state.borrow_mut();
            match &mut *state {
                State::Fired(_) => return false,
                State::Waiting(callback) => {
                    let callback = callback.take();
                    *state = State::Fired(None);
                    match callback {
                        Some(callback) => callback,
                        None => {
                            *state = State::Fired(Some(result));
                            return true;
                        }
                    }
                }
            }
        };
        callback(result);
        true
    }

    /// Whether it has fired.
    pub fn has_fired(&self) -> bool {
        matches!(*self.state.borrow(), State::Fired(_))
    }

    /// Adds the next link: `f` gets the result, value or error, and its return value fires the
    /// Deferred returned here. It runs at once when this one has already fired.
    pub fn add_both<U: 'a>(
        self,
        f: impl FnOnce(Result<T, FetchError>) -> Result<U, FetchError> + 'a,
    ) -> Deferred<'a, U> {
        let next = Deferred::new();
        let link = next.clone();
        let callback: Callback<'a, T> = Box::new(move |result| {
            link.fire(f(result));
        });
        let ready = {
            let mut state = self.state.borrow_mut();
            match &mut *state {
                State::Waiting(slot) => {
                    assert!(slot.is_none(), "a Deferred's result has one owner");
                    *slot = Some(callback);
                    return next;
                }
                State::Fired(result) => result.take().map(|r| (callback, r)),
            }
        };
        if let Some((callback, result)) = ready {
            callback(result);
        }
        next
    }

    /// Adds a link for the value only: an error passes by to the next link.
    pub fn add_callback<U: 'a>(
        self,
        f: impl FnOnce(T) -> Result<U, FetchError> + 'a,
    ) -> Deferred<'a, U> {
        self.add_both(|result| result.and_then(f))
    }
}

/// Twisted's `DeferredList`: a Deferred that fires when every one of a list of Deferreds has
/// fired, with their results in order, errors included.
#[derive(Debug)]
pub struct DeferredList;

impl DeferredList {
    /// The Deferred of `deferreds` all fired.
    pub fn of<'a, T: 'a>(
        deferreds: Vec<Deferred<'a, T>>,
    ) -> Deferred<'a, Vec<Result<T, FetchError>>> {
        let all = Deferred::new();
        let n = deferreds.len();
        let results = Rc::new(RefCell::new((0..n).map(|_| None).collect::<Vec<_>>()));
        let left = Rc::new(Cell::new(n));
        if n == 0 {
            all.callback(Vec::new());
        }
        for (i, deferred) in deferreds.into_iter().enumerate() {
            let (all, results, left) = (all.clone(), results.clone(), left.clone());
            deferred.add_both(move |result| {
                results.borrow_mut()[i] = Some(result);
                left.set(left.get() - 1);
                if left.get() == 0 {
                    let results = results.take().into_iter().flatten().collect();
                    all.callback(results);
                }
                Ok(())
            });
        }
        all
    }
}

impl<'a, T: 'a> Default for Deferred<'a, T> {
    fn default() -> Self {
        Deferred::new()
    }
}

/// At most `tokens` operations at once; the others wait their turn: Twisted's
/// `DeferredSemaphore`, which is how a Twisted program bounds its concurrency.
pub struct DeferredSemaphore<'a> {
    tokens: Cell<usize>,
    waiting: RefCell<VecDeque<Box<dyn FnOnce() + 'a>>>,
}

impl<'a> DeferredSemaphore<'a> {
    pub fn new(tokens: usize) -> Rc<DeferredSemaphore<'a>> {
        Rc::new(DeferredSemaphore {
            tokens: Cell::new(tokens),
            waiting: RefCell::default(),
        })
    }

    /// Runs `operation` when a token is free, and gives the token back when its Deferred fires.
    pub fn run<T: 'a>(
        self: &Rc<Self>,
        operation: impl FnOnce() -> Deferred<'a, T> + 'a,
    ) -> Deferred<'a, T> {
        let result = Deferred::new();
        let (this, out) = (self.clone(), result.clone());
        let start = move || {
            operation().add_both(move |r| {
                out.fire(r);
                this.release();
                Ok(())
            });
        };
        if self.tokens.get() > 0 {
            self.tokens.set(self.tokens.get() - 1);
            start();
        } else {
            self.waiting.borrow_mut().push_back(Box::new(start));
        }
        result
    }

    fn release(&self) {
        let next = self.waiting.borrow_mut().pop_front();
        match next {
            // The token passes straight to the next operation in line.
            Some(start) => start(),
            None => self.tokens.set(self.tokens.get() + 1),
        }
    }
}

impl std::fmt::Debug for DeferredSemaphore<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeferredSemaphore")
            .field("tokens", &self.tokens.get())
            .field("waiting", &self.waiting.borrow().len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deferred_fires_once_and_passes_its_result_along() {
        let d = Deferred::<u32>::new();
        let seen = Rc::new(Cell::new(0));
        let s = seen.clone();
        d.clone().add_callback(|v| Ok(v + 1)).add_both(move |r| {
            s.set(r.unwrap());
            Ok(())
        });
        assert!(d.fire(Ok(41)));
        assert!(!d.fire(Ok(0)), "a second result is dropped");
        assert_eq!(seen.get(), 42);
        // Added after it fired: runs at once.
        let late = Deferred::<u32>::new();
        late.callback(7);
        let got = Rc::new(Cell::new(0));
        let g = got.clone();
        late.add_both(move |r| {
            g.set(r.unwrap());
            Ok(())
        });
        assert_eq!(got.get(), 7);
    }

    #[test]
    fn an_error_skips_callbacks_to_the_next_errback() {
        let d = Deferred::<u32>::new();
        let kind = Rc::new(Cell::new(None));
        let k = kind.clone();
        d.clone()
            .add_callback(|_| -> Result<u32, FetchError> { panic!("not for errors") })
            .add_both(move |r| {
                k.set(r.err().map(|e| e.kind()));
                Ok(())
            });
        d.errback(FetchError::new(fetchkit::ErrorKind::Timeout, "late"));
        assert_eq!(kind.get(), Some(fetchkit::ErrorKind::Timeout));
    }

    #[test]
    fn a_semaphore_runs_at_most_its_tokens_at_once_without_a_reactor() {
        let limit = DeferredSemaphore::new(2);
        let (now, peak) = (Rc::new(Cell::new(0)), Rc::new(Cell::new(0)));
        let mut pending = Vec::new();
        let mut all = Vec::new();
        for _ in 0..6 {
            let (now, peak) = (now.clone(), peak.clone());
            let fire = Deferred::new();
            pending.push((fire.clone(), now.clone()));
            all.push(limit.run(move || {
                now.set(now.get() + 1);
                peak.set(peak.get().max(now.get()));
                fire
            }));
        }
        let results = Rc::new(RefCell::new(Vec::new()));
        let r = results.clone();
        DeferredList::of(all).add_callback(move |all| {
            *r.borrow_mut() = all.into_iter().map(Result::unwrap).collect();
            Ok(())
        });
        // Each operation ends in turn, and the next one waiting takes its token.
        for (i, (fire, now)) in pending.into_iter().enumerate() {
            now.set(now.get() - 1);
            fire.callback(i);
        }
        assert_eq!(peak.get(), 2);
        assert_eq!(*results.borrow(), [0, 1, 2, 3, 4, 5]);
    }

    #[test]
    fn an_empty_list_fires_at_once() {
        let fired = Rc::new(Cell::new(false));
        let f = fired.clone();
        DeferredList::of(Vec::<Deferred<'_, u32>>::new()).add_callback(move |all| {
            f.set(all.is_empty());
            Ok(())
        });
        assert!(fired.get());
    }
}
