//! The client parts: every fetch-* model on the same workloads, each run a process of its own
//! against an origin of its own (a standalone process on a fresh loopback address), repeated
//! and interleaved, beside two kinds of reference row: curl, the client a user would pick
//! instead, and the talks' own programs in Python.
//!
//! - [`Part::Talks`]: the six sites and the jobs API over the talk's 100 zip codes; for the
//!   timelines, when each request ran (and fetch-tokio held to two at a time); the talk's side
//!   programs (`examples/`); and the text that `fetch-sync` and `fetch-threads` print, for the
//!   README.
//! - [`Part::Sweeps`]: the jobs API 2,000 at once; N = 1 to 10,000 endpoints all at once, each
//!   answering after 1 s, with 1 KiB bodies and with the talk's page sizes (N = 1 is each
//!   model's baseline for memory per request); and 10,000 with no delay, what the connections
//!   alone cost.
//! - [`Part::Ceiling`]: 19,000 at once, once each: every model completes or names the limit of
//!   the machine it met.
//! - [`Part::ReadBuffer`]: fetch-smol at 2,000 with each size of read buffer.
//!
//! A run whose predicted time exceeds the budget is recorded as skipped; a run that fails is
//! recorded with its errors, and the part goes on. Writes, under `clients/`: `runs.csv` (a line
//! per run as it ends), `summary.csv` (each cell's median and spread), `requests.csv` (the
//! timelines), `examples/` and `output/`; every run's JSON goes to `raw/`, which is not
//! committed.

use std::path::Path;
use std::time::Duration;

use anyhow::Context as _;
use serde_json::Value;

use benchkit::cells::{self, Cell, Model, Repeats, Sweep, Workload};
use benchkit::context::{Context, interrupted};
use benchkit::output::{self, Files};
use benchkit::runner::{self, OriginProcess, Outcome};
use benchkit::summary;
use procs::figures;
use runfiles::{ClientRun, ClientSettings, Part, Status};

/// What a client part will run.
#[derive(Debug)]
pub struct Plan {
    part: Part,
    cells: Vec<Cell>,
    /// A run predicted past this many seconds is skipped.
    budget: f64,
    /// The talks part's extras: the bounded runs, the side programs, the printed text.
    extras: bool,
    settings: ClientSettings,
}

/// The model and the bound of the timelines' extra row: requests two at a time, in pairs.
const BOUNDED: (&str, &str) = ("fetch-tokio", "2");
/// The talk's side programs (`examples/`), each run once.
const EXAMPLES: [&str; 3] = ["generators", "event_loop", "coroutines"];
/// The talk's side programs in Python (`python/talks`), each run once where the Python rows run:
/// their output is kept as `examples/python-NAME.txt`.
const PYTHON_EXAMPLES: [&str; 4] = ["nogenerator", "generatorlong", "generator", "loops"];
/// The models whose printed text the README shows.
const PRINTED: [&str; 2] = ["fetch-sync", "fetch-threads"];

