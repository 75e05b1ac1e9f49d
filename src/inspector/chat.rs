//! The chat pane beside `wa-hook emulate`: the conversation as WhatsApp shows it, drawn from
//! the capture records the emulator writes (the customer's messages from the webhooks, the
//! app's sends, their statuses), and the customer's controls, which the page calls here and
//! which go on to the emulator's `/_wa-hook/` controls on this machine.
//!
//! Generic over providers: a record says which way it went (`direction`), its provider and its
//! kind; what a body says is asked of the registry ([`Conversation`] for the messages,
//! [`Lifecycle::message_events`](crate::providers::Lifecycle::message_events) for the
//! statuses), and a provider without [`Conversation`] shows each message by its kind and
//! gist. The page draws it with text nodes only, whatever the bodies hold.
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue};
use serde_json::{Value, json};
use url::Url;

use super::index::{Filter, Index};
use crate::capture::{CaptureRecord, Direction};
use crate::providers::{Bubble, Conversation, Kind, Provider};
use crate::validation::Verdict;

/// The newest records the chat is drawn from, at most.
pub const CHAT_RECORDS_MAX: usize = 500;
/// A customer's action waits for the app's answer to its webhook (the emulator's
/// `--webhook-timeout`, 10 s by default), so the inspector waits longer than that.
const CONTROL_TIMEOUT: Duration = Duration::from_secs(60);
/// The customer's controls the page may call.
const ACTIONS: [&str; 4] = ["say", "react", "read", "fail"];

/// The emulator the inspector runs beside: where its controls are, and which provider it is.
pub struct EmulatorLink {
    provider: Provider,
    controls: Url,
    client: reqwest::Client,
    /// When the emulator started (as records stamp `received_at`): the chat is this run's,
    /// though the capture file holds earlier ones.
    since: String,
}

impl EmulatorLink {
    /// The emulator listening at `address` (an address that takes every interface is reached
    /// on 127.0.0.1).
    ///
    /// # Errors
    ///
    /// When the HTTP client cannot be built.
    pub fn new(provider: Provider, address: SocketAddr) -> anyhow::Result<EmulatorLink> {
        let ip = if address.ip().is_unspecified() {
            IpAddr::V4(Ipv4Addr::LOCALHOST)
        } else {
            address.ip()
        };
        let controls = Url::parse(&format!(
            "http://{}/_wa-hook/",
            SocketAddr::new(ip, address.port())
        ))?;
        let client = crate::http::client(&crate::http::HttpOptions {
            timeout: CONTROL_TIMEOUT,
            insecure: false,
        })?;
        Ok(EmulatorLink {
            provider,
            controls,
            client,
            since: crate::capture::now_rfc3339(),
        })
    }

    /// What the page needs to draw the pane and its controls: the provider, the message kinds
    /// the customer can send (the provider's message samples), the forms a customer can be
    /// named in.
    pub fn describe(&self) -> Value {
        let rules = self.provider.rules();
        let mut kinds: Vec<&str> = crate::catalogue::samples()
            .iter()
            .filter(|sample| sample.provider == self.provider && sample.is_webhook())
            .filter(|sample| Kind::parse(&sample.kind).name() == "message")
            .map(|sample| sample.kind.as_str())
            .collect();
        kinds.sort_unstable();
        kinds.dedup();
        let identities: Vec<&str> = rules
            .identities()
            .map(|identities| identities.forms().iter().map(|form| form.name()).collect())
            .unwrap_or_default();
        json!({
            "provider": self.provider.id(),
            "name": self.provider.display_name(),
            "kinds": kinds,
            "identities": identities,
        })
    }

