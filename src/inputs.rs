//! Reading bodies from what the user names: files, folders, standard input, JSON Lines files
//! and capture files. `validate` and `replay` both read their inputs through here, and capture
//! files through [`crate::capture`], so a capture replays exactly as it validates.
//!
//! Everything is read as a stream, in bounded batches: a source of any size (a 1 GB capture,
//! `/dev/zero`, an endless pipe) costs at most a few batches of memory, and a body larger than
//! the limit is refused without being kept.
use std::collections::HashSet;
use std::io::Read;
use std::ops::Range;
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::capture::{self, CaptureRecord};
use crate::output;

/// The largest body read by default: the same as `listen --max-body`.
pub const DEFAULT_MAX_BODY: u64 = 4 << 20;

/// One place bodies come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    Stdin,
    File(PathBuf),
    /// One record of a capture file, `FILE:SEQ`.
    Record(CaptureAddress),
}

/// One captured request, named `FILE:SEQ` (`captures.jsonl:5`): the record whose `seq` is 5.
/// `seq` continues across runs of `listen` on the same file, so it names one request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaptureAddress {
    pub path: PathBuf,
    pub seq: u64,
}

impl CaptureAddress {
    /// `FILE:SEQ`, when `text` is not itself the name of a file and FILE is one.
    pub fn parse(text: &str) -> Option<CaptureAddress> {
        let (path, seq) = text.rsplit_once(':')?;
        if path.is_empty() || seq.is_empty() || !seq.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        if Path::new(text).exists() || !Path::new(path).is_file() {
            return None;
        }
        Some(CaptureAddress {
            path: PathBuf::from(path),
            seq: seq.parse().ok()?,
        })
    }

    /// `FILE:SEQ`, escaped for printing.
    pub fn describe(&self) -> String {
        format!(
            "{}:{}",
            output::printable(&self.path.to_string_lossy()),
            self.seq
        )
    }
}

/// The line of the capture record `address` names (in a file of plain bodies, its line N), read
/// through the file as a stream, and its line number. When several records carry that `seq` (files joined together, or written
/// before `seq` continued across runs), the last is taken, with a warning.
pub fn find_record_line(address: &CaptureAddress) -> anyhow::Result<(usize, Vec<u8>)> {
    let source = Source::File(address.path.clone());
    let mut stream = UnitStream::open(&source, DEFAULT_MAX_BODY)?;
    let mut found: Option<(usize, Vec<u8>)> = None;
    let mut lines = Vec::new();
    // In a file of bodies rather than captures (plain JSON Lines), N is the line, as `validate`
    // prints it.
    let mut any_record = false;
    let mut at_line: Option<(usize, Vec<u8>)> = None;
    while let Some(batch) = stream.next_batch()? {
        for unit in batch.units {
            let Some(bytes) = batch.bytes(unit) else {
                continue;
            };
            let seq = capture::record_seq(bytes);
            any_record |= seq.is_some();
            if seq == Some(address.seq) {
                let line = unit.line.unwrap_or(1);
                lines.push(line);
                found = Some((line, bytes.to_vec()));
            } else if !any_record && unit.line.map(|line| line as u64) == Some(address.seq) {
                at_line = Some((unit.line.unwrap_or(1), bytes.to_vec()));
            }
        }
    }
    if !any_record {
        return at_line.ok_or_else(|| {
            anyhow::anyhow!(
                "{} has no line {} with a body (it holds no capture records, so {}:N is its line N)",
                source.describe(),
                address.seq,
                source.describe()
            )
        });
    }
    let Some(found) = found else {
        anyhow::bail!(
            "{} holds no capture record with seq {}; `wa-hook inspect {}` lists them",
            source.describe(),
            address.seq,
            source.describe()
        );
    };
    if lines.len() > 1 {
        let numbers: Vec<String> = lines.iter().map(usize::to_string).collect();
        output::warn(format!(
            "{} holds {} records with seq {} (lines {}); using the last",
            source.describe(),
            lines.len(),
            address.seq,
            numbers.join(", ")
        ));
    }
    Ok(found)
}

/// The capture record `address` names.
pub fn find_record(address: &CaptureAddress) -> anyhow::Result<CaptureRecord> {
    let (_, line) = find_record_line(address)?;
    if !is_record_line(&line) {
        anyhow::bail!(
            "{} is a body, not a captured request; `wa-hook validate {}` checks it",
            address.describe(),
            address.describe()
        );
    }
    capture::parse_record(&line).with_context(|| address.describe())
}

