//! The machine's ceiling: the models at N endpoints at once and the servers at C connections,
//! where N and C are as high as this machine's limits allow, each table naming the limit a
//! program met; and what 100,000 and 1,000,000 would cost, carried from the figures per
//! connection measured here, with the first limit each would meet. Every limit is the one
//! `machine.json` read from the machine that ran, never a constant of this program.

use std::fmt::Write as _;

use catalogue::{CURL, Family};
use figures::format::{group, kib, mib, ms, or_dash};

use crate::clients::{self, missing, short};
use rundata::Results;
use runfiles::{CellSummary, Status};

/// The scales the per-connection figures are carried to.
const SCALES: [u64; 2] = [100_000, 1_000_000];

/// The machine's limits, as the page writes them: `name (value)`, or `name` where it was not
/// read.
#[derive(Debug)]
pub struct Limits<'a>(pub &'a Results);

impl Limits<'_> {
    fn value(value: Option<u64>) -> String {
        value.map_or("?".into(), group)
    }

    pub fn open_files(&self) -> String {
        format!(
            "ulimit -n ({} here)",
            Self::value(Some(self.0.limits().open_files_hard))
        )
    }

    pub fn ports(&self) -> String {
        format!(
            "the ephemeral ports ({} per destination address and port here)",
            Self::value(self.0.limits().ephemeral_port_count)
        )
    }

    pub fn max_map_count(&self) -> String {
        format!(
            "vm.max_map_count ({} here)",
            Self::value(self.0.limits().max_map_count)
        )
    }

    pub fn pid_max(&self) -> String {
        format!(
            "kernel.pid_max ({} here)",
            Self::value(self.0.limits().pid_max)
        )
    }

    /// The first limit a model or server of `family` meets past the ceiling, one connection
    /// (and, for a thread, one task and its mappings) per request.
    fn first(&self, program: &str, family: Option<Family>, client: bool) -> String {
        match family {
            Some(Family::Threads) => format!(
                "a thread each: {}, about five mappings a thread, then {}",
                self.max_map_count(),
                self.pid_max()
            ),
            _ if program.contains("green") => format!(
                "a descriptor each: {}, then two mappings a stack: {}",
                self.open_files(),
                self.max_map_count()
            ),
            _ if client => format!(
                "a descriptor each: {}, then a port each: {}",
                self.open_files(),
                self.ports()
            ),
            _ => format!("a descriptor each: {}", self.open_files()),
        }
    }
}

/// What limited a model's cell at the ceiling, in words.
fn limit_met(run: &Results, model: &str, c: &CellSummary, n: u64) -> String {
    if !c.measured() {
        return missing(c);
    }
    let threads = catalogue::Model::named(model).is_some_and(|m| m.family == Family::Threads);
    match c.in_flight {
        Some(peak) if threads && peak < n as f64 => format!(
            "threads: at most {} at once, for {}",
            group(peak as u64),
            Limits(run).max_map_count()
        ),
        _ if model == CURL => format!("its own ceiling: {} at once", catalogue::CURL_PARALLEL_MAX),
        Some(peak) if c.status == Status::Ok && peak < n as f64 => {
            format!("at most {} at once", group(peak as u64))
        }
        _ if c.status == Status::Ok => "none: every request at once".into(),
        _ => c.note.clone(),
    }
}

/// Every model at the ceiling, a table per sweep: 1 KiB bodies with the limit each met, then
/// the talk's pages.
pub fn clients(run: &Results) -> String {
    let Some(n) = clients::ceiling(run) else {
        return "Not measured in this run.\n".into();
    };
    let mut kib_table = String::from(
        "1 KiB bodies:\n\n| model | wall | peak RSS | per request | kernel sockets | limit met |\n\
         |---|---:|---:|---:|---:|---|\n",
    );
    let mut pages_table = String::from(
        "The talk's page sizes:\n\n| model | wall | peak RSS | kernel sockets | limit met |\n\
         |---|---:|---:|---:|---|\n",
    );
    let wall = |c: &CellSummary| {
        if c.measured() {
            or_dash(c.wall.map(|w| format!("{w:.2} s")))
        } else {
            missing(c)
        }
    };
    let rss = |c: &CellSummary| or_dash(c.rss.filter(|_| c.measured()).map(mib));
    let sockets = |c: &CellSummary| or_dash(c.sockets.filter(|_| c.measured()).map(mib));
    for model in run.clients.models() {
        if catalogue::is_reference(model) {
            continue;
        }
        if let Some(c) = run.clients.cell(&format!("sweep-{n}"), model) {
            let _ = writeln!(
                kib_table,
                "| {} | {} | {} | {} | {} | {} |",
                short(model),
                wall(c),
                rss(c),
                or_dash(c.per_in_flight.filter(|_| c.measured()).map(kib)),
                sockets(c),
                limit_met(run, model, c, n),
            );
        }
        if let Some(c) = run.clients.cell(&format!("pages-{n}"), model) {
            let _ = writeln!(
                pages_table,
                "| {} | {} | {} | {} | {} |",
                short(model),
                wall(c),
                rss(c),
                sockets(c),
                limit_met(run, model, c, n),
            );
        }
    }
    format!("{kib_table}\n{pages_table}")
}