    /// `action` (say, react, read, fail) with the page's `body`, sent on to the emulator; its
    /// status and answer, or why it could not be reached.
    pub fn act(&self, action: &str, body: &Value) -> (u16, Value) {
        if !ACTIONS.contains(&action) {
            return (
                404,
                json!({"error": format!("no chat action {action}; there are say, react, read and fail")}),
            );
        }
        if !body.is_object() {
            return (400, json!({"error": "send a JSON object"}));
        }
        let url = self
            .controls
            .join(action)
            .expect("an action is a path segment");
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        let request = crate::net::Request {
            method: reqwest::Method::POST,
            url: url.clone(),
            headers,
            body: serde_json::to_vec(body).unwrap_or_default().into(),
        };
        let reply =
            crate::http::runtime().block_on(crate::net::send(&self.client, request, &url, true));
        if let Some(failure) = reply.failure {
            return (
                502,
                json!({"error": format!("the emulator did not answer: {}", failure.message)}),
            );
        }
        let status = reply.status.unwrap_or(502);
        match serde_json::from_slice::<Value>(&reply.body) {
            Ok(answer) => (status, answer),
            Err(_) => (502, json!({"error": "the emulator's answer is not JSON"})),
        }
    }
}

/// `GET /api/chat?after=ID`: what the records after `ID` (at most [`CHAT_RECORDS_MAX`] of them,
/// the oldest, with `more` when others follow; without `ID`, the newest listed, from the
/// emulator's start on) add to the conversation,
/// oldest first: the page folds them into what it shows.
pub fn events(index: &Index, link: Option<&EmulatorLink>, query: &str) -> Value {
    let after: Option<u64> = url::form_urlencoded::parse(query.as_bytes())
        .find(|(key, _)| key == "after")
        .and_then(|(_, value)| value.parse().ok());
    // After `after`: the oldest first, so that a burst of more than the limit between two
    // calls is read in turns ("more") rather than only its newest part.
    let (records, more) = if let Some(after) = after {
        index.after(after, CHAT_RECORDS_MAX)
    } else {
        let mut page = index.list(&Filter::default(), None, CHAT_RECORDS_MAX);
        page.records.reverse();
        (page.records, false)
    };
    let mut events = Vec::new();
    let mut last = after;
    for summary in &records {
        last = Some(last.map_or(summary.id, |last| last.max(summary.id)));
        let earlier = link.is_some_and(|link| summary.received_at() < link.since.as_str());
        if earlier {
            continue;
        }
        if let Ok(Some(record)) = index.record(summary.id) {
            events.extend(record_events(summary.id, &record));
        }
    }
    json!({ "events": events, "last": last, "more": more })
}

/// What one record adds to the conversation: the app's send (or its refusal), the
/// customer's messages, the statuses of messages.
pub fn record_events(id: u64, record: &CaptureRecord) -> Vec<Value> {
    let (Some(direction), Some(provider)) = (record.direction, record.provider) else {
        return Vec::new();
    };
    let kind = record
        .kind
        .clone()
        .unwrap_or_else(|| Kind::named("unknown"));
    let base = json!({
        "record": id,
        "seq": record.seq,
        "run": record.run,
        "at": record.received_at,
        "provider": provider.id(),
    });
    let body = record
        .body_bytes()
        .ok()
        .flatten()
        .and_then(|bytes| crate::validation::parse_json(&bytes).ok())
        .or_else(|| crate::providers::query_body(&record.query));
    let conversation = provider.rules().conversation();
    match direction {
        Direction::Send => send_event(base, record, &kind, body.as_ref(), conversation)
            .into_iter()
            .collect(),
        Direction::Webhook => body.map_or_else(Vec::new, |body| {
            webhook_events(&base, record, provider, &kind, &body, conversation)
        }),
    }
}

fn with(base: &Value, fields: Value) -> Value {
    let mut event = base.clone();
    if let (Some(event), Value::Object(fields)) = (event.as_object_mut(), fields) {
        event.extend(fields);
    }
    event
}

