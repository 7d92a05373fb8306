//! The verdict on one screen: a row per client model, with its server and the talks' programs
//! beside it. Each row says when to choose the model and when not, what a request in flight
//! costs it, how far it went on the run's machine and what stopped it, its server's figure at
//! 10,000 connections, and whether it is a library to deploy or code to read.
//!
//! Every figure comes from the run. Every piece of advice that rests on a figure is a claim: it
//! fails, naming its row, when the run stops bearing it out. README and the book's first
//! chapter show the table; a run's report says, row by row, whether its machine bears it out.

use catalogue::{Family, MODELS, Model, Standing};
use figures::format::{group, kib, ms};
use findings::claim::{name, need, percent, s, times};
use findings::{Claim, Unsupported, holds};
use rundata::Results;
use runfiles::{CellSummary, Status};

/// The servers' column: the run's number of connections nearest below or at this one.
const SERVER_C: u64 = 10_000;

/// A row of the verdict: its model, and its cells or why the run does not bear it out.
#[derive(Debug)]
pub struct Row {
    pub model: &'static Model,
    pub cells: Result<Vec<String>, Unsupported>,
}

/// Every model's row, in the catalogue's order.
pub fn rows(run: &Results) -> Vec<Row> {
    let at = At::of(run);
    MODELS
        .iter()
        .map(|model| Row {
            model,
            cells: row(&at, model),
        })
        .collect()
}

/// The verdict table and what it rests on, or the first row the run does not bear out.
pub fn verdict(run: &Results) -> Claim {
    let rows = rows(run);
    if let Some(Row {
        model,
        cells: Err(why),
    }) = rows.iter().find(|r| r.cells.is_err())
    {
        let short = model.short;
        return Err(match why {
            Unsupported::Contradicted(w) => Unsupported::Contradicted(format!("{short}: {w}")),
            Unsupported::Missing(w) => Unsupported::Missing(format!("{short}: {w}")),
            Unsupported::NotJudged(w) => Unsupported::NotJudged(format!("{short}: {w}")),
        });
    }
    Ok(table(run, &rows))
}

/// The table whatever the run bears out: a row it does not bear out says why in place of its
/// advice, as a reader's report shows it.
pub fn table(run: &Results, rows: &[Row]) -> String {
    let at = At::of(run);
    let mut table = format!(
        "| model | choose it when | not when | per request in flight{} | how far it went | its server at C = {} | what it is |\n\
         |---|---|---|---|---|---|---|\n",
        at.top
            .map_or(String::new(), |n| format!(", N = {}", group(n))),
        at.servers.map_or("–".into(), group),
    );
    for Row { model, cells } in rows {
        let line = match cells {
            Ok(cells) => cells.join(" | "),
            Err(why) => format!(
                "{} | {} | | | | | {}",
                who(model),
                why.to_string().replace('|', "\\|"),
                standing(model)
            ),
        };
        table.push_str(&format!("| {line} |\n"));
    }
    format!("{table}\n{}", rests_on(run))
}

/// The caveats, once: the machine, loopback, the latency the server makes.
fn rests_on(run: &Results) -> String {
    let delay = run.parts.sweeps.as_ref().map(|p| p.sweep_delay_s);
    let made = match delay {
        Some(d) => format!(
            "A client's request waited {d} s at its server, a server's {:.0} ms.",
            rundata::WAIT_S * 1000.0
        ),
        None => "Each request's wait was made by its server.".into(),
    };
    let ceiling = match tables::clients::ceiling(run) {
        Some(n) => format!(
            " No client went past {}, just under {}.",
            group(n),
            tables::ceiling::Limits(run).open_files()
        ),
        None => String::new(),
    };
    format!(
        "It rests on one machine: {}, {}. Every request crossed loopback. {made}{ceiling}\n",
        findings::claim::cores(run.cores()),
        run.machine.cpu,
    )
}

/// What every row reads: the sweep's largest N and the servers' connections.
struct At<'a> {
    run: &'a Results,
    /// The largest N of the 1 KiB sweep below the ceiling.
    top: Option<u64>,
    /// The servers' connections for the column.
    servers: Option<u64>,
}

impl<'a> At<'a> {
    fn of(run: &'a Results) -> At<'a> {
        let top = run
            .clients
            .sweep("sweep", tables::clients::ceiling(run))
            .last()
            .copied();
        let servers = run
            .servers
            .points
            .iter()
            .map(|p| p.connections)
            .filter(|&c| c <= SERVER_C)
            .max();
        At { run, top, servers }
    }

    fn cell(&self, model: &str, n: u64) -> Option<&'a CellSummary> {
        self.run
            .clients
            .cell(&format!("sweep-{n}"), model)
            .filter(|c| c.trusted())
    }

