//! The tables of a comparison's run, read from what `bench clients` wrote (`summary.csv`,
//! `machine.json`): the tables of `docs/RESULTS.md` for the committed run, and the same tables in
//! each run's `report.md` ([`crate::report`]). In RESULTS.md each table sits between two markers,
//! `<!-- results:NAME -->` and `<!-- /results:NAME -->`; the prose around them is left as it is.
//! With `--check FILE`, fails when a table of FILE no longer matches the run.
//!
//! ```sh
//! scripts/run_all.sh --out docs/results
//! cargo run -p docgen -- results --write docs/RESULTS.md
//! ```

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use catalogue::{CURL, Family, MODELS};

use figures::format::{group, kib, mib, or_dash};
use figures::page::{self, Action, read};

/// Writes the tables of docs/RESULTS.md from a committed run.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The run: a folder written by `scripts/run_all.sh --out DIR`.
    #[arg(long, default_value = "docs/results")]
    from: PathBuf,
    /// The sweeps at this machine's ceiling: `bench clients --sweeps --sweep 19000`.
    #[arg(long, default_value = "docs/results/ceiling")]
    ceiling: PathBuf,
    /// The whole comparison again on a second machine, every model of today included.
    #[arg(long, default_value = SECOND_RUN)]
    second: PathBuf,
    /// The talks' Python programs beside their Rust models: `bench clients --beside-python`.
    #[arg(long, default_value = PYTHON_RUN)]
    python: PathBuf,
    #[command(flatten)]
    output: page::Output,
}

/// Tables of other runs that the page also holds, from the folder of such a run.
pub type More = fn(&Path) -> anyhow::Result<Vec<(&'static str, String)>>;

/// Writes (or checks) the page's tables: the run's, then `ceiling`'s of the ceiling's run, the
/// second machine's, and `python`'s of the Python rows' run.
pub fn run(args: Args, ceiling: More, python: More) -> anyhow::Result<ExitCode> {
    let run = Run::read(&args.from)?;
    let mut tables = tables(&run);
    tables.extend(ceiling(&args.ceiling)?);
    tables.extend(second_tables(&Run::read(&args.second)?));
    tables.extend(python(&args.python)?);
    Action::of(&args.output).run(
        "results",
        &tables,
        &args.from,
        "cargo run -p docgen -- results",
    )
}

/// One row of `summary.csv`: a model on a workload, over the run's repeats.
#[derive(Debug, Clone)]
pub struct Cell {
    pub workload: String,
    pub n: u64,
    pub model: String,
    pub status: String,
    pub wall: Option<f64>,
    pub wall_min: Option<f64>,
    pub wall_max: Option<f64>,
    pub cpu: Option<f64>,
    pub rss: Option<f64>,
    pub per_in_flight: Option<f64>,
    pub in_flight: Option<f64>,
    /// The kernel's socket buffers at their peak, over their level before the run.
    pub sockets: Option<f64>,
    pub jobs_total: Option<u64>,
    pub correct: Option<bool>,
    pub note: String,
}

impl Cell {
    /// Whether the model reported: every run did, or some endpoints failed.
    pub fn measured(&self) -> bool {
        matches!(self.status.as_str(), "Ok" | "Failed")
    }

    /// Ranked (drawn in a chart) only when every run reported and every answer was right.
    pub fn trusted(&self) -> bool {
        self.status == "Ok" && self.correct == Some(true)
    }
}

/// A comparison's run as `bench clients` left it.
#[derive(Debug)]
pub struct Run {
    pub cells: Vec<Cell>,
    /// `machine.json`: the machine and the code.
    pub machine: serde_json::Value,
    /// `settings.json`: how the comparison was run (`Null` where it was not recorded).
    pub settings: serde_json::Value,
    pub runs: u64,
}

impl Run {
    pub fn read(dir: &Path) -> anyhow::Result<Run> {
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
                sockets: num("socket_mem_median_bytes"),
                jobs_total: row.get("jobs_total").parse().ok(),
                correct: row.get("correct").parse().ok(),
                note: row.get("note").to_string(),
            });
        }
        if cells.is_empty() {
            bail!("{} holds no cells", dir.join("summary.csv").display());
        }
        let settings = match std::fs::read_to_string(dir.join("settings.json")) {
            Ok(text) => serde_json::from_str(&text)
                .with_context(|| format!("{} is not JSON", dir.join("settings.json").display()))?,
            Err(_) => serde_json::Value::Null,
        };
        Ok(Run {
            cells,
            machine,
            settings,
            runs,
        })
    }

    pub fn cell(&self, workload: &str, model: &str) -> Option<&Cell> {
        self.cells
            .iter()
            .find(|c| c.workload == workload && c.model == model)
    }

    /// The models of the run, in the order of [`MODELS`], then the reference row of curl, then
    /// the talks' Python programs.
    pub fn models(&self) -> Vec<&'static str> {
        MODELS
            .iter()
            .map(|m| m.name)
            .chain([CURL])
            .chain(catalogue::PYTHON_TALKS.iter().map(|p| p.name))
            .filter(|name| self.cells.iter().any(|c| c.model == *name))
            .collect()
    }

    /// The cells of one workload, in the order of the summary.
    pub fn of_workload<'a>(&'a self, workload: &'a str) -> impl Iterator<Item = &'a Cell> + 'a {
        self.cells.iter().filter(move |c| c.workload == workload)
    }

    /// The endpoint counts of the sweep whose workloads are named `{stem}-N`, the baseline of
    /// one included.
    pub fn sweep_with_baseline(&self, stem: &str) -> Vec<u64> {
        let prefix = format!("{stem}-");
        let ns: BTreeSet<u64> = self
            .cells
            .iter()
            .filter(|c| c.workload.starts_with(&prefix))
            .map(|c| c.n)
            .collect();
        ns.into_iter().collect()
    }

    /// The endpoint counts of the sweep whose workloads are named `{stem}-N`, past the
    /// baseline of one.
    pub fn sweep(&self, stem: &str) -> Vec<u64> {
        let mut ns = self.sweep_with_baseline(stem);
        ns.retain(|&n| n > 1);
        ns
    }

    /// A measured figure of a cell.
    fn figure(&self, workload: &str, model: &str, pick: fn(&Cell) -> Option<f64>) -> Option<f64> {
        self.cell(workload, model)
            .filter(|c| c.measured())
            .and_then(pick)
    }
}

