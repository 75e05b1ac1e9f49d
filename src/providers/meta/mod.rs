//! Meta's WhatsApp Cloud API: `{"object": "whatsapp_business_account", "entry": [{"id",
//! "changes": [{"field", "value"}]}]}`, the format most other providers wrap. The shape of
//! `value` depends on `field` (PROVIDERS.md, "the whole webhook surface").
//!
//! Its schema is assembled at first use: `schemas/meta-notification.json` holds the envelope
//! and the shared definitions (message, status, error, contact ...), and each file
//! `schemas/fields/<field>.json` the `value` of one field, with `x-kind` (the kind name) and
//! `x-kind-detail` (a pointer into `value` that completes it: `template_status:REJECTED`).
//! Covering a new field is one file there and a sample. A field with no file is still Meta's:
//! its kind is the field's name and its verdict "unchecked", never "invalid".
//!
//! Marks: `object` is `whatsapp_business_account`. Other Graph API webhooks (`object: page`,
//! `instagram`) have the same envelope but are not WhatsApp.
pub mod batch;
mod chat;
pub mod emulate;
pub mod handshake;
pub mod identity;
pub mod signature;
mod wire;

use std::borrow::Cow;
use std::sync::OnceLock;
use std::time::SystemTime;

use include_dir::{Dir, include_dir};
use serde_json::{Map, Value, json};

use super::capabilities::{
    Batching, Handshake, HandshakeRequest, Identities, Lifecycle, Mismatch, Signing,
};
use super::rules::{Claim, Gist, Identity, Kind, MessageEvent, Novelty, Part, Rules};
use super::shapes::{
    JsonView, ObjectView, at, first_item, message_kind, message_text, refresh_items, refresh_meta_value, set_meta_status,
    first_error, status_gist, status_kind, str_field, unix_time, text_at,
};
use crate::ids::IdSource;
use crate::schemas::{Assembly, SchemaSet};
use crate::secret::SecretString;

static SCHEMA_DIR: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/src/providers/meta/schemas");
static SCHEMAS: SchemaSet = SchemaSet::new("meta", &SCHEMA_DIR).assembling(
    SCHEMA,
    Assembly {
        parts: add_fields,
        export: add_dispatch,
    },
);

const SCHEMA: &str = "meta-notification";
const OBJECT: &str = "whatsapp_business_account";


pub struct Meta;
pub static RULES: Meta = Meta;

/// One covered webhook field, as its fragment declares it.
struct Field {
    name: String,
    /// Its entry in `$defs`: `field_<name>`.
    def: String,
    kind: &'static str,
    detail: Option<String>,
    fragment: Value,
}

/// The covered fields, read from `schemas/fields/` once.
fn fields() -> &'static [Field] {
    static FIELDS: OnceLock<Vec<Field>> = OnceLock::new();
    FIELDS.get_or_init(|| {
        let Some(folder) = SCHEMA_DIR.get_dir("fields") else {
            return Vec::new();
        };
        let mut fields: Vec<Field> = folder
            .files()
            .filter(|file| file.path().extension().is_some_and(|ext| ext == "json"))
            .map(|file| {
                let name = file
                    .path()
                    .file_stem()
                    .and_then(|stem| stem.to_str())
                    .unwrap_or_default()
                    .to_string();
                let fragment: Value = serde_json::from_slice(file.contents())
                    .unwrap_or_else(|err| panic!("Meta field schema {name} is not JSON: {err}"));
                // Leaked once per field for the life of the process: kinds borrow it.
                let kind: &'static str = Box::leak(
                    fragment["x-kind"]
                        .as_str()
                        .unwrap_or_else(|| panic!("Meta field schema {name} has no x-kind"))
                        .to_string()
                        .into_boxed_str(),
                );
                let detail = fragment["x-kind-detail"].as_str().map(str::to_string);
                Field {
                    def: format!("field_{name}"),
                    name,
                    kind,
                    detail,
                    fragment,
                }
            })
            .collect();
        fields.sort_by(|a, b| a.name.cmp(&b.name));
        fields
    })
}

fn field(name: &str) -> Option<&'static Field> {
    let fields = fields();
    fields
        .binary_search_by(|field| field.name.as_str().cmp(name))
        .ok()
        .map(|at| &fields[at])
}

