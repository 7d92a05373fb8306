//! Every chart of the documents, drawn from the run ([`figures::charts`] draws; this picks what
//! each chart shows): the six sites, the jobs API, when each request ran, the sweeps, and the
//! servers.

use std::path::Path;

use figures::charts::{self, Axes, Line, Plot, Span};
use figures::talk;

use rundata::{Results, WAIT_S};
use runfiles::CellSummary;

/// Draws every chart the run has data for into `dir`; returns their file names.
pub fn draw(run: &Results, dir: &Path) -> anyhow::Result<Vec<String>> {
    let mut drawn = Vec::new();
    let c = &run.clients;
    let trusted = |workload| c.of_workload(workload).filter(|cell| cell.trusted());
    let time_scale = run.time_scale();
    let slowest = origin::sites()
        .iter()
        .map(|s| s.latency.as_secs_f64() * time_scale)
        .fold(0.0, f64::max);
    if c.of_workload("sites").next().is_some() {
        let walls: Vec<charts::Spread> = trusted("sites")
            .filter_map(|cell| {
                Some(charts::Spread {
                    row: cell.model.clone(),
                    median: cell.wall?,
                    min: cell.wall_min?,
                    max: cell.wall_max?,
                })
            })
            .collect();
        charts::sites(&dir.join("sites.svg"), &walls, slowest)?;
        drawn.push("sites.svg".into());
    }
    if c.of_workload("jobs").next().is_some() {
        let jobs: Vec<charts::Jobs> = trusted("jobs")
            .map(|cell| charts::Jobs {
                row: cell.model.clone(),
                wall_s: cell.wall,
                cpu_s: cell.cpu,
                rss_bytes: cell.rss,
            })
            .collect();
        charts::jobs(&dir.join("jobs.svg"), &jobs, &talk::rows())?;
        drawn.push("jobs.svg".into());
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
        let runs = timelines(run, workload, |_| true);
        if !runs.is_empty() {
            let name = format!("timeline-{workload}.svg");
            charts::timelines(&dir.join(&name), title, &runs)?;
            drawn.push(name);
        }
    }
    // The talk's page beside the other joins of every request: Node's and fetch-smol's.
    let joins =
        |model: &str| catalogue::JavaScript::named(model).is_some() || model == "fetch-smol";
    let runs = timelines(run, "jobs", joins);
    if runs
        .iter()
        .any(|(model, ..)| catalogue::JavaScript::named(model).is_some())
    {
        let title = "The jobs API, 100 zips, joined: the talk's page in Chromium, Node, fetch-smol";
        charts::timelines(&dir.join("timeline-when.svg"), title, &runs)?;
        drawn.push("timeline-when.svg".into());
    }
    let delay = run.parts.sweeps.as_ref().map(|p| p.sweep_delay_s);
    for (stem, bodies) in [
        ("sweep", "1 KiB bodies"),
        ("pages", "the six sites' page sizes"),
    ] {
        if c.sweep(stem, None).is_empty() {
            continue;
        }
        let after = delay.map_or(String::new(), |d| format!(" (each after {d} s)"));
        let name = format!("{stem}-wall.svg");
        sweep(
            &dir.join(&name),
            run,
            stem,
            Axes {
                title: &format!("Wall time against N, {bodies}{after}"),
                x: "endpoints N, all at once (log)",
                y: "wall time (s, log)",
            },
            |cell| cell.wall,
        )?;
        drawn.push(name);
        let name = format!("{stem}-rss.svg");
        sweep(
            &dir.join(&name),
            run,
            stem,
            Axes {
                title: &format!("Peak RSS against N, {bodies}"),
                x: "endpoints N, all at once (log)",
                y: "peak RSS (MiB, log)",
            },
            |cell| cell.rss.map(|b| b / f64::from(1 << 20)),
        )?;
        drawn.push(name);
    }
    drawn.extend(servers(run, dir)?);
    drawn.extend(waits(run, dir)?);
    Ok(drawn)
}

