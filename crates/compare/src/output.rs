//! Writing the results: the CSV files and `report.md`, whose tables are also printed.

use std::fmt::Write as _;
use std::path::Path;

use harness::label;

use crate::cells::{CURL, CURL_PARALLEL_MAX, SWEEP_DELAY_S, Sweep, Workload};
use crate::machine::Machine;
use crate::summary::{CellSummary, Record, Spread, Status};

const TALK_RESULTS: &str = include_str!("../../../data/talk-results.tsv");

/// One program of the talks as the talk measured it.
#[derive(Debug, Clone)]
pub struct TalkRow {
    pub talk: String,
    pub program: String,
    pub model: String,
    pub wall_s: f64,
    pub sum_s: Option<f64>,
    pub peak_mem_bytes: Option<f64>,
    pub cpu_s: Option<f64>,
}

/// The talks' own figures, from `data/talk-results.tsv`.
pub fn talk_rows() -> Vec<TalkRow> {
    TALK_RESULTS
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .skip(1)
        .filter_map(|line| {
            let f: Vec<&str> = line.split('\t').collect();
            let num = |i: usize| f.get(i).and_then(|v| v.trim().parse::<f64>().ok());
            Some(TalkRow {
                talk: f.first()?.to_string(),
                program: f.get(1)?.to_string(),
                model: f.get(2)?.to_string(),
                wall_s: num(3)?,
                sum_s: num(4),
                peak_mem_bytes: num(5),
                cpu_s: num(6).zip(num(7)).map(|(u, s)| u + s),
            })
        })
        .collect()
}

/// How the comparison was run, for the report's header.
#[derive(Debug, Clone)]
pub struct Settings {
    pub repeat: u32,
    pub budget_s: f64,
    pub time_scale: f64,
    pub quick: bool,
    pub origin: String,
    pub command: String,
    /// How long the measurements took, waits for free ports included.
    pub took: std::time::Duration,
    /// `curl --version`'s first line, when the reference row ran.
    pub curl: Option<String>,
}

/// Writes every run, one line each.
pub fn write_runs_csv(path: &Path, records: &[Record]) -> std::io::Result<()> {
    let mut csv = String::from(
        "workload,n,model,repeat,status,predicted_s,wall_s,sum_s,user_s,sys_s,peak_rss_bytes,peak_in_flight,ok,failed,jobs_total,correct,note\n",
    );
    for r in records {
        let _ = writeln!(
            csv,
            "{},{},{},{},{},{:.3},{},{},{},{},{},{},{},{},{},{},{}",
            r.workload,
            r.n,
            r.model,
            r.repeat,
            serde_json::to_value(r.status)
                .map_or(String::new(), |v| v.as_str().unwrap_or("").to_string()),
            r.predicted_s,
            opt(r.wall_s),
            opt(r.sum_s),
            opt(r.user_s),
            opt(r.sys_s),
            opt(r.peak_rss_bytes),
            opt(r.peak_in_flight),
            opt(r.ok),
            opt(r.failed),
            opt(r.jobs_total),
            opt(r.correct),
            quote(&r.note)
        );
    }
    std::fs::write(path, csv)
}

