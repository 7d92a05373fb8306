//! A local origin server that replays what the talks fetched, so that every model can be run and
//! measured offline.
//!
//! It serves, on one port:
//! - `/google.com`, `/yahoo.com`, ... : the six home pages of the talk "Async Python", each with
//!   the exact size and after the latency that the talk's synchronous run measured;
//! - `/bytes/N?delay=S`: N deterministic bytes after S seconds (`&chunked=1` for a chunked body);
//! - `/api/jobs?LocationId=ZIP`: `{"TotalJobs": n}` as the jobs API of the talk
//!   "Asynchronicity" answered, with counts that add up to the talk's 1651 over its 100 zips;
//! - `/status/CODE`: any status code; `/stats`: connections open, their peak and requests served;
//! - `/redirect/N`: a chain of N redirects ending at `/apple.com`; `/redirect-loop`: a redirect
//!   to itself; `/to-https/PATH`: a redirect to PATH on the HTTPS port;
//! - `/files/PATH`: a file of the folder [`Config::files`] names (the talk's `async.html` and the
//!   jQuery it loads, from `js/`), so that the page's requests are to its own origin.
//!
//! Every delay is multiplied by the origin's time scale and by a `scale=F` query parameter, so a
//! test can run the talk's latencies at a twentieth of their length.
//!
//! A second port serves the [`Fault`]s that a network can produce below HTTP. With
//! [`Config::tls`], a third serves the same routes over HTTPS, with a certificate for `localhost`
//! signed by an authority made at start (see [`Origin::ca_cert`]).
//!
//! The server is hyper on tokio: each connection is a task, not a thread, and waiting out a delay
//! is a timer, so it holds 10,000 connections at once. It binds with a listen backlog of 4096 so
//! that a burst of connects is not dropped and retried by the kernel.
//!
//! Errors are plain `std::io::Error`: binding and starting can fail, and the only thing a caller
//! does with such a failure is report it.

mod data;
mod faults;
mod files;
mod sys;
mod tls;

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use hyper::body::{Body, Frame, Incoming, SizeHint};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpSocket};
use tokio::sync::oneshot;

pub use data::{Jobs, Site, TALK_JOBS_TOTAL, jobs, jobs_total, site, sites, zips};
pub use faults::Fault;
pub use sys::thread_cpu_time;
pub use tls::CaFile;

/// The largest body `/bytes/N` serves.
pub const MAX_BYTES: usize = 256 << 20;

/// The listen backlog: enough for a burst of thousands of connects (see `somaxconn`).
const BACKLOG: u32 = 4096;

/// How the origin behaves.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Config {
    /// Multiplies every simulated delay.
    pub time_scale: f64,
    /// Also serve HTTPS, on a port of its own.
    pub tls: bool,
    /// The folder `/files/` serves, if any.
    pub files: Option<&'static Path>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            time_scale: 1.0,
            tls: false,
            files: None,
        }
    }
}

/// The bound ports of an origin, ready to [`serve`].
pub struct Listeners {
    pub http: TcpListener,
    pub faults: TcpListener,
    https: Option<(TcpListener, tls::Identity)>,
}

impl std::fmt::Debug for Listeners {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Listeners")
            .field("http", &self.http)
            .field("faults", &self.faults)
            .field("https", &self.https.as_ref().map(|(l, _)| l))
            .finish()
    }
}

impl Listeners {
    /// Binds the HTTP port at `addr`, and the fault port (and, with `tls`, the HTTPS port) at
    /// ephemeral ports of the same host.
    pub fn bind(addr: SocketAddr, tls: bool) -> io::Result<Listeners> {
        let https = if tls {
            Some((
                bind(SocketAddr::new(addr.ip(), 0))?,
                tls::Identity::generate()?,
            ))
        } else {
            None
        };
        Ok(Listeners {
            http: bind(addr)?,
            faults: bind(SocketAddr::new(addr.ip(), 0))?,
            https,
        })
    }

    /// The address of the HTTPS port, if there is one.
    pub fn https_addr(&self) -> Option<SocketAddr> {
        self.https.as_ref().and_then(|(l, _)| l.local_addr().ok())
    }

    /// The certificate (PEM) of the authority that signed the HTTPS port's certificate.
    pub fn ca_pem(&self) -> Option<&str> {
        self.https.as_ref().map(|(_, id)| id.ca_pem.as_str())
    }
}

/// Binds a listener with a deep backlog. Must be called inside a tokio runtime.
pub fn bind(addr: SocketAddr) -> io::Result<TcpListener> {
    let socket = match addr {
        SocketAddr::V4(_) => TcpSocket::new_v4()?,
        SocketAddr::V6(_) => TcpSocket::new_v6()?,
    };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(BACKLOG)
}

