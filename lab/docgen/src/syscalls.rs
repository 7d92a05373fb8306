//! The system calls of a run's servers, read through the run's types: the table SERVERS.md
//! shows, and a check that a server makes at most so many calls a request.
//!
//! ```sh
//! scripts/syscalls.sh --max serve-reactor=2.5      # measures, then: docgen syscalls DIR --max ...
//! cargo run -p docgen -- syscalls /tmp/run --max serve-reactor=2.5
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use rundata::Results;
use tables::servers::{calls_of, syscalls};

/// Prints a run's system calls per request, and checks each `--max`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The run: a folder with `syscalls/syscalls.csv`.
    run: PathBuf,
    /// Fails when SERVER makes more than CALLS system calls per request.
    #[arg(long, value_name = "SERVER=CALLS")]
    max: Vec<String>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let run = Results::read(&args.run)?;
    print!("{}", syscalls(&run));
    let mut status = ExitCode::SUCCESS;
    for limit in &args.max {
        let (server, max) = limit
            .split_once('=')
            .with_context(|| format!("--max {limit}: say SERVER=CALLS"))?;
        let max: f64 = max
            .parse()
            .with_context(|| format!("--max {limit}: CALLS is a number"))?;
        let (requests, calls) = calls_of(&run, server);
        let per: f64 = calls.iter().map(|(_, n, _)| n).sum();
        if requests.is_nan() || requests <= 0.0 {
            eprintln!("syscalls: {server} answered no requests under strace");
            status = ExitCode::FAILURE;
        } else if per > max {
            eprintln!(
                "syscalls: {server} makes {per:.3} system calls per request, more than {max}"
            );
            status = ExitCode::FAILURE;
        } else {
            eprintln!("{server}: {per:.3} system calls per request, at most {max}");
        }
    }
    Ok(status)
}