/// What 100,000 and 1,000,000 requests at once would take, from each model's peak RSS per
/// request in flight at the ceiling (1 KiB bodies), and the first limit it would meet past
/// it. curl is left out: it never has more than its own ceiling at once.
pub fn clients_at_scale(run: &Results) -> String {
    let Some(n) = clients::ceiling(run) else {
        return "Not measured in this run.\n".into();
    };
    let mut t = format!(
        "| model | per request in flight | {} | {} | the first limit past {} |\n\
         |---|---:|---:|---:|---|\n",
        group(SCALES[0]),
        group(SCALES[1]),
        group(n)
    );
    for model in run.clients.rust() {
        let Some(per) = run
            .clients
            .figure(&format!("sweep-{n}"), model, |c| c.per_in_flight)
        else {
            continue;
        };
        let at = |scale: u64| mib(per * scale as f64);
        let family = catalogue::Model::named(model).map(|m| m.family);
        let _ = writeln!(
            t,
            "| {} | {} | {} | {} | {} |",
            short(model),
            kib(per),
            at(SCALES[0]),
            at(SCALES[1]),
            Limits(run).first(model, family, true),
        );
    }
    t
}

/// Every server under the load generator at the most connections of the run, then what
/// stopped each where something did.
pub fn servers(run: &Results) -> String {
    let Some(&c) = run.servers.connections().last() else {
        return "Not measured in this run.\n".into();
    };
    let mut t = String::from(
        "| server | requests/s | of ideal | p99 | errors | peak RSS | kernel sockets | \
         threads |\n|---|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    let mut limits = Vec::new();
    for server in run.servers.servers() {
        let Some(p) = run.servers.point(server, c) else {
            continue;
        };
        let threads = family_of(server) == Some(Family::Threads);
        let limit = if !p.lived() {
            format!("it died in {} of {} runs", p.runs - p.alive, p.runs)
        } else if threads && p.accepted > c as f64 + 1.0 {
            format!(
                "its threads, {} at once for {}: a new connection took the thread of the one \
                 idle longest, and the load generator, its connection closed, connected again \
                 ({} connections accepted in all)",
                group(p.peak_threads as u64),
                Limits(run).max_map_count(),
                group(p.accepted as u64)
            )
        } else if p.accepted + 1.0 < c as f64 {
            format!(
                "it accepted {} of the {} connections",
                group(p.accepted as u64),
                group(c)
            )
        } else if p.errors > 0.0 || p.timeouts > 0.0 {
            format!(
                "no limit of the machine: {} errors and {} timeouts of the load generator",
                group(p.errors as u64),
                group(p.timeouts as u64)
            )
        } else {
            String::new()
        };
        if !limit.is_empty() {
            limits.push(format!("- {}: {limit}.", catalogue::short(server)));
        }
        let _ = writeln!(
            t,
            "| {} | {} | {:.0}% | {} | {} | {} | {} | {} |",
            catalogue::short(server),
            group(p.rps.round() as u64),
            100.0 * p.of_ideal(),
            ms(p.p99_ms),
            group((p.errors + p.timeouts) as u64),
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
            "What stopped a server (the others served every connection with no error):\n\n{}",
            limits.join("\n")
        )
    };
    format!("{t}\n{limits}\n")
}

pub fn family_of(server: &str) -> Option<Family> {
    let bin = catalogue::program(server);
    catalogue::Server::named(bin)
        .map(|s| s.family)
        .or_else(|| catalogue::Python::named(bin).map(|p| p.family))
}

/// What 100,000 and 1,000,000 idle connections would hold, from the figures per connection of
/// the idle hostile case, and the limit each server meets first.
pub fn servers_at_scale(run: &Results) -> String {
    let idle: Vec<_> = run
        .hostile
        .iter()
        .filter(|r| r.case == runfiles::Case::Idle)
        .collect();
    let Some(first) = idle.first() else {
        return "Not measured in this run.\n".into();
    };
    let n = (first.connections as f64).max(1.0);
    let mut t = format!(
        "| server | per idle connection: RSS + kernel sockets | {} | {} | the first limit past \
         {} |\n|---|---:|---:|---:|---|\n",
        group(SCALES[0]),
        group(SCALES[1]),
        group(n as u64),
    );
    for r in idle {
        let rss = r.rss_per_connection_kib;
        // Both ends of every connection are on this machine: half the sockets' memory is the
        // server's.
        let sockets = r.socket_mem_kib as f64 / n / 2.0;
        let per = rss + sockets;
        let at = |scale: u64| mib(per * 1024.0 * scale as f64);
        let server = r.server.as_str();
        let _ = writeln!(
            t,
            "| {} | {} + {} | {} | {} | {} |",
            catalogue::short(server),
            kib(rss * 1024.0),
            kib(sockets * 1024.0),
            at(SCALES[0]),
            at(SCALES[1]),
            Limits(run).first(server, family_of(server), false),
        );
    }
    t
}
