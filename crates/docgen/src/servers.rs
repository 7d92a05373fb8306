//! Writes the tables and charts of `docs/SERVERS.md` from a committed run of the servers
//! (`runs.csv` and `machine.json`, written by `scripts/serve_all.sh`): each figure is the median
//! of the runs of a server at a number of connections. The tables sit between the markers
//! `<!-- servers:NAME -->` and `<!-- /servers:NAME -->`; the charts are drawn into the run's
//! folder (except with `--check`, which only compares the tables of a page with the run).
//!
//! ```sh
//! scripts/serve_all.sh --out docs/servers
//! cargo run -p docgen -- servers --write docs/SERVERS.md
//! ```

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};

use figures::charts::{self, Axes, Line};
use figures::format::{group, median, mib, ms};
use figures::page::{self, Action, read};

/// Writes the tables and charts of docs/SERVERS.md from a run of the servers.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The run: a folder written by `scripts/serve_all.sh --out DIR`.
    #[arg(long, default_value = "docs/servers")]
    from: PathBuf,
    /// The run at this machine's ceiling: `bench servers --connections 19000`.
    #[arg(long, default_value = "docs/servers/ceiling")]
    ceiling: PathBuf,
    /// The hostile clients' run: `bench hostile`.
    #[arg(long, default_value = "docs/servers/hostile")]
    hostile: PathBuf,
    /// Every server again on a second machine, every server of today included, the Python ones
    /// too (`bench servers` measures them with the rest where their environment exists).
    #[arg(long, default_value = "docs/servers/xeon")]
    second: PathBuf,
    #[command(flatten)]
    output: page::Output,
}