/// Counters the origin keeps, served at `/stats`.
#[derive(Debug, Default)]
pub struct Stats {
    open: AtomicUsize,
    peak_open: AtomicUsize,
    requests: AtomicU64,
}

impl Stats {
    /// Connections open now.
    pub fn open_connections(&self) -> usize {
        self.open.load(Ordering::Relaxed)
    }

    /// The most connections that were open at once.
    pub fn peak_connections(&self) -> usize {
        self.peak_open.load(Ordering::Relaxed)
    }

    /// Requests served on the HTTP port.
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    fn open(&self) -> OpenGuard<'_> {
        let now = self.open.fetch_add(1, Ordering::Relaxed) + 1;
        self.peak_open.fetch_max(now, Ordering::Relaxed);
        OpenGuard(self)
    }

    fn to_json(&self) -> String {
        format!(
            r#"{{"open_connections": {}, "peak_connections": {}, "requests": {}}}"#,
            self.open_connections(),
            self.peak_connections(),
            self.requests()
        )
    }
}

struct OpenGuard<'a>(&'a Stats);

impl Drop for OpenGuard<'_> {
    fn drop(&mut self) {
        self.0.open.fetch_sub(1, Ordering::Relaxed);
    }
}

struct State {
    config: Config,
    stats: Arc<Stats>,
    https_port: Option<u16>,
}

/// Serves every listener until `shutdown` completes.
pub async fn serve(
    listeners: Listeners,
    config: Config,
    stats: Arc<Stats>,
    shutdown: impl Future<Output = ()>,
) {
    let https_port = listeners.https_addr().map(|a| a.port());
    let state = Arc::new(State {
        config,
        stats,
        https_port,
    });
    let https = async {
        match listeners.https {
            Some((listener, identity)) => {
                accept_http(listener, Some(identity.acceptor), state.clone()).await
            }
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        () = accept_http(listeners.http, None, state.clone()) => {}
        () = faults::accept(listeners.faults, state.clone()) => {}
        () = https => {}
        () = shutdown => {}
    }
}

async fn accept_http(
    listener: TcpListener,
    tls: Option<tokio_rustls::TlsAcceptor>,
    state: Arc<State>,
) {
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                let (state, tls) = (state.clone(), tls.clone());
                tokio::spawn(async move {
                    let _open = state.stats.open();
                    let service = hyper::service::service_fn(|req| handle(req, &state));
                    let http = hyper::server::conn::http1::Builder::new();
                    // A connection that ends in an error (the client went away, or refused our
                    // certificate) needs no report.
                    let _ = match tls {
                        None => http.serve_connection(TokioIo::new(stream), service).await,
                        Some(tls) => match tls.accept(stream).await {
                            Ok(stream) => {
                                http.serve_connection(TokioIo::new(stream), service).await
                            }
                            Err(_) => return,
                        },
                    };
                });
            }
            Err(e) => accept_failed(&e).await,
        }
    }
}

/// Out of descriptors, or a connection aborted while queued: say so and go on after a pause
/// instead of spinning on the error.
async fn accept_failed(e: &io::Error) {
    eprintln!("origin: accept failed: {e}");
    tokio::time::sleep(Duration::from_millis(10)).await;
}

