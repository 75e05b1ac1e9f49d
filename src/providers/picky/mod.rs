//! Picky Assist: flat JSON bodies with hyphenated keys (`number`, `message-in`, `unique-id`,
//! `project-id`, `application`), the instant replies an endpoint may answer with, and the event
//! webhook (`project_id`, `event_id`, `data[]`). Seed: picky-assist-webhook-request-response.txt;
//! the event webhook and the codes are in PROVIDERS.md.
//!
//! Marks: `number` with one of Picky's own keys (`message-in`, `unique-id`, `project-id`,
//! or `application` as a numeric code); `project_id` with `event_id`; a reply's `message-out`, or `contact` /
//! `location` with a numeric `type` code. A message's kind comes from its own fields: contacts, location, a
//! list reply's `interactive`, a button reply's `payload` (a quoted reply has only
//! `context-msg-id`, and is text), a referral, media, text.
mod chat;
pub mod emulate;

use std::time::{Duration, SystemTime};

use include_dir::{Dir, include_dir};
use serde_json::{Map, Value};

use super::capabilities::{InstantReplies, Lifecycle, QueryMethod, SendApi};
use super::rules::{Claim, Gist, Kind, MessageEvent, Novelty, Rules};
use super::shapes::{
    JsonView, ObjectView, UNDELIVERABLE, code, has_nonempty, same_kind_of_number, value_text,
    text_at,
};
use crate::ids::IdSource;
use crate::schemas::SchemaSet;

static SCHEMA_DIR: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/src/providers/picky/schemas");
static SCHEMAS: SchemaSet = SchemaSet::new("picky", &SCHEMA_DIR);

pub struct Picky;
pub static RULES: Picky = Picky;

/// Keys only Picky Assist's messages carry (hyphenated); `application` counts only as one of
/// its numeric channel codes.
const OWN_KEYS: [&str; 3] = ["message-in", "unique-id", "project-id"];

fn has_location<'a, O: ObjectView<'a>>(body: O) -> bool {
    body.contains_key("Location") || body.contains_key("location")
}

fn message_kind<'a, O: ObjectView<'a>>(body: O) -> &'static str {
    if body.contains_key("contact") {
        "contacts"
    } else if has_location(body) {
        "location"
    } else if body.get("interactive").is_some_and(JsonView::is_object) {
        "list_reply"
    } else if has_nonempty(body, "payload") {
        "button_reply"
    } else if body.get("referral").is_some_and(JsonView::is_object) {
        "referral"
    } else if has_nonempty(body, "media-url") {
        "media"
    } else {
        "text"
    }
}

fn reply_kind<'a, O: ObjectView<'a>>(body: O) -> &'static str {
    if body.contains_key("contact") {
        "contacts"
    } else if has_location(body) {
        "location"
    } else if has_nonempty(body, "media-url") {
        "media"
    } else {
        "text"
    }
}

/// The event webhook's `event_id` codes.
fn event_name(event_id: Option<i64>) -> Option<String> {
    Some(
        match event_id? {
            1 => "delivery_report",
            2 => "whatsapp_filter",
            3 => "group",
            4 => "subscriber",
            other => return Some(other.to_string()),
        }
        .to_string(),
    )
}

/// Delivery-report status codes: 1 delivered, 2 failed, 3 read, 4 submitted.
fn status_code(status: &str) -> u64 {
    match status {
        "delivered" => 1,
        "failed" => 2,
        "read" => 3,
        _ => 4,
    }
}

/// Picky's claim on a body, read as a `Value` or as a tape (`crate::tape`).
fn claim<'a, O: ObjectView<'a>>(body: O) -> Option<Claim> {
    if body.contains_key("project_id") && body.contains_key("event_id") {
        let event = event_name(body.get("event_id").and_then(code));
        return Some(Claim::new(
            Kind::with("event", event.as_deref()),
            "picky-event",
        ));
    }
    if body.contains_key("number") {
        let coded_application = body.get("application").and_then(code).is_some();
        return (coded_application || OWN_KEYS.iter().any(|key| body.contains_key(key)))
            .then(|| {
                Claim::new(
                    Kind::with("message", Some(message_kind(body))),
                    "picky-message",
                )
            });
    }
    // A reply's `type` is one of Picky's numeric codes ("7", 5); Meta's send-message
    // requests have `contact`/`location` too, with a `type` word.
    let coded = body.get("type").and_then(code).is_some();
    let is_reply = body.contains_key("message-out")
        || ((body.contains_key("contact") || has_location(body)) && coded);
    is_reply.then(|| Claim::new(Kind::with("reply", Some(reply_kind(body))), "picky-reply"))
}

