use ascii::AsciiString;

use std::io::Error as IoError;
use std::io::Result as IoResult;
use std::io::{BufReader, BufWriter, ErrorKind, Read};

use std::net::SocketAddr;
use std::str::FromStr;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};

use crate::common::{HTTPVersion, Header, HeaderField, Method};
use crate::request::{ConnectionState, Rejection, ResponseWriter};
use crate::util::refined_tcp_stream::Deadline;
use crate::util::RefinedTcpStream;
use crate::util::{
    SequentialReader, SequentialReaderBuilder, SequentialWriter, SequentialWriterBuilder,
};
use crate::Limits;
use crate::Request;

/// A ClientConnection is an object that will store a socket to a client
/// and return Request objects.
pub struct ClientConnection {
    // address of the client
    remote_addr: IoResult<Option<SocketAddr>>,

    // sequence of Readers to the stream, so that the data is not read in
    //  the wrong order
    source: SequentialReaderBuilder<BufReader<RefinedTcpStream>>,

    // sequence of Writers to the stream, to avoid writing response #2 before
    //  response #1
    sink: SequentialWriterBuilder<BufWriter<RefinedTcpStream>>,

    // Reader to read the next header from
    next_header_source: SequentialReader<BufReader<RefinedTcpStream>>,

    // set to true if we know that the previous request is the last one
    no_more_requests: bool,

    // true if the connection goes through SSL
    secure: bool,

    // wa-hook: the bounds a request head is read within, and the connection's deadline
    limits: Limits,
    state: ConnectionState,

    // wa-hook: the connection ends with bytes the sender may still be sending (a rejected
    // head, a body not read): read and discard some before closing, as closing a socket with
    // unread data resets it and the sender may lose the answer already sent
    linger: bool,

    // wa-hook: answers not yet sent, and how many may be before the next request is read
    unanswered: Arc<Unanswered>,
    max_unanswered: usize,
}

/// wa-hook: a connection's answers not yet sent. A client that pipelines requests and does not
/// read the answers is read no further while `max_unanswered` are waiting (upstream read and
/// queued every request, and the workers answering them all waited on that one client).
#[derive(Default)]
pub(crate) struct Unanswered {
    count: Mutex<usize>,
    sent: Condvar,
}

impl Unanswered {
    fn add(&self) {
        *self.count.lock().unwrap_or_else(PoisonError::into_inner) += 1;
    }

    fn done(&self) {
        let mut count = self.count.lock().unwrap_or_else(PoisonError::into_inner);
        *count = count.saturating_sub(1);
        self.sent.notify_all();
    }

    /// Wait until fewer than `max` answers are waiting.
    fn wait_below(&self, max: usize) {
        let mut count = self.count.lock().unwrap_or_else(PoisonError::into_inner);
        while *count >= max {
            count = self
                .sent
                .wait(count)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }
}

/// wa-hook: the writer of one answer on a connection: in order after the answers before it,
/// sent without waiting when the socket takes it (`ResponseWriter::send_now`), counted until
/// it is done.
pub(crate) struct AnswerWriter {
    inner: SequentialWriter<BufWriter<RefinedTcpStream>>,
    unanswered: Arc<Unanswered>,
}

impl AnswerWriter {
    fn new(
        inner: SequentialWriter<BufWriter<RefinedTcpStream>>,
        unanswered: &Arc<Unanswered>,
    ) -> Box<dyn ResponseWriter> {
        unanswered.add();
        Box::new(AnswerWriter {
            inner,
            unanswered: unanswered.clone(),
        })
    }
}

impl std::io::Write for AnswerWriter {
    fn write(&mut self, buf: &[u8]) -> IoResult<usize> {
        self.inner.write(buf)
    }

