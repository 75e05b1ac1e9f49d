//! Provider and kind detection: given a body (and, for Picky Assist's deprecated method, the
//! query string), name the provider, the kind (`qikchat message:text`, `meta status:failed`)
//! and the schema that documents it. A shape nobody documents is reported as unknown, never
//! forced into a provider.
use serde::Serialize;
use serde_json::{Map, Value};

use crate::catalogue::Provider;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Detection {
    pub provider: Provider,
    /// e.g. `message:text`, `status:read`, `event:whatsapp`, `reply:media`.
    pub kind: String,
    /// The schema id that documents this kind.
    pub schema: &'static str,
}

impl Detection {
    fn new(provider: Provider, kind: impl Into<String>, schema: &'static str) -> Self {
        Detection {
            provider,
            kind: kind.into(),
            schema,
        }
    }

    /// `qikchat message:text`.
    pub fn label(&self) -> String {
        format!("{} {}", self.provider, self.kind)
    }
}

/// Detect the provider and kind of a JSON body.
pub fn detect(body: &Value) -> Option<Detection> {
    let object = body.as_object()?;
    Provider::ALL
        .into_iter()
        .find_map(|provider| classify(provider, object))
}

/// The provider's own classification of `body`, or — when its shape is not one of the
/// provider's — the provider's main schema, so validation explains what is missing.
pub fn detect_within(provider: Provider, body: &Value) -> Detection {
    body.as_object()
        .and_then(|object| classify(provider, object))
        .unwrap_or_else(|| default_detection(provider))
}

fn default_detection(provider: Provider) -> Detection {
    match provider {
        Provider::Picky => Detection::new(provider, "message", "picky-message"),
        Provider::Qikchat => Detection::new(provider, "message", "qikchat-message"),
        Provider::Smartflow => Detection::new(provider, "message", "smartflow-message"),
        Provider::Partner => Detection::new(provider, "event", "partner-event"),
        Provider::Meta => Detection::new(provider, "notification", "meta-notification"),
    }
}

/// The `schema` a kind is validated with, for a provider; used by `--schema` to fill in the
/// provider when detection and schema disagree.
pub fn provider_of_schema(schema_id: &str) -> Option<Provider> {
    Provider::from_id(schema_id.split('-').next()?)
}

fn classify(provider: Provider, object: &Map<String, Value>) -> Option<Detection> {
    match provider {
        Provider::Meta => classify_meta(object),
        Provider::Qikchat => classify_qikchat(object),
        Provider::Partner => classify_partner(object),
        Provider::Picky => classify_picky(object),
        Provider::Smartflow => classify_smartflow(object),
    }
}

fn str_field<'a>(object: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    object.get(key).and_then(Value::as_str)
}

/// `messages` may be an array (Meta) or a single object (Omni Smartflow's documentation).
fn first_item(value: Option<&Value>) -> Option<&Map<String, Value>> {
    match value? {
        Value::Array(items) => items.first()?.as_object(),
        Value::Object(object) => Some(object),
        _ => None,
    }
}

/// `message:<type>`, with interactive messages named by their interactive type.
fn message_kind(message: &Map<String, Value>) -> String {
    let Some(kind) = str_field(message, "type") else {
        return "message".to_string();
    };
    if kind == "interactive" {
        if let Some(sub) = message
            .get("interactive")
            .and_then(|i| i.get("type"))
            .and_then(Value::as_str)
        {
            return format!("message:{sub}");
        }
    }
    format!("message:{kind}")
}

fn status_kind(status: &Map<String, Value>) -> String {
    str_field(status, "status").map_or_else(|| "status".to_string(), |s| format!("status:{s}"))
}

/// Meta's notification: the kind of the first change's first message or status.
fn classify_meta(object: &Map<String, Value>) -> Option<Detection> {
    let is_envelope = str_field(object, "object") == Some("whatsapp_business_account")
        || (object.contains_key("entry") && object.contains_key("object"));
    if !is_envelope {
        return None;
    }
    let value = object
        .get("entry")
        .and_then(|entry| entry.get(0))
        .and_then(|entry| entry.get("changes"))
        .and_then(|changes| changes.get(0))
        .and_then(|change| change.get("value"))
        .and_then(Value::as_object);
    let kind = match value {
        Some(value) => kind_of_message_or_status(value)
            .or_else(|| value.contains_key("errors").then(|| "error".to_string()))
            .unwrap_or_else(|| "notification".to_string()),
        None => "notification".to_string(),
    };
    Some(Detection::new(Provider::Meta, kind, "meta-notification"))
}

fn kind_of_message_or_status(value: &Map<String, Value>) -> Option<String> {
    if let Some(message) = first_item(value.get("messages")) {
        return Some(message_kind(message));
    }
    first_item(value.get("statuses")).map(status_kind)
}