impl Source {
    /// The name printed for it, with control characters escaped (a file name may hold any).
    pub fn describe(&self) -> String {
        match self {
            Source::Stdin => "<stdin>".to_string(),
            Source::File(path) => output::printable(&path.to_string_lossy()).into_owned(),
            Source::Record(address) => address.describe(),
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

/// What the user's arguments name: the sources to read, in order, and what was passed over.
#[derive(Debug, Default)]
pub struct Expansion {
    pub sources: Vec<Source>,
    /// Entries of a folder that could not be read (a dangling link, no permission), as
    /// `(name, why)`: reported, and the rest is read.
    pub problems: Vec<(String, String)>,
    /// Entries left alone on purpose, with why (a FIFO named `x.json`, a link loop).
    pub notes: Vec<String>,
}

/// Turn the user's arguments into sources: `-` is stdin, folders are searched recursively for
/// `*.json`, `*.jsonl` and `*.ndjson` (sorted, so output order is stable; each file once, however
/// many links lead to it; link loops, FIFOs, sockets and devices passed over with a note). A
/// path named on the command line is read whatever it is (a FIFO from `<(cmd)` included); one
/// that does not exist is an error naming it.
pub fn expand(inputs: &[String]) -> anyhow::Result<Expansion> {
    let mut expansion = Expansion::default();
    let mut seen = HashSet::new();
    for input in inputs {
        if input == "-" {
            expansion.sources.push(Source::Stdin);
            continue;
        }
        if let Some(address) = CaptureAddress::parse(input) {
            expansion.sources.push(Source::Record(address));
            continue;
        }
        let path = PathBuf::from(input);
        let metadata = std::fs::metadata(&path)
            .with_context(|| format!("cannot read {}", output::printable(input)))?;
        if metadata.is_dir() {
            let before = expansion.sources.len();
            walk(&path, &mut seen, &mut expansion);
            if expansion.sources.len() == before {
                output::warn(format_args!(
                    "{} holds no *.json or *.jsonl files",
                    output::printable(input)
                ));
            }
        } else {
            expansion.sources.push(Source::File(path));
        }
    }
    Ok(expansion)
}

fn walk(dir: &Path, seen: &mut HashSet<(u64, u64)>, expansion: &mut Expansion) {
    let name = |path: &Path| output::printable(&path.to_string_lossy()).into_owned();
    // A folder reached twice (two links to it) is walked once: its files, and its problems,
    // are listed once.
    let mut seen_dirs = HashSet::new();
    // Siblings' paths are their folder's path and their names, so comparing the paths orders
    // them by name, as `sort_by_file_name` does, without splitting each path into components
    // at every comparison (most of the walk of a folder of 5,000 files).
    let entries = walkdir::WalkDir::new(dir)
        .follow_links(true)
        .sort_by(|a, b| a.path().as_os_str().cmp(b.path().as_os_str()))
        .into_iter()
        .filter_entry(move |entry| {
            !entry.file_type().is_dir()
                || file_identity(entry.path()).map_or(true, |id| seen_dirs.insert(id))
        });
    for entry in entries {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                let path = err.path().map_or_else(|| name(dir), name);
                if let Some(ancestor) = err.loop_ancestor() {
                    expansion.notes.push(format!(
                        "{path}: passed over, a link back to {}",
                        name(ancestor)
                    ));
                } else {
                    let why = match err.io_error() {
                        Some(io) if io.kind() == std::io::ErrorKind::NotFound => {
                            "a link to nothing (its target does not exist)".to_string()
                        }
                        Some(io) => format!("cannot read it: {io}"),
                        None => err.to_string(),
                    };
                    expansion.problems.push((path, why));
                }
                continue;
            }
        };
        let path = entry.path();
        if entry.file_type().is_dir() || !has_body_extension(path) {
            continue;
        }
        if !entry.file_type().is_file() {
            expansion.notes.push(format!(
                "{}: passed over, not a regular file ({})",
                name(path),
                describe_file_type(entry.file_type())
            ));
            continue;
        }
        // The same file reached through two links is read once.
        if let Ok(identity) = file_identity(path) {
            if !seen.insert(identity) {
                continue;
            }
        }
        expansion.sources.push(Source::File(path.to_path_buf()));
    }
}

#[cfg(unix)]
fn file_identity(path: &Path) -> std::io::Result<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    let metadata = std::fs::metadata(path)?;
    Ok((metadata.dev(), metadata.ino()))
}

