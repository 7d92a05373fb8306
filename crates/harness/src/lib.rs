//! Test support for the fetch-* models, kept out of the models' binaries: a model depends on it
//! only as a dev-dependency, so `cargo tree -p fetch-tokio -e normal` does not list it.
//!
//! - The models it tries are the catalogue's ([`catalogue::MODELS`]), and each runs as a process
//!   of its own ([`procs::run`]).
//! - [`Model`] and [`model_tests!`]: the checks every model must pass, run against a real origin
//!   on loopback. Each fetch-* crate has a `tests/model.rs` that calls `model_tests!`, so that
//!   every model is held to exactly the same checks. A model runs as its own process, as a user
//!   would run it, and is killed if it outlives its deadline: a hang fails the test instead of
//!   stalling the suite.
//!
//! The helpers panic on anything unexpected, as test code does.

pub mod serve;

use std::process::Command;
use std::time::Duration;

use serde_json::Value;

use catalogue::{Family, ReadBuffer};
pub use common;
use common::ErrorKind;
pub use origin::{Config, Fault, Origin};
use procs::child;

/// The program `bin` names (`target/debug/fetch-tokio`: `fetch-tokio`), as the catalogue lists it.
fn program_name(bin: &str) -> &str {
    std::path::Path::new(bin)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or(bin)
}

/// Whether `bin`, a program on io_uring, can run here: `Err` with its own start-up error (exit
/// code 2, naming the cause: an old kernel, `kernel.io_uring_disabled`, a seccomp profile) where
/// it cannot. Asked of the program itself, once per test binary, so that the check is the one
/// its users meet: started with `args`, it prints its first line (a server where it listens, a
/// model its header) only once its ring is set up.
pub fn io_uring(bin: &str, args: &[&str]) -> Result<(), String> {
    static ANSWER: std::sync::OnceLock<Result<(), String>> = std::sync::OnceLock::new();
    ANSWER
        .get_or_init(|| {
            use std::io::BufRead;
            let mut child = Command::new(bin)
                .args(args)
                .stdin(std::process::Stdio::null())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .map_err(|e| format!("{bin} did not start: {e}"))?;
            let mut line = String::new();
            if let Some(stdout) = child.stdout.take() {
                let _ = std::io::BufReader::new(stdout).read_line(&mut line);
            }
            let _ = child.kill();
            let output = child
                .wait_with_output()
                .map_err(|e| format!("{bin}: {e}"))?;
            if line.is_empty() {
                Err(String::from_utf8_lossy(&output.stderr).trim().to_owned())
            } else {
                Ok(())
            }
        })
        .clone()
}

/// Says, past the test harness's capture, that a check of a program on io_uring is skipped
/// here, and why: `true` when it is.
pub fn skipped_without_io_uring(bin: &str, args: &[&str]) -> bool {
    match io_uring(bin, args) {
        Ok(()) => false,
        Err(why) => {
            use std::io::Write;
            let _ = writeln!(std::io::stderr(), "skipped: io_uring unavailable ({why})");
            true
        }
    }
}

/// A model binary under test.
#[derive(Debug, Clone)]
pub struct Model {
    bin: &'static str,
    family: Family,
    read_buffer: ReadBuffer,
    io_uring: bool,
    extra: Vec<String>,
}

/// What one run of a model printed and returned.
#[derive(Debug)]
pub struct Outcome {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
}