/// The envelope with every field's value schema in `$defs` (`field_<name>`), and each message
/// type's content rule (`content_<type>`, from `message_content`): what wa-hook checks with,
/// each change's `value` with the definition of its field and each message with the rule of
/// its type (see [`claim_changes`]), rather than trying every field and every type.
fn add_fields(mut document: Value) -> Value {
    for field in fields() {
        let mut fragment = field.fragment.clone();
        if let Some(object) = fragment.as_object_mut() {
            object.retain(|key, _| !key.starts_with("x-"));
        }
        document["$defs"][&field.def] = fragment;
    }
    let rules = document["$defs"]["message_content"]["allOf"].clone();
    for rule in rules.as_array().into_iter().flatten() {
        if let Some(kind) = rule.pointer("/if/properties/type/const").and_then(Value::as_str) {
            document["$defs"][format!("{CONTENT_DEF}{kind}")] = rule["then"].clone();
        }
    }
    document
}

/// Where the check document keeps a message type's content rule: `content_<type>`.
const CONTENT_DEF: &str = "content_";

/// The same, self-contained for other tools: each change's `value` checked by `if`/`then` on
/// its field, each message's content by `message_content` (unless the value carries errors
/// that explain missing content).
fn add_dispatch(mut document: Value) -> Value {
    let defs = &mut document["$defs"];
    defs["field_messages"]["if"] = json!({"not": {"required": ["errors"]}});
    defs["field_messages"]["then"] =
        json!({"properties": {"messages": {"items": {"$ref": "#/$defs/message_content"}}}});
    defs["field_smb_message_echoes"]["properties"]["message_echoes"]["items"] =
        json!({"allOf": [{"$ref": "#/$defs/message"}, {"$ref": "#/$defs/message_content"}]});
    let rules: Vec<Value> = fields()
        .iter()
        .map(|field| {
            json!({
                "if": {"properties": {"field": {"const": field.name}}, "required": ["field"]},
                "then": {"properties": {"value": {"$ref": format!("#/$defs/{}", field.def)}}}
            })
        })
        .collect();
    document["properties"]["entry"]["items"]["properties"]["changes"]["items"]["allOf"] =
        Value::Array(rules);
    document
}

/// Every change of the body: its pointer, its field, its value.
fn changes<'a, O: ObjectView<'a>>(
    body: O,
) -> impl Iterator<Item = (Cow<'static, str>, &'a str, Option<O::Value>)> {
    body.get("entry")
        .and_then(JsonView::items)
        .into_iter()
        .flatten()
        .enumerate()
        .filter_map(|(e, entry)| Some((e, entry.get("changes")?.items()?)))
        .flat_map(|(e, changes)| {
            changes.enumerate().filter_map(move |(c, change)| {
                let field = change.get("field")?.as_str()?;
                let value = change
                    .get("value")
                    .filter(|value| value.as_object().is_some());
                let pointer = match (e, c) {
                    (0, 0) => Cow::Borrowed("/entry/0/changes/0/value"),
                    _ => Cow::Owned(format!("/entry/{e}/changes/{c}/value")),
                };
                Some((pointer, field, value))
            })
        })
}

/// What a change of a covered field is about.
fn change_kind<'a, V: JsonView<'a>>(field: &Field, value: Option<V>) -> Kind {
    let Some(value) = value else {
        return Kind::named(field.kind);
    };
    match field.name.as_str() {
        "messages" => {
            if let Some(message) = first_item(value.get("messages")) {
                message_kind("message", message)
            } else if let Some(status) = first_item(value.get("statuses")) {
                status_kind("status", status)
            } else if value.get("errors").is_some() {
                Kind::named("error")
            } else {
                Kind::named("messages")
            }
        }
        "calls" => {
            if let Some(call) = first_item(value.get("calls")) {
                Kind::with("call", str_field(call, "event"))
            } else if let Some(status) = first_item(value.get("statuses")) {
                status_kind("call_status", status)
            } else {
                Kind::named("error")
            }
        }
        "smb_message_echoes" => first_item(value.get("message_echoes"))
            .map_or_else(|| Kind::named("echo"), |echo| message_kind("echo", echo)),
        _ => {
            let detail = field
                .detail
                .as_deref()
                .and_then(|pointer| at(value, pointer))
                .and_then(JsonView::as_str);
            Kind::with(field.kind, detail)
        }
    }
}

