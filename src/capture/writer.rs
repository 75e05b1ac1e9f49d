//! Writing capture records: one line per request, appended whole however many workers
//! write at once, to a file (kept in step with its path, mended after a write cut short) or to
//! a pipe read at its own pace. See [`CaptureWriter`].
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use anyhow::Context;

use super::{CaptureRecord, record_seq};

/// Appends records to a capture file (or stdout), one line each, written through before the
/// call returns, so a record is on disk before the request it describes is acknowledged.
///
/// Many threads may write at once (`listen`'s workers): a thread encodes its lines (one, or a
/// batch of requests it took at once) into its own buffer and hands them to the kernel with one
/// `write` on a file opened with `O_APPEND`. On a local Linux file system the kernel appends
/// each such write whole, at the end of the file, so lines never interleave. The writes take
/// turns (as the kernel would make them), in a lock where a waiting thread sleeps.
///
/// A write the kernel cut short (a full disk, a file too large) is taken back: the file is
/// truncated to its last whole record, so a torn line never stays for the next record to be
/// glued to. Until a write succeeds again, writes take turns (so each knows where its lines
/// start); each later write is tried, so saving resumes when space is back. Before each write
/// the path is checked to still name the file being written: a capture file deleted or
/// replaced while listening is created again (with a warning), never written into nowhere.
///
/// A pipe, FIFO or terminal (and stdout) is written by a thread of its own from a bounded
/// queue: a reader that stops blocks only that thread, and when the queue is full a write
/// fails at once with [`PipeFull`]. While the pipe is read, a write returns once its records
/// are in the pipe; when it is not, once they are queued (after `PIPE_WAIT` at most).
pub struct CaptureWriter {
    sink: Sink,
    /// Set after a failed write, until one succeeds: writes take `careful_lock`.
    careful: AtomicBool,
    careful_lock: Mutex<()>,
    /// Held for each write (see [`CaptureWriter::write_file`]).
    turn: Mutex<()>,
    /// The `seq` of the last record already in the file when it was opened.
    last_seq: u64,
    /// `--fsync`: each write reaches the disk before the call returns.
    fsync: bool,
    /// The capture file was created by `open` (so `--fsync` syncs its folder too).
    created: Option<PathBuf>,
}

/// The most bytes of records queued for a pipe or FIFO (`--out`) that is not read as fast as
/// they arrive; a batch that would go over is refused with [`PipeFull`], and so is every
/// batch after it until the queue is down to `PIPE_QUEUE_LOW` (a small batch that fits in what
/// is left would otherwise say the pipe is read again while nobody reads it).
const PIPE_QUEUE_MAX: usize = 8 << 20;
const PIPE_QUEUE_LOW: usize = PIPE_QUEUE_MAX / 2;

/// A batch for a capture pipe waits at most this long to be written before its requests are
/// answered, when less than `PIPE_WAIT_AHEAD_MAX` bytes were queued before it (the pipe is
/// being read); otherwise it is only queued.
const PIPE_WAIT: std::time::Duration = std::time::Duration::from_millis(50);
const PIPE_WAIT_AHEAD_MAX: usize = 1 << 20;

/// A write refused because the capture pipe's queue is full (whoever reads the pipe is not
/// keeping up, or nobody is): `listen` answers 503, and the sender retries.
#[derive(Debug)]
pub struct PipeFull;

impl std::fmt::Display for PipeFull {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(
            "the capture pipe is not being read (its queue of 8 MiB is full); \
             is the program reading it still running?",
        )
    }
}

impl std::error::Error for PipeFull {}

/// Records for a pipe, FIFO or terminal, written by a thread of its own: a reader that stops
/// (or never starts) blocks only that thread, never a worker or the shutdown.
struct Pipe {
    /// The queue, and how many batches were sent to it.
    sender: Mutex<(std::sync::mpsc::Sender<Vec<u8>>, u64)>,
    /// How many batches were written, told as they are.
    written: Arc<(Mutex<u64>, std::sync::Condvar)>,
    /// Bytes queued and not yet written.
    queued: Arc<std::sync::atomic::AtomicUsize>,
    /// Records refused because the queue was full.
    refused: std::sync::atomic::AtomicU64,
    /// Set when a batch is refused, until the queue is down to `PIPE_QUEUE_LOW`.
    full: AtomicBool,
    /// The first write error of the writing thread, and the number of the batch it failed
    /// on (it then stops: that batch and every later one are lost).
    failed: Arc<Mutex<Option<(u64, String)>>>,
}