/// Tables of the ceiling's and the hostile clients' runs, from their folders.
pub type More = fn(&Path, &Path) -> anyhow::Result<Vec<(&'static str, String)>>;

/// Tables of the Python servers, from the run in a folder.
pub type Python = fn(&Path) -> anyhow::Result<Vec<(&'static str, String)>>;

/// Writes (or checks) the page's tables and draws its charts: the run's, then `more`'s, then
/// the second machine's, then `python`'s of the Python servers in that run.
pub fn run(args: Args, more: More, python: Python) -> anyhow::Result<ExitCode> {
    let run = Run::read(&args.from)?;
    let second = Run::read(&args.second)?;
    if args.output.check.is_none() {
        charts(&run, &args.from)?;
        charts(&second, &args.second)?;
    }
    let mut tables = tables(&run);
    tables.extend(more(&args.ceiling, &args.hostile)?);
    tables.extend([
        ("second-setup", setup(&second)),
        ("second-table", table(&second)),
        ("second-threads", threads(&second)),
        ("second-targets", targets(&second)),
    ]);
    tables.extend(python(&args.second)?);
    Action::of(&args.output).run(
        "servers",
        &tables,
        &args.from,
        "cargo run -p docgen -- servers",
    )
}

/// The request every run sent waits this long at the server: C connections can have at most
/// C / WAIT requests answered each second.
const WAIT_S: f64 = 0.05;

/// A server at a number of connections: the median of its runs.
#[derive(Debug, Clone)]
pub(crate) struct Point {
    pub(crate) server: String,
    pub(crate) connections: u64,
    pub(crate) runs: usize,
    pub(crate) alive: usize,
    pub(crate) rps: f64,
    pub(crate) p50_ms: f64,
    pub(crate) p99_ms: f64,
    pub(crate) max_ms: f64,
    pub(crate) errors: f64,
    pub(crate) timeouts: f64,
    pub(crate) accepted: f64,
    pub(crate) refused: f64,
    pub(crate) peak_rss_kib: f64,
    pub(crate) peak_threads: f64,
    pub(crate) cpu_s_per_1000: f64,
    pub(crate) load_cpu_s: f64,
    pub(crate) seconds: f64,
    pub(crate) kernel_stack_kib: f64,
    pub(crate) vm_peak_kib: f64,
    /// The kernel's TCP memory at its peak, machine-wide; NaN for a run that did not record it.
    pub(crate) socket_mem_kib: f64,
}

impl Point {
    pub(crate) fn ideal(&self) -> f64 {
        self.connections as f64 / WAIT_S
    }
}

#[derive(Debug)]
pub(crate) struct Run {
    pub(crate) points: Vec<Point>,
    pub(crate) machine: serde_json::Value,
}

impl Run {
    pub(crate) fn read(dir: &Path) -> anyhow::Result<Run> {
        let csv = read(&dir.join("runs.csv"))?;
        let machine = read(&dir.join("machine.json"))?;
        let machine: serde_json::Value = serde_json::from_str(&machine)
            .with_context(|| format!("{} is not JSON", dir.join("machine.json").display()))?;
        let rows = page::rows(&csv);
        // The servers in the order of their first run, and the numbers of connections.
        let mut servers: Vec<String> = Vec::new();
        for row in &rows {
            if !servers.iter().any(|s| s == row.get("server")) {
                servers.push(row.get("server").to_string());
            }
        }
        let connections: BTreeSet<u64> = rows
            .iter()
            .filter_map(|r| r.get("connections").parse().ok())
            .collect();
        let mut points = Vec::new();
        for server in &servers {
            for &c in &connections {
                let runs: Vec<&page::Row> = rows
                    .iter()
                    .filter(|r| r.get("server") == server && r.num("connections") == Some(c as f64))
                    .collect();
                if runs.is_empty() {
                    continue;
                }
                let median = |name: &str| median(runs.iter().filter_map(|r| r.num(name)));
                let errors = median_of(&runs, |r| {
                    ["connect_errors", "read_errors", "write_errors", "non_2xx"]
                        .iter()
                        .filter_map(|name| r.num(name))
                        .sum()
                });
                points.push(Point {
                    server: server.clone(),
                    connections: c,
                    runs: runs.len(),
                    alive: runs.iter().filter(|r| r.get("alive") == "true").count(),
                    rps: median("rps"),
                    p50_ms: median("p50_ms"),
                    p99_ms: median("p99_ms"),
                    max_ms: median("max_ms"),
                    errors,
                    timeouts: median("timeouts"),
                    accepted: median("accepted"),
                    refused: median("refused"),
                    peak_rss_kib: median("peak_rss_kib"),
                    peak_threads: median("peak_threads"),
                    cpu_s_per_1000: median("cpu_s_per_1000"),
                    load_cpu_s: median("load_cpu_s"),
                    seconds: median("seconds"),
                    kernel_stack_kib: median("kernel_stack_kib"),
                    vm_peak_kib: median("vm_peak_kib"),
                    socket_mem_kib: median("socket_mem_kib"),
                });
            }
        }
        if points.is_empty() {
            bail!("{} holds no runs", dir.join("runs.csv").display());
        }
        Ok(Run { points, machine })
    }

    pub(crate) fn point(&self, server: &str, connections: u64) -> Option<&Point> {
        self.points
            .iter()
            .find(|p| p.server == server && p.connections == connections)
    }

    pub(crate) fn servers(&self) -> Vec<&str> {
        let mut servers: Vec<&str> = Vec::new();
        for p in &self.points {
            if !servers.contains(&p.server.as_str()) {
                servers.push(&p.server);
            }
        }
        servers
    }

    fn connections(&self) -> Vec<u64> {
        let set: BTreeSet<u64> = self.points.iter().map(|p| p.connections).collect();
        set.into_iter().collect()
    }
}

fn median_of(runs: &[&page::Row], f: impl Fn(&page::Row) -> f64) -> f64 {
    median(runs.iter().map(|r| f(r)))
}

/// A server's name in a table or a legend: its short name, with the flags of its setup.
fn short(server: &str) -> String {
    catalogue::short(server)
}

fn tables(run: &Run) -> Vec<(&'static str, String)> {
    vec![
        ("setup", setup(run)),
        ("table", table(run)),
        ("threads", threads(run)),
        ("targets", targets(run)),
    ]
}

pub(crate) fn setup(run: &Run) -> String {
    let load = run.machine["load"].as_str().unwrap_or("?");
    let duration = &run.machine["duration_s"];
    let command = match load {
        "wrk" => format!("`wrk -t2 -cC -d{duration}s --timeout 5s --latency`"),
        _ => format!("`oha -c C -z {duration}s -t 5s`"),
    };
    let repeats = match run.machine["repeats"].as_u64() {
        Some(1) => "one run".to_string(),
        Some(n) => format!("{n} runs"),
        None => "?".to_string(),
    };
    format!(
        "{}- **Load:** {command} against `{}`, on the same machine; a fresh server for every run.\n\
         - **Repeats:** {repeats} of each server at each C, interleaved; each figure is their median.\n",
        page::machine_and_code(&run.machine["machine"]),
        run.machine["target"].as_str().unwrap_or("?"),
    )
}

/// Every server at every C, as two tables that read without wrapping: what the clients got
/// (throughput and latency), then what it cost the server.
fn table(run: &Run) -> String {
    let mut served = String::from(
        "| C | server | requests/s | of ideal | p50 | p99 | max | errors | timeouts |\n\
         |---:|---|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    let mut cost = String::from(
        "| C | server | accepted | peak RSS | threads | CPU per request |\n\
         |---:|---|---:|---:|---:|---:|\n",
    );
    for c in run.connections() {
        for server in run.servers() {
            let Some(p) = run.point(server, c) else {
                continue;
            };
            let name = format!(
                "{}{}",
                short(server),
                if p.alive < p.runs { " (died)" } else { "" }
            );
            let _ = writeln!(
                served,
                "| {} | {name} | {} | {:.0}% | {} | {} | {} | {} | {} |",
                group(c),
                group(p.rps.round() as u64),
                100.0 * p.rps / p.ideal(),
                ms(p.p50_ms),
                ms(p.p99_ms),
                ms(p.max_ms),
                group(p.errors as u64),
                group(p.timeouts as u64),
            );
            let _ = writeln!(
                cost,
                "| {} | {name} | {} | {} | {} | {:.0} µs |",
                group(c),
                group(p.accepted as u64),
                mib(p.peak_rss_kib * 1024.0),
                group(p.peak_threads as u64),
                p.cpu_s_per_1000 * 1000.0,
            );
        }
    }
    format!("What the clients got:\n\n{served}\nWhat it cost the server:\n\n{cost}")
}

/// What a thread per connection takes, C by C, then what it serves beside the best event loop.
fn threads(run: &Run) -> String {
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
    for c in run.connections() {
        let Some(p) = run.point("serve-threads", c) else {
            continue;
        };
        let best = run
            .points
            .iter()
            .filter(|o| o.connections == c && o.server != "serve-threads")
            .max_by(|a, b| a.rps.total_cmp(&b.rps));
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

/// The servers the targets at C = 1,000 were set for: the runtimes' and the reactor's (the green
/// hub, a later row, was measured beside them without a target of its own).
const ASYNC: &[&str] = &["serve-tokio", "serve-smol", "serve-reactor"];

fn targets(run: &Run) -> String {
    let mut t =
        String::from("| target | server | figure | limit | met |\n|---|---|---:|---:|---|\n");
    let mut row = |what: &str, server: &str, figure: Option<String>, limit: &str, met: &str| {
        let figure = figure.unwrap_or_else(|| "–".into());
        let _ = writeln!(t, "| {what} | {server} | {figure} | {limit} | {met} |");
    };
    // C = 1,000: every async server near the ideal, and its tail short.
    let ideal = 1000.0 / WAIT_S;
    for server in ASYNC.iter().copied().chain(
        run.servers()
            .into_iter()
            .filter(|s| s.contains(" --threads") && ASYNC.iter().any(|a| s.starts_with(a))),
    ) {
        let p = run.point(server, 1000);
        row(
            "C=1,000: requests/s ≥ 0.95 of the ideal",
            &short(server),
            p.map(|p| group(p.rps.round() as u64)),
            &group((0.95 * ideal) as u64),
            verdict(p.map(|p| p.rps >= 0.95 * ideal)),
        );
        row(
            "C=1,000: p99 ≤ 75 ms",
            &short(server),
            p.map(|p| format!("{:.1} ms", p.p99_ms)),
            "75 ms",
            verdict(p.map(|p| p.p99_ms <= 75.0)),
        );
    }
    // C = 5,000: the best server, with the load generator sharing the cores.
    let best = run
        .points
        .iter()
        .filter(|p| p.connections == 5000)
        .max_by(|a, b| a.rps.total_cmp(&b.rps));
    row(
        "C=5,000: the best server's requests/s ≥ 45,000",
        &best.map_or("–".into(), |p| short(&p.server)),
        best.map(|p| group(p.rps.round() as u64)),
        "45,000",
        verdict(best.map(|p| p.rps >= 45_000.0)),
    );
    if let Some(p) = best {
        let cores = run.machine["machine"]["cores"].as_f64().unwrap_or(1.0);
        let share = p.load_cpu_s / (p.seconds * cores);
        row(
            "C=5,000: CPU the load generator took in that run",
            &short(&p.server),
            Some(format!(
                "{:.1} s of the {:.1} s of CPU the {cores} cores had ({:.0}%)",
                p.load_cpu_s,
                p.seconds * cores,
                100.0 * share
            )),
            "",
            "(said)",
        );
    }
    // C = 10,000: every server still running after every run.
    for server in run.servers() {
        let p = run.point(server, 10_000);
        row(
            "C=10,000: completes every run without crashing",
            &short(server),
            p.map(|p| format!("{} of {} runs", p.alive, p.runs)),
            "every run",
            verdict(p.map(|p| p.alive == p.runs)),
        );
    }
    t
}

/// Whether a figure met its target, where it was measured.
fn verdict(met: Option<bool>) -> &'static str {
    match met {
        Some(true) => "yes",
        Some(false) => "**no**",
        None => "not measured",
    }
}

fn charts(run: &Run, dir: &Path) -> anyhow::Result<()> {
    if run.connections().is_empty() {
        bail!("no runs to draw");
    }
    let lines = |pick: fn(&Point) -> f64| -> Vec<Line> {
        run.servers()
            .into_iter()
            .map(|server| Line {
                row: server.to_string(),
                points: run
                    .points
                    .iter()
                    .filter(|p| p.server == server && p.alive > 0)
                    .map(|p| (p.connections as f64, pick(p)))
                    .collect(),
                dashed: server.contains(" --threads"),
            })
            .collect()
    };
    let axes = |title, y| Axes {
        title,
        x: "keep-alive connections C (log)",
        y,
    };
    let ideal: Vec<(f64, f64)> = run
        .connections()
        .iter()
        .map(|&c| (c as f64, c as f64 / WAIT_S))
        .collect();
    charts::log_log(
        &dir.join("rps.svg"),
        axes(
            "Requests per second against keep-alive connections (median)",
            "requests per second (log)",
        ),
        &lines(|p| p.rps),
        Some(("ideal: C / 50 ms", ideal)),
    )?;
    charts::log_log(
        &dir.join("rss.svg"),
        axes(
            "The server's peak RSS against keep-alive connections (median)",
            "peak RSS, MiB (log)",
        ),
        &lines(|p| p.peak_rss_kib / 1024.0),
        None,
    )?;
    charts::log_log(
        &dir.join("p99.svg"),
        axes(
            "99th percentile of latency against keep-alive connections (median)",
            "p99 latency, ms (log)",
        ),
        &lines(|p| p.p99_ms),
        None,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_reads_into_medians_per_server_and_connections() {
        let dir = std::env::temp_dir().join(format!("servers-doc-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let header = "server,connections,repeat,alive,requests,seconds,rps,p99_ms,\
                      connect_errors,read_errors,peak_rss_kib";
        let rows = [
            "serve-tokio,1000,1,true,190000,10,19000,55,0,0,30000",
            "serve-tokio,1000,2,true,180000,10,18000,60,0,2,31000",
            "serve-tokio,1000,3,true,195000,10,19500,58,1,0,29000",
            "serve-threads,10000,1,false,100,10,10,900,5,5,150000",
        ];
        std::fs::write(
            dir.join("runs.csv"),
            format!("{header}\n{}\n", rows.join("\n")),
        )
        .unwrap();
        std::fs::write(
            dir.join("machine.json"),
            r#"{"machine":{"cores":2},"load":"wrk","duration_s":10,"repeats":3}"#,
        )
        .unwrap();
        let run = Run::read(&dir).unwrap();
        let tokio = run.point("serve-tokio", 1000).unwrap();
        assert_eq!((tokio.runs, tokio.alive), (3, 3));
        assert_eq!(
            (tokio.rps, tokio.p99_ms, tokio.errors),
            (19000.0, 58.0, 1.0)
        );
        let threads = run.point("serve-threads", 10_000).unwrap();
        assert_eq!((threads.alive, threads.errors), (0, 10.0));
        let targets = targets(&run);
        assert!(targets.contains(
            "| C=1,000: requests/s ≥ 0.95 of the ideal | tokio | 19,000 | 19,000 | yes |"
        ));
        assert!(targets.contains("| C=10,000: completes every run without crashing | threads | 0 of 1 runs | every run | **no** |"));
        assert!(table(&run).contains("| 10,000 | threads (died) | 10 |"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
