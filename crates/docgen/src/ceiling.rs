//! This machine's ceiling, from the runs that go to it: the servers at 19,000 connections under
//! wrk (`bench servers --connections 19000`), the servers against hostile clients (`bench
//! hostile`), and the models' sweeps at 19,000 endpoints (`bench clients --sweeps --sweep
//! 19000`). Each table names, beside each figure, the limit a program met; and what 100,000 and
//! 1,000,000 would cost follows from the figures per connection measured here.
//!
//! The limits are this machine's: every process may open 20,000 descriptors (a hard limit), a
//! client reaches one server address and port from 28,232 ephemeral ports, and
//! `vm.max_map_count` (65,530) allows about 13,000 threads of five mappings each.

use std::fmt::Write as _;
use std::path::Path;

use catalogue::{CURL, Family};
use figures::format::{group, kib, mib, ms, or_dash};

use crate::results::{self, Cell};
use crate::servers;
use figures::page::{self, read};

/// The endpoints and connections of the ceiling runs.
const N: u64 = 19_000;

/// The green threads' limits: a descriptor each first, then the two mappings of each stack (the
/// stack and its guard page).
const GREEN: (&str, &str) = (
    "fetch-green",
    "a descriptor each: ulimit -n (20,000 here), then two mappings a stack: vm.max_map_count \
     (about 32,000 green threads)",
);

/// The scales the per-connection figures are carried to.
const SCALES: [u64; 2] = [100_000, 1_000_000];

/// The tables of SERVERS.md about the ceiling: under wrk at C = 19,000, against hostile
/// clients, and at 100,000 and 1,000,000 connections.
pub fn servers(ceiling: &Path, hostile: &Path) -> anyhow::Result<Vec<(&'static str, String)>> {
    let run = servers::Run::read(ceiling)?;
    let rows = page::rows(&read(&hostile.join("hostile.csv"))?);
    let machine: serde_json::Value = serde_json::from_str(&read(&hostile.join("machine.json"))?)?;
    Ok(vec![
        (
            "ceiling-setup",
            page::machine_and_code(&run.machine["machine"]),
        ),
        ("ceiling", under_wrk(&run)),
        ("hostile-setup", page::machine_and_code(&machine["machine"])),
        ("hostile", hostile_tables(&rows)),
        ("at-scale", servers_at_scale(&rows)),
    ])
}

/// Every server under wrk at C = 19,000, then what stopped each where something did.
fn under_wrk(run: &servers::Run) -> String {
    let mut t = String::from(
        "| server | requests/s | of ideal | p99 | errors | refused | peak RSS | kernel sockets | \
         threads |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    let mut limits = Vec::new();
    for server in run.servers() {
        let Some(p) = run.point(server, N) else {
            continue;
        };
        let threads = catalogue::Server::named(server).map(|s| s.family) == Some(Family::Threads);
        let limit = if p.alive < p.runs {
            "the server died".to_string()
        } else if threads && p.accepted > N as f64 + 1.0 {
            format!(
                "its threads, {} at once for vm.max_map_count: a new connection took the thread \
                 of the one idle longest, and wrk, its connection closed, connected again ({} \
                 connections accepted in all)",
                group(p.peak_threads as u64),
                group(p.accepted as u64)
            )
        } else if p.refused > 0.0 {
            format!("{} connections refused", group(p.refused as u64))
        } else if p.errors > 0.0 || p.timeouts > 0.0 {
            "none named: the load generator's errors and timeouts".into()
        } else {
            String::new()
        };
        if !limit.is_empty() {
            limits.push(format!("- {}: {limit}.", catalogue::short(server)));
        }
        let _ = writeln!(
            t,
            "| {} | {} | {:.0}% | {} | {} | {} | {} | {} | {} |",
            catalogue::short(server),
            group(p.rps.round() as u64),
            100.0 * p.rps / p.ideal(),
            ms(p.p99_ms),
            group((p.errors + p.timeouts) as u64),
            group(p.refused as u64),
            mib(p.peak_rss_kib * 1024.0),
            if p.socket_mem_kib.is_nan() {
                "–".into()
            } else {
                mib(p.socket_mem_kib * 1024.0)
            },
            group(p.peak_threads as u64),
        );
    }
    let limits = if limits.is_empty() {
        "Every server served every connection.".to_string()
    } else {
        format!(
            "The limits met (the other servers served every connection):\n\n{}",
            limits.join("\n")
        )
    };
    format!("{t}\n{limits}\n")
}

/// A server's row of a hostile case.
fn case<'r>(rows: &'r [page::Row], case: &str) -> Vec<&'r page::Row> {
    rows.iter().filter(|r| r.get("case") == case).collect()
}