/// Each message's content rule as a part, for the types that have one: a message of a known
/// type carries its content object unless errors explain why not (on the message, in the
/// rule; or on the whole value, here).
fn content_parts<'a, V: JsonView<'a>>(value: V, pointer: &str, key: &str, parts: &mut Vec<Part>) {
    if key == "messages" && value.get("errors").is_some() {
        return;
    }
    let Some(messages) = value.get(key).and_then(JsonView::items) else {
        return;
    };
    for (index, message) in messages.enumerate() {
        let Some(kind) = message.get("type").and_then(JsonView::as_str) else {
            continue;
        };
        if let Some(def) = content_def(kind) {
            parts.push(Part {
                pointer: Cow::Owned(format!("{pointer}/{key}/{index}")),
                def,
            });
        }
    }
}

/// The `$defs` name of a message type's content rule, for the types that have one.
fn content_def(kind: &str) -> Option<&'static str> {
    static DEFS: OnceLock<Vec<(String, &'static str)>> = OnceLock::new();
    let defs = DEFS.get_or_init(|| {
        SCHEMAS
            .get(SCHEMA)
            .and_then(|schema| schema.parsed()["$defs"].as_object())
            .into_iter()
            .flat_map(|defs| defs.keys())
            .filter_map(|name| {
                let kind = name.strip_prefix(CONTENT_DEF)?.to_string();
                let def: &'static str = Box::leak(name.clone().into_boxed_str());
                Some((kind, def))
            })
            .collect()
    });
    defs.iter()
        .find(|(known, _)| known == kind)
        .map(|(_, def)| *def)
}

/// The kind of the first change whose field has a schema, each covered change's value (and
/// each of its messages' content) as a part to check, and the fields left unchecked.
fn claim_changes<'a, O: ObjectView<'a>>(body: O) -> Claim {
    let mut kind = None;
    let mut parts = Vec::new();
    let mut unchecked: Vec<&str> = Vec::new();
    for (pointer, name, value) in changes(body) {
        match field(name) {
            Some(field) => {
                kind.get_or_insert_with(|| change_kind(field, value));
                if let Some(value) = value {
                    match name {
                        "messages" => content_parts(value, &pointer, "messages", &mut parts),
                        "smb_message_echoes" => {
                            content_parts(value, &pointer, "message_echoes", &mut parts);
                        }
                        _ => {}
                    }
                    parts.push(Part {
                        pointer,
                        def: &field.def,
                    });
                }
            }
            None if !unchecked.contains(&name) => unchecked.push(name),
            None => {}
        }
    }
    // The body names these fields: escaped and kept short, like a kind's detail, since they
    // reach terminals as the kind and the note.
    let unchecked: Vec<String> = unchecked
        .iter()
        .map(|name| crate::output::excerpt(&crate::output::printable(name), 64))
        .collect();
    let note = (!unchecked.is_empty()).then(|| {
        format!(
            "not checked: no schema for the webhook {} {}",
            crate::output::plural_word(unchecked.len() as u64, "field", "fields"),
            unchecked.join(", ")
        )
    });
    let covered = kind.is_some();
    let kind = kind.unwrap_or_else(|| match unchecked.first() {
        Some(name) => Kind::named(name.clone()),
        None => Kind::named("notification"),
    });
    Claim {
        kind,
        schema: SCHEMA,
        parts,
        unchecked: !covered && note.is_some(),
        note,
    }
}

/// Meta's claim on a body, read as a `Value` or as a tape (`crate::tape`).
pub fn claim<'a, O: ObjectView<'a>>(body: O) -> Option<Claim> {
    if str_field(body, "object") != Some(OBJECT) {
        return None;
    }
    Some(claim_changes(body))
}

