//! A small HTTP/1.1 client on smol, set up here: hyper's client connection over a smol
//! `TcpStream` (wrapped in TLS by futures-rustls for https), joined by `smol-hyper`'s I/O
//! adapter, with redirects followed by hand and the whole request raced against a timer.
//!
//! hyper is the HTTP implementation under reqwest, with chunked bodies, `Content-Length`
//! checking and strict parsing; only its connection pool is tokio's, so here each request opens
//! its own connection, as the concurrent requests of this comparison would anyway.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use common::{Endpoint, Run};
use fetchkit::{ErrorKind, FetchError, Page};
use futures_rustls::TlsConnector;
use futures_rustls::rustls::pki_types::ServerName;
use http_body_util::{BodyExt, Empty};
use hyper::body::Incoming;
use hyper::{Request, Response};
use smol::Timer;
use smol::io::{AsyncRead, AsyncWrite};
use smol::net::TcpStream;
use smol_hyper::rt::FuturesIo;

/// The client of a run: what every request shares, the TLS configuration with its roots and
/// the time limit. Cloning it only clones a handle.
#[derive(Clone)]
pub struct Client {
    tls: TlsConnector,
    timeout: Duration,
    /// hyper's read buffer: fixed at this size, or adaptive (`None`).
    read_buffer: Option<usize>,
}

/// The size of hyper's read buffer, fixed (see `Client::send`).
const READ_BUFFER: usize = 4096;

/// Sets the read buffer instead, in bytes or `adaptive`: the benchmark's read-buffer part
/// measures the choice with it (`scripts/run_all.sh --only read-buffer`).
const READ_BUFFER_VAR: &str = "FETCH_SMOL_READ_BUFFER";

/// A connection, plain or encrypted.
trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// The client of a run, trusting the public roots (and `--ca-cert`).
pub fn client(run: &Run) -> anyhow::Result<Client> {
    // smol starts its executor's thread and async-io's driver thread when the first task runs,
    // and aborts if the OS refuses one: ask for both now, to stop with a clear error instead.
    fetchkit::check_threads(2)?;
    // Start the driver thread now, while nothing else runs, so that it gets one of the two; left
    // to the first socket, it would race the name lookups' threads for it, and abort on losing.
    smol::block_on(async {});
    let read_buffer = match std::env::var(READ_BUFFER_VAR) {
        Err(_) => Some(READ_BUFFER),
        Ok(value) if value == "adaptive" => None,
        Ok(value) => match value.parse::<usize>() {
            Ok(bytes) if bytes >= 64 => Some(bytes),
            _ => anyhow::bail!(
                "{READ_BUFFER_VAR}={value:?}: a size in bytes (64 or more), or adaptive"
            ),
        },
    };
    Ok(Client {
        tls: TlsConnector::from(Arc::new(run.tls_config()?)),
        timeout: run.timeout(),
        read_buffer,
    })
}

/// GETs the endpoint and returns its page, or why it could not. smol has no timeout wrapper:
/// the whole request, body included, races a timer.
pub async fn get(client: &Client, endpoint: &Endpoint) -> Result<Page, FetchError> {
    let deadline = async {
        Timer::after(client.timeout).await;
        Err(FetchError::timeout(client.timeout))
    };
    smol::future::or(client.get(endpoint), deadline).await
}

impl Client {
    async fn get(&self, endpoint: &Endpoint) -> Result<Page, FetchError> {
        let (url, response) = fetchkit::follow_redirects(endpoint.url(), |url| async move {
            let response = self.send(&url).await?;
            let location = response.headers().get(hyper::header::LOCATION);
            let location = location.and_then(|l| l.to_str().ok()).map(str::to_string);
            Ok((response.status().as_u16(), location, response))
        })
        .await?;
        fetchkit::check_status(response.status().as_u16())?;
        // Frame by frame, as the body arrives: a page is counted and each frame dropped, never
        // the whole page in memory; a jobs answer is kept up to its limit.
        let (mut incoming, mut body) = (response.into_body(), endpoint.body());
        while let Some(frame) = incoming.frame().await {
            let frame = frame.map_err(FetchError::in_body)?;
            if let Some(chunk) = frame.data_ref() {
                body.push(chunk)?;
            }
        }
        Ok(Page::new(url, body))
    }

    /// Sends one request on a connection of its own and returns the response's head.
    async fn send(&self, url: &str) -> Result<Response<Incoming>, FetchError> {
        let uri: hyper::Uri = url.parse()?;
        let (Some(host), Some(authority)) = (uri.host(), uri.authority()) else {
            return Err(FetchError::new(
                ErrorKind::InvalidUrl,
                format!("{url} has no host"),
            ));
        };
        // IPv6 literals come bracketed in URLs and bare in socket addresses.
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let https = uri.scheme_str() == Some("https");
        let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
        // The lookup runs on a thread of its own (smol's `resolve` would use its blocking pool,
        // which waits forever when the OS refuses it a thread): a refused thread and a failed
        // lookup are each known by their type.
        let addrs = fetchkit::lookup(host, port)?.await?;
        let tcp = TcpStream::connect(&addrs[..]).await?;
        let io: Box<dyn Io> = if https {
            let name = ServerName::try_from(host.to_string())?;
            Box::new(self.tls.connect(name, tcp).await?)
        } else {
            Box::new(tcp)
        };
        // hyper's read buffer adapts: it starts at 8 KiB and doubles while reads fill it, up to
        // the size of a big page per connection with the talk's pages. A fixed size keeps the
        // cost per connection the same in both workloads; 4 KiB is the middle ground of the
        // sizes measured at N=2,000 (docs/RESULTS.md, "fetch-smol's read buffer"): smaller
        // saves memory and reads big pages in more CPU, larger the other way round.
        let (mut sender, connection) = hyper::client::conn::http1::Builder::new()
            .read_buf_exact_size(self.read_buffer)
            .handshake(FuturesIo::new(io))
            .await?;
        // The connection is a future of its own that reads and writes the socket: it runs as a
        // task beside this one and ends when `sender` is dropped.
        smol::spawn(connection).detach();

        let path = uri.path_and_query().map_or("/", |p| p.as_str());
        let request = Request::get(path)
            .header(hyper::header::HOST, host_header(authority))
            .body(Empty::<Bytes>::new())?;
        Ok(sender.send_request(request).await?)
    }
}

/// The `Host` header for `authority`: its host and port, never the `user:password@` a URL may
/// carry before them.
fn host_header(authority: &hyper::http::uri::Authority) -> String {
    match authority.port() {
        Some(port) => format!("{}:{port}", authority.host()),
        None => authority.host().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_host_header_leaves_credentials_out() {
        for (url, host) in [
            ("http://user:secret@a.test:8080/x", "a.test:8080"),
            ("http://user@a.test/x", "a.test"),
            ("http://[::1]:80/", "[::1]:80"),
        ] {
            let uri: hyper::Uri = url.parse().unwrap();
            assert_eq!(host_header(uri.authority().unwrap()), host, "{url}");
        }
    }
}
