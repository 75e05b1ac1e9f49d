use std::io::Result as IoResult;
use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use crate::connection::Connection;
#[cfg(any(feature = "ssl-openssl", feature = "ssl-rustls"))]
use crate::ssl::SslStream;

pub(crate) enum Stream {
    Http(Connection),
    #[cfg(any(feature = "ssl-openssl", feature = "ssl-rustls"))]
    Https(SslStream),
}

impl Stream {
    // wa-hook: upstream cloned with `try_clone().unwrap()`, which panics the accept thread
    // when the process is out of file descriptors (upstream issue #195).
    fn try_clone(&self) -> IoResult<Self> {
        match self {
            Stream::Http(tcp_stream) => tcp_stream.try_clone().map(Stream::Http),
            #[cfg(any(feature = "ssl-openssl", feature = "ssl-rustls"))]
            Stream::Https(ssl_stream) => Ok(Stream::Https(ssl_stream.clone())),
        }
    }
}

/// wa-hook: when the request being read must be complete, shared by a connection's reading
/// half and the thread that parses it. A read that returns after the deadline fails with
/// `TimedOut`, so a sender that trickles bytes cannot hold a connection forever (the socket's
/// own read timeout covers a sender that sends nothing).
#[derive(Default)]
pub struct Deadline {
    /// Nanoseconds after `base()`; 0 means no deadline.
    at: AtomicU64,
}

fn base() -> Instant {
    static BASE: OnceLock<Instant> = OnceLock::new();
    *BASE.get_or_init(Instant::now)
}

impl Deadline {
    pub fn set(&self, after: Option<Duration>) {
        let at: u64 = after.map_or(0, |after| {
            let nanos = (Instant::now() + after).duration_since(base()).as_nanos();
            let nanos: u64 = std::convert::TryFrom::try_from(nanos).unwrap_or(u64::MAX);
            nanos.max(1)
        });
        self.at.store(at, Ordering::Relaxed);
    }

    pub fn passed(&self) -> bool {
        let at = self.at.load(Ordering::Relaxed);
        at != 0 && Instant::now().duration_since(base()).as_nanos() > u128::from(at)
    }
}

impl From<Connection> for Stream {
    fn from(tcp_stream: Connection) -> Self {
        Stream::Http(tcp_stream)
    }
}

impl Stream {
    fn secure(&self) -> bool {
        match self {
            Stream::Http(_) => false,
            #[cfg(any(feature = "ssl-openssl", feature = "ssl-rustls"))]
            Stream::Https(_) => true,
        }
    }

    fn peer_addr(&mut self) -> IoResult<Option<SocketAddr>> {
        match self {
            Stream::Http(tcp_stream) => tcp_stream.peer_addr(),
            #[cfg(any(feature = "ssl-openssl", feature = "ssl-rustls"))]
            Stream::Https(ssl_stream) => ssl_stream.peer_addr(),
        }
    }

