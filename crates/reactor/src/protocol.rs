//! Where a reader starts, as in Twisted's `protocol.py`: what a connection's owner is told
//! ([`Protocol`]), what it writes to ([`Transport`]), and what builds one for each connection a
//! listening socket accepts ([`Factory`]). A program of this reactor is these callbacks.

use std::io;

use mio::Token;

/// What a connection's owner is told, as Twisted's `Protocol` is: the connection is made, bytes
/// arrived, the connection is gone. Each method runs on the reactor's thread and must not block.
pub trait Protocol {
    /// The connection is open: a client writes its request now.
    fn connection_made(&mut self, transport: &mut dyn Transport);
    /// Bytes arrived. They live in the reactor's buffer, only for this call.
    fn data_received(&mut self, data: &[u8], transport: &mut dyn Transport);
    /// The connection is closed: `Ok` when the peer closed it cleanly (or this side did), the
    /// error otherwise, a failed connect included. Called once, last.
    fn connection_lost(&mut self, reason: io::Result<()>);
    /// The peer will send nothing more, and may still read (it shut down its writing side, as
    /// a client may after its request): Twisted's `readConnectionLost`. By default the
    /// connection is closed once what was written has been sent; a protocol that still has
    /// answers to give closes it when it has given them.
    fn read_connection_lost(&mut self, transport: &mut dyn Transport) {
        transport.lose_connection();
    }
    /// Everything written so far has been taken by the socket: a protocol that waits for its
    /// peer to read (it stopped producing while [`Transport::buffered`] was high) goes on now.
    fn write_drained(&mut self, transport: &mut dyn Transport) {
        let _ = transport;
    }
}

/// The connection as a protocol sees it: somewhere to write, a way to close, and, as Twisted's
/// transports are producers, a way to stop reading while the protocol cannot keep up.
pub trait Transport {
    /// Queues bytes to send; they go out as the socket accepts them.
    fn write(&mut self, data: &[u8]);
    /// Queues several pieces to send, in order, as one write where the transport can (Twisted's
    /// `writeSequence`): a head and its body in one system call, not two.
    fn write_sequence(&mut self, pieces: &[&[u8]]) {
        for piece in pieces {
            self.write(piece);
        }
    }
    /// Closes the connection once what was written has been sent.
    fn lose_connection(&mut self);
    /// How many written bytes the socket has not taken yet.
    fn buffered(&self) -> usize {
        0
    }
    /// Stops reading from the connection: bytes the peer sends wait in the kernel, whose flow
    /// control then holds the peer back. Twisted's `pauseProducing`.
    fn pause_reading(&mut self) {}
    /// Reads from the connection again. Twisted's `resumeProducing`.
    fn resume_reading(&mut self) {}
}

/// A connection's handle, for [`Reactor::abort`](crate::Reactor::abort) and
/// [`Reactor::with_transport`](crate::Reactor::with_transport): its place in the reactor's table
/// and its number, which tells it from a later connection in the same place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionId(pub(crate) Token, pub(crate) u64);

/// What builds a protocol for each connection a listening socket accepts: Twisted's
/// `Factory.buildProtocol`.
pub trait Factory<'a> {
    /// The protocol of the accepted connection `id`; it hears `connection_made` next.
    fn build_protocol(&mut self, id: ConnectionId) -> Box<dyn Protocol + 'a>;
    /// An accept failed (no descriptors left, say): the connection stays in the backlog, and the
    /// reactor tries again shortly.
    fn accept_failed(&mut self, error: io::Error);
}