impl Pipe {
    fn start(mut out: Box<dyn Write + Send>) -> anyhow::Result<Pipe> {
        let (sender, receiver) = std::sync::mpsc::channel::<Vec<u8>>();
        let queued = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let failed = Arc::new(Mutex::new(None));
        let written = Arc::new((Mutex::new(0u64), std::sync::Condvar::new()));
        let (queued_in, failed_in) = (Arc::clone(&queued), Arc::clone(&failed));
        let written_in = Arc::clone(&written);
        std::thread::Builder::new()
            .name("wa-hook-capture-pipe".into())
            .spawn(move || {
                for lines in receiver {
                    let result = out.write_all(&lines).and_then(|()| out.flush());
                    queued_in.fetch_sub(lines.len(), Ordering::AcqRel);
                    let (count, told) = &*written_in;
                    let mut count = count
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                    *count += 1;
                    // Told under the same lock as the count: a sender that sees its batch
                    // counted sees whether it failed.
                    if let Err(err) = &result {
                        *failed_in
                            .lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner) =
                            Some((*count, err.to_string()));
                    }
                    drop(count);
                    told.notify_all();
                    if result.is_err() {
                        return;
                    }
                }
            })
            .context("starting the capture pipe's writer")?;
        Ok(Pipe {
            sender: Mutex::new((sender, 0)),
            written,
            queued,
            refused: std::sync::atomic::AtomicU64::new(0),
            full: AtomicBool::new(false),
            failed,
        })
    }

    fn send(&self, lines: &[u8], records: u64) -> anyhow::Result<()> {
        self.failed_since(0)?;
        let before = self.queued.fetch_add(lines.len(), Ordering::AcqRel);
        let over = before > 0 && before + lines.len() > PIPE_QUEUE_MAX;
        if over || (self.full.load(Ordering::Relaxed) && before > PIPE_QUEUE_LOW) {
            self.full.store(true, Ordering::Relaxed);
            self.queued.fetch_sub(lines.len(), Ordering::AcqRel);
            self.refused.fetch_add(records, Ordering::Relaxed);
            return Err(PipeFull.into());
        }
        // Cleared only at the low mark: a batch let in just under the top must not clear it
        // after a refusal that set it.
        if before <= PIPE_QUEUE_LOW {
            self.full.store(false, Ordering::Relaxed);
        }
        let batch = {
            let mut sender = self
                .sender
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if sender.0.send(lines.to_vec()).is_err() {
                self.queued.fetch_sub(lines.len(), Ordering::AcqRel);
                anyhow::bail!("the capture pipe could not be written");
            }
            sender.1 += 1;
            sender.1
        };
        // While the pipe is read, the records are in it before the request is answered (they
        // survive the listener being killed); a pipe not read holds a worker a moment at most.
        if before < PIPE_WAIT_AHEAD_MAX {
            let (count, told) = &*self.written;
            let count = count
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let _ = told
                .wait_timeout_while(count, PIPE_WAIT, |written| *written < batch)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            // Written, or lost with the pipe (its reader gone): never said to be saved then.
            self.failed_since(batch)?;
        }
        Ok(())
    }

    /// `Err` when the writing thread failed on batch `batch` or earlier (that batch, and
    /// every later one, is not written); 0 asks whether it failed at all.
    fn failed_since(&self, batch: u64) -> anyhow::Result<()> {
        match &*self
            .failed
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
        {
            Some((failed_on, err)) if batch == 0 || *failed_on <= batch => {
                anyhow::bail!("the capture pipe could not be written: {err}")
            }
            _ => Ok(()),
        }
    }
}

enum Sink {
    /// A regular file: one `write` lands whole, so no lock is needed.
    File(CaptureFile),
    /// A pipe, FIFO or terminal (or `-`, stdout), written by a thread of its own.
    Pipe(Pipe),
    Discard,
}

