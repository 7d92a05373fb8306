//! The benchmarks: every model and every server measured as processes of their own, the raw
//! figures written to a folder (CSV, the models' JSON, the load generator's output, the machine
//! and the settings). It draws nothing: `docgen` turns a folder it wrote, or a committed one,
//! into the documents and charts, so that a document can be made again without measuring again.
//!
//! ```sh
//! cargo build --release --workspace
//! cargo run --release -p bench -- clients --quick --out /tmp/quick   # scripts/run_all.sh
//! cargo run --release -p bench -- servers --quick --out /tmp/servers # scripts/serve_all.sh
//! cargo run --release -p bench -- hostile --quick --out /tmp/hostile # scripts/serve_all.sh --hostile
//! ```

mod cells;
mod clients;
mod hostile;
mod machine;
mod output;
mod ports;
mod runner;
mod servers;
mod summary;

use clap::Parser;

#[derive(Debug, Parser)]
#[command(
    version,
    about = "Measures the models and the servers; docgen draws the results"
)]
enum Bench {
    /// Every fetch-* model (and curl, the reference) on the talks' workloads and the sweeps.
    Clients(clients::Args),
    /// Every serve-* server under wrk (or oha), at each number of connections.
    Servers(servers::Args),
    /// Every serve-* server against hostile clients: idle connections, clients that never read,
    /// no descriptors left.
    Hostile(hostile::Args),
}

fn main() -> anyhow::Result<()> {
    match Bench::parse() {
        Bench::Clients(args) => clients::run(args),
        Bench::Servers(args) => servers::run(args),
        Bench::Hostile(args) => hostile::run(args),
    }
}
