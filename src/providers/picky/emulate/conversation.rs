//! Picky Assist's bodies as a conversation test reads them (`emulate test`, `emulate record`):
//! a push (`data[0]`'s `message` or the `globalmessage`, a media when it carries one, the
//! `msg_id` the answer gave it) and an instant reply (`message-out`, `media-url`; its id comes
//! only with its reports); the customer's message (`unique-id`, `message_in_raw`) and a delivery
//! report (event 1: `data[0].msg_id` and its status code, 4 submitted, 1 delivered, 3 read,
//! 2 failed). A Picky message has no type of Meta's kind: `text` or `media` here.
use serde_json::Value;

use crate::providers::capabilities::{CustomerMessage, SentMessage};
use crate::providers::shapes::value_text;

fn nonempty(value: Option<&Value>) -> Option<String> {
    value.and_then(value_text).filter(|text| !text.is_empty())
}

pub fn message_sent(body: &Value, answer: &Value) -> Option<SentMessage> {
    // An instant reply goes to whoever wrote: it names no number.
    let (text, media, id, to) =
        if body.get("message-out").is_some() || body.get("media-url").is_some() {
            (
                nonempty(body.get("message-out")),
                nonempty(body.get("media-url")),
                None,
                Vec::new(),
            )
        } else {
            let items = body.get("data")?.as_array()?;
            let item = items.first()?;
            (
                nonempty(item.get("message")).or_else(|| nonempty(body.get("globalmessage"))),
                nonempty(item.get("media")).or_else(|| nonempty(body.get("globalmedia"))),
                answer["data"][0].get("msg_id").and_then(value_text),
                items
                    .iter()
                    .filter_map(|item| nonempty(item.get("number")))
                    .collect(),
            )
        };
    Some(SentMessage {
        id,
        kind: if media.is_some() { "media" } else { "text" }.to_string(),
        text,
        to,
        ..SentMessage::default()
    })
}

pub fn customer_message(body: &Value) -> Option<CustomerMessage> {
    if body.get("event_id").is_some() {
        return None;
    }
    Some(CustomerMessage {
        id: body.get("unique-id").and_then(value_text)?,
        text: nonempty(body.get("message_in_raw")),
        from: nonempty(body.get("number")).into_iter().collect(),
    })
}

pub fn status_of(body: &Value) -> Option<(String, String)> {
    let item = body.get("data")?.get(0)?;
    let status = match item.get("status").and_then(value_text)?.as_str() {
        "4" => "submitted",
        "1" => "delivered",
        "3" => "read",
        "2" => "failed",
        _ => return None,
    };
    Some((item.get("msg_id").and_then(value_text)?, status.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn pushes_instant_replies_and_reports_are_read() {
        let push = json!({"token": "t", "application": "8", "globalmessage": "",
            "data": [{"number": "91", "message": "Hi"}]});
        let sent = message_sent(&push, &json!({"data": [{"msg_id": "55"}]})).unwrap();
        assert_eq!((sent.id.as_deref(), sent.text.as_deref()), (Some("55"), Some("Hi")));
        let reply = json!({"message-out": "Shipped", "delay": "0"});
        let sent = message_sent(&reply, &Value::Null).unwrap();
        assert_eq!((sent.id, sent.text.as_deref()), (None, Some("Shipped")));
        let report = json!({"event_id": 1, "data": [{"msg_id": 55, "status": 3}]});
        assert_eq!(status_of(&report), Some(("55".into(), "read".into())));
        assert_eq!(customer_message(&report), None);
    }
}
