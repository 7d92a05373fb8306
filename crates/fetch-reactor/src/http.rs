//! HTTP/1.1 GETs as reactor callbacks: what Twisted's `getPage` (and its `Agent`) does.
//!
//! - [`HttpClient`] is a [`Protocol`]: it writes the request when the connection is made and
//!   feeds every read to the [`h1`] parser, which sends the body on to a [`Body`] and keeps
//!   nothing of it; the answer fires a [`Deferred`].
//! - [`Tls`] is a protocol wrapped around another, as Twisted's `TLSMemoryBIOProtocol` is:
//!   rustls's `ClientConnection` does no I/O of its own (bytes in, bytes out), so it sits
//!   between the socket and the HTTP protocol, decrypting what arrives and encrypting what the
//!   inner protocol writes.
//! - [`get_page`] strings them together for one endpoint: a name lookup, a connection per
//!   request (no pool: the server's close ends the exchange), redirects, and one timer for the
//!   whole request, body included.

use std::cell::Cell;
use std::io;
use std::net::SocketAddr;
use std::rc::Rc;

use common::Endpoint;
use fetchkit::{Body, ErrorKind, FetchError, Page};
use h1::{Client, Head, Target, TlsSession};

use reactor::{ConnectionId, Deferred, Protocol, Reactor, TimerId, Transport};

/// Fetches `endpoint`'s page, following redirects: the Deferred fires with the page, or with why
/// there is none, within the client's timeout.
pub fn get_page<'a>(
    reactor: &Reactor<'a>,
    client: &'a Client,
    endpoint: &'a Endpoint,
) -> Deferred<'a, Page> {
    let fetch = Rc::new(Fetch {
        reactor: reactor.clone(),
        client,
        endpoint,
        page: Deferred::new(),
        connection: Cell::new(None),
        timer: Cell::new(None),
    });
    let on_time = fetch.clone();
    let timer = reactor.call_later(client.timeout(), move || {
        // The timeout fires the page's Deferred first; whatever the connection says after
        // it is aborted finds the Deferred fired, and is dropped.
        on_time.finish(Err(FetchError::timeout(on_time.client.timeout())));
    });
    fetch.timer.set(Some(timer));
    fetch.hop(endpoint.url().to_string(), 0);
    fetch.page.clone()
}

/// One endpoint's fetch in progress, shared by the callbacks that move it along.
struct Fetch<'a> {
    reactor: Reactor<'a>,
    client: &'a Client,
    endpoint: &'a Endpoint,
    page: Deferred<'a, Page>,
    /// The connection of the current hop, to abort on a timeout.
    connection: Cell<Option<ConnectionId>>,
    timer: Cell<Option<TimerId>>,
}

impl<'a> Fetch<'a> {
    /// Requests `url`, the `hops`-th redirect of the endpoint's URL.
    fn hop(self: &Rc<Self>, url: String, hops: usize) {
        let target = match Target::parse(&url) {
            Ok(target) => target,
            Err(e) => return self.finish(Err(e)),
        };
        let this = self.clone();
        self.reactor
            .resolve(&target.host, target.port)
            .add_both(move |addrs| {
                match addrs {
                    Ok(addrs) => this.connect(Hop { url, hops }, &target, addrs, 0),
                    Err(e) => this.finish(Err(e)),
                }
                Ok(())
            });
    }

    /// Connects to the `i`-th of the host's addresses and sends the request there.
    fn connect(self: &Rc<Self>, hop: Hop, target: &Target, addrs: Vec<SocketAddr>, i: usize) {
        if self.page.has_fired() {
            return;
        }
        let answer = Deferred::new();
        let http = HttpClient {
            request: target.request(),
            response: h1::Response::new(),
            body: Some(self.endpoint.body()),
            answer: answer.clone(),
        };
        let connected = if target.https {
            self.client
                .tls(target)
                .and_then(|tls| Ok(self.reactor.connect_tcp(addrs[i], Tls::new(tls, http))?))
        } else {
            self.reactor
                .connect_tcp(addrs[i], http)
                .map_err(FetchError::from)
        };
        match connected {
            Ok(id) => self.connection.set(Some(id)),
            Err(e) => answer.errback(e),
        }
        let this = self.clone();
        answer.add_both(move |answer| {
            // The connection has said all it will and is closing: its slot in the reactor may
            // soon hold another endpoint's connection, which a timeout must not abort.
            this.connection.set(None);
            match answer {
                // Refused at this address: the host may answer at its next one.
                Err(e) if fetchkit::try_next_address(&e) && i + 1 < addrs.len() => {
                    match Target::parse(&hop.url) {
                        Ok(target) => this.connect(hop, &target, addrs, i + 1),
                        Err(e) => this.finish(Err(e)),
                    }
                }
                Err(e) => this.finish(Err(e)),
                Ok((head, body)) => this.answered(hop, head, body),
            }
            Ok(())
        });
    }

    /// An answer arrived: a redirect to follow, or the page.
    fn answered(self: &Rc<Self>, hop: Hop, head: Head, body: Body) {
        match fetchkit::next_hop(&hop.url, head.status, head.location.as_deref(), hop.hops) {
            Ok(Some(next)) => self.hop(next, hop.hops + 1),
            Ok(None) => {
                let page = fetchkit::check_status(head.status).map(|()| Page::new(hop.url, body));
                self.finish(page);
            }
            Err(e) => self.finish(Err(e)),
        }
    }

