//! The clients' tables: every model, curl and the talks' Python programs on the talks'
//! workloads, the sweeps, the ceiling, and the targets the models are held to. The claims that
//! read them are in the `findings` crate.

use std::fmt::Write as _;

use catalogue::{CURL, Family, MODELS};
use figures::format::{group, kib, mib, or_dash};

use rundata::{Clients, Results, family};
use runfiles::{CellSummary, Status};

/// A model's name in a table: its short name; curl's says how many transfers it runs at once.
pub fn short(model: &str) -> String {
    catalogue::label(&catalogue::short(model))
}

/// Why a cell has no figures: skipped past the budget, or broken.
pub fn missing(cell: &CellSummary) -> String {
    match cell.status {
        Status::Skipped => "skipped".into(),
        other => format!("{} ({})", status(other), cell.note),
    }
}

/// A status as a page writes it: the word of the run's files.
pub fn status(status: Status) -> &'static str {
    match status {
        Status::Ok => "ok",
        Status::Failed => "failed",
        Status::Broken => "broken",
        Status::Skipped => "skipped",
    }
}

/// The ceiling's endpoint count, where the run went there.
pub fn ceiling(run: &Results) -> Option<u64> {
    run.parts.ceiling.as_ref().map(|s| s.ceiling)
}

/// The six sites: every model's wall time against the synchronous one's, CPU, peak RSS and
/// how many requests it had in flight.
pub fn sites(run: &Results) -> String {
    let c = &run.clients;
    let sync = c.trusted("sites", MODELS[0].name, |c| c.wall);
    let mut t = String::from(
        "| model | wall (s) | min–max (s) | vs sync | CPU (s) | peak RSS | peak in flight |\n\
         |---|---:|---:|---:|---:|---:|---:|\n",
    );
    for model in c.models() {
        let Some(cell) = c.cell("sites", model) else {
            continue;
        };
        if !cell.measured() {
            let _ = writeln!(t, "| {} | {} | | | | | |", short(model), missing(cell));
            continue;
        }
        let speedup = match (sync, cell.wall) {
            (Some(sync), Some(wall)) => format!("{:.2}x", sync / wall),
            _ => "–".into(),
        };
        let _ = writeln!(
            t,
            "| {} | {} | {}–{} | {speedup} | {} | {} | {} |",
            short(model),
            or_dash(cell.wall.map(|w| format!("{w:.3}"))),
            or_dash(cell.wall_min.map(|w| format!("{w:.3}"))),
            or_dash(cell.wall_max.map(|w| format!("{w:.3}"))),
            or_dash(cell.cpu.map(|s| format!("{s:.3}"))),
            or_dash(cell.rss.map(mib)),
            or_dash(cell.in_flight.map(|n| format!("{n:.0}"))),
        );
    }
    t
}

/// The jobs API over the 100 zip codes, with the talk's own figures under the run's.
pub fn jobs(run: &Results) -> String {
    let mut t = jobs_table(&run.clients, "jobs");
    for r in figures::talk::of_talk("asynchronicity") {
        let _ = writeln!(
            t,
            "| *the talk's {}* | *{:.3}* | {} | {} | *1651* |",
            r.program,
            r.wall_s,
            or_dash(r.cpu_s().map(|s| format!("*{s:.3}*"))),
            or_dash(r.peak_mem_bytes.map(|b| format!("*{}*", mib(b)))),
        );
    }
    t
}

/// The jobs API at scale (`jobs-N`).
pub fn many_jobs(run: &Results) -> String {
    run.clients
        .many_jobs()
        .map(|w| jobs_table(&run.clients, w))
        .unwrap_or_else(|| "Not measured in this run.\n".into())
}