/// A model's name in a table: its short name; curl's says how many transfers it runs at once.
pub(crate) fn short(model: &str) -> String {
    catalogue::label(&catalogue::short(model))
}

/// The models (and Python programs) that let every request wait at once, and curl.
fn unbounded(run: &Run) -> Vec<&'static str> {
    run.models()
        .into_iter()
        .filter(|m| *m == CURL || family(m).is_some_and(Family::all_at_once))
        .collect()
}

/// How a model, or one of the talks' Python programs, runs its requests.
pub(crate) fn family(model: &str) -> Option<Family> {
    catalogue::Model::named(model)
        .map(|m| m.family)
        .or_else(|| catalogue::Python::named(model).map(|p| p.family))
}

/// Why a cell has no figures: skipped past the budget, or broken.
pub(crate) fn missing(cell: &Cell) -> String {
    match cell.status.as_str() {
        "Skipped" => "skipped".into(),
        other => format!("{} ({})", other.to_lowercase(), cell.note),
    }
}

/// The whole comparison run again on this project's second machine (an Intel Xeon, where the
/// main run's was an AMD EPYC), with every model the main run predates: its tables sit in their
/// own section of RESULTS.md, named `second-*`.
pub const SECOND_RUN: &str = "docs/results/xeon";

/// The talks' Python programs beside their Rust models, in one run of the second machine: the
/// tables `python-*` of RESULTS.md ([`crate::python`]) and the book's same-machine rows.
pub const PYTHON_RUN: &str = "docs/results/python";