    fn flush(&mut self) -> IoResult<()> {
        self.inner.flush()
    }
}

impl ResponseWriter for AnswerWriter {
    fn send_now(&mut self, bytes: &[u8]) -> IoResult<Option<usize>> {
        if !self.inner.try_turn() {
            return Ok(None);
        }
        self.inner
            .now(|writer| {
                // What an earlier writer left buffered goes first (the buffer is empty when
                // every answer went this way).
                if !writer.buffer().is_empty() {
                    return Ok(0);
                }
                writer.get_mut().send_now(bytes)
            })
            .map(Some)
    }

    fn abort(&mut self) {
        self.inner.now(|writer| writer.get_mut().abort());
    }
}

impl Drop for AnswerWriter {
    fn drop(&mut self) {
        self.unanswered.done();
    }
}

/// wa-hook: how much, and for how long, a connection that ends early is read and discarded.
const LINGER_BYTES: usize = 1 << 20;
const LINGER_TIME: std::time::Duration = std::time::Duration::from_secs(2);

impl Drop for ClientConnection {
    fn drop(&mut self) {
        if !self.linger {
            return;
        }
        // wa-hook: once the last answer is written, the sending side is closed, so the peer
        // reads the answer's end instead of waiting for more; a read waits at most
        // `LINGER_TIME` (upstream had no lingering; without these it lasted until the
        // socket's read timeout, or for ever with none).
        if let Some(mut last) = self.sink.next() {
            last.after_previous(|writer| {
                use std::io::Write;
                let _ = writer.flush();
                writer.get_mut().finish_sending(LINGER_TIME);
            });
        }
        self.state.deadline.set(Some(LINGER_TIME));
        let mut buf = [0u8; 8 * 1024];
        let mut left = LINGER_BYTES;
        while left > 0 {
            match self.next_header_source.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(read) => left = left.saturating_sub(read),
            }
        }
    }
}

/// Error that can happen when reading a request.
#[derive(Debug)]
enum ReadError {
    /// wa-hook: nothing more can be read (the sender hung up, or stayed idle): close quietly.
    ReadIoError(IoError),
    /// wa-hook: a request that cannot be read as HTTP/1.x, handed over to be answered and
    /// recorded (upstream answered some of these itself, and dropped others unanswered).
    Reject(Box<Rejected>),
}

#[derive(Debug)]
struct Rejected {
    rejection: Rejection,
    method: Method,
    path: String,
    version: HTTPVersion,
    headers: Vec<Header>,
}

impl ReadError {
    fn reject(status: u16, reason: impl Into<String>) -> ReadError {
        ReadError::Reject(Box::new(Rejected {
            rejection: Rejection {
                status,
                reason: reason.into(),
            },
            method: Method::NonStandard(AsciiString::new()),
            path: String::new(),
            version: HTTPVersion(1, 1),
            headers: Vec::new(),
        }))
    }

    /// The same rejection, with what was read of the request.
    fn of(
        mut self,
        method: &Method,
        path: &str,
        version: &HTTPVersion,
        headers: &[Header],
    ) -> Self {
        if let ReadError::Reject(rejected) = &mut self {
            rejected.method = method.clone();
            rejected.path = path.to_string();
            rejected.version = version.clone();
            rejected.headers = headers.to_vec();
        }
        self
    }
}

/// wa-hook: why a line could not be read.
enum LineError {
    Io(IoError),
    /// The head grew over `Limits::max_head_bytes`; what was read of the line.
    TooLong(Vec<u8>),
}

/// The longest path kept from a request that is rejected for its length.
const KEPT_PATH: usize = 2048;

fn is_token(bytes: &[u8]) -> bool {
    !bytes.is_empty()
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(b))
}

fn shorten(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((end, _)) => format!("{}...", &text[..end]),
        None => text.to_string(),
    }
}

impl ClientConnection {
    /// Creates a new `ClientConnection` that takes ownership of the `TcpStream`.
    pub fn new(write_socket: RefinedTcpStream, read_socket: RefinedTcpStream) -> ClientConnection {
        Self::with_limits(
            write_socket,
            read_socket,
            Limits::default(),
            Arc::new(Deadline::default()),
            crate::AnswerLimits::default().max_unanswered,
        )
    }

