//! What the inspector knows about the capture files it follows: a short summary and the
//! place in its file of each record (never the records themselves), for at most
//! `RING_MAX` records; older ones drop off the list. A record's detail is read back from its
//! file when asked for.
//!
//! One thread follows the files, reading what was appended since it last looked (a file that
//! is replaced or cut short is read again from its start), so `listen` feeds the inspector by
//! writing its capture file, and its request handling never waits for the inspector.
use std::collections::{BTreeMap, VecDeque};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;

use crate::capture::{self, CaptureRecord};
use crate::providers::{self, MessageEvent};
use crate::verdict::Verdict;

/// The most records listed; older ones drop off (their summaries, never the file).
pub const RING_MAX: usize = 50_000;
/// A line longer than this is passed over (a record of a 4 MiB body is at most ~25 MiB).
const LINE_MAX: usize = 32 << 20;
/// How much is read from a file at once.
const CHUNK: usize = 1 << 20;
/// How often the files are looked at.
const POLL: Duration = Duration::from_millis(100);
/// Summaries waiting for one live-list client; when it falls this far behind it is told to
/// reload instead.
const SUBSCRIBER_QUEUE: usize = 1024;

/// The longest text a summary keeps of each field (the path, the query, the gist, a reason,
/// a message id): a summary is kept for each of `RING_MAX` records, and a path alone can be
/// 64 KiB. The detail, read back from the file, shows the whole of it.
const FIELD_MAX: usize = 512;
/// The most message events a summary keeps (a body may list thousands of statuses).
const MESSAGES_MAX: usize = 64;

