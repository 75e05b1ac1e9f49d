//! Capture records: what `listen` writes, one JSON line per request, and what `replay` and
//! `validate` read back. The format is documented in README.md ("Capture file format").
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::Path;

use anyhow::Context;
use base64::Engine;
use serde::{Deserialize, Serialize};

use crate::verdict::{Issue, Verdict};

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
    /// `valid`, `invalid`, `unchecked`, `unknown`, `malformed`, or absent where nothing was validated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verdict: Option<Verdict>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<Issue>,
    /// Why a body of a known provider was not checked (`unchecked`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
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
/// Many threads may write at once (`listen`'s workers), and on a regular file none waits for
/// another in wa-hook: a thread encodes its lines (one, or a batch of requests it took at once)
/// into its own buffer and hands them to the kernel with one `write` on a file opened with
/// `O_APPEND`. On a local Linux file system the kernel appends each such write whole, at the
/// end of the file, so lines never interleave. (A pipe or terminal takes a lock instead.) A
/// write the kernel cut short (only when the disk is full or the file too large) is reported,
/// and every later write reports it too.
pub struct CaptureWriter {
    sink: Sink,
    /// Set by the first failed write.
    broken: std::sync::OnceLock<String>,
}

enum Sink {
    /// A regular file: one `write` lands whole, so no lock is needed.
    File(File),
    /// A pipe, FIFO or terminal, where only small writes land whole: one writer at a time.
    Stream(std::sync::Mutex<File>),
    Stdout,
    Discard,
}

thread_local! {
    /// The lines being encoded, kept between writes so encoding allocates nothing.
    static LINES: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
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
            let regular = file.metadata().is_ok_and(|meta| meta.file_type().is_file());
            if regular {
                Sink::File(file)
            } else {
                Sink::Stream(std::sync::Mutex::new(file))
            }
        };
        Ok(Self::with_sink(sink))
    }

    /// A writer that saves nothing (`--no-save`).
    pub fn discard() -> Self {
        Self::with_sink(Sink::Discard)
    }

    fn with_sink(sink: Sink) -> Self {
        CaptureWriter {
            sink,
            broken: std::sync::OnceLock::new(),
        }
    }

    /// Append one record and hand it to the operating system before returning.
    pub fn write(&self, record: &CaptureRecord) -> anyhow::Result<()> {
        self.write_all(std::iter::once(record))
    }

    /// Append records, one line each, with one system call, and hand them to the operating
    /// system before returning.
    pub fn write_all<'a>(
        &self,
        records: impl IntoIterator<Item = &'a CaptureRecord>,
    ) -> anyhow::Result<()> {
        if matches!(self.sink, Sink::Discard) {
            return Ok(());
        }
        if let Some(broken) = self.broken.get() {
            anyhow::bail!("writing the capture file: {broken}");
        }
        LINES.with_borrow_mut(|lines| {
            lines.clear();
            for record in records {
                serde_json::to_writer(&mut *lines, record).context("encoding a capture record")?;
                lines.push(b'\n');
            }
            let result = match &self.sink {
                Sink::File(file) => write_whole(file, lines),
                Sink::Stream(file) => file
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .write_all(lines),
                Sink::Stdout => {
                    let mut out = std::io::stdout().lock();
                    out.write_all(lines).and_then(|()| out.flush())
                }
                Sink::Discard => Ok(()),
            };
            // A large record's buffer is not kept for the next ones.
            if lines.capacity() > 1 << 20 {
                *lines = Vec::new();
            }
            result.map_err(|err| {
                let _ = self.broken.set(err.to_string());
                anyhow::Error::new(err).context("writing the capture file")
            })
        })
    }
}

/// One `write` for whole lines: a second call for the rest could land after another thread's
/// lines, so a short write is an error.
fn write_whole(mut file: &File, lines: &[u8]) -> std::io::Result<()> {
    loop {
        match file.write(lines) {
            Ok(written) if written == lines.len() => return Ok(()),
            Ok(written) => {
                return Err(std::io::Error::other(format!(
                    "only {written} of {} bytes were written (is the disk full?)",
                    lines.len()
                )));
            }
            Err(err) if err.kind() == std::io::ErrorKind::Interrupted => {}
            Err(err) => return Err(err),
        }
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
            note: None,
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
