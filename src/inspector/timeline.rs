//! A message's timeline: every listed record about one message id, in the order received,
//! with what WhatsApp apps routinely get wrong flagged — the same status twice (a provider's
//! retry), and a status that arrives after a later one (read before delivered).
use serde::Serialize;

use super::index::Summary;

/// One thing that happened to the message.
#[derive(Debug, Serialize)]
pub struct Step {
    /// The record's id in the inspector.
    pub record: u64,
    pub seq: u64,
    pub file: String,
    pub received_at: String,
    pub provider: Option<String>,
    /// `incoming`, `sent`, `delivered`, `read`, `failed` ...
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// `duplicate`, `out of order: delivered after read`.
    pub flags: Vec<String>,
}

/// Where a status comes in a message's life; statuses not ranked (failed, deleted ...) are
/// never out of order.
fn rank(status: &str) -> Option<u8> {
    match status {
        "incoming" => Some(0),
        "sent" | "submitted" | "accepted" => Some(1),
        "delivered" => Some(2),
        "read" => Some(3),
        "played" => Some(4),
        _ => None,
    }
}

/// The steps of `message_id` in `records` (oldest first).
pub fn timeline<'a>(message_id: &str, records: impl IntoIterator<Item = &'a Summary>) -> Vec<Step> {
    let mut steps: Vec<Step> = Vec::new();
    let mut furthest: Option<(u8, String)> = None;
    for record in records {
        for event in record.messages().filter(|m| m.id == message_id) {
            let mut flags = Vec::new();
            if steps.iter().any(|step| step.status == event.status) {
                flags.push("duplicate".to_string());
            }
            if let Some(rank) = rank(event.status) {
                match &furthest {
                    Some((top, word)) if rank < *top => {
                        flags.push(format!("out of order: {} after {word}", event.status));
                    }
                    Some((top, _)) if rank == *top => {}
                    _ => furthest = Some((rank, event.status.to_string())),
                }
            }
            steps.push(Step {
                record: record.id,
                seq: record.seq,
                file: record.file.to_string(),
                received_at: record.received_at().to_string(),
                provider: record.provider.map(str::to_string),
                status: event.status.to_string(),
                error: event.error.map(str::to_string),
                flags,
            });
        }
    }
    steps
}
