//! Why an endpoint failed, in words a reader understands.
//!
//! Every HTTP client names the same failures differently, and often buries the cause: reqwest's
//! message is "error sending request for url (...)" with the cause three errors down its
//! `source()` chain. [`FetchError`] walks the chain once, looks at the operating system's error
//! where there is one, and sorts the failure into an [`ErrorKind`], so that every model's row for
//! the same fault reads the same.

use std::error::Error;
use std::fmt;
use std::io;
use std::time::Duration;

/// What went wrong with one endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorKind {
    /// Nothing listens at the address.
    Refused,
    /// The host name does not resolve.
    Dns,
    /// The server reset the connection.
    Reset,
    /// The server closed the connection before a complete response.
    Closed,
    /// The body ended before its announced length.
    Truncated,
    /// The request took longer than `--timeout`.
    Timeout,
    /// The server answered with a status other than 2xx.
    Status,
    /// The server answered, but not in HTTP.
    NotHttp,
    /// The TLS handshake failed: most often, a certificate no trusted authority signed.
    Tls,
    /// More redirects than a client follows ([`MAX_REDIRECTS`](crate::MAX_REDIRECTS)).
    Redirects,
    /// The body is not the JSON the workload expects.
    BadJson,
    /// The answer differs from the origin's own (wrong size, wrong count).
    WrongAnswer,
    /// The process ran out of file descriptors.
    TooManyOpenFiles,
    /// The operating system refused to start a thread.
    ThreadRefused,
    /// The URL cannot be fetched as written.
    InvalidUrl,
    /// Anything else; the detail says what.
    Other,
}

/// One endpoint's failure: a kind, and the detail that explains it.
///
/// It displays as the kind in plain words with the client's own words for the cause in
/// parentheses: "connection refused (Connection refused (os error 111))".
///
/// It converts from any error with `?` (like `anyhow::Error`, and so it does not implement
/// `std::error::Error` itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchError {
    kind: ErrorKind,
    detail: String,
}

impl FetchError {
    /// An error of `kind`; `detail` says what exactly (or, for the kinds that have no words of
    /// their own, such as [`ErrorKind::Status`], everything).
    pub fn new(kind: ErrorKind, detail: impl Into<String>) -> FetchError {
        FetchError {
            kind,
            detail: detail.into(),
        }
    }

    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The cause, in the client's words.
    pub fn detail(&self) -> &str {
        &self.detail
    }

    /// The request did not finish within `limit`.
    pub fn timeout(limit: Duration) -> FetchError {
        FetchError::new(
            ErrorKind::Timeout,
            format!("after {} s", limit.as_secs_f64()),
        )
    }

    /// A non-2xx status.
    pub fn status(code: u16) -> FetchError {
        FetchError::new(ErrorKind::Status, format!("HTTP status {code}"))
    }

    /// The operating system would not start a thread for this endpoint.
    pub fn thread_refused(e: &io::Error) -> FetchError {
        FetchError::new(
            ErrorKind::ThreadRefused,
            format!("the OS refused a thread ({e}); lower --concurrency or raise ulimit -u"),
        )
    }

    /// An error while reading the body, after the headers arrived: a connection that closes now
    /// has cut the body short.
    pub fn in_body<E: Into<FetchError>>(error: E) -> FetchError {
        let error = error.into();
        match error.kind {
            ErrorKind::Closed | ErrorKind::Other => FetchError {
                kind: ErrorKind::Truncated,
                ..error
            },
            _ => error,
        }
    }

    /// Sorts any error into a kind by walking its `source()` chain; the detail is the innermost
    /// cause, where the client's own words usually are.
    pub fn classify(error: &(dyn Error + 'static)) -> FetchError {
        let chain: Vec<&(dyn Error + 'static)> =
            std::iter::successors(Some(error), |e| (*e).source()).collect();
        let text = chain
            .iter()
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
            .join(": ");
        let kind = chain
            .iter()
            .filter_map(|e| e.downcast_ref::<io::Error>())
            .find_map(io_kind)
            .or_else(|| kind_from_text(&text.to_lowercase()))
            .unwrap_or(ErrorKind::Other);
        let detail = match kind {
            // Nothing sorted it: the whole chain is the best explanation there is.
            ErrorKind::Other => text,
            _ => chain.last().map_or(text, |e| e.to_string()),
        };
        FetchError::new(kind, detail)
    }
}

/// `Ok` when a body has the length its `Content-Length` announced (or none was announced): for
/// clients that do not check it themselves.
pub fn check_length(announced: Option<usize>, received: usize) -> Result<(), FetchError> {
    match announced {
        Some(announced) if announced != received => Err(FetchError::new(
            ErrorKind::Truncated,
            format!("{received} of the {announced} bytes its Content-Length announced"),
        )),
        _ => Ok(()),
    }
}

/// `Ok` for a 2xx status, the status error otherwise.
pub fn check_status(code: u16) -> Result<(), FetchError> {
    if (200..300).contains(&code) {
        Ok(())
    } else {
        Err(FetchError::status(code))
    }
}

impl<E: Error + 'static> From<E> for FetchError {
    fn from(error: E) -> FetchError {
        FetchError::classify(&error)
    }
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (words(self.kind), self.detail.is_empty()) {
            (Some(words), true) => f.write_str(words),
            (Some(words), false) => write!(f, "{words} ({})", self.detail),
            (None, _) => f.write_str(&self.detail),
        }
    }
}

