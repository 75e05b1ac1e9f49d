use std::io::Error as IoError;
use std::io::{self, Cursor, ErrorKind, Read, Write};

use std::fmt;
use std::net::SocketAddr;
use std::str::FromStr;

use std::sync::mpsc::Sender;

use crate::util::refined_tcp_stream::Deadline;
use crate::util::{EqualReader, FusedReader};
use crate::{HTTPVersion, Header, Method, Response, StatusCode};
use chunked_transfer::Decoder;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Represents an HTTP request made by a client.
///
/// A `Request` object is what is produced by the server, and is your what
/// your code must analyse and answer.
///
/// This object implements the `Send` trait, therefore you can dispatch your requests to
/// worker threads.
///
/// # Pipelining
///
/// If a client sends multiple requests in a row (without waiting for the response), then you will
/// get multiple `Request` objects simultaneously. This is called *requests pipelining*.
/// Tiny-http automatically reorders the responses so that you don't need to worry about the order
/// in which you call `respond` or `into_writer`.
///
/// This mechanic is disabled if:
///
///  - The body of a request is large enough (handling requires pipelining requires storing the
///    body of the request in a buffer ; if the body is too big, tiny-http will avoid doing that)
///  - A request sends a `Expect: 100-continue` header (which means that the client waits to
///    know whether its body will be processed before sending it)
///  - A request sends a `Connection: close` header or `Connection: upgrade` header (used for
///    websockets), which indicates that this is the last request that will be received on this
///    connection
///
/// # Automatic cleanup
///
/// If a `Request` object is destroyed without `into_writer` or `respond` being called,
/// an empty response with a 500 status code (internal server error) will automatically be
/// sent back to the client.
/// This means that if your code fails during the handling of a request, this "internal server
/// error" response will automatically be sent during the stack unwinding.
///
/// # Testing
///
/// If you want to build fake requests to test your server, use [`TestRequest`](crate::test::TestRequest).
pub struct Request {
    // where to read the body from
    data_reader: Option<Box<dyn Read + Send + 'static>>,

    // if this writer is empty, then the request has been answered
    response_writer: Option<Box<dyn ResponseWriter>>,

    remote_addr: Option<SocketAddr>,

    // true if HTTPS, false if HTTP
    secure: bool,

    method: Method,

    path: String,

    http_version: HTTPVersion,

    headers: Vec<Header>,

    body_length: Option<usize>,

    // true if a `100 Continue` response must be sent when `as_reader()` is called
    must_send_continue: bool,

    // If Some, a message must be sent after responding
    notify_when_responded: Option<Sender<()>>,

    // wa-hook: why the request could not be read, for a request handed over to be answered
    // and recorded rather than answered by tiny_http itself
    rejection: Option<Rejection>,

    // wa-hook: header values that are not ASCII, as text (index into `headers`, value); the
    // header itself carries an ASCII rendering
    text_values: Vec<(usize, String)>,

    // wa-hook: the connection closes after this request's answer (a rejection, a request
    // framed both by Transfer-Encoding and Content-Length), which then says so
    closes_connection: bool,
}

/// wa-hook: a request tiny_http could not read as HTTP/1.x (a head too large, a line that is
/// not HTTP, an HTTP/2 preface, a bad `Content-Length` ...). It is handed over with what could
/// be read of it and no body, so the receiver answers it (with `status`, closing the
/// connection) and can record it.
#[derive(Debug, Clone)]
pub struct Rejection {
    pub status: u16,
    pub reason: String,
}

/// wa-hook: where a request's answer goes. A connection's writer sends an answer at once when
/// the socket takes it whole and the answers before it are out; otherwise the answer is
/// finished on a thread of its own, so a client that does not read its answers (or pipelines
/// many) never holds the thread answering.
pub(crate) trait ResponseWriter: Write + Send + 'static {
    /// Send `bytes` without waiting: how many were sent (all, some, or 0), or `None` when
    /// the answers before this one are not out yet. The default waits.
    fn send_now(&mut self, bytes: &[u8]) -> io::Result<Option<usize>> {
        self.write_all(bytes)?;
        self.flush()?;
        Ok(Some(bytes.len()))
    }

    /// Close the connection: this answer cannot be sent in order.
    fn abort(&mut self) {}
}

/// A writer given to `new_request`, used as it is.
pub(crate) struct Plain<W>(pub W);

impl<W: Write> Write for Plain<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