/// Wall, CPU, peak RSS and the answer of every model on a jobs workload.
fn jobs_table(c: &Clients, workload: &str) -> String {
    let mut t = String::from(
        "| model | wall (s) | CPU (s) | peak RSS | answer |\n|---|---:|---:|---:|---|\n",
    );
    for model in c.models() {
        let Some(cell) = c.cell(workload, model) else {
            continue;
        };
        if !cell.measured() {
            let _ = writeln!(t, "| {} | {} | | | |", short(model), missing(cell));
            continue;
        }
        let answer = match (cell.jobs_total, cell.correct, model == CURL) {
            (_, _, true) => "not parsed".into(),
            (Some(total), Some(true), _) => format!("{}, correct", group(total)),
            (Some(total), _, _) => format!("{}, WRONG", group(total)),
            (None, _, _) => "–".into(),
        };
        let _ = writeln!(
            t,
            "| {} | {} | {} | {} | {answer} |",
            short(model),
            or_dash(cell.wall.map(|w| format!("{w:.3}"))),
            or_dash(cell.cpu.map(|s| format!("{s:.3}"))),
            or_dash(cell.rss.map(mib)),
        );
    }
    t
}

/// A table with a row per model and a column per N: `show` writes a measured cell.
fn by_model(
    c: &Clients,
    stem: &str,
    models: &[&str],
    ns: &[u64],
    show: fn(&CellSummary) -> String,
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
            let text = match c.cell(&format!("{stem}-{n}"), model) {
                None => "–".into(),
                Some(cell) if !cell.measured() => missing(cell),
                Some(cell) => show(cell),
            };
            let _ = write!(t, " {text} |");
        }
        t.push('\n');
    }
    t
}

/// A sweep: the wall time and the peak RSS of every model at each N, as two tables.
pub fn sweep(run: &Results, stem: &str) -> String {
    let c = &run.clients;
    let (models, ns) = (c.models(), c.sweep(stem, ceiling(run)));
    if ns.is_empty() {
        return "Not measured in this run.\n".into();
    }
    let wall = by_model(c, stem, &models, &ns, |cell| or_dash(wall_spread(cell)));
    let rss = by_model(c, stem, &models, &ns, |cell| or_dash(cell.rss.map(mib)));
    format!(
        "Wall time, the median of the runs with the fastest and the slowest beside it where \
         there were several:\n\n{wall}\nPeak RSS:\n\n{rss}"
    )
}

/// A cell's median wall time, and its spread where it ran more than once: `1.47 s (1.45–4.24)`.
fn wall_spread(cell: &CellSummary) -> Option<String> {
    let median = cell.wall?;
    Some(match (cell.wall_min, cell.wall_max) {
        (Some(low), Some(high)) if cell.runs > 1 => {
            format!("{median:.2} s ({low:.2}–{high:.2})")
        }
        _ => format!("{median:.2} s"),
    })
}

/// Peak RSS per request in flight for the models that let every request wait at once, curl
/// and the Python programs that do; from N = 100, below which page-sized noise dominates.
pub fn per_request(run: &Results, stem: &str) -> String {
    let c = &run.clients;
    let ns: Vec<u64> = c
        .sweep(stem, ceiling(run))
        .into_iter()
        .filter(|n| *n >= 100)
        .collect();
    let models: Vec<&str> = c
        .models()
        .into_iter()
        .filter(|m| *m == CURL || family(m).is_some_and(Family::all_at_once))
        .collect();
    by_model(c, stem, &models, &ns, |cell| {
        or_dash(cell.per_in_flight.map(kib))
    })
}

