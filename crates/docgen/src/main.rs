//! The documents, made from committed data: what `bench` measured (CSV, JSON, the machine), the
//! rows the fault tests kept, the talks' own figures and the crates' sources. It measures
//! nothing, so any document can be made again, or checked, without running a benchmark.
//!
//! ```sh
//! cargo run -p docgen -- results --write docs/RESULTS.md   # --check in CI
//! cargo run -p docgen -- servers --write docs/SERVERS.md   # and the servers' charts
//! cargo run -p docgen -- faults --write docs/FAULTS.md     # after cargo test --workspace
//! cargo run -p docgen -- book                              # the book's generated parts
//! cargo run -p docgen -- report results/DATE               # a run's report.md and charts
//! ```

mod book;
mod ceiling;
mod faults;
mod python;
mod report;
mod results;
mod servers;

use std::process::ExitCode;

use clap::Parser;

#[derive(Debug, Parser)]
#[command(version, about = "Turns committed runs into the documents and charts")]
enum Docgen {
    /// The tables of docs/RESULTS.md, from a comparison's run.
    Results(results::Args),
    /// The tables and charts of docs/SERVERS.md, from the servers' run.
    Servers(servers::Args),
    /// docs/FAULTS.md, from the rows the fault tests kept.
    Faults(faults::Args),
    /// The book's generated parts; checks its includes and links.
    Book(book::Args),
    /// A comparison run's report.md and charts, in its own folder.
    Report(report::Args),
}

fn main() -> anyhow::Result<ExitCode> {
    match Docgen::parse() {
        Docgen::Results(args) => results::run(args, ceiling::clients, python::clients),
        Docgen::Servers(args) => servers::run(args, ceiling::servers, python::servers),
        Docgen::Faults(args) => faults::run(args),
        Docgen::Book(args) => book::run(args),
        Docgen::Report(args) => report::run(args),
    }
}
