//! The Python rows beside the Rust ones: the talks' own programs (`python/talks`) and the
//! Python servers (`python/servers`), each measured in the same run as the Rust model or server
//! it is read beside ([`catalogue::Python::beside`]). The tables of RESULTS.md and SERVERS.md
//! about Python, and the same-machine rows under the talk's figures in each book chapter.

use catalogue::{PYTHON_SERVERS, PYTHON_TALKS, Python, PythonKind};
use figures::format::{group, mib, ms, or_dash};
use std::fmt::Write as _;

use crate::clients::{ceiling, missing};
use rundata::{Clients, Point, Results, Servers};
use runfiles::CellSummary;

/// The workloads of a program of the talks: its talk's own, then the same at scale.
fn workloads_of(program: &Python, clients: &Clients) -> Vec<String> {
    match program.kind {
        PythonKind::Sites => vec!["sites".into()],
        PythonKind::Jobs => std::iter::once("jobs".to_string())
            .chain(clients.many_jobs().map(String::from))
            .collect(),
        PythonKind::Server => vec![],
    }
}

/// `python ÷ rust`, as a multiple.
fn times(python: Option<f64>, rust: Option<f64>) -> String {
    match (python, rust) {
        (Some(p), Some(r)) if r > 0.0 => format!("{:.1}x", p / r),
        _ => "–".into(),
    }
}

fn seconds(v: Option<f64>) -> String {
    or_dash(v.map(|s| format!("{s:.3}")))
}

fn rss(c: &CellSummary) -> String {
    or_dash(c.rss.map(mib))
}

/// How many of its requests were in flight at once, at the peak.
fn at_once(c: &CellSummary) -> String {
    or_dash(c.in_flight.map(|n| group(n.round() as u64)))
}

/// Each of the talks' programs on its own workloads beside its Rust model: wall, CPU, peak RSS
/// and what Python costs over Rust.
pub fn talks(run: &Results) -> String {
    let run = &run.clients;
    let mut t = String::from(
        "| workload | the talk's program | wall (s) | CPU (s) | peak RSS | at once | Rust model \
         | wall (s) | CPU (s) | peak RSS | at once | CPU, Python ÷ Rust | RSS, Python ÷ Rust |\n\
         |---|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|\n",
    );
    for program in PYTHON_TALKS {
        for workload in workloads_of(program, run) {
            let (Some(py), Some(rust)) = (
                run.cell(&workload, program.name),
                run.cell(&workload, program.beside),
            ) else {
                continue;
            };
            let _ = writeln!(
                t,
                "{}",
                pair(&workload, program.name, program.beside, py, rust)
            );
        }
    }
    t
}

/// One row of one of the talks' programs (`name`, Python or JavaScript) beside its Rust model
/// (`beside`) on the same workload.
pub(crate) fn pair(
    workload: &str,
    name: &str,
    beside: &str,
    py: &CellSummary,
    rust: &CellSummary,
) -> String {
    let beside = catalogue::short(beside);
    let rust_cells = if rust.measured() {
        format!(
            "{} | {} | {} | {}",
            seconds(rust.wall),
            seconds(rust.cpu),
            rss(rust),
            at_once(rust)
        )
    } else {
        format!("{} | | | ", missing(rust))
    };
    if !py.measured() {
        return format!(
            "| {workload} | `{name}` | {} | | | | {beside} | {rust_cells} | | |",
            missing(py)
        );
    }
    let wrong = if py.status == runfiles::Status::Failed || py.correct == Some(false) {
        " (not all ok)"
    } else {
        ""
    };
    format!(
        "| {workload} | `{name}`{wrong} | {} | {} | {} | {} | {beside} | {rust_cells} | {} | {} |",
        seconds(py.wall),
        seconds(py.cpu),
        rss(py),
        at_once(py),
        times(py.cpu, rust.measured().then_some(rust.cpu).flatten()),
        times(py.rss, rust.measured().then_some(rust.rss).flatten()),
    )
}

/// The sweep named `stem` (`sweep`: 1 KiB bodies; `pages`: the six sites' sizes) for every
/// program of "Async Python" that waits on all its requests at once, beside its Rust model: how
/// far each gets, and at what cost.
pub fn sweep(run: &Results, stem: &str) -> String {
    let ns = run.clients.sweep(stem, ceiling(run));
    let run = &run.clients;
    let mut t = String::from(
        "| N | the talk's program | wall (s) | CPU (s) | peak RSS | at once | Rust model \
         | wall (s) | CPU (s) | peak RSS | at once | CPU, Python ÷ Rust | RSS, Python ÷ Rust |\n\
         |---:|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|\n",
    );
    for n in ns {
        let workload = format!("{stem}-{n}");
        for program in PYTHON_TALKS.iter().filter(|p| p.kind == PythonKind::Sites) {
            let (Some(py), Some(rust)) = (
                run.cell(&workload, program.name),
                run.cell(&workload, program.beside),
            ) else {
                continue;
            };
            let row = pair(&group(n), program.name, program.beside, py, rust);
            let _ = writeln!(t, "{row}");
        }
    }
    t
}

