//! A run's own report: `report.md` and the charts, in the run's folder, made by the same
//! functions as the committed pages (every table and every claim of README.md, RESULTS.md,
//! SERVERS.md, WAITS.md and MODELS.md). A claim this run does not support is not an error
//! here: the report lists every claim with its outcome (held, not held and why, or not measured
//! and what was missing), so that a reader sees which of the published findings their machine
//! bears out, and none disappears.
//!
//! ```sh
//! scripts/run_all.sh --quick --out /tmp/quick      # ends with: docgen report /tmp/quick
//! cargo run -p docgen -- report /tmp/quick
//! ```

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::pages;
use findings::{Kind, Outcome, Section};
use rundata::Results;
use runfiles::Part;
use tables::setup::{self, Side};

/// Writes a run's report.md and charts into its folder.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The run: a folder written by `scripts/run_all.sh --out DIR`.
    run: PathBuf,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let run = Results::read(&args.run)?;
    let dir = args.run.join("charts");
    std::fs::create_dir_all(&dir)?;
    let charts = crate::charts::draw(&run, &dir)?;
    let sections = pages::all_sections(&run, Path::new("."));
    let md = report(&run, &sections, &charts);
    let path = args.run.join("report.md");
    std::fs::write(&path, md)?;
    let count = Count::of(&sections);
    println!(
        "report: {} ({} charts; of {} claims, {} held, {} not held, {} not measured, {} not judged \
         at this scale)",
        path.display(),
        charts.len(),
        count.claims,
        count.held,
        count.not_held,
        count.not_measured,
        count.not_judged,
    );
    Ok(ExitCode::SUCCESS)
}

/// How many claims came out each way.
#[derive(Debug, Default, PartialEq)]
pub struct Count {
    pub claims: usize,
    pub held: usize,
    pub not_held: usize,
    pub not_measured: usize,
    pub not_judged: usize,
}

impl Count {
    pub fn of(sections: &[(&str, Section)]) -> Count {
        let mut count = Count::default();
        for (_, section) in sections.iter().filter(|(_, s)| s.kind == Kind::Claim) {
            count.claims += 1;
            match section.outcome() {
                Outcome::Held => count.held += 1,
                Outcome::NotHeld(_) => count.not_held += 1,
                Outcome::NotMeasured(_) => count.not_measured += 1,
                Outcome::NotJudged(_) => count.not_judged += 1,
            }
        }
        count
    }
}

/// What the run did not measure, and why, as its settings say: the reasons behind the claims
/// it could not judge.
fn left_out(run: &Results) -> Vec<String> {
    let settings = &run.settings;
    let mut out = Vec::new();
    for part in Part::ALL {
        if let Some(why) = settings.skipped(part) {
            out.push(format!("The part `{part}`: {why}."));
        } else if !settings.parts.iter().any(|p| p.part == part) {
            out.push(format!("The part `{part}`: not in this run (`--only`)."));
        }
    }
    if let Some(servers) = &run.parts.servers {
        let modes = [
            ("pinned", servers.pinned.not_run()),
            ("fixed-rate", servers.rates.not_run()),
        ];
        for (mode, why) in modes {
            if let Some(why) = why {
                out.push(format!("The servers' {mode} mode: {why}."));
            }
        }
    }
    if let Some(clients) = run.parts.clients() {
        if !clients.python_rows {
            out.push(
                "The talks' Python programs: no `python/.venv` here (`scripts/python.sh` makes it)."
                    .into(),
            );
        }
        if clients.node.is_none() {
            out.push("The talks' JavaScript in Node: no `node` here (`scripts/js.sh`).".into());
        }
        if clients.chromium.is_none() {
            out.push("The talk's page in a browser: no Chromium here (`scripts/js.sh`).".into());
        }
    }
    if let Some(waits) = run.parts.waits.as_ref().filter(|w| !w.left_out.is_empty()) {
        out.push(format!(
            "Waiters whose interpreter is not installed here: {}.",
            waits.left_out.join(", ")
        ));
    }
    out
}

/// README's verdict on this run's machine: each row's outcome, then the table as this run
/// makes it.
fn verdict_rows(run: &Results) -> String {
    let rows = verdict::rows(run);
    let mut md = String::from(
        "## The verdict, row by row\n\nWhether this machine bears out README's verdict:\n\n\
         | model | outcome |\n|---|---|\n",
    );
    for row in &rows {
        let section = Section::claim("verdict", row.cells.clone().map(|_| String::new()));
        let section = if run.settings.quick {
            section.at_small_scale()
        } else {
            section
        };
        let _ = writeln!(
            md,
            "| {} | {} |",
            row.model.short,
            section.outcome().to_string().replace('|', "\\|")
        );
    }
    let _ = writeln!(
        md,
        "\nThe table from this run:\n\n{}",
        verdict::table(run, &rows)
    );
    md
}

/// The page a kind of section belongs to.
fn page(kind: &str) -> &'static str {
    match kind {
        "results" => "RESULTS.md",
        "servers" => "SERVERS.md",
        "waits" => "WAITS.md",
        "readme" => "README.md",
        "models" => "MODELS.md",
        _ => "?",
    }
}

/// The report: the machine and the run, every claim with its outcome, then every section that
/// the run could make, page by page, and the charts.
pub fn report(run: &Results, sections: &[(&str, Section)], charts: &[String]) -> String {
    let mut md = String::from("# The run\n\n");
    md.push_str(&setup::setup(run, Side::Clients));
    md.push_str(
        setup::setup(run, Side::Servers)
            .lines()
            .last()
            .unwrap_or(""),
    );
    md.push_str("\n\n");
    md.push_str(&verdict_rows(run));
    md.push_str("\n## Every claim, and what this run says of it\n\n");
    let count = Count::of(sections);
    let _ = writeln!(
        md,
        "Of the {} claims the pages make, this run bears out {}; {} it does not bear out; {} it \
         did not measure; {} its scale cannot judge.\n\n| page | claim | outcome |\n|---|---|---|",
        count.claims, count.held, count.not_held, count.not_measured, count.not_judged
    );
    for (kind, section) in sections.iter().filter(|(_, s)| s.kind == Kind::Claim) {
        let _ = writeln!(
            md,
            "| {} | `{kind}:{}` | {} |",
            page(kind),
            section.name,
            section
                .outcome()
                .to_string()
                .replace('|', "\\|")
                .replace('\n', " ")
        );
    }
    md.push('\n');
    let left_out = left_out(run);
    if !left_out.is_empty() {
        md.push_str("## What this run left out, and why\n\n");
        for line in &left_out {
            let _ = writeln!(md, "- {line}");
        }
        md.push('\n');
    }
    let mut shown = "";
    for (kind, section) in sections {
        let Ok(text) = &section.text else {
            continue;
        };
        if section.name == "setup" {
            continue;
        }
        if *kind != shown {
            shown = kind;
            let _ = writeln!(md, "## As in {}\n", page(kind));
        }
        let _ = writeln!(md, "### {kind}:{}\n\n{text}", section.name);
    }
    for chart in charts {
        let _ = writeln!(md, "![{chart}](charts/{chart})\n");
    }
    md
}
