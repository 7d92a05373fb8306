//! The experiments that explain a figure with a before and an after, which the one run cannot
//! remake (the before is code that no longer exists): each is a page of its own under
//! `docs/experiments/`, its tables generated from its own data, and stamped with its own
//! machine and commit (`stamp.json` beside each run), which it states where it is shown.

use std::fmt::Write as _;
use std::path::Path;

use figures::format::{group, mib};
use figures::page::{self, read};

use findings::Section;
use rundata::Servers;

/// The folder of the experiments.
pub const DIR: &str = "docs/experiments";

/// A run's stamp: where and from what it was measured, in one line.
fn stamp(dir: &Path) -> anyhow::Result<String> {
    let m: serde_json::Value = serde_json::from_str(&read(&dir.join("stamp.json"))?)?;
    let text = |key: &str| m[key].as_str().unwrap_or("?").to_string();
    Ok(format!(
        "{} cores ({}), Linux {}, {}; commit `{}`, run on {}; `{}`",
        m["cores"],
        text("cpu"),
        text("kernel"),
        text("rustc"),
        text("commit"),
        text("date"),
        text("command"),
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
            let rows = page::rows(&read(&dir.join(run).join("runs.csv"))?);
            let servers = Servers::from_rows(&rows);
            for c in servers.connections() {
                let (Some(smol), Some(tokio)) = (
                    servers.point("serve-smol", c),
                    servers.point("serve-tokio", c),
                ) else {
                    continue;
                };
                let _ = writeln!(
                    table,
                    "| {run} | {} | {:.1} | {:.1} | {:.2} | {} | {} |",
                    group(c),
                    smol.cpu_us(),
                    tokio.cpu_us(),
                    smol.cpu_us() / tokio.cpu_us(),
                    mib(smol.peak_rss_kib * 1024.0),
                    mib(tokio.peak_rss_kib * 1024.0),
                );
            }
        }
        Ok((stamps, table))
    };
    match made() {
        Ok((stamps, table)) => vec![("runs", Ok(stamps)), ("table", Ok(table))],
        Err(e) => vec![(
            "runs",
            Err(findings::Unsupported::Missing(format!("{e:#}"))),
        )],
    }
}

/// The section of `compio-perf/README.md`: the stamp of its profile.
pub fn compio_perf(root: &Path) -> Vec<Section> {
    let dir = root.join(DIR).join("compio-perf");
    vec![(
        "stamp",
        stamp(&dir)
            .map(|s| format!("Measured on {s}.\n"))
            .map_err(|e| findings::Unsupported::Missing(format!("{e:#}"))),
    )]
}
