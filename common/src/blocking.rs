//! The blocking HTTP client of the blocking models (sync, threads, rayon): ureq, set up once so
//! that the three differ only in how they run their requests.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{DefaultConnector, NextTimeout};

use crate::FetchError;

/// An agent for a whole run. It holds a connection pool, so every request of the run should use
/// it (clones share the pool).
///
/// ureq sets no timeout by default, and treats 4xx/5xx as errors; this agent has `timeout` for
/// each whole request, and leaves statuses to [`get`], which checks them like every model.
pub fn agent(timeout: Duration) -> ureq::Agent {
    let config = ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .build();
    ureq::Agent::with_parts(config, DefaultConnector::default(), LiteralFirst)
}

/// GETs `url` and returns its body, or why it could not.
pub fn get(agent: &ureq::Agent, url: &str) -> Result<Vec<u8>, FetchError> {
    let mut response = agent.get(url).call()?;
    crate::check_status(response.status().as_u16())?;
    // The body can fail on its own, after a good status: the connection may drop halfway.
    let body = response.body_mut().with_config().limit(u64::MAX);
    body.read_to_vec().map_err(FetchError::in_body)
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
