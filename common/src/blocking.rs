//! The HTTP client of the blocking models (sync, threads, rayon): ureq, set up once here so that
//! the three differ only in how they run their requests.

use std::io;
use std::time::{Duration, Instant};

use ureq::tls::{Certificate, RootCerts, TlsConfig};
use ureq::unversioned::resolver::{ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{DefaultConnector, NextTimeout};

use crate::{Endpoint, Run};
use fetchkit::{ErrorKind, FetchError, Page};

/// The client of a run: a ureq agent. It holds a connection pool, so every request of the run
/// should use it (clones share the pool; it keeps at most 3 idle connections per host).
///
/// ureq sets no timeout by default, and treats 4xx/5xx as errors; this agent has the run's
/// timeout for each whole request, body included, and leaves statuses to [`get`], which checks
/// them like every model. It follows up to [`MAX_REDIRECTS`](crate::MAX_REDIRECTS) redirects
/// and trusts the public roots, and `--ca-cert` when given.
pub fn client(run: &Run) -> ureq::Agent {
    let roots = match run.ca_cert() {
        None => RootCerts::WebPki,
        // ureq takes either the public roots or a list of its own: give it both.
        Some(extra) => webpki_root_certs::TLS_SERVER_ROOT_CERTS
            .iter()
            .chain(std::iter::once(extra))
            .map(|der| Certificate::from_der(der).to_owned())
            .collect::<Vec<_>>()
            .into(),
    };
    let config = ureq::Agent::config_builder()
        .timeout_global(Some(run.timeout()))
        .http_status_as_error(false)
        // Redirects are followed by `get`, as by every client that does not follow them itself,
        // so that each model sorts the same answers the same way (ureq calls a redirect without a
        // `Location` a protocol error, where the others report its status).
        .max_redirects(0)
        .tls_config(TlsConfig::builder().root_certs(roots).build())
        .build();
    ureq::Agent::with_parts(config, DefaultConnector::default(), LiteralFirst)
}

/// GETs the endpoint and returns its page, or why it could not, following up to
/// [`MAX_REDIRECTS`](crate::MAX_REDIRECTS) redirects within the agent's one timeout.
pub fn get(client: &ureq::Agent, endpoint: &Endpoint) -> Result<Page, FetchError> {
    let timeout = client.config().timeouts().global.unwrap_or(Duration::MAX);
    let deadline = Instant::now().checked_add(timeout);
    let (mut url, mut hops) = (endpoint.url().to_string(), 0);
    let mut response = loop {
        let left = deadline.map_or(timeout, |d| d.saturating_duration_since(Instant::now()));
        let response = send(client, &url, left)?;
        let location = response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok());
        match fetchkit::next_hop(&url, response.status().as_u16(), location, hops)? {
            Some(next) => (url, hops) = (next, hops + 1),
            None => break response,
        }
    };
    fetchkit::check_status(response.status().as_u16())?;
    let final_url = url;
    // The reader is copied into `body` a buffer at a time: a page is only counted, so its bytes
    // never pile up in memory, and a jobs answer is kept up to its limit. This can fail on its
    // own, after a good status: the connection may drop halfway.
    let mut body = endpoint.body();
    let mut reader = response.body_mut().with_config().limit(u64::MAX).reader();
    io::copy(&mut reader, &mut body).map_err(|e| FetchError::in_body(body_error(e)))?;
    Ok(Page::new(final_url, body))
}

/// One request, within `left`. A server may close a kept-alive connection while it waits in
/// the pool, and the next request sent on it then meets a closed socket before any answer: like
/// browsers, a GET that fails so is sent once more, on a new connection (ureq has no setting for
/// it).
fn send(
    client: &ureq::Agent,
    url: &str,
    left: Duration,
) -> Result<ureq::http::Response<ureq::Body>, FetchError> {
    let call = || {
        let request = client.get(url).config().timeout_global(Some(left)).build();
        request.call().map_err(|e| error(&e))
    };
    match call() {
        Err(e) if matches!(e.kind(), ErrorKind::Closed | ErrorKind::Reset) => call(),
        answer => answer,
    }
}

/// Sorts ureq's error by its variant. `ureq::Error` has no `source()`: the errors it wraps are
/// unpacked here and sorted by their own types.
fn error(e: &ureq::Error) -> FetchError {
    let kind = match e {
        ureq::Error::Io(io) => return FetchError::classify(io),
        ureq::Error::Rustls(tls) => return FetchError::classify(tls),
        ureq::Error::Other(other) => return FetchError::classify(other.as_ref()),
        ureq::Error::Timeout(_) => ErrorKind::Timeout,
        ureq::Error::HostNotFound => ErrorKind::Dns,
        ureq::Error::TooManyRedirects => ErrorKind::Redirects,
        ureq::Error::Protocol(_) | ureq::Error::LargeResponseHeader(..) => ErrorKind::NotHttp,
        ureq::Error::Tls(_) | ureq::Error::TlsRequired => ErrorKind::Tls,
        ureq::Error::BadUri(_) | ureq::Error::RedirectFailed => ErrorKind::InvalidUrl,
        _ => ErrorKind::Other,
    };
    FetchError::new(kind, e.to_string())
}

/// The body reader's error: an `io::Error` that may wrap a `ureq::Error` (a timeout, say).
fn body_error(e: io::Error) -> FetchError {
    match e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<ureq::Error>())
    {
        Some(inner) => error(inner),
        None => FetchError::classify(&e),
    }
}

/// ureq's own resolver looks every host up on a thread of its own when a timeout applies, so
/// that it can give up on a slow DNS server, and panics when the OS refuses that thread. This
/// one is [`fetchkit::lookup`], as in the async models, waited for until the request's time is up:
/// an IP address is answered at once (a request to the origin costs no extra thread), a
/// refused thread is that endpoint's error, and a name that does not resolve is
/// [`Dns`](crate::Dns).
#[derive(Debug)]
struct LiteralFirst;

impl Resolver for LiteralFirst {
    fn resolve(
        &self,
        uri: &ureq::http::Uri,
        _config: &ureq::config::Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let https = uri.scheme_str() == Some("https");
        let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
        let lookup = fetchkit::lookup(uri.host().unwrap_or_default(), port)
            .map_err(|e| ureq::Error::Other(Box::new(e)))?;
        let found = match lookup.wait(*timeout.after) {
            Some(found) => found.map_err(|e| ureq::Error::Other(Box::new(e)))?,
            None => return Err(ureq::Error::Timeout(timeout.reason)),
        };
        let mut addrs = self.empty();
        // ureq holds at most 16 addresses.
        for addr in found.into_iter().take(16) {
            addrs.push(addr);
        }
        Ok(addrs)
    }
}
