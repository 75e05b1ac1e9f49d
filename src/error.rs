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

/// Shorthand for a usage or input error (exit 2) with a message that says what to do next.
#[macro_export]
macro_rules! fail {
    ($($arg:tt)*) => { return Err(anyhow::anyhow!($($arg)*)) };
}
