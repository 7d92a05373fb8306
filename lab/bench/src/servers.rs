//! The servers part: for each serve-* binary (with its defaults, and the one-loop servers also
//! with a loop per core) and each Python server, and each number of keep-alive connections C, a
//! run of a load generator (wrk, or oha where wrk cannot be had) against
//! `GET /work?ms=50&size=1024`, with the server's own figures beside it: its peak RSS, its
//! threads, its CPU time, and the connections it accepted and refused. A fresh server for every
//! run, on a fresh loopback address, so that each peak is that run's and no run waits for the
//! last one's ports.
//!
//! Then two more modes, for a reader who knows how load generators mislead:
//! - **pinned**: the server on one core and the load generator (one wrk thread) on the other,
//!   with `taskset`, so that the CPU a request costs a one-loop server is not moved by the
//!   scheduler's sharing of both cores with the load generator: `servers/pinned.csv`.
//! - **fixed rate**: oha sending at a fixed offered rate, 25%, 50%, 75% and 90% of the best
//!   closed-loop rate at that C, with its latency measured from when each request should have
//!   been sent (`--latency-correction`), so a server that stalls is charged for the requests it
//!   held back (coordinated omission): `servers/rates.csv`.
//!
//! Writes `servers/runs.csv` (a row per run, written as each ends, so that an interrupted run
//! keeps what it measured), the other modes' CSVs beside it, and the load generator's own
//! output under `servers/raw/`.

use std::collections::BTreeMap;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use anyhow::{Context as _, bail};
use catalogue::{PYTHON_SERVERS, Python, SERVERS};
use procs::{Server, figures};
use serde_json::Value;

use benchkit::context::{self, Context, Load, Planned, interrupted};

mod load;

use load::{LoadRun, parse_oha, parse_wrk};
use runfiles::{Maybe, PinnedSettings, RateSettings, ServerSettings, Writer};

/// The request every run sends: 50 ms of waiting, 1 KiB of answer.
const TARGET: &str = "/work?ms=50&size=1024";
const WAIT_S: f64 = 0.05;

/// The offered rates of the fixed-rate mode, as shares of the best closed-loop rate at each C;
/// `--quick` offers the last two.
const SHARES: [f64; 4] = [0.25, 0.5, 0.75, 0.9];

/// The connections of the pinned and the fixed-rate modes in a full run (those of the run's
/// connections that are among them).
const PINNED_AT: [u64; 3] = [1_000, 5_000, 10_000];
const RATED_AT: [u64; 2] = [1_000, 10_000];

/// The pinned mode repeats each run at least this often: its figures are medians of 3.
const PINNED_REPEATS: u32 = 3;

/// How a run loads the server.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Mode {
    /// The load generator's threads and the server's share the machine's cores: the closed loop
    /// as public benchmarks run it.
    Shared,
    /// The server on one core, the load generator on another.
    Pinned { server: usize, load: usize },
    /// oha at this many requests a second, its latency corrected for coordinated omission.
    Rate(u64),
}

