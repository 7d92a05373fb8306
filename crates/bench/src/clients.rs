//! The comparison: every fetch-* model on the same workloads, each as its own process against a
//! standalone origin, repeated, with the machine recorded.
//!
//! Workloads: the talk's six sites; the jobs API over the talk's 100 zip codes, then over them
//! again and again, 2,000 requests at once; and two sweeps of N = 1 to 10,000 endpoints all at
//! once, each answering after 1 s: 1 KiB bodies, and the six sites' page sizes (N = 1 is each
//! model's baseline for memory per request). A run whose predicted time exceeds the budget is
//! recorded as skipped; a run that fails is recorded with its errors, and the sweep goes on.
//!
//! Beside the models runs a reference row, `curl --parallel` over the same URLs: the client a
//! user would pick instead of any of them, whose CPU and memory the models are held to. Without
//! curl the row is left out, with a line saying so.
//!
//! Output, under `results/<date-time>/` unless `--out` says otherwise: `raw/` (every run's JSON),
//! `runs.csv`, `summary.csv`, `machine.json` and `settings.json`, the data that `docgen report`
//! turns into `report.md` and the charts.
//!
//! Run with `scripts/run_all.sh`, which builds the release binaries first and draws the report
//! after; `--quick` proves the pipeline in seconds at a tiny time scale.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Parser;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::cells::{self, Cell, Workload};
use crate::summary::{CellSummary, Record, Status};
use procs::figures;

use crate::{machine, output, ports, runner};

/// Runs every fetch-* model (and curl) on every workload and writes what was measured.
#[derive(Debug, Parser)]
pub struct Args {
    /// Runs of each measurement; each figure is their median, with min–max.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=100))]
    repeat: u32,
    /// A tiny time scale, small N and one run each: the whole pipeline in seconds.
    #[arg(long)]
    quick: bool,
    /// Skip a run whose predicted wall time exceeds this many seconds.
    #[arg(long, default_value_t = 60.0)]
    budget: f64,
    /// Where to write the results (default: results/<date-time>).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Where the release binaries are.
    #[arg(long, default_value = "target/release")]
    bin_dir: PathBuf,
    /// Only these models (comma-separated binary names, e.g. fetch-tokio,fetch-smol).
    #[arg(long, value_delimiter = ',')]
    models: Vec<String>,
    /// The sweep's endpoint counts (comma-separated); 1 is always added as the baseline.
    #[arg(long, value_delimiter = ',')]
    sweep: Vec<u64>,
    /// Only the talks' two workloads, the six sites and the jobs API: their tables and
    /// timelines in a few minutes.
    #[arg(long)]
    talks: bool,
    /// The interpreter of the Python rows (the talks' own programs, python/talks); without it
    /// they are left out. `scripts/python.sh` creates it.
    #[arg(long, default_value = catalogue::PYTHON)]
    python: PathBuf,
    /// Only the Python rows and the Rust models they are read beside, on the workloads the
    /// Python rows run: the talks' programs against Rust, in one run.
    #[arg(long, conflicts_with = "models")]
    beside_python: bool,
    /// Only the two sweeps (with `--sweep 19000`, say: this machine's ceiling, beside a
    /// committed run).
    #[arg(long, conflicts_with = "talks")]
    sweeps: bool,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let machine = machine::Machine::read();
    let (time_scale, repeat, mut sweep, many_jobs) = if args.quick {
        (0.02, 1, vec![1, 10, 100], 200)
    } else {
        (
            1.0,
            args.repeat,
            vec![1, 10, 100, 1_000, 2_000, 10_000],
            2_000,
        )
    };
    if !args.sweep.is_empty() {
        sweep = std::iter::once(1)
            .chain(args.sweep.iter().copied())
            .collect();
        sweep.sort_unstable();
        sweep.dedup();
    }
    let pool = std::env::var("RAYON_NUM_THREADS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(machine.cores);
    let curl = runner::curl_version();
    let python = runner::python_version(&args.python);
    let models: Vec<cells::Model> = cells::models(pool)
        .into_iter()
        .chain(curl.is_some().then(cells::Model::curl))
        .chain(python.iter().flat_map(|_| cells::python_models()))
        .filter(|m| args.models.is_empty() || args.models.iter().any(|a| a == m.name))
        .filter(|m| !args.beside_python || m.python.is_some() || beside_python(m.name))
        .collect();
    anyhow::ensure!(!models.is_empty(), "no such models: {:?}", args.models);
    anyhow::ensure!(
        !args.beside_python || python.is_some(),
        "--beside-python needs {}: scripts/python.sh creates it",
        args.python.display()
    );
    let python_runs = |w: Workload| models.iter().any(|m| m.python.is_some() && m.runs(w));
    let cells: Vec<Cell> = cells::cells(&models, &sweep, many_jobs, time_scale)
        .into_iter()
        .filter(|c| !args.beside_python || python_runs(c.workload))
        .filter(|c| !args.talks || matches!(c.workload, Workload::Sites | Workload::Jobs))
        .filter(|c| !args.sweeps || c.workload.sweep().is_some())
        .collect();

    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("results").join(machine.date.replace(':', "-")));
    std::fs::create_dir_all(out.join("raw"))
        .with_context(|| format!("cannot create {}", out.display()))?;
    let origin = runner::OriginProcess::start(&args.bin_dir)?;
    eprintln!("machine: {}", machine.describe());
    eprintln!("origin:  {}", origin.url);
    eprintln!("output:  {}", out.display());
    match &curl {
        Some(version) => eprintln!("curl:    {version}"),
        None => eprintln!("curl:    not found; the reference row is left out"),
    }
    match &python {
        Some(version) => eprintln!("python:  {version} ({})", args.python.display()),
        None => eprintln!(
            "python:  no {}; the Python rows are left out (scripts/python.sh creates it)",
            args.python.display()
        ),
    }

