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
use harness::{CURL, Kind, MODELS, label};

#[derive(Debug, Parser)]
#[command(about = "Writes the tables of docs/RESULTS.md from a committed run")]
struct Args {
    /// The run: a folder written by `scripts/run_all.sh --out DIR`.
    #[arg(long, default_value = "docs/results")]
    from: PathBuf,
    /// Write the tables into FILE, between their markers.
    #[arg(long, value_name = "FILE")]
    write: Option<PathBuf>,
    /// Check the tables of FILE against the run; exit 1 if any is out of date.
    #[arg(long, value_name = "FILE", conflicts_with = "write")]
    check: Option<PathBuf>,
}

fn main() -> anyhow::Result<ExitCode> {
    let args = Args::parse();
    let run = Run::read(&args.from)?;
    let tables = tables(&run);
    match (&args.write, &args.check) {
        (Some(file), _) => {
            let page = read(file)?;
            std::fs::write(file, fill(&page, &tables)?)?;
            println!("wrote the tables of {}", file.display());
        }
        (None, Some(file)) => {
            let page = read(file)?;
            if fill(&page, &tables)? != page {
                eprintln!(
                    "the tables of {} do not match the run in {}: regenerate them with\n  \
                     cargo run -p compare --bin results-doc -- --write {}",
                    file.display(),
                    args.from.display(),
                    file.display()
                );
                return Ok(ExitCode::FAILURE);
            }
            println!("the tables of {} match the run", file.display());
        }
        (None, None) => {
            for (name, table) in &tables {
                println!("<!-- results:{name} -->\n{table}<!-- /results:{name} -->\n");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn read(file: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))
}

/// `page` with each table put between its markers; every table must have its markers.
fn fill(page: &str, tables: &[(&str, String)]) -> anyhow::Result<String> {
    let mut page = page.to_string();
    for (name, table) in tables {
        let (open, close) = (
            format!("<!-- results:{name} -->\n"),
            format!("<!-- /results:{name} -->"),
        );
        let Some(start) = page.find(&open).map(|i| i + open.len()) else {
            bail!("no {open:?} marker");
        };
        let Some(end) = page[start..].find(&close).map(|i| i + start) else {
            bail!("no {close:?} marker after {open:?}");
        };
        page.replace_range(start..end, table);
    }
    Ok(page)
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
        let mut lines = csv.lines();
        let header: Vec<String> = fields(lines.next().unwrap_or(""));
        let mut cells = Vec::new();
        let mut runs = 0;
        for line in lines.filter(|l| !l.is_empty()) {
            let row = fields(line);
            let get = |name: &str| -> &str {
                header
                    .iter()
                    .position(|h| h == name)
                    .and_then(|i| row.get(i))
                    .map_or("", String::as_str)
            };
            let num = |name: &str| get(name).parse::<f64>().ok();
            runs = runs.max(get("runs").parse().unwrap_or(0));
            cells.push(Cell {
                workload: get("workload").to_string(),
                n: get("n").parse().unwrap_or(0),
                model: get("model").to_string(),
                status: get("status").to_string(),
                wall: num("wall_median_s"),
                wall_min: num("wall_min_s"),
                wall_max: num("wall_max_s"),
                cpu: num("cpu_median_s"),
                rss: num("peak_rss_median_bytes"),
                per_in_flight: num("peak_rss_per_in_flight_bytes"),
                in_flight: num("peak_in_flight"),
                jobs_total: get("jobs_total").parse().ok(),
                correct: get("correct").parse().ok(),
                note: get("note").to_string(),
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

/// A CSV line's fields, with `"..."` quoting as `summary.csv` writes it.
fn fields(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            ('"', _) => quoted = !quoted,
            (',', false) => fields.push(std::mem::take(&mut field)),
            (c, _) => field.push(c),
        }
    }
    fields.push(field);
    fields
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
    let m = &run.machine;
    let text = |key: &str| m[key].as_str().unwrap_or("?").to_string();
    let gib = m["memory_bytes"].as_f64().unwrap_or(0.0) / f64::from(1 << 30);
    format!(
        "- **Machine:** {} cores ({}), {gib:.1} GiB memory, {}, Linux {}, {}, open-file limit {}.\n\
         - **Code:** commit `{}`, release build, run on {}.\n\
         - **Repeats:** {} runs of each measurement, interleaved; each figure is their median.\n",
        m["cores"],
        text("cpu"),
        text("os"),
        text("kernel"),
        text("rustc"),
        m["fd_limit"],
        text("commit"),
        text("date"),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_fields_keep_their_commas_and_quotes() {
        assert_eq!(
            fields(r#"a,"b, c","say ""hi""",,d"#),
            ["a", "b, c", r#"say "hi""#, "", "d"]
        );
    }

    #[test]
    fn tables_go_between_their_markers_and_nowhere_else() {
        let page = "intro\n<!-- results:sites -->\nold\n<!-- /results:sites -->\nafter\n";
        let filled = fill(page, &[("sites", "new\n".to_string())]).unwrap();
        assert_eq!(
            filled,
            "intro\n<!-- results:sites -->\nnew\n<!-- /results:sites -->\nafter\n"
        );
        assert!(fill("no markers", &[("sites", String::new())]).is_err());
    }
}