/// What the servers part will run.
#[derive(Debug)]
pub struct Plan {
    setups: Vec<Launch>,
    /// The closed loop's load generator threads: one per core.
    load_threads: u32,
    connections: Vec<u64>,
    /// The pinned mode's connections, or why it does not run, and its cores.
    pinned: Result<Vec<u64>, &'static str>,
    cores: Option<(usize, usize)>,
    /// The fixed-rate mode's connections, or why it does not run.
    rated: Result<Vec<u64>, &'static str>,
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
    let setups: Vec<Launch> = servers(ctx.python.is_some())
        .into_iter()
        .filter(|setup| {
            ctx.args.servers.is_empty()
                || ctx
                    .args
                    .servers
                    .iter()
                    .any(|s| *s == setup.bin || *s == setup.setup().to_string())
        })
        .collect();
    if setups.is_empty() {
        bail!("no such server: {:?}", ctx.args.servers);
    }
    for Launch { bin: server, .. } in setups.iter().filter(|s| s.python.is_none()) {
        let bin = ctx.args.bin_dir.join(server);
        if !bin.exists() {
            bail!(
                "{} is missing: cargo build --release -p {server}",
                bin.display()
            );
        }
    }
    let quick = ctx.quick();
    let within = |at: &[u64]| -> Vec<u64> {
        if quick {
            connections.clone()
        } else {
            connections
                .iter()
                .copied()
                .filter(|c| at.contains(c))
                .collect()
        }
    };
    let cores = if context::found("taskset") {
        two_cores()
    } else {
        None
    };
    // A verdict run measures the closed-loop column alone: no pinned, no fixed-rate runs.
    let verdict = "not run: a --verdict run measures the closed loop alone";
    let pinned = if ctx.args.verdict {
        Err(verdict)
    } else if cores.is_none() {
        Err("not run: one core only, so nothing to pin apart (or no taskset)")
    } else {
        Ok(within(&PINNED_AT))
    };
    let rated = if ctx.args.verdict {
        Err(verdict)
    } else if !context::found("oha") {
        Err("not run: oha is not installed")
    } else {
        Ok(within(&RATED_AT))
    };
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
        load_threads: std::thread::available_parallelism().map_or(1, |n| n.get() as u32),
        connections,
        pinned,
        cores,
        rated,
        duration,
        quick,
        repeats,
        load,
    }))
}

impl Plan {
    /// The runs, in order: repeats outermost, so that a slow minute of the shared machine
    /// spreads over the servers; a Python server once (a reference, not the subject), and
    /// every setup once at the ceiling.
    fn runs(&self) -> impl Iterator<Item = (u32, u64, &Launch)> + '_ {
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
    fn repeats_of(&self, c: u64, setup: &Launch) -> u32 {
        if setup.python.is_some() || c > CEILING_FROM {
            1
        } else {
            self.repeats
        }
    }

    /// The pinned mode's connections: none where it does not run.
    fn pinned_at(&self) -> &[u64] {
        self.pinned.as_deref().unwrap_or(&[])
    }

    /// The fixed-rate mode's connections: none where it does not run.
    fn rated_at(&self) -> &[u64] {
        self.rated.as_deref().unwrap_or(&[])
    }

