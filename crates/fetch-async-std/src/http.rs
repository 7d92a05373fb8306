//! surf as this model uses it, set up here: surf's `Client` over a backend of this model's own,
//! with redirects followed by hand (surf's redirect middleware does not say where it ended up),
//! the body checked against its `Content-Length`, and the whole request raced against the time
//! limit.
//!
//! The backend is what surf's `h1-client` would be, less its connection pool: async-h1 (the
//! HTTP/1.1 code of surf's h1 client) over a connection this model opens itself, an async-std
//! `TcpStream`, in TLS by futures-rustls for https. Opening the connection here means a name
//! lookup that fails is known as such, TLS is today's rustls with today's roots (surf's own
//! `h1-client-rustls` brings rustls 0.18 with the roots of 2020), and a connection is never
//! reused, so no answer meant for one request can reach another.
//!
//! async-h1 reads three valid answers wrongly: it takes an interim `100 Continue` for the final
//! answer, reads a body that ends when the connection closes (no `Content-Length`, no chunks) as
//! empty, and refuses HTTP/1.0 (`python3 -m http.server`). [`exchange`] works around all three
//! in this model's own code: it reads the answer's head itself, skips interim answers, and hands
//! async-h1 only the answers it reads right.

use std::error::Error;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use async_std::io::{Read, Write};
use async_std::net::TcpStream;
use common::{Endpoint, Run};
use fetchkit::{ErrorKind, FetchError, Page};
use futures_lite::io::{BufReader, Cursor};
use futures_lite::{AsyncBufRead, AsyncBufReadExt, AsyncReadExt};
use futures_rustls::TlsConnector;
use futures_rustls::rustls::pki_types::ServerName;
use surf::http::{Request, Response};

/// The client of a run: surf's client, a handle that clones cheaply, and the time limit.
#[derive(Clone)]
pub struct Client {
    surf: surf::Client,
    timeout: Duration,
}

/// The client of a run, trusting the public roots (and `--ca-cert`).
pub fn client(run: &Run) -> anyhow::Result<Client> {
    // async-std starts an executor thread per core and async-io's driver thread when the first
    // task runs, and panics if the OS refuses one: ask for them now, to stop with a clear error.
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    fetchkit::check_threads(cores + 1)?;
    let tls = TlsConnector::from(Arc::new(run.tls_config()?));
    Ok(Client {
        surf: surf::Client::with_http_client(Connector { tls }),
        timeout: run.timeout(),
    })
}

/// GETs the endpoint and returns its page, or why it could not. The whole request, body
/// included, races the timeout.
pub async fn get(client: &Client, endpoint: &Endpoint) -> Result<Page, FetchError> {
    let request = client.get(endpoint);
    let page = async_std::future::timeout(client.timeout, request).await;
    page.unwrap_or_else(|_| Err(FetchError::timeout(client.timeout)))
}

impl Client {
    async fn get(&self, endpoint: &Endpoint) -> Result<Page, FetchError> {
        let (url, mut response) = fetchkit::follow_redirects(endpoint.url(), |url| async move {
            let response = self.surf.get(&url).await.map_err(error)?;
            let location = response.header("Location");
            let location = location.map(|v| v.last().as_str().to_string());
            Ok((u16::from(response.status()), location, response))
        })
        .await?;
        fetchkit::check_status(response.status().into())?;
        let announced = response.len();
        // The body is an `AsyncBufRead`: each chunk async-h1 has read into its own buffer is
        // counted (and, for a jobs answer, kept up to its limit) and let go, never the whole
        // page in memory, and no buffer of this model's own.
        let (mut reader, mut body) = (response.take_body(), endpoint.body());
        loop {
            let chunk = reader.fill_buf().await;
            let chunk = chunk.map_err(|e| FetchError::in_body(FetchError::classify(&e)))?;
            if chunk.is_empty() {
                break;
            }
            body.push(chunk)?;
            let n = chunk.len();
            reader.consume(n);
        }
        // async-h1 returns a body cut short by a closed connection as if it were whole: check its
        // length against the Content-Length ourselves.
        fetchkit::check_length(announced.map(|n| n as u64), body.len())?;
        Ok(Page::new(url, body))
    }
}

