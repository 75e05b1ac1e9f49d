//! # Simple usage
//!
//! ## Creating the server
//!
//! The easiest way to create a server is to call `Server::http()`.
//!
//! The `http()` function returns an `IoResult<Server>` which will return an error
//! in the case where the server creation fails (for example if the listening port is already
//! occupied).
//!
//! ```no_run
//! let server = tiny_http::Server::http("0.0.0.0:0").unwrap();
//! ```
//!
//! A newly-created `Server` will immediately start listening for incoming connections and HTTP
//! requests.
//!
//! ## Receiving requests
//!
//! Calling `server.recv()` will block until the next request is available.
//! This function returns an `IoResult<Request>`, so you need to handle the possible errors.
//!
//! ```no_run
//! # let server = tiny_http::Server::http("0.0.0.0:0").unwrap();
//!
//! loop {
//!     // blocks until the next request is received
//!     let request = match server.recv() {
//!         Ok(rq) => rq,
//!         Err(e) => { println!("error: {}", e); break }
//!     };
//!
//!     // do something with the request
//!     // ...
//! }
//! ```
//!
//! In a real-case scenario, you will probably want to spawn multiple worker tasks and call
//! `server.recv()` on all of them. Like this:
//!
//! ```no_run
//! # use std::sync::Arc;
//! # use std::thread;
//! # let server = tiny_http::Server::http("0.0.0.0:0").unwrap();
//! let server = Arc::new(server);
//! let mut guards = Vec::with_capacity(4);
//!
//! for _ in (0 .. 4) {
//!     let server = server.clone();
//!
//!     let guard = thread::spawn(move || {
//!         loop {
//!             let rq = server.recv().unwrap();
//!
//!             // ...
//!         }
//!     });
//!
//!     guards.push(guard);
//! }
//! ```
//!
//! If you don't want to block, you can call `server.try_recv()` instead.
//!
//! ## Handling requests
//!
//! The `Request` object returned by `server.recv()` contains informations about the client's request.
//! The most useful methods are probably `request.method()` and `request.url()` which return
//! the requested method (`GET`, `POST`, etc.) and url.
//!
//! To handle a request, you need to create a `Response` object. See the docs of this object for
//! more infos. Here is an example of creating a `Response` from a file:
//!
//! ```no_run
//! # use std::fs::File;
//! # use std::path::Path;
//! let response = tiny_http::Response::from_file(File::open(&Path::new("image.png")).unwrap());
//! ```
//!
//! All that remains to do is call `request.respond()`:
//!
//! ```no_run
//! # use std::fs::File;
//! # use std::path::Path;
//! # let server = tiny_http::Server::http("0.0.0.0:0").unwrap();
//! # let request = server.recv().unwrap();
//! # let response = tiny_http::Response::from_file(File::open(&Path::new("image.png")).unwrap());
//! let _ = request.respond(response);
//! ```
#![forbid(unsafe_code)]
#![deny(rust_2018_idioms)]
#![allow(clippy::match_like_matches_macro)]

/// A request body of at most this many bytes (with a Content-Length and no
/// `Expect: 100-continue`) is read on the connection's own thread before the request is queued,
/// so `recv()` never returns a request whose body is still arriving. Upstream reads 1024 bytes
/// this way; wa-hook raises it (see vendor/README.md).
pub const BUFFERED_BODY_MAX: usize = 64 * 1024;

#[cfg(any(feature = "ssl-openssl", feature = "ssl-rustls"))]
use zeroize::Zeroizing;

use std::error::Error;
use std::io::Error as IoError;
use std::io::ErrorKind as IoErrorKind;
use std::io::Result as IoResult;
use std::net::{Shutdown, TcpStream, ToSocketAddrs};
use std::sync::atomic::Ordering::Relaxed;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize};
use std::sync::mpsc;
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use client::ClientConnection;
use connection::Connection;
use util::MessagesQueue;

pub use common::{HTTPVersion, Header, HeaderField, Method, StatusCode};
pub use connection::{ConfigListenAddr, ListenAddr, Listener};
pub use request::{ReadWrite, Rejection, Request};
pub use response::{Response, ResponseBox};
pub use test::TestRequest;

mod client;
mod common;
mod connection;
mod request;
mod response;
mod ssl;
mod test;
mod util;