pub fn plan(part: Part, ctx: &Context) -> anyhow::Result<Plan> {
    let quick = ctx.quick();
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let pool = std::env::var("RAYON_NUM_THREADS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(cores);
    let curl = runner::curl_version();
    let mut models: Vec<Model> = cells::models(pool)
        .into_iter()
        .chain(curl.is_some().then(Model::curl))
        .chain(ctx.python.iter().flat_map(|_| cells::python_models()))
        .chain(
            ctx.javascript
                .node
                .iter()
                .flat_map(|_| cells::javascript_models(ctx.javascript.chromium.is_some())),
        )
        .filter(|m| ctx.args.models.is_empty() || ctx.args.models.iter().any(|a| a == m.name))
        .collect();
    let sweep: Vec<u64> = if !ctx.args.sweep.is_empty() {
        let mut ns: Vec<u64> = std::iter::once(1)
            .chain(ctx.args.sweep.iter().copied())
            .collect();
        ns.sort_unstable();
        ns.dedup();
        ns
    } else if quick {
        vec![1, 10, 100]
    } else {
        vec![1, 10, 100, 1_000, 2_000, 10_000]
    };
    let (many_jobs, burst, ceiling, read_buffer_n) = if quick {
        (200, 200, 300, 100)
    } else {
        (2_000, 10_000, 19_000, 2_000)
    };
    let each = if quick { 1 } else { ctx.args.repeat };
    // The budget and the once-only threshold shrink with the delays, so that a quick run skips
    // and repeats the same cells as a whole one.
    let budget = ctx.args.budget * ctx.time_scale;
    let mut repeats = Repeats {
        each,
        once_over: Duration::from_secs_f64(20.0 * ctx.time_scale),
    };
    let workloads: Vec<Workload> = match part {
        Part::Talks => vec![Workload::Sites, Workload::Jobs],
        Part::Sweeps => std::iter::once(Workload::ManyJobs(many_jobs))
            .chain(
                Sweep::ALL
                    .into_iter()
                    .flat_map(|s| sweep.iter().map(move |&n| s.at(n))),
            )
            .chain([Workload::Burst(burst)])
            .collect(),
        Part::Ceiling => {
            // Once each: a run holds the machine at its limits; whether it completes, and
            // which limit it meets, is what it shows.
            repeats.each = 1;
            // The talks' own programs are bound by one core from N = 1,000 on: at 19,000 a
            // run would take minutes and show nothing the sweeps do not.
            models.retain(|m| !m.is_reference());
            vec![Workload::Sweep(ceiling), Workload::Pages(ceiling)]
        }
        Part::ReadBuffer => {
            models = cells::READ_BUFFERS
                .iter()
                .map(|value| Model::read_buffer(pool, value))
                .collect();
            vec![
                Workload::Sweep(read_buffer_n),
                Workload::Pages(read_buffer_n),
            ]
        }
        _ => unreachable!("not a client part: {part:?}"),
    };
    // A verdict run measures what the verdict reads: the Rust models on 1 KiB bodies.
    let workloads: Vec<Workload> = if ctx.args.verdict {
        models.retain(|m| !m.is_reference());
        workloads
            .into_iter()
            .filter(|w| matches!(w, Workload::Sweep(_)))
            .collect()
    } else {
        workloads
    };
    // No delay to wait out: only the models that open every connection at once say anything.
    let bursts_models = |m: &Model| !m.is_reference() && m.family.all_at_once();
    let cells: Vec<Cell> = cells::cells(&models, &workloads, ctx.time_scale, repeats)
        .into_iter()
        .filter(|c| !matches!(c.workload, Workload::Burst(_)) || bursts_models(&c.model))
        .collect();
    if cells.is_empty() {
        anyhow::bail!("no client of {:?} runs {}", ctx.args.models, part.name());
    }
    let settings = ClientSettings {
        repeats: each,
        once_over_s: repeats.once_over.as_secs_f64(),
        budget_s: budget,
        sweep: sweep.clone(),
        many_jobs,
        burst,
        ceiling,
        read_buffer_n,
        sweep_delay_s: cells::SWEEP_DELAY_S * ctx.time_scale,
        sweep_size: cells::SWEEP_SIZE as u64,
        rayon_pool: pool as u64,
        origin: "the origin crate's release binary (2 worker threads), a process of its own on \
                 a fresh loopback address for every run"
            .into(),
        curl,
        python_rows: ctx.python.is_some(),
        node: ctx.javascript.node.clone(),
        chromium: ctx.javascript.chromium.clone(),
    };
    Ok(Plan {
        part,
        cells,
        budget,
        extras: part == Part::Talks,
        settings,
    })
}

impl Plan {
    pub fn expected(&self) -> Duration {
        let runs: Duration = self
            .cells
            .iter()
            .filter(|c| c.predicted.as_secs_f64() <= self.budget)
            .map(|c| c.expected() * c.repeats)
            .sum();
        let extras = if self.extras {
            // Two bounded runs (the jobs at two at a time take half the sum of their delays),
            // three side programs, two printed runs of the six sites and the JavaScript
            // programs' printed runs of the jobs API.
            Duration::from_secs(50)
        } else {
            Duration::ZERO
        };
        runs + extras
    }

    pub fn measure(self, ctx: &mut Context) -> anyhow::Result<ClientSettings> {
        let dir = ctx.dir("clients")?;
        std::fs::create_dir_all(dir.join("raw"))?;
        let mut files = match ctx.clients.take() {
            Some(files) => files,
            None => Files::create(&ctx.out)?,
        };
        let measured = measure(ctx, &self, &mut files, &dir);
        // What was measured is kept, whatever stopped the part.
        output::write_summary(&ctx.out, &files.records).context("cannot write summary.csv")?;
        ctx.clients = Some(files);
        measured?;
        if self.extras && !interrupted() {
            extras(ctx, &dir)?;
        }
        Ok(self.settings)
    }
}

/// Runs every cell of the plan its number of times, the repeats interleaved so that a slow
/// spell of the machine spreads over all models instead of landing on one.
fn measure(ctx: &mut Context, plan: &Plan, files: &mut Files, dir: &Path) -> anyhow::Result<()> {
    let rounds = plan.cells.iter().map(|c| c.repeats).max().unwrap_or(0);
    for r in 1..=rounds {
        for cell in plan.cells.iter().filter(|c| c.repeats >= r) {
            if interrupted() {
                return Ok(());
            }
            let label = match cell.model.variant {
                Some(v) => format!("{} {}", v.label(), cell.model.name),
                None => cell.model.name.to_string(),
            };
            let what = format!(
                "{} {r}/{} · {} · {label}",
                plan.part.name(),
                cell.repeats,
                cell.workload
            );
            ctx.progress.start(&what);
            let record = if cell.predicted.as_secs_f64() > plan.budget {
                summary::skipped(cell, r, plan.budget)
            } else {
                let (record, json) = run_cell(ctx, cell, r, dir)?;
                if interrupted() {
                    // The terminal's Ctrl-C reached the program too: not a measurement.
                    return Ok(());
                }
                let timeline = matches!(cell.workload, Workload::Sites | Workload::Jobs);
                if let (true, 1, Some(json)) = (timeline, r, json) {
                    for request in output::requests(&cell.workload.slug(), cell.model.name, &json) {
                        files.requests.row(&request)?;
                    }
                }
                record
            };
            // A skipped run takes no time, as the plan's estimate counted it.
            let took = if record.status == Status::Skipped {
                Duration::ZERO
            } else {
                cell.expected()
            };
            ctx.progress.finish(&what, took, &describe(&record));
            files.runs.row(&record)?;
            files.records.push(record);
        }
    }
    Ok(())
}

/// One run of a cell against an origin of its own: its record, and its report where it made one.
fn run_cell(
    ctx: &mut Context,
    cell: &Cell,
    repeat: u32,
    dir: &Path,
) -> anyhow::Result<(ClientRun, Option<Value>)> {
    let n = cell.workload.n();
    let origin = OriginProcess::start(&ctx.args.bin_dir, ctx.addresses.fresh(n))?;
    let mut args = cell.workload.args(ctx.time_scale);
    args.extend(["--origin".into(), origin.url.clone(), "--json".into()]);
    let deadline = cell.predicted * 3 + Duration::from_secs(60);
    let python = ctx.python.clone();
    let bin_dir = ctx.args.bin_dir.clone();
    let overflows_before = figures::listen_overflows();
    // The kernel's socket buffers, machine-wide, which no process's RSS shows.
    let (outcome, sockets) = figures::peak_while(figures::socket_memory_kib, || {
        if cell.model.is_curl() {
            runner::run_curl(
                &cell.workload.urls(&origin.url, ctx.time_scale),
                dir,
                deadline,
            )
        } else if let (Some(program), Some(python)) = (cell.model.python, &python) {
            runner::run_python(python, program, &args, deadline)
        } else if let Some(program) = cell.model.javascript {
            runner::run_javascript(program, &args, deadline)
        } else {
            let env = cell.model.variant.map(|v| (v.var, v.value));
            runner::run_model(&bin_dir.join(cell.model.name), &args, env, deadline)
        }
    });
    drop(origin);
    let overflows = figures::listen_overflows()
        .zip(overflows_before)
        .map(|(after, before)| after.saturating_sub(before));
    Ok(match outcome {
        Outcome::Report { json, raw } => {
            let variant = cell
                .model
                .variant
                .map(|v| format!("-{}", v.value))
                .unwrap_or_default();
            let file = format!(
                "{}-{}{variant}-r{repeat}.json",
                cell.workload.slug(),
                cell.model.name
            );
            std::fs::write(dir.join("raw").join(file), raw)?;
            let record = ClientRun {
                socket_mem_bytes: sockets.map(|kib| kib * 1024),
                listen_overflows: overflows,
                ..summary::from_report(cell, repeat, &json)
            };
            (record, Some(json))
        }
        Outcome::Broken(why) => (summary::broken(cell, repeat, why), None),
    })
}

fn describe(r: &ClientRun) -> String {
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

/// The talks part's extras: fetch-tokio held to two at a time on each workload (for the
/// timelines), the talk's side programs, what fetch-sync and fetch-threads print, and what the
/// JavaScript programs print on the jobs API.
fn extras(ctx: &mut Context, dir: &Path) -> anyhow::Result<()> {
    let (model, concurrency) = BOUNDED;
    let mut requests = ctx.clients.take().context("the client files")?;
    for workload in [Workload::Sites, Workload::Jobs] {
        let what = format!("talks · {workload} · {model} --concurrency {concurrency}");
        ctx.progress.start(&what);
        let origin = OriginProcess::start(&ctx.args.bin_dir, ctx.addresses.fresh(workload.n()))?;
        let mut args = workload.args(ctx.time_scale);
        args.extend(["--origin".into(), origin.url.clone(), "--json".into()]);
        args.extend(["--concurrency".into(), concurrency.into()]);
        let bin = ctx.args.bin_dir.join(model);
        let outcome = runner::run_model(&bin, &args, None, Duration::from_secs(120));
        let said = match outcome {
            Outcome::Report { json, .. } => {
                for request in output::requests(&workload.slug(), model, &json) {
                    requests.requests.row(&request)?;
                }
                "kept for the timeline".to_string()
            }
            Outcome::Broken(why) => why,
        };
        let (sum, _) = workload.delays(ctx.time_scale);
        ctx.progress.finish(&what, sum / 2, &said);
    }
    ctx.clients = Some(requests);

    let examples = dir.join("examples");
    std::fs::create_dir_all(&examples)?;
    for name in EXAMPLES {
        let mut command = std::process::Command::new(ctx.args.bin_dir.join(name));
        save_output(
            ctx,
            &mut command,
            &examples.join(format!("{name}.txt")),
            name,
        )?;
    }
    if let Some(python) = ctx.python.clone() {
        for name in PYTHON_EXAMPLES {
            let mut command = std::process::Command::new(&python);
            command.arg(format!("python/talks/{name}.py"));
            let file = examples.join(format!("python-{name}.txt"));
            save_output(ctx, &mut command, &file, &format!("{name}.py"))?;
        }
    }
    let printed = dir.join("output");
    std::fs::create_dir_all(&printed)?;
    for name in PRINTED {
        // As a reader first runs it: no arguments, the embedded origin, the talk's six sites.
        let mut command = std::process::Command::new(ctx.args.bin_dir.join(name));
        if ctx.quick() {
            command.args(["--time-scale", "0.02"]);
        }
        save_output(
            ctx,
            &mut command,
            &printed.join(format!("{name}.txt")),
            name,
        )?;
    }
    // What the talk's page logs in the browser (its total and its `console.time` line), and
    // Node's program the same, each against an origin of its own.
    let javascript = ctx.javascript.clone();
    let runs_here = |js: &&catalogue::JavaScript| {
        javascript.node.is_some()
            && (js.engine == catalogue::Engine::Node || javascript.chromium.is_some())
    };
    for program in catalogue::JS_TALKS.iter().filter(runs_here) {
        let workload = Workload::Jobs;
        let origin = OriginProcess::start(&ctx.args.bin_dir, ctx.addresses.fresh(workload.n()))?;
        let mut command = std::process::Command::new(catalogue::NODE);
        command
            .arg(program.script())
            .args(workload.args(ctx.time_scale))
            .args(["--origin", &origin.url]);
        save_output(
            ctx,
            &mut command,
            &printed.join(format!("{}.txt", program.name)),
            program.name,
        )?;
    }
    Ok(())
}

/// Runs `command` once and keeps what it printed in `file`.
fn save_output(
    ctx: &mut Context,
    command: &mut std::process::Command,
    file: &Path,
    name: &str,
) -> anyhow::Result<()> {
    let what = format!("talks · {name}, its output kept");
    ctx.progress.start(&what);
    let said = match procs::run(command, Duration::from_secs(60)) {
        Ok(done) if done.status.is_some_and(|s| s.success()) => {
            std::fs::write(file, done.stdout)?;
            "kept".to_string()
        }
        Ok(done) => format!("failed: {}", done.stderr.trim()),
        Err(e) => format!("could not run: {e}"),
    };
    ctx.progress.finish(&what, Duration::from_secs(2), &said);
    Ok(())
}
