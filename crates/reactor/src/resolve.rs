//! Name lookups for the reactor, as Twisted's default resolver does them: each on a thread of
//! its own ([`fetchkit::lookup`]), whose answer wakes the poller through a `mio::Waker` and
//! fires its Deferred on the reactor's thread.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::Context;

use fetchkit::FetchError;

use crate::defer::Deferred;
use crate::reactor::Reactor;

impl<'a> Reactor<'a> {
    /// Looks a name up on a thread of its own ([`fetchkit::lookup`]); the answer fires the
    /// returned Deferred on this thread.
    pub fn resolve(&self, host: &str, port: u16) -> Deferred<'a, Vec<SocketAddr>> {
        let answer = Deferred::new();
        match fetchkit::lookup(host, port) {
            Ok(lookup) => {
                let key = self
                    .inner
                    .lookups
                    .borrow_mut()
                    .insert((lookup, answer.clone()));
                self.poll_lookup(key);
            }
            Err(refused) => answer.errback(FetchError::from(refused)),
        }
        answer
    }

    pub(crate) fn answer_lookups(&self) {
        for key in self.inner.woken.take() {
            self.poll_lookup(key);
        }
    }

    /// Polls one lookup with a waker that names it; fires its Deferred when it has answered.
    fn poll_lookup(&self, key: usize) {
        let waker = self.inner.woken.waker(key);
        let answer = {
            let mut lookups = self.inner.lookups.borrow_mut();
            let Some((lookup, _)) = lookups.get_mut(key) else {
                return;
            };
            match Pin::new(lookup).poll(&mut Context::from_waker(&waker)) {
                std::task::Poll::Ready(answer) => Some((answer, lookups.remove(key).1)),
                std::task::Poll::Pending => None,
            }
        };
        if let Some((answer, deferred)) = answer {
            deferred.fire(answer.map_err(FetchError::from));
        }
    }
}
