//! Qikchat: `{"event": "whatsapp:message:in" | "whatsapp:message:status", "payload": {...}}`,
//! the message inside in Meta's shape (seed: qikchat-receiving-messages-via-webhook.txt).
//!
//! Marks: one of the two event names **and** Qikchat's own payload — `payload.name`
//! ("whatsapp"), an incoming message's `payload.message.from` or `payload.contacts[]`, a
//! status's `payload.id` with `payload.status` — and none of MobTexting's keys. MobTexting sends
//! the same event names with a payload of `channels`, `recipient`, `message.payload`, or for a
//! status `channel`, `foreign_id` and `processed_at`: that is not Qikchat's.
//!
//! Its send API is emulated in [`emulate`] (`wa-hook emulate qikchat`).
mod chat;
pub mod emulate;

use std::time::{Duration, SystemTime};

use include_dir::{Dir, include_dir};
use serde_json::{Map, Value};

use super::capabilities::{Auth, Lifecycle, SendApi};
use super::rules::{Claim, Gist, Kind, MessageEvent, Novelty, Rules};
use super::shapes::{
    JsonView, ObjectView, message_kind, message_text, status_kind, str_field, text_at,
};
use crate::ids::IdSource;
use crate::schemas::SchemaSet;

static SCHEMA_DIR: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/src/providers/qikchat/schemas");
static SCHEMAS: SchemaSet = SchemaSet::new("qikchat", &SCHEMA_DIR);

const MESSAGE_IN: &str = "whatsapp:message:in";
/// Keys of MobTexting's payloads (same event names) that Qikchat never sends.
const MOBTEXTING_KEYS: [&str; 5] = ["channel", "channels", "recipient", "foreign_id", "processed_at"];
const STATUS: &str = "whatsapp:message:status";

pub struct Qikchat;
pub static RULES: Qikchat = Qikchat;

/// Qikchat's claim on a body, read as a `Value` or as a tape (`crate::tape`).
fn claim<'a, O: ObjectView<'a>>(body: O) -> Option<Claim> {
    let payload = body.get("payload")?.as_object()?;
    if MOBTEXTING_KEYS.iter().any(|key| payload.contains_key(key)) {
        return None;
    }
    let named = str_field(payload, "name") == Some("whatsapp");
    match str_field(body, "event")? {
        MESSAGE_IN => {
            let message = payload.get("message").and_then(JsonView::as_object);
            let from = message.is_some_and(|m| m.get("from").is_some_and(JsonView::is_string));
            let contacts = payload.get("contacts").is_some_and(JsonView::is_array);
            (named || from || contacts).then(|| {
                let kind = message.map_or_else(
                    || Kind::named("message"),
                    |message| message_kind("message", message),
                );
                Claim::new(kind, "qikchat-message")
            })
        }
        STATUS => (named
            || payload.get("id").is_some_and(JsonView::is_string)
                && payload.contains_key("status"))
        .then(|| Claim::new(status_kind("status", payload), "qikchat-status")),
        _ => None,
    }
}

