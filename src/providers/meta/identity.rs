//! A message or status body rewritten into each way Meta identifies a user (PROVIDERS.md,
//! "Identity: phone numbers, business-scoped user ids (BSUID) and usernames"), so every kind can
//! be tried in every form: receivers disagree on which fields they require.
//!
//! In the `value` of each `messages` change, each user is written in the form asked for:
//!
//! | form       | `contacts[]`                                  | `messages[]`                             | `statuses[]`                                            |
//! |------------|-----------------------------------------------|------------------------------------------|---------------------------------------------------------|
//! | `phone`    | `wa_id`                                       | `from`                                   | `recipient_id`                                          |
//! | `bsuid`    | `wa_id`, `user_id`                            | `from`, `from_user_id`                   | `recipient_id`, `recipient_user_id`                     |
//! | `username` | `user_id`, `parent_user_id`, `profile.username` | `from_user_id`, `from_parent_user_id` | `recipient_user_id`, `parent_recipient_user_id`         |
//!
//! (`bsuid` keeps the parent ids and the username when the body had them; `phone` drops them.)
//! A user is the same person across a value's contacts, messages and statuses (matched by phone
//! number or user id), so the ids written agree. What the body lacks is made up, stably, from
//! what it has: a user id from the phone number (`US.` and 20 digits; the country of the number
//! for a few calling codes), a phone number from the user id (`1650555` and 4 digits, a
//! fictional North American number), a parent id (`US.ENT.` and 20 digits), a username from the
//! profile name (`@kerry.fisher`).
//!
//! Left as they are, having no user id Meta documents: system messages (the ids are in
//! `system`), statuses about a group (`recipient_type: group`, whose `recipient_id` is the
//! group) and every other field.
use serde_json::{Map, Value};

use super::items_mut;
use crate::providers::rules::Identity;

/// `body` with every user of its `messages` changes in `identity`'s form; `None` when it names
/// no user (see the module documentation).
pub fn rewrite(body: &Value, identity: Identity) -> Option<Value> {
    let mut body = body.clone();
    let mut rewrote = false;
    for entry in items_mut(&mut body, "entry") {
        let changes = items_mut(entry, "changes")
            .filter(|change| change.get("field").and_then(Value::as_str) == Some("messages"));
        for change in changes {
            if let Some(value) = change.get_mut("value").and_then(Value::as_object_mut) {
                rewrote |= rewrite_value(value, identity);
            }
        }
    }
    rewrote.then_some(body)
}

/// One user, as much as the value says of them.
#[derive(Default)]
struct Person {
    phone: Option<String>,
    user_id: Option<String>,
    parent: Option<String>,
    username: Option<String>,
    name: Option<String>,
}

impl Person {
    fn is_known(&self) -> bool {
        self.phone.is_some() || self.user_id.is_some()
    }

    fn matches(&self, other: &Person) -> bool {
        (self.phone.is_some() && self.phone == other.phone)
            || (self.user_id.is_some() && self.user_id == other.user_id)
    }

    /// Learn what `other` (the same user) adds.
    fn absorb(&mut self, other: Person) {
        self.phone = self.phone.take().or(other.phone);
        self.user_id = self.user_id.take().or(other.user_id);
        self.parent = self.parent.take().or(other.parent);
        self.username = self.username.take().or(other.username);
        self.name = self.name.take().or(other.name);
    }

    /// Fill in what `identity` writes and the body did not say.
    fn complete(&mut self, identity: Identity) {
        if self.phone.is_none() {
            self.phone = self.user_id.as_deref().map(made_up_phone);
        }
        if self.user_id.is_none() {
            self.user_id = self.phone.as_deref().map(made_up_user_id);
        }
        if identity == Identity::Username {
            let user_id = self.user_id.clone().unwrap_or_default();
            self.parent.get_or_insert_with(|| made_up_parent(&user_id));
            let name = self.name.clone();
            self.username
                .get_or_insert_with(|| made_up_username(name.as_deref(), &user_id));
        }
    }
}

