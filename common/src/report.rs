//! The report, in the talks' shape: a row per endpoint (URL, bytes, seconds), a row of dashes,
//! the sum of the request times; then the run's wall time, CPU, peak memory and, for the jobs
//! workload, the jobs total. `--json` prints the same as one object for scripts.
//!
//! Answers are checked before anything is reported as fast: a body of the wrong size or a wrong
//! jobs count is that endpoint's error, so a fast wrong model cannot look good.

use std::process::ExitCode;
use std::time::Duration;

use serde::Serialize;

use std::time::Instant;

use fetchkit::{Body, Elapsed, ErrorKind, FetchError, Page, Usage, group, peak_in_flight};

use crate::cli::Workload;
use crate::endpoints::{Endpoint, Expect, Source};

/// `println!` that does not panic when stdout is closed (`fetch-tokio | head`): the report
/// is then lost, and the run still ends with its exit code.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

/// Past this many endpoints, only failed rows are printed (unless `--all-rows`).
const ROWS_SHOWN: usize = 100;
/// How many failed rows are printed at most when rows are not all shown.
const FAILURES_SHOWN: usize = 20;

/// One endpoint's outcome.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub url: String,
    /// Where the body finally came from, when redirects led elsewhere.
    pub final_url: Option<String>,
    #[serde(skip)]
    pub label: String,
    /// Body size; `None` when the request failed.
    pub bytes: Option<u64>,
    /// `TotalJobs`, for the jobs workload.
    pub jobs: Option<u64>,
    /// How long the request took, failed or not.
    pub seconds: f64,
    /// When it started, in seconds from the start of the run: with `seconds`, its bar on the
    /// run's timeline.
    pub start_s: f64,
    pub error: Option<String>,
    pub error_kind: Option<ErrorKind>,
}

/// What the report needs to know of its run, handed over by [`Run::report`](crate::Run::report).
#[derive(Debug)]
pub(crate) struct Setup<'r> {
    pub model: &'r str,
    pub header: String,
    pub workload: Workload,
    pub endpoints: &'r [Endpoint],
    pub what: &'r str,
    pub source: &'r Source,
    pub timeout: Duration,
    pub concurrency: Option<u64>,
    pub time_scale: f64,
    pub simulated_delays: Option<Duration>,
    pub slowest_delay: Option<Duration>,
    pub json: bool,
    pub all_rows: bool,
    pub started: Instant,
    pub origin: Option<&'r origin::Origin>,
}

/// Collects the rows of a run, printing them as they come, and ends with the summary.
#[derive(Debug)]
pub struct Report<'r> {
    run: Setup<'r>,
    rows: Vec<Row>,
    notes: Vec<String>,
    printed: usize,
    failures_printed: usize,
}