/// The connections alone: each model's N requests with no delay beside the same N after the
/// sweep's delay, and how the request times spread.
pub fn burst(run: &Results) -> String {
    let c = &run.clients;
    let Some(n) = c.ns("burst").last().copied() else {
        return "Not measured in this run.\n".into();
    };
    let delayed = format!("sweep-{n}");
    let mut t = String::from(
        "| model | no delay: wall | request times (min / median / max) | CPU | listen overflows \
         | after the delay: wall | request times (min / median / max) |\n\
         |---|---:|---:|---:|---:|---:|---:|\n",
    );
    let times = |cell: &CellSummary| match (cell.request_min, cell.request_median, cell.request_max)
    {
        (Some(a), Some(b), Some(c)) => format!("{a:.3} / {b:.3} / {c:.3} s"),
        _ => "–".into(),
    };
    let both = |cell: Option<&CellSummary>| match cell {
        Some(cell) if cell.measured() => (
            or_dash(cell.wall.map(|w| format!("{w:.3} s"))),
            times(cell),
            or_dash(cell.cpu.map(|s| format!("{s:.3} s"))),
            or_dash(cell.listen_overflows.map(|n| group(n as u64))),
        ),
        Some(cell) => (missing(cell), String::new(), String::new(), String::new()),
        None => ("–".into(), String::new(), String::new(), String::new()),
    };
    for model in c.models() {
        let Some(burst) = c.cell(&format!("burst-{n}"), model) else {
            continue;
        };
        let (wall, spread, cpu, overflows) = both(Some(burst));
        let (wall_delayed, spread_delayed, _, _) = both(c.cell(&delayed, model));
        let _ = writeln!(
            t,
            "| {} | {wall} | {spread} | {cpu} | {overflows} | {wall_delayed} | {spread_delayed} |",
            short(model)
        );
    }
    t
}

/// fetch-smol's read buffer, size by size, on both sweeps at one N.
pub fn read_buffer(run: &Results) -> String {
    let n = run.parts.read_buffer.as_ref().map(|s| s.read_buffer_n);
    let Some(n) = n else {
        return "Not measured in this run.\n".into();
    };
    let mut t = String::from(
        "| read buffer | 1 KiB: wall | CPU | peak RSS | the talk's pages: wall | CPU | peak RSS |\n\
         |---|---:|---:|---:|---:|---:|---:|\n",
    );
    let (kib_workload, pages_workload) = (format!("sweep-{n}"), format!("pages-{n}"));
    let kib_cells = run.clients.read_buffers(&kib_workload);
    let page_cells = run.clients.read_buffers(&pages_workload);
    for kib_cell in &kib_cells {
        let pages = page_cells.iter().find(|p| p.variant == kib_cell.variant);
        let figures = |cell: Option<&&CellSummary>| match cell {
            Some(cell) if cell.measured() => format!(
                "{} | {} | {}",
                or_dash(cell.wall.map(|w| format!("{w:.2} s"))),
                or_dash(cell.cpu.map(|s| format!("{s:.2} s"))),
                or_dash(cell.rss.map(mib)),
            ),
            Some(cell) => format!("{} | | ", missing(cell)),
            None => "– | | ".into(),
        };
        let _ = writeln!(
            t,
            "| {} | {} | {} |",
            buffer_label(kib_cell),
            figures(Some(kib_cell)),
            figures(pages)
        );
    }
    t
}

/// A read buffer's name: fetch-smol's own size, or the variable's value.
pub fn buffer_label(cell: &CellSummary) -> String {
    match cell.variant.split_once('=') {
        Some((_, "adaptive")) => "hyper's adaptive buffer".into(),
        Some((_, bytes)) => format!("{} KiB", bytes.parse::<f64>().unwrap_or(0.0) / 1024.0),
        None => "4 KiB (fetch-smol's own)".into(),
    }
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
    models: &'static [&'static str],
    figure: fn(&CellSummary) -> Option<f64>,
    unit: &'static str,
    limit: Limit,
    /// Why a miss happens, where it is known: the page says it beside the miss.
    why_missed: &'static str,
}

const RUNTIMES: &[&str] = &[
    "fetch-async-std",
    "fetch-smol",
    "fetch-tokio",
    "fetch-compio",
];

fn cpu(c: &CellSummary) -> Option<f64> {
    c.cpu
}

fn rss_mib(c: &CellSummary) -> Option<f64> {
    c.rss.map(|b| b / f64::from(1 << 20))
}

/// The wall time of a run in which every request succeeded.
fn ok_wall(c: &CellSummary) -> Option<f64> {
    c.wall.filter(|_| c.status == Status::Ok)
}

fn per_request_kib(c: &CellSummary) -> Option<f64> {
    c.per_in_flight.map(|b| b / 1024.0)
}