    /// The pinned runs: every Rust server with its defaults (a loop per core is one loop on
    /// one core), repeats outermost.
    fn pinned_runs(&self) -> impl Iterator<Item = (u32, u64, &Launch)> + '_ {
        (1..=self.pinned_repeats()).flat_map(move |repeat| {
            self.pinned_at().iter().flat_map(move |&c| {
                self.setups
                    .iter()
                    .filter(|s| s.python.is_none() && s.threads.is_none())
                    .map(move |s| (repeat, c, s))
            })
        })
    }

    /// How many times each pinned run repeats.
    fn pinned_repeats(&self) -> u32 {
        if self.quick {
            1
        } else {
            self.repeats.max(PINNED_REPEATS)
        }
    }

    /// The fixed-rate runs' setups: every server with its defaults, the Python ones too.
    fn rated_setups(&self) -> impl Iterator<Item = &Launch> + '_ {
        self.setups.iter().filter(|s| s.threads.is_none())
    }

    /// The shares of the best closed-loop rate offered.
    fn shares(&self) -> &'static [f64] {
        if self.quick { &SHARES[2..] } else { &SHARES }
    }

    /// Seconds of load at `c`.
    fn seconds(&self, c: u64) -> u64 {
        match (self.duration, self.quick) {
            (Some(s), _) => s,
            (None, true) => 1,
            (None, false) => seconds_at(c),
        }
    }

    /// Seconds of load at `c` at a fixed rate: connections open as the rate needs them, so a
    /// run at C=10,000 need not outlast a flood of handshakes.
    fn rated_seconds(&self, c: u64) -> u64 {
        self.seconds(c).min(5)
    }

    fn expected_run(&self, connections: u64, setup: &Launch, mode: Mode) -> Duration {
        let start = if setup.python.is_some() { 1.0 } else { 0.3 };
        let seconds = match mode {
            Mode::Rate(_) => self.rated_seconds(connections),
            _ => self.seconds(connections),
        };
        Duration::from_secs_f64(seconds as f64 + start + connections as f64 / 10_000.0)
    }

    pub fn expected(&self) -> Duration {
        let shared = self
            .runs()
            .map(|(_, c, s)| self.expected_run(c, s, Mode::Shared));
        let pinned = self
            .pinned_runs()
            .map(|(_, c, s)| self.expected_run(c, s, Mode::Pinned { server: 0, load: 1 }));
        let rated = self.rated_at().iter().flat_map(|&c| {
            self.rated_setups()
                .map(move |s| self.expected_run(c, s, Mode::Rate(0)) * self.shares().len() as u32)
        });
        shared.chain(pinned).chain(rated).sum()
    }

    pub fn measure(self, ctx: &mut Context) -> anyhow::Result<ServerSettings> {
        let dir = ctx.dir("servers")?;
        std::fs::create_dir_all(dir.join("raw"))?;
        let load_version = match self.load {
            Load::Wrk => context::version("wrk", "-v"),
            Load::Oha => context::version("oha", "--version"),
        };
        // The best closed-loop rate at each C, of the Rust servers: the fixed rates' base.
        let mut best: BTreeMap<u64, f64> = BTreeMap::new();
        let mut csv = Writer::create(&ctx.out, runfiles::SERVER_RUNS)?;
        for (repeat, connections, setup) in self.runs() {
            let what = format!(
                "servers {repeat}/{} · C={connections} · {}",
                self.repeats_of(connections, setup),
                setup.label()
            );
            let Some(run) =
                self.step(ctx, &dir, &what, setup, connections, repeat, Mode::Shared)?
            else {
                continue;
            };
            if setup.python.is_none() && run.alive {
                let rps = best.entry(connections).or_default();
                *rps = rps.max(run.rps);
            }
            csv.row(&run.server_row())?;
        }
        let mut csv = Writer::create(&ctx.out, runfiles::PINNED_RUNS)?;
        let (server, load) = self.cores.unwrap_or_default();
        for (repeat, connections, setup) in self.pinned_runs() {
            let what = format!(
                "servers pinned {repeat} · C={connections} · {}",
                setup.label()
            );
            let mode = Mode::Pinned { server, load };
            if let Some(run) = self.step(ctx, &dir, &what, setup, connections, repeat, mode)? {
                csv.row(&run.server_row())?;
            }
        }
        let mut csv = Writer::create(&ctx.out, runfiles::RATE_RUNS)?;
        for &connections in self.rated_at() {
            let Some(&base) = best.get(&connections) else {
                continue;
            };
            for &share in self.shares() {
                let offered = (base * share).round().max(1.0) as u64;
                for setup in self.rated_setups() {
                    let what = format!(
                        "servers at {offered}/s ({:.0}%) · C={connections} · {}",
                        100.0 * share,
                        setup.label()
                    );
                    let mode = Mode::Rate(offered);
                    if let Some(run) = self.step(ctx, &dir, &what, setup, connections, 1, mode)? {
                        csv.row(&run.rate_row(share))?;
                    }
                }
            }
        }
        let seconds = |cs: &[u64], of: &dyn Fn(u64) -> u64| -> runfiles::PerConnections {
            cs.iter().map(|&c| (c, of(c) as f64)).collect()
        };
        Ok(ServerSettings {
            load: self.load.name().into(),
            load_version,
            load_threads: self.load_threads,
            seconds: seconds(&self.connections, &|c| self.seconds(c)),
            repeats: self.repeats,
            python_repeats: 1,
            once_from: CEILING_FROM,
            connections: self.connections.clone(),
            target: TARGET.into(),
            wait_s: WAIT_S,
            timeout_s: 5.0,
            pinned: match &self.pinned {
                Err(why) => Maybe::NotRun(why.to_string()),
                Ok(pinned) if pinned.is_empty() => {
                    Maybe::NotRun("not run: none of the run's connections is one it pins".into())
                }
                Ok(pinned) => Maybe::Ran(PinnedSettings {
                    connections: pinned.clone(),
                    server_core: server as u32,
                    load_core: load as u32,
                    load: self.load.name().into(),
                    load_threads: 1,
                    repeats: self.pinned_repeats(),
                }),
            },
            rates: if let Err(why) = self.rated {
                Maybe::NotRun(why.into())
            } else if self.rated_at().is_empty() {
                Maybe::NotRun("not run: none of the run's connections is one it rates".into())
            } else {
                Maybe::Ran(RateSettings {
                    connections: self.rated_at().to_vec(),
                    shares: self.shares().to_vec(),
                    of_rps: best,
                    load: "oha".into(),
                    load_version: context::version("oha", "--version"),
                    latency_correction: true,
                    seconds: seconds(self.rated_at(), &|c| self.rated_seconds(c)),
                })
            },
        })
    }

    /// One run with its progress line: `None` where it failed (said in the progress) or the
    /// run was interrupted.
    #[allow(clippy::too_many_arguments)]
    fn step(
        &self,
        ctx: &mut Context,
        dir: &std::path::Path,
        what: &str,
        setup: &Launch,
        connections: u64,
        repeat: u32,
        mode: Mode,
    ) -> anyhow::Result<Option<LoadRun>> {
        if interrupted() {
            return Ok(None);
        }
        ctx.progress.start(what);
        // A server that stops answering (a Python one past its ceiling, say) fails its run,
        // and the part goes on to the next.
        let measured = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            measure(ctx, self, dir, setup, connections, repeat, mode)
        }))
        .unwrap_or_else(|_| Err(anyhow::anyhow!("the run panicked (see above)")));
        if interrupted() {
            return Ok(None);
        }
        let (said, run) = match measured {
            Ok(run) => {
                let rate = match mode {
                    Mode::Rate(offered) => format!(" of {offered} offered"),
                    _ => format!(" (ideal {:.0})", run.ideal()),
                };
                let said = format!(
                    "{:.0} requests/s{rate}, p99 {:.1} ms, {} errors, RSS {} KiB, {} threads{}",
                    run.rps,
                    run.p99_ms,
                    run.errors(),
                    run.peak_rss_kib,
                    run.peak_threads,
                    if run.alive { "" } else { "; THE SERVER DIED" }
                );
                (said, Some(run))
            }
            Err(e) => (format!("failed: {e:#}"), None),
        };
        let expected = self.expected_run(connections, setup, mode);
        ctx.progress.finish(what, expected, &said);
        Ok(run)
    }
}

