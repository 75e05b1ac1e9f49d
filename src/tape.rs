//! A lean parsed form of a JSON body for the check of JSON Lines and folders: one flat vector of
//! items, strings borrowed from the body where they hold no escapes, objects searched by
//! comparing keys. `serde_json::Value` (with `preserve_order`) hashes every key twice with
//! SipHash, allocates each key and string, and frees them all again: three quarters of a body's
//! check. The tape is read by serde_json's own parser, so it accepts exactly what
//! [`crate::validation::parse_json`] accepts, numbers included; anything the tape cannot stand
//! for the same way (an object with a key twice) is refused, and the body is checked the usual
//! way, as is an object of more than [`MAX_KEYS`] keys.
use std::borrow::Cow;

use jsonschema::json::{Array, Json, Node, NodeIdentity, Object};
use jsonschema::types::JsonType;
use serde::de::{DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Number, Value};

use crate::providers::shapes::{JsonView, ObjectView};

/// One item of a tape. A container is followed by its items (for an object: key, value, key,
/// value ...); `end` is the index just past its last descendant.
#[derive(Debug)]
pub enum Item<'de> {
    Null,
    Bool(bool),
    Number(Number),
    String(Cow<'de, str>),
    Array { len: u32, end: u32 },
    Object { len: u32, end: u32 },
}

/// A parsed body, as a flat list of items; the body is its first.
#[derive(Debug, Default)]
pub struct Tape<'de> {
    items: Vec<Item<'de>>,
}

impl<'de> Tape<'de> {
    /// The tape of `text`, or `None` when serde_json would not read it into a `Value` (the usual
    /// path then says why) or it has an object with a key twice.
    pub fn parse(text: &'de str) -> Option<Tape<'de>> {
        let mut tape = Tape::default();
        let mut keys = Vec::new();
        let mut deserializer = serde_json::Deserializer::from_str(text);
        let builder = Builder {
            items: &mut tape.items,
            keys: &mut keys,
        };
        builder.deserialize(&mut deserializer).ok()?;
        deserializer.end().ok()?;
        Some(tape)
    }

    /// The body.
    pub fn root(&self) -> TapeNode<'_> {
        TapeNode {
            items: &self.items,
            at: 0,
        }
    }
}

/// Builds a tape from serde_json's events. `keys` holds the key indexes of the objects being
/// read, to find a key given twice.
struct Builder<'t, 'de> {
    items: &'t mut Vec<Item<'de>>,
    keys: &'t mut Vec<u32>,
}

/// An object with more keys is refused: each key is compared with the others.
const MAX_KEYS: u32 = 64;

/// Refused: a key twice in one object, where serde_json keeps the last value at the first
/// key's place; the usual path checks such a body.
#[derive(Debug)]
struct DuplicateKey;

impl std::fmt::Display for DuplicateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a key twice")
    }
}

fn index(len: usize) -> Result<u32, DuplicateKey> {
    u32::try_from(len).map_err(|_| DuplicateKey)
}