/// surf's error is not a `std::error::Error`; the error it wraps is, and is sorted by its type.
/// async-h1 words some failures only as text ("connection closed"): the backend turns those
/// into typed errors when it saw the connection end (see [`Connector`]).
fn error(e: surf::Error) -> FetchError {
    let inner = e.into_inner();
    let inner: &(dyn Error + 'static) = inner.as_ref();
    if let Some(UnknownStatus(code)) = inner.downcast_ref() {
        return FetchError::status(*code);
    }
    FetchError::classify_with(inner, |e| {
        // A head httparse cannot parse or too long to read, or a Content-Length that is not a
        // number.
        (e.is::<httparse::Error>() || e.is::<HeadTooLarge>() || e.is::<std::num::ParseIntError>())
            .then_some(ErrorKind::NotHttp)
    })
}

/// surf's backend: a connection of its own for every request.
struct Connector {
    tls: TlsConnector,
}

impl std::fmt::Debug for Connector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Connector")
    }
}

#[async_trait::async_trait]
impl surf::HttpClient for Connector {
    async fn send(&self, request: Request) -> surf::http::Result<Response> {
        let url = request.url();
        let host = url.host_str().unwrap_or_default().to_string();
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let port = url.port_or_known_default().unwrap_or(80);
        let https = url.scheme() == "https";
        // On a thread of its own: async-std's `to_socket_addrs` would use its blocking pool,
        // which panics when the OS refuses it a thread.
        let addrs = fetchkit::lookup(host, port)?.await?;
        let tcp = TcpStream::connect(&addrs[..]).await?;
        let (tcp, closed) = Watched::new(tcp);
        let answer = if https {
            let name = ServerName::try_from(host.to_string())?;
            let tls = self.tls.connect(name, tcp).await?;
            exchange(tls, request).await
        } else {
            exchange(tcp, request).await
        };
        // async-h1 says "connection closed" or "empty response" in words only: when the server
        // did close the connection, say it with the type that means it.
        answer.map_err(|e| match e.downcast_ref::<io::Error>() {
            None if closed.load(Ordering::Relaxed) => {
                let words = e.to_string();
                io::Error::new(io::ErrorKind::UnexpectedEof, words).into()
            }
            _ => e,
        })
    }
}

/// `async_h1::connect`, less what it reads wrongly: sends the request with async-h1, reads the
/// answer's head here, skips interim `1xx` answers, and gives async-h1's decoder the final head
/// (as HTTP/1.1) and what follows it when the body is framed by a `Content-Length` or chunks. A
/// body with neither, which ends when the server closes the connection, is the rest of the
/// stream, read here; a `204` or `304` has none.
async fn exchange<S>(mut stream: S, request: Request) -> surf::http::Result<Response>
where
    S: Read + Write + Send + Sync + Unpin + 'static,
{
    let mut encoder = async_h1::client::Encoder::new(request);
    futures_lite::io::copy(&mut encoder, &mut stream).await?;
    let mut stream = BufReader::new(stream);
    let (mut head, framed) = loop {
        let head = read_head(&mut stream).await?;
        match Head::of(&head)? {
            Head::Interim => continue,
            Head::Final { framed } => break (head, framed),
        }
    };
    // async-h1 reads HTTP/1.1 only; the head of an HTTP/1.0 answer reads the same otherwise.
    if head.starts_with(b"HTTP/1.0 ") {
        head[5..8].copy_from_slice(b"1.1");
    }
    if framed {
        return async_h1::client::decode(Cursor::new(head).chain(stream)).await;
    }
    let mut response = async_h1::client::decode(Cursor::new(head)).await?;
    if !matches!(u16::from(response.status()), 204 | 304) {
        response.set_body(surf::Body::from_reader(stream, None));
    }
    Ok(response)
}

