//! Small JSON helpers the providers share, and the pieces of Meta's message format that the
//! providers wrapping it (Qikchat, Omni Smartflow) read the same way.
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Map, Number, Value};

use super::capabilities::{Bubble, TemplateCall};
use super::rules::{Gist, Kind, MessageEvent};
use crate::ids::IdSource;

/// Meta's error code 131026, "Message undeliverable": what a message set to failed carries.
pub const UNDELIVERABLE: u32 = 131_026;

/// A JSON value as detection and the gist read it: a `serde_json::Value`, or a body's lean
/// parsed form (`crate::tape`), which `validate` and `listen` read without building a `Value`.
/// Detection, gists and message events written once over this read both the same way.
pub trait JsonView<'a>: Copy {
    type Object: ObjectView<'a, Value = Self>;
    type Items: Iterator<Item = Self>;
    fn as_object(self) -> Option<Self::Object>;
    fn as_str(self) -> Option<&'a str>;
    /// Its items, when it is an array.
    fn items(self) -> Option<Self::Items>;
    /// The number, when it is one that fits an `i64`.
    fn as_i64(self) -> Option<i64>;
    fn as_number(self) -> Option<&'a Number>;
    fn is_null(self) -> bool;
    /// The value of `key`, when it is an object that has it.
    fn get(self, key: &str) -> Option<Self> {
        self.as_object()?.get(key)
    }
    fn is_string(self) -> bool {
        self.as_str().is_some()
    }
    fn is_array(self) -> bool {
        self.items().is_some()
    }
    fn is_object(self) -> bool {
        self.as_object().is_some()
    }
}

/// A JSON object as detection reads it (see [`JsonView`]).
pub trait ObjectView<'a>: Copy {
    type Value: JsonView<'a, Object = Self>;
    fn get(self, key: &str) -> Option<Self::Value>;
    fn len(self) -> usize;
    fn is_empty(self) -> bool {
        self.len() == 0
    }
    fn contains_key(self, key: &str) -> bool {
        self.get(key).is_some()
    }
}

impl<'a> JsonView<'a> for &'a Value {
    type Object = &'a Map<String, Value>;
    type Items = std::slice::Iter<'a, Value>;
    fn as_object(self) -> Option<&'a Map<String, Value>> {
        Value::as_object(self)
    }
    fn as_str(self) -> Option<&'a str> {
        Value::as_str(self)
    }
    fn items(self) -> Option<std::slice::Iter<'a, Value>> {
        Value::as_array(self).map(|items| items.iter())
    }
    fn as_i64(self) -> Option<i64> {
        Value::as_i64(self)
    }
    fn as_number(self) -> Option<&'a Number> {
        Value::as_number(self)
    }
    fn is_null(self) -> bool {
        Value::is_null(self)
    }
}

impl<'a> ObjectView<'a> for &'a Map<String, Value> {
    type Value = &'a Value;
    fn get(self, key: &str) -> Option<&'a Value> {
        Map::get(self, key)
    }
    fn len(self) -> usize {
        Map::len(self)
    }
}

pub fn str_field<'a, O: ObjectView<'a>>(object: O, key: &str) -> Option<&'a str> {
    object.get(key).and_then(JsonView::as_str)
}

/// The value at a JSON pointer made of plain keys and indexes (no `~` escapes), found without
/// the allocations of `Value::pointer`: the gist is worked out for every request `listen` shows.
pub fn at<'a, V: JsonView<'a>>(value: V, path: &str) -> Option<V> {
    // What follows the first `/`, token by token (split by hand: `str::split` sets up a
    // searcher for each of the gist's many short paths).
    let Some((_, mut rest)) = path.split_once('/') else {
        return Some(value);
    };
    let mut value = value;
    loop {
        let (token, next) = match rest.bytes().position(|byte| byte == b'/') {
            Some(slash) => (&rest[..slash], Some(&rest[slash + 1..])),
            None => (rest, None),
        };
        value = if let Some(object) = value.as_object() {
            object.get(token)?
        } else {
            value.items()?.nth(token.parse::<usize>().ok()?)?
        };
        match next {
            Some(next) => rest = next,
            None => return Some(value),
        }
    }
}

