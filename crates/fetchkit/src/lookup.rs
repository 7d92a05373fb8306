//! Looking a host name up without blocking a runtime: the system's resolver (`getaddrinfo`) on
//! a thread started for it, awaited as a future by any runtime.
//!
//! The runtimes' own helpers (`tokio::net::lookup_host`, `smol::net::resolve`, async-std's
//! `to_socket_addrs`) run the lookup on their blocking pools, which panic, or leave the task
//! waiting forever, when the OS refuses the pool a thread. Starting the thread here makes that
//! refusal an error of the endpoint, [`NoThread`], and a failed lookup a [`Dns`] error.

use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::pin::Pin;
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use crate::{Dns, ErrorKind, FetchError, NoThread};

/// The answer of one lookup, as its thread leaves it for the future.
#[derive(Debug, Default)]
struct Slot {
    answer: Option<io::Result<Vec<SocketAddr>>>,
    waker: Option<Waker>,
}

/// The slot, and the condition a blocking caller waits on for it.
type Shared = (Mutex<Slot>, Condvar);

/// A lookup under way: resolves to the host's addresses, or why there are none. Await it, or
/// [`wait`](Lookup::wait) for it on a blocking thread.
#[derive(Debug)]
pub struct Lookup {
    host: String,
    shared: Arc<Shared>,
}

/// Starts looking `host` up (with `port` for the addresses) on a thread of its own; an IP
/// address is its own answer, with no thread.
pub fn lookup(host: &str, port: u16) -> Result<Lookup, NoThread> {
    let literal = host.trim_start_matches('[').trim_end_matches(']');
    let answer = literal
        .parse::<IpAddr>()
        .ok()
        .map(|ip| Ok(vec![SocketAddr::new(ip, port)]));
    let lookup = Lookup {
        host: host.to_string(),
        shared: Arc::new((
            Mutex::new(Slot {
                answer,
                waker: None,
            }),
            Condvar::new(),
        )),
    };
    if lookup.slot().answer.is_some() {
        return Ok(lookup);
    }
    let (name, theirs) = (host.to_string(), lookup.shared.clone());
    std::thread::Builder::new()
        .name("lookup".into())
        .spawn(move || {
            let answer = (name.as_str(), port)
                .to_socket_addrs()
                .map(Iterator::collect);
            let (slot, done) = &*theirs;
            let mut slot = slot.lock().unwrap_or_else(PoisonError::into_inner);
            slot.answer = Some(answer);
            if let Some(waker) = slot.waker.take() {
                waker.wake();
            }
            done.notify_all();
        })
        .map_err(NoThread)?;
    Ok(lookup)
}

impl Lookup {
    fn slot(&self) -> std::sync::MutexGuard<'_, Slot> {
        self.shared.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The answer, once there is one.
    fn take(&self, slot: &mut Slot) -> Option<Result<Vec<SocketAddr>, Dns>> {
        Some(match slot.answer.take()? {
            Ok(addrs) if !addrs.is_empty() => Ok(addrs),
            Ok(_) => Err(Dns::new(&self.host, io::Error::other("no address"))),
            Err(e) => Err(Dns::new(&self.host, e)),
        })
    }

    /// Blocks this thread until the answer, or for at most `limit`: `None` when the time ran
    /// out first.
    pub fn wait(self, limit: Duration) -> Option<Result<Vec<SocketAddr>, Dns>> {
        let slot = self.slot();
        let (mut slot, _) = self
            .shared
            .1
            .wait_timeout_while(slot, limit, |slot| slot.answer.is_none())
            .unwrap_or_else(PoisonError::into_inner);
        self.take(&mut slot)
    }
}

/// Checks that the OS lets this process run `n` more threads at once, for a runtime that
/// starts its own threads later and panics or waits forever when one is refused: a refusal
/// here is a clear error before the run.
pub fn check_threads(n: usize) -> Result<(), NoThread> {
    let (stop, wait) = std::sync::mpsc::channel::<()>();
    let wait = Arc::new(Mutex::new(wait));
    let mut started = Vec::with_capacity(n);
    for _ in 0..n {
        let wait = wait.clone();
        // Each thread waits until all have started (or one was refused), then ends.
        let spawned = std::thread::Builder::new().spawn(move || {
            let _ = wait.lock().map(|wait| wait.recv());
        });
        match spawned {
            Ok(thread) => started.push(thread),
            Err(e) => {
                drop(stop);
                started.into_iter().for_each(|t| drop(t.join()));
                return Err(NoThread(e));
            }
        }
    }
    drop(stop);
    started.into_iter().for_each(|t| drop(t.join()));
    Ok(())
}

/// For an event loop that is not an async runtime (fetch-reactor's reactor, fetch-green's hub):
/// the keys of the lookups that have answered, and how to wake the loop. Each lookup is polled
/// with a [`waker`](Woken::waker) that names it; the loop [`take`](Woken::take)s the keys when
/// it wakes and polls those lookups again.
pub struct Woken {
    keys: Mutex<Vec<usize>>,
    notify: Box<dyn Fn() + Send + Sync>,
}

impl std::fmt::Debug for Woken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Woken").finish_non_exhaustive()
    }
}

impl Woken {
    /// `notify` wakes the loop (a `mio::Waker`'s `wake`, say); it runs on the lookup's thread.
    pub fn new(notify: impl Fn() + Send + Sync + 'static) -> Arc<Woken> {
        Arc::new(Woken {
            keys: Mutex::default(),
            notify: Box::new(notify),
        })
    }