impl<'de> DeserializeSeed<'de> for Builder<'_, 'de> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Builder<'_, 'de> {
    type Value = ();
    fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
        formatter.write_str("any JSON value")
    }
    fn visit_bool<E>(self, value: bool) -> Result<(), E> {
        self.items.push(Item::Bool(value));
        Ok(())
    }
    fn visit_i64<E>(self, value: i64) -> Result<(), E> {
        self.items.push(Item::Number(value.into()));
        Ok(())
    }
    fn visit_u64<E>(self, value: u64) -> Result<(), E> {
        self.items.push(Item::Number(value.into()));
        Ok(())
    }
    fn visit_f64<E>(self, value: f64) -> Result<(), E> {
        // As `Value` reads it: a float that is no JSON number is null.
        self.items
            .push(Number::from_f64(value).map_or(Item::Null, Item::Number));
        Ok(())
    }
    fn visit_borrowed_str<E>(self, value: &'de str) -> Result<(), E> {
        self.items.push(Item::String(Cow::Borrowed(value)));
        Ok(())
    }
    fn visit_str<E>(self, value: &str) -> Result<(), E> {
        self.items.push(Item::String(Cow::Owned(value.to_owned())));
        Ok(())
    }
    fn visit_string<E>(self, value: String) -> Result<(), E> {
        self.items.push(Item::String(Cow::Owned(value)));
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        self.items.push(Item::Null);
        Ok(())
    }
    fn visit_none<E>(self) -> Result<(), E> {
        self.items.push(Item::Null);
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let start = self.items.len();
        self.items.push(Item::Array { len: 0, end: 0 });
        let mut len = 0u32;
        while seq
            .next_element_seed(Builder {
                items: self.items,
                keys: self.keys,
            })?
            .is_some()
        {
            len += 1;
        }
        let end = index(self.items.len()).map_err(serde::de::Error::custom)?;
        self.items[start] = Item::Array { len, end };
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let start = self.items.len();
        self.items.push(Item::Object { len: 0, end: 0 });
        let mark = self.keys.len();
        let mut len = 0u32;
        while map
            .next_key_seed(Builder {
                items: self.items,
                keys: self.keys,
            })?
            .is_some()
        {
            if len >= MAX_KEYS {
                return Err(serde::de::Error::custom(DuplicateKey));
            }
            let key_at = self.items.len() - 1;
            let Some(Item::String(key)) = self.items.last() else {
                return Err(serde::de::Error::custom("a key that is not a string"));
            };
            let twice = self.keys[mark..].iter().any(
                |&other| matches!(&self.items[other as usize], Item::String(seen) if seen == key),
            );
            if twice {
                return Err(serde::de::Error::custom(DuplicateKey));
            }
            self.keys
                .push(index(key_at).map_err(serde::de::Error::custom)?);
            map.next_value_seed(Builder {
                items: self.items,
                keys: self.keys,
            })?;
            len += 1;
        }
        self.keys.truncate(mark);
        let end = index(self.items.len()).map_err(serde::de::Error::custom)?;
        self.items[start] = Item::Object { len, end };
        Ok(())
    }
}

/// The tape as jsonschema reads it.
pub struct TapeJson;

impl Json for TapeJson {
    type Node<'a> = TapeNode<'a>;
    type PreparedKey = String;
    type StringBuffer = Vec<Item<'static>>;

    // A lookup compares keys one by one: a pass over the members costs no more.
    const KEYS_PER_LOOKUP: usize = 1;

    fn prepare_key(key: &str) -> String {
        key.to_owned()
    }

    fn with_string_node<T>(
        buffer: &mut Vec<Item<'static>>,
        string: &str,
        f: impl FnOnce(TapeNode<'_>) -> T,
    ) -> T {
        buffer.clear();
        buffer.push(Item::String(Cow::Owned(string.to_owned())));
        f(TapeNode {
            items: buffer,
            at: 0,
        })
    }
}

/// One value of a tape.
#[derive(Clone, Copy, Debug)]
pub struct TapeNode<'a> {
    items: &'a [Item<'a>],
    at: usize,
}

/// The index just past a value and its descendants.
fn after(items: &[Item<'_>], at: usize) -> usize {
    match items[at] {
        Item::Array { end, .. } | Item::Object { end, .. } => end as usize,
        _ => at + 1,
    }
}

impl<'a> TapeNode<'a> {
    fn item(&self) -> &'a Item<'a> {
        &self.items[self.at]
    }

    /// The text, when this is a string.
    pub fn as_str(self) -> Option<&'a str> {
        match self.item() {
            Item::String(text) => Some(text),
            _ => None,
        }
    }

    /// Its items, when this is an array.
    pub fn items(self) -> Option<TapeElements<'a>> {
        match *self.item() {
            Item::Array { len, .. } => Some(TapeElements {
                items: self.items,
                next: self.at + 1,
                left: len as usize,
            }),
            _ => None,
        }
    }

    /// The value as a `serde_json::Value`, for error messages and the like.
    pub fn to_owned_value(self) -> Value {
        match self.item() {
            Item::Null => Value::Null,
            Item::Bool(value) => Value::Bool(*value),
            Item::Number(number) => Value::Number(number.clone()),
            Item::String(text) => Value::String(text.to_string()),
            Item::Array { .. } => Value::Array(
                self.items()
                    .into_iter()
                    .flatten()
                    .map(TapeNode::to_owned_value)
                    .collect(),
            ),
            Item::Object { .. } => Value::Object(
                self.as_object()
                    .into_iter()
                    .flat_map(TapeObject::members)
                    .map(|(key, value)| (key.to_string(), value.to_owned_value()))
                    .collect(),
            ),
        }
    }

    pub fn as_object(self) -> Option<TapeObject<'a>> {
        match *self.item() {
            Item::Object { len, .. } => Some(TapeObject {
                items: self.items,
                at: self.at,
                len: len as usize,
            }),
            _ => None,
        }
    }
}

