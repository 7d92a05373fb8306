//! The whole set, in one run: every part the documents show, written into one folder with one
//! `machine.json` and one `settings.json`, so that every page made from the folder is true of
//! one machine at one commit.
//!
//! The parts, in the order they run: the talks' two workloads with their timelines and side
//! programs ([`Part::Talks`]), the sweeps ([`Part::Sweeps`]), the machine's ceiling
//! ([`Part::Ceiling`]), fetch-smol's read buffer ([`Part::ReadBuffer`]), every server under load
//! ([`Part::Servers`]), the servers against hostile clients ([`Part::Hostile`]), the servers'
//! system calls per request ([`Part::Syscalls`], where strace is) and where the models' memory
//! goes ([`Part::Memory`], where valgrind is). `--only` runs some of them, into a folder of
//! their own; the documents are made from a whole run.
//!
//! Each run's server listens on an address of its own ([`crate::addresses`]), so no run waits for
//! the ports of the one before. Ctrl-C stops the run after the measurement under way, and what
//! was measured so far is written, `settings.json` saying it was interrupted.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use clap::{Parser, ValueEnum};
use serde::Serialize;
use serde_json::Value;

use crate::addresses::Addresses;
use crate::machine::Machine;
use crate::progress::Progress;
use crate::{clients, hostile, memory, servers, syscalls};

/// Measures everything the documents show, or the parts named.
#[derive(Debug, Parser)]
pub struct Args {
    /// Only these parts, in the run's order (default: all of them).
    #[arg(long, value_enum, value_delimiter = ',')]
    pub only: Vec<Part>,
    /// Every part at a tiny scale (a fiftieth of the delays, small N, one run each): the
    /// pipeline end to end in under two minutes.
    #[arg(long)]
    pub quick: bool,
    /// Where to write the results (default: results/<date-time>).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Where the release binaries are.
    #[arg(long, default_value = "target/release")]
    pub bin_dir: PathBuf,
    /// The interpreter of the Python rows (python/talks, python/servers); without it they are
    /// left out, and the run says so. `scripts/python.sh` creates it.
    #[arg(long, default_value = catalogue::PYTHON)]
    pub python: PathBuf,
    /// Runs of each Rust measurement; each figure is their median.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub repeat: u32,
    /// Skip a client run whose predicted wall time exceeds this many seconds.
    #[arg(long, default_value_t = 45.0)]
    pub budget: f64,
    /// Only these clients (comma-separated binary names, e.g. fetch-tokio,curl,async.py).
    #[arg(long, value_delimiter = ',')]
    pub models: Vec<String>,
    /// Only these servers, by binary (`serve-green`) or by setup (`serve-green --threads 2`).
    #[arg(long, value_delimiter = ',')]
    pub servers: Vec<String>,
    /// The sweeps' endpoint counts (comma-separated); 1 is always added as the baseline.
    #[arg(long, value_delimiter = ',')]
    pub sweep: Vec<u64>,
    /// The servers' numbers of keep-alive connections.
    #[arg(long, value_delimiter = ',')]
    pub connections: Vec<u64>,
    /// Seconds of load per server run.
    #[arg(long)]
    pub duration: Option<u64>,
    /// The servers' load generator.
    #[arg(long, value_enum, default_value_t = servers::Load::Wrk)]
    pub load: servers::Load,
}

/// A part of the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, ValueEnum, Serialize)]
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
}

impl Part {
    pub const ALL: [Part; 8] = [
        Part::Talks,
        Part::Sweeps,
        Part::Ceiling,
        Part::ReadBuffer,
        Part::Servers,
        Part::Hostile,
        Part::Syscalls,
        Part::Memory,
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
        }
    }
}

/// What every part is given: where the programs are and where their figures go, the run's
/// addresses and its progress.
#[derive(Debug)]
pub struct Context {
    pub args: Args,
    pub out: PathBuf,
    /// The Python rows' interpreter, where it runs.
    pub python: Option<PathBuf>,
    pub addresses: Addresses,
    pub progress: Progress,
    /// A fiftieth of the delays in `--quick`, else 1.
    pub time_scale: f64,
    /// The client parts' files, which each client part adds to.
    pub clients: Option<clients::Files>,
}

