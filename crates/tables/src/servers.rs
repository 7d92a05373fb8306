//! The servers' tables: every server at every number of connections, the thread per
//! connection C by C, the targets, the hostile clients and the system calls per request. The
//! claims that read them are in the `findings` crate.

use std::fmt::Write as _;

use figures::format::{group, mib, ms, or_dash};

use rundata::{Point, Run, with};

/// A server's name in a table: its short name, with the flags of its setup.
pub fn short(server: &str) -> String {
    catalogue::short(server)
}

/// Every server at every C, as two tables that read without wrapping: what the clients got
/// (throughput and latency), then what it cost the server.
pub fn table(run: &Run) -> String {
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
pub fn threads(run: &Run) -> String {
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
pub fn outcomes(run: &Run) -> Vec<Outcome> {
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
    for c in [5_000, 10_000] {
        let (Some(compio), Some(reactor)) =
            (s.point("serve-compio", c), s.point("serve-reactor", c))
        else {
            continue;
        };
        all.push(Outcome {
            what: format!("C={}: CPU per request ≤ 0.8x the reactor's", group(c)),
            server: "serve-compio".into(),
            figure: Some(format!("{:.1} µs", compio.cpu_us())),
            limit: format!("{:.1} µs", 0.8 * reactor.cpu_us()),
            met: Some(compio.cpu_us() <= 0.8 * reactor.cpu_us()),
        });
    }
    for c in [5_000, 10_000] {
        let (Some(smol), Some(tokio)) = (s.point("serve-smol", c), s.point("serve-tokio", c))
        else {
            continue;
        };
        all.push(Outcome {
            what: format!("C={}: CPU per request ≤ 1.2x tokio's", group(c)),
            server: "serve-smol".into(),
            figure: Some(format!("{:.1} µs", smol.cpu_us())),
            limit: format!("{:.1} µs", 1.2 * tokio.cpu_us()),
            met: Some(smol.cpu_us() <= 1.2 * tokio.cpu_us()),
        });
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

pub fn targets(run: &Run) -> String {
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
fn new_client(row: &figures::page::Row) -> String {
    row.num("new_client_ms")
        .map_or("no answer".into(), |v| format!("{v:.1} ms"))
}

fn alive(row: &figures::page::Row) -> &'static str {
    if row.get("alive") == "true" {
        "yes"
    } else {
        "**no**"
    }
}

fn kib_of(row: &figures::page::Row, name: &str) -> String {
    or_dash(row.num(name).map(|k| mib(k * 1024.0)))
}

/// The three hostile cases, a table each.
pub fn hostile(run: &Run) -> String {
    let h = run.part("hostile");
    if run.hostile.is_empty() {
        return "Not measured in this run.\n".into();
    }
    let mut t = String::new();
    let idle = with(&run.hostile, "case", "idle");
    if let Some(first) = idle.first() {
        let _ = writeln!(
            t,
            "{} connections that connect and send nothing, then a new client:\n\n\
             | server | alive | the new client's answer | RSS | RSS per idle connection | \
             kernel sockets | threads | idle ones closed for room |\n\
             |---|---|---:|---:|---:|---:|---:|---:|",
            group(first.num("connections").unwrap_or(0.0) as u64)
        );
        for r in &idle {
            let _ = writeln!(
                t,
                "| {} | {} | {} | {} | {} | {} | {} | {} |",
                catalogue::short(r.get("server")),
                alive(r),
                new_client(r),
                kib_of(r, "rss_kib"),
                or_dash(
                    r.num("rss_per_connection_kib")
                        .map(|k| format!("{k:.1} KiB"))
                ),
                kib_of(r, "socket_mem_kib"),
                group(r.num("threads").unwrap_or(0.0) as u64),
                group(r.num("closed_idle").unwrap_or(0.0) as u64),
            );
        }
    }
    let reading = with(&run.hostile, "case", "not-reading");
    if let Some(first) = reading.first() {
        let _ = writeln!(
            t,
            "\n{} clients each pipelining {} requests for answers of {} KiB and reading none, \
             then a new client:\n\n\
             | server | alive | the new client's answer | RSS | kernel sockets | threads |\n\
             |---|---|---:|---:|---:|---:|",
            group(first.num("connections").unwrap_or(0.0) as u64),
            group(h["pipelined_requests"].as_u64().unwrap_or(0)),
            h["pipelined_size"].as_u64().unwrap_or(0) / 1024,
        );
        for r in &reading {
            let _ = writeln!(
                t,
                "| {} | {} | {} | {} | {} | {} |",
                catalogue::short(r.get("server")),
                alive(r),
                new_client(r),
                kib_of(r, "rss_kib"),
                kib_of(r, "socket_mem_kib"),
                group(r.num("threads").unwrap_or(0.0) as u64),
            );
        }
    }
    let starved = with(&run.hostile, "case", "no-descriptors");
    if let Some(first) = starved.first() {
        let _ = writeln!(
            t,
            "\n{} connections arriving at a server allowed {} descriptors:\n\n\
             | server | alive | CPU while it cannot accept | failed accepts counted | a new \
             client's answer, after |\n|---|---|---:|---:|---:|",
            group(first.num("connections").unwrap_or(0.0) as u64),
            h["descriptor_limit"].as_u64().unwrap_or(0),
        );
        for r in &starved {
            let _ = writeln!(
                t,
                "| {} | {} | {} | {} | {} |",
                catalogue::short(r.get("server")),
                alive(r),
                or_dash(
                    r.num("cpu_s_per_s")
                        .map(|c| format!("{:.0} ms/s", c * 1000.0))
                ),
                group(r.num("refused").unwrap_or(0.0) as u64),
                new_client(r),
            );
        }
    }
    t
}

/// The system calls per request of each server, its total and the calls that make most of it.
pub fn syscalls(run: &Run) -> String {
    let servers: Vec<&str> = {
        let mut servers: Vec<&str> = Vec::new();
        for r in &run.syscalls {
            if !servers.contains(&r.get("server")) {
                servers.push(r.get("server"));
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
pub fn calls_of(run: &Run, server: &str) -> (f64, Vec<(String, f64, f64)>) {
    let rows = with(&run.syscalls, "server", server);
    let requests = rows
        .first()
        .and_then(|r| r.num("requests"))
        .unwrap_or(f64::NAN);
    let mut calls: Vec<(String, f64, f64)> = rows
        .iter()
        .map(|r| {
            (
                r.get("call").to_string(),
                r.num("calls").unwrap_or(0.0) / requests,
                r.num("errors").unwrap_or(0.0) / requests,
            )
        })
        .collect();
    calls.sort_by(|a, b| b.1.total_cmp(&a.1));
    (requests, calls)
}
