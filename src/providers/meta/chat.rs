//! Meta's messages as a chat ([`Conversation`]): the customer's messages in a `messages`
//! change, and the app's sends to `/messages`, which write a message the same way (`type`, and
//! an object of that name: `text.body`, `image.caption`, `reaction.emoji` ...), so one reading
//! serves both; templates, interactive messages and mark-as-read are the app's alone.
use serde_json::Value;

use super::Meta;
use crate::providers::capabilities::{Bubble, Conversation, TemplateCall};
use crate::providers::shapes::{at, message_text, text_at, value_text};

impl Conversation for Meta {
    fn received(&self, body: &Value) -> Vec<Bubble> {
        let mut bubbles = Vec::new();
        for entry in items(body.get("entry")) {
            for change in items(entry.get("changes")) {
                let messages = change.pointer("/value/messages");
                for message in items(messages) {
                    bubbles.push(bubble(message));
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
        Some(bubble(body))
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

/// The items of an array (or the one object Omni Smartflow's documentation writes).
fn items(value: Option<&Value>) -> Vec<&Value> {
    match value {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(item @ Value::Object(_)) => vec![item],
        _ => Vec::new(),
    }
}

/// One message object, received or sent: Meta's default `type` is `text`.
fn bubble(message: &Value) -> Bubble {
    let kind = text_at(message, "/type").unwrap_or_else(|| "text".to_string());
    let mut bubble = Bubble {
        id: text_at(message, "/id"),
        kind: kind.clone(),
        ..Bubble::default()
    };
    match kind.as_str() {
        "template" => bubble.template = at(message, "/template").map(template),
        "interactive" => {
            let interactive = at(message, "/interactive");
            bubble.text = interactive
                .and_then(|i| text_at(i, "/body/text"))
                .or_else(|| message_text(Some(message)));
            bubble.choices = interactive.map(choices).unwrap_or_default();
        }
        "reaction" => {
            bubble.text = text_at(message, "/reaction/emoji");
            bubble.about = text_at(message, "/reaction/message_id");
        }
        _ => bubble.text = message_text(Some(message)).filter(|text| *text != format!("[{kind}]")),
    }
    bubble
}

/// A template's name, language and parameters as text.
fn template(template: &Value) -> TemplateCall {
    let mut parameters = Vec::new();
    for component in items(template.get("components")) {
        for parameter in items(component.get("parameters")) {
            let kind = text_at(parameter, "/type").unwrap_or_else(|| "text".to_string());
            let value = parameter
                .get(&kind)
                .and_then(|value| value_text(value).or_else(|| text_at(value, "/fallback_value")))
                .or_else(|| text_at(parameter, "/payload"))
                .unwrap_or_else(|| format!("[{kind}]"));
            parameters.push(match text_at(parameter, "/parameter_name") {
                Some(name) => format!("{name}={value}"),
                None => value,
            });
        }
    }
    TemplateCall {
        name: text_at(template, "/name").unwrap_or_default(),
        language: text_at(template, "/language/code"),
        parameters,
    }
}

/// An interactive message's buttons, list rows, or link text.
fn choices(interactive: &Value) -> Vec<String> {
    let action = interactive.get("action");
    let buttons = action
        .map(|action| items(action.get("buttons")))
        .unwrap_or_default()
        .into_iter()
        .filter_map(|button| text_at(button, "/reply/title").or_else(|| text_at(button, "/title")));
    let rows = action
        .map(|action| items(action.get("sections")))
        .unwrap_or_default()
        .into_iter()
        .flat_map(|section| items(section.get("rows")))
        .filter_map(|row| text_at(row, "/title"));
    let link = action.and_then(|action| text_at(action, "/parameters/display_text"));
    buttons.chain(rows).chain(link).collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

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