/// The main class of this library.
///
/// Destroying this object will immediately close the listening socket and the reading
///  part of all the client's connections. Requests that have already been returned by
///  the `recv()` function will not close and the responses will be transferred to the client.
pub struct Server {
    // should be false as long as the server exists
    // when set to true, all the subtasks will close within a few hundreds ms
    close: Arc<AtomicBool>,

    // queue for messages received by child threads
    messages: Arc<MessagesQueue<Message>>,

    // result of TcpListener::local_addr()
    listening_addr: ListenAddr,

    // wa-hook: connections answered 503 because `Limits::max_connections` were open
    refused: Arc<AtomicU64>,
}

/// wa-hook: what one connection, and all of them, may cost. Upstream read heads of any size,
/// waited for a request or its body without a time limit and accepted any number of
/// connections.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Connections open at once; one more is answered 503 and closed at once.
    pub max_connections: usize,
    /// How long a connection waits for its next request, or for more of it once it started.
    pub keep_alive_timeout: Option<Duration>,
    /// How long a request line and headers may take to arrive, from their first byte
    /// (answered 408).
    pub head_timeout: Option<Duration>,
    /// How long a body may take to arrive, from the end of the head (its read fails with
    /// `TimedOut`).
    pub body_timeout: Option<Duration>,
    /// The most bytes of request line and headers (answered 414 or 431).
    pub max_head_bytes: usize,
    /// The most header lines (answered 431).
    pub max_headers: usize,
}

/// wa-hook: what answers may cost: upstream waited as long as a client took to read each
/// answer, and read every request a client pipelined, so one client that read nothing held every
/// thread answering.
#[derive(Debug, Clone)]
pub struct AnswerLimits {
    /// How long writing an answer may wait for the client to read; then the connection closes.
    pub write_timeout: Option<Duration>,
    /// Answers a connection may have waiting before its next request is read.
    pub max_unanswered: usize,
    /// The JSON body of the 503 a connection over `Limits::max_connections` gets (an emulated
    /// API answers in its own error envelope); `None` is `{"error":"too many connections; try
    /// again"}`.
    pub busy_body: Option<Vec<u8>>,
}

/// wa-hook: without a write timeout a client that reads nothing holds its answers' threads
/// (`Request::respond` finishes an answer the socket does not take on a thread of its own):
/// at most this many per connection.
const DEFAULT_MAX_UNANSWERED: usize = 32;

impl Default for AnswerLimits {
    fn default() -> Self {
        AnswerLimits {
            write_timeout: None,
            max_unanswered: DEFAULT_MAX_UNANSWERED,
            busy_body: None,
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_connections: usize::MAX,
            keep_alive_timeout: None,
            head_timeout: None,
            body_timeout: None,
            max_head_bytes: 64 * 1024,
            max_headers: 128,
        }
    }
}

/// wa-hook: the body of the answer to a connection over `Limits::max_connections` unless
/// `AnswerLimits::busy_body` gives one.
const BUSY_BODY: &[u8] = b"{\"error\":\"too many connections; try again\"}";

/// wa-hook: the whole 503 answer to a connection over `Limits::max_connections`.
fn busy_answer(body: Option<&[u8]>) -> Vec<u8> {
    let body = body.unwrap_or(BUSY_BODY);
    let mut answer = format!(
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nRetry-After: 1\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    answer.extend_from_slice(body);
    answer
}

/// Decrements the count of open connections when a connection's thread is done.
struct LiveConnection(Arc<AtomicUsize>);

impl Drop for LiveConnection {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Relaxed);
    }
}

enum Message {
    Error(IoError),
    NewRequest(Request),
}

impl From<IoError> for Message {
    fn from(e: IoError) -> Message {
        Message::Error(e)
    }
}

impl From<Request> for Message {
    fn from(rq: Request) -> Message {
        Message::NewRequest(rq)
    }
}

// this trait is to make sure that Server implements Share and Send
#[doc(hidden)]
trait MustBeShareDummy: Sync + Send {}
#[doc(hidden)]
impl MustBeShareDummy for Server {}

pub struct IncomingRequests<'a> {
    server: &'a Server,
}

/// Represents the parameters required to create a server.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// The addresses to try to listen to.
    pub addr: ConfigListenAddr,

    /// If `Some`, then the server will use SSL to encode the communications.
    pub ssl: Option<SslConfig>,
}

