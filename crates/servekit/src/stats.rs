//! The server's counters, for `GET /stats` and for the benchmark.

use std::io;
use std::sync::atomic::{AtomicU64, Ordering};

/// What a server counts, for `GET /stats` and for the benchmark.
#[derive(Debug, Default)]
pub struct Stats {
    accepted: AtomicU64,
    refused: AtomicU64,
    requests: AtomicU64,
    rejected: AtomicU64,
    timed_out: AtomicU64,
    closed_idle: AtomicU64,
    abandoned: AtomicU64,
}

static STATS: Stats = Stats {
    accepted: AtomicU64::new(0),
    refused: AtomicU64::new(0),
    requests: AtomicU64::new(0),
    rejected: AtomicU64::new(0),
    timed_out: AtomicU64::new(0),
    closed_idle: AtomicU64::new(0),
    abandoned: AtomicU64::new(0),
};

/// The server's counters.
pub fn stats() -> &'static Stats {
    &STATS
}

impl Stats {
    /// A connection was accepted.
    pub fn accepted(&self) {
        self.accepted.fetch_add(1, Ordering::Relaxed);
    }

    /// A connection could not be served: the accept failed, or no thread, task or stack could
    /// be had for it. The connection is closed (or left in the backlog); the server goes on.
    /// The first refusal is printed to stderr.
    pub fn refused(&self, why: &io::Error) {
        if self.refused.fetch_add(1, Ordering::Relaxed) == 0 {
            eprintln!("{}: refused a connection: {why}", common::model_name());
        }
    }

    /// A connection whose request head did not arrive in time was closed.
    pub fn timed_out(&self) {
        self.timed_out.fetch_add(1, Ordering::Relaxed);
    }

    /// A connection waiting for its next request was closed to make room for a new one.
    pub fn closed_idle(&self) {
        self.closed_idle.fetch_add(1, Ordering::Relaxed);
    }

    /// A request's wait was cancelled: its client had left ([`crate::hangup`]).
    pub fn abandoned(&self) {
        self.abandoned.fetch_add(1, Ordering::Relaxed);
    }

    /// The counters as one JSON object.
    pub fn to_json(&self) -> String {
        let get = |n: &AtomicU64| n.load(Ordering::Relaxed);
        format!(
            r#"{{"accepted":{},"refused":{},"requests":{},"rejected":{},"timed_out":{},"closed_idle":{},"abandoned":{}}}"#,
            get(&self.accepted),
            get(&self.refused),
            get(&self.requests),
            get(&self.rejected),
            get(&self.timed_out),
            get(&self.closed_idle),
            get(&self.abandoned),
        )
    }
}

impl Stats {
    /// A request was routed.
    pub(crate) fn request(&self) {
        self.requests.fetch_add(1, Ordering::Relaxed);
    }

    /// A request was refused: a bad head, a bad route, parameters out of range.
    pub(crate) fn rejected(&self) {
        self.rejected.fetch_add(1, Ordering::Relaxed);
    }
}
