//! One request to one target, and what came back: the inspector's replay button, emulate's
//! deliveries outside its status lanes and anything to https:// go through [`send`] (reqwest);
//! replay's workers and emulate's status lanes to a plain-http target through their own
//! [`Connection`]; both read answers within the same bounds
//! ([`MAX_ANSWER`], the client's timeout) and name a failure the same way ([`FailureKind`]), as
//! a test checks.
//! What a captured request becomes when sent again ([`RecordRequest`], [`wire_body`]) lives here
//! too: replay's plan and the inspector build their requests from a record with it.
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use anyhow::Context;
use reqwest::Method;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use serde_json::Value;
use url::Url;

use crate::capture::CaptureRecord;
use crate::http;
use crate::output;
use crate::providers;
use crate::secret::{self, SecretString};

/// The most of an answer that is read: a larger one is a failure, not read further.
pub const MAX_ANSWER: usize = 4 << 20;

/// One request, ready to go.
pub struct Request {
    pub method: Method,
    pub url: Url,
    /// Every header, a signature included.
    pub headers: HeaderMap,
    pub body: reqwest::Body,
}

/// What came back from one request.
pub struct Reply {
    /// `None` when no answer came.
    pub status: Option<u16>,
    /// Until the answer's body was read to its end (or the request failed).
    pub latency: Duration,
    /// The answer's body, when it was kept and read whole.
    pub body: Vec<u8>,
    /// Why no answer, or no whole one, came.
    pub failure: Option<Failure>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailureKind {
    Timeout,
    /// Nothing reached the server.
    Connect,
    /// The request went out; the connection was reset or closed before an answer.
    NoAnswer,
    /// An answer came, but not one HTTP can read (not HTTP, headers too large).
    BadAnswer,
    /// An answer came, but its body was cut short or broken.
    BodyBroken,
    /// An answer came, but its body was over the cap.
    BodyTooLarge,
    Other,
}

#[derive(Clone, Debug)]
pub struct Failure {
    pub kind: FailureKind,
    /// One line naming the target, with a hint.
    pub message: String,
}

impl Failure {
    /// The message without any of `secrets` (a server may echo one back in an error).
    pub fn scrubbed(self, secrets: &[&SecretString]) -> Failure {
        Failure {
            message: secret::scrub(&self.message, secrets),
            ..self
        }
    }
}

/// Send `request` through `client` and read the answer to its end, at most [`MAX_ANSWER`]
/// (keeping the body only with `keep_body`). Failures name `target` (the target as the user
/// gave it) and are not scrubbed: the caller, who knows the secrets, scrubs them
/// ([`Failure::scrubbed`]).
pub async fn send(
    client: &reqwest::Client,
    request: Request,
    target: &Url,
    keep_body: bool,
) -> Reply {
    let started = Instant::now();
    let sent = client
        .request(request.method, request.url)
        .headers(request.headers)
        .body(request.body)
        .send()
        .await;
    match sent {
        Ok(mut response) => {
            let status = response.status().as_u16();
            // Read to the end (so the connection can be used again), keeping the body only
            // when asked; an answer cut short or too large is a failure, whatever the status.
            let keep = if keep_body { MAX_ANSWER } else { 0 };
            let (body, failure) = match http::read_body(&mut response, MAX_ANSWER, keep).await {
                Ok(body) => (body, None),
                Err(err) => (Vec::new(), Some(body_failure(err, target))),
            };
            Reply {
                status: Some(status),
                latency: started.elapsed(),
                body,
                failure,
            }
        }
        Err(err) => Reply {
            status: None,
            latency: started.elapsed(),
            body: Vec::new(),
            failure: Some(request_failure(err, target)),
        },
    }
}

/// One sender's own HTTP/1.1 connection to a plain-http target, opened when first needed and
/// again when the server closes it: replay's workers send through one each, and so do
/// emulate's status lanes. It does the work [`send`] does through reqwest (the same headers,
/// bounds, timeout and failure names) without reqwest's per-request layers, which parse each
/// request's URL twice even with redirects off (a fifth of replay's instructions per request).
/// HTTPS targets go through [`send`].
pub struct Connection {
    /// `host:port` as the socket is opened.
    host: String,
    port: u16,
    host_header: HeaderValue,
    timeout: Duration,
    sender: Option<hyper::client::conn::http1::SendRequest<http_body_util::Full<bytes::Bytes>>>,
    /// The last URL sent to and its request target (`/path?query`), read once.
    last_target: Option<(String, hyper::Uri)>,
}

impl Connection {
    /// A connection to `target`'s host, or `None` when it is not an http:// URL (TLS goes
    /// through reqwest and [`send`]).
    pub fn new(target: &Url, timeout: Duration) -> Option<Connection> {
        if target.scheme() != "http" {
            return None;
        }
        let host = target.host_str()?.trim_matches(['[', ']']).to_string();
        let port = target.port_or_known_default()?;
        let authority = &target[url::Position::BeforeHost..url::Position::AfterPort];
        Some(Connection {
            host,
            port,
            host_header: HeaderValue::from_str(authority).ok()?,
            timeout,
            sender: None,
            last_target: None,
        })
    }

