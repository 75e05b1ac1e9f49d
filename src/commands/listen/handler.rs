//! One request, start to finish: read the body (never past `--max-body`), check credentials,
//! the handshake and the signature, validate, forward or acknowledge, save the record, show it,
//! answer. The record is written before the answer is sent.
use std::io::Read;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tiny_http::{Header, Request, Response};

use crate::capture::{
    self, CaptureRecord, CaptureWriter, ForwardResult, Rejection, SignatureCheck,
};
use crate::cli::Format;
use crate::inspector::{BodyFacts, FeedSender, Summary};
use crate::output;
use crate::providers::{self, Provider};
use crate::validation;

use super::Config;
use super::display::{self, DisplaySender, Notes, Stats};
use super::forward::Forwarder;

/// The longest a forwarded request waits for the app by default, whatever the provider's
/// patience (`--forward-timeout` sets it).
const FORWARD_TIMEOUT_MAX: Duration = Duration::from_secs(10);

pub(crate) struct Handler {
    config: Config,
    writer: CaptureWriter,
    seq: AtomicU64,
    /// This run's id, in each record.
    run: String,
    /// Requests taken and not yet answered.
    in_flight: AtomicU64,
    /// Requests not saved since the last warning about it (0: saving works).
    unsaved_since_warning: AtomicU64,
    /// Requests answered 503 for a full capture pipe since the last warning (0: none).
    pipe_full_since_warning: AtomicU64,
    /// Held while a body over `tiny_http::BUFFERED_BODY_MAX` is parsed: a JSON value takes
    /// many times its text's size, so such bodies are parsed one at a time.
    large_parse: Mutex<()>,
    /// The inspector's feed: each saved record's summary, handed over after the answer.
    feed: Option<FeedSender>,
}

/// What wa-hook answers.
struct Answer {
    status: u16,
    body: Vec<u8>,
    content_type: Option<String>,
    headers: Vec<Header>,
    /// Close the connection after answering (the body was not read).
    close: bool,
}

/// A request refused before its body was read, with its answer's status.
pub(crate) struct Refusal {
    pub status: u16,
    pub reason: String,
}

impl Answer {
    fn json(status: u16, body: impl Into<Vec<u8>>) -> Answer {
        Answer {
            status,
            body: body.into(),
            content_type: Some("application/json".to_string()),
            headers: Vec::new(),
            close: false,
        }
    }

    fn error(status: u16, message: &str) -> Answer {
        Answer::json(
            status,
            serde_json::json!({ "error": message })
                .to_string()
                .into_bytes(),
        )
    }

    fn into_response(self) -> Response<std::io::Cursor<Vec<u8>>> {
        let mut response = Response::from_data(self.body).with_status_code(self.status);
        if let Some(content_type) = self.content_type {
            if let Ok(header) = Header::from_bytes(&b"Content-Type"[..], content_type.as_bytes()) {
                response.add_header(header);
            }
        }
        for header in self.headers {
            response.add_header(header);
        }
        if self.close {
            response.add_header(
                Header::from_bytes(&b"Connection"[..], &b"close"[..]).expect("valid header"),
            );
        }
        response
    }
}

/// A request whose answer is decided and whose record is ready to save.
struct Handled {
    request: Request,
    record: CaptureRecord,
    answer: Answer,
    parsed: Option<serde_json::Value>,
    /// The body's gist, found while it was checked (without a feed; with one, `facts` has it).
    gist: Option<String>,
    provider: Option<Provider>,
    notes: Notes,
    /// What the inspector lists of the body, found while it was parsed (with a feed only).
    facts: Option<BodyFacts>,
}

/// What checking a body found besides its verdict (see [`Handler::check_body`]).
#[derive(Default)]
struct Checked {
    provider: Option<Provider>,
    /// The body as a `Value`, when the usual path parsed it (and it is not large).
    parsed: Option<serde_json::Value>,
    facts: Option<BodyFacts>,
    /// The gist, when the lean path found it (without a feed).
    gist: Option<String>,
}

/// A request's record as received, and what the record keeps only redacted.
struct Received {
    record: CaptureRecord,
    /// The headers as received, when the record's differ (some were redacted).
    headers: Option<Vec<(String, String)>>,
    query: String,
}