/// Each Python server beside its Rust server at every number of connections.
pub fn servers_table(run: &Results) -> String {
    let run: &Servers = &run.servers;
    let mut t = String::from(
        "| C | Python server | requests/s | p99 | CPU per request | peak RSS | Rust server \
         | requests/s | p99 | CPU per request | peak RSS | requests/s, Rust ÷ Python | CPU, \
         Python ÷ Rust |\n\
         |---:|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|\n",
    );
    let find = |server: &str, c: u64| -> Option<&Point> {
        run.points
            .iter()
            .find(|p| p.server == server && p.connections == c)
    };
    let mut connections: Vec<u64> = run.points.iter().map(|p| p.connections).collect();
    connections.sort_unstable();
    connections.dedup();
    let figures = |p: &Point| -> String {
        if p.alive < p.runs {
            return format!("died in {} of {} runs | | | ", p.runs - p.alive, p.runs);
        }
        format!(
            "{} | {} | {:.0} µs | {}",
            group(p.rps.round() as u64),
            ms(p.p99_ms),
            p.cpu_s_per_1000 * 1000.0,
            mib(p.peak_rss_kib * 1024.0),
        )
    };
    let mut rows = 0;
    for c in connections {
        for server in PYTHON_SERVERS {
            let (Some(py), Some(rust)) = (find(server.name, c), find(server.beside, c)) else {
                continue;
            };
            rows += 1;
            let both = py.alive == py.runs && rust.alive == rust.runs;
            let _ = writeln!(
                t,
                "| {} | `{}` | {} | {} | {} | {} | {} |",
                group(c),
                server.name,
                figures(py),
                catalogue::short(server.beside),
                figures(rust),
                if both && py.rps > 0.0 {
                    format!("{:.1}x", rust.rps / py.rps)
                } else {
                    "–".into()
                },
                if both && rust.cpu_s_per_1000 > 0.0 {
                    format!("{:.1}x", py.cpu_s_per_1000 / rust.cpu_s_per_1000)
                } else {
                    "–".into()
                },
            );
        }
    }
    if rows == 0 {
        return "No Python server in this run: `scripts/python.sh` creates their environment, and \
                `scripts/run_all.sh` then measures them with the rest.\n"
            .into();
    }
    t
}

/// The rows under a book chapter's table of the talk's figures: the talk's program and its Rust
/// model, on this machine, in the same run. None where the run has no such rows.
pub fn beside_the_talk(run: &Results, program: &str) -> Option<String> {
    let program = PYTHON_TALKS.iter().find(|p| p.name == program)?;
    let workload = workloads_of(program, &run.clients).into_iter().next()?;
    let py = run.clients.cell(&workload, program.name)?;
    let rust = run.clients.cell(&workload, program.beside)?;
    let mut t = String::from(
        "| on this machine | wall | CPU (user + sys) | peak RSS |\n|---|---:|---:|---:|\n",
    );
    for (name, c) in [
        (format!("`python/talks/{}`", program.name), py),
        (format!("`{}`", program.beside), rust),
    ] {
        if c.measured() {
            let _ = writeln!(
                t,
                "| {name} | {} s | {} s | {} |",
                seconds(c.wall),
                seconds(c.cpu),
                rss(c)
            );
        } else {
            let _ = writeln!(t, "| {name} | {} | | |", missing(c));
        }
    }
    let runs = |c: &CellSummary| match c.runs {
        1 => "one run".to_string(),
        n => format!("the median of {n} runs"),
    };
    let _ = write!(
        t,
        "\nThe talk's program in Python 3 ({}) and its Rust model ({}), in the one run whose \
         machine and code the introduction states, against the local origin (RESULTS.md, \
         \"Python beside Rust\", has every program).\n",
        runs(py),
        runs(rust),
    );
    Some(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios_say_how_many_times_and_never_divide_by_nothing() {
        assert_eq!(times(Some(3.0), Some(1.5)), "2.0x");
        assert_eq!(times(Some(3.0), Some(0.0)), "–");
        assert_eq!(times(None, Some(1.0)), "–");
    }

    #[test]
    fn a_jobs_program_is_read_on_the_jobs_workloads() {
        let block = Python::named("block.py").expect("block.py");
        let clients = Clients::default();
        assert_eq!(workloads_of(block, &clients), ["jobs"]);
        let sync = Python::named("sync.py").expect("sync.py");
        assert_eq!(workloads_of(sync, &clients), ["sites"]);
    }
}