    let started = Instant::now();
    let records = measure(&args, &cells, repeat, time_scale, &origin.url, &out)?;
    if args.talks {
        bounded_runs(&args, time_scale, &origin.url, &out)?;
        examples(&args, &out)?;
    }
    let took = started.elapsed();
    drop(origin);

    let summaries: Vec<CellSummary> = cells
        .iter()
        .map(|cell| {
            let mine: Vec<&Record> = records
                .iter()
                .filter(|r| r.workload == cell.workload.slug() && r.model == cell.model.name)
                .collect();
            CellSummary::new(cell.workload, &mine)
        })
        .collect();
    let settings = output::Settings {
        repeat,
        budget_s: args.budget,
        time_scale,
        quick: args.quick,
        sweep_delay_s: cells::SWEEP_DELAY_S * time_scale,
        origin: origin_description(),
        command: command_line(),
        took_s: took.as_secs_f64(),
        curl,
        python,
    };
    std::fs::write(
        out.join("machine.json"),
        serde_json::to_string_pretty(&machine)?,
    )?;
    std::fs::write(
        out.join("settings.json"),
        serde_json::to_string_pretty(&settings)?,
    )?;
    output::write_runs_csv(&out.join("runs.csv"), &records)?;
    output::write_summary_csv(&out.join("summary.csv"), &summaries)?;
    println!("results: {}", out.display());
    Ok(())
}

