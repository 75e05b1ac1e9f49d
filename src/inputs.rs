//! Reading bodies from what the user names: files, folders, standard input, JSON Lines files
//! and capture files. `validate` and `replay` both read their inputs through here, and capture
//! files through [`crate::capture`], so a capture replays exactly as it validates.
use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::capture::{self, CaptureRecord};

/// One place bodies come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    Stdin,
    File(PathBuf),
}

impl Source {
    pub fn describe(&self) -> String {
        match self {
            Source::Stdin => "<stdin>".to_string(),
            Source::File(path) => path.display().to_string(),
        }
    }
}

/// One body to check or send.
#[derive(Clone, Debug)]
pub struct Body {
    /// Where it came from: `path`, `path:line`, `<stdin>:line`.
    pub origin: String,
    /// The exact bytes.
    pub bytes: Vec<u8>,
    /// The capture record it was read from, when it came from a capture file.
    pub record: Option<CaptureRecord>,
    /// A line of a capture file that could not be read as a record.
    pub unreadable: Option<String>,
}

/// Turn the user's arguments into sources: `-` is stdin, folders are searched recursively for
/// `*.json` and `*.jsonl` (sorted, so output order is stable). A path that does not exist is
/// an error naming it.
pub fn expand(inputs: &[String]) -> anyhow::Result<Vec<Source>> {
    let mut sources = Vec::new();
    for input in inputs {
        if input == "-" {
            sources.push(Source::Stdin);
            continue;
        }
        let path = PathBuf::from(input);
        let metadata = std::fs::metadata(&path).with_context(|| format!("cannot read {input}"))?;
        if metadata.is_dir() {
            let before = sources.len();
            walk(&path, &mut sources).with_context(|| format!("reading the folder {input}"))?;
            if sources.len() == before {
                crate::output::warn(format_args!("{input} holds no *.json or *.jsonl files"));
            }
        } else {
            sources.push(Source::File(path));
        }
    }
    Ok(sources)
}

fn walk(dir: &Path, sources: &mut Vec<Source>) -> anyhow::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    entries.sort();
    for path in entries {
        if path.is_dir() {
            walk(&path, sources)?;
        } else if is_json_lines(&path) || path.extension().is_some_and(|ext| ext == "json") {
            sources.push(Source::File(path));
        }
    }
    Ok(())
}

fn is_json_lines(path: &Path) -> bool {
    path.extension()
        .is_some_and(|ext| ext == "jsonl" || ext == "ndjson")
}

/// A source's bytes, read once.
pub struct Loaded {
    /// The path, or `<stdin>`.
    pub name: String,
    pub bytes: Bytes,
    /// One body per non-blank line (a `.jsonl` file, or stdin holding several JSON values).
    pub json_lines: bool,
}

impl Loaded {
    /// The bodies in it as `(line number, bytes)` slices, without copying; the line number is
    /// `None` for a whole-file body.
    pub fn units(&self) -> Vec<(Option<usize>, &[u8])> {
        if self.json_lines {
            lines(&self.bytes)
                .map(|(n, line)| (Some(n), line))
                .collect()
        } else {
            vec![(None, &self.bytes[..])]
        }
    }

    /// `path` or `path:line`.
    pub fn origin(&self, line: Option<usize>) -> String {
        match line {
            Some(line) => format!("{}:{line}", self.name),
            None => self.name.clone(),
        }
    }
}

/// Read a source whole.
pub fn load(source: &Source) -> anyhow::Result<Loaded> {
    match source {
        Source::Stdin => {
            let mut bytes = Vec::new();
            std::io::stdin()
                .read_to_end(&mut bytes)
                .context("reading standard input")?;
            let json_lines = looks_like_json_lines(&bytes);
            Ok(Loaded {
                name: "<stdin>".to_string(),
                bytes: Bytes::Owned(bytes),
                json_lines,
            })
        }
        Source::File(path) => {
            let bytes =
                read_file(path).with_context(|| format!("cannot read {}", path.display()))?;
            // A capture file is JSON Lines whatever it is called (`listen --out run.json`).
            let json_lines = is_json_lines(path) || is_record_line(&bytes);
            Ok(Loaded {
                name: path.display().to_string(),
                bytes,
                json_lines,
            })
        }
    }
}

/// A file's bytes: read into memory, or mapped when large.
pub enum Bytes {
    Owned(Vec<u8>),
    Mapped(memmap2::Mmap),
}

impl std::ops::Deref for Bytes {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            Bytes::Owned(bytes) => bytes,
            Bytes::Mapped(map) => map,
        }
    }
}

/// Files at least this large are mapped rather than copied: reading a 70 MB JSON Lines file
/// costs as much kernel time (copying and zeroing pages) as parsing a third of it.
const MAP_THRESHOLD: u64 = 4 << 20;

fn read_file(path: &Path) -> std::io::Result<Bytes> {
    let file = std::fs::File::open(path)?;
    let length = file.metadata()?.len();
    if length >= MAP_THRESHOLD {
        // SAFETY: the map is only read. A file truncated by another process while wa-hook
        // reads it can fault (as it would for ripgrep); that is the accepted cost of mapping.
        if let Ok(map) = unsafe { memmap2::Mmap::map(&file) } {
            return Ok(Bytes::Mapped(map));
        }
    }
    let mut bytes = Vec::with_capacity(usize::try_from(length).unwrap_or(0));
    (&file).read_to_end(&mut bytes)?;
    Ok(Bytes::Owned(bytes))
}

