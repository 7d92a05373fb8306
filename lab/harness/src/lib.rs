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
//! - Where each check lives: `checks.rs` (the workloads, the timeline, the
//!   overlap, every form of answer, HTTPS, redirects, the report), `faults.rs` (the fault matrix:
//!   [`Case`] and [`Model::survives`]), `limits.rs` (too few descriptors, threads or memory, a
//!   closed stdout), and [`serve`] (the checks every server passes).
//!
//! The helpers panic on anything unexpected, as test code does.

mod checks;
mod faults;
mod limits;
pub mod serve;

pub use faults::{Case, MATRIX_DIR, MISLEADING, record_matrix_row, refused_url};
pub use limits::{as_nobody_with_threads, assert_refused_a_thread};

use std::process::Command;
use std::time::Duration;

use serde_json::Value;

use catalogue::{Family, ReadBuffer};
pub use common;
pub use fetchkit;
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

/// Starts an origin on loopback for one test that also serves the workspace's `js/` at
/// `/files/`, for the talk's page.
pub fn start_origin_with_js() -> Origin {
    let js = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../js");
    Origin::start(Config {
        // The folder is the test process's for its whole life.
        files: Some(Box::leak(js.into_boxed_path())),
        ..Config::default()
    })
    .expect("start the origin")
}

/// Starts an origin on loopback for one test, with HTTPS.
pub fn start_origin() -> Origin {
    Origin::start(Config {
        tls: true,
        ..Config::default()
    })
    .expect("start the origin")
}

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
        use $crate::fetchkit::ErrorKind::*;
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
