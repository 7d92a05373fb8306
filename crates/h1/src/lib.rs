//! HTTP/1.1 for a client, without I/O: the bytes of a GET request to write, and a parser for the
//! response that is fed whatever bytes arrive, however the reads split them.
//!
//! The models built on a library client (reqwest, ureq, hyper, async-h1) never see these bytes.
//! The three that drive sockets themselves do: `fetch-reactor`'s protocol is handed bytes by an
//! event loop, `fetch-green`'s blocking code reads them from a socket that yields to a hub, and
//! `fetch-compio`'s reads come back from the kernel in owned buffers. All three feed the same
//! [`Response`], so they read HTTP identically, and none owns a copy; HTTPS is the same
//! [`TlsSession`] for each ([`tls`]).
//!
//! A response is read in the forms HTTP/1.1 allows: a `Content-Length` body, chunked transfer
//! coding (sizes read with [`httparse::parse_chunk_size`]), and a body that ends when the server
//! closes the connection; interim `1xx` answers are skipped, and a `204` or `304` has no body.
//! The parser keeps only a head or a chunk-size line that a read split in two, never the body:
//! each piece of body goes straight to a [`Sink`] from the caller's read buffer.
//!
//! Every request asks for `Connection: close`: the three models open a connection per request,
//! so the server's close is also the end of the exchange.

use std::sync::Arc;
use std::time::Duration;

use fetchkit::{Body, ErrorKind, FetchError};
use rustls::ClientConnection;
use rustls::pki_types::ServerName;

pub mod tls;

pub use tls::TlsSession;

/// The most bytes a response head (status line and headers) may take.
pub const MAX_HEAD: usize = 64 * 1024;

/// The most headers a response may have.
const MAX_HEADERS: usize = 100;

/// The most bytes of trailers after the last chunk.
const MAX_TRAILERS: usize = 16 * 1024;

/// What every request of a run shares: the TLS configuration with its roots, and the time limit.
#[derive(Debug, Clone)]
pub struct Client {
    tls: Arc<rustls::ClientConfig>,
    timeout: Duration,
}

impl Client {
    /// A client that trusts what `tls` trusts and gives each request `timeout`, body included.
    pub fn new(tls: rustls::ClientConfig, timeout: Duration) -> Client {
        Client {
            tls: Arc::new(tls),
            timeout,
        }
    }

    /// The time limit of a request, body included.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// A TLS session (rustls, which does no I/O of its own) for `target`, whose certificate
    /// must name its host.
    pub fn tls(&self, target: &Target) -> Result<TlsSession, FetchError> {
        let name = ServerName::try_from(target.host.clone())?;
        Ok(TlsSession::new(ClientConnection::new(
            self.tls.clone(),
            name,
        )?))
    }
}

/// Where to send a request: what a URL says, in the parts a client needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Whether the connection is TLS.
    pub https: bool,
    /// The host to look up and to name in TLS, without an IPv6 literal's brackets.
    pub host: String,
    pub port: u16,
    /// The `Host` header: host and any explicit port, never a URL's `user:password@`.
    authority: String,
    /// The path and query.
    path: String,
}

impl Target {
    /// The target of `url`, which must be `http` or `https` with a host.
    pub fn parse(url: &str) -> Result<Target, FetchError> {
        let invalid = |why: &str| FetchError::new(ErrorKind::InvalidUrl, format!("{url}: {why}"));
        let parsed = url::Url::parse(url).map_err(|e| invalid(&e.to_string()))?;
        let https = match parsed.scheme() {
            "http" => false,
            "https" => true,
            _ => return Err(invalid("not http or https")),
        };
        let host = parsed.host_str().ok_or_else(|| invalid("no host"))?;
        let port = parsed
            .port_or_known_default()
            .ok_or_else(|| invalid("no port"))?;
        let authority = match parsed.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_string(),
        };
        let path = &parsed[url::Position::BeforePath..url::Position::AfterQuery];
        Ok(Target {
            https,
            host: host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_string(),
            port,
            authority,
            path: if path.is_empty() { "/" } else { path }.to_string(),
        })
    }

    /// The request's bytes.
    pub fn request(&self) -> Vec<u8> {
        format!(
            "GET {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: asynchronicity\r\nAccept: */*\r\n\
             Connection: close\r\n\r\n",
            self.path, self.authority
        )
        .into_bytes()
    }
}

