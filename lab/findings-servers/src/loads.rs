//! What SERVERS.md says of the two modes a benchmark-savvy reader asks for: the servers at
//! fixed offered rates (latency corrected for coordinated omission), and the Rust servers with
//! the load generator on a core of its own.

use std::fmt::Write as _;

use super::*;
use crate::servers::p_ms as ms;
use findings::claim::{capital, possessive};
use rundata::{Point, Rates as _};
use runfiles::RateRun;

/// The servers at fixed rates: who held the highest rate at each C and at what p99, and the
/// thread per connection beside the best event loop.
pub fn servers_rates(run: &Results) -> Claim {
    let rates = &run.rates[..];
    let cs = rates.connections();
    need(cs.first(), "the servers at fixed rates")?;
    let mut t = String::new();
    for &c in &cs {
        let shares = rates.shares(c);
        let top = *need(shares.last(), "a rate")?;
        let at_top: Vec<&RateRun> = rates
            .iter()
            .filter(|r| r.connections == c && r.share == top)
            .collect();
        let offered = need(at_top.first(), "a server at the highest rate")?.offered_rps;
        let mut held: Vec<&RateRun> = at_top.iter().copied().filter(|r| r.held).collect();
        held.sort_by(|a, b| a.p99_ms.total_cmp(&b.p99_ms));
        let missed: Vec<String> = at_top
            .iter()
            .filter(|r| !r.held)
            .map(|r| {
                if r.alive {
                    name(&r.server)
                } else {
                    format!("{} (died)", name(&r.server))
                }
            })
            .collect();
        let every = rates
            .servers()
            .into_iter()
            .filter(|server| {
                shares
                    .iter()
                    .all(|&share| rates.at(server, c, share).is_some_and(|r| r.held))
            })
            .count();
        let _ = write!(
            t,
            "At C = {} and {} of the best closed-loop rate ({}/s), ",
            group(c),
            percent(top),
            group(offered),
        );
        let lowest = held.first().map(|r| {
            format!(
                " The lowest p99 was {}, {}.",
                possessive(&name(&r.server)),
                ms(r.p99_ms)
            )
        });
        let held: Vec<String> = held.iter().map(|r| name(&r.server)).collect();
        match (held.is_empty(), missed.is_empty()) {
            (false, true) => {
                let _ = write!(t, "every server held the rate.");
            }
            (false, false) => {
                let _ = write!(
                    t,
                    "{} of the {} servers held the rate: {}. {} did not; the table shows what \
                     each achieved.",
                    held.len(),
                    at_top.len(),
                    list(&held),
                    capital(&list(&missed))
                );
            }
            _ => {
                let _ = write!(
                    t,
                    "no server held the rate. The table shows what each achieved."
                );
            }
        }
        t.push_str(&lowest.unwrap_or_default());
        let _ = write!(
            t,
            " {} of the {} servers held every rate offered at this C.",
            every,
            rates.servers().len()
        );
        // The thread per connection against the best event loop, at the highest rate both held.
        let threads_and_best = shares.iter().rev().find_map(|&share| {
            let threads = rates.at("serve-threads", c, share).filter(|r| r.held)?;
            let best = rates
                .iter()
                .filter(|r| {
                    r.connections == c
                        && r.share == share
                        && r.held
                        && r.setup().is_rust()
                        && r.server != "serve-threads"
                })
                .min_by(|a, b| a.p99_ms.total_cmp(&b.p99_ms))?;
            Some((share, threads, best))
        });
        if let Some((share, threads, best)) = threads_and_best {
            let _ = write!(
                t,
                " At {}, the highest rate the thread per connection held, its p99 was {} and \
                 its p99.9 {}. The best event loop there ({}) had {} and {}.",
                percent(share),
                ms(threads.p99_ms),
                ms(threads.p999_ms),
                name(&best.server),
                ms(best.p99_ms),
                ms(best.p999_ms),
            );
        } else if rates.at("serve-threads", c, shares[0]).is_some() {
            t.push_str(" The thread per connection held none of the rates offered here.");
        }
        t.push_str("\n\n");
    }
    // What the load generator took: oha sends and corrects on the same cores as the server.
    let busiest = need(
        rates
            .iter()
            .filter(|r| r.seconds > 0.0)
            .map(|r| r.load_cpu_s / (r.seconds * f64::from(run.cores())))
            .reduce(f64::max),
        "the load generator's CPU at a fixed rate",
    )?;
    let _ = writeln!(
        t,
        "oha shares the {} with the server in these runs, and took up to {} of their time. \
         A rate no server held may be a rate oha could not send beside it. So a missed rate is \
         written as what was achieved, not as the server's ceiling.",
        match run.cores() {
            1 => "one core".to_string(),
            n => format!("{n} cores"),
        },
        percent(busiest)
    );
    Ok(t)
}

/// A pinned point at `c`, lived through every run.
fn pinned<'a>(run: &'a Results, server: &str, c: u64) -> Result<&'a Point, Unsupported> {
    crate::servers::lived(&run.pinned, " pinned", server, c)
}