    /// wa-hook: a connection read within `limits`; `deadline` is the read half's.
    pub(crate) fn with_limits(
        write_socket: RefinedTcpStream,
        mut read_socket: RefinedTcpStream,
        limits: Limits,
        deadline: Arc<Deadline>,
        max_unanswered: usize,
    ) -> ClientConnection {
        let remote_addr = read_socket.peer_addr();
        let secure = read_socket.secure();

        let mut source = SequentialReaderBuilder::new(BufReader::with_capacity(1024, read_socket));
        let first_header = source.next().unwrap();

        ClientConnection {
            source,
            sink: SequentialWriterBuilder::new(BufWriter::with_capacity(1024, write_socket)),
            remote_addr,
            next_header_source: first_header,
            no_more_requests: false,
            secure,
            linger: false,
            unanswered: Arc::new(Unanswered::default()),
            max_unanswered: max_unanswered.max(1),
            state: ConnectionState {
                deadline,
                body_timeout: limits.body_timeout,
                abandoned: Arc::new(AtomicBool::new(false)),
            },
            limits,
        }
    }

    /// true if the connection is HTTPS
    pub fn secure(&self) -> bool {
        self.secure
    }

    fn next_byte(&mut self) -> IoResult<u8> {
        match self.next_header_source.by_ref().bytes().next() {
            Some(byte) => byte,
            None => Err(IoError::new(ErrorKind::ConnectionAborted, "Unexpected EOF")),
        }
    }

    /// Reads the next line, starting with `first` when given, up to `LF` (wa-hook: a bare `LF`
    /// ends a line too, RFC 9112 section 2.2), without its `CRLF`. The next read starts at
    /// the first byte of the next line. wa-hook: at most `budget` bytes (upstream read a line
    /// of any length into memory).
    fn read_next_line(
        &mut self,
        first: Option<u8>,
        budget: &mut usize,
    ) -> Result<Vec<u8>, LineError> {
        let mut buf = Vec::new();
        let mut byte = match first {
            Some(byte) => byte,
            None => self.next_byte().map_err(LineError::Io)?,
        };
        loop {
            if byte == b'\n' {
                if buf.last() == Some(&b'\r') {
                    buf.pop();
                }
                return Ok(buf);
            }
            if *budget == 0 {
                return Err(LineError::TooLong(buf));
            }
            *budget -= 1;
            buf.push(byte);
            byte = self.next_byte().map_err(LineError::Io)?;
        }
    }

    /// A line of the head that could not be read: a rejection, or a quiet close.
    fn line_error(&self, err: LineError, too_long: (u16, &str)) -> ReadError {
        match err {
            LineError::TooLong(_) => ReadError::reject(
                too_long.0,
                format!(
                    "{} (the head may be {} bytes)",
                    too_long.1, self.limits.max_head_bytes
                ),
            ),
            LineError::Io(err) if err.kind() == ErrorKind::TimedOut => ReadError::reject(
                408,
                match self.limits.head_timeout {
                    Some(timeout) => format!(
                        "the request head did not arrive within {} s",
                        timeout.as_secs_f64()
                    ),
                    None => "the request head did not arrive in time".to_string(),
                },
            ),
            LineError::Io(err) => ReadError::ReadIoError(err),
        }
    }

