//! What SERVERS.md says of the talk's language: the Python servers beside the Rust ones.

use super::*;
use crate::servers::{p_ms, rps};
use rundata::Point;

/// The Python servers beside the Rust ones.
pub fn python_servers(run: &Results) -> Claim {
    let s = &run.servers;
    let python: Vec<&catalogue::Python> = catalogue::PYTHON_SERVERS
        .iter()
        .filter(|p| s.point(p.name, 100).is_some())
        .collect();
    if python.is_empty() {
        return Err(Unsupported::Missing("the Python servers".into()));
    }
    let near: Vec<f64> = python
        .iter()
        .filter_map(|p| s.point(p.name, 100).map(Point::of_ideal))
        .collect();
    let (near_low, _) = need(extremes(&near), "the Python servers at 100")?;
    holds!(
        near_low >= 0.7,
        "a Python server is below 70% of the ideal at C = 100"
    );
    let ratios: Vec<f64> = python
        .iter()
        .filter_map(|p| {
            let py = s.point(p.name, 100)?;
            let rust = s.point(p.beside, 100)?;
            Some(py.cpu_us() / rust.cpu_us())
        })
        .collect();
    let at_1000: Vec<(String, f64)> = python
        .iter()
        .filter_map(|p| Some((p.name.to_string(), s.point(p.name, 1000)?.rps)))
        .collect();
    let (worst, worst_rps) = least(&at_1000)?.clone();
    let (best, best_rps) = most(&at_1000)?.clone();
    // The thread per connection at 1,000: its tail against the loops'.
    let threads_1000 = need(
        s.point("serve_threads.py", 1000),
        "serve_threads.py at 1,000",
    )?;
    let loop_p99: Vec<f64> = python
        .iter()
        .filter(|p| p.name != "serve_threads.py")
        .filter_map(|p| s.point(p.name, 1000).map(|pt| pt.p99_ms))
        .collect();
    let (_, loop_p99_high) = need(extremes(&loop_p99), "the Python loops' p99")?;
    holds!(
        threads_1000.p99_ms > loop_p99_high,
        "serve_threads.py's p99 at C = 1,000 is no longer than every Python loop's"
    );
    let busy: Vec<f64> = python
        .iter()
        .filter_map(|p| {
            let pt = s.point(p.name, 1000)?;
            Some(pt.server_cpu_s / pt.seconds)
        })
        .collect();
    let (busy_low, _) = need(extremes(&busy), "the Python servers' CPU")?;
    holds!(
        busy_low >= 0.75,
        "a Python server used only {} of a core at C = 1,000",
        percent(busy_low)
    );
    let mut t = format!(
        "**In Python the answer comes sooner, and it is the same.** Up to 100 connections \
         every Python server answers most of the ideal: {} of it. Each spends {} the Rust \
         servers' CPU per request. At 1,000 connections every one is out of CPU, one core's \
         worth ({} of a core each): the GIL lets one thread run Python at a time. They answer \
         from {} requests/s (`{}`) to {} (`{}`), against the ideal's {}. There the thread per \
         connection has by far the longest tail: a p99 of {}, where the loops' is {}. Its \
         threads wait their turn for the lock.",
        span_of(&near, "near", percent)?,
        span_of(&ratios, "ratios", times)?,
        span_of(&busy, "busy", percent)?,
        group(worst_rps.round() as u64),
        worst,
        group(best_rps.round() as u64),
        best,
        group((1000.0 / rundata::WAIT_S) as u64),
        p_ms(threads_1000.p99_ms),
        span_of(&loop_p99, "the loops' p99", p_ms)?,
    );
    if let Some(threads) = s.point("serve_threads.py", 10_000) {
        let accepted = threads.accepted;
        holds!(
            accepted + 1.0 < 10_000.0,
            "serve_threads.py took every connection at C = 10,000"
        );
        t.push_str(&format!(
            " Past that the thread per connection cannot even take its connections. At 10,000 it \
             accepted {} of them, with never more than {} threads, and answered {} requests/s. \
             Its accept loop is Python too, and waits its turn for the lock.",
            group(accepted as u64),
            group(threads.peak_threads as u64),
            rps(threads),
        ));
    }
    t.push_str(
        " So a yielding approach does work better than threading in Python, from fewer \
         connections than in Rust. What decides between the Python loops is how much Python \
         each request runs.\n",
    );
    Ok(t)
}
