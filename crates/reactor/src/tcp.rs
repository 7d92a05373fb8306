//! A TCP connection of the reactor, as in Twisted's `tcp.py`: its socket, what it could not
//! send yet, its protocol, and the transport the protocol writes to. [`Connection::drive`] moves
//! it along when its socket is ready: finish the connect, flush what waits, read what arrived.
//!
//! mio is edge-triggered: a socket not drained is not reported again, so the connection keeps
//! what the last event said (`readable`) until a read shows the kernel has no more. A read that
//! fills less than the buffer has taken all there was, so no second read is made to hear
//! `EAGAIN` (tokio's streams do the same); only a peer's FIN, which arrives with the bytes
//! before it, is read to its end.

use std::io::{self, IoSlice, Read, Write};

use mio::net::TcpStream;

use crate::protocol::{Protocol, Transport};

/// A connection and what it holds: the lesson of the reactor is how little that is.
pub(crate) struct Connection<'a> {
    pub(crate) socket: TcpStream,
    pub(crate) protocol: Box<dyn Protocol + 'a>,
    /// What the socket did not take yet.
    pub(crate) out: Vec<u8>,
    connected: bool,
    pub(crate) closing: bool,
    /// The protocol asked not to read ([`Transport::pause_reading`]).
    paused: bool,
    /// The peer shut down its writing side: nothing more to read.
    eof: bool,
    /// The last event said there are bytes to read, and no read has taken them all yet.
    readable: bool,
    /// The last event said the peer closed its side: read on to the end, past a short read.
    read_closed: bool,
    pub(crate) number: u64,
}

impl<'a> Connection<'a> {
    /// A connection being made (a connect under way) or just accepted: either way its first
    /// event finds it connected, and its protocol hears `connection_made`.
    pub(crate) fn new(socket: TcpStream, protocol: Box<dyn Protocol + 'a>, number: u64) -> Self {
        Connection {
            socket,
            protocol,
            out: Vec::new(),
            connected: false,
            closing: false,
            paused: false,
            eof: false,
            readable: true,
            read_closed: false,
            number,
        }
    }

