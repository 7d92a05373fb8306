//! The servers' tables: every server at every number of connections, the thread per
//! connection C by C, the targets, the hostile clients and the system calls per request. The
//! claims that read them are in the `findings` crate.

use std::fmt::Write as _;

use figures::format::{group, mib, ms, or_dash};

use rundata::{Point, Results};
use runfiles::{Case, HostileRow};

/// A server's name in a table: its short name, with the flags of its setup.
pub fn short(server: &str) -> String {
    catalogue::short(server)
}

/// Every server at every C, as two tables that read without wrapping: what the clients got
/// (throughput and latency), then what it cost the server.
pub fn table(run: &Results) -> String {
    if run.servers.points.is_empty() {
        return "Not measured in this run.\n".into();
    }
    let mut served = String::from(
        "| C | server | requests/s | of ideal | p50 | p99 | max | errors | timeouts |\n\
         |---:|---|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    let mut cost = String::from(
        "| C | server | accepted | listen overflows | peak RSS | threads | CPU per request |\n\
         |---:|---|---:|---:|---:|---:|---:|\n",
    );
    for c in run.servers.connections() {
        for server in run.servers.servers() {
            let Some(p) = run.servers.point(server, c) else {
                continue;
            };
            let name = format!(
                "{}{}",
                short(server),
                if p.lived() { "" } else { " (died)" }
            );
            let _ = writeln!(
                served,
                "| {} | {name} | {} | {:.0}% | {} | {} | {} | {} | {} |",
                group(c),
                group(p.rps.round() as u64),
                100.0 * p.of_ideal(),
                ms(p.p50_ms),
                ms(p.p99_ms),
                ms(p.max_ms),
                group(p.errors as u64),
                group(p.timeouts as u64),
            );
            let _ = writeln!(
                cost,
                "| {} | {name} | {} | {} | {} | {} | {:.0} µs |",
                group(c),
                group(p.accepted as u64),
                if p.listen_overflows.is_nan() {
                    "–".into()
                } else {
                    group(p.listen_overflows as u64)
                },
                mib(p.peak_rss_kib * 1024.0),
                group(p.peak_threads as u64),
                p.cpu_us(),
            );
        }
    }
    format!("What the clients got:\n\n{served}\nWhat it cost the server:\n\n{cost}")
}

/// What a thread per connection takes, C by C, then what it serves beside the best event loop.
pub fn threads(run: &Results) -> String {
    if run.servers.point("serve-threads", 10).is_none() && run.servers.points.is_empty() {
        return "Not measured in this run.\n".into();
    }
    let mut takes = String::from(
        "| C | threads | peak RSS | RSS per connection | kernel stacks | virtual memory | \
         refused |\n|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    let mut serves = String::from(
        "| C | requests/s | p99 | max | the best loop's requests/s | its peak RSS |\n\
         |---:|---:|---:|---:|---:|---:|\n",
    );
    let or_dash = |kib: f64| {
        if kib.is_nan() {
            "–".into()
        } else {
            mib(kib * 1024.0)
        }
    };
    for c in run.servers.connections() {
        let Some(p) = run.servers.point("serve-threads", c) else {
            continue;
        };
        let best = run
            .servers
            .ranked(c)
            .into_iter()
            .find(|o| o.server != "serve-threads");
        let _ = writeln!(
            takes,
            "| {} | {} | {} | {:.1} KiB | {} | {} | {} |",
            group(c),
            group(p.peak_threads as u64),
            mib(p.peak_rss_kib * 1024.0),
            p.peak_rss_kib / c as f64,
            or_dash(p.kernel_stack_kib),
            or_dash(p.vm_peak_kib),
            group(p.refused as u64),
        );
        let _ = writeln!(
            serves,
            "| {} | {} | {} | {} | {} | {} |",
            group(c),
            group(p.rps.round() as u64),
            ms(p.p99_ms),
            ms(p.max_ms),
            best.map_or("–".into(), |b| format!(
                "{} ({})",
                group(b.rps.round() as u64),
                short(&b.server)
            )),
            best.map_or("–".into(), |b| mib(b.peak_rss_kib * 1024.0)),
        );
    }
    format!("{takes}\nWhat it serves, beside the best event loop at the same C:\n\n{serves}")
}

/// The servers the targets at C = 1,000 were set for: the runtimes', the reactor's and
/// compio's, with their loop-per-core setups.
const HELD: &[&str] = &["serve-tokio", "serve-smol", "serve-reactor", "serve-compio"];

/// A target's row: what, which server, the figure, the limit and whether it was met.
#[derive(Debug)]
pub struct Outcome {
    pub what: String,
    pub server: String,
    pub figure: Option<String>,
    pub limit: String,
    pub met: Option<bool>,
}

