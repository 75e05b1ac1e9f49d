//! What the inspector knows about the capture files it shows: a short summary and the place
//! in its file of each record (never the records themselves), for at most `RING_MAX` records;
//! older ones drop off the list. A record's detail is read back from its file when asked for.
//!
//! What a file holds already is read from its end backwards, so the newest records (the
//! first page) are listed at once however large the file; older ones follow, until the list
//! is full (the rest are only counted). Then one of two things adds the records that come:
//! - `inspect FILE...` (and `emulate`): one thread follows the files, reading what was
//!   appended since it last looked (a file that is replaced or cut short is read again from
//!   its start).
//! - `listen`: its workers hand over the summary of each record they saved, on a bounded
//!   channel ([`super::feed`]) that drops (and counts) rather than waits, so a slow inspector
//!   never holds an answer. The file is read only to show a record's detail (found by its
//!   `seq`) and to list the records the channel dropped.
//!
//! Live lists read the records added from a log of the newest `RING_MAX`, each at its own
//! pace; one that falls further behind is told to reload.
use std::collections::{BTreeMap, VecDeque};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::Value;

use super::feed::Feed;
use crate::capture::{self, CaptureRecord};
use crate::providers::{self, Kind, MessageEvent, Provider};
use crate::tape::TapeNode;
use crate::verdict::Verdict;

/// The most records listed; older ones drop off (their summaries, never the file).
pub const RING_MAX: usize = 50_000;
/// A line longer than this is passed over (a record of a 4 MiB body is at most ~25 MiB).
const LINE_MAX: usize = 32 << 20;
/// How much is read from a file at once.
const CHUNK: usize = 1 << 20;
/// How often the files are looked at.
const POLL: Duration = Duration::from_millis(100);
/// The ids: records read backwards from what the files held count down from here, records
/// added after (appended, or fed: this plus the record's number in the run) count up. Below
/// 2^53, so the page's numbers hold them exactly.
const ID_TOP: u64 = 1 << 40;
/// While older records are read, the live lists are told to reload at most this often.
const RELOAD_EVERY: Duration = Duration::from_millis(500);
/// The feed is looked at again this long after a batch arrived (with whatever came meanwhile).
const FEED_GATHER: Duration = Duration::from_millis(10);
/// When the feed dropped records, they are read from the file once nothing arrived for this.
const FEED_QUIET: Duration = Duration::from_millis(200);
/// ... or, while records keep arriving, at most this often (steady traffic after a flood is
/// never quiet, and would keep the records dropped in the flood off the list).
const FEED_LOOK_EVERY: Duration = Duration::from_secs(1);
/// The most records a live list is handed at once.
const UPDATES_MAX: usize = 1024;

/// The longest text a summary keeps of each field (the path, the query, the gist, a reason,
/// a message id): a summary is kept for each of `RING_MAX` records, and a path alone can be
/// 64 KiB. The detail, read back from the file, shows the whole of it.
const FIELD_MAX: usize = 512;
/// The most message events a summary keeps (a body may list thousands of statuses).
const MESSAGES_MAX: usize = 64;

/// `text` appended to `out`, cut to at most `FIELD_MAX` bytes (on a character boundary) and
/// then marked with `…`.
fn push_clipped(out: &mut String, text: &str) {
    if text.len() <= FIELD_MAX {
        out.push_str(text);
        return;
    }
    let mut end = FIELD_MAX;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    out.push_str(&text[..end]);
    out.push('…');
}

/// A file's name as the list shows it, for the summaries of its records. Kept for the rest of
/// the run (an inspector follows the few files it was given, for all of it): every summary
/// then names its file without sharing a count of its users between the threads that make and
/// drop summaries.
pub fn file_name(path: &Path) -> &'static str {
    Box::leak(
        crate::output::printable(&path.to_string_lossy())
            .into_owned()
            .into_boxed_str(),
    )
}

/// A summary's text fields, each cut to `FIELD_MAX`, in the order they are given.
#[derive(Clone, Copy)]
enum Field {
    ReceivedAt,
    Method,
    Path,
    Query,
    Kind,
    Rejected,
    Signature,
    ForwardError,
    Gist,
}

const FIELDS: usize = 9;
/// The message events whose ends are kept in the summary itself; a body about more (a batch
/// of statuses) keeps the ends of the rest in a block of their own.
const EVENTS_INLINE: usize = 2;
/// Ends per message event: its id, its status, its error (empty when it has none).
const EVENT_ENDS: usize = 3;
const ENDS_INLINE: usize = FIELDS + EVENT_ENDS * EVENTS_INLINE;
// Which events have an error is a bit each in a `u64`.
const _: () = assert!(MESSAGES_MAX <= 64);

/// A summary's text fields and the message events it lists, in one block. A summary is kept
/// for each of `RING_MAX` records and freed when it leaves the list, long after and on another
/// thread than the worker that made it: each block it holds is memory kept all that time and a
/// free across threads. One block for every text, instead of one per field and a `Vec` and
/// two or three strings per message event: with a full list of Meta statuses `listen` held
/// 54.6 MB rather than 66.7 MB.
#[derive(Debug)]
struct Texts {
    text: Box<str>,
    /// Where each text ends in `text` (each starts where the one before ends): the fields in
    /// the order of [`Field`], then each event's id, status and error; those past
    /// `ENDS_INLINE` in `more`.
    ends: [u32; ENDS_INLINE],
    more: Box<[u32]>,
    /// The fields that are there (the optional ones may not be), a bit each.
    present: u16,
    /// How many message events, at most `MESSAGES_MAX`.
    events: u8,
    /// The events that have an error, a bit each.
    errors: u64,
}

impl Texts {
    /// The texts of `fields` and of the first `MESSAGES_MAX` of `events`, each cut to
    /// `FIELD_MAX`.
    fn new(fields: [Option<&str>; FIELDS], events: &[MessageEvent]) -> Texts {
        let events = &events[..events.len().min(MESSAGES_MAX)];
        let clipped = |text: &str| text.len().min(FIELD_MAX + '…'.len_utf8());
        let size = fields
            .iter()
            .flatten()
            .map(|field| clipped(field))
            .sum::<usize>()
            + events
                .iter()
                .map(|event| {
                    clipped(&event.id)
                        + clipped(&event.status)
                        + event.error.as_deref().map_or(0, clipped)
                })
                .sum::<usize>();
        let mut text = String::with_capacity(size);
        let mut ends = [0u32; ENDS_INLINE];
        let mut more = Vec::new();
        let mut count = 0;
        let mut end = |text: &String| {
            // At most nine fields and 64 events of three texts of at most 515 bytes each.
            let at = u32::try_from(text.len()).expect("a summary's texts are under 4 GiB");
            match ends.get_mut(count) {
                Some(end) => *end = at,
                None => more.push(at),
            }
            count += 1;
        };
        let mut present = 0u16;
        for (at, field) in fields.iter().enumerate() {
            if let Some(field) = field {
                present |= 1 << at;
                push_clipped(&mut text, field);
            }
            end(&text);
        }
        let mut errors = 0u64;
        for (at, event) in events.iter().enumerate() {
            push_clipped(&mut text, &event.id);
            end(&text);
            push_clipped(&mut text, &event.status);
            end(&text);
            if let Some(error) = &event.error {
                errors |= 1 << at;
                push_clipped(&mut text, error);
            }
            end(&text);
        }
        Texts {
            text: text.into_boxed_str(),
            ends,
            more: more.into_boxed_slice(),
            present,
            events: u8::try_from(events.len()).expect("at most 64 events"),
            errors,
        }
    }

    /// Where the `at`-th text ends.
    fn end(&self, at: usize) -> usize {
        (match at.checked_sub(ENDS_INLINE) {
            None => self.ends[at],
            Some(past) => self.more[past],
        }) as usize
    }

    /// The `at`-th text.
    fn text(&self, at: usize) -> &str {
        let start = at.checked_sub(1).map_or(0, |before| self.end(before));
        &self.text[start..self.end(at)]
    }

    fn get(&self, field: Field) -> Option<&str> {
        let at = field as usize;
        (self.present & (1 << at) != 0).then(|| self.text(at))
    }

    /// The `at`-th message event.
    fn event(&self, at: usize) -> Message<'_> {
        let first = FIELDS + EVENT_ENDS * at;
        Message {
            id: self.text(first),
            status: self.text(first + 1),
            error: (self.errors & (1 << at) != 0).then(|| self.text(first + 2)),
        }
    }
}

/// One message a listed record is about, as its summary keeps it ([`MessageEvent`], each text
/// cut to `FIELD_MAX`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Message<'a> {
    pub id: &'a str,
    pub status: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<&'a str>,
}

impl Message<'_> {
    /// The event as JSON appended to `out`, byte for byte as serde_json writes it (the
    /// summary test checks).
    fn write_json(self, out: &mut Vec<u8>) {
        use crate::escape::member;
        out.extend_from_slice(b"{\"id\":");
        crate::escape::json_string(self.id, out);
        member!(out, "status", text: self.status);
        if let Some(error) = self.error {
            member!(out, "error", text: error);
        }
        out.push(b'}');
    }
}

/// A summary's message events, serialized as a list of them.
struct Messages<'a>(&'a Summary);

impl Serialize for Messages<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.messages())
    }
}

