//! Writes the tables of `docs/RESULTS.md` from the committed run (`docs/results/summary.csv` and
//! `machine.json`), so that the page shows what was measured. Each table sits between two
//! markers, `<!-- results:NAME -->` and `<!-- /results:NAME -->`; the prose around them is left
//! as it is. With `--check FILE`, fails when a table of FILE no longer matches the run.
//!
//! ```sh
//! scripts/run_all.sh --out docs/results
//! cargo run -p compare --bin results-doc -- --write docs/RESULTS.md
//! ```

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::Parser;
use common::group;
use compare::page::{self, Action, read};
use harness::{CURL, Kind, MODELS, label};

#[derive(Debug, Parser)]
#[command(about = "Writes the tables of docs/RESULTS.md from a committed run")]
struct Args {
    /// The run: a folder written by `scripts/run_all.sh --out DIR`.
    #[arg(long, default_value = "docs/results")]
    from: PathBuf,
    #[command(flatten)]
    output: page::Output,
}

fn main() -> anyhow::Result<ExitCode> {
    let args = Args::parse();
    let run = Run::read(&args.from)?;
    Action::of(&args.output).run(
        "results",
        &tables(&run),
        &args.from,
        "cargo run -p compare --bin results-doc --",
    )
}

/// One row of `summary.csv`: a model on a workload, over the run's repeats.
#[derive(Debug, Clone)]
struct Cell {
    workload: String,
    n: u64,
    model: String,
    status: String,
    wall: Option<f64>,
    wall_min: Option<f64>,
    wall_max: Option<f64>,
    cpu: Option<f64>,
    rss: Option<f64>,
    per_in_flight: Option<f64>,
    in_flight: Option<f64>,
    jobs_total: Option<u64>,
    correct: Option<bool>,
    note: String,
}

impl Cell {
    fn measured(&self) -> bool {
        matches!(self.status.as_str(), "Ok" | "Failed")
    }
}

#[derive(Debug)]
struct Run {
    cells: Vec<Cell>,
    machine: serde_json::Value,
    runs: u64,
}

impl Run {
    fn read(dir: &Path) -> anyhow::Result<Run> {
        let csv = read(&dir.join("summary.csv"))?;
        let machine = read(&dir.join("machine.json"))?;
        let machine: serde_json::Value = serde_json::from_str(&machine)
            .with_context(|| format!("{} is not JSON", dir.join("machine.json").display()))?;
        let mut cells = Vec::new();
        let mut runs = 0;
        for row in page::rows(&csv) {
            let num = |name: &str| row.num(name);
            runs = runs.max(row.get("runs").parse().unwrap_or(0));
            cells.push(Cell {
                workload: row.get("workload").to_string(),
                n: row.get("n").parse().unwrap_or(0),
                model: row.get("model").to_string(),
                status: row.get("status").to_string(),
                wall: num("wall_median_s"),
                wall_min: num("wall_min_s"),
                wall_max: num("wall_max_s"),
                cpu: num("cpu_median_s"),
                rss: num("peak_rss_median_bytes"),
                per_in_flight: num("peak_rss_per_in_flight_bytes"),
                in_flight: num("peak_in_flight"),
                jobs_total: row.get("jobs_total").parse().ok(),
                correct: row.get("correct").parse().ok(),
                note: row.get("note").to_string(),
            });
        }
        if cells.is_empty() {
            bail!("{} holds no cells", dir.join("summary.csv").display());
        }
        Ok(Run {
            cells,
            machine,
            runs,
        })
    }

    fn cell(&self, workload: &str, model: &str) -> Option<&Cell> {
        self.cells
            .iter()
            .find(|c| c.workload == workload && c.model == model)
    }

    /// The models of the run, in the order of [`MODELS`], then the reference row of curl.
    fn models(&self) -> Vec<&'static str> {
        MODELS
            .iter()
            .map(|m| m.name)
            .chain([CURL])
            .filter(|name| self.cells.iter().any(|c| c.model == *name))
            .collect()
    }

    /// The endpoint counts of the sweep whose workloads are named `{stem}-N`, past the
    /// baseline of one.
    fn sweep(&self, stem: &str) -> Vec<u64> {
        let prefix = format!("{stem}-");
        let ns: BTreeSet<u64> = self
            .cells
            .iter()
            .filter(|c| c.workload.starts_with(&prefix) && c.n > 1)
            .map(|c| c.n)
            .collect();
        ns.into_iter().collect()
    }

    /// A measured figure of a cell.
    fn figure(&self, workload: &str, model: &str, pick: fn(&Cell) -> Option<f64>) -> Option<f64> {
        self.cell(workload, model)
            .filter(|c| c.measured())
            .and_then(pick)
    }
}