    /// Whether `url` is on this connection's host and port.
    pub fn serves(&self, url: &Url) -> bool {
        url.scheme() == "http"
            && url.host_str().map(|h| h.trim_matches(['[', ']'])) == Some(self.host.as_str())
            && url.port_or_known_default() == Some(self.port)
    }

    /// [`send`] on this connection: `method` to `url` (on this connection's host) with
    /// `headers` and `body`, the answer read to its end within [`MAX_ANSWER`]. Failures name
    /// `target` and are not scrubbed.
    pub async fn send(
        &mut self,
        method: &Method,
        url: &Url,
        headers: &HeaderMap,
        body: bytes::Bytes,
        target: &Url,
        keep_body: bool,
    ) -> Reply {
        let started = Instant::now();
        match self.prepare(method, url, headers) {
            Ok(head) => {
                self.send_from(started, &head, body, target, keep_body)
                    .await
            }
            Err(message) => Reply {
                status: None,
                latency: started.elapsed(),
                body: Vec::new(),
                failure: Some(Failure {
                    kind: FailureKind::Other,
                    message: format!("{target}: {message}"),
                }),
            },
        }
    }

    /// [`Connection::send`] of a head made once with [`Connection::prepare`]: only the body
    /// is per send (replay's steps that send the same request each time).
    pub async fn send_prepared(
        &mut self,
        head: &Prepared,
        body: bytes::Bytes,
        target: &Url,
        keep_body: bool,
    ) -> Reply {
        self.send_from(Instant::now(), head, body, target, keep_body)
            .await
    }

    async fn send_from(
        &mut self,
        started: Instant,
        head: &Prepared,
        body: bytes::Bytes,
        target: &Url,
        keep_body: bool,
    ) -> Reply {
        let deadline = tokio::time::Instant::now() + self.timeout;
        let mut request = hyper::Request::new(http_body_util::Full::new(body));
        *request.method_mut() = head.method.clone();
        *request.uri_mut() = head.uri.clone();
        *request.headers_mut() = head.headers.clone();
        let head = tokio::time::timeout_at(deadline, self.exchange(request)).await;
        let response = match head {
            Ok(Ok(response)) => response,
            Ok(Err(failure)) => {
                self.sender = None;
                return Reply {
                    status: None,
                    latency: started.elapsed(),
                    body: Vec::new(),
                    failure: Some(failure.describe(target)),
                };
            }
            Err(_) => {
                // The request's future is dropped mid-way: hyper closes the connection.
                self.sender = None;
                return Reply {
                    status: None,
                    latency: started.elapsed(),
                    body: Vec::new(),
                    failure: Some(Failure {
                        kind: FailureKind::Timeout,
                        message: format!("{target}: timed out"),
                    }),
                };
            }
        };
        let status = response.status().as_u16();
        let keep = if keep_body { MAX_ANSWER } else { 0 };
        let read = tokio::time::timeout_at(deadline, read_hyper_body(response.into_body(), keep));
        let (body, failure) = match read.await {
            Ok(Ok(body)) => (body, None),
            Ok(Err(failure)) => {
                self.sender = None;
                (Vec::new(), Some(failure.describe(target)))
            }
            Err(_) => {
                self.sender = None;
                let failure = Failure {
                    kind: FailureKind::BodyBroken,
                    message: format!("{target}: timed out while the answer's body was being read"),
                };
                (Vec::new(), Some(failure))
            }
        };
        Reply {
            status: Some(status),
            latency: started.elapsed(),
            body,
            failure,
        }
    }