impl<W: Write + Send + 'static> ResponseWriter for Plain<W> {}

/// The most an answer may be to be sent without waiting (a larger one is written as upstream
/// did, by the thread answering).
const SENT_NOW_MAX: usize = 1 << 20;

/// An answer the socket did not take whole, finished by a thread of its own. Dropped
/// unfinished (the thread could not start), it closes the connection.
struct HandOff {
    writer: Option<Box<dyn ResponseWriter>>,
    bytes: Vec<u8>,
    from: usize,
}

impl HandOff {
    fn finish(mut self) {
        if let Some(mut writer) = self.writer.take() {
            let _ = writer
                .write_all(&self.bytes[self.from..])
                .and_then(|()| writer.flush());
        }
    }
}

impl Drop for HandOff {
    fn drop(&mut self) {
        if let Some(writer) = self.writer.as_mut() {
            writer.abort();
        }
    }
}

/// wa-hook: what a connection shares with the requests read from it.
#[derive(Clone)]
pub(crate) struct ConnectionState {
    /// When the body being read must be complete.
    pub deadline: Arc<Deadline>,
    pub body_timeout: Option<Duration>,
    /// Set when a request's unread body was too large to skip: the connection then closes
    /// instead of reading that body as the next request.
    pub abandoned: Arc<AtomicBool>,
}

/// Clears the connection's deadline once the body has been read or dropped.
struct ClearDeadline<R> {
    inner: R,
    deadline: Arc<Deadline>,
}

impl<R: Read> Read for ClearDeadline<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read(buf)
    }
}

impl<R> Drop for ClearDeadline<R> {
    fn drop(&mut self) {
        self.deadline.set(None);
    }
}

struct NotifyOnDrop<R> {
    sender: Sender<()>,
    inner: R,
}

impl<R: Read> Read for NotifyOnDrop<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read(buf)
    }
}
impl<R: Write> Write for NotifyOnDrop<R> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}
impl<R> Drop for NotifyOnDrop<R> {
    fn drop(&mut self) {
        self.sender.send(()).unwrap();
    }
}

/// Error that can happen when building a `Request` object.
#[derive(Debug)]
pub enum RequestCreationError {
    /// The client sent an `Expect` header that was not recognized by tiny-http.
    ExpectationFailed,

    /// Error while reading data from the socket during the creation of the `Request`.
    CreationIoError(IoError),

    /// wa-hook: a `Content-Length` that is not a number (upstream read no body at all, and then
    /// the body as the next request).
    BadContentLength,
}

impl From<IoError> for RequestCreationError {
    fn from(err: IoError) -> RequestCreationError {
        RequestCreationError::CreationIoError(err)
    }
}

/// Builds a new request.
///
/// After the request line and headers have been read from the socket, a new `Request` object
/// is built.
///
/// You must pass a `Read` that will allow the `Request` object to read from the incoming data.
/// It is the responsibility of the `Request` to read only the data of the request and not further.
///
/// The `Write` object will be used by the `Request` to write the response.
#[allow(clippy::too_many_arguments)]
pub fn new_request<R, W>(
    secure: bool,
    method: Method,
    path: String,
    version: HTTPVersion,
    headers: Vec<Header>,
    remote_addr: Option<SocketAddr>,
    source_data: R,
    writer: W,
) -> Result<Request, RequestCreationError>
where
    R: Read + Send + 'static,
    W: Write + Send + 'static,
{
    new_request_with(
        secure,
        method,
        path,
        version,
        headers,
        remote_addr,
        source_data,
        Box::new(Plain(writer)),
        None,
    )
}

/// wa-hook: a request that could not be read, handed over with no body (see [`Rejection`]).
#[allow(clippy::too_many_arguments)]
pub(crate) fn new_rejected(
    secure: bool,
    method: Method,
    path: String,
    version: HTTPVersion,
    headers: Vec<Header>,
    remote_addr: Option<SocketAddr>,
    writer: Box<dyn ResponseWriter>,
    rejection: Rejection,
) -> Request {
    Request {
        data_reader: Some(Box::new(io::empty())),
        response_writer: Some(writer),
        remote_addr,
        secure,
        method,
        path,
        http_version: version,
        headers,
        body_length: None,
        must_send_continue: false,
        notify_when_responded: None,
        rejection: Some(rejection),
        text_values: Vec::new(),
        closes_connection: true,
    }
}