/// Why a request's body was not read whole.
enum Unread {
    /// Refused before its body was read.
    Refused(Refusal),
    /// Larger than `--max-body`: not read (the length declared, or what was seen of a chunked
    /// body before the limit).
    TooLarge(u64),
    /// The sender stopped part-way: what was read, and why it stopped.
    Incomplete(Vec<u8>, String),
}

fn read_body(request: &mut Request, max: u64) -> Result<Vec<u8>, Unread> {
    let declared = request.body_length();
    if declared.is_some_and(|length| length as u64 > max) {
        return Err(Unread::TooLarge(declared.unwrap_or_default() as u64));
    }
    // For `Connection: upgrade` tiny_http hands over the raw connection as the body: read only
    // what was declared, or the read would wait for the sender to hang up.
    let limit = if asks_upgrade(request) {
        declared.unwrap_or(0) as u64
    } else {
        max.saturating_add(1)
    };
    let capacity = declared.unwrap_or(0).min(max as usize);
    let mut bytes = Vec::with_capacity(capacity);
    match request.as_reader().take(limit).read_to_end(&mut bytes) {
        Ok(_) if bytes.len() as u64 > max => Err(Unread::TooLarge(bytes.len() as u64)),
        Ok(_) => Ok(bytes),
        Err(err) => Err(Unread::Incomplete(bytes, err.to_string())),
    }
}

/// True when the request's whole body is in memory already (tiny_http reads a body of up to
/// `BUFFERED_BODY_MAX` bytes before queueing the request), so reading it cannot wait on the
/// sender.
pub(crate) fn body_arrived(request: &Request) -> bool {
    let header = |name: &'static str| request.headers().iter().any(|h| h.field.equiv(name));
    if asks_upgrade(request) {
        return false;
    }
    match request.body_length() {
        Some(length) => {
            length == 0 || (length <= tiny_http::BUFFERED_BODY_MAX && !header("Expect"))
        }
        None => !header("Transfer-Encoding"),
    }
}

/// `Connection: upgrade` (an h2c or WebSocket upgrade), which wa-hook answers like any other
/// request.
fn asks_upgrade(request: &Request) -> bool {
    request.headers().iter().any(|h| {
        h.field.equiv("Connection") && h.value.as_str().to_ascii_lowercase().contains("upgrade")
    })
}

/// `--events`: a prefix of the kind (`status` matches `status:read`), a provider, a provider
/// and kind (`qikchat status`), a verdict (`invalid`), or `rejected`.
pub(crate) fn event_matches(filters: &[String], record: &CaptureRecord) -> bool {
    if filters.is_empty() {
        return true;
    }
    let kind = record
        .kind
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_default();
    let provider = record.provider.map_or("", Provider::id);
    let verdict = record.verdict.map(validation::Verdict::word);
    filters.iter().any(|filter| {
        let filter = filter.as_str();
        (!kind.is_empty() && kind.starts_with(filter))
            || (!provider.is_empty() && provider == filter)
            || filter.split_once(' ').is_some_and(|(p, k)| {
                p == provider && !kind.is_empty() && kind.starts_with(k.trim())
            })
            || verdict == Some(filter)
            || (filter == "rejected" && record.rejected.is_some())
    })
}

impl Handler {
    pub fn new(config: Config, writer: CaptureWriter) -> Handler {
        Handler {
            config,
            // A file that already holds records: this run's continue their numbering.
            seq: AtomicU64::new(writer.last_seq()),
            run: capture::new_run_id(),
            writer,
            in_flight: AtomicU64::new(0),
            unsaved_since_warning: AtomicU64::new(0),
            pipe_full_since_warning: AtomicU64::new(0),
            large_parse: Mutex::new(()),
            feed: None,
        }
    }

    /// Hand the inspector the summary of each record saved.
    pub fn with_feed(mut self, feed: Option<FeedSender>) -> Handler {
        self.feed = feed;
        self
    }

    /// Records the inspector's feed dropped (it read them back from the file).
    pub fn feed_dropped(&self) -> u64 {
        self.feed.as_ref().map_or(0, FeedSender::dropped)
    }

    /// The capture writer (for what it says at the stop).
    pub fn writer(&self) -> &CaptureWriter {
        &self.writer
    }

    /// Requests taken and not yet answered (at the stop: abandoned).
    pub fn in_flight(&self) -> u64 {
        self.in_flight.load(Ordering::Relaxed)
    }

