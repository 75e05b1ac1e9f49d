//! What every provider's emulator ([`SendApi`](super::SendApi)) does alike: a JSON answer, a
//! send's issues against its schema (the field at fault first), and a bounded memory of the
//! messages it answered. Each provider's folder keeps only what is its own.
use std::collections::{HashMap, VecDeque};
use std::hash::Hash;

use serde_json::Value;

use super::ApiAnswer;
use crate::verdict::Issue;

/// Messages an emulator remembers at most; the oldest are forgotten first.
pub const REMEMBERED: usize = 100_000;

/// An answer with a JSON body and no extra headers, webhooks or checks.
///
/// # Panics
///
/// Never: a `Value` always encodes.
pub fn json_answer(
    status: u16,
    body: &Value,
    what: impl Into<String>,
    outcome: impl Into<String>,
) -> ApiAnswer {
    json_answer_written(
        status,
        serde_json::to_vec(body).expect("a JSON value always encodes"),
        what,
        outcome,
    )
}

/// [`json_answer`] with its body written already (by hand, where an answer is made for every
/// send).
pub fn json_answer_written(
    status: u16,
    body: Vec<u8>,
    what: impl Into<String>,
    outcome: impl Into<String>,
) -> ApiAnswer {
    ApiAnswer {
        status,
        content_type: "application/json".to_string(),
        body: body.into(),
        headers: Vec::new(),
        what: what.into(),
        outcome: outcome.into(),
        checked: None,
        webhooks: Vec::new(),
    }
}

/// Every issue of `body` against a send schema, at most [`MAX_ISSUES`], the most specific
/// (deepest) first, the validator's order kept among equals. A missing member is named at its
/// own pointer (`/text/body`), not its parent's, so an error answer points at the field.
///
/// [`MAX_ISSUES`]: crate::validation::MAX_ISSUES
pub fn schema_issues(validator: &jsonschema::Validator, body: &Value) -> Vec<Issue> {
    if validator.is_valid(body) {
        return Vec::new();
    }
    let mut issues: Vec<Issue> = validator
        .iter_errors(body)
        .take(crate::validation::MAX_ISSUES)
        .map(|error| {
            let mut issue = crate::validation::describe_error(&error, "");
            if let jsonschema::error::ValidationErrorKind::Required { property } = error.kind() {
                if let Some(name) = property.as_str() {
                    issue.pointer = format!("{}/{}", issue.pointer, pointer_token(name));
                }
            }
            issue
        })
        .collect();
    issues.sort_by_key(|issue| std::cmp::Reverse(issue.pointer.matches('/').count()));
    issues
}

/// A JSON pointer token (RFC 6901): `~` and `/` escaped.
pub fn pointer_token(name: &str) -> String {
    name.replace('~', "~0").replace('/', "~1")
}

/// A captured send's check (`validate` on an emulate capture file): valid when `issues` is
/// empty, with the provider, the send's kind and the schema it was checked against.
pub fn send_check(
    provider: &str,
    kind: crate::providers::Kind,
    schema: &'static str,
    issues: Vec<Issue>,
) -> crate::validation::Check {
    crate::validation::Check {
        verdict: if issues.is_empty() {
            crate::validation::Verdict::Valid
        } else {
            crate::validation::Verdict::Invalid
        },
        provider: crate::providers::Provider::from_id(provider),
        kind: Some(kind),
        schema: Some(schema),
        errors: issues,
        more_errors: 0,
        note: None,
    }
}

/// The name of the provider's shortest message sample of `kind` (`message:image` →
/// `meta/message-image`), for the customer's `say --kind`; a 400 and what to do when it has
/// none.
///
/// # Errors
///
/// When the provider has no message sample of that kind.
pub fn message_sample(provider: &str, name: &str, kind: &str) -> Result<String, (u16, String)> {
    crate::catalogue::samples()
        .iter()
        .filter(|sample| sample.provider.id() == provider && sample.kind == *kind)
        .map(|sample| sample.name.clone())
        .min_by_key(String::len)
        .filter(|_| kind.starts_with("message"))
        .ok_or_else(|| {
            (
                400,
                format!(
                    "no {name} message sample of kind {kind}; `wa-hook samples list \
                     '{provider}/message-*'` lists them"
                ),
            )
        })
}

/// An issue in one line for an error answer: the JSON pointer first (`/` for the whole body),
/// then what was expected and what was found.
pub fn pointed(issue: &Issue) -> String {
    let pointer = if issue.pointer.is_empty() {
        "/"
    } else {
        &issue.pointer
    };
    format!(
        "{pointer}: expected {}, found {}",
        issue.expected, issue.found
    )
}

/// Ids and what is known of each, the oldest forgotten beyond [`REMEMBERED`]: what an emulator
/// keeps of the messages it answered, so a later `read` or `fail` finds them, in bounded memory.
pub struct Remembered<K, T> {
    items: HashMap<K, T>,
    order: VecDeque<K>,
}

impl<K, T> Default for Remembered<K, T> {
    fn default() -> Self {
        Remembered {
            items: HashMap::new(),
            order: VecDeque::new(),
        }
    }
}

impl<K: Eq + Hash + Clone, T> Remembered<K, T> {
    /// Remember `item` under `id` (replacing what was known of it).
    pub fn insert(&mut self, id: K, item: T) {
        if let Some(known) = self.items.get_mut(&id) {
            *known = item;
            return;
        }
        if self.order.len() >= REMEMBERED {
            if let Some(oldest) = self.order.pop_front() {
                self.items.remove(&oldest);
            }
        }
        self.order.push_back(id.clone());
        self.items.insert(id, item);
    }

    pub fn get<Q>(&self, id: &Q) -> Option<&T>
    where
        K: std::borrow::Borrow<Q>,
        Q: Eq + Hash + ?Sized,
    {
        self.items.get(id)
    }

    pub fn get_mut<Q>(&mut self, id: &Q) -> Option<&mut T>
    where
        K: std::borrow::Borrow<Q>,
        Q: Eq + Hash + ?Sized,
    {
        self.items.get_mut(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_oldest_is_forgotten_first_and_a_known_id_is_replaced() {
        let mut remembered: Remembered<u64, &str> = Remembered::default();
        for id in 0..REMEMBERED as u64 {
            remembered.insert(id, "sent");
        }
        remembered.insert(0, "read");
        assert_eq!(remembered.get(&0), Some(&"read"));
        remembered.insert(REMEMBERED as u64, "sent");
        assert_eq!(remembered.get(&0), None, "the oldest went first");
        assert_eq!(remembered.get(&1), Some(&"sent"));
        assert_eq!(remembered.order.len(), REMEMBERED);
    }

    #[test]
    fn a_missing_member_is_named_at_its_own_pointer_deepest_first() {
        let schema = serde_json::json!({
            "type": "object", "required": ["to", "text"],
            "properties": {"text": {"type": "object", "required": ["body"]}}
        });
        let validator = jsonschema::validator_for(&schema).unwrap();
        let issues = schema_issues(&validator, &serde_json::json!({"a/b": 1, "text": {}}));
        let pointers: Vec<&str> = issues.iter().map(|i| i.pointer.as_str()).collect();
        assert_eq!(pointers, ["/text/body", "/to"]);
        assert!(pointed(&issues[0]).starts_with("/text/body: expected "));
        assert_eq!(pointer_token("a/b~c"), "a~1b~0c");
    }
}
