//! What the pages say about the clients' figures (README.md, RESULTS.md, WAITS.md, MODELS.md),
//! each claim a function of the run ([`claim`]): it computes its figures, writes its sentences
//! around them, and fails, saying why, when the run does not bear its words out. The
//! hand-written prose around them explains; only these compare. SERVERS.md's claims stand on
//! the same machinery in `findings-servers`.

use catalogue::{CURL, Family};
use figures::format::{group, kib, mib};
use figures::talk;

pub use crate::claim::{Claim, Kind, Outcome, Section, Unsupported};
use crate::claim::{
    extremes, least, list, most, name, need, percent, possessive, s, span, span_of, times,
};
use rundata::{Results, family};
use runfiles::CellSummary;
use tables::clients::{self, ceiling};

pub mod claim;
mod javascript;
mod memory;
mod python;
mod summary;
mod sweeps;
mod talks;
mod waits;

pub use javascript::javascript;
pub use memory::{costs, heap};
pub use python::python;
pub use summary::{reading, targets, took};
pub use sweeps::{at_ceiling, burst, memory_per_request, pages, read_buffer, sweep};
pub use talks::{jobs, many_jobs, sites};
pub use waits::{waits_cost, waits_green, waits_published, waits_reach};

/// The figure `pick` of a cell whose every run was right, or why there is none.
fn trusted(
    run: &Results,
    workload: &str,
    model: &str,
    pick: fn(&CellSummary) -> Option<f64>,
) -> Result<f64, Unsupported> {
    need(
        run.clients.trusted(workload, model, pick),
        format!("{} on {workload}, every run right", name(model)),
    )
}

/// The figures a claim picks from a cell.
mod pick {
    use runfiles::CellSummary;

    pub fn wall(c: &CellSummary) -> Option<f64> {
        c.wall
    }
    pub fn cpu(c: &CellSummary) -> Option<f64> {
        c.cpu
    }
    pub fn rss(c: &CellSummary) -> Option<f64> {
        c.rss
    }
    pub fn per_request(c: &CellSummary) -> Option<f64> {
        c.per_in_flight
    }
    pub fn in_flight(c: &CellSummary) -> Option<f64> {
        c.in_flight
    }
}
use pick::{cpu, in_flight, rss, wall};

/// `pick` of every model of `models` on `workload`, each trusted; fails on the first missing.
fn each(
    run: &Results,
    workload: &str,
    models: &[&str],
    pick: fn(&CellSummary) -> Option<f64>,
) -> Result<Vec<(String, f64)>, Unsupported> {
    models
        .iter()
        .map(|m| Ok((m.to_string(), trusted(run, workload, m, pick)?)))
        .collect()
}

fn values(pairs: &[(String, f64)]) -> Vec<f64> {
    pairs.iter().map(|(_, v)| *v).collect()
}

fn ms(seconds: f64) -> String {
    format!("{:.0} ms", seconds * 1000.0)
}

fn mib_of(bytes: f64) -> String {
    mib(bytes)
}

fn kib_of(bytes: f64) -> String {
    kib(bytes)
}

/// The six sites' latencies added up, and the slowest with its name.
fn site_latencies(run: &Results) -> (f64, f64, &'static str) {
    let scale = run.time_scale();
    let sites = origin::sites();
    let sum: f64 = sites.iter().map(|s| s.latency.as_secs_f64() * scale).sum();
    let slowest = sites
        .iter()
        .max_by(|a, b| a.latency.cmp(&b.latency))
        .expect("six sites");
    (sum, slowest.latency.as_secs_f64() * scale, slowest.name)
}

/// The jobs API's latencies over the talk's zips added up, and the slowest.
fn zip_latencies(run: &Results) -> (f64, f64) {
    let scale = run.time_scale();
    let latencies: Vec<f64> = origin::zips()
        .iter()
        .map(|z| origin::jobs(z).latency.as_secs_f64() * scale)
        .collect();
    (
        latencies.iter().sum(),
        latencies.iter().copied().fold(0.0, f64::max),
    )
}

/// The Rust models on an event loop (a runtime's or their own).
fn event_loops(run: &Results) -> Vec<&'static str> {
    run.clients
        .rust()
        .into_iter()
        .filter(|m| family(m).is_some_and(Family::is_event_loop))
        .collect()
}

/// The models of a family among the run's Rust models.
fn of_family(run: &Results, family_: Family) -> Vec<&'static str> {
    run.clients
        .rust()
        .into_iter()
        .filter(|m| family(m) == Some(family_))
        .collect()
}

/// The delay of the sweeps, and the largest N below the ceiling.
fn sweep_top(run: &Results, stem: &str) -> Result<(f64, u64), Unsupported> {
    let delay = need(
        run.parts.sweeps.as_ref().map(|p| p.sweep_delay_s),
        "the sweeps' delay",
    )?;
    let n = need(
        run.clients.sweep(stem, ceiling(run)).last().copied(),
        "the sweep",
    )?;
    Ok((delay, n))
}
