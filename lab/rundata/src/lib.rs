//! A run as `bench run` left it in its folder, read whole: the machine and the settings, and
//! each part's figures (a part that did not run reads as empty, and what is made from it says
//! "not measured"). Every page, chart and claim is made from this, and from nothing else.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use anyhow::Context;
use catalogue::{CURL, Family, MODELS};
use figures::format::median;
use figures::page::{self, Row};
use serde_json::Value;

/// The committed run that the documents are made from.
pub const RUN: &str = "docs/results";

/// A whole run; an empty one by default.
#[derive(Debug, Default)]
pub struct Run {
    /// `machine.json`: the machine, its limits and the code.
    pub machine: Value,
    /// `settings.json`: how the run was made, part by part.
    pub settings: Value,
    pub clients: Clients,
    pub servers: Servers,
    /// `servers/pinned.csv`: the Rust servers on one core, the load generator on the other.
    pub pinned: Servers,
    /// `servers/rates.csv`: every server at fixed offered rates.
    pub rates: Vec<Rate>,
    /// `hostile/hostile.csv` and `hostile/slab.csv`.
    pub hostile: Vec<Row>,
    pub slabs: Vec<Row>,
    /// `syscalls/syscalls.csv`.
    pub syscalls: Vec<Row>,
    /// `memory/heap.csv`.
    pub heap: Vec<Row>,
    /// `waits/runs.csv`: the waiting programs, a run per program, setting and N.
    pub waits: Vec<Wait>,
    /// What the talk's side programs printed (`clients/examples/NAME.txt`), and the models
    /// whose printed text the README shows (`clients/output/NAME.txt`).
    pub examples: BTreeMap<String, String>,
    pub printed: BTreeMap<String, String>,
}

impl Run {
    pub fn read(dir: &Path) -> anyhow::Result<Run> {
        let json = |name: &str| -> anyhow::Result<Value> {
            let path = dir.join(name);
            serde_json::from_str(&page::read(&path)?)
                .with_context(|| format!("{} is not JSON", path.display()))
        };
        let rows = |name: &str| -> Vec<Row> {
            std::fs::read_to_string(dir.join(name))
                .map(|text| page::rows(&text))
                .unwrap_or_default()
        };
        let texts = |sub: &str| -> BTreeMap<String, String> {
            let mut texts = BTreeMap::new();
            for entry in std::fs::read_dir(dir.join(sub))
                .into_iter()
                .flatten()
                .flatten()
            {
                let path = entry.path();
                if let (Some(name), Ok(text)) = (
                    path.file_stem().and_then(|s| s.to_str()),
                    std::fs::read_to_string(&path),
                ) {
                    texts.insert(name.to_string(), text);
                }
            }
            texts
        };
        Ok(Run {
            machine: json("machine.json")?,
            settings: json("settings.json")?,
            clients: Clients::new(rows("clients/summary.csv"), rows("clients/requests.csv")),
            servers: Servers::from_rows(&rows("servers/runs.csv")),
            pinned: Servers::from_rows(&rows("servers/pinned.csv")),
            rates: Rate::all(&rows("servers/rates.csv")),
            hostile: rows("hostile/hostile.csv"),
            slabs: rows("hostile/slab.csv"),
            syscalls: rows("syscalls/syscalls.csv"),
            heap: rows("memory/heap.csv"),
            waits: rows("waits/runs.csv").iter().map(Wait::from_row).collect(),
            examples: texts("clients/examples"),
            printed: texts("clients/output"),
        })
    }

    /// The settings of a part, where it ran (`Null` where it did not).
    pub fn part(&self, name: &str) -> &Value {
        self.settings["parts"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|p| p["part"] == name)
            .map_or(&Value::Null, |p| &p["settings"])
    }

    /// A limit the machine was read to have, by its name in `machine.json`.
    pub fn limit(&self, name: &str) -> Option<u64> {
        self.machine["limits"][name].as_u64()
    }

    pub fn cores(&self) -> f64 {
        self.machine["cores"].as_f64().unwrap_or(1.0)
    }
}