/// A regular capture file and which file it is, to notice when its path names another.
struct CaptureFile {
    path: PathBuf,
    open: RwLock<(File, FileId)>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
struct FileId {
    device: u64,
    inode: u64,
}

impl FileId {
    #[cfg(unix)]
    fn of(meta: &std::fs::Metadata) -> FileId {
        use std::os::unix::fs::MetadataExt;
        FileId {
            device: meta.dev(),
            inode: meta.ino(),
        }
    }

    #[cfg(not(unix))]
    fn of(_: &std::fs::Metadata) -> FileId {
        FileId {
            device: 0,
            inode: 0,
        }
    }
}

thread_local! {
    /// The lines being encoded, kept between writes so encoding allocates nothing.
    static LINES: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Open (or create, readable by its owner only: records hold message text and phone numbers)
/// a capture file for appending and reading back its tail.
fn open_capture_file(path: &Path) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.create(true).append(true).read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

/// How far back from the end the last record is looked for (and, at least, the highest `seq`).
const TAIL_MAX: u64 = 16 << 20;

/// Where the last line ended with a newline ends (after its `\n`) in `file` (of `len` bytes);
/// 0 when no line is. Looked for back to the file's start if need be: what follows the last
/// newline is one write cut short, and a record may be larger than `TAIL_MAX` (looking back
/// only that far, a torn 16 MiB write, or a whole line before it over 16 MiB, cut the whole
/// file away).
fn end_of_last_line(file: &File, len: u64) -> Option<u64> {
    let mut buf = vec![0u8; 64 * 1024];
    let mut upto = len;
    while upto > 0 {
        let from = upto.saturating_sub(buf.len() as u64);
        let chunk = &mut buf[..(upto - from) as usize];
        read_at(file, chunk, from).ok()?;
        if let Some(at) = memchr::memrchr(b'\n', chunk) {
            return Some(from + at as u64 + 1);
        }
        upto = from;
    }
    Some(0)
}

#[cfg(unix)]
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
}

#[cfg(not(unix))]
fn read_at(_: &File, _: &mut [u8], _: u64) -> std::io::Result<()> {
    Err(std::io::Error::other("not supported"))
}

/// The highest `seq` of the whole lines in the file's tail (`tail_start`). Not the last
/// line's: workers write their records in whichever order they finish, so the last line is
/// not always the highest (issue 22: a file `1,2,3,5,4` continues at 6). The lines written
/// after the highest one are those still being handled when it was written, a few hundred at
/// most, well inside the tail. A line not ended by a newline (cut short) is not read.
fn highest_seq_in_tail(file: &File, len: u64) -> Option<u64> {
    let from = tail_start(file, len)?;
    let mut buf = vec![0u8; 64 * 1024];
    let mut position = from;
    // The tail starts at a line's start.
    let mut at_line_start = true;
    let mut head: Vec<u8> = Vec::with_capacity(HEAD_MAX);
    let mut highest = None;
    while position < len {
        let n = ((len - position) as usize).min(buf.len());
        read_at(file, &mut buf[..n], position).ok()?;
        for piece in buf[..n].split_inclusive(|b| *b == b'\n') {
            if at_line_start && head.len() < HEAD_MAX {
                head.extend_from_slice(&piece[..piece.len().min(HEAD_MAX - head.len())]);
            }
            if piece.ends_with(b"\n") {
                if at_line_start {
                    highest = highest.max(record_seq(&head));
                }
                head.clear();
                at_line_start = true;
            }
        }
        position += n as u64;
    }
    highest
}

/// The tail `highest_seq_in_tail` reads: from the start of a line, at least the last
/// `TAIL_MAX` bytes and at least `TAIL_LINES_MIN` lines (or the whole file). Counted in lines
/// as well as bytes: a record may be larger than `TAIL_MAX` (a 4 MiB body of control bytes is
/// a 24 MiB line), and a tail inside one line would hold no seq at all.
fn tail_start(file: &File, len: u64) -> Option<u64> {
    let mut buf = vec![0u8; 64 * 1024];
    let mut upto = len;
    let mut lines = 0usize;
    while upto > 0 {
        let from = upto.saturating_sub(buf.len() as u64);
        let chunk = &mut buf[..(upto - from) as usize];
        read_at(file, chunk, from).ok()?;
        for at in memchr::memrchr_iter(b'\n', chunk) {
            let start = from + at as u64 + 1;
            if start == len {
                continue;
            }
            lines += 1;
            if (lines >= TAIL_LINES_MIN && len - start >= TAIL_MAX) || len - start >= TAIL_BYTES_MAX
            {
                return Some(start);
            }
        }
        upto = from;
    }
    Some(0)
}

/// The fewest lines the tail read for the highest `seq` holds: twice as many as can be in
/// flight with listen's default bounds (512 connections, each with at most 8 requests not
/// answered).
const TAIL_LINES_MIN: usize = 8192;
/// The most the tail reaches back for `TAIL_LINES_MIN` lines (a file of huge records): more
/// than the records in flight can be (8 bodies over 64 KiB at once, each at most a 24 MiB line
/// for a 4 MiB body, and smaller ones of at most 64 KiB).
const TAIL_BYTES_MAX: u64 = 1 << 30;

/// How much of a line's start is read for its `seq`.
const HEAD_MAX: usize = 128;

impl CaptureWriter {
    /// Open `path` for appending; `-` means stdout. Fails at once on a bad path, and on a
    /// file that holds something other than capture records (with a warning for a symbolic
    /// link). A file that does not end with a newline (a record cut short by a crash) gets one
    /// first, with a warning; the highest `seq` of its tail is read back so this run's records
    /// continue it. A pipe, FIFO or terminal is written by a thread of its own.
    pub fn open(path: &Path) -> anyhow::Result<Self> {
        let mut last_seq = 0;
        let mut created = None;
        let sink = if path == Path::new("-") {
            Sink::Pipe(Pipe::start(Box::new(std::io::stdout()))?)
        } else {
            check_out_path(path)?;
            let existed = std::fs::symlink_metadata(path).is_ok();
            let file = open_capture_file(path)
                .with_context(|| format!("opening the capture file {}", path.display()))?;
            if !existed {
                created = Some(path.to_path_buf());
            }
            let meta = file
                .metadata()
                .with_context(|| format!("reading the capture file {}", path.display()))?;
            if meta.file_type().is_file() {
                // One listener per file: two would number their records from the same seq.
                lock_for_writing(&file).with_context(|| {
                    format!(
                        "{} is being written by another `wa-hook listen`; stop it, or give this one another --out",
                        path.display()
                    )
                })?;
                let len = meta.len();
                if len > 0 {
                    let mut last = [0u8];
                    if read_at(&file, &mut last, len - 1).is_ok() && last[0] != b'\n' {
                        crate::output::warn(format!(
                            "{} ends in the middle of a line (a record cut short earlier?); \
                             new records start on the next line",
                            path.display()
                        ));
                        (&file)
                            .write_all(b"\n")
                            .with_context(|| format!("writing to {}", path.display()))?;
                    }
                    last_seq = highest_seq_in_tail(&file, len).unwrap_or(0);
                }
                Sink::File(CaptureFile {
                    path: path.to_path_buf(),
                    open: RwLock::new((file, FileId::of(&meta))),
                })
            } else {
                Sink::Pipe(Pipe::start(Box::new(file))?)
            }
        };
        let mut writer = Self::with_sink(sink);
        writer.last_seq = last_seq;
        writer.created = created;
        Ok(writer)
    }

