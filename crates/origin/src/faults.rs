//! The fault listener: a second port where each path misbehaves in one way a real network can.
//!
//! These faults live below HTTP (a reset, a reply that is not HTTP, a body cut short), so this
//! listener reads the request head itself and writes its answers byte by byte instead of going
//! through hyper.

use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::State;

/// One way an endpoint can fail. Each has its own path on the fault listener
/// ([`Origin::fault_url`](crate::Origin::fault_url)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Fault {
    /// The connection is closed before any response.
    Close,
    /// The connection is reset (RST) before any response.
    Reset,
    /// The headers and part of the body arrive, then the connection is reset.
    ResetMidBody,
    /// The body is shorter than its `Content-Length`, then the connection is closed.
    Short,
    /// The body arrives one byte every 200 ms: far slower than any sensible timeout.
    Trickle,
    /// The connection is accepted and never answered.
    Hang,
    /// The head and a tenth of the body arrive, then nothing more: the connection stays open.
    StalledBody,
    /// An answer whose head goes on for 1 MiB of headers, past any client's limit for a head.
    HugeHead,
    /// The reply is not HTTP at all.
    NotHttp,
    /// A body with no head at all, then the connection closes: an HTTP/0.9 answer, or garbage.
    Http09,
    /// A `301 Moved Permanently` without a `Location`: there is nowhere to go.
    NoLocation,
    /// A `200 OK` whose JSON body is cut off.
    MalformedJson,
    /// A `200 OK` with valid JSON that has no `TotalJobs`.
    NoTotal,
    /// A `200 OK` whose `TotalJobs` is the largest count a u64 holds, 2^64 - 1: two of them
    /// overflow a 64-bit sum.
    HugeTotal,
    /// A valid answer of 5,000 bytes with neither `Content-Length` nor chunks: the body ends
    /// when the server closes the connection, as HTTP/1.1 allows.
    CloseDelimited,
    /// A `100 Continue` before the real answer, 5,000 bytes: an interim answer to skip.
    Continue,
    /// An HTTP/1.0 answer of 5,000 bytes, as `python3 -m http.server` sends: no
    /// `Content-Length`, the body ending when the server closes the connection.
    Http10,
    /// `204 No Content` followed by bytes that a 204 cannot have: the answer has no body.
    NoContent,
    /// A `Content-Length` of -1: not a valid answer.
    NegativeLength,
    /// A good answer that offers to keep the connection open (no `Connection: close`), then
    /// closes it without a word: a client's next request on that pooled connection meets a
    /// closed socket, which HTTP/1.1 allows a server to do while a connection is idle.
    IdleClose,
}

impl Fault {
    pub const ALL: [Fault; 20] = [
        Fault::Close,
        Fault::Reset,
        Fault::ResetMidBody,
        Fault::Short,
        Fault::Trickle,
        Fault::Hang,
        Fault::StalledBody,
        Fault::HugeHead,
        Fault::NotHttp,
        Fault::Http09,
        Fault::NoLocation,
        Fault::MalformedJson,
        Fault::NoTotal,
        Fault::HugeTotal,
        Fault::CloseDelimited,
        Fault::Continue,
        Fault::Http10,
        Fault::NoContent,
        Fault::NegativeLength,
        Fault::IdleClose,
    ];

    /// The path of this fault on the fault listener.
    pub fn path(self) -> &'static str {
        match self {
            Fault::Close => "/close",
            Fault::Reset => "/reset",
            Fault::ResetMidBody => "/reset-mid-body",
            Fault::Short => "/short",
            Fault::Trickle => "/trickle",
            Fault::Hang => "/hang",
            Fault::StalledBody => "/stalled-body",
            Fault::HugeHead => "/huge-head",
            Fault::NotHttp => "/not-http",
            Fault::Http09 => "/http-0.9",
            Fault::NoLocation => "/no-location",
            Fault::MalformedJson => "/malformed-json",
            Fault::NoTotal => "/no-total",
            Fault::HugeTotal => "/huge-total",
            Fault::CloseDelimited => "/close-delimited",
            Fault::Continue => "/continue",
            Fault::Http10 => "/http-1.0",
            Fault::NoContent => "/no-content",
            Fault::NegativeLength => "/negative-length",
            Fault::IdleClose => "/idle-close",
        }
    }

    fn from_path(path: &str) -> Option<Fault> {
        let path = path.split('?').next().unwrap_or(path);
        Fault::ALL.into_iter().find(|f| f.path() == path)
    }
}

pub(crate) async fn accept(listener: TcpListener, state: Arc<State>) {
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                tokio::spawn(serve(stream, state.clone()));
            }
            Err(e) => crate::accept_failed(&e).await,
        }
    }
}

async fn serve(mut stream: TcpStream, state: Arc<State>) {
    let _open = state.stats.open();
    let Some(path) = read_request_path(&mut stream).await else {
        return;
    };
    let Some(fault) = Fault::from_path(&path) else {
        let _ = stream
            .write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            .await;
        return;
    };
    // Write errors mean the client has gone, which ends the fault as well.
    let _ = act(fault, &mut stream).await;
}

