//! The servers' files (`servers/`, `hostile/`, `syscalls/`) and the heap profiles
//! (`memory/`).

use std::fmt;

use serde::{Deserialize, Serialize};

/// A server as the benchmark starts it: its binary (or Python file), and its `--threads`
/// where the run set one (a loop per core for the single-loop servers).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Setup {
    pub server: String,
    pub threads: Option<u32>,
}

impl Setup {
    pub fn new(server: &str, threads: Option<u32>) -> Setup {
        Setup {
            server: server.to_string(),
            threads,
        }
    }

    /// A Rust server (a `serve-*` binary), not one of the talks' Python servers.
    pub fn is_rust(&self) -> bool {
        self.server.starts_with("serve-")
    }
}

/// As a reader sees it on a page: `serve-reactor --threads 2`.
impl fmt::Display for Setup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.threads {
            Some(n) => write!(f, "{} --threads {n}", self.server),
            None => f.write_str(&self.server),
        }
    }
}

/// One run of the load generator against a server: a line of `servers/runs.csv` and
/// `servers/pinned.csv`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ServerRun {
    pub server: String,
    /// Its `--threads`, where the run set one.
    pub threads: Option<u32>,
    pub connections: u64,
    pub repeat: u32,
    /// Whether the server was still running when the load ended.
    pub alive: bool,
    pub requests: u64,
    pub seconds: f64,
    pub rps: f64,
    #[serde(serialize_with = "crate::whole_number")]
    pub ideal_rps: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub connect_errors: u64,
    pub read_errors: u64,
    pub write_errors: u64,
    pub timeouts: u64,
    pub non_2xx: u64,
    pub accepted: u64,
    pub refused: u64,
    pub peak_rss_kib: u64,
    pub peak_threads: u64,
    pub server_cpu_s: f64,
    pub cpu_s_per_1000: f64,
    pub load_cpu_s: f64,
    /// How much the kernel's stacks grew at their peak, machine-wide.
    pub kernel_stack_kib: u64,
    pub vm_peak_kib: u64,
    /// The kernel's memory for TCP sockets at its peak, machine-wide.
    pub socket_mem_kib: u64,
    /// Connections that found the server's accept queue full, machine-wide.
    pub listen_overflows: u64,
}

impl ServerRun {
    pub fn setup(&self) -> Setup {
        Setup::new(&self.server, self.threads)
    }

    /// Connection, read and write errors and answers other than 2xx; the timeouts are apart.
    pub fn errors(&self) -> u64 {
        self.connect_errors + self.read_errors + self.write_errors + self.non_2xx
    }
}

/// One run at a fixed offered rate, its latency corrected for coordinated omission: a line of
/// `servers/rates.csv`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RateRun {
    pub server: String,
    pub threads: Option<u32>,
    pub connections: u64,
    /// The offered rate as a share of the best closed-loop rate at this C.
    pub share: f64,
    pub offered_rps: u64,
    pub alive: bool,
    pub requests: u64,
    pub seconds: f64,
    pub achieved_rps: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub p999_ms: f64,
    pub max_ms: f64,
    pub errors: u64,
    pub timeouts: u64,
    /// Whether the answers kept up with the offered rate, without errors.
    pub held: bool,
    pub server_cpu_s: f64,
    pub load_cpu_s: f64,
    pub peak_rss_kib: u64,
    pub peak_threads: u64,
}

impl RateRun {
    pub fn setup(&self) -> Setup {
        Setup::new(&self.server, self.threads)
    }
}

/// A hostile case: what the clients do to the server.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Case {
    /// Connections that connect and send nothing.
    #[default]
    Idle,
    /// Clients that pipeline requests for big answers and read none.
    NotReading,
    /// Connections arriving at a server allowed few descriptors.
    NoDescriptors,
}

impl fmt::Display for Case {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Case::Idle => "idle",
            Case::NotReading => "not-reading",
            Case::NoDescriptors => "no-descriptors",
        })
    }
}

/// One server under one hostile case: a line of `hostile/hostile.csv`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HostileRow {
    pub server: String,
    pub case: Case,
    pub connections: u64,
    pub alive: bool,
    /// How long a new client waited for its answer; none when it got none.
    pub new_client_ms: Option<f64>,
    pub rss_kib: u64,
    /// The RSS the connections added, per connection.
    pub rss_per_connection_kib: f64,
    pub socket_mem_kib: u64,
    pub threads: u64,
    pub closed_idle: u64,
    pub refused: u64,
    /// CPU the server used per second of the case (the descriptor case).
    pub cpu_s_per_s: Option<f64>,
    /// The new clients that asked during the case (the not-reading case), those left
    /// unanswered, and the slowest answer.
    pub probes: Option<u64>,
    pub probes_unanswered: Option<u64>,
    pub probe_slowest_ms: Option<f64>,
}

/// A kernel object behind a connection and its size: a line of `hostile/slab.csv`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SlabRow {
    pub slab: String,
    pub object_bytes: u64,
}

/// One system call of one server under load: a line of `syscalls/syscalls.csv`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SyscallRow {
    pub server: String,
    pub connections: u64,
    /// The requests answered while it was traced.
    pub requests: u64,
    pub call: String,
    pub calls: u64,
    pub errors: u64,
}

/// A site of the heap at its peak, per request: a line of `memory/heap.csv`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HeapRow {
    pub model: String,
    pub workload: String,
    pub n: u64,
    /// Its place, largest first.
    pub rank: u32,
    pub kib_per_request: f64,
    /// The allocation's call stack, innermost first.
    pub site: String,
}