const TARGETS: &[Target] = &[
    Target {
        what: "N=2,000 pages: CPU ≤ 1.2x curl's",
        workload: "pages-2000",
        models: RUNTIMES,
        figure: cpu,
        unit: " s",
        limit: Limit::Curl(1.2),
        why_missed: "",
    },
    Target {
        what: "N=2,000 pages: peak RSS ≤ 1.5x the same model's on jobs at N=2,000",
        workload: "pages-2000",
        models: RUNTIMES,
        figure: rss_mib,
        unit: " MiB",
        limit: Limit::Own("jobs-2000", 1.5),
        why_missed: "hyper's adaptive read buffer grows with the page, and reqwest lets a \
                     program neither fix nor cap it",
    },
    Target {
        what: "N=2,000 jobs: CPU ≤ 1.2x curl's",
        workload: "jobs-2000",
        models: RUNTIMES,
        figure: cpu,
        unit: " s",
        limit: Limit::Curl(1.2),
        why_missed: "",
    },
    Target {
        what: "N=10,000 1 KiB: peak RSS per request ≤ 16 KiB",
        workload: "sweep-10000",
        models: &["fetch-smol", "fetch-tokio"],
        figure: per_request_kib,
        unit: " KiB",
        limit: Limit::At(16.0),
        why_missed: "hyper allocates two fixed blocks of 8 KiB for every connection, whatever \
                     the request: the buffer it writes the request head into and the first \
                     block of its request channel (the heap profiles)",
    },
    Target {
        what: "N=10,000 1 KiB: every request ok, wall ≤ 1.5 s",
        workload: "sweep-10000",
        models: &[
            "fetch-smol",
            "fetch-tokio",
            "fetch-reactor",
            "fetch-green",
            "fetch-compio",
        ],
        figure: ok_wall,
        unit: " s",
        limit: Limit::At(1.5),
        why_missed: "opening, serving and closing 10,000 loopback connections on the cores the \
                     origin shares with the client, not the waiting (the connections alone, \
                     above)",
    },
    Target {
        what: "Six sites: wall ≤ 1.02x the slowest site",
        workload: "sites",
        models: &["fetch-reactor", "fetch-green", "fetch-compio"],
        figure: ok_wall,
        unit: " s",
        limit: Limit::SlowestSite(1.02),
        why_missed: "",
    },
    Target {
        what: "N=10,000 1 KiB: peak RSS per request ≤ 2 KiB",
        workload: "sweep-10000",
        models: &["fetch-reactor"],
        figure: per_request_kib,
        unit: " KiB",
        limit: Limit::At(2.0),
        why_missed: "",
    },
    Target {
        what: "N=10,000 1 KiB: CPU ≤ every other model's",
        workload: "sweep-10000",
        models: &["fetch-reactor"],
        figure: cpu,
        unit: " s",
        limit: Limit::BestOther,
        why_missed: "",
    },
    Target {
        what: "N=10,000 1 KiB: peak RSS per request ≤ 16 KiB",
        workload: "sweep-10000",
        models: &["fetch-green"],
        figure: per_request_kib,
        unit: " KiB",
        limit: Limit::At(16.0),
        why_missed: "",
    },
    Target {
        what: "N=2,000 pages: CPU ≤ curl's",
        workload: "pages-2000",
        models: &["fetch-reactor"],
        figure: cpu,
        unit: " s",
        limit: Limit::Curl(1.0),
        why_missed: "",
    },
    Target {
        what: "N=10,000 1 KiB: CPU ≤ the reactor's",
        workload: "sweep-10000",
        models: &["fetch-compio"],
        figure: cpu,
        unit: " s",
        limit: Limit::Model("fetch-reactor", 1.0, 0.0),
        why_missed: "",
    },
    Target {
        what: "N=10,000 1 KiB: peak RSS per request ≤ the reactor's + 1 KiB",
        workload: "sweep-10000",
        models: &["fetch-compio"],
        figure: per_request_kib,
        unit: " KiB",
        limit: Limit::Model("fetch-reactor", 1.0, 1.0),
        why_missed: "a task's future, boxed where it nests, and the ring of provided buffers, \
                     shared by every request of the run",
    },
];

