//! The checks every model passes, each a method of [`Model`] that [`model_tests!`] makes a
//! `#[test]` of: the talks' workloads with their exact figures, the shape of the timeline, the
//! overlap its family promises, every form of answer, HTTPS and redirects, the report's JSON.

use serde_json::Value;

use std::process::Command;

use catalogue::{Family, ReadBuffer};
use origin::Fault;
use procs::child;

use crate::faults::ca_cert;
use crate::{MIB, Model, TempFile, rows, secs, start_origin};

/// Six synthetic endpoints of 0.4 s each, for the overlap checks: their delays add up to 2.4 s.
const OVERLAP_ARGS: [&str; 6] = ["--count", "6", "--size", "1000", "--delay", "0.4"];
const OVERLAP_N: usize = 6;
const OVERLAP_SUM: f64 = 2.4;

impl Model {
    /// How many requests the model lets wait at once when nothing bounds them: all of them, one,
    /// or its pool's `--threads`.
    fn width(&self) -> usize {
        match self.family {
            Family::Sequential => 1,
            Family::Threads | Family::Runtime | Family::OwnLoop => usize::MAX,
            Family::Pool => self
                .extra
                .iter()
                .skip_while(|a| *a != "--threads")
                .nth(1)
                .and_then(|n| n.parse().ok())
                .expect("a pool model is tested with --threads N"),
        }
    }

    /// The CPU a model reports is its own: `cargo run` `exec`s the binary in cargo's own
    /// process, and the kernel's count of a process's CPU time goes on across an `exec`. A shell
    /// burns CPU first and then `exec`s the model, as cargo does after a build; the report
    /// leaves the shell's CPU out.
    pub fn reports_only_its_own_cpu(&self) {
        // A shell loop that burns CPU for most of a second on this project's machine.
        const BURN: &str = "i=0; while [ $i -lt 400000 ]; do i=$((i+1)); done";
        let shell = |script: &str| {
            let mut command = Command::new("/bin/sh");
            command.args(["-c", script, self.bin]).args(&self.extra);
            child::run(&mut command, secs(60)).expect("run /bin/sh")
        };
        let alone = shell(BURN);
        let burnt = alone.usage.map_or(0.0, |u| (u.user + u.sys).as_secs_f64());
        assert!(burnt > 0.2, "the loop burnt only {burnt:.3} s");
        let run = shell(&format!(
            "{BURN}; exec \"$0\" \"$@\" --json --time-scale 0.01"
        ));
        let json: Value = serde_json::from_str(run.stdout.trim())
            .unwrap_or_else(|e| panic!("not a JSON report ({e}): {}{}", run.stdout, run.stderr));
        assert_eq!(json["ok"], 6, "{json}");
        let reported = json["user_s"].as_f64().unwrap_or(f64::NAN)
            + json["sys_s"].as_f64().unwrap_or(f64::NAN);
        // The model's own CPU is a few milliseconds: half the shell's is a wide margin.
        assert!(
            reported < burnt / 2.0,
            "{} reported {reported:.3} s of CPU after a shell had burnt {burnt:.3} s in its process",
            self.bin
        );
    }

    /// The six sites, each with its exact size, from the embedded origin.
    pub fn six_sites_with_exact_sizes(&self) {
        let (_, json) = self.run_json(&["--time-scale", "0.05"], secs(30));
        assert_eq!(json["ok"], 6, "{json}");
        assert_eq!(json["origin_embedded"], true);
        assert_eq!(json["correct"], true);
        for site in origin::sites() {
            let row = rows(&json)
                .find(|r| r["url"].as_str().unwrap_or("").contains(&site.path()))
                .unwrap_or_else(|| panic!("no row for {}: {json}", site.name));
            assert_eq!(row["bytes"], site.bytes, "{row}");
        }
    }