#[cfg(not(unix))]
fn file_identity(path: &Path) -> std::io::Result<(u64, u64)> {
    // No inode numbers: the canonical path's hash stands in.
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    std::fs::canonicalize(path)?.hash(&mut hasher);
    Ok((0, hasher.finish()))
}

fn describe_file_type(file_type: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a FIFO";
        }
        if file_type.is_socket() {
            return "a socket";
        }
        if file_type.is_char_device() || file_type.is_block_device() {
            return "a device";
        }
    }
    let _ = file_type;
    "not a file"
}

fn has_body_extension(path: &Path) -> bool {
    is_json_lines(path) || path.extension().is_some_and(|ext| ext == "json")
}

fn is_json_lines(path: &Path) -> bool {
    path.extension()
        .is_some_and(|ext| ext == "jsonl" || ext == "ndjson")
}

/// A body as the stream hands it over.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Piece {
    /// The body's bytes, as a range of the batch.
    Bytes(Range<usize>),
    /// A body over the limit, not kept: its size, or (`exact: false`) the limit it passed
    /// before wa-hook stopped reading it.
    TooLarge { size: u64, exact: bool },
}

/// One body of a source: its line (`None` for a whole-file body) and its bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamUnit {
    pub line: Option<usize>,
    pub piece: Piece,
}

/// At most this many bytes of lines, and this many bodies, are handed over at once: a batch is
/// checked in parallel, printed, and dropped before the next is read.
const BATCH_BYTES: usize = 4 << 20;
const BATCH_UNITS: usize = 4096;
/// Each read asks for this much.
const CHUNK: usize = 256 << 10;
/// The least read at a time from a file of known size that grew past it.
const MIN_CHUNK: usize = 8 << 10;
/// The read that finds the end of a file of known size once its bytes are in.
const END_PROBE: usize = 64;

/// A source's bodies, a batch at a time, in bounded memory.
#[allow(
    clippy::struct_excessive_bools,
    reason = "independent facts about one source, not a state machine"
)]
pub struct UnitStream {
    name: String,
    /// One record named `FILE:SEQ`: its origin is that name.
    whole_name: bool,
    reader: Box<dyn Read + Send>,
    /// One body per line, rather than the whole source as one body.
    lines: bool,
    /// The largest body kept; a line may be longer when it is a capture record, whose body is
    /// escaped (up to six bytes per byte).
    max_body: u64,
    max_line: usize,
    /// The source's size when it is a regular file.
    size: Option<u64>,
    buf: Vec<u8>,
    /// Bytes of `buf` handed over in the last batch, dropped before the next.
    consumed: usize,
    /// Lines started so far.
    line: usize,
    /// A line over the limit being passed over: its number and the bytes seen.
    skipping: Option<(usize, u64)>,
    eof: bool,
    /// The last read gave less than was asked: a pipe with nothing more yet. What has arrived
    /// is handed over rather than waiting for a full batch (`tail -f captures.jsonl | validate -`).
    short_read: bool,
    /// Bytes read from the source so far.
    read_total: u64,
    done: bool,
    units: Vec<StreamUnit>,
    /// The bytes of a batch handed over by [`UnitStream::next_owned_batch`] and given back,
    /// reused as the next buffer rather than grown again.
    spare: Vec<u8>,
}

/// One batch: the bytes, and the bodies in them.
pub struct Batch<'a> {
    pub name: &'a str,
    /// The name alone says where a body came from (`FILE:SEQ`): no line number is added.
    whole_name: bool,
    bytes: &'a [u8],
    pub units: &'a [StreamUnit],
}

impl Batch<'_> {
    pub fn bytes(&self, unit: &StreamUnit) -> Option<&[u8]> {
        match &unit.piece {
            Piece::Bytes(range) => Some(&self.bytes[range.clone()]),
            Piece::TooLarge { .. } => None,
        }
    }

    /// `path`, `path:line`, or for a capture record `path:seq` — the `FILE:SEQ` form that
    /// `show`, `replay` and `validate` take back.
    pub fn origin(&self, unit: &StreamUnit) -> String {
        if self.whole_name {
            return self.name.to_string();
        }
        if let Some(seq) = self.bytes(unit).and_then(capture::record_seq) {
            return format!("{}:{seq}", self.name);
        }
        origin(self.name, unit.line)
    }
}

