//! The waiting programs' table: every program (and setting) at every N, with its peak RSS, what
//! a waiter adds, how long spawning took, its CPU and wall time, or the limit it met.

use std::fmt::Write as _;

use figures::format::{group, mib, or_dash};
use rundata::Results;
use runfiles::{WaitRun, WaitStatus};

/// The rows of the run in their order: the catalogue's, each setting after the program's own.
pub fn labels(run: &Results) -> Vec<String> {
    let mut labels: Vec<String> = Vec::new();
    for waiter in catalogue::WAITERS {
        for w in run.waits.iter().filter(|w| w.program == waiter.name) {
            let label = w.label();
            if !labels.contains(&label) {
                labels.push(label);
            }
        }
    }
    labels
}

/// The Ns of the run, smallest first.
pub fn ns(run: &Results) -> Vec<u64> {
    let mut ns: Vec<u64> = run.waits.iter().map(|w| w.n).collect();
    ns.sort_unstable();
    ns.dedup();
    ns
}

/// The run of `label` at `n`.
pub fn at<'r>(run: &'r Results, label: &str, n: u64) -> Option<&'r WaitRun> {
    run.waits.iter().find(|w| w.label() == label && w.n == n)
}

/// Bytes as the table writes them: a few hundred in bytes, then KiB.
fn bytes(b: f64) -> String {
    if b < 10_000.0 {
        format!("{} B", group(b.round() as u64))
    } else {
        format!("{:.1} KiB", b / 1024.0)
    }
}

/// A row per program and setting, a column group per N: peak RSS and per waiter.
pub fn table(run: &Results) -> String {
    let ns = ns(run);
    if ns.is_empty() {
        return "Not measured in this run.\n".into();
    }
    let mut t = String::from("| program | what waits |");
    for n in &ns {
        let _ = write!(t, " N = {} |", group(*n));
    }
    t.push_str("\n|---|---|");
    t.push_str(&"---|".repeat(ns.len()));
    t.push('\n');
    for label in labels(run) {
        let unit = catalogue::Waiter::named(catalogue::program(&label)).map_or("", |w| w.unit);
        let _ = write!(t, "| `{label}` | {unit} |");
        for &n in &ns {
            let text = match at(run, &label, n) {
                None => "–".into(),
                Some(w) => cell(w),
            };
            let _ = write!(t, " {text} |");
        }
        t.push('\n');
    }
    t
}

/// A run's figures in a cell: peak RSS, per waiter; or how far it got and why it stopped.
fn cell(w: &WaitRun) -> String {
    match w.status {
        WaitStatus::Ok => format!(
            "{}, {} each",
            or_dash(w.peak_rss.map(mib)),
            or_dash(w.per_waiter.map(bytes))
        ),
        WaitStatus::Limited => format!(
            "{} of them: {}",
            or_dash(w.waited.map(group)),
            w.limit.split(" (").next().unwrap_or(&w.limit)
        ),
        _ => format!("broken ({})", w.note),
    }
}

/// The times: how long spawning took and the wall time past the wait, per program at each N.
pub fn times(run: &Results) -> String {
    let ns = ns(run);
    if ns.is_empty() {
        return "Not measured in this run.\n".into();
    }
    let mut t = String::from("| program |");
    for n in &ns {
        let _ = write!(t, " N = {} |", group(*n));
    }
    t.push_str("\n|---|");
    t.push_str(&"---:|".repeat(ns.len()));
    t.push('\n');
    for label in labels(run) {
        let _ = write!(t, "| `{label}` |");
        for &n in &ns {
            let text = match at(run, &label, n) {
                Some(w) if w.complete() => format!(
                    "{} + {} (CPU {})",
                    or_dash(w.spawn_s.map(|s| format!("{s:.3} s"))),
                    or_dash(
                        w.wall_s
                            .zip(w.wait_s)
                            .map(|(wall, wait)| format!("{:.3} s", wall - wait))
                    ),
                    or_dash(w.cpu_s().map(|s| format!("{s:.2} s"))),
                ),
                Some(w) => cell(w),
                None => "–".into(),
            };
            let _ = write!(t, " {text} |");
        }
        t.push('\n');
    }
    t
}

/// One row of a published table (`data/waits-published.tsv`).
#[derive(Debug, Clone, PartialEq)]
pub struct Published {
    pub year: u32,
    pub runtime: String,
    pub n: u64,
    pub memory_mb: f64,
    /// The waiting program of this workspace it is read beside, if any.
    pub like: String,
}

/// The rows of `data/waits-published.tsv`.
pub fn published_rows(tsv: &str) -> Vec<Published> {
    tsv.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            Some(Published {
                year: f.first()?.parse().ok()?,
                runtime: f.get(1)?.to_string(),
                n: f.get(2)?.parse().ok()?,
                memory_mb: f.get(3)?.parse().ok()?,
                like: f.get(4).unwrap_or(&"").to_string(),
            })
        })
        .collect()
}

/// The published tables beside this run: each runtime's figure in each year, and this run's
/// program of the same kind at the same N.
pub fn published(run: &Results, tsv: &str) -> String {
    let rows = published_rows(tsv);
    let mut runtimes: Vec<(&str, &str)> = Vec::new();
    for r in &rows {
        if !runtimes.iter().any(|(name, _)| *name == r.runtime) {
            runtimes.push((r.runtime.as_str(), r.like.as_str()));
        }
    }
    let years: Vec<u32> = {
        let mut y: Vec<u32> = rows.iter().map(|r| r.year).collect();
        y.dedup();
        y
    };
    let mut t = String::from("| at 1,000,000 | ");
    for y in &years {
        let _ = write!(t, "{y}, published | ");
    }
    t.push_str("this run | this run's program |\n|---|");
    t.push_str(&"---:|".repeat(years.len() + 1));
    t.push_str("---|\n");
    for (runtime, like) in runtimes {
        let _ = write!(t, "| {runtime} |");
        for y in &years {
            let text = rows
                .iter()
                .find(|r| r.year == *y && r.runtime == runtime && r.n == 1_000_000)
                .map_or("–".into(), |r| mb(r.memory_mb * 1e6));
            let _ = write!(t, " {text} |");
        }
        let here = (!like.is_empty())
            .then(|| at(run, like, 1_000_000))
            .flatten();
        let figure = match here {
            Some(w) if w.complete() => w.peak_rss.map_or("–".into(), mb),
            Some(w) => cell(w),
            None => "–".into(),
        };
        let name = if like.is_empty() {
            "–".to_string()
        } else {
            format!("`{like}`")
        };
        let _ = writeln!(t, " {figure} | {name} |");
    }
    t
}

/// Bytes in decimal megabytes, as the published tables give them: `459 MB`.
pub fn mb(bytes: f64) -> String {
    format!("{} MB", group((bytes / 1e6).round() as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_published_rows_are_read_with_their_years_and_the_program_beside() {
        let tsv = "# a comment\nyear\truntime\tn\tmemory_mb\tlike\n\
                   2023\tRust tokio\t1000000\t213.6\twaits-tokio\n2024\tGo\t1000000\t2586\t\n";
        let rows = published_rows(tsv);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].like, "waits-tokio");
        assert_eq!(rows[1].memory_mb, 2586.0);
        let table = published(&Results::default(), tsv);
        assert!(
            table.contains("| Rust tokio | 214 MB | – | – | `waits-tokio` |"),
            "{table}"
        );
        assert_eq!(bytes(512.0), "512 B");
        assert_eq!(bytes(20480.0), "20.0 KiB");
    }
}