    /// Reads a request from the stream.
    /// Blocks until the header has been read.
    fn read(&mut self) -> Result<Request, ReadError> {
        // wa-hook: a client with `max_unanswered` answers waiting is read no further until it
        // reads some (or the write timeout closes the connection).
        self.unanswered.wait_below(self.max_unanswered);
        // wa-hook: waiting for a request is bounded by the socket's read timeout (keep-alive);
        // once it starts, its head must arrive within `head_timeout`.
        let mut first = self.next_byte().map_err(ReadError::ReadIoError)?;
        if self.state.abandoned.load(Ordering::Relaxed) {
            // These are the bytes of a body too large to skip.
            self.linger = true;
            return Err(ReadError::ReadIoError(IoError::new(
                ErrorKind::ConnectionAborted,
                "the previous body was not read",
            )));
        }
        self.state.deadline.set(self.limits.head_timeout);
        let mut budget = self.limits.max_head_bytes;
        // An empty line or two before the request line is ignored (RFC 9112 section 2.2).
        for _ in 0..2 {
            match first {
                b'\n' => {}
                b'\r' => match self.next_byte() {
                    Ok(b'\n') => {}
                    Ok(_) => break,
                    Err(err) => return Err(self.line_error(LineError::Io(err), (400, ""))),
                },
                _ => break,
            }
            first = self.next_byte().map_err(ReadError::ReadIoError)?;
        }
        if first == 0x16 {
            return Err(ReadError::reject(
                400,
                "a TLS handshake: this listener speaks plain HTTP (http://, not https://)",
            ));
        }

        // reading the request line
        let line = self
            .read_next_line(Some(first), &mut budget)
            .map_err(|err| {
                // What was read of the line: the method and the path's start, for the record.
                let (method, path) = match &err {
                    LineError::TooLong(start) => start_of_request_line(start),
                    LineError::Io(_) => (Method::NonStandard(AsciiString::new()), String::new()),
                };
                self.line_error(err, (414, "the request line is too long"))
                    .of(&method, &path, &HTTPVersion(1, 1), &[])
            })?;
        let (method, path, version) = parse_request_line(&line)?;

        // getting all headers
        let mut headers = Vec::new();
        let mut text_values = Vec::new();
        loop {
            let line = self.read_next_line(None, &mut budget).map_err(|err| {
                self.line_error(err, (431, "the request head is too large"))
                    .of(&method, &path, &version, &headers)
            })?;
            if line.is_empty() {
                break;
            }
            if headers.len() >= self.limits.max_headers {
                return Err(ReadError::reject(
                    431,
                    format!("more than {} headers", self.limits.max_headers),
                )
                .of(&method, &path, &version, &headers));
            }
            let (header, text_value) = parse_header_line(&line)
                .map_err(|err| err.of(&method, &path, &version, &headers))?;
            if let Some(text) = text_value {
                text_values.push((headers.len(), text));
            }
            headers.push(header);
        }
        if let Some((status, reason)) = unreadable_framing(&headers) {
            return Err(ReadError::reject(status, reason).of(&method, &path, &version, &headers));
        }

        // building the writer for the request
        let writer = AnswerWriter::new(self.sink.next().unwrap(), &self.unanswered);

        // follow-up for next potential request
        let mut data_source = self.source.next().unwrap();
        std::mem::swap(&mut self.next_header_source, &mut data_source);

        // building the next reader
        let request = crate::request::new_request_with(
            self.secure,
            method,
            path,
            version,
            headers,
            self.remote_addr.as_ref().ok().copied().flatten(),
            data_source,
            writer,
            Some(self.state.clone()),
        )
        .map_err(|e| {
            use crate::request;
            match e {
                request::RequestCreationError::CreationIoError(e) => ReadError::ReadIoError(e),
                request::RequestCreationError::ExpectationFailed => {
                    ReadError::reject(417, "an Expect header other than 100-continue")
                }
                request::RequestCreationError::BadContentLength => {
                    ReadError::reject(400, "a Content-Length that is not a number")
                }
            }
        })?;

        // return the request
        Ok(request.with_text_values(text_values))
    }
}