/// A batch that holds its own bytes, so that the next one can be read while it is checked.
pub struct OwnedBatch {
    whole_name: bool,
    bytes: Vec<u8>,
    pub units: Vec<StreamUnit>,
}

impl OwnedBatch {
    /// The batch, as [`UnitStream::next_batch`] hands one over; `name` is the stream's.
    pub fn view<'a>(&'a self, name: &'a str) -> Batch<'a> {
        Batch {
            name,
            whole_name: self.whole_name,
            bytes: &self.bytes,
            units: &self.units,
        }
    }
}

fn origin(name: &str, line: Option<usize>) -> String {
    match line {
        Some(line) => format!("{name}:{line}"),
        None => name.to_string(),
    }
}

impl UnitStream {
    /// Open a source; nothing is read yet but what tells JSON Lines from one document.
    pub fn open(source: &Source, max_body: u64) -> anyhow::Result<UnitStream> {
        let name = source.describe();
        let (reader, size, named_lines): (Box<dyn Read + Send>, Option<u64>, bool) = match source {
            Source::Stdin => (Box::new(std::io::stdin()), None, false),
            Source::File(path) => {
                let file =
                    std::fs::File::open(path).with_context(|| format!("cannot read {name}"))?;
                let metadata = file
                    .metadata()
                    .with_context(|| format!("cannot read {name}"))?;
                if metadata.is_dir() {
                    anyhow::bail!("cannot read {name}: it is a folder");
                }
                let size = metadata.is_file().then_some(metadata.len());
                (Box::new(file), size, is_json_lines(path))
            }
            Source::Record(address) => {
                let (_, line) = find_record_line(address)?;
                (Box::new(std::io::Cursor::new(line)), None, true)
            }
        };
        let mut stream = UnitStream::new(name, reader, named_lines, max_body, size);
        stream.whole_name = matches!(source, Source::Record(_));
        if !named_lines {
            stream.lines = stream
                .decide_lines(matches!(source, Source::Stdin))
                .with_context(|| format!("reading {}", stream.name))?;
        }
        Ok(stream)
    }

    fn new(
        name: String,
        reader: Box<dyn Read + Send>,
        lines: bool,
        max_body: u64,
        size: Option<u64>,
    ) -> UnitStream {
        let max_line = usize::try_from(max_body.saturating_mul(6))
            .unwrap_or(usize::MAX)
            .saturating_add(64 << 10);
        UnitStream {
            name,
            whole_name: false,
            reader,
            lines,
            max_body,
            max_line,
            size,
            buf: Vec::new(),
            consumed: 0,
            line: 0,
            skipping: None,
            eof: false,
            short_read: false,
            read_total: 0,
            done: false,
            units: Vec::new(),
            spare: Vec::new(),
        }
    }

    /// The source's name as printed.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Read on until it is clear whether the source is JSON Lines: a capture file is, whatever
    /// it is called (`listen --out run.json`); standard input is when its first line is a whole
    /// JSON value and another line follows.
    fn decide_lines(&mut self, stdin: bool) -> std::io::Result<bool> {
        loop {
            let start = self.buf.iter().position(|b| !b.is_ascii_whitespace());
            if let Some(start) = start {
                let rest = &self.buf[start..];
                let prefix = rest.len().min(RECORD_PREFIX.len());
                if rest[..prefix] != RECORD_PREFIX[..prefix] {
                    if !stdin {
                        return Ok(false);
                    }
                } else if prefix == RECORD_PREFIX.len() {
                    return Ok(true);
                }
                if stdin {
                    if let Some(decided) = stdin_is_json_lines(rest, self.eof) {
                        return Ok(decided);
                    }
                }
            }
            // A first line longer than the largest body is a body over the limit either way.
            if self.eof || self.buf.len() as u64 > self.max_body {
                return Ok(false);
            }
            self.fill()?;
        }
    }

