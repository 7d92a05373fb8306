//! A run as `bench run` left it in its folder, read whole: the machine and the settings, and
//! each part's figures (a part that did not run reads as empty, and what is made from it says
//! "not measured"). Every page, chart and claim is made from this, and from nothing else.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use catalogue::{CURL, Family, MODELS};
use figures::format::median;
use runfiles::{
    Case, CellSummary, ClientSettings, HeapRow, HostileRow, HostileSettings, Machine,
    MemorySettings, Part, RateRun, Request, ServerRun, ServerSettings, Settings, Setup, SlabRow,
    SyscallRow, SyscallSettings, WaitRun, WaitSettings,
};

/// The committed run that the documents are made from.
pub const RUN: &str = "docs/results";

/// A whole run; an empty one by default.
#[derive(Debug, Default)]
pub struct Results {
    /// `machine.json`: the machine, its limits and the code.
    pub machine: Machine,
    /// `settings.json`: how the run was made, part by part.
    pub settings: Settings,
    /// Each part's own settings, where it ran.
    pub parts: Parts,
    pub clients: Clients,
    pub servers: Servers,
    /// `servers/pinned.csv`: the Rust servers on one core, the load generator on the other.
    pub pinned: Servers,
    /// `servers/rates.csv`: every server at fixed offered rates.
    pub rates: Vec<RateRun>,
    /// `hostile/hostile.csv` and `hostile/slab.csv`.
    pub hostile: Vec<HostileRow>,
    pub slabs: Vec<SlabRow>,
    /// `syscalls/syscalls.csv`.
    pub syscalls: Vec<SyscallRow>,
    /// `memory/heap.csv`.
    pub heap: Vec<HeapRow>,
    /// `waits/runs.csv`: the waiting programs, a run per program, setting and N.
    pub waits: Vec<WaitRun>,
    /// What the talk's side programs printed (`clients/examples/NAME.txt`), and the models
    /// whose printed text the README shows (`clients/output/NAME.txt`).
    pub examples: BTreeMap<String, String>,
    pub printed: BTreeMap<String, String>,
}

/// The settings of each part that ran; `None` for a part that did not run or was skipped.
#[derive(Debug, Default)]
pub struct Parts {
    pub talks: Option<ClientSettings>,
    pub sweeps: Option<ClientSettings>,
    pub ceiling: Option<ClientSettings>,
    pub read_buffer: Option<ClientSettings>,
    pub servers: Option<ServerSettings>,
    pub hostile: Option<HostileSettings>,
    pub syscalls: Option<SyscallSettings>,
    pub memory: Option<MemorySettings>,
    pub waits: Option<WaitSettings>,
}

impl Parts {
    fn of(settings: &Settings) -> runfiles::Result<Parts> {
        Ok(Parts {
            talks: settings.of(Part::Talks)?,
            sweeps: settings.of(Part::Sweeps)?,
            ceiling: settings.of(Part::Ceiling)?,
            read_buffer: settings.of(Part::ReadBuffer)?,
            servers: settings.of(Part::Servers)?,
            hostile: settings.of(Part::Hostile)?,
            syscalls: settings.of(Part::Syscalls)?,
            memory: settings.of(Part::Memory)?,
            waits: settings.of(Part::Waits)?,
        })
    }

    /// The client parts' settings: those of the sweeps, or of the first client part that ran.
    pub fn clients(&self) -> Option<&ClientSettings> {
        self.sweeps
            .as_ref()
            .or(self.talks.as_ref())
            .or(self.ceiling.as_ref())
            .or(self.read_buffer.as_ref())
    }
}

