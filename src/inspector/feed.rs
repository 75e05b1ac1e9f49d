//! How `listen`'s workers hand the inspector the summary of each record they saved: a bounded
//! channel that a worker never waits on. When it is full (the inspector is behind), the batch
//! is dropped and counted; the inspector reads those records back from the capture file once
//! the feed is quiet, and the page and listen's summary say how many there were.
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError};

use super::index::Summary;

/// Batches of summaries waiting for the inspector (a worker sends one per batch of requests
/// it took, of at most a few dozen).
pub(super) const FEED_BATCHES: usize = 1024;

/// The workers' end of the feed.
#[derive(Clone)]
pub struct FeedSender {
    sender: SyncSender<Vec<Summary>>,
    pub(super) dropped: Arc<AtomicU64>,
}

/// The inspector's end of the feed.
pub struct Feed {
    pub(super) receiver: Receiver<Vec<Summary>>,
    pub(super) dropped: Arc<AtomicU64>,
    /// The highest `seq` in the capture file before this run: the run's records come after.
    pub(super) last_seq: u64,
}

/// A feed for the run whose capture file held records up to `last_seq`.
pub fn feed(last_seq: u64) -> (FeedSender, Feed) {
    let (sender, receiver) = std::sync::mpsc::sync_channel(FEED_BATCHES);
    let dropped = Arc::new(AtomicU64::new(0));
    (
        FeedSender {
            sender,
            dropped: Arc::clone(&dropped),
        },
        Feed {
            receiver,
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
        match self.sender.try_send(summaries) {
            Ok(()) => {}
            Err(TrySendError::Full(summaries) | TrySendError::Disconnected(summaries)) => {
                self.dropped
                    .fetch_add(summaries.len() as u64, Ordering::Relaxed);
            }
        }
    }

    /// Records dropped so far.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }
}