    /// The head of a request to `url` (on this connection's host) as reqwest would make it:
    /// `headers`, then `User-Agent` and `Accept: */*` unless given, and `Host`; hyper adds
    /// `Content-Length` when it is sent. `Err` says why the URL's path cannot be sent.
    pub fn prepare(
        &mut self,
        method: &Method,
        url: &Url,
        headers: &HeaderMap,
    ) -> Result<Prepared, String> {
        let uri = match &self.last_target {
            Some((last, uri)) if last == url.as_str() => uri.clone(),
            _ => {
                let path = &url[url::Position::BeforePath..url::Position::AfterQuery];
                let uri: hyper::Uri = path
                    .parse()
                    .map_err(|err| format!("the path `{path}` cannot be sent ({err})"))?;
                self.last_target = Some((url.as_str().to_string(), uri.clone()));
                uri
            }
        };
        let mut all = headers.clone();
        all.entry(reqwest::header::USER_AGENT)
            .or_insert(HeaderValue::from_static(http::USER_AGENT));
        all.entry(reqwest::header::ACCEPT)
            .or_insert(HeaderValue::from_static("*/*"));
        all.insert(reqwest::header::HOST, self.host_header.clone());
        Ok(Prepared {
            method: method.clone(),
            uri,
            headers: all,
        })
    }

    /// Send `request` and wait for the answer's head, on the open connection or a new one. A
    /// request the server's closing of an idle connection kept from being written is sent
    /// again on a new one (as reqwest's pool does); one that went out is not.
    async fn exchange(
        &mut self,
        request: hyper::Request<http_body_util::Full<bytes::Bytes>>,
    ) -> Result<hyper::Response<hyper::body::Incoming>, ConnectionFailure> {
        let mut request = request;
        for attempt in 0..2 {
            let sender = match &mut self.sender {
                Some(sender) if !sender.is_closed() => sender,
                _ => self.sender.insert(self.connect().await?),
            };
            if sender.ready().await.is_err() {
                self.sender = None;
                continue;
            }
            match sender.try_send_request(request).await {
                Ok(response) => return Ok(response),
                Err(mut err) => match err.take_message() {
                    Some(unsent) if attempt == 0 => {
                        self.sender = None;
                        request = unsent;
                    }
                    _ => return Err(ConnectionFailure::Head(err.into_error())),
                },
            }
        }
        Err(ConnectionFailure::Closed)
    }

    async fn connect(
        &self,
    ) -> Result<
        hyper::client::conn::http1::SendRequest<http_body_util::Full<bytes::Bytes>>,
        ConnectionFailure,
    > {
        let stream = tokio::net::TcpStream::connect((self.host.as_str(), self.port))
            .await
            .map_err(ConnectionFailure::Connect)?;
        let _ = stream.set_nodelay(true);
        let (sender, connection) =
            hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
                .await
                .map_err(ConnectionFailure::Head)?;
        // The connection's own task; its errors reach the request that was under way.
        tokio::spawn(async move {
            let _ = connection.await;
        });
        Ok(sender)
    }
}

/// A request's method, target (`/path?query`) and every header, made once by
/// [`Connection::prepare`] and sent any number of times; the body is given per send.
pub struct Prepared {
    method: Method,
    uri: hyper::Uri,
    headers: HeaderMap,
}

/// Why a [`Connection`] got no answer, or no whole one.
enum ConnectionFailure {
    Connect(std::io::Error),
    /// Before the answer's head was read.
    Head(hyper::Error),
    /// While the answer's body was read.
    Body(hyper::Error),
    TooLarge,
    /// The connection closed twice before the request could be written.
    Closed,
}

impl ConnectionFailure {
    /// The failure as [`send`] names it.
    fn describe(self, target: &Url) -> Failure {
        let (kind, reason) = match &self {
            ConnectionFailure::Connect(err) => {
                let hint = if http::is_local(target) {
                    http::NOT_RUNNING_HINT
                } else {
                    ""
                };
                let cause = http::root_cause(err).unwrap_or_else(|| err.to_string());
                (
                    FailureKind::Connect,
                    format!("{}{hint}", http::connect_reason(Some(cause))),
                )
            }
            ConnectionFailure::Head(err) => {
                if let Some(what) = http::bad_answer(err) {
                    (FailureKind::BadAnswer, what.to_string())
                } else if let Some(how) = http::closed_without_answer(err, http::Phase::Head) {
                    (FailureKind::NoAnswer, how.to_string())
                } else {
                    let cause = http::root_cause(err).unwrap_or_else(|| err.to_string());
                    (FailureKind::Other, cause)
                }
            }
            ConnectionFailure::Body(err) => {
                let reason = if let Some(how) = http::closed_without_answer(err, http::Phase::Body)
                {
                    how.to_string()
                } else {
                    let cause = http::root_cause(err).unwrap_or_else(|| err.to_string());
                    format!("the answer's body could not be read to its end: {cause}")
                };
                (FailureKind::BodyBroken, reason)
            }
            ConnectionFailure::TooLarge => {
                let message =
                    http::BodyError::TooLarge { limit: MAX_ANSWER }.describe(|_| String::new());
                return Failure {
                    kind: FailureKind::BodyTooLarge,
                    message,
                };
            }
            ConnectionFailure::Closed => (
                FailureKind::NoAnswer,
                "the server closed the connection before answering".to_string(),
            ),
        };
        Failure {
            kind,
            message: format!("{target}: {reason}"),
        }
    }
}

/// Read an answer's body to its end, at most [`MAX_ANSWER`], keeping its first `keep` bytes.
async fn read_hyper_body(
    mut body: hyper::body::Incoming,
    keep: usize,
) -> Result<Vec<u8>, ConnectionFailure> {
    use http_body_util::BodyExt;
    let mut kept = Vec::new();
    let mut total = 0usize;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(ConnectionFailure::Body)?;
        let Ok(chunk) = frame.into_data() else {
            continue;
        };
        total = total.saturating_add(chunk.len());
        let room = keep.saturating_sub(kept.len());
        kept.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if total > MAX_ANSWER {
            return Err(ConnectionFailure::TooLarge);
        }
    }
    Ok(kept)
}