    /// The six sites' timeline, from each row's start offset: a model that runs one request at
    /// a time starts each after the previous one ended (a staircase); a model that lets every
    /// request wait at once starts all six within 50 ms of each other.
    pub fn timeline_has_the_models_shape(&self) {
        let (_, json) = self.run_json(&["--time-scale", "0.2"], secs(30));
        let mut bars: Vec<(f64, f64)> = rows(&json)
            .map(|r| {
                let start = r["start_s"].as_f64().expect("start_s");
                (start, start + r["seconds"].as_f64().expect("seconds"))
            })
            .collect();
        assert_eq!(bars.len(), 6, "{json}");
        bars.sort_by(|a, b| a.0.total_cmp(&b.0));
        let wall = json["wall_s"].as_f64().expect("wall_s");
        assert!(
            bars.iter().all(|&(_, end)| end <= wall + 0.001),
            "{bars:?} past {wall}"
        );
        match self.family {
            Family::Sequential => {
                for pair in bars.windows(2) {
                    assert!(pair[1].0 >= pair[0].1 - 0.001, "overlap: {bars:?}");
                }
            }
            Family::Threads | Family::Runtime | Family::OwnLoop => {
                let spread = bars[5].0 - bars[0].0;
                assert!(spread <= 0.05, "starts {spread:.3} s apart: {bars:?}");
            }
            // A pool of a thread per core: as many start at once as it has threads.
            Family::Pool if self.width() >= 2 => {
                assert!(bars[1].0 - bars[0].0 <= 0.05, "{bars:?}")
            }
            Family::Pool => {}
        }
    }

    /// The jobs workload reports the origin's own total, in the talk's words.
    pub fn jobs_total_is_the_origins(&self) {
        let outcome = self.run(&["--workload", "jobs", "--time-scale", "0.01"], secs(60));
        assert_eq!(outcome.code, 0, "{}{}", outcome.stdout, outcome.stderr);
        let want = origin::jobs_total(origin::zips().iter().copied());
        assert_eq!(want, origin::TALK_JOBS_TOTAL);
        assert!(
            outcome
                .stdout
                .contains(&format!("\njobs available: {want}\n")),
            "{}",
            outcome.stdout
        );
        assert!(outcome.stdout.contains(": correct"), "{}", outcome.stdout);
    }

    /// Against an origin given by `--origin`, the model fetches the same endpoints.
    pub fn uses_a_running_origin(&self) {
        let origin = start_origin();
        let base = origin.base_url();
        let (_, json) = self.run_json(&["--origin", &base, "--time-scale", "0.02"], secs(30));
        assert_eq!(json["ok"], 6, "{json}");
        assert_eq!(json["origin_embedded"], false);
        assert_eq!(json["origin"], base.as_str());
        assert!(origin.stats().requests() >= 6);
    }

    /// N endpoints with the same delay: a sequential model takes their sum, a concurrent one
    /// far less.
    pub fn overlap(&self) {
        let sum = OVERLAP_SUM;
        let (_, json) = self.run_json(&OVERLAP_ARGS, secs(60));
        assert_eq!(json["ok"], OVERLAP_N, "{json}");
        let wall = json["wall_s"].as_f64().expect("wall_s");
        if self.width() == 1 {
            assert!(wall >= sum, "wall {wall} < sum {sum}")
        } else {
            assert!(wall < 0.6 * sum, "wall {wall} >= 0.6 x {sum}")
        }
    }

    /// `--concurrency 1` makes any model take the sum of its delays.
    pub fn concurrency_one_is_sequential(&self) {
        let mut args = OVERLAP_ARGS.to_vec();
        args.extend(["--concurrency", "1"]);
        let (_, json) = self.run_json(&args, secs(60));
        let wall = json["wall_s"].as_f64().expect("wall_s");
        let sum = OVERLAP_SUM;
        assert!(wall >= sum, "wall {wall} < sum {sum}: {json}");
        assert_eq!(json["peak_in_flight"], 1, "{json}");
    }

    /// Valid answers in the rarer forms HTTP/1.1 allows: a body that ends when the connection
    /// closes, an interim `100 Continue` before the answer, an HTTP/1.0 answer, and a `204`
    /// followed by stray bytes (a 204 has no body). Each row is ok, at the right size.
    pub fn reads_every_form_of_answer(&self) {
        let origin = start_origin();
        let cases = [
            (Fault::CloseDelimited, 5000),
            (Fault::Continue, 5000),
            (Fault::Http10, 5000),
            (Fault::NoContent, 0),
        ];
        let urls: Vec<String> = cases.iter().map(|(f, _)| origin.fault_url(*f)).collect();
        let mut args: Vec<&str> = urls.iter().map(String::as_str).collect();
        args.extend(["--timeout", "5"]);
        let (_, json) = self.run_json(&args, secs(30));
        for ((fault, bytes), url) in cases.iter().zip(&urls) {
            let row = rows(&json)
                .find(|r| r["url"] == url.as_str())
                .unwrap_or_else(|| panic!("no row for {url}: {json}"));
            let right = row["error"].is_null() && row["bytes"] == *bytes;
            assert!(right, "{fault:?}: {row}");
        }
    }

