//! The run of a fetch-* model: the command line, the endpoints, the report and the embedded
//! origin, with ureq's client for the blocking models ([`blocking`]) and rustls's roots for the
//! others ([`tls`]). What every client and runtime shares below the run (errors, bodies, the
//! name lookup, the timing helper) is the `fetchkit` crate's, re-exported here so that a model
//! needs one import. What a model does with them (a loop, threads, tasks, a pool) stays in the
//! model's own `main.rs`.
//!
//! A model reads like this:
//! ```no_run
//! # use std::process::ExitCode;
//! # fn get(endpoint: &common::Endpoint) -> Result<fetchkit::Page, fetchkit::FetchError> {
//! #     Ok(fetchkit::Page::new(endpoint.url(), endpoint.body()))
//! # }
//! fn main() -> ExitCode {
//!     common::exit(fetch_all())                    // a start-up error: exit code 2
//! }
//!
//! fn fetch_all() -> anyhow::Result<ExitCode> {
//!     let run = common::Run::from_cli()?;          // flags, endpoints, the embedded origin
//!     let mut report = run.report();               // prints the header
//!     for endpoint in run.endpoints() {
//!         let (page, elapsed) = fetchkit::timeit(|| get(endpoint));
//!         report.record(endpoint, page, elapsed);  // checks the answer, prints the row
//!     }
//!     Ok(report.finish())                          // the sum, wall, CPU, peak RSS
//! }
//! ```
//!
//! Errors: an endpoint's failure is a [`FetchError`](fetchkit::FetchError), whose
//! [`ErrorKind`](fetchkit::ErrorKind) each client sorts from its own typed errors, and becomes
//! that endpoint's row. What stops a run from starting (a bad
//! flag, an unreadable endpoints file, an origin that cannot start) is a [`StartError`], which
//! [`exit`] turns into a message and exit code 2; nothing in this crate ends the process itself.

#[cfg(feature = "ureq")]
pub mod blocking;
mod cli;
mod endpoints;
mod report;
#[cfg(feature = "rustls")]
pub mod tls;

use std::io;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Parser;
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;

pub use cli::{Args, Workload, timeout_seconds};
pub use endpoints::{
    Endpoint, Endpoints, Expect, LineError, UsageError, check_url, parse_endpoints,
};
pub use report::Report;

use endpoints::Source;
use report::Setup;

/// One run of a model: its settings, its endpoints and, unless told otherwise, the origin it
/// started in-process.
#[derive(Debug)]
pub struct Run {
    args: Args,
    endpoints: Endpoints,
    source: Source,
    model: String,
    ca_cert: Option<CertificateDer<'static>>,
    started: Instant,
    /// Set when the threads at once were held below `--concurrency` by the machine's limits:
    /// the report says which limit.
    held: std::sync::Mutex<Option<String>>,
    // Dropped last: the origin outlives every request.
    origin: Option<origin::Origin>,
}

impl Run {
    /// Reads the command line and prepares the run: raises the open-file limit, reads the
    /// endpoints and starts the embedded origin when no URLs and no `--origin` are given.
    ///
    /// `--help` and `--version`, a usage error (a bad flag, an unreadable endpoints file, a
    /// malformed URL) and an origin that cannot start are a [`StartError`], for [`exit`].
    pub fn from_cli() -> Result<Run, StartError> {
        Run::new(Args::try_parse()?)
    }

    /// Prepares a run from parsed arguments.
    pub fn new(args: Args) -> Result<Run, StartError> {
        fetchkit::Usage::prepare();
        let fd_limit = fetchkit::raise_fd_limit().ok();
        let ca_cert = match &args.ca_cert {
            Some(path) => Some(CertificateDer::from_pem_file(path).map_err(|e| {
                UsageError(format!(
                    "cannot read a PEM certificate from {}: {e}",
                    path.display()
                ))
            })?),
            None => None,
        };
        let (plan, source, origin) = if args.live {
            (Endpoints::live(&args), Source::Urls, None)
        } else if let Some(path) = &args.endpoints {
            let text = std::fs::read(path).map_err(|e| {
                UsageError(format!(
                    "cannot read the endpoints file {}: {e}",
                    path.display()
                ))
            })?;
            let urls = parse_endpoints(&text).map_err(|e| {
                UsageError(format!(
                    "{}: line {}: {}",
                    path.display(),
                    e.line,
                    e.message
                ))
            })?;
            if urls.is_empty() {
                return Err(UsageError(format!("{} holds no URLs", path.display())).into());
            }
            (Endpoints::from_urls(urls, &args), Source::Urls, None)
        } else if !args.urls.is_empty() {
            let urls = args
                .urls
                .iter()
                .map(|url| check_url(url))
                .collect::<Result<Vec<_>, _>>()
                .map_err(UsageError)?;
            (Endpoints::from_urls(urls, &args), Source::Urls, None)
        } else if let Some(url) = &args.origin {
            let base = endpoints::check_origin(url).map_err(UsageError)?;
            (
                Endpoints::for_origin(&base, &args),
                Source::External(base),
                None,
            )
        } else {
            let origin = origin::Origin::start(origin::Config::default()).map_err(|e| {
                io::Error::new(e.kind(), format!("cannot start the embedded origin: {e}"))
            })?;
            let base = origin.base_url();
            (
                Endpoints::for_origin(&base, &args),
                Source::Embedded(base),
                Some(origin),
            )
        };
        let run = Run {
            model: model_name(),
            ca_cert,
            endpoints: plan,
            source,
            origin,
            started: Instant::now(),
            held: std::sync::Mutex::default(),
            args,
        };
        if let Some(limit) = fd_limit {
            run.warn_about_descriptors(limit.soft);
        }
        Ok(run)
    }