/// Two cores this process may run on, from `Cpus_allowed_list` in `/proc/self/status`
/// (`0-1`, or `0,2-5`): the first for the server, the second for the load generator.
fn two_cores() -> Option<(usize, usize)> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let list = status
        .lines()
        .find_map(|l| l.strip_prefix("Cpus_allowed_list:"))?;
    let mut cores = list.trim().split(',').flat_map(|range| {
        let (from, to) = range.split_once('-').unwrap_or((range, range));
        let (from, to) = (from.parse::<usize>(), to.parse::<usize>());
        match (from, to) {
            (Ok(from), Ok(to)) => from..to + 1,
            _ => 0..0,
        }
    });
    Some((cores.next()?, cores.next()?))
}

/// A server as the benchmark starts it: its binary (or Python file), and its `--threads` where
/// not the default.
#[derive(Debug, Clone)]
struct Launch {
    bin: &'static str,
    threads: Option<u32>,
    /// A Python server, run by the interpreter of `--python`.
    python: Option<&'static Python>,
}

impl Launch {
    /// As the run's files name it: the server and its loops.
    fn setup(&self) -> runfiles::Setup {
        runfiles::Setup::new(self.bin, self.threads)
    }

    /// How the progress names it: the command line past the path.
    fn label(&self) -> String {
        self.setup().to_string()
    }
}

