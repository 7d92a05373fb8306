//! From runs to figures: each run's record, and each cell's median with its spread.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use crate::cells::{Cell, Workload};

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Every endpoint succeeded and every answer was right.
    Ok,
    /// The model reported, but some endpoints failed or an answer was wrong.
    Failed,
    /// The model did not report (crashed, killed past its deadline).
    Broken,
    /// Not run: its predicted time exceeds the budget.
    Skipped,
}

/// One run of one model on one workload.
#[derive(Debug, Clone, Serialize)]
pub struct Record {
    pub workload: String,
    pub n: u64,
    pub model: String,
    /// The model's setting of its own, `VAR=value`; empty for none.
    pub variant: String,
    pub repeat: u32,
    pub status: Status,
    pub predicted_s: f64,
    pub wall_s: Option<f64>,
    pub sum_s: Option<f64>,
    pub user_s: Option<f64>,
    pub sys_s: Option<f64>,
    pub peak_rss_bytes: Option<u64>,
    pub peak_in_flight: Option<u64>,
    /// The kernel's TCP socket buffers at their peak during the run, over their level before
    /// it, machine-wide (the origin's ends too): what no process's RSS shows.
    pub socket_mem_bytes: Option<u64>,
    /// Connections that found the origin's accept queue full during the run, machine-wide.
    pub listen_overflows: Option<u64>,
    pub ok: Option<u64>,
    pub failed: Option<u64>,
    pub jobs_total: Option<u64>,
    pub correct: Option<bool>,
    /// The request times of the run's successful requests: the shortest, the median, the
    /// longest.
    pub request_min_s: Option<f64>,
    pub request_median_s: Option<f64>,
    pub request_max_s: Option<f64>,
    /// Why it failed: the errors by kind, or why it did not run.
    pub note: String,
}

impl Record {
    pub fn skipped(cell: &Cell, repeat: u32, budget: f64) -> Record {
        let mut record = Record::empty(cell, repeat, Status::Skipped);
        record.note = format!(
            "skipped: predicted {:.1} s, over the {budget:.1} s budget",
            cell.predicted.as_secs_f64()
        );
        record
    }

    pub fn broken(cell: &Cell, repeat: u32, why: String) -> Record {
        let mut record = Record::empty(cell, repeat, Status::Broken);
        record.note = why;
        record
    }

    /// A run that printed its JSON report.
    pub fn from_report(cell: &Cell, repeat: u32, json: &Value) -> Record {
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
        Record {
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
            ..Record::empty(cell, repeat, status)
        }
    }

    fn empty(cell: &Cell, repeat: u32, status: Status) -> Record {
        Record {
            workload: cell.workload.slug(),
            n: cell.workload.n(),
            model: cell.model.name.to_string(),
            variant: cell.model.variant.map(|v| v.label()).unwrap_or_default(),
            repeat,
            status,
            predicted_s: cell.predicted.as_secs_f64(),
            wall_s: None,
            sum_s: None,
            user_s: None,
            sys_s: None,
            peak_rss_bytes: None,
            peak_in_flight: None,
            socket_mem_bytes: None,
            listen_overflows: None,
            ok: None,
            failed: None,
            jobs_total: None,
            correct: None,
            request_min_s: None,
            request_median_s: None,
            request_max_s: None,
            note: String::new(),
        }
    }

    pub fn cpu_s(&self) -> Option<f64> {
        Some(self.user_s? + self.sys_s?)
    }
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
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
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

/// All runs of one model on one workload, summed up.
#[derive(Debug, Clone)]
pub struct CellSummary {
    pub workload: Workload,
    pub model: String,
    pub variant: String,
    pub runs: usize,
    pub status: Status,
    pub wall: Option<Spread>,
    pub cpu: Option<Spread>,
    pub rss: Option<Spread>,
    pub in_flight: Option<Spread>,
    pub sockets: Option<Spread>,
    pub listen_overflows: Option<Spread>,
    /// The medians over the runs of each run's shortest, median and longest request.
    pub request_min: Option<Spread>,
    pub request_median: Option<Spread>,
    pub request_max: Option<Spread>,
    pub ok: Option<u64>,
    pub failed: Option<u64>,
    pub jobs_total: Option<u64>,
    /// Every run that reported had every answer right.
    pub correct: Option<bool>,
    pub note: String,
}

impl CellSummary {
    pub fn new(workload: Workload, records: &[&Record]) -> CellSummary {
        let reported: Vec<&&Record> = records
            .iter()
            .filter(|r| matches!(r.status, Status::Ok | Status::Failed))
            .collect();
        let status = if reported.is_empty() {
            records.first().map_or(Status::Skipped, |r| r.status)
        } else if reported.iter().all(|r| r.status == Status::Ok) {
            Status::Ok
        } else {
            Status::Failed
        };
        let spread =
            |f: &dyn Fn(&Record) -> Option<f64>| Spread::of(reported.iter().filter_map(|r| f(r)));
        let last = reported.last();
        let note = records
            .iter()
            .map(|r| r.note.as_str())
            .find(|n| !n.is_empty())
            .unwrap_or("")
            .to_string();
        CellSummary {
            workload,
            model: records.first().map(|r| r.model.clone()).unwrap_or_default(),
            variant: records
                .first()
                .map(|r| r.variant.clone())
                .unwrap_or_default(),
            runs: records.len(),
            status,
            wall: spread(&|r| r.wall_s),
            cpu: spread(&Record::cpu_s),
            rss: spread(&|r| r.peak_rss_bytes.map(|b| b as f64)),
            in_flight: spread(&|r| r.peak_in_flight.map(|n| n as f64)),
            sockets: spread(&|r| r.socket_mem_bytes.map(|b| b as f64)),
            listen_overflows: spread(&|r| r.listen_overflows.map(|n| n as f64)),
            request_min: spread(&|r| r.request_min_s),
            request_median: spread(&|r| r.request_median_s),
            request_max: spread(&|r| r.request_max_s),
            ok: last.and_then(|r| r.ok),
            failed: last.and_then(|r| r.failed),
            jobs_total: last.and_then(|r| r.jobs_total),
            correct: if reported.is_empty() {
                None
            } else {
                Some(reported.iter().all(|r| r.correct != Some(false)))
            },
            note,
        }
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