fn request_failure(err: reqwest::Error, target: &Url) -> Failure {
    let kind = match http::classify(&err) {
        http::FailureClass::Timeout => FailureKind::Timeout,
        http::FailureClass::Connect | http::FailureClass::Tls => FailureKind::Connect,
        http::FailureClass::NoAnswer => FailureKind::NoAnswer,
        http::FailureClass::BadAnswer => FailureKind::BadAnswer,
        http::FailureClass::Other => FailureKind::Other,
    };
    Failure {
        kind,
        message: http::describe_error(&err.without_url(), target),
    }
}

/// A failure met while an answer's body was being read.
fn body_failure(err: http::BodyError, target: &Url) -> Failure {
    match err {
        http::BodyError::TooLarge { .. } => Failure {
            kind: FailureKind::BodyTooLarge,
            message: err.describe(|_| String::new()),
        },
        http::BodyError::Broken(err) => Failure {
            kind: FailureKind::BodyBroken,
            message: format!(
                "{target}: {}",
                http::body_failure_reason(&err.without_url())
            ),
        },
    }
}

/// A few words about an answer's body: what it is when a provider's (its kind and gist),
/// else its start. Not scrubbed.
pub fn gist(body: &[u8], parsed: Option<&Value>) -> String {
    if body.iter().all(u8::is_ascii_whitespace) {
        return "(empty body)".to_string();
    }
    parsed
        .and_then(|value| {
            let detection = providers::detect(value)?;
            let gist = providers::gist(value, detection.provider, &detection.kind);
            Some(if gist.is_empty() {
                detection.label()
            } else {
                format!("{} {gist}", detection.label())
            })
        })
        .unwrap_or_else(|| output::excerpt(&String::from_utf8_lossy(body), 60))
}

/// Headers a capture records but a new request must compute for itself.
const NOT_REPLAYED: &[&str] = &[
    "host",
    "content-length",
    "connection",
    "keep-alive",
    "transfer-encoding",
    "te",
    "trailer",
    "upgrade",
    "proxy-connection",
    "expect",
];

/// Whether a captured header is left out of a replay (a new request computes it afresh).
pub fn not_replayed(name: &str) -> bool {
    NOT_REPLAYED
        .iter()
        .any(|skip| skip.eq_ignore_ascii_case(name))
}

/// A captured request's method, URL and headers, to send again to a target.
pub struct RecordRequest {
    pub method: Method,
    /// The record's path appended to the target's path, its query added to the target's.
    pub url: Url,
    /// The captured headers, without those a new request computes afresh.
    pub headers: HeaderMap,
    /// What `listen` redacted and so is left out: header names, and `query NAME` for a query
    /// parameter (`hub.verify_token`).
    pub redacted: BTreeSet<String>,
}