    /// A server that closes each kept-alive connection right after its answer, without saying
    /// so: twenty requests in a row to it all succeed. A pooled client sends the next request
    /// on a connection the server has closed, and must send it again on a new one.
    pub fn survives_a_server_that_closes_idle_connections(&self) {
        let origin = start_origin();
        let urls: Vec<String> = (0..20)
            .map(|i| format!("{}?{i}", origin.fault_url(Fault::IdleClose)))
            .collect();
        let mut args: Vec<&str> = urls.iter().map(String::as_str).collect();
        args.extend(["--concurrency", "1"]);
        let (_, json) = self.run_json(&args, secs(30));
        assert_eq!(json["ok"], 20, "{json}");
    }

    /// Two answers of 2^64 - 1 jobs each: the total is their exact sum, never one that wrapped
    /// around to a small number.
    pub fn sums_huge_totals_without_wrapping(&self) {
        let origin = start_origin();
        let huge = origin.fault_url(Fault::HugeTotal);
        let outcome = self.run(&[&huge, &huge, "--workload", "jobs"], secs(30));
        assert_eq!(outcome.code, 0, "{}{}", outcome.stdout, outcome.stderr);
        let total = 2 * u128::from(u64::MAX);
        assert!(
            outcome
                .stdout
                .contains(&format!("\njobs available: {total}\n")),
            "{}",
            outcome.stdout
        );
    }

    /// HTTPS from the local origin with its authority trusted through `--ca-cert`, and
    /// verification on: a chunked body and a plain one.
    pub fn fetches_https_with_an_extra_root(&self) {
        let origin = start_origin();
        let ca = ca_cert(&origin);
        let urls = [
            origin.https_url("/apple.com?scale=0.01").expect("https"),
            origin.https_url("/bytes/70000?chunked=1").expect("https"),
        ];
        let (_, json) = self.run_json(&[&urls[0], &urls[1], "--ca-cert", ca], secs(30));
        assert_eq!(json["ok"], 2, "{json}");
        let sizes: Vec<u64> = rows(&json).filter_map(|r| r["bytes"].as_u64()).collect();
        assert!(sizes.contains(&10011) && sizes.contains(&70000), "{json}");
    }

    /// The origin's certificate names `localhost` only: after a page from
    /// `https://localhost:PORT`, the same server as `https://127.0.0.1:PORT` is a TLS error,
    /// one request at a time so that a pooled connection would be there to reuse.
    pub fn checks_the_name_of_every_host(&self) {
        let origin = start_origin();
        let ca = ca_cert(&origin);
        let good = origin.https_url("/apple.com?scale=0.01").expect("https");
        let other = good.replacen("localhost", "127.0.0.1", 1);
        let args = [
            good.as_str(),
            other.as_str(),
            "--ca-cert",
            ca,
            "--concurrency",
            "1",
        ];
        let (_, json) = self.run_json(&args, secs(30));
        assert_eq!(json["ok"], 1, "{json}");
        let row = rows(&json)
            .find(|r| r["url"] == other.as_str())
            .expect("a row");
        assert_eq!(row["error_kind"], "tls", "{row}");
    }

    /// Redirects followed: one hop, a chain of three, and HTTP to HTTPS; each row reports the
    /// URL it ended at.
    pub fn follows_redirects(&self) {
        let origin = start_origin();
        let ca = ca_cert(&origin);
        let urls = [
            origin.url("/redirect/1?scale=0.01"),
            origin.url("/redirect/3?scale=0.01"),
            origin.url("/to-https/python.org?scale=0.01"),
        ];
        let (_, json) = self.run_json(&[&urls[0], &urls[1], &urls[2], "--ca-cert", ca], secs(30));
        assert_eq!(json["ok"], 3, "{json}");
        let end = |url: &str| {
            let row = rows(&json).find(|r| r["url"] == url).expect("a row");
            (
                row["final_url"].as_str().unwrap_or("").to_string(),
                row["bytes"].as_u64(),
            )
        };
        let apple = origin.url("/apple.com?scale=0.01");
        assert_eq!(end(&urls[0]), (apple.clone(), Some(10011)));
        assert_eq!(end(&urls[1]), (apple, Some(10011)));
        let python = origin.https_url("/python.org?scale=0.01").expect("https");
        assert_eq!(end(&urls[2]), (python, Some(44275)));
    }