/// One record, summed up for the list. Serialized (by [`Summary::write_json`] for a live list,
/// by serde for the API) as an object of its fields and texts, in the order written there.
#[derive(Debug)]
pub struct Summary {
    /// The inspector's number for the record (in the order read), used by the API.
    pub id: u64,
    /// The capture file's name as given ([`file_name`]).
    pub file: &'static str,
    pub seq: u64,
    /// `received_at`, `method`, `path`, `query`, `kind`, `rejected`, `signature`,
    /// `forward_error`, the gist (sender or recipient, and what it says) and the messages the
    /// body is about, with their statuses.
    texts: Texts,
    pub provider: Option<&'static str>,
    pub verdict: Option<Verdict>,
    pub errors: usize,
    pub response_status: u16,
    pub forward_status: Option<u16>,
    pub forward_latency_ms: Option<f64>,
    pub body_bytes: u64,
    /// What the list says for a record no provider claims, instead of a bare mark: `handshake`
    /// (a verification GET), `not JSON`, `no body`, `body not kept`.
    pub label: Option<&'static str>,
}

impl Serialize for Summary {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut out = serializer.serialize_struct("Summary", 21)?;
        out.serialize_field("id", &self.id)?;
        out.serialize_field("file", self.file)?;
        out.serialize_field("seq", &self.seq)?;
        out.serialize_field("received_at", self.received_at())?;
        out.serialize_field("method", self.method())?;
        out.serialize_field("path", self.path())?;
        if self.query().is_empty() {
            out.skip_field("query")?;
        } else {
            out.serialize_field("query", self.query())?;
        }
        out.serialize_field("provider", &self.provider)?;
        out.serialize_field("kind", &self.kind())?;
        out.serialize_field("verdict", &self.verdict)?;
        out.serialize_field("errors", &self.errors)?;
        out.serialize_field("rejected", &self.rejected())?;
        out.serialize_field("signature", &self.signature())?;
        out.serialize_field("response_status", &self.response_status)?;
        out.serialize_field("forward_status", &self.forward_status)?;
        out.serialize_field("forward_latency_ms", &self.forward_latency_ms)?;
        out.serialize_field("forward_error", &self.forward_error())?;
        out.serialize_field("gist", self.gist())?;
        out.serialize_field("messages", &Messages(self))?;
        out.serialize_field("body_bytes", &self.body_bytes)?;
        match self.label {
            Some(label) => out.serialize_field("label", label)?,
            None => out.skip_field("label")?,
        }
        out.end()
    }
}

impl Summary {
    fn of(id: u64, file: &'static str, record: &CaptureRecord) -> Summary {
        let mut gist = String::new();
        let mut messages = Vec::new();
        let body = record.body_bytes().ok().flatten().unwrap_or_default();
        let parsed = crate::validation::parse_json(&body).ok();
        let label = label_of(record, body.is_empty(), parsed.is_some());
        let value = parsed.or_else(|| providers::query_body(&record.query));
        if let Some(value) = value {
            if let Some(detection) = providers::detect(&value) {
                gist = providers::gist(&value, detection.provider, &detection.kind);
                messages = providers::message_events(&value, &detection);
            }
        }
        let forward = record.forward.as_ref();
        Summary {
            id,
            file,
            seq: record.seq,
            texts: Summary::texts(
                record,
                forward.and_then(|f| f.error.as_deref()),
                &gist,
                &messages,
            ),
            provider: record.provider.map(crate::providers::Provider::id),
            verdict: record.verdict,
            errors: record.errors.len(),
            response_status: record.response_status,
            forward_status: forward.and_then(|f| f.status),
            forward_latency_ms: forward.map(|f| f.latency_ms),
            body_bytes: record.body_bytes,
            label,
        }
    }

    /// The texts of `record`'s summary, with `gist` and `messages`.
    fn texts(
        record: &CaptureRecord,
        forward_error: Option<&str>,
        gist: &str,
        messages: &[MessageEvent],
    ) -> Texts {
        let kind = record.kind.as_ref().map(ToString::to_string);
        let rejected = record.rejected.as_ref().map(ToString::to_string);
        let signature = record.signature.as_ref().map(ToString::to_string);
        Texts::new(
            [
                Some(&record.received_at),
                Some(&record.method),
                Some(&record.path),
                Some(&record.query),
                kind.as_deref(),
                rejected.as_deref(),
                signature.as_deref(),
                forward_error,
                Some(gist),
            ],
            messages,
        )
    }

    /// The summary of a record `listen` saved, from what its worker found in the body
    /// (`facts`) rather than by reading the body again; the same as [`Summary::of`] gives for
    /// the record's line. Its `id` is set by the index.
    pub fn fed(record: CaptureRecord, facts: Option<BodyFacts>, file: &'static str) -> Summary {
        let Some(facts) = facts else {
            // Not a body the worker checked (a bodiless GET, a refused request): as read.
            return Summary::of(0, file, &record);
        };
        let label = label_of(&record, facts.body_empty, facts.is_json);
        let forward = record.forward.as_ref();
        Summary {
            id: 0,
            file,
            seq: record.seq,
            texts: Summary::texts(
                &record,
                forward.and_then(|f| f.error.as_deref()),
                &facts.gist,
                &facts.messages,
            ),
            provider: record.provider.map(crate::providers::Provider::id),
            verdict: record.verdict,
            errors: record.errors.len(),
            response_status: record.response_status,
            forward_status: forward.and_then(|f| f.status),
            forward_latency_ms: forward.map(|f| f.latency_ms),
            body_bytes: record.body_bytes,
            label,
        }
    }

    pub fn received_at(&self) -> &str {
        self.texts.get(Field::ReceivedAt).unwrap_or_default()
    }

    pub fn method(&self) -> &str {
        self.texts.get(Field::Method).unwrap_or_default()
    }

    pub fn path(&self) -> &str {
        self.texts.get(Field::Path).unwrap_or_default()
    }

    /// The query, empty when there was none.
    pub fn query(&self) -> &str {
        self.texts.get(Field::Query).unwrap_or_default()
    }

    pub fn kind(&self) -> Option<&str> {
        self.texts.get(Field::Kind)
    }

    pub fn rejected(&self) -> Option<&str> {
        self.texts.get(Field::Rejected)
    }

    pub fn signature(&self) -> Option<&str> {
        self.texts.get(Field::Signature)
    }

    pub fn forward_error(&self) -> Option<&str> {
        self.texts.get(Field::ForwardError)
    }

    /// Sender or recipient, and what it says.
    pub fn gist(&self) -> &str {
        self.texts.get(Field::Gist).unwrap_or_default()
    }

    /// The messages the body is about, with their statuses.
    pub fn messages(&self) -> impl ExactSizeIterator<Item = Message<'_>> + '_ {
        (0..usize::from(self.texts.events)).map(|at| self.texts.event(at))
    }

    /// The summary as JSON appended to `out`: byte for byte what serde_json writes of it (a
    /// test checks), its strings escaped in one scan (`escape::json_string`). A live list
    /// writes one of these for every record of a flood. Every field is named here, so a new
    /// one cannot be left out.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        use crate::escape::member;
        /// Numbers, the verdict and the message events as serde_json writes them (into a
        /// `Vec`, which cannot fail).
        fn fine(written: serde_json::Result<()>) {
            written.expect("a Vec takes any JSON");
        }
        let Summary {
            id,
            file,
            seq,
            texts: _,
            provider,
            verdict,
            errors,
            response_status,
            forward_status,
            forward_latency_ms,
            body_bytes,
            label,
        } = self;
        let (received_at, method, path, query, gist) = (
            self.received_at(),
            self.method(),
            self.path(),
            self.query(),
            self.gist(),
        );
        let (kind, rejected, signature, forward_error) = (
            self.kind(),
            self.rejected(),
            self.signature(),
            self.forward_error(),
        );
        out.extend_from_slice(b"{\"id\":");
        fine(serde_json::to_writer(&mut *out, id));
        member!(out, "file", text: file);
        fine(member!(out, "seq", json: seq));
        member!(out, "received_at", text: received_at);
        member!(out, "method", text: method);
        member!(out, "path", text: path);
        if !query.is_empty() {
            member!(out, "query", text: query);
        }
        member!(out, "provider", maybe: *provider);
        member!(out, "kind", maybe: kind);
        fine(member!(out, "verdict", json: verdict));
        fine(member!(out, "errors", json: errors));
        member!(out, "rejected", maybe: rejected);
        member!(out, "signature", maybe: signature);
        fine(member!(out, "response_status", json: response_status));
        fine(member!(out, "forward_status", json: forward_status));
        fine(member!(out, "forward_latency_ms", json: forward_latency_ms));
        member!(out, "forward_error", maybe: forward_error);
        member!(out, "gist", text: gist);
        member!(out, "messages");
        crate::escape::joined(out, *b"[]", self.messages(), Message::write_json);
        fine(member!(out, "body_bytes", json: body_bytes));
        if let Some(label) = label {
            member!(out, "label", text: label);
        }
        out.push(b'}');
    }

    /// How the app answered the forward, as the list counts it: its status, `unreachable`, or
    /// `None` when the record was not forwarded.
    pub fn app_answer(&self) -> Option<String> {
        match (self.forward_status, self.forward_error()) {
            (Some(status), _) => Some(status.to_string()),
            (None, Some(_)) => Some("unreachable".to_string()),
            (None, None) => None,
        }
    }

    /// Whether the record passes the list's filters.
    pub fn matches(&self, filter: &Filter) -> bool {
        let lower = |text: Option<&str>| text.unwrap_or("").to_ascii_lowercase();
        if let Some(provider) = &filter.provider {
            if self.provider.unwrap_or("").to_ascii_lowercase() != *provider {
                return false;
            }
        }
        if let Some(kind) = &filter.kind {
            if !lower(self.kind()).starts_with(kind.as_str()) {
                return false;
            }
        }
        if let Some(verdict) = &filter.verdict {
            let word = if self.rejected().is_some() {
                "rejected"
            } else {
                self.verdict.map_or("none", Verdict::word)
            };
            if word != verdict {
                return false;
            }
        }
        if let Some(app) = &filter.app {
            if self.app_answer().as_deref() != Some(app.as_str()) {
                return false;
            }
        }
        if let Some(text) = &filter.text {
            let ids = self.messages().map(|m| m.id);
            let haystack = [
                self.method(),
                self.path(),
                self.query(),
                self.provider.unwrap_or(""),
                self.kind().unwrap_or(""),
                self.gist(),
                &self.seq.to_string(),
            ]
            .into_iter()
            .chain(ids)
            .any(|field| field.to_lowercase().contains(text.as_str()));
            if !haystack {
                return false;
            }
        }
        true
    }
}

