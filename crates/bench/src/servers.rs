//! The servers part: for each serve-* binary (with its defaults, and the one-loop servers also
//! with a loop per core) and each Python server, and each number of keep-alive connections C, a
//! run of a load generator (wrk, or oha where wrk cannot be had) against
//! `GET /work?ms=50&size=1024`, with the server's own figures beside it: its peak RSS, its
//! threads, its CPU time, and the connections it accepted and refused. A fresh server for every
//! run, on a fresh loopback address, so that each peak is that run's and no run waits for the
//! last one's ports.
//!
//! Writes `servers/runs.csv` (a row per run, written as each ends, so that an interrupted run
//! keeps what it measured) and the load generator's own output under `servers/raw/`.

use std::fs::File;
use std::io::Write as _;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use anyhow::{Context as _, bail};
use catalogue::{PYTHON_SERVERS, Python, SERVERS};
use procs::{Server, figures};
use serde_json::{Value, json};

use benchkit::context::{self, Context, Load, Planned, interrupted};

mod load;

use load::{Run, parse_oha, parse_wrk};

/// The request every run sends: 50 ms of waiting, 1 KiB of answer.
const TARGET: &str = "/work?ms=50&size=1024";
const WAIT_S: f64 = 0.05;

const HEADER: &str = "server,connections,repeat,alive,requests,seconds,rps,ideal_rps,p50_ms,p99_ms,\
max_ms,connect_errors,read_errors,write_errors,timeouts,non_2xx,accepted,refused,\
peak_rss_kib,peak_threads,server_cpu_s,cpu_s_per_1000,load_cpu_s,kernel_stack_kib,vm_peak_kib,\
socket_mem_kib,listen_overflows";

/// What the servers part will run.
#[derive(Debug)]
pub struct Plan {
    setups: Vec<Setup>,
    connections: Vec<u64>,
    /// Seconds of load at each C: `--duration`, or [`seconds_at`].
    duration: Option<u64>,
    quick: bool,
    repeats: u32,
    load: Load,
}

/// The number of connections past which a run is this machine's ceiling: each setup runs there
/// once, as each client does at its own ceiling.
const CEILING_FROM: u64 = 10_000;

/// Seconds of load at `c` connections. Past some thousands, the load generator's connections
/// overflow the listen queue (its length is `net.core.somaxconn`), and those wait a second or
/// more to connect again: a run must be long enough that its start is a small part of it.
pub fn seconds_at(c: u64) -> u64 {
    if c <= 1_000 {
        3
    } else if c <= 5_000 {
        5
    } else {
        10
    }
}

pub fn plan(ctx: &Context) -> anyhow::Result<Planned<Plan>> {
    let (connections, repeats) = if ctx.quick() {
        (vec![50], 1)
    } else {
        (vec![10, 100, 1_000, 5_000, 10_000, 19_000], ctx.args.repeat)
    };
    let connections = if ctx.args.connections.is_empty() {
        connections
    } else {
        ctx.args.connections.clone()
    };
    let duration = ctx.args.duration;
    let setups: Vec<Setup> = setups(ctx.python.is_some())
        .into_iter()
        .filter(|setup| {
            ctx.args.servers.is_empty()
                || ctx
                    .args
                    .servers
                    .iter()
                    .any(|s| *s == setup.bin || *s == setup.label())
        })
        .collect();
    if setups.is_empty() {
        bail!("no such server: {:?}", ctx.args.servers);
    }
    for Setup { bin: server, .. } in setups.iter().filter(|s| s.python.is_none()) {
        let bin = ctx.args.bin_dir.join(server);
        if !bin.exists() {
            bail!(
                "{} is missing: cargo build --release -p {server}",
                bin.display()
            );
        }
    }
    let load = ctx.args.load;
    if !context::found(load.name()) {
        return Ok(Planned::Skipped(format!(
            "servers: {} is not installed, so the servers are not measured (scripts/run_all.sh \
             installs it)",
            load.name()
        )));
    }
    Ok(Planned::Ready(Plan {
        setups,
        connections,
        duration,
        quick: ctx.quick(),
        repeats,
        load,
    }))
}