    /// Read one chunk more onto the end of `buf`.
    /// A file of known size is read in one piece of its size (and one byte more, to see its
    /// end): zeroing and growing a whole chunk for every small file of a folder cost more than
    /// reading and checking it.
    fn fill(&mut self) -> std::io::Result<()> {
        let len = self.buf.len();
        let want = match self.size {
            // The known bytes and one more; then a small read that finds the end (or that the
            // file grew, after which it is read a chunk at a time).
            Some(size) if self.read_total < size => usize::try_from(size - self.read_total)
                .unwrap_or(usize::MAX)
                .saturating_add(1)
                .min(CHUNK),
            Some(size) if self.read_total == size => END_PROBE,
            Some(_) => MIN_CHUNK,
            None => CHUNK,
        };
        self.buf.resize(len + want, 0);
        loop {
            match self.reader.read(&mut self.buf[len..]) {
                Ok(read) => {
                    self.buf.truncate(len + read);
                    self.read_total += read as u64;
                    self.eof = read == 0;
                    self.short_read = read < want;
                    return Ok(());
                }
                Err(err) if err.kind() == std::io::ErrorKind::Interrupted => {}
                Err(err) => {
                    self.buf.truncate(len);
                    return Err(err);
                }
            }
        }
    }

    /// The next batch of bodies, or `None` at the end. An error reading the source ends it.
    pub fn next_batch(&mut self) -> anyhow::Result<Option<Batch<'_>>> {
        if self.done {
            return Ok(None);
        }
        self.buf.drain(..self.consumed);
        self.consumed = 0;
        self.units.clear();
        let read = if self.lines {
            self.next_lines()
        } else {
            self.whole()
        };
        read.with_context(|| format!("reading {}", self.name))?;
        if self.units.is_empty() {
            self.done = true;
            return Ok(None);
        }
        Ok(Some(Batch {
            name: &self.name,
            whole_name: self.whole_name,
            bytes: &self.buf,
            units: &self.units,
        }))
    }

    /// [`UnitStream::next_batch`], holding its own bytes: what follows the batch (a line not yet
    /// ended) moves to a buffer of its own, the one [`UnitStream::give_back`] returned when
    /// there is one.
    pub fn next_owned_batch(&mut self) -> anyhow::Result<Option<OwnedBatch>> {
        if self.next_batch()?.is_none() {
            return Ok(None);
        }
        let mut rest = std::mem::take(&mut self.spare);
        rest.clear();
        rest.extend_from_slice(&self.buf[self.consumed..]);
        let mut bytes = std::mem::replace(&mut self.buf, rest);
        bytes.truncate(self.consumed);
        self.consumed = 0;
        Ok(Some(OwnedBatch {
            whole_name: self.whole_name,
            bytes,
            units: std::mem::take(&mut self.units),
        }))
    }

    /// A batch done with: its buffer is reused for a later one.
    pub fn give_back(&mut self, batch: OwnedBatch) {
        self.spare = batch.bytes;
    }

    /// Whether reading on cannot wait for input that has not arrived: a regular file, which can
    /// be read ahead while a batch is checked. A pipe or terminal is not read before what came
    /// is printed (`tail -f captures.jsonl | validate -`).
    pub fn reads_ahead(&self) -> bool {
        self.size.is_some()
    }

    /// The whole source as one body, when it is no larger than the limit.
    fn whole(&mut self) -> std::io::Result<()> {
        self.done = true;
        if let Some(size) = self.size.filter(|size| *size > self.max_body) {
            self.units.push(StreamUnit {
                line: None,
                piece: Piece::TooLarge { size, exact: true },
            });
            return Ok(());
        }
        while !self.eof && self.buf.len() as u64 <= self.max_body {
            self.fill()?;
        }
        let piece = if self.buf.len() as u64 > self.max_body {
            // An endless or huge stream: that it passed the limit says enough.
            Piece::TooLarge {
                size: self.max_body,
                exact: false,
            }
        } else {
            Piece::Bytes(0..self.buf.len())
        };
        self.consumed = self.buf.len();
        self.units.push(StreamUnit { line: None, piece });
        Ok(())
    }

    /// Whole lines, up to a batch's worth; a line over the limit is passed over in chunks.
    fn next_lines(&mut self) -> std::io::Result<()> {
        let mut scan = 0;
        loop {
            while let Some(found) = memchr::memchr(b'\n', &self.buf[scan..]) {
                let end = scan + found;
                self.line_ends(scan, end);
                scan = end + 1;
                if self.units.len() >= BATCH_UNITS {
                    self.consumed = scan;
                    return Ok(());
                }
            }
            // `buf[scan..]` is a line not yet ended.
            let partial = self.buf.len() - scan;
            if let Some((_, seen)) = &mut self.skipping {
                *seen += partial as u64;
                self.buf.truncate(scan);
            } else if partial > self.max_line {
                self.skipping = Some((self.line + 1, partial as u64));
                self.buf.truncate(scan);
            }
            if self.eof {
                if self.buf.len() > scan || self.skipping.is_some() {
                    let end = self.buf.len();
                    self.line_ends(scan, end);
                    scan = end;
                }
                self.consumed = scan;
                self.done = true;
                return Ok(());
            }
            if !self.units.is_empty() && (scan >= BATCH_BYTES || self.short_read) {
                self.consumed = scan;
                return Ok(());
            }
            self.fill()?;
        }
    }

    /// A line ends at `end` (its `\n`, or the end of the source): hand it over.
    fn line_ends(&mut self, start: usize, end: usize) {
        self.line += 1;
        let unit = if let Some((line, seen)) = self.skipping.take() {
            StreamUnit {
                line: Some(line),
                piece: Piece::TooLarge {
                    size: seen + (end - start) as u64,
                    exact: true,
                },
            }
        } else {
            let bytes = &self.buf[start..end];
            let bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
            if bytes.trim_ascii().is_empty() {
                return;
            }
            let piece = if bytes.len() as u64 > self.max_body && !is_record_line(bytes) {
                Piece::TooLarge {
                    size: bytes.len() as u64,
                    exact: true,
                }
            } else {
                Piece::Bytes(start..start + bytes.len())
            };
            StreamUnit {
                line: Some(self.line),
                piece,
            }
        };
        self.units.push(unit);
    }
}