/// One row of `clients/summary.csv`: a model (or a setting of it) on a workload, over the
/// run's repeats.
#[derive(Debug, Clone)]
pub struct Cell {
    pub workload: String,
    pub n: u64,
    pub model: String,
    /// A setting of the model's own (`FETCH_SMOL_READ_BUFFER=2048`); empty for none.
    pub variant: String,
    pub status: String,
    pub runs: u64,
    pub wall: Option<f64>,
    pub wall_min: Option<f64>,
    pub wall_max: Option<f64>,
    pub cpu: Option<f64>,
    pub rss: Option<f64>,
    pub per_in_flight: Option<f64>,
    pub in_flight: Option<f64>,
    /// The kernel's socket buffers at their peak, over their level before the run.
    pub sockets: Option<f64>,
    pub request_min: Option<f64>,
    pub request_median: Option<f64>,
    pub request_max: Option<f64>,
    /// Connections that found the origin's accept queue full, machine-wide (the median run).
    pub listen_overflows: Option<f64>,
    pub jobs_total: Option<u64>,
    pub correct: Option<bool>,
    pub note: String,
}

impl Cell {
    /// Whether the model reported: every run did, or some endpoints failed.
    pub fn measured(&self) -> bool {
        matches!(self.status.as_str(), "Ok" | "Failed")
    }

    /// Ranked (drawn in a chart, compared in a claim) only when every run reported and every
    /// answer was right.
    pub fn trusted(&self) -> bool {
        self.status == "Ok" && self.correct == Some(true)
    }
}

/// One run of a waiting program, from `waits/runs.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct Wait {
    pub program: String,
    /// Its setting (`--stack-kib 16`), or empty.
    pub setting: String,
    pub n: u64,
    /// `Ok` (every waiter waited), `Limited` (a limit of the machine stopped some) or `Broken`.
    pub status: String,
    pub waited: Option<u64>,
    pub wait_s: Option<f64>,
    pub spawn_s: Option<f64>,
    pub wall_s: Option<f64>,
    pub cpu_s: Option<f64>,
    pub baseline_rss: Option<f64>,
    pub peak_rss: Option<f64>,
    pub per_waiter: Option<f64>,
    /// The limit it met, by name.
    pub limit: String,
    pub note: String,
}

impl Wait {
    fn from_row(row: &Row) -> Wait {
        let num = |name: &str| row.num(name);
        Wait {
            program: row.get("program").to_string(),
            setting: row.get("setting").to_string(),
            n: row.get("n").parse().unwrap_or(0),
            status: row.get("status").to_string(),
            waited: row.get("waited").parse().ok(),
            wait_s: num("wait_s"),
            spawn_s: num("spawn_s"),
            wall_s: num("wall_s"),
            cpu_s: num("user_s").zip(num("sys_s")).map(|(u, s)| u + s),
            baseline_rss: num("baseline_rss_bytes"),
            peak_rss: num("peak_rss_bytes"),
            per_waiter: num("per_waiter_bytes"),
            limit: row.get("limit").to_string(),
            note: row.get("note").to_string(),
        }
    }

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
        self.status == "Ok" && self.waited == Some(self.n)
    }
}

/// One request of a run of the timeline workloads, from `clients/requests.csv`.
#[derive(Debug, Clone)]
pub struct Request {
    pub workload: String,
    pub model: String,
    /// The run's `--concurrency` bound, where it had one.
    pub concurrency: Option<u64>,
    /// The wall time of the run the request was part of.
    pub wall_s: Option<f64>,
    pub start_s: f64,
    pub seconds: f64,
    pub ok: bool,
}

/// The client parts' cells and the timelines' requests.
#[derive(Debug, Default)]
pub struct Clients {
    pub cells: Vec<Cell>,
    pub requests: Vec<Request>,
}

