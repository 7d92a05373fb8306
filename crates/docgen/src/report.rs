//! A comparison run's own report: `report.md` and the charts, drawn into the run's folder from
//! what `bench clients` wrote there (`summary.csv`, `machine.json`, `settings.json` and, for the
//! timelines, the models' JSON under `raw/`). Its tables are RESULTS.md's, made by the same
//! functions ([`crate::results`]).
//!
//! ```sh
//! cargo run --release -p bench -- clients --quick --out /tmp/quick
//! cargo run -p docgen -- report /tmp/quick
//! ```

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use catalogue::{CURL_PARALLEL_MAX, Family};

use figures::charts::{self, Axes, Line};
use figures::format::group;
use figures::talk;

use crate::results::{self, Cell, Run};

/// Writes a run's report.md and charts into its folder.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The run: a folder written by `bench clients` (`scripts/run_all.sh --out DIR`).
    run: PathBuf,
}

/// The two sweeps: the stem of their workloads and charts, and what their bodies are.
const SWEEPS: [(&str, &str); 2] = [
    ("sweep", "1 KiB bodies"),
    ("pages", "the six sites' page sizes"),
];

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let dir = &args.run;
    let run = Run::read(dir)?;
    let time_scale = run.settings["time_scale"].as_f64().unwrap_or(1.0);
    let slowest = origin::sites()
        .iter()
        .map(|s| s.latency.as_secs_f64() * time_scale)
        .fold(0.0, f64::max);
    charts(&run, dir, slowest)?;
    std::fs::write(dir.join("report.md"), report(&run, slowest))?;
    println!("report: {}", dir.join("report.md").display());
    Ok(ExitCode::SUCCESS)
}

/// Every chart the run has data for.
fn charts(run: &Run, dir: &Path, slowest: f64) -> anyhow::Result<()> {
    let trusted = |workload| run.of_workload(workload).filter(|c| c.trusted());
    if run.of_workload("sites").next().is_some() {
        let walls: Vec<charts::Spread> = trusted("sites")
            .filter_map(|c| {
                Some(charts::Spread {
                    row: c.model.clone(),
                    median: c.wall?,
                    min: c.wall_min?,
                    max: c.wall_max?,
                })
            })
            .collect();
        charts::sites(&dir.join("sites.svg"), &walls, slowest)?;
    }
    if run.of_workload("jobs").next().is_some() {
        let jobs: Vec<charts::Jobs> = trusted("jobs")
            .map(|c| charts::Jobs {
                row: c.model.clone(),
                wall_s: c.wall,
                cpu_s: c.cpu,
                rss_bytes: c.rss,
            })
            .collect();
        charts::jobs(&dir.join("jobs.svg"), &jobs, &talk::rows())?;
    }
    for (workload, title) in [
        (
            "sites",
            "The six sites: when each request ran, model by model",
        ),
        (
            "jobs",
            "The jobs API, 100 zips: when each request ran, model by model",
        ),
    ] {
        let runs = timeline_runs(run, dir, workload);
        if !runs.is_empty() {
            let path = dir.join(format!("timeline-{workload}.svg"));
            charts::timelines(&path, title, &runs)?;
        }
    }
    for (stem, bodies) in SWEEPS {
        if run.sweep(stem).is_empty() {
            continue;
        }
        let after = sweep_delay(run).map_or(String::new(), |d| format!(" (each after {d} s)"));
        sweep(
            &dir.join(format!("{stem}-wall.svg")),
            run,
            stem,
            Axes {
                title: &format!("Wall time against N, {bodies}{after}"),
                x: "endpoints N, all at once (log)",
                y: "wall time (s, log)",
            },
            |c| c.wall,
        )?;
        sweep(
            &dir.join(format!("{stem}-rss.svg")),
            run,
            stem,
            Axes {
                title: &format!("Peak RSS against N, {bodies}"),
                x: "endpoints N, all at once (log)",
                y: "peak RSS (MiB, log)",
            },
            |c| c.rss.map(|b| b / f64::from(1 << 20)),
        )?;
    }
    Ok(())
}