    /// Take requests the worker received together: decide each one's answer, save all their
    /// records with one write, show them, then answer each.
    pub fn handle(&self, requests: Vec<Request>, stats: &Mutex<Stats>, display: &DisplaySender) {
        self.handle_refused(requests, None, stats, display);
    }

    /// [`Handler::handle`], refusing each request with `refusal` (its body unread) when given.
    pub fn handle_refused(
        &self,
        requests: Vec<Request>,
        refusal: Option<&Refusal>,
        stats: &Mutex<Stats>,
        display: &DisplaySender,
    ) {
        self.in_flight
            .fetch_add(requests.len() as u64, Ordering::Relaxed);
        let mut handled: Vec<Handled> = requests
            .into_iter()
            .map(|request| self.decide(request, refusal))
            .collect();
        let saved = self.save(&mut handled, display);
        self.show_all(&handled, saved, stats, display);
        let records = self.answer_all(handled);
        // After the answers: the inspector never holds one. What was not saved is not listed.
        if let (Some(feed), true) = (&self.feed, saved) {
            let summaries = records
                .into_iter()
                .map(|(record, facts)| Summary::fed(record, facts, feed.file()))
                .collect();
            feed.send(summaries);
        }
    }

    /// Save the batch's records with one write. On failure each answer becomes 503 (the
    /// capture pipe is full: the sender retries; counts as saved) or 500 (not saved: false).
    /// Warnings go through `display` ([`DisplaySender::warn`]).
    fn save(&self, handled: &mut [Handled], display: &DisplaySender) -> bool {
        match self.writer.write_all(handled.iter().map(|one| &one.record)) {
            Ok(()) => {
                self.saving_resumed(display);
                true
            }
            Err(err) if err.downcast_ref::<capture::PipeFull>().is_some() => {
                self.pipe_full(handled, &err, display);
                true
            }
            Err(err) => {
                self.not_saved(handled, &err, display);
                false
            }
        }
    }

    /// After a write that worked: say so once if earlier ones did not.
    fn saving_resumed(&self, display: &DisplaySender) {
        let refused = take_count(&self.pipe_full_since_warning);
        if refused > 0 {
            display.warn(format!(
                "the capture pipe is read again ({} answered 503)",
                output::plural(refused, "request was", "requests were")
            ));
        }
        let unsaved = take_count(&self.unsaved_since_warning);
        if unsaved > 0 {
            display.warn(format!(
                "saving again ({} could not be saved, answered 500)",
                output::plural(unsaved, "request", "requests")
            ));
        }
    }

    /// The capture pipe is not read fast enough: the sender is told to try again (503), and
    /// the summary counts them (`CaptureWriter::pipe_refusals`).
    fn pipe_full(&self, handled: &mut [Handled], err: &anyhow::Error, display: &DisplaySender) {
        if self
            .pipe_full_since_warning
            .fetch_add(handled.len() as u64, Ordering::Relaxed)
            == 0
        {
            display.warn(format!(
                "{err}: answering 503 until it is (the summary counts them)"
            ));
        }
        for one in handled {
            one.answer = Answer::error(503, "busy; try again");
            one.answer
                .headers
                .push(Header::from_bytes(&b"Retry-After"[..], &b"1"[..]).expect("valid header"));
            one.record.response_status = 503;
        }
    }

    /// One warning until saving works again (a full disk would otherwise print a line per
    /// request, and block every worker on a stderr nobody reads); the summary counts them all.
    fn not_saved(&self, handled: &mut [Handled], err: &anyhow::Error, display: &DisplaySender) {
        let earlier = self
            .unsaved_since_warning
            .fetch_add(handled.len() as u64, Ordering::Relaxed);
        if let (0, Some(first), Some(last)) = (earlier, handled.first(), handled.last()) {
            let which = if first.record.seq == last.record.seq {
                format!("request #{}", first.record.seq)
            } else {
                format!("requests #{}-#{}", first.record.seq, last.record.seq)
            };
            display.warn(format!(
                "{which} not saved, answered 500: {err:#} (until saving works again, \
                 no more of these; the summary counts them)"
            ));
        }
        for one in handled {
            one.answer = Answer::error(500, "wa-hook could not save this request");
            one.record.response_status = 500;
        }
    }