/// [`new_request`], for a request read from a connection (wa-hook: with its deadline).
#[allow(clippy::too_many_arguments)]
pub(crate) fn new_request_with<R>(
    secure: bool,
    method: Method,
    path: String,
    version: HTTPVersion,
    headers: Vec<Header>,
    remote_addr: Option<SocketAddr>,
    mut source_data: R,
    writer: Box<dyn ResponseWriter>,
    connection: Option<ConnectionState>,
) -> Result<Request, RequestCreationError>
where
    R: Read + Send + 'static,
{
    // finding the transfer-encoding header
    let transfer_encoding = headers
        .iter()
        .find(|h: &&Header| h.field.equiv("Transfer-Encoding"))
        .map(|h| h.value.clone());

    // finding the content-length header
    let content_length = if transfer_encoding.is_some() {
        // if transfer-encoding is specified, the Content-Length
        // header must be ignored (RFC2616 #4.4)
        None
    } else {
        match headers
            .iter()
            .find(|h: &&Header| h.field.equiv("Content-Length"))
        {
            None => None,
            Some(h) => match FromStr::from_str(h.value.as_str().trim()) {
                Ok(length) => Some(length),
                Err(_) => return Err(RequestCreationError::BadContentLength),
            },
        }
    };

    // true if the client sent a `Expect: 100-continue` header
    let expects_continue = {
        match headers
            .iter()
            .find(|h: &&Header| h.field.equiv("Expect"))
            .map(|h| h.value.as_str())
        {
            None => false,
            Some(v) if v.eq_ignore_ascii_case("100-continue") => true,
            _ => return Err(RequestCreationError::ExpectationFailed),
        }
    };

    // true if the client sent a `Connection: upgrade` header
    let connection_upgrade = {
        match headers
            .iter()
            .find(|h: &&Header| h.field.equiv("Connection"))
            .map(|h| h.value.as_str())
        {
            Some(v) if v.to_ascii_lowercase().contains("upgrade") => true,
            _ => false,
        }
    };

    // wa-hook: the body must arrive before the connection's body deadline.
    let deadline = connection.as_ref().map(|c| c.deadline.clone());
    let body_timeout = connection.as_ref().and_then(|c| c.body_timeout);
    let abandoned = connection.as_ref().map(|c| c.abandoned.clone());
    if let Some(deadline) = &deadline {
        deadline.set(body_timeout);
    }
    let streamed = |reader: Box<dyn Read + Send + 'static>| match &deadline {
        Some(deadline) => Box::new(ClearDeadline {
            inner: reader,
            deadline: deadline.clone(),
        }) as Box<dyn Read + Send + 'static>,
        None => reader,
    };

    // we wrap `source_data` around a reading whose nature depends on the transfer-encoding and
    // content-length headers
    let reader = if connection_upgrade {
        // if we have a `Connection: upgrade`, always keeping the whole reader
        streamed(Box::new(source_data) as Box<dyn Read + Send + 'static>)
    } else if let Some(content_length) = content_length {
        if content_length == 0 {
            Box::new(io::empty()) as Box<dyn Read + Send + 'static>
        } else if content_length <= crate::BUFFERED_BODY_MAX && !expects_continue {
            // if the content-length is small enough, we just read everything into a buffer
            // (wa-hook: up to BUFFERED_BODY_MAX, not 1024 bytes, so a slow sender holds only
            // its own connection's thread, never a worker)

            let mut buffer = vec![0; content_length];
            let mut offset = 0;
            let mut failure = None;

            while offset != content_length {
                match source_data.read(&mut buffer[offset..]) {
                    Ok(0) => {
                        // the socket returned EOF, but we were before the expected
                        // content-length
                        failure = Some((
                            ErrorKind::ConnectionAborted,
                            "the connection was closed before the whole body arrived".to_string(),
                        ));
                        break;
                    }
                    Ok(read) => offset += read,
                    Err(err) if err.kind() == ErrorKind::Interrupted => {}
                    Err(err) => {
                        failure = Some((err.kind(), err.to_string()));
                        break;
                    }
                }
            }

            match failure {
                None => Box::new(Cursor::new(buffer)) as Box<dyn Read + Send + 'static>,
                // wa-hook: the request is still handed over, with the part of the body that
                // arrived and then the error, so the receiver can record it (upstream dropped
                // it here without a trace).
                Some((kind, message)) => {
                    buffer.truncate(offset);
                    Box::new(Cursor::new(buffer).chain(FailingReader { kind, message }))
                        as Box<dyn Read + Send + 'static>
                }
            }
        } else {
            let (data_reader, _) = EqualReader::new(source_data, content_length); // TODO:
            let data_reader = match abandoned {
                Some(abandoned) => data_reader.abandoning(abandoned),
                None => data_reader,
            };
            streamed(Box::new(FusedReader::new(data_reader)) as Box<dyn Read + Send + 'static>)
        }
    } else if transfer_encoding.is_some() {
        // if a transfer-encoding was specified, then "chunked" is ALWAYS applied
        // over the message (RFC2616 #3.6)
        // (wa-hook: a chunked body left unread is not skipped; the connection closes)
        let decoder = AbandonOnDrop {
            inner: Decoder::new(source_data),
            finished: false,
            abandoned,
        };
        streamed(Box::new(FusedReader::new(decoder)) as Box<dyn Read + Send + 'static>)
    } else {
        // if we have neither a Content-Length nor a Transfer-Encoding,
        // assuming that we have no data
        // TODO: could also be multipart/byteranges
        Box::new(io::empty()) as Box<dyn Read + Send + 'static>
    };

    // A body read here, or none: nothing more to wait for.
    if let Some(deadline) = &deadline {
        let streaming = connection_upgrade
            || transfer_encoding.is_some()
            || content_length
                .is_some_and(|length| length > crate::BUFFERED_BODY_MAX || expects_continue);
        if !streaming {
            deadline.set(None);
        }
    }

    let closes_connection = crate::client::framed_faultily(&headers, &version);
    Ok(Request {
        data_reader: Some(reader),
        response_writer: Some(writer),
        remote_addr,
        secure,
        method,
        path,
        http_version: version,
        headers,
        body_length: content_length,
        must_send_continue: expects_continue,
        notify_when_responded: None,
        rejection: None,
        text_values: Vec::new(),
        closes_connection,
    })
}

/// wa-hook: a chunked body dropped before its end marks the connection abandoned.
struct AbandonOnDrop<R> {
    inner: R,
    finished: bool,
    abandoned: Option<Arc<AtomicBool>>,
}

impl<R: Read> Read for AbandonOnDrop<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let read = self.inner.read(buf)?;
        if read == 0 && !buf.is_empty() {
            self.finished = true;
        }
        Ok(read)
    }
}

