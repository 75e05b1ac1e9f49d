//! Printing: colour decisions, marks, JSON lines, progress bars, whether to prompt. Every
//! command prints through here so that `--color`, `NO_COLOR`, `TERM=dumb` and "not a terminal"
//! mean the same everywhere; how numbers, counts and durations read is in [`format`](mod@format).
pub mod format;
pub mod junit;

use std::borrow::Cow;
use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use colored::{ColoredString, Colorize};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

use crate::error::Failure;

pub use format::{
    Notation, a, documented_size, duration, format_issue, label, ms, plural, plural_word,
    push_label, size,
};

/// `--color`: when to colour the output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// Decide once, at start-up, whether output is coloured.
pub fn init_color(choice: ColorChoice) {
    let enabled = match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::env::var("TERM").map_or(true, |term| term != "dumb")
        }
    };
    colored::control::set_override(enabled);
}

/// Whether wa-hook may ask the user something: both the keyboard (stdin) and the place the
/// question appears (stderr) are a terminal. Pipes, CI and `< file` never get a prompt.
pub fn can_prompt() -> bool {
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

/// The mark for a body or request that passed.
pub fn ok_mark() -> ColoredString {
    "✓".green().bold()
}

/// The mark for one that failed.
pub fn fail_mark() -> ColoredString {
    "✗".red().bold()
}

/// The mark for a body nobody recognised.
pub fn unknown_mark() -> ColoredString {
    "?".yellow().bold()
}

/// The mark for a body of a known provider that nothing checks (no schema for that part).
pub fn unchecked_mark() -> ColoredString {
    "○".cyan().bold()
}

/// Print `value` as one line of JSON.
pub fn json_line<T: Serialize + ?Sized>(out: &mut impl Write, value: &T) -> anyhow::Result<()> {
    serde_json::to_writer(&mut *out, value)?;
    out.write_all(b"\n")?;
    Ok(())
}

/// A print whose reader may have gone away (`wa-hook doctor … | head -1`): a closed pipe is not
/// an error here, so the command finishes its work and still exits with what it found.
pub fn best_effort(result: anyhow::Result<()>) -> anyhow::Result<()> {
    match result {
        Err(err) if crate::error::is_broken_pipe(&err) => Ok(()),
        other => other,
    }
}

/// Standard output as every command prints to it: `StdoutLock`, and a note of whether
/// anything reached the reader, so a pipe closed before any output is not taken for a reader
/// that had enough (see [`judge_closed_stdout`]).
pub fn stdout() -> Stdout {
    STDOUT_TRACKED.store(true, Ordering::Relaxed);
    Stdout {
        inner: std::io::stdout().lock(),
        pending: false,
    }
}

/// See [`stdout`].
pub struct Stdout {
    inner: std::io::StdoutLock<'static>,
    /// Bytes accepted into the line buffer and not yet known to be written.
    pending: bool,
}

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let written = self.inner.write(buf)?;
        // The line buffer writes a line out as soon as it has one.
        if buf[..written].contains(&b'\n') {
            STDOUT_WRITTEN.store(true, Ordering::Relaxed);
        } else if written > 0 {
            self.pending = true;
        }
        Ok(written)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()?;
        if std::mem::take(&mut self.pending) {
            STDOUT_WRITTEN.store(true, Ordering::Relaxed);
        }
        Ok(())
    }
}

static STDOUT_TRACKED: AtomicBool = AtomicBool::new(false);
static STDOUT_WRITTEN: AtomicBool = AtomicBool::new(false);
static STDOUT_CLOSED_AT_START: AtomicBool = AtomicBool::new(false);

/// Whether file descriptor 1 was closed when the process started (`wa-hook samples >&-`).
/// Rust's runtime opens /dev/null in its place before `main`, so every write would succeed
/// and print nothing: this runs before it, as the loader runs `.init_array` first.
#[cfg(target_os = "linux")]
#[used]
#[unsafe(link_section = ".init_array")]
static NOTE_CLOSED_STDOUT: extern "C" fn() = {
    extern "C" fn note_closed_stdout() {
        // SAFETY: fcntl(2) on a descriptor number only asks about it.
        if unsafe { libc::fcntl(1, libc::F_GETFD) } == -1 {
            STDOUT_CLOSED_AT_START.store(true, Ordering::Relaxed);
        }
    }
    note_closed_stdout
};

/// An error (exit 2) when standard output was closed from the start: what the command prints
/// would go nowhere, and exit 0 would say it went somewhere.
pub fn require_open_stdout() -> anyhow::Result<()> {
    // Referenced here, so the linker keeps the constructor wherever this check is linked.
    #[cfg(target_os = "linux")]
    std::hint::black_box(&NOTE_CLOSED_STDOUT);
    if STDOUT_CLOSED_AT_START.load(Ordering::Relaxed) {
        return Err(Failure::StdoutClosedAtStart.into());
    }
    Ok(())
}

