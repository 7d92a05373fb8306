//! What every serve-* model needs: the command line, the listening socket, the one route, the
//! server's counters, and, for the models that read HTTP themselves, a request parser and the
//! blocking conversation of one connection.
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
//!     let serve = common::serve::Serve::from_cli()?;           // flags, the descriptor limit
//!     let listener = serve.listen()?;                          // bound, with --backlog
//!     let timeout = serve.header_timeout();
//!     for stream in listener.incoming().flatten() {
//!         common::serve::stats().accepted();
//!         std::thread::spawn(move || common::serve::converse(stream, timeout));
//!     }
//!     Ok(ExitCode::SUCCESS)
//! }
//! ```
//!
//! Bad requests never reach the model: garbage is a 400, a head larger than [`MAX_HEAD`] a 431,
//! and a head that does not arrive whole within `--header-timeout` (a client sending a byte a
//! second) closes the connection. `GET /stats` answers the counters as JSON, for the benchmark.

use std::convert::Infallible;
use std::io::{self, Read, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener};
use std::sync::LazyLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use clap::Parser;
use http_body_util::Full;

use crate::{StartError, UsageError};

/// The most bytes a request head (request line and headers) may take: hyper's smallest read
/// buffer, so that every server draws the line in the same place.
pub const MAX_HEAD: usize = 8 * 1024;

/// The largest `size` a request may ask for.
pub const MAX_SIZE: usize = 1 << 20;

/// The longest `ms` a request may ask for.
pub const MAX_DELAY: Duration = Duration::from_secs(60);

/// How long to wait after an accept failed (no descriptors left, say) before trying again: the
/// connection waits in the backlog meanwhile, and the loop does not spin.
pub const ACCEPT_PAUSE: Duration = Duration::from_millis(10);

/// The most headers a request may have.
const MAX_HEADERS: usize = 64;

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
    #[arg(long, value_name = "SECONDS", default_value = "10", value_parser = crate::cli::timeout)]
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
        let _ = origin::raise_fd_limit();
        Serve { args }
    }

    /// `--threads`, when given.
    pub fn threads(&self) -> Option<usize> {
        self.args.threads.and_then(|n| usize::try_from(n).ok())
    }

    /// `--threads`, or one per core.
    pub fn workers(&self) -> usize {
        self.threads()
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from))
    }

    /// hyper's HTTP/1 server with this server's limits: keep-alive (hyper's default), a head
    /// of at most [`MAX_HEAD`] bytes, whole within `--header-timeout` by the runtime's `timer`.
    pub fn http1(
        &self,
        timer: impl hyper::rt::Timer + Send + Sync + 'static,
    ) -> hyper::server::conn::http1::Builder {
        let mut http = hyper::server::conn::http1::Builder::new();
        http.timer(timer)
            .header_read_timeout(self.args.header_timeout)
            .max_buf_size(MAX_HEAD);
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
            crate::model_name()
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
                .name(crate::model_name())
                .spawn(move || one_loop(listener))?;
        }
        one_loop(listener)
    }
}