/// Where a response's body goes, piece by piece: a [`Body`] in the models.
pub trait Sink {
    fn push(&mut self, chunk: &[u8]) -> Result<(), FetchError>;
}

impl Sink for Body {
    fn push(&mut self, chunk: &[u8]) -> Result<(), FetchError> {
        Body::push(self, chunk)
    }
}

impl Sink for Vec<u8> {
    fn push(&mut self, chunk: &[u8]) -> Result<(), FetchError> {
        self.extend_from_slice(chunk);
        Ok(())
    }
}

/// A response's status line and the headers a client acts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    pub status: u16,
    /// Where a redirect points.
    pub location: Option<String>,
}

/// A response being read.
#[derive(Debug, Default)]
pub struct Response {
    state: State,
    head: Option<Head>,
    /// A head, chunk-size line, chunk end or trailer that a read cut in two: kept until the rest
    /// arrives. Empty otherwise, and never a piece of the body.
    pending: Vec<u8>,
    /// The announced length, for an error that says how much is missing.
    announced: u64,
}

/// Where the parser is in the response.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum State {
    #[default]
    Head,
    /// This many bytes of a `Content-Length` body still to come.
    Length(u64),
    Chunk(Chunk),
    /// A body with neither length nor chunks: everything until the server closes.
    UntilClose,
    Done,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Chunk {
    Size,
    /// This many bytes of the current chunk still to come.
    Data(u64),
    /// The CRLF after a chunk's data.
    End,
    /// Trailers after the last chunk, up to an empty line.
    Trailers,
}

/// What a piece of buffered input holds: `None` while it is incomplete, or how many of its bytes
/// make the item, and the item.
type Parsed<T> = Result<Option<(usize, T)>, FetchError>;

impl Response {
    pub fn new() -> Response {
        Response::default()
    }

    /// The final head, once it has arrived (interim `1xx` answers are skipped).
    pub fn head(&self) -> Option<&Head> {
        self.head.as_ref()
    }

    /// Whether the whole response has arrived.
    pub fn is_done(&self) -> bool {
        self.state == State::Done
    }

    /// The head of a response read to its end (one read no further is an error, not HTTP).
    pub fn into_head(self) -> Result<Head, FetchError> {
        match (self.state, self.head) {
            (State::Done, Some(head)) => Ok(head),
            _ => Err(FetchError::new(
                ErrorKind::NotHttp,
                "the answer ended before its head",
            )),
        }
    }

    // ANCHOR: read
    /// Reads the next bytes of the response; each piece of body goes to `body`. Bytes after the
    /// end of the response are ignored.
    pub fn read(&mut self, mut input: &[u8], body: &mut impl Sink) -> Result<(), FetchError> {
        while !input.is_empty() {
            input = match self.state {
                State::Head => self.read_head(input)?,
                State::Length(remaining) => {
                    let (remaining, rest) = take(remaining, input, body)?;
                    self.state = if remaining == 0 {
                        State::Done
                    } else {
                        State::Length(remaining)
                    };
                    rest
                }
                State::UntilClose => {
                    body.push(input)?;
                    &[]
                }
                State::Chunk(chunk) => self.read_chunked(chunk, input, body)?,
                State::Done => &[],
            }
        }
        Ok(())
    }
    // ANCHOR_END: read