fn second_tables(run: &Run) -> Vec<(&'static str, String)> {
    vec![
        ("second-setup", setup(run)),
        ("second-sites", sites(run)),
        ("second-jobs", jobs_table(run, "jobs")),
        ("second-many-jobs", many_jobs(run)),
        ("second-sweep", sweep(run, "sweep")),
        ("second-per-request", per_request(run, "sweep")),
        ("second-pages", sweep(run, "pages")),
        ("second-targets", targets(run)),
    ]
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

pub fn setup(run: &Run) -> String {
    format!(
        "{}- **Repeats:** {}, interleaved; each figure is their median.\n",
        page::machine_and_code(&run.machine),
        match run.runs {
            1 => "one run of each measurement".to_string(),
            n => format!("{n} runs of each measurement"),
        },
    )
}

pub fn sites(run: &Run) -> String {
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

pub fn jobs(run: &Run) -> String {
    let mut t = jobs_table(run, "jobs");
    // The talk's own figures, in italics.
    for r in figures::talk::of_talk("asynchronicity") {
        let _ = writeln!(
            t,
            "| *talk: {}* | *{:.3}* | {} | {} | *1651* |",
            r.program,
            r.wall_s,
            or_dash(r.cpu_s().map(|s| format!("*{s:.3}*"))),
            or_dash(r.peak_mem_bytes.map(|b| format!("*{}*", mib(b)))),
        );
    }
    t
}

/// The jobs API at scale (`jobs-N`): wall, CPU and peak RSS, curl included.
pub fn many_jobs(run: &Run) -> String {
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
    /// A multiple of another model's figure on the same workload, plus a margin.
    Model(&'static str, f64, f64),
}

/// A target of the comparison: a figure of some models on a workload, and its limit.
struct Target {
    what: &'static str,
    workload: &'static str,
    models: Of,
    figure: fn(&Cell) -> Option<f64>,
    unit: &'static str,
    limit: Limit,
}

/// The models a target holds: a family of the catalogue, or models by name.
#[derive(Debug, Clone, Copy)]
enum Of {
    Family(Family),
    Named(&'static [&'static str]),
}

impl Of {
    fn names(self) -> Vec<&'static str> {
        match self {
            Of::Family(family) => MODELS
                .iter()
                .filter(|m| m.family == family)
                .map(|m| m.name)
                .collect(),
            Of::Named(names) => names.to_vec(),
        }
    }
}

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
        models: Of::Family(Family::Runtime),
        figure: cpu,
        unit: " s",
        limit: Limit::Curl(1.2),
    },
    Target {
        what: "N=2,000 pages: peak RSS ≤ 1.5x the same model's on jobs at N=2,000",
        workload: "pages-2000",
        models: Of::Family(Family::Runtime),
        figure: rss_mib,
        unit: " MiB",
        limit: Limit::Own("jobs-2000", 1.5),
    },
    Target {
        what: "N=2,000 jobs: CPU ≤ 1.2x curl's",
        workload: "jobs-2000",
        models: Of::Family(Family::Runtime),
        figure: cpu,
        unit: " s",
        limit: Limit::Curl(1.2),
    },
    Target {
        what: "N=10,000 1 KiB: peak RSS per request ≤ 16 KiB",
        workload: "sweep-10000",
        models: Of::Named(&["fetch-smol", "fetch-tokio"]),
        figure: per_request_kib,
        unit: " KiB",
        limit: Limit::At(16.0),
    },
    Target {
        what: "N=10,000 1 KiB: every request ok, wall ≤ 1.5 s",
        workload: "sweep-10000",
        models: Of::Named(&[
            "fetch-smol",
            "fetch-tokio",
            "fetch-reactor",
            "fetch-green",
            "fetch-compio",
        ]),
        figure: ok_wall,
        unit: " s",
        limit: Limit::At(1.5),
    },
    Target {
        what: "Six sites: wall ≤ 1.02x the slowest site",
        workload: "sites",
        models: Of::Family(Family::OwnLoop),
        figure: ok_wall,
        unit: " s",
        limit: Limit::SlowestSite(1.02),
    },
    Target {
        what: "N=10,000 1 KiB: peak RSS per request ≤ 2 KiB",
        workload: "sweep-10000",
        models: Of::Named(&["fetch-reactor"]),
        figure: per_request_kib,
        unit: " KiB",
        limit: Limit::At(2.0),
    },
    Target {
        what: "N=10,000 1 KiB: CPU ≤ every other model's",
        workload: "sweep-10000",
        models: Of::Named(&["fetch-reactor"]),
        figure: cpu,
        unit: " s",
        limit: Limit::BestOther,
    },
    Target {
        what: "N=10,000 1 KiB: peak RSS per request ≤ 16 KiB",
        workload: "sweep-10000",
        models: Of::Named(&["fetch-green"]),
        figure: per_request_kib,
        unit: " KiB",
        limit: Limit::At(16.0),
    },
    Target {
        what: "N=2,000 pages: CPU ≤ curl's",
        workload: "pages-2000",
        models: Of::Named(&["fetch-reactor"]),
        figure: cpu,
        unit: " s",
        limit: Limit::Curl(1.0),
    },
    Target {
        what: "Six sites: wall ≤ 1.02x the slowest site",
        workload: "sites",
        models: Of::Named(&["fetch-compio"]),
        figure: ok_wall,
        unit: " s",
        limit: Limit::SlowestSite(1.02),
    },
    Target {
        what: "N=10,000 1 KiB: CPU ≤ the reactor's",
        workload: "sweep-10000",
        models: Of::Named(&["fetch-compio"]),
        figure: cpu,
        unit: " s",
        limit: Limit::Model("fetch-reactor", 1.0, 0.0),
    },
    Target {
        what: "N=10,000 1 KiB: peak RSS per request ≤ the reactor's + 1 KiB",
        workload: "sweep-10000",
        models: Of::Named(&["fetch-compio"]),
        figure: per_request_kib,
        unit: " KiB",
        limit: Limit::Model("fetch-reactor", 1.0, 1.0),
    },
];