    /// A writer that saves nothing (`--no-save`).
    pub fn discard() -> Self {
        Self::with_sink(Sink::Discard)
    }

    fn with_sink(sink: Sink) -> Self {
        CaptureWriter {
            sink,
            careful: AtomicBool::new(false),
            careful_lock: Mutex::new(()),
            turn: Mutex::new(()),
            last_seq: 0,
            fsync: false,
            created: None,
        }
    }

    /// Each write waits until the records are on the disk (`fdatasync`), not only handed to
    /// the operating system: they then survive a power loss, at a cost per write. A capture
    /// file `open` created has its folder synced too, so the file's name survives as well.
    pub fn with_fsync(mut self, fsync: bool) -> anyhow::Result<Self> {
        self.fsync = fsync;
        if let (true, Some(path)) = (fsync, &self.created) {
            sync_folder_of(path)?;
        }
        Ok(self)
    }

    /// Records refused because the capture pipe's queue was full ([`PipeFull`]).
    pub fn pipe_refusals(&self) -> u64 {
        match &self.sink {
            Sink::Pipe(pipe) => pipe.refused.load(Ordering::Relaxed),
            _ => 0,
        }
    }

    /// Wait at most `within` for records queued for a pipe to be written; the bytes still
    /// queued then (0 when all were written), which are lost. Never waits on a blocked write
    /// longer than that.
    pub fn finish(&self, within: std::time::Duration) -> usize {
        let Sink::Pipe(pipe) = &self.sink else {
            return 0;
        };
        let until = std::time::Instant::now() + within;
        loop {
            let left = pipe.queued.load(Ordering::Acquire);
            if left == 0 || std::time::Instant::now() >= until {
                return left;
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    }

    /// The `seq` of the last record in the file when it was opened (0 when there was none).
    pub fn last_seq(&self) -> u64 {
        self.last_seq
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
        LINES.with_borrow_mut(|lines| {
            lines.clear();
            let mut count = 0;
            for record in records {
                count += 1;
                record
                    .write_json(lines)
                    .context("encoding a capture record")?;
                lines.push(b'\n');
            }
            let result = match &self.sink {
                Sink::File(file) => self
                    .write_file(file, lines)
                    .context("writing the capture file"),
                Sink::Pipe(pipe) => pipe.send(lines, count),
                Sink::Discard => Ok(()),
            };
            // A large record's buffer is not kept for the next ones.
            if lines.capacity() > 1 << 20 {
                *lines = Vec::new();
            }
            result
        })
    }

    fn write_file(&self, capture: &CaptureFile, lines: &[u8]) -> anyhow::Result<()> {
        capture.follow_path(self.fsync)?;
        let open = capture
            .open
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let file = &open.0;
        if self.careful.load(Ordering::Acquire) {
            // After a failure: one write at a time, each taken back whole if cut short (no
            // other worker's write can come between, as they take `turn` too).
            let _careful = self
                .careful_lock
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let _turn = self.turn();
            let before = file.metadata()?.len();
            match write_whole(file, lines).and_then(|()| self.sync(file)) {
                Ok(()) => {
                    self.careful.store(false, Ordering::Release);
                    Ok(())
                }
                Err(err) => {
                    let _ = file.set_len(before);
                    Err(err.into())
                }
            }
        } else {
            // Workers writing at once take turns here, where a waiting one sleeps, rather
            // than in the kernel, which spins on the file's lock while the other write runs.
            // A write cut short is cut back to the last whole line before the next one's
            // turn, so no line is ever glued to a torn one.
            let turn = self.turn();
            let written = write_whole(file, lines);
            if written.is_err() {
                self.careful.store(true, Ordering::Release);
                truncate_to_whole_lines(file);
            }
            drop(turn);
            match written.and_then(|()| self.sync(file)) {
                Ok(()) => Ok(()),
                Err(err) => {
                    self.careful.store(true, Ordering::Release);
                    Err(err.into())
                }
            }
        }
    }

    /// The turn to write (see [`CaptureWriter::write_file`]).
    fn turn(&self) -> std::sync::MutexGuard<'_, ()> {
        self.turn
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn sync(&self, file: &File) -> std::io::Result<()> {
        if self.fsync { file.sync_data() } else { Ok(()) }
    }
}

impl CaptureFile {
    /// When the path no longer names the file being written (deleted, or replaced by another
    /// file), open it again, creating it.
    fn follow_path(&self, fsync: bool) -> anyhow::Result<()> {
        let current = std::fs::metadata(&self.path)
            .ok()
            .map(|meta| FileId::of(&meta));
        let id = self
            .open
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .1;
        if current == Some(id) {
            return Ok(());
        }
        let mut open = self
            .open
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let current = std::fs::metadata(&self.path)
            .ok()
            .map(|meta| FileId::of(&meta));
        if current == Some(open.1) {
            return Ok(());
        }
        let file = open_capture_file(&self.path).with_context(|| {
            format!(
                "the capture file {} was deleted or replaced, and opening it again failed",
                self.path.display()
            )
        })?;
        let meta = file.metadata()?;
        if fsync {
            sync_folder_of(&self.path)?;
        }
        crate::output::warn(format!(
            "the capture file {} was {} while listening; records from now on are saved in the \
             file now at that path",
            self.path.display(),
            if current.is_none() {
                "deleted"
            } else {
                "replaced"
            }
        ));
        *open = (file, FileId::of(&meta));
        Ok(())
    }
}

/// `--fsync` on a file just created: its folder's entry for it reaches the disk too.
fn sync_folder_of(path: &Path) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        let folder = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        File::open(folder)
            .and_then(|folder| folder.sync_all())
            .with_context(|| format!("syncing the folder of {} (--fsync)", path.display()))?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// `--out` names a file listen may append to: one that does not exist, is empty, or holds
/// capture records (a line of its first 4 KiB starts as one). Anything else is refused with what it
/// is; a symbolic link is followed with a warning (it may lead somewhere unexpected).
fn check_out_path(path: &Path) -> anyhow::Result<()> {
    let Ok(link) = std::fs::symlink_metadata(path) else {
        return Ok(());
    };
    if link.file_type().is_symlink() {
        let target = std::fs::read_link(path)
            .map_or_else(|_| "?".to_string(), |target| target.display().to_string());
        crate::output::warn(format!(
            "--out {} is a symbolic link to {target}: records are appended to the file it \
             names",
            path.display()
        ));
    }
    let Ok(meta) = std::fs::metadata(path) else {
        return Ok(());
    };
    warn_if_others_can_read(path, &meta);
    if meta.is_dir() {
        anyhow::bail!(
            "--out {} is a folder; give a file in it, e.g. --out {}",
            path.display(),
            path.join("wa-hook-captures.jsonl").display()
        );
    }
    if !meta.is_file() || meta.len() == 0 {
        return Ok(());
    }
    let mut start = [0u8; 4096];
    let read = {
        use std::io::Read;
        let mut file = File::open(path)
            .with_context(|| format!("reading the capture file {}", path.display()))?;
        let mut read = 0;
        while read < start.len() {
            match file.read(&mut start[read..]) {
                Ok(0) => break,
                Ok(n) => read += n,
                Err(err) if err.kind() == std::io::ErrorKind::Interrupted => {}
                Err(err) => {
                    return Err(err)
                        .with_context(|| format!("reading the capture file {}", path.display()));
                }
            }
        }
        read
    };
    let start = start[..read].trim_ascii_start();
    let prefix = b"{\"wa_hook_capture\":";
    // A record within the first lines: a capture file (one saved from `listen --out -`
    // starts with the URL line).
    if start.is_empty()
        || start.starts_with(prefix)
        || prefix.starts_with(start)
        || memchr::memmem::find(start, b"\n{\"wa_hook_capture\":").is_some()
    {
        return Ok(());
    }
    // What it is, without quoting it (it may hold secrets).
    let what = if start.starts_with(b"{") || start.starts_with(b"[") {
        "JSON that is not wa-hook capture records"
    } else if std::str::from_utf8(start).is_ok_or_cut_short()
        && !start
            .iter()
            .any(|b| b.is_ascii_control() && !b.is_ascii_whitespace())
    {
        "text that is not wa-hook capture records"
    } else {
        "binary data"
    };
    anyhow::bail!(
        "--out {} is not a wa-hook capture file: it holds {} ({what}), and listen only adds \
         to its own capture files; give --out a new file, or move this one away",
        path.display(),
        crate::output::size(meta.len())
    )
}

/// An `--out` that exists already and that another user can read (a file or FIFO another
/// user made in a shared folder such as /tmp, or one made with the default mode 0644): records
/// hold phone numbers and message text, and a capture file listen creates is its owner's only.
fn warn_if_others_can_read(path: &Path, meta: &std::fs::Metadata) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if meta.is_dir() {
            return;
        }
        // SAFETY: geteuid has no preconditions and cannot fail.
        let me = unsafe { libc::geteuid() };
        if meta.uid() != me {
            crate::output::warn(format!(
                "--out {} belongs to another user (uid {}), who can read every record saved \
                 there (phone numbers, message text); give --out a file of your own",
                path.display(),
                meta.uid()
            ));
        } else if meta.mode() & 0o044 != 0 {
            crate::output::warn(format!(
                "--out {} can be read by other users (mode {:03o}), and records hold phone \
                 numbers and message text; `chmod 600 {}` keeps them yours",
                path.display(),
                meta.mode() & 0o777,
                path.display()
            ));
        }
    }
    #[cfg(not(unix))]
    let _ = (path, meta);
}

/// UTF-8, or UTF-8 whose last character was cut off by the end of what was read.
trait Utf8Start {
    fn is_ok_or_cut_short(&self) -> bool;
}

impl Utf8Start for Result<&str, std::str::Utf8Error> {
    fn is_ok_or_cut_short(&self) -> bool {
        match self {
            Ok(_) => true,
            Err(err) => err.error_len().is_none(),
        }
    }
}

/// After a write cut short: cut the file back to its last whole line.
fn truncate_to_whole_lines(file: &File) {
    let Ok(meta) = file.metadata() else { return };
    let len = meta.len();
    if len == 0 {
        return;
    }
    let mut last = [0u8];
    if read_at(file, &mut last, len - 1).is_ok() && last[0] == b'\n' {
        return;
    }
    // A file that cannot be read back is left as it is rather than cut to nothing.
    if let Some(keep) = end_of_last_line(file, len) {
        let _ = file.set_len(keep);
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

/// An exclusive advisory lock on the capture file, held while the file is open (released when
/// the process ends, however it ends). Readers (`validate`, `inspect`) take no lock.
#[cfg(unix)]
fn lock_for_writing(file: &File) -> std::io::Result<()> {
    use std::os::unix::io::AsRawFd;
    // SAFETY: flock on a descriptor this function borrows; it changes no memory.
    if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(not(unix))]
fn lock_for_writing(_file: &File) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::{new_run_id, now_rfc3339, parse_record};
    use super::*;

    /// A pipe whose reader is gone: the batch the writing thread failed on, and every later
    /// one, is an error (the first was said to be written: `emulate --out - | head -1` lost
    /// its first send's record while it answered 200).
    #[test]
    fn a_batch_lost_with_a_pipe_whose_reader_left_is_not_said_to_be_written() {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let pipe = Pipe::start(Box::new(writer)).unwrap();
        assert!(pipe.send(b"{}\n", 1).is_err());
        assert!(pipe.send(b"{}\n", 1).is_err());
    }

    /// A full queue refuses every batch, a small one that would fit in what is left too,
    /// until half of it is read.
    #[test]
    fn a_full_pipe_refuses_until_half_its_queue_is_read() {
        use std::io::Read;
        let (mut reader, writer) = std::io::pipe().unwrap();
        let pipe = Pipe::start(Box::new(writer)).unwrap();
        // A little under 1 MiB each: once one is refused, a small batch would fit.
        let big = vec![b'a'; (1 << 20) - 1024];
        let mut sent = 0;
        while pipe.send(&big, 1).is_ok() {
            sent += 1;
            assert!(sent < 20, "the queue took {sent} MiB");
        }
        let refused = pipe.send(b"{}\n", 1).unwrap_err();
        assert!(refused.downcast_ref::<PipeFull>().is_some(), "{refused}");
        let mut buffer = vec![0; 64 << 10];
        while pipe.queued.load(Ordering::Acquire) > PIPE_QUEUE_LOW {
            let read = reader.read(&mut buffer).unwrap();
            assert!(read > 0);
        }
        pipe.send(b"{}\n", 1).unwrap();
    }

    /// A record as listen writes one (the writer does not look inside).
    pub(crate) fn record(body: &[u8]) -> CaptureRecord {
        let (body, body_encoding) = CaptureRecord::encode_body(body);
        CaptureRecord {
            seq: 1,
            run: Some(new_run_id()),
            received_at: now_rfc3339(),
            remote_addr: "127.0.0.1:5000".into(),
            method: "POST".into(),
            path: "/hook".into(),
            headers: vec![("Content-Type".into(), "application/json".into())],
            body,
            body_encoding,
            body_bytes: 3,
            response_status: 200,
            ..CaptureRecord::default()
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
    fn a_torn_last_line_gets_a_newline_and_seq_continues() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("captures.jsonl");
        let mut first = record(b"{}");
        first.seq = 41;
        let mut text = serde_json::to_vec(&first).unwrap();
        text.push(b'\n');
        text.extend_from_slice(b"{\"wa_hook_capture\":1,\"seq\":42,\"recei");
        std::fs::write(&path, &text).unwrap();
        let writer = CaptureWriter::open(&path).unwrap();
        assert_eq!(writer.last_seq(), 41);
        let mut next = record(b"{}");
        next.seq = 42;
        writer.write(&next).unwrap();
        let written = std::fs::read(&path).unwrap();
        let lines: Vec<&[u8]> = written.split(|b| *b == b'\n').collect();
        assert_eq!(lines.len(), 4, "{}", String::from_utf8_lossy(&written));
        assert_eq!(parse_record(lines[2]).unwrap().seq, 42);
        // A fresh file is readable by its owner only.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let fresh = dir.path().join("fresh.jsonl");
            CaptureWriter::open(&fresh).unwrap();
            let mode = std::fs::metadata(&fresh).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_deleted_capture_file_is_created_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("captures.jsonl");
        let writer = CaptureWriter::open(&path).unwrap();
        writer.write(&record(b"1")).unwrap();
        std::fs::remove_file(&path).unwrap();
        writer.write(&record(b"2")).unwrap();
        let records: Vec<_> = std::fs::read(&path)
            .unwrap()
            .split(|b| *b == b'\n')
            .filter(|line| !line.is_empty())
            .map(|line| parse_record(line).unwrap())
            .collect();
        assert_eq!(records.len(), 1);
        assert_eq!(records[0].body.as_deref(), Some("2"));
    }

    #[test]
    fn the_last_record_is_found_in_the_tail() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("captures.jsonl");
        let mut text = Vec::new();
        for seq in 1..=3u64 {
            let mut one = record(&vec![b'x'; 100_000]);
            one.seq = seq;
            text.extend(serde_json::to_vec(&one).unwrap());
            text.push(b'\n');
        }
        std::fs::write(&path, &text).unwrap();
        assert_eq!(CaptureWriter::open(&path).unwrap().last_seq(), 3);
    }

    /// A record larger than `TAIL_MAX` (a 4 MiB body of control bytes is a 24 MiB line): the
    /// tail read for the highest seq reaches back to its start and the lines before it, and a
    /// restart never numbers from 1 again.
    #[test]
    fn seq_continues_after_a_record_larger_than_the_tail() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("captures.jsonl");
        let mut text = Vec::new();
        for (seq, body) in [
            (1u64, vec![b'x'; 10]),
            (3, vec![b'x'; 10]),
            (2, vec![1u8; 3 << 20]),
        ] {
            let mut one = record(&body);
            one.seq = seq;
            text.extend(serde_json::to_vec(&one).unwrap());
            text.push(b'\n');
        }
        assert!(text.len() as u64 > TAIL_MAX);
        std::fs::write(&path, &text).unwrap();
        assert_eq!(CaptureWriter::open(&path).unwrap().last_seq(), 3);
    }

    /// A write cut short (a full disk) is cut back to the last whole line, however far back
    /// that is: a torn write or a whole line over `TAIL_MAX` once cut the whole file to nothing.
    #[test]
    fn a_write_cut_short_is_cut_back_to_the_last_whole_line_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("captures.jsonl");
        let mut whole = Vec::new();
        for body in [vec![b'x'; 10], vec![1u8; 3 << 20]] {
            whole.extend(serde_json::to_vec(&record(&body)).unwrap());
            whole.push(b'\n');
        }
        let torn_cases: [&[u8]; 2] = [b"{\"wa_hook_capture\":1,\"seq\":3", &vec![b'y'; 17 << 20]];
        for torn in torn_cases {
            let mut text = whole.clone();
            text.extend_from_slice(torn);
            std::fs::write(&path, &text).unwrap();
            let file = OpenOptions::new()
                .read(true)
                .write(true)
                .open(&path)
                .unwrap();
            truncate_to_whole_lines(&file);
            let after = std::fs::read(&path).unwrap();
            assert!(
                after == whole,
                "cut to {} bytes of {}",
                after.len(),
                whole.len()
            );
        }
    }
}