    /// The server closed the connection: the end of a body that runs until then, and an error
    /// for any other response that is not complete.
    pub fn closed(&mut self) -> Result<(), FetchError> {
        match self.state {
            State::Done => Ok(()),
            State::UntilClose => {
                self.state = State::Done;
                Ok(())
            }
            State::Head if self.pending.is_empty() => Err(FetchError::new(
                ErrorKind::Closed,
                "the server closed the connection without an answer",
            )),
            State::Head => Err(FetchError::new(
                ErrorKind::Closed,
                "the server closed the connection in the middle of the head",
            )),
            State::Length(missing) => Err(FetchError::new(
                ErrorKind::Truncated,
                format!(
                    "{missing} of the {} bytes announced never came",
                    self.announced
                ),
            )),
            State::Chunk(_) => Err(FetchError::new(
                ErrorKind::Truncated,
                "the connection closed before the last chunk",
            )),
        }
    }

    fn read_head<'i>(&mut self, input: &'i [u8]) -> Result<&'i [u8], FetchError> {
        let (framing, rest) = match self.buffered(input, MAX_HEAD, parse_head)? {
            (Some(framing), rest) => (framing, rest),
            (None, rest) => return Ok(rest),
        };
        let (head, framing) = framing;
        self.state = match framing {
            // An interim answer: the real one follows.
            Framing::Interim => return Ok(rest),
            Framing::None => State::Done,
            Framing::Length(0) => State::Done,
            Framing::Length(n) => {
                self.announced = n;
                State::Length(n)
            }
            Framing::Chunked => State::Chunk(Chunk::Size),
            Framing::UntilClose => State::UntilClose,
        };
        self.head = Some(head);
        Ok(rest)
    }

    fn read_chunked<'i>(
        &mut self,
        chunk: Chunk,
        input: &'i [u8],
        body: &mut impl Sink,
    ) -> Result<&'i [u8], FetchError> {
        let (next, rest) = match chunk {
            Chunk::Size => match self.buffered(input, 1024, parse_chunk_size)? {
                (Some(0), rest) => (Chunk::Trailers, rest),
                (Some(size), rest) => (Chunk::Data(size), rest),
                (None, rest) => return Ok(rest),
            },
            Chunk::Data(remaining) => {
                let (remaining, rest) = take(remaining, input, body)?;
                let next = if remaining == 0 {
                    Chunk::End
                } else {
                    Chunk::Data(remaining)
                };
                (next, rest)
            }
            Chunk::End => match self.buffered(input, 2, parse_crlf)? {
                (Some(()), rest) => (Chunk::Size, rest),
                (None, rest) => return Ok(rest),
            },
            Chunk::Trailers => match self.buffered(input, MAX_TRAILERS, parse_trailers)? {
                (Some(()), _) => {
                    self.state = State::Done;
                    return Ok(&[]);
                }
                (None, rest) => return Ok(rest),
            },
        };
        self.state = State::Chunk(next);
        Ok(rest)
    }

    /// Parses an item that may arrive in pieces: from `input` directly when nothing is pending,
    /// else from what is pending with `input` added. An incomplete item is kept, up to `limit`
    /// bytes. Returns the item, if complete, and the input after it.
    fn buffered<'i, T>(
        &mut self,
        input: &'i [u8],
        limit: usize,
        parse: impl Fn(&[u8]) -> Parsed<T>,
    ) -> Result<(Option<T>, &'i [u8]), FetchError> {
        let before = self.pending.len();
        let parsed = if before == 0 {
            parse(input)?
        } else {
            let take = input.len().min(limit.saturating_sub(before) + 1);
            self.pending.extend_from_slice(&input[..take]);
            parse(&self.pending)?
        };
        match parsed {
            Some((used, item)) => {
                self.pending.clear();
                // The item ends in `input`: what was pending alone was incomplete.
                Ok((Some(item), &input[used - before..]))
            }
            None if before + input.len() > limit => Err(FetchError::new(
                ErrorKind::NotHttp,
                format!("a head, chunk size or trailer over {limit} bytes"),
            )),
            None => {
                if before == 0 {
                    self.pending.extend_from_slice(input);
                }
                Ok((None, &[]))
            }
        }
    }
}