    /// Count the batch and send the lines `--events` lets through to the display.
    fn show_all(
        &self,
        handled: &[Handled],
        saved: bool,
        stats: &Mutex<Stats>,
        display: &DisplaySender,
    ) {
        let mut text = String::new();
        {
            let mut stats = stats
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            for one in handled {
                if event_matches(&self.config.events, &one.record) {
                    self.show(one, &mut text);
                }
                stats.count(&one.record);
                if !saved {
                    stats.count_unsaved();
                }
            }
        }
        if !text.is_empty() {
            display.send(text);
        }
    }

    /// Answer each request of the batch, in order; their records (and what the inspector
    /// lists of their bodies) when it is fed.
    fn answer_all(&self, handled: Vec<Handled>) -> Vec<(CaptureRecord, Option<BodyFacts>)> {
        let mut records = Vec::with_capacity(if self.feed.is_some() {
            handled.len()
        } else {
            0
        });
        for Handled {
            request,
            answer,
            record,
            facts,
            ..
        } in handled
        {
            if let Some(delay) = self.config.delay {
                std::thread::sleep(delay);
            }
            let close = answer.close;
            let response = answer.into_response();
            if close {
                // tiny_http reads and discards an unread body when the request is dropped; let
                // that happen off the worker, so a large or stalled upload never holds one.
                std::thread::spawn(move || {
                    let _ = request.respond(response);
                });
            } else {
                let _ = request.respond(response);
            }
            self.in_flight.fetch_sub(1, Ordering::Relaxed);
            if self.feed.is_some() {
                records.push((record, facts));
            }
        }
        records
    }

    /// True when requests are forwarded to the app (and so may wait for it).
    pub fn forwards(&self) -> bool {
        self.config.forward.is_some()
    }

    /// True when a worker may take several queued requests at once: answering them waits for
    /// the whole batch, which is only quick when nothing is forwarded or delayed.
    pub fn batches(&self) -> bool {
        self.config.forward.is_none() && self.config.delay.is_none()
    }

    /// Read one request and decide its answer and record.
    fn decide(&self, mut request: Request, refusal: Option<&Refusal>) -> Handled {
        let Received {
            mut record,
            headers: received_headers,
            query,
        } = self.received(&request);
        // The headers as received: the record's own unless some were redacted (put back in
        // the record below).
        let record_headers = std::mem::take(&mut record.headers);
        let headers = received_headers.as_deref().unwrap_or(&record_headers);
        // A request tiny_http could not read as HTTP/1.x, or one refused here: its body is
        // not read.
        let refused = match (request.rejection(), refusal) {
            (Some(rejection), _) => Some(Refusal {
                status: rejection.status,
                reason: rejection.reason.clone(),
            }),
            (None, Some(refusal)) => Some(Refusal {
                status: refusal.status,
                reason: refusal.reason.clone(),
            }),
            (None, None) => None,
        };
        let body = match refused {
            Some(refused) => {
                record.body_bytes = request.body_length().unwrap_or(0) as u64;
                Err(Unread::Refused(refused))
            }
            None => read_body(&mut request, self.config.max_body),
        };
        let mut notes = Notes::default();
        let mut checked = Checked::default();
        let answer = match body {
            Ok(bytes) => {
                (record.body, record.body_encoding) = CaptureRecord::encode_body(&bytes);
                record.body_bytes = bytes.len() as u64;
                checked = self.check_body(&mut record, &bytes, &query);
                let provider = checked.provider;
                self.respond_to(&mut record, &mut notes, provider, &query, headers, bytes)
            }
            Err(unread) => self.refuse(&mut record, unread),
        };
        notes.content_type = capture::find_header(headers, "content-type").map(str::to_string);
        record.response_status = answer.status;
        record.headers = record_headers;

        let Checked {
            provider,
            parsed,
            facts,
            gist,
        } = checked;
        Handled {
            request,
            record,
            answer,
            parsed,
            gist,
            provider,
            notes,
            facts,
        }
    }