    /// The fetch is over: stop the timer, close what is still open, fire the page's Deferred.
    fn finish(&self, page: Result<Page, FetchError>) {
        if let Some(timer) = self.timer.take() {
            self.reactor.cancel(timer);
        }
        let fired = self.page.fire(page);
        if let Some(connection) = self.connection.take().filter(|_| fired) {
            self.reactor.abort(connection);
        }
    }
}

/// One request of a fetch: the endpoint's URL, or where a redirect sent it. It lives until the
/// answer, so it keeps only the URL: the request's bytes are made from it and then sent.
struct Hop {
    url: String,
    hops: usize,
}

/// A GET over one connection, as a protocol: the request goes out when the connection is
/// made, and the answer (its head and body) fires `answer`.
struct HttpClient<'a> {
    request: Vec<u8>,
    response: h1::Response,
    /// Where the body goes; taken when the answer fires.
    body: Option<Body>,
    answer: Deferred<'a, (Head, Body)>,
}

impl HttpClient<'_> {
    fn done(&mut self, result: Result<(), FetchError>) {
        let answer = result.and_then(|()| {
            let head = self.response.head().cloned().ok_or_else(|| {
                FetchError::new(ErrorKind::Closed, "the connection closed without an answer")
            })?;
            Ok((head, self.body.take().unwrap_or_else(|| unreachable!())))
        });
        self.answer.fire(answer);
    }
}

impl Protocol for HttpClient<'_> {
    fn connection_made(&mut self, transport: &mut dyn Transport) {
        transport.write(&std::mem::take(&mut self.request));
    }

    fn data_received(&mut self, data: &[u8], transport: &mut dyn Transport) {
        let Some(body) = &mut self.body else {
            return transport.lose_connection();
        };
        let read = self.response.read(data, body);
        if read.is_err() || self.response.is_done() {
            self.done(read);
            transport.lose_connection();
        }
    }

    fn connection_lost(&mut self, reason: io::Result<()>) {
        if self.body.is_none() {
            return;
        }
        let result = match reason {
            Ok(()) => self.response.closed(),
            Err(e) if self.response.head().is_some() => Err(FetchError::in_body(e)),
            Err(e) => Err(FetchError::from(e)),
        };
        self.done(result);
    }
}

/// TLS around another protocol: bytes from the socket go through rustls to `inner`, and what
/// `inner` writes goes through rustls to the socket.
struct Tls<P> {
    tls: TlsSession,
    inner: P,
    /// Plaintext `inner` wrote, waiting to be encrypted.
    plaintext: Vec<u8>,
    closing: bool,
    /// Whether `inner` has been told the connection is gone.
    lost: bool,
}

impl<P: Protocol> Tls<P> {
    fn new(tls: TlsSession, inner: P) -> Tls<P> {
        Tls {
            tls,
            inner,
            plaintext: Vec::new(),
            closing: false,
            lost: false,
        }
    }

    /// Encrypts what `inner` wrote and hands rustls's records to the socket.
    fn flush(&mut self, transport: &mut dyn Transport) -> io::Result<()> {
        if !self.plaintext.is_empty() {
            self.tls.write(&self.plaintext)?;
            self.plaintext = Vec::new();
        }
        let records = self.tls.records()?;
        if !records.is_empty() {
            transport.write(&records);
        }
        if self.closing {
            transport.lose_connection();
        }
        Ok(())
    }

    /// Tells `inner` the connection is gone, once.
    fn tell_lost(&mut self, reason: io::Result<()>) {
        if !self.lost {
            self.lost = true;
            self.inner.connection_lost(reason);
        }
    }

    fn lose(&mut self, reason: io::Result<()>, transport: &mut dyn Transport) {
        self.tell_lost(reason);
        transport.lose_connection();
    }

    /// Feeds encrypted bytes to rustls and the plaintext they hold to `inner`: `Ok(false)`
    /// once the peer's close_notify came.
    fn receive(&mut self, data: &[u8]) -> io::Result<bool> {
        let (inner, out, closing) = (&mut self.inner, &mut self.plaintext, &mut self.closing);
        self.tls.read(data, |plaintext| {
            inner.data_received(plaintext, &mut Plaintext { out, closing });
            Ok::<(), io::Error>(())
        })
    }
}

impl<P: Protocol> Protocol for Tls<P> {
    fn connection_made(&mut self, transport: &mut dyn Transport) {
        let mut inner = Plaintext {
            out: &mut self.plaintext,
            closing: &mut self.closing,
        };
        self.inner.connection_made(&mut inner);
        // The ClientHello goes out now; the request waits in rustls until the handshake is done.
        if let Err(e) = self.flush(transport) {
            self.lose(Err(e), transport);
        }
    }

    fn data_received(&mut self, data: &[u8], transport: &mut dyn Transport) {
        match self.receive(data) {
            Ok(true) => {
                if let Err(e) = self.flush(transport) {
                    self.lose(Err(e), transport);
                }
            }
            Ok(false) => self.lose(Ok(()), transport),
            Err(e) => {
                // Tell the server why (an alert), then give up.
                let _ = self.flush(transport);
                self.lose(Err(e), transport);
            }
        }
    }

    fn connection_lost(&mut self, reason: io::Result<()>) {
        self.tell_lost(reason);
    }
}

/// The transport `inner` sees under TLS: its writes wait to be encrypted.
struct Plaintext<'t> {
    out: &'t mut Vec<u8>,
    closing: &'t mut bool,
}

impl Transport for Plaintext<'_> {
    fn write(&mut self, data: &[u8]) {
        self.out.extend_from_slice(data);
    }

    fn lose_connection(&mut self) {
        *self.closing = true;
    }
}