impl Rules for Meta {
    fn id(&self) -> &'static str {
        "meta"
    }

    fn name(&self) -> &'static str {
        "Meta WhatsApp Cloud API"
    }

    fn aliases(&self) -> &'static [&'static str] {
        &["cloud", "cloud-api", "whatsapp"]
    }

    fn schemas(&self) -> &'static SchemaSet {
        &SCHEMAS
    }

    fn kind_names(&self) -> Vec<&'static str> {
        let mut names = vec!["message", "status", "error", "call", "call_status", "echo"];
        names.extend(
            fields()
                .iter()
                .filter(|field| !["messages", "calls", "smb_message_echoes"].contains(&&*field.name))
                .map(|field| field.kind),
        );
        names
    }

    /// Each covered webhook field's name, with the kinds its changes get (`messages`: messages,
    /// statuses and errors).
    fn event_names(&self) -> Vec<(&'static str, Vec<&'static str>)> {
        fields()
            .iter()
            .map(|field| {
                let kinds = match field.name.as_str() {
                    "messages" => vec!["message", "status", "error"],
                    "calls" => vec!["call", "call_status", "error"],
                    _ => vec![field.kind],
                };
                (field.name.as_str(), kinds)
            })
            .collect()
    }

    fn claim(&self, body: &Map<String, Value>) -> Option<Claim> {
        claim(body)
    }

    fn claim_tape(&self, body: crate::tape::TapeObject<'_>) -> Option<Claim> {
        claim(body)
    }

    fn fallback(&self) -> Claim {
        Claim::new(Kind::named("notification"), SCHEMA)
    }

    fn near_miss(&self, body: &Map<String, Value>) -> Option<String> {
        if let (Some(field), Some(Value::Object(_))) = (str_field(body, "field"), body.get("value")) {
            return Some(format!(
                "a bare Meta change (field {field}) without its envelope: the App Dashboard shows \
                 samples this way, but Meta sends {{\"object\": \"whatsapp_business_account\", \
                 \"entry\": [{{\"id\", \"changes\": [...]}}]}}"
            ));
        }
        if body.contains_key("messaging_product") && body.contains_key("metadata") {
            return Some(
                "a Meta change value (messaging_product, metadata) without its envelope: Meta \
                 sends it as entry[].changes[].value of {\"object\": \"whatsapp_business_account\", ...}"
                    .to_string(),
            );
        }
        let object = str_field(body, "object")?;
        body.contains_key("entry").then(|| {
            format!(
                "a Meta Graph API webhook for `object: {object}`: not WhatsApp's \
                 (whatsapp_business_account)"
            )
        })
    }

    fn gist(&self, body: &Value, kind: &Kind) -> Gist {
        gist(body, kind)
    }

    fn gist_tape(&self, body: crate::tape::TapeNode<'_>, kind: &Kind) -> Gist {
        gist(body, kind)
    }

    /// Meta's `errors[]` on a message or on its change's value (131000: the content could not
    /// be delivered): the message's gist says only its type otherwise. Statuses and error
    /// changes show theirs as their gist already.
    fn gist_error(&self, body: &Value, kind: &Kind) -> Option<String> {
        gist_error(body, kind)
    }

    fn gist_error_tape(&self, body: crate::tape::TapeNode<'_>, kind: &Kind) -> Option<String> {
        gist_error(body, kind)
    }

    fn webhook_setup(&self, base: &str) -> String {
        format!(
            "Meta: App Dashboard > WhatsApp > Configuration: Callback URL {base}webhook, Verify \
             token the value of --verify-token-env; then subscribe to the webhook fields you need"
        )
    }

    /// "Payloads up to about 3 MB" (PROVIDERS.md).
    fn body_limit(&self) -> Option<usize> {
        Some(3_000_000)
    }

    /// Compact, with non-ASCII as `\uXXXX` and `/` as `\/`, as Meta's webhooks arrive: the
    /// bytes an app must verify the signature over (JSON.stringify or json.dumps of the parsed
    /// body gives other bytes).
    fn wire_bytes(&self, body: &Value) -> Vec<u8> {
        let mut out = Vec::with_capacity(1024);
        wire::write(body, &mut out);
        out
    }

    fn novelties(&self) -> &'static [Novelty] {
        &[
            Novelty {
                what: "a message type not documented yet",
                sample: "meta/message-text",
                edits: &[
                    "entry.0.changes.0.value.messages.0.type=future_type",
                    "entry.0.changes.0.value.messages.0.future_type={\"note\":\"a type Meta may add\"}",
                ],
            },
            Novelty {
                what: "a webhook field not documented yet",
                sample: "meta/message-text",
                edits: &["entry.0.changes.0.field=future_field"],
            },
            Novelty {
                what: "a status not documented yet",
                sample: "meta/status-delivered",
                edits: &["entry.0.changes.0.value.statuses.0.status=future_status"],
            },
        ]
    }

    fn signing(&self) -> Option<&dyn Signing> {
        Some(self)
    }

    fn handshake(&self) -> Option<&dyn Handshake> {
        Some(self)
    }

    fn lifecycle(&self) -> Option<&dyn Lifecycle> {
        Some(self)
    }

    fn batching(&self) -> Option<&dyn Batching> {
        Some(self)
    }

    fn send_api(&self) -> Option<&dyn super::capabilities::SendApi> {
        Some(&emulate::MetaSends)
    }

    /// "Retries with backoff for up to 7 days" (PROVIDERS.md): the first wait is not
    /// documented; 1 minute, doubling, is wa-hook's choice (13 retries within the 7 days).
    fn retries(&self) -> Option<super::capabilities::RetrySchedule> {
        Some(super::capabilities::RetrySchedule::Doubling {
            first: std::time::Duration::from_secs(60),
            for_up_to: std::time::Duration::from_secs(7 * 24 * 3600),
        })
    }

    fn identities(&self) -> Option<&dyn Identities> {
        Some(self)
    }

    fn conversation(&self) -> Option<&dyn super::capabilities::Conversation> {
        Some(self)
    }
}