impl<R> Drop for AbandonOnDrop<R> {
    fn drop(&mut self) {
        if !self.finished {
            if let Some(abandoned) = &self.abandoned {
                abandoned.store(true, Ordering::Relaxed);
            }
        }
    }
}

/// A reader that fails with one error every time: the end of a body cut short.
struct FailingReader {
    kind: ErrorKind,
    message: String,
}

impl Read for FailingReader {
    fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
        Err(IoError::new(self.kind, self.message.clone()))
    }
}

impl Request {
    /// Returns true if the request was made through HTTPS.
    #[inline]
    pub fn secure(&self) -> bool {
        self.secure
    }

    /// Returns the method requested by the client (eg. `GET`, `POST`, etc.).
    #[inline]
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// Returns the resource requested by the client.
    #[inline]
    pub fn url(&self) -> &str {
        &self.path
    }

    /// Returns a list of all headers sent by the client.
    #[inline]
    pub fn headers(&self) -> &[Header] {
        &self.headers
    }

    /// Returns the HTTP version of the request.
    #[inline]
    pub fn http_version(&self) -> &HTTPVersion {
        &self.http_version
    }

    /// Returns the length of the body in bytes.
    ///
    /// Returns `None` if the length is unknown.
    #[inline]
    pub fn body_length(&self) -> Option<usize> {
        self.body_length
    }

    /// wa-hook: why the request could not be read, when it could not (see [`Rejection`]); such a
    /// request has no body and is the connection's last.
    #[inline]
    pub fn rejection(&self) -> Option<&Rejection> {
        self.rejection.as_ref()
    }

    /// wa-hook: header values that are not ASCII, as text: (index in `headers()`, value).
    #[inline]
    pub fn text_header_values(&self) -> &[(usize, String)] {
        &self.text_values
    }

    pub(crate) fn with_text_values(mut self, values: Vec<(usize, String)>) -> Self {
        self.text_values = values;
        self
    }