/// A new client's wait, or that it got no answer.
fn new_client(row: &page::Row) -> String {
    row.num("new_client_ms")
        .map_or("no answer".into(), |v| format!("{v:.1} ms"))
}

fn alive(row: &page::Row) -> &'static str {
    if row.get("alive") == "true" {
        "yes"
    } else {
        "**no**"
    }
}

fn kib_of(row: &page::Row, name: &str) -> String {
    or_dash(row.num(name).map(|k| mib(k * 1024.0)))
}

/// The three hostile cases, a table each.
fn hostile_tables(rows: &[page::Row]) -> String {
    let mut t = String::new();
    let idle = case(rows, "idle");
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
    let reading = case(rows, "not-reading");
    if let Some(first) = reading.first() {
        let _ = writeln!(
            t,
            "\n{} clients each pipelining 1,000 requests for 64 KiB answers and reading none, \
             then a new client:\n\n\
             | server | alive | the new client's answer | RSS | kernel sockets | threads |\n\
             |---|---|---:|---:|---:|---:|",
            group(first.num("connections").unwrap_or(0.0) as u64)
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
    let starved = case(rows, "no-descriptors");
    if let Some(first) = starved.first() {
        let _ = writeln!(
            t,
            "\n{} connections arriving at a server allowed 256 descriptors:\n\n\
             | server | alive | CPU while it cannot accept | failed accepts counted | a new \
             client's answer, after |\n|---|---|---:|---:|---:|",
            group(first.num("connections").unwrap_or(0.0) as u64)
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

/// What 100,000 and 1,000,000 idle connections would hold, from the figures per connection of
/// the idle case, and the limit each server meets first.
fn servers_at_scale(rows: &[page::Row]) -> String {
    let mut t = String::from(
        "| server | per idle connection: RSS + kernel sockets | 100,000 | 1,000,000 | the first \
         limit past 19,000 |\n|---|---:|---:|---:|---|\n",
    );
    for r in case(rows, "idle") {
        let n = r.num("connections").unwrap_or(0.0).max(1.0);
        let rss = r.num("rss_per_connection_kib").unwrap_or(0.0);
        // Both ends of every connection are on this machine: half the sockets' memory is the
        // server's.
        let sockets = r.num("socket_mem_kib").unwrap_or(0.0) / n / 2.0;
        let per = rss + sockets;
        let at = |scale: u64| mib(per * 1024.0 * scale as f64);
        let server = r.get("server");
        let limit = match catalogue::Server::named(server).map(|s| s.family) {
            Some(Family::Threads) => {
                "a thread each: vm.max_map_count (65,530 mappings, about 13,000 threads; \
                 sysctl -w vm.max_map_count=N), then kernel.pid_max (32,768)"
            }
            _ if server == "serve-green" => GREEN.1,
            _ => "a descriptor each: ulimit -n (20,000 here, a hard limit; raise the hard limit)",
        };
        let _ = writeln!(
            t,
            "| {} | {} + {} | {} | {} | {limit} |",
            catalogue::short(server),
            kib(rss * 1024.0),
            kib(sockets * 1024.0),
            at(SCALES[0]),
            at(SCALES[1]),
        );
    }
    t
}

/// The tables of RESULTS.md about the ceiling: every model at 19,000 endpoints, and what
/// 100,000 and 1,000,000 would cost.
pub fn clients(ceiling: &Path) -> anyhow::Result<Vec<(&'static str, String)>> {
    let run = results::Run::read(ceiling)?;
    Ok(vec![
        ("ceiling-setup", page::machine_and_code(&run.machine)),
        ("ceiling", at_ceiling(&run)),
        ("at-scale", clients_at_scale(&run)),
    ])
}

/// What limited a model's cell at 19,000, in words.
fn limit_met(model: &str, c: &Cell) -> String {
    if !c.measured() {
        return results::missing(c);
    }
    let threads = catalogue::Model::named(model).is_some_and(|m| m.family == Family::Threads);
    match c.in_flight {
        Some(peak) if threads && peak < N as f64 => format!(
            "threads: at most {} at once, for vm.max_map_count",
            group(peak as u64)
        ),
        _ if model == CURL => format!("its own ceiling: {} at once", catalogue::CURL_PARALLEL_MAX),
        _ if c.status == "Ok" => "none: every request at once".into(),
        _ => c.note.clone(),
    }
}

/// Every model at N = 19,000, a table per sweep: 1 KiB bodies with the limit each met, then
/// the talk's pages.
fn at_ceiling(run: &results::Run) -> String {
    let mut kib_table = String::from(
        "1 KiB bodies:\n\n| model | wall | peak RSS | per request | kernel sockets | limit met |\n\
         |---|---:|---:|---:|---:|---|\n",
    );
    let mut pages_table = String::from(
        "The talk's page sizes:\n\n| model | wall | peak RSS | kernel sockets |\n\
         |---|---:|---:|---:|\n",
    );
    let wall = |c: &Cell| {
        if c.measured() {
            or_dash(c.wall.map(|w| format!("{w:.2} s")))
        } else {
            results::missing(c)
        }
    };
    let rss = |c: &Cell| or_dash(c.rss.filter(|_| c.measured()).map(mib));
    let sockets = |c: &Cell| or_dash(c.sockets.filter(|_| c.measured()).map(mib));
    for model in run.models() {
        if let Some(c) = run.cell(&format!("sweep-{N}"), model) {
            let _ = writeln!(
                kib_table,
                "| {} | {} | {} | {} | {} | {} |",
                results::short(model),
                wall(c),
                rss(c),
                or_dash(c.per_in_flight.filter(|_| c.measured()).map(kib)),
                sockets(c),
                limit_met(model, c),
            );
        }
        if let Some(c) = run.cell(&format!("pages-{N}"), model) {
            let _ = writeln!(
                pages_table,
                "| {} | {} | {} | {} |",
                results::short(model),
                wall(c),
                rss(c),
                sockets(c),
            );
        }
    }
    format!("{kib_table}\n{pages_table}")
}

/// What 100,000 and 1,000,000 requests at once would take, from each model's peak RSS per
/// request in flight at N = 19,000 (1 KiB bodies), and the first limit it would meet past
/// 19,000. curl is left out: it never has more than 300 at once.
fn clients_at_scale(run: &results::Run) -> String {
    let mut t = String::from(
        "| model | per request in flight | 100,000 | 1,000,000 | the first limit past 19,000 |\n\
         |---|---:|---:|---:|---|\n",
    );
    for model in run.models().into_iter().filter(|m| *m != CURL) {
        let Some(per) = run
            .cell(&format!("sweep-{N}"), model)
            .filter(|c| c.measured())
            .and_then(|c| c.per_in_flight)
        else {
            continue;
        };
        let at = |scale: u64| mib(per * scale as f64);
        let limit = match catalogue::Model::named(model).map(|m| m.family) {
            Some(Family::Threads) => {
                "a thread each: vm.max_map_count (about 13,000 threads here), then \
                 kernel.pid_max (32,768)"
            }
            _ if model == GREEN.0 => GREEN.1,
            _ => {
                "a descriptor each: ulimit -n (20,000 here), then a port each: 28,232 to one \
                 server address and port"
            }
        };
        let _ = writeln!(
            t,
            "| {} | {} | {} | {} | {limit} |",
            results::short(model),
            kib(per),
            at(SCALES[0]),
            at(SCALES[1]),
        );
    }
    t
}
