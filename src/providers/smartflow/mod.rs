//! Omni Smartflow: Meta's On-Premises webhook format, `messages` / `statuses` at the top level
//! with no envelope (seed: omni-smartflow-webhook-callbacks.txt). 360dialog sends exactly this
//! shape too; the two cannot be told apart by the body, and calling it Smartflow's shape is right.
//!
//! Marks: no `object`, `event`, `messaging_product` or `metadata`, and a message with `from`,
//! `id` and `type`; or a top-level `statuses` array whose first item has `id` and
//! `recipient_id` and none of Sinch's keys; or only `errors[]` of On-Premises error objects (a
//! numeric `code`). Sinch's delivery reports have a top-level `statuses` too, but
//! with a top-level `type` and items of `message_id`, `state`, `recipient`: not this shape.
pub mod emulate;

use std::time::SystemTime;

use include_dir::{Dir, include_dir};
use serde_json::{Map, Value};

use super::capabilities::Lifecycle;
use super::rules::{Claim, Gist, Kind, MessageEvent, Novelty, Rules};
use super::shapes::{
    JsonView, ObjectView,
    at, first_item, message_kind, message_text, refresh_meta_value, set_meta_status, status_gist,
    status_kind, value_text,
};
use crate::ids::IdSource;
use crate::schemas::SchemaSet;

static SCHEMA_DIR: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/src/providers/smartflow/schemas");
static SCHEMAS: SchemaSet = SchemaSet::new("smartflow", &SCHEMA_DIR);

/// Keys of Sinch's status items, which Meta's On-Premises statuses never carry.
const SINCH_STATUS_KEYS: [&str; 3] = ["message_id", "state", "recipient"];

pub struct Smartflow;
pub static RULES: Smartflow = Smartflow;

fn has_string<'a, O: ObjectView<'a>>(item: O, key: &str) -> bool {
    item.get(key).is_some_and(JsonView::is_string)
}

/// Smartflow's claim on a body, read as a `Value` or as a tape (`crate::tape`).
fn claim<'a, O: ObjectView<'a>>(body: O) -> Option<Claim> {
    // `object`, `event`: other envelopes; `messaging_product`, `metadata`: a Cloud API
    // change value without Meta's envelope, not the On-Premises format.
    if ["object", "event", "messaging_product", "metadata"]
        .iter()
        .any(|key| body.contains_key(key))
    {
        return None;
    }
    if let Some(message) = first_item(body.get("messages")) {
        let marked = has_string(message, "from")
            && has_string(message, "id")
            && has_string(message, "type");
        return marked
            .then(|| Claim::new(message_kind("message", message), "smartflow-message"));
    }
    if let Some(mut statuses) = body.get("statuses").and_then(JsonView::items) {
        let status = statuses.next()?.as_object()?;
        let marked = has_string(status, "id")
            && status.contains_key("recipient_id")
            && !body.contains_key("type")
            && !SINCH_STATUS_KEYS.iter().any(|key| status.contains_key(key));
        return marked.then(|| Claim::new(status_kind("status", status), "smartflow-status"));
    }
    let only_errors = body.len() == 1
        && first_item(body.get("errors"))
            .is_some_and(|error| error.get("code").is_some_and(|value| value.as_i64().is_some()));
    only_errors.then(|| Claim::new(Kind::named("error"), "smartflow-message"))
}

