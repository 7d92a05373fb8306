//! What a comparison leaves behind, for the documents to be made from: every run (`runs.csv`),
//! each cell's median and spread (`summary.csv`) and how the comparison was run
//! (`settings.json`, beside `machine.json`). `docgen report DIR` turns them into `report.md` and
//! the charts.

use std::fmt::Write as _;
use std::path::Path;

use serde::Serialize;

use crate::cells::Workload;
use crate::summary::{CellSummary, Record};

/// How the comparison was run, for the report's header.
#[derive(Debug, Clone, Serialize)]
pub struct Settings {
    pub repeat: u32,
    pub budget_s: f64,
    pub time_scale: f64,
    pub quick: bool,
    /// How long each endpoint of the sweeps waits before it answers, time scale included.
    pub sweep_delay_s: f64,
    pub origin: String,
    pub command: String,
    /// How long the measurements took, waits for free ports included.
    pub took_s: f64,
    /// `curl --version`'s first line, when the reference row ran.
    pub curl: Option<String>,
    /// `python --version` of the Python rows' interpreter, when they ran.
    pub python: Option<String>,
}

/// Writes every run, one line each.
pub fn write_runs_csv(path: &Path, records: &[Record]) -> std::io::Result<()> {
    let mut csv = String::from(
        "workload,n,model,repeat,status,predicted_s,wall_s,sum_s,user_s,sys_s,peak_rss_bytes,peak_in_flight,ok,failed,jobs_total,correct,note,socket_mem_bytes\n",
    );
    for r in records {
        let _ = writeln!(
            csv,
            "{},{},{},{},{},{:.3},{},{},{},{},{},{},{},{},{},{},{},{}",
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
            quote(&r.note),
            opt(r.socket_mem_bytes)
        );
    }
    std::fs::write(path, csv)
}

/// Writes each cell's medians and spreads, one line a cell.
pub fn write_summary_csv(path: &Path, cells: &[CellSummary]) -> std::io::Result<()> {
    let mut csv = String::from(
        "workload,n,model,status,runs,wall_median_s,wall_min_s,wall_max_s,cpu_median_s,peak_rss_median_bytes,peak_rss_per_in_flight_bytes,peak_in_flight,ok,failed,jobs_total,correct,note,socket_mem_median_bytes\n",
    );
    for c in cells {
        let per = per_in_flight(c, cells);
        let _ = writeln!(
            csv,
            "{},{},{},{:?},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
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
            quote(&c.note),
            opt(c.sockets.map(|s| s.median as u64))
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