/// Every target of the servers with the figure reached.
pub fn outcomes(run: &Results) -> Vec<Outcome> {
    let mut all = Vec::new();
    let s = &run.servers;
    let ideal = 1000.0 / rundata::WAIT_S;
    let held: Vec<&str> = s
        .rust()
        .into_iter()
        .filter(|server| HELD.iter().any(|h| catalogue::program(server) == *h))
        .collect();
    for server in held {
        let p = s.point(server, 1000);
        all.push(Outcome {
            what: "C=1,000: requests/s ≥ 0.95 of the ideal".into(),
            server: server.into(),
            figure: p.map(|p| group(p.rps.round() as u64)),
            limit: group((0.95 * ideal) as u64),
            met: p.map(|p| p.rps >= 0.95 * ideal),
        });
        all.push(Outcome {
            what: "C=1,000: p99 ≤ 75 ms".into(),
            server: server.into(),
            figure: p.map(|p| format!("{:.1} ms", p.p99_ms)),
            limit: "75 ms".into(),
            met: p.map(|p| p.p99_ms <= 75.0),
        });
    }
    let best = s.ranked(5000).into_iter().next();
    all.push(Outcome {
        what: "C=5,000: the best server's requests/s ≥ 45,000".into(),
        server: best.map_or("–".into(), |p| p.server.clone()),
        figure: best.map(|p| group(p.rps.round() as u64)),
        limit: "45,000".into(),
        met: best.map(|p| p.rps >= 45_000.0),
    });
    for (mode, servers) in [("shared", s), ("pinned", &run.pinned)] {
        all.extend(cpu_outcomes(mode, servers));
    }
    for server in s.rust() {
        let p = s.point(server, 10_000);
        all.push(Outcome {
            what: "C=10,000: completes every run without crashing".into(),
            server: server.into(),
            figure: p.map(|p| format!("{} of {} runs", p.alive, p.runs)),
            limit: "every run".into(),
            met: p.map(Point::lived),
        });
    }
    all
}

/// The CPU-per-request targets in one mode at C = 5,000 and 10,000: the readiness loop the
/// project writes at or below tokio's (pinned, where one loop meets one loop), compio at 0.8x
/// that loop, smol at 1.2x tokio.
fn cpu_outcomes(mode: &str, s: &rundata::Servers) -> Vec<Outcome> {
    let mut all = Vec::new();
    let mut against = |c: u64, server: &str, base: &str, times: f64| {
        let (Some(p), Some(b)) = (s.point(server, c), s.point(base, c)) else {
            return;
        };
        let of = if times == 1.0 {
            format!("{}'s", catalogue::short(base))
        } else {
            format!("{times}x {}'s", catalogue::short(base))
        };
        all.push(Outcome {
            what: format!("C={}, {mode}: CPU per request ≤ {of}", group(c)),
            server: server.into(),
            figure: Some(format!("{:.1} µs", p.cpu_us())),
            limit: format!("{:.1} µs", times * b.cpu_us()),
            met: Some(p.cpu_us() <= times * b.cpu_us()),
        });
    };
    for c in [5_000, 10_000] {
        if mode == "pinned" {
            against(c, "serve-reactor", "serve-tokio", 1.0);
        }
        against(c, "serve-compio", "serve-reactor", 0.8);
        against(c, "serve-smol", "serve-tokio", 1.2);
    }
    all
}

pub fn targets(run: &Results) -> String {
    if run.servers.points.is_empty() {
        return "Not measured in this run.\n".into();
    }
    let mut t =
        String::from("| target | server | figure | limit | met |\n|---|---|---:|---:|---|\n");
    for o in outcomes(run) {
        let _ = writeln!(
            t,
            "| {} | {} | {} | {} | {} |",
            o.what,
            short(&o.server),
            o.figure.unwrap_or_else(|| "–".into()),
            o.limit,
            match o.met {
                Some(true) => "yes",
                Some(false) => "**no**",
                None => "not measured",
            }
        );
    }
    t
}

/// A new client's wait, or that it got no answer.
fn new_client(row: &HostileRow) -> String {
    row.new_client_ms
        .map_or("no answer".into(), |v| format!("{v:.1} ms"))
}

fn alive(row: &HostileRow) -> &'static str {
    if row.alive { "yes" } else { "**no**" }
}

fn kib_of(kib: u64) -> String {
    mib(kib as f64 * 1024.0)
}