/// A model's name in a table: without `fetch-`; curl's says how many transfers it runs at once.
fn short(model: &str) -> String {
    label(model.strip_prefix("fetch-").unwrap_or(model))
}

/// The models that let every request wait at once, and curl.
fn unbounded(run: &Run) -> Vec<&'static str> {
    run.models()
        .into_iter()
        .filter(|m| {
            *m == CURL
                || MODELS
                    .iter()
                    .any(|info| info.name == *m && matches!(info.kind, Kind::Threads | Kind::Tasks))
        })
        .collect()
}

fn mib(bytes: f64) -> String {
    if bytes >= 100.0 * f64::from(1 << 20) {
        format!("{:.0} MiB", bytes / f64::from(1 << 20))
    } else {
        format!("{:.1} MiB", bytes / f64::from(1 << 20))
    }
}

fn or_dash(v: Option<String>) -> String {
    v.unwrap_or_else(|| "–".into())
}

/// Why a cell has no figures: skipped past the budget, or broken.
fn missing(cell: &Cell) -> String {
    match cell.status.as_str() {
        "Skipped" => "skipped".into(),
        other => format!("{} ({})", other.to_lowercase(), cell.note),
    }
}

fn tables(run: &Run) -> Vec<(&'static str, String)> {
    vec![
        ("setup", setup(run)),
        ("sites", sites(run)),
        ("jobs", jobs(run)),
        ("many-jobs", many_jobs(run)),
        ("sweep", sweep(run, "sweep")),
        ("per-request", per_request(run, "sweep")),
        ("pages", sweep(run, "pages")),
        ("pages-per-request", per_request(run, "pages")),
        ("targets", targets(run)),
    ]
}

fn setup(run: &Run) -> String {
    format!(
        "{}- **Repeats:** {} runs of each measurement, interleaved; each figure is their median.\n",
        page::machine_and_code(&run.machine),
        run.runs,
    )
}

fn sites(run: &Run) -> String {
    let sync = run
        .cell("sites", MODELS[0].name)
        .filter(|c| c.measured())
        .and_then(|c| c.wall);
    let mut t = String::from(
        "| model | wall (s) | min–max (s) | vs sync | CPU (s) | peak RSS | peak in flight |\n\
         |---|---:|---:|---:|---:|---:|---:|\n",
    );
    for model in run.models() {
        let Some(c) = run.cell("sites", model) else {
            continue;
        };
        if !c.measured() {
            let _ = writeln!(t, "| {} | {} | | | | | |", short(model), missing(c));
            continue;
        }
        let speedup = match (sync, c.wall) {
            (Some(sync), Some(wall)) => format!("{:.2}x", sync / wall),
            _ => "–".into(),
        };
        let _ = writeln!(
            t,
            "| {} | {} | {}–{} | {speedup} | {} | {} | {} |",
            short(model),
            or_dash(c.wall.map(|w| format!("{w:.3}"))),
            or_dash(c.wall_min.map(|w| format!("{w:.3}"))),
            or_dash(c.wall_max.map(|w| format!("{w:.3}"))),
            or_dash(c.cpu.map(|s| format!("{s:.3}"))),
            or_dash(c.rss.map(mib)),
            or_dash(c.in_flight.map(|n| format!("{n:.0}"))),
        );
    }
    t
}

fn jobs(run: &Run) -> String {
    let mut t = jobs_table(run, "jobs");
    // The talk's own figures, from data/talk-results.tsv.
    const TALK: &str = include_str!("../../../../data/talk-results.tsv");
    for line in TALK.lines().filter(|l| l.starts_with("asynchronicity\t")) {
        let f: Vec<&str> = line.split('\t').collect();
        let num = |i: usize| f.get(i).and_then(|v| v.trim().parse::<f64>().ok());
        let cpu = num(6).zip(num(7)).map(|(u, s)| format!("*{:.3}*", u + s));
        let _ = writeln!(
            t,
            "| *talk: {}* | *{}* | {} | {} | *1651* |",
            f.get(1).unwrap_or(&"?"),
            or_dash(num(3).map(|w| format!("{w:.3}"))),
            or_dash(cpu),
            or_dash(num(5).map(|b| format!("*{}*", mib(b)))),
        );
    }
    t
}