/// The three keys an item names its user with: phone, user id, parent user id.
struct Keys([&'static str; 3]);

const CONTACT: Keys = Keys(["wa_id", "user_id", "parent_user_id"]);
const SENDER: Keys = Keys(["from", "from_user_id", "from_parent_user_id"]);
const RECIPIENT: Keys = Keys(["recipient_id", "recipient_user_id", "parent_recipient_user_id"]);

fn text(item: &Map<String, Value>, key: &str) -> Option<String> {
    item.get(key).and_then(Value::as_str).map(str::to_string)
}

fn person(item: &Map<String, Value>, keys: &Keys) -> Person {
    let [phone, user_id, parent] = keys.0;
    let profile = item.get("profile");
    let profile_text = |key: &str| {
        profile
            .and_then(|profile| profile.get(key))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    Person {
        phone: text(item, phone),
        user_id: text(item, user_id),
        parent: text(item, parent),
        username: profile_text("username"),
        name: profile_text("name"),
    }
}

fn rewrite_value(value: &mut Map<String, Value>, identity: Identity) -> bool {
    // Read every user first (who is who), then write.
    let mut people: Vec<Person> = Vec::new();
    let mut seen = |found: Person| {
        if let Some(at) = people.iter().position(|known| known.matches(&found)) {
            people[at].absorb(found);
            at
        } else {
            people.push(found);
            people.len() - 1
        }
    };
    // (list, keys, index in the list, person) of every item that names a user.
    let mut places: Vec<(&str, &Keys, usize, usize)> = Vec::new();
    for (list, keys) in [
        ("contacts", &CONTACT),
        ("messages", &SENDER),
        ("statuses", &RECIPIENT),
    ] {
        let Some(Value::Array(items)) = value.get(list) else {
            continue;
        };
        for (index, item) in items.iter().enumerate() {
            let Some(item) = item.as_object() else {
                continue;
            };
            // A status about a group names the group, not a user.
            if item.get("recipient_type").and_then(Value::as_str) == Some("group") {
                continue;
            }
            let found = person(item, keys);
            if found.is_known() {
                places.push((list, keys, index, seen(found)));
            }
        }
    }
    if people.is_empty() {
        return false;
    }
    for person in &mut people {
        person.complete(identity);
    }
    for (list, keys, index, who) in places {
        let Some(item) = value
            .get_mut(list)
            .and_then(|items| items.get_mut(index))
            .and_then(Value::as_object_mut)
        else {
            continue;
        };
        write(item, keys, &people[who], identity);
        if list == "contacts" {
            write_username(item, &people[who], identity);
        }
    }
    true
}

/// Write a user's ids into an item, where its ids were, in Meta's order.
fn write(item: &mut Map<String, Value>, keys: &Keys, person: &Person, identity: Identity) {
    let [phone, user_id, parent] = keys.0;
    let had_parent = item.contains_key(parent);
    let ids: Vec<(&str, Option<&String>)> = match identity {
        Identity::Phone => vec![(phone, person.phone.as_ref())],
        Identity::Bsuid => vec![
            (phone, person.phone.as_ref()),
            (user_id, person.user_id.as_ref()),
            (parent, person.parent.as_ref().filter(|_| had_parent)),
        ],
        Identity::Username => vec![
            (user_id, person.user_id.as_ref()),
            (parent, person.parent.as_ref()),
        ],
    };
    let at = item
        .keys()
        .position(|key| keys.0.contains(&key.as_str()))
        .unwrap_or(item.len());
    let mut rest: Vec<(String, Value)> = std::mem::take(item)
        .into_iter()
        .filter(|(key, _)| !keys.0.contains(&key.as_str()))
        .collect();
    let tail = rest.split_off(at.min(rest.len()));
    item.extend(rest);
    for (key, id) in ids {
        if let Some(id) = id {
            item.insert(key.to_string(), Value::String(id.clone()));
        }
    }
    item.extend(tail);
}

/// `profile.username`: written for `username`, kept for `bsuid`, dropped for `phone`.
fn write_username(contact: &mut Map<String, Value>, person: &Person, identity: Identity) {
    match identity {
        Identity::Phone => {
            if let Some(profile) = contact.get_mut("profile").and_then(Value::as_object_mut) {
                profile.remove("username");
            }
        }
        Identity::Bsuid => {}
        Identity::Username => {
            let Some(username) = &person.username else {
                return;
            };
            let profile = contact
                .entry("profile")
                .or_insert_with(|| Value::Object(Map::new()));
            if let Some(profile) = profile.as_object_mut() {
                profile.insert("username".into(), Value::String(username.clone()));
            }
        }
    }
}

/// A stable number from `seed`, different for each `salt` (FNV-1a).
fn hash(salt: &str, seed: &str) -> u64 {
    salt.bytes()
        .chain([0])
        .chain(seed.bytes())
        .fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
        })
}

/// 20 digits, the first not 0, as in Meta's examples.
fn twenty_digits(salt: &str, seed: &str) -> String {
    let high = hash(salt, seed) % 9 + 1;
    let low = hash(&format!("{salt}+"), seed) % 10u64.pow(19);
    format!("{high}{low:019}")
}

/// The country of a phone number, for a few calling codes; `US` otherwise.
fn country(phone: &str) -> &'static str {
    const CODES: &[(&str, &str)] = &[
        ("1", "US"),
        ("44", "GB"),
        ("91", "IN"),
        ("55", "BR"),
        ("52", "MX"),
        ("34", "ES"),
        ("49", "DE"),
        ("33", "FR"),
        ("39", "IT"),
        ("62", "ID"),
        ("234", "NG"),
        ("27", "ZA"),
        ("971", "AE"),
    ];
    CODES
        .iter()
        .filter(|(code, _)| phone.starts_with(code))
        .max_by_key(|(code, _)| code.len())
        .map_or("US", |(_, country)| country)
}

fn made_up_user_id(phone: &str) -> String {
    format!("{}.{}", country(phone), twenty_digits("user_id", phone))
}

fn made_up_parent(user_id: &str) -> String {
    let country = user_id
        .split_once('.')
        .map(|(country, _)| country)
        .filter(|country| country.len() == 2 && country.bytes().all(|b| b.is_ascii_uppercase()))
        .unwrap_or("US");
    format!("{country}.ENT.{}", twenty_digits("parent_user_id", user_id))
}

fn made_up_phone(user_id: &str) -> String {
    format!("1650555{:04}", hash("phone", user_id) % 10_000)
}

/// `@` and the profile name's ASCII letters and digits, words joined by `.`; `@user` and 4
/// digits without one.
fn made_up_username(name: Option<&str>, user_id: &str) -> String {
    let words: Vec<String> = name
        .unwrap_or_default()
        .split_whitespace()
        .map(|word| {
            word.chars()
                .filter(char::is_ascii_alphanumeric)
                .map(|c| c.to_ascii_lowercase())
                .collect::<String>()
        })
        .filter(|word| !word.is_empty())
        .collect();
    if words.is_empty() {
        format!("@user{:04}", hash("username", user_id) % 10_000)
    } else {
        format!("@{}", words.join("."))
    }
}
