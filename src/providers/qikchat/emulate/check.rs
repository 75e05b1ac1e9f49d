//! A Qikchat send checked against `schemas/sends/qikchat-send.json`. The issue the emulator
//! reports is the most specific one: the deepest pointer, which is the field at fault because
//! the schema checks each content object by its definition. The same shape as Meta's check
//! (`providers::meta::emulate::check`), against Qikchat's schema.
use include_dir::{Dir, include_dir};
use serde_json::Value;

use crate::schemas::{Schema, SchemaSet};
use crate::verdict::Issue;

static SEND_DIR: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/src/providers/qikchat/schemas/sends");
static SENDS: SchemaSet = SchemaSet::new("qikchat", &SEND_DIR);

/// The id of the send schema.
pub const SEND_SCHEMA: &str = "qikchat-send";

/// # Panics
/// Never: the schema is embedded at build time and the unit tests read it.
pub fn send_schema() -> &'static Schema {
    SENDS
        .get(SEND_SCHEMA)
        .expect("src/providers/qikchat/schemas/sends/qikchat-send.json is embedded")
}

/// Every issue of a send body, the most specific first; empty when it is valid.
pub fn issues(body: &Value) -> Vec<Issue> {
    let validator = send_schema().validator(false);
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
                    issue.pointer = format!("{}/{}", issue.pointer, escape(name));
                }
            }
            if issue.pointer.ends_with("/link") && issue.expected.starts_with("a string matching")
            {
                "an http:// or https:// link".clone_into(&mut issue.expected);
            }
            issue
        })
        .collect();
    // Deepest first (stable: the validator's order among equals).
    issues.sort_by_key(|issue| std::cmp::Reverse(issue.pointer.matches('/').count()));
    issues
}

/// A JSON pointer token: `~` and `/` escaped.
fn escape(name: &str) -> String {
    name.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    /// Every request example of the pages SEND-APIS.md cites is valid.
    #[test]
    fn the_documented_examples_are_valid() {
        let examples = [
            json!({"to_contact": "+918080808080", "type": "text", "text": {"body": "Hey There!"}}),
            json!({"to_contact": "+918080808080", "type": "text", "preview_url": true,
                   "text": {"body": "You have to check out this amazing messaging service https://www.whatsapp.com/"}}),
            json!({"to_contact": "+918080808080", "type": "sticker", "sticker": {"link": "https://example.com/s.webp"}}),
            json!({"to_contact": "+918080808080", "type": "document", "document": {
                "link": "https://example.com/a.pdf", "caption": "your-document-caption",
                "filename": "your-document-filename"}}),
            json!({"to_contact": "+918080808080", "type": "image", "image": {"link": "http://example.com/a.png", "caption": "c"}}),
            json!({"to_contact": "+918080808080", "type": "video", "video": {"link": "https://example.com/v.mp4"}}),
            json!({"to_contact": "+918080808080", "type": "audio", "audio": {"link": "https://example.com/a.ogg"}}),
            json!({"to_contact": "+918080808080", "type": "contact", "contact": {
                "addresses": [{"city": "Chennai", "country": "India", "country_code": "in", "state": "TN",
                               "street": "Venugopal Street", "type": "HOME", "zip": "600037"}],
                "birthday": "2000-01-20",
                "emails": [{"email": "test@domain-name.com", "type": "WORK"}],
                "name": {"first_name": "Siva", "formatted_name": "Siva Radhakrishnan", "last_name": "Radhakrishnan"},
                "org": {"company": "Qikberry", "department": "Design", "title": "Manager"},
                "phones": [{"phone": "+919944857332", "type": "HOME"}],
                "urls": [{"url": "https://www.qikberry.com", "type": "WORK"}]}}),
            json!({"to_contact": "+918080808080", "type": "location", "location": {
                "longitude": 13.081_996, "latitude": 80.180_565,
                "name": "Qikberry Technologies Private Limited", "address": "No.9, The Palms"}}),
            json!({"to_contact": "+918080808080", "type": "template", "template": {"name": "any"}}),
        ];
        for example in examples {
            assert_eq!(super::issues(&example), Vec::new(), "{example}");
        }
    }

    #[test]
    fn the_field_at_fault_comes_first() {
        let cases = [
            (json!({"type": "text", "text": {"body": "hi"}}), "/to_contact"),
            (json!({"to_contact": "+91", "type": "text", "text": {}}), "/text/body"),
            (json!({"to_contact": "+91", "type": "text"}), "/text"),
            (json!({"to_contact": "+91", "type": "text", "text": {"body": "é".repeat(4097)}}), "/text/body"),
            (json!({"to_contact": "+91", "type": "image", "image": {"id": "12345"}}), "/image/link"),
            (json!({"to_contact": "+91", "type": "image", "image": {"link": "ftp://x/a.png"}}), "/image/link"),
            (json!({"to_contact": "+91", "type": "location", "location": {"latitude": "13", "longitude": 80}}), "/location/latitude"),
            (json!({"to_contact": "+91", "type": "interactive", "interactive": {}}), "/type"),
            (json!({"to_contact": "", "type": "text", "text": {"body": "x"}}), "/to_contact"),
        ];
        for (body, pointer) in cases {
            let issues = super::issues(&body);
            assert_eq!(issues.first().map(|i| i.pointer.as_str()), Some(pointer), "{body}");
        }
        let ftp = json!({"to_contact": "+91", "type": "image", "image": {"link": "ftp://x/a.png"}});
        assert_eq!(super::issues(&ftp)[0].expected, "an http:// or https:// link");
    }
}