/// The Rust servers pinned apart from the load generator: the reactor against tokio, compio
/// against the reactor, smol against tokio, each said as it is.
pub fn servers_pinned(run: &Results) -> Claim {
    let cs: Vec<u64> = run
        .pinned
        .connections()
        .into_iter()
        .filter(|c| [5_000, 10_000].contains(c))
        .collect();
    need(cs.first(), "the servers pinned at C = 5,000 or 10,000")?;
    let runs = need(
        run.pinned.points.iter().map(|p| p.runs).min(),
        "the pinned runs",
    )?;
    let at = |c: u64| format!("C = {}", group(c));
    let mut reactor_said = Vec::new();
    let mut compio_said = Vec::new();
    let mut smol_said = Vec::new();
    let mut busy = Vec::new();
    for &c in &cs {
        let reactor = pinned(run, "serve-reactor", c)?;
        let tokio = pinned(run, "serve-tokio", c)?;
        let compio = pinned(run, "serve-compio", c)?;
        let smol = pinned(run, "serve-smol", c)?;
        let versus = if reactor.cpu_us() <= tokio.cpu_us() {
            "at or below"
        } else {
            "above"
        };
        reactor_said.push(format!(
            "{:.1} µs at {}, {versus} tokio's {:.1} µs",
            reactor.cpu_us(),
            at(c),
            tokio.cpu_us()
        ));
        let ratio = compio.cpu_us() / reactor.cpu_us();
        compio_said.push(format!(
            "{ratio:.2}x at {} ({})",
            at(c),
            if ratio <= 0.8 {
                "meeting 0.8x"
            } else {
                "missing 0.8x"
            }
        ));
        let shared = match (
            run.servers.point("serve-smol", c),
            run.servers.point("serve-tokio", c),
        ) {
            (Some(s), Some(t)) => format!(", {:.2}x shared", s.cpu_us() / t.cpu_us()),
            _ => String::new(),
        };
        smol_said.push(format!(
            "{:.2}x pinned{shared} at {}",
            smol.cpu_us() / tokio.cpu_us(),
            at(c)
        ));
        busy.push(reactor.server_cpu_s / reactor.seconds);
    }
    let (low, high) = need(extremes(&busy), "the reactor's busy core")?;
    Ok(format!(
        "Pinned, the server has one core and one wrk thread another; each figure is the median \
         of {runs} runs. serve-reactor's CPU per request is {}. Its core was busy {} of each \
         run. With one core to spend, a loop that does less per request has more of it left \
         for more requests. serve-compio's CPU per request, as a multiple of the reactor's, is {}. \
         serve-smol's, as a multiple of tokio's, is {}.\n",
        list(&reactor_said),
        span(low, high, percent),
        list(&compio_said),
        list(&smol_said),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rate(server: &str, share: f64, p99_ms: f64, held: bool) -> RateRun {
        RateRun {
            server: server.into(),
            connections: 1000,
            share,
            offered_rps: (20_000.0 * share) as u64,
            achieved_rps: if held { 20_000.0 * share } else { 9_000.0 },
            p50_ms: 51.0,
            p99_ms,
            p999_ms: p99_ms + 10.0,
            max_ms: p99_ms + 20.0,
            errors: 0,
            alive: true,
            held,
            server_cpu_s: 1.0,
            load_cpu_s: 3.0,
            requests: 50_000,
            seconds: 5.0,
            ..RateRun::default()
        }
    }

    #[test]
    fn the_rates_claim_names_who_held_the_top_rate_and_who_did_not() {
        let mut run = Results::default();
        assert!(servers_rates(&run).is_err(), "no rates, no claim");
        run.rates = vec![
            rate("serve-threads", 0.5, 60.0, true),
            rate("serve-reactor", 0.5, 55.0, true),
            rate("serve-threads", 0.9, 900.0, false),
            rate("serve-reactor", 0.9, 70.0, true),
        ];
        let text = servers_rates(&run).unwrap();
        assert!(
            text.contains("1 of the 2 servers held the rate: the reactor."),
            "{text}"
        );
        assert!(
            text.contains("Threads did not")
                && text.contains("The lowest p99 was the reactor's, 70.0 ms."),
            "{text}"
        );
        assert!(
            text.contains("1 of the 2 servers held every rate"),
            "{text}"
        );
        assert!(text.contains("At 50%, the highest rate the thread per connection held"));
    }

    #[test]
    fn the_pinned_claim_says_a_missed_target_as_missed() {
        let pinned =
            |server: &str, rps: f64, cpu_s_per_1000: f64, server_cpu_s: f64| runfiles::ServerRun {
                server: server.into(),
                connections: 5000,
                repeat: 1,
                alive: true,
                rps,
                cpu_s_per_1000,
                server_cpu_s,
                seconds: 5.0,
                ..runfiles::ServerRun::default()
            };
        let mut run = Results::default();
        assert!(servers_pinned(&run).is_err());
        run.pinned = rundata::Servers::from_runs(&[
            pinned("serve-tokio", 40000.0, 0.020, 4.0),
            pinned("serve-reactor", 50000.0, 0.018, 5.0),
            pinned("serve-compio", 50000.0, 0.016, 5.0),
            pinned("serve-smol", 40000.0, 0.024, 4.0),
        ]);
        let text = servers_pinned(&run).unwrap();
        assert!(
            text.contains("18.0 µs at C = 5,000, at or below tokio's 20.0 µs"),
            "{text}"
        );
        assert!(text.contains("0.89x at C = 5,000 (missing 0.8x)"), "{text}");
        assert!(text.contains("1.20x pinned at C = 5,000"), "{text}");
    }
}
