//! What one run of the load generator measured, read from wrk's report or oha's JSON, with the
//! server's own figures beside it: a row of `servers/runs.csv` (or of `rates.csv`).

use anyhow::{Context as _, bail};
use runfiles::{RateRun, ServerRun, Setup};
use serde_json::Value;

use super::WAIT_S;

/// A fixed rate is held when the answers came at this share of it or more, with errors below
/// [`HELD_ERRORS`] of the answers. The requests in flight at the deadline are not answers, so a
/// rate held exactly comes to 1 - 0.05 s / the run's seconds of it (0.99 over 5 s).
pub(super) const HELD_SHARE: f64 = 0.95;
pub(super) const HELD_ERRORS: f64 = 0.001;

/// One run's figures.
#[derive(Debug, Default)]
pub(super) struct LoadRun {
    pub(super) setup: Setup,
    pub(super) connections: u64,
    pub(super) repeat: u32,
    /// Whether the server was still running when the load ended.
    pub(super) alive: bool,
    pub(super) requests: u64,
    pub(super) seconds: f64,
    pub(super) rps: f64,
    pub(super) p50_ms: f64,
    pub(super) p99_ms: f64,
    pub(super) p999_ms: f64,
    pub(super) max_ms: f64,
    /// The rate the load generator was asked to send at (0: as fast as the answers come).
    pub(super) offered_rps: u64,
    pub(super) connect_errors: u64,
    pub(super) read_errors: u64,
    pub(super) write_errors: u64,
    pub(super) timeouts: u64,
    pub(super) non_2xx: u64,
    pub(super) accepted: u64,
    pub(super) refused: u64,
    pub(super) peak_rss_kib: u64,
    pub(super) peak_threads: u64,
    pub(super) server_cpu_s: f64,
    pub(super) load_cpu_s: f64,
    /// How much the kernel's stacks grew at their peak, machine-wide: a kernel stack per thread,
    /// which RSS does not count.
    pub(super) kernel_stack_kib: u64,
    /// The server's peak virtual memory: a thread's stack is address space first.
    pub(super) vm_peak_kib: u64,
    /// The kernel's memory for TCP sockets at its peak, machine-wide (the load generator's
    /// sockets too): what a connection costs outside the server's RSS.
    pub(super) socket_mem_kib: u64,
    /// Connections that found the server's accept queue full during the run, machine-wide:
    /// each waited for its handshake to be sent again.
    pub(super) listen_overflows: u64,
}

impl LoadRun {
    pub(super) fn ideal(&self) -> f64 {
        self.connections as f64 / WAIT_S
    }

    pub(super) fn errors(&self) -> u64 {
        self.connect_errors + self.read_errors + self.write_errors + self.timeouts + self.non_2xx
    }

    /// Answers a second that were not errors.
    pub(super) fn achieved(&self) -> f64 {
        if self.seconds > 0.0 {
            self.requests.saturating_sub(self.non_2xx) as f64 / self.seconds
        } else {
            0.0
        }
    }

    /// Whether the server kept up with the offered rate.
    pub(super) fn held(&self) -> bool {
        self.alive
            && self.achieved() >= HELD_SHARE * self.offered_rps as f64
            && self.errors() as f64 <= HELD_ERRORS * self.requests.max(1) as f64
    }

    /// A row of `servers/rates.csv`.
    pub(super) fn rate_row(&self, share: f64) -> RateRun {
        RateRun {
            server: self.setup.server.clone(),
            threads: self.setup.threads,
            connections: self.connections,
            share,
            offered_rps: self.offered_rps,
            alive: self.alive,
            requests: self.requests,
            seconds: round(self.seconds, 2),
            achieved_rps: round(self.achieved(), 1),
            p50_ms: round(self.p50_ms, 2),
            p99_ms: round(self.p99_ms, 2),
            p999_ms: round(self.p999_ms, 2),
            max_ms: round(self.max_ms, 2),
            errors: self.errors(),
            timeouts: self.timeouts,
            held: self.held(),
            server_cpu_s: round(self.server_cpu_s, 2),
            load_cpu_s: round(self.load_cpu_s, 2),
            peak_rss_kib: self.peak_rss_kib,
            peak_threads: self.peak_threads,
        }
    }

