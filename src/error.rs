//! Exit codes, chosen in one place.
//!
//! 0: everything checked out. 1: the check itself failed (an invalid body, a non-2xx reply, a
//! partner API `FAIL`). 2: wa-hook could not do its job (usage, unreadable input, network).
//! Commands return `Ok(Outcome)` for 0 and 1 and an error for 2, so a command can never report
//! a failed check as an I/O error or the other way round.

/// What a command found, when it ran to the end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[must_use]
pub enum Outcome {
    /// Exit 0.
    Success,
    /// Exit 1: the command ran, and what it checked did not pass.
    CheckFailed,
    /// Exit 130: stopped by Ctrl-C or SIGTERM, after saying what was done.
    Interrupted,
}

impl Outcome {
    /// `Success` when `ok`, `CheckFailed` otherwise.
    pub fn from_ok(ok: bool) -> Self {
        if ok {
            Outcome::Success
        } else {
            Outcome::CheckFailed
        }
    }
}

pub const EXIT_OK: u8 = 0;
pub const EXIT_CHECK_FAILED: u8 = 1;
pub const EXIT_ERROR: u8 = 2;
pub const EXIT_INTERRUPTED: u8 = 130;

/// The process exit code for a command's result.
pub fn exit_code(result: &anyhow::Result<Outcome>) -> u8 {
    match result {
        Ok(Outcome::Success) => EXIT_OK,
        Ok(Outcome::CheckFailed) => EXIT_CHECK_FAILED,
        Ok(Outcome::Interrupted) => EXIT_INTERRUPTED,
        // A closed pipe (`wa-hook samples | head -1`) is the reader's choice, not a failure.
        Err(err) if is_broken_pipe(err) => EXIT_OK,
        Err(_) => EXIT_ERROR,
    }
}

/// An error on stderr, in the one style every command uses (`wa-hook: error: ...`, its causes
/// after colons): what `main` prints for a command that failed, and what a command prints for a
/// check that failed before it could start (exit 1).
pub fn print(err: &anyhow::Error) {
    eprintln!("wa-hook: error: {err:#}");
}

/// True when the error, or anything it was caused by, is a broken pipe.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        let io_kind = cause
            .downcast_ref::<std::io::Error>()
            .map(std::io::Error::kind)
            // serde_json wraps the I/O error of the writer it prints to.
            .or_else(|| {
                cause
                    .downcast_ref::<serde_json::Error>()
                    .and_then(serde_json::Error::io_error_kind)
            });
        io_kind == Some(std::io::ErrorKind::BrokenPipe)
    })
}

/// Failures that are recognised by kind, not by their text: each has its one message here, and
/// exits 2 like any error. Neither carries the broken pipe behind it as a source, since a
/// broken pipe in the chain would make the exit code 0 (see [`is_broken_pipe`]).
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// File descriptor 1 was closed when wa-hook started (`>&-`).
    #[error(
        "standard output is closed (`>&-`), so nothing wa-hook prints could be read; \
         redirect it instead (`> FILE`, or `> /dev/null` to discard it)"
    )]
    StdoutClosedAtStart,
    /// The reader of a pipe went away before any output reached it.
    #[error(
        "standard output was closed before anything was printed (the reading end of the pipe \
         went away)"
    )]
    StdoutClosedBeforeOutput,
}

/// Shorthand for a usage or input error (exit 2) with a message that says what to do next.
#[macro_export]
macro_rules! fail {
    ($($arg:tt)*) => { return Err(anyhow::anyhow!($($arg)*)) };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_exit_2_and_a_broken_pipe_exits_0() {
        let closed: anyhow::Result<Outcome> = Err(Failure::StdoutClosedBeforeOutput.into());
        assert_eq!(exit_code(&closed), EXIT_ERROR);
        let pipe = std::io::Error::from(std::io::ErrorKind::BrokenPipe);
        let pipe: anyhow::Result<Outcome> = Err(anyhow::Error::from(pipe).context("printing"));
        assert_eq!(exit_code(&pipe), EXIT_OK);
        assert_eq!(exit_code(&Ok(Outcome::Interrupted)), EXIT_INTERRUPTED);
    }
}
