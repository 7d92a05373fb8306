//! A small HTTP/1.1 client on smol, set up here: hyper's client connection over a smol
//! `TcpStream` (wrapped in TLS by futures-rustls for https), joined by `smol-hyper`'s I/O
//! adapter, with redirects followed by hand and the whole request raced against a timer.
//!
//! hyper is the HTTP implementation under reqwest, with chunked bodies, `Content-Length`
//! checking and strict parsing; only its connection pool is tokio's, so here each request opens
//! its own connection, as the concurrent requests of this comparison would anyway.

use std::error::Error;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use common::{Endpoint, ErrorKind, FetchError, Page, Run};
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
}

/// A connection, plain or encrypted.
trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// The client of a run, trusting the public roots (and `--ca-cert`).
pub fn client(run: &Run) -> anyhow::Result<Client> {
    Ok(Client {
        tls: TlsConnector::from(Arc::new(run.tls_config()?)),
        timeout: run.timeout(),
    })
}

/// GETs the endpoint and returns its page, or why it could not. smol has no timeout wrapper:
/// the whole request, body included, races a timer.
pub async fn get(client: &Client, endpoint: &Endpoint) -> Result<Page<Bytes>, FetchError> {
    let deadline = async {
        Timer::after(client.timeout).await;
        Err(FetchError::timeout(client.timeout))
    };
    smol::future::or(client.get(endpoint.url()), deadline).await
}

impl Client {
    async fn get(&self, url: &str) -> Result<Page<Bytes>, FetchError> {
        let (url, response) = common::follow_redirects(url, |url| async move {
            let response = self.send(&url).await?;
            let location = response.headers().get(hyper::header::LOCATION);
            let location = location.and_then(|l| l.to_str().ok()).map(str::to_string);
            Ok((response.status().as_u16(), location, response))
        })
        .await?;
        common::check_status(response.status().as_u16())?;
        let body = response.into_body().collect().await;
        let body = body.map_err(|e| FetchError::in_body(error(e)))?;
        Ok(Page::new(url, body.to_bytes()))
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
        // The lookup runs on smol's blocking pool; a failure here is a failure of DNS.
        let addrs = smol::net::resolve((host, port))
            .await
            .map_err(|e| FetchError::dns(host, e))?;
        let tcp = TcpStream::connect(&addrs[..]).await?;
        let io: Box<dyn Io> = if https {
            let name = ServerName::try_from(host.to_string())?;
            Box::new(self.tls.connect(name, tcp).await?)
        } else {
            Box::new(tcp)
        };
        // hyper's read buffer adapts, and grows to 8 KiB per connection at the first read. A
        // fixed 2 KiB holds a small answer whole and reads a big one in more system calls; with
        // thousands of connections open, the 6 KiB it saves each is a good part of the memory
        // per request (docs/RESULTS.md, "where the memory goes").
        let (mut sender, connection) = hyper::client::conn::http1::Builder::new()
            .read_buf_exact_size(Some(2048))
            .handshake(FuturesIo::new(io))
            .await
            .map_err(error)?;
        // The connection is a future of its own that reads and writes the socket: it runs as a
        // task beside this one and ends when `sender` is dropped.
        smol::spawn(connection).detach();

        let path = uri.path_and_query().map_or("/", |p| p.as_str());
        let request = Request::get(path)
            .header(hyper::header::HOST, authority.as_str())
            .body(Empty::<Bytes>::new())?;
        sender.send_request(request).await.map_err(error)
    }
}

/// Sorts hyper's error by its own predicates, then by the types down its chain.
fn error(e: hyper::Error) -> FetchError {
    FetchError::classify_with(&e, |e: &(dyn Error + 'static)| {
        let e = e.downcast_ref::<hyper::Error>()?;
        if e.is_parse() || e.is_parse_status() || e.is_parse_too_large() {
            Some(ErrorKind::NotHttp)
        } else if e.is_incomplete_message() {
            Some(ErrorKind::Closed)
        } else if e.is_timeout() {
            Some(ErrorKind::Timeout)
        } else {
            None
        }
    })
}
