//! What sending produced, one [`Sent`] per request: written by `send`, read by `report`.
use std::time::Duration;

use crate::validation::Check;

/// What happened to one request.
pub(crate) struct Sent {
    /// The job (template × repeat) it belongs to, for ordering.
    pub job: u64,
    pub template: usize,
    pub step: usize,
    pub status: Option<u16>,
    pub latency: Duration,
    pub failure: Option<Failure>,
    /// Only when results are shown one by one.
    pub detail: Option<Detail>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FailureKind {
    Timeout,
    /// Nothing reached the server.
    Connect,
    /// The request went out; the connection was reset or closed before an answer.
    NoAnswer,
    /// An answer came, but its body was cut short, broken or over the cap.
    Body,
    Other,
}

pub(crate) struct Failure {
    pub kind: FailureKind,
    /// One line naming the URL, with a hint.
    pub message: String,
}

pub(crate) struct Detail {
    /// A few words about the response body.
    pub gist: String,
    pub reply: Option<ReplyCheck>,
}

/// The target's answer to a Picky Assist message, checked as an instant reply.
pub(crate) enum ReplyCheck {
    Checked(Check),
    /// Not JSON: an acknowledgement only (instant replies must be JSON).
    NotJson,
}

pub(crate) struct Results {
    pub sent: Vec<Sent>,
    pub elapsed: Duration,
    /// Stopped by Ctrl-C or SIGTERM before every request was sent.
    pub interrupted: bool,
}
