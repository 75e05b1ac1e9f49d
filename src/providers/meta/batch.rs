//! Several notifications merged into one, as Meta batches them (PROVIDERS.md, "Batching"): one
//! POST may carry several `entry` items, several `changes` per entry and several `messages` or
//! `statuses` per value. Receivers that read only `entry[0].changes[0].value.messages[0]`
//! silently drop the rest; `replay --batch` and `doctor` send such bodies to find out.
//!
//! How bodies are merged, each rule following what a batch of Meta's is made of:
//! - an entry is one WhatsApp Business Account (`entry[].id`): entries of the same id become
//!   one entry (the first one's other keys kept), different ids stay different entries;
//! - within an entry, `messages` values of the same phone number (`messaging_product` and
//!   `metadata` equal) become one value: messages join messages, statuses join statuses, each
//!   sender's contact listed once. Messages and statuses are not mixed in one value, and a
//!   value with anything else (value-level `errors`, keys wa-hook does not know) stays a change
//!   of its own, as does every change of every other field.
//!
//! Nothing is added: every key of the result comes from one of the bodies.
use serde_json::{Map, Value};

/// The keys a `messages` value may hold to be merged with another.
const MERGEABLE_KEYS: &[&str] = &["messaging_product", "metadata", "contacts", "messages", "statuses"];

/// `bodies` as one notification, or `None` when one of them is not a Meta notification (no
/// `object` of `whatsapp_business_account` with an `entry` array of objects with `changes`).
pub fn merge(bodies: &[Value]) -> Option<Value> {
    merge_owned(bodies.to_vec()).ok()
}

/// Whether `body` is a Meta notification [`merge`] can take.
fn notification(body: &Value) -> bool {
    body.get("object").and_then(Value::as_str) == Some(super::OBJECT)
        && body
            .get("entry")
            .and_then(Value::as_array)
            .is_some_and(|entries| {
                entries
                    .iter()
                    .all(|entry| entry.get("changes").is_some_and(Value::is_array))
            })
}

/// [`merge`], taking the bodies: their parts are moved into the notification, not copied
/// (the emulator's batches of status webhooks). The bodies back, untouched, when one of them
/// is not a Meta notification.
///
/// # Errors
///
/// `bodies` as given, when one is not a notification that can be merged.
pub fn merge_owned(bodies: Vec<Value>) -> Result<Value, Vec<Value>> {
    if bodies.is_empty() || !bodies.iter().all(notification) {
        return Err(bodies);
    }
    let mut object = None;
    let mut entries: Vec<Map<String, Value>> = Vec::new();
    for body in bodies {
        // Each one was checked above: a notification.
        let Value::Object(mut body) = body else {
            continue;
        };
        if object.is_none() {
            object = body.get_mut("object").map(Value::take);
        }
        let Some(Value::Array(entry_list)) = body.get_mut("entry").map(Value::take) else {
            continue;
        };
        for entry in entry_list {
            let Value::Object(mut entry) = entry else {
                continue;
            };
            let Some(Value::Array(changes)) = entry.get_mut("changes").map(Value::take) else {
                continue;
            };
            let at = if let Some(at) = entries.iter().position(|e| e.get("id") == entry.get("id")) {
                at
            } else {
                entry.insert("changes".into(), Value::Array(Vec::new()));
                entries.push(entry);
                entries.len() - 1
            };
            let Some(Value::Array(merged)) = entries[at].get_mut("changes") else {
                unreachable!("every kept entry has a changes array");
            };
            for change in changes {
                add_change(merged, change);
            }
        }
    }
    let mut batch = Map::new();
    batch.insert("object".into(), object.unwrap_or_default());
    batch.insert(
        "entry".into(),
        Value::Array(entries.into_iter().map(Value::Object).collect()),
    );
    Ok(Value::Object(batch))
}

/// What a `messages` value carries that others of its kind can join.
#[derive(PartialEq)]
enum Items {
    Messages,
    Statuses,
}

/// Which list a change's value can be merged on, if any.
fn mergeable(change: &Value) -> Option<Items> {
    if change.get("field").and_then(Value::as_str) != Some("messages") {
        return None;
    }
    let value = change.get("value")?.as_object()?;
    if value.keys().any(|key| !MERGEABLE_KEYS.contains(&key.as_str())) {
        return None;
    }
    let listed = |key: &str| value.get(key).is_some_and(Value::is_array);
    if value.get("contacts").is_some_and(|contacts| !contacts.is_array()) {
        return None;
    }
    match (listed("messages"), listed("statuses")) {
        (true, false) => Some(Items::Messages),
        (false, true) => Some(Items::Statuses),
        _ => None,
    }
}

/// Append `change` to `changes`, joined into an earlier value of the same phone number and
/// kind when it can be.
fn add_change(changes: &mut Vec<Value>, mut change: Value) {
    let joined = mergeable(&change).and_then(|items| {
        changes.iter().position(|earlier| {
            mergeable(earlier).as_ref() == Some(&items)
                && ["messaging_product", "metadata"]
                    .iter()
                    .all(|key| earlier["value"].get(key) == change["value"].get(key))
        })
    });
    let Some(at) = joined.filter(|_| change["value"].is_object()) else {
        changes.push(change);
        return;
    };
    let Some(from) = change.get_mut("value").and_then(Value::as_object_mut) else {
        return;
    };
    // `mergeable` saw to it that both values are objects whose lists are lists (or absent).
    let Some(into) = changes[at]["value"].as_object_mut() else {
        return;
    };
    for key in ["contacts", "messages", "statuses"] {
        let Some(Value::Array(added)) = from.get_mut(key).map(Value::take) else {
            continue;
        };
        let Value::Array(list) = into.entry(key).or_insert_with(|| Value::Array(Vec::new()))
        else {
            continue;
        };
        for item in added {
            // A sender who wrote twice is one contact.
            if key != "contacts" || !list.contains(&item) {
                list.push(item);
            }
        }
    }
}
