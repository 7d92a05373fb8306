//! What every client and runtime of the workspace shares, and nothing more: why a fetch failed
//! ([`FetchError`], sorted into an [`ErrorKind`] by the types of its cause), a body as it arrives
//! ([`Body`], [`Page`], redirects), a name looked up on a thread of its own ([`lookup`], with
//! [`Woken`] for event loops that are woken by other threads), how many threads the machine
//! allows ([`thread_budget`]), and the timing helper ([`timeit`], [`timed`], [`Stopwatch`]) with
//! the process's own figures ([`Usage`]).
//!
//! The runtimes written out here (the `reactor`, the `green` hub, the sans-IO `h1`) depend on this
//! crate alone: it knows no command line, no report, no server and no runtime. The run itself
//! (flags, endpoints, the report, the embedded origin) is the `common` crate's.
//!
//! Errors: an endpoint's failure is a [`FetchError`], a kind and the client's own words for it,
//! which each client sorts from its library's typed errors ([`FetchError::classify_with`]).
//! Callers branch on the kind; nothing here reads an error's text.

mod error;
mod limits;
mod lookup;
mod page;
mod timing;

pub use error::{Dns, ErrorKind, FetchError, NoThread, check_length, check_status};
pub use limits::{FdLimit, ThreadBudget, raise_fd_limit, thread_budget};
pub use lookup::{
    Lookup, Woken, check_threads, connect_first, connect_first_async, lookup, try_next_address,
};
pub use page::{Body, Keep, MAX_REDIRECTS, Page, follow_redirects, next_hop};
pub use timing::{Elapsed, Stopwatch, Usage, peak_in_flight, timeit, timeit_async, warn_past};

/// How long a server waits after an accept failed (no descriptors left, say) before trying
/// again: the connection waits in the backlog meanwhile, and the loop does not spin. Every
/// server's accept loop holds to it: the reactor's, the green hub's and servekit's.
pub const ACCEPT_PAUSE: std::time::Duration = std::time::Duration::from_millis(10);

/// `1234567` as `1,234,567`, as the report prints counts.
pub fn group(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_grouped_by_thousands() {
        assert_eq!(group(0), "0");
        assert_eq!(group(999), "999");
        assert_eq!(group(1000), "1,000");
        assert_eq!(group(91_996_160), "91,996,160");
    }
}