/// Configuration of the server for SSL.
#[derive(Debug, Clone)]
pub struct SslConfig {
    /// Contains the public certificate to send to clients.
    pub certificate: Vec<u8>,
    /// Contains the ultra-secret private key used to decode communications.
    pub private_key: Vec<u8>,
}

impl Server {
    /// Shortcut for a simple server on a specific address.
    #[inline]
    pub fn http<A>(addr: A) -> Result<Server, Box<dyn Error + Send + Sync + 'static>>
    where
        A: ToSocketAddrs,
    {
        Server::new(ServerConfig {
            addr: ConfigListenAddr::from_socket_addrs(addr)?,
            ssl: None,
        })
    }

    /// Shortcut for an HTTPS server on a specific address.
    #[cfg(any(feature = "ssl-openssl", feature = "ssl-rustls"))]
    #[inline]
    pub fn https<A>(
        addr: A,
        config: SslConfig,
    ) -> Result<Server, Box<dyn Error + Send + Sync + 'static>>
    where
        A: ToSocketAddrs,
    {
        Server::new(ServerConfig {
            addr: ConfigListenAddr::from_socket_addrs(addr)?,
            ssl: Some(config),
        })
    }

    #[cfg(unix)]
    #[inline]
    /// Shortcut for a UNIX socket server at a specific path
    pub fn http_unix(
        path: &std::path::Path,
    ) -> Result<Server, Box<dyn Error + Send + Sync + 'static>> {
        Server::new(ServerConfig {
            addr: ConfigListenAddr::unix_from_path(path),
            ssl: None,
        })
    }

    /// Builds a new server that listens on the specified address.
    pub fn new(config: ServerConfig) -> Result<Server, Box<dyn Error + Send + Sync + 'static>> {
        let listener = config.addr.bind()?;
        Self::from_listener(listener, config.ssl)
    }

    /// Builds a new server using the specified TCP listener.
    ///
    /// This is useful if you've constructed TcpListener using some less usual method
    /// such as from systemd. For other cases, you probably want the `new()` function.
    pub fn from_listener<L: Into<Listener>>(
        listener: L,
        ssl_config: Option<SslConfig>,
    ) -> Result<Server, Box<dyn Error + Send + Sync + 'static>> {
        Self::from_listener_with_limits(listener, ssl_config, Limits::default())
    }

    /// wa-hook: [`Server::from_listener`] with bounds on what connections may cost.
    pub fn from_listener_with_limits<L: Into<Listener>>(
        listener: L,
        ssl_config: Option<SslConfig>,
        limits: Limits,
    ) -> Result<Server, Box<dyn Error + Send + Sync + 'static>> {
        Self::from_listener_with_all_limits(listener, ssl_config, limits, AnswerLimits::default())
    }

    /// wa-hook: [`Server::from_listener_with_limits`] with bounds on what answers may cost too.
    pub fn from_listener_with_all_limits<L: Into<Listener>>(
        listener: L,
        ssl_config: Option<SslConfig>,
        limits: Limits,
        answers: AnswerLimits,
    ) -> Result<Server, Box<dyn Error + Send + Sync + 'static>> {
        let listener = listener.into();
        let refused = Arc::new(AtomicU64::new(0));
        let inside_refused = refused.clone();
        // building the "close" variable
        let close_trigger = Arc::new(AtomicBool::new(false));

        // building the TcpListener
        let (server, local_addr) = {
            let local_addr = listener.local_addr()?;
            log::debug!("Server listening on {}", local_addr);
            (listener, local_addr)
        };

        // building the SSL capabilities
        #[cfg(all(feature = "ssl-openssl", feature = "ssl-rustls"))]
        compile_error!(
            "Features 'ssl-openssl' and 'ssl-rustls' must not be enabled at the same time"
        );
        #[cfg(not(any(feature = "ssl-openssl", feature = "ssl-rustls")))]
        type SslContext = ();
        #[cfg(any(feature = "ssl-openssl", feature = "ssl-rustls"))]
        type SslContext = crate::ssl::SslContextImpl;
        let ssl: Option<SslContext> = {
            match ssl_config {
                #[cfg(any(feature = "ssl-openssl", feature = "ssl-rustls"))]
                Some(config) => Some(SslContext::from_pem(
                    config.certificate,
                    Zeroizing::new(config.private_key),
                )?),
                #[cfg(not(any(feature = "ssl-openssl", feature = "ssl-rustls")))]
                Some(_) => return Err(
                    "Building a server with SSL requires enabling the `ssl` feature in tiny-http"
                        .into(),
                ),
                None => None,
            }
        };

        // creating a task where server.accept() is continuously called
        // and ClientConnection objects are pushed in the messages queue
        let messages = MessagesQueue::with_capacity(8);

        let inside_close_trigger = close_trigger.clone();
        let inside_messages = messages.clone();
        let busy = busy_answer(answers.busy_body.as_deref());
        thread::spawn(move || {
            // a tasks pool is used to dispatch the connections into threads
            let tasks_pool = util::TaskPool::new();

            log::debug!("Running accept thread");
            let live = Arc::new(AtomicUsize::new(0));
            // wa-hook: a failed accept (out of file descriptors, out of memory) is reported
            // once and retried after a pause; upstream stopped accepting for good, or
            // panicked the accept thread (upstream issue #195).
            let mut reported = false;
            let mut pause = Duration::from_millis(5);
            let mut failed = |e: IoError, pause: &mut Duration| {
                log::error!("Error accepting new client: {}", e);
                if !reported {
                    reported = true;
                    inside_messages.push(e.into());
                }
                thread::sleep(*pause);
                *pause = (*pause * 2).min(Duration::from_millis(100));
            };
            while !inside_close_trigger.load(Relaxed) {
                let sock = match server.accept() {
                    Ok((sock, _)) => sock,
                    Err(_) if inside_close_trigger.load(Relaxed) => break,
                    Err(e) => {
                        failed(e, &mut pause);
                        continue;
                    }
                };
                if live.load(Relaxed) >= limits.max_connections {
                    inside_refused.fetch_add(1, Relaxed);
                    if sock.set_nonblocking(true).is_ok() {
                        use std::io::Write;
                        let mut sock = sock;
                        let _ = sock.write_all(&busy);
                    }
                    continue;
                }
                if limits.keep_alive_timeout.is_some() {
                    let _ = sock.set_read_timeout(limits.keep_alive_timeout);
                }
                if answers.write_timeout.is_some() {
                    let _ = sock.set_write_timeout(answers.write_timeout);
                }
                use util::RefinedTcpStream;
                let halves = match ssl {
                    None => RefinedTcpStream::new(sock),
                    #[cfg(any(feature = "ssl-openssl", feature = "ssl-rustls"))]
                    Some(ref ssl) => {
                        // trying to apply SSL over the connection
                        // if an error occurs, we just close the socket and resume listening
                        let sock = match ssl.accept(sock) {
                            Ok(s) => s,
                            Err(_) => continue,
                        };

                        RefinedTcpStream::new(sock)
                    }
                    #[cfg(not(any(feature = "ssl-openssl", feature = "ssl-rustls")))]
                    Some(ref _ssl) => unreachable!(),
                };
                let (read_closable, write_closable) = match halves {
                    Ok(halves) => halves,
                    Err(e) => {
                        failed(e, &mut pause);
                        continue;
                    }
                };
                pause = Duration::from_millis(5);
                let deadline = Arc::new(util::refined_tcp_stream::Deadline::default());
                let client = ClientConnection::with_limits(
                    write_closable,
                    read_closable.with_deadline(deadline.clone()),
                    limits.clone(),
                    deadline,
                    answers.max_unanswered,
                );

                live.fetch_add(1, Relaxed);
                let messages = inside_messages.clone();
                let mut client = Some((client, LiveConnection(live.clone())));
                tasks_pool.spawn(Box::new(move || {
                    if let Some((client, _live)) = client.take() {
                        // Synchronization is needed for HTTPS requests to avoid a deadlock
                        if client.secure() {
                            let (sender, receiver) = mpsc::channel();
                            for rq in client {
                                messages.push(rq.with_notify_sender(sender.clone()).into());
                                receiver.recv().unwrap();
                            }
                        } else {
                            for rq in client {
                                messages.push(rq.into());
                            }
                        }
                    }
                }));
            }
            log::debug!("Terminating accept thread");
        });

        // result
        Ok(Server {
            messages,
            close: close_trigger,
            listening_addr: local_addr,
            refused,
        })
    }

    /// Returns an iterator for all the incoming requests.
    ///
    /// The iterator will return `None` if the server socket is shutdown.
    #[inline]
    pub fn incoming_requests(&self) -> IncomingRequests<'_> {
        IncomingRequests { server: self }
    }

    /// Returns the address the server is listening to.
    #[inline]
    pub fn server_addr(&self) -> ListenAddr {
        self.listening_addr.clone()
    }

    /// Returns the number of clients currently connected to the server.
    /// wa-hook: how many connections were answered 503 because `Limits::max_connections`
    /// were open.
    pub fn refused_connections(&self) -> u64 {
        self.refused.load(Relaxed)
    }

    pub fn num_connections(&self) -> usize {
        unimplemented!()
        //self.requests_receiver.lock().len()
    }

    /// Blocks until an HTTP request has been submitted and returns it.
    pub fn recv(&self) -> IoResult<Request> {
        match self.messages.pop() {
            Some(Message::Error(err)) => Err(err),
            Some(Message::NewRequest(rq)) => Ok(rq),
            None => Err(IoError::new(IoErrorKind::Other, "thread unblocked")),
        }
    }

    /// Same as `recv()` but doesn't block longer than timeout
    pub fn recv_timeout(&self, timeout: Duration) -> IoResult<Option<Request>> {
        match self.messages.pop_timeout(timeout) {
            Some(Message::Error(err)) => Err(err),
            Some(Message::NewRequest(rq)) => Ok(Some(rq)),
            None => Ok(None),
        }
    }

    /// Same as `recv()` but doesn't block.
    pub fn try_recv(&self) -> IoResult<Option<Request>> {
        match self.messages.try_pop() {
            Some(Message::Error(err)) => Err(err),
            Some(Message::NewRequest(rq)) => Ok(Some(rq)),
            None => Ok(None),
        }
    }

    /// Unblock thread stuck in recv() or incoming_requests().
    /// If there are several such threads, only one is unblocked.
    /// This method allows graceful shutdown of server.
    pub fn unblock(&self) {
        self.messages.unblock();
    }
}

