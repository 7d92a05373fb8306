//! The job every waiter program does, and its report: spawn N waiters that each wait on a timer
//! (10 s by default, no socket), wait for all of them, and say what it cost. Each program in
//! `src/bin/` holds only its model's way of doing it, to be read side by side as the fetch-*
//! files are; this is the plumbing: the command line, the clock, the memory and CPU readings,
//! and the report.
//!
//! What a waiter costs is read as every row of the comparison reads memory: the process's peak
//! resident set (`VmHWM`), against the same peak just before it spawned anything (its runtime
//! started, no waiter yet): `per_waiter_bytes` is how far the waiters raised it, over N. (The
//! peak against the peak, not against the resident set of that moment: the kernel counts the
//! two from per-thread counters it folds in at different times, so they can disagree by a few
//! pages.) A model that
//! cannot have N waiters at once stops at a limit of the machine, and the report names it
//! ([`Limit`]) with the setting that lifts it.
//!
//! ```sh
//! cargo run --release -p waits --bin waits-tokio -- --n 1000000
//! cargo run --release -p waits --bin waits-green -- --n 10000 --stack-kib 16 --json
//! ```

use std::cell::Cell;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Parser;

/// A waiting program's command line.
#[derive(Debug, Parser)]
pub struct Args {
    /// How many waiters at once.
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    pub n: u64,
    /// How long each one waits, in seconds.
    #[arg(long, default_value_t = 10.0, value_parser = seconds)]
    pub wait: f64,
    /// The stack of each green thread, in KiB (waits-green only).
    #[arg(long, default_value_t = (green::STACK / 1024) as u64, value_parser = clap::value_parser!(u64).range(4..=65_536))]
    pub stack_kib: u64,
    /// Print one JSON object instead of a line of text.
    #[arg(long)]
    pub json: bool,
}

fn seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() && (0.0..=3600.0).contains(&v) => Ok(v),
        _ => Err(format!(
            "{text:?} is not a number of seconds from 0 to 3600"
        )),
    }
}

/// One run of the job: how many waiters, how long each waits, and when the last was spawned.
#[derive(Debug)]
pub struct Job {
    pub n: usize,
    pub wait: Duration,
    /// The green threads' stack, in bytes.
    pub stack: usize,
    started: Instant,
    /// The process before its first waiter: its runtime started, nothing spawned.
    before: Cell<Usage>,
    spawning: Cell<Option<Instant>>,
    spawned: Cell<Option<Instant>>,
}

impl Job {
    /// Marks the moment the first waiter is about to be spawned, the runtime ready: what the
    /// process holds now is the baseline a waiter's cost is read above.
    pub fn spawning(&self) {
        if self.spawning.get().is_none() {
            self.before.set(Usage::now());
            self.spawning.set(Some(Instant::now()));
        }
    }

    /// Marks the moment every waiter has been spawned (the first call counts).
    pub fn spawned(&self) {
        if self.spawned.get().is_none() {
            self.spawned.set(Some(Instant::now()));
        }
    }
}

/// What stopped a model short of N waiters: the machine's limit it met, by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limit {
    /// How many waiters it had when the next one failed.
    pub reached: usize,
    /// The limit, as `sysctl` or `ulimit` names it, with its value here and what lifts it.
    pub name: String,
    /// The error the next waiter met.
    pub error: String,
}

/// How a run ended: every waiter waited, or some did and a limit stopped the rest.
#[derive(Debug)]
pub enum Waited {
    All,
    Stopped(Limit),
}