/// The app's send as a message of the app's (or a mark-as-read), refused with the provider's
/// error when the emulator did not accept it.
fn send_event(
    base: Value,
    record: &CaptureRecord,
    kind: &Kind,
    body: Option<&Value>,
    conversation: Option<&dyn Conversation>,
) -> Option<Value> {
    let answer = record
        .answer
        .as_deref()
        .and_then(|text| serde_json::from_str::<Value>(text).ok());
    let bubble = match conversation {
        Some(conversation) => conversation.sent(body?)?,
        // Shown by its kind (`send:text` → text).
        None => Bubble {
            kind: kind.detail().unwrap_or(kind.name()).to_string(),
            ..Bubble::default()
        },
    };
    // Refused: answered with an error, or (an instant reply the app gave in its answer to a
    // webhook) not valid, so never sent.
    let invalid = matches!(record.verdict, Some(Verdict::Invalid | Verdict::Malformed));
    let accepted = (200..300).contains(&record.response_status) && !invalid;
    let refused = (!accepted).then(|| {
        answer
            .as_ref()
            .and_then(|answer| conversation?.refusal(answer))
            .or_else(|| {
                record.errors.first().map(|issue| {
                    format!(
                        "not valid: {}: expected {}, found {}",
                        if issue.pointer.is_empty() {
                            "/"
                        } else {
                            &issue.pointer
                        },
                        issue.expected,
                        issue.found
                    )
                })
            })
            .unwrap_or_else(|| format!("answered {}", record.response_status))
    });
    let id = answer
        .as_ref()
        .filter(|_| accepted)
        .and_then(|answer| conversation?.sent_id(answer))
        .or(bubble.id.clone());
    let mut bubble = serde_json::to_value(&bubble).unwrap_or_default();
    bubble["id"] = id.map_or(Value::Null, Value::from);
    Some(with(
        &base,
        json!({"type": "message", "from": "app", "message": bubble, "refused": refused}),
    ))
}

