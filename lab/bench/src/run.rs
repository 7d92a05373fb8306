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
//! Each run's server listens on an address of its own ([`benchkit::addresses`]), so no run waits for
//! the ports of the one before. Ctrl-C stops the run after the measurement under way, and what
//! was measured so far is written, `settings.json` saying it was interrupted.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::{clients, hostile, memory, servers, syscalls, waits};
use anyhow::Context as _;
use benchkit::addresses::Addresses;
use benchkit::context::{Args, Context, Planned, catch_signals, interrupted};
use benchkit::machine;
use benchkit::progress::Progress;
use runfiles::{Part, PartRecord, Settings, Skippable};

pub fn run(args: Args) -> anyhow::Result<std::process::ExitCode> {
    let args = args.for_verdict();
    catch_signals();
    let python = benchkit::runner::python_version(&args.python);
    let javascript = benchkit::context::JavaScriptSide::find();
    let machine = machine::read(python.clone(), &javascript);
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
        javascript,
        args,
        out,
        addresses: Addresses::new(),
        progress: Progress::new(Duration::ZERO),
        time_scale,
        clients: None,
    };
    eprintln!("machine: {}", machine::describe(&machine));
    eprintln!("output:  {}", ctx.out.display());
    match &python {
        Some(version) => eprintln!("python:  {version} ({})", ctx.args.python.display()),
        None => eprintln!(
            "python:  no {}; the Python rows are left out (scripts/python.sh creates it)",
            ctx.args.python.display()
        ),
    }
    eprintln!("js:      {}", ctx.javascript.describe());
    runfiles::write_json(&ctx.out, runfiles::MACHINE, &machine)?;

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
    let mut settings = Settings::new(command_line(), ctx.args.quick, time_scale);
    for (part, plan) in plans {
        if interrupted() {
            break;
        }
        let part_started = Instant::now();
        let record = plan.measure(part, &mut ctx, part_started)?;
        settings.parts.push(record);
    }
    ctx.progress.clear();
    settings.took_s = started.elapsed().as_secs_f64();
    settings.time_wait_waited_s = ctx.addresses.waited().as_secs_f64();
    settings.interrupted = interrupted();
    runfiles::write_json(&ctx.out, runfiles::SETTINGS, &settings)?;
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
    Waits(waits::Plan),
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
            Plan::Waits(p) => p.expected(),
            Plan::Skipped(_) => Duration::ZERO,
        }
    }

    /// Measures it; returns its settings for `settings.json`.
    /// Measures the part: its record in `settings.json`, with its settings as their type.
    fn measure(
        self,
        part: Part,
        ctx: &mut Context,
        started: Instant,
    ) -> anyhow::Result<PartRecord> {
        fn ran<T: serde::Serialize>(part: Part, started: Instant, settings: T) -> PartRecord {
            PartRecord::new(
                part,
                started.elapsed().as_secs_f64(),
                &Skippable::Ran(settings),
            )
        }
        Ok(match self {
            Plan::Clients(p) => ran(part, started, p.measure(ctx)?),
            Plan::Servers(p) => ran(part, started, p.measure(ctx)?),
            Plan::Hostile(p) => ran(part, started, p.measure(ctx)?),
            Plan::Syscalls(p) => ran(part, started, p.measure(ctx)?),
            Plan::Memory(p) => ran(part, started, p.measure(ctx)?),
            Plan::Waits(p) => ran(part, started, p.measure(ctx)?),
            Plan::Skipped(why) => {
                ctx.progress.say(&why);
                PartRecord::new::<()>(part, 0.0, &Skippable::Skipped { skipped: why })
            }
        })
    }
}

fn plan(part: Part, ctx: &Context) -> anyhow::Result<Plan> {
    fn or_skipped<P>(planned: Planned<P>, plan: fn(P) -> Plan) -> Plan {
        match planned {
            Planned::Ready(p) => plan(p),
            Planned::Skipped(why) => Plan::Skipped(why),
        }
    }
    Ok(match part {
        Part::Talks | Part::Sweeps | Part::Ceiling | Part::ReadBuffer => {
            Plan::Clients(clients::plan(part, ctx)?)
        }
        Part::Servers => or_skipped(servers::plan(ctx)?, Plan::Servers),
        Part::Hostile => or_skipped(hostile::plan(ctx)?, Plan::Hostile),
        Part::Syscalls => or_skipped(syscalls::plan(ctx)?, Plan::Syscalls),
        Part::Memory => or_skipped(memory::plan(ctx)?, Plan::Memory),
        Part::Waits => Plan::Waits(waits::plan(ctx)?),
    })
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