impl RecordRequest {
    pub fn new(record: &CaptureRecord, target: &Url) -> anyhow::Result<RecordRequest> {
        let method = Method::from_bytes(record.method.as_bytes()).with_context(|| {
            format!(
                "the captured method `{}` is not an HTTP method",
                record.method
            )
        })?;
        let mut redacted = BTreeSet::new();
        // `listen` redacts secrets in the query too (`hub.verify_token`): leave those out.
        let query: Vec<&str> = record
            .query
            .split('&')
            .filter(|pair| {
                let hidden = pair.split_once('=').is_some_and(|(_, value)| {
                    value == secret::REDACTED || value == "%28redacted%29"
                });
                if hidden {
                    redacted.insert(format!("query {}", pair.split('=').next().unwrap_or("")));
                }
                !hidden && !pair.is_empty()
            })
            .collect();
        let url = http::join_request_url(target, &record.path, &query.join("&"));
        let mut headers = HeaderMap::new();
        for (name, value) in &record.headers {
            let hidden = secret::is_redacted(name, value, &record.redacted_headers);
            if hidden {
                redacted.insert(name.clone());
                continue;
            }
            if not_replayed(name) {
                continue;
            }
            let (Ok(name), Ok(value)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(value),
            ) else {
                continue;
            };
            headers.append(name, value);
        }
        Ok(RecordRequest {
            method,
            url,
            headers,
            redacted,
        })
    }
}

/// A body that looks like JSON goes as `application/json` unless a content type is given.
pub fn default_content_type(headers: &mut HeaderMap, body: &[u8]) {
    let looks_like_json = matches!(body.trim_ascii_start().first(), Some(b'{' | b'['));
    if looks_like_json && !headers.contains_key(CONTENT_TYPE) {
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    }
}

/// What is said about a replay that left out what `listen` redacted, and how to give it again:
/// Basic credentials through --basic-auth-env (unless `credentials_given`), Meta's verify
/// token through the handshake, other headers with -H.
pub fn redacted_note(redacted: &BTreeSet<String>, credentials_given: bool) -> Option<String> {
    let mut unreplaced = Vec::new();
    let mut advice = Vec::new();
    for name in redacted {
        if name.eq_ignore_ascii_case("authorization") {
            if !credentials_given {
                unreplaced.push(name.as_str());
                advice.push("--basic-auth-env VAR for Basic credentials");
            }
        } else if name.starts_with("query hub.") {
            unreplaced.push(name.as_str());
            advice.push("`wa-hook replay --handshake --verify-token-env VAR` for Meta's handshake");
        } else {
            unreplaced.push(name.as_str());
            advice.push("-H 'Name: value' for other headers");
        }
    }
    if unreplaced.is_empty() {
        return None;
    }
    advice.sort_unstable();
    advice.dedup();
    Some(format!(
        "left out what listen redacted in the captures ({}): the values were not saved; give them again: {}",
        unreplaced.join(", "),
        advice.join("; ")
    ))
}