/// Every server with its defaults, then the servers with one event loop by default (the
/// reactor, the green threads' hub, compio) once more with a loop per core, as tokio and smol
/// have by default, then the Python servers (each one process, one loop or a thread per
/// connection) where `python` says there is an interpreter for them.
fn servers(python: bool) -> Vec<Launch> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get() as u32);
    let defaults = SERVERS.iter().map(|s| Launch {
        bin: s.name,
        threads: None,
        python: None,
    });
    let per_core = SERVERS
        .iter()
        .filter(|s| s.loop_per_thread && cores > 1)
        .map(|s| Launch {
            bin: s.name,
            threads: Some(cores),
            python: None,
        });
    let python = PYTHON_SERVERS.iter().filter(|_| python).map(|p| Launch {
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
    dir: &std::path::Path,
    setup: &Launch,
    connections: u64,
    repeat: u32,
    mode: Mode,
) -> anyhow::Result<LoadRun> {
    let bin = ctx.args.bin_dir.join(setup.bin);
    let threads = setup.threads.map(|n| n.to_string());
    // A fresh address: the previous runs' connections wait in TIME_WAIT towards theirs.
    let host = ctx.addresses.fresh(connections).to_string();
    let mut server_args: Vec<&str> = vec!["--host", &host];
    if let Some(n) = &threads {
        server_args.extend(["--threads", n]);
    }
    let path;
    let (program, mut args) = match (setup.python, &ctx.python) {
        (Some(program), Some(python)) => {
            path = program.path();
            (
                python.to_str().context("a UTF-8 path")?,
                vec![path.as_str()],
            )
        }
        _ => (bin.to_str().context("a UTF-8 path")?, vec![]),
    };
    args.extend(&server_args);
    // Pinned, the server is `taskset`'s command: taskset sets the affinity and becomes it, so
    // the pid is the server's, and every thread it starts stays on its core.
    let core;
    let mut running = match mode {
        Mode::Pinned { server, .. } => {
            core = server.to_string();
            let mut pinned = vec!["-c", &core, program];
            pinned.extend(&args);
            Server::start("taskset", &pinned)
        }
        _ => Server::start(program, &args),
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
    let (load, seconds) = match mode {
        Mode::Rate(_) => (Load::Oha, plan.rated_seconds(connections)),
        _ => (plan.load, plan.seconds(connections)),
    };
    let mut command = match mode {
        Mode::Pinned { load: core, .. } => {
            let mut taskset = Command::new("taskset");
            taskset.args(["-c", &core.to_string(), load.name()]);
            taskset
        }
        _ => Command::new(load.name()),
    };
    let duration = seconds.to_string();
    let threads = match mode {
        Mode::Pinned { .. } => "-t1".to_string(),
        _ => format!("-t{}", plan.load_threads),
    };
    match load {
        Load::Wrk => command.args([
            &threads,
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
        ]),
    };
    if let Mode::Rate(offered) = mode {
        command.args(["-q", &offered.to_string(), "--latency-correction"]);
    }
    command.arg(&url);
    let deadline = Duration::from_secs(seconds + 60);
    let finished = procs::run(&mut command, deadline);
    sampling.store(false, Ordering::Relaxed);
    let _ = sampler.join();
    let finished = finished.context("run the load generator")?;
    let raw = dir.join("raw").join(format!(
        "{}-c{connections}{}-r{repeat}.txt",
        setup.label().replace(" --threads ", "-t"),
        match mode {
            Mode::Shared => String::new(),
            Mode::Pinned { .. } => "-pinned".into(),
            Mode::Rate(offered) => format!("-q{offered}"),
        }
    ));
    std::fs::write(&raw, format!("{}{}", finished.stdout, finished.stderr))?;
    if finished.status.is_none_or(|s| !s.success()) {
        bail!("{} failed: see {}", load.name(), raw.display());
    }
    let mut run = match load {
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
    run.setup = setup.setup();
    if let Mode::Rate(offered) = mode {
        run.offered_rps = offered;
    }
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
