//! The waiting programs: how far each gets, what a waiter costs, and the published tables.

use super::*;
use runfiles::{WaitRun, WaitStatus};
use tables::waits::{at, labels, mb, ns, published_rows};

/// The largest N of the run.
fn top(run: &Results) -> Result<u64, Unsupported> {
    need(ns(run).last().copied(), "the waiting programs")
}

fn bytes(b: f64) -> String {
    if b < 10_000.0 {
        format!("{} bytes", group(b.round() as u64))
    } else {
        kib(b)
    }
}

/// Which programs waited every waiter at the largest N, and which met a limit, by name.
pub fn waits_reach(run: &Results) -> Claim {
    let n = top(run)?;
    let runs: Vec<&WaitRun> = labels(run)
        .iter()
        .filter_map(|label| at(run, label, n))
        .collect();
    let complete: Vec<String> = runs
        .iter()
        .filter(|w| w.complete())
        .map(|w| format!("`{}`", w.label()))
        .collect();
    let broken: Vec<String> = runs
        .iter()
        .filter(|w| w.status == WaitStatus::Broken)
        .map(|w| format!("`{}` ({})", w.label(), w.note))
        .collect();
    let limited: Vec<String> = runs
        .iter()
        .filter(|w| w.status == WaitStatus::Limited)
        .map(|w| {
            format!(
                "- `{}`: {} waiting when {} stopped the next.",
                w.label(),
                group(w.waited.unwrap_or(0)),
                w.limit
            )
        })
        .collect();
    holds!(!complete.is_empty(), "no program waited all {}", group(n));
    let mut t = format!(
        "At N = {}, {} of the {} programs waited every waiter: {}.",
        group(n),
        complete.len(),
        runs.len(),
        list(&complete)
    );
    if !limited.is_empty() {
        t.push_str(&format!(
            " The others met a limit of this machine, each named as it met it:\n\n{}",
            limited.join("\n")
        ));
    }
    if !broken.is_empty() {
        t.push_str(&format!(
            " And {} did not finish: the run reports no figure for it there.",
            list(&broken)
        ));
    }
    t.push('\n');
    Ok(t)
}

/// What a waiter costs at the largest N each program completed: the floor, the tasks, the rest.
pub fn waits_cost(run: &Results) -> Claim {
    let n = top(run)?;
    let per = |label: &str| -> Result<f64, Unsupported> {
        let w = at(run, label, n).filter(|w| w.complete());
        need(
            w.and_then(|w| w.per_waiter),
            format!("{label} at N = {}, every waiter", group(n)),
        )
    };
    let floor = per("waits-join-all")?;
    let tasks: Vec<(String, f64)> = [
        "waits-tokio",
        "waits-smol",
        "waits-async-std",
        "waits-compio",
    ]
    .iter()
    .filter_map(|m| per(m).ok().map(|v| (m.to_string(), v)))
    .collect();
    let reactor = per("waits-reactor")?;
    let rust: Vec<(String, f64)> = tasks
        .iter()
        .cloned()
        .chain([
            ("waits-join-all".to_string(), floor),
            ("waits-reactor".to_string(), reactor),
        ])
        .collect();
    let (cheapest, dearest) = (least(&tasks)?, most(&tasks)?);
    let (lowest, lowest_at) = least(&rust)?;
    let mut t = format!(
        "At N = {}, the least a waiter costs in Rust is {} (`{lowest}`). Sleep futures joined on \
         one thread with no task at all (`waits-join-all`) cost {} each. A Deferred on the \
         reactor's timer heap costs {}. A task costs {} (`{}`) to {} (`{}`), {} the joined \
         futures'.",
        group(n),
        bytes(*lowest_at),
        bytes(floor),
        bytes(reactor),
        bytes(cheapest.1),
        cheapest.0,
        bytes(dearest.1),
        dearest.0,
        span(cheapest.1 / floor, dearest.1 / floor, times),
    );
    let python: Vec<(String, f64)> = catalogue::WAITERS
        .iter()
        .filter(|w| w.language == catalogue::Language::Python)
        .filter_map(|w| per(w.name).ok().map(|v| (w.name.to_string(), v)))
        .collect();
    if let (Ok(low), Ok(high)) = (least(&python), most(&python)) {
        t.push_str(&format!(
            " In Python a waiter costs {} (`{}`) to {} (`{}`).",
            bytes(low.1),
            low.0,
            bytes(high.1),
            high.0
        ));
    }
    if let Ok(node) = per("timeouts.mjs") {
        t.push_str(&format!(
            " In Node a promise and its timer cost {}.",
            bytes(node)
        ));
    }
    t.push('\n');
    Ok(t)
}

/// "So cheap they are nearly free": what a green thread costs, at two sizes of stack.
pub fn waits_green(run: &Results) -> Claim {
    let largest = |label: &str| -> Result<&WaitRun, Unsupported> {
        need(
            ns(run)
                .iter()
                .rev()
                .filter_map(|&n| at(run, label, n))
                .find(|w| w.complete()),
            format!("{label}, every waiter, at some N"),
        )
    };
    let big = largest("waits-green")?;
    let small = largest("waits-green --stack-kib 16")?;
    let per = |w: &WaitRun| need(w.per_waiter, format!("{} per waiter", w.label()));
    let mut t = format!(
        "A green thread of the hub costs {} with its 256 KiB stack (N = {}), and {} with 16 KiB \
         (N = {}). A stack is address space; only the pages a green thread touches are memory.",
        bytes(per(big)?),
        group(big.n),
        bytes(per(small)?),
        group(small.n),
    );
    let eventlet = largest("eventlet_waits.py").and_then(|w| Ok((w.n, per(w)?)));
    let gevent = largest("gevent_waits.py").and_then(|w| Ok((w.n, per(w)?)));
    if let (Ok(e), Ok(g)) = (eventlet, gevent) {
        t.push_str(&format!(
            " eventlet's green thread costs {} (N = {}) and gevent's greenlet {} (N = {}): \
             \"nearly free\", in bytes.",
            bytes(e.1),
            group(e.0),
            bytes(g.1),
            group(g.0)
        ));
    }
    t.push('\n');
    Ok(t)
}

/// This run's figures at 1,000,000 beside the published ones.
pub fn waits_published(run: &Results, tsv: &str) -> Claim {
    let rows = published_rows(tsv);
    let tokio = need(
        at(run, "waits-tokio", 1_000_000)
            .filter(|w| w.complete())
            .and_then(|w| w.peak_rss),
        "waits-tokio at N = 1,000,000",
    )?;
    let theirs: Vec<f64> = rows
        .iter()
        .filter(|r| r.like == "waits-tokio" && r.n == 1_000_000)
        .map(|r| r.memory_mb * 1e6)
        .collect();
    let (low, high) = need(extremes(&theirs), "the published tokio figures")?;
    // In the published tables' unit, decimal megabytes, as the table beside it.
    Ok(format!(
        "tokio's million tasks take {} here, against {} in the published tables. Their machines, \
         versions and programs differ: see above.\n",
        mb(tokio),
        span(low, high, mb),
    ))
}