    /// Returns the address of the client that sent this request.
    ///
    /// The address is always `Some` for TCP listeners, but always `None` for UNIX listeners
    /// (as the remote address of a UNIX client is almost always unnamed).
    ///
    /// Note that this is gathered from the socket. If you receive the request from a proxy,
    /// this function will return the address of the proxy and not the address of the actual
    /// user.
    #[inline]
    pub fn remote_addr(&self) -> Option<&SocketAddr> {
        self.remote_addr.as_ref()
    }

    /// Sends a response with a `Connection: upgrade` header, then turns the `Request` into a `Stream`.
    ///
    /// The main purpose of this function is to support websockets.
    /// If you detect that the request wants to use some kind of protocol upgrade, you can
    ///  call this function to obtain full control of the socket stream.
    ///
    /// If you call this on a non-websocket request, tiny-http will wait until this `Stream` object
    ///  is destroyed before continuing to read or write on the socket. Therefore you should always
    ///  destroy it as soon as possible.
    pub fn upgrade<R: Read>(
        mut self,
        protocol: &str,
        response: Response<R>,
    ) -> Box<dyn ReadWrite + Send> {
        use crate::util::CustomStream;

        response
            .raw_print(
                self.response_writer.as_mut().unwrap().by_ref(),
                self.http_version.clone(),
                &self.headers,
                false,
                Some(protocol),
            )
            .ok(); // TODO: unused result

        self.response_writer.as_mut().unwrap().flush().ok(); // TODO: unused result

        let stream = CustomStream::new(self.extract_reader_impl(), self.extract_writer_impl());
        if let Some(sender) = self.notify_when_responded.take() {
            let stream = NotifyOnDrop {
                sender,
                inner: stream,
            };
            Box::new(stream) as Box<dyn ReadWrite + Send>
        } else {
            Box::new(stream) as Box<dyn ReadWrite + Send>
        }
    }

    /// Allows to read the body of the request.
    ///
    /// # Example
    ///
    /// ```no_run
    /// # extern crate tiny_http;
    /// # // wa-hook: a stand-in for rustc_serialize's `Json`, no longer a dev-dependency.
    /// # type Json = String;
    /// # use std::io::Read;
    /// # fn get_content_type(_: &tiny_http::Request) -> &'static str { "" }
    /// # fn main() {
    /// # let server = tiny_http::Server::http("0.0.0.0:0").unwrap();
    /// let mut request = server.recv().unwrap();
    ///
    /// if get_content_type(&request) == "application/json" {
    ///     let mut content = String::new();
    ///     request.as_reader().read_to_string(&mut content).unwrap();
    ///     let json: Json = content.parse().unwrap();
    /// }
    /// # }
    /// ```
    ///
    /// If the client sent a `Expect: 100-continue` header with the request, calling this
    ///  function will send back a `100 Continue` response.
    #[inline]
    pub fn as_reader(&mut self) -> &mut dyn Read {
        if self.must_send_continue {
            let msg = Response::new_empty(StatusCode(100));
            msg.raw_print(
                self.response_writer.as_mut().unwrap().by_ref(),
                self.http_version.clone(),
                &self.headers,
                true,
                None,
            )
            .ok();
            self.response_writer.as_mut().unwrap().flush().ok();
            self.must_send_continue = false;
        }

        self.data_reader.as_mut().unwrap()
    }