/// What a replay of `record` sends with `edited` in place of its body: the captured bytes
/// when nothing changed; otherwise the edited body as its provider writes it on the wire
/// (Meta: compact, non-ASCII as `\uXXXX`, `/` as `\/`, the bytes Meta signs), or as given when
/// it is not a body of a provider wa-hook knows.
pub fn wire_body(record: &CaptureRecord, edited: Option<Vec<u8>>) -> anyhow::Result<Vec<u8>> {
    let original = record.body_bytes()?;
    Ok(match edited {
        Some(edited) if original.as_deref() != Some(edited.as_slice()) => {
            let value: Option<Value> = crate::validation::parse_json(&edited).ok();
            match value
                .as_ref()
                .and_then(|value| Some((value, providers::detect(value)?)))
            {
                Some((value, detection)) => detection.provider.rules().wire_bytes(value),
                None => edited,
            }
        }
        Some(edited) => edited,
        None => original.unwrap_or_default(),
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A captured POST to /webhook of `body`, with a (stale) signature header.
    pub(crate) fn record(body: &[u8]) -> CaptureRecord {
        serde_json::from_value(serde_json::json!({
            "wa_hook_capture": 1,
            "seq": 3,
            "received_at": "2026-12-07T00:00:00.000000Z",
            "remote_addr": "127.0.0.1:1",
            "method": "POST",
            "path": "/webhook",
            "headers": [["X-Hub-Signature-256", "sha256=00"], ["Content-Type", "application/json"]],
            "body": std::str::from_utf8(body).unwrap(),
            "body_encoding": "utf8",
            "body_bytes": body.len(),
            "response_status": 200,
        }))
        .unwrap()
    }

    /// A server on 127.0.0.1:0 that answers one request with `answer` (written as it is, then
    /// the connection closed), and the URL it serves.
    fn answering(answer: Vec<u8>) -> Url {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = Url::parse(&format!("http://{}/", listener.local_addr().unwrap())).unwrap();
        std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            let mut head = [0u8; 4096];
            let _ = stream.read(&mut head);
            let _ = stream.write_all(&answer);
        });
        url
    }

    fn post(url: &Url) -> Request {
        Request {
            method: Method::POST,
            url: url.clone(),
            headers: HeaderMap::new(),
            body: reqwest::Body::from("{}"),
        }
    }

    fn send_blocking(url: &Url, keep_body: bool) -> Reply {
        let client = http::client(&http::HttpOptions::default()).unwrap();
        http::runtime().block_on(send(&client, post(url), url, keep_body))
    }

    #[test]
    fn an_answer_is_read_to_its_end_and_kept_only_when_asked() {
        let answer =
            b"HTTP/1.1 200 OK\r\nContent-Length: 11\r\nConnection: close\r\n\r\n{\"ok\":true}";
        let kept = send_blocking(&answering(answer.to_vec()), true);
        assert_eq!(kept.status, Some(200));
        assert!(kept.failure.is_none());
        assert_eq!(kept.body, br#"{"ok":true}"#);
        let dropped = send_blocking(&answering(answer.to_vec()), false);
        assert_eq!((dropped.status, dropped.body.len()), (Some(200), 0));
    }

    #[test]
    fn failures_are_classified_and_name_the_target() {
        // A port nothing listens on: refused.
        let closed = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            Url::parse(&format!("http://{}/", listener.local_addr().unwrap())).unwrap()
        };
        let refused = send_blocking(&closed, true);
        let failure = refused.failure.unwrap();
        assert_eq!((refused.status, failure.kind), (None, FailureKind::Connect));
        assert!(
            failure.message.starts_with(closed.as_str()),
            "{}",
            failure.message
        );

        // An answer over the cap: a failure, with its status.
        let mut large = format!(
            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            MAX_ANSWER + 1
        )
        .into_bytes();
        large.resize(large.len() + MAX_ANSWER + 1, b'x');
        let over = send_blocking(&answering(large), true);
        assert_eq!(over.status, Some(200));
        assert_eq!(over.failure.unwrap().kind, FailureKind::BodyTooLarge);

        // An answer cut short: a broken body.
        let cut = b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\nConnection: close\r\n\r\nshort";
        let broken = send_blocking(&answering(cut.to_vec()), true);
        assert_eq!(broken.status, Some(200));
        assert_eq!(broken.failure.unwrap().kind, FailureKind::BodyBroken);
    }

    /// Replay's own connection and [`send`] (reqwest) read the same answers the same way:
    /// status, body, and each failure's kind and words.
    #[test]
    fn a_connection_reads_answers_and_names_failures_as_send_does() {
        let closed = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            Url::parse(&format!("http://{}/", listener.local_addr().unwrap())).unwrap()
        };
        let mut large = format!(
            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            MAX_ANSWER + 1
        )
        .into_bytes();
        large.resize(large.len() + MAX_ANSWER + 1, b'x');
        let answers: Vec<Option<Vec<u8>>> = vec![
            None,
            Some(b"HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok".to_vec()),
            Some(large),
            Some(
                b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\nConnection: close\r\n\r\nshort"
                    .to_vec(),
            ),
            Some(b"SSH-2.0-OpenSSH_9.6\r\n".to_vec()),
            Some(Vec::new()),
            // An informational answer before the real one.
            Some(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 202 Accepted\r\nContent-Length: 2\r\n\r\nok".to_vec()),
            // HTTP/1.0 and HTTP/1.1 answers whose body ends when the connection does.
            Some(b"HTTP/1.0 200 OK\r\n\r\nto the end".to_vec()),
            Some(b"HTTP/1.1 200 OK\r\n\r\nto the end".to_vec()),
            // Chunked, whole and cut short.
            Some(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n".to_vec()),
            Some(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nok".to_vec()),
            Some(b"HTTP/1.1 204 No Content\r\n\r\n".to_vec()),
            // The head cut short.
            Some(b"HTTP/1.1 200 OK\r\nContent-Le".to_vec()),
            Some(b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec()),
        ];
        for answer in answers {
            let mut replies = Vec::new();
            for through_connection in [false, true] {
                let url = match &answer {
                    None => closed.clone(),
                    Some(answer) => answering(answer.clone()),
                };
                let reply = if through_connection {
                    let mut connection = Connection::new(&url, Duration::from_secs(10)).unwrap();
                    http::runtime().block_on(connection.send(
                        &Method::POST,
                        &url,
                        &HeaderMap::new(),
                        bytes::Bytes::from_static(b"{}"),
                        &url,
                        true,
                    ))
                } else {
                    send_blocking(&url, true)
                };
                let failure = reply
                    .failure
                    .map(|failure| (failure.kind, failure.message.replace(url.as_str(), "URL")));
                replies.push((reply.status, reply.body, failure));
            }
            assert_eq!(replies[0], replies[1], "{answer:?}");
        }
    }

    /// A server that answers (and closes) before reading a large body, and one that never
    /// answers: the connection reports what reqwest reports.
    #[test]
    fn a_connection_reads_an_early_answer_and_a_silence_as_send_does() {
        let early =
            b"HTTP/1.1 413 Payload Too Large\r\nContent-Length: 3\r\nConnection: close\r\n\r\nbig";
        // Answers after the head, then reads the rest (its answer sent first) and closes.
        let early_then_drain = |answer: Vec<u8>| {
            use std::io::{Read, Write};
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            let url = Url::parse(&format!("http://{}/", listener.local_addr().unwrap())).unwrap();
            std::thread::spawn(move || {
                let (mut stream, _) = listener.accept().unwrap();
                let mut head = [0u8; 4096];
                let _ = stream.read(&mut head);
                let _ = stream.write_all(&answer);
                let _ = std::io::copy(&mut stream, &mut std::io::sink());
            });
            url
        };
        let silent = || {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            let url = Url::parse(&format!("http://{}/", listener.local_addr().unwrap())).unwrap();
            std::thread::spawn(move || {
                let (stream, _) = listener.accept().unwrap();
                // Held open, never answered, until the client gives up.
                let mut sink = std::io::sink();
                let _ = std::io::copy(&mut &stream, &mut sink);
            });
            url
        };
        for (body_len, answer) in [(8 << 20, Some(early.to_vec())), (10, None)] {
            let body = bytes::Bytes::from(vec![b'x'; body_len]);
            let mut replies = Vec::new();
            for through_connection in [false, true] {
                let url = match &answer {
                    Some(answer) => early_then_drain(answer.clone()),
                    None => silent(),
                };
                let timeout = Duration::from_millis(300);
                let reply = if through_connection {
                    let mut connection = Connection::new(&url, timeout).unwrap();
                    http::runtime().block_on(connection.send(
                        &Method::POST,
                        &url,
                        &HeaderMap::new(),
                        body.clone(),
                        &url,
                        true,
                    ))
                } else {
                    let client = http::client(&http::HttpOptions {
                        timeout,
                        insecure: false,
                    })
                    .unwrap();
                    let request = Request {
                        method: Method::POST,
                        url: url.clone(),
                        headers: HeaderMap::new(),
                        body: reqwest::Body::from(body.clone()),
                    };
                    http::runtime().block_on(send(&client, request, &url, true))
                };
                let failure = reply
                    .failure
                    .map(|failure| (failure.kind, failure.message.replace(url.as_str(), "URL")));
                replies.push((reply.status, reply.body, failure));
            }
            assert_eq!(replies[0], replies[1], "{answer:?}");
        }
    }

    /// A server on 127.0.0.1:0 that answers one request with the request's head, and its URL.
    fn echoing_head() -> Url {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = Url::parse(&format!(
            "http://{}/hook?a=1",
            listener.local_addr().unwrap()
        ))
        .unwrap();
        std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            let mut request = Vec::new();
            let mut buf = [0u8; 4096];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                let read = stream.read(&mut buf).unwrap();
                if read == 0 {
                    break;
                }
                request.extend_from_slice(&buf[..read]);
            }
            let end = request
                .windows(4)
                .position(|w| w == b"\r\n\r\n")
                .unwrap_or(0);
            let head = &request[..end];
            let answer = format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                head.len()
            );
            let _ = stream.write_all(answer.as_bytes());
            let _ = stream.write_all(head);
        });
        url
    }

    /// Replay's own connection sends the request reqwest sends: the same request line and
    /// headers (in any order), with a body and without.
    #[test]
    fn a_connection_sends_what_send_sends() {
        let methods = [Method::POST, Method::GET, Method::DELETE, Method::PUT];
        for (method, body) in methods
            .iter()
            .flat_map(|m| [(m, &b"{}"[..]), (m, &b""[..])])
        {
            let mut heads = Vec::new();
            for through_connection in [false, true] {
                let url = echoing_head();
                let mut headers = HeaderMap::new();
                headers.insert("x-test", HeaderValue::from_static("1"));
                let reply = if through_connection {
                    let mut connection = Connection::new(&url, Duration::from_secs(10)).unwrap();
                    http::runtime().block_on(connection.send(
                        method,
                        &url,
                        &headers,
                        bytes::Bytes::copy_from_slice(body),
                        &url,
                        true,
                    ))
                } else {
                    let client = http::client(&http::HttpOptions::default()).unwrap();
                    let request = Request {
                        method: method.clone(),
                        url: url.clone(),
                        headers,
                        body: reqwest::Body::from(body.to_vec()),
                    };
                    http::runtime().block_on(send(&client, request, &url, true))
                };
                let head = String::from_utf8(reply.body).unwrap();
                let mut lines: Vec<String> = head
                    .lines()
                    .map(|line| line.to_ascii_lowercase().replace(url.authority(), "HOST"))
                    .collect();
                lines[1..].sort();
                heads.push(lines);
            }
            assert_eq!(heads[0], heads[1], "{method} with {} bytes", body.len());
            let line = format!(
                "{} /hook?a=1 http/1.1",
                method.as_str().to_ascii_lowercase()
            );
            assert!(heads[0][0].starts_with(&line), "{heads:?}");
        }
    }

    #[test]
    fn a_failure_is_scrubbed_of_secrets() {
        let token = SecretString::new("tok-sentinel-123");
        let failure = Failure {
            kind: FailureKind::Other,
            message: "http://127.0.0.1/: echoed tok-sentinel-123".to_string(),
        }
        .scrubbed(&[&token]);
        assert_eq!(failure.message, "http://127.0.0.1/: echoed (redacted)");
    }

    #[test]
    fn a_record_becomes_a_request_without_what_listen_redacted() {
        let mut record = record(b"{}");
        record.query = "hub.mode=subscribe&hub.verify_token=(redacted)&x=1".to_string();
        record
            .headers
            .push(("Authorization".into(), secret::REDACTED.into()));
        record.headers.push(("Content-Length".into(), "2".into()));
        let target = Url::parse("http://127.0.0.1:3000/base").unwrap();
        let request = RecordRequest::new(&record, &target).unwrap();
        assert_eq!(request.method, Method::POST);
        assert_eq!(
            request.url.as_str(),
            "http://127.0.0.1:3000/base/webhook?hub.mode=subscribe&x=1"
        );
        assert!(request.headers.get("authorization").is_none());
        assert!(request.headers.get("content-length").is_none());
        assert!(request.headers.get("content-type").is_some());
        let redacted: Vec<&str> = request.redacted.iter().map(String::as_str).collect();
        assert_eq!(redacted, ["Authorization", "query hub.verify_token"]);
        let note = redacted_note(&request.redacted, false).unwrap();
        assert!(
            note.contains("--basic-auth-env VAR") && note.contains("--handshake"),
            "{note}"
        );
        let note = redacted_note(&request.redacted, true).unwrap();
        assert!(!note.contains("--basic-auth-env"), "{note}");
    }

    #[test]
    fn an_edited_body_goes_as_its_provider_writes_it_and_an_unedited_one_as_captured() {
        let captured = crate::catalogue::find_sample("meta/message-reaction")
            .unwrap()
            .body;
        let record = record(captured);
        assert_eq!(wire_body(&record, None).unwrap(), captured);
        assert_eq!(
            wire_body(&record, Some(captured.to_vec())).unwrap(),
            captured
        );
        let edited = String::from_utf8(captured.to_vec())
            .unwrap()
            .replace("\"emoji\"", "\"emoji\" ");
        let sent = wire_body(&record, Some(edited.into_bytes())).unwrap();
        let text = String::from_utf8(sent).unwrap();
        assert!(text.is_ascii() && text.contains("\\ud83d\\udc4d"), "{text}");
        // Not a provider's body: as given.
        assert_eq!(
            wire_body(&record, Some(b"{ \"a\": \"\xc3\xa9\" }".to_vec())).unwrap(),
            b"{ \"a\": \"\xc3\xa9\" }"
        );
    }
}