fn io_kind(e: &io::Error) -> Option<ErrorKind> {
    match e.raw_os_error() {
        Some(libc::EMFILE | libc::ENFILE) => return Some(ErrorKind::TooManyOpenFiles),
        Some(libc::ECONNREFUSED) => return Some(ErrorKind::Refused),
        Some(libc::ECONNRESET | libc::EPIPE) => return Some(ErrorKind::Reset),
        Some(libc::ETIMEDOUT) => return Some(ErrorKind::Timeout),
        _ => {}
    }
    match e.kind() {
        io::ErrorKind::ConnectionRefused => Some(ErrorKind::Refused),
        io::ErrorKind::ConnectionReset | io::ErrorKind::BrokenPipe => Some(ErrorKind::Reset),
        io::ErrorKind::TimedOut => Some(ErrorKind::Timeout),
        _ => None,
    }
}

/// The clients' own words for each kind, lower-cased. Checked in this order: the first match wins.
fn kind_from_text(text: &str) -> Option<ErrorKind> {
    const WORDS: &[(ErrorKind, &[&str])] = &[
        (ErrorKind::TooManyOpenFiles, &["too many open files"]),
        (ErrorKind::Redirects, &["too many redirects"]),
        (
            ErrorKind::Tls,
            &[
                "certificate",
                "unknownissuer",
                "unknown issuer",
                "tls",
                "handshake",
                "ssl",
            ],
        ),
        (ErrorKind::Timeout, &["timed out", "timeout", "deadline"]),
        (ErrorKind::Refused, &["connection refused"]),
        (ErrorKind::Reset, &["connection reset", "broken pipe"]),
        (
            ErrorKind::Dns,
            &[
                "dns",
                "host not found",
                "failed to lookup address",
                "name or service not known",
                "no address",
                "resolve",
            ],
        ),
        (
            ErrorKind::Truncated,
            &[
                "end of file before message length",
                "before message length reached",
                "content-length",
                "content length",
                "incomplete body",
                "body",
                "unexpected eof",
            ],
        ),
        (
            ErrorKind::Closed,
            &[
                "closed before message completed",
                "connection closed",
                "incomplete message",
                "connection was closed",
                "empty response",
                "peer disconnected",
                "eof",
            ],
        ),
        // async-h1 reads HTTP/1.1 answers only; an HTTP/1.0 answer is HTTP all the same.
        (ErrorKind::Other, &["unsupported http version"]),
        (
            ErrorKind::NotHttp,
            &[
                "invalid http",
                "http version",
                "status line",
                "invalid status",
                "parse",
                "protocol",
                "invalid",
            ],
        ),
    ];
    WORDS
        .iter()
        .find(|(_, words)| words.iter().any(|w| text.contains(w)))
        .map(|(kind, _)| *kind)
}

/// A kind in plain words; `None` for the kinds whose detail says it all.
fn words(kind: ErrorKind) -> Option<&'static str> {
    Some(match kind {
        ErrorKind::Refused => "connection refused",
        ErrorKind::Dns => "host not found (DNS)",
        ErrorKind::Reset => "connection reset by the server",
        ErrorKind::Closed => "connection closed before a complete response",
        ErrorKind::Truncated => "body cut short",
        ErrorKind::Timeout => "timed out",
        ErrorKind::NotHttp => "the reply is not HTTP",
        ErrorKind::Tls => "TLS failed (is the certificate's authority trusted? see --ca-cert)",
        ErrorKind::Redirects => "too many redirects",
        ErrorKind::TooManyOpenFiles => {
            "too many open files: lower --concurrency or raise the limit (ulimit -n)"
        }
        ErrorKind::Status
        | ErrorKind::BadJson
        | ErrorKind::WrongAnswer
        | ErrorKind::ThreadRefused
        | ErrorKind::InvalidUrl
        | ErrorKind::Other => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Wrapper(io::Error);

    impl fmt::Display for Wrapper {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("error sending request for url (http://127.0.0.1:1/)")
        }
    }

    impl Error for Wrapper {
        fn source(&self) -> Option<&(dyn Error + 'static)> {
            Some(&self.0)
        }
    }

    #[test]
    fn the_cause_is_found_down_the_chain() {
        let e = FetchError::from(Wrapper(io::Error::from_raw_os_error(libc::ECONNREFUSED)));
        assert_eq!(e.kind(), ErrorKind::Refused);
        assert!(e.to_string().starts_with("connection refused ("), "{e}");
        let e = FetchError::from(Wrapper(io::Error::from_raw_os_error(libc::EMFILE)));
        assert_eq!(e.kind(), ErrorKind::TooManyOpenFiles);
    }

    #[test]
    fn the_clients_words_are_understood() {
        for (text, kind) in [
            ("operation timed out", ErrorKind::Timeout),
            (
                "connection closed before message completed",
                ErrorKind::Closed,
            ),
            (
                "end of file before message length reached",
                ErrorKind::Truncated,
            ),
            ("invalid HTTP version parsed", ErrorKind::NotHttp),
            ("something else entirely", ErrorKind::Other),
        ] {
            let e = FetchError::from(io::Error::other(text));
            assert_eq!(e.kind(), kind, "{text}");
        }
    }

    #[test]
    fn statuses_outside_2xx_fail() {
        assert!(check_status(200).is_ok());
        assert!(check_status(204).is_ok());
        assert_eq!(check_status(404).unwrap_err().kind(), ErrorKind::Status);
        assert_eq!(
            check_status(500).unwrap_err().to_string(),
            "HTTP status 500"
        );
        let cut = check_length(Some(1000), 100).unwrap_err();
        assert_eq!(
            cut.to_string(),
            "body cut short (100 of the 1000 bytes its Content-Length announced)"
        );
    }
}
