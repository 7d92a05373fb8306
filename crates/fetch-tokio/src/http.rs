//! reqwest as this model uses it: one client for the run, set up here, and `get`.

use std::error::Error;

use common::{Endpoint, Run};
use fetchkit::{ErrorKind, FetchError, Page};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// The client of a run. It owns the connection pool, and reqwest's docs warn against one per
/// request; cloning it only clones a handle. It times out each whole request, body included,
/// follows redirects, speaks HTTPS trusting the public roots (and `--ca-cert`), and looks host
/// names up with [`Lookup`].
pub fn client(run: &Run) -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .timeout(run.timeout())
        .redirect(reqwest::redirect::Policy::limited(fetchkit::MAX_REDIRECTS))
        .tls_backend_preconfigured(run.tls_config()?)
        .dns_resolver(Lookup)
        .retry(
            // A server may close a kept-alive connection while it waits in the pool, and the
            // request sent on it then meets a closed socket before any answer: like browsers,
            // send such a GET once more, on a new connection.
            reqwest::retry::for_host(AnyHost)
                .max_retries_per_request(1)
                .classify_fn(|attempt| {
                    let closed = attempt.error().is_some_and(|e| {
                        let kind = FetchError::classify_with(e, kind).kind();
                        matches!(kind, ErrorKind::Closed | ErrorKind::Reset)
                    });
                    if closed && attempt.method() == reqwest::Method::GET {
                        attempt.retryable()
                    } else {
                        attempt.success()
                    }
                }),
        )
        .build()?)
}

/// Every host, for a retry policy that applies to all of them (`reqwest::retry::for_host`
/// takes anything that compares with a host name).
struct AnyHost;

impl PartialEq<&str> for AnyHost {
    fn eq(&self, _host: &&str) -> bool {
        true
    }
}

/// GETs the endpoint and returns its page, or why it could not.
pub async fn get(client: &reqwest::Client, endpoint: &Endpoint) -> Result<Page, FetchError> {
    // `.await` is the talk's `yield from`: the task is shelved here until the socket is ready.
    let mut response = client.get(endpoint.url()).send().await.map_err(error)?;
    fetchkit::check_status(response.status().as_u16())?;
    let url = response.url().to_string();
    // Chunk by chunk, as the body arrives: a page is counted and each chunk dropped, never the
    // whole page in memory; a jobs answer is kept up to its limit.
    let mut body = endpoint.body();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| FetchError::in_body(error(e)))?
    {
        body.push(&chunk)?;
    }
    Ok(Page::new(url, body))
}

/// Sorts reqwest's error by its own predicates, then by the types down its chain.
fn error(e: reqwest::Error) -> FetchError {
    FetchError::classify_with(&e, kind)
}

/// The kind of one error of the chain, from reqwest's predicates; hyper's errors under it are
/// sorted by `common`, as smol's are.
fn kind(e: &(dyn Error + 'static)) -> Option<ErrorKind> {
    if let Some(e) = e.downcast_ref::<reqwest::Error>() {
        if e.is_timeout() {
            return Some(ErrorKind::Timeout);
        }
        if e.is_redirect() {
            return Some(ErrorKind::Redirects);
        }
    }
    None
}

/// The system's resolver, on a thread of its own for each name ([`fetchkit::lookup`]): tokio's
/// `lookup_host` would run it on tokio's blocking pool, which panics when the OS refuses the
/// pool's first thread. A failed lookup is [`Dns`] and a refused thread [`NoThread`], each
/// known by its type. reqwest asks only about names: an IP address is used as it is.
#[derive(Debug)]
struct Lookup;

impl Resolve for Lookup {
    fn resolve(&self, name: Name) -> Resolving {
        let lookup = fetchkit::lookup(name.as_str(), 0);
        Box::pin(async move {
            let addrs = lookup?.await?;
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}