/// Answers a request for the servers on hyper: `wait` is the runtime's timer (`tokio::time::sleep`,
/// `smol::Timer::after`), which stands for the database call of `/work`.
pub async fn answer<B, F>(
    request: hyper::Request<B>,
    wait: impl FnOnce(Duration) -> F,
) -> Result<hyper::Response<Full<Bytes>>, Infallible>
where
    F: Future,
{
    let target = request.uri().path_and_query().map_or("/", |p| p.as_str());
    let (status, body) = match route(request.method().as_str(), target) {
        Route::Work { delay, body } => {
            wait(delay).await;
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

/// What a server counts, for `GET /stats` and for the benchmark.
#[derive(Debug, Default)]
pub struct Stats {
    accepted: AtomicU64,
    refused: AtomicU64,
    requests: AtomicU64,
    rejected: AtomicU64,
    timed_out: AtomicU64,
}

static STATS: Stats = Stats {
    accepted: AtomicU64::new(0),
    refused: AtomicU64::new(0),
    requests: AtomicU64::new(0),
    rejected: AtomicU64::new(0),
    timed_out: AtomicU64::new(0),
};

/// The server's counters.
pub fn stats() -> &'static Stats {
    &STATS
}

impl Stats {
    /// A connection was accepted.
    pub fn accepted(&self) {
        self.accepted.fetch_add(1, Ordering::Relaxed);
    }

    /// A connection could not be served: the accept failed, or no thread, task or stack could
    /// be had for it. The connection is closed (or left in the backlog); the server goes on.
    /// The first refusal is printed to stderr.
    pub fn refused(&self, why: &io::Error) {
        if self.refused.fetch_add(1, Ordering::Relaxed) == 0 {
            eprintln!("{}: refused a connection: {why}", crate::model_name());
        }
    }

    /// A connection whose request head did not arrive in time was closed.
    pub fn timed_out(&self) {
        self.timed_out.fetch_add(1, Ordering::Relaxed);
    }

    /// The counters as one JSON object.
    pub fn to_json(&self) -> String {
        let get = |n: &AtomicU64| n.load(Ordering::Relaxed);
        format!(
            r#"{{"accepted":{},"refused":{},"requests":{},"rejected":{},"timed_out":{}}}"#,
            get(&self.accepted),
            get(&self.refused),
            get(&self.requests),
            get(&self.rejected),
            get(&self.timed_out),
        )
    }
}

/// What a request asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// `/work`: wait `delay` (without using the CPU), then answer 200 with `body`.
    Work {
        delay: Duration,
        body: &'static [u8],
    },
    /// Answer at once: `/stats`, or an error (a 4xx, with a line saying why).
    Now { status: u16, body: Vec<u8> },
}

/// The bytes every `/work` answer is cut from.
static BODY: LazyLock<Box<[u8]>> = LazyLock::new(|| vec![b'x'; MAX_SIZE].into_boxed_slice());

/// Routes a request by its method and target (`/work?ms=50&size=1024`), and counts it.
pub fn route(method: &str, target: &str) -> Route {
    let routed = route_request(method, target);
    let counter = match &routed {
        Route::Now { status, .. } if *status >= 400 => &STATS.rejected,
        _ => &STATS.requests,
    };
    counter.fetch_add(1, Ordering::Relaxed);
    routed
}

fn route_request(method: &str, target: &str) -> Route {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    match (method, path) {
        ("GET", "/work") => match work(query) {
            Ok((delay, size)) => Route::Work {
                delay,
                body: &BODY[..size],
            },
            Err(why) => error(400, &why),
        },
        ("GET", "/stats") => Route::Now {
            status: 200,
            body: STATS.to_json().into_bytes(),
        },
        (_, "/work" | "/stats") => error(405, "only GET is served"),
        _ => error(404, "the one route is /work?ms=MS&size=BYTES"),
    }
}

/// Reads `ms` and `size` (50 and 1024 when absent).
fn work(query: &str) -> Result<(Duration, usize), String> {
    let (mut ms, mut size) = (50u64, 1024usize);
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        match name {
            "ms" => {
                ms = value
                    .parse()
                    .ok()
                    .filter(|&ms| Duration::from_millis(ms) <= MAX_DELAY)
                    .ok_or_else(|| {
                        format!(
                            "ms must be a whole number from 0 to {}",
                            MAX_DELAY.as_millis()
                        )
                    })?;
            }
            "size" => {
                size = value
                    .parse()
                    .ok()
                    .filter(|&size| size <= MAX_SIZE)
                    .ok_or_else(|| format!("size must be a whole number from 0 to {MAX_SIZE}"))?;
            }
            _ => return Err("the parameters are ms and size".into()),
        }
    }
    Ok((Duration::from_millis(ms), size))
}

