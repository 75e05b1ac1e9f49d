//! Qikchat's bodies as a conversation test reads them (`emulate test`, `emulate record`): the
//! message in a send to `/v1/messages` (`type`, its object's `body` or `caption`,
//! `template.name`, `to_contact`) and the id in the answer (`data[0].id`); the customer's message
//! (`whatsapp:message:in`: `payload.id`, `payload.message.text.body`, `payload.message.from`) and a status
//! (`whatsapp:message:status`: `payload.id`, `payload.status`). Qikchat documents no reply
//! context on a send and no template parameters in the pages wa-hook read: none are read.
use serde_json::Value;

use crate::providers::capabilities::{CustomerMessage, SentMessage};

pub fn message_sent(body: &Value, answer: &Value) -> Option<SentMessage> {
    let kind = body.get("type").and_then(Value::as_str)?.to_string();
    let content = &body[kind.as_str()];
    let text = content["body"]
        .as_str()
        .or_else(|| content["caption"].as_str())
        .map(str::to_string);
    Some(SentMessage {
        id: answer["data"][0]["id"].as_str().map(str::to_string),
        template: (kind == "template")
            .then(|| content["name"].as_str().map(str::to_string))
            .flatten(),
        kind,
        text,
        parameters: Vec::new(),
        reply_to: None,
        to: body["to_contact"]
            .as_str()
            .map(str::to_string)
            .into_iter()
            .collect(),
    })
}

pub fn customer_message(body: &Value) -> Option<CustomerMessage> {
    if body["event"] != "whatsapp:message:in" {
        return None;
    }
    let payload = &body["payload"];
    Some(CustomerMessage {
        id: payload["id"].as_str()?.to_string(),
        text: payload["message"]["text"]["body"]
            .as_str()
            .map(str::to_string),
        // "When a customer sends you a message": the message's `from` is the customer (the
        // seed; `contacts[].to` is the business number, the same in every notification).
        from: payload["message"]["from"]
            .as_str()
            .map(str::to_string)
            .into_iter()
            .collect(),
    })
}

pub fn status_of(body: &Value) -> Option<(String, String)> {
    if body["event"] != "whatsapp:message:status" {
        return None;
    }
    let payload = &body["payload"];
    Some((
        payload["id"].as_str()?.to_string(),
        payload["status"].as_str()?.to_string(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sends_messages_and_statuses_are_read() {
        let sent = message_sent(
            &json!({"to_contact": "+91", "type": "text", "text": {"body": "Hey"}}),
            &json!({"data": [{"id": "abc"}]}),
        )
        .unwrap();
        assert_eq!((sent.id.as_deref(), sent.text.as_deref()), (Some("abc"), Some("Hey")));
        let said = json!({"event": "whatsapp:message:in", "payload": {"id": "m1",
            "message": {"type": "text", "text": {"body": "Hi"}}}});
        assert_eq!(customer_message(&said).unwrap().text.as_deref(), Some("Hi"));
        let status = json!({"event": "whatsapp:message:status", "payload": {"id": "abc", "status": "read"}});
        assert_eq!(status_of(&status), Some(("abc".into(), "read".into())));
        assert_eq!(customer_message(&status), None);
    }
}