impl<'a> Node<'a, TapeJson> for TapeNode<'a> {
    type Object = TapeObject<'a>;
    type Array = TapeArray<'a>;
    type Number = &'a Number;

    fn as_object(&self) -> Option<TapeObject<'a>> {
        TapeNode::as_object(*self)
    }

    fn as_array(&self) -> Option<TapeArray<'a>> {
        match *self.item() {
            Item::Array { len, .. } => Some(TapeArray {
                items: self.items,
                at: self.at,
                len: len as usize,
            }),
            _ => None,
        }
    }

    fn as_string(&self) -> Option<Cow<'a, str>> {
        self.as_str().map(Cow::Borrowed)
    }

    fn as_number(&self) -> Option<&'a Number> {
        match self.item() {
            Item::Number(number) => Some(number),
            _ => None,
        }
    }

    fn as_boolean(&self) -> Option<bool> {
        match self.item() {
            Item::Bool(value) => Some(*value),
            _ => None,
        }
    }

    fn is_null(&self) -> bool {
        matches!(self.item(), Item::Null)
    }

    fn json_type(&self) -> JsonType {
        match self.item() {
            Item::Null => JsonType::Null,
            Item::Bool(_) => JsonType::Boolean,
            Item::Number(_) => JsonType::Number,
            Item::String(_) => JsonType::String,
            Item::Array { .. } => JsonType::Array,
            Item::Object { .. } => JsonType::Object,
        }
    }

    fn equals_value(&self, expected: &Value) -> bool {
        match self.item() {
            // `const` and `enum` of strings, on most bodies: compared without building a Value.
            Item::String(text) => matches!(expected, Value::String(other) if other == text),
            _ => jsonschema::json::cmp::equal(&self.to_owned_value(), expected),
        }
    }

    fn to_value(&self) -> Cow<'a, Value> {
        Cow::Owned(self.to_owned_value())
    }

    fn identity(&self) -> Option<NodeIdentity> {
        Some(NodeIdentity::new(
            std::ptr::from_ref::<Item<'a>>(self.item()) as usize,
        ))
    }
}

impl<'a> JsonView<'a> for TapeNode<'a> {
    type Object = TapeObject<'a>;
    type Items = TapeElements<'a>;
    fn as_object(self) -> Option<TapeObject<'a>> {
        TapeNode::as_object(self)
    }
    fn as_str(self) -> Option<&'a str> {
        TapeNode::as_str(self)
    }
    fn items(self) -> Option<TapeElements<'a>> {
        TapeNode::items(self)
    }
    fn as_i64(self) -> Option<i64> {
        match self.item() {
            Item::Number(number) => number.as_i64(),
            _ => None,
        }
    }
    fn as_number(self) -> Option<&'a Number> {
        match self.item() {
            Item::Number(number) => Some(number),
            _ => None,
        }
    }
    fn is_null(self) -> bool {
        matches!(self.item(), Item::Null)
    }
}

impl<'a> ObjectView<'a> for TapeObject<'a> {
    type Value = TapeNode<'a>;
    fn get(self, key: &str) -> Option<TapeNode<'a>> {
        self.find(key)
    }
    fn len(self) -> usize {
        self.len
    }
}

/// An object of a tape.
#[derive(Clone, Copy)]
pub struct TapeObject<'a> {
    items: &'a [Item<'a>],
    at: usize,
    len: usize,
}

impl<'a> TapeObject<'a> {
    fn find(self, key: &str) -> Option<TapeNode<'a>> {
        // Most keys differ in their length or first byte: told apart without comparing them.
        let key = key.as_bytes();
        let first = key.first();
        let mut at = self.at + 1;
        for _ in 0..self.len {
            let Item::String(name) = &self.items[at] else {
                unreachable!("an object's keys are strings")
            };
            let name = name.as_bytes();
            if name.len() == key.len() && name.first() == first && name == key {
                return Some(TapeNode {
                    items: self.items,
                    at: at + 1,
                });
            }
            at = after(self.items, at + 1);
        }
        None
    }

    fn members(self) -> TapeMembers<'a> {
        TapeMembers {
            items: self.items,
            next: self.at + 1,
            left: self.len,
        }
    }
}