/// `text` cut to at most `FIELD_MAX` bytes (on a character boundary), marked with `…`.
fn clip(text: &str) -> String {
    if text.len() <= FIELD_MAX {
        return text.to_string();
    }
    let mut end = FIELD_MAX;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

/// One record, summed up for the list.
#[derive(Debug, Serialize)]
pub struct Summary {
    /// The inspector's number for the record (in the order read), used by the API.
    pub id: u64,
    /// The capture file's name as given.
    pub file: String,
    pub seq: u64,
    pub received_at: String,
    pub method: String,
    pub path: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub query: String,
    pub provider: Option<String>,
    pub kind: Option<String>,
    pub verdict: Option<Verdict>,
    pub errors: usize,
    pub rejected: Option<String>,
    pub signature: Option<String>,
    pub response_status: u16,
    pub forward_status: Option<u16>,
    pub forward_latency_ms: Option<f64>,
    pub forward_error: Option<String>,
    /// Sender or recipient, and what it says.
    pub gist: String,
    /// The messages the body is about, with their statuses.
    pub messages: Vec<MessageEvent>,
    pub body_bytes: u64,
    /// What the list says for a record no provider claims, instead of a bare mark: `handshake`
    /// (a verification GET), `not JSON`, `no body`, `body not kept`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<&'static str>,
}

impl Summary {
    fn of(id: u64, file: &str, record: &CaptureRecord) -> Summary {
        let mut gist = String::new();
        let mut messages = Vec::new();
        let body = record.body_bytes().ok().flatten().unwrap_or_default();
        let parsed = crate::validation::parse_json(&body).ok();
        let label = label_of(record, &body, parsed.is_some());
        let value = parsed.or_else(|| providers::query_body(&record.query));
        if let Some(value) = value {
            if let Some(detection) = providers::detect(&value) {
                gist = providers::gist(&value, detection.provider, &detection.kind);
                messages = providers::message_events(&value, &detection);
                messages.truncate(MESSAGES_MAX);
                for event in &mut messages {
                    event.id = clip(&event.id);
                    event.status = clip(&event.status);
                    event.error = event.error.as_deref().map(clip);
                }
            }
        }
        let forward = record.forward.as_ref();
        Summary {
            id,
            file: file.to_string(),
            seq: record.seq,
            received_at: clip(&record.received_at),
            method: clip(&record.method),
            path: clip(&record.path),
            query: clip(&record.query),
            provider: record.provider.map(|provider| provider.id().to_string()),
            kind: record.kind.as_ref().map(|kind| clip(&kind.to_string())),
            verdict: record.verdict,
            errors: record.errors.len(),
            rejected: record.rejected.as_ref().map(|why| clip(&why.to_string())),
            signature: record
                .signature
                .as_ref()
                .map(|check| clip(&check.to_string())),
            response_status: record.response_status,
            forward_status: forward.and_then(|f| f.status),
            forward_latency_ms: forward.map(|f| f.latency_ms),
            forward_error: forward.and_then(|f| f.error.as_deref().map(clip)),
            gist: clip(&gist),
            messages,
            body_bytes: record.body_bytes,
            label,
        }
    }

    /// How the app answered the forward, as the list counts it: its status, `unreachable`, or
    /// `None` when the record was not forwarded.
    pub fn app_answer(&self) -> Option<String> {
        match (self.forward_status, &self.forward_error) {
            (Some(status), _) => Some(status.to_string()),
            (None, Some(_)) => Some("unreachable".to_string()),
            (None, None) => None,
        }
    }

    /// Whether the record passes the list's filters.
    pub fn matches(&self, filter: &Filter) -> bool {
        let lower = |text: &Option<String>| text.as_deref().unwrap_or("").to_ascii_lowercase();
        if let Some(provider) = &filter.provider {
            if lower(&self.provider) != *provider {
                return false;
            }
        }
        if let Some(kind) = &filter.kind {
            if !lower(&self.kind).starts_with(kind.as_str()) {
                return false;
            }
        }
        if let Some(verdict) = &filter.verdict {
            let word = if self.rejected.is_some() {
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
            let ids = self.messages.iter().map(|m| m.id.as_str());
            let haystack = [
                self.method.as_str(),
                &self.path,
                &self.query,
                self.provider.as_deref().unwrap_or(""),
                self.kind.as_deref().unwrap_or(""),
                &self.gist,
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
fn label_of(record: &CaptureRecord, body: &[u8], is_json: bool) -> Option<&'static str> {
    if record.method == "GET"
        && body.is_empty()
        && providers::find_handshake(&record.query).is_some()
    {
        Some("handshake")
    } else if body.is_empty() && record.body_bytes > 0 {
        Some("body not kept")
    } else if body.is_empty() {
        Some("no body")
    } else if !is_json {
        Some("not JSON")
    } else {
        None
    }
}

/// Where a record is.
struct Entry {
    summary: Arc<Summary>,
    file: usize,
    file_id: FileId,
    offset: u64,
    len: u64,
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
#[derive(Clone)]
pub enum Update {
    Record(Arc<Summary>),
    /// The list changed in a way single records do not say (a file replaced): reload it.
    Reload,
}

#[derive(Default)]
struct State {
    entries: VecDeque<Entry>,
    next_id: u64,
    /// Records that dropped off the front of the list.
    dropped: u64,
    subscribers: Vec<SyncSender<Update>>,
}

/// The records of the followed files.
pub struct Index {
    files: Vec<PathBuf>,
    names: Vec<String>,
    state: Mutex<State>,
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
}

impl Index {
    /// Follow `files` from their start, on a thread of its own.
    pub fn follow(files: Vec<PathBuf>) -> Arc<Index> {
        let names = files
            .iter()
            .map(|path| crate::output::printable(&path.to_string_lossy()).into_owned())
            .collect();
        let index = Arc::new(Index {
            files,
            names,
            state: Mutex::new(State::default()),
        });
        let follower = Arc::clone(&index);
        let _ = std::thread::Builder::new()
            .name("wa-hook-inspector-follow".to_string())
            .spawn(move || {
                super::yield_to_webhooks();
                follower.run();
            });
        index
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn run(&self) {
        let mut follows: Vec<Follow> = (0..self.files.len()).map(|_| Follow::default()).collect();
        loop {
            for (file, follow) in follows.iter_mut().enumerate() {
                self.poll(file, follow);
            }
            std::thread::sleep(POLL);
        }
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
                broadcast(&mut state, &Update::Reload);
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
        let mut state = self.state();
        let id = state.next_id + 1;
        state.next_id = id;
        let summary = Arc::new(Summary::of(id, &self.names[file], &record));
        state.entries.push_back(Entry {
            summary: Arc::clone(&summary),
            file,
            file_id,
            offset,
            len: line.len() as u64,
        });
        if state.entries.len() > RING_MAX {
            state.entries.pop_front();
            state.dropped += 1;
        }
        broadcast(&mut state, &Update::Record(summary));
    }

    /// A client for live updates. When it falls `SUBSCRIBER_QUEUE` behind, it is let go (its
    /// receiver disconnects) and should reload the list and subscribe again.
    pub fn subscribe(&self) -> Receiver<Update> {
        let (sender, receiver) = std::sync::mpsc::sync_channel(SUBSCRIBER_QUEUE);
        self.state().subscribers.push(sender);
        receiver
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
            if records.len() < limit && before.is_none_or(|before| entry.summary.id < before) {
                records.push(Arc::clone(&entry.summary));
            }
        }
        Page {
            records,
            matching,
            total: state.entries.len(),
            dropped: state.dropped,
            app,
        }
    }

    /// The summary of record `id`.
    pub fn summary(&self, id: u64) -> Option<Arc<Summary>> {
        let state = self.state();
        find(&state.entries, id).map(|entry| Arc::clone(&entry.summary))
    }

    /// Record `id`, read back from its file.
    pub fn record(&self, id: u64) -> anyhow::Result<Option<CaptureRecord>> {
        let (path, file_id, offset, len, seq) = {
            let state = self.state();
            let Some(entry) = find(&state.entries, id) else {
                return Ok(None);
            };
            (
                self.files[entry.file].clone(),
                entry.file_id,
                entry.offset,
                entry.len,
                entry.summary.seq,
            )
        };
        let mut file = File::open(&path)?;
        if FileId::of(&file.metadata()?) != file_id {
            anyhow::bail!("the capture file was replaced since the record was read");
        }
        file.seek(SeekFrom::Start(offset))?;
        let mut line = Vec::with_capacity(len as usize);
        file.take(len).read_to_end(&mut line)?;
        let record = capture::parse_record(&line)?;
        if record.seq != seq {
            anyhow::bail!("the capture file changed since the record was read");
        }
        Ok(Some(record))
    }

    /// Every listed record about message `message_id`, oldest first.
    pub fn about_message(&self, message_id: &str) -> Vec<Arc<Summary>> {
        let state = self.state();
        state
            .entries
            .iter()
            .filter(|entry| entry.summary.messages.iter().any(|m| m.id == message_id))
            .map(|entry| Arc::clone(&entry.summary))
            .collect()
    }
}

fn find(entries: &VecDeque<Entry>, id: u64) -> Option<&Entry> {
    // Ids only grow along the list, though a reload can leave gaps.
    let at = entries.partition_point(|entry| entry.summary.id < id);
    entries.get(at).filter(|entry| entry.summary.id == id)
}

fn broadcast(state: &mut State, update: &Update) {
    state
        .subscribers
        .retain(|subscriber| match subscriber.try_send(update.clone()) {
            Ok(()) => true,
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => false,
        });
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
        assert!(!summary.messages.is_empty(), "the statuses are read");
        let size = serde_json::to_vec(&summary).unwrap().len();
        assert!(size < 64 * 1024, "a summary of {size} bytes");
        assert!(summary.path.len() <= FIELD_MAX + 3 && summary.path.ends_with('…'));
        assert!(summary.query.ends_with('…'));
    }
}
