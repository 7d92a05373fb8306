//! The clients' files (`clients/`) and the waiting programs' (`waits/`).

use serde::{Deserialize, Serialize};

/// How a client's run (or a cell of runs) ended; the same word in `runs.csv` and
/// `summary.csv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Every endpoint succeeded and every answer was right.
    #[default]
    Ok,
    /// The model reported, but some endpoints failed or an answer was wrong.
    Failed,
    /// The model did not report (crashed, killed past its deadline).
    Broken,
    /// Not run: its predicted time exceeds the budget.
    Skipped,
}

impl Status {
    /// The model reported: every endpoint right, or some failed.
    pub fn reported(self) -> bool {
        matches!(self, Status::Ok | Status::Failed)
    }
}

/// One run of one model on one workload: a line of `clients/runs.csv`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ClientRun {
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
    /// The kernel's TCP socket buffers at their peak during the run, over their level before
    /// it, machine-wide (the origin's ends too): what no process's RSS shows.
    pub socket_mem_bytes: Option<u64>,
    /// Connections that found the origin's accept queue full during the run, machine-wide.
    pub listen_overflows: Option<u64>,
}

/// A model (or a setting of it) on a workload, over the run's repeats: a line of
/// `clients/summary.csv`, each figure the median of the runs that reported.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CellSummary {
    pub workload: String,
    pub n: u64,
    pub model: String,
    /// A setting of the model's own (`FETCH_SMOL_READ_BUFFER=2048`); empty for none.
    pub variant: String,
    pub status: Status,
    pub runs: u64,
    #[serde(rename = "wall_median_s")]
    pub wall: Option<f64>,
    #[serde(rename = "wall_min_s")]
    pub wall_min: Option<f64>,
    #[serde(rename = "wall_max_s")]
    pub wall_max: Option<f64>,
    #[serde(rename = "cpu_median_s")]
    pub cpu: Option<f64>,
    #[serde(rename = "cpu_min_s")]
    pub cpu_min: Option<f64>,
    #[serde(rename = "cpu_max_s")]
    pub cpu_max: Option<f64>,
    #[serde(rename = "peak_rss_median_bytes", serialize_with = "crate::whole")]
    pub rss: Option<f64>,
    /// The peak RSS over the same model's for one endpoint, per request in flight.
    #[serde(
        rename = "peak_rss_per_in_flight_bytes",
        serialize_with = "crate::whole"
    )]
    pub per_in_flight: Option<f64>,
    #[serde(rename = "peak_in_flight", serialize_with = "crate::whole")]
    pub in_flight: Option<f64>,
    pub ok: Option<u64>,
    pub failed: Option<u64>,
    pub jobs_total: Option<u64>,
    /// Every run that reported had every answer right.
    pub correct: Option<bool>,
    /// The medians over the runs of each run's shortest, median and longest request.
    #[serde(rename = "request_min_s")]
    pub request_min: Option<f64>,
    #[serde(rename = "request_median_s")]
    pub request_median: Option<f64>,
    #[serde(rename = "request_max_s")]
    pub request_max: Option<f64>,
    pub note: String,
    /// The kernel's socket buffers at their peak, over their level before the run.
    #[serde(rename = "socket_mem_median_bytes", serialize_with = "crate::whole")]
    pub sockets: Option<f64>,
    /// Connections that found the origin's accept queue full, machine-wide (the median run).
    #[serde(rename = "listen_overflows_median", serialize_with = "crate::whole")]
    pub listen_overflows: Option<f64>,
}

impl CellSummary {
    /// Whether the model reported: every run did, or some endpoints failed.
    pub fn measured(&self) -> bool {
        self.status.reported()
    }

    /// Ranked (drawn in a chart, compared in a claim) only when every run reported and every
    /// answer was right.
    pub fn trusted(&self) -> bool {
        self.status == Status::Ok && self.correct == Some(true)
    }
}

/// One request of a run of the timeline workloads: a line of `clients/requests.csv`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Request {
    pub workload: String,
    pub model: String,
    /// The run's `--concurrency` bound, where it had one.
    pub concurrency: Option<u64>,
    /// The wall time of the run the request was part of.
    pub wall_s: Option<f64>,
    /// Its place in the order the model printed its rows.
    pub request: u64,
    /// The path of its URL (`/google.com`); empty where the program did not say.
    pub endpoint: String,
    pub start_s: f64,
    pub seconds: f64,
    pub ok: bool,
}

/// How a waiting program's run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WaitStatus {
    /// Every waiter waited.
    #[default]
    Ok,
    /// A limit of the machine stopped some; the row names it.
    Limited,
    /// The program did not report.
    Broken,
}

/// One run of a waiting program: a line of `waits/runs.csv`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WaitRun {
    pub program: String,
    /// Its setting (`--stack-kib 16`), or empty.
    pub setting: String,
    pub n: u64,
    pub status: WaitStatus,
    pub waited: Option<u64>,
    pub wait_s: Option<f64>,
    pub stack_bytes: Option<u64>,
    pub spawn_s: Option<f64>,
    pub wall_s: Option<f64>,
    pub user_s: Option<f64>,
    pub sys_s: Option<f64>,
    #[serde(rename = "baseline_rss_bytes", serialize_with = "crate::whole")]
    pub baseline_rss: Option<f64>,
    #[serde(rename = "peak_rss_bytes", serialize_with = "crate::whole")]
    pub peak_rss: Option<f64>,
    #[serde(rename = "per_waiter_bytes")]
    pub per_waiter: Option<f64>,
    /// The limit it met, by name; empty for none.
    pub limit: String,
    pub note: String,
}

impl WaitRun {
    /// The row's name: the program, with its setting.
    pub fn label(&self) -> String {
        if self.setting.is_empty() {
            self.program.clone()
        } else {
            format!("{} {}", self.program, self.setting)
        }
    }

    /// Every waiter waited.
    pub fn complete(&self) -> bool {
        self.status == WaitStatus::Ok && self.waited == Some(self.n)
    }

    /// Its CPU, user and system.
    pub fn cpu_s(&self) -> Option<f64> {
        self.user_s.zip(self.sys_s).map(|(u, s)| u + s)
    }
}