/// Whether standard input starting with `text` (from its first non-blank byte) is JSON Lines,
/// or `None` until enough has arrived to tell. It is when its first line is a whole JSON value
/// and more follows; or when the first line is not a JSON value and cannot begin one (a stray
/// line of text, not the `{` or `[` of a pretty-printed document) and the next line is one.
fn stdin_is_json_lines(text: &[u8], eof: bool) -> Option<bool> {
    let whole = |line: &[u8]| serde_json::from_slice::<serde::de::IgnoredAny>(line).is_ok();
    let end = memchr::memchr(b'\n', text)?;
    let (first, rest) = (&text[..end], &text[end + 1..]);
    let Some(next_start) = rest.iter().position(|b| !b.is_ascii_whitespace()) else {
        return if eof { Some(false) } else { None };
    };
    if whole(first) {
        return Some(true);
    }
    if first.trim_ascii_start().starts_with(b"{") || first.trim_ascii_start().starts_with(b"[") {
        return Some(false);
    }
    let rest = &rest[next_start..];
    match memchr::memchr(b'\n', rest) {
        Some(end) => Some(whole(&rest[..end])),
        None if eof => Some(whole(rest)),
        None => None,
    }
}

/// Capture records are written with `wa_hook_capture` as their first key, which lets a
/// line be told from a body without parsing it twice.
const RECORD_PREFIX: &[u8] = b"{\"wa_hook_capture\":";

/// True when a line is a capture record rather than a body.
fn is_record_line(line: &[u8]) -> bool {
    line.trim_ascii_start().starts_with(RECORD_PREFIX)
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

/// [`read_unit`] for checking only: a record is read for what judging it needs (method, query,
/// body), and its headers, errors and forward result are skipped without being kept — a record
/// line of millions of empty headers costs nothing.
pub fn read_unit_to_check(bytes: &[u8]) -> Unit<'_> {
    if !is_record_line(bytes) {
        return Unit::Body(bytes);
    }
    match capture::parse_record_to_check(bytes) {
        Ok(record) => Unit::Record(Box::new(record)),
        Err(err) => Unit::Unreadable(format!("{err:#}")),
    }
}