/// `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, raw body)>` ([`signature`]).
impl Signing for Meta {
    fn header(&self) -> &'static str {
        signature::HEADER
    }

    fn sign(&self, secret: &SecretString, body: &[u8]) -> String {
        signature::sign(secret, body)
    }

    fn verify(&self, secret: &SecretString, header: &str, body: &[u8]) -> bool {
        signature::verify(secret, header, body)
    }

    fn diagnose(&self, secret: &SecretString, header: &str, body: &[u8]) -> Mismatch {
        signature::diagnose(secret, header, body)
    }

    fn reencodings(&self, body: &[u8]) -> Vec<(&'static str, Vec<u8>)> {
        signature::reencodings(body)
    }
}

/// The endpoint is verified with `GET ?hub.mode=subscribe&hub.challenge=...` ([`handshake`]).
impl Handshake for Meta {
    fn query(&self, token: &str, challenge: &str) -> String {
        handshake::query(token, challenge)
    }

    fn parse(&self, query: &str) -> Option<HandshakeRequest> {
        handshake::parse(query)
    }

    fn redact_token(&self, query: &str, redacted: &str) -> String {
        handshake::redact_token(query, redacted)
    }
}

impl Lifecycle for Meta {
    /// New `wamid.` / `wacid.` ids and the current time for messages, statuses, message
    /// echoes and calls; the current time for `entry[].time` and the timestamped items of the
    /// other fields (groups, user preferences, user id updates).
    fn refresh(&self, body: &mut Value, ids: &mut IdSource, now: SystemTime) -> bool {
        let mut changed = false;
        for entry in items_mut(body, "entry") {
            if let Some(time) = entry.get_mut("time").filter(|time| time.is_number()) {
                *time = unix_time(time, now);
                changed = true;
            }
            let values = items_mut(entry, "changes").filter_map(|change| change.get_mut("value"));
            for value in values {
                changed |= refresh_meta_value(value, ids, now);
                changed |= refresh_items(value, "message_echoes", Some(IdSource::wamid), ids, now);
                changed |= refresh_items(value, "calls", Some(IdSource::wacid), ids, now);
                for key in ["groups", "user_preferences", "user_id_update"] {
                    changed |= refresh_items(value, key, None, ids, now);
                }
            }
        }
        changed
    }

    /// Every change's messages (`wamid.` ids) and statuses, in the order of the body.
    fn message_events(&self, body: &Value, _kind: &Kind) -> Vec<MessageEvent> {
        message_events(body)
    }

    fn message_events_tape(
        &self,
        body: crate::tape::TapeNode<'_>,
        _kind: &Kind,
    ) -> Vec<MessageEvent> {
        message_events(body)
    }