    /// The endpoints to fetch, in order.
    pub fn endpoints(&self) -> &[Endpoint] {
        &self.endpoints.endpoints
    }

    /// The time limit for one request.
    pub fn timeout(&self) -> Duration {
        self.args.timeout
    }

    /// How many requests may be in flight at once: `--concurrency`, or every endpoint.
    pub fn concurrency(&self) -> usize {
        let n = self.endpoints().len().max(1);
        self.args.concurrency.map_or(n, |c| (c as usize).min(n))
    }

    /// For a model with a thread per request: [`concurrency`](Run::concurrency), but never more
    /// threads than the machine allows ([`thread_budget`]: past it, the standard library aborts
    /// the process). A run held below `--concurrency` this way says so, and why, in its report.
    pub fn thread_limit(&self) -> usize {
        let budget = fetchkit::thread_budget();
        if budget.threads < self.concurrency() {
            *self
                .held
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(format!(
                "at most {} threads at once; the limit: {}",
                budget.threads, budget.limit
            ));
        }
        self.concurrency().min(budget.threads)
    }

    /// The extra certificate authority given by `--ca-cert`, to trust besides the public roots.
    pub fn ca_cert(&self) -> Option<&CertificateDer<'static>> {
        self.ca_cert.as_ref()
    }

    /// A rustls client configuration for this run: the public roots, and `--ca-cert` if given.
    #[cfg(feature = "rustls")]
    pub fn tls_config(&self) -> Result<rustls::ClientConfig, rustls::Error> {
        tls::client_config(self.ca_cert())
    }

    /// `--threads`, for models with a pool.
    pub fn threads(&self) -> Option<usize> {
        self.args.threads.map(|n| n as usize)
    }

    /// Starts the report and prints its header.
    pub fn report(&self) -> Report<'_> {
        let mut report = Report::new(Setup {
            model: &self.model,
            header: self.header(),
            workload: self.args.workload,
            endpoints: self.endpoints(),
            what: &self.endpoints.what,
            source: &self.source,
            timeout: self.args.timeout,
            concurrency: self.args.concurrency,
            time_scale: self.args.time_scale,
            simulated_delays: self.endpoints.simulated_delays,
            slowest_delay: self.endpoints.slowest_delay,
            json: self.args.json,
            all_rows: self.args.all_rows,
            started: self.started,
            origin: self.origin.as_ref(),
        });
        let held = self.held.lock().map(|mut held| held.take());
        if let Ok(Some(held)) = held {
            report.note(held);
        }
        report
    }

    fn header(&self) -> String {
        let n = self.endpoints().len();
        let from = match &self.source {
            Source::Embedded(url) => format!(" from the embedded origin at {url}"),
            Source::External(url) => format!(" from the origin at {url}"),
            Source::Urls => String::new(),
        };
        let scale = if self.args.time_scale == 1.0 {
            String::new()
        } else {
            format!(", delays x{}", self.args.time_scale)
        };
        let endpoints = if n == 1 { "endpoint" } else { "endpoints" };
        format!(
            "{}: {n} {endpoints}, {}{from}{scale}",
            self.model, self.endpoints.what
        )
    }

    /// Arranges for a warning when more requests are in flight at once than the process has
    /// descriptors for: said when it happens (see [`fetchkit::warn_past`]), so that a model that never has
    /// many requests in flight (one at a time, a small pool) never says it.
    fn warn_about_descriptors(&self, limit: u64) {
        let per_request = if self.origin.is_some() { 2 } else { 1 };
        let most = limit.saturating_sub(64) / per_request;
        if (self.concurrency() as u64) <= most {
            return;
        }
        fetchkit::warn_past(
            usize::try_from(most).unwrap_or(usize::MAX),
            format!(
                "warning: more than {most} requests at once need more file descriptors{} than \
                 this process may open ({limit}); expect 'too many open files' rows. Lower \
                 --concurrency, raise the hard limit (ulimit -Hn), or run the origin on its own.",
                if per_request == 2 {
                    " (two each: the embedded origin holds the other end)"
                } else {
                    ""
                },
            ),
        );
    }
}

