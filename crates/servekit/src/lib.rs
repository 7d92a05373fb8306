//! What every serve-* model needs: the command line, the listening socket, the one route
//! ([`route`]), the server's counters ([`stats`]), and, for the models that read HTTP themselves,
//! a request parser and the blocking conversation of one connection ([`converse`]).
//!
//! Every server answers `GET /work?ms=50&size=1024`: it waits `ms` milliseconds without using
//! the CPU (the stand-in for a database or an upstream call), then sends `size` bytes, keeping
//! the connection open for the next request. How it waits, and what holds each connection while
//! it does (a thread, a task, a coroutine, a callback), is the model's own `main.rs`.
//!
//! A server reads like this (serve-threads, in short):
//! ```no_run
//! # use std::process::ExitCode;
//! fn main() -> ExitCode {
//!     common::exit(serve())                                   // a start-up error: exit code 2
//! }
//!
//! fn serve() -> anyhow::Result<ExitCode> {
//!     let serve = servekit::Serve::from_cli()?;           // flags, the descriptor limit
//!     let listener = serve.listen()?;                          // bound, with --backlog
//!     let timeout = serve.header_timeout();
//!     for stream in listener.incoming().flatten() {
//!         servekit::stats().accepted();
//!         std::thread::spawn(move || servekit::converse(stream, timeout));
//!     }
//!     Ok(ExitCode::SUCCESS)
//! }
//! ```
//!
//! Bad requests never reach the model: garbage is a 400, a head larger than [`MAX_HEAD`] a 431,
//! and a head that does not arrive whole within `--header-timeout` (a client sending a byte a
//! second) closes the connection. `GET /stats` answers the counters as JSON, for the benchmark.

mod conversation;
pub mod hangup;
mod route;
mod stats;
mod threads;

use std::io::{self, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener};
use std::time::Duration;

use bytes::Bytes;
use clap::Parser;
use common::{StartError, UsageError};
use http_body_util::Full;

pub use conversation::{
    Connection, MAX_HEAD, Persist, Rejected, Request, check_host, converse, parse_request, send,
    write_head,
};
pub use hangup::{LOOK_EVERY, Lookout, PROBE, Peer, Quiet, wait_looking};
pub use route::{MAX_DELAY, MAX_SIZE, Route, route};
pub use stats::{Stats, stats};
pub use threads::{Admitted, ConnectionThreads};

/// How long to wait after an accept failed before trying again (one pause for every server:
/// `fetchkit`'s, which the reactor and the green hub hold to too).
pub use fetchkit::ACCEPT_PAUSE;

/// Answer GET /work?ms=MS&size=SIZE: wait MS milliseconds without using the CPU, then send SIZE
/// bytes, with keep-alive. GET /stats answers the server's counters as JSON.
#[derive(Debug, Clone, Parser)]
#[command(version)]
pub struct ServeArgs {
    /// The port to listen on; 0 lets the system choose one (printed at start-up).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,

    /// The address to listen on.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    pub host: IpAddr,

    /// Threads: a runtime's workers, an event loop per thread, or the most connection threads at
    /// once (the model's header says which).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub threads: Option<u64>,

    /// The listen backlog: connections the kernel completes and holds until the server accepts
    /// them (capped by net.core.somaxconn).
    #[arg(long, value_name = "N", default_value_t = 4096, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub backlog: u32,

    /// Close a connection whose next request head has not arrived whole after this many
    /// seconds: an idle keep-alive connection, or a client sending a byte at a time.
    #[arg(long, value_name = "SECONDS", default_value = "10", value_parser = common::timeout_seconds)]
    pub header_timeout: Duration,
}

/// A server's settings, read from its command line.
#[derive(Debug)]
pub struct Serve {
    args: ServeArgs,
}

impl Serve {
    /// Reads the command line and raises the open-file limit to its hard limit: each connection
    /// is a descriptor.
    pub fn from_cli() -> Result<Serve, StartError> {
        Ok(Serve::new(ServeArgs::try_parse()?))
    }

    pub fn new(args: ServeArgs) -> Serve {
        let _ = fetchkit::raise_fd_limit();
        Serve { args }
    }

    /// `--threads`, when given.
    pub fn threads(&self) -> Option<usize> {
        self.args.threads.and_then(|n| usize::try_from(n).ok())
    }

    /// For a server with a thread per connection: `--threads`, or as many as this machine lets
    /// the process start ([`fetchkit::thread_budget`]), said on stderr with the limit that sets it.
    pub fn thread_limit(&self) -> usize {
        if let Some(n) = self.threads() {
            return n;
        }
        let budget = fetchkit::thread_budget();
        eprintln!(
            "{}: at most {} connection threads at once; the limit: {}",
            common::model_name(),
            budget.threads,
            budget.limit
        );
        budget.threads
    }

