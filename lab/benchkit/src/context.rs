//! What every part of a run is given and shares: the command line, the parts, the context a
//! part measures in (where the programs are, where their figures go, the run's addresses and
//! its progress), whether the run was asked to stop, and the tools it looks for.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::Context as _;
use clap::{Parser, ValueEnum};
use runfiles::Part;

use crate::addresses::Addresses;
use crate::output::Files;
use crate::progress::Progress;

/// Measures everything the documents show, or the parts named.
#[derive(Debug, Parser)]
pub struct Args {
    /// Only these parts, in the run's order (default: all of them): talks, sweeps, ceiling,
    /// read-buffer, servers, hostile, syscalls, memory, waits.
    #[arg(long, value_delimiter = ',')]
    pub only: Vec<Part>,
    /// Every part at a tiny scale (a fiftieth of the delays, small N, one run each): the
    /// pipeline end to end in under two minutes.
    #[arg(long)]
    pub quick: bool,
    /// What README's verdict needs, in about 10 minutes: the sweeps at 10, 1,000 and 10,000, the
    /// ceiling, and the servers at 10,000 connections, one run each (the options given
    /// explicitly still win).
    #[arg(long, conflicts_with = "quick")]
    pub verdict: bool,
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
    #[arg(long, value_enum, default_value_t = Load::Wrk)]
    pub load: Load,
}

impl Args {
    /// The options `--verdict` stands for, where not given explicitly.
    pub fn for_verdict(mut self) -> Args {
        if !self.verdict {
            return self;
        }
        if self.only.is_empty() {
            self.only = vec![Part::Sweeps, Part::Ceiling, Part::Servers];
        }
        if self.sweep.is_empty() {
            self.sweep = VERDICT_SWEEP.to_vec();
        }
        if self.connections.is_empty() {
            self.connections = vec![VERDICT_CONNECTIONS];
        }
        self.repeat = 1;
        self
    }
}

/// The sweep's N in a `--verdict` run: 10 for the models that take one request (or a pool's
/// worth) at a time, 1,000 where threads still keep up, 10,000 for the table's column.
pub const VERDICT_SWEEP: [u64; 3] = [10, 1_000, 10_000];

/// The servers' connections in a `--verdict` run: the table's column.
pub const VERDICT_CONNECTIONS: u64 = 10_000;

/// What every part is given: where the programs are and where their figures go, the run's
/// addresses and its progress.
#[derive(Debug)]
pub struct Context {
    pub args: Args,
    pub out: PathBuf,
    /// The Python rows' interpreter, where it runs.
    pub python: Option<PathBuf>,
    /// What of the JavaScript rows runs here: Node, and the browser.
    pub javascript: JavaScriptSide,
    pub addresses: Addresses,
    pub progress: Progress,
    /// A fiftieth of the delays in `--quick`, else 1.
    pub time_scale: f64,
    /// The client parts' files, which each client part adds to.
    pub clients: Option<Files>,
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

/// The load generator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Load {
    Wrk,
    Oha,
}

impl Load {
    pub fn name(self) -> &'static str {
        match self {
            Load::Wrk => "wrk",
            Load::Oha => "oha",
        }
    }
}

/// What a part's plan found: the plan, or why the part is left out (a tool missing).
#[derive(Debug)]
pub enum Planned<P> {
    Ready(P),
    Skipped(String),
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
pub fn catch_signals() {
    let handler: extern "C" fn(libc::c_int) = on_signal;
    for signal in [libc::SIGINT, libc::SIGTERM] {
        // SAFETY: the handler only stores to an atomic, which is async-signal-safe.
        unsafe { libc::signal(signal, handler as libc::sighandler_t) };
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

/// The JavaScript rows' folder, from the workspace's root.
pub const JS_DIR: &str = "js";

/// What of the JavaScript side runs here: Node's version, and the browser's where Chromium and
/// the packages that drive it (`scripts/js.sh`) are installed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JavaScriptSide {
    pub node: Option<String>,
    pub chromium: Option<String>,
}

impl JavaScriptSide {
    pub fn find() -> JavaScriptSide {
        let node = version(catalogue::NODE, "--version").filter(|v| v.starts_with('v'));
        let driver = std::path::Path::new(JS_DIR).join("node_modules/playwright-core/package.json");
        let chromium = std::env::var("CHROMIUM")
            .ok()
            .or_else(|| Some("/usr/bin/chromium".into()))
            .filter(|_| node.is_some() && driver.is_file())
            .and_then(|bin| version(&bin, "--version"));
        JavaScriptSide { node, chromium }
    }

    /// A line for the run's start: what runs, or why not.
    pub fn describe(&self) -> String {
        match (&self.node, &self.chromium) {
            (None, _) => format!(
                "no {}; the JavaScript rows are left out (scripts/js.sh installs them)",
                catalogue::NODE
            ),
            (Some(node), None) => format!(
                "node {node}; no Chromium with its driver, so async.html is left out                  (scripts/js.sh installs them)"
            ),
            (Some(node), Some(chromium)) => format!("node {node}, {chromium}"),
        }
    }
}