    /// The model's cell at the largest N of the sweep it ran, every run right.
    fn largest(&self, model: &str) -> Result<&'a CellSummary, Unsupported> {
        need(
            self.run
                .clients
                .ns("sweep")
                .into_iter()
                .filter(|&n| Some(n) <= self.top)
                .rev()
                .find_map(|n| self.cell(model, n)),
            format!("{} in the sweep", name(model)),
        )
    }

    /// A figure of the model at the sweep's top.
    fn top(&self, model: &str, pick: fn(&CellSummary) -> Option<f64>) -> Result<f64, Unsupported> {
        let n = need(self.top, "the sweep")?;
        need(
            self.cell(model, n).and_then(pick),
            format!("{} at N = {}", name(model), group(n)),
        )
    }

    /// The runtimes with a client of their own: async-std, smol, tokio.
    fn runtimes(&self) -> Vec<&'static str> {
        MODELS
            .iter()
            .filter(|m| m.family == Family::Runtime && !m.io_uring)
            .map(|m| m.name)
            .collect()
    }
}

fn per_request(c: &CellSummary) -> Option<f64> {
    c.per_in_flight
}

fn wall(c: &CellSummary) -> Option<f64> {
    c.wall
}

fn row(at: &At<'_>, model: &'static Model) -> Result<Vec<String>, Unsupported> {
    let (when, not) = advice(at, model)?;
    Ok(vec![
        who(model),
        when,
        not,
        cost(at, model)?,
        reach(at, model),
        server(at, model),
        standing(model),
    ])
}

/// The model's crate and the talks' client programs beside it.
fn who(model: &Model) -> String {
    let twins: Vec<String> = model
        .python()
        .map(|p| p.name)
        .chain(model.javascript().map(|j| j.name))
        .map(|n| format!("`{n}`"))
        .collect();
    let mut cell = format!("**{}**<br>`{}`", model.short, model.name);
    if !twins.is_empty() {
        cell.push_str(&format!("<br>beside: {}", twins.join(", ")));
    }
    cell
}

/// Memory and CPU per request in flight at the largest N the model ran.
fn cost(at: &At<'_>, model: &Model) -> Result<String, Unsupported> {
    let c = at.largest(model.name)?;
    let cpu = need(c.cpu, format!("{}'s CPU", name(model.name)))?;
    let per_cpu = format!("{:.0} µs CPU", cpu / c.n as f64 * 1e6);
    let in_flight = c.in_flight.unwrap_or(0.0);
    let at_n = if Some(c.n) == at.top {
        String::new()
    } else {
        format!(" (N = {})", group(c.n))
    };
    // Where few requests were in flight at once, a figure per request would be the process's
    // own size spread thin: the whole is written instead.
    Ok(match (c.per_in_flight, c.rss) {
        (Some(per), _) if in_flight >= 100.0 && per > 0.0 => {
            format!("{}, {per_cpu}{at_n}", kib(per))
        }
        (_, Some(rss)) => format!(
            "{} in all, {} in flight; {per_cpu}{at_n}",
            figures::format::mib(rss),
            group(in_flight as u64)
        ),
        _ => format!("{per_cpu}{at_n}"),
    })
}

/// How far the model went: the ceiling's N, or the largest it ran, and what held it.
fn reach(at: &At<'_>, model: &Model) -> String {
    let run = at.run;
    let ceiling = tables::clients::ceiling(run)
        .and_then(|n| Some((n, run.clients.cell(&format!("sweep-{n}"), model.name)?)));
    match ceiling {
        Some((n, c)) if c.measured() => {
            let peak = c.in_flight.unwrap_or(n as f64) as u64;
            let status = if c.status == Status::Ok {
                String::new()
            } else {
                format!(" ({})", tables::clients::missing(c))
            };
            if peak >= n {
                format!("all {} at once{status}", group(n))
            } else if model.family == Family::Threads {
                format!(
                    "{} done; {} threads at once, held by {}{status}",
                    group(n),
                    group(peak),
                    tables::ceiling::Limits(run).max_map_count()
                )
            } else {
                format!(
                    "{} done, at most {} in flight{status}",
                    group(n),
                    group(peak)
                )
            }
        }
        _ => match at.largest(model.name) {
            Ok(c) => {
                let budget = run.parts.clients().map(|s| s.budget_s).unwrap_or(f64::NAN);
                format!(
                    "N = {} in {}; past that, the run's {budget:.0} s budget",
                    group(c.n),
                    s(c.wall.unwrap_or(f64::NAN))
                )
            }
            Err(_) => "not measured".into(),
        },
    }
}