/// Runs every cell `repeat` times, the repeats interleaved so that a slow spell of the machine
/// spreads over all models instead of landing on one.
fn measure(
    args: &Args,
    cells: &[Cell],
    repeat: u32,
    time_scale: f64,
    origin: &str,
    out: &Path,
) -> anyhow::Result<Vec<Record>> {
    let total = cells.len() as u64 * u64::from(repeat);
    let progress = if std::io::stderr().is_terminal() {
        ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr())
    } else {
        ProgressBar::hidden()
    };
    progress.set_style(
        ProgressStyle::with_template("{elapsed_precise} [{bar:30}] {pos}/{len} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let started = Instant::now();
    let mut records = Vec::new();
    for r in 1..=repeat {
        for cell in cells {
            let what = format!("run {r}/{repeat} · {} · {}", cell.workload, cell.model.name);
            progress.set_message(what.clone());
            let record = if cell.predicted.as_secs_f64() > args.budget {
                Record::skipped(cell, r, args.budget)
            } else {
                let waited = ports::wait_for_ports(cell.workload.n());
                if waited > Duration::from_secs(1) {
                    say(
                        &progress,
                        format!("waited {waited:.0?} for TIME_WAIT ports to free up"),
                    );
                }
                let mut model_args = cell.workload.args(time_scale);
                model_args.extend(["--origin".into(), origin.into(), "--json".into()]);
                let deadline = cell.predicted * 3 + Duration::from_secs(60);
                // The kernel's socket buffers, machine-wide, which no process's RSS shows.
                let (outcome, sockets) = figures::peak_while(figures::socket_memory_kib, || {
                    if cell.model.is_curl() {
                        runner::run_curl(&cell.workload.urls(origin, time_scale), out, deadline)
                    } else if let Some(program) = cell.model.python {
                        runner::run_python(&args.python, program, &model_args, deadline)
                    } else {
                        let bin = args.bin_dir.join(cell.model.name);
                        runner::run_model(&bin, &model_args, deadline)
                    }
                });
                match outcome {
                    runner::Outcome::Report { json, raw } => {
                        let file =
                            format!("{}-{}-r{r}.json", cell.workload.slug(), cell.model.name);
                        std::fs::write(out.join("raw").join(file), raw)?;
                        Record {
                            socket_mem_bytes: sockets.map(|kib| kib * 1024),
                            ..Record::from_report(cell, r, &json)
                        }
                    }
                    runner::Outcome::Broken(why) => Record::broken(cell, r, why),
                }
            };
            say(
                &progress,
                format!(
                    "[{:>7.1?}] {what}: {}",
                    started.elapsed(),
                    describe(&record)
                ),
            );
            records.push(record);
            progress.inc(1);
        }
    }
    progress.finish_and_clear();
    Ok(records)
}

/// Whether a Rust model is read beside one of the talks' Python programs.
fn beside_python(model: &str) -> bool {
    catalogue::PYTHON_TALKS.iter().any(|p| p.beside == model)
}

fn say(progress: &ProgressBar, line: String) {
    if progress.is_hidden() {
        eprintln!("{line}");
    } else {
        progress.println(line);
    }
}

fn describe(r: &Record) -> String {
    match r.status {
        Status::Skipped | Status::Broken => r.note.clone(),
        _ => format!(
            "{:.3} s, {} ok, {} failed{}",
            r.wall_s.unwrap_or(f64::NAN),
            r.ok.unwrap_or(0),
            r.failed.unwrap_or(0),
            if r.note.is_empty() {
                String::new()
            } else {
                format!(" ({})", r.note)
            }
        ),
    }
}

/// The model and the bound of the timelines' extra row: requests two at a time, in pairs (its
/// raw JSON is named `WORKLOAD-MODEL-cBOUND-r1.json`).
const BOUNDED: (&str, &str) = ("fetch-tokio", "2");

/// One run of [`BOUNDED`] on each of the talks' workloads, for their timelines only.
fn bounded_runs(args: &Args, time_scale: f64, origin: &str, out: &Path) -> anyhow::Result<()> {
    let (model, concurrency) = BOUNDED;
    for workload in [Workload::Sites, Workload::Jobs] {
        let mut model_args = workload.args(time_scale);
        model_args.extend(["--origin".into(), origin.into(), "--json".into()]);
        model_args.extend(["--concurrency".into(), concurrency.into()]);
        let deadline = Duration::from_secs(120);
        match runner::run_model(&args.bin_dir.join(model), &model_args, deadline) {
            runner::Outcome::Report { raw, .. } => {
                let file = format!("{}-{model}-c{concurrency}-r1.json", workload.slug());
                std::fs::write(out.join("raw").join(file), raw)?;
            }
            runner::Outcome::Broken(why) => eprintln!("{model} --concurrency {concurrency}: {why}"),
        }
    }
    Ok(())
}

/// The talk's side programs (crates `examples/`), each run once, its output kept as
/// `example-NAME.txt`: their figures on this machine, for the book.
fn examples(args: &Args, out: &Path) -> anyhow::Result<()> {
    for name in ["generators", "event_loop", "coroutines"] {
        let mut command = std::process::Command::new(args.bin_dir.join(name));
        match procs::run(&mut command, Duration::from_secs(60)) {
            Ok(done) if done.status.is_some_and(|s| s.success()) => {
                std::fs::write(out.join(format!("example-{name}.txt")), done.stdout)?;
            }
            Ok(done) => eprintln!("{name} failed: {}", done.stderr),
            Err(e) => eprintln!("{name} could not run: {e}"),
        }
    }
    Ok(())
}

fn origin_description() -> String {
    "127.0.0.1 (the origin crate's release binary, 2 worker threads)".into()
}

/// The command that regenerates these results.
fn command_line() -> String {
    // Past the program and its subcommand (`bench clients`).
    let args: Vec<String> = std::env::args().skip(2).collect();
    let relevant: Vec<&String> = args
        .iter()
        .scan(false, |skip, a| {
            let keep = !*skip && a != "--bin-dir" && a != "--out";
            *skip = a == "--bin-dir" || a == "--out";
            Some(keep.then_some(a))
        })
        .flatten()
        .collect();
    let mut line = String::from("scripts/run_all.sh");
    for a in relevant {
        line.push(' ');
        line.push_str(a);
    }
    line
}