impl Context {
    pub fn quick(&self) -> bool {
        self.args.quick
    }

    /// The folder of a part's files, made if need be.
    pub fn dir(&self, part: &str) -> anyhow::Result<PathBuf> {
        let dir = self.out.join(part);
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
        Ok(dir)
    }
}

/// How a part went, for `settings.json`.
#[derive(Debug, Serialize)]
struct PartRecord {
    part: Part,
    /// Wall time of the part, start-up and waits included.
    took_s: f64,
    /// The part's own settings (repeats, durations, sizes), or why it was left out.
    settings: Value,
}

/// `settings.json`: how the run was made.
#[derive(Debug, Serialize)]
struct Settings {
    /// The command that made it.
    command: String,
    quick: bool,
    time_scale: f64,
    /// The run's own wall time, from its first measurement to its last, measured here.
    took_s: f64,
    /// Seconds spent waiting for ports held in TIME_WAIT, in all ([`crate::addresses`]).
    time_wait_waited_s: f64,
    /// Stopped by Ctrl-C before its end: it holds what was measured until then.
    interrupted: bool,
    parts: Vec<PartRecord>,
}

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Whether Ctrl-C (or a SIGTERM) asked the run to stop.
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::Relaxed)
}

extern "C" fn on_signal(_: libc::c_int) {
    INTERRUPTED.store(true, Ordering::Relaxed);
}

/// Ctrl-C and SIGTERM set [`interrupted`] instead of ending the process, so that the figures
/// measured so far are written. (The program being measured gets the terminal's Ctrl-C too,
/// and ends; that measurement is dropped.)
fn catch_signals() {
    let handler: extern "C" fn(libc::c_int) = on_signal;
    for signal in [libc::SIGINT, libc::SIGTERM] {
        // SAFETY: the handler only stores to an atomic, which is async-signal-safe.
        unsafe { libc::signal(signal, handler as libc::sighandler_t) };
    }
}

pub fn run(args: Args) -> anyhow::Result<std::process::ExitCode> {
    catch_signals();
    let python = crate::runner::python_version(&args.python);
    let machine = Machine::read(python.clone());
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("results").join(machine.date.replace(':', "-")));
    std::fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.display()))?;
    let parts: Vec<Part> = if args.only.is_empty() {
        Part::ALL.to_vec()
    } else {
        Part::ALL
            .into_iter()
            .filter(|p| args.only.contains(p))
            .collect()
    };
    let time_scale = if args.quick { 0.02 } else { 1.0 };
    let mut ctx = Context {
        python: python.as_ref().map(|_| args.python.clone()),
        args,
        out,
        addresses: Addresses::new(),
        progress: Progress::new(Duration::ZERO),
        time_scale,
        clients: None,
    };
    eprintln!("machine: {}", machine.describe());
    eprintln!("output:  {}", ctx.out.display());
    match &python {
        Some(version) => eprintln!("python:  {version} ({})", ctx.args.python.display()),
        None => eprintln!(
            "python:  no {}; the Python rows are left out (scripts/python.sh creates it)",
            ctx.args.python.display()
        ),
    }
    std::fs::write(
        ctx.out.join("machine.json"),
        serde_json::to_string_pretty(&machine)?,
    )?;

    // Every part's plan first, for the estimate of what is left.
    let plans: Vec<(Part, Plan)> = parts
        .iter()
        .map(|&part| Ok((part, plan(part, &ctx)?)))
        .collect::<anyhow::Result<_>>()?;
    let total: Duration = plans.iter().map(|(_, plan)| plan.expected()).sum();
    eprintln!(
        "parts:   {} (about {} min)",
        parts
            .iter()
            .map(|p| p.name())
            .collect::<Vec<_>>()
            .join(", "),
        (total.as_secs_f64() / 60.0).ceil()
    );
    ctx.progress = Progress::new(total);

    let started = Instant::now();
    let mut records = Vec::new();
    for (part, plan) in plans {
        if interrupted() {
            break;
        }
        let part_started = Instant::now();
        let settings = plan.measure(&mut ctx)?;
        records.push(PartRecord {
            part,
            took_s: part_started.elapsed().as_secs_f64(),
            settings,
        });
    }
    ctx.progress.clear();
    let settings = Settings {
        command: command_line(),
        quick: ctx.args.quick,
        time_scale,
        took_s: started.elapsed().as_secs_f64(),
        time_wait_waited_s: ctx.addresses.waited().as_secs_f64(),
        interrupted: interrupted(),
        parts: records,
    };
    std::fs::write(
        ctx.out.join("settings.json"),
        serde_json::to_string_pretty(&settings)?,
    )?;
    eprintln!(
        "took {:.0} s, {:.0} s of it waiting for ports in TIME_WAIT",
        settings.took_s, settings.time_wait_waited_s
    );
    println!("results: {}", ctx.out.display());
    Ok(if interrupted() {
        eprintln!(
            "interrupted: what was measured so far is in {}",
            ctx.out.display()
        );
        std::process::ExitCode::from(130)
    } else {
        std::process::ExitCode::SUCCESS
    })
}

