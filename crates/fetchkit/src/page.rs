//! What a model hands the report for each endpoint: the body, and where it finally came from.

use std::io;

use crate::error::TooLarge;
use crate::{ErrorKind, FetchError};

/// The most redirects any model follows before it gives up, as browsers and reqwest do.
pub const MAX_REDIRECTS: usize = 10;

/// What a model keeps of an endpoint's body as it arrives ([`Body`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    /// Only its length: the talk's program printed each page's size and nothing else.
    Length,
    /// The whole body, to be parsed, up to `limit` bytes (`--max-body`).
    Whole { limit: u64 },
}

/// A fetched body and the URL it came from after any redirects: the talk's Tornado run printed
/// that final URL (`https://www.yahoo.com/` for `http://yahoo.com`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub url: String,
    pub body: Body,
}

impl Page {
    pub fn new(url: impl Into<String>, body: Body) -> Page {
        Page {
            url: url.into(),
            body,
        }
    }
}

/// A body as it arrives, chunk by chunk: always counted, and kept only when the endpoint needs
/// it whole ([`Keep`]). A page is counted and dropped chunk by chunk, so that a
/// thousand pages in flight never sit in memory at once, whatever their size; a jobs answer is
/// kept to be parsed, up to a limit, so that the server cannot choose how much this process
/// allocates.
///
/// It is an `io::Write` too, for a blocking reader to be copied into.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Body {
    keep: Keep,
    length: u64,
    bytes: Vec<u8>,
}

impl Body {
    /// An empty body, keeping what `keep` says.
    pub fn new(keep: Keep) -> Body {
        Body {
            keep,
            length: 0,
            bytes: Vec::new(),
        }
    }

    /// Takes the next chunk: counts it, and keeps it when the body is to be kept. Past the
    /// limit of a kept body, the endpoint fails with [`ErrorKind::TooLarge`].
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), FetchError> {
        self.take(chunk).map_err(FetchError::from)
    }

    fn take(&mut self, chunk: &[u8]) -> Result<(), TooLarge> {
        self.length = self.length.saturating_add(chunk.len() as u64);
        if let Keep::Whole { limit } = self.keep {
            if self.length > limit {
                return Err(TooLarge { limit });
            }
            self.bytes.extend_from_slice(chunk);
        }
        Ok(())
    }

    /// How many bytes arrived.
    pub fn len(&self) -> u64 {
        self.length
    }

    pub fn is_empty(&self) -> bool {
        self.length == 0
    }

    /// The whole body, when it was kept; `None` for a body that was only counted.
    pub fn bytes(&self) -> Option<&[u8]> {
        matches!(self.keep, Keep::Whole { .. }).then_some(&self.bytes[..])
    }
}

impl io::Write for Body {
    fn write(&mut self, chunk: &[u8]) -> io::Result<usize> {
        self.take(chunk).map_err(io::Error::other)?;
        Ok(chunk.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// For clients that do not follow redirects themselves: given the answer to a request for
/// `url` after `hops` redirects, where to go next. `Ok(None)` means this answer is the final one;
/// a redirect past [`MAX_REDIRECTS`] is an error that says so.
pub fn next_hop(
    url: &str,
    status: u16,
    location: Option<&str>,
    hops: usize,
) -> Result<Option<String>, FetchError> {
    if !matches!(status, 301 | 302 | 303 | 307 | 308) {
        return Ok(None);
    }
    let Some(location) = location else {
        return Ok(None);
    };
    if hops >= MAX_REDIRECTS {
        return Err(FetchError::new(
            ErrorKind::Redirects,
            format!("gave up after {MAX_REDIRECTS} redirects (the last one pointed to {location})"),
        ));
    }
    let next = url::Url::parse(url)
        .and_then(|base| base.join(location))
        .map_err(|e| {
            FetchError::new(
                ErrorKind::InvalidUrl,
                format!("redirect to an invalid location {location:?}: {e}"),
            )
        })?;
    if !matches!(next.scheme(), "http" | "https") {
        return Err(FetchError::new(
            ErrorKind::InvalidUrl,
            format!("redirect to a location that is not http or https: {next}"),
        ));
    }
    Ok(Some(next.to_string()))
}

/// Follows redirects for a client that does not: `send` makes one request and returns the
/// answer's status, its `Location` header and the response itself; this calls it again for each
/// redirect, up to [`MAX_REDIRECTS`], and returns the final response with its URL. It works on
/// any runtime.
pub async fn follow_redirects<R, F, Fut>(url: &str, mut send: F) -> Result<(String, R), FetchError>
where
    F: FnMut(String) -> Fut,
    Fut: std::future::Future<Output = Result<(u16, Option<String>, R), FetchError>>,
{
    let mut url = url.to_string();
    for hops in 0.. {
        let (status, location, response) = send(url.clone()).await?;
        match next_hop(&url, status, location.as_deref(), hops)? {
            Some(next) => url = next,
            None => return Ok((url, response)),
        }
    }
    unreachable!("next_hop refuses the redirect after MAX_REDIRECTS")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(keep: Keep) -> Body {
        Body {
            keep,
            length: 0,
            bytes: Vec::new(),
        }
    }

    #[test]
    fn a_page_is_counted_and_not_kept() {
        let mut page = body(Keep::Length);
        for _ in 0..1000 {
            page.push(&[b'x'; 1000]).unwrap();
        }
        assert_eq!(page.len(), 1_000_000);
        assert_eq!(page.bytes(), None);
        assert_eq!(page.bytes.capacity(), 0);
    }

    #[test]
    fn a_kept_body_stops_at_its_limit() {
        let mut jobs = body(Keep::Whole { limit: 10 });
        jobs.push(b"{\"Total").unwrap();
        jobs.push(b"Jo").unwrap();
        let err = jobs.push(b"bs\": 1}").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::TooLarge);
        assert!(jobs.bytes.len() <= 10);
        let err = io::Write::write_all(&mut body(Keep::Whole { limit: 3 }), b"1234").unwrap_err();
        assert_eq!(FetchError::from(err).kind(), ErrorKind::TooLarge);
    }

    #[test]
    fn redirects_resolve_against_the_current_url() {
        let next = next_hop("http://a.test/x/y", 302, Some("/z?q=1"), 0).unwrap();
        assert_eq!(next.as_deref(), Some("http://a.test/z?q=1"));
        let next = next_hop("http://a.test/x", 301, Some("https://b.test/"), 3).unwrap();
        assert_eq!(next.as_deref(), Some("https://b.test/"));
    }

    #[test]
    fn only_redirect_statuses_with_a_location_redirect() {
        assert_eq!(
            next_hop("http://a.test/", 200, Some("/b"), 0).unwrap(),
            None
        );
        assert_eq!(next_hop("http://a.test/", 302, None, 0).unwrap(), None);
    }

    #[test]
    fn the_eleventh_redirect_is_refused() {
        assert!(
            next_hop("http://a.test/", 302, Some("/b"), 9)
                .unwrap()
                .is_some()
        );
        let err = next_hop("http://a.test/", 302, Some("/b"), 10).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Redirects);
        let err = next_hop("http://a.test/", 302, Some("ftp://c.test/"), 0).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidUrl);
    }
}