    /// `--threads`, or one per core.
    pub fn workers(&self) -> usize {
        self.threads()
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from))
    }

    /// hyper's HTTP/1 server with this server's limits: keep-alive (hyper's default), a head
    /// of at most [`MAX_HEAD`] bytes, whole within `--header-timeout` by the runtime's `timer`.
    /// Two of hyper's defaults are changed: a client that shuts down its writing side after its
    /// request still gets its answer (`half_close`: RFC 9112 lets a client do so), and a body is
    /// written from where it lies with `writev` instead of being copied into the connection's
    /// buffer (`writev`: hyper guesses otherwise for a transport that does not say it has
    /// vectored writes, as smol's does not, and every connection then kept a buffer the size of
    /// its biggest answer).
    pub fn http1(
        &self,
        timer: impl hyper::rt::Timer + Send + Sync + 'static,
    ) -> hyper::server::conn::http1::Builder {
        let mut http = hyper::server::conn::http1::Builder::new();
        http.timer(timer)
            .header_read_timeout(self.args.header_timeout)
            .max_buf_size(MAX_HEAD)
            .half_close(true)
            .writev(true);
        http
    }

    /// `--header-timeout`.
    pub fn header_timeout(&self) -> Duration {
        self.args.header_timeout
    }

    /// The listening socket, bound with `--backlog` (and `SO_REUSEADDR`, so that a restarted
    /// server can bind while old connections linger). Prints where it listens, on one line of
    /// its own: `NAME listening on http://ADDR/work?ms=50&size=1024`.
    pub fn listen(&self) -> Result<TcpListener, StartError> {
        let addr = SocketAddr::new(self.args.host, self.args.port);
        let listener = bind(addr, self.args.backlog)
            .map_err(|e| UsageError(format!("cannot listen on {addr}: {e}")))?;
        let bound = listener.local_addr()?;
        let mut out = io::stdout().lock();
        let _ = writeln!(
            out,
            "{} listening on http://{bound}/work?ms=50&size=1024",
            common::model_name()
        );
        let _ = out.flush();
        Ok(listener)
    }
}

impl Serve {
    /// Runs `one_loop` on `--threads` threads (one by default: this one), each with a handle
    /// of its own to the listening socket: for the servers whose event loop is one thread, as
    /// one Twisted or gevent process has one. Returns when a loop on this thread does.
    pub fn on_each_thread(
        &self,
        listener: TcpListener,
        one_loop: impl Fn(TcpListener) -> io::Result<()> + Clone + Send + 'static,
    ) -> io::Result<()> {
        for _ in 1..self.threads().unwrap_or(1) {
            let (listener, one_loop) = (listener.try_clone()?, one_loop.clone());
            std::thread::Builder::new()
                .name(common::model_name())
                .spawn(move || one_loop(listener))?;
        }
        one_loop(listener)
    }
}

/// What hyper needs to serve a connection, for the servers on hyper: its transport `io` (of the
/// socket `fd`), wrapped in [`Quiet`] so that the hang-up lookout knows when hyper's writes are
/// out, and the service that [`answer`]s each request with the runtime's `sleep`.
pub fn for_hyper<T, S, F>(
    io: T,
    fd: std::os::fd::RawFd,
    sleep: S,
) -> (
    Quiet<T>,
    impl hyper::service::Service<
        hyper::Request<hyper::body::Incoming>,
        Response = hyper::Response<Full<Bytes>>,
        Error = io::Error,
        Future: Send,
    > + Clone,
)
where
    S: Fn(Duration) -> F + Clone + Send + 'static,
    F: Future + Send,
{
    let io = Quiet::new(io, fd);
    let peer = io.peer();
    let answer =
        hyper::service::service_fn(move |request| answer(request, sleep.clone(), peer.clone()));
    (io, answer)
}

/// Answers a request for the servers on hyper: `sleep` is the runtime's timer
/// (`tokio::time::sleep`, `smol::Timer::after`), which stands for the database call of `/work`,
/// and `peer` the connection's client, looked at between the slices of the wait
/// ([`hangup`]). hyper itself sends no body after a HEAD.
///
/// A client that left during the wait is an error, which ends its connection.
pub async fn answer<B, F>(
    request: hyper::Request<B>,
    sleep: impl Fn(Duration) -> F,
    peer: Peer,
) -> Result<hyper::Response<Full<Bytes>>, io::Error>
where
    F: Future,
{
    let target = request.uri().path_and_query().map_or("/", |p| p.as_str());
    let http11 = request.version() == hyper::Version::HTTP_11;
    let hosts = request
        .headers()
        .get_all(hyper::header::HOST)
        .iter()
        .count();
    let routed = match check_host(http11, hosts) {
        Ok(()) => route(request.method().as_str(), target),
        Err(Rejected { status }) => Route::Now {
            status,
            body: b"one Host header, please (RFC 9112, section 3.2)\n".to_vec(),
        },
    };
    let (status, body) = match routed {
        Route::Work { delay, body } => {
            if !wait_looking(delay, sleep, &mut peer.lookout(http11)).await {
                return Err(io::ErrorKind::ConnectionReset.into());
            }
            (200, Bytes::from_static(body))
        }
        Route::Now { status, body } => (status, Bytes::from(body)),
    };
    let mut response = hyper::Response::new(Full::new(body));
    *response.status_mut() =
        hyper::StatusCode::from_u16(status).unwrap_or(hyper::StatusCode::INTERNAL_SERVER_ERROR);
    Ok(response)
}

fn bind(addr: SocketAddr, backlog: u32) -> io::Result<TcpListener> {
    use socket2::{Domain, Socket, Type};
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, None)?;
    socket.set_reuse_address(true)?;
    socket.bind(&addr.into())?;
    socket.listen(i32::try_from(backlog).unwrap_or(i32::MAX))?;
    Ok(socket.into())
}