async fn act(fault: Fault, stream: &mut TcpStream) -> std::io::Result<()> {
    match fault {
        Fault::Close => stream.shutdown().await,
        Fault::Reset => reset(stream),
        Fault::ResetMidBody => {
            part_of_a_body(stream, 100_000).await?;
            tokio::time::sleep(Duration::from_millis(50)).await;
            reset(stream)
        }
        Fault::Short => {
            let head = "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\nConnection: close\r\n\r\n";
            respond_raw(stream, &[head.as_bytes(), &[b'x'; 100]]).await
        }
        Fault::Trickle => {
            stream
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")
                .await?;
            for _ in 0..1000 {
                stream.write_all(b"x").await?;
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Ok(())
        }
        Fault::StalledBody => {
            part_of_a_body(stream, 10_000).await?;
            // Then silence, until the client gives up and closes.
            drain(stream).await
        }
        Fault::HugeHead => {
            stream.write_all(b"HTTP/1.1 200 OK\r\n").await?;
            let line = format!("X-Filler: {}\r\n", "x".repeat(1000));
            for _ in 0..1024 {
                stream.write_all(line.as_bytes()).await?;
            }
            respond_raw(stream, &[b"Content-Length: 5\r\n\r\nhello"]).await
        }
        // Read and discard until the client gives up and closes, never answering.
        Fault::Hang => drain(stream).await,
        Fault::NotHttp => {
            respond_raw(
                stream,
                &[b"SSH-2.0-OpenSSH_9.2 this is not an HTTP server\r\n\r\n"],
            )
            .await
        }
        Fault::Http09 => respond_raw(stream, &[b"<html>a page with no head</html>\n"]).await,
        Fault::NoLocation => {
            let head =
                "HTTP/1.1 301 Moved Permanently\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
            respond_raw(stream, &[head.as_bytes()]).await
        }
        Fault::MalformedJson => respond_json(stream, br#"{"TotalJobs": 1"#).await,
        Fault::NoTotal => respond_json(stream, br#"{"SearchResult": []}"#).await,
        Fault::HugeTotal => respond_json(stream, br#"{"TotalJobs": 18446744073709551615}"#).await,
        Fault::CloseDelimited => {
            let head = "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n";
            respond_raw(stream, &[head.as_bytes(), &[b'x'; 5000]]).await
        }
        Fault::Continue => {
            let interim = "HTTP/1.1 100 Continue\r\n\r\n";
            let head = "HTTP/1.1 200 OK\r\nContent-Length: 5000\r\nConnection: close\r\n\r\n";
            respond_raw(
                stream,
                &[interim.as_bytes(), head.as_bytes(), &[b'x'; 5000]],
            )
            .await
        }
        Fault::Http10 => {
            let head = "HTTP/1.0 200 OK\r\nServer: SimpleHTTP/0.6 Python/3.11.2\r\n\r\n";
            respond_raw(stream, &[head.as_bytes(), &[b'x'; 5000]]).await
        }
        Fault::NoContent => {
            respond_raw(
                stream,
                &[b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\nstray"],
            )
            .await
        }
        Fault::NegativeLength => {
            let head = "HTTP/1.1 200 OK\r\nContent-Length: -1\r\nConnection: close\r\n\r\nx";
            respond_raw(stream, &[head.as_bytes()]).await
        }
        Fault::IdleClose => {
            respond_raw(
                stream,
                &[b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"],
            )
            .await
        }
    }
}

/// Writes a head announcing `length` bytes, then the first 1,000 of them.
async fn part_of_a_body(stream: &mut TcpStream, length: usize) -> std::io::Result<()> {
    let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {length}\r\n\r\n");
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(&[b'x'; 1000]).await?;
    stream.flush().await
}

/// Reads and discards until the client closes the connection.
async fn drain(stream: &mut TcpStream) -> std::io::Result<()> {
    let mut sink = [0u8; 1024];
    while stream.read(&mut sink).await? > 0 {}
    Ok(())
}

/// Writes `parts` as they are, then closes the connection.
async fn respond_raw(stream: &mut TcpStream, parts: &[&[u8]]) -> std::io::Result<()> {
    for part in parts {
        stream.write_all(part).await?;
    }
    stream.shutdown().await
}

async fn respond_json(stream: &mut TcpStream, body: &[u8]) -> std::io::Result<()> {
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(body).await?;
    stream.shutdown().await
}

/// Closes with an RST instead of a FIN: a zero linger time makes the kernel drop the connection.
fn reset(stream: &TcpStream) -> std::io::Result<()> {
    socket2::SockRef::from(stream).set_linger(Some(Duration::ZERO))
}

/// Reads the request head and returns its path; `None` when the client sent no parseable head.
async fn read_request_path(stream: &mut TcpStream) -> Option<String> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    while buf.len() < 16 * 1024 {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        let mut headers = [httparse::EMPTY_HEADER; 64];
        let mut request = httparse::Request::new(&mut headers);
        match request.parse(&buf) {
            Ok(httparse::Status::Complete(_)) => return request.path.map(str::to_owned),
            Ok(httparse::Status::Partial) => continue,
            Err(_) => return None,
        }
    }
    None
}