fn error(status: u16, why: &str) -> Route {
    Route::Now {
        status,
        body: format!("{why}\n").into_bytes(),
    }
}

/// Whether a connection stays open after an answer, and how the answer says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Persist {
    /// Closed after this answer (`Connection: close`).
    Close,
    /// HTTP/1.1: open unless said otherwise.
    KeepAlive,
    /// HTTP/1.0 with `Connection: keep-alive`, which the answer must repeat.
    KeepAlive10,
}

/// A request head read whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub route: Route,
    pub persist: Persist,
    /// How many bytes of the buffer the head took: the next request starts there.
    pub len: usize,
}

/// A request the server will not serve: answer `status` and close.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rejected {
    pub status: u16,
}

/// Parses a request head from the start of `buffer`: `Ok(None)` while it is incomplete. A
/// request with a body is refused (no route takes one), so the next request always starts
/// right after the head.
pub fn parse_request(buffer: &[u8]) -> Result<Option<Request>, Rejected> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut request = httparse::Request::new(&mut headers);
    let len = match request.parse(buffer) {
        Ok(httparse::Status::Complete(len)) => len,
        Ok(httparse::Status::Partial) if buffer.len() > MAX_HEAD => return Err(reject(431)),
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(httparse::Error::TooManyHeaders) => return Err(reject(431)),
        Err(_) => return Err(reject(400)),
    };
    if len > MAX_HEAD {
        return Err(reject(431));
    }
    let http10 = request.version == Some(0);
    let mut persist = if http10 {
        Persist::Close
    } else {
        Persist::KeepAlive
    };
    for header in request.headers.iter() {
        let value = || String::from_utf8_lossy(header.value).to_ascii_lowercase();
        if header.name.eq_ignore_ascii_case("connection") {
            let value = value();
            if value.split(',').any(|t| t.trim() == "close") {
                persist = Persist::Close;
            } else if http10 && value.split(',').any(|t| t.trim() == "keep-alive") {
                persist = Persist::KeepAlive10;
            }
        } else if header.name.eq_ignore_ascii_case("transfer-encoding")
            || (header.name.eq_ignore_ascii_case("content-length") && value().trim() != "0")
        {
            return Err(reject(400));
        }
    }
    let (Some(method), Some(target)) = (request.method, request.path) else {
        return Err(reject(400));
    };
    Ok(Some(Request {
        route: route(method, target),
        persist,
        len,
    }))
}

fn reject(status: u16) -> Rejected {
    STATS.rejected.fetch_add(1, Ordering::Relaxed);
    Rejected { status }
}

/// Appends an answer to `out`: status line, `Content-Length`, the connection header where one
/// is needed, and the body.
pub fn write_response(out: &mut Vec<u8>, status: u16, body: &[u8], persist: Persist) {
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        431 => "Request Header Fields Too Large",
        _ => "",
    };
    let connection = match persist {
        Persist::Close => "Connection: close\r\n",
        Persist::KeepAlive => "",
        Persist::KeepAlive10 => "Connection: keep-alive\r\n",
    };
    let _ = write!(
        out,
        "HTTP/1.1 {status} {reason}\r\nContent-Length: {}\r\n{connection}\r\n",
        body.len()
    );
    out.extend_from_slice(body);
}

/// A connection that blocking code can serve: a thread's socket, or a green thread's.
pub trait Connection: Read + Write {
    /// Reads from now on fail once `limit` has passed; `None` lifts the limit.
    fn read_timeout(&mut self, limit: Option<Duration>) -> io::Result<()>;
    /// Waits `delay` without using the CPU: the request's stand-in for a database call.
    fn wait(&mut self, delay: Duration);
}

impl Connection for std::net::TcpStream {
    fn read_timeout(&mut self, limit: Option<Duration>) -> io::Result<()> {
        self.set_read_timeout(limit)
    }

