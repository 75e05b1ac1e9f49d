//! Editing payloads before they are sent: `--set PATH=VALUE`, `--fresh` (new message ids and
//! current timestamps), `--sequence` (a status's lifecycle for one message) and
//! `--picky-query` (Picky Assist's deprecated query-string method).
//!
//! The knowledge of which field holds a provider's message id or timestamp, and how a status
//! progresses, lives here and nowhere else, keyed on [`Provider`].
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Context, bail};
use base64::Engine;
use serde_json::{Map, Value};

use crate::catalogue::Provider;

/// One `--set PATH=VALUE`: a dotted path (`payload.message.text.body`, `statuses.0.id`) or a
/// JSON pointer (`/payload/message/text/body`); VALUE is JSON when it parses as JSON, else text.
#[derive(Clone, Debug, PartialEq)]
pub struct Edit {
    /// The path as the user typed it, for messages.
    pub path: String,
    tokens: Vec<String>,
    pub value: Value,
}

impl Edit {
    pub fn parse(text: &str) -> anyhow::Result<Edit> {
        let Some((path, value)) = text.split_once('=') else {
            bail!("--set `{text}` needs PATH=VALUE, e.g. --set payload.message.text.body=hello");
        };
        let path = path.trim();
        if path.is_empty() {
            bail!("--set `{text}` has no path before `=`");
        }
        let tokens: Vec<String> = if let Some(pointer) = path.strip_prefix('/') {
            pointer
                .split('/')
                .map(|token| token.replace("~1", "/").replace("~0", "~"))
                .collect()
        } else {
            path.split('.').map(str::to_string).collect()
        };
        if tokens.iter().any(String::is_empty) {
            bail!("--set `{path}` has an empty step; write a.b.c or /a/b/c");
        }
        let value = serde_json::from_str(value).unwrap_or_else(|_| Value::String(value.into()));
        Ok(Edit {
            path: path.to_string(),
            tokens,
            value,
        })
    }

    /// Set the value, creating objects for missing steps. An array index may be one past the
    /// end (appends).
    pub fn apply(&self, body: &mut Value) -> anyhow::Result<()> {
        let mut here = body;
        for (depth, token) in self.tokens.iter().enumerate() {
            let last = depth + 1 == self.tokens.len();
            here = match here {
                Value::Object(object) => {
                    if last {
                        object.insert(token.clone(), self.value.clone());
                        return Ok(());
                    }
                    object
                        .entry(token.clone())
                        .or_insert_with(|| Value::Object(Map::new()))
                }
                Value::Array(items) => {
                    let Ok(index) = token.parse::<usize>() else {
                        bail!(
                            "--set {}: `{token}` is not an index into the array at {}",
                            self.path,
                            self.prefix(depth)
                        );
                    };
                    if index > items.len() {
                        bail!(
                            "--set {}: index {index} is past the end of the array at {} ({} items)",
                            self.path,
                            self.prefix(depth),
                            items.len()
                        );
                    }
                    if index == items.len() {
                        items.push(if last {
                            Value::Null
                        } else {
                            Value::Object(Map::new())
                        });
                    }
                    if last {
                        items[index] = self.value.clone();
                        return Ok(());
                    }
                    &mut items[index]
                }
                other => bail!(
                    "--set {}: {} is {}, not an object or array",
                    self.path,
                    self.prefix(depth),
                    crate::validation::json_type(other)
                ),
            };
        }
        *here = self.value.clone();
        Ok(())
    }

    fn prefix(&self, depth: usize) -> String {
        if depth == 0 {
            "the top level".to_string()
        } else {
            format!("/{}", self.tokens[..depth].join("/"))
        }
    }
}

/// Apply every edit in order.
pub fn apply_edits(body: &mut Value, edits: &[Edit]) -> anyhow::Result<()> {
    edits.iter().try_for_each(|edit| edit.apply(body))
}

/// Encode an edited body the way the original was written: pretty with two spaces when the
/// original spread over several lines, compact otherwise, keeping a trailing newline.
pub fn encode_like(body: &Value, original: &[u8]) -> Vec<u8> {
    let trimmed = original.trim_ascii_end();
    let mut bytes = if trimmed.contains(&b'\n') {
        serde_json::to_vec_pretty(body)
    } else {
        serde_json::to_vec(body)
    }
    .expect("a JSON value always encodes");
    if trimmed.len() != original.len() && original.ends_with(b"\n") {
        bytes.push(b'\n');
    }
    bytes
}