/// The waiting programs: peak RSS and what a waiter costs against N, a line per program
/// through the Ns at which every waiter waited.
fn waits(run: &Results, dir: &Path) -> anyhow::Result<Vec<String>> {
    let ns = tables::waits::ns(run);
    if ns.is_empty() {
        return Ok(Vec::new());
    }
    let lines = |pick: fn(&runfiles::WaitRun) -> Option<f64>| -> Vec<Line> {
        tables::waits::labels(run)
            .into_iter()
            .map(|label| Line {
                points: ns
                    .iter()
                    .filter_map(|&n| {
                        let w = tables::waits::at(run, &label, n).filter(|w| w.complete())?;
                        Some((n as f64, pick(w)?))
                    })
                    .collect(),
                dashed: label.contains(' ')
                    || catalogue::Waiter::named(&label)
                        .is_some_and(|w| w.language != catalogue::Language::Rust),
                row: label,
                missed: Vec::new(),
            })
            .collect()
    };
    let wait = run.parts.waits.as_ref().map_or(10.0, |p| p.wait_s);
    let rss = lines(|w| w.peak_rss.map(|b| b / f64::from(1 << 20)));
    charts::log_log(
        &dir.join("waits-rss.svg"),
        &Plot::new(
            Axes {
                title: &format!("N waiters, each on a timer for {wait} s: peak RSS"),
                x: "waiters N, all at once (log)",
                y: "peak RSS (MiB, log)",
            },
            &rss,
        ),
    )?;
    let each = lines(|w| w.per_waiter);
    charts::log_log(
        &dir.join("waits-per-waiter.svg"),
        &Plot::new(
            Axes {
                title: "What a waiter adds to the process, against N",
                x: "waiters N, all at once (log)",
                y: "bytes a waiter (log)",
            },
            &each,
        ),
    )?;
    Ok(vec!["waits-rss.svg".into(), "waits-per-waiter.svg".into()])
}

