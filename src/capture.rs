//! Capture records: what `listen` writes, one JSON line per request, and what `replay` and
//! `validate` read back. The format is documented in README.md ("Capture file format").
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::Path;
use std::sync::Mutex;

use anyhow::Context;
use base64::Engine;
use serde::{Deserialize, Serialize};

use crate::validation::{Issue, Verdict};

/// The version of the record format, written in every record.
pub const FORMAT_VERSION: u32 = 1;

/// One captured request.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct CaptureRecord {
    /// Always `FORMAT_VERSION` when written by this wa-hook.
    pub wa_hook_capture: u32,
    /// 1, 2, 3 ... in the order requests were received by this listener.
    pub seq: u64,
    /// RFC 3339 with microseconds, UTC.
    pub received_at: String,
    pub remote_addr: String,
    pub method: String,
    /// The path without the query.
    pub path: String,
    /// The raw query string, without `?`; empty when there was none.
    #[serde(default)]
    pub query: String,
    /// In the order received; secret-bearing values replaced with `(redacted)`.
    pub headers: Vec<(String, String)>,
    /// Names of the headers whose values were redacted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub redacted_headers: Vec<String>,
    /// The body exactly as received: text when UTF-8, base64 otherwise; absent when it was
    /// too large to keep.
    pub body: Option<String>,
    pub body_encoding: BodyEncoding,
    /// Length of the body in bytes (as declared, for a body too large to read).
    pub body_bytes: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// `valid`, `invalid`, `unknown`, `malformed`, or absent where nothing was validated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verdict: Option<Verdict>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<Issue>,
    /// Why the request was refused (`basic auth`, `body too large`, `bad signature` ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rejected: Option<String>,
    /// The Meta signature check, when `--app-secret-env` was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
    /// The status wa-hook answered with.
    pub response_status: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forward: Option<ForwardResult>,
}

#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum BodyEncoding {
    Utf8,
    Base64,
    /// The body was not kept (too large).
    None,
}

/// What the user's app answered when the request was forwarded.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ForwardResult {
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    pub latency_ms: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl CaptureRecord {
    /// Encode a received body: text when it is UTF-8, base64 otherwise.
    pub fn encode_body(bytes: &[u8]) -> (Option<String>, BodyEncoding) {
        match std::str::from_utf8(bytes) {
            Ok(text) => (Some(text.to_string()), BodyEncoding::Utf8),
            Err(_) => (
                Some(base64::engine::general_purpose::STANDARD.encode(bytes)),
                BodyEncoding::Base64,
            ),
        }
    }

    /// The first header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }

    /// The body bytes exactly as received; `None` when the body was not kept.
    pub fn body_bytes(&self) -> anyhow::Result<Option<Vec<u8>>> {
        match (&self.body, self.body_encoding) {
            (None, _) | (_, BodyEncoding::None) => Ok(None),
            (Some(text), BodyEncoding::Utf8) => Ok(Some(text.as_bytes().to_vec())),
            (Some(text), BodyEncoding::Base64) => base64::engine::general_purpose::STANDARD
                .decode(text)
                .map(Some)
                .context("the record's base64 body does not decode"),
        }
    }
}

/// The first header with this name (case-insensitive) in `[name, value]` pairs.
pub fn find_header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(name))
        .map(|(_, value)| value.as_str())
}

/// The current time as RFC 3339 with microseconds.
pub fn now_rfc3339() -> String {
    humantime::format_rfc3339_micros(std::time::SystemTime::now()).to_string()
}

/// Appends records to a capture file (or stdout), one line each, written through before the
/// call returns, so a record is on disk before the request it describes is acknowledged.
///
/// Many threads may write at once (`listen`'s workers). Lines are written in groups: a thread
/// queues its line, then takes the file lock; if another thread wrote its line meanwhile it is
/// done, otherwise it writes every queued line with one system call. Under load this costs one
/// write per group instead of one per request; alone, it is one write per line as before.
pub struct CaptureWriter {
    queue: Mutex<Queue>,
    sink: Mutex<Sink>,
    discard: bool,
}

#[derive(Default)]
struct Queue {
    lines: Vec<u8>,
    /// The group now collecting lines.
    filling: u64,
    /// Every group up to and including this one has been handed to the operating system.
    written: u64,
    /// Set by the first failed write; every later write reports it.
    broken: Option<String>,
}