/// The members of an object, in order.
pub struct TapeMembers<'a> {
    items: &'a [Item<'a>],
    next: usize,
    left: usize,
}

impl<'a> Iterator for TapeMembers<'a> {
    type Item = (&'a str, TapeNode<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let Item::String(key) = &self.items[self.next] else {
            unreachable!("an object's keys are strings")
        };
        let value = TapeNode {
            items: self.items,
            at: self.next + 1,
        };
        self.next = after(self.items, self.next + 1);
        Some((key, value))
    }
}

impl<'a> Object<'a, TapeJson> for TapeObject<'a> {
    type Node = TapeNode<'a>;
    type MemberName = &'a str;
    type MembersIter = TapeMembers<'a>;

    fn len(&self) -> usize {
        self.len
    }

    fn get(&self, key: &String) -> Option<TapeNode<'a>> {
        self.find(key)
    }

    fn members(&self) -> TapeMembers<'a> {
        TapeObject::members(*self)
    }
}

/// An array of a tape.
#[derive(Clone, Copy)]
pub struct TapeArray<'a> {
    items: &'a [Item<'a>],
    at: usize,
    len: usize,
}

/// The items of an array, in order.
pub struct TapeElements<'a> {
    items: &'a [Item<'a>],
    next: usize,
    left: usize,
}

impl<'a> Iterator for TapeElements<'a> {
    type Item = TapeNode<'a>;

    fn next(&mut self) -> Option<TapeNode<'a>> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let node = TapeNode {
            items: self.items,
            at: self.next,
        };
        self.next = after(self.items, self.next);
        Some(node)
    }
}

impl<'a> Array<'a, TapeJson> for TapeArray<'a> {
    type Node = TapeNode<'a>;
    type ElementsIter = TapeElements<'a>;

    fn len(&self) -> usize {
        self.len
    }

    fn elements(&self) -> TapeElements<'a> {
        TapeElements {
            items: self.items,
            next: self.at + 1,
            left: self.len,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tape_reads_back_as_the_value_serde_json_reads() {
        for text in [
            r#"{"a": [1, -2, 3.5, "x\"y", true, null, {}], "b": {"c": [[], {"d": 1e3}]}, "é": ""}"#,
            "[]",
            "\"text\"",
            "18446744073709551615",
            "-9223372036854775808",
        ] {
            let tape = Tape::parse(text).unwrap();
            let value: Value = serde_json::from_str(text).unwrap();
            assert_eq!(tape.root().to_owned_value(), value, "{text}");
        }
    }

    #[test]
    fn what_serde_json_refuses_or_a_key_twice_is_refused() {
        for text in [
            "",
            "{",
            "[1,]",
            "{\"a\": 1} x",
            "1e400",
            "\"\\ud800\"",
            r#"{"a": 1, "a": 2}"#,
            r#"[{"b": {"a": 1, "c": 2, "a": 3}}]"#,
        ] {
            assert!(Tape::parse(text).is_none(), "{text}");
        }
        assert!(Tape::parse(r#"{"a": {"a": 1}, "b": {"a": 2}}"#).is_some());
        let deep = "[".repeat(200) + &"]".repeat(200);
        assert_eq!(
            Tape::parse(&deep).is_some(),
            serde_json::from_str::<Value>(&deep).is_ok()
        );
    }

    #[test]
    fn objects_are_searched_by_key_and_skip_nested_values() {
        let tape = Tape::parse(r#"{"a": {"x": [1, {"y": 2}]}, "b": "two", "c": [3]}"#).unwrap();
        let root = tape.root();
        assert_eq!(root.get("b").and_then(TapeNode::as_str), Some("two"));
        assert_eq!(
            root.get("c").and_then(TapeNode::items).map(Iterator::count),
            Some(1)
        );
        assert!(root.get("y").is_none());
        let validator = jsonschema::options_for::<TapeJson>()
            .build(&serde_json::json!({
                "properties": {"b": {"enum": ["two"]}, "c": {"items": {"const": 3}}},
                "required": ["a", "b"]
            }))
            .unwrap();
        assert!(validator.is_valid(root));
        let other = Tape::parse(r#"{"a": 1, "b": "three"}"#).unwrap();
        assert!(!validator.is_valid(other.root()));
    }
}