/// The list's filters, lower-case; `None` lets everything through.
#[derive(Debug, Default)]
pub struct Filter {
    pub provider: Option<String>,
    /// A kind or its start (`status`, `message:text`).
    pub kind: Option<String>,
    /// A verdict word, or `rejected`.
    pub verdict: Option<String>,
    /// Found in the method, path, provider, kind, gist, message ids or seq.
    pub text: Option<String>,
    /// How the app answered the forward: a status (`500`) or `unreachable`.
    pub app: Option<String>,
}

/// The list's word for a record that no provider's body explains (see [`Summary::label`]).
fn label_of(record: &CaptureRecord, body_empty: bool, is_json: bool) -> Option<&'static str> {
    if record.method == "GET" && body_empty && providers::find_handshake(&record.query).is_some() {
        Some("handshake")
    } else if body_empty && record.body_bytes > 0 {
        Some("body not kept")
    } else if body_empty {
        Some("no body")
    } else if !is_json {
        Some("not JSON")
    } else {
        None
    }
}

/// What `listen`'s worker found in a body it checked, for the list: the gist, the messages
/// it is about, and whether it is JSON. Found while the worker holds the parsed body, so the
/// inspector never parses it again.
#[derive(Debug, PartialEq, Eq)]
pub struct BodyFacts {
    /// Whole (the live line shows it too); the summary keeps `FIELD_MAX` bytes of it.
    gist: String,
    messages: Vec<MessageEvent>,
    is_json: bool,
    body_empty: bool,
    /// The gist is of the query's fields (Picky Assist's query method), as the record keeps
    /// them (redacted).
    of_query: bool,
}

impl BodyFacts {
    /// The facts of `bytes` (the body as received), `value` its parsed form when it parsed
    /// (`None` when it did not, or was not parsed for its size), `record` as checked (its
    /// provider and kind set).
    pub fn of(record: &CaptureRecord, bytes: &[u8], value: Option<&Value>) -> BodyFacts {
        let blank = bytes.iter().all(u8::is_ascii_whitespace);
        let mut facts = BodyFacts {
            gist: String::new(),
            messages: Vec::new(),
            // A body too large to parse is taken for JSON, as only one that fails to parse
            // is marked otherwise.
            is_json: !blank && (value.is_some() || record.verdict != Some(Verdict::Malformed)),
            body_empty: bytes.is_empty(),
            of_query: blank,
        };
        if blank {
            // Picky Assist's query method: the fields as the record keeps them.
            if let Some(value) = providers::query_body(&record.query) {
                if let Some(detection) = providers::detect(&value) {
                    facts.gist = providers::gist(&value, detection.provider, &detection.kind);
                    facts.messages = kept(providers::message_events(&value, &detection));
                }
            }
            return facts;
        }
        if let (Some(value), Some(provider), Some(kind)) = (value, record.provider, &record.kind) {
            facts.gist = providers::gist(value, provider, kind);
            if let Some(lifecycle) = provider.rules().lifecycle() {
                facts.messages = kept(lifecycle.message_events(value, kind));
            }
        }
        facts
    }

    /// The facts of a body the lean check found valid ([`crate::validation::check_lean_with`]),
    /// read from its tape: what [`BodyFacts::of`] finds in its `Value`, without building one.
    pub fn of_tape(body: TapeNode<'_>, provider: Provider, kind: &Kind) -> BodyFacts {
        BodyFacts {
            gist: providers::gist_tape(body, provider, kind),
            messages: provider
                .rules()
                .lifecycle()
                .map(|lifecycle| kept(lifecycle.message_events_tape(body, kind)))
                .unwrap_or_default(),
            is_json: true,
            body_empty: false,
            of_query: false,
        }
    }

    /// The messages the body is about, the first `MESSAGES_MAX` (the list cuts their texts).
    #[cfg(test)]
    pub fn messages(&self) -> &[MessageEvent] {
        &self.messages
    }

    /// The gist of a body the worker parsed (not of the query's fields), for the live line.
    pub fn gist_of_body(&self) -> Option<&str> {
        (!self.of_query && !self.gist.is_empty()).then_some(self.gist.as_str())
    }
}

/// The message events a summary can keep: the first `MESSAGES_MAX`. A worker holds a batch's
/// facts until its answers are sent, and a body may list tens of thousands of statuses.
fn kept(mut messages: Vec<MessageEvent>) -> Vec<MessageEvent> {
    if messages.len() > MESSAGES_MAX {
        messages.truncate(MESSAGES_MAX);
        messages.shrink_to_fit();
    }
    messages
}

/// Where a record is in its file, when known.
#[derive(Clone, Copy)]
struct Place {
    file_id: FileId,
    offset: u64,
    len: u64,
}

/// One listed record.
struct Entry {
    /// The summary's id, kept here so that finding a record by id reads the list alone.
    id: u64,
    summary: Arc<Summary>,
    file: usize,
    /// `None` for a record `listen` fed whose line has not been looked for yet
    /// ([`Index::locate`] finds it by its `seq`).
    place: Option<Place>,
}