/// Its server at the column's connections, with the Python servers beside it.
fn server(at: &At<'_>, model: &Model) -> String {
    let (Some(server), Some(c)) = (model.server(), at.servers) else {
        return "–".into();
    };
    let point = |label: &str| at.run.servers.point(label, c).filter(|p| p.lived());
    let Some(p) = point(server.name) else {
        return format!("`{}`: not measured", server.name);
    };
    let mut cell = format!(
        "`{}`: {} req/s, p99 {}",
        server.name,
        group(p.rps as u64),
        ms(p.p99_ms)
    );
    for twin in server.python() {
        if let Some(t) = point(twin.name) {
            cell.push_str(&format!("<br>`{}`: {}", twin.name, group(t.rps as u64)));
        }
    }
    cell
}

/// A library to deploy, maintained or not, or code to read.
fn standing(model: &Model) -> String {
    match model.runtime.standing() {
        Standing::Maintained => "library".into(),
        Standing::Discontinued(d) => {
            format!("library, [discontinued]({}): use {}", d.notice, d.instead)
        }
        Standing::Teaching => "teaching code".into(),
    }
}

/// When to choose the model and when not, each resting on the run where a figure can say it.
fn advice(at: &At<'_>, model: &Model) -> Result<(String, String), Unsupported> {
    let run = at.run;
    let top = need(at.top, "the sweep")?;
    let at_top = format!("N = {}", group(top));
    Ok(match model.name {
        "fetch-sync" => {
            let c = at.largest(model.name)?;
            let sync = need(c.wall, "sync's wall time")?;
            let best = at
                .runtimes()
                .iter()
                .filter_map(|m| at.cell(m, c.n).and_then(wall))
                .fold(f64::INFINITY, f64::min);
            holds!(
                sync >= 2.0 * best,
                "sync took {} at N = {}, the runtimes {}",
                s(sync),
                c.n,
                s(best)
            );
            (
                "A few requests, or one at a time by design.".into(),
                format!(
                    "Many waits: N = {} took {}, {} all at once.",
                    group(c.n),
                    s(sync),
                    s(best)
                ),
            )
        }
        "fetch-threads" => {
            let n = 1000.min(top);
            let threads = need(
                at.cell(model.name, n).and_then(wall),
                "threads at N = 1,000",
            )?;
            let best = at
                .runtimes()
                .iter()
                .filter_map(|m| at.cell(m, n).and_then(wall))
                .fold(f64::INFINITY, f64::min);
            holds!(
                threads <= best * 1.3,
                "threads took {} at N = {n}, async {}",
                s(threads),
                s(best)
            );
            let per = at.top(model.name, per_request)?;
            let most = at
                .runtimes()
                .iter()
                .map(|m| at.top(m, per_request))
                .collect::<Result<Vec<_>, _>>()?
                .into_iter()
                .fold(0.0, f64::max);
            holds!(
                per >= 2.0 * most,
                "a thread's request holds {}, a runtime's up to {}",
                kib(per),
                kib(most)
            );
            (
                format!(
                    "Blocking code, up to about {} at once: {}, async {}.",
                    group(n),
                    s(threads),
                    s(best)
                ),
                format!(
                    "Tens of thousands: {} a request, {} a runtime's.",
                    kib(per),
                    times(per / most)
                ),
            )
        }
        "fetch-rayon" => {
            let c = at.largest(model.name)?;
            let pool = need(
                run.parts.clients().map(|p| p.rayon_pool),
                "rayon's pool size",
            )?;
            let delay = need(
                run.parts.sweeps.as_ref().map(|p| p.sweep_delay_s),
                "the delay",
            )?;
            let rounds = c.n.div_ceil(pool as u64);
            let took = need(c.wall, "rayon's wall time")?;
            holds!(
                rounds > 1 && took >= 0.9 * rounds as f64 * delay,
                "rayon ran N = {} in {}, under {rounds} rounds of {}",
                c.n,
                s(took),
                s(delay)
            );
            (
                "CPU-bound work: what it is made for.".into(),
                format!(
                    "Waiting: {pool} threads took {} for N = {}, in {rounds} rounds.",
                    s(took),
                    group(c.n)
                ),
            )
        }
        "fetch-async-std" => {
            let own = at.top(model.name, wall)?;
            let smol = at.top("fetch-smol", wall)?;
            holds!(
                own <= smol * 1.25,
                "async-std took {} at {at_top}, smol {}",
                s(own),
                s(smol)
            );
            (
                format!(
                    "Code already on it: {} at {at_top}, smol {}.",
                    s(own),
                    s(smol)
                ),
                "New code: it is discontinued.".into(),
            )
        }
        "fetch-smol" => {
            let own = at.top(model.name, per_request)?;
            let tokio = at.top("fetch-tokio", per_request)?;
            holds!(
                own <= tokio,
                "smol holds {} a request, tokio {}",
                kib(own),
                kib(tokio)
            );
            (
                format!(
                    "A small runtime to read whole: {} a request, tokio {}.",
                    kib(own),
                    kib(tokio)
                ),
                "Your crates are built on tokio.".into(),
            )
        }
        "fetch-tokio" => {
            let c = need(at.servers, "the servers")?;
            let rps = |name: &str| {
                run.servers
                    .point(name, c)
                    .filter(|p| p.lived())
                    .map(|p| p.rps)
            };
            let own = need(rps("serve-tokio"), "serve-tokio")?;
            let best = catalogue::SERVERS
                .iter()
                .filter(|s| s.runtime.standing() == Standing::Maintained)
                .filter_map(|s| rps(s.name))
                .fold(0.0, f64::max);
            let threads = need(rps("serve-threads"), "serve-threads")?;
            holds!(
                own >= 1.2 * threads,
                "serve-tokio answered {} a second, a thread per connection {}",
                group(own as u64),
                group(threads as u64)
            );
            (
                format!(
                    "Services at scale: its server answers {} a thread per connection's, {} of \
                     the fastest library's.",
                    times(own / threads),
                    percent(own / best)
                ),
                "CPU-bound work, or a few requests: a blocking client does.".into(),
            )
        }
        "fetch-reactor" => {
            let own = at.top(model.name, per_request)?;
            let others = MODELS
                .iter()
                .filter(|m| m.name != model.name && m.family.all_at_once())
                .filter_map(|m| at.top(m.name, per_request).ok())
                .fold(f64::INFINITY, f64::min);
            holds!(
                own <= others,
                "the reactor holds {} a request, another model {}",
                kib(own),
                kib(others)
            );
            (
                format!(
                    "Seeing what a runtime does underneath: {} a request, the least.",
                    kib(own)
                ),
                "Deploying: it is code to read, HTTP/1.1 only.".into(),
            )
        }
        "fetch-green" => {
            let own = at.top(model.name, per_request)?;
            let threads = at.top("fetch-threads", per_request)?;
            holds!(
                own * 2.0 <= threads,
                "a green thread's request holds {}, a thread's {}",
                kib(own),
                kib(threads)
            );
            (
                format!(
                    "Seeing how gevent works: {} a request, a thread {}.",
                    kib(own),
                    kib(threads)
                ),
                "Deploying: it is code to read.".into(),
            )
        }
        "fetch-compio" => {
            let own = at.top(model.name, per_request)?;
            let least = at
                .runtimes()
                .iter()
                .map(|m| at.top(m, per_request))
                .collect::<Result<Vec<_>, _>>()?
                .into_iter()
                .fold(f64::INFINITY, f64::min);
            holds!(
                own < least,
                "compio holds {} a request, a runtime {}",
                kib(own),
                kib(least)
            );
            let c = need(at.cell(model.name, top), "compio at the top")?;
            let (low, high) = (
                c.wall_min.unwrap_or(f64::NAN),
                c.wall_max.unwrap_or(f64::NAN),
            );
            (
                format!(
                    "io_uring allowed, memory counts: {} a request, the runtimes {} or more.",
                    kib(own),
                    kib(least)
                ),
                if high >= 1.5 * low {
                    format!(
                        "io_uring off (many containers), or steady times: {} over its runs.",
                        findings::claim::span(low, high, s)
                    )
                } else {
                    "io_uring off (many containers).".into()
                },
            )
        }
        other => {
            return Err(Unsupported::Missing(format!("advice for {other}")));
        }
    })
}

#[cfg(test)]
mod tests;