/// A command's result with a closed pipe judged as ripgrep does: once output has reached the
/// reader, a reader that goes away (`| head -1`) is its choice and not an error; before any
/// output did (through [`stdout`]), nothing was printed, which is not success.
pub fn judge_closed_stdout<T>(result: anyhow::Result<T>) -> anyhow::Result<T> {
    match result {
        Err(err)
            if crate::error::is_broken_pipe(&err)
                && STDOUT_TRACKED.load(Ordering::Relaxed)
                && !STDOUT_WRITTEN.load(Ordering::Relaxed) =>
        {
            Err(Failure::StdoutClosedBeforeOutput.into())
        }
        other => other,
    }
}

/// A warning on stderr, in the one style every command uses.
pub fn warn(message: impl std::fmt::Display) {
    eprintln!("{}", warning_text(message));
}

/// Write `text` to stderr, waiting at most `within` for it to be written: a stderr nobody
/// reads (or whose lock a thread blocked on it holds) never holds the caller, which may then
/// end the process with the write still waiting. Whether it was written in time.
pub fn eprint_within(text: String, within: std::time::Duration) -> bool {
    let (written, done) = std::sync::mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name("wa-hook-stderr".into())
        .spawn(move || {
            let mut stderr = std::io::stderr().lock();
            let _ = stderr.write_all(text.as_bytes());
            let _ = stderr.flush();
            let _ = written.send(());
        });
    spawned.is_ok() && done.recv_timeout(within).is_ok()
}

/// The line [`warn`] prints, for a command that prints through a thread of its own (so a
/// stderr nobody reads never holds the thread that has something to say).
pub fn warning_text(message: impl std::fmt::Display) -> String {
    format!("{} {message}", "warning:".yellow().bold())
}

/// A progress bar on stderr, or a hidden one when stderr is not a terminal (so pipes and CI
/// logs stay clean).
pub fn progress_bar(len: u64) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} {rate} ETA {eta} {msg}",
        )
        .expect("progress template is valid")
        // Whole requests per second: indicatif's own {per_sec} shows four decimals.
        .with_key(
            "rate",
            |state: &indicatif::ProgressState, out: &mut dyn std::fmt::Write| {
                let _ = write!(out, "{:.0}/s", state.per_sec());
            },
        ),
    );
    bar
}

/// At most `max` characters of `text`, on one line, with an ellipsis when cut.
pub fn excerpt(text: &str, max: usize) -> String {
    excerpt_cow(text, max).into_owned()
}

/// [`excerpt`], borrowing `text` when it is already one short line (as most are).
pub fn excerpt_cow(text: &str, max: usize) -> Cow<'_, str> {
    let trimmed = text.trim();
    if trimmed.len() <= max && !trimmed.chars().any(is_unsafe_char) {
        return Cow::Borrowed(trimmed);
    }
    let one_line: String = text
        .chars()
        .map(|c| if is_unsafe_char(c) { ' ' } else { c })
        .collect();
    let one_line = one_line.trim();
    if one_line.chars().count() <= max {
        Cow::Owned(one_line.to_string())
    } else {
        let cut: String = one_line.chars().take(max.saturating_sub(1)).collect();
        Cow::Owned(format!("{cut}…"))
    }
}

/// A name from outside (a file name, a path) safe to print: control characters and the
/// bidirectional-text overrides are written as escapes, so a name cannot move the cursor, clear
/// the screen or disguise itself.
pub fn printable(name: &str) -> Cow<'_, str> {
    if !name.chars().any(is_unsafe_char) {
        return Cow::Borrowed(name);
    }
    Cow::Owned(
        name.chars()
            .map(|c| {
                if is_unsafe_char(c) {
                    c.escape_debug().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect(),
    )
}

/// Characters that must not reach a terminal as they are: controls (escape sequences) and the
/// bidirectional overrides and isolates (text that reads differently from what it is).
fn is_unsafe_char(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// The value at percentile `p` (0–100) of sorted latencies, nearest rank.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    #[allow(
        clippy::cast_precision_loss,
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "a rank between 0 and the length, which is far below 2^52"
    )]
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpt_cuts_and_flattens() {
        assert_eq!(excerpt("a\nb", 10), "a b");
        assert_eq!(excerpt("abcdefghij", 5), "abcd…");
        assert_eq!(excerpt("héllo", 5), "héllo");
        assert_eq!(excerpt(" hi\t", 5), "hi");
        assert!(matches!(excerpt_cow("short", 10), Cow::Borrowed("short")));
    }

    #[test]
    fn names_print_safely() {
        assert!(matches!(printable("ok/name.json"), Cow::Borrowed(_)));
        assert_eq!(
            printable("a\u{1b}[31mb\u{202e}c"),
            "a\\u{1b}[31mb\\u{202e}c"
        );
    }
}
