//! The experiments that explain a figure with a before and an after, which the one run cannot
//! remake (the before is code that no longer exists): each is a page of its own under
//! `docs/experiments/`, its tables generated from its own data, and stamped with its own
//! machine and commit (`stamp.json` beside each run), which it states where it is shown.

use std::fmt::Write as _;
use std::path::Path;

use figures::format::{group, median, mib};
use figures::page::read;
use serde::{Deserialize, Serialize};

use findings::Section;

/// The folder of the experiments.
pub const DIR: &str = "docs/experiments";

/// An experiment's `stamp.json`: where and from what it was measured.
#[derive(Debug, Deserialize)]
struct Stamp {
    cores: u32,
    cpu: String,
    kernel: String,
    rustc: String,
    commit: String,
    date: String,
    command: String,
}

/// The columns of an experiment's `runs.csv` that its table reads (a server's figures at C,
/// one run each), in the format of its day.
#[derive(Debug, Default, Serialize, Deserialize)]
struct ExperimentRun {
    server: String,
    connections: u64,
    cpu_s_per_1000: f64,
    peak_rss_kib: f64,
}

/// A run's stamp: where and from what it was measured, in one line.
fn stamp(dir: &Path) -> anyhow::Result<String> {
    let m: Stamp = serde_json::from_str(&read(&dir.join("stamp.json"))?)?;
    Ok(format!(
        "{} ({}), Linux {}, {}; commit `{}`, run on {}; `{}`",
        figures::prose::cores(m.cores),
        m.cpu,
        m.kernel,
        m.rustc,
        m.commit,
        m.date,
        m.command,
    ))
}

/// The sections of `smol-glue/README.md`: the stamps of its three runs and serve-smol's CPU
/// per request beside serve-tokio's in each.
pub fn smol_glue(root: &Path) -> Vec<Section> {
    let dir = root.join(DIR).join("smol-glue");
    let made = || -> anyhow::Result<(String, String)> {
        let mut stamps = String::from("| run | serve-smol's code | measured on |\n|---|---|---|\n");
        let mut table = String::from(
            "| run | C | serve-smol, µs of CPU per request | serve-tokio | ratio | serve-smol RSS | \
             serve-tokio RSS |\n|---|---:|---:|---:|---:|---:|---:|\n",
        );
        for (run, code) in [
            (
                "before",
                "`futures_lite::future::block_on`, smol-hyper's `FuturesIo`",
            ),
            (
                "block-on",
                "`smol::block_on` on every executor thread, still `FuturesIo`",
            ),
            (
                "after",
                "and hyper reading straight into its buffer (`crates/serve-smol/src/io.rs`)",
            ),
        ] {
            let _ = writeln!(
                stamps,
                "| [{run}]({run}/runs.csv) | {code} | {} |",
                stamp(&dir.join(run))?
            );
            let rows: Vec<ExperimentRun> = runfiles::read_columns(&dir.join(run).join("runs.csv"))?;
            // The median of a server's repeats at C.
            let at = |server: &str, c: u64| {
                let these: Vec<&ExperimentRun> = rows
                    .iter()
                    .filter(|r| r.server == server && r.connections == c)
                    .collect();
                (!these.is_empty()).then(|| ExperimentRun {
                    server: server.to_string(),
                    connections: c,
                    cpu_s_per_1000: median(these.iter().map(|r| r.cpu_s_per_1000)),
                    peak_rss_kib: median(these.iter().map(|r| r.peak_rss_kib)),
                })
            };
            let connections: std::collections::BTreeSet<u64> =
                rows.iter().map(|r| r.connections).collect();
            for c in connections {
                let (Some(smol), Some(tokio)) = (at("serve-smol", c), at("serve-tokio", c)) else {
                    continue;
                };
                let _ = writeln!(
                    table,
                    "| {run} | {} | {:.1} | {:.1} | {:.2} | {} | {} |",
                    group(c),
                    smol.cpu_s_per_1000 * 1000.0,
                    tokio.cpu_s_per_1000 * 1000.0,
                    smol.cpu_s_per_1000 / tokio.cpu_s_per_1000,
                    mib(smol.peak_rss_kib * 1024.0),
                    mib(tokio.peak_rss_kib * 1024.0),
                );
            }
        }
        Ok((stamps, table))
    };
    match made() {
        Ok((stamps, table)) => vec![
            Section::table("runs", stamps),
            Section::table("table", table),
        ],
        Err(e) => vec![Section::laid_out(
            "runs",
            Err(findings::Unsupported::Missing(format!("{e:#}"))),
        )],
    }
}

/// The section of `compio-perf/README.md`: the stamp of its profile.
pub fn compio_perf(root: &Path) -> Vec<Section> {
    let dir = root.join(DIR).join("compio-perf");
    vec![Section::laid_out(
        "stamp",
        stamp(&dir)
            .map(|s| format!("Measured on {s}.\n"))
            .map_err(|e| findings::Unsupported::Missing(format!("{e:#}"))),
    )]
}
