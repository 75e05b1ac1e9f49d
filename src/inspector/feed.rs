//! How `listen`'s workers hand the inspector the summary of each record they saved: a bounded
//! channel that a worker never waits on. When it is full (the inspector is behind), the batch
//! is dropped and counted; the inspector reads those records back from the capture file once
//! the feed is quiet (or each second while it is not), and the page and listen's summary say
//! how many there were.
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, Sender};

use super::index::Summary;

/// Summaries waiting for the inspector, at most: about a second of a flood of webhooks, a few
/// tens of megabytes (a summary keeps at most 512 bytes of each field).
pub(super) const FEED_MAX: usize = 32_768;

/// The workers' end of the feed.
#[derive(Clone)]
pub struct FeedSender {
    sender: Sender<Vec<Summary>>,
    /// Summaries sent and not yet taken (shared with the [`Feed`]).
    queued: Arc<AtomicUsize>,
    pub(super) dropped: Arc<AtomicU64>,
    /// The capture file's name as the list shows it.
    file: &'static str,
}

/// The inspector's end of the feed.
pub struct Feed {
    pub(super) receiver: Receiver<Vec<Summary>>,
    pub(super) queued: Arc<AtomicUsize>,
    pub(super) dropped: Arc<AtomicU64>,
    /// The highest `seq` in the capture file before this run: the run's records come after.
    pub(super) last_seq: u64,
}

/// A feed for the run whose capture file (`file`) held records up to `last_seq`.
pub fn feed(file: &Path, last_seq: u64) -> (FeedSender, Feed) {
    let (sender, receiver) = std::sync::mpsc::channel();
    let dropped = Arc::new(AtomicU64::new(0));
    let queued = Arc::new(AtomicUsize::new(0));
    (
        FeedSender {
            sender,
            queued: Arc::clone(&queued),
            dropped: Arc::clone(&dropped),
            file: super::index::file_name(file),
        },
        Feed {
            receiver,
            queued,
            dropped,
            last_seq,
        },
    )
}

impl FeedSender {
    /// Hand over `summaries` without waiting: when the inspector is behind (or gone), they are
    /// dropped and counted.
    pub fn send(&self, summaries: Vec<Summary>) {
        if summaries.is_empty() {
            return;
        }
        let count = summaries.len();
        let queued = self.queued.fetch_add(count, Ordering::AcqRel);
        if queued + count > FEED_MAX {
            self.queued.fetch_sub(count, Ordering::AcqRel);
            self.dropped.fetch_add(count as u64, Ordering::Relaxed);
            return;
        }
        if let Err(unsent) = self.sender.send(summaries) {
            // The inspector is gone.
            self.queued.fetch_sub(count, Ordering::AcqRel);
            self.dropped
                .fetch_add(unsent.0.len() as u64, Ordering::Relaxed);
        }
    }

    /// The capture file's name, for [`Summary::fed`].
    pub fn file(&self) -> &'static str {
        self.file
    }

    /// Records dropped so far.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }
}