/// A string or a number as text, of a value read either way ([`JsonView`]).
pub fn value_text<'a, V: JsonView<'a>>(value: V) -> Option<String> {
    match value.as_str() {
        Some(text) => Some(text.to_owned()),
        None => value.as_number().map(Number::to_string),
    }
}

/// [`value_text`] of the value at `path`.
pub fn text_at<'a, V: JsonView<'a>>(value: V, path: &str) -> Option<String> {
    at(value, path).and_then(value_text)
}

/// The first item of an array, or the value itself when it is one object (Omni Smartflow's
/// documentation writes `messages` as an object).
pub fn first_item<'a, V: JsonView<'a>>(value: Option<V>) -> Option<V::Object> {
    let value = value?;
    match value.items() {
        Some(mut items) => items.next()?.as_object(),
        None => value.as_object(),
    }
}

/// A code sent as a JSON number or as a string of digits ("2" and 9 alike).
pub fn code<'a, V: JsonView<'a>>(value: V) -> Option<i64> {
    match value.as_str() {
        Some(text) => text.trim().parse().ok(),
        None => value.as_i64(),
    }
}

/// True when the key is there with something in it (not null, not blank).
pub fn has_nonempty<'a, O: ObjectView<'a>>(object: O, key: &str) -> bool {
    match object.get(key) {
        None => false,
        Some(value) if value.is_null() => false,
        Some(value) => value.as_str().is_none_or(|text| !text.trim().is_empty()),
    }
}

/// `message:<type>` for a Meta-format message, interactive messages named by their
/// interactive type (`message:button_reply`).
pub fn message_kind<'a, O: ObjectView<'a>>(name: &'static str, message: O) -> Kind {
    let kind = str_field(message, "type");
    if kind == Some("interactive") {
        if let Some(sub) = message
            .get("interactive")
            .and_then(|i| JsonView::get(i, "type"))
            .and_then(JsonView::as_str)
        {
            return Kind::with(name, Some(sub));
        }
    }
    Kind::with(name, kind)
}

/// `status:<status>` for a Meta-format status.
pub fn status_kind<'a, O: ObjectView<'a>>(name: &'static str, status: O) -> Kind {
    Kind::with(name, str_field(status, "status"))
}

/// The text of a Meta-format message, or its caption, or its media type.
pub fn message_text<'a, V: JsonView<'a>>(message: Option<V>) -> Option<String> {
    let message = message?;
    const POINTERS: [&str; 10] = [
        "/text/body",
        "/interactive/button_reply/title",
        "/interactive/list_reply/title",
        "/interactive/nfm_reply/name",
        "/interactive/call_permission_reply/response",
        "/button/text",
        "/reaction/emoji",
        "/location/name",
        "/contacts/0/name/formatted_name",
        "/system/body",
    ];
    if let Some(text) = POINTERS.iter().find_map(|p| text_at(message, p)) {
        return Some(text);
    }
    let kind = message.get("type")?.as_str()?;
    let caption = message
        .get(kind)
        .and_then(|media| media.get("caption"))
        .and_then(value_text);
    Some(caption.unwrap_or_else(|| format!("[{kind}]")))
}

/// Recipient, and the error code and title of a failed status, else the message id, for a
/// Meta-format value (or On-Premises body) with `statuses[]` and perhaps `errors[]`.
pub fn status_gist<'a, V: JsonView<'a>>(value: V) -> Gist {
    let text = |path: &str| text_at(value, path);
    Gist {
        who: text("/statuses/0/recipient_id").or_else(|| text("/statuses/0/recipient_user_id")),
        what: first_error(value).or_else(|| text("/statuses/0/id")),
    }
}

/// `131047 Re-engagement message`: the code and title (or message) of the first error of a
/// status, or of the value itself.
pub fn first_error<'a, V: JsonView<'a>>(value: V) -> Option<String> {
    let error = ["/statuses/0/errors/0", "/errors/0"]
        .iter()
        .find_map(|pointer| at(value, pointer))?;
    error_text(error)
}

/// `131047 Re-engagement message`: an error's code and title (or message).
fn error_text<'a, V: JsonView<'a>>(error: V) -> Option<String> {
    let code = text_at(error, "/code")?;
    Some(
        match text_at(error, "/title").or_else(|| text_at(error, "/message")) {
            Some(words) => format!("{code} {words}"),
            None => code,
        },
    )
}

