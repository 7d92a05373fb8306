//! TLS for a client without I/O: rustls's `ClientConnection` takes the bytes that arrived and
//! gives the bytes to send, and [`TlsSession`] is the one place that pumps them, with one way of
//! saying what went wrong (rustls's typed error inside an `io::Error`, which
//! `FetchError::classify` finds down the source chain). The reactor wraps it around its HTTP
//! protocol, as Twisted's `TLSMemoryBIOProtocol` is; the client on io_uring drives it between
//! its owned-buffer reads and writes.

use std::io::{self, BufRead, Write};

use rustls::ClientConnection;

/// A client's TLS session, its bytes pumped by the caller's I/O.
#[derive(Debug)]
pub struct TlsSession(ClientConnection);

impl TlsSession {
    pub(crate) fn new(connection: ClientConnection) -> TlsSession {
        TlsSession(connection)
    }

    /// rustls's own session, for a blocking socket (`rustls::StreamOwned`).
    pub fn into_connection(self) -> ClientConnection {
        self.0
    }

    /// Queues plaintext to be encrypted once the handshake allows.
    pub fn write(&mut self, plaintext: &[u8]) -> io::Result<()> {
        self.0.writer().write_all(plaintext)
    }

    /// Whether rustls has records to send (the handshake, encrypted plaintext).
    pub fn wants_write(&self) -> bool {
        self.0.wants_write()
    }

    /// The records rustls has to send, all of them.
    pub fn records(&mut self) -> io::Result<Vec<u8>> {
        let mut records = Vec::new();
        while self.0.wants_write() {
            self.0.write_tls(&mut records)?;
        }
        Ok(records)
    }

    /// Feeds the encrypted `bytes` that arrived, and each piece of plaintext they hold to
    /// `plaintext`, from rustls's own buffer: `Ok(false)` once the peer's close_notify came.
    pub fn read<E: From<io::Error>>(
        &mut self,
        mut bytes: &[u8],
        mut plaintext: impl FnMut(&[u8]) -> Result<(), E>,
    ) -> Result<bool, E> {
        loop {
            // rustls takes what its buffer has room for: the rest goes in on the next turn.
            if !bytes.is_empty() {
                self.0.read_tls(&mut bytes)?;
            }
            // A failed handshake (a certificate no root signed, a peer that does not speak
            // TLS) is rustls's typed error, inside the io::Error.
            self.0.process_new_packets().map_err(io::Error::other)?;
            loop {
                let mut reader = self.0.reader();
                let piece = match reader.fill_buf() {
                    // close_notify: the peer is done.
                    Ok([]) => return Ok(false),
                    Ok(piece) => piece,
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                    Err(e) => return Err(e.into()),
                };
                let n = piece.len();
                plaintext(piece)?;
                reader.consume(n);
            }
            if bytes.is_empty() {
                return Ok(true);
            }
        }
    }

    /// The connection closed under the session: rustls is told, and says whether the peer's
    /// close_notify came first (a close without one is a truncation, and an error).
    pub fn closed<E: From<io::Error>>(
        &mut self,
        plaintext: impl FnMut(&[u8]) -> Result<(), E>,
    ) -> Result<(), E> {
        self.0.read_tls(&mut &[][..])?;
        self.read(&[], plaintext).map(drop)
    }
}