/// The three hostile cases, a table each.
pub fn hostile(run: &Results) -> String {
    let (Some(h), false) = (&run.parts.hostile, run.hostile.is_empty()) else {
        return "Not measured in this run.\n".into();
    };
    let mut t = String::new();
    let idle = run.hostile_case(Case::Idle);
    if let Some(first) = idle.first() {
        let _ = writeln!(
            t,
            "{} connections that connect and send nothing, then a new client:\n\n\
             | server | alive | the new client's answer | RSS | RSS per idle connection | \
             kernel sockets | threads | idle ones closed for room |\n\
             |---|---|---:|---:|---:|---:|---:|---:|",
            group(first.connections)
        );
        for r in &idle {
            let _ = writeln!(
                t,
                "| {} | {} | {} | {} | {:.1} KiB | {} | {} | {} |",
                catalogue::short(&r.server),
                alive(r),
                new_client(r),
                kib_of(r.rss_kib),
                r.rss_per_connection_kib,
                kib_of(r.socket_mem_kib),
                group(r.threads),
                group(r.closed_idle),
            );
        }
    }
    let reading = run.hostile_case(Case::NotReading);
    if let Some(first) = reading.first() {
        let _ = writeln!(
            t,
            "\n{} clients each pipelining {} requests for answers of {} KiB and reading none, \
             then a new client, and a fresh client probing throughout:\n\n\
             | server | alive | the new client's answer | probes | unanswered | the slowest \
             probe | RSS | kernel sockets | threads |\n\
             |---|---|---:|---:|---:|---:|---:|---:|---:|",
            group(first.connections),
            group(h.pipelined_requests),
            h.pipelined_size / 1024,
        );
        for r in &reading {
            let _ = writeln!(
                t,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                catalogue::short(&r.server),
                alive(r),
                new_client(r),
                or_dash(r.probes.map(group)),
                or_dash(r.probes_unanswered.map(group)),
                or_dash(r.probe_slowest_ms.map(|v| format!("{v:.1} ms"))),
                kib_of(r.rss_kib),
                kib_of(r.socket_mem_kib),
                group(r.threads),
            );
        }
    }
    let starved = run.hostile_case(Case::NoDescriptors);
    if let Some(first) = starved.first() {
        let _ = writeln!(
            t,
            "\n{} connections arriving at a server allowed {} descriptors:\n\n\
             | server | alive | CPU while it cannot accept | failed accepts counted | a new \
             client's answer, after |\n|---|---|---:|---:|---:|",
            group(first.connections),
            h.descriptor_limit,
        );
        for r in &starved {
            let _ = writeln!(
                t,
                "| {} | {} | {} | {} | {} |",
                catalogue::short(&r.server),
                alive(r),
                or_dash(r.cpu_s_per_s.map(|c| format!("{:.0} ms/s", c * 1000.0))),
                group(r.refused),
                new_client(r),
            );
        }
    }
    t
}

/// The system calls per request of each server, its total and the calls that make most of it.
pub fn syscalls(run: &Results) -> String {
    let servers: Vec<&str> = {
        let mut servers: Vec<&str> = Vec::new();
        for r in &run.syscalls {
            if !servers.contains(&r.server.as_str()) {
                servers.push(&r.server);
            }
        }
        servers
    };
    if servers.is_empty() {
        return "Not measured in this run (strace was not found).\n".into();
    }
    let mut t = String::from(
        "| server | requests | system calls per request | the calls, per request |\n\
         |---|---:|---:|---|\n",
    );
    for server in servers {
        let (requests, calls) = calls_of(run, server);
        let total: f64 = calls.iter().map(|(_, n, _)| n).sum();
        let top: Vec<String> = calls
            .iter()
            .filter(|(_, n, _)| *n >= 0.05)
            .take(6)
            .map(|(call, n, errors)| {
                if *errors >= 0.05 {
                    format!("`{call}` {n:.2} ({errors:.2} failing)")
                } else {
                    format!("`{call}` {n:.2}")
                }
            })
            .collect();
        let _ = writeln!(
            t,
            "| {} | {} | {total:.2} | {} |",
            short(server),
            group(requests as u64),
            top.join(", ")
        );
    }
    t
}

/// A server's requests, and its system calls per request (each call's count and errors),
/// most first.
pub fn calls_of(run: &Results, server: &str) -> (f64, Vec<(String, f64, f64)>) {
    let rows: Vec<_> = run.syscalls.iter().filter(|r| r.server == server).collect();
    let requests = rows.first().map_or(f64::NAN, |r| r.requests as f64);
    let mut calls: Vec<(String, f64, f64)> = rows
        .iter()
        .map(|r| {
            (
                r.call.clone(),
                r.calls as f64 / requests,
                r.errors as f64 / requests,
            )
        })
        .collect();
    calls.sort_by(|a, b| b.1.total_cmp(&a.1));
    (requests, calls)
}