/// What a part will measure, planned before anything runs.
#[derive(Debug)]
pub enum Plan {
    Clients(clients::Plan),
    Servers(servers::Plan),
    Hostile(hostile::Plan),
    Syscalls(syscalls::Plan),
    Memory(memory::Plan),
    /// Left out, and why (a tool missing, no such model).
    Skipped(String),
}

impl Plan {
    /// How long it should take.
    fn expected(&self) -> Duration {
        match self {
            Plan::Clients(p) => p.expected(),
            Plan::Servers(p) => p.expected(),
            Plan::Hostile(p) => p.expected(),
            Plan::Syscalls(p) => p.expected(),
            Plan::Memory(p) => p.expected(),
            Plan::Skipped(_) => Duration::ZERO,
        }
    }

    /// Measures it; returns its settings for `settings.json`.
    fn measure(self, ctx: &mut Context) -> anyhow::Result<Value> {
        match self {
            Plan::Clients(p) => p.measure(ctx),
            Plan::Servers(p) => p.measure(ctx),
            Plan::Hostile(p) => p.measure(ctx),
            Plan::Syscalls(p) => p.measure(ctx),
            Plan::Memory(p) => p.measure(ctx),
            Plan::Skipped(why) => {
                ctx.progress.say(&why);
                Ok(serde_json::json!({ "skipped": why }))
            }
        }
    }
}

fn plan(part: Part, ctx: &Context) -> anyhow::Result<Plan> {
    match part {
        Part::Talks | Part::Sweeps | Part::Ceiling | Part::ReadBuffer => {
            clients::plan(part, ctx).map(Plan::Clients)
        }
        Part::Servers => servers::plan(ctx),
        Part::Hostile => hostile::plan(ctx),
        Part::Syscalls => syscalls::plan(ctx),
        Part::Memory => memory::plan(ctx),
    }
}

/// The version line of `program`, where it runs here.
pub fn version(program: &str, flag: &str) -> Option<String> {
    let output = std::process::Command::new(program)
        .arg(flag)
        .output()
        .ok()?;
    let text = if output.stdout.is_empty() {
        output.stderr
    } else {
        output.stdout
    };
    let line = String::from_utf8_lossy(&text)
        .lines()
        .next()?
        .trim()
        .to_string();
    (!line.is_empty()).then_some(line)
}

/// Whether `program` can be run.
pub fn found(program: &str) -> bool {
    std::process::Command::new(program)
        .arg("--version")
        .output()
        .is_ok()
}

/// The command that regenerates these results.
fn command_line() -> String {
    // Past the program and its subcommand (`bench run`).
    let args: Vec<String> = std::env::args().skip(2).collect();
    let relevant: Vec<&String> = args
        .iter()
        .scan(false, |skip, a| {
            let keep = !*skip && a != "--bin-dir" && a != "--out";
            *skip = a == "--bin-dir" || a == "--out";
            Some(keep.then_some(a))
        })
        .flatten()
        .collect();
    let mut line = String::from("scripts/run_all.sh");
    for a in relevant {
        line.push(' ');
        line.push_str(a);
    }
    line
}
