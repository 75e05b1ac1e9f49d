//! Qikchat's messages as a chat ([`Conversation`]): a `whatsapp:message:in` webhook carries the
//! customer's message in `payload.message` (written as Meta writes one: `type` and an object of
//! that name) under the id `payload.id`; the app's send to `/v1/messages` is written the same
//! way, and the answer names it in `data[0].id`. Qikchat's error answers are not documented:
//! the emulator's (`{"status": false, "message"}`) are read.
use serde_json::Value;

use super::Qikchat;
use crate::providers::capabilities::{Bubble, Conversation};
use crate::providers::shapes::{message_bubble, text_at};

impl Conversation for Qikchat {
    fn received(&self, body: &Value) -> Vec<Bubble> {
        if text_at(body, "/event").as_deref() != Some("whatsapp:message:in") {
            return Vec::new();
        }
        let Some(message) = body.pointer("/payload/message") else {
            return Vec::new();
        };
        let mut bubble = message_bubble(message);
        bubble.id = text_at(body, "/payload/id");
        vec![bubble]
    }

    fn sent(&self, body: &Value) -> Option<Bubble> {
        body.get("to_contact")?;
        Some(message_bubble(body))
    }

    fn sent_id(&self, answer: &Value) -> Option<String> {
        text_at(answer, "/data/0/id")
    }

    fn refusal(&self, answer: &Value) -> Option<String> {
        (answer.get("status") == Some(&Value::Bool(false)))
            .then(|| text_at(answer, "/message"))
            .flatten()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_send_its_answer_and_a_message_in() {
        let sent = Qikchat
            .sent(&json!({"to_contact": "+91", "type": "image",
                "image": {"link": "https://x/y.png", "caption": "The jacket"}}))
            .unwrap();
        assert_eq!((sent.kind.as_str(), sent.text.as_deref()), ("image", Some("The jacket")));
        assert_eq!(
            Qikchat.sent_id(&json!({"status": true, "data": [{"id": "q1"}]})).as_deref(),
            Some("q1")
        );
        assert_eq!(
            Qikchat
                .refusal(&json!({"status": false, "message": "to_contact is required"}))
                .as_deref(),
            Some("to_contact is required")
        );
        let body: Value = serde_json::from_slice(
            crate::catalogue::find_sample("qikchat/message-text").unwrap().body,
        )
        .unwrap();
        let received = Qikchat.received(&body);
        assert_eq!(received.len(), 1);
        assert_eq!(received[0].id.as_deref(), Some("7hQx2LmPa9VbR3sTnC0wYe5Kd"));
        assert_eq!(received[0].text.as_deref(), Some("I want this product"));
    }
}