impl<'r> Report<'r> {
    pub(crate) fn new(run: Setup<'r>) -> Report<'r> {
        if !run.json {
            out!("{}", run.header);
        }
        Report {
            rows: Vec::with_capacity(run.endpoints.len()),
            run,
            notes: Vec::new(),
            printed: 0,
            failures_printed: 0,
        }
    }

    /// Adds a line to the summary, for what only the model knows (its pool size, say).
    pub fn note(&mut self, note: impl Into<String>) {
        self.notes.push(note.into());
    }

    /// Records one endpoint's outcome: its page (the body checked against what the origin
    /// should have sent) or its error, and how long it took.
    pub fn record(
        &mut self,
        endpoint: &Endpoint,
        page: Result<Page, FetchError>,
        elapsed: Elapsed,
    ) {
        // A redirected page is named by where it came from, as the talk's Tornado run did.
        let final_url = match &page {
            Ok(page) if page.url != endpoint.url() && !same_url(&page.url, endpoint.url()) => {
                Some(page.url.clone())
            }
            _ => None,
        };
        let answer = page.and_then(|page| check(self.run.workload, endpoint, &page.body));
        let (bytes, jobs, error) = match answer.map_err(|e| self.with_limit(e)) {
            Ok((bytes, jobs)) => (Some(bytes), jobs, None),
            Err(e) => (None, None, Some(e)),
        };
        let row = Row {
            url: endpoint.url().to_string(),
            label: final_url
                .clone()
                .unwrap_or_else(|| endpoint.label().to_string()),
            final_url,
            bytes,
            jobs,
            seconds: elapsed.took.as_secs_f64(),
            start_s: elapsed
                .started
                .saturating_duration_since(self.run.started)
                .as_secs_f64(),
            error_kind: error.as_ref().map(FetchError::kind),
            error: error.map(|e| e.to_string()),
        };
        self.print_row(&row);
        self.rows.push(row);
    }

    /// Every client words its timeout differently: say what the limit was, in one way.
    fn with_limit(&self, error: FetchError) -> FetchError {
        if error.kind() != ErrorKind::Timeout {
            return error;
        }
        let limit = self.run.timeout.as_secs_f64();
        FetchError::new(
            ErrorKind::Timeout,
            format!("after {limit} s, the --timeout"),
        )
    }

    /// Records an endpoint that failed before its request could start.
    pub fn fail(&mut self, endpoint: &Endpoint, error: FetchError) {
        self.record(endpoint, Err(error), Elapsed::none());
    }

    fn print_row(&mut self, row: &Row) {
        if self.run.json {
            return;
        }
        let all = self.run.all_rows || self.run.endpoints.len() <= ROWS_SHOWN;
        match &row.error {
            None if all => out!(
                "{:<30} {:>10} {:.3}",
                row.label,
                row.bytes.unwrap_or(0),
                row.seconds
            ),
            Some(error) if all || self.failures_printed < FAILURES_SHOWN => {
                self.failures_printed += 1;
                out!(
                    "{:<30} {:>10} {:.3}  error: {error}",
                    row.label,
                    "-",
                    row.seconds
                );
            }
            _ => return,
        }
        self.printed += 1;
    }

    /// Prints the summary (or the JSON object) and returns the exit code: success when every
    /// endpoint succeeded, failure (1) when any failed.
    pub fn finish(self) -> ExitCode {
        let wall = self.run.started.elapsed();
        let summary = Summary::new(&self, wall, Usage::now());
        if self.run.json {
            match serde_json::to_string(&summary) {
                Ok(json) => out!("{json}"),
                Err(e) => eprintln!("error: cannot write the JSON report: {e}"),
            }
        } else {
            let missing = self.run.endpoints.len().saturating_sub(self.rows.len());
            summary.print(missing, self.rows.len() - self.printed);
        }
        if summary.failed == 0 && summary.ok == self.run.endpoints.len() {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        }
    }
}

/// Whether two URLs name the same resource once normalised (`http://a.test` and `http://a.test/`).
fn same_url(a: &str, b: &str) -> bool {
    match (url::Url::parse(a), url::Url::parse(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// Checks a body against the workload and what the endpoint should answer; returns its size
/// and, for the jobs workload, its `TotalJobs`.
fn check(
    workload: Workload,
    endpoint: &Endpoint,
    body: &Body,
) -> Result<(u64, Option<u64>), FetchError> {
    let bytes = body.len();
    let jobs = match (workload, body.bytes()) {
        (Workload::Pages, _) => None,
        (Workload::Jobs, Some(body)) => Some(total_jobs(body)?),
        (Workload::Jobs, None) => {
            return Err(FetchError::new(ErrorKind::Other, "the body was not kept"));
        }
    };
    match (endpoint.expect(), jobs) {
        (Expect::Bytes(want), _) if want != bytes => Err(FetchError::new(
            ErrorKind::WrongAnswer,
            format!("wrong answer: {bytes} bytes where the origin sent {want}"),
        )),
        (Expect::Jobs(want), Some(got)) if want != got => Err(FetchError::new(
            ErrorKind::WrongAnswer,
            format!("wrong answer: TotalJobs {got} where the origin sent {want}"),
        )),
        _ => Ok((bytes, jobs)),
    }
}

/// Reads `TotalJobs` from a jobs answer: a number, or a string holding one (as the real API
/// sent it).
fn total_jobs(body: &[u8]) -> Result<u64, FetchError> {
    let value: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| FetchError::new(ErrorKind::BadJson, format!("malformed JSON ({e})")))?;
    let total = value
        .get("TotalJobs")
        .ok_or_else(|| FetchError::new(ErrorKind::BadJson, "the JSON has no TotalJobs"))?;
    total
        .as_u64()
        .or_else(|| total.as_str().and_then(|s| s.trim().parse().ok()))
        .ok_or_else(|| {
            FetchError::new(
                ErrorKind::BadJson,
                format!("TotalJobs is not a count: {total}"),
            )
        })
}

/// The whole run, as `--json` prints it.
#[derive(Debug, Serialize)]
struct Summary<'a> {
    model: &'a str,
    workload: Workload,
    what: &'a str,
    origin: Option<&'a str>,
    origin_embedded: bool,
    n: usize,
    ok: usize,
    failed: usize,
    bytes: u64,
    /// Summed in 128 bits: a server chooses its counts, and 2^64 such counts of up to 2^64 - 1
    /// each still fit, so the total never wraps around.
    jobs_total: Option<u128>,
    expected_jobs_total: Option<u128>,
    /// Every answer checked against the origin's and found right; `None` for foreign URLs.
    correct: Option<bool>,
    wall_s: f64,
    sum_s: f64,
    user_s: f64,
    sys_s: f64,
    peak_rss_bytes: u64,
    ru_maxrss_bytes: u64,
    vm_peak_bytes: u64,
    threads_at_end: u64,
    peak_in_flight: usize,
    concurrency: Option<u64>,
    timeout_s: f64,
    time_scale: f64,
    simulated_delays_s: Option<f64>,
    slowest_delay_s: Option<f64>,
    origin_cpu_s: Option<f64>,
    notes: &'a [String],
    requests: &'a [Row],
}

impl<'a> Summary<'a> {
    fn new(report: &'a Report<'_>, wall: Duration, usage: Usage) -> Summary<'a> {
        let run = &report.run;
        let rows = &report.rows;
        let ok = rows.iter().filter(|r| r.error.is_none()).count();
        let (origin, origin_embedded) = match run.source {
            Source::Embedded(url) => (Some(url.as_str()), true),
            Source::External(url) => (Some(url.as_str()), false),
            Source::Urls => (None, false),
        };
        let workload = run.workload;
        let expected_jobs_total = match workload {
            Workload::Jobs => run
                .endpoints
                .iter()
                .map(|e| match e.expect() {
                    Expect::Jobs(n) => Some(u128::from(n)),
                    _ => None,
                })
                .sum(),
            Workload::Pages => None,
        };
        let jobs_total = match workload {
            Workload::Jobs => Some(rows.iter().filter_map(|r| r.jobs).map(u128::from).sum()),
            Workload::Pages => None,
        };
        let checked = origin.is_some();
        let origin_cpu = run.origin.and_then(|o| o.cpu_time());
        Summary {
            model: run.model,
            workload,
            what: run.what,
            origin,
            origin_embedded,
            n: run.endpoints.len(),
            ok,
            failed: rows.len() - ok,
            bytes: rows.iter().filter_map(|r| r.bytes).sum(),
            jobs_total,
            expected_jobs_total,
            correct: checked.then_some(ok == run.endpoints.len()),
            wall_s: wall.as_secs_f64(),
            sum_s: rows.iter().map(|r| r.seconds).sum(),
            user_s: usage.user.as_secs_f64(),
            sys_s: usage.sys.as_secs_f64(),
            peak_rss_bytes: usage.peak_rss,
            ru_maxrss_bytes: usage.ru_maxrss,
            vm_peak_bytes: usage.vm_peak,
            threads_at_end: usage.threads,
            peak_in_flight: peak_in_flight(),
            concurrency: run.concurrency,
            timeout_s: run.timeout.as_secs_f64(),
            time_scale: run.time_scale,
            simulated_delays_s: run.simulated_delays.map(|d| d.as_secs_f64()),
            slowest_delay_s: run.slowest_delay.map(|d| d.as_secs_f64()),
            origin_cpu_s: origin_cpu.map(|cpu| cpu.as_secs_f64()),
            notes: &report.notes,
            requests: rows,
        }
    }

    fn print(&self, missing: usize, hidden: usize) {
        if hidden > 0 {
            out!("({hidden} rows not shown; --all-rows shows every row)");
        }
        out!("{}", "-".repeat(10));
        out!("{:.3}", self.sum_s);
        if let Some(total) = self.jobs_total {
            out!("\njobs available: {total}");
        }
        out!();
        out!("model:     {}", self.model);
        let mut outcome = format!(
            "{} ok, {} failed, {} bytes",
            self.ok,
            self.failed,
            group(self.bytes)
        );
        if missing > 0 {
            outcome.push_str(&format!(", {missing} never reported"));
        }
        out!("endpoints: {outcome}");
        if let (Some(got), Some(want)) = (self.jobs_total, self.expected_jobs_total) {
            let verdict = if got == want && self.failed == 0 {
                "correct"
            } else {
                "WRONG"
            };
            out!("answer:    {got} jobs; the origin's own total is {want}: {verdict}");
        }
        out!("wall:      {:.3} s", self.wall_s);
        out!(
            "cpu:       {:.3} s user, {:.3} s sys",
            self.user_s,
            self.sys_s
        );
        out!(
            "memory:    peak RSS {} ({} bytes); peak virtual {}; {} threads at the end",
            mib(self.peak_rss_bytes),
            group(self.peak_rss_bytes),
            mib(self.vm_peak_bytes),
            self.threads_at_end
        );
        let bound = match self.concurrency {
            Some(n) => format!("--concurrency {n}"),
            None => "no --concurrency bound".to_string(),
        };
        out!(
            "overlap:   {:.2}x (sum of request times / wall); peak {} in flight ({bound})",
            self.sum_s / self.wall_s.max(1e-9),
            self.peak_in_flight,
        );
        for note in self.notes {
            out!("note:      {note}");
        }
        if self.origin_embedded {
            let cpu = match self.origin_cpu_s {
                Some(cpu) => format!("{cpu:.3} s of CPU"),
                None => "CPU".to_string(),
            };
            out!(
                "origin:    embedded in this process: its {cpu} and its memory are in the \
                 figures above; start `cargo run --release -p origin` and pass --origin to \
                 measure the client alone"
            );
        }
    }
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn total_jobs_takes_numbers_and_numeric_strings() {
        assert_eq!(total_jobs(br#"{"TotalJobs": 12}"#).unwrap(), 12);
        assert_eq!(total_jobs(br#"{"TotalJobs": "7"}"#).unwrap(), 7);
        for bad in [
            &br#"{"TotalJobs": 1"#[..],
            br#"{"Jobs": 3}"#,
            br#"{"TotalJobs": -1}"#,
        ] {
            assert_eq!(total_jobs(bad).unwrap_err().kind(), ErrorKind::BadJson);
        }
    }
}