/// wa-hook: a `Content-Length` that is not one number, a `Transfer-Encoding` tiny_http cannot
/// read, or an `Expect` tiny_http cannot meet (RFC 9112 sections 6.1 and 6.3).
fn unreadable_framing(headers: &[Header]) -> Option<(u16, String)> {
    if let Some(refusal) = unreadable_transfer_coding(headers) {
        return Some(refusal);
    }
    let mut length = None;
    for header in headers {
        if header.field.equiv("Content-Length") {
            // Only digits (upstream took `+7` as 7, as Rust's integer parsing does).
            let value = header.value.as_str().trim();
            let digits = !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit());
            match value.parse::<usize>().ok().filter(|_| digits).ok_or(()) {
                Ok(value) if length.is_none_or(|seen| seen == value) => length = Some(value),
                Ok(_) => return Some((400, "two different Content-Length headers".to_string())),
                Err(_) => {
                    return Some((
                        400,
                        format!(
                            "Content-Length `{}` is not a number this listener can take",
                            shorten(header.value.as_str(), 40)
                        ),
                    ))
                }
            }
        } else if header.field.equiv("Expect")
            && !header.value.as_str().eq_ignore_ascii_case("100-continue")
        {
            return Some((
                417,
                format!(
                    "Expect `{}` (only 100-continue is known)",
                    shorten(header.value.as_str(), 40)
                ),
            ));
        }
    }
    None
}

/// wa-hook: the transfer codings of a request, as RFC 9112 section 6.3 reads them: chunked
/// must be the last, applied once (otherwise the body's end cannot be known: 400), and a
/// coding other than chunked is one this listener cannot decode (501, at once; upstream took
/// any value as chunked, and a body `identity` waited for the sender to give up).
fn unreadable_transfer_coding(headers: &[Header]) -> Option<(u16, String)> {
    let mut codings = Vec::new();
    let mut present = false;
    for header in headers
        .iter()
        .filter(|h| h.field.equiv("Transfer-Encoding"))
    {
        present = true;
        codings.extend(
            header
                .value
                .as_str()
                .split(',')
                .map(|coding| coding.trim().to_ascii_lowercase())
                .filter(|coding| !coding.is_empty()),
        );
    }
    if !present {
        return None;
    }
    let shown = || shorten(&codings.join(", "), 60);
    let chunked = codings.iter().filter(|c| *c == "chunked").count();
    if codings.is_empty() {
        return Some((400, "an empty Transfer-Encoding".to_string()));
    }
    if chunked > 1 || (chunked == 1 && codings.last().is_some_and(|c| c != "chunked")) {
        return Some((
            400,
            format!(
                "Transfer-Encoding `{}`: chunked must be the last coding, applied once",
                shown()
            ),
        ));
    }
    if codings.iter().any(|c| c != "chunked") {
        return Some((
            501,
            format!(
                "Transfer-Encoding `{}`: this listener reads only chunked",
                shown()
            ),
        ));
    }
    None
}

/// wa-hook: framing RFC 9112 section 6.1 calls faulty though readable: both
/// `Transfer-Encoding` and `Content-Length`, or `Transfer-Encoding` in an HTTP/1.0 request
/// (which knows no chunked, so a proxy before us may have read the body otherwise). The body
/// is read as chunked and the connection closes after the answer, so nothing sent after it
/// can be read as another request.
pub(crate) fn framed_faultily(headers: &[Header], version: &HTTPVersion) -> bool {
    headers.iter().any(|h| h.field.equiv("Transfer-Encoding"))
        && (*version == HTTPVersion(1, 0)
            || headers.iter().any(|h| h.field.equiv("Content-Length")))
}

/// wa-hook: one header line as a header, and its value as text when that is not ASCII (a
/// value may carry any byte but controls, RFC 9110 section 5.5; upstream closed the
/// connection without an answer).
fn parse_header_line(line: &[u8]) -> Result<(Header, Option<String>), ReadError> {
    if line[0] == b' ' || line[0] == b'\t' {
        return Err(ReadError::reject(
            400,
            "a folded header line (obsolete line folding)",
        ));
    }
    let Some(colon) = line.iter().position(|b| *b == b':') else {
        return Err(ReadError::reject(400, "a header line without a colon"));
    };
    let name = &line[..colon];
    if !is_token(name) {
        return Err(ReadError::reject(
            400,
            format!(
                "a header name that is not a token: `{}`",
                shorten(&String::from_utf8_lossy(name), 40)
            ),
        ));
    }
    let field: HeaderField = std::str::from_utf8(name)
        .ok()
        .and_then(|name| name.parse().ok())
        .ok_or_else(|| ReadError::reject(400, "a header name that is not a token"))?;
    let value = line[colon + 1..].trim_ascii();
    match AsciiString::from_ascii(value) {
        Ok(value) => Ok((Header { field, value }, None)),
        Err(_) => {
            let text = String::from_utf8_lossy(value).into_owned();
            let shown =
                AsciiString::from_ascii(value.escape_ascii().to_string()).unwrap_or_default();
            Ok((
                Header {
                    field,
                    value: shown,
                },
                Some(text),
            ))
        }
    }
}
impl Iterator for ClientConnection {
    type Item = Request;

