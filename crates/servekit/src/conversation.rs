//! HTTP/1.1 for the servers that read it themselves: a request head parsed from the start of a
//! buffer, an answer written into one, and the blocking conversation of one connection.

use std::io::{self, IoSlice, Read, Write};
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

use crate::{Lookout, Route, route, stats};

/// The most bytes a request head (request line and headers) may take: hyper's smallest read
/// buffer, so that every server draws the line in the same place.
pub const MAX_HEAD: usize = 8 * 1024;

/// The most headers a request may have.
const MAX_HEADERS: usize = 64;

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
    /// A HEAD request: answered with the head of the GET answer, and no body.
    pub head: bool,
    /// HTTP/1.1 (or later): its client may be sent an interim answer ([`crate::PROBE`]).
    pub http11: bool,
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
    let mut hosts = 0;
    let mut persist = if http10 {
        Persist::Close
    } else {
        Persist::KeepAlive
    };
    for header in request.headers.iter() {
        let value = || String::from_utf8_lossy(header.value).to_ascii_lowercase();
        if header.name.eq_ignore_ascii_case("host") {
            hosts += 1;
        } else if header.name.eq_ignore_ascii_case("connection") {
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
    check_host(!http10, hosts)?;
    let (Some(method), Some(target)) = (request.method, request.path) else {
        return Err(reject(400));
    };
    Ok(Some(Request {
        route: route(method, target),
        persist,
        len,
        head: method == "HEAD",
        http11: !http10,
    }))
}

/// RFC 9112, section 3.2: an HTTP/1.1 request has one `Host` header, and a request with more
/// than one is refused whatever its version; both are a 400.
pub fn check_host(http11: bool, hosts: usize) -> Result<(), Rejected> {
    match hosts {
        0 if http11 => Err(reject(400)),
        0 | 1 => Ok(()),
        _ => Err(reject(400)),
    }
}

fn reject(status: u16) -> Rejected {
    stats().rejected();
    Rejected { status }
}

/// Appends an answer's head to `out`: status line, `Content-Length` (the body's `length`, which
/// a HEAD answer announces without sending), and the connection header where one is needed. The
/// body goes out after it from where it lies, never copied into a connection's buffer.
pub fn write_head(out: &mut Vec<u8>, status: u16, length: usize, persist: Persist) {
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
        "HTTP/1.1 {status} {reason}\r\nContent-Length: {length}\r\n{connection}\r\n"
    );
}

/// Writes `head` then `body` with as few system calls as the socket allows (`writev`), without
/// copying the body: a connection keeps no buffer the size of its biggest answer.
pub fn send(connection: &mut impl Write, head: &[u8], body: &[u8]) -> io::Result<()> {
    let mut slices = [IoSlice::new(head), IoSlice::new(body)];
    let mut left = &mut slices[..];
    IoSlice::advance_slices(&mut left, 0);
    while !left.is_empty() {
        match connection.write_vectored(left) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => IoSlice::advance_slices(&mut left, n),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// A connection that blocking code can serve: a thread's socket, or a green thread's.
pub trait Connection: Read + Write {
    /// Reads from now on fail once `limit` has passed; `None` lifts the limit.
    fn read_timeout(&mut self, limit: Option<Duration>) -> io::Result<()>;
    /// Waits `delay` without using the CPU (the request's stand-in for a database call),
    /// looking at the client meanwhile ([`crate::hangup`]): `false` when it left first, and
    /// the wait was cut short.
    fn wait(&mut self, delay: Duration, http11: bool) -> bool;
    /// The connection begins (`true`) or ends (`false`) waiting for its next request, with
    /// nothing of it read yet: a server short of threads may close such a connection.
    fn between_requests(&mut self, waiting: bool) {
        let _ = waiting;
    }
}

impl Connection for std::net::TcpStream {
    fn read_timeout(&mut self, limit: Option<Duration>) -> io::Result<()> {
        self.set_read_timeout(limit)
    }

    /// `poll(2)` on the socket: the thread sleeps until the delay ends or the client leaves.
    fn wait(&mut self, delay: Duration, http11: bool) -> bool {
        Lookout::new(self.as_raw_fd(), http11).wait(delay)
    }
}

// ANCHOR: converse
/// Serves one connection with blocking code, request after request, until the client closes it,
/// asks to close it, sends a bad request, or keeps its next request head waiting longer than
/// `header_timeout`.
pub fn converse(mut connection: impl Connection, header_timeout: Duration) {
    let mut input = Vec::new();
    let mut head = Vec::new();
    loop {
        connection.between_requests(input.is_empty());
        let request = match read_request(&mut connection, &mut input, header_timeout) {
            Ok(Some(request)) => request,
            Ok(None) => return,
            Err(Rejected { status }) => {
                write_head(&mut head, status, 0, Persist::Close);
                let _ = connection.write_all(&head);
                return;
            }
        };
        connection.between_requests(false);
        input.drain(..request.len);
        if let Route::Work { delay, .. } = request.route
            && !connection.wait(delay, request.http11)
        {
            // The client left during the wait: nothing to answer.
            return;
        }
        let (status, body) = (request.route.status(), request.route.body());
        write_head(&mut head, status, body.len(), request.persist);
        let body = if request.head { &[][..] } else { body };
        if send(&mut connection, &head, body).is_err() || request.persist == Persist::Close {
            return;
        }
        head.clear();
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
            stats().timed_out();
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
                stats().timed_out();
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
        assert_eq!(
            persist("GET /work HTTP/1.1\r\nHost: a\r\n\r\n"),
            Persist::KeepAlive
        );
        let close = "GET /work HTTP/1.1\r\nHost: a\r\nConnection: Close\r\n\r\n";
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
        write_head(&mut out, 200, 2, Persist::KeepAlive);
        assert_eq!(out, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n");
        out.clear();
        write_head(&mut out, 431, 0, Persist::Close);
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
        fn wait(&mut self, delay: Duration, _: bool) -> bool {
            self.waited += delay;
            true
        }
    }

    #[test]
    fn converses_until_the_client_asks_to_close() {
        let requests = "GET /work?ms=5&size=3 HTTP/1.1\r\nHost: a\r\n\r\n\
                        HEAD /work?ms=1&size=9 HTTP/1.1\r\nHost: a\r\n\r\n\
                        GET /work?ms=7&size=1 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n\
                        GET /work HTTP/1.1\r\nHost: a\r\n\r\n";
        let mut connection = Scripted {
            input: requests.as_bytes().to_vec(),
            at: 0,
            out: Vec::new(),
            waited: Duration::ZERO,
        };
        converse(&mut connection, Duration::from_secs(1));
        let first = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nxxx";
        // HEAD: the GET's head, no body.
        let second = "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n";
        let third = "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nConnection: close\r\n\r\nx";
        assert_eq!(
            String::from_utf8_lossy(&connection.out),
            format!("{first}{second}{third}")
        );
        assert_eq!(connection.waited, Duration::from_millis(13));
    }

    #[test]
    fn one_host_header_for_http_1_1() {
        assert_eq!(
            parse("GET /work HTTP/1.1\r\n\r\n"),
            Err(Rejected { status: 400 })
        );
        let two = "GET /work HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n";
        assert_eq!(parse(two), Err(Rejected { status: 400 }));
        assert!(parse("GET /work HTTP/1.0\r\n\r\n").unwrap().is_some());
        let absolute = "GET http://a:8080/work?ms=1 HTTP/1.1\r\nHost: a:8080\r\n\r\n";
        let request = parse(absolute).unwrap().unwrap();
        assert!(matches!(request.route, Route::Work { .. }), "{request:?}");
    }
}
