//! A push checked against `schemas/sends/picky-push.json`, and an instant reply against
//! wa-hook's `picky-reply` schema. The issue the emulator reports is the most specific one:
//! the deepest pointer, with a missing member named at its own pointer (`/data/0/message`).
use include_dir::{Dir, include_dir};
use serde_json::Value;

use crate::schemas::{Schema, SchemaSet};
use crate::verdict::Issue;

static SEND_DIR: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/src/providers/picky/schemas/sends");
static SENDS: SchemaSet = SchemaSet::new("picky", &SEND_DIR);

/// The id of the push schema.
pub const PUSH_SCHEMA: &str = "picky-push";
/// The id of the instant-reply schema (one of Picky's webhook-side schemas).
pub const REPLY_SCHEMA: &str = "picky-reply";

/// # Panics
/// Never: the schema is embedded at build time and a unit test reads it.
pub fn push_schema() -> &'static Schema {
    SENDS
        .get(PUSH_SCHEMA)
        .expect("src/providers/picky/schemas/sends/picky-push.json is embedded")
}

/// # Panics
/// Never: `picky-reply` is one of Picky's embedded schemas (the registry test reads them).
pub fn reply_schema() -> &'static Schema {
    crate::providers::Rules::schemas(&super::super::RULES)
        .get(REPLY_SCHEMA)
        .expect("src/providers/picky/schemas/picky-reply.json is embedded")
}

/// Every issue of a push body, the most specific first; empty when it is valid.
pub fn push_issues(body: &Value) -> Vec<Issue> {
    issues(push_schema(), body)
}

/// Every issue of an instant reply, the most specific first; empty when it is valid.
pub fn reply_issues(body: &Value) -> Vec<Issue> {
    issues(reply_schema(), body)
}

fn issues(schema: &Schema, body: &Value) -> Vec<Issue> {
    let validator = schema.validator(false);
    if validator.is_valid(body) {
        return Vec::new();
    }
    let mut issues: Vec<Issue> = validator
        .iter_errors(body)
        .take(crate::validation::MAX_ISSUES)
        .map(|error| {
            let mut issue = crate::validation::describe_error(&error, "");
            // A missing member is reported at its parent: name the member itself.
            if let jsonschema::error::ValidationErrorKind::Required { property } = error.kind() {
                if let Some(name) = property.as_str() {
                    issue.pointer = format!(
                        "{}/{}",
                        issue.pointer,
                        name.replace('~', "~0").replace('/', "~1")
                    );
                }
            }
            issue
        })
        .collect();
    // Deepest first (stable: the validator's order among equals).
    issues.sort_by_key(|issue| std::cmp::Reverse(issue.pointer.matches('/').count()));
    issues
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn the_documented_samples_are_valid() {
        // help.pickyassist.com's dynamic-messages sample, placeholders filled in.
        let dynamic = json!({
            "token": "PICKY_API_TOKEN", "priority ": "0", "application": "1",
            "globalmessage": "", "globalmedia": "https://example.com/a.jpg",
            "data": [{"number": "919846012345", "message": "Hi"}, {"number": 35_435_304_220_u64, "message": "Yo"}]
        });
        assert!(super::push_issues(&dynamic).is_empty(), "{:?}", super::push_issues(&dynamic));
        let global = json!({
            "token": "t", "application": 8, "globalmessage": "Hello all", "priority": "1",
            "data": [{"number": 919_846_012_345_u64}]
        });
        assert!(super::push_issues(&global).is_empty());
    }

    #[test]
    fn the_field_at_fault_comes_first() {
        let plus = json!({"token": "t", "application": 8, "data": [{"number": "+919846012345", "message": "Hi"}]});
        assert_eq!(super::push_issues(&plus)[0].pointer, "/data/0/number");
        let leading_zero = json!({"token": "t", "application": 8, "data": [{"number": "09846012345", "message": "Hi"}]});
        assert_eq!(super::push_issues(&leading_zero)[0].pointer, "/data/0/number");
        let no_text = json!({"token": "t", "application": 8, "globalmessage": "", "data": [{"number": "919846012345"}]});
        assert_eq!(super::push_issues(&no_text)[0].pointer, "/data/0/message");
        let no_data = json!({"token": "t", "application": 8, "globalmessage": "Hi"});
        assert_eq!(super::push_issues(&no_data)[0].pointer, "/data");
        let priority = json!({"token": "t", "application": 8, "globalmessage": "Hi", "priority": "high", "data": [{"number": 1}]});
        assert_eq!(super::push_issues(&priority)[0].pointer, "/priority");
    }

    #[test]
    fn replies_are_checked_against_picky_reply() {
        assert!(super::reply_issues(&json!({"message-out": "Thanks"})).is_empty());
        assert_eq!(
            super::reply_issues(&json!({"ok": true}))[0].pointer,
            "/message-out"
        );
    }
}