    /// Blocks until the next Request is available.
    /// Returns None when no new Requests will come from the client.
    fn next(&mut self) -> Option<Request> {
        // the client sent a "connection: close" header in this previous request
        //  or is using HTTP 1.0, meaning that no new request will come
        if self.no_more_requests {
            return None;
        }

        let rq = match self.read() {
            // wa-hook: handed over to be answered and recorded; we don't know where the next
            // request would start, so it is the last one
            Err(ReadError::Reject(rejected)) => {
                self.no_more_requests = true;
                self.linger = true;
                self.state.deadline.set(None);
                let Rejected {
                    rejection,
                    method,
                    path,
                    version,
                    headers,
                } = *rejected;
                let writer = AnswerWriter::new(self.sink.next().unwrap(), &self.unanswered);
                return Some(crate::request::new_rejected(
                    self.secure,
                    method,
                    path,
                    version,
                    headers,
                    self.remote_addr.as_ref().ok().copied().flatten(),
                    writer,
                    rejection,
                ));
            }

            Err(ReadError::ReadIoError(_)) => return None,

            Ok(rq) => rq,
        };

        // updating the status of the connection
        let connection_header = rq
            .headers()
            .iter()
            .find(|h| h.field.equiv("Connection"))
            .map(|h| h.value.as_str());

        let lowercase = connection_header.map(|h| h.to_ascii_lowercase());

        // wa-hook: a request framed two ways (or chunked in HTTP/1.0) is the connection's last.
        if framed_faultily(rq.headers(), rq.http_version()) {
            self.no_more_requests = true;
            self.linger = true;
        }

        match lowercase {
            Some(ref val) if val.contains("close") => self.no_more_requests = true,
            Some(ref val) if val.contains("upgrade") => self.no_more_requests = true,
            Some(ref val)
                if !val.contains("keep-alive") && *rq.http_version() == HTTPVersion(1, 0) =>
            {
                self.no_more_requests = true
            }
            None if *rq.http_version() == HTTPVersion(1, 0) => self.no_more_requests = true,
            _ => (),
        };

        // returning the request
        Some(rq)
    }
}

/// wa-hook: the method and the start of the path (at most `KEPT_PATH` characters) of a request
/// line too long to read whole.
fn start_of_request_line(start: &[u8]) -> (Method, String) {
    let text = String::from_utf8_lossy(start);
    let mut parts = text.splitn(3, ' ');
    let method = parts
        .next()
        .filter(|method| is_token(method.as_bytes()))
        .and_then(|method| method.parse().ok())
        .unwrap_or_else(|| Method::NonStandard(AsciiString::new()));
    let path = shorten(parts.next().unwrap_or_default(), KEPT_PATH);
    (method, path)
}