impl Iterator for IncomingRequests<'_> {
    type Item = Request;
    fn next(&mut self) -> Option<Request> {
        self.server.recv().ok()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.close.store(true, Relaxed);
        // Connect briefly to ourselves to unblock the accept thread
        let maybe_stream = match &self.listening_addr {
            ListenAddr::IP(addr) => TcpStream::connect(addr).map(Connection::from),
            #[cfg(unix)]
            ListenAddr::Unix(addr) => {
                // TODO: use connect_addr when its stabilized.
                let path = addr.as_pathname().unwrap();
                std::os::unix::net::UnixStream::connect(path).map(Connection::from)
            }
        };
        if let Ok(stream) = maybe_stream {
            let _ = stream.shutdown(Shutdown::Both);
        }

        #[cfg(unix)]
        if let ListenAddr::Unix(addr) = &self.listening_addr {
            if let Some(path) = addr.as_pathname() {
                let _ = std::fs::remove_file(path);
            }
        }
    }
}

#[cfg(test)]
mod answers {
    use super::{AnswerLimits, Limits, Response, Server};
    use std::io::Write;
    use std::net::{TcpListener, TcpStream};
    use std::time::Duration;

    /// wa-hook (issue 22): a client that pipelines requests is read no further while
    /// `max_unanswered` of its answers are waiting.
    #[test]
    fn a_connection_is_read_no_further_while_its_answers_wait() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        let answers = AnswerLimits {
            write_timeout: Some(Duration::from_secs(5)),
            max_unanswered: 3,
            busy_body: None,
        };
        let server =
            Server::from_listener_with_all_limits(listener, None, Limits::default(), answers)
                .unwrap();
        let mut client = TcpStream::connect(address).unwrap();
        client
            .write_all(&b"GET / HTTP/1.1\r\nHost: x\r\n\r\n".repeat(20))
            .unwrap();
        let wait = Duration::from_secs(10);
        let mut held: Vec<_> = (0..3)
            .map(|_| server.recv_timeout(wait).unwrap().expect("a request"))
            .collect();
        // No fourth while three are unanswered (a bounded look, not a wait for the server).
        assert!(server
            .recv_timeout(Duration::from_millis(300))
            .unwrap()
            .is_none());
        held.remove(0).respond(Response::empty(200)).unwrap();
        assert!(server.recv_timeout(wait).unwrap().is_some());
    }
}