/// A cheap source of unique-looking ids (splitmix64), seeded per process. Ids must differ
/// between sends, not resist guessing.
#[derive(Clone, Debug)]
pub struct IdSource(u64);

impl IdSource {
    pub fn new() -> IdSource {
        use std::hash::{BuildHasher, Hasher};
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u128(
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default()
                .as_nanos(),
        );
        hasher.write_u32(std::process::id());
        IdSource(hasher.finish())
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn bytes(&mut self, count: usize) -> Vec<u8> {
        (0..count.div_ceil(8))
            .flat_map(|_| self.next_u64().to_le_bytes())
            .take(count)
            .collect()
    }

    /// `wamid.` and base64, like Meta's message ids.
    pub fn wamid(&mut self) -> String {
        format!(
            "wamid.{}",
            base64::engine::general_purpose::STANDARD.encode(self.bytes(30))
        )
    }

    /// Letters and digits, like Qikchat's ids.
    pub fn alphanumeric(&mut self, len: usize) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        (0..len)
            .map(|_| ALPHABET[(self.next_u64() % ALPHABET.len() as u64) as usize] as char)
            .collect()
    }

    /// A number of `digits` digits, not starting with 0.
    pub fn number(&mut self, digits: u32) -> u64 {
        let low = 10u64.pow(digits - 1);
        low + self.next_u64() % (9 * low)
    }

    /// A random (version 4) UUID.
    pub fn uuid(&mut self) -> String {
        let mut b = self.bytes(16);
        b[6] = (b[6] & 0x0f) | 0x40;
        b[8] = (b[8] & 0x3f) | 0x80;
        let hex = hex::encode(b);
        format!(
            "{}-{}-{}-{}-{}",
            &hex[0..8],
            &hex[8..12],
            &hex[12..16],
            &hex[16..20],
            &hex[20..32]
        )
    }

    /// A challenge for Meta's verification handshake: digits, as Meta sends.
    pub fn challenge(&mut self) -> String {
        self.number(10).to_string()
    }
}

impl Default for IdSource {
    fn default() -> Self {
        IdSource::new()
    }
}

/// What `--fresh` changed in a body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refreshed {
    /// New ids and timestamps were written.
    Changed,
    /// The provider's bodies carry no message id or timestamp (the partner API's events).
    NothingToRefresh,
}

/// Give a body new message ids and the current time, in the fields `provider` uses: Meta and
/// Omni Smartflow `messages[].id` / `statuses[].id` (`wamid.…`) and unix-seconds `timestamp`s;
/// Qikchat `payload.id` and ISO 8601 timestamps; Picky Assist `unique-id` (and a delivery
/// report's `push_id` / `msg_id`).
pub fn refresh(
    body: &mut Value,
    provider: Provider,
    ids: &mut IdSource,
    now: SystemTime,
) -> Refreshed {
    match provider {
        Provider::Meta => {
            let mut changed = false;
            for value in meta_values(body) {
                changed |= refresh_meta_value(value, ids, now);
            }
            changed_if(changed)
        }
        Provider::Smartflow => {
            let old_id = body.get("id").cloned();
            let new_id = Value::String(ids.uuid());
            let mut changed = refresh_meta_value(body, ids, now);
            if let Some(object) = body.as_object_mut() {
                if object.contains_key("id") {
                    object.insert("id".into(), new_id.clone());
                    changed = true;
                }
                // Omni Smartflow repeats its callback id as a bare `{"id": ...}` status item.
                if let Some(Value::Array(statuses)) = object.get_mut("statuses") {
                    for item in statuses {
                        if item.get("status").is_none() && item.get("id") == old_id.as_ref() {
                            item["id"] = new_id.clone();
                        }
                    }
                }
            }
            changed_if(changed)
        }
        Provider::Qikchat => {
            let Some(payload) = body.get_mut("payload").and_then(Value::as_object_mut) else {
                return Refreshed::NothingToRefresh;
            };
            let iso = Value::String(iso_time(now));
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
            Refreshed::Changed
        }
        Provider::Picky => {
            let mut changed = false;
            if let Some(object) = body.as_object_mut() {
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
            }
            changed_if(changed)
        }
        Provider::Partner => Refreshed::NothingToRefresh,
    }
}