/// `--fresh` for a Meta-format value: new `wamid.` ids (`wacid.` for call statuses) and the
/// current time for `messages` (an array, or one object as Omni Smartflow documents it) and
/// `statuses` that carry a status.
pub fn refresh_meta_value(value: &mut Value, ids: &mut IdSource, now: SystemTime) -> bool {
    let messages = refresh_items(value, "messages", Some(IdSource::wamid), ids, now);
    let statuses = refresh_items(value, "statuses", Some(IdSource::wamid), ids, now);
    messages | statuses
}

/// New ids (with `new_id`, where the item has an id) and the current time (where it has a
/// `timestamp`) for the items under `key`. A status without a status (Omni Smartflow's bare
/// `{"id"}` item) keeps its id; a call status gets a call id.
pub fn refresh_items(
    value: &mut Value,
    key: &str,
    new_id: Option<fn(&mut IdSource) -> String>,
    ids: &mut IdSource,
    now: SystemTime,
) -> bool {
    let items: Vec<&mut Value> = match value.get_mut(key) {
        Some(Value::Array(items)) => items.iter_mut().collect(),
        Some(item @ Value::Object(_)) => vec![item],
        _ => return false,
    };
    let mut changed = false;
    for object in items.into_iter().filter_map(Value::as_object_mut) {
        if key == "statuses" && !object.contains_key("status") {
            continue;
        }
        if let Some(new_id) = new_id {
            let is_call = object.get("type").and_then(Value::as_str) == Some("call");
            let id = if is_call { ids.wacid() } else { new_id(ids) };
            object.insert("id".into(), Value::String(id));
            changed = true;
        }
        if let Some(timestamp) = object.get_mut("timestamp") {
            *timestamp = unix_time(timestamp, now);
            changed = true;
        }
    }
    changed
}

/// `--sequence` for a Meta-format status item: the status, its time, and Meta's error when
/// it failed.
pub fn set_meta_status(item: &mut Map<String, Value>, status: &str, at: SystemTime) {
    item.insert("status".into(), status.into());
    let timestamp = item.get("timestamp").cloned().unwrap_or_default();
    item.insert("timestamp".into(), unix_time(&timestamp, at));
    if status == "failed" {
        item.entry("errors").or_insert_with(|| {
            serde_json::json!([{
                "code": UNDELIVERABLE,
                "title": "Message undeliverable",
                "message": "Message undeliverable",
                "error_data": {"details": "Message Undeliverable."}
            }])
        });
    } else {
        item.remove("errors");
    }
}

/// A number, or a string of digits, as the original was.
pub fn same_kind_of_number(original: &Value, number: u64) -> Value {
    match original {
        Value::Number(_) => Value::from(number),
        _ => Value::String(number.to_string()),
    }
}

/// Unix seconds, as a string or a number like the original.
pub fn unix_time(original: &Value, at: SystemTime) -> Value {
    let seconds = at.duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
    same_kind_of_number(original, seconds)
}

/// RFC 3339 with milliseconds, UTC.
pub fn iso_time(at: SystemTime) -> String {
    humantime::format_rfc3339_millis(at).to_string()
}

/// The messages and statuses of a Meta-format value (`messages` as an array, or one object as
/// Omni Smartflow documents it; `statuses[]` with their errors), for the inspector's timeline.
pub fn meta_message_events<'a, V: JsonView<'a>>(value: V) -> Vec<MessageEvent> {
    let mut events = Vec::new();
    for message in items(value.get("messages")) {
        if let Some(id) = message.get("id").and_then(value_text) {
            events.push(MessageEvent::new(id, "incoming", None));
        }
    }
    for status in value
        .get("statuses")
        .and_then(JsonView::items)
        .into_iter()
        .flatten()
    {
        let (Some(id), Some(word)) = (
            status.get("id").and_then(value_text),
            status.get("status").and_then(value_text),
        ) else {
            continue;
        };
        let error = at(status, "/errors/0").and_then(error_text);
        events.push(MessageEvent::new(id, word.to_ascii_lowercase(), error));
    }
    events
}