impl Results {
    /// Reads a run's folder through its files' types ([`runfiles`]): a part that did not run
    /// reads as empty; a file that does not fit its type is an error naming the file, the line
    /// and the column.
    pub fn read(dir: &Path) -> anyhow::Result<Results> {
        runfiles::check_format(dir)?;
        let settings: Settings = runfiles::read_json(dir, runfiles::SETTINGS)?;
        let parts = Parts::of(&settings).map_err(|e| anyhow::anyhow!("{}: {e}", dir.display()))?;
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
        Ok(Results {
            machine: runfiles::read_json(dir, runfiles::MACHINE)?,
            settings,
            parts,
            clients: Clients {
                cells: runfiles::read(dir, runfiles::CLIENT_CELLS)?,
                requests: runfiles::read(dir, runfiles::REQUESTS)?,
            },
            servers: Servers::from_runs(&runfiles::read(dir, runfiles::SERVER_RUNS)?),
            pinned: Servers::from_runs(&runfiles::read(dir, runfiles::PINNED_RUNS)?),
            rates: runfiles::read(dir, runfiles::RATE_RUNS)?,
            hostile: runfiles::read(dir, runfiles::HOSTILE)?,
            slabs: runfiles::read(dir, runfiles::SLABS)?,
            syscalls: runfiles::read(dir, runfiles::SYSCALLS)?,
            heap: runfiles::read(dir, runfiles::HEAP)?,
            waits: runfiles::read(dir, runfiles::WAIT_RUNS)?,
            examples: texts("clients/examples"),
            printed: texts("clients/output"),
        })
    }

    /// A limit the machine was read to have.
    pub fn limits(&self) -> &runfiles::Limits {
        &self.machine.limits
    }

    /// The machine's cores, as the run read them.
    pub fn cores(&self) -> u32 {
        self.machine.cores.max(1)
    }

    /// The hostile part's rows of one case.
    pub fn hostile_case(&self, case: Case) -> Vec<&HostileRow> {
        self.hostile.iter().filter(|r| r.case == case).collect()
    }

    /// The origin's delays as a share of the talks' (a fiftieth in `--quick`).
    pub fn time_scale(&self) -> f64 {
        self.settings.time_scale
    }
}

/// The client parts' cells and the timelines' requests.
#[derive(Debug, Default)]
pub struct Clients {
    pub cells: Vec<CellSummary>,
    pub requests: Vec<Request>,
}

impl Clients {
    /// The cell of `model` (with no setting of its own) on `workload`.
    pub fn cell(&self, workload: &str, model: &str) -> Option<&CellSummary> {
        self.cells
            .iter()
            .find(|c| c.workload == workload && c.model == model && c.variant.is_empty())
    }