/// The longest answer head read, as async-h1's own limit.
const MAX_HEAD: usize = 8 * 1024;

/// Reads an answer's head, through the blank line that ends it.
async fn read_head<R: AsyncBufRead + Unpin>(stream: &mut R) -> surf::http::Result<Vec<u8>> {
    let mut head = Vec::new();
    loop {
        let mut line = (&mut *stream).take((MAX_HEAD - head.len()) as u64);
        let n = line.read_until(b'\n', &mut head).await?;
        if n == 0 {
            let why = if head.is_empty() {
                "connection closed"
            } else {
                "empty response"
            };
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, why).into());
        }
        // An answer starts with its version: anything else (garbage, an HTTP/0.9 body) is not
        // an answer to wait for the end of.
        if !head.starts_with(&b"HTTP/"[..head.len().min(5)]) {
            return Err(httparse::Error::Version.into());
        }
        if head.ends_with(b"\r\n\r\n") || head.ends_with(b"\n\n") {
            return Ok(head);
        }
        if head.len() >= MAX_HEAD {
            return Err(HeadTooLarge.into());
        }
    }
}

/// An answer whose head goes on past [`MAX_HEAD`]: not an answer this client reads.
#[derive(Debug)]
struct HeadTooLarge;

impl std::fmt::Display for HeadTooLarge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "an answer head over {MAX_HEAD} bytes")
    }
}

impl Error for HeadTooLarge {}

/// A status that async-h1 cannot represent: the answer's status all the same.
#[derive(Debug)]
struct UnknownStatus(u16);

impl std::fmt::Display for UnknownStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "HTTP status {}", self.0)
    }
}

impl Error for UnknownStatus {}

/// What an answer's head says of the answer.
enum Head {
    /// An interim answer (`100 Continue`, say): the final one follows.
    Interim,
    /// The final answer, its body framed by a `Content-Length` or chunks, or not.
    Final { framed: bool },
}

impl Head {
    fn of(head: &[u8]) -> surf::http::Result<Head> {
        let mut headers = [httparse::EMPTY_HEADER; 128];
        let mut response = httparse::Response::new(&mut headers);
        response.parse(head)?;
        let status = response.code.unwrap_or(0);
        // http-types, and so async-h1, knows only the statuses the RFCs name: any other (a 999,
        // say) is still a status, said as every model says it.
        if surf::StatusCode::try_from(status).is_err() {
            return Err(UnknownStatus(status).into());
        }
        // 101 Switching Protocols is final: no request here asks for it, and decode says so.
        if (100..200).contains(&status) && status != 101 {
            return Ok(Head::Interim);
        }
        let framed = response.headers.iter().any(|h| {
            h.name.eq_ignore_ascii_case("content-length")
                || h.name.eq_ignore_ascii_case("transfer-encoding")
        });
        Ok(Head::Final { framed })
    }
}

/// A connection that notes when the server closed it (a read of 0 bytes).
struct Watched {
    tcp: TcpStream,
    closed: Arc<AtomicBool>,
}

impl Watched {
    fn new(tcp: TcpStream) -> (Watched, Arc<AtomicBool>) {
        let closed = Arc::new(AtomicBool::new(false));
        let watched = Watched {
            tcp,
            closed: closed.clone(),
        };
        (watched, closed)
    }
}

impl Read for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let read = Pin::new(&mut self.tcp).poll_read(cx, buf);
        if let Poll::Ready(Ok(0)) = read {
            if !buf.is_empty() {
                self.closed.store(true, Ordering::Relaxed);
            }
        }
        read
    }
}

impl Write for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.tcp).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.tcp).poll_flush(cx)
    }

    fn poll_close(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.tcp).poll_close(cx)
    }
}