impl Entry {
    fn new(summary: Summary, file: usize, place: Option<Place>) -> Entry {
        Entry {
            id: summary.id,
            summary: Arc::new(summary),
            file,
            place,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct FileId(u64, u64);

impl FileId {
    fn of(meta: &std::fs::Metadata) -> FileId {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            FileId(meta.dev(), meta.ino())
        }
        #[cfg(not(unix))]
        {
            let _ = meta;
            FileId(0, 0)
        }
    }
}

/// What a live-list client is sent.
pub enum Update {
    Records(Vec<Arc<Summary>>),
    /// The list changed in a way single records do not say (a file replaced, older records
    /// read from the files, this client fell behind): reload it.
    Reload,
}

/// Where a live-list client is in the stream of records added ([`Index::updates`]).
pub struct Cursor {
    next: u64,
    reloads: u64,
}

struct State {
    /// In the order of their ids.
    entries: VecDeque<Entry>,
    /// The id of the next record appended to a file.
    next_up: u64,
    /// The id of the next older record read from the end of a file backwards.
    next_down: u64,
    /// Records that dropped off the front of the list, or that were never read into it.
    dropped: u64,
    /// The ids of the newest records added, in the order added, for the live lists;
    /// `log_start` is the number of the first one (since the start). A live list is sent those
    /// still listed. (Ids rather than the summaries: a summary shared by the list and the log
    /// had its count changed by both, and read again when it left each.)
    log: VecDeque<u64>,
    log_start: u64,
    /// Changes the live lists should reload for.
    reloads: u64,
}

impl Default for State {
    fn default() -> State {
        State {
            entries: VecDeque::new(),
            next_up: ID_TOP,
            next_down: ID_TOP - 1,
            dropped: 0,
            log: VecDeque::new(),
            log_start: 0,
            reloads: 0,
        }
    }
}

impl State {
    /// Add a record at its place by id (at the end but for a few arriving out of order), for
    /// the live lists too. A record listed already is not listed twice.
    fn insert(&mut self, entry: Entry) {
        let id = entry.id;
        // Records arrive nearly in order: their place is looked for from the end first.
        let mut at = self.entries.len();
        let mut steps = 0;
        while at > 0 && steps < 64 && self.entries[at - 1].id >= id {
            at -= 1;
            steps += 1;
        }
        if at > 0 && self.entries[at - 1].id >= id {
            at = self.entries.partition_point(|e| e.id < id);
        }
        if self.entries.get(at).is_some_and(|e| e.id == id) {
            return;
        }
        if at == 0 && self.entries.len() >= RING_MAX {
            // Older than everything listed, and the list is full.
            self.dropped += 1;
            return;
        }
        self.log.push_back(id);
        if self.log.len() > RING_MAX {
            self.log.pop_front();
            self.log_start += 1;
        }
        self.entries.insert(at, entry);
        if self.entries.len() > RING_MAX {
            self.entries.pop_front();
            self.dropped += 1;
        }
    }

    fn log_end(&self) -> u64 {
        self.log_start + self.log.len() as u64
    }
}

/// The records of the followed (or fed) files.
pub struct Index {
    files: Vec<PathBuf>,
    names: Vec<&'static str>,
    state: Mutex<State>,
    /// Told when records are added or the list should be reloaded.
    changed: Condvar,
    /// Set when `listen` feeds the records of its run.
    fed: Option<Fed>,
}

/// What the index knows of the run `listen` feeds it.
struct Fed {
    /// Records the feed dropped (shared with the workers' [`FeedSender`]).
    dropped: Arc<AtomicU64>,
    /// The highest `seq` in the file before the run: the run's records come after.
    last_seq: u64,
    /// How far the file was looked through for the run's records.
    located: Mutex<Located>,
}

struct Located {
    file_id: Option<FileId>,
    offset: u64,
    /// The feed's drops when the file was last looked through for them.
    drops: u64,
}

/// A page of the list.
#[derive(Serialize)]
pub struct Page {
    /// Newest first.
    pub records: Vec<Arc<Summary>>,
    /// Records that match the filters, in all.
    pub matching: usize,
    /// Records listed, in all.
    pub total: usize,
    /// Records no longer listed (only the newest `RING_MAX` are).
    pub dropped: u64,
    /// Forwards of the listed records (all of them, whatever the filters) by how the app
    /// answered: `{"200": 37, "500": 22, "unreachable": 1}`.
    pub app: BTreeMap<String, usize>,
    /// `listen`: records its workers could not hand over as they came (the inspector was
    /// behind); they were read back from the capture file instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub feed_dropped: Option<u64>,
}

impl Index {
    fn new(files: Vec<PathBuf>, fed: Option<Fed>) -> Arc<Index> {
        let names = files.iter().map(|path| file_name(path)).collect();
        Arc::new(Index {
            files,
            names,
            state: Mutex::new(State::default()),
            changed: Condvar::new(),
            fed,
        })
    }

    /// Follow `files` on a thread of its own: what they hold already is read from their end
    /// backwards (the newest first, the last file first), then what is appended.
    pub fn follow(files: Vec<PathBuf>) -> Arc<Index> {
        let index = Index::new(files, None);
        let follower = Arc::clone(&index);
        let _ = std::thread::Builder::new()
            .name("wa-hook-inspector-follow".to_string())
            .spawn(move || follower.run());
        index
    }

    /// `listen`'s capture file: what it holds already is read from its end backwards (on a
    /// thread of its own, at the lowest priority); this run's records come from `feed`, as
    /// the workers summed them up, never read from the file but to show a record's detail
    /// or when the feed dropped some.
    pub fn fed(file: PathBuf, feed: Feed) -> Arc<Index> {
        let Feed {
            receiver,
            queued,
            dropped,
            last_seq,
        } = feed;
        let start = std::fs::File::open(&file).ok().and_then(|handle| {
            let meta = handle.metadata().ok()?;
            let end = end_of_whole_lines(&handle, meta.len());
            Some((handle, FileId::of(&meta), end))
        });
        let index = Index::new(
            vec![file],
            Some(Fed {
                dropped,
                last_seq,
                located: Mutex::new(Located {
                    file_id: start.as_ref().map(|(_, id, _)| *id),
                    offset: start.as_ref().map_or(0, |(_, _, end)| *end),
                    drops: 0,
                }),
            }),
        );
        if let Some((handle, id, end)) = start {
            let reader = Arc::clone(&index);
            let _ = std::thread::Builder::new()
                .name("wa-hook-inspector-older".to_string())
                .spawn(move || {
                    reader.read_backwards(0, &handle, id, end);
                    super::yield_to_webhooks();
                });
        }
        let consumer = Arc::clone(&index);
        let _ = std::thread::Builder::new()
            .name("wa-hook-inspector-feed".to_string())
            .spawn(move || consumer.consume(&receiver, &queued));
        index
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn run(&self) {
        let mut follows: Vec<Follow> = (0..self.files.len()).map(|_| Follow::default()).collect();
        // The newest first: the last file's end, back to the first file's start.
        for (file, follow) in follows.iter_mut().enumerate().rev() {
            let Ok(handle) = File::open(&self.files[file]) else {
                continue;
            };
            let Ok(meta) = handle.metadata() else {
                continue;
            };
            let id = FileId::of(&meta);
            let end = end_of_whole_lines(&handle, meta.len());
            self.read_backwards(file, &handle, id, end);
            *follow = Follow {
                id: Some(id),
                handle: Some(handle),
                offset: end,
                ..Follow::default()
            };
        }
        super::yield_to_webhooks();
        loop {
            for (file, follow) in follows.iter_mut().enumerate() {
                self.poll(file, follow);
            }
            std::thread::sleep(POLL);
        }
    }

    /// List the records of `handle` before `end` (which ends a line), from the newest back,
    /// until the list is full; the older ones are only counted.
    fn read_backwards(&self, file: usize, handle: &File, file_id: FileId, end: u64) {
        if end == 0 {
            return;
        }
        let mut chunk = vec![0u8; CHUNK];
        let mut back = Backwards::default();
        let mut upto = end;
        let mut last_told = None::<Instant>;
        while upto > 0 {
            let from = upto.saturating_sub(CHUNK as u64);
            let piece = &mut chunk[..(upto - from) as usize];
            if read_at(handle, piece, from).is_err() {
                break;
            }
            let lines = back.lines(piece, from);
            if !back.counting {
                back.counting = self.list_older(file, file_id, lines);
                // The first page (the newest records) is read at the usual priority, the
                // rest at the lowest: a viewer's catching up never takes CPU from webhooks.
                super::yield_to_webhooks();
                let now = Instant::now();
                // The page asks again for what was read (at most a few times a second).
                if back.counting || last_told.is_none_or(|told| now - told >= RELOAD_EVERY) {
                    last_told = Some(now);
                    self.reload();
                }
            }
            upto = from;
        }
        if back.uncounted > 0 {
            self.state().dropped += back.uncounted;
        }
        self.reload();
    }

    /// List `lines` (newest first, each with its offset) before everything listed; true when
    /// the list is full (and older records are no longer listed).
    fn list_older(&self, file: usize, file_id: FileId, lines: Vec<(u64, Vec<u8>)>) -> bool {
        let mut read = Vec::with_capacity(lines.len());
        for (offset, line) in lines {
            if capture::record_seq(&line).is_none() {
                continue;
            }
            let Ok(record) = capture::parse_record(&line) else {
                continue;
            };
            let place = Place {
                file_id,
                offset,
                len: line.len() as u64,
            };
            read.push((Summary::of(0, self.names[file], &record), place));
        }
        let mut state = self.state();
        for (mut summary, place) in read {
            if state.entries.len() >= RING_MAX {
                state.dropped += 1;
                continue;
            }
            summary.id = state.next_down;
            state.next_down -= 1;
            state
                .entries
                .push_front(Entry::new(summary, file, Some(place)));
        }
        state.entries.len() >= RING_MAX
    }

    /// Tell the live lists to reload.
    fn reload(&self) {
        self.state().reloads += 1;
        self.changed.notify_all();
    }

    /// Read what was appended to one file since the last look.
    fn poll(&self, file: usize, follow: &mut Follow) {
        let Ok(meta) = std::fs::metadata(&self.files[file]) else {
            return;
        };
        let id = FileId::of(&meta);
        if follow.id != Some(id) || meta.len() < follow.offset {
            // Out of descriptors (or not readable) just now: look again at the next poll.
            let Ok(handle) = File::open(&self.files[file]) else {
                return;
            };
            if follow.id.is_some() {
                // Replaced or cut short: what was listed from it is gone.
                let mut state = self.state();
                state.entries.retain(|entry| entry.file != file);
                state.reloads += 1;
                drop(state);
                self.changed.notify_all();
            }
            *follow = Follow {
                id: Some(id),
                handle: Some(handle),
                ..Follow::default()
            };
        }
        let Some(mut handle) = follow.handle.take() else {
            return;
        };
        self.read_new(file, id, follow, &mut handle, meta.len());
        follow.handle = Some(handle);
    }

    /// Read from `follow.offset` up to `len`, handing over each whole line.
    fn read_new(&self, file: usize, id: FileId, follow: &mut Follow, handle: &mut File, len: u64) {
        let mut chunk = vec![0u8; CHUNK];
        while follow.offset < len {
            if handle.seek(SeekFrom::Start(follow.offset)).is_err() {
                return;
            }
            let read = match handle.read(&mut chunk) {
                Ok(0) | Err(_) => return,
                Ok(read) => read,
            };
            let mut start = 0;
            while let Some(at) = memchr::memchr(b'\n', &chunk[start..read]) {
                let end = start + at;
                if follow.skipping {
                    follow.skipping = false;
                } else {
                    follow.pending.extend_from_slice(&chunk[start..end]);
                    // The line began `pending.len() - (end - start)` bytes before this chunk.
                    let earlier = (follow.pending.len() - (end - start)) as u64;
                    let line_start = follow.offset + start as u64 - earlier;
                    let line = std::mem::take(&mut follow.pending);
                    self.add(file, id, line_start, &line);
                }
                start = end + 1;
            }
            if !follow.skipping {
                follow.pending.extend_from_slice(&chunk[start..read]);
                if follow.pending.len() > LINE_MAX {
                    follow.pending = Vec::new();
                    follow.skipping = true;
                }
            }
            follow.offset += read as u64;
        }
    }

    fn add(&self, file: usize, file_id: FileId, offset: u64, line: &[u8]) {
        if capture::record_seq(line).is_none() {
            return;
        }
        let Ok(record) = capture::parse_record(line) else {
            return;
        };
        let mut summary = Summary::of(0, self.names[file], &record);
        let mut state = self.state();
        summary.id = state.next_up;
        state.next_up += 1;
        let place = Place {
            file_id,
            offset,
            len: line.len() as u64,
        };
        state.insert(Entry::new(summary, file, Some(place)));
        drop(state);
        self.changed.notify_all();
    }

    /// The id of the run's record `seq` (fed ones come after every record read from the file).
    fn fed_id(fed: &Fed, seq: u64) -> Option<u64> {
        seq.checked_sub(fed.last_seq)
            .filter(|n| *n > 0)
            .and_then(|n| ID_TOP.checked_add(n))
    }

    /// Take the workers' summaries as they come, a few at a time; when the feed dropped some,
    /// read them back from the file once it is quiet (or every `FEED_LOOK_EVERY` while it is
    /// not).
    fn consume(&self, receiver: &Receiver<Vec<Summary>>, queued: &AtomicUsize) {
        let Some(fed) = &self.fed else {
            return;
        };
        let mut looked = Instant::now();
        loop {
            match receiver.recv_timeout(FEED_QUIET) {
                Ok(first) => {
                    // What else arrives meanwhile is taken with it.
                    std::thread::sleep(FEED_GATHER);
                    let mut batches = vec![first];
                    batches.extend(receiver.try_iter());
                    let count = batches.iter().map(Vec::len).sum();
                    self.add_fed(fed, batches);
                    queued.fetch_sub(count, Ordering::AcqRel);
                    if looked.elapsed() >= FEED_LOOK_EVERY {
                        looked = Instant::now();
                        if fed.dropped.load(Ordering::Relaxed) > self.located().drops {
                            self.locate();
                        }
                    }
                }
                Err(RecvTimeoutError::Timeout) => {
                    looked = Instant::now();
                    if fed.dropped.load(Ordering::Relaxed) > self.located().drops {
                        self.locate();
                    }
                }
                Err(RecvTimeoutError::Disconnected) => return,
            }
        }
    }

    fn add_fed(&self, fed: &Fed, batches: Vec<Vec<Summary>>) {
        let mut state = self.state();
        for mut summary in batches.into_iter().flatten() {
            let Some(id) = Index::fed_id(fed, summary.seq) else {
                continue;
            };
            summary.id = id;
            state.insert(Entry::new(summary, 0, None));
        }
        drop(state);
        self.changed.notify_all();
    }

    fn located(&self) -> std::sync::MutexGuard<'_, Located> {
        let fed = self.fed.as_ref().expect("fed");
        fed.located
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Look through the run's part of the file (from where the last look ended) for its
    /// records: each fed one gets its place in the file, and one the feed dropped is read
    /// from the file and listed.
    fn locate(&self) {
        let Some(fed) = &self.fed else {
            return;
        };
        let mut located = self.located();
        located.drops = fed.dropped.load(Ordering::Relaxed);
        let Ok(handle) = File::open(&self.files[0]) else {
            return;
        };
        let Ok(meta) = handle.metadata() else {
            return;
        };
        let file_id = FileId::of(&meta);
        if located.file_id != Some(file_id) || meta.len() < located.offset {
            // Created again (deleted while listening): its records start at its start.
            *located = Located {
                file_id: Some(file_id),
                offset: 0,
                drops: located.drops,
            };
        }
        let end = end_of_whole_lines(&handle, meta.len());
        let mut chunk = vec![0u8; CHUNK];
        while located.offset < end {
            let upto = end.min(located.offset + CHUNK as u64);
            let piece = &mut chunk[..(upto - located.offset) as usize];
            if read_at(&handle, piece, located.offset).is_err() {
                return;
            }
            // Whole lines only; a line longer than the chunk is read on its own.
            let Some(whole) = memchr::memrchr(b'\n', piece).map(|at| at + 1) else {
                let Some((len, line)) = line_at(&handle, located.offset, end) else {
                    return;
                };
                if let Some(line) = line {
                    self.place_fed(fed, file_id, located.offset, &[(0, &line[..])]);
                }
                located.offset += len;
                continue;
            };
            let mut lines = Vec::new();
            let mut start = 0;
            for at in memchr::memchr_iter(b'\n', &piece[..whole]) {
                lines.push((start, &piece[start..at]));
                start = at + 1;
            }
            self.place_fed(fed, file_id, located.offset, &lines);
            located.offset += whole as u64;
        }
    }

    /// The run's records among `lines` (each at its offset from `base`): the place of each
    /// listed one, and the ones missing listed from the file.
    fn place_fed(&self, fed: &Fed, file_id: FileId, base: u64, lines: &[(usize, &[u8])]) {
        let mut missing = Vec::new();
        {
            let mut state = self.state();
            for &(start, line) in lines {
                let Some(id) = capture::record_seq(line).and_then(|seq| Index::fed_id(fed, seq))
                else {
                    continue;
                };
                let place = Place {
                    file_id,
                    offset: base + start as u64,
                    len: line.len() as u64,
                };
                let at = state.entries.partition_point(|e| e.id < id);
                let full = state.entries.len() >= RING_MAX;
                match state.entries.get_mut(at) {
                    Some(entry) if entry.id == id => {
                        entry.place.get_or_insert(place);
                    }
                    // Older than the list holds: it dropped off, as the oldest do.
                    _ if at == 0 && full => {}
                    _ => missing.push((id, place, line)),
                }
            }
        }
        if missing.is_empty() {
            return;
        }
        let read: Vec<(Summary, Place)> = missing
            .into_iter()
            .filter_map(|(id, place, line)| {
                let record = capture::parse_record(line).ok()?;
                Some((Summary::of(id, self.names[0], &record), place))
            })
            .collect();
        let mut state = self.state();
        for (summary, place) in read {
            state.insert(Entry::new(summary, 0, Some(place)));
        }
        drop(state);
        self.changed.notify_all();
    }

    /// Records added after `cursor`, or a reload when the list changed otherwise or the client
    /// fell more than `RING_MAX` records behind; waits up to `wait` for one. `None`: nothing.
    pub fn updates(&self, cursor: &mut Cursor, wait: Duration) -> Option<Update> {
        let mut state = self.state();
        if cursor.next == state.log_end() && cursor.reloads == state.reloads {
            state = self
                .changed
                .wait_timeout(state, wait)
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .0;
        }
        if cursor.reloads != state.reloads || cursor.next < state.log_start {
            cursor.reloads = state.reloads;
            cursor.next = state.log_end();
            return Some(Update::Reload);
        }
        let from = (cursor.next - state.log_start) as usize;
        let ids = state.log.range(from..).take(UPDATES_MAX);
        let taken = ids.len();
        let records: Vec<Arc<Summary>> = ids
            .filter_map(|id| find(&state.entries, *id))
            .map(|entry| Arc::clone(&entry.summary))
            .collect();
        cursor.next += taken as u64;
        if records.is_empty() {
            // Nothing added, or only records no longer listed: a ping.
            return None;
        }
        Some(Update::Records(records))
    }

    /// Where a new live-list client starts: after the records listed now.
    pub fn cursor(&self) -> Cursor {
        let state = self.state();
        Cursor {
            next: state.log_end(),
            reloads: state.reloads,
        }
    }

    /// The newest `limit` records that match, newest first, older than `before` when given.
    pub fn list(&self, filter: &Filter, before: Option<u64>, limit: usize) -> Page {
        let state = self.state();
        let mut records = Vec::new();
        let mut matching = 0;
        let mut app = BTreeMap::new();
        for entry in state.entries.iter().rev() {
            if let Some(answer) = entry.summary.app_answer() {
                *app.entry(answer).or_insert(0) += 1;
            }
            if !entry.summary.matches(filter) {
                continue;
            }
            matching += 1;
            if records.len() < limit && before.is_none_or(|before| entry.id < before) {
                records.push(Arc::clone(&entry.summary));
            }
        }
        Page {
            records,
            matching,
            total: state.entries.len(),
            dropped: state.dropped,
            app,
            feed_dropped: self
                .fed
                .as_ref()
                .map(|fed| fed.dropped.load(Ordering::Relaxed)),
        }
    }

    /// At most `limit` records listed after record `after`, oldest first, and whether more
    /// follow them.
    pub fn after(&self, after: u64, limit: usize) -> (Vec<Arc<Summary>>, bool) {
        let state = self.state();
        let at = state.entries.partition_point(|entry| entry.id <= after);
        let records = state
            .entries
            .range(at..)
            .take(limit)
            .map(|entry| Arc::clone(&entry.summary))
            .collect();
        (records, state.entries.len() - at > limit)
    }

    /// The summary of record `id`.
    pub fn summary(&self, id: u64) -> Option<Arc<Summary>> {
        let state = self.state();
        find(&state.entries, id).map(|entry| Arc::clone(&entry.summary))
    }

    /// Where record `id` is: (file, place, seq); the place `None` when not found in the file.
    fn place_of(&self, id: u64) -> Option<(usize, Option<Place>, u64)> {
        let state = self.state();
        find(&state.entries, id).map(|entry| (entry.file, entry.place, entry.summary.seq))
    }

    /// Record `id`, read back from its file (a record `listen` fed is looked for by its `seq`).
    pub fn record(&self, id: u64) -> anyhow::Result<Option<CaptureRecord>> {
        let Some((mut file, mut place, mut seq)) = self.place_of(id) else {
            return Ok(None);
        };
        if place.is_none() && self.fed.is_some() {
            self.locate();
            let Some(found) = self.place_of(id) else {
                return Ok(None);
            };
            (file, place, seq) = found;
        }
        let Some(Place {
            file_id,
            offset,
            len,
        }) = place
        else {
            anyhow::bail!("record #{seq} is not in the capture file (deleted or replaced?)");
        };
        let mut handle = File::open(&self.files[file])?;
        if FileId::of(&handle.metadata()?) != file_id {
            anyhow::bail!("the capture file was replaced since the record was read");
        }
        handle.seek(SeekFrom::Start(offset))?;
        let mut line = Vec::with_capacity(len as usize);
        handle.take(len).read_to_end(&mut line)?;
        // Cut short (truncated while listening) or written over: not the record listed.
        let changed = || anyhow::anyhow!("the capture file changed since the record was read");
        if line.len() as u64 != len {
            return Err(changed());
        }
        let record = capture::parse_record(&line).map_err(|_| changed())?;
        if record.seq != seq {
            return Err(changed());
        }
        Ok(Some(record))
    }

    /// Every listed record about message `message_id`, oldest first.
    pub fn about_message(&self, message_id: &str) -> Vec<Arc<Summary>> {
        let state = self.state();
        state
            .entries
            .iter()
            .filter(|entry| entry.summary.messages().any(|m| m.id == message_id))
            .map(|entry| Arc::clone(&entry.summary))
            .collect()
    }
}

fn find(entries: &VecDeque<Entry>, id: u64) -> Option<&Entry> {
    // Ids only grow along the list, though a reload can leave gaps.
    let at = entries.partition_point(|entry| entry.id < id);
    entries.get(at).filter(|entry| entry.id == id)
}

/// Where the last line ended by a newline ends in `handle` (of `len` bytes): a last line
/// without one is being written.
fn end_of_whole_lines(handle: &File, len: u64) -> u64 {
    let mut chunk = vec![0u8; 64 * 1024];
    let mut upto = len;
    while upto > 0 {
        let from = upto.saturating_sub(chunk.len() as u64);
        let piece = &mut chunk[..(upto - from) as usize];
        if read_at(handle, piece, from).is_err() {
            return 0;
        }
        if let Some(at) = memchr::memrchr(b'\n', piece) {
            return from + at as u64 + 1;
        }
        upto = from;
    }
    0
}

/// The line at `offset` (without its newline) and its length with it; the line `None` when
/// it is longer than `LINE_MAX` (passed over). `end` ends a line.
fn line_at(handle: &File, offset: u64, end: u64) -> Option<(u64, Option<Vec<u8>>)> {
    let mut line = Some(Vec::new());
    let mut chunk = vec![0u8; CHUNK];
    let mut at = offset;
    while at < end {
        let piece = &mut chunk[..(end - at).min(CHUNK as u64) as usize];
        read_at(handle, piece, at).ok()?;
        let newline = memchr::memchr(b'\n', piece);
        let kept = newline.unwrap_or(piece.len());
        if let Some(bytes) = &mut line {
            bytes.extend_from_slice(&piece[..kept]);
            if bytes.len() > LINE_MAX {
                line = None;
            }
        }
        if newline.is_some() {
            return Some((at + kept as u64 + 1 - offset, line));
        }
        at += piece.len() as u64;
    }
    None
}

/// Reading a file's lines from its end backwards, a chunk at a time.
#[derive(Default)]
struct Backwards {
    /// The start of the line that ends where the chunk read last begins (only its head
    /// once `counting`).
    tail: Vec<u8>,
    /// Passing over a line longer than `LINE_MAX`.
    skipping: bool,
    /// The list is full: older records are only counted.
    counting: bool,
    uncounted: u64,
}

impl Backwards {
    /// The lines `piece` (read at `from`) ends, newest first, each with its offset; the part
    /// before its first newline is kept for the next (earlier) chunk, unless `from` is 0.
    fn lines(&mut self, piece: &[u8], from: u64) -> Vec<(u64, Vec<u8>)> {
        let mut lines = Vec::new();
        let mut line_end = piece.len();
        for at in memchr::memrchr_iter(b'\n', piece) {
            self.line(&piece[at + 1..line_end], from + at as u64 + 1, &mut lines);
            line_end = at;
        }
        if from == 0 {
            self.line(&piece[..line_end], 0, &mut lines);
        } else if self.counting {
            self.tail = head_of(&piece[..line_end], &self.tail);
        } else if !self.skipping {
            let mut start = piece[..line_end].to_vec();
            start.append(&mut self.tail);
            self.tail = start;
            if self.tail.len() > LINE_MAX {
                self.tail = Vec::new();
                self.skipping = true;
            }
        }
        lines
    }

    /// The line whose start is `start` (at `offset`), its rest in `tail`.
    fn line(&mut self, start: &[u8], offset: u64, lines: &mut Vec<(u64, Vec<u8>)>) {
        if self.counting {
            let head = head_of(start, &self.tail);
            if !head.is_empty() && capture::record_seq(&head).is_some() {
                self.uncounted += 1;
            }
        } else if !self.skipping {
            let mut line = start.to_vec();
            line.extend_from_slice(&self.tail);
            if !line.is_empty() {
                lines.push((offset, line));
            }
        }
        self.tail.clear();
        self.skipping = false;
    }
}

/// The first bytes of `start` followed by `rest`: enough for a record's `seq`.
fn head_of(start: &[u8], rest: &[u8]) -> Vec<u8> {
    const HEAD: usize = 128;
    let mut head = start[..start.len().min(HEAD)].to_vec();
    head.extend_from_slice(&rest[..rest.len().min(HEAD - head.len())]);
    head
}

#[cfg(unix)]
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
}

#[cfg(not(unix))]
fn read_at(_: &File, _: &mut [u8], _: u64) -> std::io::Result<()> {
    Err(std::io::Error::other("not supported"))
}

/// Where the follower is in one file.
#[derive(Default)]
struct Follow {
    id: Option<FileId>,
    handle: Option<File>,
    /// Bytes of the file read so far.
    offset: u64,
    /// The start of a line whose end has not been read yet.
    pending: Vec<u8>,
    /// Passing over a line longer than `LINE_MAX`.
    skipping: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A summary is kept for each of `RING_MAX` records: whatever a sender makes long (a 60 KiB
    /// path and query, thousands of statuses, a long message id) is kept short in it.
    #[test]
    fn a_summary_stays_small_whatever_the_record_holds() {
        let status = |n: usize| {
            serde_json::json!({ "id": format!("wamid.{}{n}", "é".repeat(400)), "status": "read",
                "timestamp": "1718203423", "recipient_id": "16505553921" })
        };
        let body = serde_json::json!({
            "object": "whatsapp_business_account",
            "entry": [{ "id": "1", "changes": [{ "field": "messages", "value": {
                "messaging_product": "whatsapp",
                "metadata": { "display_phone_number": "1", "phone_number_id": "1" },
                "statuses": (0..2000).map(status).collect::<Vec<_>>(),
            }}]}],
        });
        let body = serde_json::to_vec(&body).unwrap();
        let (text, encoding) = CaptureRecord::encode_body(&body);
        let line = serde_json::json!({
            "wa_hook_capture": capture::FORMAT_VERSION, "seq": 1,
            "received_at": "2026-01-02T03:04:05.000000Z", "remote_addr": "127.0.0.1:1",
            "method": "POST", "path": format!("/{}", "p".repeat(60_000)),
            "query": "q=".to_string() + &"é".repeat(30_000), "headers": [],
            "body": text, "body_encoding": encoding, "body_bytes": body.len(),
            "response_status": 200,
        });
        let record = capture::parse_record(&serde_json::to_vec(&line).unwrap()).unwrap();
        let summary = Summary::of(1, "captures.jsonl", &record);
        assert!(summary.messages().len() > 0, "the statuses are read");
        let size = serde_json::to_vec(&summary).unwrap().len();
        assert!(size < 64 * 1024, "a summary of {size} bytes");
        assert!(summary.path().len() <= FIELD_MAX + 3 && summary.path().ends_with('…'));
        assert!(summary.query().ends_with('…'));
    }

    /// A record line as `listen` writes it, checked as it checks it; the record too.
    use std::path::Path;

    fn line_of(seq: u64, method: &str, query: &str, body: &[u8]) -> (Vec<u8>, CaptureRecord) {
        let options = crate::validation::CheckOptions::default();
        let (text, encoding) = CaptureRecord::encode_body(body);
        let mut record = CaptureRecord {
            seq,
            received_at: "2026-01-02T03:04:05.000000Z".into(),
            remote_addr: "127.0.0.1:1".into(),
            method: method.into(),
            path: "/hook".into(),
            query: query.into(),
            body: text,
            body_encoding: encoding,
            body_bytes: body.len() as u64,
            response_status: 200,
            ..CaptureRecord::default()
        };
        if crate::validation::expects_body(method, body) {
            let (check, _) = crate::validation::check_bytes_parsed(body, Some(query), &options);
            check.record_into(&mut record);
        }
        let mut line = serde_json::to_vec(&record).unwrap();
        line.push(b'\n');
        (line, record)
    }

    fn sample(name: &str) -> Vec<u8> {
        crate::catalogue::find_sample(name).unwrap().body.to_vec()
    }

    /// What `listen`'s workers hand over shows exactly what reading the record's line shows:
    /// the list, its filters, the timeline and the app's counts cannot tell them apart.
    #[test]
    fn a_fed_summary_is_the_summary_of_the_line() {
        let options = crate::validation::CheckOptions::default();
        let cases: Vec<(&str, &str, Vec<u8>)> = vec![
            ("POST", "", sample("meta/status-read")),
            ("POST", "", sample("meta/message-text")),
            ("POST", "", sample("qikchat/message-text")),
            ("POST", "", b"{\"unknown\": true}".to_vec()),
            ("POST", "", b"not json".to_vec()),
            ("POST", "", b"   ".to_vec()),
            ("POST", "", Vec::new()),
            ("PUT", "a=1", vec![0xff, 0xfe, b'{']),
        ];
        for (method, query, body) in cases {
            let (_, record) = line_of(7, method, query, &body);
            let value = crate::validation::check_bytes_parsed(&body, Some(query), &options).1;
            let facts = BodyFacts::of(&record, &body, value.as_ref());
            let file = "captures.jsonl";
            let fed = Summary::fed(record.clone(), Some(facts), file);
            let read = Summary::of(0, file, &record);
            assert_eq!(
                serde_json::to_value(&fed).unwrap(),
                serde_json::to_value(&read).unwrap(),
                "{method} {}",
                String::from_utf8_lossy(&body)
            );
        }
    }

    /// A summary as its fields were before its texts were kept in one block, with serde's
    /// derived serialization.
    #[derive(Serialize)]
    struct AsFields<'a> {
        id: u64,
        file: &'a str,
        seq: u64,
        received_at: &'a str,
        method: &'a str,
        path: &'a str,
        #[serde(skip_serializing_if = "str::is_empty")]
        query: &'a str,
        provider: Option<&'static str>,
        kind: Option<&'a str>,
        verdict: Option<Verdict>,
        errors: usize,
        rejected: Option<&'a str>,
        signature: Option<&'a str>,
        response_status: u16,
        forward_status: Option<u16>,
        forward_latency_ms: Option<f64>,
        forward_error: Option<&'a str>,
        gist: &'a str,
        messages: Vec<MessageEvent>,
        body_bytes: u64,
        #[serde(skip_serializing_if = "Option::is_none")]
        label: Option<&'static str>,
    }

    impl<'a> AsFields<'a> {
        fn of(summary: &'a Summary) -> AsFields<'a> {
            AsFields {
                id: summary.id,
                file: summary.file,
                seq: summary.seq,
                received_at: summary.received_at(),
                method: summary.method(),
                path: summary.path(),
                query: summary.query(),
                provider: summary.provider,
                kind: summary.kind(),
                verdict: summary.verdict,
                errors: summary.errors,
                rejected: summary.rejected(),
                signature: summary.signature(),
                response_status: summary.response_status,
                forward_status: summary.forward_status,
                forward_latency_ms: summary.forward_latency_ms,
                forward_error: summary.forward_error(),
                gist: summary.gist(),
                messages: summary
                    .messages()
                    .map(|m| MessageEvent::new(m.id.into(), m.status, m.error.map(str::to_string)))
                    .collect(),
                body_bytes: summary.body_bytes,
                label: summary.label,
            }
        }
    }

    /// Each text comes back as given (cut at `FIELD_MAX`), an absent one as `None` and an
    /// empty one as `Some("")`.
    #[test]
    fn texts_come_back_as_given() {
        let long = "é".repeat(FIELD_MAX);
        let texts = Texts::new(
            [
                Some("a"),
                None,
                Some(""),
                Some(&long),
                Some("kind"),
                None,
                Some(""),
                Some("👍"),
                None,
            ],
            &[],
        );
        assert_eq!(texts.get(Field::ReceivedAt), Some("a"));
        assert_eq!(texts.get(Field::Method), None);
        assert_eq!(texts.get(Field::Path), Some(""));
        let cut = texts.get(Field::Query).unwrap();
        assert!(
            cut.ends_with('…') && cut.len() <= FIELD_MAX + 3,
            "{}",
            cut.len()
        );
        let mut expected = String::new();
        push_clipped(&mut expected, &long);
        assert_eq!(cut, expected);
        assert_eq!(texts.get(Field::Kind), Some("kind"));
        assert_eq!(texts.get(Field::Rejected), None);
        assert_eq!(texts.get(Field::Signature), Some(""));
        assert_eq!(texts.get(Field::ForwardError), Some("👍"));
        assert_eq!(texts.get(Field::Gist), None);
    }

    /// Each message event comes back as given (its texts cut at `FIELD_MAX`, an error absent
    /// or empty as given), for no events, those kept in the summary itself and more, up to
    /// `MESSAGES_MAX`; the fields are unchanged by them.
    #[test]
    fn message_events_come_back_as_given() {
        let long = "é".repeat(FIELD_MAX);
        let cut = |text: &str| {
            let mut out = String::new();
            push_clipped(&mut out, text);
            out
        };
        for count in [0, 1, 2, 3, 7, MESSAGES_MAX, MESSAGES_MAX + 5] {
            let events: Vec<MessageEvent> = (0..count)
                .map(|at| {
                    let id = match at % 3 {
                        0 => format!("wamid.{at}"),
                        1 => long.clone(),
                        _ => String::new(),
                    };
                    let error = match at % 4 {
                        0 => None,
                        1 => Some(String::new()),
                        2 => Some(format!("131047 {long}")),
                        _ => Some("130429 rate".to_string()),
                    };
                    MessageEvent::new(id, if at % 2 == 0 { "sent" } else { "" }, error)
                })
                .collect();
            let fields = [
                Some("t"),
                Some("POST"),
                None,
                Some(""),
                None,
                None,
                None,
                None,
                Some("g"),
            ];
            let texts = Texts::new(fields, &events);
            let kept: Vec<Message<'_>> = (0..usize::from(texts.events))
                .map(|at| texts.event(at))
                .collect();
            assert_eq!(kept.len(), count.min(MESSAGES_MAX));
            for (event, message) in events.iter().zip(&kept) {
                assert_eq!(message.id, cut(&event.id));
                assert_eq!(message.status, cut(&event.status));
                assert_eq!(
                    message.error.map(str::to_string),
                    event.error.as_deref().map(cut)
                );
            }
            assert_eq!(texts.get(Field::ReceivedAt), Some("t"));
            assert_eq!(texts.get(Field::Path), None);
            assert_eq!(texts.get(Field::Query), Some(""));
            assert_eq!(texts.get(Field::Gist), Some("g"));
        }
    }

    /// A summary as a live list gets it is serde_json's text of it, byte for byte: for every
    /// sample, with every field set or none, and strings that need escaping.
    #[test]
    fn a_summary_is_written_as_serde_json_writes_it() {
        let file = "cap\"tures\n.jsonl";
        let mut summaries = Vec::new();
        for sample in crate::catalogue::samples() {
            let (_, record) = line_of(3, "POST", "", sample.body);
            summaries.push(Summary::of(1, file, &record));
            let full = CaptureRecord {
                query: "a=\u{1}&b=é".into(),
                rejected: Some(capture::Rejection::Other("why \"\\".into())),
                signature: Some(capture::SignatureCheck::Invalid("bad\t".into())),
                forward: Some(capture::ForwardResult {
                    url: "http://127.0.0.1/".into(),
                    status: Some(502),
                    latency_ms: 0.1 + 0.2,
                    body: None,
                    error: Some("refused\r\n".into()),
                }),
                ..record
            };
            summaries.push(Summary::of(u64::MAX, file, &full));
        }
        for (method, body) in [("GET", &b""[..]), ("POST", b"not json"), ("PUT", b"\xff")] {
            let (_, record) = line_of(4, method, "hub.mode=subscribe", body);
            summaries.push(Summary::of(2, file, &record));
        }
        let mut odd = Summary::of(5, file, &line_of(5, "POST", "", b"{}").1);
        let gist = (0u8..0x80).map(char::from).collect::<String>() + "👍\u{2028}";
        odd.texts = Texts::new(
            [
                Some("2026-12-07T20:41:00.000000Z"),
                Some("PATCH"),
                Some("/odd\"path"),
                Some(""),
                None,
                Some(""),
                None,
                Some("é"),
                Some(&gist),
            ],
            &[
                MessageEvent::new("id\"".into(), "read", Some("e\n".into())),
                MessageEvent::new("wamid.\u{1}é".into(), "sent", None),
                MessageEvent::new(String::new(), "", Some(String::new())),
            ],
        );
        odd.forward_latency_ms = Some(f64::NAN);
        summaries.push(odd);
        assert!(summaries.iter().any(|summary| summary.label.is_some()));
        assert!(summaries.iter().any(|summary| summary.messages().len() > 0));
        for summary in &summaries {
            // The API's shape: what serde derived from the fields before they were kept in
            // one block.
            assert_eq!(
                serde_json::to_string(summary).unwrap(),
                serde_json::to_string(&AsFields::of(summary)).unwrap()
            );
            let mut out = b"[".to_vec();
            summary.write_json(&mut out);
            let expected = [&b"["[..], &serde_json::to_vec(summary).unwrap()].concat();
            assert_eq!(
                String::from_utf8_lossy(&out),
                String::from_utf8_lossy(&expected)
            );
        }
    }

    fn wait_for(index: &Index, what: &str, done: impl Fn(&Page) -> bool) -> Page {
        let until = Instant::now() + Duration::from_secs(30);
        loop {
            let page = index.list(&Filter::default(), None, RING_MAX);
            if done(&page) {
                return page;
            }
            assert!(Instant::now() < until, "{what}: {} listed", page.total);
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Records the feed dropped (the inspector was behind) are listed all the same, read
    /// from the file, and counted; a fed record's detail is found in the file by its seq.
    #[test]
    fn records_the_feed_dropped_are_read_from_the_file_and_counted() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("captures.jsonl");
        let body = sample("meta/status-read");
        let mut file = std::fs::File::create(&path).unwrap();
        for seq in 1..=3 {
            std::io::Write::write_all(&mut file, &line_of(seq, "POST", "", &body).0).unwrap();
        }
        let (sender, feed) = super::super::feed::feed(&path, 3);
        let index = Index::fed(path.clone(), feed);
        let page = wait_for(&index, "the records before the run", |page| page.total == 3);
        assert_eq!(page.records[0].seq, 3);
        // This run writes 4..=13; the workers hand over 4..=8, the feed drops 9..=13.
        let mut handed = Vec::new();
        for seq in 4..=13 {
            let (line, record) = line_of(seq, "POST", "", &body);
            std::io::Write::write_all(&mut file, &line).unwrap();
            if seq <= 8 {
                let value = crate::validation::parse_json(&body).ok();
                let facts = BodyFacts::of(&record, &body, value.as_ref());
                handed.push(Summary::fed(record, Some(facts), sender.file()));
            }
        }
        sender.send(handed);
        sender.dropped.fetch_add(5, Ordering::Relaxed);
        let page = wait_for(&index, "the dropped records", |page| page.total == 13);
        let seqs: Vec<u64> = page.records.iter().map(|s| s.seq).collect();
        assert_eq!(seqs, (1..=13).rev().collect::<Vec<_>>());
        assert_eq!(page.feed_dropped, Some(5));
        assert!(
            page.records
                .iter()
                .all(|s| s.file.ends_with("captures.jsonl"))
        );
        // A fed record's detail, from the file.
        let six = page.records.iter().find(|s| s.seq == 6).unwrap().id;
        let record = index.record(six).unwrap().unwrap();
        assert_eq!(record.seq, 6);
        assert_eq!(record.body_bytes().unwrap().unwrap(), body);
    }

    /// Handing over never waits: with nobody taking from the feed, the batches beyond what it
    /// holds are dropped and counted at once.
    #[test]
    fn a_feed_nobody_takes_from_drops_and_counts() {
        let (sender, _feed) = super::super::feed::feed(Path::new("captures.jsonl"), 0);
        let started = Instant::now();
        let batches = super::super::feed::FEED_MAX as u64 + 5000;
        for seq in 1..=batches {
            let (_, record) = line_of(seq, "GET", "", b"");
            sender.send(vec![Summary::fed(record, None, sender.file())]);
        }
        assert!(sender.dropped() > 0);
        assert_eq!(sender.dropped(), 5000);
        eprintln!("{batches} handed over in {:?}", started.elapsed());
    }

    /// A file of more records than the list holds: the newest are listed first (the first
    /// page is the file's end), the list keeps the newest `RING_MAX`, the rest are counted.
    #[test]
    fn a_large_file_is_listed_from_its_end() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("captures.jsonl");
        let total = RING_MAX as u64 + 700;
        let mut bytes = Vec::new();
        for seq in 1..=total {
            bytes.extend_from_slice(&line_of(seq, "GET", "", b"").0);
        }
        // A line cut short at the end (being written) is not listed.
        bytes.extend_from_slice(br#"{"wa_hook_capture":1,"seq":"#);
        std::fs::write(&path, &bytes).unwrap();
        let index = Index::follow(vec![path]);
        let first = wait_for(&index, "a first page", |page| page.total > 0);
        assert_eq!(first.records[0].seq, total, "the newest first");
        let page = wait_for(&index, "the whole list", |page| {
            page.total == RING_MAX && page.dropped == 700
        });
        let seqs: Vec<u64> = page.records.iter().map(|s| s.seq).collect();
        assert_eq!(seqs, (701..=total).rev().collect::<Vec<_>>());
        let oldest = page.records.last().unwrap().id;
        assert_eq!(index.record(oldest).unwrap().unwrap().seq, 701);
    }

    /// A line longer than the list reads (`LINE_MAX`) between records, and one cut short at
    /// the end, read backwards: the records on each side are listed, the long line passed
    /// over, in the file's order.
    #[test]
    fn a_giant_line_read_backwards_is_passed_over() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("captures.jsonl");
        let mut bytes = Vec::new();
        bytes.extend_from_slice(&line_of(1, "GET", "", b"").0);
        // A record's start, then more than LINE_MAX bytes, over several chunks.
        bytes.extend_from_slice(br#"{"wa_hook_capture":1,"seq":2,"path":""#);
        bytes.resize(bytes.len() + LINE_MAX + 3 * CHUNK + 17, b'p');
        bytes.extend_from_slice(b"\"}\n");
        bytes.extend_from_slice(&line_of(3, "GET", "", b"").0);
        bytes.extend_from_slice(&line_of(4, "GET", "", b"").0);
        bytes.extend_from_slice(br#"{"wa_hook_capture":1,"seq":5,"path":""#);
        bytes.resize(bytes.len() + 2 * CHUNK, b'q');
        std::fs::write(&path, &bytes).unwrap();
        let index = Index::follow(vec![path]);
        let page = wait_for(&index, "the records", |page| page.total == 3);
        let seqs: Vec<u64> = page.records.iter().map(|s| s.seq).collect();
        assert_eq!(seqs, [4, 3, 1]);
        for summary in &page.records {
            assert_eq!(index.record(summary.id).unwrap().unwrap().seq, summary.seq);
        }
    }

    /// Records the feed dropped in a flood are listed within seconds even when the traffic
    /// after it never stops for long (once they waited for a pause of `FEED_QUIET`).
    #[test]
    fn records_the_feed_dropped_are_listed_while_traffic_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("captures.jsonl");
        let body = sample("meta/status-read");
        let mut file = std::fs::File::create(&path).unwrap();
        let (sender, feed) = super::super::feed::feed(&path, 0);
        let index = Index::fed(path.clone(), feed);
        // The flood: records 1..=5 saved, and dropped by the feed.
        for seq in 1..=5 {
            std::io::Write::write_all(&mut file, &line_of(seq, "POST", "", &body).0).unwrap();
        }
        sender.dropped.fetch_add(5, Ordering::Relaxed);
        // Then one record every 20 ms, handed over; the dropped ones must show meanwhile.
        let until = Instant::now() + Duration::from_secs(20);
        let mut seq = 5;
        loop {
            seq += 1;
            let (line, record) = line_of(seq, "POST", "", &body);
            std::io::Write::write_all(&mut file, &line).unwrap();
            let value = crate::validation::parse_json(&body).ok();
            let facts = BodyFacts::of(&record, &body, value.as_ref());
            sender.send(vec![Summary::fed(record, Some(facts), sender.file())]);
            let page = index.list(&Filter::default(), None, RING_MAX);
            if page.records.iter().any(|s| s.seq == 1) {
                let seqs: Vec<u64> = page.records.iter().map(|s| s.seq).collect();
                assert!((1..=5).all(|seq| seqs.contains(&seq)), "{seqs:?}");
                break;
            }
            assert!(
                Instant::now() < until,
                "the dropped records were never listed"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// `listen`'s capture file emptied while listening (`: > captures.jsonl`): a record listed
    /// before says the file changed, rather than that its place holds no capture record.
    #[test]
    fn a_record_of_a_file_emptied_says_the_file_changed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("captures.jsonl");
        let mut bytes = Vec::new();
        for seq in 1..=3 {
            bytes.extend_from_slice(&line_of(seq, "GET", "", b"").0);
        }
        std::fs::write(&path, &bytes).unwrap();
        let (_sender, feed) = super::super::feed::feed(&path, 3);
        let index = Index::fed(path.clone(), feed);
        let page = wait_for(&index, "the records", |page| page.total == 3);
        std::fs::OpenOptions::new()
            .write(true)
            .open(&path)
            .unwrap()
            .set_len(0)
            .unwrap();
        for summary in &page.records {
            let err = index.record(summary.id).unwrap_err().to_string();
            assert_eq!(err, "the capture file changed since the record was read");
        }
    }
}
