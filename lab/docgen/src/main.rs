//! The documents, made from committed data: one run of `bench run` (CSV, JSON, the machine and
//! the settings), the rows the fault tests kept, the talks' own figures and the crates' sources.
//! It measures nothing, so any document can be made again, or checked, without running a
//! benchmark.
//!
//! ```sh
//! cargo run -p docgen -- pages --write      # RESULTS.md, SERVERS.md, README.md's and MODELS.md's
//!                                           # figures, every chart, the book's generated parts,
//!                                           # the links at the end of every model's header
//! cargo run -p docgen -- pages --check      # in CI: all of them against docs/results
//! cargo run -p docgen -- faults --write docs/FAULTS.md   # after cargo test --workspace
//! cargo run -p docgen -- report results/DATE             # a run's own report.md and charts
//! cargo run -p docgen -- syscalls results/DATE --max serve-reactor=2.5
//! ```

mod book;
mod charts;
mod experiments;
mod faults;
mod headers;
mod pages;
mod report;
#[cfg(test)]
mod sentences;
mod syscalls;

use std::process::ExitCode;

use clap::Parser;

#[derive(Debug, Parser)]
#[command(
    version,
    about = "Turns the committed run into the documents and charts"
)]
enum Docgen {
    /// Every document made from the committed run: write them, or check them.
    Pages(pages::Args),
    /// docs/FAULTS.md, from the rows the fault tests kept.
    Faults(faults::Args),
    /// A run's own report.md and charts, in its folder.
    Report(report::Args),
    /// A run's system calls per request, and a check of each server's (scripts/syscalls.sh).
    Syscalls(syscalls::Args),
}

fn main() -> anyhow::Result<ExitCode> {
    match Docgen::parse() {
        Docgen::Pages(args) => pages::run(args),
        Docgen::Faults(args) => faults::run(args),
        Docgen::Report(args) => report::run(args),
        Docgen::Syscalls(args) => syscalls::run(args),
    }
}
