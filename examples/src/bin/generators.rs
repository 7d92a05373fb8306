//! Generators: a list built in memory against values made as they are needed.
//!
//! The talk "Asynchronicity" opens with `nogenerator.py` (append 0..9999 to a list, then loop
//! over it), `generatorlong.py` (a class with `__next__`) and `generator.py` (a function with
//! `yield`), and prints each one's memory and time. In Rust the three are a `Vec`, a struct that
//! implements `Iterator`, and `std::iter::from_fn` over a closure (Rust's `gen` blocks are not
//! stable yet). Ten thousand values are too few to see on a modern machine, so this counts to
//! ten million.
//!
//! Run with:
//! ```sh
//! cargo run --release -p talk-examples --bin generators
//! ```

use std::hint::black_box;
use std::time::{Duration, Instant};

const TOP: u64 = 10_000_000;

// ANCHOR: no_generator
/// nogenerator.py: build the whole list, then hand it over.
fn no_generator(top: u64) -> Vec<u64> {
    let mut result = Vec::new();
    let mut i = 0;
    while i < top {
        result.push(i);
        i += 1;
    }
    result
}
// ANCHOR_END: no_generator

// ANCHOR: iterator
/// generatorlong.py: an object that remembers where it is and makes the next value on demand.
struct Generator {
    top: u64,
    i: u64,
}

impl Iterator for Generator {
    type Item = u64;

    fn next(&mut self) -> Option<u64> {
        let c = self.i;
        (c < self.top).then(|| {
            self.i += 1;
            c
        })
    }
}
// ANCHOR_END: iterator

// ANCHOR: generator
/// generator.py: the same, written as a function whose state lives in a closure.
fn generator(top: u64) -> impl Iterator<Item = u64> {
    let mut i = 0;
    std::iter::from_fn(move || {
        let c = i;
        (c < top).then(|| {
            i += 1;
            c
        })
    })
}
// ANCHOR_END: generator

/// CPU time so far and resident memory now, as the talk's `ResourceHelper` read them.
#[derive(Debug, Clone, Copy)]
struct Usage {
    user: Duration,
    sys: Duration,
    /// Resident set size (`VmRSS`), in bytes; zero where `/proc` is not available.
    rss: u64,
}

impl Usage {
    fn now() -> Usage {
        // SAFETY: an all-zero rusage is a valid value for getrusage to fill in.
        let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: `ru` is valid and writable for the duration of the call.
        unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) };
        let time = |tv: libc::timeval| {
            Duration::from_secs(tv.tv_sec as u64) + Duration::from_micros(tv.tv_usec as u64)
        };
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        let rss_kib = status
            .lines()
            .find_map(|line| line.strip_prefix("VmRSS:"))
            .and_then(|rest| rest.split_whitespace().next()?.parse::<u64>().ok())
            .unwrap_or(0);
        Usage {
            user: time(ru.ru_utime),
            sys: time(ru.ru_stime),
            rss: rss_kib * 1024,
        }
    }
}

/// The talk's `ResourceHelper.usage()`: memory held and CPU and wall time spent by `f`.
fn usage(module: &str, f: impl FnOnce() -> u64) {
    let before = Usage::now();
    let start = Instant::now();
    let sum = black_box(f());
    let time = start.elapsed();
    let after = Usage::now();
    let utime = (after.user - before.user).as_secs_f64();
    let stime = (after.sys - before.sys).as_secs_f64();
    println!("module: {module}");
    println!(
        "mem:    {:>12} bytes held at the end",
        after.rss.saturating_sub(before.rss)
    );
    println!(
        "utime:  {utime:.6}\nstime:  {stime:.6}\ncpu:    {:.6}",
        utime + stime
    );
    println!("time:   {:.6}\n(sum {sum})\n", time.as_secs_f64());
}

fn main() {
    // The iterators first: the list's pages, once touched, stay with the process.
    // black_box on every value keeps the optimizer from summing 0..TOP by formula: each value
    // is really made and used, as in the talk's `for i in ...: pass`.
    usage("generator (iter::from_fn)", || {
        generator(TOP).map(black_box).sum()
    });
    usage("generatorlong (impl Iterator)", || {
        Generator { top: TOP, i: 0 }.map(black_box).sum()
    });
    let mut list = Vec::new();
    usage("nogenerator (Vec)", || {
        list = no_generator(TOP);
        list.iter().copied().map(black_box).sum()
    });
    drop(list);
}