    /// A figure of a cell whose every run was right.
    pub fn trusted(
        &self,
        workload: &str,
        model: &str,
        pick: fn(&CellSummary) -> Option<f64>,
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
        pick: fn(&CellSummary) -> Option<f64>,
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
    pub fn of_workload<'a>(
        &'a self,
        workload: &'a str,
    ) -> impl Iterator<Item = &'a CellSummary> + 'a {
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
    pub fn read_buffers<'a>(&'a self, workload: &'a str) -> Vec<&'a CellSummary> {
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
    pub setup: Setup,
    /// The setup as a reader sees it (`serve-reactor --threads 2`).
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

/// The fixed-rate runs, read whole.
pub trait Rates {
    /// The numbers of connections, in order.
    fn connections(&self) -> Vec<u64>;
    /// The servers, in the order of their first run.
    fn servers(&self) -> Vec<&str>;
    /// The shares offered at `c`, in order.
    fn shares(&self, c: u64) -> Vec<f64>;
    fn at(&self, server: &str, c: u64, share: f64) -> Option<&RateRun>;
}

impl Rates for [RateRun] {
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

    fn at(&self, server: &str, c: u64, share: f64) -> Option<&RateRun> {
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
    /// The medians of each setup at each C from the runs of a `runs.csv`.
    pub fn from_runs(runs: &[ServerRun]) -> Servers {
        // The setups in the order of their first run, and the numbers of connections.
        let mut setups: Vec<Setup> = Vec::new();
        for run in runs {
            if !setups.contains(&run.setup()) {
                setups.push(run.setup());
            }
        }
        let connections: BTreeSet<u64> = runs.iter().map(|r| r.connections).collect();
        let mut points = Vec::new();
        for setup in &setups {
            for &c in &connections {
                let these: Vec<&ServerRun> = runs
                    .iter()
                    .filter(|r| r.setup() == *setup && r.connections == c)
                    .collect();
                if these.is_empty() {
                    continue;
                }
                let m = |f: fn(&ServerRun) -> f64| median(these.iter().map(|r| f(r)));
                points.push(Point {
                    setup: setup.clone(),
                    server: setup.to_string(),
                    connections: c,
                    runs: these.len(),
                    alive: these.iter().filter(|r| r.alive).count(),
                    rps: m(|r| r.rps),
                    p50_ms: m(|r| r.p50_ms),
                    p99_ms: m(|r| r.p99_ms),
                    max_ms: m(|r| r.max_ms),
                    errors: m(|r| r.errors() as f64),
                    timeouts: m(|r| r.timeouts as f64),
                    accepted: m(|r| r.accepted as f64),
                    refused: m(|r| r.refused as f64),
                    peak_rss_kib: m(|r| r.peak_rss_kib as f64),
                    peak_threads: m(|r| r.peak_threads as f64),
                    cpu_s_per_1000: m(|r| r.cpu_s_per_1000),
                    server_cpu_s: m(|r| r.server_cpu_s),
                    load_cpu_s: m(|r| r.load_cpu_s),
                    seconds: m(|r| r.seconds),
                    kernel_stack_kib: m(|r| r.kernel_stack_kib as f64),
                    vm_peak_kib: m(|r| r.vm_peak_kib as f64),
                    socket_mem_kib: m(|r| r.socket_mem_kib as f64),
                    listen_overflows: m(|r| r.listen_overflows as f64),
                });
            }
        }
        Servers { points }
    }

    /// The point of a setup at `connections`.
    pub fn at(&self, setup: &Setup, connections: u64) -> Option<&Point> {
        self.points
            .iter()
            .find(|p| p.setup == *setup && p.connections == connections)
    }

    /// The point of a setup at `connections`, by its label (`serve-tokio`, `serve-reactor
    /// --threads 4`): a server's name alone is the server with its defaults.
    pub fn point(&self, label: &str, connections: u64) -> Option<&Point> {
        self.points
            .iter()
            .find(|p| p.server == label && p.connections == connections)
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
        let mut servers: Vec<&str> = Vec::new();
        for p in self.points.iter().filter(|p| p.setup.is_rust()) {
            if !servers.contains(&p.server.as_str()) {
                servers.push(&p.server);
            }
        }
        servers
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
            .filter(|p| p.connections == c && p.setup.is_rust() && p.lived())
            .collect();
        points.sort_by(|a, b| b.rps.total_cmp(&a.rps));
        points
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(server: &str, threads: Option<u32>, c: u64, rps: f64, alive: bool) -> ServerRun {
        ServerRun {
            server: server.into(),
            threads,
            connections: c,
            alive,
            rps,
            ..ServerRun::default()
        }
    }

    #[test]
    fn the_servers_runs_read_into_medians_per_setup_and_connections() {
        let runs = [
            run("serve-tokio", None, 1000, 19000.0, true),
            run("serve-tokio", None, 1000, 18000.0, true),
            ServerRun {
                connect_errors: 1,
                ..run("serve-tokio", None, 1000, 19500.0, true)
            },
            run("serve-reactor", Some(4), 1000, 17000.0, true),
            ServerRun {
                read_errors: 10,
                ..run("serve-threads", None, 10_000, 10.0, false)
            },
        ];
        let servers = Servers::from_runs(&runs);
        let tokio = servers.point("serve-tokio", 1000).unwrap();
        assert_eq!((tokio.runs, tokio.alive), (3, 3));
        assert_eq!((tokio.rps, tokio.errors), (19000.0, 0.0));
        assert!((tokio.of_ideal() - 0.95).abs() < 1e-9);
        let reactor = servers
            .at(&Setup::new("serve-reactor", Some(4)), 1000)
            .unwrap();
        assert_eq!(reactor.server, "serve-reactor --threads 4");
        assert!(
            servers
                .at(&Setup::new("serve-reactor", None), 1000)
                .is_none()
        );
        let threads = servers.point("serve-threads", 10_000).unwrap();
        assert_eq!((threads.alive, threads.errors), (0, 10.0));
        assert!(
            servers.ranked(10_000).is_empty(),
            "a server that died is not ranked"
        );
        assert_eq!(servers.connections(), [1000, 10_000]);
    }

    #[test]
    fn a_cell_with_a_setting_of_its_own_is_kept_apart() {
        let cell = |variant: &str, wall: f64| CellSummary {
            workload: "sweep-100".into(),
            n: 100,
            model: "fetch-smol".into(),
            variant: variant.into(),
            wall: Some(wall),
            correct: Some(true),
            ..CellSummary::default()
        };
        let clients = Clients {
            cells: vec![cell("", 1.1), cell("FETCH_SMOL_READ_BUFFER=2048", 1.2)],
            requests: Vec::new(),
        };
        assert_eq!(
            clients.cell("sweep-100", "fetch-smol").unwrap().wall,
            Some(1.1)
        );
        let buffers = clients.read_buffers("sweep-100");
        assert_eq!(buffers.len(), 2);
        assert_eq!(buffers[1].variant, "FETCH_SMOL_READ_BUFFER=2048");
        assert_eq!(clients.ns("sweep"), [100]);
    }

    /// A copy of the committed run, for a test to change.
    fn committed_copy(name: &str) -> std::path::PathBuf {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let from = root.join(RUN);
        let to = std::env::temp_dir().join(format!("rundata-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&to);
        for file in ["machine.json", "settings.json"]
            .into_iter()
            .chain(TABLES.iter().copied())
        {
            if from.join(file).is_file() {
                std::fs::create_dir_all(to.join(file).parent().unwrap()).unwrap();
                std::fs::copy(from.join(file), to.join(file)).unwrap();
            }
        }
        to
    }

    const TABLES: [&str; 11] = [
        runfiles::CLIENT_RUNS.path,
        runfiles::CLIENT_CELLS.path,
        runfiles::REQUESTS.path,
        runfiles::SERVER_RUNS.path,
        runfiles::PINNED_RUNS.path,
        runfiles::RATE_RUNS.path,
        runfiles::HOSTILE.path,
        runfiles::SLABS.path,
        runfiles::SYSCALLS.path,
        runfiles::HEAP.path,
        runfiles::WAIT_RUNS.path,
    ];

    #[test]
    fn the_committed_run_reads_whole_through_its_types() {
        let dir = committed_copy("whole");
        let run = Results::read(&dir).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(run.machine.cores >= 1);
        assert!(!run.clients.cells.is_empty() && !run.servers.points.is_empty());
        assert!(run.parts.sweeps.is_some() && run.parts.servers.is_some());
        runfiles::read::<runfiles::ClientRun>(
            &Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../..")
                .join(RUN),
            runfiles::CLIENT_RUNS,
        )
        .unwrap();
    }

    #[test]
    fn a_renamed_column_in_the_committed_run_is_a_read_error_naming_it() {
        for table in TABLES.iter().filter(|t| **t != runfiles::CLIENT_RUNS.path) {
            let dir = committed_copy("renamed");
            let path = dir.join(table);
            let text = std::fs::read_to_string(&path).unwrap();
            let (header, rest) = text.split_once('\n').unwrap();
            let first = header.split(',').next().unwrap().to_string();
            let renamed = header.replacen(&first, &format!("{first}_renamed"), 1);
            std::fs::write(&path, format!("{renamed}\n{rest}")).unwrap();
            let e = format!("{:#}", Results::read(&dir).unwrap_err());
            std::fs::remove_dir_all(&dir).unwrap();
            assert!(e.contains(table), "{table}: {e}");
            assert!(
                e.contains("line 1") && e.contains(&format!("`{first}`")),
                "{table}: {e}"
            );
        }
    }

    #[test]
    fn a_run_of_another_format_is_refused() {
        let dir = committed_copy("format");
        let settings = std::fs::read_to_string(dir.join("settings.json")).unwrap();
        let old = settings.replacen(
            &format!("\"format\": {}", runfiles::FORMAT),
            "\"format\": 1",
            1,
        );
        std::fs::write(dir.join("settings.json"), old).unwrap();
        let e = Results::read(&dir).unwrap_err().to_string();
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(e.contains("format 1"), "{e}");
    }
}