    /// A row of `servers/runs.csv` and `servers/pinned.csv`.
    pub(super) fn server_row(&self) -> ServerRun {
        let per_1000 = if self.requests > 0 {
            self.server_cpu_s / (self.requests as f64 / 1000.0)
        } else {
            0.0
        };
        ServerRun {
            server: self.setup.server.clone(),
            threads: self.setup.threads,
            connections: self.connections,
            repeat: self.repeat,
            alive: self.alive,
            requests: self.requests,
            seconds: round(self.seconds, 2),
            rps: round(self.rps, 1),
            ideal_rps: self.ideal().round(),
            p50_ms: round(self.p50_ms, 2),
            p99_ms: round(self.p99_ms, 2),
            max_ms: round(self.max_ms, 2),
            connect_errors: self.connect_errors,
            read_errors: self.read_errors,
            write_errors: self.write_errors,
            timeouts: self.timeouts,
            non_2xx: self.non_2xx,
            accepted: self.accepted,
            refused: self.refused,
            peak_rss_kib: self.peak_rss_kib,
            peak_threads: self.peak_threads,
            server_cpu_s: round(self.server_cpu_s, 2),
            cpu_s_per_1000: round(per_1000, 4),
            load_cpu_s: round(self.load_cpu_s, 2),
            kernel_stack_kib: self.kernel_stack_kib,
            vm_peak_kib: self.vm_peak_kib,
            socket_mem_kib: self.socket_mem_kib,
            listen_overflows: self.listen_overflows,
        }
    }
}

/// `value` to `places` decimals, as the files keep a figure measured to no finer.
fn round(value: f64, places: i32) -> f64 {
    let scale = 10f64.powi(places);
    (value * scale).round() / scale
}

/// Reads wrk's report.
pub(super) fn parse_wrk(out: &str) -> anyhow::Result<LoadRun> {
    let mut run = LoadRun::default();
    for line in out.lines().map(str::trim) {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["Latency", _avg, _stdev, max, ..] => run.max_ms = millis(max)?,
            ["50%", value] => run.p50_ms = millis(value)?,
            ["99%", value] => run.p99_ms = millis(value)?,
            [requests, "requests", "in", seconds, ..] => {
                run.requests = requests.parse()?;
                run.seconds = seconds
                    .trim_end_matches(',')
                    .trim_end_matches('s')
                    .parse()?;
            }
            ["Socket", "errors:", ..] => {
                let numbers: Vec<u64> = line
                    .split(|c: char| !c.is_ascii_digit())
                    .filter_map(|n| n.parse().ok())
                    .collect();
                if let [connect, read, write, timeout] = numbers[..] {
                    (run.connect_errors, run.read_errors) = (connect, read);
                    (run.write_errors, run.timeouts) = (write, timeout);
                }
            }
            ["Non-2xx", "or", "3xx", "responses:", n] => run.non_2xx = n.parse()?,
            ["Requests/sec:", rps] => run.rps = rps.parse()?,
            _ => {}
        }
    }
    if run.seconds == 0.0 {
        bail!("not a wrk report:\n{out}");
    }
    Ok(run)
}

/// A wrk duration (`812.00us`, `51.86ms`, `1.20s`, `2.00m`) in milliseconds.
fn millis(value: &str) -> anyhow::Result<f64> {
    let split = value
        .find(|c: char| c.is_ascii_alphabetic())
        .context("a unit")?;
    let (number, unit) = value.split_at(split);
    let number: f64 = number.parse()?;
    Ok(match unit {
        "us" => number / 1000.0,
        "ms" => number,
        "s" => number * 1000.0,
        "m" => number * 60_000.0,
        "h" => number * 3_600_000.0,
        _ => bail!("unknown unit in {value:?}"),
    })
}

