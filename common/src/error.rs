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

/// One endpoint's failure: a kind and the words that explain it.
///
/// It converts from any error with `?` (like `anyhow::Error`, and so it does not implement
/// `std::error::Error` itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchError {
    kind: ErrorKind,
    message: String,
}

impl FetchError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> FetchError {
        FetchError {
            kind,
            message: message.into(),
        }
    }

    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    /// The request did not finish within `limit`.
    pub fn timeout(limit: Duration) -> FetchError {
        FetchError::new(
            ErrorKind::Timeout,
            format!("timed out after {} s", limit.as_secs_f64()),
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
            ErrorKind::Closed | ErrorKind::Other => FetchError::new(
                ErrorKind::Truncated,
                format!("body cut short ({})", error.message),
            ),
            _ => error,
        }
    }

    /// Sorts any error into a kind by walking its `source()` chain.
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
        FetchError::new(kind, describe(kind, &text))
    }
}

/// `Ok` when a body has the length its `Content-Length` announced (or none was announced): for
/// clients that do not check it themselves.
pub fn check_length(announced: Option<usize>, received: usize) -> Result<(), FetchError> {
    match announced {
        Some(announced) if announced != received => Err(FetchError::new(
            ErrorKind::Truncated,
            format!(
                "body cut short: {received} of the {announced} bytes its Content-Length announced"
            ),
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
        f.write_str(&self.message)
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
        (ErrorKind::Timeout, &["timed out", "timeout", "deadline"]),
        (ErrorKind::Refused, &["connection refused"]),
        (ErrorKind::Reset, &["connection reset", "broken pipe"]),
        (
            ErrorKind::Dns,
            &[
                "dns",
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

fn describe(kind: ErrorKind, detail: &str) -> String {
    let what = match kind {
        ErrorKind::Refused => "connection refused",
        ErrorKind::Dns => "host not found (DNS)",
        ErrorKind::Reset => "connection reset by the server",
        ErrorKind::Closed => "connection closed before a complete response",
        ErrorKind::Truncated => "body cut short (shorter than its Content-Length)",
        ErrorKind::Timeout => "timed out",
        ErrorKind::NotHttp => "the reply is not HTTP",
        ErrorKind::TooManyOpenFiles => {
            "too many open files: lower --concurrency or raise the limit (ulimit -n)"
        }
        _ => return detail.to_string(),
    };
    format!("{what} ({detail})")
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
        assert!(e.message().starts_with("connection refused ("), "{e}");
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
        assert_eq!(check_status(500).unwrap_err().message(), "HTTP status 500");
    }
}