    /// A waker that adds `key` to the list and wakes the loop.
    pub fn waker(self: &Arc<Self>, key: usize) -> Waker {
        Waker::from(Arc::new(KeyWaker {
            key,
            woken: self.clone(),
        }))
    }

    /// The keys woken since the last call.
    pub fn take(&self) -> Vec<usize> {
        std::mem::take(&mut *self.keys.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

struct KeyWaker {
    key: usize,
    woken: Arc<Woken>,
}

impl std::task::Wake for KeyWaker {
    fn wake(self: Arc<Self>) {
        let woken = &self.woken;
        woken
            .keys
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(self.key);
        (woken.notify)();
    }
}

impl Future for Lookup {
    type Output = Result<Vec<SocketAddr>, Dns>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut slot = self.slot();
        match self.take(&mut slot) {
            Some(answer) => Poll::Ready(answer),
            None => {
                // The waker of this poll, as a future must keep: the task may have moved.
                slot.waker = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

/// Whether a connect's failure sends the client on to the host's next address: only a refusal
/// does (localhost is both `::1` and `127.0.0.1`, and a server may listen on one of them).
pub fn try_next_address(error: &FetchError) -> bool {
    error.kind() == ErrorKind::Refused
}

/// Connects to each of `addrs` in turn with `connect`, on to the next while one refuses: the
/// first connection made, or the last failure. The blocking models' and the green threads' way.
pub fn connect_first<T>(
    addrs: impl IntoIterator<Item = SocketAddr>,
    mut connect: impl FnMut(SocketAddr) -> io::Result<T>,
) -> Result<T, FetchError> {
    let mut made = Err(FetchError::new(ErrorKind::Dns, "no address"));
    for addr in addrs {
        made = connect(addr).map_err(FetchError::from);
        if !matches!(&made, Err(e) if try_next_address(e)) {
            break;
        }
    }
    made
}

/// [`connect_first`] for a connect that is awaited.
pub async fn connect_first_async<T, F: Future<Output = io::Result<T>>>(
    addrs: impl IntoIterator<Item = SocketAddr>,
    mut connect: impl FnMut(SocketAddr) -> F,
) -> Result<T, FetchError> {
    let mut made = Err(FetchError::new(ErrorKind::Dns, "no address"));
    for addr in addrs {
        made = connect(addr).await.map_err(FetchError::from);
        if !matches!(&made, Err(e) if try_next_address(e)) {
            break;
        }
    }
    made
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block_on<F: Future>(future: F) -> F::Output {
        let mut future = std::pin::pin!(future);
        let mut cx = Context::from_waker(Waker::noop());
        loop {
            if let Poll::Ready(value) = future.as_mut().poll(&mut cx) {
                return value;
            }
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
    }

    #[test]
    fn a_name_resolves_and_a_bad_one_is_dns() {
        let addrs = block_on(lookup("localhost", 8080).unwrap()).unwrap();
        assert!(
            addrs
                .iter()
                .all(|a| a.port() == 8080 && a.ip().is_loopback())
        );
        let ip = block_on(lookup("::1", 443).unwrap()).unwrap();
        assert_eq!(ip, vec!["[::1]:443".parse().unwrap()]);
        let err = block_on(lookup("no-such-host.invalid", 80).unwrap()).unwrap_err();
        assert!(err.to_string().contains("no-such-host.invalid"), "{err}");
        let waited = lookup("localhost", 80)
            .unwrap()
            .wait(Duration::from_secs(30));
        assert!(matches!(waited, Some(Ok(addrs)) if !addrs.is_empty()));
    }

    /// Eight threads wake 2,000 keys each while the loop takes them after each notification,
    /// as the reactor and the green hub do: every key arrives, none is lost between a wake and
    /// a take.
    #[test]
    fn no_wake_up_is_lost() {
        let (tell, told) = std::sync::mpsc::channel();
        let woken = Woken::new(move || {
            let _ = tell.send(());
        });
        let wakers: Vec<_> = (0..8)
            .map(|t| {
                let woken = woken.clone();
                std::thread::spawn(move || {
                    for k in 0..2000 {
                        woken.waker(t * 2000 + k).wake();
                    }
                })
            })
            .collect();
        let mut seen = std::collections::HashSet::new();
        while seen.len() < 16_000 {
            told.recv_timeout(Duration::from_secs(10))
                .expect("a notification for every key not yet taken");
            seen.extend(woken.take());
        }
        wakers.into_iter().for_each(|w| w.join().unwrap());
        assert_eq!(seen.len(), 16_000);
    }
    #[test]
    fn connect_first_goes_on_past_a_refusal_only() {
        let refused = || io::Error::from(io::ErrorKind::ConnectionRefused);
        let addrs: Vec<SocketAddr> =
            vec!["[::1]:1".parse().unwrap(), "127.0.0.1:1".parse().unwrap()];
        let mut tried = Vec::new();
        let made = connect_first(addrs.clone(), |a| {
            tried.push(a);
            if a.is_ipv6() { Err(refused()) } else { Ok(a) }
        });
        assert_eq!(made.unwrap(), addrs[1]);
        assert_eq!(tried, addrs);
        let mut tried = 0;
        let made = connect_first(addrs.clone(), |_| -> io::Result<()> {
            tried += 1;
            Err(io::Error::from(io::ErrorKind::TimedOut))
        });
        assert_eq!(made.unwrap_err().kind(), ErrorKind::Timeout);
        assert_eq!(
            tried, 1,
            "a timeout is the endpoint's answer, not a reason to try on"
        );
        let none = connect_first(Vec::new(), |_| -> io::Result<()> { unreachable!() });
        assert_eq!(none.unwrap_err().kind(), ErrorKind::Dns);
    }
}
