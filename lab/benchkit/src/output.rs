//! What the client parts leave behind, for the documents to be made from: every run
//! (`clients/runs.csv`, a line written as each run ends, so that an interrupted run keeps what
//! it measured), each cell's median and spread (`clients/summary.csv`), and when each request of
//! the talks' workloads ran (`clients/requests.csv`, the timelines).

use std::fmt::Write as _;
use std::fs::File;
use std::io::Write as _;
use std::path::Path;

use serde_json::Value;

use crate::cells::Workload;
use crate::summary::{CellSummary, Record};

const RUNS_HEADER: &str = "workload,n,model,variant,repeat,status,predicted_s,wall_s,sum_s,user_s,sys_s,peak_rss_bytes,peak_in_flight,ok,failed,jobs_total,correct,request_min_s,request_median_s,request_max_s,note,socket_mem_bytes,listen_overflows";

/// The client files every client part adds to, kept open over the parts.
#[derive(Debug)]
pub struct Files {
    pub runs: RunsCsv,
    pub requests: RequestsCsv,
    pub records: Vec<Record>,
}

/// `runs.csv`, a line per run as it ends.
#[derive(Debug)]
pub struct RunsCsv(File);

impl RunsCsv {
    pub fn create(path: &Path) -> std::io::Result<RunsCsv> {
        let mut file = File::create(path)?;
        writeln!(file, "{RUNS_HEADER}")?;
        Ok(RunsCsv(file))
    }

    pub fn write(&mut self, r: &Record) -> std::io::Result<()> {
        let line = format!(
            "{},{},{},{},{},{},{:.3},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
            r.workload,
            r.n,
            r.model,
            quote(&r.variant),
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
            opt(r.request_min_s),
            opt(r.request_median_s),
            opt(r.request_max_s),
            quote(&r.note),
            opt(r.socket_mem_bytes),
            opt(r.listen_overflows)
        );
        writeln!(self.0, "{line}")?;
        self.0.flush()
    }
}

/// Writes each cell's medians and spreads, one line a cell.
pub fn write_summary_csv(path: &Path, cells: &[CellSummary]) -> std::io::Result<()> {
    let mut csv = String::from(
        "workload,n,model,variant,status,runs,wall_median_s,wall_min_s,wall_max_s,cpu_median_s,cpu_min_s,cpu_max_s,peak_rss_median_bytes,peak_rss_per_in_flight_bytes,peak_in_flight,ok,failed,jobs_total,correct,request_min_s,request_median_s,request_max_s,note,socket_mem_median_bytes,listen_overflows_median\n",
    );
    for c in cells {
        let per = per_in_flight(c, cells);
        let _ = writeln!(
            csv,
            "{},{},{},{},{:?},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
            c.workload.slug(),
            c.workload.n(),
            c.model,
            quote(&c.variant),
            c.status,
            c.runs,
            opt(c.wall.map(|s| s.median)),
            opt(c.wall.map(|s| s.min)),
            opt(c.wall.map(|s| s.max)),
            opt(c.cpu.map(|s| s.median)),
            opt(c.cpu.map(|s| s.min)),
            opt(c.cpu.map(|s| s.max)),
            opt(c.rss.map(|s| s.median as u64)),
            opt(per.map(|b| b.round() as i64)),
            opt(c.in_flight.map(|s| s.median as u64)),
            opt(c.ok),
            opt(c.failed),
            opt(c.jobs_total),
            opt(c.correct),
            opt(c.request_min.map(|s| s.median)),
            opt(c.request_median.map(|s| s.median)),
            opt(c.request_max.map(|s| s.median)),
            quote(&c.note),
            opt(c.sockets.map(|s| s.median as u64)),
            opt(c.listen_overflows.map(|s| s.median as u64))
        );
    }
    std::fs::write(path, csv)
}

/// `requests.csv`: when each request of a run started and how long it took, for the timelines.
/// A line per request, under [`REQUESTS_HEADER`].
#[derive(Debug)]
pub struct RequestsCsv(File);

/// The columns of `requests.csv`: the run's wall time on each of its requests' lines.
pub const REQUESTS_HEADER: &str = "workload,model,concurrency,wall_s,request,start_s,seconds,ok";

impl RequestsCsv {
    pub fn create(path: &Path) -> std::io::Result<RequestsCsv> {
        let mut file = File::create(path)?;
        writeln!(file, "{REQUESTS_HEADER}")?;
        Ok(RequestsCsv(file))
    }

    /// Every request of one run's JSON report: its `requests`, in the order it printed them.
    pub fn write(&mut self, workload: &str, model: &str, json: &Value) -> std::io::Result<()> {
        let concurrency = json["concurrency"]
            .as_u64()
            .map_or(String::new(), |c| c.to_string());
        let wall = json["wall_s"].as_f64().unwrap_or(f64::NAN);
        let mut lines = String::new();
        for (i, r) in json["requests"]
            .as_array()
            .into_iter()
            .flatten()
            .enumerate()
        {
            let _ = writeln!(
                lines,
                "{workload},{model},{concurrency},{wall:.6},{i},{:.6},{:.6},{}",
                r["start_s"].as_f64().unwrap_or(f64::NAN),
                r["seconds"].as_f64().unwrap_or(f64::NAN),
                r["error"].is_null()
            );
        }
        self.0.write_all(lines.as_bytes())?;
        self.0.flush()
    }
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
        .find(|c| c.model == cell.model && c.variant.is_empty() && c.workload == baseline)?
        .rss?
        .median;
    let in_flight = cell.in_flight?.median;
    let rss = cell.rss?.median;
    (in_flight > 0.0).then(|| (rss - base) / in_flight)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_request_line_has_a_value_under_every_column() {
        let dir = std::env::temp_dir().join(format!("requests-csv-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("requests.csv");
        let mut csv = RequestsCsv::create(&path).unwrap();
        let json = serde_json::json!({
            "wall_s": 1.5,
            "requests": [
                {"start_s": 0.25, "seconds": 1.0, "error": null},
                {"start_s": 0.5, "seconds": 0.75, "error": "refused"},
            ],
        });
        csv.write("sites", "fetch-smol", &json).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        let lines: Vec<Vec<&str>> = text.lines().map(|l| l.split(',').collect()).collect();
        let header = &lines[0];
        let column = |line: &[&str], name: &str| {
            line[header.iter().position(|h| *h == name).unwrap()].to_string()
        };
        assert!(lines.iter().all(|l| l.len() == header.len()), "{text}");
        assert_eq!(column(&lines[1], "wall_s"), "1.500000");
        assert_eq!(column(&lines[2], "request"), "1");
        assert_eq!(column(&lines[2], "start_s"), "0.500000");
        assert_eq!(column(&lines[2], "seconds"), "0.750000");
        assert_eq!(column(&lines[1], "ok"), "true");
        assert_eq!(column(&lines[2], "ok"), "false");
    }
}