/// An origin running on a thread of its own, with its own single-threaded tokio runtime, so that
/// any model (blocking, threaded or async on another runtime) can use it in-process.
///
/// Dropping it stops the server.
#[derive(Debug)]
pub struct Origin {
    http: SocketAddr,
    faults: SocketAddr,
    https: Option<SocketAddr>,
    ca_file: Option<CaFile>,
    stats: Arc<Stats>,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Origin {
    /// Starts an origin on ephemeral loopback ports.
    pub fn start(config: Config) -> io::Result<Origin> {
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let (shutdown_tx, shutdown_rx) = oneshot::channel::<()>();
        let stats = Arc::new(Stats::default());
        let server_stats = stats.clone();
        let thread = std::thread::Builder::new()
            .name("origin".into())
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(runtime) => runtime,
                    Err(e) => return drop(ready_tx.send(Err(e))),
                };
                runtime.block_on(async move {
                    let loopback = SocketAddr::from(([127, 0, 0, 1], 0));
                    let listeners = match Listeners::bind(loopback, config.tls) {
                        Ok(listeners) => listeners,
                        Err(e) => return drop(ready_tx.send(Err(e))),
                    };
                    let ready = (|| {
                        let http = listeners.http.local_addr()?;
                        let faults = listeners.faults.local_addr()?;
                        let https = listeners.https_addr();
                        let ca_file = match (listeners.ca_pem(), https) {
                            (Some(pem), Some(addr)) => Some(CaFile::write(pem, addr.port())?),
                            _ => None,
                        };
                        Ok((http, faults, https, ca_file))
                    })();
                    let _ = ready_tx.send(ready);
                    serve(listeners, config, server_stats, async {
                        let _ = shutdown_rx.await;
                    })
                    .await;
                });
            })?;
        let (http, faults, https, ca_file) = ready_rx
            .recv()
            .map_err(|_| io::Error::other("the origin thread ended before it was ready"))??;
        Ok(Origin {
            http,
            faults,
            https,
            ca_file,
            stats,
            shutdown: Some(shutdown_tx),
            thread: Some(thread),
        })
    }

    /// The base URL of the HTTP port, e.g. `http://127.0.0.1:40123`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.http)
    }

    /// The URL of `path` on the HTTP port.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.http)
    }

    /// The URL of `path` on the HTTPS port, named `localhost` as its certificate is; `None`
    /// without [`Config::tls`].
    pub fn https_url(&self, path: &str) -> Option<String> {
        self.https
            .map(|addr| format!("https://localhost:{}{path}", addr.port()))
    }

    /// The file holding the certificate of the authority behind the HTTPS port: what a client
    /// must trust (`--ca-cert FILE`).
    pub fn ca_cert(&self) -> Option<&std::path::Path> {
        self.ca_file.as_ref().map(CaFile::path)
    }

    /// The URL that produces `fault`.
    pub fn fault_url(&self, fault: Fault) -> String {
        format!("http://{}{}", self.faults, fault.path())
    }

    /// The origin's counters.
    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// The CPU time the origin's thread has used.
    pub fn cpu_time(&self) -> Option<Duration> {
        self.thread.as_ref().and_then(thread_cpu_time)
    }
}

impl Drop for Origin {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

type Reply = Response<Payload>;

async fn handle(req: Request<Incoming>, state: &State) -> Result<Reply, Infallible> {
    state.stats.requests.fetch_add(1, Ordering::Relaxed);
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return Ok(text(StatusCode::METHOD_NOT_ALLOWED, "only GET and HEAD\n"));
    }
    let query = Query(req.uri().query().unwrap_or(""));
    let scale = state.config.time_scale * query.float("scale").unwrap_or(1.0);
    let path = req.uri().path();