    /// The protocol, and the transport it is handed.
    pub(crate) fn split(&mut self) -> (&mut (dyn Protocol + 'a), Socket<'_>) {
        let transport = Socket {
            socket: &mut self.socket,
            out: &mut self.out,
            closing: &mut self.closing,
            paused: &mut self.paused,
            error: None,
        };
        (&mut *self.protocol, transport)
    }

    /// Whether it is done: closed by its protocol, with nothing left to send.
    pub(crate) fn finished(&self) -> bool {
        self.closing && self.out.is_empty()
    }

    // ANCHOR: drive
    /// What an event said of the socket, kept until a read or a write has acted on it.
    pub(crate) fn note(&mut self, event: &mio::event::Event) {
        self.readable |= event.is_readable() || event.is_read_closed();
        self.read_closed |= event.is_read_closed();
    }

    /// Moves the connection along when its socket is ready, reading into the reactor's one
    /// `buffer`; `Ok(true)` while it stays open.
    pub(crate) fn drive(&mut self, buffer: &mut [u8], writable: bool) -> io::Result<bool> {
        if !self.connected {
            if let Some(e) = self.socket.take_error()? {
                return Err(e);
            }
            match self.socket.peer_addr() {
                Ok(_) => self.connected = true,
                // Not connected yet: wait for the next event.
                Err(e) if e.kind() == io::ErrorKind::NotConnected => return Ok(true),
                Err(e) => return Err(e),
            }
            let _ = self.socket.set_nodelay(true);
            let (protocol, mut transport) = self.split();
            protocol.connection_made(&mut transport);
            transport.check()?;
        } else if writable && !self.out.is_empty() {
            self.split().1.flush()?;
            if self.out.is_empty() {
                let (protocol, mut transport) = self.split();
                protocol.write_drained(&mut transport);
                transport.check()?;
            }
        }
        while self.readable && !self.closing && !self.paused && !self.eof {
            match self.socket.read(buffer) {
                Ok(0) => {
                    self.eof = true;
                    let (protocol, mut transport) = self.split();
                    protocol.read_connection_lost(&mut transport);
                    transport.check()?;
                }
                Ok(n) => {
                    // Less than the buffer holds: the kernel had no more (unless a FIN waits).
                    self.readable = n == buffer.len() || self.read_closed;
                    let (protocol, mut transport) = self.split();
                    protocol.data_received(&buffer[..n], &mut transport);
                    transport.check()?;
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => self.readable = false,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(true)
    }
    // ANCHOR_END: drive
}

/// The transport of a plain TCP connection: writes go to the socket until it would block, and
/// the rest waits in `out` for the socket to turn writable.
pub(crate) struct Socket<'c> {
    socket: &'c mut TcpStream,
    out: &'c mut Vec<u8>,
    closing: &'c mut bool,
    paused: &'c mut bool,
    error: Option<io::Error>,
}

impl Socket<'_> {
    fn flush(&mut self) -> io::Result<()> {
        let mut sent = 0;
        while sent < self.out.len() {
            match self.socket.write(&self.out[sent..]) {
                Ok(n) => sent += n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        self.out.drain(..sent);
        if self.out.is_empty() {
            // Nothing left to send: give the buffer back.
            *self.out = Vec::new();
        }
        Ok(())
    }

    /// The first error a write met, if any.
    pub(crate) fn check(self) -> io::Result<()> {
        self.error.map_or(Ok(()), Err)
    }
}

impl Transport for Socket<'_> {
    /// Writes to the socket at once when nothing waits before `data`; only what the socket does
    /// not take is copied, to wait for it to turn writable.
    fn write(&mut self, data: &[u8]) {
        self.write_sequence(&[data]);
    }

    /// Writes the pieces in one `writev` when nothing waits before them; only what the socket
    /// does not take is copied.
    fn write_sequence(&mut self, pieces: &[&[u8]]) {
        if self.error.is_some() {
            return;
        }
        let total: usize = pieces.iter().map(|p| p.len()).sum();
        let mut sent = 0;
        while self.out.is_empty() && sent < total {
            let slices = unsent(pieces, sent);
            match self.socket.write_vectored(&slices) {
                Ok(0) => break,
                Ok(n) => sent += n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.error = Some(e);
                    return;
                }
            }
        }
        for slice in unsent(pieces, sent) {
            self.out.extend_from_slice(&slice);
        }
    }

    fn lose_connection(&mut self) {
        *self.closing = true;
    }

    fn buffered(&self) -> usize {
        self.out.len()
    }

    fn pause_reading(&mut self) {
        *self.paused = true;
    }

    fn resume_reading(&mut self) {
        *self.paused = false;
    }
}

/// What of `pieces` is left past the first `sent` bytes.
fn unsent<'p>(pieces: &[&'p [u8]], mut sent: usize) -> Vec<IoSlice<'p>> {
    let mut left = Vec::with_capacity(pieces.len());
    for piece in pieces {
        if sent >= piece.len() {
            sent -= piece.len();
        } else {
            left.push(IoSlice::new(&piece[sent..]));
            sent = 0;
        }
    }
    left
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsent_skips_what_was_written_across_pieces() {
        let pieces: [&[u8]; 3] = [b"head", b"", b"body"];
        let left =
            |sent| -> Vec<Vec<u8>> { unsent(&pieces, sent).iter().map(|s| s.to_vec()).collect() };
        assert_eq!(left(0), [b"head".to_vec(), b"body".to_vec()]);
        assert_eq!(left(2), [b"ad".to_vec(), b"body".to_vec()]);
        assert_eq!(left(4), [b"body".to_vec()]);
        assert_eq!(left(7), [b"y".to_vec()]);
        assert!(left(8).is_empty());
    }
}
