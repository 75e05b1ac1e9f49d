//! 99 Digital's partner API (seed: partner-webhook-api.txt): the events it POSTs
//! (`{"status": "OK", "event": "whatsapp" | "builder" | "online" | "partners" | "package", ...}`)
//! and the answers of its settings API (access token, setWebhook / getWebhook).
//!
//! Marks: an event name of its list **and** that event's own keys (`whatsapp`,
//! `whatsapp_reference` ...; `builderID`, `builder_url` ...; `accountID`, `online_reference`
//! ...), or `status` "OK" for the two future events whose keys are not documented yet. Answers:
//! `access_token` with `expiration_time`; `status` OK / FAIL with `reason` and few keys.
pub mod emulate;

use include_dir::{Dir, include_dir};
use serde_json::{Map, Value};

use super::rules::{Claim, Gist, Kind, Novelty, Rules};
use super::shapes::{JsonView, ObjectView, str_field, text_at};
use crate::schemas::SchemaSet;

static SCHEMA_DIR: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/src/providers/partner/schemas");
static SCHEMAS: SchemaSet = SchemaSet::new("partner", &SCHEMA_DIR);

pub struct Partner;
pub static RULES: Partner = Partner;

/// Each event with the keys that only it carries.
const EVENTS: [(&str, &[&str]); 5] = [
    ("whatsapp", &["whatsapp", "whatsapp_reference", "whatsapp_extra_info", "whatsapp_apiKey"]),
    ("builder", &["builderID", "builder_url", "builder_reference", "builder_extra_info"]),
    ("online", &["accountID", "agentID", "inboxID", "online_reference", "online_extra_info"]),
    ("partners", &[]),
    ("package", &[]),
];

/// Partner's claim on a body, read as a `Value` or as a tape (`crate::tape`).
fn claim<'a, O: ObjectView<'a>>(body: O) -> Option<Claim> {
    if let Some(event) = str_field(body, "event") {
        let (name, keys) = EVENTS.iter().find(|(name, _)| *name == event)?;
        let marked = if keys.is_empty() {
            str_field(body, "status") == Some("OK")
        } else {
            keys.iter().any(|key| body.contains_key(key))
        };
        return marked.then(|| Claim::new(Kind::with("event", Some(name)), "partner-event"));
    }
    if body.contains_key("access_token") && body.contains_key("expiration_time") {
        return Some(Claim::new(Kind::named("token"), "partner-token"));
    }
    let looks_like_response = body.contains_key("reason") && body.len() <= 4;
    let outcome = match str_field(body, "status")? {
        "OK" => "ok",
        "FAIL" | "Fail" => "fail",
        _ => return None,
    };
    looks_like_response
        .then(|| Claim::new(Kind::with("response", Some(outcome)), "partner-response"))
}

impl Rules for Partner {
    fn id(&self) -> &'static str {
        "partner"
    }

    fn name(&self) -> &'static str {
        "99 Digital partner API"
    }

    fn aliases(&self) -> &'static [&'static str] {
        &["99digital", "99-digital"]
    }

    fn schemas(&self) -> &'static SchemaSet {
        &SCHEMAS
    }

    fn kind_names(&self) -> Vec<&'static str> {
        vec!["event", "response", "token"]
    }

    fn claim(&self, body: &Map<String, Value>) -> Option<Claim> {
        claim(body)
    }

    fn claim_tape(&self, body: crate::tape::TapeObject<'_>) -> Option<Claim> {
        claim(body)
    }

    fn fallback(&self) -> Claim {
        Claim::new(Kind::named("event"), "partner-event")
    }

    fn webhook_setup(&self, base: &str) -> String {
        format!("99 Digital: wa-hook partner set-url {base}webhook")
    }

    /// Only events are webhooks; tokens and OK / FAIL are the settings API's answers.
    fn is_webhook(&self, kind: &Kind) -> bool {
        kind.name() == "event"
    }

    /// `partners` and `package` are announced without their keys; more events may follow.
    fn novelties(&self) -> &'static [Novelty] {
        &[
            Novelty {
                what: "the announced `partners` event",
                sample: "partner/event-online",
                edits: &["event=partners"],
            },
            Novelty {
                what: "the announced `package` event",
                sample: "partner/event-online",
                edits: &["event=package"],
            },
            Novelty {
                what: "an event not documented yet",
                sample: "partner/event-online",
                edits: &["event=future_event"],
            },
        ]
    }

    fn gist(&self, body: &Value, _kind: &Kind) -> Gist {
        gist(body)
    }

    fn gist_tape(&self, body: crate::tape::TapeNode<'_>, _kind: &Kind) -> Gist {
        gist(body)
    }

    /// The WhatsApp API's sendMessage (v1, v2) and readStatus (`wa-hook emulate 99digital`).
    fn send_api(&self) -> Option<&dyn super::capabilities::SendApi> {
        Some(&emulate::PartnerSends)
    }
}

/// The number, builder or account, and the URL or reason ([`Rules::gist`]), read either way.
fn gist<'a, V: JsonView<'a>>(body: V) -> Gist {
    Gist {
        who: text_at(body, "/whatsapp")
            .or_else(|| text_at(body, "/builderID").map(|id| format!("builder {id}")))
            .or_else(|| text_at(body, "/accountID").map(|id| format!("account {id}"))),
        what: text_at(body, "/url")
            .or_else(|| text_at(body, "/reason").map(|r| format!("reason {r}"))),
    }
}
