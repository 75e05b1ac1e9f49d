//! 99 Digital's bodies as a conversation test reads them (`emulate test`): the message in a
//! send, v1 `sendMessage`'s `text` or v2's `body` (a text either way; v2's `replyTo` as the
//! message it replies to). A `readStatus` body (neither member) sends no message. No message
//! id is read: the answer's `unique` is not called a message's id by 99 Digital's pages, and
//! no webhook of 99 Digital's in wa-hook's facts names a message (no status, no read), so a
//! later step would have nothing to name it by. Nor is a customer's message read: 99 Digital's
//! webhooks in wa-hook's facts are its partner events.
use serde_json::Value;

use crate::providers::capabilities::SentMessage;

pub fn message_sent(body: &Value) -> Option<SentMessage> {
    let text = body
        .get("text")
        .or_else(|| body.get("body"))
        .and_then(Value::as_str)?;
    Some(SentMessage {
        id: None,
        kind: "text".to_string(),
        text: Some(text.to_string()),
        template: None,
        parameters: Vec::new(),
        reply_to: body["replyTo"].as_str().map(str::to_string),
        // No customer's message of 99 Digital's is read (see above): nothing to check it by.
        to: Vec::new(),
    })
}

/// A `FAIL` answer (HTTP 200, as 99 Digital answers): `reason N: what wa-hook found wrong`.
pub fn refusal_in(answer: &Value) -> Option<String> {
    if answer["status"] != "FAIL" {
        return None;
    }
    let reason = answer["reason"].as_u64().unwrap_or_default();
    Some(match answer["wa_hook_details"].as_str() {
        Some(details) => format!("reason {reason}: {details}"),
        None => format!("reason {reason}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn v1_and_v2_sends_are_texts_and_a_read_is_none() {
        let v1 = message_sent(&json!({"apiKey": "k", "from": "1", "to": "2", "text": "hi"})).unwrap();
        assert_eq!((v1.kind.as_str(), v1.text.as_deref(), v1.id), ("text", Some("hi"), None));
        let v2 = message_sent(&json!({"from": "1", "to": "2", "body": "yo", "replyTo": "m7"})).unwrap();
        assert_eq!((v2.text.as_deref(), v2.reply_to.as_deref()), (Some("yo"), Some("m7")));
        assert_eq!(message_sent(&json!({"apiKey": "k", "from": "1", "to": "2"})), None);
        let fail = json!({"status": "FAIL", "reason": 5, "wa_hook_details": "/text: empty"});
        assert_eq!(refusal_in(&fail).as_deref(), Some("reason 5: /text: empty"));
        assert_eq!(refusal_in(&json!({"status": "OK", "reason": 1})), None);
    }
}