/// The jobs API at scale (`jobs-N`): wall, CPU and peak RSS, curl included.
fn many_jobs(run: &Run) -> String {
    run.cells
        .iter()
        .find(|c| c.workload.starts_with("jobs-"))
        .map(|c| jobs_table(run, &c.workload))
        .unwrap_or_default()
}

/// Wall, CPU, peak RSS and the answer of every model on a jobs workload.
fn jobs_table(run: &Run, workload: &str) -> String {
    let mut t = String::from(
        "| model | wall (s) | CPU (s) | peak RSS | answer |\n|---|---:|---:|---:|---|\n",
    );
    for model in run.models() {
        let Some(c) = run.cell(workload, model) else {
            continue;
        };
        if !c.measured() {
            let _ = writeln!(t, "| {} | {} | | | |", short(model), missing(c));
            continue;
        }
        let answer = match (c.jobs_total, c.correct, model == CURL) {
            (_, _, true) => "not parsed".into(),
            (Some(total), Some(true), _) => format!("{}, correct", group(total)),
            (Some(total), _, _) => format!("{}, WRONG", group(total)),
            (None, _, _) => "–".into(),
        };
        let _ = writeln!(
            t,
            "| {} | {} | {} | {} | {answer} |",
            short(model),
            or_dash(c.wall.map(|w| format!("{w:.3}"))),
            or_dash(c.cpu.map(|s| format!("{s:.3}"))),
            or_dash(c.rss.map(mib)),
        );
    }
    t
}

/// What a target holds a figure to.
#[derive(Debug, Clone, Copy)]
enum Limit {
    /// A fixed value.
    At(f64),
    /// A multiple of curl's figure on the same workload.
    Curl(f64),
    /// A multiple of the same model's figure on another workload.
    Own(&'static str, f64),
    /// A multiple of the slowest of the six sites' latencies: the floor of any run of them.
    SlowestSite(f64),
    /// The lowest figure of the other models (curl left out) on the same workload.
    BestOther,
}

/// A target of the comparison: a figure of some models on a workload, and its limit.
struct Target {
    what: &'static str,
    workload: &'static str,
    models: &'static [&'static str],
    figure: fn(&Cell) -> Option<f64>,
    unit: &'static str,
    limit: Limit,
}

const ASYNC: &[&str] = &["fetch-async-std", "fetch-smol", "fetch-tokio"];

fn cpu(c: &Cell) -> Option<f64> {
    c.cpu
}

fn rss_mib(c: &Cell) -> Option<f64> {
    c.rss.map(|b| b / f64::from(1 << 20))
}

const TARGETS: &[Target] = &[
    Target {
        what: "N=2,000 pages: CPU ≤ 1.2x curl's",
        workload: "pages-2000",
        models: ASYNC,
        figure: cpu,
        unit: " s",
        limit: Limit::Curl(1.2),
    },
    Target {
        what: "N=2,000 pages: peak RSS ≤ 1.5x the same model's on jobs at N=2,000",
        workload: "pages-2000",
        models: ASYNC,
        figure: rss_mib,
        unit: " MiB",
        limit: Limit::Own("jobs-2000", 1.5),
    },
    Target {
        what: "N=2,000 jobs: CPU ≤ 1.2x curl's",
        workload: "jobs-2000",
        models: ASYNC,
        figure: cpu,
        unit: " s",
        limit: Limit::Curl(1.2),
    },
    Target {
        what: "N=10,000 1 KiB: peak RSS per request ≤ 16 KiB",
        workload: "sweep-10000",
        models: &["fetch-smol", "fetch-tokio"],
        figure: per_request_kib,
        unit: " KiB",
        limit: Limit::At(16.0),
    },
    Target {
        what: "N=10,000 1 KiB: every request ok, wall ≤ 1.5 s",
        workload: "sweep-10000",
        models: &["fetch-smol", "fetch-tokio", "fetch-reactor", "fetch-green"],
        figure: ok_wall,
        unit: " s",
        limit: Limit::At(1.5),
    },
    Target {
        what: "Six sites: wall ≤ 1.02x the slowest site",
        workload: "sites",
        models: OWN_LOOPS,
        figure: ok_wall,
        unit: " s",
        limit: Limit::SlowestSite(1.02),
    },
    Target {
        what: "N=10,000 1 KiB: peak RSS per request ≤ 2 KiB",
        workload: "sweep-10000",
        models: &["fetch-reactor"],
        figure: per_request_kib,
        unit: " KiB",
        limit: Limit::At(2.0),
    },
    Target {
        what: "N=10,000 1 KiB: CPU ≤ every other model's",
        workload: "sweep-10000",
        models: &["fetch-reactor"],
        figure: cpu,
        unit: " s",
        limit: Limit::BestOther,
    },
    Target {
        what: "N=10,000 1 KiB: peak RSS per request ≤ 16 KiB",
        workload: "sweep-10000",
        models: &["fetch-green"],
        figure: per_request_kib,
        unit: " KiB",
        limit: Limit::At(16.0),
    },
    Target {
        what: "N=2,000 pages: CPU ≤ curl's",
        workload: "pages-2000",
        models: &["fetch-reactor"],
        figure: cpu,
        unit: " s",
        limit: Limit::Curl(1.0),
    },
];