/// A body, or the body of the capture record that `bytes` holds.
pub fn body_of(origin: String, bytes: &[u8]) -> Body {
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

    /// Every unit of a stream over `bytes`, as (origin, bytes or the size refused).
    fn units_of(bytes: &[u8], lines: bool, max_body: u64) -> Vec<(String, Result<Vec<u8>, u64>)> {
        let reader = Box::new(std::io::Cursor::new(bytes.to_vec()));
        let mut stream = UnitStream::new("x".into(), reader, lines, max_body, None);
        let mut found = Vec::new();
        while let Some(batch) = stream.next_batch().unwrap() {
            for unit in batch.units {
                let got = match (&unit.piece, batch.bytes(unit)) {
                    (_, Some(bytes)) => Ok(bytes.to_vec()),
                    (Piece::TooLarge { size, .. }, None) => Err(*size),
                    _ => unreachable!(),
                };
                found.push((batch.origin(unit), got));
            }
        }
        found
    }

    #[test]
    fn lines_are_numbered_from_1_and_blank_ones_skipped() {
        let text = b"{\"a\":1}\r\n\n  \n{\"b\":2}\n{\"c\":3}";
        let found = units_of(text, true, 100);
        let expected = [
            ("x:1", "{\"a\":1}"),
            ("x:4", "{\"b\":2}"),
            ("x:5", "{\"c\":3}"),
        ];
        assert_eq!(found.len(), 3);
        for ((origin, bytes), (want_origin, want)) in found.iter().zip(expected) {
            assert_eq!(
                (origin.as_str(), bytes.as_deref()),
                (want_origin, Ok(want.as_bytes()))
            );
        }
        assert!(units_of(b"", true, 100).is_empty());
        assert!(units_of(b"\n\n", true, 100).is_empty());
    }

    #[test]
    fn a_line_over_the_limit_is_refused_and_the_next_is_read() {
        let mut text = b"{\"a\":1}\n".to_vec();
        text.extend(std::iter::repeat_n(b'x', 1000));
        text.extend(b"\n{\"b\":2}\n");
        text.extend(std::iter::repeat_n(b'y', 50));
        let found = units_of(&text, true, 40);
        let got: Vec<(&str, Result<usize, u64>)> = found
            .iter()
            .map(|(origin, got)| (origin.as_str(), got.as_ref().map(Vec::len).map_err(|s| *s)))
            .collect();
        assert_eq!(
            got,
            [
                ("x:1", Ok(7)),
                ("x:2", Err(1000)),
                ("x:3", Ok(7)),
                ("x:4", Err(50))
            ]
        );
    }

    #[test]
    fn many_lines_come_in_several_batches_with_every_line_once() {
        let text: Vec<u8> = (0..10_000)
            .flat_map(|i| format!("{{\"n\":{i}}}\n").into_bytes())
            .collect();
        let found = units_of(&text, true, 100);
        assert_eq!(found.len(), 10_000);
        assert_eq!(
            found[9_999],
            ("x:10000".to_string(), Ok(b"{\"n\":9999}".to_vec()))
        );
    }

    #[test]
    fn a_whole_document_over_the_limit_is_refused() {
        assert_eq!(
            units_of(b"{\"a\": 1}", false, 100),
            [("x".to_string(), Ok(b"{\"a\": 1}".to_vec()))]
        );
        let big = vec![b' '; 1000];
        let found = units_of(&big, false, 100);
        assert!(matches!(found[..], [(_, Err(100))]));
    }

    #[test]
    fn standard_input_tells_json_lines_from_one_document() {
        let lines = |text: &str| stdin_is_json_lines(text.as_bytes(), true);
        assert_eq!(lines("{\"a\":1}\n{\"a\":2}\n"), Some(true));
        assert_eq!(lines("{\"a\":1}\n"), Some(false));
        assert_eq!(lines("{\n  \"a\": 1\n}\n"), Some(false));
        assert_eq!(lines("[\n  \"a\"\n]\n"), Some(false));
        assert_eq!(lines("garbage\n{\"a\":1}\n{\"a\":2}\n"), Some(true));
        assert_eq!(lines("garbage\nmore garbage\n"), Some(false));
        assert_eq!(stdin_is_json_lines(b"{\"a\":1}\n", false), None);
    }

    #[test]
    fn control_characters_in_names_are_escaped() {
        let source = Source::File(PathBuf::from("evil\u{1b}[2Jname\n.json"));
        assert_eq!(source.describe(), "evil\\u{1b}[2Jname\\n.json");
    }
}