impl Rules for Picky {
    fn id(&self) -> &'static str {
        "picky"
    }

    fn name(&self) -> &'static str {
        "Picky Assist"
    }

    fn aliases(&self) -> &'static [&'static str] {
        &["pickyassist", "picky-assist"]
    }

    fn schemas(&self) -> &'static SchemaSet {
        &SCHEMAS
    }

    fn kind_names(&self) -> Vec<&'static str> {
        vec!["message", "event", "reply"]
    }

    fn claim(&self, body: &Map<String, Value>) -> Option<Claim> {
        claim(body)
    }

    fn claim_tape(&self, body: crate::tape::TapeObject<'_>) -> Option<Claim> {
        claim(body)
    }

    fn fallback(&self) -> Claim {
        Claim::new(Kind::named("message"), "picky-message")
    }

    fn gist(&self, body: &Value, _kind: &Kind) -> Gist {
        gist(body)
    }

    fn gist_tape(&self, body: crate::tape::TapeNode<'_>, _kind: &Kind) -> Gist {
        gist(body)
    }

    /// Instant replies are what an endpoint answers, not what Picky Assist sends.
    fn is_webhook(&self, kind: &Kind) -> bool {
        kind.name() != "reply"
    }

    fn webhook_setup(&self, base: &str) -> String {
        format!("Picky Assist: Global Webhook URL {base}webhook, JSON method")
    }

    /// Picky Assist waits up to 180 s for an answer.
    fn response_budget(&self) -> Option<Duration> {
        Some(Duration::from_secs(180))
    }

    /// "Retries (beta) after 1 min, 15 min, 2 h and 6 h when it gets no 200" (PROVIDERS.md),
    /// read as times after the first attempt (the source does not say from when); whether it
    /// retries the event webhook too is not documented.
    fn retries(&self) -> Option<super::capabilities::RetrySchedule> {
        const AT: [Duration; 4] = [
            Duration::from_secs(60),
            Duration::from_secs(15 * 60),
            Duration::from_secs(2 * 3600),
            Duration::from_secs(6 * 3600),
        ];
        Some(super::capabilities::RetrySchedule::At(&AT))
    }

    /// `type` and `event_id` are codes whose table is not published: new ones will come.
    fn novelties(&self) -> &'static [Novelty] {
        &[
            Novelty {
                what: "a message type code not documented yet",
                sample: "picky/message-text",
                edits: &["type=99"],
            },
            Novelty {
                what: "an event not documented yet",
                sample: "picky/event-delivery-report",
                edits: &["event_id=99"],
            },
        ]
    }
    fn lifecycle(&self) -> Option<&dyn Lifecycle> {
        Some(self)
    }

    fn query_method(&self) -> Option<&dyn QueryMethod> {
        Some(self)
    }

    fn instant_replies(&self) -> Option<&dyn InstantReplies> {
        Some(self)
    }

    fn conversation(&self) -> Option<&dyn super::capabilities::Conversation> {
        Some(self)
    }

    fn send_api(&self) -> Option<&dyn SendApi> {
        Some(&emulate::PickySends)
    }
}

impl Lifecycle for Picky {
    /// `unique-id`, and a delivery report's `push_id` / `msg_id`, as numbers or digit strings
    /// like the original's. Picky Assist's bodies carry no timestamp.
    fn refresh(&self, body: &mut Value, ids: &mut IdSource, _now: SystemTime) -> bool {
        let Some(object) = body.as_object_mut() else {
            return false;
        };
        let mut changed = false;
        if let Some(unique) = object.get_mut("unique-id") {
            *unique = same_kind_of_number(unique, ids.number(8));
            changed = true;
        }
        if let Some(Value::Array(reports)) = object.get_mut("data") {
            for report in reports.iter_mut().filter_map(Value::as_object_mut) {
                for key in ["push_id", "msg_id"] {
                    if let Some(id) = report.get_mut(key) {
                        *id = same_kind_of_number(id, ids.number(8));
                        changed = true;
                    }
                }
            }
        }
        changed
    }

    /// A message received carries `unique-id`; a delivery report lists `data[].msg_id` with a
    /// status code (1 delivered, 2 failed, 3 read, 4 submitted).
    fn message_events(&self, body: &Value, kind: &Kind) -> Vec<MessageEvent> {
        message_events(body, kind, self.is_status(kind))
    }

    fn message_events_tape(
        &self,
        body: crate::tape::TapeNode<'_>,
        kind: &Kind,
    ) -> Vec<MessageEvent> {
        message_events(body, kind, self.is_status(kind))
    }