/// A target's outcome for one model.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub what: &'static str,
    pub model: &'static str,
    pub figure: Option<f64>,
    pub limit: Option<f64>,
    pub unit: &'static str,
    pub why_missed: &'static str,
}

impl Outcome {
    pub fn met(&self) -> Option<bool> {
        Some(self.figure? <= self.limit?)
    }
}

/// Every target for every model it holds, with the figure reached.
pub fn outcomes(c: &Clients) -> Vec<Outcome> {
    let mut all = Vec::new();
    for target in TARGETS {
        for &model in target.models {
            let figure = c.figure(target.workload, model, target.figure);
            let limit = match target.limit {
                Limit::At(value) => Some(value),
                Limit::Curl(times) => c
                    .figure(target.workload, CURL, target.figure)
                    .map(|f| f * times),
                Limit::Own(workload, times) => {
                    c.figure(workload, model, target.figure).map(|f| f * times)
                }
                Limit::SlowestSite(times) => origin::sites()
                    .iter()
                    .map(|site| site.latency.as_secs_f64() * times)
                    .reduce(f64::max),
                Limit::Model(other, times, plus) => c
                    .figure(target.workload, other, target.figure)
                    .map(|f| f * times + plus),
                Limit::BestOther => c
                    .rust()
                    .into_iter()
                    .filter(|m| *m != model)
                    .filter_map(|m| c.figure(target.workload, m, target.figure))
                    .reduce(f64::min),
            };
            all.push(Outcome {
                what: target.what,
                model,
                figure,
                limit,
                unit: target.unit,
                why_missed: target.why_missed,
            });
        }
    }
    all
}

/// The targets the models are held to, each with the figure reached.
pub fn targets(run: &Results) -> String {
    let mut t =
        String::from("| target | model | figure | limit | met |\n|---|---|---:|---:|---|\n");
    for o in outcomes(&run.clients) {
        let unit = o.unit;
        let (figure, limit) = match (o.figure, o.limit) {
            (Some(f), Some(l)) => (format!("{f:.2}{unit}"), format!("{l:.2}{unit}")),
            _ => ("–".into(), "–".into()),
        };
        let met = match o.met() {
            Some(true) => "yes",
            Some(false) => "**no**",
            None => "not measured",
        };
        let _ = writeln!(
            t,
            "| {} | {} | {figure} | {limit} | {met} |",
            o.what,
            short(o.model)
        );
    }
    t
}

/// The heap profiles: for each, the heap at its peak per request and where it was allocated.
pub fn heap(run: &Results) -> String {
    let mut profiles: Vec<(&str, &str, u64)> = Vec::new();
    for row in &run.heap {
        let key = (row.model.as_str(), row.workload.as_str(), row.n);
        if !profiles.contains(&key) {
            profiles.push(key);
        }
    }
    if profiles.is_empty() {
        return "Not measured in this run (valgrind was not found).\n".into();
    }
    let mut t = String::new();
    for (model, workload, n) in profiles {
        let rows: Vec<_> = run
            .heap
            .iter()
            .filter(|r| r.model == model && r.workload == workload)
            .collect();
        let total: f64 = rows.iter().map(|r| r.kib_per_request).sum();
        let bodies = if workload.starts_with("pages") {
            "the talk's pages"
        } else {
            "1 KiB bodies"
        };
        let _ = writeln!(
            t,
            "{}, {bodies}, {} requests in flight: {total:.1} KiB of heap per request at the \
             peak.\n\n| KiB per request | allocated at |\n|---:|---|",
            catalogue::short(model),
            group(n),
        );
        for r in rows {
            let _ = writeln!(
                t,
                "| {:.2} | {} |",
                r.kib_per_request,
                r.site.replace('|', "\\|").replace('<', "&lt;"),
            );
        }
        t.push('\n');
    }
    t
}