impl Outcome {
    /// The `--json` object.
    pub fn json(&self) -> Value {
        serde_json::from_str(self.stdout.trim()).unwrap_or_else(|e| {
            panic!(
                "not a JSON report ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }
}

/// Starts an origin on loopback for one test, with HTTPS.
pub fn start_origin() -> Origin {
    Origin::start(Config {
        tls: true,
        ..Config::default()
    })
    .expect("start the origin")
}

/// Where the fault matrix's rows are kept, below the target directory's `tmp`.
pub const MATRIX_DIR: &str = "fault-matrix";

/// Keeps the row a fault test observed, for `docs/FAULTS.md`: the table of what each model says
/// for each fault is made from these files (`cargo run -p docgen -- faults`), so that it
/// shows what the code does, not what someone typed. Ports are replaced by `PORT`.
pub fn record_matrix_row(
    tmp_dir: &str,
    model: &str,
    case: &str,
    row: &Value,
    accepted: &[ErrorKind],
) {
    let dir = std::path::Path::new(tmp_dir).join(MATRIX_DIR).join(model);
    let entry = serde_json::json!({
        "model": model,
        "case": case.strip_prefix("fault_").unwrap_or(case),
        "kind": row["error_kind"],
        "accepted": accepted,
        "error": without_ports(row["error"].as_str().unwrap_or("")),
    });
    let written = std::fs::create_dir_all(&dir)
        .and_then(|()| std::fs::write(dir.join(format!("{case}.json")), entry.to_string()));
    if let Err(e) = written {
        eprintln!("cannot keep the fault matrix row in {}: {e}", dir.display());
    }
}

/// `http://127.0.0.1:41809/x` as `http://127.0.0.1:PORT/x`: what changes from run to run.
fn without_ports(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = ["127.0.0.1:", "localhost:"]
        .iter()
        .filter_map(|host| rest.find(host).map(|i| i + host.len()))
        .min()
    {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 {
            out.push_str("PORT");
        }
        rest = &rest[digits..];
    }
    out.push_str(rest);
    out
}

/// A program stopped at start-up because the OS refused it a thread: it must say so.
pub fn assert_refused_a_thread(stderr: &str) {
    assert!(
        stderr.starts_with("error: the OS refused a thread"),
        "{stderr}"
    );
}

/// Runs the child as the unprivileged user `nobody`, allowed `threads` threads in all
/// (`ulimit -u`, which does not bind root). The caller must be root.
pub fn as_nobody_with_threads(command: &mut Command, threads: u64) {
    use std::os::unix::process::CommandExt;
    // SAFETY: only async-signal-safe calls (setrlimit, setgid, setuid) between fork and exec.
    unsafe {
        command.pre_exec(move || {
            let limit = libc::rlimit {
                rlim_cur: threads,
                rlim_max: threads,
            };
            if libc::setrlimit(libc::RLIMIT_NPROC, &limit) != 0
                || libc::setgid(65534) != 0
                || libc::setuid(65534) != 0
            {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

/// One way an endpoint can go wrong, for [`Model::survives`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Case {
    /// A fault of the origin's fault port.
    Fault(Fault),
    /// An HTTP status from the origin.
    Status(u16),
    /// A port where nothing listens.
    Refused,
    /// A host name that does not resolve (`.invalid` never does), made of misleading words.
    Dns,
    /// A redirect to itself, forever.
    RedirectLoop,
    /// HTTPS with a certificate no trusted authority signed (no `--ca-cert`).
    UntrustedCertificate,
    /// A jobs answer of 2 MB, over the 1 MiB limit of a body read whole.
    TooLarge,
    /// HTTPS to the origin's plain HTTP port: the TLS handshake meets an HTTP answer.
    TlsToPlainHttp,
}

/// Words that name other kinds of failure, put in every fault's URL (in its host, path or query):
/// a model that sorted errors by their text, which holds the URL, would be misled by them.
pub const MISLEADING: &str = "tls-certificate-timeout-refused";

impl Case {
    /// The URL that fails in this way, with [`MISLEADING`] words in it.
    pub fn url(self, origin: &Origin) -> String {
        match self {
            Case::Fault(fault) => format!("{}?{MISLEADING}", origin.fault_url(fault)),
            Case::Status(code) => origin.url(&format!("/status/{code}?{MISLEADING}")),
            Case::Refused => format!("{}{MISLEADING}", refused_url()),
            Case::Dns => "http://tls-certificate-timeout.invalid/refused".to_string(),
            Case::RedirectLoop => origin.url(&format!("/redirect-loop?{MISLEADING}")),
            Case::UntrustedCertificate => origin
                .https_url(&format!("/apple.com?{MISLEADING}"))
                .expect("https"),
            Case::TooLarge => origin.url(&format!("/bytes/2000000?{MISLEADING}")),
            Case::TlsToPlainHttp => origin
                .url(&format!("/apple.com?{MISLEADING}"))
                .replacen("http://", "https://", 1),
        }
    }

    fn is_jobs(self) -> bool {
        matches!(
            self,
            Case::Fault(Fault::MalformedJson | Fault::NoTotal) | Case::TooLarge
        )
    }
}

/// The path of the file with the origin's certificate authority, for `--ca-cert`.
fn ca_cert(origin: &Origin) -> &str {
    let path = origin.ca_cert().expect("an origin started with HTTPS");
    path.to_str().expect("a UTF-8 temporary path")
}

/// A URL where nothing listens: connecting to it is refused.
pub fn refused_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("local_addr").port();
    drop(listener);
    format!("http://127.0.0.1:{port}/")
}

/// Six synthetic endpoints of 0.4 s each, for the overlap checks: their delays add up to 2.4 s.
const OVERLAP_ARGS: [&str; 6] = ["--count", "6", "--size", "1000", "--delay", "0.4"];
const OVERLAP_N: usize = 6;
const OVERLAP_SUM: f64 = 2.4;

impl Model {
    /// The model whose binary is `bin` (`env!("CARGO_BIN_EXE_fetch-tokio")`); its kind comes
    /// from the catalogue ([`catalogue::MODELS`]).
    pub fn new(bin: &'static str) -> Model {
        let name = program_name(bin);
        let info = catalogue::Model::named(name)
            .unwrap_or_else(|| panic!("{name} is not in the catalogue's MODELS"));
        Model {
            bin,
            family: info.family,
            read_buffer: info.read_buffer,
            io_uring: info.io_uring,
            extra: Vec::new(),
        }
    }

    /// Whether this model's checks are skipped here: a model on io_uring where it is not
    /// available (said on the test's output).
    pub fn skipped(&self) -> bool {
        self.io_uring && skipped_without_io_uring(self.bin, &["http://127.0.0.1:1/"])
    }

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

    /// The same model with extra arguments on every run (`--threads 6`, say).
    pub fn with_args(&self, args: &[&str]) -> Model {
        let mut model = self.clone();
        model.extra.extend(args.iter().map(|a| a.to_string()));
        model
    }

    /// Runs the model with `args` and waits for it at most `deadline`.
    pub fn run(&self, args: &[&str], deadline: Duration) -> Outcome {
        let finished = child::run(
            Command::new(self.bin).args(args).args(&self.extra),
            deadline,
        )
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", self.bin));
        let Some(status) = finished.status else {
            panic!(
                "{} {args:?} still running after {deadline:?}: killed",
                self.bin
            );
        };
        Outcome {
            code: status.code().unwrap_or(-1),
            stdout: finished.stdout,
            stderr: finished.stderr,
            elapsed: finished.elapsed,
        }
    }

    /// Runs with `--json` and checks the exit code against the failures it reports.
    pub fn run_json(&self, args: &[&str], deadline: Duration) -> (Outcome, Value) {
        let mut all = args.to_vec();
        all.push("--json");
        let outcome = self.run(&all, deadline);
        let json = outcome.json();
        let want = if json["failed"] == 0 { 0 } else { 1 };
        assert_eq!(outcome.code, want, "exit code for {json}");
        (outcome, json)
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

    /// One faulty endpoint among good ones: its row names the cause, the others succeed, the
    /// exit code is 1, and the run ends within the timeout and two seconds. Returns the row.
    pub fn survives(&self, case: Case, want: &[ErrorKind]) -> Value {
        let origin = start_origin();
        let url = case.url(&origin);
        self.survives_url(&origin, &url, case.is_jobs(), want)
    }

    fn survives_url(&self, origin: &Origin, bad: &str, jobs: bool, want: &[ErrorKind]) -> Value {
        let good: Vec<String> = if jobs {
            origin::zips()[..3]
                .iter()
                .map(|z| origin.url(&format!("/api/jobs?LocationId={z}&scale=0.01")))
                .collect()
        } else {
            ["/google.com?scale=0.05", "/bytes/5000?delay=0.05"]
                .iter()
                .map(|p| origin.url(p))
                .collect()
        };
        let timeout = 1.0;
        let mut args: Vec<&str> = good.iter().map(String::as_str).collect();
        args.insert(1, bad);
        let timeout_arg = timeout.to_string();
        args.extend(["--timeout", &timeout_arg]);
        if jobs {
            args.extend(["--workload", "jobs"]);
        }
        let (outcome, json) = self.run_json(&args, secs(20));
        assert!(
            outcome.elapsed.as_secs_f64() < timeout + 2.0,
            "took {:?}",
            outcome.elapsed
        );
        assert_eq!(json["failed"], 1, "{json}");
        assert_eq!(json["ok"], good.len(), "{json}");
        let row = rows(&json)
            .find(|r| r["url"] == bad)
            .unwrap_or_else(|| panic!("no row for {bad}: {json}"));
        let kind: ErrorKind =
            serde_json::from_value(row["error_kind"].clone()).expect("error_kind");
        assert!(
            want.contains(&kind),
            "{bad}: {kind:?} not in {want:?}: {row}"
        );
        assert!(row["error"].as_str().is_some_and(|e| !e.is_empty()));
        row.clone()
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

    /// With `ulimit -n` at 256 and 1,000 requests at once, the model either completes or gives
    /// every endpoint it could not open a connection for a "too many open files" row that says
    /// what to do. Nothing aborts.
    pub fn survives_a_low_descriptor_limit(&self) {
        let origin = start_origin();
        // Bounded models never hold many sockets: no need to keep their requests waiting.
        let delay = if self.family.all_at_once() {
            "0.5"
        } else {
            "0"
        };
        let base = origin.base_url();
        let args = [
            "--origin", &base, "--count", "1000", "--size", "100", "--delay", delay, "--json",
        ];
        let mut command = Command::new(self.bin);
        command.args(args).args(&self.extra);
        procs::limit_descriptors(&mut command, 256);
        let finished = child::run(&mut command, secs(60)).expect("run the model");
        let status = finished.status.expect("the model finished in time");
        let outcome = Outcome {
            code: status.code().unwrap_or(-1),
            stdout: finished.stdout,
            stderr: finished.stderr,
            elapsed: finished.elapsed,
        };
        assert!(matches!(outcome.code, 0 | 1), "{outcome:?}");
        let json = outcome.json();
        assert_eq!(json["n"], 1000);
        let ok = json["ok"].as_u64().unwrap_or(0);
        let failed: Vec<&Value> = rows(&json).filter(|r| !r["error"].is_null()).collect();
        assert_eq!(ok + failed.len() as u64, 1000, "every endpoint reported");
        for row in failed {
            assert_eq!(row["error_kind"], "too-many-open-files", "{row}");
            assert!(
                row["error"].as_str().unwrap_or("").contains("ulimit -n"),
                "{row}"
            );
        }
        // The report's own figures survive the descriptors running out: its memory and thread
        // counts are read from a file opened before the run.
        assert!(json["vm_peak_bytes"].as_u64() > Some(0), "{json}");
        assert!(json["threads_at_end"].as_u64() > Some(0), "{json}");
    }

    /// Run as an unprivileged user allowed three threads (`ulimit -u 3`), twenty requests to a
    /// host that has to be looked up: every endpoint has its row, ok or "thread refused", or,
    /// for a runtime that needs more threads than that to start, a clear error and exit code 2.
    /// Nothing panics or hangs. Needs root, to run the model as `nobody`; skipped otherwise.
    pub fn survives_a_thread_limit(&self) {
        // SAFETY: geteuid has no preconditions.
        if unsafe { libc::geteuid() } != 0 {
            eprintln!("skipped: needs root to run the model as a user with a small ulimit -u");
            return;
        }
        let origin = start_origin();
        let base = origin.base_url().replacen("127.0.0.1", "localhost", 1);
        let mut command = Command::new(self.bin);
        command
            .args([
                "--origin", &base, "--count", "20", "--size", "10", "--delay", "0.2",
            ])
            .arg("--json")
            .args(&self.extra);
        as_nobody_with_threads(&mut command, 3);
        let finished = child::run(&mut command, secs(30)).expect("run the model");
        let status = finished.status.expect("the model finished in time");
        if status.code() == Some(2) {
            assert_refused_a_thread(&finished.stderr);
            return;
        }
        assert!(
            matches!(status.code(), Some(0 | 1)),
            "{status}: {}",
            finished.stderr
        );
        let json: Value = serde_json::from_str(finished.stdout.trim()).expect("a JSON report");
        let failed: Vec<&Value> = rows(&json).filter(|r| !r["error"].is_null()).collect();
        assert_eq!(
            json["ok"].as_u64().unwrap_or(0) + failed.len() as u64,
            20,
            "{json}"
        );
        for row in failed {
            assert_eq!(row["error_kind"], "thread-refused", "{row}");
        }
    }

    /// Under a 768 MiB limit of address space (`prlimit --as`), two pages of 256 MiB each, which
    /// could not both be held whole, are counted as they arrive and the run reports as usual.
    pub fn survives_a_memory_limit(&self) {
        let origin = start_origin();
        let page = origin::MAX_BYTES;
        let urls = [
            origin.url(&format!("/bytes/{page}")),
            origin.url(&format!("/bytes/{page}?delay=0.01")),
        ];
        let mut command = Command::new(self.bin);
        command.args(&urls).arg("--json").args(&self.extra);
        procs::set_limit(&mut command, libc::RLIMIT_AS, 768 << 20);
        let finished = child::run(&mut command, secs(120)).expect("run the model");
        let status = finished.status.expect("the model finished in time");
        assert_eq!(status.code(), Some(0), "{}", finished.stderr);
        let json: Value = serde_json::from_str(finished.stdout.trim()).expect("a JSON report");
        assert_eq!(json["ok"], 2, "{json}");
        assert_eq!(json["bytes"], 2 * page, "{json}");
    }

    /// A reader that stops reading (`fetch-x | head -1`) ends the report, not the run: the model
    /// exits with its own code instead of panicking on the broken pipe.
    pub fn survives_a_closed_stdout(&self) {
        let mut child = Command::new(self.bin)
            .args(["--count", "3", "--size", "10"])
            .args(&self.extra)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("run the model");
        drop(child.stdout.take());
        let output = child.wait_with_output().expect("wait for the model");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
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

#[cfg(test)]
mod tests {
    #[test]
    fn ports_are_taken_out() {
        assert_eq!(
            super::without_ports("GET http://127.0.0.1:41809/x and https://localhost:443/ ok"),
            "GET http://127.0.0.1:PORT/x and https://localhost:PORT/ ok"
        );
        assert_eq!(super::without_ports("no address here"), "no address here");
    }
}

fn rows(json: &Value) -> impl Iterator<Item = &Value> {
    json["requests"].as_array().into_iter().flatten()
}

const MIB: f64 = 1024.0 * 1024.0;

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

/// A file in the temporary directory, removed when dropped.
#[derive(Debug)]
pub struct TempFile(std::path::PathBuf);

impl TempFile {
    pub fn new(contents: &str) -> TempFile {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "asynchronicity-{}-{}.txt",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::write(&path, contents).expect("write a temporary file");
        TempFile(path)
    }

    pub fn path(&self) -> &str {
        self.0.to_str().expect("a UTF-8 temporary path")
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Every test a model must pass, as `#[test]` functions:
/// `harness::model_tests!(BIN)`, or `harness::model_tests!(BIN, ["--flag", ...])`
/// to pass extra arguments on every run.
#[macro_export]
macro_rules! model_tests {
    ($bin:expr) => {
        $crate::model_tests!($bin, []);
    };
    ($bin:expr, [$($arg:expr),* $(,)?]) => {
        #[allow(unused_imports)]
        use $crate::common::ErrorKind::*;
        use $crate::{Case, Fault, Model};

        fn model() -> Model {
            Model::new($bin).with_args(&[$($arg),*])
        }

        $crate::checks! {
            six_sites_with_exact_sizes(),
            timeline_has_the_models_shape(),
            jobs_total_is_the_origins(),
            sums_huge_totals_without_wrapping(),
            reads_every_form_of_answer(),
            survives_a_server_that_closes_idle_connections(),
            uses_a_running_origin(),
            overlap(),
            concurrency_one_is_sequential(),
            reads_an_endpoints_file(),
            rejects_a_bad_endpoints_line(),
            prints_one_json_object(),
            counts_pages_without_keeping_them(),
            survives_a_closed_stdout(),
            follows_redirects(),
            fetches_https_with_an_extra_root(),
            checks_the_name_of_every_host(),
            survives_a_low_descriptor_limit(),
            survives_a_memory_limit(),
        }

        $crate::fault_tests! {
            fault_refused: Case::Refused => [Refused],
            fault_dns: Case::Dns => [Dns],
            fault_status_404: Case::Status(404) => [Status],
            fault_status_500: Case::Status(500) => [Status],
            fault_close: Case::Fault(Fault::Close) => [Closed],
            fault_reset: Case::Fault(Fault::Reset) => [Reset, Closed],
            fault_reset_mid_body: Case::Fault(Fault::ResetMidBody) => [Reset, Truncated],
            fault_short_body: Case::Fault(Fault::Short) => [Truncated],
            fault_trickle: Case::Fault(Fault::Trickle) => [Timeout],
            fault_hang: Case::Fault(Fault::Hang) => [Timeout],
            fault_stalled_body: Case::Fault(Fault::StalledBody) => [Timeout],
            fault_huge_head: Case::Fault(Fault::HugeHead) => [NotHttp, TooLarge],
            fault_not_http: Case::Fault(Fault::NotHttp) => [NotHttp],
            fault_http_0_9: Case::Fault(Fault::Http09) => [NotHttp],
            fault_no_location: Case::Fault(Fault::NoLocation) => [Status],
            fault_status_999: Case::Status(999) => [Status],
            fault_malformed_json: Case::Fault(Fault::MalformedJson) => [BadJson],
            fault_no_total: Case::Fault(Fault::NoTotal) => [BadJson],
            fault_redirect_loop: Case::RedirectLoop => [Redirects],
            fault_untrusted_certificate: Case::UntrustedCertificate => [Tls],
            fault_too_large: Case::TooLarge => [TooLarge],
            fault_negative_length: Case::Fault(Fault::NegativeLength) => [NotHttp],
            fault_tls_to_plain_http: Case::TlsToPlainHttp => [Tls],
        }
    };
}

/// A `#[test]` per check of [`Model`], named after it.
#[macro_export]
macro_rules! checks {
    ($($check:ident($($arg:expr)?),)+) => {
        $(
            #[test]
            fn $check() {
                let model = model();
                if !model.skipped() {
                    model.$check($($arg)?);
                }
            }
        )+
    };
}

/// The fault matrix of one model: a `#[test]` per case, each checking the kinds it may give.
#[macro_export]
macro_rules! fault_tests {
    ($($name:ident: $case:expr => [$($kind:ident),+],)+) => {
        $(
            #[test]
            fn $name() {
                let model = model();
                if model.skipped() {
                    return;
                }
                let accepted = [$($kind),+];
                let row = model.survives($case, &accepted);
                $crate::record_matrix_row(
                    env!("CARGO_TARGET_TMPDIR"),
                    env!("CARGO_PKG_NAME"),
                    stringify!($name),
                    &row,
                    &accepted,
                );
            }
        )+
    };
}