impl Clients {
    fn new(summary: Vec<Row>, requests: Vec<Row>) -> Clients {
        let cells = summary
            .iter()
            .map(|row| {
                let num = |name: &str| row.num(name);
                Cell {
                    workload: row.get("workload").to_string(),
                    n: row.get("n").parse().unwrap_or(0),
                    model: row.get("model").to_string(),
                    variant: row.get("variant").to_string(),
                    status: row.get("status").to_string(),
                    runs: row.get("runs").parse().unwrap_or(0),
                    wall: num("wall_median_s"),
                    wall_min: num("wall_min_s"),
                    wall_max: num("wall_max_s"),
                    cpu: num("cpu_median_s"),
                    rss: num("peak_rss_median_bytes"),
                    per_in_flight: num("peak_rss_per_in_flight_bytes"),
                    in_flight: num("peak_in_flight"),
                    sockets: num("socket_mem_median_bytes"),
                    request_min: num("request_min_s"),
                    request_median: num("request_median_s"),
                    request_max: num("request_max_s"),
                    listen_overflows: num("listen_overflows_median"),
                    jobs_total: row.get("jobs_total").parse().ok(),
                    correct: row.get("correct").parse().ok(),
                    note: row.get("note").to_string(),
                }
            })
            .collect();
        let requests = requests
            .iter()
            .map(|row| Request {
                workload: row.get("workload").to_string(),
                model: row.get("model").to_string(),
                concurrency: row.get("concurrency").parse().ok(),
                wall_s: row.num("wall_s"),
                start_s: row.num("start_s").unwrap_or(0.0),
                seconds: row.num("seconds").unwrap_or(0.0),
                ok: row.get("ok") == "true",
            })
            .collect();
        Clients { cells, requests }
    }

    /// The cell of `model` (with no setting of its own) on `workload`.
    pub fn cell(&self, workload: &str, model: &str) -> Option<&Cell> {
        self.cells
            .iter()
            .find(|c| c.workload == workload && c.model == model && c.variant.is_empty())
    }

    /// A figure of a cell whose every run was right.
    pub fn trusted(
        &self,
        workload: &str,
        model: &str,
        pick: fn(&Cell) -> Option<f64>,
    ) -> Option<f64> {
        self.cell(workload, model)
            .filter(|c| c.trusted())
            .and_then(pick)
    }

    /// A figure of a cell that reported, right or not.
    pub fn figure(
        &self,
        workload: &str,
        model: &str,
        pick: fn(&Cell) -> Option<f64>,
    ) -> Option<f64> {
        self.cell(workload, model)
            .filter(|c| c.measured())
            .and_then(pick)
    }

    /// The models of the run, in the order of [`MODELS`], then curl, then the talks' Python
    /// programs, then their JavaScript.
    pub fn models(&self) -> Vec<&'static str> {
        MODELS
            .iter()
            .map(|m| m.name)
            .chain([CURL])
            .chain(catalogue::PYTHON_TALKS.iter().map(|p| p.name))
            .chain(catalogue::JS_TALKS.iter().map(|j| j.name))
            .filter(|name| self.cells.iter().any(|c| c.model == *name))
            .collect()
    }

    /// The Rust models of the run, in the order of [`MODELS`].
    pub fn rust(&self) -> Vec<&'static str> {
        self.models()
            .into_iter()
            .filter(|m| catalogue::Model::named(m).is_some())
            .collect()
    }

    /// The Rust models whose every request waits at once.
    pub fn all_at_once(&self) -> Vec<&'static str> {
        self.rust()
            .into_iter()
            .filter(|m| family(m).is_some_and(Family::all_at_once))
            .collect()
    }

    /// The cells of one workload, in the order of the summary.
    pub fn of_workload<'a>(&'a self, workload: &'a str) -> impl Iterator<Item = &'a Cell> + 'a {
        self.cells
            .iter()
            .filter(move |c| c.workload == workload && c.variant.is_empty())
    }

    /// The endpoint counts of the workloads named `{stem}-N`.
    pub fn ns(&self, stem: &str) -> Vec<u64> {
        let prefix = format!("{stem}-");
        let ns: BTreeSet<u64> = self
            .cells
            .iter()
            .filter(|c| c.workload.starts_with(&prefix) && c.variant.is_empty())
            .map(|c| c.n)
            .collect();
        ns.into_iter().collect()
    }

    /// The endpoint counts of a sweep, past its baseline of one and below the ceiling.
    pub fn sweep(&self, stem: &str, ceiling: Option<u64>) -> Vec<u64> {
        let mut ns = self.ns(stem);
        ns.retain(|&n| n > 1 && Some(n) != ceiling);
        ns
    }

    /// The workload of the jobs API at scale (`jobs-2000`), where the run has it.
    pub fn many_jobs(&self) -> Option<&str> {
        self.cells
            .iter()
            .find(|c| c.workload.starts_with("jobs-"))
            .map(|c| c.workload.as_str())
    }

    /// The cells of fetch-smol's read buffers on `workload`: its own setting first.
    pub fn read_buffers<'a>(&'a self, workload: &'a str) -> Vec<&'a Cell> {
        self.cell(workload, "fetch-smol")
            .into_iter()
            .chain(
                self.cells
                    .iter()
                    .filter(move |c| c.workload == workload && !c.variant.is_empty()),
            )
            .collect()
    }
}