/// The models that run their own event loop: the reactor and the green threads' hub.
const OWN_LOOPS: &[&str] = &["fetch-reactor", "fetch-green"];

/// The wall time of a run in which every request succeeded.
fn ok_wall(c: &Cell) -> Option<f64> {
    c.wall.filter(|_| c.status == "Ok")
}

fn per_request_kib(c: &Cell) -> Option<f64> {
    c.per_in_flight.map(|b| b / 1024.0)
}

/// The targets the models are held to, each with the figure reached.
fn targets(run: &Run) -> String {
    let mut t =
        String::from("| target | model | figure | limit | met |\n|---|---|---:|---:|---|\n");
    for target in TARGETS {
        for model in target.models {
            let figure = run.figure(target.workload, model, target.figure);
            let limit = match target.limit {
                Limit::At(value) => Some(value),
                Limit::Curl(times) => run
                    .figure(target.workload, CURL, target.figure)
                    .map(|f| f * times),
                Limit::Own(workload, times) => run
                    .figure(workload, model, target.figure)
                    .map(|f| f * times),
                Limit::SlowestSite(times) => origin::sites()
                    .iter()
                    .map(|site| site.latency.as_secs_f64() * times)
                    .reduce(f64::max),
                Limit::BestOther => run
                    .models()
                    .into_iter()
                    .filter(|m| m != model && *m != CURL)
                    .filter_map(|m| run.figure(target.workload, m, target.figure))
                    .reduce(f64::min),
            };
            let unit = target.unit;
            let (figure, limit, met) = match (figure, limit) {
                (Some(f), Some(l)) => (
                    format!("{f:.2}{unit}"),
                    format!("{l:.2}{unit}"),
                    if f <= l { "yes" } else { "**no**" },
                ),
                _ => ("–".into(), "–".into(), "not measured"),
            };
            let _ = writeln!(
                t,
                "| {} | {} | {figure} | {limit} | {met} |",
                target.what,
                short(model)
            );
        }
    }
    t
}

/// The head of a table with a row per N and a column per model.
fn by_n(models: &[&str]) -> String {
    let mut t = String::from("| N |");
    for model in models {
        let _ = write!(t, " {} |", short(model));
    }
    t.push_str("\n|---:|");
    t.push_str(&"---:|".repeat(models.len()));
    t.push('\n');
    t
}

fn sweep(run: &Run, stem: &str) -> String {
    let models = run.models();
    let mut t = by_n(&models);
    for n in run.sweep(stem) {
        let _ = write!(t, "| {} |", group(n));
        for model in &models {
            let cell = run.cell(&format!("{stem}-{n}"), model);
            let text = match cell {
                None => "–".into(),
                Some(c) if !c.measured() => missing(c),
                Some(c) => format!(
                    "{}, {}",
                    or_dash(c.wall.map(|w| format!("{w:.2} s"))),
                    or_dash(c.rss.map(mib))
                ),
            };
            let _ = write!(t, " {text} |");
        }
        t.push('\n');
    }
    t
}

/// Peak RSS per in-flight request for the models that let every request wait at once, and
/// curl; from N = 100, below which page-sized noise dominates.
fn per_request(run: &Run, stem: &str) -> String {
    let models = unbounded(run);
    let mut t = by_n(&models);
    for n in run.sweep(stem).into_iter().filter(|n| *n >= 100) {
        let _ = write!(t, "| {} |", group(n));
        for model in &models {
            let per = run
                .cell(&format!("{stem}-{n}"), model)
                .filter(|c| c.measured())
                .and_then(|c| c.per_in_flight);
            let _ = write!(
                t,
                " {} |",
                or_dash(per.map(|b| format!("{:.1} KiB", b / 1024.0)))
            );
        }
        t.push('\n');
    }
    t
}