/// How a response's body is delimited, from its head.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Framing {
    /// A `1xx` answer before the real one.
    Interim,
    /// No body (`204`, `304`).
    None,
    Length(u64),
    Chunked,
    UntilClose,
}

/// Hands `body` what `input` holds of the `remaining` bytes of a body or chunk; returns how many
/// are still to come, and the input after them.
fn take<'i>(
    remaining: u64,
    input: &'i [u8],
    body: &mut impl Sink,
) -> Result<(u64, &'i [u8]), FetchError> {
    let n = input
        .len()
        .min(usize::try_from(remaining).unwrap_or(usize::MAX));
    body.push(&input[..n])?;
    Ok((remaining - n as u64, &input[n..]))
}

fn not_http(detail: impl Into<String>) -> FetchError {
    FetchError::new(ErrorKind::NotHttp, detail)
}

fn parse_head(buf: &[u8]) -> Parsed<(Head, Framing)> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut response = httparse::Response::new(&mut headers);
    let used = match response.parse(buf) {
        Ok(httparse::Status::Complete(used)) => used,
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(e) => return Err(not_http(format!("a malformed head: {e}"))),
    };
    let status = response.code.unwrap_or_default();
    let (mut length, mut chunked, mut encoded, mut location) = (None, false, false, None);
    for header in response.headers.iter() {
        let value =
            std::str::from_utf8(header.value).map_err(|_| not_http("a header not in UTF-8"));
        if header.name.eq_ignore_ascii_case("content-length") {
            // A list of equal lengths is one length; anything else is not a length.
            for item in value?.split(',') {
                let item = item.trim();
                let n = item
                    .bytes()
                    .all(|b| b.is_ascii_digit())
                    .then(|| item.parse::<u64>().ok())
                    .flatten()
                    .ok_or_else(|| not_http(format!("an invalid Content-Length {item:?}")))?;
                if length.is_some_and(|l| l != n) {
                    return Err(not_http("two different Content-Lengths"));
                }
                length = Some(n);
            }
        } else if header.name.eq_ignore_ascii_case("transfer-encoding") {
            // Chunked only when it is the last coding applied.
            encoded = true;
            let last = value?.rsplit(',').next().unwrap_or("").trim();
            chunked = last.eq_ignore_ascii_case("chunked");
        } else if header.name.eq_ignore_ascii_case("location") {
            location = Some(value?.to_string());
        }
    }
    let framing = match status {
        101 => {
            return Err(FetchError::new(
                ErrorKind::Unsupported,
                "101 Switching Protocols: a GET does not ask to switch",
            ));
        }
        100..=199 => Framing::Interim,
        204 | 304 => Framing::None,
        _ if chunked => Framing::Chunked,
        // A transfer coding other than chunked last: the body runs until the close.
        _ if encoded => Framing::UntilClose,
        _ => length.map_or(Framing::UntilClose, Framing::Length),
    };
    Ok(Some((used, (Head { status, location }, framing))))
}

fn parse_chunk_size(buf: &[u8]) -> Parsed<u64> {
    match httparse::parse_chunk_size(buf) {
        Ok(httparse::Status::Complete((used, size))) => Ok(Some((used, size))),
        Ok(httparse::Status::Partial) => Ok(None),
        Err(_) => Err(not_http("an invalid chunk size")),
    }
}

fn parse_crlf(buf: &[u8]) -> Parsed<()> {
    match buf {
        [b'\r', b'\n', ..] => Ok(Some((2, ()))),
        [] | [b'\r'] => Ok(None),
        _ => Err(not_http("a chunk longer than its size")),
    }
}

fn parse_trailers(buf: &[u8]) -> Parsed<()> {
    if buf.starts_with(b"\r\n") {
        return Ok(Some((2, ())));
    }
    Ok(buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|at| (at + 4, ())))
}

#[cfg(test)]
mod tests;