/// Runs `job` for the model named `model` and prints its report: exit 0 when every waiter
/// waited, 1 when a limit stopped some (the report says which), 2 on a bad command line or a
/// runtime that would not start.
pub fn main(model: &str, wait_all: impl FnOnce(&Job) -> anyhow::Result<Waited>) -> ExitCode {
    let args = match Args::try_parse() {
        Ok(args) => args,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let Ok(n) = usize::try_from(args.n) else {
        eprintln!("{model}: --n {} does not fit this machine's usize", args.n);
        return ExitCode::from(2);
    };
    let job = Job {
        n,
        wait: Duration::from_secs_f64(args.wait),
        stack: usize::try_from(args.stack_kib).unwrap_or(usize::MAX / 1024) * 1024,
        started: Instant::now(),
        before: Cell::new(Usage::now()),
        spawning: Cell::new(None),
        spawned: Cell::new(None),
    };
    let outcome = wait_all(&job);
    let after = Usage::now();
    let report = match outcome {
        Ok(waited) => Report::new(model, &args, &job, &after, waited),
        Err(e) => {
            eprintln!("{model}: {e:#}");
            return ExitCode::from(2);
        }
    };
    if args.json {
        println!("{}", report.json());
    } else {
        println!("{}", report.line());
    }
    ExitCode::from(if report.limit.is_some() { 1 } else { 0 })
}

/// The readings of the process at one moment.
#[derive(Debug, Clone, Copy)]
struct Usage {
    hwm: u64,
    user_s: f64,
    sys_s: f64,
}

impl Usage {
    fn now() -> Usage {
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        let field = |name: &str| -> u64 {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
                .map_or(0, |kib| kib * 1024)
        };
        // SAFETY: getrusage writes the struct it is given, which lives for the call.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
        let s = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
        Usage {
            hwm: field("VmHWM:"),
            user_s: s(usage.ru_utime),
            sys_s: s(usage.ru_stime),
        }
    }
}

/// A run's figures.
#[derive(Debug)]
struct Report {
    model: String,
    n: usize,
    waited: usize,
    wait_s: f64,
    stack: Option<usize>,
    spawn_s: f64,
    wall_s: f64,
    user_s: f64,
    sys_s: f64,
    baseline_rss: u64,
    peak_rss: u64,
    limit: Option<Limit>,
}

impl Report {
    fn new(model: &str, args: &Args, job: &Job, after: &Usage, waited: Waited) -> Report {
        let ended = Instant::now();
        let before = job.before.get();
        let spawning = job.spawning.get().unwrap_or(job.started);
        let spawned = job.spawned.get().unwrap_or(ended);
        let (waited, limit) = match waited {
            Waited::All => (job.n, None),
            Waited::Stopped(limit) => (limit.reached, Some(limit)),
        };
        Report {
            model: model.to_string(),
            n: job.n,
            waited,
            wait_s: args.wait,
            stack: (model == "waits-green").then_some(job.stack),
            spawn_s: spawned.saturating_duration_since(spawning).as_secs_f64(),
            wall_s: (ended - job.started).as_secs_f64(),
            user_s: after.user_s - before.user_s,
            sys_s: after.sys_s - before.sys_s,
            baseline_rss: before.hwm,
            peak_rss: after.hwm,
            limit,
        }
    }

    fn per_waiter(&self) -> f64 {
        self.peak_rss.saturating_sub(self.baseline_rss) as f64 / self.waited.max(1) as f64
    }

    fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "model": self.model,
            "n": self.n,
            "waited": self.waited,
            "wait_s": self.wait_s,
            "stack_bytes": self.stack,
            "spawn_s": self.spawn_s,
            "wall_s": self.wall_s,
            "user_s": self.user_s,
            "sys_s": self.sys_s,
            "baseline_rss_bytes": self.baseline_rss,
            "peak_rss_bytes": self.peak_rss,
            "per_waiter_bytes": self.per_waiter(),
            "limit": self.limit.as_ref().map(|l| l.name.clone()),
            "error": self.limit.as_ref().map(|l| l.error.clone()),
        })
    }

    fn line(&self) -> String {
        let mut line = format!(
            "{}: {} waiters of {} waited {} s each: spawned in {:.3} s, done in {:.3} s, {:.3} s of CPU, \
             peak RSS {:.1} MiB ({:.0} bytes a waiter above the {:.1} MiB before)",
            self.model,
            self.waited,
            self.n,
            self.wait_s,
            self.spawn_s,
            self.wall_s,
            self.user_s + self.sys_s,
            self.peak_rss as f64 / 1048576.0,
            self.per_waiter(),
            self.baseline_rss as f64 / 1048576.0,
        );
        if let Some(limit) = &self.limit {
            line.push_str(&format!("; stopped by {} ({})", limit.name, limit.error));
        }
        line
    }
}

/// Which limit of the machine an error to spawn a thread or map a stack met, read off the
/// machine: the process's memory mappings against `vm.max_map_count` (those it has now, or, if
/// the waiters that held them are gone, `maps_each` for each of the `reached` waiters), the
/// machine's tasks against `kernel.pid_max` and `kernel.threads-max`, else memory.
pub fn limit_met(reached: usize, maps_each: usize, error: &std::io::Error) -> Limit {
    let sysctl = |path: &str| -> Option<u64> {
        std::fs::read_to_string(format!("/proc/sys/{path}"))
            .ok()?
            .trim()
            .parse()
            .ok()
    };
    let maps = std::fs::read_to_string("/proc/self/maps").map_or(0, |m| m.lines().count() as u64);
    let maps = maps.max((reached * maps_each) as u64);
    let tasks: u64 = std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let name = e.file_name();
            name.to_str()?.parse::<u32>().ok()?;
            let status = std::fs::read_to_string(e.path().join("status")).ok()?;
            status
                .lines()
                .find_map(|l| l.strip_prefix("Threads:"))?
                .trim()
                .parse::<u64>()
                .ok()
        })
        .sum();
    let near = |have: u64, max: Option<u64>| max.is_some_and(|m| have + 64 >= m);
    let name = if near(maps, sysctl("vm/max_map_count")) {
        format!(
            "vm.max_map_count ({} here; sysctl -w vm.max_map_count=N lifts it)",
            sysctl("vm/max_map_count").unwrap_or(0)
        )
    } else if near(tasks, sysctl("kernel/pid_max")) {
        format!(
            "kernel.pid_max ({} here; sysctl -w kernel.pid_max=N lifts it, to 4,194,304)",
            sysctl("kernel/pid_max").unwrap_or(0)
        )
    } else if near(tasks, sysctl("kernel/threads-max")) {
        format!(
            "kernel.threads-max ({} here; sysctl -w kernel.threads-max=N lifts it)",
            sysctl("kernel/threads-max").unwrap_or(0)
        )
    } else {
        "memory (the kernel refused another mapping)".to_string()
    };
    Limit {
        reached,
        name,
        error: error.to_string(),
    }
}
