//! A lean parsed form of a JSON body for the check of JSON Lines and folders: one flat vector of
//! items, strings borrowed from the body where they hold no escapes, objects searched by
//! comparing each key's tag (its length and first four bytes) rather than hashing.
//! `serde_json::Value` (with `preserve_order`) hashes every key twice with
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
    Array {
        len: u32,
        end: u32,
    },
    /// `members`: where its members' tags start in [`Tape::members`].
    Object {
        len: u32,
        end: u32,
        members: u32,
    },
}

/// A parsed body, as a flat list of items; the body is its first.
#[derive(Debug, Default)]
pub struct Tape<'de> {
    items: Vec<Item<'de>>,
    /// Each object's members, in order, object after object: a key's tag (see [`tag`]) and
    /// where its value is, so that a lookup compares a word per member.
    members: Vec<Member>,
}

/// A member of an object: its key's tag, and the index of its value in [`Tape::items`].
#[derive(Clone, Copy, Debug)]
struct Member {
    tag: u64,
    value: u32,
}

/// A key's length and first four bytes in one word: keys that differ in either are told
/// apart by one comparison, and keys of four bytes or less are equal when their tags are.
fn tag(key: &[u8]) -> u64 {
    let prefix = match key {
        [a, b, c, d, ..] => u32::from_le_bytes([*a, *b, *c, *d]),
        [a, b, c] => u32::from_le_bytes([*a, *b, *c, 0]),
        [a, b] => u32::from_le_bytes([*a, *b, 0, 0]),
        [a] => u32::from(*a),
        [] => 0,
    };
    let len = u32::try_from(key.len()).unwrap_or(u32::MAX);
    (u64::from(len) << 32) | u64::from(prefix)
}

impl<'de> Tape<'de> {
    /// The tape of `text`, or `None` when serde_json would not read it into a `Value` (the usual
    /// path then says why) or it has an object with a key twice.
    pub fn parse(text: &'de str) -> Option<Tape<'de>> {
        // Room for the items of a usual body at once (a JSON item takes a few bytes at
        // least), not for what a large one may need: that grows as it is read.
        let mut tape = Tape {
            items: Vec::with_capacity((text.len() / 8).clamp(8, 1024)),
            members: Vec::with_capacity((text.len() / 32).clamp(4, 256)),
        };
        let mut keys = Vec::with_capacity(16);
        let mut deserializer = serde_json::Deserializer::from_str(text);
        let builder = Builder {
            tape: &mut tape,
            keys: &mut keys,
        };
        builder.deserialize(&mut deserializer).ok()?;
        deserializer.end().ok()?;
        Some(tape)
    }

    /// The body.
    pub fn root(&self) -> TapeNode<'_> {
        TapeNode { tape: self, at: 0 }
    }
}

/// Builds a tape from serde_json's events. `keys` holds the members of the objects being
/// read (moved to [`Tape::members`] once an object ends), to find a key given twice.
struct Builder<'t, 'de> {
    tape: &'t mut Tape<'de>,
    keys: &'t mut Vec<Member>,
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
        self.tape.items.push(Item::Bool(value));
        Ok(())
    }
    fn visit_i64<E>(self, value: i64) -> Result<(), E> {
        self.tape.items.push(Item::Number(value.into()));
        Ok(())
    }
    fn visit_u64<E>(self, value: u64) -> Result<(), E> {
        self.tape.items.push(Item::Number(value.into()));
        Ok(())
    }
    fn visit_f64<E>(self, value: f64) -> Result<(), E> {
        // As `Value` reads it: a float that is no JSON number is null.
        self.tape
            .items
            .push(Number::from_f64(value).map_or(Item::Null, Item::Number));
        Ok(())
    }
    fn visit_borrowed_str<E>(self, value: &'de str) -> Result<(), E> {
        self.tape.items.push(Item::String(Cow::Borrowed(value)));
        Ok(())
    }
    fn visit_str<E>(self, value: &str) -> Result<(), E> {
        self.tape
            .items
            .push(Item::String(Cow::Owned(value.to_owned())));
        Ok(())
    }
    fn visit_string<E>(self, value: String) -> Result<(), E> {
        self.tape.items.push(Item::String(Cow::Owned(value)));
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        self.tape.items.push(Item::Null);
        Ok(())
    }
    fn visit_none<E>(self) -> Result<(), E> {
        self.tape.items.push(Item::Null);
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let start = self.tape.items.len();
        self.tape.items.push(Item::Array { len: 0, end: 0 });
        let mut len = 0u32;
        while seq
            .next_element_seed(Builder {
                tape: self.tape,
                keys: self.keys,
            })?
            .is_some()
        {
            len += 1;
        }
        let end = index(self.tape.items.len()).map_err(serde::de::Error::custom)?;
        self.tape.items[start] = Item::Array { len, end };
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let start = self.tape.items.len();
        self.tape.items.push(Item::Object {
            len: 0,
            end: 0,
            members: 0,
        });
        let mark = self.keys.len();
        let mut len = 0u32;
        while map
            .next_key_seed(Builder {
                tape: self.tape,
                keys: self.keys,
            })?
            .is_some()
        {
            if len >= MAX_KEYS {
                return Err(serde::de::Error::custom(DuplicateKey));
            }
            let value = index(self.tape.items.len()).map_err(serde::de::Error::custom)?;
            let Some(Item::String(key)) = self.tape.items.last() else {
                return Err(serde::de::Error::custom("a key that is not a string"));
            };
            let key = key.as_bytes();
            let tag = tag(key);
            let items = &self.tape.items;
            let twice = self.keys[mark..].iter().any(|other| {
                other.tag == tag
                    && matches!(&items[other.value as usize - 1], Item::String(seen) if seen.as_bytes() == key)
            });
            if twice {
                return Err(serde::de::Error::custom(DuplicateKey));
            }
            self.keys.push(Member { tag, value });
            map.next_value_seed(Builder {
                tape: self.tape,
                keys: self.keys,
            })?;
            len += 1;
        }
        let members = index(self.tape.members.len()).map_err(serde::de::Error::custom)?;
        self.tape.members.extend(self.keys.drain(mark..));
        let end = index(self.tape.items.len()).map_err(serde::de::Error::custom)?;
        self.tape.items[start] = Item::Object { len, end, members };
        Ok(())
    }
}

