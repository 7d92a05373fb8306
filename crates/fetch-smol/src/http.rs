//! A one-request HTTP/1.1 client on smol: hyper's client connection over a smol `TcpStream`,
//! joined by `smol-hyper`'s I/O adapter.
//!
//! hyper is the HTTP implementation under reqwest, with chunked bodies, `Content-Length`
//! checking and strict parsing; only its connection pool is tokio's, so here each request opens
//! its own connection, as the concurrent requests of this comparison would anyway.

use bytes::Bytes;
use common::{ErrorKind, FetchError};
use http_body_util::{BodyExt, Empty};
use hyper::Request;
use smol::net::TcpStream;
use smol_hyper::rt::FuturesIo;

/// GETs `url` and returns its body, or why it could not.
pub async fn get(url: &str) -> Result<Bytes, FetchError> {
    let uri: hyper::Uri = url.parse()?;
    if uri.scheme_str() != Some("http") {
        return Err(FetchError::new(
            ErrorKind::InvalidUrl,
            format!("{url}: this client speaks plain http only"),
        ));
    }
    let (Some(host), Some(authority)) = (uri.host(), uri.authority()) else {
        return Err(FetchError::new(
            ErrorKind::InvalidUrl,
            format!("{url} has no host"),
        ));
    };
    // IPv6 literals come bracketed in URLs and bare in socket addresses.
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let stream = TcpStream::connect((host, uri.port_u16().unwrap_or(80))).await?;
    // hyper's read buffer adapts, and grows to 8 KiB per connection at the first read. A fixed
    // 2 KiB holds a small answer whole and reads a big one in more system calls; with thousands
    // of connections open, it saves about a quarter of the memory per request (docs/RESULTS.md).
    let (mut sender, connection) = hyper::client::conn::http1::Builder::new()
        .read_buf_exact_size(Some(2048))
        .handshake(FuturesIo::new(stream))
        .await?;
    // The connection is a future of its own that reads and writes the socket: it runs as a task
    // beside this one and ends when `sender` is dropped.
    smol::spawn(connection).detach();

    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    let request = Request::get(path)
        .header(hyper::header::HOST, authority.as_str())
        .body(Empty::<Bytes>::new())?;
    let response = sender.send_request(request).await?;
    common::check_status(response.status().as_u16())?;
    let body = response.into_body().collect().await;
    Ok(body.map_err(FetchError::in_body)?.to_bytes())
}