fn classify_qikchat(object: &Map<String, Value>) -> Option<Detection> {
    let event = str_field(object, "event")?;
    let payload = object.get("payload").and_then(Value::as_object);
    match event {
        "whatsapp:message:in" => {
            let kind = payload
                .and_then(|p| p.get("message"))
                .and_then(Value::as_object)
                .map(message_kind)
                .unwrap_or_else(|| "message".to_string());
            Some(Detection::new(Provider::Qikchat, kind, "qikchat-message"))
        }
        "whatsapp:message:status" => {
            let kind = payload
                .map(status_kind)
                .unwrap_or_else(|| "status".to_string());
            Some(Detection::new(Provider::Qikchat, kind, "qikchat-status"))
        }
        _ if event.starts_with("whatsapp:") && payload.is_some() => Some(Detection::new(
            Provider::Qikchat,
            event.trim_start_matches("whatsapp:"),
            "qikchat-message",
        )),
        _ => None,
    }
}

const PARTNER_EVENTS: &[&str] = &["whatsapp", "builder", "online", "partners", "package"];

fn classify_partner(object: &Map<String, Value>) -> Option<Detection> {
    if let Some(event) = str_field(object, "event") {
        if PARTNER_EVENTS.contains(&event) {
            return Some(Detection::new(
                Provider::Partner,
                format!("event:{event}"),
                "partner-event",
            ));
        }
        return None;
    }
    if object.contains_key("access_token") && object.contains_key("expiration_time") {
        return Some(Detection::new(Provider::Partner, "token", "partner-token"));
    }
    let status = str_field(object, "status")?;
    let looks_like_response = object.contains_key("reason") && object.len() <= 4;
    match status {
        "OK" if looks_like_response => Some(Detection::new(
            Provider::Partner,
            "response:ok",
            "partner-response",
        )),
        "FAIL" | "Fail" if looks_like_response => Some(Detection::new(
            Provider::Partner,
            "response:fail",
            "partner-response",
        )),
        _ => None,
    }
}

fn has_nonempty(object: &Map<String, Value>, key: &str) -> bool {
    match object.get(key) {
        None | Some(Value::Null) => false,
        Some(Value::String(text)) => !text.trim().is_empty(),
        Some(_) => true,
    }
}

fn classify_picky(object: &Map<String, Value>) -> Option<Detection> {
    if object.contains_key("project_id") && object.contains_key("event_id") {
        let kind = match object.get("event_id").and_then(code) {
            Some(1) => "event:delivery_report".to_string(),
            Some(2) => "event:whatsapp_filter".to_string(),
            Some(3) => "event:group".to_string(),
            Some(4) => "event:subscriber".to_string(),
            Some(other) => format!("event:{other}"),
            None => "event".to_string(),
        };
        return Some(Detection::new(Provider::Picky, kind, "picky-event"));
    }
    let has_location = object.contains_key("Location") || object.contains_key("location");
    if object.contains_key("number") {
        let is_picky = ["message-in", "unique-id", "project-id", "application"]
            .iter()
            .any(|key| object.contains_key(*key));
        if !is_picky {
            return None;
        }
        let kind = if object.contains_key("contact") {
            "message:contacts"
        } else if has_location {
            "message:location"
        } else if object.contains_key("interactive") {
            "message:list_reply"
        } else if object.contains_key("payload") || object.contains_key("context-msg-id") {
            "message:button_reply"
        } else if object.contains_key("referral") {
            "message:referral"
        } else if has_nonempty(object, "media-url") {
            "message:media"
        } else {
            "message:text"
        };
        return Some(Detection::new(Provider::Picky, kind, "picky-message"));
    }
    let is_reply = object.contains_key("message-out")
        || ((object.contains_key("contact") || has_location) && object.contains_key("type"));
    if is_reply {
        let kind = if object.contains_key("contact") {
            "reply:contacts"
        } else if has_location {
            "reply:location"
        } else if has_nonempty(object, "media-url") {
            "reply:media"
        } else {
            "reply:text"
        };
        return Some(Detection::new(Provider::Picky, kind, "picky-reply"));
    }
    None
}

/// Picky Assist sends codes as JSON strings ("2") and numbers (9) alike.
fn code(value: &Value) -> Option<i64> {
    match value {
        Value::Number(number) => number.as_i64(),
        Value::String(text) => text.trim().parse().ok(),
        _ => None,
    }
}

/// Omni Smartflow sends Meta's On-Premises format: `messages`/`statuses` at the top level.
fn classify_smartflow(object: &Map<String, Value>) -> Option<Detection> {
    if object.contains_key("object") || object.contains_key("event") {
        return None;
    }
    if let Some(message) = first_item(object.get("messages")) {
        return Some(Detection::new(
            Provider::Smartflow,
            message_kind(message),
            "smartflow-message",
        ));
    }
    if let Some(status) = first_item(object.get("statuses")) {
        return Some(Detection::new(
            Provider::Smartflow,
            status_kind(status),
            "smartflow-status",
        ));
    }
    None
}

