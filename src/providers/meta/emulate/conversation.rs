//! Meta's bodies as a conversation test reads them (`emulate test`, `emulate record`): the
//! message in a send to `/messages` (SEND-APIS.md's shapes: `text.body`, a media's `caption`,
//! `interactive.body.text`, `template.name` and its components' parameters,
//! `context.message_id`) and the id in Meta's answer (`messages[0].id`); the customer's
//! message and a status in a webhook (`entry[0].changes[0].value.messages[0]` / `statuses[0]`).
use serde_json::Value;

use crate::providers::capabilities::{CustomerMessage, SentMessage};

/// The message a send body carries; `None` for a read receipt or typing indicator (a body
/// with `status`) and for a body with no `type`.
pub fn message_sent(body: &Value, answer: &Value) -> Option<SentMessage> {
    if body.get("status").is_some() {
        return None;
    }
    let kind = body.get("type").and_then(Value::as_str)?.to_string();
    let content = &body[kind.as_str()];
    let text = match kind.as_str() {
        "text" => content["body"].as_str(),
        "interactive" => content["body"]["text"].as_str(),
        _ => content["caption"].as_str(),
    }
    .map(str::to_string);
    let (template, parameters) = if kind == "template" {
        let parameters = content["components"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|component| component["parameters"].as_array().into_iter().flatten())
            .map(parameter_text)
            .collect();
        (content["name"].as_str().map(str::to_string), parameters)
    } else {
        (None, Vec::new())
    };
    Some(SentMessage {
        id: answer["messages"][0]["id"].as_str().map(str::to_string),
        kind,
        text,
        template,
        parameters,
        reply_to: body["context"]["message_id"].as_str().map(str::to_string),
        to: ["to", "recipient"]
            .iter()
            .filter_map(|name| body[*name].as_str().map(str::to_string))
            .collect(),
    })
}

/// A template parameter as text: a text parameter's `text`, a currency's `fallback_value`, a
/// button's `payload`; the JSON of any other.
fn parameter_text(parameter: &Value) -> String {
    ["text", "payload"]
        .iter()
        .find_map(|name| parameter[*name].as_str())
        .or_else(|| parameter["currency"]["fallback_value"].as_str())
        .or_else(|| parameter["date_time"]["fallback_value"].as_str())
        .map_or_else(|| parameter.to_string(), str::to_string)
}

fn value(body: &Value) -> &Value {
    &body["entry"][0]["changes"][0]["value"]
}

pub fn customer_message(body: &Value) -> Option<CustomerMessage> {
    let value = value(body);
    let message = value.get("messages")?.get(0)?;
    // The sender by phone number and by business-scoped user id, as the message and its
    // contact name them: an app may answer to either.
    let contact = &value["contacts"][0];
    let from = [
        &message["from"],
        &message["from_user_id"],
        &contact["wa_id"],
        &contact["user_id"],
    ]
    .into_iter()
    .filter_map(|address| address.as_str().map(str::to_string))
    .fold(Vec::new(), |mut from, address| {
        if !from.contains(&address) {
            from.push(address);
        }
        from
    });
    Some(CustomerMessage {
        id: message["id"].as_str()?.to_string(),
        text: message["text"]["body"].as_str().map(str::to_string),
        from,
    })
}

pub fn status_of(body: &Value) -> Option<(String, String)> {
    let status = value(body).get("statuses")?.get(0)?;
    Some((
        status["id"].as_str()?.to_string(),
        status["status"].as_str()?.to_string(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn texts_templates_and_replies_are_read() {
        let answer = json!({"messages": [{"id": "wamid.A"}]});
        let text = json!({"type": "text", "text": {"body": "Hi"}, "context": {"message_id": "wamid.C"}});
        let sent = message_sent(&text, &answer).unwrap();
        assert_eq!(sent.id.as_deref(), Some("wamid.A"));
        assert_eq!(sent.text.as_deref(), Some("Hi"));
        assert_eq!(sent.reply_to.as_deref(), Some("wamid.C"));
        let template = json!({"type": "template", "template": {"name": "order_update",
            "components": [{"type": "body", "parameters": [{"type": "text", "text": "Ana"},
            {"type": "currency", "currency": {"fallback_value": "$5", "code": "USD", "amount_1000": 5000}}]}]}});
        let sent = message_sent(&template, &answer).unwrap();
        assert_eq!(sent.template.as_deref(), Some("order_update"));
        assert_eq!(sent.parameters, ["Ana", "$5"]);
        let read = json!({"messaging_product": "whatsapp", "status": "read", "message_id": "wamid.C"});
        assert_eq!(message_sent(&read, &json!({"success": true})), None);
    }
}
