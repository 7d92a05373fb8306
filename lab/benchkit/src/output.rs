//! What the client parts leave behind, for the documents to be made from: every run
//! (`clients/runs.csv`, a line written as each run ends, so that an interrupted run keeps what
//! it measured), each cell's median and spread (`clients/summary.csv`), and when each request of
//! the talks' workloads ran (`clients/requests.csv`, the timelines).

use std::path::Path;

use runfiles::{CellSummary, ClientRun, Request, Writer};
use serde_json::Value;

use crate::cells::Workload;
use crate::summary::summarize;

/// The client files every client part adds to, kept open over the parts.
#[derive(Debug)]
pub struct Files {
    /// `runs.csv`, a line per run as it ends.
    pub runs: Writer<ClientRun>,
    /// `requests.csv`, the requests of the timeline workloads' first runs.
    pub requests: Writer<Request>,
    pub records: Vec<ClientRun>,
}

impl Files {
    pub fn create(run: &Path) -> runfiles::Result<Files> {
        Ok(Files {
            runs: Writer::create(run, runfiles::CLIENT_RUNS)?,
            requests: Writer::create(run, runfiles::REQUESTS)?,
            records: Vec::new(),
        })
    }
}

/// Every request of one run's JSON report: its `requests`, in the order it printed them.
pub fn requests(workload: &str, model: &str, json: &Value) -> Vec<Request> {
    json["requests"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
        .map(|(i, r)| Request {
            workload: workload.to_string(),
            model: model.to_string(),
            concurrency: json["concurrency"].as_u64(),
            wall_s: json["wall_s"].as_f64(),
            request: i as u64,
            endpoint: r["url"].as_str().map(path_of).unwrap_or_default(),
            start_s: r["start_s"].as_f64().unwrap_or(f64::NAN),
            seconds: r["seconds"].as_f64().unwrap_or(f64::NAN),
            ok: r["error"].is_null(),
        })
        .collect()
}

/// The path of a URL, its query left on: `/google.com` of `http://127.0.0.1:8080/google.com`.
fn path_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    rest.find('/')
        .map_or("/".into(), |at| rest[at..].to_string())
}

/// `summary.csv` from every run so far: a line per cell in the order of their first runs.
pub fn write_summary(run: &Path, records: &[ClientRun]) -> runfiles::Result<()> {
    let mut keys: Vec<(&str, &str, &str)> = Vec::new();
    for r in records {
        let key = (r.workload.as_str(), r.model.as_str(), r.variant.as_str());
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    let mut cells: Vec<(Workload, CellSummary)> = keys
        .iter()
        .filter_map(|&(workload, model, variant)| {
            let mine: Vec<&ClientRun> = records
                .iter()
                .filter(|r| r.workload == workload && r.model == model && r.variant == variant)
                .collect();
            Some((Workload::from_slug(workload)?, summarize(&mine)))
        })
        .collect();
    let per: Vec<Option<f64>> = cells.iter().map(|c| per_in_flight(c, &cells)).collect();
    for ((_, cell), per) in cells.iter_mut().zip(per) {
        cell.per_in_flight = per.map(f64::round);
    }
    let cells: Vec<CellSummary> = cells.into_iter().map(|(_, c)| c).collect();
    runfiles::write(run, runfiles::CLIENT_CELLS, &cells)
}

/// Peak RSS per request in flight: the cell's peak minus the same model's peak for a single
/// endpoint (N=1 of the same sweep, or of the 1 KiB sweep for the other workloads), divided by
/// the requests that were in flight at once.
fn per_in_flight(cell: &(Workload, CellSummary), all: &[(Workload, CellSummary)]) -> Option<f64> {
    let (workload, cell) = cell;
    let baseline = match workload.sweep() {
        Some((_, 1)) => return None,
        Some((sweep, _)) => sweep.at(1),
        None => Workload::Sweep(1),
    };
    let base = all
        .iter()
        .find(|(w, c)| c.model == cell.model && c.variant.is_empty() && *w == baseline)?
        .1
        .rss?;
    let in_flight = cell.in_flight?;
    let rss = cell.rss?;
    (in_flight > 0.0).then(|| (rss - base) / in_flight)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_request_of_a_report_is_a_row_with_its_run_wall_time() {
        let json = serde_json::json!({
            "wall_s": 1.5,
            "requests": [
                {"url": "http://127.0.0.1:8080/google.com", "start_s": 0.25, "seconds": 1.0, "error": null},
                {"url": "http://[::1]/bytes/1024?delay=1", "start_s": 0.5, "seconds": 0.75, "error": "refused"},
            ],
        });
        let rows = requests("sites", "fetch-smol", &json);
        assert_eq!(rows.len(), 2);
        assert_eq!((rows[0].wall_s, rows[0].ok), (Some(1.5), true));
        assert_eq!(
            (rows[1].request, rows[1].start_s, rows[1].seconds),
            (1, 0.5, 0.75)
        );
        assert!(!rows[1].ok);
        assert_eq!(rows[1].concurrency, None);
        assert_eq!(rows[0].endpoint, "/google.com");
        assert_eq!(rows[1].endpoint, "/bytes/1024?delay=1");
    }
}