    /// The record of a request as received (its body not read yet), with the query as it
    /// came and, when the record's headers had secrets redacted, the headers as they came.
    fn received(&self, request: &Request) -> Received {
        let seq = self.seq.fetch_add(1, Ordering::Relaxed) + 1;
        let received_at = capture::now_rfc3339();
        let capture::RequestHead {
            method,
            path,
            query,
            headers,
            remote_addr,
        } = capture::RequestHead::of(request);
        let (kept_headers, redacted_headers, headers) =
            capture::redacted_owned(headers, self.config.keep_secrets);
        let record = CaptureRecord {
            seq,
            run: Some(self.run.clone()),
            received_at,
            remote_addr,
            method,
            path,
            query: capture::redacted_query(&query, self.config.keep_secrets),
            headers: kept_headers,
            redacted_headers,
            ..CaptureRecord::default()
        };
        Received {
            record,
            headers,
            query,
        }
    }

    /// The answer to a request whose body was not read whole: refused unread, too large, or
    /// cut short by the sender.
    fn refuse(&self, record: &mut CaptureRecord, unread: Unread) -> Answer {
        match unread {
            Unread::Refused(Refusal { status, reason }) => {
                record.rejected = Some(Rejection::Other(reason));
                let mut answer = Answer::error(status, http_reason(status));
                answer.close = true;
                answer
            }
            Unread::TooLarge(length) => {
                record.body_bytes = length;
                record.rejected = Some(Rejection::BodyTooLarge {
                    bytes: length,
                    max: self.config.max_body,
                });
                let mut answer = Answer::error(413, "body too large");
                answer.close = true;
                answer
            }
            Unread::Incomplete(bytes, why) => {
                (record.body, record.body_encoding) = CaptureRecord::encode_body(&bytes);
                record.body_bytes = bytes.len() as u64;
                record.rejected = Some(Rejection::IncompleteBody(why));
                Answer::error(400, "incomplete body")
            }
        }
    }

    /// Validate a body that is expected (not a bodiless GET), writing the verdict into the
    /// record: the provider that claimed it, its parsed value or gist for the live line (no
    /// value kept for a large body), and what the inspector lists of it (when it is fed).
    /// A body the lean check finds valid is read as a tape, its gist and message events
    /// with it ([`validation::check_lean_with`]); any other goes the usual way.
    fn check_body(&self, record: &mut CaptureRecord, bytes: &[u8], query: &str) -> Checked {
        if !validation::expects_body(&record.method, bytes) {
            return Checked::default();
        }
        let large = bytes.len() > tiny_http::BUFFERED_BODY_MAX;
        let turn = large.then(|| {
            self.large_parse
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
        });
        // A large body of very many values is not parsed: its parsed form would take hundreds
        // of megabytes (`validation::MAX_VALUES`).
        let values = if large {
            validation::count_values(bytes)
        } else {
            0
        };
        if values > validation::MAX_VALUES {
            validation::Check::too_many_values(values).record_into(record);
            let facts = self
                .feed
                .is_some()
                .then(|| BodyFacts::of(record, bytes, None));
            return Checked {
                facts,
                ..Checked::default()
            };
        }
        let lean =
            validation::check_lean_with(bytes, &self.config.check, |body, provider, kind| {
                if self.feed.is_some() {
                    (Some(BodyFacts::of_tape(body, provider, kind)), None)
                } else if self.config.format == Format::Text {
                    (None, Some(providers::gist_tape(body, provider, kind)))
                } else {
                    (None, None)
                }
            });
        if let Some((check, (facts, gist))) = lean {
            let provider = check.provider;
            check.record_into(record);
            return Checked {
                provider,
                parsed: None,
                facts,
                gist,
            };
        }
        let (check, value) = validation::check_bytes_parsed(bytes, Some(query), &self.config.check);
        let provider = check.provider;
        check.record_into(record);
        let facts = self
            .feed
            .is_some()
            .then(|| BodyFacts::of(record, bytes, value.as_ref()));
        drop(turn);
        Checked {
            provider,
            parsed: if large { None } else { value },
            facts,
            gist: None,
        }
    }

    /// The request's line (or JSON record) for the display, appended to `text`.
    fn show(&self, one: &Handled, text: &mut String) {
        let record = &one.record;
        match self.config.format {
            Format::Json => {
                if let Ok(line) = serde_json::to_string(record) {
                    text.push_str(&line);
                    text.push('\n');
                }
            }
            Format::Text => {
                let found = one
                    .facts
                    .as_ref()
                    .and_then(BodyFacts::gist_of_body)
                    .or(one.gist.as_deref());
                let gist = match (found, &one.parsed, one.provider, &record.kind) {
                    // Found already for the inspector.
                    (Some(gist), ..) => Some(std::borrow::Cow::Borrowed(gist)),
                    (None, Some(value), Some(provider), Some(kind)) => {
                        Some(providers::gist(value, provider, kind).into())
                    }
                    _ => None,
                };
                text.push_str(&display::request_line(record, gist.as_deref(), &one.notes));
            }
        }
    }