/// The runs of `workload` kept for the timelines, as bars: every model's and program's first
/// run, then the runs with a `--concurrency` bound.
fn timelines(
    run: &Results,
    workload: &str,
    shown: impl Fn(&str) -> bool,
) -> Vec<(String, Vec<Span>, f64)> {
    let mut runs: Vec<(String, Vec<Span>, f64)> = Vec::new();
    let mut keys: Vec<(String, Option<u64>)> = Vec::new();
    for r in run
        .clients
        .requests
        .iter()
        .filter(|r| r.workload == workload && shown(&r.model))
    {
        let key = (r.model.clone(), r.concurrency);
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    // The runs without a bound first, in the run's order of models.
    keys.sort_by_key(|(model, bound)| (bound.is_some(), catalogue::rank(model)));
    for (model, bound) in keys {
        let bars: Vec<Span> = run
            .clients
            .requests
            .iter()
            .filter(|r| r.workload == workload && r.model == model && r.concurrency == bound)
            .map(|r| Span {
                start_s: r.start_s,
                seconds: r.seconds,
                ok: r.ok,
                endpoint: r.endpoint.clone(),
            })
            .collect();
        let wall = run
            .clients
            .requests
            .iter()
            .find(|r| r.workload == workload && r.model == model && r.concurrency == bound)
            .and_then(|r| r.wall_s)
            .unwrap_or_else(|| {
                bars.iter()
                    .map(|b| b.start_s + b.seconds)
                    .fold(0.0, f64::max)
            });
        let label = match bound {
            Some(n) => format!("{model} --concurrency {n}"),
            None => model,
        };
        runs.push((label, bars, wall));
    }
    runs
}

/// A sweep: a line per model through the figure `pick` takes from each of its trusted cells
/// at each N, the ceiling's included, on log–log axes.
fn sweep(
    path: &Path,
    run: &Results,
    stem: &str,
    axes: Axes<'_>,
    pick: fn(&CellSummary) -> Option<f64>,
) -> anyhow::Result<()> {
    let c = &run.clients;
    let ns = c.ns(stem);
    let lines: Vec<Line> = c
        .models()
        .into_iter()
        .map(|model| Line {
            row: model.to_string(),
            points: ns
                .iter()
                .filter_map(|&n| {
                    let cell = c.cell(&format!("{stem}-{n}"), model)?;
                    cell.trusted().then_some(())?;
                    Some((n as f64, pick(cell)?))
                })
                .collect(),
            dashed: catalogue::is_reference(model),
            missed: Vec::new(),
        })
        .collect();
    charts::log_log(path, &Plot::new(axes, &lines))
}

/// The servers' charts: requests per second with the ideal, peak RSS and p99, a line per
/// setup (a loop per core dashed, the Python servers dotted).
fn servers(run: &Results, dir: &Path) -> anyhow::Result<Vec<String>> {
    let s = &run.servers;
    if s.connections().is_empty() {
        return Ok(Vec::new());
    }
    let lines = |pick: fn(&rundata::Point) -> f64| -> Vec<Line> {
        s.servers()
            .into_iter()
            .map(|server| Line {
                row: server.to_string(),
                points: s
                    .points
                    .iter()
                    .filter(|p| p.server == server && p.alive > 0)
                    .map(|p| (p.connections as f64, pick(p)))
                    .collect(),
                // A loop per core, or a Python server: drawn apart from the defaults.
                dashed: s
                    .points
                    .iter()
                    .find(|p| p.server == server)
                    .is_some_and(|p| p.setup.threads.is_some() || !p.setup.is_rust()),
                missed: Vec::new(),
            })
            .collect()
    };
    let axes = |title, y| Axes {
        title,
        x: "keep-alive connections C (log)",
        y,
    };
    let ideal: Vec<(f64, f64)> = s
        .connections()
        .iter()
        .map(|&c| (c as f64, c as f64 / WAIT_S))
        .collect();
    let rps = lines(|p| p.rps);
    charts::log_log(
        &dir.join("servers-rps.svg"),
        &Plot::new(
            axes(
                "Requests per second against keep-alive connections (median)",
                "requests per second (log)",
            ),
            &rps,
        )
        .reference("ideal: C / 50 ms", ideal),
    )?;
    let rss = lines(|p| p.peak_rss_kib / 1024.0);
    charts::log_log(
        &dir.join("servers-rss.svg"),
        &Plot::new(
            axes(
                "The server's peak RSS against keep-alive connections (median)",
                "peak RSS, MiB (log)",
            ),
            &rss,
        ),
    )?;
    let p99 = lines(|p| p.p99_ms);
    let timeout = run.parts.servers.as_ref().map(|p| p.timeout_s * 1000.0);
    let cap = timeout.map(|t| format!("the load generator's {:.0} s timeout", t / 1000.0));
    let mut plot = Plot::new(
        axes(
            "99th percentile of latency against keep-alive connections (median)",
            "p99 latency, ms (log)",
        ),
        &p99,
    );
    if let (Some(label), Some(t)) = (&cap, timeout) {
        plot = plot.cap(label, t);
    }
    charts::log_log(&dir.join("servers-p99.svg"), &plot)?;
    let mut drawn = vec![
        "servers-rps.svg".into(),
        "servers-rss.svg".into(),
        "servers-p99.svg".into(),
    ];
    drawn.extend(rates(run, dir)?);
    Ok(drawn)
}

/// The servers at fixed offered rates: p99 latency, corrected for coordinated omission, against
/// the rate offered, a chart per C and a line per server (the Python servers dashed).
fn rates(run: &Results, dir: &Path) -> anyhow::Result<Vec<String>> {
    use rundata::Rates as _;
    let rates = &run.rates[..];
    let mut drawn = Vec::new();
    for c in rates.connections() {
        let of = |server: &str| -> Vec<&runfiles::RateRun> {
            rates
                .iter()
                .filter(|r| r.server == server && r.connections == c && r.alive)
                .collect()
        };
        let lines: Vec<Line> = rates
            .servers()
            .into_iter()
            .map(|server| Line {
                row: server.to_string(),
                points: of(server)
                    .iter()
                    .map(|r| (r.offered_rps as f64, r.p99_ms))
                    .collect(),
                dashed: !server.starts_with("serve-"),
                missed: of(server)
                    .iter()
                    .filter(|r| !r.held)
                    .map(|r| (r.offered_rps as f64, r.p99_ms))
                    .collect(),
            })
            .collect();
        let name = format!("servers-rates-c{c}.svg");
        let title = format!(
            "p99 latency against the offered rate, at most {} connections",
            figures::format::group(c)
        );
        // oha gives up on a request after its timeout: a p99 there is a cap, not a latency.
        let timeout = run.parts.servers.as_ref().map_or(5.0, |p| p.timeout_s);
        let cap = format!("oha's {timeout:.0} s timeout: a p99 here is a cap");
        charts::log_log(
            &dir.join(&name),
            &Plot::new(
                Axes {
                    title: &title,
                    x: "requests per second offered (log)",
                    y: "p99 from when each was due, ms (log)",
                },
                &lines,
            )
            .cap(&cap, timeout * 1000.0)
            .missed("rate not held: the server answered fewer"),
        )?;
        drawn.push(name);
    }
    Ok(drawn)
}
