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
pub fn merge_owned(mut bodies: Vec<Value>) -> Result<Value, Vec<Value>> {
    match merge_statuses(&mut bodies) {
        Some(merged) => Ok(merged),
        None => merge_any(bodies),
    }
}

/// The emulator's batches, merged without taking every body apart: when every body is one
/// entry of the same id with one `messages` change holding statuses only (and the same
/// `messaging_product` and `metadata`), the merge is the first body with every other's
/// statuses appended, in order — what [`merge_any`] makes of them (a test compares the bytes).
/// `None`, with the bodies untouched, for any other bodies.
fn merge_statuses(bodies: &mut [Value]) -> Option<Value> {
    let (first, rest) = bodies.split_first_mut()?;
    let (id, value) = statuses_only(first)?;
    let same_number = |other: &Map<String, Value>| {
        ["messaging_product", "metadata"]
            .iter()
            .all(|key| same(member(other, key), member(value, key)))
    };
    for body in rest.iter() {
        let (other_id, other) = statuses_only(body)?;
        if other_id != id || !same_number(other) {
            return None;
        }
    }
    let mut added = Vec::new();
    for body in rest.iter_mut() {
        if let Some(statuses) = statuses_mut(body) {
            added.append(statuses);
        }
    }
    statuses_mut(first)?.append(&mut added);
    Some(first.take())
}

/// The entry id and the change's `value` of a body [`merge_statuses`] takes: `{"object":
/// "whatsapp_business_account", "entry": [one entry]}` (those two keys, in that order, as
/// [`merge_any`] writes them), the entry with one change of field `messages` whose value holds
/// `statuses` (an array) and nothing beyond `messaging_product` and `metadata`.
fn statuses_only(body: &Value) -> Option<(Option<&Value>, &Map<String, Value>)> {
    let mut top = body.as_object()?.iter();
    let (Some(("object", object)), Some(("entry", entry)), None) = (
        top.next().map(|(key, value)| (key.as_str(), value)),
        top.next().map(|(key, value)| (key.as_str(), value)),
        top.next(),
    ) else {
        return None;
    };
    if object.as_str() != Some(super::OBJECT) {
        return None;
    }
    let [entry] = entry.as_array()?.as_slice() else {
        return None;
    };
    let entry = entry.as_object()?;
    let [change] = member(entry, "changes")?.as_array()?.as_slice() else {
        return None;
    };
    let change = change.as_object()?;
    if member(change, "field").and_then(Value::as_str) != Some("messages") {
        return None;
    }
    let value = member(change, "value")?.as_object()?;
    let only_statuses = member(value, "statuses").is_some_and(Value::is_array)
        && value
            .keys()
            .all(|key| matches!(key.as_str(), "messaging_product" | "metadata" | "statuses"));
    only_statuses.then(|| (member(entry, "id"), value))
}

/// `entry[0].changes[0].value.statuses` of a status webhook (of a body [`statuses_only`] took).
pub(super) fn statuses_mut(body: &mut Value) -> Option<&mut Vec<Value>> {
    let entry = member_mut(body.as_object_mut()?, "entry")?.get_mut(0)?;
    let change = member_mut(entry.as_object_mut()?, "changes")?.get_mut(0)?;
    let value = member_mut(change.as_object_mut()?, "value")?;
    member_mut(value.as_object_mut()?, "statuses")?.as_array_mut()
}

/// `map[key]`, found by comparing the few keys of a webhook's maps rather than by hashing
/// `key` (what `Map::get` does, with SipHash: the larger part of a lookup in a small map).
/// The same member `get` finds: a map holds each key once.
fn member<'a>(map: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    map.iter()
        .find_map(|(name, value)| (name == key).then_some(value))
}

/// [`member`], to change.
fn member_mut<'a>(map: &'a mut Map<String, Value>, key: &str) -> Option<&'a mut Value> {
    map.iter_mut()
        .find_map(|(name, value)| (name == key).then_some(value))
}

/// `a == b`, comparing maps member by member in their order first (a status webhook's
/// `metadata` is the same in every one, in the same order): only maps whose keys are not in
/// the same order are compared as `==` compares them (each key looked up, by its hash).
fn same(a: Option<&Value>, b: Option<&Value>) -> bool {
    fn in_order(a: &Value, b: &Value) -> bool {
        match (a, b) {
            (Value::Object(a), Value::Object(b)) => {
                a.len() == b.len()
                    && a.iter()
                        .zip(b)
                        .all(|((ka, va), (kb, vb))| ka == kb && in_order(va, vb))
            }
            (Value::Array(a), Value::Array(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(a, b)| in_order(a, b))
            }
            (a, b) => a == b,
        }
    }
    match (a, b) {
        (Some(a), Some(b)) => in_order(a, b) || a == b,
        (a, b) => a == b,
    }
}