/// The Rust servers pinned (the server on one core, one wrk thread on the other) beside the
/// shared mode at the same C, with each one's CPU per request as a multiple of tokio's.
pub fn pinned(run: &Results) -> String {
    if run.pinned.points.is_empty() {
        return "Not measured in this run.\n".into();
    }
    let mut t = String::from(
        "| C | server | requests/s, pinned | CPU per request, pinned | of tokio's | \
         CPU per request, shared | of tokio's |\n|---:|---|---:|---:|---:|---:|---:|\n",
    );
    let ratio = |p: Option<&Point>, tokio: Option<&Point>| match (p, tokio) {
        (Some(p), Some(t)) => format!("{:.2}x", p.cpu_us() / t.cpu_us()),
        _ => "–".into(),
    };
    for c in run.pinned.connections() {
        let tokio = run.pinned.point("serve-tokio", c);
        let shared_tokio = run.servers.point("serve-tokio", c);
        for server in run.pinned.servers() {
            let Some(p) = run.pinned.point(server, c) else {
                continue;
            };
            let shared = run.servers.point(server, c);
            let _ = writeln!(
                t,
                "| {} | {}{} | {} | {:.1} µs | {} | {} | {} |",
                group(c),
                short(server),
                if p.lived() { "" } else { " (died)" },
                group(p.rps.round() as u64),
                p.cpu_us(),
                ratio(Some(p), tokio),
                shared.map_or("–".into(), |s| format!("{:.1} µs", s.cpu_us())),
                ratio(shared, shared_tokio),
            );
        }
    }
    t
}

/// Every server at each fixed offered rate: a table per C, a column per rate, each cell the
/// corrected p50 / p99 / p99.9, and the rate achieved where the server did not hold it.
pub fn rates(run: &Results) -> String {
    use rundata::Rates as _;
    let rates = &run.rates[..];
    if rates.is_empty() {
        return "Not measured in this run.\n".into();
    }
    let mut t = String::new();
    for c in rates.connections() {
        let shares = rates.shares(c);
        let offered = |share: f64| {
            rates
                .iter()
                .find(|r| r.connections == c && r.share == share)
                .map_or(0, |r| r.offered_rps)
        };
        let _ = writeln!(
            t,
            "At most {} connections; each cell is p50 / p99 / p99.9 in ms, from when each \
             request was due:\n",
            group(c)
        );
        t.push_str("| server |");
        for &share in &shares {
            let _ = write!(t, " {:.0}%: {}/s |", 100.0 * share, group(offered(share)));
        }
        t.push_str("\n|---|");
        t.push_str(&"---:|".repeat(shares.len()));
        t.push('\n');
        for server in rates.servers() {
            let _ = write!(t, "| {} |", short(server));
            for &share in &shares {
                let cell = rates.at(server, c, share).map_or("–".into(), |r| {
                    let latency = format!("{:.0} / {:.0} / {:.0}", r.p50_ms, r.p99_ms, r.p999_ms);
                    if !r.alive {
                        "**died**".into()
                    } else if r.held {
                        latency
                    } else {
                        format!("{latency}, **{}/s**", group(r.achieved_rps.round() as u64))
                    }
                });
                let _ = write!(t, " {cell} |");
            }
            t.push('\n');
        }
        t.push('\n');
    }
    t.push_str(
        "A rate in **bold** is what a server achieved where it did not hold the offered rate \
         (answers at 95% of it or more, errors under 0.1%).\n",
    );
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use runfiles::RateRun;

    #[test]
    fn a_rate_not_held_shows_what_was_achieved() {
        let row = |server: &str, share: f64, held: bool| RateRun {
            server: server.into(),
            connections: 1000,
            share,
            offered_rps: (20_000.0 * share) as u64,
            alive: true,
            requests: 1000,
            seconds: 5.0,
            achieved_rps: if held { 20_000.0 * share } else { 12_345.0 },
            p50_ms: 51.0,
            p99_ms: 60.0,
            p999_ms: 70.0,
            max_ms: 80.0,
            held,
            ..RateRun::default()
        };
        let mut run = Results::default();
        assert_eq!(rates(&run), "Not measured in this run.\n");
        run.rates = vec![
            row("serve-tokio", 0.25, true),
            row("serve-tokio", 0.9, false),
        ];
        let table = rates(&run);
        assert!(
            table.contains("| server | 25%: 5,000/s | 90%: 18,000/s |"),
            "{table}"
        );
        assert!(
            table.contains("| tokio | 51 / 60 / 70 | 51 / 60 / 70, **12,345/s** |"),
            "{table}"
        );
    }
}