enum Sink {
    File(File),
    Stdout,
    Discard,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl CaptureWriter {
    /// Open `path` for appending; `-` means stdout. Fails at once on a bad path.
    pub fn open(path: &Path) -> anyhow::Result<Self> {
        let sink = if path == Path::new("-") {
            Sink::Stdout
        } else {
            let file = OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .with_context(|| format!("opening the capture file {}", path.display()))?;
            Sink::File(file)
        };
        Ok(Self::with_sink(sink))
    }

    /// A writer that saves nothing (`--no-save`).
    pub fn discard() -> Self {
        Self::with_sink(Sink::Discard)
    }

    fn with_sink(sink: Sink) -> Self {
        CaptureWriter {
            discard: matches!(sink, Sink::Discard),
            queue: Mutex::new(Queue {
                filling: 1,
                ..Queue::default()
            }),
            sink: Mutex::new(sink),
        }
    }

    /// Append one record and hand it to the operating system before returning.
    pub fn write(&self, record: &CaptureRecord) -> anyhow::Result<()> {
        if self.discard {
            return Ok(());
        }
        let mut line = serde_json::to_vec(record).context("encoding a capture record")?;
        line.push(b'\n');
        let group = {
            let mut queue = lock(&self.queue);
            queue.lines.extend_from_slice(&line);
            queue.filling
        };
        let mut sink = lock(&self.sink);
        let lines = {
            let mut queue = lock(&self.queue);
            if let Some(broken) = &queue.broken {
                anyhow::bail!("writing the capture file: {broken}");
            }
            if queue.written >= group {
                return Ok(());
            }
            queue.written = queue.filling;
            queue.filling += 1;
            std::mem::take(&mut queue.lines)
        };
        // Still holding the sink: whoever checks `written` next does so after this write.
        let result = match &mut *sink {
            Sink::File(file) => file.write_all(&lines),
            Sink::Stdout => {
                let mut out = std::io::stdout().lock();
                out.write_all(&lines).and_then(|()| out.flush())
            }
            Sink::Discard => Ok(()),
        };
        if let Err(err) = result {
            lock(&self.queue).broken = Some(err.to_string());
            return Err(err).context("writing the capture file");
        }
        Ok(())
    }
}

/// Parse one line of a capture file.
pub fn parse_record(line: &[u8]) -> anyhow::Result<CaptureRecord> {
    serde_json::from_slice(line).context("not a wa-hook capture record")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(body: &[u8]) -> CaptureRecord {
        let (body, body_encoding) = CaptureRecord::encode_body(body);
        CaptureRecord {
            wa_hook_capture: FORMAT_VERSION,
            seq: 1,
            received_at: now_rfc3339(),
            remote_addr: "127.0.0.1:5000".into(),
            method: "POST".into(),
            path: "/hook".into(),
            query: String::new(),
            headers: vec![("Content-Type".into(), "application/json".into())],
            redacted_headers: vec![],
            body,
            body_encoding,
            body_bytes: 3,
            provider: None,
            kind: None,
            verdict: None,
            errors: vec![],
            rejected: None,
            signature: None,
            response_status: 200,
            forward: None,
        }
    }

    #[test]
    fn bodies_round_trip_byte_for_byte() {
        for bytes in [&b"{}\n"[..], &b"\xff\xfe\x00"[..]] {
            let original = record(bytes);
            let line = serde_json::to_vec(&original).unwrap();
            let read = parse_record(&line).unwrap();
            assert_eq!(read, original);
            assert_eq!(read.body_bytes().unwrap().as_deref(), Some(bytes));
            assert!(matches!(
                crate::inputs::read_unit(&line),
                crate::inputs::Unit::Record(_)
            ));
        }
    }

    #[test]
    fn concurrent_writes_give_one_whole_line_each() {
        let dir = std::env::temp_dir().join(format!("wa-hook-capture-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("captures.jsonl");
        let _ = std::fs::remove_file(&path);
        let writer = CaptureWriter::open(&path).unwrap();
        std::thread::scope(|scope| {
            for thread in 0..8u64 {
                let writer = &writer;
                scope.spawn(move || {
                    for i in 0..200u64 {
                        let mut line = record(b"{\"a\": 1}");
                        line.seq = thread * 1000 + i;
                        writer.write(&line).unwrap();
                    }
                });
            }
        });
        let text = std::fs::read(&path).unwrap();
        let mut seqs: Vec<u64> = text
            .split(|b| *b == b'\n')
            .filter(|line| !line.is_empty())
            .map(|line| parse_record(line).unwrap().seq)
            .collect();
        seqs.sort_unstable();
        let expected: Vec<u64> = (0..8)
            .flat_map(|t| (0..200).map(move |i| t * 1000 + i))
            .collect();
        assert_eq!(seqs, expected);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn timestamps_have_microseconds() {
        let now = now_rfc3339();
        assert_eq!(now.len(), "2026-11-21T12:00:00.123456Z".len(), "{now}");
    }
}