    fn shutdown(&mut self, how: Shutdown) -> IoResult<()> {
        match self {
            Stream::Http(tcp_stream) => tcp_stream.shutdown(how),
            #[cfg(any(feature = "ssl-openssl", feature = "ssl-rustls"))]
            Stream::Https(ssl_stream) => ssl_stream.shutdown(how),
        }
    }
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> IoResult<usize> {
        match self {
            Stream::Http(tcp_stream) => tcp_stream.read(buf),
            #[cfg(any(feature = "ssl-openssl", feature = "ssl-rustls"))]
            Stream::Https(ssl_stream) => ssl_stream.read(buf),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> IoResult<usize> {
        match self {
            Stream::Http(tcp_stream) => tcp_stream.write(buf),
            #[cfg(any(feature = "ssl-openssl", feature = "ssl-rustls"))]
            Stream::Https(ssl_stream) => ssl_stream.write(buf),
        }
    }

    fn flush(&mut self) -> IoResult<()> {
        match self {
            Stream::Http(tcp_stream) => tcp_stream.flush(),
            #[cfg(any(feature = "ssl-openssl", feature = "ssl-rustls"))]
            Stream::Https(ssl_stream) => ssl_stream.flush(),
        }
    }
}

pub struct RefinedTcpStream {
    stream: Stream,
    close_read: bool,
    close_write: bool,
    deadline: Option<Arc<Deadline>>,
}

impl RefinedTcpStream {
    pub(crate) fn new<S>(stream: S) -> IoResult<(RefinedTcpStream, RefinedTcpStream)>
    where
        S: Into<Stream>,
    {
        let stream: Stream = stream.into();

        let (read, write) = (stream.try_clone()?, stream);

        let read = RefinedTcpStream {
            stream: read,
            close_read: true,
            close_write: false,
            deadline: None,
        };

        let write = RefinedTcpStream {
            stream: write,
            close_read: false,
            close_write: true,
            deadline: None,
        };

        Ok((read, write))
    }

    /// wa-hook: reads fail with `TimedOut` once `deadline` has passed.
    /// wa-hook: close the sending side (the peer reads the end of what was sent) and make
    /// each read of the socket wait at most `read_timeout`.
    pub(crate) fn finish_sending(&mut self, read_timeout: Duration) {
        let _ = self.stream.shutdown(Shutdown::Write);
        // (Irrefutable without the TLS features.)
        #[allow(irrefutable_let_patterns)]
        if let Stream::Http(connection) = &self.stream {
            let _ = connection.set_read_timeout(Some(read_timeout));
        }
    }

    pub(crate) fn with_deadline(mut self, deadline: Arc<Deadline>) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// Returns true if this struct wraps around a secure connection.
    #[inline]
    pub(crate) fn secure(&self) -> bool {
        self.stream.secure()
    }

    pub(crate) fn peer_addr(&mut self) -> IoResult<Option<SocketAddr>> {
        self.stream.peer_addr()
    }
}

impl Drop for RefinedTcpStream {
    fn drop(&mut self) {
        if self.close_read {
            self.stream.shutdown(Shutdown::Read).ok();
        }

        if self.close_write {
            self.stream.shutdown(Shutdown::Write).ok();
        }
    }
}

impl Read for RefinedTcpStream {
    fn read(&mut self, buf: &mut [u8]) -> IoResult<usize> {
        let timed_out = || std::io::Error::new(std::io::ErrorKind::TimedOut, "timed out");
        match self.stream.read(buf) {
            // wa-hook: the socket's read timeout says `WouldBlock` on Unix.
            Err(err) if err.kind() == std::io::ErrorKind::WouldBlock => Err(timed_out()),
            Ok(read) if self.deadline.as_ref().is_some_and(|d| d.passed()) && read > 0 => {
                Err(timed_out())
            }
            other => other,
        }
    }
}

impl RefinedTcpStream {
    /// wa-hook: send what the socket takes now without waiting (0 when nothing), so a client
    /// that does not read its answers never holds the thread answering.
    pub(crate) fn send_now(&mut self, buf: &[u8]) -> IoResult<usize> {
        match &self.stream {
            Stream::Http(connection) => connection.send_now(buf),
            #[cfg(any(feature = "ssl-openssl", feature = "ssl-rustls"))]
            Stream::Https(_) => Ok(0),
        }
    }

    /// wa-hook: close the connection both ways (an answer could not be sent in time or in
    /// order), resetting it when closed so what it still had to send is dropped.
    pub(crate) fn abort(&mut self) {
        #[allow(irrefutable_let_patterns)]
        if let Stream::Http(connection) = &self.stream {
            connection.reset_on_close();
        }
        let _ = self.stream.shutdown(Shutdown::Both);
    }
}

impl Write for RefinedTcpStream {
    fn write(&mut self, buf: &[u8]) -> IoResult<usize> {
        match self.stream.write(buf) {
            // wa-hook: the socket's write timeout passed (the client does not read its
            // answers): the connection is closed both ways, so the answers queued after this one
            // fail at once and the connection's thread stops reading.
            Err(err)
                if matches!(
                    err.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                self.abort();
                Err(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    "the client did not read its answers in time",
                ))
            }
            other => other,
        }
    }

    fn flush(&mut self) -> IoResult<()> {
        self.stream.flush()
    }
}
