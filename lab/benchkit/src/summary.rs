//! From runs to figures: each run as `runs.csv` keeps it, and each cell's median with its
//! spread as `summary.csv` keeps it.

use std::collections::BTreeMap;

use runfiles::{CellSummary, ClientRun, Status};
use serde_json::Value;

use crate::cells::Cell;

/// A run not made: its predicted time is over the budget.
pub fn skipped(cell: &Cell, repeat: u32, budget: f64) -> ClientRun {
    ClientRun {
        note: format!(
            "skipped: predicted {:.1} s, over the {budget:.1} s budget",
            cell.predicted.as_secs_f64()
        ),
        ..empty(cell, repeat, Status::Skipped)
    }
}

/// A run whose program did not report, with why.
pub fn broken(cell: &Cell, repeat: u32, why: String) -> ClientRun {
    ClientRun {
        note: why,
        ..empty(cell, repeat, Status::Broken)
    }
}

/// A run that printed its JSON report.
pub fn from_report(cell: &Cell, repeat: u32, json: &Value) -> ClientRun {
    let f = |key: &str| json[key].as_f64();
    let u = |key: &str| json[key].as_u64();
    let failed = u("failed").unwrap_or(0);
    let correct = json["correct"].as_bool();
    let times = Spread::of(
        json["requests"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|r| r["error"].is_null())
            .filter_map(|r| r["seconds"].as_f64()),
    );
    let status = if failed == 0 && correct != Some(false) {
        Status::Ok
    } else {
        Status::Failed
    };
    ClientRun {
        wall_s: f("wall_s"),
        sum_s: f("sum_s"),
        user_s: f("user_s"),
        sys_s: f("sys_s"),
        peak_rss_bytes: u("peak_rss_bytes"),
        peak_in_flight: u("peak_in_flight"),
        ok: u("ok"),
        failed: Some(failed),
        jobs_total: u("jobs_total"),
        correct,
        request_min_s: times.map(|t| t.min),
        request_median_s: times.map(|t| t.median),
        request_max_s: times.map(|t| t.max),
        note: error_summary(json),
        ..empty(cell, repeat, status)
    }
}

fn empty(cell: &Cell, repeat: u32, status: Status) -> ClientRun {
    ClientRun {
        workload: cell.workload.slug(),
        n: cell.workload.n(),
        model: cell.model.name.to_string(),
        variant: cell.model.variant.map(|v| v.label()).unwrap_or_default(),
        repeat,
        status,
        predicted_s: cell.predicted.as_secs_f64(),
        ..ClientRun::default()
    }
}

fn cpu_s(r: &ClientRun) -> Option<f64> {
    Some(r.user_s? + r.sys_s?)
}

/// "9990 too-many-open-files, 10 timeout": the failed rows counted by kind.
fn error_summary(json: &Value) -> String {
    let mut kinds: BTreeMap<String, u64> = BTreeMap::new();
    for row in json["requests"].as_array().into_iter().flatten() {
        if let Some(kind) = row["error_kind"].as_str() {
            *kinds.entry(kind.to_string()).or_default() += 1;
        }
    }
    kinds
        .iter()
        .map(|(kind, count)| format!("{count} {kind}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The median of some runs' values, with the least and the greatest.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spread {
    pub median: f64,
    pub min: f64,
    pub max: f64,
}

impl Spread {
    pub fn of(values: impl IntoIterator<Item = f64>) -> Option<Spread> {
        let mut values: Vec<f64> = values.into_iter().filter(|v| v.is_finite()).collect();
        if values.is_empty() {
            return None;
        }
        values.sort_by(f64::total_cmp);
        let mid = values.len() / 2;
        let median = if values.len() % 2 == 1 {
            values[mid]
        } else {
            (values[mid - 1] + values[mid]) / 2.0
        };
        Some(Spread {
            median,
            min: values[0],
            max: values[values.len() - 1],
        })
    }
}

/// All runs of one model on one workload, summed up: each figure the median of the runs that
/// reported, with its spread where the file keeps one. The peak RSS per request in flight is
/// left to [`crate::output::write_summary`], which sees the other cells.
pub fn summarize(runs: &[&ClientRun]) -> CellSummary {
    let reported: Vec<&&ClientRun> = runs.iter().filter(|r| r.status.reported()).collect();
    let status = if reported.is_empty() {
        runs.first().map_or(Status::Skipped, |r| r.status)
    } else if reported.iter().all(|r| r.status == Status::Ok) {
        Status::Ok
    } else {
        Status::Failed
    };
    let spread =
        |f: &dyn Fn(&ClientRun) -> Option<f64>| Spread::of(reported.iter().filter_map(|r| f(r)));
    let median = |f: &dyn Fn(&ClientRun) -> Option<f64>| spread(f).map(|s| s.median);
    let last = reported.last();
    let first = runs.first();
    let wall = spread(&|r| r.wall_s);
    let cpu = spread(&cpu_s);
    CellSummary {
        workload: first.map(|r| r.workload.clone()).unwrap_or_default(),
        n: first.map_or(0, |r| r.n),
        model: first.map(|r| r.model.clone()).unwrap_or_default(),
        variant: first.map(|r| r.variant.clone()).unwrap_or_default(),
        status,
        runs: runs.len() as u64,
        wall: wall.map(|s| s.median),
        wall_min: wall.map(|s| s.min),
        wall_max: wall.map(|s| s.max),
        cpu: cpu.map(|s| s.median),
        cpu_min: cpu.map(|s| s.min),
        cpu_max: cpu.map(|s| s.max),
        // Bytes and counts are whole: the median of an even count rounds down, as before.
        rss: median(&|r| r.peak_rss_bytes.map(|b| b as f64)).map(f64::floor),
        per_in_flight: None,
        in_flight: median(&|r| r.peak_in_flight.map(|n| n as f64)).map(f64::floor),
        ok: last.and_then(|r| r.ok),
        failed: last.and_then(|r| r.failed),
        jobs_total: last.and_then(|r| r.jobs_total),
        correct: if reported.is_empty() {
            None
        } else {
            Some(reported.iter().all(|r| r.correct != Some(false)))
        },
        request_min: median(&|r| r.request_min_s),
        request_median: median(&|r| r.request_median_s),
        request_max: median(&|r| r.request_max_s),
        note: runs
            .iter()
            .map(|r| r.note.as_str())
            .find(|n| !n.is_empty())
            .unwrap_or("")
            .to_string(),
        sockets: median(&|r| r.socket_mem_bytes.map(|b| b as f64)).map(f64::floor),
        listen_overflows: median(&|r| r.listen_overflows.map(|n| n as f64)).map(f64::floor),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_median_of_an_odd_and_an_even_count() {
        let s = Spread::of([3.0, 1.0, 2.0]).unwrap();
        assert_eq!((s.median, s.min, s.max), (2.0, 1.0, 3.0));
        let s = Spread::of([4.0, 1.0, 2.0, 3.0]).unwrap();
        assert_eq!(s.median, 2.5);
        assert!(Spread::of([]).is_none());
    }

    #[test]
    fn failed_rows_are_counted_by_kind() {
        let json = serde_json::json!({"requests": [
            {"error_kind": "timeout"}, {"error_kind": null}, {"error_kind": "timeout"},
            {"error_kind": "refused"}
        ]});
        assert_eq!(error_summary(&json), "1 refused, 2 timeout");
    }
}