/// A sweep: a line per model through the figure `pick` takes from each of its trusted cells
/// at each N, on log–log axes.
fn sweep(
    path: &Path,
    run: &Run,
    stem: &str,
    axes: Axes<'_>,
    pick: fn(&Cell) -> Option<f64>,
) -> anyhow::Result<()> {
    let ns = run.sweep_with_baseline(stem);
    let lines: Vec<Line> = run
        .models()
        .into_iter()
        .map(|model| Line {
            row: model.to_string(),
            points: ns
                .iter()
                .filter_map(|&n| {
                    let c = run.cell(&format!("{stem}-{n}"), model)?;
                    c.trusted().then_some(())?;
                    Some((n as f64, pick(c)?))
                })
                .collect(),
            dashed: false,
        })
        .collect();
    charts::log_log(path, axes, &lines, None)
}

/// How long each endpoint of the run's sweeps waited, as `bench clients` recorded it.
fn sweep_delay(run: &Run) -> Option<f64> {
    run.settings["sweep_delay_s"].as_f64()
}

/// The first run of each model (curl aside) on `workload`, as bars, from its raw JSON; then
/// the runs with a `--concurrency` bound (`WORKLOAD-MODEL-cN-r1.json`), where there are any.
/// None where `raw/` was not kept.
fn timeline_runs(run: &Run, dir: &Path, workload: &str) -> Vec<(String, Vec<charts::Span>, f64)> {
    let bounded: Vec<(String, String)> = std::fs::read_dir(dir.join("raw"))
        .into_iter()
        .flatten()
        .filter_map(|entry| {
            let file = entry.ok()?.file_name().into_string().ok()?;
            let rest = file.strip_prefix(&format!("{workload}-"))?;
            let (model, bound) = rest.strip_suffix("-r1.json")?.rsplit_once("-c")?;
            crate::results::family(model)?;
            bound.parse::<u32>().ok()?;
            Some((
                format!("{model} --concurrency {bound}"),
                format!("{model}-c{bound}-r1"),
            ))
        })
        .collect();
    let files = run
        .models()
        .into_iter()
        .filter(|name| crate::results::family(name).is_some())
        .map(|name| (name.to_string(), format!("{name}-r1")))
        .chain(bounded);
    files
        .filter_map(|(name, file)| {
            let file = dir.join("raw").join(format!("{workload}-{file}.json"));
            let json: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(file).ok()?).ok()?;
            let (bars, wall) = charts::spans(&json);
            Some((name, bars, wall))
        })
        .collect()
}

