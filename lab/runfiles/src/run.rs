//! The run's two JSON files: `machine.json` (the machine, its limits and the code) and
//! `settings.json` (how the run was made, part by part, and the format of its files).

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;
use std::str::FromStr;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use crate::{Error, FORMAT, Result};

/// An `Option` that must be in the file, as `null` where there is nothing: a missing key is an
/// error, not a `None`.
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> std::result::Result<Option<T>, D::Error> {
    Option::deserialize(d)
}

/// `machine.json`: the machine the run was made on, its limits and the code.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Machine {
    pub cores: u32,
    pub memory_bytes: u64,
    pub cpu: String,
    pub os: String,
    pub kernel: String,
    pub rustc: String,
    #[serde(deserialize_with = "present")]
    pub python: Option<String>,
    #[serde(deserialize_with = "present")]
    pub node: Option<String>,
    #[serde(deserialize_with = "present")]
    pub chromium: Option<String>,
    pub commit: String,
    /// Whether the work tree had no change past the commit.
    pub clean: bool,
    pub date: String,
    pub fd_limit: u64,
    pub limits: Limits,
}

/// The limits read from the machine at the start of the run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Limits {
    pub open_files_soft: u64,
    pub open_files_hard: u64,
    #[serde(deserialize_with = "present")]
    pub pid_max: Option<u64>,
    #[serde(deserialize_with = "present")]
    pub threads_max: Option<u64>,
    #[serde(deserialize_with = "present")]
    pub max_map_count: Option<u64>,
    #[serde(deserialize_with = "present")]
    pub ephemeral_ports: Option<(u64, u64)>,
    #[serde(deserialize_with = "present")]
    pub ephemeral_port_count: Option<u64>,
    #[serde(deserialize_with = "present")]
    pub somaxconn: Option<u64>,
    #[serde(deserialize_with = "present")]
    pub tcp_max_tw_buckets: Option<u64>,
    pub io_uring: bool,
    #[serde(deserialize_with = "present")]
    pub io_uring_disabled: Option<u64>,
}

/// A part of the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Part {
    /// The six sites and the jobs API, every model and program, with their timelines.
    Talks,
    /// The jobs API at N = 2,000; 1 to 10,000 endpoints with 1 KiB and with the talk's pages;
    /// 10,000 with no delay.
    Sweeps,
    /// 19,000 endpoints at once, this machine's ceiling.
    Ceiling,
    /// fetch-smol's read buffer, size by size.
    ReadBuffer,
    /// Every server at every number of connections.
    Servers,
    /// The servers against hostile clients.
    Hostile,
    /// System calls per request of each server (strace).
    Syscalls,
    /// Where each model's memory per request goes (valgrind's massif).
    Memory,
    /// N waiters on timers, no sockets, every model and language: what a waiting unit costs.
    Waits,
}

impl Part {
    pub const ALL: [Part; 9] = [
        Part::Talks,
        Part::Sweeps,
        Part::Ceiling,
        Part::ReadBuffer,
        Part::Servers,
        Part::Hostile,
        Part::Syscalls,
        Part::Memory,
        Part::Waits,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Part::Talks => "talks",
            Part::Sweeps => "sweeps",
            Part::Ceiling => "ceiling",
            Part::ReadBuffer => "read-buffer",
            Part::Servers => "servers",
            Part::Hostile => "hostile",
            Part::Syscalls => "syscalls",
            Part::Memory => "memory",
            Part::Waits => "waits",
        }
    }

    /// The parts that run clients against the origin, with the settings of [`ClientSettings`].
    pub fn is_clients(self) -> bool {
        matches!(
            self,
            Part::Talks | Part::Sweeps | Part::Ceiling | Part::ReadBuffer
        )
    }
}

impl fmt::Display for Part {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Part {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Part, String> {
        Part::ALL
            .into_iter()
            .find(|p| p.name() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Part::ALL.iter().map(|p| p.name()).collect();
                format!("no part `{s}`; the parts are {}", names.join(", "))
            })
    }
}

/// `settings.json`: how the run was made.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Settings {
    /// The format of the run's files ([`FORMAT`]).
    pub format: u32,
    pub command: String,
    pub quick: bool,
    /// The origin's delays as a share of the talks' (a fiftieth in `--quick`).
    pub time_scale: f64,
    pub took_s: f64,
    /// Seconds spent waiting for ports in TIME_WAIT.
    pub time_wait_waited_s: f64,
    pub interrupted: bool,
    pub parts: Vec<PartRecord>,
}

/// A part as it ran: how long it took, and its settings (or why it was skipped).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PartRecord {
    pub part: Part,
    pub took_s: f64,
    /// The part's own settings (one of the `*Settings` types, by part), read through
    /// [`Settings::of`].
    settings: Value,
}

/// A part's settings, or why it did not run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Skippable<T> {
    Skipped { skipped: String },
    Ran(T),
}

impl PartRecord {
    pub fn new<T: Serialize>(part: Part, took_s: f64, settings: &Skippable<T>) -> PartRecord {
        PartRecord {
            part,
            took_s,
            // A settings type is plain data, which always serializes.
            settings: serde_json::to_value(settings).expect("settings serialize"),
        }
    }
}

impl Settings {
    pub fn new(command: String, quick: bool, time_scale: f64) -> Settings {
        Settings {
            format: FORMAT,
            command,
            quick,
            time_scale,
            took_s: 0.0,
            time_wait_waited_s: 0.0,
            interrupted: false,
            parts: Vec::new(),
        }
    }