impl Rules for Smartflow {
    fn id(&self) -> &'static str {
        "smartflow"
    }

    fn name(&self) -> &'static str {
        "Omni Smartflow"
    }

    fn aliases(&self) -> &'static [&'static str] {
        &["omni", "omni-smartflow", "360dialog"]
    }

    fn schemas(&self) -> &'static SchemaSet {
        &SCHEMAS
    }

    fn kind_names(&self) -> Vec<&'static str> {
        vec!["message", "status", "error"]
    }

    fn claim(&self, body: &Map<String, Value>) -> Option<Claim> {
        claim(body)
    }

    fn claim_tape(&self, body: crate::tape::TapeObject<'_>) -> Option<Claim> {
        claim(body)
    }

    fn fallback(&self) -> Claim {
        Claim::new(Kind::named("message"), "smartflow-message")
    }

    fn near_miss(&self, body: &Map<String, Value>) -> Option<String> {
        if ["object", "event", "messaging_product", "metadata"]
            .iter()
            .any(|key| body.contains_key(*key))
        {
            return None;
        }
        let key = ["statuses", "messages"]
            .into_iter()
            .find(|key| body.contains_key(*key))?;
        Some(format!(
            "a top-level `{key}` like Omni Smartflow's (Meta On-Premises) shape, but not its \
             marks (messages with from, id and type; statuses with id and recipient_id, without \
             Sinch's type, message_id and state): another provider's shape (Sinch sends a top-level statuses array too)"
        ))
    }

    /// Meta's On-Premises format: Meta adds message types and statuses.
    fn novelties(&self) -> &'static [Novelty] {
        &[
            Novelty {
                what: "a message type not documented yet",
                sample: "smartflow/message-text",
                edits: &[
                    "messages.0.type=future_type",
                    "messages.0.future_type={\"note\":\"a type Meta may add\"}",
                ],
            },
            Novelty {
                what: "a status not documented yet",
                sample: "smartflow/status-delivered",
                edits: &["statuses.0.status=future_status"],
            },
        ]
    }

    fn gist(&self, body: &Value, kind: &Kind) -> Gist {
        gist(body, kind)
    }

    fn gist_tape(&self, body: crate::tape::TapeNode<'_>, kind: &Kind) -> Gist {
        gist(body, kind)
    }

    fn webhook_setup(&self, base: &str) -> String {
        format!(
            "Omni Smartflow: callback URLs {base}smartflow/messages (incoming messages) and \
             {base}smartflow/statuses (status callbacks)"
        )
    }

    fn lifecycle(&self) -> Option<&dyn Lifecycle> {
        Some(self)
    }

    /// No public send API: the customer's side of its two callbacks (`wa-hook emulate smartflow`).
    fn send_api(&self) -> Option<&dyn super::capabilities::SendApi> {
        Some(&emulate::SmartflowSends)
    }
}

impl Lifecycle for Smartflow {
    /// Meta's `wamid.` ids and unix times, plus the callback's own `id` (a UUID), which Omni
    /// Smartflow repeats as a bare `{"id": ...}` status item.
    fn refresh(&self, body: &mut Value, ids: &mut IdSource, now: SystemTime) -> bool {
        let old_id = body.get("id").cloned();
        let new_id = Value::String(ids.uuid());
        let mut changed = refresh_meta_value(body, ids, now);
        if let Some(object) = body.as_object_mut() {
            if object.contains_key("id") {
                object.insert("id".into(), new_id.clone());
                changed = true;
            }
            if let Some(Value::Array(statuses)) = object.get_mut("statuses") {
                for item in statuses {
                    if item.get("status").is_none() && item.get("id") == old_id.as_ref() {
                        item["id"] = new_id.clone();
                    }
                }
            }
        }
        changed
    }

    /// Meta's format without the envelope: `messages` (an object or an array) and `statuses[]`.
    fn message_events(&self, body: &Value, _kind: &Kind) -> Vec<MessageEvent> {
        super::shapes::meta_message_events(body)
    }

    fn message_events_tape(
        &self,
        body: crate::tape::TapeNode<'_>,
        _kind: &Kind,
    ) -> Vec<MessageEvent> {
        super::shapes::meta_message_events(body)
    }

    fn status_item(&self) -> &'static str {
        "/statuses/0"
    }

    fn set_status(&self, item: &mut Map<String, Value>, status: &str, at: SystemTime) {
        set_meta_status(item, status, at);
    }
}

/// A status's, or a message's sender and text ([`Rules::gist`]), read either way.
fn gist<'a, V: JsonView<'a>>(body: V, kind: &Kind) -> Gist {
    if kind.name() == "status" {
        status_gist(body)
    } else {
        let message = at(body, "/messages/0").or_else(|| body.get("messages"));
        Gist {
            who: message.and_then(|m| m.get("from")).and_then(value_text),
            what: message_text(message),
        }
    }
}
