//! HTTP/1.1 GETs written as blocking code: connect, write the request, read until the answer is
//! complete. It runs on a green thread, where every one of those waits yields to the hub, so
//! the code never says where it waits: gevent's monkey-patched `requests.get`.
//!
//! No maintained HTTP client runs on green threads (ureq's transport traits ask for `Send`
//! sockets, and a green socket is tied to its hub's thread), so the request is written here and
//! the answer read with the `h1` parser that fetch-reactor uses too. HTTPS is rustls's
//! `StreamOwned` over the green socket: a blocking TLS stream, unchanged.

use std::io::{Read, Write};

use common::Endpoint;
use fetchkit::{Body, ErrorKind, FetchError, Page};
use h1::{Client, Head, Target};

use green::Io;

/// The size of each request's read buffer. It lives on its green thread's stack, whose pages
/// count in memory once touched: every KiB here is a KiB per request in flight.
const READ_BUFFER: usize = 4 * 1024;

/// GETs the endpoint and returns its page, or why it could not: within the client's timeout,
/// body included, redirects followed.
pub fn get(io: &Io<'_>, client: &Client, endpoint: &Endpoint) -> Result<Page, FetchError> {
    io.set_timeout(client.timeout());
    let mut url = endpoint.url().to_string();
    for hops in 0.. {
        let (head, body) = exchange(io, client, endpoint, &url).map_err(|e| match e.kind() {
            ErrorKind::Timeout => FetchError::timeout(client.timeout()),
            _ => e,
        })?;
        match fetchkit::next_hop(&url, head.status, head.location.as_deref(), hops)? {
            Some(next) => url = next,
            None => {
                fetchkit::check_status(head.status)?;
                return Ok(Page::new(url, body));
            }
        }
    }
    unreachable!("next_hop refuses the redirect after MAX_REDIRECTS")
}

/// One request on a connection of its own, and its answer.
fn exchange(
    io: &Io<'_>,
    client: &Client,
    endpoint: &Endpoint,
    url: &str,
) -> Result<(Head, Body), FetchError> {
    let target = Target::parse(url)?;
    let addrs = io.resolve(&target.host, target.port)?;
    let tcp = fetchkit::connect_first(addrs, |addr| io.connect(addr))?;
    if target.https {
        let tls = client.tls(&target)?.into_connection();
        read_answer(rustls::StreamOwned::new(tls, tcp), &target, endpoint)
    } else {
        read_answer(tcp, &target, endpoint)
    }
}

/// Writes the request and reads the answer, as blocking code does.
fn read_answer(
    mut stream: impl Read + Write,
    target: &Target,
    endpoint: &Endpoint,
) -> Result<(Head, Body), FetchError> {
    stream.write_all(&target.request())?;
    stream.flush()?;
    let (mut response, mut body) = (h1::Response::new(), endpoint.body());
    let mut buffer = [0; READ_BUFFER];
    while !response.is_done() {
        match stream.read(&mut buffer) {
            Ok(0) => response.closed()?,
            Ok(n) => response.read(&buffer[..n], &mut body)?,
            Err(e) if response.head().is_some() => return Err(FetchError::in_body(e)),
            Err(e) => return Err(e.into()),
        }
    }
    Ok((response.into_head()?, body))
}