pub use catalogue::family;

/// The request every server run sent waits this long at the server: C connections can have at
/// most C / WAIT requests answered each second.
pub const WAIT_S: f64 = 0.05;

/// A server at a number of connections: the median of its runs.
#[derive(Debug, Clone)]
pub struct Point {
    pub server: String,
    pub connections: u64,
    pub runs: usize,
    pub alive: usize,
    pub rps: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub errors: f64,
    pub timeouts: f64,
    pub accepted: f64,
    pub refused: f64,
    pub peak_rss_kib: f64,
    pub peak_threads: f64,
    /// Seconds of the server's CPU per 1,000 requests.
    pub cpu_s_per_1000: f64,
    pub server_cpu_s: f64,
    pub load_cpu_s: f64,
    pub seconds: f64,
    pub kernel_stack_kib: f64,
    pub vm_peak_kib: f64,
    /// The kernel's TCP memory at its peak, machine-wide.
    pub socket_mem_kib: f64,
    /// Connections that found the server's accept queue full (NaN where not recorded).
    pub listen_overflows: f64,
}

impl Point {
    pub fn ideal(&self) -> f64 {
        self.connections as f64 / WAIT_S
    }

    /// Requests per second as a share of the ideal.
    pub fn of_ideal(&self) -> f64 {
        self.rps / self.ideal()
    }

    /// Microseconds of the server's CPU per request.
    pub fn cpu_us(&self) -> f64 {
        self.cpu_s_per_1000 * 1000.0
    }

    /// Whether the server lived through every run.
    pub fn lived(&self) -> bool {
        self.alive == self.runs
    }
}

/// A server at a fixed offered rate: one run of oha, its latency corrected for coordinated
/// omission (measured from when each request was due, not from when it was sent).
#[derive(Debug, Clone)]
pub struct Rate {
    pub server: String,
    pub connections: u64,
    /// The offered rate as a share of the best closed-loop rate at this C.
    pub share: f64,
    pub offered_rps: f64,
    pub achieved_rps: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub p999_ms: f64,
    pub max_ms: f64,
    pub errors: f64,
    pub alive: bool,
    /// Whether the answers kept up with the offered rate, without errors.
    pub held: bool,
    pub server_cpu_s: f64,
    pub load_cpu_s: f64,
    pub requests: f64,
    pub seconds: f64,
}

impl Rate {
    /// The runs of a `servers/rates.csv`.
    pub fn all(rows: &[Row]) -> Vec<Rate> {
        rows.iter().map(Rate::from_row).collect()
    }

    fn from_row(row: &Row) -> Rate {
        let num = |name: &str| row.num(name).unwrap_or(f64::NAN);
        Rate {
            server: row.get("server").to_string(),
            connections: row.num("connections").unwrap_or(0.0) as u64,
            share: num("share"),
            offered_rps: num("offered_rps"),
            achieved_rps: num("achieved_rps"),
            p50_ms: num("p50_ms"),
            p99_ms: num("p99_ms"),
            p999_ms: num("p999_ms"),
            max_ms: num("max_ms"),
            errors: num("errors"),
            alive: row.get("alive") == "true",
            held: row.get("held") == "true",
            server_cpu_s: num("server_cpu_s"),
            load_cpu_s: num("load_cpu_s"),
            requests: num("requests"),
            seconds: num("seconds"),
        }
    }
}

