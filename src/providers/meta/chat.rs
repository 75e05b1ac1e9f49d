//! Meta's messages as a chat ([`Conversation`]): the customer's messages in a `messages`
//! change, and the app's sends to `/messages`, which write a message the same way (`type`, and
//! an object of that name: `text.body`, `image.caption`, `reaction.emoji` ...), so one reading
//! serves both ([`message_bubble`]); mark-as-read is the app's alone.
use serde_json::Value;

use super::Meta;
use crate::providers::capabilities::{Bubble, Conversation};
use crate::providers::shapes::{items, message_bubble, text_at};

impl Conversation for Meta {
    fn received(&self, body: &Value) -> Vec<Bubble> {
        let mut bubbles = Vec::new();
        for entry in items(body.get("entry")) {
            for change in items(entry.get("changes")) {
                let messages = change.pointer("/value/messages");
                for message in items(messages) {
                    bubbles.push(message_bubble(message));
                }
            }
        }
        bubbles
    }

    fn sent(&self, body: &Value) -> Option<Bubble> {
        // Mark-as-read (with or without a typing indicator): the customer's message, read.
        if body.get("status").and_then(Value::as_str) == Some("read") {
            return Some(Bubble {
                kind: "read".to_string(),
                about: text_at(body, "/message_id"),
                ..Bubble::default()
            });
        }
        body.get("messaging_product")?;
        Some(message_bubble(body))
    }

    fn sent_id(&self, answer: &Value) -> Option<String> {
        text_at(answer, "/messages/0/id")
    }

    fn refusal(&self, answer: &Value) -> Option<String> {
        let error = answer.get("error")?;
        let code = text_at(error, "/code");
        let message = text_at(error, "/message");
        let details = text_at(error, "/error_data/details");
        let words: Vec<String> = [code, message, details].into_iter().flatten().collect();
        (!words.is_empty()).then(|| words.join(" · "))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::providers::capabilities::TemplateCall;

    #[test]
    fn sends_read_as_the_chat_shows_them() {
        let template = Meta
            .sent(&json!({"messaging_product": "whatsapp", "to": "1", "type": "template",
                "template": {"name": "order_update", "language": {"code": "en_US"}, "components": [
                    {"type": "header", "parameters": [{"type": "image", "image": {"link": "https://x/y.png"}}]},
                    {"type": "body", "parameters": [{"type": "text", "text": "Ana"},
                        {"type": "text", "parameter_name": "order", "text": "#42"}]}]}}))
            .unwrap();
        assert_eq!(
            template.template,
            Some(TemplateCall {
                name: "order_update".into(),
                language: Some("en_US".into()),
                parameters: vec!["[image]".into(), "Ana".into(), "order=#42".into()],
            })
        );
        let image = Meta
            .sent(&json!({"messaging_product": "whatsapp", "to": "1", "type": "image",
                "image": {"id": "1234"}}))
            .unwrap();
        assert_eq!((image.kind.as_str(), image.text), ("image", None));
        let buttons = Meta
            .sent(&json!({"messaging_product": "whatsapp", "to": "1", "type": "interactive",
                "interactive": {"type": "button", "body": {"text": "Pick one"}, "action": {"buttons": [
                    {"type": "reply", "reply": {"id": "a", "title": "Yes"}},
                    {"type": "reply", "reply": {"id": "b", "title": "No"}}]}}}))
            .unwrap();
        assert_eq!(buttons.text.as_deref(), Some("Pick one"));
        assert_eq!(buttons.choices, ["Yes", "No"]);
        let read = Meta
            .sent(&json!({"messaging_product": "whatsapp", "status": "read", "message_id": "wamid.A"}))
            .unwrap();
        assert_eq!((read.kind.as_str(), read.about.as_deref()), ("read", Some("wamid.A")));
        assert_eq!(
            Meta.sent_id(&json!({"messages": [{"id": "wamid.B"}]})).as_deref(),
            Some("wamid.B")
        );
        let refusal = Meta
            .refusal(&json!({"error": {"message": "(#132000) Number of parameters does not match",
                "code": 132_000, "error_data": {"details": "/template: 1 expected"}}}))
            .unwrap();
        assert_eq!(
            refusal,
            "132000 · (#132000) Number of parameters does not match · /template: 1 expected"
        );
    }

    #[test]
    fn every_message_sample_reads_as_a_bubble() {
        for sample in crate::catalogue::samples()
            .iter()
            .filter(|sample| sample.provider.id() == "meta" && sample.kind.starts_with("message"))
        {
            let body: Value = serde_json::from_slice(sample.body).unwrap();
            let bubbles = Meta.received(&body);
            assert!(!bubbles.is_empty(), "{}", sample.name);
            assert!(bubbles.iter().all(|b| b.id.is_some()), "{}", sample.name);
        }
        let reaction: Value =
            serde_json::from_slice(crate::catalogue::find_sample("meta/message-reaction").unwrap().body)
                .unwrap();
        let bubble = &Meta.received(&reaction)[0];
        assert_eq!(bubble.kind, "reaction");
        assert!(bubble.about.is_some() && bubble.text.is_some(), "{bubble:?}");
    }
}