/// [`merge_owned`] for any bodies: each taken apart, entry by entry and change by change.
fn merge_any(bodies: Vec<Value>) -> Result<Value, Vec<Value>> {
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// A Meta sample's body, its `statuses[0].id` set to `id`.
    fn status(sample: &str, id: &str) -> Value {
        let sample = crate::catalogue::find_sample(sample).unwrap();
        let mut body: Value = serde_json::from_slice(sample.body).unwrap();
        body["entry"][0]["changes"][0]["value"]["statuses"][0]["id"] = id.into();
        body
    }

    /// The emulator's batches, and bodies just beside their shape, merge to the same bytes
    /// through [`merge_statuses`] as through [`merge_any`]; the emulator's own take the short
    /// way, the others fall back.
    #[test]
    fn merging_statuses_the_short_way_is_the_general_merge() {
        let sent = status("meta/status-sent", "wamid.A");
        let delivered = status("meta/status-delivered", "wamid.B");
        let read = status("meta/status-read", "wamid.C");
        let failed = status("meta/status-failed", "wamid.D");
        let edited = |body: &Value, pointer: &str, to: Value| {
            let mut body = body.clone();
            *body.pointer_mut(pointer).unwrap() = to;
            body
        };
        let mut reordered_metadata = delivered.clone();
        let metadata = reordered_metadata
            .pointer_mut("/entry/0/changes/0/value/metadata")
            .and_then(Value::as_object_mut)
            .unwrap();
        let mut members: Vec<(String, Value)> = std::mem::take(metadata).into_iter().collect();
        assert!(members.len() > 1);
        members.reverse();
        metadata.extend(members);
        let short = vec![
            vec![sent.clone()],
            vec![sent.clone(), delivered.clone()],
            vec![sent.clone(), delivered.clone(), read.clone(), failed.clone(), sent.clone()],
            vec![
                edited(&sent, "/entry/0/changes/0/value/statuses", json!([])),
                delivered.clone(),
            ],
            // The same metadata, its members in another order: equal as `==` says.
            vec![sent.clone(), reordered_metadata.clone(), delivered.clone()],
        ];
        let mut with_contacts = delivered.clone();
        with_contacts["entry"][0]["changes"][0]["value"]["contacts"] = json!([{"wa_id": "1"}]);
        let mut extra_top = delivered.clone();
        extra_top["extra"] = json!(1);
        let mut swapped = Map::new();
        swapped.insert("entry".into(), delivered["entry"].clone());
        swapped.insert("object".into(), delivered["object"].clone());
        let mut two_changes = delivered.clone();
        let change = two_changes["entry"][0]["changes"][0].clone();
        two_changes["entry"][0]["changes"]
            .as_array_mut()
            .unwrap()
            .push(change);
        let message = crate::catalogue::find_sample("meta/message-text").unwrap();
        let message: Value = serde_json::from_slice(message.body).unwrap();
        let long = vec![
            vec![sent.clone(), edited(&delivered, "/entry/0/id", json!("999"))],
            vec![
                sent.clone(),
                edited(&delivered, "/entry/0/changes/0/value/metadata/phone_number_id", json!("9")),
            ],
            vec![sent.clone(), edited(&delivered, "/entry/0/changes/0/field", json!("calls"))],
            vec![
                sent.clone(),
                edited(&delivered, "/entry/0/changes/0/value/metadata", json!({})),
            ],
            vec![
                edited(&sent, "/entry/0/changes/0/value/metadata", json!({})),
                delivered.clone(),
            ],
            vec![
                sent.clone(),
                edited(&delivered, "/entry/0/changes/0/value/messaging_product", json!("x")),
            ],
            vec![sent.clone(), edited(&delivered, "/entry/0", json!([]))],
            vec![sent.clone(), edited(&delivered, "/entry/0/changes/0", json!(1))],
            vec![sent.clone(), with_contacts],
            vec![sent.clone(), extra_top],
            vec![Value::Object(swapped), sent.clone()],
            vec![sent.clone(), two_changes],
            vec![sent.clone(), message.clone()],
            vec![message, sent.clone()],
            vec![sent.clone(), json!({"object": "page", "entry": []})],
            vec![edited(&sent, "/entry/0/changes/0/value/statuses", json!({}))],
        ];
        for (bodies, short_way) in short
            .into_iter()
            .map(|bodies| (bodies, true))
            .chain(long.into_iter().map(|bodies| (bodies, false)))
        {
            let mut taken = bodies.clone();
            assert_eq!(
                merge_statuses(&mut taken).is_some(),
                short_way,
                "{bodies:#?}"
            );
            if !short_way {
                assert_eq!(taken, bodies, "left untouched");
            }
            let general = merge_any(bodies.clone()).map(|merged| merged.to_string());
            let merged = merge_owned(bodies.clone()).map(|merged| merged.to_string());
            match (merged, general) {
                (Ok(merged), Ok(general)) => assert_eq!(merged, general),
                (Err(back), Err(_)) => assert_eq!(back, bodies),
                (merged, general) => panic!("{merged:?} / {general:?}"),
            }
        }
    }
}