    fn status_item(&self) -> &'static str {
        "/entry/0/changes/0/value/statuses/0"
    }

    fn set_status(&self, item: &mut Map<String, Value>, status: &str, at: SystemTime) {
        set_meta_status(item, status, at);
    }
}

/// Entries of one account joined, messages (or statuses) of one phone number in one value
/// ([`batch`]).
impl Batching for Meta {
    fn batch(&self, bodies: &[Value]) -> Option<Value> {
        batch::merge(bodies)
    }

    fn batch_owned(&self, bodies: Vec<Value>) -> Result<Value, Vec<Value>> {
        batch::merge_owned(bodies)
    }
}

/// Contacts, senders and recipients of `messages` changes in the form asked ([`identity`]).
impl Identities for Meta {
    fn forms(&self) -> &'static [Identity] {
        &Identity::ALL
    }

    fn with_identity(&self, body: &Value, identity: Identity) -> Option<Value> {
        identity::rewrite(body, identity)
    }
}

/// Sender or recipient, and text or event ([`Rules::gist`]), read either way.
fn gist<'a, V: JsonView<'a>>(body: V, kind: &Kind) -> Gist {
    let Some(value) = at(body, "/entry/0/changes/0/value") else {
        return Gist::default();
    };
    let text = |path: &str| text_at(value, path);
    match kind.name() {
        "message" => Gist {
            who: text("/messages/0/from")
                .or_else(|| text("/messages/0/from_user_id"))
                .or_else(|| text("/contacts/0/profile/username")),
            what: message_text(at(value, "/messages/0")),
        },
        "status" | "call_status" => status_gist(value),
        "error" => Gist {
            who: text("/metadata/display_phone_number"),
            what: first_error(value),
        },
        "call" => Gist {
            who: arrow(text("/calls/0/from"), text("/calls/0/to")),
            what: text("/calls/0/duration").map(|seconds| format!("{seconds} s")),
        },
        "echo" => Gist {
            who: arrow(
                text("/message_echoes/0/from"),
                text("/message_echoes/0/to").or_else(|| text("/message_echoes/0/to_user_id")),
            ),
            what: message_text(at(value, "/message_echoes/0")),
        },
        "template_status" | "template_quality" | "template_category"
        | "template_components" => template_gist(value),
        "user_preference" | "user_id_update" => user_gist(value),
        "phone_quality" | "phone_name" | "username" | "security" => Gist {
            who: text("/display_phone_number"),
            what: arrow(text("/old_limit"), text("/current_limit"))
                .or_else(|| text("/requested_verified_name"))
                .or_else(|| text("/username")),
        },
        "account_update" => account_gist(body, value),
        "group_lifecycle" | "group_participants" | "group_settings" | "group_status" => Gist {
            who: text("/groups/0/group_id"),
            what: text("/groups/0/subject")
                .or_else(|| text("/groups/0/subject/text"))
                .or_else(|| text("/groups/0/reason")),
        },
        _ => Gist {
            who: text_at(body, "/entry/0/id").map(|id| format!("WABA {id}")),
            what: None,
        },
    }
}

/// Meta's `errors[]` on a message or on its change's value ([`Rules::gist_error`]).
fn gist_error<'a, V: JsonView<'a>>(body: V, kind: &Kind) -> Option<String> {
    if kind.name() != "message" {
        return None;
    }
    let value = at(body, "/entry/0/changes/0/value")?;
    at(value, "/messages/0")
        .and_then(first_error)
        .or_else(|| first_error(value))
}

/// Every change's messages and statuses ([`Lifecycle::message_events`]), read either way.
fn message_events<'a, V: JsonView<'a>>(body: V) -> Vec<MessageEvent> {
    let mut events = Vec::new();
    let entries = body.get("entry").and_then(JsonView::items);
    for entry in entries.into_iter().flatten() {
        let changes = entry.get("changes").and_then(JsonView::items);
        for change in changes.into_iter().flatten() {
            if let Some(value) = change.get("value") {
                events.extend(super::shapes::meta_message_events(value));
            }
        }
    }
    events
}

/// `from → to`, or whichever of the two is known.
fn arrow(from: Option<String>, to: Option<String>) -> Option<String> {
    match (from, to) {
        (Some(from), Some(to)) => Some(format!("{from} → {to}")),
        (from, to) => from.or(to),
    }
}