impl Plan {
    /// The runs, in order: repeats outermost, so that a slow minute of the shared machine
    /// spreads over the servers; a Python server once (a reference, not the subject), and
    /// every setup once at the ceiling.
    fn runs(&self) -> impl Iterator<Item = (u32, u64, &Setup)> + '_ {
        (1..=self.repeats).flat_map(move |repeat| {
            self.connections.iter().flat_map(move |&c| {
                self.setups
                    .iter()
                    .filter(move |s| self.repeats_of(c, s) >= repeat)
                    .map(move |s| (repeat, c, s))
            })
        })
    }

    /// How many times `setup` runs at `c`.
    fn repeats_of(&self, c: u64, setup: &Setup) -> u32 {
        if setup.python.is_some() || c > CEILING_FROM {
            1
        } else {
            self.repeats
        }
    }

    /// Seconds of load at `c`.
    fn seconds(&self, c: u64) -> u64 {
        match (self.duration, self.quick) {
            (Some(s), _) => s,
            (None, true) => 1,
            (None, false) => seconds_at(c),
        }
    }

    fn expected_run(&self, connections: u64, setup: &Setup) -> Duration {
        let start = if setup.python.is_some() { 1.0 } else { 0.3 };
        Duration::from_secs_f64(
            self.seconds(connections) as f64 + start + connections as f64 / 10_000.0,
        )
    }

    pub fn expected(&self) -> Duration {
        self.runs().map(|(_, c, s)| self.expected_run(c, s)).sum()
    }

    pub fn measure(self, ctx: &mut Context) -> anyhow::Result<Value> {
        let dir = ctx.dir("servers")?;
        std::fs::create_dir_all(dir.join("raw"))?;
        let mut csv = File::create(dir.join("runs.csv"))?;
        writeln!(csv, "{HEADER}")?;
        let load_version = match self.load {
            Load::Wrk => context::version("wrk", "-v"),
            Load::Oha => context::version("oha", "--version"),
        };
        for (repeat, connections, setup) in self.runs() {
            if interrupted() {
                break;
            }
            let what = format!(
                "servers {repeat}/{} · C={connections} · {}",
                self.repeats_of(connections, setup),
                setup.label()
            );
            ctx.progress.start(&what);
            // A server that stops answering (a Python one past its ceiling, say) fails its
            // run, and the part goes on to the next.
            let measured = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                measure(ctx, &self, setup, connections, repeat, &dir)
            }))
            .unwrap_or_else(|_| Err(anyhow::anyhow!("the run panicked (see above)")));
            if interrupted() {
                break;
            }
            let said = match measured {
                Ok(run) => {
                    writeln!(csv, "{}", run.csv_row())?;
                    csv.flush()?;
                    format!(
                        "{:.0} requests/s (ideal {:.0}), p99 {:.1} ms, {} errors, RSS {} KiB, {} threads{}",
                        run.rps,
                        run.ideal(),
                        run.p99_ms,
                        run.errors(),
                        run.peak_rss_kib,
                        run.peak_threads,
                        if run.alive { "" } else { "; THE SERVER DIED" }
                    )
                }
                Err(e) => format!("failed: {e:#}"),
            };
            ctx.progress
                .finish(&what, self.expected_run(connections, setup), &said);
        }
        Ok(json!({
            "load": self.load.name(),
            "load_version": load_version,
            "load_threads": 2,
            "seconds": self
                .connections
                .iter()
                .map(|&c| (c.to_string(), self.seconds(c)))
                .collect::<std::collections::BTreeMap<_, _>>(),
            "repeats": self.repeats,
            "python_repeats": 1,
            "once_from": CEILING_FROM,
            "connections": self.connections,
            "target": TARGET,
            "wait_s": WAIT_S,
            "timeout_s": 5,
        }))
    }
}

/// A server as the benchmark starts it: its binary (or Python file), and its `--threads` where
/// not the default.
#[derive(Debug, Clone)]
struct Setup {
    bin: &'static str,
    threads: Option<u32>,
    /// A Python server, run by the interpreter of `--python`.
    python: Option<&'static Python>,
}

impl Setup {
    /// How the runs name it: the command line past the path.
    fn label(&self) -> String {
        match self.threads {
            Some(n) => format!("{} --threads {n}", self.bin),
            None => self.bin.to_string(),
        }
    }
}

/// Every server with its defaults, then the servers with one event loop by default (the
/// reactor, the green threads' hub, compio) once more with a loop per core, as tokio and smol
/// have by default, then the Python servers (each one process, one loop or a thread per
/// connection) where `python` says there is an interpreter for them.
fn setups(python: bool) -> Vec<Setup> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get() as u32);
    let defaults = SERVERS.iter().map(|s| Setup {
        bin: s.name,
        threads: None,
        python: None,
    });
    let per_core = SERVERS
        .iter()
        .filter(|s| s.loop_per_thread && cores > 1)
        .map(|s| Setup {
            bin: s.name,
            threads: Some(cores),
            python: None,
        });
    let python = PYTHON_SERVERS.iter().filter(|_| python).map(|p| Setup {
        bin: p.name,
        threads: None,
        python: Some(p),
    });
    defaults.chain(per_core).chain(python).collect()
}