    fn status_item(&self) -> &'static str {
        "/data/0"
    }

    /// Delivery reports come through the event webhook.
    fn is_status(&self, kind: &Kind) -> bool {
        kind.name() == "event" && kind.detail() == Some("delivery_report")
    }

    /// Picky Assist says submitted, not sent.
    fn ladder(&self, failed: bool) -> Vec<&'static str> {
        if failed {
            vec!["submitted", "failed"]
        } else {
            vec!["submitted", "delivered", "read"]
        }
    }

    fn is_failed(&self, item: &Map<String, Value>) -> bool {
        item.get("status").and_then(code) == Some(2)
    }

    fn set_status(&self, item: &mut Map<String, Value>, status: &str, _at: SystemTime) {
        item.insert("status".into(), Value::from(status_code(status)));
        if status == "failed" {
            if item.get("error_code").is_none_or(Value::is_null) {
                item.insert("error_code".into(), Value::from(UNDELIVERABLE));
                item.insert("error_message".into(), "Message undeliverable".into());
            }
        } else {
            item.insert("error_code".into(), Value::Null);
            item.insert("error_message".into(), Value::Null);
        }
    }
}

impl QueryMethod for Picky {
    fn encode(&self, body: &Value) -> anyhow::Result<String> {
        to_query(body)
    }

    /// The deprecated query-string method: the fields arrive as query parameters on a POST
    /// with no JSON body.
    fn decode(&self, query: &str) -> Option<Value> {
        let fields: Map<String, Value> = url::form_urlencoded::parse(query.as_bytes())
            .map(|(key, value)| (key.into_owned(), Value::String(value.into_owned())))
            .collect();
        let is_picky = fields.contains_key("number")
            && (fields.contains_key("message-in") || fields.contains_key("unique-id"));
        is_picky.then_some(Value::Object(fields))
    }
}

impl InstantReplies for Picky {
    /// An incoming message may be answered with an instant reply.
    fn reply_schema(&self, kind: &Kind) -> Option<&'static str> {
        (kind.name() == "message").then_some("picky-reply")
    }
}


/// A body as the deprecated method sends it: its top-level fields as a query string
/// (`number=…&message-in=…`). `message-in` is already URL-encoded in the JSON method, so it is
/// decoded first and arrives once-encoded, as the provider sends it.
fn to_query(body: &Value) -> anyhow::Result<String> {
    let Some(object) = body.as_object() else {
        anyhow::bail!("--picky-query needs a JSON object");
    };
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (key, value) in object {
        let text = match value {
            Value::String(text) if key == "message-in" => {
                url::form_urlencoded::parse(format!("v={text}").as_bytes())
                    .next()
                    .map_or_else(|| text.clone(), |(_, v)| v.into_owned())
            }
            Value::String(text) => text.clone(),
            Value::Null => String::new(),
            other => other.to_string(),
        };
        query.append_pair(key, &text);
    }
    Ok(query.finish())
}

/// Who and what ([`Rules::gist`]), read either way.
fn gist<'a, V: JsonView<'a>>(body: V) -> Gist {
    Gist {
        who: text_at(body, "/number")
            .or_else(|| text_at(body, "/project_id").map(|p| format!("project {p}"))),
        what: text_at(body, "/message_in_raw")
            .or_else(|| text_at(body, "/message-in"))
            .or_else(|| text_at(body, "/message-out"))
            .or_else(|| {
                let id = text_at(body, "/data/0/msg_id")?;
                Some(match text_at(body, "/data/0/error_code") {
                    Some(code) => format!(
                        "msg {id} failed {code} {}",
                        text_at(body, "/data/0/error_message").unwrap_or_default()
                    )
                    .trim_end()
                    .to_string(),
                    None => format!("msg {id}"),
                })
            }),
    }
}

/// Messages received and delivery reports ([`Lifecycle::message_events`]), read either way.
fn message_events<'a, V: JsonView<'a>>(body: V, kind: &Kind, is_status: bool) -> Vec<MessageEvent> {
    if is_status {
        let items = body.get("data").and_then(JsonView::items);
        return items
            .into_iter()
            .flatten()
            .filter_map(|item| {
                let id = item.get("msg_id").and_then(value_text)?;
                let status = match item.get("status").and_then(code) {
                    Some(1) => "delivered".to_string(),
                    Some(2) => "failed".to_string(),
                    Some(3) => "read".to_string(),
                    Some(4) => "submitted".to_string(),
                    Some(other) => format!("status {other}"),
                    None => return None,
                };
                let error = text_at(item, "/error_code").map(|code| {
                    match text_at(item, "/error_message") {
                        Some(words) => format!("{code} {words}"),
                        None => code,
                    }
                });
                Some(MessageEvent::new(id, status, error))
            })
            .collect();
    }
    match text_at(body, "/unique-id").or_else(|| text_at(body, "/msg_id")) {
        Some(id) if kind.name() == "message" => vec![MessageEvent::new(id, "incoming", None)],
        _ => Vec::new(),
    }
}