/// A template's name and language, and what happened to it: a reason, a quality or category
/// change, a component.
fn template_gist<'a, V: JsonView<'a>>(value: V) -> Gist {
    let text = |path: &str| text_at(value, path);
    Gist {
        who: text("/message_template_name").map(|name| match text("/message_template_language") {
            Some(language) => format!("{name} ({language})"),
            None => name,
        }),
        what: text("/reason")
            .filter(|reason| reason != "NONE")
            .or_else(|| text("/other_info/title"))
            .or_else(|| text("/disable_info/disable_date").map(|d| format!("disabled {d}")))
            .or_else(|| arrow(text("/previous_quality_score"), text("/new_quality_score")))
            .or_else(|| arrow(text("/previous_category"), text("/new_category")))
            .or_else(|| text("/message_template_element")),
    }
}

/// The user a preference or user id update is about, and the category or the id's change.
fn user_gist<'a, V: JsonView<'a>>(value: V) -> Gist {
    let text = |path: &str| text_at(value, path);
    Gist {
        who: text("/user_preferences/0/wa_id")
            .or_else(|| text("/user_id_update/0/wa_id"))
            .or_else(|| text("/contacts/0/wa_id")),
        what: text("/user_preferences/0/category").or_else(|| {
            arrow(
                text("/user_id_update/0/user_id/previous"),
                text("/user_id_update/0/user_id/current"),
            )
        }),
    }
}

/// The number or the account, and the ban, violation or restriction.
fn account_gist<'a, V: JsonView<'a>>(body: V, value: V) -> Gist {
    let text = |path: &str| text_at(value, path);
    Gist {
        who: text("/phone_number")
            .or_else(|| text_at(body, "/entry/0/id").map(|id| format!("WABA {id}"))),
        what: text("/ban_info/waba_ban_state")
            .or_else(|| text("/violation_info/violation_type"))
            .or_else(|| text("/restriction_info/0/restriction_type")),
    }
}

/// The items of the array at `key` in `value` (`entry[]`, `changes[]`), to change them; none
/// when there is no such array.
fn items_mut<'a>(value: &'a mut Value, key: &str) -> impl Iterator<Item = &'a mut Value> {
    value
        .get_mut(key)
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
}

/// Compact JSON text with every non-ASCII character written `\uXXXX` (UTF-16, surrogate pairs
/// beyond the BMP) and every `/` written `\/`. Both only occur inside strings, so the result is
/// the same JSON value. What [`wire::write`] writes in one pass, kept as its tests' reference.
#[cfg(test)]
fn escaped_like_meta(compact: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(compact.len() + compact.len() / 8);
    crate::escape::runs(
        compact,
        &mut out,
        |bytes| bytes.iter().position(|&byte| byte == b'/' || !byte.is_ascii()),
        |c, out| {
            if c == '/' {
                out.extend_from_slice(b"\\/");
            } else {
                out.extend_from_slice(signature::ascii_escaped(c.encode_utf8(&mut [0; 4])).as_bytes());
            }
        },
    );
    out
}

#[cfg(test)]
mod wire_tests {
    use super::*;

    #[test]
    fn bodies_are_written_as_meta_writes_them() {
        let body = json!({"text": "café/ok 👍", "n": 1});
        let bytes = RULES.wire_bytes(&body);
        assert_eq!(
            String::from_utf8(bytes.clone()).unwrap(),
            r#"{"text":"caf\u00e9\/ok \ud83d\udc4d","n":1}"#
        );
        assert_eq!(serde_json::from_slice::<Value>(&bytes).unwrap(), body);
    }

    /// The same text as escaping the slashes, then every non-ASCII character, in two passes.
    #[test]
    fn escaping_in_one_pass_is_escaping_in_two() {
        for text in [
            "",
            "/",
            "plain",
            r#"{"a":"b/c","d":"é"}"#,
            "//é//👍x/",
            "é",
            "👍",
            r"caf\u00e9 \/ ok",
            "a\u{7f}\u{80}\u{7ff}\u{800}\u{ffff}\u{10000}\u{10ffff}/z",
        ] {
            assert_eq!(
                escaped_like_meta(text),
                signature::ascii_escaped(&text.replace('/', "\\/")).into_bytes(),
                "{text}"
            );
        }
    }
}