/// A webhook's messages of the customer's (with how the app answered the webhook) and the
/// statuses it reports.
fn webhook_events(
    base: &Value,
    record: &CaptureRecord,
    provider: Provider,
    kind: &Kind,
    body: &Value,
    conversation: Option<&dyn Conversation>,
) -> Vec<Value> {
    let Some(lifecycle) = provider.rules().lifecycle() else {
        return Vec::new();
    };
    let forward = record.forward.as_ref();
    let app = json!({
        "status": forward.and_then(|f| f.status),
        "error": forward.and_then(|f| f.error.clone()),
    });
    let received = conversation.map(|c| c.received(body)).unwrap_or_default();
    let gist = provider.rules().gist(body, kind);
    let mut events = Vec::new();
    for event in lifecycle.message_events(body, kind) {
        if event.status == "incoming" {
            let bubble = received
                .iter()
                .find(|bubble| bubble.id.as_deref() == Some(event.id.as_str()))
                .cloned()
                .unwrap_or_else(|| Bubble {
                    id: Some(event.id.clone()),
                    kind: kind.detail().unwrap_or(kind.name()).to_string(),
                    text: gist.what.clone(),
                    ..Bubble::default()
                });
            events.push(with(
                base,
                json!({"type": "message", "from": "customer", "who": gist.who,
                       "message": bubble, "app": app}),
            ));
        } else {
            events.push(with(
                base,
                json!({"type": "status", "id": event.id, "status": event.status,
                       "error": event.error, "app": app}),
            ));
        }
    }
    events
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::ForwardResult;

    fn record(direction: Direction, provider: &str, kind: &str, body: &[u8]) -> CaptureRecord {
        let (body, body_encoding) = CaptureRecord::encode_body(body);
        CaptureRecord {
            direction: Some(direction),
            provider: Provider::from_id(provider),
            kind: Some(Kind::parse(kind)),
            body,
            body_encoding,
            response_status: 200,
            received_at: "2026-12-07T10:00:00.000000Z".into(),
            ..CaptureRecord::default()
        }
    }

    fn sample(name: &str) -> &'static [u8] {
        crate::catalogue::find_sample(name).unwrap().body
    }

    #[test]
    fn a_customers_message_is_drawn_from_the_registry_with_the_apps_answer() {
        let mut webhook = record(
            Direction::Webhook,
            "meta",
            "message:text",
            sample("meta/message-text"),
        );
        webhook.forward = Some(ForwardResult {
            url: "http://127.0.0.1:3000/".into(),
            status: Some(500),
            ..ForwardResult::default()
        });
        let events = record_events(7, &webhook);
        assert_eq!(events.len(), 1, "{events:?}");
        let event = &events[0];
        assert_eq!(
            (event["record"].as_u64(), &event["from"]),
            (Some(7), &json!("customer"))
        );
        assert_eq!(event["message"]["kind"], "text");
        assert!(
            event["message"]["text"]
                .as_str()
                .unwrap()
                .contains("blue jacket")
        );
        assert_eq!(event["app"]["status"], 500);
    }

    /// A provider without `Conversation` (Omni Smartflow here): its messages by kind and gist,
    /// its statuses from its lifecycle, its sends by kind, refused by their HTTP status.
    #[test]
    fn a_provider_without_a_conversation_is_drawn_by_kind_and_gist() {
        assert!(
            Provider::from_id("smartflow")
                .unwrap()
                .rules()
                .conversation()
                .is_none()
        );
        let message = record(
            Direction::Webhook,
            "smartflow",
            "message:text",
            sample("smartflow/message-text"),
        );
        let events = record_events(1, &message);
        assert_eq!(events.len(), 1, "{events:?}");
        assert_eq!(events[0]["from"], "customer");
        assert!(events[0]["message"]["id"].is_string(), "{events:?}");
        assert!(events[0]["message"]["text"].is_string(), "{events:?}");
        let status = record(
            Direction::Webhook,
            "smartflow",
            "status:failed",
            sample("smartflow/status-failed"),
        );
        let events = record_events(2, &status);
        assert_eq!(
            (&events[0]["type"], &events[0]["status"]),
            (&json!("status"), &json!("failed"))
        );
        let mut send = record(Direction::Send, "smartflow", "send:image", b"{}");
        send.response_status = 422;
        let events = record_events(3, &send);
        assert_eq!(events[0]["message"]["kind"], "image");
        assert_eq!(events[0]["refused"], "answered 422");
    }

    /// Records `listen` wrote (no direction) are no part of a conversation.
    #[test]
    fn records_without_a_direction_are_left_out() {
        let mut received = record(
            Direction::Webhook,
            "meta",
            "message:text",
            sample("meta/message-text"),
        );
        received.direction = None;
        assert!(record_events(1, &received).is_empty());
    }

    /// More records than one answer holds arrive between two calls (a burst): each is read,
    /// in turns, oldest first; once only the newest part was, the rest never drawn.
    #[test]
    fn a_burst_larger_than_one_answer_is_read_in_turns() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("captures.jsonl");
        let total = CHAT_RECORDS_MAX as u64 + 100;
        let mut bytes = Vec::new();
        for seq in 1..=total {
            let mut webhook = record(
                Direction::Webhook,
                "meta",
                "message:text",
                sample("meta/message-text"),
            );
            webhook.seq = seq;
            bytes.extend_from_slice(&serde_json::to_vec(&webhook).unwrap());
            bytes.push(b'\n');
        }
        std::fs::write(&path, &bytes).unwrap();
        let index = Index::follow(vec![path]);
        let until = std::time::Instant::now() + std::time::Duration::from_secs(30);
        let oldest = loop {
            let page = index.list(&Filter::default(), None, 1);
            if page.total == total as usize && page.dropped == 0 {
                let (first, _) = index.after(0, 1);
                break first[0].id;
            }
            assert!(std::time::Instant::now() < until, "{} listed", page.total);
            std::thread::yield_now();
        };
        let mut seqs = Vec::new();
        let mut after = oldest;
        for turn in 0.. {
            assert!(turn < 5, "never done");
            let answer = events(&index, None, &format!("after={after}"));
            for event in answer["events"].as_array().unwrap() {
                seqs.push(event["seq"].as_u64().unwrap());
            }
            after = answer["last"].as_u64().unwrap();
            if answer["more"] != json!(true) {
                break;
            }
        }
        assert_eq!(seqs, (2..=total).collect::<Vec<_>>());
    }
}