/// The tape as jsonschema reads it.
pub struct TapeJson;

/// A key a schema looks up, with its tag computed once.
pub struct Key {
    tag: u64,
    text: String,
}

impl Json for TapeJson {
    type Node<'a> = TapeNode<'a>;
    type PreparedKey = Key;
    type StringBuffer = Tape<'static>;

    // A lookup compares keys one by one: a pass over the members costs no more.
    const KEYS_PER_LOOKUP: usize = 1;

    fn prepare_key(key: &str) -> Key {
        Key {
            tag: tag(key.as_bytes()),
            text: key.to_owned(),
        }
    }

    fn with_string_node<T>(
        buffer: &mut Tape<'static>,
        string: &str,
        f: impl FnOnce(TapeNode<'_>) -> T,
    ) -> T {
        buffer.items.clear();
        buffer
            .items
            .push(Item::String(Cow::Owned(string.to_owned())));
        f(buffer.root())
    }
}

/// One value of a tape.
#[derive(Clone, Copy, Debug)]
pub struct TapeNode<'a> {
    tape: &'a Tape<'a>,
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
        &self.tape.items[self.at]
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
                tape: self.tape,
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
            Item::Object { len, members, .. } => Some(TapeObject {
                tape: self.tape,
                at: self.at,
                len: len as usize,
                members: members as usize,
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
                tape: self.tape,
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
    tape: &'a Tape<'a>,
    at: usize,
    len: usize,
    /// Where its members start in [`Tape::members`].
    members: usize,
}

impl<'a> TapeObject<'a> {
    fn find(self, key: &str) -> Option<TapeNode<'a>> {
        self.find_tagged(tag(key.as_bytes()), key.as_bytes())
    }

    /// The value of `key`, whose tag is `tag`: the members' tags are compared, and the key
    /// itself only where the tags are equal and the key is longer than a tag holds.
    fn find_tagged(self, tag: u64, key: &[u8]) -> Option<TapeNode<'a>> {
        let members = &self.tape.members[self.members..self.members + self.len];
        for member in members {
            if member.tag != tag {
                continue;
            }
            let value = member.value as usize;
            if key.len() > 4 {
                let Item::String(name) = &self.tape.items[value - 1] else {
                    unreachable!("an object's keys are strings")
                };
                let name = name.as_bytes();
                if name.len() != key.len() || !same_bytes(name, key) {
                    continue;
                }
            }
            return Some(TapeNode {
                tape: self.tape,
                at: value,
            });
        }
        None
    }

    fn members(self) -> TapeMembers<'a> {
        TapeMembers {
            tape: self.tape,
            next: self.at + 1,
            left: self.len,
        }
    }
}

/// Whether `a` and `b` (of the same length) hold the same bytes. Keys are short: up to 16
/// bytes they are compared as two overlapping words each, without a call to `memcmp`.
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    fn word<const N: usize>(bytes: &[u8], at: usize) -> [u8; N] {
        bytes[at..at + N].try_into().expect("N bytes")
    }
    debug_assert_eq!(a.len(), b.len());
    let len = a.len();
    match len {
        8..=16 => {
            word::<8>(a, 0) == word::<8>(b, 0) && word::<8>(a, len - 8) == word::<8>(b, len - 8)
        }
        4..=7 => {
            word::<4>(a, 0) == word::<4>(b, 0) && word::<4>(a, len - 4) == word::<4>(b, len - 4)
        }
        _ => a == b,
    }
}