/// Writes each cell's medians and spreads, one line a cell.
pub fn write_summary_csv(path: &Path, cells: &[CellSummary]) -> std::io::Result<()> {
    let mut csv = String::from(
        "workload,n,model,status,runs,wall_median_s,wall_min_s,wall_max_s,cpu_median_s,peak_rss_median_bytes,peak_rss_per_in_flight_bytes,peak_in_flight,ok,failed,jobs_total,correct,note\n",
    );
    for c in cells {
        let per = per_in_flight(c, cells);
        let _ = writeln!(
            csv,
            "{},{},{},{:?},{},{},{},{},{},{},{},{},{},{},{},{},{}",
            c.workload.slug(),
            c.workload.n(),
            c.model,
            c.status,
            c.runs,
            opt(c.wall.map(|s| s.median)),
            opt(c.wall.map(|s| s.min)),
            opt(c.wall.map(|s| s.max)),
            opt(c.cpu.map(|s| s.median)),
            opt(c.rss.map(|s| s.median as u64)),
            opt(per.map(|b| b.round() as i64)),
            opt(c.in_flight.map(|s| s.median as u64)),
            opt(c.ok),
            opt(c.failed),
            opt(c.jobs_total),
            opt(c.correct),
            quote(&c.note)
        );
    }
    std::fs::write(path, csv)
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

fn quote(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Peak RSS per request in flight: the cell's peak minus the same model's peak for a single
/// endpoint (N=1 of the same sweep, or of the 1 KiB sweep for the other workloads), divided by
/// the requests that were in flight at once.
pub fn per_in_flight(cell: &CellSummary, all: &[CellSummary]) -> Option<f64> {
    let baseline = match cell.workload.sweep() {
        Some((_, 1)) => return None,
        Some((sweep, _)) => sweep.at(1),
        None => Workload::Sweep(1),
    };
    let base = all
        .iter()
        .find(|c| c.model == cell.model && c.workload == baseline)?
        .rss?
        .median;
    let in_flight = cell.in_flight?.median;
    let rss = cell.rss?.median;
    (in_flight > 0.0).then(|| (rss - base) / in_flight)
}

/// The cells of one workload, in the order of the models.
pub fn of_workload(cells: &[CellSummary], workload: Workload) -> Vec<&CellSummary> {
    cells.iter().filter(|c| c.workload == workload).collect()
}

/// The endpoint counts of `sweep` present in the cells, in order.
pub fn sweep_ns(cells: &[CellSummary], sweep: Sweep) -> Vec<u64> {
    let mut ns: Vec<u64> = cells
        .iter()
        .filter_map(|c| c.workload.sweep())
        .filter(|&(s, _)| s == sweep)
        .map(|(_, n)| n)
        .collect();
    ns.sort_unstable();
    ns.dedup();
    ns
}

fn spread(s: Option<Spread>, digits: usize) -> String {
    match s {
        None => "–".into(),
        Some(s) if s.min == s.max => format!("{:.*}", digits, s.median),
        Some(s) => format!(
            "{:.*} [{:.*}–{:.*}]",
            digits, s.median, digits, s.min, digits, s.max
        ),
    }
}

fn mib(bytes: f64) -> String {
    format!("{:.1} MiB", bytes / f64::from(1 << 20))
}

fn kib(bytes: f64) -> String {
    format!("{:.1} KiB", bytes / 1024.0)
}

/// The comparison table of one workload (the sites or the jobs).
pub fn workload_table(cells: &[CellSummary], workload: Workload) -> String {
    let rows = of_workload(cells, workload);
    let sync_wall = rows
        .iter()
        .find(|c| c.model == harness::MODELS[0].name && c.trusted())
        .and_then(|c| c.wall)
        .map(|s| s.median);
    let mut t = String::from(
        "| model | wall (s) | sum of request times (s) | speedup vs sync | CPU user+sys (s) | peak RSS | peak RSS per in-flight request | peak in flight | ok / failed | answer |\n\
         |---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n",
    );
    for c in rows {
        let answer = match (c.status, c.correct, c.jobs_total) {
            (Status::Skipped | Status::Broken, _, _) => c.note.clone(),
            _ if c.model == CURL => "not checked (HTTP 200 only)".into(),
            (_, Some(true), Some(jobs)) => format!("{jobs} jobs: correct"),
            (_, Some(true), None) => "sizes correct".into(),
            (_, _, Some(jobs)) => format!("{jobs} jobs: WRONG, not ranked ({})", c.note),
            _ => format!("WRONG, not ranked ({})", c.note),
        };
        let speedup = match (sync_wall, c.wall, c.trusted()) {
            (Some(sync), Some(wall), true) => format!("{:.2}x", sync / wall.median),
            _ => "–".into(),
        };
        let _ = writeln!(
            t,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} / {} | {} |",
            label(&c.model),
            spread(c.wall, 3),
            spread(c.sum, 3),
            speedup,
            spread(c.cpu, 3),
            c.rss.map_or("–".into(), |s| mib(s.median)),
            per_in_flight(c, cells).map_or("–".into(), kib),
            c.in_flight
                .map_or("–".into(), |s| format!("{:.0}", s.median)),
            opt(c.ok),
            opt(c.failed),
            answer
        );
    }
    t
}

/// A sweep as three tables: wall time, peak RSS and peak RSS per in-flight request, with a
/// row per N and a column per model.
pub fn sweep_tables(cells: &[CellSummary], models: &[String], sweep: Sweep) -> String {
    let ns = sweep_ns(cells, sweep);
    let header = |title: &str| {
        let mut h = format!("| {title} |");
        for m in models {
            let _ = write!(h, " {} |", label(m));
        }
        h.push_str("\n|---:|");
        h.push_str(&"---:|".repeat(models.len()));
        h.push('\n');
        h
    };
    let cell_of = |n: u64, m: &str| {
        cells
            .iter()
            .find(|c| c.workload == sweep.at(n) && c.model == m)
    };
    let mut out = String::new();
    type Show<'a> = &'a dyn Fn(&CellSummary) -> String;
    let tables: [(&str, Show<'_>); 3] = [
        ("wall (s), by N", &|c| spread(c.wall, 2)),
        ("peak RSS, by N", &|c| {
            c.rss.map_or("–".into(), |s| mib(s.median))
        }),
        ("peak RSS per in-flight request, by N", &|c| {
            per_in_flight(c, cells).map_or("–".into(), kib)
        }),
    ];
    for (title, show) in tables {
        out.push_str(&header(title));
        for &n in &ns {
            let _ = write!(out, "| {n} |");
            for m in models {
                let text = match cell_of(n, m) {
                    None => "–".to_string(),
                    Some(c) => match c.status {
                        Status::Skipped => format!("skipped (predicted {:.0} s)", c.predicted_s),
                        Status::Broken => format!("did not finish: {}", c.note),
                        Status::Failed => {
                            format!("{} ({} failed: {})", show(c), opt(c.failed), c.note)
                        }
                        Status::Ok => show(c),
                    },
                };
                let _ = write!(out, " {text} |");
            }
            out.push('\n');
        }
        out.push('\n');
    }
    out
}

fn talk_table(talk: &str) -> String {
    let mut t = String::from(
        "| talk's program | model | wall (s) | sum of request times (s) | CPU user+sys (s) | peak memory |\n|---|---|---:|---:|---:|---:|\n",
    );
    for r in talk_rows().iter().filter(|r| r.talk == talk) {
        let _ = writeln!(
            t,
            "| {} | {} | {:.3} | {} | {} | {} |",
            r.program,
            r.model,
            r.wall_s,
            r.sum_s.map_or("–".into(), |s| format!("{s:.3}")),
            r.cpu_s.map_or("–".into(), |s| format!("{s:.3}")),
            r.peak_mem_bytes.map_or("–".into(), mib)
        );
    }
    t
}

/// The async models against the talk's asyncio run on the jobs workload.
fn against_asyncio(cells: &[CellSummary]) -> String {
    let Some(asyncio) = talk_rows().into_iter().find(|r| r.program == "async.py") else {
        return String::new();
    };
    let mut t = format!(
        "Against the talk's asyncio + aiohttp run ({:.2} s, {}):\n\n| model | wall | peak RSS |\n|---|---:|---:|\n",
        asyncio.wall_s,
        asyncio.peak_mem_bytes.map_or("–".into(), mib)
    );
    for c in of_workload(cells, Workload::Jobs) {
        let kind = harness::ModelInfo::named(&c.model).map(|m| m.kind);
        if kind != Some(harness::Kind::Tasks) {
            continue;
        }
        let (Some(wall), Some(rss), true) = (c.wall, c.rss, c.trusted()) else {
            continue;
        };
        let _ = writeln!(
            t,
            "| {} | {:.3} s: {:.1}x faster | {}: {:.1}x smaller |",
            c.model,
            wall.median,
            asyncio.wall_s / wall.median,
            mib(rss.median),
            asyncio.peak_mem_bytes.unwrap_or(f64::NAN) / rss.median
        );
    }
    t
}

/// The whole report.
pub fn report_md(
    machine: &Machine,
    settings: &Settings,
    cells: &[CellSummary],
    models: &[String],
) -> String {
    let slowest = Workload::Sites.delays(settings.time_scale).1.as_secs_f64();
    let mut md = String::new();
    let _ = writeln!(md, "# The models compared\n");
    let _ = writeln!(md, "- Machine: {}", machine.describe());
    let _ = writeln!(
        md,
        "- Code: commit {}, measured {}",
        machine.commit, machine.date
    );
    let _ = writeln!(
        md,
        "- Settings: each figure is the median of {} run(s) [min–max]; a run predicted to take more than {:.0} s is skipped; time scale {}{}; release build; every model a process of its own, against a standalone origin at {}.",
        settings.repeat,
        settings.budget_s,
        settings.time_scale,
        if settings.quick { " (--quick)" } else { "" },
        settings.origin
    );
    let _ = writeln!(
        md,
        "- Took {:.0} min, waits for free ports included. Regenerate with: `{}`\n",
        settings.took.as_secs_f64() / 60.0,
        settings.command
    );

    let _ = writeln!(md, "## The six sites (the talk \"Async Python\")\n");
    let _ = writeln!(
        md,
        "The origin replays each site's size and latency as the talk's synchronous run measured them; the slowest, yahoo.com, takes {slowest:.3} s: no model can finish sooner.\n"
    );
    let _ = writeln!(md, "![Wall time per model, six sites](sites.svg)\n");
    md.push_str(&workload_table(cells, Workload::Sites));
    let _ = writeln!(md, "\nThe talk's own runs, over the internet of 2014:\n");
    md.push_str(&talk_table("async-python"));

    let _ = writeln!(
        md,
        "\n## The jobs API over 100 zip codes (the talk \"Asynchronicity\")\n"
    );
    let _ = writeln!(md, "![Wall, CPU and peak RSS per model, jobs](jobs.svg)\n");
    md.push_str(&workload_table(cells, Workload::Jobs));
    let _ = writeln!(
        md,
        "\nThe talk's own runs (peak memory is macOS `ru_maxrss`):\n"
    );
    md.push_str(&talk_table("asynchronicity"));
    md.push('\n');
    md.push_str(&against_asyncio(cells));

    let many = cells.iter().find_map(|c| match c.workload {
        Workload::ManyJobs(n) => Some(n),
        _ => None,
    });
    if let Some(n) = many {
        let _ = writeln!(
            md,
            "\n## The jobs API at scale: {n} requests at once\n\nThe 100 zip codes over and over, each at its own latency: small JSON bodies, read whole and parsed.\n"
        );
        md.push_str(&workload_table(cells, Workload::ManyJobs(n)));
    }

    for sweep in Sweep::ALL {
        let ns = sweep_ns(cells, sweep);
        let (Some(first), Some(last)) = (ns.first(), ns.last()) else {
            continue;
        };
        let _ = writeln!(
            md,
            "\n## From {first} to {last} endpoints, {}\n",
            sweep.bodies()
        );
        let bodies = match sweep {
            Sweep::KiB => "1,024 bytes".to_string(),
            Sweep::Pages => {
                "the size of one of the six sites' pages, in turn (119 KB on average)".to_string()
            }
        };
        let _ = writeln!(
            md,
            "Each endpoint answers {bodies} after {:.3} s; no --concurrency bound. Peak RSS per in-flight request is the peak RSS minus the same model's peak for one endpoint (N=1), divided by the requests that were in flight at once.\n",
            SWEEP_DELAY_S * settings.time_scale
        );
        let stem = sweep.stem();
        let _ = writeln!(md, "![Wall time against N]({stem}-wall.svg)\n");
        let _ = writeln!(md, "![Peak RSS against N]({stem}-rss.svg)\n");
        md.push_str(&sweep_tables(cells, models, sweep));
    }
    match &settings.curl {
        Some(version) => {
            let _ = writeln!(
                md,
                "curl is `{version}`, run as `curl --parallel --parallel-immediate --parallel-max {CURL_PARALLEL_MAX} --config FILE` over the same URLs, every body to /dev/null; {CURL_PARALLEL_MAX} is curl's own ceiling, so past {CURL_PARALLEL_MAX} endpoints it waits where the models do not. Its CPU time and peak RSS are the kernel's figures for the curl process (`wait4`); a row counts as ok when curl got a `200`.\n"
            );
        }
        None => {
            let _ = writeln!(md, "curl was not found: the reference row is left out.\n");
        }
    }

    let notes: Vec<&CellSummary> = cells.iter().filter(|c| c.status != Status::Ok).collect();
    if !notes.is_empty() {
        let _ = writeln!(md, "## Runs that did not succeed\n");
        for c in notes {
            let what = match (c.status, c.note.is_empty()) {
                (Status::Skipped, _) => c.note.clone(),
                (status, true) => format!("{status:?}").to_lowercase(),
                (status, false) => format!("{}: {}", format!("{status:?}").to_lowercase(), c.note),
            };
            let _ = writeln!(md, "- {} on {}: {what}", c.model, c.workload);
        }
    }
    md
}