/// Parses the request line of the request.
/// eg. GET / HTTP/1.1
/// wa-hook: from bytes (a path may be UTF-8, which upstream refused without an answer), and
/// a line that is not HTTP/1.x is a rejection with what could be read of it.
fn parse_request_line(line: &[u8]) -> Result<(Method, String, HTTPVersion), ReadError> {
    let text = String::from_utf8_lossy(line);
    let mut parts = text.trim().split(' ');
    let method_text = parts.next().unwrap_or_default();
    let path = parts.next().unwrap_or_default();
    let version_text = parts.next();
    let method: Option<Method> = if is_token(method_text.as_bytes()) {
        method_text.parse().ok()
    } else {
        None
    };
    let shown_method = method.clone().unwrap_or_else(|| {
        let escaped = shorten(&method_text.escape_default().to_string(), 16);
        Method::NonStandard(AsciiString::from_ascii(escaped).unwrap_or_default())
    });
    let reject = |status: u16, reason: String| {
        ReadError::reject(status, reason).of(
            &shown_method,
            &shorten(path, KEPT_PATH),
            &HTTPVersion(1, 1),
            &[],
        )
    };
    let version = match version_text {
        Some("HTTP/1.1") => HTTPVersion(1, 1),
        Some("HTTP/1.0") => HTTPVersion(1, 0),
        Some(other) if other.starts_with("HTTP/") && parts.next().is_none() => {
            return Err(reject(
                505,
                format!(
                "{}: this listener speaks HTTP/1.1 (HTTP/2 clients fall back to it over http://)",
                shorten(other, 16)
            ),
            ))
        }
        _ => return Err(reject(400, "not an HTTP/1.1 request line".to_string())),
    };
    match method {
        Some(method) if !path.is_empty() && parts.next().is_none() => {
            Ok((method, path.to_string(), version))
        }
        _ => Err(reject(400, "not an HTTP/1.1 request line".to_string())),
    }
}

#[cfg(test)]
mod test {
    #[test]
    fn test_parse_request_line() {
        let (method, path, ver) = super::parse_request_line(b"GET /hello HTTP/1.1").unwrap();

        assert!(method == crate::Method::Get);
        assert!(path == "/hello");
        assert!(ver == crate::common::HTTPVersion(1, 1));

        assert!(super::parse_request_line(b"GET /hello").is_err());
        assert!(super::parse_request_line(b"qsd qsd qsd").is_err());
        // wa-hook
        let (_, path, _) = super::parse_request_line("POST /café HTTP/1.1".as_bytes()).unwrap();
        assert_eq!(path, "/café");
        assert!(matches!(
            super::parse_request_line(b"PRI * HTTP/2.0"),
            Err(super::ReadError::Reject(r)) if r.rejection.status == 505
        ));
    }
}

#[cfg(test)]
mod framing {
    use super::{framed_faultily, unreadable_framing};
    use crate::common::HTTPVersion;
    use crate::Header;

    fn headers(lines: &[&str]) -> Vec<Header> {
        lines.iter().map(|line| line.parse().unwrap()).collect()
    }

    /// wa-hook: RFC 9112 sections 6.1 and 6.3 (issue 22).
    #[test]
    fn transfer_codings_and_lengths_are_read_as_rfc_9112_says() {
        let status = |lines: &[&str]| unreadable_framing(&headers(lines)).map(|(s, _)| s);
        assert_eq!(status(&["Transfer-Encoding: chunked"]), None);
        assert_eq!(status(&["Transfer-Encoding: Chunked"]), None);
        assert_eq!(status(&["Transfer-Encoding: chunked, gzip"]), Some(400));
        assert_eq!(status(&["Transfer-Encoding: chunked, chunked"]), Some(400));
        assert_eq!(
            status(&["Transfer-Encoding: chunked", "Transfer-Encoding: chunked"]),
            Some(400)
        );
        assert_eq!(status(&["Transfer-Encoding: identity"]), Some(501));
        assert_eq!(status(&["Transfer-Encoding: gzip, chunked"]), Some(501));
        assert_eq!(status(&["Content-Length: +7"]), Some(400));
        assert_eq!(status(&["Content-Length: -0"]), Some(400));
        assert_eq!(status(&["Content-Length: 7"]), None);
        let both = headers(&["Content-Length: 4", "Transfer-Encoding: chunked"]);
        assert_eq!(unreadable_framing(&both), None);
        let http_1_1 = HTTPVersion(1, 1);
        assert!(framed_faultily(&both, &http_1_1));
        let chunked = headers(&["Transfer-Encoding: chunked"]);
        assert!(!framed_faultily(&chunked, &http_1_1));
        assert!(framed_faultily(&chunked, &HTTPVersion(1, 0)));
    }
}