// The chat's reading of a message ([`message_bubble`]).

/// The items of an array (or the one object Omni Smartflow's documentation writes).
pub fn items<'a, V: JsonView<'a>>(value: Option<V>) -> Vec<V> {
    let Some(value) = value else {
        return Vec::new();
    };
    match value.items() {
        Some(items) => items.collect(),
        None if value.is_object() => vec![value],
        None => Vec::new(),
    }
}

/// One message object as a chat shows it, received or sent, where a message is written as
/// Meta writes it (Qikchat too): `type`, and an object of that name (`text.body`,
/// `image.caption`, `reaction.emoji`, `template.name` ...); a missing `type` is `text`, Meta's
/// default.
pub fn message_bubble(message: &Value) -> Bubble {
    let kind = text_at(message, "/type").unwrap_or_else(|| "text".to_string());
    let mut bubble = Bubble {
        id: text_at(message, "/id"),
        kind: kind.clone(),
        ..Bubble::default()
    };
    match kind.as_str() {
        "template" => bubble.template = at(message, "/template").map(template),
        "interactive" => {
            let interactive = at(message, "/interactive");
            bubble.text = interactive
                .and_then(|i| text_at(i, "/body/text"))
                .or_else(|| message_text(Some(message)));
            bubble.choices = interactive.map(choices).unwrap_or_default();
        }
        "reaction" => {
            bubble.text = text_at(message, "/reaction/emoji");
            bubble.about = text_at(message, "/reaction/message_id");
        }
        _ => bubble.text = message_text(Some(message)).filter(|text| *text != format!("[{kind}]")),
    }
    bubble
}

/// A template's name, language and parameters as text.
fn template(template: &Value) -> TemplateCall {
    let mut parameters = Vec::new();
    for component in items(template.get("components")) {
        for parameter in items(component.get("parameters")) {
            let kind = text_at(parameter, "/type").unwrap_or_else(|| "text".to_string());
            let value = parameter
                .get(&kind)
                .and_then(|value| value_text(value).or_else(|| text_at(value, "/fallback_value")))
                .or_else(|| text_at(parameter, "/payload"))
                .unwrap_or_else(|| format!("[{kind}]"));
            parameters.push(match text_at(parameter, "/parameter_name") {
                Some(name) => format!("{name}={value}"),
                None => value,
            });
        }
    }
    TemplateCall {
        name: text_at(template, "/name").unwrap_or_default(),
        language: text_at(template, "/language/code"),
        parameters,
    }
}

/// An interactive message's buttons, list rows, or link text.
fn choices(interactive: &Value) -> Vec<String> {
    let action = interactive.get("action");
    let buttons = action
        .map(|action| items(action.get("buttons")))
        .unwrap_or_default()
        .into_iter()
        .filter_map(|button| text_at(button, "/reply/title").or_else(|| text_at(button, "/title")));
    let rows = action
        .map(|action| items(action.get("sections")))
        .unwrap_or_default()
        .into_iter()
        .flat_map(|section| items(section.get("rows")))
        .filter_map(|row| text_at(row, "/title"));
    let link = action.and_then(|action| text_at(action, "/parameters/display_text"));
    buttons.chain(rows).chain(link).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn plain_pointers_match_serde_json() {
        let body = json!({"a": [{"b": {"c": 1}}], "d": "e"});
        for path in [
            "", "/a", "/a/0", "/a/0/b/c", "/a/1", "/a/x", "/d", "/d/0", "/z", "/", "/a/", "/a//b",
            "/a/0/",
        ] {
            assert_eq!(at(&body, path), body.pointer(path), "{path}");
        }
        let tape =
            crate::tape::Tape::parse(r#"{"a": [{"b": {"c": 1}}], "d": "e", "": {"": 2}}"#).unwrap();
        let value: Value =
            serde_json::from_str(r#"{"a": [{"b": {"c": 1}}], "d": "e", "": {"": 2}}"#).unwrap();
        for path in ["", "/a/0/b/c", "/a/1", "/d", "/", "//", "/a/x"] {
            assert_eq!(
                at(tape.root(), path).map(crate::tape::TapeNode::to_owned_value),
                value.pointer(path).cloned(),
                "{path}"
            );
        }
    }
}