fn changed_if(changed: bool) -> Refreshed {
    if changed {
        Refreshed::Changed
    } else {
        Refreshed::NothingToRefresh
    }
}

/// Every `entry[].changes[].value` of a Meta notification.
fn meta_values(body: &mut Value) -> impl Iterator<Item = &mut Value> {
    body.get_mut("entry")
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
        .filter_map(|entry| entry.get_mut("changes").and_then(Value::as_array_mut))
        .flatten()
        .filter_map(|change| change.get_mut("value"))
}

/// `messages` (an array, or one object as Omni Smartflow documents it) and `statuses`.
fn refresh_meta_value(value: &mut Value, ids: &mut IdSource, now: SystemTime) -> bool {
    let mut changed = false;
    for key in ["messages", "statuses"] {
        let items: Vec<&mut Value> = match value.get_mut(key) {
            Some(Value::Array(items)) => items.iter_mut().collect(),
            Some(item @ Value::Object(_)) => vec![item],
            _ => continue,
        };
        for item in items {
            let Some(object) = item.as_object_mut() else {
                continue;
            };
            if key == "statuses" && !object.contains_key("status") {
                continue;
            }
            object.insert("id".into(), Value::String(ids.wamid()));
            if let Some(timestamp) = object.get_mut("timestamp") {
                *timestamp = unix_time(timestamp, now);
            }
            changed = true;
        }
    }
    changed
}

/// A number, or a string of digits, as the original was.
fn same_kind_of_number(original: &Value, number: u64) -> Value {
    match original {
        Value::Number(_) => Value::from(number),
        _ => Value::String(number.to_string()),
    }
}

/// Unix seconds, as a string or a number like the original.
fn unix_time(original: &Value, at: SystemTime) -> Value {
    let seconds = at.duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
    same_kind_of_number(original, seconds)
}

fn iso_time(at: SystemTime) -> String {
    humantime::format_rfc3339_millis(at).to_string()
}

/// Where a status body keeps its status, and how it spells them.
struct StatusField {
    pointer: &'static str,
    /// Picky Assist's delivery reports use numeric codes.
    numeric: bool,
}

fn status_field(provider: Provider) -> Option<StatusField> {
    let (pointer, numeric) = match provider {
        Provider::Meta => ("/entry/0/changes/0/value/statuses/0", false),
        Provider::Smartflow => ("/statuses/0", false),
        Provider::Qikchat => ("/payload", false),
        Provider::Picky => ("/data/0", true),
        Provider::Partner => return None,
    };
    Some(StatusField { pointer, numeric })
}

/// Picky Assist's delivery-report status codes.
fn picky_status_code(status: &str) -> u64 {
    match status {
        "delivered" => 1,
        "failed" => 2,
        "read" => 3,
        _ => 4, // submitted
    }
}

fn is_status_body(body: &Value, provider: Provider) -> bool {
    crate::detect::detect(body).is_some_and(|d| {
        d.provider == provider
            && (d.kind.starts_with("status") || d.kind == "event:delivery_report")
    })
}

/// The statuses `--sequence` sends for a status body, in order, as the provider sends them for
/// one message: sent, delivered, read; or sent then failed when the body is a failure (Meta,
/// Qikchat and Omni Smartflow report failures; Picky Assist says submitted, not sent). `None`
/// when the body is not a status.
pub fn sequence_statuses(body: &Value, provider: Provider) -> Option<Vec<&'static str>> {
    let field = status_field(provider)?;
    if !is_status_body(body, provider) {
        return None;
    }
    let status = body.pointer(field.pointer)?.get("status")?;
    let failed = status.as_str() == Some("failed") || status.as_u64() == Some(2);
    let first = if field.numeric { "submitted" } else { "sent" };
    Some(if failed {
        vec![first, "failed"]
    } else {
        vec![first, "delivered", "read"]
    })
}

/// The bodies `--sequence` sends: one per status of [`sequence_statuses`], for the same message
/// id, with timestamps one second apart ending at `now`.
pub fn status_sequence(
    body: &Value,
    provider: Provider,
    now: SystemTime,
) -> anyhow::Result<Vec<Value>> {
    let statuses = sequence_statuses(body, provider).context(
        "--sequence needs a status sample, e.g. meta/status-sent or qikchat/status-read",
    )?;
    let field = status_field(provider).expect("status providers have a status field");
    let count = statuses.len() as u64;
    statuses
        .iter()
        .enumerate()
        .map(|(step, status)| {
            let mut body = body.clone();
            let at = now - Duration::from_secs(count - 1 - step as u64);
            let Some(item) = body
                .pointer_mut(field.pointer)
                .and_then(Value::as_object_mut)
            else {
                bail!("the status body has no {}", field.pointer);
            };
            set_status(item, provider, status, at);
            Ok(body)
        })
        .collect()
}

