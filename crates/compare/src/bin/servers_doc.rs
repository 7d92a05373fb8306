//! Writes the tables and charts of `docs/SERVERS.md` from a committed run of the servers
//! (`runs.csv` and `machine.json`, written by `scripts/serve_all.sh`): each figure is the median
//! of the runs of a server at a number of connections. The tables sit between the markers
//! `<!-- servers:NAME -->` and `<!-- /servers:NAME -->`; the charts are drawn into the run's
//! folder (except with `--check`, which only compares the tables of a page with the run).
//!
//! ```sh
//! scripts/serve_all.sh --out docs/servers
//! cargo run -p compare --bin servers-doc -- --write docs/SERVERS.md
//! ```

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::Parser;
use common::group;
use compare::page::{self, Action, read};
use plotters::prelude::*;

#[derive(Debug, Parser)]
#[command(about = "Writes the tables and charts of docs/SERVERS.md from a run of the servers")]
struct Args {
    /// The run: a folder written by `scripts/serve_all.sh --out DIR`.
    #[arg(long, default_value = "docs/servers")]
    from: PathBuf,
    #[command(flatten)]
    output: page::Output,
}

fn main() -> anyhow::Result<ExitCode> {
    let args = Args::parse();
    let run = Run::read(&args.from)?;
    if args.output.check.is_none() {
        charts(&run, &args.from)?;
    }
    Action::of(&args.output).run(
        "servers",
        &tables(&run),
        &args.from,
        "cargo run -p compare --bin servers-doc --",
    )
}

/// The request every run sent waits this long at the server: C connections can have at most
/// C / WAIT requests answered each second.
const WAIT_S: f64 = 0.05;

/// A server at a number of connections: the median of its runs.
#[derive(Debug, Clone)]
struct Point {
    server: String,
    connections: u64,
    runs: usize,
    alive: usize,
    rps: f64,
    p50_ms: f64,
    p99_ms: f64,
    max_ms: f64,
    errors: f64,
    timeouts: f64,
    accepted: f64,
    refused: f64,
    peak_rss_kib: f64,
    peak_threads: f64,
    cpu_s_per_1000: f64,
    load_cpu_s: f64,
    seconds: f64,
    kernel_stack_kib: f64,
    vm_peak_kib: f64,
}

impl Point {
    fn ideal(&self) -> f64 {
        self.connections as f64 / WAIT_S
    }
}

#[derive(Debug)]
struct Run {
    points: Vec<Point>,
    machine: serde_json::Value,
}