/// Every body in a source. A `.jsonl` file (or stdin holding several JSON values, one a line)
/// gives one body per non-blank line; lines that are capture records give the captured body.
pub fn read_bodies(source: &Source) -> anyhow::Result<Vec<Body>> {
    let loaded = load(source)?;
    Ok(loaded
        .units()
        .into_iter()
        .map(|(line, bytes)| body_of(loaded.origin(line), bytes))
        .collect())
}

/// Several JSON values one after another: JSON Lines, unless the whole is one document.
fn looks_like_json_lines(bytes: &[u8]) -> bool {
    let mut lines = bytes
        .split(|b| *b == b'\n')
        .filter(|l| !l.trim_ascii().is_empty());
    let (Some(_), Some(_)) = (lines.next(), lines.next()) else {
        return false;
    };
    matches!(
        serde_json::from_slice::<serde::de::IgnoredAny>(bytes),
        Err(err) if err.to_string().starts_with("trailing characters")
    )
}

/// Capture records are written with `wa_hook_capture` as their first key, which lets a
/// line be told from a body without parsing it twice.
const RECORD_PREFIX: &[u8] = b"{\"wa_hook_capture\":";

/// True when a line is a capture record rather than a body.
fn is_record_line(line: &[u8]) -> bool {
    line.trim_ascii_start().starts_with(RECORD_PREFIX)
}

/// The non-blank lines of JSON Lines text as `(line number, bytes)`, a trailing `\r` removed.
/// Line numbers count from 1 and include blank lines.
pub fn lines(bytes: &[u8]) -> impl Iterator<Item = (usize, &[u8])> {
    // memchr finds the line ends many bytes at a time: this runs on one thread before the
    // lines are checked in parallel, so its speed is the floor of the whole run.
    let mut start = 0;
    let ends = memchr::memchr_iter(b'\n', bytes).chain(std::iter::once(bytes.len()));
    ends.enumerate()
        .map(move |(index, end)| {
            let line = &bytes[start..end];
            start = end + 1;
            (index + 1, line)
        })
        .filter(|(_, line)| !line.trim_ascii().is_empty())
        .map(|(number, line)| (number, line.strip_suffix(b"\r").unwrap_or(line)))
}

/// What one unit of input holds: a body, or a capture record (read by the one parser the
/// capture format has), or a line that looks like a record but is not one.
pub enum Unit<'a> {
    Body(&'a [u8]),
    Record(Box<CaptureRecord>),
    Unreadable(String),
}

pub fn read_unit(bytes: &[u8]) -> Unit<'_> {
    if !is_record_line(bytes) {
        return Unit::Body(bytes);
    }
    match capture::parse_record(bytes) {
        Ok(record) => Unit::Record(Box::new(record)),
        Err(err) => Unit::Unreadable(format!("{err:#}")),
    }
}

/// A body, or the body of the capture record that `bytes` holds.
fn body_of(origin: String, bytes: &[u8]) -> Body {
    let (bytes, record, unreadable) = match read_unit(bytes) {
        Unit::Body(body) => (body.to_vec(), None, None),
        Unit::Record(record) => match record.body_bytes() {
            Ok(body) => (body.unwrap_or_default(), Some(*record), None),
            Err(err) => (Vec::new(), Some(*record), Some(format!("{err:#}"))),
        },
        Unit::Unreadable(why) => (bytes.to_vec(), None, Some(why)),
    };
    Body {
        origin,
        bytes,
        record,
        unreadable,
    }
}

/// The error for inputs that hold no bodies at all.
pub fn no_bodies(sources: &[Source]) -> anyhow::Error {
    anyhow::anyhow!("no bodies to read in {}", describe_all(sources))
}

/// Read every source, failing on the first that cannot be read (exit 2 before any work).
pub fn read_all(sources: &[Source]) -> anyhow::Result<Vec<Body>> {
    let mut bodies = Vec::new();
    for source in sources {
        bodies.extend(read_bodies(source)?);
    }
    if bodies.is_empty() {
        return Err(no_bodies(sources));
    }
    Ok(bodies)
}

fn describe_all(sources: &[Source]) -> String {
    let names: Vec<String> = sources.iter().map(Source::describe).collect();
    if names.is_empty() {
        "the inputs".to_string()
    } else {
        names.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_numbered_from_1_and_blank_ones_skipped() {
        let text = b"{\"a\":1}\r\n\n  \n{\"b\":2}\n{\"c\":3}";
        let found: Vec<(usize, &[u8])> = lines(text).collect();
        assert_eq!(
            found,
            [
                (1, &b"{\"a\":1}"[..]),
                (4, &b"{\"b\":2}"[..]),
                (5, &b"{\"c\":3}"[..])
            ]
        );
        assert_eq!(lines(b"").count(), 0);
        assert_eq!(lines(b"\n\n").count(), 0);
    }

    #[test]
    fn json_lines_are_split_with_line_numbers() {
        let loaded = Loaded {
            name: "x.jsonl".into(),
            bytes: Bytes::Owned(b"{\"a\":1}\n\n{\"b\":2}\r\n".to_vec()),
            json_lines: true,
        };
        let units = loaded.units();
        assert_eq!(units.len(), 2);
        assert_eq!(loaded.origin(units[0].0), "x.jsonl:1");
        assert_eq!(loaded.origin(units[1].0), "x.jsonl:3");
        assert_eq!(units[1].1, b"{\"b\":2}");
    }

    #[test]
    fn one_document_over_several_lines_is_not_json_lines() {
        assert!(!looks_like_json_lines(b"{\n\"a\": 1\n}\n"));
        assert!(looks_like_json_lines(b"{\"a\": 1}\n{\"a\": 2}\n"));
        assert!(!looks_like_json_lines(b"{\"a\": 1}\n"));
    }
}