    /// Decide the answer for a request whose body was read: refused for its credentials, the
    /// handshake answered, refused for its signature, or forwarded to the app or acknowledged.
    fn respond_to(
        &self,
        record: &mut CaptureRecord,
        notes: &mut Notes,
        provider: Option<Provider>,
        query: &str,
        headers: &[(String, String)],
        body: Vec<u8>,
    ) -> Answer {
        if let Some(refused) = self.check_basic_auth(record, headers) {
            return refused;
        }
        if let Some(answer) = self.answer_handshake(record, notes, query) {
            return answer;
        }
        if let Some(refused) = self.check_signature(record, provider, headers, &body) {
            return refused;
        }
        match &self.config.forward {
            Some(forwarder) if event_matches(&self.config.events, record) => {
                let request = (query, headers, body);
                self.forward(forwarder, record, notes, provider, request)
            }
            _ => self.ack(),
        }
    }

    /// `--basic-auth-env`: a 401 for credentials that do not match.
    fn check_basic_auth(
        &self,
        record: &mut CaptureRecord,
        headers: &[(String, String)],
    ) -> Option<Answer> {
        let auth = self.config.basic_auth.as_ref()?;
        if auth.matches_header(capture::find_header(headers, "authorization")) {
            return None;
        }
        record.rejected = Some(Rejection::BasicAuth);
        let mut answer = Answer::error(401, "unauthorized");
        answer.headers.push(
            Header::from_bytes(&b"WWW-Authenticate"[..], &b"Basic realm=\"wa-hook\""[..])
                .expect("valid header"),
        );
        Some(answer)
    }

    /// Meta's subscription handshake (a GET with `hub.mode`): with `--verify-token-env`, the
    /// challenge echoed or a 403; without, noted as not answered (the request goes on).
    fn answer_handshake(
        &self,
        record: &mut CaptureRecord,
        notes: &mut Notes,
        query: &str,
    ) -> Option<Answer> {
        if record.method != "GET" {
            return None;
        }
        let handshake = providers::find_handshake(query)?;
        if self.config.verify_token.is_none() {
            notes.handshake_unanswered = true;
            return None;
        }
        let ok = handshake.subscribes() && self.config.verify_token_matches(&handshake.token);
        notes.handshake = Some(ok);
        if ok {
            return Some(Answer {
                status: 200,
                body: handshake.challenge.into_bytes(),
                content_type: Some("text/plain".to_string()),
                headers: Vec::new(),
                close: false,
            });
        }
        record.rejected = Some(if handshake.subscribes() {
            Rejection::WrongVerifyToken
        } else {
            Rejection::HubMode(handshake.mode)
        });
        Some(Answer::error(403, "verification failed"))
    }

    /// `--app-secret-env`: the signature checked into the record; with
    /// `--reject-bad-signature`, a 401 for one that is missing or wrong.
    fn check_signature(
        &self,
        record: &mut CaptureRecord,
        provider: Option<Provider>,
        headers: &[(String, String)],
        body: &[u8],
    ) -> Option<Answer> {
        let config = &self.config;
        let secret = config.app_secret.as_ref()?;
        // Bodies of a provider that signs (or of no known provider) are checked; a Qikchat
        // body never carries Meta's signature, so it is not marked "missing". But with
        // --reject-bad-signature and no Basic auth, nothing else protects the endpoint: every
        // POST must be signed, whatever its shape claims.
        let must_be_signed = config.reject_bad_signature && config.basic_auth.is_none();
        let may_be_signed =
            must_be_signed || provider.is_none_or(|p| p.rules().signing().is_some());
        if record.method != "POST" || !may_be_signed {
            return None;
        }
        let (_, signing) = providers::signing_for(provider);
        let check = match capture::find_header(headers, signing.header()) {
            None => SignatureCheck::Missing,
            Some(received) if signing.verify(secret, received, body) => SignatureCheck::Valid,
            Some(received) => SignatureCheck::Invalid(
                signing
                    .diagnose(secret, received, body)
                    .summary()
                    .to_string(),
            ),
        };
        let bad = !check.is_valid();
        record.signature = Some(check);
        if bad && config.reject_bad_signature {
            record.rejected = Some(Rejection::BadSignature);
            return Some(Answer::error(401, "bad signature"));
        }
        None
    }