/// Picky Assist's deprecated query-string method: the fields arrive as query parameters on a
/// POST with no JSON body. Returns the fields as a JSON object of strings when the query has
/// Picky's shape.
pub fn picky_query_body(query: &str) -> Option<Value> {
    let fields: Map<String, Value> = url::form_urlencoded::parse(query.as_bytes())
        .map(|(key, value)| (key.into_owned(), Value::String(value.into_owned())))
        .collect();
    let is_picky = fields.contains_key("number")
        && (fields.contains_key("message-in") || fields.contains_key("unique-id"));
    is_picky.then_some(Value::Object(fields))
}

/// A few words that say what a body is about: sender, text or media type, status.
pub fn gist(body: &Value, detection: &Detection) -> String {
    let text = |path: &str| at(body, path).and_then(value_text);
    let (who, what) = match detection.provider {
        Provider::Meta => {
            let value = at(body, "/entry/0/changes/0/value");
            let text = |path: &str| value.and_then(|value| at(value, path)).and_then(value_text);
            match detection.kind.split(':').next() {
                Some("status") => (text("/statuses/0/recipient_id"), text("/statuses/0/id")),
                _ => (
                    text("/messages/0/from"),
                    message_text(value.and_then(|value| at(value, "/messages/0"))),
                ),
            }
        }
        Provider::Qikchat => match detection.kind.split(':').next() {
            Some("status") => (text("/payload/to"), text("/payload/id")),
            _ => (
                text("/payload/message/from"),
                message_text(at(body, "/payload/message")),
            ),
        },
        Provider::Smartflow => match detection.kind.split(':').next() {
            Some("status") => (text("/statuses/0/recipient_id"), text("/statuses/0/id")),
            _ => {
                let message = at(body, "/messages/0").or_else(|| body.get("messages"));
                (
                    message.and_then(|m| m.get("from")).and_then(value_text),
                    message_text(message),
                )
            }
        },
        Provider::Picky => (
            text("/number").or_else(|| text("/project_id").map(|p| format!("project {p}"))),
            text("/message_in_raw")
                .or_else(|| text("/message-in"))
                .or_else(|| text("/message-out"))
                .or_else(|| text("/data/0/msg_id").map(|id| format!("msg {id}"))),
        ),
        Provider::Partner => (
            text("/whatsapp")
                .or_else(|| text("/builderID").map(|id| format!("builder {id}")))
                .or_else(|| text("/accountID").map(|id| format!("account {id}"))),
            text("/url").or_else(|| text("/reason").map(|r| format!("reason {r}"))),
        ),
    };
    let mut gist = who.unwrap_or_default();
    if let Some(what) = what {
        if !gist.is_empty() {
            gist.push(' ');
        }
        gist.push('"');
        gist.push_str(&crate::output::excerpt_cow(&what, 48));
        gist.push('"');
    }
    gist
}

/// The value at a JSON pointer made of plain keys and indexes (no `~` escapes), found without
/// the allocations of `Value::pointer`: the gist is worked out for every request `listen` shows.
fn at<'a>(value: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('/')
        .skip(1)
        .try_fold(value, |value, token| match value {
            Value::Object(object) => object.get(token),
            Value::Array(items) => items.get(token.parse::<usize>().ok()?),
            _ => None,
        })
}

fn value_text(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

/// The text of a Meta-shaped message, or its caption, or its media type.
fn message_text(message: Option<&Value>) -> Option<String> {
    let message = message?;
    let pointers = [
        "/text/body",
        "/interactive/button_reply/title",
        "/interactive/list_reply/title",
        "/button/text",
        "/reaction/emoji",
        "/location/name",
        "/contacts/0/name/formatted_name",
    ];
    if let Some(text) = pointers
        .iter()
        .find_map(|p| at(message, p).and_then(value_text))
    {
        return Some(text);
    }
    let kind = message.get("type")?.as_str()?;
    let caption = message
        .get(kind)
        .and_then(|media| media.get("caption"))
        .and_then(value_text);
    Some(caption.unwrap_or_else(|| format!("[{kind}]")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unknown_shapes_stay_unknown() {
        assert_eq!(detect(&json!({"hello": "world"})), None);
        assert_eq!(detect(&json!([1, 2])), None);
        assert_eq!(detect(&json!({"event": "something:else"})), None);
    }

    #[test]
    fn picky_query_method_is_recognised() {
        let body = picky_query_body(
            "number=963587413&message-in=test&type=1&application=1&unique-id=5672&project-id=27",
        )
        .expect("picky query");
        let detection = detect(&body).expect("detected");
        assert_eq!(detection.label(), "picky message:text");
        assert_eq!(picky_query_body("a=b"), None);
    }

    #[test]
    fn plain_pointers_match_serde_json() {
        let body = json!({"a": [{"b": {"c": 1}}], "d": "e"});
        for path in [
            "", "/a", "/a/0", "/a/0/b/c", "/a/1", "/a/x", "/d", "/d/0", "/z",
        ] {
            assert_eq!(at(&body, path), body.pointer(path), "{path}");
        }
    }

    #[test]
    fn within_provider_falls_back_to_main_schema() {
        let detection = detect_within(Provider::Qikchat, &json!({"payload": {}}));
        assert_eq!(detection.schema, "qikchat-message");
    }
}
