//! The benchmarks: every model and every server measured as processes of their own, the raw
//! figures written to one folder (CSV, the models' JSON, the load generator's output, the
//! machine and the settings). It draws nothing: `docgen` turns a folder it wrote, or the
//! committed one, into the documents and charts, so that a document can be made again without
//! measuring again.
//!
//! ```sh
//! cargo build --release --workspace
//! cargo run --release -p bench -- run --quick --out /tmp/quick     # scripts/run_all.sh --quick
//! cargo run --release -p bench -- run --only servers --out /tmp/s  # one part
//! ```

mod clients;
mod hostile;
mod memory;
mod run;
mod servers;
mod syscalls;
mod waits;

use std::process::ExitCode;

use clap::Parser;

#[derive(Debug, Parser)]
#[command(
    version,
    about = "Measures the models and the servers; docgen draws the results"
)]
enum Bench {
    /// Everything the documents show, in one run into one folder (or the parts --only names).
    Run(benchkit::context::Args),
}

fn main() -> anyhow::Result<ExitCode> {
    match Bench::parse() {
        Bench::Run(args) => run::run(args),
    }
}