    /// Turns the `Request` into a writer.
    ///
    /// The writer has a raw access to the stream to the user.
    /// This function is useful for things like CGI.
    ///
    /// Note that the destruction of the `Writer` object may trigger
    /// some events. For exemple if a client has sent multiple requests and the requests
    /// have been processed in parallel, the destruction of a writer will trigger
    /// the writing of the next response.
    /// Therefore you should always destroy the `Writer` as soon as possible.
    #[inline]
    pub fn into_writer(mut self) -> Box<dyn Write + Send + 'static> {
        let writer = self.extract_writer_impl();
        if let Some(sender) = self.notify_when_responded.take() {
            let writer = NotifyOnDrop {
                sender,
                inner: writer,
            };
            Box::new(writer) as Box<dyn Write + Send + 'static>
        } else {
            writer
        }
    }

    /// Extract the response `Writer` object from the Request, dropping this `Writer` has the same side effects
    /// as the object returned by `into_writer` above.
    ///
    /// This may only be called once on a single request.
    fn extract_writer_impl(&mut self) -> Box<dyn Write + Send + 'static> {
        use std::mem;

        assert!(self.response_writer.is_some());

        let mut writer = None;
        mem::swap(&mut self.response_writer, &mut writer);
        writer.unwrap()
    }

    /// Extract the body `Reader` object from the Request.
    ///
    /// This may only be called once on a single request.
    fn extract_reader_impl(&mut self) -> Box<dyn Read + Send + 'static> {
        use std::mem;

        assert!(self.data_reader.is_some());

        let mut reader = None;
        mem::swap(&mut self.data_reader, &mut reader);
        reader.unwrap()
    }

    /// Sends a response to this request.
    #[inline]
    pub fn respond<R>(mut self, response: Response<R>) -> Result<(), IoError>
    where
        R: Read,
    {
        let res = self.respond_impl(response);
        if let Some(sender) = self.notify_when_responded.take() {
            sender.send(()).unwrap();
        }
        res
    }

    fn respond_impl<R>(&mut self, response: Response<R>) -> Result<(), IoError>
    where
        R: Read,
    {
        let mut writer = self
            .response_writer
            .take()
            .expect("a request is answered once");
        // wa-hook: an answer of known size is sent without waiting when it can be, and
        // finished by a thread of its own when it cannot (see `ResponseWriter`).
        if response
            .data_length()
            .is_some_and(|length| length <= SENT_NOW_MAX)
        {
            let do_not_send_body = self.method == Method::Head;
            let response = if self.closes_connection {
                response.closing()
            } else {
                response
            };
            let mut bytes = Vec::with_capacity(1024);
            response.raw_print(
                &mut bytes,
                self.http_version.clone(),
                &self.headers,
                do_not_send_body,
                None,
            )?;
            let from = match writer.send_now(&bytes) {
                Ok(Some(sent)) if sent == bytes.len() => return Ok(()),
                Ok(sent) => sent.unwrap_or(0),
                Err(err) => {
                    writer.abort();
                    return Self::ignore_client_closing_errors(Err(err));
                }
            };
            let hand_off = HandOff {
                writer: Some(writer),
                bytes,
                from,
            };
            // If the thread cannot start, the hand-off is dropped: the connection closes.
            let _ = std::thread::Builder::new()
                .name("tiny-http-answer".into())
                .stack_size(64 * 1024)
                .spawn(move || hand_off.finish());
            return Ok(());
        }
        let mut writer: Box<dyn Write + Send + 'static> = writer;

        let do_not_send_body = self.method == Method::Head;
        let response = if self.closes_connection {
            response.closing()
        } else {
            response
        };

        Self::ignore_client_closing_errors(response.raw_print(
            writer.by_ref(),
            self.http_version.clone(),
            &self.headers,
            do_not_send_body,
            None,
        ))?;

        Self::ignore_client_closing_errors(writer.flush())
    }

    fn ignore_client_closing_errors(result: io::Result<()>) -> io::Result<()> {
        result.or_else(|err| match err.kind() {
            ErrorKind::BrokenPipe => Ok(()),
            ErrorKind::ConnectionAborted => Ok(()),
            ErrorKind::ConnectionRefused => Ok(()),
            ErrorKind::ConnectionReset => Ok(()),
            _ => Err(err),
        })
    }

    pub(crate) fn with_notify_sender(mut self, sender: Sender<()>) -> Self {
        self.notify_when_responded = Some(sender);
        self
    }
}

impl fmt::Debug for Request {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> Result<(), fmt::Error> {
        write!(
            formatter,
            "Request({} {} from {:?})",
            self.method, self.path, self.remote_addr
        )
    }
}

impl Drop for Request {
    fn drop(&mut self) {
        if self.response_writer.is_some() {
            let response = Response::empty(500);
            let _ = self.respond_impl(response); // ignoring any potential error
            if let Some(sender) = self.notify_when_responded.take() {
                sender.send(()).unwrap();
            }
        }
    }
}

/// Dummy trait that regroups the `Read` and `Write` traits.
///
/// Automatically implemented on all types that implement both `Read` and `Write`.
pub trait ReadWrite: Read + Write {}
impl<T> ReadWrite for T where T: Read + Write {}

#[cfg(test)]
mod tests {
    use super::Request;

    #[test]
    fn must_be_send() {
        #![allow(dead_code)]
        fn f<T: Send>(_: &T) {}
        fn bar(rq: &Request) {
            f(rq);
        }
    }
}
