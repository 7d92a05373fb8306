//! The one command line every fetch-* binary takes.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, ValueEnum};

/// Fetch a set of endpoints and report each one's size and time, then the run's wall time, CPU
/// and peak memory.
///
/// With no URLs and no --origin, a local origin is started inside the process and replays the
/// six home pages of the talk "Async Python" (or, with --workload jobs, the jobs API of the
/// talk "Asynchronicity").
#[derive(Debug, Clone, Parser)]
#[command(version)]
pub struct Args {
    /// URLs to fetch instead of the origin's endpoints.
    #[arg(value_name = "URL", conflicts_with_all = ["endpoints", "origin", "count", "live"])]
    pub urls: Vec<String>,

    /// Read the URLs to fetch from FILE: one a line; blank lines and lines starting with # are
    /// skipped.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["origin", "count", "live"])]
    pub endpoints: Option<PathBuf>,

    /// Fetch the talk's six real sites over the internet (http://google.com, ...), following
    /// redirects to HTTPS as a browser does.
    #[arg(long, conflicts_with_all = ["origin", "count", "workload"])]
    pub live: bool,

    /// Also trust the certificate authority in FILE (PEM), besides the usual public roots: for a
    /// server with a private certificate, such as `cargo run -p origin -- --tls`.
    #[arg(long, value_name = "FILE")]
    pub ca_cert: Option<PathBuf>,

    /// What to fetch and how to read the answers.
    #[arg(long, value_enum, default_value_t = Workload::Pages)]
    pub workload: Workload,

    /// Fetch N endpoints of the origin instead of the talk's set: the six sites (or the 100 zip
    /// codes) over and over, or /bytes/SIZE?delay=S when --size or --delay is given.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub count: Option<u64>,

    /// With --count: the size of each synthetic body in bytes (at most the origin's 256 MiB).
    #[arg(long, value_name = "BYTES", requires = "count", value_parser = body_size)]
    pub size: Option<usize>,

    /// With --count: the origin's delay before each synthetic answer, in seconds.
    #[arg(long, value_name = "SECONDS", requires = "count", value_parser = seconds)]
    pub delay: Option<Duration>,

    /// The most bytes of a body read whole (a jobs answer, which is parsed); a larger one is that
    /// endpoint's error. Pages are counted as they arrive and never held whole.
    #[arg(long, value_name = "BYTES", default_value_t = 1 << 20, value_parser = clap::value_parser!(u64).range(1..))]
    pub max_body: u64,

    /// Give up on a request after this many seconds (connect, headers and body together).
    #[arg(long, value_name = "SECONDS", default_value = "30", value_parser = timeout_seconds)]
    pub timeout: Duration,

    /// At most N requests in flight at once (default: all at once, as in the talks).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub concurrency: Option<u64>,

    /// Multiply every simulated delay of the origin by F (0.05 runs the talk 20 times faster).
    #[arg(long, value_name = "F", default_value_t = 1.0, value_parser = scale)]
    pub time_scale: f64,

    /// Use an origin that is already running (`cargo run -p origin`) instead of starting one.
    #[arg(long, value_name = "URL")]
    pub origin: Option<String>,

    /// Threads of the model's pool, for the models that have one (rayon; tokio's workers).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=4096))]
    pub threads: Option<u64>,

    /// Print one JSON object instead of the table.
    #[arg(long)]
    pub json: bool,

    /// Print a row for every endpoint (by default only failed rows past 100 endpoints).
    #[arg(long)]
    pub all_rows: bool,
}

/// What a run fetches and how it reads each answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Workload {
    /// Home pages: count each body's bytes (the talk "Async Python").
    Pages,
    /// The jobs API: parse each body as JSON and sum `TotalJobs` (the talk "Asynchronicity").
    Jobs,
}

fn seconds(s: &str) -> Result<Duration, String> {
    s.parse::<f64>()
        .ok()
        .and_then(|v| Duration::try_from_secs_f64(v).ok())
        .filter(|d| *d <= Duration::from_secs(86_400))
        .ok_or_else(|| format!("{s:?} is not a number of seconds from 0 to 86400"))
}

/// A time limit in seconds, for clap: a number from 0 (excluded) to 86,400, fractions allowed.
pub fn timeout_seconds(s: &str) -> Result<Duration, String> {
    match seconds(s)? {
        Duration::ZERO => Err("a timeout of 0 s would fail every request".into()),
        timeout => Ok(timeout),
    }
}

fn body_size(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n) if n <= origin::MAX_BYTES => Ok(n),
        _ => Err(format!(
            "{s:?} is not a size from 0 to {} bytes, the most the origin serves",
            origin::MAX_BYTES
        )),
    }
}

fn scale(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && (0.0..=1000.0).contains(&v) => Ok(v),
        _ => Err(format!("{s:?} is not a scale from 0 to 1000")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Args, clap::Error> {
        Args::try_parse_from(std::iter::once("fetch").chain(args.iter().copied()))
    }

    #[test]
    fn defaults_are_the_talks() {
        let args = parse(&[]).unwrap();
        assert_eq!(args.workload, Workload::Pages);
        assert_eq!(args.timeout, Duration::from_secs(30));
        assert_eq!(args.concurrency, None);
        assert_eq!(args.time_scale, 1.0);
    }

    #[test]
    fn size_needs_count() {
        assert!(parse(&["--size", "10"]).is_err());
        assert!(parse(&["--count", "3", "--size", "10", "--delay", "0.5"]).is_ok());
    }

    #[test]
    fn urls_and_origin_exclude_each_other() {
        assert!(parse(&["http://a.test/", "--origin", "http://b.test"]).is_err());
        assert!(parse(&["http://a.test/", "--count", "2"]).is_err());
    }

    #[test]
    fn live_is_the_talks_sites_only() {
        assert!(parse(&["--live"]).is_ok());
        assert!(parse(&["--live", "--count", "3"]).is_err());
        assert!(parse(&["--live", "http://a.test/"]).is_err());
        assert!(parse(&["--live", "--workload", "jobs"]).is_err());
    }

    #[test]
    fn bad_numbers_are_refused() {
        let bad: &[&[&str]] = &[
            &["--timeout", "-1"],
            &["--timeout", "nan"],
            &["--timeout", "0"],
            &["--count", "2", "--size", "268435457"],
            &["--count", "2", "--size", "-1"],
            &["--concurrency", "0"],
            &["--time-scale", "inf"],
            &["--count", "0"],
        ];
        for bad in bad {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }
}