impl Rules for Qikchat {
    fn id(&self) -> &'static str {
        "qikchat"
    }

    fn name(&self) -> &'static str {
        "Qikchat"
    }

    fn schemas(&self) -> &'static SchemaSet {
        &SCHEMAS
    }

    fn kind_names(&self) -> Vec<&'static str> {
        vec!["message", "status"]
    }

    fn claim(&self, body: &Map<String, Value>) -> Option<Claim> {
        claim(body)
    }

    fn claim_tape(&self, body: crate::tape::TapeObject<'_>) -> Option<Claim> {
        claim(body)
    }

    fn fallback(&self) -> Claim {
        Claim::new(Kind::named("message"), "qikchat-message")
    }

    fn near_miss(&self, body: &Map<String, Value>) -> Option<String> {
        let event = str_field(body, "event")?;
        (event == MESSAGE_IN || event == STATUS).then(|| {
            format!(
                "Qikchat's event name {event}, but not Qikchat's payload (payload.name, \
                 payload.message.from, payload.contacts, or payload.id with payload.status): \
                 another provider's shape (MobTexting sends these event names too)"
            )
        })
    }

    fn gist(&self, body: &Value, kind: &Kind) -> Gist {
        gist(body, kind)
    }

    fn gist_tape(&self, body: crate::tape::TapeNode<'_>, kind: &Kind) -> Gist {
        gist(body, kind)
    }

    fn webhook_setup(&self, base: &str) -> String {
        format!(
            "Qikchat: Settings > Webhook URL {base}webhook (add an Authorization: Basic header \
             there, and the same USER:PASS here with --basic-auth-env)"
        )
    }

    fn auth(&self) -> Option<Auth> {
        Some(Auth::Basic)
    }

    fn lifecycle(&self) -> Option<&dyn Lifecycle> {
        Some(self)
    }

    fn conversation(&self) -> Option<&dyn super::capabilities::Conversation> {
        Some(self)
    }

    fn send_api(&self) -> Option<&dyn SendApi> {
        Some(&emulate::QikchatSends)
    }

    /// "The maximum tolerable time for webhook response is 2 seconds."
    fn response_budget(&self) -> Option<Duration> {
        Some(Duration::from_secs(2))
    }

    /// Message types beyond text and image follow Meta's, and Meta adds types and statuses.
    fn novelties(&self) -> &'static [Novelty] {
        &[
            Novelty {
                what: "a message type not documented yet",
                sample: "qikchat/message-text",
                edits: &[
                    "payload.message.type=future_type",
                    "payload.message.future_type={\"note\":\"a type Qikchat may add\"}",
                ],
            },
            Novelty {
                what: "a status not documented yet",
                sample: "qikchat/status-delivered",
                edits: &["payload.status=future_status"],
            },
        ]
    }
}

impl Lifecycle for Qikchat {
    /// `payload.id` (letters and digits, the original's length) and ISO 8601 timestamps.
    fn refresh(&self, body: &mut Value, ids: &mut IdSource, now: SystemTime) -> bool {
        let Some(payload) = body.get_mut("payload").and_then(Value::as_object_mut) else {
            return false;
        };
        let iso = Value::String(super::shapes::iso_time(now));
        let len = payload
            .get("id")
            .and_then(Value::as_str)
            .map_or(25, str::len)
            .clamp(8, 64);
        payload.insert("id".into(), Value::String(ids.alphanumeric(len)));
        if payload.contains_key("timestamp") {
            payload.insert("timestamp".into(), iso.clone());
        }
        if let Some(message) = payload.get_mut("message").and_then(Value::as_object_mut) {
            if message.contains_key("timestamp") {
                message.insert("timestamp".into(), iso);
            }
        }
        true
    }

    /// `payload.id` names the message, received (`whatsapp:message:in`) or sent (a status).
    fn message_events(&self, body: &Value, kind: &Kind) -> Vec<MessageEvent> {
        message_events(body, self.is_status(kind))
    }

    fn message_events_tape(
        &self,
        body: crate::tape::TapeNode<'_>,
        kind: &Kind,
    ) -> Vec<MessageEvent> {
        message_events(body, self.is_status(kind))
    }

    fn status_item(&self) -> &'static str {
        "/payload"
    }

    fn set_status(&self, item: &mut Map<String, Value>, status: &str, at: SystemTime) {
        item.insert("status".into(), status.into());
        item.insert(
            "timestamp".into(),
            Value::String(super::shapes::iso_time(at)),
        );
    }
}

/// Who and what ([`Rules::gist`]), read either way.
fn gist<'a, V: JsonView<'a>>(body: V, kind: &Kind) -> Gist {
    match kind.name() {
        "status" => Gist {
            who: text_at(body, "/payload/to"),
            what: text_at(body, "/payload/id"),
        },
        _ => Gist {
            who: text_at(body, "/payload/message/from"),
            what: message_text(super::shapes::at(body, "/payload/message")),
        },
    }
}

/// `payload.id`, received or with its status ([`Lifecycle::message_events`]), read either way.
fn message_events<'a, V: JsonView<'a>>(body: V, is_status: bool) -> Vec<MessageEvent> {
    let Some(id) = text_at(body, "/payload/id") else {
        return Vec::new();
    };
    let status = if is_status {
        match text_at(body, "/payload/status") {
            Some(status) => status.to_ascii_lowercase(),
            None => return Vec::new(),
        }
    } else {
        "incoming".to_string()
    };
    let error = body.get("payload").and_then(super::shapes::first_error);
    vec![MessageEvent::new(id, status, error)]
}