fn set_status(item: &mut Map<String, Value>, provider: Provider, status: &str, at: SystemTime) {
    let failed = status == "failed";
    match provider {
        Provider::Picky => {
            item.insert("status".into(), Value::from(picky_status_code(status)));
            if failed {
                if item.get("error_code").is_none_or(Value::is_null) {
                    item.insert("error_code".into(), Value::from(131026));
                    item.insert("error_message".into(), "Message undeliverable".into());
                }
            } else {
                item.insert("error_code".into(), Value::Null);
                item.insert("error_message".into(), Value::Null);
            }
        }
        Provider::Qikchat => {
            item.insert("status".into(), status.into());
            item.insert("timestamp".into(), Value::String(iso_time(at)));
        }
        _ => {
            item.insert("status".into(), status.into());
            let timestamp = item.get("timestamp").cloned().unwrap_or_default();
            item.insert("timestamp".into(), unix_time(&timestamp, at));
            if failed {
                item.entry("errors").or_insert_with(|| {
                    serde_json::json!([{
                        "code": 131026,
                        "title": "Message undeliverable",
                        "message": "Message undeliverable",
                        "error_data": {"details": "Message Undeliverable."}
                    }])
                });
            } else {
                item.remove("errors");
            }
        }
    }
}

/// A Picky Assist body as the deprecated method sends it: its top-level fields as a query
/// string (`number=…&message-in=…`). `message-in` is already URL-encoded in the JSON method, so
/// it is decoded first and arrives once-encoded, as the provider sends it.
pub fn picky_query(body: &Value) -> anyhow::Result<String> {
    let Some(object) = body.as_object() else {
        bail!("--picky-query needs a JSON object");
    };
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (key, value) in object {
        let text = match value {
            Value::String(text) if key == "message-in" => {
                url::form_urlencoded::parse(format!("v={text}").as_bytes())
                    .next()
                    .map(|(_, v)| v.into_owned())
                    .unwrap_or_else(|| text.clone())
            }
            Value::String(text) => text.clone(),
            Value::Null => String::new(),
            other => other.to_string(),
        };
        query.append_pair(key, &text);
    }
    Ok(query.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::find_sample;
    use crate::validation::{CheckOptions, check_value};
    use serde_json::json;

    fn sample(name: &str) -> Value {
        serde_json::from_slice(find_sample(name).unwrap().body).unwrap()
    }

    #[test]
    fn set_dotted_and_pointer() {
        let mut body = json!({"a": {"b": [1, {"c": 2}]}});
        Edit::parse("a.b.1.c=\"x\"")
            .unwrap()
            .apply(&mut body)
            .unwrap();
        Edit::parse("/a/new~1key=5")
            .unwrap()
            .apply(&mut body)
            .unwrap();
        Edit::parse("a.b.2=true").unwrap().apply(&mut body).unwrap();
        Edit::parse("d.e=plain text")
            .unwrap()
            .apply(&mut body)
            .unwrap();
        assert_eq!(
            body,
            json!({"a": {"b": [1, {"c": "x"}, true], "new/key": 5}, "d": {"e": "plain text"}})
        );
        let err = Edit::parse("a.b.0.x=1")
            .unwrap()
            .apply(&mut body)
            .unwrap_err();
        assert!(err.to_string().contains("/a/b/0 is integer"), "{err}");
        assert!(Edit::parse("a.b.9=1").unwrap().apply(&mut body).is_err());
        assert!(Edit::parse("nothing").is_err());
        assert!(Edit::parse("a..b=1").is_err());
    }

    #[test]
    fn encoding_follows_the_original() {
        let body = json!({"a": 1});
        assert_eq!(encode_like(&body, b"{\"a\":2}"), b"{\"a\":1}");
        assert_eq!(
            encode_like(&body, b"{\n  \"a\": 2\n}\n"),
            b"{\n  \"a\": 1\n}\n"
        );
    }

    #[test]
    fn fresh_changes_ids_and_stays_valid() {
        let now = SystemTime::now();
        let mut ids = IdSource::new();
        for name in [
            "meta/message-text",
            "meta/status-read",
            "smartflow/status-sent",
            "smartflow/message-text",
            "qikchat/message-text",
            "qikchat/status-read",
            "picky/message-text",
            "picky/event-delivery-report",
        ] {
            let original = sample(name);
            let mut body = original.clone();
            let provider = find_sample(name).unwrap().provider;
            assert_eq!(
                refresh(&mut body, provider, &mut ids, now),
                Refreshed::Changed
            );
            assert_ne!(body, original, "{name}");
            let check = check_value(&body, &CheckOptions::default());
            assert!(check.verdict.is_valid(), "{name}: {:?}", check.errors);
        }
        let mut body = sample("meta/message-text");
        refresh(&mut body, Provider::Meta, &mut ids, now);
        let message = &body["entry"][0]["changes"][0]["value"]["messages"][0];
        assert!(message["id"].as_str().unwrap().starts_with("wamid."));
        let seconds = now.duration_since(UNIX_EPOCH).unwrap().as_secs();
        assert_eq!(message["timestamp"], json!(seconds.to_string()));
        let mut body = sample("smartflow/status-sent");
        refresh(&mut body, Provider::Smartflow, &mut ids, now);
        assert_eq!(body["statuses"][1]["id"], body["id"]);
        let mut body = sample("partner/event-online");
        assert_eq!(
            refresh(&mut body, Provider::Partner, &mut ids, now),
            Refreshed::NothingToRefresh
        );
    }

    #[test]
    fn sequences_follow_the_lifecycle_and_stay_valid() {
        let now = SystemTime::now();
        for (name, expected) in [
            ("meta/status-sent", vec!["sent", "delivered", "read"]),
            ("meta/status-failed", vec!["sent", "failed"]),
            ("smartflow/status-read", vec!["sent", "delivered", "read"]),
            ("smartflow/status-failed", vec!["sent", "failed"]),
            (
                "qikchat/status-delivered",
                vec!["sent", "delivered", "read"],
            ),
            ("qikchat/status-failed", vec!["sent", "failed"]),
            (
                "picky/event-delivery-report",
                vec!["submitted", "delivered", "read"],
            ),
            (
                "picky/event-delivery-report-failed",
                vec!["submitted", "failed"],
            ),
        ] {
            let provider = find_sample(name).unwrap().provider;
            let body = sample(name);
            assert_eq!(
                sequence_statuses(&body, provider).unwrap(),
                expected,
                "{name}"
            );
            let steps = status_sequence(&body, provider, now).unwrap();
            assert_eq!(steps.len(), expected.len());
            for step in &steps {
                let check = check_value(step, &CheckOptions::default());
                assert!(check.verdict.is_valid(), "{name}: {:?}", check.errors);
            }
        }
        let steps = status_sequence(&sample("meta/status-failed"), Provider::Meta, now).unwrap();
        let status = |step: &Value| step["entry"][0]["changes"][0]["value"]["statuses"][0].clone();
        assert!(status(&steps[0]).get("errors").is_none());
        assert!(status(&steps[1]).get("errors").is_some());
        assert!(status(&steps[0])["timestamp"].as_str() < status(&steps[1])["timestamp"].as_str());
        assert!(sequence_statuses(&sample("meta/message-text"), Provider::Meta).is_none());
        assert!(status_sequence(&sample("qikchat/message-text"), Provider::Qikchat, now).is_err());
    }

    #[test]
    fn picky_query_round_trips_through_detection() {
        let query = picky_query(&sample("picky/message-text")).unwrap();
        let fields = crate::detect::picky_query_body(&query).unwrap();
        assert_eq!(fields["message-in"], "Hi, is my order #4521 shipped?");
        assert_eq!(fields["type"], "1");
        assert!(
            crate::validation::check_bytes(b"", Some(&query), &CheckOptions::default())
                .verdict
                .is_valid()
        );
    }

    #[test]
    fn ids_differ() {
        let mut ids = IdSource::new();
        assert_ne!(ids.wamid(), ids.wamid());
        assert_eq!(ids.uuid().len(), 36);
        assert_eq!(ids.number(8).to_string().len(), 8);
    }
}
