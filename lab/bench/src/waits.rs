//! The waits part: every waiting program ([`catalogue::WAITERS`]) at N = 1,000 to 1,000,000
//! waiters, each waiting on a timer (10 s) with no socket, each run a process of its own: its
//! peak RSS, what a waiter adds to it, how long spawning them took, its CPU and wall time, or the
//! limit of the machine it met. The green threads run twice, with the hub's stack and a small
//! one. The Python programs run where [`Context::python`] is, Node's where Node is.
//!
//! Writes `waits/runs.csv` (a line per run) and every report under `waits/raw/`.

use std::fmt::Write as _;
use std::process::Command;
use std::time::Duration;

use catalogue::{Language, WAITERS, Waiter};
use runfiles::{WaitRun, WaitSettings, WaitStatus};
use serde_json::Value;

use benchkit::context::{Context, interrupted};
use benchkit::runner::{self, Outcome};

/// The stack of the green threads' second run, in KiB: a sleeping green thread touches little
/// of the hub's 256.
const SMALL_STACK_KIB: u64 = 16;

/// One run to make: a program, its setting, and N.
#[derive(Debug, Clone)]
struct Cell {
    waiter: &'static Waiter,
    /// Extra arguments: the green threads' stack.
    setting: Vec<String>,
    n: u64,
}

/// What the waits part will run.
#[derive(Debug)]
pub struct Plan {
    cells: Vec<Cell>,
    wait_s: f64,
    skipped: Vec<String>,
}

pub fn plan(ctx: &Context) -> anyhow::Result<Plan> {
    let (ns, wait_s): (&[u64], f64) = if ctx.quick() {
        (&[100, 1_000], 0.2)
    } else {
        (&[1_000, 10_000, 100_000, 1_000_000], 10.0)
    };
    let mut skipped = Vec::new();
    let runs_here = |w: &Waiter| match w.language {
        Language::Rust => true,
        Language::Python => ctx.python.is_some(),
        Language::Node => ctx.javascript.node.is_some(),
    };
    let mut cells = Vec::new();
    for waiter in WAITERS {
        if !runs_here(waiter) {
            skipped.push(waiter.name.to_string());
            continue;
        }
        let mut settings = vec![Vec::new()];
        if waiter.name == "waits-green" {
            settings.push(vec!["--stack-kib".into(), SMALL_STACK_KIB.to_string()]);
        }
        for setting in settings {
            cells.extend(ns.iter().map(|&n| Cell {
                waiter,
                setting: setting.clone(),
                n,
            }));
        }
    }
    Ok(Plan {
        cells,
        wait_s,
        skipped,
    })
}

impl Cell {
    fn label(&self) -> String {
        std::iter::once(self.waiter.name.to_string())
            .chain(self.setting.iter().cloned())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// How long it should take: the wait, the spawning (an interpreter's is slower), the start.
    fn expected(&self, wait_s: f64) -> Duration {
        let per = match self.waiter.language {
            Language::Rust => 1e-6,
            Language::Python => 2e-5,
            Language::Node => 5e-6,
        };
        Duration::from_secs_f64(wait_s + 0.3 + self.n as f64 * per)
    }

    fn command(&self, ctx: &Context, wait_s: f64) -> Command {
        let mut command = match self.waiter.language {
            Language::Rust => Command::new(ctx.args.bin_dir.join(self.waiter.name)),
            Language::Python => {
                let python = ctx.python.clone().unwrap_or_default();
                let mut command = Command::new(python);
                command.arg(self.waiter.path());
                command
            }
            Language::Node => {
                let mut command = Command::new(catalogue::NODE);
                // A million promises and timers outgrow V8's default heap on some machines.
                command
                    .arg("--max-old-space-size=16384")
                    .arg(self.waiter.path());
                command
            }
        };
        command
            .args([
                "--n",
                &self.n.to_string(),
                "--wait",
                &wait_s.to_string(),
                "--json",
            ])
            .args(&self.setting);
        command
    }
}

impl Plan {
    pub fn expected(&self) -> Duration {
        self.cells.iter().map(|c| c.expected(self.wait_s)).sum()
    }

    pub fn measure(self, ctx: &mut Context) -> anyhow::Result<WaitSettings> {
        let dir = ctx.dir("waits")?;
        std::fs::create_dir_all(dir.join("raw"))?;
        for name in &self.skipped {
            ctx.progress.say(&format!(
                "waits: {name} is left out (its interpreter is not installed here)"
            ));
        }
        let mut rows: Vec<WaitRun> = Vec::new();
        for cell in &self.cells {
            if interrupted() {
                break;
            }
            let what = format!("waits · N={} · {}", cell.n, cell.label());
            ctx.progress.start(&what);
            let deadline = Duration::from_secs_f64(self.wait_s * 3.0 + 300.0);
            let outcome = runner::run_command(&mut cell.command(ctx, self.wait_s), deadline);
            if interrupted() {
                break;
            }
            let said = match &outcome {
                Outcome::Report { json, raw } => {
                    let file = format!("{}-{}.json", cell.label().replace([' ', '-'], "_"), cell.n);
                    std::fs::write(dir.join("raw").join(file), raw)?;
                    rows.push(row(cell, json, ""));
                    describe(json)
                }
                Outcome::Broken(why) => {
                    rows.push(row(cell, &Value::Null, why));
                    why.clone()
                }
            };
            ctx.progress
                .finish(&what, cell.expected(self.wait_s), &said);
            // What was measured is kept, whatever stops the part.
            runfiles::write(&ctx.out, runfiles::WAIT_RUNS, &rows)?;
        }
        let ns: std::collections::BTreeSet<u64> = self.cells.iter().map(|c| c.n).collect();
        Ok(WaitSettings {
            ns: ns.into_iter().collect(),
            wait_s: self.wait_s,
            small_stack_kib: SMALL_STACK_KIB,
            left_out: self.skipped,
        })
    }
}

/// A row of `runs.csv` from a run's report (or none, with why).
fn row(cell: &Cell, json: &Value, note: &str) -> WaitRun {
    let f = |key: &str| json[key].as_f64();
    let u = |key: &str| json[key].as_u64();
    WaitRun {
        program: cell.waiter.name.to_string(),
        setting: cell.setting.join(" "),
        n: cell.n,
        status: match json {
            Value::Null => WaitStatus::Broken,
            _ if json["limit"].is_null() => WaitStatus::Ok,
            _ => WaitStatus::Limited,
        },
        waited: u("waited"),
        wait_s: f("wait_s"),
        stack_bytes: u("stack_bytes"),
        spawn_s: f("spawn_s"),
        wall_s: f("wall_s"),
        user_s: f("user_s"),
        sys_s: f("sys_s"),
        baseline_rss: f("baseline_rss_bytes"),
        peak_rss: f("peak_rss_bytes"),
        per_waiter: f("per_waiter_bytes"),
        limit: json["limit"].as_str().unwrap_or("").to_string(),
        note: note.to_string(),
    }
}

fn describe(json: &Value) -> String {
    let mib = json["peak_rss_bytes"].as_f64().unwrap_or(0.0) / f64::from(1 << 20);
    let mut said = format!(
        "{} waited, {:.1} MiB, {:.0} bytes each, spawned in {:.3} s, {:.3} s",
        json["waited"],
        mib,
        json["per_waiter_bytes"].as_f64().unwrap_or(0.0),
        json["spawn_s"].as_f64().unwrap_or(0.0),
        json["wall_s"].as_f64().unwrap_or(0.0),
    );
    if let Some(limit) = json["limit"].as_str() {
        let _ = write!(said, "; stopped by {limit}");
    }
    said
}
