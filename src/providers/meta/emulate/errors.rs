//! Meta's error envelope, built from `errors.json` (SEND-APIS.md's table as data): the HTTP
//! status where a source gives one, else 400 ("HTTP 400 for request errors"); the quoted
//! `message` where there is one, else `(#<code>) <meaning>`; `type` `OAuthException`, the only
//! type quoted; a fresh `fbtrace_id`. What is not quoted is wa-hook's choice and `emulate
//! --help` says so.
use std::sync::OnceLock;

use serde_json::{Value, json};

use crate::ids::IdSource;

static ERRORS: &str = include_str!("errors.json");

fn table() -> &'static Value {
    static TABLE: OnceLock<Value> = OnceLock::new();
    TABLE.get_or_init(|| serde_json::from_str(ERRORS).expect("errors.json is JSON"))
}

/// The table's entry for `code` (with `subcode` where the table tells them apart).
pub fn entry(code: u32, subcode: Option<u32>) -> Option<&'static Value> {
    let entries = table()["errors"].as_array()?;
    let matches = |entry: &&Value| {
        entry["code"].as_u64() == Some(u64::from(code))
            || entry["codes"]
                .as_array()
                .is_some_and(|codes| codes.iter().any(|c| c.as_u64() == Some(u64::from(code))))
    };
    let subcode_of = |entry: &&Value| entry["subcode"].as_u64().map(|s| s as u32);
    entries
        .iter()
        .filter(matches)
        .find(|entry| subcode.is_none() || subcode_of(entry) == subcode)
        .or_else(|| entries.iter().find(matches))
}

/// Whether the table documents this code.
pub fn known(code: u32) -> bool {
    entry(code, None).is_some()
}

/// Whether the table places this code only on a `failed` status later, never on the answer
/// (131026, 131047, 131049, 130472).
pub fn fails_later(code: u32) -> bool {
    entry(code, None).is_some_and(|entry| {
        let places = entry["where"].as_array();
        let has = |place: &str| places.is_some_and(|p| p.iter().any(|w| w == place));
        has("failed_status") && !has("response")
    })
}

/// The HTTP status for an answer with this code: the table's, else 400.
pub fn http_status(code: u32) -> u16 {
    entry(code, None)
        .and_then(|entry| entry["http_status"].as_u64())
        .and_then(|status| u16::try_from(status).ok())
        .unwrap_or(400)
}

/// The quoted message, or `(#code) meaning`.
pub fn message(code: u32, subcode: Option<u32>) -> String {
    let Some(entry) = entry(code, subcode) else {
        return format!("(#{code}) Error");
    };
    match entry["message"].as_str() {
        Some(message) => message.to_string(),
        None => format!(
            "(#{code}) {}",
            entry["meaning"].as_str().unwrap_or("Error")
        ),
    }
}

/// The error envelope of an HTTP answer.
pub fn envelope(code: u32, subcode: Option<u32>, details: &str, ids: &mut IdSource) -> Value {
    let mut error = json!({
        "message": message(code, subcode),
        "type": "OAuthException",
        "code": code,
        "error_data": {"messaging_product": "whatsapp", "details": details},
        "fbtrace_id": ids.alphanumeric(27),
    });
    if let Some(subcode) = subcode {
        error["error_subcode"] = subcode.into();
    }
    json!({ "error": error })
}

/// The `errors[]` item of a `failed` status for this code. 131047 is the one a public status
/// quotes whole (frappe_whatsapp#133, wa-hook's `meta/status-failed` sample); for others the
/// title and message are the table's meaning (their real texts are unknown).
pub fn failed_status_error(code: u32) -> Value {
    const HREF: &str = "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/";
    if code == 131_047 {
        if let Some(error) = crate::catalogue::find_sample("meta/status-failed")
            .and_then(|sample| serde_json::from_slice::<Value>(sample.body).ok())
            .and_then(|body| {
                body.pointer("/entry/0/changes/0/value/statuses/0/errors/0")
                    .cloned()
            })
        {
            return error;
        }
    }
    let meaning = entry(code, None)
        .and_then(|entry| entry["meaning"].as_str())
        .unwrap_or("Error");
    json!({
        "code": code,
        "title": meaning,
        "message": meaning,
        "error_data": {"details": meaning},
        "href": HREF,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn statuses_and_messages_come_from_the_table() {
        assert_eq!(super::http_status(190), 401);
        assert_eq!(super::http_status(130_429), 429);
        assert_eq!(super::http_status(131_009), 400);
        assert_eq!(super::message(100, None), "(#100) Invalid parameter");
        assert_eq!(
            super::message(131_009, None),
            "(#131009) Parameter value not valid"
        );
        assert!(super::known(131_047));
        assert!(!super::known(424_242));
        assert_eq!(super::failed_status_error(131_047)["title"], "Re-engagement message");
    }
}