/// The whole report.
fn report(run: &Run, slowest: f64) -> String {
    let s = &run.settings;
    let mut md = String::from("# The models compared\n\n");
    md.push_str(&results::setup(run));
    if !s.is_null() {
        let _ = writeln!(
            md,
            "- **Settings:** a run predicted to take more than {:.0} s is skipped; time scale \
             {}{}; every model a process of its own, against a standalone origin at {}.\n\
             - **Took** {:.0} min, waits for free ports included. Regenerate with: `{}`",
            s["budget_s"].as_f64().unwrap_or(f64::NAN),
            s["time_scale"].as_f64().unwrap_or(1.0),
            if s["quick"].as_bool() == Some(true) {
                " (--quick)"
            } else {
                ""
            },
            s["origin"].as_str().unwrap_or("?"),
            s["took_s"].as_f64().unwrap_or(f64::NAN) / 60.0,
            s["command"].as_str().unwrap_or("?"),
        );
    }

    if run.of_workload("sites").next().is_some() {
        let _ = writeln!(md, "\n## The six sites (the talk \"Async Python\")\n");
        let _ = writeln!(
            md,
            "The origin replays each site's size and latency as the talk's synchronous run \
             measured them; the slowest, yahoo.com, takes {slowest:.3} s: no model can finish \
             sooner.\n\n![Wall time per model, six sites](sites.svg)\n"
        );
        md.push_str(&results::sites(run));
        let _ = writeln!(md, "\nThe talk's own runs, over the internet of 2014:\n");
        md.push_str(&talk::table(&talk::of_talk("async-python")));
    }
    if run.of_workload("jobs").next().is_some() {
        let _ = writeln!(
            md,
            "\n## The jobs API over 100 zip codes (the talk \"Asynchronicity\")\n\n\
             ![Wall, CPU and peak RSS per model, jobs](jobs.svg)\n"
        );
        md.push_str(&results::jobs(run));
        md.push_str(&against_asyncio(run));
    }
    let many = results::many_jobs(run);
    if !many.is_empty() {
        let _ = writeln!(
            md,
            "\n## The jobs API at scale\n\nThe 100 zip codes over and over, each at its own \
             latency: small JSON bodies, read whole and parsed.\n"
        );
        md.push_str(&many);
    }
    let after = sweep_delay(run).map_or("after a delay".into(), |d| format!("after {d:.3} s"));
    for (stem, bodies) in SWEEPS {
        let ns = run.sweep(stem);
        let (Some(first), Some(last)) = (ns.first(), ns.last()) else {
            continue;
        };
        let heading = if first == last {
            format!("{} endpoints", group(*first))
        } else {
            format!("From {} to {} endpoints", group(*first), group(*last))
        };
        let _ = writeln!(
            md,
            "\n## {heading}, {bodies}\n\n\
             Each endpoint answers {after}; no --concurrency bound.\n\n\
             ![Wall time against N]({stem}-wall.svg)\n\n![Peak RSS against N]({stem}-rss.svg)\n"
        );
        md.push_str(&results::sweep(run, stem));
        let _ = writeln!(
            md,
            "\nPeak RSS per in-flight request (the peak RSS minus the same model's peak for one \
             endpoint, divided by the requests in flight at once):\n"
        );
        md.push_str(&results::per_request(run, stem));
    }
    match s["curl"].as_str() {
        Some(version) => {
            let _ = writeln!(
                md,
                "\ncurl is `{version}`, run as `curl --parallel --parallel-immediate \
                 --parallel-max {CURL_PARALLEL_MAX} --config FILE` over the same URLs, every \
                 body to /dev/null; {CURL_PARALLEL_MAX} is curl's own ceiling, so past \
                 {CURL_PARALLEL_MAX} endpoints it waits where the models do not. Its CPU time and \
                 peak RSS are the kernel's figures for the curl process (`wait4`); a row counts \
                 as ok when curl got a `200`."
            );
        }
        None if !s.is_null() => {
            let _ = writeln!(md, "\ncurl was not found: the reference row is left out.");
        }
        None => {}
    }
    let notes: Vec<String> = run
        .cells
        .iter()
        .filter(|c| c.status != "Ok")
        .map(|c| {
            let status = c.status.to_lowercase();
            match (c.status.as_str(), c.note.is_empty()) {
                ("Skipped", _) | (_, false) => {
                    format!("- {} on {}: {}", c.model, c.workload, c.note)
                }
                _ => format!("- {} on {}: {status}", c.model, c.workload),
            }
        })
        .collect();
    if !notes.is_empty() {
        let _ = writeln!(md, "\n## Runs that did not succeed\n\n{}", notes.join("\n"));
    }
    md
}

/// The models on an event loop against the talk's asyncio run on the jobs workload.
fn against_asyncio(run: &Run) -> String {
    let Some(asyncio) = talk::program("async.py") else {
        return String::new();
    };
    let Some(talk_rss) = asyncio.peak_mem_bytes else {
        return String::new();
    };
    let mut t = format!(
        "\nAgainst the talk's asyncio + aiohttp run ({:.2} s, {}):\n\n\
         | model | wall | peak RSS |\n|---|---:|---:|\n",
        asyncio.wall_s,
        figures::format::mib(talk_rss)
    );
    for c in run.of_workload("jobs").filter(|c| c.trusted()) {
        let on_a_loop = crate::results::family(&c.model).is_some_and(Family::is_event_loop);
        let (Some(wall), Some(rss), true) = (c.wall, c.rss, on_a_loop) else {
            continue;
        };
        let _ = writeln!(
            t,
            "| {} | {wall:.3} s: {:.1}x faster | {}: {:.1}x smaller |",
            catalogue::short(&c.model),
            asyncio.wall_s / wall,
            figures::format::mib(rss),
            talk_rss / rss
        );
    }
    t
}