    let reply = if path == "/" {
        text(StatusCode::OK, INDEX)
    } else if path == "/stats" {
        json(state.stats.to_json())
    } else if path == "/api/jobs" {
        match query.get("LocationId") {
            Some(zip) => {
                let answer = data::jobs(zip);
                delay(answer.latency, scale).await;
                json(format!(r#"{{"TotalJobs": {}}}"#, answer.total))
            }
            None => text(StatusCode::BAD_REQUEST, "LocationId is required\n"),
        }
    } else if let Some(n) = path.strip_prefix("/bytes/") {
        match n.parse::<usize>() {
            Ok(n) if n <= MAX_BYTES => {
                let seconds = query.float("delay").unwrap_or(0.0);
                delay(Duration::from_secs_f64(seconds), scale).await;
                bytes_reply(filler(n, "bytes"), query.get("chunked") == Some("1"))
            }
            _ => text(StatusCode::BAD_REQUEST, "size must be 0 to 268435456\n"),
        }
    } else if let Some(hops) = path.strip_prefix("/redirect/") {
        match hops.parse::<u32>() {
            Ok(hops) if hops > 1 => redirect(&format!("/redirect/{}", hops - 1), &query),
            Ok(1) => redirect("/apple.com", &query),
            _ => text(
                StatusCode::BAD_REQUEST,
                "the number of hops must be 1 or more\n",
            ),
        }
    } else if path == "/redirect-loop" {
        redirect("/redirect-loop", &query)
    } else if let Some(rest) = path.strip_prefix("/to-https") {
        match state.https_port {
            Some(port) => redirect(&format!("https://localhost:{port}{rest}"), &query),
            None => text(
                StatusCode::SERVICE_UNAVAILABLE,
                "this origin serves no HTTPS\n",
            ),
        }
    } else if let Some(rest) = path.strip_prefix("/files/") {
        files::serve(state.config.files, rest).await
    } else if let Some(code) = path.strip_prefix("/status/") {
        match code
            .parse::<u16>()
            .ok()
            .and_then(|c| StatusCode::from_u16(c).ok())
        {
            Some(status) => text(status, "as requested\n"),
            None => text(StatusCode::BAD_REQUEST, "not a status code\n"),
        }
    } else if let Some(site) = data::site(&path[1..]) {
        delay(site.latency, scale).await;
        bytes_reply(site_body(site), query.get("chunked") == Some("1"))
    } else {
        text(StatusCode::NOT_FOUND, "no such route; see /\n")
    };
    Ok(reply)
}

const INDEX: &str = "\
origin: replays the talks' sites and jobs API
  /google.com /yahoo.com /facebook.com /apple.com /python.org /stackoverflow.com
  /bytes/N?delay=S[&chunked=1]
  /api/jobs?LocationId=ZIP
  /status/CODE
  /redirect/N  /redirect-loop  /to-https/PATH
  /files/PATH  (with --files DIR)
  /stats
every delay is multiplied by the origin's --time-scale and by ?scale=F
";

async fn delay(base: Duration, scale: f64) {
    let seconds = base.as_secs_f64() * scale;
    if seconds.is_finite() && seconds > 0.0 {
        tokio::time::sleep(Duration::from_secs_f64(seconds.min(86_400.0))).await;
    }
}

/// A `302 Found` to `location`, carrying the query string along.
fn redirect(location: &str, query: &Query<'_>) -> Reply {
    let location = if query.0.is_empty() {
        location.to_string()
    } else {
        format!("{location}?{}", query.0)
    };
    let mut reply = text(StatusCode::FOUND, "redirected\n");
    if let Ok(value) = hyper::header::HeaderValue::from_str(&location) {
        reply.headers_mut().insert(hyper::header::LOCATION, value);
    }
    reply
}

fn text(status: StatusCode, body: &'static str) -> Reply {
    let mut reply = Response::new(Payload::whole(Bytes::from_static(body.as_bytes())));
    *reply.status_mut() = status;
    reply
}

fn json(body: String) -> Reply {
    let mut reply = Response::new(Payload::whole(Bytes::from(body)));
    reply.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/json"),
    );
    reply
}

fn bytes_reply(body: Bytes, chunked: bool) -> Reply {
    Response::new(if chunked {
        Payload::chunked(body)
    } else {
        Payload::whole(body)
    })
}

/// The page of a site: the same bytes every time, built once.
fn site_body(site: &Site) -> Bytes {
    static BODIES: std::sync::OnceLock<Vec<Bytes>> = std::sync::OnceLock::new();
    let bodies = BODIES.get_or_init(|| {
        data::sites()
            .iter()
            .map(|s| filler(s.bytes, s.name))
            .collect()
    });
    let i = data::sites()
        .iter()
        .position(|s| s.name == site.name)
        .unwrap_or_default();
    bodies[i].clone()
}

/// `len` deterministic bytes: numbered lines of text naming `seed`.
pub fn filler(len: usize, seed: &str) -> Bytes {
    let mut body = Vec::with_capacity(len + 64);
    let mut line = 0u64;
    while body.len() < len {
        body.extend_from_slice(
            format!("{seed} replayed by the local origin, line {line}\n").as_bytes(),
        );
        line += 1;
    }
    body.truncate(len);
    Bytes::from(body)
}

/// A response body: sent whole with a `Content-Length`, or in chunks with chunked encoding.
pub struct Payload {
    rest: Bytes,
    chunk: Option<usize>,
}

impl Payload {
    fn whole(body: Bytes) -> Payload {
        Payload {
            rest: body,
            chunk: None,
        }
    }

    fn chunked(body: Bytes) -> Payload {
        Payload {
            rest: body,
            chunk: Some(16 * 1024),
        }
    }
}

impl Body for Payload {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        if self.rest.is_empty() {
            return Poll::Ready(None);
        }
        let take = self.chunk.unwrap_or(usize::MAX).min(self.rest.len());
        let frame = self.rest.split_to(take);
        Poll::Ready(Some(Ok(Frame::data(frame))))
    }

    fn is_end_stream(&self) -> bool {
        self.rest.is_empty()
    }

    fn size_hint(&self) -> SizeHint {
        match self.chunk {
            // An exact hint makes hyper send a Content-Length; none makes it chunk.
            None => SizeHint::with_exact(self.rest.len() as u64),
            Some(_) => SizeHint::default(),
        }
    }
}

impl std::fmt::Debug for Payload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Payload")
            .field("remaining", &self.rest.len())
            .finish()
    }
}

/// A query string, read without allocating.
struct Query<'a>(&'a str);

impl<'a> Query<'a> {
    fn get(&self, key: &str) -> Option<&'a str> {
        self.0
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v)
    }

    fn float(&self, key: &str) -> Option<f64> {
        self.get(key)?
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite() && *v >= 0.0)
    }
}