impl Run {
    fn read(dir: &Path) -> anyhow::Result<Run> {
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
                });
            }
        }
        if points.is_empty() {
            bail!("{} holds no runs", dir.join("runs.csv").display());
        }
        Ok(Run { points, machine })
    }

    fn point(&self, server: &str, connections: u64) -> Option<&Point> {
        self.points
            .iter()
            .find(|p| p.server == server && p.connections == connections)
    }

    fn servers(&self) -> Vec<&str> {
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

fn median(values: impl Iterator<Item = f64>) -> f64 {
    let mut values: Vec<f64> = values.collect();
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

fn median_of(runs: &[&page::Row], f: impl Fn(&page::Row) -> f64) -> f64 {
    median(runs.iter().map(|r| f(r)))
}

/// A server's name in a table or a legend: without `serve-`.
fn short(server: &str) -> &str {
    server.strip_prefix("serve-").unwrap_or(server)
}

/// A latency: to a tenth of a millisecond below a second, in whole milliseconds above.
fn ms(value: f64) -> String {
    if value >= 1000.0 {
        format!("{} ms", group(value.round() as u64))
    } else {
        format!("{value:.1} ms")
    }
}

fn mib(kib: f64) -> String {
    let mib = kib / 1024.0;
    if mib >= 1024.0 {
        format!("{:.1} GiB", mib / 1024.0)
    } else if mib >= 100.0 {
        format!("{mib:.0} MiB")
    } else {
        format!("{mib:.1} MiB")
    }
}

fn tables(run: &Run) -> Vec<(&'static str, String)> {
    vec![
        ("setup", setup(run)),
        ("table", table(run)),
        ("threads", threads(run)),
        ("targets", targets(run)),
    ]
}

fn setup(run: &Run) -> String {
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

/// Every server at every C.
fn table(run: &Run) -> String {
    let mut t = String::from(
        "| C | server | requests/s | of ideal | p50 | p99 | max | errors | timeouts | accepted | \
         peak RSS | threads | CPU per request |\n\
         |---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for c in run.connections() {
        for server in run.servers() {
            let Some(p) = run.point(server, c) else {
                continue;
            };
            let _ = writeln!(
                t,
                "| {} | {}{} | {} | {:.0}% | {} | {} | {} | {} | {} | {} | {} | {} | {:.0} µs |",
                group(c),
                short(server),
                if p.alive < p.runs { " (died)" } else { "" },
                group(p.rps.round() as u64),
                100.0 * p.rps / p.ideal(),
                ms(p.p50_ms),
                ms(p.p99_ms),
                ms(p.max_ms),
                group(p.errors as u64),
                group(p.timeouts as u64),
                group(p.accepted as u64),
                mib(p.peak_rss_kib),
                group(p.peak_threads as u64),
                p.cpu_s_per_1000 * 1000.0,
            );
        }
    }
    t
}

/// What a thread per connection takes, C by C, beside the best event loop's figures.
fn threads(run: &Run) -> String {
    let mut t = String::from(
        "| C | threads | peak RSS | RSS per connection | kernel stacks | virtual memory | refused | \
         requests/s | p99 | max | best loop's requests/s | its peak RSS |\n\
         |---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
    );
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
            t,
            "| {} | {} | {} | {:.1} KiB | {} | {} | {} | {} | {} | {} | {} | {} |",
            group(c),
            group(p.peak_threads as u64),
            mib(p.peak_rss_kib),
            p.peak_rss_kib / c as f64,
            if p.kernel_stack_kib.is_nan() {
                "–".into()
            } else {
                mib(p.kernel_stack_kib)
            },
            if p.vm_peak_kib.is_nan() {
                "–".into()
            } else {
                mib(p.vm_peak_kib)
            },
            group(p.refused as u64),
            group(p.rps.round() as u64),
            ms(p.p99_ms),
            ms(p.max_ms),
            best.map_or("–".into(), |b| format!(
                "{} ({})",
                group(b.rps.round() as u64),
                short(&b.server)
            )),
            best.map_or("–".into(), |b| mib(b.peak_rss_kib)),
        );
    }
    t
}

/// The async servers held to the targets at C = 1,000.
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
            short(server),
            p.map(|p| group(p.rps.round() as u64)),
            &group((0.95 * ideal) as u64),
            verdict(p.map(|p| p.rps >= 0.95 * ideal)),
        );
        row(
            "C=1,000: p99 ≤ 75 ms",
            short(server),
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
        best.map_or("–", |p| short(&p.server)),
        best.map(|p| group(p.rps.round() as u64)),
        "45,000",
        verdict(best.map(|p| p.rps >= 45_000.0)),
    );
    if let Some(p) = best {
        let cores = run.machine["machine"]["cores"].as_f64().unwrap_or(1.0);
        let share = p.load_cpu_s / (p.seconds * cores);
        row(
            "C=5,000: CPU the load generator took in that run",
            short(&p.server),
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
            short(server),
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

const FONT: &str = "sans-serif";

/// A colour per server, as the clients of the same model have in the comparison's charts;
/// a server's setup with a loop per core is drawn dashed in its colour.
fn color(server: &str) -> RGBColor {
    let bin = server.split(' ').next().unwrap_or(server);
    match bin {
        "serve-threads" => RGBColor(230, 120, 20),
        "serve-tokio" => RGBColor(30, 100, 200),
        "serve-smol" => RGBColor(40, 150, 70),
        "serve-green" => RGBColor(20, 160, 170),
        "serve-reactor" => RGBColor(200, 40, 60),
        _ => RGBColor(120, 120, 120),
    }
}

fn charts(run: &Run, dir: &Path) -> anyhow::Result<()> {
    chart(
        run,
        &dir.join("rps.svg"),
        "Requests per second against keep-alive connections (median)",
        "requests per second (log)",
        &|p| p.rps,
        Some(&|c| c / WAIT_S),
    )?;
    chart(
        run,
        &dir.join("rss.svg"),
        "The server's peak RSS against keep-alive connections (median)",
        "peak RSS, MiB (log)",
        &|p| p.peak_rss_kib / 1024.0,
        None,
    )?;
    chart(
        run,
        &dir.join("p99.svg"),
        "99th percentile of latency against keep-alive connections (median)",
        "p99 latency, ms (log)",
        &|p| p.p99_ms,
        None,
    )
}

/// A line per server on log–log axes, with an optional reference line (the ideal).
fn chart(
    run: &Run,
    path: &Path,
    title: &str,
    y_desc: &str,
    pick: &dyn Fn(&Point) -> f64,
    reference: Option<&dyn Fn(f64) -> f64>,
) -> anyhow::Result<()> {
    let connections = run.connections();
    let (first, last) = match (connections.first(), connections.last()) {
        (Some(&first), Some(&last)) => (first as f64, last as f64),
        _ => bail!("no runs to draw"),
    };
    let mut values: Vec<f64> = run.points.iter().map(pick).filter(|v| *v > 0.0).collect();
    if let Some(reference) = reference {
        values.extend(connections.iter().map(|&c| reference(c as f64)));
    }
    let low = values.iter().copied().fold(f64::MAX, f64::min);
    let high = values.iter().copied().fold(f64::MIN, f64::max);
    let root = SVGBackend::new(path, (900, 560)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, (FONT, 22))
        .margin(20)
        .x_label_area_size(45)
        .y_label_area_size(70)
        .build_cartesian_2d(
            (first * 0.7..last * 1.4).log_scale(),
            (low / 1.5..high * 1.5).log_scale(),
        )?;
    chart
        .configure_mesh()
        .x_desc("keep-alive connections C (log)")
        .y_desc(y_desc)
        .label_style((FONT, 15))
        .x_label_formatter(&|v| group(v.round() as u64))
        .y_label_formatter(&|v| {
            if *v >= 10.0 {
                group(v.round() as u64)
            } else {
                format!("{v:.1}")
            }
        })
        .draw()?;
    if let Some(reference) = reference {
        let points: Vec<(f64, f64)> = connections
            .iter()
            .map(|&c| (c as f64, reference(c as f64)))
            .collect();
        chart
            .draw_series(DashedLineSeries::new(points, 6, 4, BLACK.stroke_width(1)))?
            .label("ideal: C / 50 ms")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLACK.stroke_width(1)));
    }
    for server in run.servers() {
        let points: Vec<(f64, f64)> = run
            .points
            .iter()
            .filter(|p| p.server == server && p.alive > 0 && pick(p) > 0.0)
            .map(|p| (p.connections as f64, pick(p)))
            .collect();
        let c = color(server);
        let style = c.stroke_width(3);
        if server.contains(" --threads") {
            chart
                .draw_series(DashedLineSeries::new(points.clone(), 10, 5, style))?
                .label(short(server))
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], style));
            chart.draw_series(points.iter().map(|&p| Circle::new(p, 3, c.filled())))?;
        } else {
            chart
                .draw_series(LineSeries::new(points, style).point_size(4))?
                .label(short(server))
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], style));
        }
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .label_font((FONT, 15))
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .draw()?;
    root.present()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_of_odd_and_even_counts() {
        assert_eq!(median([3.0, 1.0, 2.0].into_iter()), 2.0);
        assert_eq!(median([4.0, 1.0, 2.0, 3.0].into_iter()), 2.5);
        assert!(median(std::iter::empty()).is_nan());
    }

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
        assert!(table(&run).contains("| 10,000 | threads (died) |"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