    /// `--forward-to`: the app's answer passed on, or 502/504 when it could not give one; the
    /// outcome is kept in the record either way.
    fn forward(
        &self,
        forwarder: &Forwarder,
        record: &mut CaptureRecord,
        notes: &mut Notes,
        provider: Option<Provider>,
        (query, headers, body): (&str, &[(String, String)], Vec<u8>),
    ) -> Answer {
        let config = &self.config;
        let url = forwarder.url_for(&record.path, query);
        let shown_url = forwarder.shown_url_for(&record.path, &record.query);
        let (budget, source) = providers::budget(config.budget, provider);
        let timeout = config
            .forward_timeout
            .unwrap_or_else(|| budget.min(FORWARD_TIMEOUT_MAX));
        match forwarder.forward(&record.method, (url, &shown_url), headers, body, timeout) {
            Ok(app) => {
                if app.latency > budget {
                    notes.over_budget = Some((budget, source));
                }
                record.forward = Some(ForwardResult {
                    url: shown_url,
                    status: Some(app.status),
                    latency_ms: output::ms(app.latency),
                    body: Some(String::from_utf8_lossy(&app.body).into_owned()),
                    error: None,
                });
                Answer {
                    status: app.status,
                    body: app.body,
                    content_type: app.content_type,
                    headers: Vec::new(),
                    close: false,
                }
            }
            Err(failure) => {
                record.forward = Some(ForwardResult {
                    url: shown_url,
                    status: None,
                    latency_ms: output::ms(failure.latency),
                    body: None,
                    error: Some(failure.error),
                });
                // The caller learns nothing about the app: the details are in the record.
                if failure.timed_out {
                    Answer::error(504, "your app did not answer in time")
                } else {
                    Answer::error(502, "wa-hook could not reach your app")
                }
            }
        }
    }

    fn ack(&self) -> Answer {
        Answer::json(self.config.ack.status, self.config.ack.body.clone())
    }
}

/// A count since the last warning, set back to 0; read first, so that the usual case (0: all
/// is well) writes nothing shared.
fn take_count(counter: &AtomicU64) -> u64 {
    if counter.load(Ordering::Relaxed) == 0 {
        0
    } else {
        counter.swap(0, Ordering::Relaxed)
    }
}

/// A short error text for a refusal's status.
fn http_reason(status: u16) -> &'static str {
    match status {
        408 => "request timeout",
        414 => "request line too long",
        417 => "expectation failed",
        431 => "request headers too large",
        501 => "transfer coding not implemented; send the body with Content-Length or chunked",
        503 => "busy; try again",
        505 => "HTTP version not supported; use HTTP/1.1",
        _ => "bad request",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_match_by_prefix_provider_and_verdict() {
        let mut record: CaptureRecord = serde_json::from_value(serde_json::json!({
            "wa_hook_capture": 1, "seq": 1, "received_at": "", "remote_addr": "",
            "method": "POST", "path": "/", "headers": [], "body": null,
            "body_encoding": "none", "body_bytes": 0, "response_status": 200,
            "provider": "qikchat", "kind": "status:read", "verdict": "valid"
        }))
        .unwrap();
        let filters = |list: &[&str]| list.iter().map(ToString::to_string).collect::<Vec<_>>();
        assert!(event_matches(&[], &record));
        assert!(event_matches(&filters(&["status"]), &record));
        assert!(event_matches(
            &filters(&["message:text", "status:read"]),
            &record
        ));
        assert!(event_matches(&filters(&["qikchat"]), &record));
        assert!(event_matches(&filters(&["qikchat status"]), &record));
        assert!(event_matches(&filters(&["valid"]), &record));
        assert!(!event_matches(&filters(&["message"]), &record));
        assert!(!event_matches(&filters(&["meta status"]), &record));
        record.rejected = Some(Rejection::BasicAuth);
        assert!(event_matches(&filters(&["rejected"]), &record));
    }
}
