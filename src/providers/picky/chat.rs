//! Picky Assist's messages as a chat ([`Conversation`]): a message in names itself with
//! `unique-id` and carries its text in `message_in_raw` (or URL-encoded in `message-in`), a
//! `media-url`, a `Location` or a `contact`; the app's push (`data[].message` or
//! `globalmessage`, `globalmedia`) and its instant reply (`message-out`, `media-url`,
//! `location`, `contact`) are read the same way; the push's answer names each message in
//! `data[].msg_id`, and an error answer has a `status` other than 100 and says why in
//! `message`.
use serde_json::Value;

use super::Picky;
use crate::providers::capabilities::{Bubble, Conversation};
use crate::providers::shapes::text_at;

impl Conversation for Picky {
    fn received(&self, body: &Value) -> Vec<Bubble> {
        let Some(id) = text_at(body, "/unique-id") else {
            return Vec::new();
        };
        let text = text_at(body, "/message_in_raw").or_else(|| {
            text_at(body, "/message-in").map(|encoded| {
                url::form_urlencoded::parse(format!("text={encoded}").as_bytes())
                    .map(|(_, value)| value.into_owned())
                    .next()
                    .unwrap_or(encoded)
            })
        });
        vec![Bubble {
            id: Some(id),
            kind: kind_of(body, "media-url").to_string(),
            text: text.filter(|text| !text.is_empty()),
            ..Bubble::default()
        }]
    }

    fn sent(&self, body: &Value) -> Option<Bubble> {
        // An instant reply.
        if body.get("message-out").is_some() || body.get("token").is_none() {
            return Some(Bubble {
                kind: kind_of(body, "media-url").to_string(),
                text: text_at(body, "/message-out").filter(|text| !text.is_empty()),
                ..Bubble::default()
            });
        }
        let text = text_at(body, "/globalmessage")
            .or_else(|| text_at(body, "/data/0/message"))
            .filter(|text| !text.is_empty());
        Some(Bubble {
            kind: kind_of(body, "globalmedia").to_string(),
            text,
            ..Bubble::default()
        })
    }

    fn sent_id(&self, answer: &Value) -> Option<String> {
        text_at(answer, "/data/0/msg_id")
    }

    fn refusal(&self, answer: &Value) -> Option<String> {
        let status = text_at(answer, "/status")?;
        (status != "100").then(|| text_at(answer, "/message").unwrap_or(status))
    }
}

/// `media` when the body has a media URL under `media_key`, `location` or `contacts` for a
/// card, `text` otherwise.
fn kind_of(body: &Value, media_key: &str) -> &'static str {
    let has = |key: &str| body.get(key).is_some_and(|value| !value.is_null() && value != "");
    if has(media_key) {
        "media"
    } else if has("Location") || has("location") {
        "location"
    } else if has("contact") {
        "contacts"
    } else {
        "text"
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn sample(name: &str) -> Value {
        serde_json::from_slice(crate::catalogue::find_sample(name).unwrap().body).unwrap()
    }

    #[test]
    fn messages_in_pushes_replies_and_answers() {
        let text = &Picky.received(&sample("picky/message-text"))[0];
        assert_eq!(text.id.as_deref(), Some("70946013"));
        assert_eq!(text.text.as_deref(), Some("Hi, is my order #4521 shipped?"));
        let media = &Picky.received(&sample("picky/message-text-media"))[0];
        assert_eq!(media.kind, "media");
        assert_eq!(media.text.as_deref(), Some("Photo of the damaged parcel"));
        let reply = Picky.sent(&sample("picky/reply-text")).unwrap();
        assert_eq!(
            reply.text.as_deref(),
            Some("Thanks! Your order #4521 was shipped today.")
        );
        let push = Picky
            .sent(&json!({"token": "(redacted)", "application": "8",
                "data": [{"number": "919846012345", "message": "Shipped"}]}))
            .unwrap();
        assert_eq!((push.kind.as_str(), push.text.as_deref()), ("text", Some("Shipped")));
        let accepted = json!({"status": 100, "push_id": "1", "message": "Success",
            "data": [{"msg_id": "55123987", "number": "919846012345"}]});
        assert_eq!(Picky.sent_id(&accepted).as_deref(), Some("55123987"));
        assert_eq!(Picky.refusal(&accepted), None);
        assert_eq!(
            Picky
                .refusal(&json!({"status": 400, "message": "/data: expected an array"}))
                .as_deref(),
            Some("/data: expected an array")
        );
    }
}
