//! A send checked against `schemas/sends/meta-send.json` (every real send of pywa 4.5.0 and
//! whatsapp-api-js 6.3.0 in `tests/fixtures/meta-sends/` is valid against it), plus the one
//! rule the schema marks for code (`x-unique`: reply-button ids and titles unique). The issue
//! the emulator reports is the most specific one: the deepest pointer, which is the field at
//! fault because the schema dispatches on `type` down to each content object.
use include_dir::{Dir, include_dir};
use serde_json::Value;

use crate::schemas::{Schema, SchemaSet};
use crate::verdict::Issue;

static SEND_DIR: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/src/providers/meta/schemas/sends");
static SENDS: SchemaSet = SchemaSet::new("meta", &SEND_DIR);

/// The id of the send schema.
pub const SEND_SCHEMA: &str = "meta-send";

/// # Panics
/// Never: the schema is embedded at build time and the registry test reads it.
pub fn send_schema() -> &'static Schema {
    SENDS
        .get(SEND_SCHEMA)
        .expect("src/providers/meta/schemas/sends/meta-send.json is embedded")
}

/// Every issue of a send body, the most specific first; empty when it is valid.
pub fn issues(body: &Value) -> Vec<Issue> {
    let mut issues = crate::providers::sends::schema_issues(send_schema().validator(false), body);
    issues.extend(duplicate_buttons(body));
    // Deepest first (stable: the validator's order among equals).
    issues.sort_by_key(|issue| std::cmp::Reverse(issue.pointer.matches('/').count()));
    issues
}

/// `x-unique` on `interactive.action.buttons`: each reply id and title once.
fn duplicate_buttons(body: &Value) -> Vec<Issue> {
    // Member by member, not `pointer`: most sends have no `interactive`, and a pointer is
    // parsed and each of its steps looked up by its text.
    let Some(buttons) = body
        .get("interactive")
        .and_then(|interactive| interactive.get("action"))
        .and_then(|action| action.get("buttons"))
        .and_then(Value::as_array)
    else {
        return Vec::new();
    };
    let mut issues = Vec::new();
    for member in ["id", "title"] {
        let mut seen: Vec<&str> = Vec::new();
        for (index, button) in buttons.iter().enumerate() {
            let Some(value) = button
                .get("reply")
                .and_then(|reply| reply.get(member))
                .and_then(Value::as_str)
            else {
                continue;
            };
            if seen.contains(&value) {
                issues.push(Issue {
                    pointer: format!("/interactive/action/buttons/{index}/reply/{member}"),
                    expected: format!("a {member} no other reply button has"),
                    found: format!("\"{}\" again", crate::output::excerpt(value, 40)),
                });
            }
            seen.push(value);
        }
    }
    issues
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn the_field_at_fault_comes_first() {
        let body = json!({
            "messaging_product": "whatsapp", "to": "16505553921", "type": "interactive",
            "interactive": {"type": "button", "body": {"text": "Pick"}, "action": {"buttons": [
                {"type": "reply", "reply": {"id": "a", "title": "a title much longer than twenty"}}
            ]}}
        });
        let issues = super::issues(&body);
        assert_eq!(
            issues[0].pointer,
            "/interactive/action/buttons/0/reply/title"
        );
        let missing = json!({"messaging_product": "whatsapp", "to": "1", "type": "text", "text": {}});
        assert_eq!(super::issues(&missing)[0].pointer, "/text/body");
    }

    #[test]
    fn reply_buttons_need_distinct_titles() {
        let body = json!({
            "messaging_product": "whatsapp", "to": "16505553921", "type": "interactive",
            "interactive": {"type": "button", "body": {"text": "Pick"}, "action": {"buttons": [
                {"type": "reply", "reply": {"id": "a", "title": "Yes"}},
                {"type": "reply", "reply": {"id": "b", "title": "Yes"}}
            ]}}
        });
        assert_eq!(
            super::issues(&body)[0].pointer,
            "/interactive/action/buttons/1/reply/title"
        );
    }

    /// Every real send the pinned SDKs made is accepted.
    #[test]
    fn every_captured_sdk_send_is_valid() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/meta-sends");
        let mut checked = 0;
        for sdk in ["pywa", "whatsapp-api-js"] {
            for entry in std::fs::read_dir(format!("{root}/{sdk}")).unwrap() {
                let path = entry.unwrap().path();
                let fixture: serde_json::Value =
                    serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
                let Some(body) = fixture.pointer("/request/body").filter(|b| b.is_object()) else {
                    continue;
                };
                let path_ok = fixture
                    .pointer("/request/path")
                    .and_then(serde_json::Value::as_str)
                    .is_some_and(|p| p.ends_with("/messages"));
                if !path_ok {
                    continue;
                }
                assert!(super::issues(body).is_empty(), "{}", path.display());
                checked += 1;
            }
        }
        assert!(checked > 50, "only {checked} sends found");
    }
}