    /// URLs from a file: comments and blank lines skipped, a chunked body read whole.
    pub fn reads_an_endpoints_file(&self) {
        let origin = start_origin();
        let file = TempFile::new(&format!(
            "# two endpoints of a local origin\n\n{}\n   # an indented comment\n{}\n",
            origin.url("/apple.com?scale=0.01"),
            origin.url("/bytes/70000?chunked=1")
        ));
        let (_, json) = self.run_json(&["--endpoints", file.path()], secs(30));
        assert_eq!(json["n"], 2, "{json}");
        assert_eq!(json["ok"], 2, "{json}");
        let sizes: Vec<u64> = rows(&json).filter_map(|r| r["bytes"].as_u64()).collect();
        assert!(sizes.contains(&10011) && sizes.contains(&70000), "{json}");
    }

    /// A malformed line in the endpoints file is a usage error naming its line.
    pub fn rejects_a_bad_endpoints_line(&self) {
        let file = TempFile::new("http://127.0.0.1:9/\n# fine\nhttp//missing-colon\n");
        let outcome = self.run(&["--endpoints", file.path()], secs(10));
        assert_eq!(outcome.code, 2, "{outcome:?}");
        assert!(outcome.stderr.contains("line 3"), "{}", outcome.stderr);
        let outcome = self.run(&["not a url"], secs(10));
        assert_eq!(outcome.code, 2, "{outcome:?}");
        assert_eq!(
            outcome.stderr.matches("is not a URL").count(),
            1,
            "the cause said once: {}",
            outcome.stderr
        );
    }

    /// Pages are counted as they arrive, not kept: fetching 50 pages of 256 KiB at once costs
    /// about the memory of 50 pages of 1 KiB, less than a fifth of the 12.5 MiB the pages add
    /// up to. A client whose read buffer grows with the body ([`ReadBuffer::Adaptive`]) is held
    /// to what that growth allows: 50 pages of 1 MiB cost less than half their 50 MiB, so
    /// they are still not kept whole.
    pub fn counts_pages_without_keeping_them(&self) {
        let origin = start_origin();
        let base = origin.base_url();
        let n: u64 = 50;
        let (page, share) = match self.read_buffer {
            ReadBuffer::Fixed => (256 * 1024, 0.2),
            ReadBuffer::Adaptive => (1024 * 1024, 0.5),
        };
        let peak = |size: u64| {
            let (count, size) = (n.to_string(), size.to_string());
            let args = [
                "--origin", &base, "--count", &count, "--size", &size, "--delay", "0.3",
            ];
            let (_, json) = self.run_json(&args, secs(60));
            assert_eq!(json["ok"], n, "{json}");
            json["peak_rss_bytes"].as_u64().expect("peak_rss_bytes") as f64
        };
        let (small, big) = (peak(1024), peak(page));
        let pages = (n * page) as f64;
        assert!(
            big - small < share * pages,
            "peak RSS {:.1} MiB with 1 KiB bodies, {:.1} MiB with {} KiB: the {:.1} MiB more \
             is over {share} of the pages' {:.1} MiB",
            small / MIB,
            big / MIB,
            page / 1024,
            (big - small) / MIB,
            pages / MIB
        );
    }

    /// `--json` prints one object with the run's figures and a row per request.
    pub fn prints_one_json_object(&self) {
        let (_, json) = self.run_json(&["--count", "3", "--size", "100"], secs(30));
        for key in [
            "model",
            "workload",
            "n",
            "ok",
            "failed",
            "bytes",
            "jobs_total",
            "wall_s",
            "sum_s",
            "user_s",
            "sys_s",
            "peak_rss_bytes",
            "requests",
        ] {
            assert!(json.get(key).is_some(), "no {key}: {json}");
        }
        assert_eq!(json["n"], 3);
        assert_eq!(json["bytes"], 300);
        assert!(json["peak_rss_bytes"].as_u64().unwrap_or(0) > 1 << 20);
        for row in rows(&json) {
            assert!(row["url"].is_string() && row["seconds"].is_f64(), "{row}");
        }
    }
}