/// Reads oha's JSON report.
pub(super) fn parse_oha(out: &str) -> anyhow::Result<LoadRun> {
    let json: Value = serde_json::from_str(out).context("oha's JSON report")?;
    let seconds = |v: &Value| v.as_f64().unwrap_or(0.0);
    let summary = &json["summary"];
    let mut run = LoadRun {
        seconds: seconds(&summary["total"]),
        rps: seconds(&summary["requestsPerSec"]),
        p50_ms: seconds(&json["latencyPercentiles"]["p50"]) * 1000.0,
        p99_ms: seconds(&json["latencyPercentiles"]["p99"]) * 1000.0,
        p999_ms: seconds(&json["latencyPercentiles"]["p99.9"]) * 1000.0,
        max_ms: seconds(&summary["slowest"]) * 1000.0,
        ..LoadRun::default()
    };
    let codes = json["statusCodeDistribution"].as_object();
    for (code, n) in codes.into_iter().flatten() {
        let n = n.as_u64().unwrap_or(0);
        run.requests += n;
        if !code.starts_with('2') {
            run.non_2xx += n;
        }
    }
    let errors = json["errorDistribution"].as_object();
    for (error, n) in errors.into_iter().flatten() {
        let error = error.to_lowercase();
        let n = n.as_u64().unwrap_or(0);
        if error.contains("aborted due to deadline") {
            // The requests still in flight when the run's time was up, which wrk leaves out.
            continue;
        } else if error.contains("timeout") || error.contains("timed out") {
            run.timeouts += n;
        } else if ["refused", "to connect", "connect error"]
            .iter()
            .any(|kind| error.contains(kind))
        {
            run.connect_errors += n;
        } else {
            run.read_errors += n;
        }
    }
    Ok(run)
}

#[cfg(test)]
mod tests {
    use super::*;

    const WRK: &str = "Running 10s test @ http://127.0.0.1:41133/work?ms=50&size=1024
  2 threads and 1000 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    52.00ms    0.99ms   1.20s    85.18%
    Req/Sec     9.57k   766.65    10.10k    93.00%
  Latency Distribution
     50%   51.86ms
     75%   52.26ms
     90%   52.87ms
     99%  812.00us
  95315 requests in 5.05s, 100.17MB read
  Socket errors: connect 17, read 2, write 0, timeout 31
  Non-2xx or 3xx responses: 4
Requests/sec:  18876.58
Transfer/sec:     19.84MB
";

    #[test]
    fn reads_every_figure_of_a_wrk_report() {
        let run = parse_wrk(WRK).unwrap();
        assert_eq!(run.requests, 95315);
        assert_eq!(run.seconds, 5.05);
        assert_eq!(run.rps, 18876.58);
        assert_eq!((run.p50_ms, run.p99_ms, run.max_ms), (51.86, 0.812, 1200.0));
        assert_eq!(
            (run.connect_errors, run.read_errors, run.write_errors),
            (17, 2, 0)
        );
        assert_eq!((run.timeouts, run.non_2xx), (31, 4));
        assert!(parse_wrk("unable to connect to 127.0.0.1:1").is_err());
    }

    #[test]
    fn reads_every_figure_of_an_oha_report() {
        let json = r#"{
            "summary": {"total": 3.004, "slowest": 0.0565, "requestsPerSec": 1943.8},
            "latencyPercentiles": {"p50": 0.0517, "p99": 0.0553, "p99.9": 0.0561},
            "statusCodeDistribution": {"200": 5740, "503": 2},
            "errorDistribution": {
                "aborted due to deadline": 100,
                "connection timed out": 3,
                "failed to connect": 4,
                "connection reset": 5
            }
        }"#;
        let run = parse_oha(json).unwrap();
        assert_eq!((run.requests, run.non_2xx), (5742, 2));
        assert_eq!((run.seconds, run.rps), (3.004, 1943.8));
        let figures = [
            (run.p50_ms, 51.7),
            (run.p99_ms, 55.3),
            (run.p999_ms, 56.1),
            (run.max_ms, 56.5),
        ];
        for (ms, expected) in figures {
            assert!((ms - expected).abs() < 1e-9, "{ms} ms, not {expected}");
        }
        assert_eq!(
            (run.timeouts, run.connect_errors, run.read_errors),
            (3, 4, 5)
        );
        assert!(parse_oha("not json").is_err());
    }

    #[test]
    fn a_rate_is_held_only_when_its_answers_came_without_errors() {
        let run = |requests, non_2xx, timeouts| LoadRun {
            alive: true,
            offered_rps: 1000,
            seconds: 5.0,
            requests,
            non_2xx,
            timeouts,
            ..LoadRun::default()
        };
        assert!(run(4950, 0, 0).held());
        assert!(run(4950, 4, 0).held());
        assert!(!run(4700, 0, 0).held(), "answers at 94% of the rate");
        assert!(!run(4950, 0, 10).held(), "timeouts past 0.1%");
        assert!(!run(5000, 10, 0).held(), "errors past 0.1%");
        assert!(
            !LoadRun {
                alive: false,
                ..run(4950, 0, 0)
            }
            .held()
        );
    }
}