/// Why a run could not start.
#[derive(Debug)]
pub enum StartError {
    /// clap's answer to the command line: a bad flag, or `--help` and `--version`.
    Cli(clap::Error),
    /// The endpoints, a URL or a file named on the command line is wrong.
    Usage(UsageError),
    /// The embedded origin could not start.
    Io(io::Error),
}

impl From<clap::Error> for StartError {
    fn from(e: clap::Error) -> StartError {
        StartError::Cli(e)
    }
}

/// A start error displays as the error it wraps, so its source is that error's source: a chain
/// printed with `{:#}` says each thing once.
impl std::error::Error for StartError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            StartError::Cli(e) => e.source(),
            StartError::Usage(e) => e.source(),
            StartError::Io(e) => e.source(),
        }
    }
}

/// The exit code of a model's `main`: the report's own (0 when every endpoint succeeded, 1 when
/// any failed) or, when the run could not start, the error printed and exit code 2 (0 for
/// `--help` and `--version`, as clap has it).
pub fn exit(result: anyhow::Result<ExitCode>) -> ExitCode {
    let error = match result {
        Ok(code) => return code,
        Err(error) => error,
    };
    if let Some(StartError::Cli(e)) = error.downcast_ref::<StartError>() {
        let _ = e.print();
        return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2));
    }
    eprintln!("error: {error:#}");
    ExitCode::from(2)
}

impl From<UsageError> for StartError {
    fn from(e: UsageError) -> StartError {
        StartError::Usage(e)
    }
}

impl From<io::Error> for StartError {
    fn from(e: io::Error) -> StartError {
        StartError::Io(e)
    }
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StartError::Cli(e) => e.fmt(f),
            StartError::Usage(e) => e.fmt(f),
            StartError::Io(e) => e.fmt(f),
        }
    }
}

/// The start-up error of a program on io_uring that could not set up its ring (`cause`): what
/// io_uring needs, and what this machine has, so that a reader can tell which one is missing.
pub fn io_uring_unavailable(cause: io::Error) -> UsageError {
    let read = |path| {
        std::fs::read_to_string(path).map_or_else(|_| "unknown".into(), |v| v.trim().to_owned())
    };
    UsageError(format!(
        "io_uring is not available here ({cause}): it needs Linux 5.19 or later (this is {}), \
         `sysctl kernel.io_uring_disabled` at 0 (it is {}), and no seccomp profile that forbids it",
        read("/proc/sys/kernel/osrelease"),
        read("/proc/sys/kernel/io_uring_disabled"),
    ))
}

/// A compio runtime on io_uring with a ring of `buffers` provided buffers of `length` bytes
/// registered, from which its reads take a buffer as data arrives; [`io_uring_unavailable`]
/// where the kernel does not allow it. The client and the server on io_uring both build theirs
/// here.
#[cfg(feature = "compio")]
pub fn io_uring_runtime(
    buffers: u16,
    length: usize,
) -> Result<compio::runtime::Runtime, StartError> {
    let mut proactor = compio::driver::ProactorBuilder::new();
    let buffers = std::num::NonZero::new(buffers).unwrap_or(std::num::NonZero::<u16>::MIN);
    proactor
        .buffer_pool_size(buffers)
        .buffer_pool_buffer_len(length);
    let runtime = compio::runtime::Runtime::builder()
        .with_proactor(proactor)
        .build()
        .map_err(io_uring_unavailable)?;
    runtime.buffer_pool().map_err(io_uring_unavailable)?;
    Ok(runtime)
}

/// The cores this process may run on: a runtime's default number of worker threads.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// The program's name: the executable's, e.g. `fetch-sync`.
pub fn model_name() -> String {
    std::env::args_os()
        .next()
        .as_deref()
        .map(std::path::Path::new)
        .and_then(|p| p.file_stem())
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "fetch".into())
}
