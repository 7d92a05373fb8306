//! Why an endpoint failed, in words a reader understands.
//!
//! Every HTTP client names the same failures differently, and often buries the cause: reqwest's
//! message is "error sending request for url (...)" with the cause three errors down its
//! `source()` chain. [`FetchError::classify_with`] walks the chain once and sorts the failure
//! into an [`ErrorKind`] by the types it finds there: first the client's own typed errors (each
//! client's module passes a function that knows them: reqwest's `is_timeout`, ureq's `Error`
//! variants), then the types the clients share: the operating system's `io::Error`, hyper's
//! `Error` (under reqwest and smol's client, with this crate's `hyper` feature), rustls's
//! `Error`, and this crate's [`Dns`] and [`NoThread`]. So every model's row for the same fault reads the same.
//!
//! No classification reads an error's text: the text holds the URL, and any word can appear in
//! a URL. The text is kept only as the row's detail.

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
    /// A body that must be read whole is larger than the limit for it.
    TooLarge,
    /// The answer differs from the origin's own (wrong size, wrong count).
    WrongAnswer,
    /// A valid answer of a form this model's client cannot read correctly: said so, instead of
    /// a wrong figure.
    Unsupported,
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
            format!(
                "the OS refused a thread ({e}); ask for fewer (--concurrency, --threads) or raise ulimit -u"
            ),
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

    /// A failed name lookup, known as one because of where it happened: the model's own call
    /// to the resolver.
    pub fn dns(host: &str, cause: io::Error) -> FetchError {
        FetchError::from(Dns::new(host, cause))
    }

    /// Sorts any error into a kind by the types down its `source()` chain; the detail is the
    /// innermost cause, where the client's own words usually are.
    pub fn classify(error: &(dyn Error + 'static)) -> FetchError {
        FetchError::classify_with(error, |_| None)
    }

    /// [`classify`](FetchError::classify), with `library` asked first about every error of the
    /// chain, outermost first: the HTTP client's own typed errors, which it knows and this
    /// crate does not.
    pub fn classify_with(
        error: &(dyn Error + 'static),
        library: impl Fn(&(dyn Error + 'static)) -> Option<ErrorKind>,
    ) -> FetchError {
        let chain = chain(error);
        let kind = chain
            .iter()
            .find_map(|e| library(*e))
            .or_else(|| chain.iter().find_map(|e| shared_kind(*e)))
            .unwrap_or(ErrorKind::Other);
        let text = || {
            let words: Vec<String> = chain.iter().map(|e| e.to_string()).collect();
            words.join(": ")
        };
        let detail = match kind {
            // Nothing sorted it: the whole chain is the best explanation there is.
            ErrorKind::Other => text(),
            _ => chain.last().map_or_else(text, |e| e.to_string()),
        };
        FetchError::new(kind, detail)
    }
}

/// Every error of `error`'s chain, outermost first. `io::Error` hides the error it wraps from
/// `source()` (it returns that error's own source), so the wrapped error is added here too.
fn chain<'e>(error: &'e (dyn Error + 'static)) -> Vec<&'e (dyn Error + 'static)> {
    let mut chain = Vec::new();
    let mut next = Some(error);
    while let Some(e) = next {
        chain.push(e);
        next = match e.downcast_ref::<io::Error>().and_then(|io| io.get_ref()) {
            Some(inner) => Some(inner as &(dyn Error + 'static)),
            None => e.source(),
        };
    }
    chain
}

/// The kinds of the error types the clients share: the standard library's, rustls's, hyper's
/// (under reqwest and smol's client), and this crate's own.
fn shared_kind(e: &(dyn Error + 'static)) -> Option<ErrorKind> {
    if let Some(e) = e.downcast_ref::<io::Error>() {
        return io_kind(e);
    }
    #[cfg(feature = "hyper")]
    if let Some(e) = e.downcast_ref::<hyper::Error>() {
        return hyper_kind(e);
    }
    if e.is::<Dns>() {
        return Some(ErrorKind::Dns);
    }
    if e.is::<NoThread>() {
        return Some(ErrorKind::ThreadRefused);
    }
    if e.is::<rustls::Error>() {
        return Some(ErrorKind::Tls);
    }
    if e.is::<TooLarge>() {
        return Some(ErrorKind::TooLarge);
    }
    None
}

/// hyper's error, sorted by its own predicates (with the `hyper` feature, which the clients
/// built on hyper turn on); `None` leaves it to the errors it wraps.
#[cfg(feature = "hyper")]
fn hyper_kind(e: &hyper::Error) -> Option<ErrorKind> {
    if e.is_parse() || e.is_parse_status() || e.is_parse_too_large() {
        Some(ErrorKind::NotHttp)
    } else if e.is_incomplete_message() {
        Some(ErrorKind::Closed)
    } else if e.is_timeout() {
        Some(ErrorKind::Timeout)
    } else {
        None
    }
}

/// A body past the limit for a body read whole ([`crate::Body`]).
#[derive(Debug)]
pub(crate) struct TooLarge {
    pub limit: u64,
}

impl fmt::Display for TooLarge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "more than the {} bytes allowed",
            crate::group(self.limit)
        )
    }
}

impl Error for TooLarge {}

/// A thread a client needed (to look a name up, say) that the OS refused to start: known by its
/// type, as an endpoint's "thread refused" row.
#[derive(Debug)]
pub struct NoThread(pub io::Error);

impl fmt::Display for NoThread {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the OS refused a thread ({}); ask for fewer (--concurrency, --threads) or raise ulimit -u",
            self.0
        )
    }
}

impl Error for NoThread {}

/// A host name that did not resolve. The models that look names up themselves return it, and the
/// others' resolvers are set up to, so that a failed lookup is known by its type.
#[derive(Debug)]
pub struct Dns {
    host: String,
    cause: io::Error,
}

impl Dns {
    pub fn new(host: &str, cause: io::Error) -> Dns {
        Dns {
            host: host.to_string(),
            cause,
        }
    }
}

impl fmt::Display for Dns {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot resolve {}: {}", self.host, self.cause)
    }
}

impl Error for Dns {}

/// `Ok` when a body has the length its `Content-Length` announced (or none was announced): for
/// clients that do not check it themselves.
pub fn check_length(announced: Option<u64>, received: u64) -> Result<(), FetchError> {
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
        io::ErrorKind::UnexpectedEof => Some(ErrorKind::Closed),
        _ => None,
    }
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
        ErrorKind::TooLarge => "body too large",
        ErrorKind::Unsupported => "an answer this client cannot read",
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
    fn kinds_come_from_types_never_from_words() {
        // Each message holds the words of another kind; only the type counts.
        for (text, kind) in [
            ("tls certificate handshake timed out", ErrorKind::Other),
            ("connection refused by dns", ErrorKind::Other),
        ] {
            let e = FetchError::from(io::Error::other(text));
            assert_eq!(e.kind(), kind, "{text}");
        }
        let e = FetchError::from(Wrapper(io::Error::new(
            io::ErrorKind::InvalidData,
            rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer),
        )));
        assert_eq!(e.kind(), ErrorKind::Tls);
        let e = FetchError::dns(
            "tls-certificate-timeout.invalid",
            io::Error::other("connection refused: timed out"),
        );
        assert_eq!(e.kind(), ErrorKind::Dns, "{e}");
    }

    #[test]
    fn the_library_is_asked_first() {
        let e = Wrapper(io::Error::from_raw_os_error(libc::ECONNREFUSED));
        let e = FetchError::classify_with(&e, |e| e.is::<Wrapper>().then_some(ErrorKind::Timeout));
        assert_eq!(e.kind(), ErrorKind::Timeout);
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