/// The members of an object, in order.
pub struct TapeMembers<'a> {
    tape: &'a Tape<'a>,
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
        let Item::String(key) = &self.tape.items[self.next] else {
            unreachable!("an object's keys are strings")
        };
        let value = TapeNode {
            tape: self.tape,
            at: self.next + 1,
        };
        self.next = after(&self.tape.items, self.next + 1);
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

    fn get(&self, key: &Key) -> Option<TapeNode<'a>> {
        self.find_tagged(key.tag, key.text.as_bytes())
    }

    fn members(&self) -> TapeMembers<'a> {
        TapeObject::members(*self)
    }
}

/// An array of a tape.
#[derive(Clone, Copy)]
pub struct TapeArray<'a> {
    tape: &'a Tape<'a>,
    at: usize,
    len: usize,
}

/// The items of an array, in order.
pub struct TapeElements<'a> {
    tape: &'a Tape<'a>,
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
            tape: self.tape,
            at: self.next,
        };
        self.next = after(&self.tape.items, self.next);
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
            tape: self.tape,
            next: self.at + 1,
            left: self.len,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every pair of byte strings up to 20 bytes that differ in one byte (at every place) or
    /// not at all: compared as `==` compares them.
    #[test]
    fn keys_are_compared_as_equal_slices_are() {
        for len in 0..=20 {
            let a: Vec<u8> = (0..len).map(|i| b'a' + (i % 26) as u8).collect();
            assert!(same_bytes(&a, &a.clone()));
            for at in 0..len {
                for byte in [0u8, b'A', 0xff, a[at] ^ 1] {
                    let mut b = a.clone();
                    b[at] = byte;
                    assert_eq!(same_bytes(&a, &b), a == b, "{a:?} {b:?}");
                }
            }
        }
    }

    /// Every key looked up in every object of a nested body (keys of every length, sharing
    /// their first bytes or their length, escaped, empty) finds what a pass over the members
    /// finds.
    #[test]
    fn a_lookup_finds_what_a_pass_over_the_members_finds() {
        let keys = [
            "",
            "a",
            "b",
            "ab",
            "abc",
            "abcd",
            "abce",
            "abcde",
            "abcdf",
            "type",
            "text",
            "tyPe",
            "timestamp",
            "timestamq",
            "é",
            "\\u00e8",
            "a\\\"b",
            "0123456789abcdefX",
            "0123456789abcdefY",
        ];
        let object = |depth: usize, inner: &str| {
            let members: Vec<String> = keys
                .iter()
                .enumerate()
                .filter(|(i, _)| !(i + depth).is_multiple_of(3))
                .map(|(i, key)| {
                    if i % 5 == depth % 5 {
                        format!("\"{key}\": {inner}")
                    } else {
                        format!("\"{key}\": {i}")
                    }
                })
                .collect();
            format!("{{{}}}", members.join(", "))
        };
        let mut text = "{}".to_string();
        for depth in 0..4 {
            text = format!("[{}, {}]", object(depth, &text), object(depth + 1, "[{}]"));
        }
        let tape = Tape::parse(&text).unwrap();
        let mut objects = Vec::new();
        let mut stack = vec![tape.root()];
        while let Some(node) = stack.pop() {
            if let Some(object) = node.as_object() {
                objects.push(object);
                stack.extend(object.members().map(|(_, value)| value));
            }
            stack.extend(node.items().into_iter().flatten());
        }
        assert!(objects.len() > 8, "{}", objects.len());
        let probes = keys
            .iter()
            .map(|key| serde_json::from_str::<String>(&format!("\"{key}\"")).unwrap());
        for probe in probes.chain(["abcdX".to_string(), "ty".to_string(), "x".repeat(40)]) {
            for object in &objects {
                let naive = object
                    .members()
                    .find(|(name, _)| *name == probe)
                    .map(|(_, v)| v.at);
                assert_eq!(object.find(&probe).map(|v| v.at), naive, "{probe:?}");
                let key = TapeJson::prepare_key(&probe);
                assert_eq!(Object::get(object, &key).map(|v| v.at), naive, "{probe:?}");
            }
        }
    }

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
            r#"{"abcdefghij": 1, "x": {}, "abcdefghij": 2}"#,
            r#"{"é": 1, "\u00e9": 2}"#,
            r#"{"": 1, "": 2}"#,
        ] {
            assert!(Tape::parse(text).is_none(), "{text}");
        }
        assert!(Tape::parse(r#"{"a": {"a": 1}, "b": {"a": 2}}"#).is_some());
        // The same length and first four bytes, different keys.
        assert!(Tape::parse(r#"{"abcde": 1, "abcdf": 2, "abcd": 3, "abc": 4, "": 5}"#).is_some());
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
