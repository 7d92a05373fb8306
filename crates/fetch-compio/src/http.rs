//! HTTP/1.1 GETs on io_uring: connect, write the request, read until the answer is complete,
//! each step an operation queued on the ring and awaited until its completion.
//!
//! compio's I/O takes its buffers by value: the kernel fills or drains them after the call has
//! returned, so they are given up until the completion and handed back in its `BufResult`. The
//! reads name no buffer at all but the ring of provided buffers (`read_managed`), from which
//! the kernel takes one when bytes arrive; it returns to the ring when the bytes are parsed. The
//! parser is `h1`'s and the TLS is rustls's, both sans-IO: bytes go in and come out, and the
//! ring does the I/O.

use std::io;
use std::rc::Rc;

use compio::BufResult;
use compio::io::{AsyncRead, AsyncReadManaged, AsyncWriteExt};
use compio::net::TcpStream;
use h1::TlsSession;

use common::{Endpoint, Run};
use fetchkit::{Body, FetchError, Page};
use h1::{Client, Head, Target};

/// The buffers of the ring the reads share, and their size: 4 MiB, however many requests wait.
pub const RING: u16 = 1024;
pub const RING_BUFFER: usize = 4 * 1024;

/// One client for the run, with the TLS roots every request shares (its tasks share one
/// thread, so an `Rc` is enough).
pub fn client(run: &Run) -> anyhow::Result<Rc<Client>> {
    Ok(Rc::new(Client::new(run.tls_config()?, run.timeout())))
}

/// A task that ended without its result: it panicked, which is a bug, said as an error.
pub fn ended(e: compio::runtime::JoinError) -> anyhow::Error {
    anyhow::anyhow!("a request's task ended early: {e}")
}

/// GETs the endpoint and returns its page, or why it could not: within the client's timeout,
/// body included, redirects followed.
pub async fn get(client: &Client, endpoint: &Endpoint) -> Result<Page, FetchError> {
    let limit = client.timeout();
    // Boxed: a future holds every state it may be in, and one moved into another is often
    // laid out twice (rust-lang/rust#62958); unboxed, each request's task was 9 KiB.
    let fetched = compio::time::timeout(limit, Box::pin(follow(client, endpoint))).await;
    fetched.unwrap_or_else(|_| Err(FetchError::timeout(limit)))
}

async fn follow(client: &Client, endpoint: &Endpoint) -> Result<Page, FetchError> {
    let (url, (head, body)) = fetchkit::follow_redirects(endpoint.url(), |url| async move {
        let (head, body) = exchange(client, endpoint, &url).await?;
        Ok((head.status, head.location.clone(), (head, body)))
    })
    .await?;
    fetchkit::check_status(head.status)?;
    Ok(Page::new(url, body))
}

/// One request on a connection of its own, and its answer.
async fn exchange(
    client: &Client,
    endpoint: &Endpoint,
    url: &str,
) -> Result<(Head, Body), FetchError> {
    let target = Target::parse(url)?;
    // The system's resolver blocks: it runs on a thread of its own, and wakes this task.
    let addrs = fetchkit::lookup(&target.host, target.port)?.await?;
    let mut connection = Connection {
        tcp: fetchkit::connect_first_async(addrs, TcpStream::connect).await?,
        tls: match target.https {
            true => Some(Box::new(client.tls(&target)?)),
            false => None,
        },
    };
    connection.send(target.request()).await?;
    let (mut response, mut body) = (h1::Response::new(), endpoint.body());
    while !response.is_done() {
        match connection.receive(&mut response, &mut body).await {
            Ok(true) => {}
            Ok(false) => response.closed()?,
            Err(e) if response.head().is_some() => return Err(FetchError::in_body(e)),
            Err(e) => return Err(e),
        }
    }
    Ok((response.into_head()?, body))
}

/// A connection, with its TLS session for HTTPS (boxed: a session is 1 KiB, which a plain
/// HTTP request would otherwise carry in its future).
struct Connection {
    tcp: TcpStream,
    tls: Option<Box<TlsSession>>,
}

impl Connection {
    /// Sends `bytes`, through TLS if the connection has it.
    async fn send(&mut self, bytes: Vec<u8>) -> io::Result<()> {
        match &mut self.tls {
            None => self.tcp.write_all(bytes).await.0,
            Some(tls) => {
                tls.write(&bytes)?;
                flush(&mut self.tcp, tls).await
            }
        }
    }

    /// Feeds what arrives next to `response`: `Ok(false)` when the server closed.
    async fn receive(
        &mut self,
        response: &mut h1::Response,
        body: &mut Body,
    ) -> Result<bool, FetchError> {
        let Some(tls) = &mut self.tls else {
            let fed = read(&mut self.tcp, |bytes| response.read(bytes, body)).await?;
            return fed.map_or(Ok(false), |fed| fed.map(|()| true));
        };
        // What the handshake has to say first (and the request, once it is done); then what
        // arrives, decrypted into the response.
        flush(&mut self.tcp, tls).await?;
        let plaintext = |piece: &[u8]| response.read(piece, body);
        match read(&mut self.tcp, |bytes| tls.read(bytes, plaintext)).await? {
            Some(fed) => fed,
            // The server closed: TLS says whether it said so first (a close_notify) or not.
            None => tls
                .closed(|piece| response.read(piece, body))
                .map(|()| false),
        }
    }
}

/// Sends what TLS has to send (the handshake, encrypted requests).
async fn flush(tcp: &mut TcpStream, tls: &mut TlsSession) -> io::Result<()> {
    while tls.wants_write() {
        let records = tls.records()?;
        tcp.write_all(records).await.0?;
    }
    Ok(())
}

// ANCHOR: ring
/// Reads what arrives next, from the ring of provided buffers, and hands it to `feed` where the
/// kernel put it: `None` when the server closed. The buffer goes back to the ring after `feed`.
async fn read<R>(tcp: &mut TcpStream, feed: impl FnOnce(&[u8]) -> R) -> io::Result<Option<R>> {
    match tcp.read_managed(0).await {
        Ok(buffer) => Ok(buffer.map(|bytes| feed(&bytes))),
        // Every buffer of the ring is taken: the bytes are there, so a read into a buffer of
        // this request's own completes at once.
        Err(e) if e.kind() == io::ErrorKind::ResourceBusy => {
            let BufResult(read, buffer) = tcp.read(Vec::with_capacity(RING_BUFFER)).await;
            Ok((read? > 0).then(|| feed(&buffer)))
        }
        Err(e) => Err(e),
    }
}
// ANCHOR_END: ring