/// The wall time of a run in which every request succeeded.
fn ok_wall(c: &Cell) -> Option<f64> {
    c.wall.filter(|_| c.status == "Ok")
}

fn per_request_kib(c: &Cell) -> Option<f64> {
    c.per_in_flight.map(|b| b / 1024.0)
}

/// The targets the models are held to, each with the figure reached.
pub fn targets(run: &Run) -> String {
    let mut t =
        String::from("| target | model | figure | limit | met |\n|---|---|---:|---:|---|\n");
    for target in TARGETS {
        for model in target.models.names() {
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
                Limit::Model(other, times, plus) => run
                    .figure(target.workload, other, target.figure)
                    .map(|f| f * times + plus),
                Limit::BestOther => run
                    .models()
                    .into_iter()
                    .filter(|m| *m != model && *m != CURL)
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

/// A table with a row per model and a column per N: `show` writes a measured cell.
fn by_model(
    run: &Run,
    stem: &str,
    models: &[&str],
    ns: &[u64],
    show: fn(&Cell) -> String,
) -> String {
    let mut t = String::from("| model / N |");
    for n in ns {
        let _ = write!(t, " {} |", group(*n));
    }
    t.push_str("\n|---|");
    t.push_str(&"---:|".repeat(ns.len()));
    t.push('\n');
    for model in models {
        let _ = write!(t, "| {} |", short(model));
        for n in ns {
            let text = match run.cell(&format!("{stem}-{n}"), model) {
                None => "–".into(),
                Some(c) if !c.measured() => missing(c),
                Some(c) => show(c),
            };
            let _ = write!(t, " {text} |");
        }
        t.push('\n');
    }
    t
}

/// A sweep: the wall time and the peak RSS of every model at each N, as two tables.
pub fn sweep(run: &Run, stem: &str) -> String {
    let (models, ns) = (run.models(), run.sweep(stem));
    let wall = by_model(run, stem, &models, &ns, |c| {
        or_dash(c.wall.map(|w| format!("{w:.2} s")))
    });
    let rss = by_model(run, stem, &models, &ns, |c| or_dash(c.rss.map(mib)));
    format!("Wall time:\n\n{wall}\nPeak RSS:\n\n{rss}")
}

/// Peak RSS per in-flight request for the models that let every request wait at once, and
/// curl; from N = 100, below which page-sized noise dominates.
pub fn per_request(run: &Run, stem: &str) -> String {
    let ns: Vec<u64> = run.sweep(stem).into_iter().filter(|n| *n >= 100).collect();
    by_model(run, stem, &unbounded(run), &ns, |c| {
        or_dash(c.per_in_flight.map(kib))
    })
}