    fn wait(&mut self, delay: Duration) {
        std::thread::sleep(delay);
    }
}

// ANCHOR: converse
/// Serves one connection with blocking code, request after request, until the client closes it,
/// asks to close it, sends a bad request, or keeps its next request head waiting longer than
/// `header_timeout`.
pub fn converse(mut connection: impl Connection, header_timeout: Duration) {
    let mut input = Vec::new();
    let mut out = Vec::new();
    loop {
        let request = match read_request(&mut connection, &mut input, header_timeout) {
            Ok(Some(request)) => request,
            Ok(None) => return,
            Err(Rejected { status }) => {
                write_response(&mut out, status, b"", Persist::Close);
                let _ = connection.write_all(&out);
                return;
            }
        };
        input.drain(..request.len);
        match request.route {
            Route::Work { delay, body } => {
                connection.wait(delay);
                write_response(&mut out, 200, body, request.persist);
            }
            Route::Now { status, body } => write_response(&mut out, status, &body, request.persist),
        }
        if connection.write_all(&out).is_err() || request.persist == Persist::Close {
            return;
        }
        out.clear();
    }
}
// ANCHOR_END: converse

/// Reads until `input` starts with a whole request head: `Ok(None)` when the connection closed
/// or the head did not arrive in time.
fn read_request(
    connection: &mut impl Connection,
    input: &mut Vec<u8>,
    header_timeout: Duration,
) -> Result<Option<Request>, Rejected> {
    let deadline = Instant::now() + header_timeout;
    loop {
        if let Some(request) = parse_request(input)? {
            return Ok(Some(request));
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || connection.read_timeout(Some(left)).is_err() {
            STATS.timed_out();
            return Ok(None);
        }
        let filled = input.len();
        // Room for at most one byte past the limit: enough to tell that the head is too large.
        input.resize((filled + 4096).min(MAX_HEAD + 1), 0);
        let read = connection.read(&mut input[filled..]);
        input.truncate(filled + *read.as_ref().unwrap_or(&0));
        let timed_out = |e: &io::Error| {
            matches!(
                e.kind(),
                io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
            )
        };
        match read {
            Ok(0) => return Ok(None),
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) if timed_out(&e) => {
                STATS.timed_out();
                return Ok(None);
            }
            Err(_) => return Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(head: &str) -> Result<Option<Request>, Rejected> {
        parse_request(head.as_bytes())
    }

    #[test]
    fn routes_work_with_its_parameters_and_defaults() {
        let work = |target| match route("GET", target) {
            Route::Work { delay, body } => (delay.as_millis(), body.len()),
            other => panic!("{target}: {other:?}"),
        };
        assert_eq!(work("/work?ms=50&size=1024"), (50, 1024));
        assert_eq!(work("/work"), (50, 1024));
        assert_eq!(work("/work?size=0&ms=0"), (0, 0));
        assert_eq!(work(&format!("/work?size={MAX_SIZE}")), (50, MAX_SIZE));
    }

    #[test]
    fn refuses_bad_parameters_paths_and_methods() {
        let status = |method, target| match route(method, target) {
            Route::Now { status, .. } => status,
            Route::Work { .. } => 200,
        };
        assert_eq!(status("GET", "/work?ms=-1"), 400);
        assert_eq!(status("GET", "/work?ms=60001"), 400);
        assert_eq!(status("GET", "/work?size=1048577"), 400);
        assert_eq!(status("GET", "/work?size=1e3"), 400);
        assert_eq!(status("GET", "/work?colour=red"), 400);
        assert_eq!(status("GET", "/"), 404);
        assert_eq!(status("POST", "/work"), 405);
        assert_eq!(status("GET", "/stats"), 200);
    }

    #[test]
    fn reads_a_head_and_where_the_next_one_starts() {
        let two = "GET /work?ms=1 HTTP/1.1\r\nHost: a\r\n\r\nGET /work HTTP/1.1\r\n";
        let request = parse(two).unwrap().unwrap();
        assert_eq!(request.persist, Persist::KeepAlive);
        assert_eq!(&two[request.len..], "GET /work HTTP/1.1\r\n");
        assert_eq!(parse(&two[request.len..]), Ok(None));
    }

    #[test]
    fn keeps_alive_as_each_version_says() {
        let persist = |head: &str| parse(head).unwrap().unwrap().persist;
        assert_eq!(persist("GET /work HTTP/1.1\r\n\r\n"), Persist::KeepAlive);
        let close = "GET /work HTTP/1.1\r\nConnection: Close\r\n\r\n";
        assert_eq!(persist(close), Persist::Close);
        assert_eq!(persist("GET /work HTTP/1.0\r\n\r\n"), Persist::Close);
        let ten = "GET /work HTTP/1.0\r\nConnection: keep-alive\r\n\r\n";
        assert_eq!(persist(ten), Persist::KeepAlive10);
    }

    #[test]
    fn rejects_garbage_bodies_and_heads_too_large() {
        assert_eq!(
            parse("\x16\x03\x01garbage\r\n\r\n"),
            Err(Rejected { status: 400 })
        );
        let body = "GET /work HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello";
        assert_eq!(parse(body), Err(Rejected { status: 400 }));
        let chunked = "GET /work HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
        assert_eq!(parse(chunked), Err(Rejected { status: 400 }));
        let long = format!("GET /work HTTP/1.1\r\nX: {}", "a".repeat(MAX_HEAD));
        assert_eq!(parse(&long), Err(Rejected { status: 431 }));
        let many: String = (0..100).map(|i| format!("X{i}: y\r\n")).collect();
        let many = format!("GET /work HTTP/1.1\r\n{many}\r\n");
        assert_eq!(parse(&many), Err(Rejected { status: 431 }));
    }

    #[test]
    fn an_answer_says_its_length_and_whether_it_closes() {
        let mut out = Vec::new();
        write_response(&mut out, 200, b"xx", Persist::KeepAlive);
        assert_eq!(out, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nxx");
        out.clear();
        write_response(&mut out, 431, b"", Persist::Close);
        let close = "HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Length: 0\r\n";
        assert_eq!(out, format!("{close}Connection: close\r\n\r\n").as_bytes());
    }

    /// A connection of bytes in memory, read a few at a time.
    struct Scripted {
        input: Vec<u8>,
        at: usize,
        out: Vec<u8>,
        waited: Duration,
    }

    impl Read for Scripted {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = buf.len().min(3).min(self.input.len() - self.at);
            buf[..n].copy_from_slice(&self.input[self.at..self.at + n]);
            self.at += n;
            Ok(n)
        }
    }

    impl Write for Scripted {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.out.extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl Connection for &mut Scripted {
        fn read_timeout(&mut self, _: Option<Duration>) -> io::Result<()> {
            Ok(())
        }
        fn wait(&mut self, delay: Duration) {
            self.waited += delay;
        }
    }

    #[test]
    fn converses_until_the_client_asks_to_close() {
        let requests = "GET /work?ms=5&size=3 HTTP/1.1\r\n\r\n\
                        GET /work?ms=7&size=1 HTTP/1.1\r\nConnection: close\r\n\r\n\
                        GET /work HTTP/1.1\r\n\r\n";
        let mut connection = Scripted {
            input: requests.as_bytes().to_vec(),
            at: 0,
            out: Vec::new(),
            waited: Duration::ZERO,
        };
        converse(&mut connection, Duration::from_secs(1));
        let first = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nxxx";
        let second = "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nConnection: close\r\n\r\nx";
        assert_eq!(
            String::from_utf8_lossy(&connection.out),
            format!("{first}{second}")
        );
        assert_eq!(connection.waited, Duration::from_millis(12));
    }
}