    /// The settings of `part` as `T`: `None` where the part did not run or was skipped, an
    /// error naming the part and the key where they do not fit `T`.
    pub fn of<T: DeserializeOwned>(&self, part: Part) -> Result<Option<T>> {
        let Some(record) = self.parts.iter().find(|p| p.part == part) else {
            return Ok(None);
        };
        match serde_json::from_value::<Skippable<Value>>(record.settings.clone()) {
            Ok(Skippable::Skipped { .. }) => Ok(None),
            _ => serde_json::from_value(record.settings.clone())
                .map(Some)
                .map_err(|e| Error::Json {
                    path: Path::new(crate::SETTINGS).to_path_buf(),
                    message: format!("the part `{part}`: {e}"),
                }),
        }
    }

    /// Why `part` was skipped, where it was.
    pub fn skipped(&self, part: Part) -> Option<String> {
        let record = self.parts.iter().find(|p| p.part == part)?;
        match serde_json::from_value::<Skippable<Value>>(record.settings.clone()) {
            Ok(Skippable::Skipped { skipped }) => Some(skipped),
            _ => None,
        }
    }

    /// Whether `part` ran (and was not skipped).
    pub fn ran(&self, part: Part) -> bool {
        self.parts.iter().any(|p| p.part == part) && self.skipped(part).is_none()
    }
}

/// What a number of connections maps to in the settings: seconds, rates.
pub type PerConnections = BTreeMap<u64, f64>;

/// The settings of the client parts (talks, sweeps, ceiling, read-buffer).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ClientSettings {
    pub repeats: u32,
    /// Cells predicted past this many seconds run once.
    pub once_over_s: f64,
    /// Cells predicted past this many seconds are skipped.
    pub budget_s: f64,
    pub sweep: Vec<u64>,
    pub many_jobs: u64,
    pub burst: u64,
    pub ceiling: u64,
    pub read_buffer_n: u64,
    pub sweep_delay_s: f64,
    pub sweep_size: u64,
    /// rayon's pool: one thread per core unless `RAYON_NUM_THREADS` says otherwise.
    pub rayon_pool: u64,
    pub origin: String,
    #[serde(deserialize_with = "present")]
    pub curl: Option<String>,
    pub python_rows: bool,
    #[serde(deserialize_with = "present")]
    pub node: Option<String>,
    #[serde(deserialize_with = "present")]
    pub chromium: Option<String>,
}

/// The settings of the servers part.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ServerSettings {
    /// The closed loop's load generator, its version and its threads.
    pub load: String,
    #[serde(deserialize_with = "present")]
    pub load_version: Option<String>,
    pub load_threads: u32,
    pub seconds: PerConnections,
    pub repeats: u32,
    pub python_repeats: u32,
    /// From this many connections, each server runs once.
    pub once_from: u64,
    pub connections: Vec<u64>,
    pub target: String,
    pub wait_s: f64,
    pub timeout_s: f64,
    pub pinned: Maybe<PinnedSettings>,
    pub rates: Maybe<RateSettings>,
}

/// A mode of a part that ran, or why it did not (a string in the file).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Maybe<T> {
    NotRun(String),
    Ran(T),
}

/// Read by hand rather than untagged, so that a mode's settings that do not fit their type say
/// which key is wrong.
impl<'de, T: DeserializeOwned> Deserialize<'de> for Maybe<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        match Value::deserialize(d)? {
            Value::String(why) => Ok(Maybe::NotRun(why)),
            value => serde_json::from_value(value)
                .map(Maybe::Ran)
                .map_err(serde::de::Error::custom),
        }
    }
}

impl<T> Default for Maybe<T> {
    fn default() -> Self {
        Maybe::NotRun(String::new())
    }
}

impl<T> Maybe<T> {
    pub fn ran(&self) -> Option<&T> {
        match self {
            Maybe::Ran(t) => Some(t),
            Maybe::NotRun(_) => None,
        }
    }

    /// Why it did not run, where it did not.
    pub fn not_run(&self) -> Option<&str> {
        match self {
            Maybe::Ran(_) => None,
            Maybe::NotRun(why) => Some(why),
        }
    }
}

/// The pinned mode: the server on one core, the load generator on another.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PinnedSettings {
    pub connections: Vec<u64>,
    pub server_core: u32,
    pub load_core: u32,
    pub load: String,
    pub load_threads: u32,
    pub repeats: u32,
}

/// The fixed-rate mode.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RateSettings {
    pub connections: Vec<u64>,
    /// The offered rates, as shares of the best closed-loop rate at each C ([`Self::of_rps`]).
    pub shares: Vec<f64>,
    pub of_rps: PerConnections,
    pub load: String,
    #[serde(deserialize_with = "present")]
    pub load_version: Option<String>,
    pub latency_correction: bool,
    pub seconds: PerConnections,
}

/// The hostile part.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HostileSettings {
    pub idle: u64,
    pub pipelining: u64,
    pub pipelined_requests: u64,
    pub pipelined_size: u64,
    pub arriving: u64,
    pub descriptor_limit: u64,
    pub pause_scale: f64,
    /// Whether `/proc/slabinfo` could be read.
    pub slabinfo: bool,
}

/// The syscalls part.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SyscallSettings {
    #[serde(deserialize_with = "present")]
    pub tool: Option<String>,
    pub load: String,
    pub connections: u64,
    pub seconds: u64,
    pub target: String,
}

/// The memory part.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MemorySettings {
    #[serde(deserialize_with = "present")]
    pub tool: Option<String>,
    pub delay_s: f64,
    pub profiles: Vec<String>,
}

/// The waits part.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WaitSettings {
    pub ns: Vec<u64>,
    pub wait_s: f64,
    pub small_stack_kib: u64,
    /// The programs whose interpreter is not installed here.
    pub left_out: Vec<String>,
}