/// The fixed-rate runs, read whole.
pub trait Rates {
    /// The numbers of connections, in order.
    fn connections(&self) -> Vec<u64>;
    /// The servers, in the order of their first run.
    fn servers(&self) -> Vec<&str>;
    /// The shares offered at `c`, in order.
    fn shares(&self, c: u64) -> Vec<f64>;
    fn at(&self, server: &str, c: u64, share: f64) -> Option<&Rate>;
}

impl Rates for [Rate] {
    fn connections(&self) -> Vec<u64> {
        let set: BTreeSet<u64> = self.iter().map(|r| r.connections).collect();
        set.into_iter().collect()
    }

    fn servers(&self) -> Vec<&str> {
        let mut servers: Vec<&str> = Vec::new();
        for r in self {
            if !servers.contains(&r.server.as_str()) {
                servers.push(&r.server);
            }
        }
        servers
    }

    fn shares(&self, c: u64) -> Vec<f64> {
        let mut shares: Vec<f64> = Vec::new();
        for r in self.iter().filter(|r| r.connections == c) {
            if !shares.contains(&r.share) {
                shares.push(r.share);
            }
        }
        shares.sort_by(f64::total_cmp);
        shares
    }

    fn at(&self, server: &str, c: u64, share: f64) -> Option<&Rate> {
        self.iter()
            .find(|r| r.server == server && r.connections == c && r.share == share)
    }
}

/// The servers part's points.
#[derive(Debug, Default)]
pub struct Servers {
    pub points: Vec<Point>,
}

impl Servers {
    /// The medians of each server at each C from the rows of a `runs.csv`.
    pub fn from_rows(rows: &[Row]) -> Servers {
        // The servers in the order of their first run, and the numbers of connections.
        let mut servers: Vec<String> = Vec::new();
        for row in rows {
            if !servers.iter().any(|s| s == row.get("server")) {
                servers.push(row.get("server").to_string());
            }
        }
        let connections: BTreeSet<u64> = rows
            .iter()
            .filter_map(|r| r.get("connections").parse().ok())
            .collect();
        let mut points = Vec::new();
        for server in &servers {
            for &c in &connections {
                let runs: Vec<&Row> = rows
                    .iter()
                    .filter(|r| r.get("server") == server && r.num("connections") == Some(c as f64))
                    .collect();
                if runs.is_empty() {
                    continue;
                }
                let median_of =
                    |f: &dyn Fn(&Row) -> Option<f64>| median(runs.iter().filter_map(|r| f(r)));
                let m = |name: &'static str| median_of(&|r: &Row| r.num(name));
                points.push(Point {
                    server: server.clone(),
                    connections: c,
                    runs: runs.len(),
                    alive: runs.iter().filter(|r| r.get("alive") == "true").count(),
                    rps: m("rps"),
                    p50_ms: m("p50_ms"),
                    p99_ms: m("p99_ms"),
                    max_ms: m("max_ms"),
                    errors: median_of(&|r: &Row| {
                        Some(
                            ["connect_errors", "read_errors", "write_errors", "non_2xx"]
                                .iter()
                                .filter_map(|name| r.num(name))
                                .sum(),
                        )
                    }),
                    timeouts: m("timeouts"),
                    accepted: m("accepted"),
                    refused: m("refused"),
                    peak_rss_kib: m("peak_rss_kib"),
                    peak_threads: m("peak_threads"),
                    cpu_s_per_1000: m("cpu_s_per_1000"),
                    server_cpu_s: m("server_cpu_s"),
                    load_cpu_s: m("load_cpu_s"),
                    seconds: m("seconds"),
                    kernel_stack_kib: m("kernel_stack_kib"),
                    vm_peak_kib: m("vm_peak_kib"),
                    socket_mem_kib: m("socket_mem_kib"),
                    listen_overflows: m("listen_overflows"),
                });
            }
        }
        Servers { points }
    }

