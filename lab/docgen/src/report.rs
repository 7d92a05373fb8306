//! A run's own report: `report.md` and the charts, in the run's folder, made by the same
//! functions as the committed pages (every table and every claim of RESULTS.md and
//! SERVERS.md). A claim this run does not support is not an error here: the report lists it
//! with why, so that a reader sees which of the published findings their machine bears out.
//!
//! ```sh
//! scripts/run_all.sh --quick --out /tmp/quick      # ends with: docgen report /tmp/quick
//! cargo run -p docgen -- report /tmp/quick
//! ```

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::pages;
use rundata::Run;
use tables::setup::{self, Side};

/// Writes a run's report.md and charts into its folder.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The run: a folder written by `scripts/run_all.sh --out DIR`.
    run: PathBuf,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let run = Run::read(&args.run)?;
    let dir = args.run.join("charts");
    std::fs::create_dir_all(&dir)?;
    let charts = crate::charts::draw(&run, &dir)?;
    let mut md = String::from("# The run\n\n");
    md.push_str(&setup::setup(&run, Side::Clients));
    md.push_str(
        setup::setup(&run, Side::Servers)
            .lines()
            .last()
            .unwrap_or(""),
    );
    md.push_str("\n\n");
    for chart in &charts {
        let _ = writeln!(md, "![{chart}](charts/{chart})\n");
    }
    let mut unsupported = Vec::new();
    let mut page = "";
    for (kind, name, claim) in pages::all_sections(&run) {
        if name == "setup" {
            continue;
        }
        if kind != page {
            page = kind;
            let _ = writeln!(
                md,
                "## {}\n",
                if kind == "results" {
                    "The clients (as in RESULTS.md)"
                } else {
                    "The servers (as in SERVERS.md)"
                }
            );
        }
        match claim {
            Ok(text) => {
                let _ = writeln!(md, "### {kind}:{name}\n\n{text}");
            }
            Err(why) => unsupported.push(format!("- `{kind}:{name}`: {why}")),
        }
    }
    if !unsupported.is_empty() {
        let _ = writeln!(
            md,
            "## The published claims this run does not bear out\n\n{}",
            unsupported.join("\n")
        );
    }
    let path = args.run.join("report.md");
    std::fs::write(&path, md)?;
    println!(
        "report: {} ({} charts; {} published claims not borne out by this run)",
        path.display(),
        charts.len(),
        unsupported.len()
    );
    Ok(ExitCode::SUCCESS)
}
