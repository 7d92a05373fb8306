//! The blocking HTTP client of the blocking models (sync, threads, rayon): ureq, set up once so
//! that the three differ only in how they run their requests.

use std::net::{IpAddr, SocketAddr};

use ureq::ResponseExt;
use ureq::tls::{Certificate, RootCerts, TlsConfig};
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{DefaultConnector, NextTimeout};

use crate::{FetchError, Page, Run};

/// An agent for a whole run. It holds a connection pool, so every request of the run should use
/// it (clones share the pool).
///
/// ureq sets no timeout by default, and treats 4xx/5xx as errors; this agent has the run's
/// timeout for each whole request, and leaves statuses to [`get`], which checks them like every
/// model. It follows up to [`MAX_REDIRECTS`](crate::MAX_REDIRECTS) redirects and trusts the
/// public roots, and `--ca-cert` when given.
pub fn agent(run: &Run) -> ureq::Agent {
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
        .max_redirects(crate::MAX_REDIRECTS as u32)
        .tls_config(TlsConfig::builder().root_certs(roots).build())
        .build();
    ureq::Agent::with_parts(config, DefaultConnector::default(), LiteralFirst)
}

/// GETs `url` and returns its page, or why it could not.
pub fn get(agent: &ureq::Agent, url: &str) -> Result<Page<Vec<u8>>, FetchError> {
    let mut response = agent.get(url).call()?;
    crate::check_status(response.status().as_u16())?;
    let final_url = response.get_uri().to_string();
    // The body can fail on its own, after a good status: the connection may drop halfway.
    let body = response.body_mut().with_config().limit(u64::MAX);
    let body = body.read_to_vec().map_err(FetchError::in_body)?;
    Ok(Page::new(final_url, body))
}

/// ureq's resolver looks every host up on a thread of its own when a timeout applies, so that
/// it can give up on a slow DNS server. For an IP address there is nothing to look up: this
/// resolver answers those at once, so that a request to the origin costs no extra thread.
#[derive(Debug)]
struct LiteralFirst;

impl Resolver for LiteralFirst {
    fn resolve(
        &self,
        uri: &ureq::http::Uri,
        config: &ureq::config::Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let host = uri.host().unwrap_or_default();
        let literal = host.trim_start_matches('[').trim_end_matches(']');
        match (literal.parse::<IpAddr>(), uri.port_u16()) {
            (Ok(ip), Some(port)) => {
                let mut addrs = self.empty();
                addrs.push(SocketAddr::new(ip, port));
                Ok(addrs)
            }
            _ => DefaultResolver::default().resolve(uri, config, timeout),
        }
    }
}