    pub fn point(&self, server: &str, connections: u64) -> Option<&Point> {
        self.points
            .iter()
            .find(|p| p.server == server && p.connections == connections)
    }

    /// The setups of the run in the order of their first run: every Rust server, those with a
    /// loop per core, then the Python servers.
    pub fn servers(&self) -> Vec<&str> {
        let mut servers: Vec<&str> = Vec::new();
        for p in &self.points {
            if !servers.contains(&p.server.as_str()) {
                servers.push(&p.server);
            }
        }
        servers
    }

    /// The Rust setups (a serve-* binary, with its flags where not the default).
    pub fn rust(&self) -> Vec<&str> {
        self.servers()
            .into_iter()
            .filter(|s| s.starts_with("serve-"))
            .collect()
    }

    pub fn connections(&self) -> Vec<u64> {
        let set: BTreeSet<u64> = self.points.iter().map(|p| p.connections).collect();
        set.into_iter().collect()
    }

    /// The Rust setups at `c` that lived through every run, best requests/s first.
    pub fn ranked(&self, c: u64) -> Vec<&Point> {
        let mut points: Vec<&Point> = self
            .points
            .iter()
            .filter(|p| p.connections == c && p.server.starts_with("serve-") && p.lived())
            .collect();
        points.sort_by(|a, b| b.rps.total_cmp(&a.rps));
        points
    }
}

/// The rows of a CSV of the run whose column `name` is `value`.
pub fn with<'r>(rows: &'r [Row], name: &str, value: &str) -> Vec<&'r Row> {
    rows.iter().filter(|r| r.get(name) == value).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_servers_runs_read_into_medians_per_server_and_connections() {
        let header = "server,connections,repeat,alive,requests,seconds,rps,p99_ms,\
                      connect_errors,read_errors,peak_rss_kib";
        let rows = [
            "serve-tokio,1000,1,true,190000,10,19000,55,0,0,30000",
            "serve-tokio,1000,2,true,180000,10,18000,60,0,2,31000",
            "serve-tokio,1000,3,true,195000,10,19500,58,1,0,29000",
            "serve-threads,10000,1,false,100,10,10,900,5,5,150000",
        ];
        let servers = Servers::from_rows(&page::rows(&format!("{header}\n{}\n", rows.join("\n"))));
        let tokio = servers.point("serve-tokio", 1000).unwrap();
        assert_eq!((tokio.runs, tokio.alive), (3, 3));
        assert_eq!(
            (tokio.rps, tokio.p99_ms, tokio.errors),
            (19000.0, 58.0, 1.0)
        );
        assert!((tokio.of_ideal() - 0.95).abs() < 1e-9);
        let threads = servers.point("serve-threads", 10_000).unwrap();
        assert_eq!((threads.alive, threads.errors), (0, 10.0));
        assert!(!threads.lived());
        assert_eq!(
            servers.ranked(10_000).len(),
            0,
            "a server that died is not ranked"
        );
        assert_eq!(servers.connections(), [1000, 10_000]);
    }

    #[test]
    fn a_cell_with_a_setting_of_its_own_is_kept_apart() {
        let summary = "workload,n,model,variant,status,runs,wall_median_s,correct\n\
                       sweep-100,100,fetch-smol,,Ok,3,1.1,true\n\
                       sweep-100,100,fetch-smol,FETCH_SMOL_READ_BUFFER=2048,Ok,3,1.2,true\n";
        let clients = Clients::new(page::rows(summary), Vec::new());
        assert_eq!(
            clients.cell("sweep-100", "fetch-smol").unwrap().wall,
            Some(1.1)
        );
        let buffers = clients.read_buffers("sweep-100");
        assert_eq!(buffers.len(), 2);
        assert_eq!(buffers[1].variant, "FETCH_SMOL_READ_BUFFER=2048");
        assert_eq!(clients.ns("sweep"), [100]);
    }
}