/// One run: a fresh server, its counters before, the load, its counters and peaks after.
fn measure(
    ctx: &mut Context,
    plan: &Plan,
    setup: &Setup,
    connections: u64,
    repeat: u32,
    dir: &std::path::Path,
) -> anyhow::Result<Run> {
    let bin = ctx.args.bin_dir.join(setup.bin);
    let threads = setup.threads.map(|n| n.to_string());
    // A fresh address: the previous runs' connections wait in TIME_WAIT towards theirs.
    let host = ctx.addresses.fresh(connections).to_string();
    let mut server_args: Vec<&str> = vec!["--host", &host];
    if let Some(n) = &threads {
        server_args.extend(["--threads", n]);
    }
    let mut running = match (setup.python, &ctx.python) {
        (Some(program), Some(python)) => {
            let path = program.path();
            let mut args = vec![path.as_str()];
            args.extend(&server_args);
            Server::start(python.to_str().context("a UTF-8 path")?, &args)
        }
        _ => Server::start(bin.to_str().context("a UTF-8 path")?, &server_args),
    };
    let pid = running.pid();
    let before = running.stats();
    let cpu_before = figures::cpu_seconds(pid).context("the server's CPU time")?;
    let overflows_before = figures::listen_overflows().unwrap_or(0);
    let sampling = Arc::new(AtomicBool::new(true));
    let peak_threads = Arc::new(AtomicU64::new(0));
    let kernel_stack_before = kernel_stack_kib().unwrap_or(0);
    let peak_kernel_stack = Arc::new(AtomicU64::new(kernel_stack_before));
    let peak_sockets = Arc::new(AtomicU64::new(0));
    let sampler = {
        let (sampling, peak_threads) = (sampling.clone(), peak_threads.clone());
        let (peak_kernel_stack, peak_sockets) = (peak_kernel_stack.clone(), peak_sockets.clone());
        std::thread::spawn(move || {
            while sampling.load(Ordering::Relaxed) {
                if let Some(kib) = figures::socket_memory_kib() {
                    peak_sockets.fetch_max(kib, Ordering::Relaxed);
                }
                if let Some(threads) = figures::status_field(pid, "Threads:") {
                    peak_threads.fetch_max(threads, Ordering::Relaxed);
                }
                if let Some(kib) = kernel_stack_kib() {
                    peak_kernel_stack.fetch_max(kib, Ordering::Relaxed);
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        })
    };
    let url = format!("http://{}{TARGET}", running.addr());
    let mut command = Command::new(plan.load.name());
    let duration = plan.seconds(connections).to_string();
    match plan.load {
        Load::Wrk => command.args([
            "-t2",
            &format!("-c{connections}"),
            &format!("-d{duration}s"),
            "--timeout",
            "5s",
            "--latency",
            &url,
        ]),
        Load::Oha => command.args([
            "-c",
            &connections.to_string(),
            "-z",
            &format!("{duration}s"),
            "-t",
            "5s",
            "--no-tui",
            "--output-format",
            "json",
            &url,
        ]),
    };
    let deadline = Duration::from_secs(plan.seconds(connections) + 60);
    let finished = procs::run(&mut command, deadline);
    sampling.store(false, Ordering::Relaxed);
    let _ = sampler.join();
    let finished = finished.context("run the load generator")?;
    let raw = dir.join("raw").join(format!(
        "{}-c{connections}-r{repeat}.txt",
        setup.label().replace(" --threads ", "-t")
    ));
    std::fs::write(&raw, format!("{}{}", finished.stdout, finished.stderr))?;
    if finished.status.is_none_or(|s| !s.success()) {
        bail!("{} failed: see {}", plan.load.name(), raw.display());
    }
    let mut run = match plan.load {
        Load::Wrk => parse_wrk(&finished.stdout)?,
        Load::Oha => parse_oha(&finished.stdout)?,
    };
    run.alive = running.is_running();
    if run.alive {
        run.server_cpu_s = figures::cpu_seconds(pid).context("the server's CPU time")? - cpu_before;
        run.peak_rss_kib = figures::status_field(pid, "VmHWM:").unwrap_or(0);
        run.vm_peak_kib = figures::status_field(pid, "VmPeak:").unwrap_or(0);
        let after = running.stats_when_it_answers();
        let count = |stats: &Value, name: &str| stats[name].as_u64().unwrap_or(0);
        // The connection that asked for the counters after the run is counted in them.
        run.accepted = (count(&after, "accepted") - count(&before, "accepted")).saturating_sub(1);
        run.refused = count(&after, "refused") - count(&before, "refused");
    }
    run.server = setup.label();
    run.connections = connections;
    run.repeat = repeat;
    run.peak_threads = peak_threads.load(Ordering::Relaxed);
    run.kernel_stack_kib = peak_kernel_stack
        .load(Ordering::Relaxed)
        .saturating_sub(kernel_stack_before);
    run.socket_mem_kib = peak_sockets.load(Ordering::Relaxed);
    run.listen_overflows = figures::listen_overflows()
        .unwrap_or(0)
        .saturating_sub(overflows_before);
    run.load_cpu_s = finished
        .usage
        .map_or(0.0, |u| (u.user + u.sys).as_secs_f64());
    Ok(run)
}

/// The memory of every kernel stack on the machine, from `/proc/meminfo`, in KiB.
fn kernel_stack_kib() -> Option<u64> {
    figures::field("/proc/meminfo", "KernelStack:")
}
