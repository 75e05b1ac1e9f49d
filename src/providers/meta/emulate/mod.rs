//! Meta's send side, emulated (`wa-hook emulate meta`): the Graph API routes the pinned SDKs
//! call (docs/emulate-design.md), each send checked against `schemas/sends/meta-send.json`
//! ([`check`]), answered with Meta's envelopes ([`errors`] for the error codes, from
//! `errors.json`), and followed by the status webhooks Meta sends, built from wa-hook's own
//! Meta samples (`status-sent`, `status-delivered`, `status-read`, `status-failed`,
//! `message-text`). Facts come from ../shared/SEND-APIS.md; what is wa-hook's own choice is
//! said where it is made and in `emulate --help`.
pub mod check;
pub mod conversation;
pub mod errors;
pub mod media;
pub mod templates;

use std::collections::VecDeque;
use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

use serde_json::{Value, json};
use subtle::ConstantTimeEq;

use crate::ids::IdSource;
use crate::providers::capabilities::{
    ApiAnswer, ApiRequest, CustomerAction, CustomerEvent, Emulator, EmulatorSetup, Injection,
    Precheck, SendApi, Webhook,
};
use crate::providers::rules::{Kind, Rules};
use crate::providers::sends::{json_answer, json_answer_written};
use crate::secret::SecretString;
use crate::validation::Check;
use crate::verdict::Issue;

use media::{Media, Store};

/// The ids of wa-hook's Meta samples: the emulated business and its test customer.
const PHONE_NUMBER_ID: &str = "106540352242922";
const DISPLAY_PHONE_NUMBER: &str = "15550783881";
const WABA_ID: &str = "102290129340398";
const CUSTOMER: &str = "16505553921";
const CUSTOMER_NAME: &str = "Kerry Fisher";

/// Where a media URL points: the path of Meta's own media URLs (`lookaside.fbsbx.com`), on the
/// emulator. The exact form of Meta's URL is not in SEND-APIS.md; this one is wa-hook's.
const DOWNLOAD_PATH: &str = "/whatsapp_business/attachments/";

/// `SendApi` for Meta.
pub struct MetaSends;

impl SendApi for MetaSends {
    fn emulator(&self, setup: EmulatorSetup) -> anyhow::Result<Box<dyn Emulator>> {
        let templates = setup
            .templates
            .as_ref()
            .map(templates::Templates::parse)
            .transpose()?;
        let mut emulator = MetaEmulator {
            ids: setup.seed.map_or_else(IdSource::new, IdSource::seeded),
            token: setup.token,
            base_url: setup.base_url,
            sent: Remembered::default(),
            received: Remembered::default(),
            media: Store::default(),
            templates,
            window: setup.window,
            last_customer_message: None,
            throughput: setup.throughput,
            recent_sends: VecDeque::new(),
            pair_interval: setup.pair_interval,
            last_to: Remembered::default(),
            injections: Vec::new(),
            message_sends: 0,
        };
        for injection in setup.injections {
            emulator.inject(injection).map_err(anyhow::Error::msg)?;
        }
        Ok(Box::new(emulator))
    }

    fn check_send(&self, body: &Value) -> Check {
        let issues = check::issues(body);
        crate::providers::sends::send_check("meta", send_kind(body), check::SEND_SCHEMA, issues)
    }

    /// A message send's body parsed and checked: all of it but the answer, which needs the
    /// emulator's state (ids, window, limits).
    fn precheck(&self, request: &ApiRequest<'_>) -> Option<Precheck> {
        (request.method == "POST" && messages_route(request.path))
            .then(|| precheck_body(request.body))
    }

    fn message_sent(&self, body: &Value, answer: &Value) -> Option<crate::providers::SentMessage> {
        conversation::message_sent(body, answer)
    }

    fn customer_message(&self, body: &Value) -> Option<crate::providers::CustomerMessage> {
        conversation::customer_message(body)
    }

    fn status_of(&self, body: &Value) -> Option<(String, String)> {
        conversation::status_of(body)
    }
}

/// Whether `path` is a message send's: `/{version}/{id}/messages` (or `marketing_messages`),
/// the version optional, as [`MetaEmulator::answer`] routes it.
fn messages_route(path: &str) -> bool {
    let mut segments = path.split('/').filter(|s| !s.is_empty());
    let mut first = segments.next();
    if first.is_some_and(is_version) {
        first = segments.next();
    }
    first.is_some()
        && matches!(segments.next(), Some("messages" | "marketing_messages"))
        && segments.next().is_none()
}

/// A message send's body parsed, and checked against the send schema when it is JSON.
fn precheck_body(bytes: &[u8]) -> Precheck {
    match crate::validation::parse_json(bytes) {
        Ok(body) => Precheck {
            issues: check::issues(&body),
            body: Ok(body),
        },
        Err(issue) => Precheck {
            body: Err(issue),
            issues: Vec::new(),
        },
    }
}

/// A send's kind: `send:text`, `send:read`, `send:typing`.
pub fn send_kind(body: &Value) -> Kind {
    if body.get("status").is_some() {
        let what = if body.get("typing_indicator").is_some() {
            "typing"
        } else {
            "read"
        };
        return Kind::with("send", Some(what));
    }
    Kind::with("send", body.get("type").and_then(Value::as_str))
}

/// Who a message was sent to, as the send named them.
#[derive(Clone)]
enum Recipient {
    /// `to`: a phone number, reported back as `wa_id` (its digits).
    Phone(String),
    /// `recipient`: a business-scoped user id.
    User(String),
}

struct Sent {
    recipient: Recipient,
    biz_opaque_callback_data: Option<Value>,
    /// The `conversation.id` of every status of this message: one message belongs to one
    /// conversation (wa-hook's ids are random; how Meta forms them is unknown).
    conversation_id: String,
}

/// Ids and what is known of each (messages sent by the app, and received from the customer).
type Remembered<T> = crate::providers::sends::Remembered<String, T>;

pub struct MetaEmulator {
    ids: IdSource,
    token: Option<SecretString>,
    base_url: String,
    sent: Remembered<Sent>,
    received: Remembered<()>,
    media: Store,
    templates: Option<templates::Templates>,
    window: Option<Duration>,
    /// When the customer last wrote (`say`), for `--window`.
    last_customer_message: Option<SystemTime>,
    /// `--throughput`, and when the sends of the last second were accepted.
    throughput: Option<u32>,
    recent_sends: VecDeque<SystemTime>,
    /// `--pair-interval`, and when each user was last sent a message.
    pair_interval: Option<Duration>,
    last_to: Remembered<SystemTime>,
    /// `--inject` rules, each with the sends it still applies to (`next=N`).
    injections: Vec<(Injection, u32)>,
    /// Valid message sends so far, for `every=N`.
    message_sends: u64,
}

/// An issue as `error_data.details`: the JSON pointer first (wa-hook's form: Meta's own for a
/// schema violation is unknown), then what was expected and found.
fn details(issue: &Issue) -> String {
    let pointer = if issue.pointer.is_empty() {
        "/"
    } else {
        &issue.pointer
    };
    format!("{pointer}: expected {}, found {}", issue.expected, issue.found)
}

/// Whether a path segment is a Graph API version: `v` and a number (`v26.0`, `v21`).
fn is_version(segment: &str) -> bool {
    segment.strip_prefix('v').is_some_and(|number| {
        let mut parts = number.splitn(2, '.');
        let digits = |text: &str| !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
        parts.next().is_some_and(digits) && parts.next().is_none_or(digits)
    })
}

fn unix_seconds(at: SystemTime) -> String {
    at.duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs()
        .to_string()
}

/// A Meta sample's body, parsed (they are embedded and valid: the registry test checks).
fn sample(name: &str) -> Value {
    crate::catalogue::find_sample(name)
        .and_then(|sample| serde_json::from_slice(sample.body).ok())
        .unwrap_or_else(|| panic!("the Meta sample {name} is embedded and JSON"))
}

/// The sample `name` as a webhook of the emulated business: its WABA id and its number's
/// metadata. The status samples, which every accepted send uses, are made once and copied.
fn webhook_from(name: &str) -> Value {
    static STATUSES: OnceLock<Vec<(&'static str, Value)>> = OnceLock::new();
    let statuses = STATUSES.get_or_init(|| {
        [
            "meta/status-sent",
            "meta/status-delivered",
            "meta/status-read",
            "meta/status-failed",
        ]
        .into_iter()
        .map(|name| (name, made_from(name)))
        .collect()
    });
    match statuses.iter().find(|(known, _)| *known == name) {
        Some((_, body)) => body.clone(),
        None => made_from(name),
    }
}

/// `statuses[0]` of a status webhook.
fn status_item(body: &mut Value) -> Option<&mut serde_json::Map<String, Value>> {
    super::batch::statuses_mut(body)?.get_mut(0)?.as_object_mut()
}

/// The webhook of `status` (`sent`, `delivered`, `read`, `failed`) as every status webhook
/// starts: the sample made the emulated business's ([`webhook_from`]), its `id`, `status` and
/// `timestamp` set, its recipient and its conversation's `expiration_timestamp` taken out
/// (in that order, as a map keeps its keys' places: the recipient added back goes last). Made
/// once per status; each webhook is a copy with this message's values ([`MetaEmulator::status_webhook`]).
fn status_template(status: &str) -> Option<&'static StatusTemplate> {
    static TEMPLATES: OnceLock<Vec<(&'static str, Option<StatusTemplate>)>> = OnceLock::new();
    let templates = TEMPLATES.get_or_init(|| {
        ["sent", "delivered", "read", "failed"]
            .into_iter()
            .map(|status| {
                let mut body = webhook_from(&format!("meta/status-{status}"));
                let made = status_item(&mut body).map(|item| {
                    item.insert("id".into(), "".into());
                    item.insert("status".into(), status.into());
                    item.insert("timestamp".into(), "".into());
                    item.remove("recipient_id");
                    item.remove("recipient_user_id");
                    item.remove("parent_recipient_user_id");
                    if let Some(conversation) =
                        item.get_mut("conversation").and_then(Value::as_object_mut)
                    {
                        conversation.insert("id".into(), "".into());
                        conversation.remove("expiration_timestamp");
                    }
                });
                let template = made.and_then(|()| StatusTemplate::of(body));
                (status, template)
            })
            .collect()
    });
    templates
        .iter()
        .find(|(known, _)| *known == status)
        .and_then(|(_, template)| template.as_ref())
}

/// A status template and the places, in its maps, of what each webhook sets: found once, so a
/// copy is filled in without looking its keys up again (each lookup hashes the key).
struct StatusTemplate {
    body: Value,
    /// The index of `entry` in the body, of `changes` in `entry[0]`, of `value` in
    /// `changes[0]`, of `statuses` in `value`.
    path: [usize; 4],
    /// The index of `id`, `timestamp` and `conversation` in `statuses[0]`, and of `id` in
    /// `conversation`.
    id: usize,
    timestamp: usize,
    conversation: Option<(usize, usize)>,
}

impl StatusTemplate {
    fn of(mut body: Value) -> Option<StatusTemplate> {
        let place = |map: &serde_json::Map<String, Value>, key: &str| {
            map.keys().position(|known| known == key)
        };
        let mut path = [0; 4];
        let mut at = &body;
        for (n, key) in ["entry", "changes", "value", "statuses"].into_iter().enumerate() {
            path[n] = place(at.as_object()?, key)?;
            at = &at[key];
            if key != "value" {
                at = at.get(0)?;
            }
        }
        let item = status_item(&mut body)?;
        let conversation = item.get("conversation").and_then(|conversation| {
            Some((
                place(item, "conversation")?,
                place(conversation.as_object()?, "id")?,
            ))
        });
        Some(StatusTemplate {
            id: place(item, "id")?,
            timestamp: place(item, "timestamp")?,
            conversation,
            path,
            body,
        })
    }

    /// `statuses[0]` of a copy of the template, by the places found.
    fn item<'a>(&self, body: &'a mut Value) -> Option<&'a mut serde_json::Map<String, Value>> {
        let [entry, changes, value, statuses] = self.path;
        let nth = |value: &'a mut Value, at: usize| value.as_object_mut()?.values_mut().nth(at);
        let entry = nth(body, entry)?.get_mut(0)?;
        let change = nth(entry, changes)?.get_mut(0)?;
        let value = nth(change, value)?;
        nth(value, statuses)?.get_mut(0)?.as_object_mut()
    }
}

/// Meta's success envelope for an accepted message send, written by hand (it is made for
/// every send): `{"messaging_product":"whatsapp","contacts":[{"input":…,"wa_id"|"user_id":…}],
/// "messages":[{"id":…,"message_status":"accepted"}]}`, byte for byte what serde_json writes
/// of that object (a test compares). `input` is the send's `to` (or `recipient`) as sent.
fn accepted_body(input: &Value, recipient: &Recipient, wamid: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(160 + wamid.len());
    out.extend_from_slice(br#"{"messaging_product":"whatsapp","contacts":[{"input":"#);
    match input {
        Value::String(text) => crate::escape::json_string(text, &mut out),
        other => serde_json::to_writer(&mut out, other).expect("a JSON value always encodes"),
    }
    match recipient {
        Recipient::Phone(digits) => crate::escape::member!(&mut out, "wa_id", text: digits),
        Recipient::User(user) => crate::escape::member!(&mut out, "user_id", text: user),
    }
    out.extend_from_slice(br#"}],"messages":[{"id":"#);
    crate::escape::json_string(wamid, &mut out);
    out.extend_from_slice(br#","message_status":"accepted"}]}"#);
    out
}

fn made_from(name: &str) -> Value {
    let mut body = sample(name);
    body["entry"][0]["id"] = WABA_ID.into();
    body["entry"][0]["changes"][0]["value"]["metadata"] = json!({
        "display_phone_number": DISPLAY_PHONE_NUMBER,
        "phone_number_id": PHONE_NUMBER_ID,
    });
    body
}


/// The status webhook of the message `wamid`, sent as `sent` says ([`MetaEmulator::status_webhook`]).
fn status_webhook_of(
    sent: &Sent,
    wamid: &str,
    status: &'static str,
    now: SystemTime,
    error: Option<Value>,
) -> Option<Webhook> {
    let template = status_template(status)?;
    let mut body = template.body.clone();
    let item = template.item(&mut body)?;
    // The template's own status is `status` already; its `id`, `timestamp` and conversation
    // id are set in their places, found once ([`StatusTemplate`]). Only the recipient (and
    // `errors`, `biz_opaque_callback_data` when the sample has none) is added, at the end,
    // as it was when the sample's own was taken out.
    *item.values_mut().nth(template.id)? = wamid.into();
    *item.values_mut().nth(template.timestamp)? = unix_seconds(now).into();
    match &sent.recipient {
        Recipient::Phone(phone) => item.insert("recipient_id".into(), phone.as_str().into()),
        Recipient::User(user_id) => {
            item.insert("recipient_user_id".into(), user_id.as_str().into())
        }
    };
    if let Some((conversation, id)) = template.conversation {
        if let Some(id) = item
            .values_mut()
            .nth(conversation)
            .and_then(Value::as_object_mut)
            .and_then(|conversation| conversation.values_mut().nth(id))
        {
            *id = sent.conversation_id.as_str().into();
        }
    }
    if let Some(error) = error {
        item.insert("errors".into(), json!([error]));
    }
    if let Some(opaque) = &sent.biz_opaque_callback_data {
        item.insert("biz_opaque_callback_data".into(), opaque.clone());
    }
    Some(Webhook::new(Some(status), body))
}

impl MetaEmulator {
    /// Every request is routed here: with `precheck` for a message send whose body was
    /// checked outside the lock ([`MetaSends::precheck`]).
    fn route(
        &mut self,
        request: &ApiRequest<'_>,
        precheck: Option<&Precheck>,
        now: SystemTime,
    ) -> ApiAnswer {
        let segments: Vec<&str> = request.path.split('/').filter(|s| !s.is_empty()).collect();
        if !self.authorized(request) {
            let what = if request.path == DOWNLOAD_PATH {
                "media:download"
            } else {
                "unauthorized"
            };
            return self.error(
                190,
                None,
                "the request has no bearer token, or not the one accepted (--token-env)",
                what,
            );
        }
        if request.path == DOWNLOAD_PATH || request.path == DOWNLOAD_PATH.trim_end_matches('/') {
            return match request.method {
                "GET" => self.download(request.query, now),
                _ => self.not_allowed(request),
            };
        }
        let rest = match segments.split_first() {
            Some((first, rest)) if is_version(first) => rest,
            _ => &segments[..],
        };
        match (request.method, rest) {
            ("POST", [id, "messages" | "marketing_messages"]) => {
                if *id != PHONE_NUMBER_ID {
                    return self.unknown_object(id, "send");
                }
                self.messages_edge(request, precheck, now)
            }
            ("POST", [id, "media"]) => {
                if *id != PHONE_NUMBER_ID {
                    return self.unknown_object(id, "media:upload");
                }
                self.upload(request)
            }
            ("GET", [id]) => self.media_url(id, now),
            ("DELETE", [id]) => self.delete_media(id),
            (_, [_, "messages" | "marketing_messages" | "media"] | [_]) => {
                self.not_allowed(request)
            }
            _ => {
                let body = errors::envelope(
                    100,
                    None,
                    &format!(
                        "{}: no such route in wa-hook's emulator (it serves /{{version}}/{{phone-number-id}}/messages, /media, /{{media-id}})",
                        request.path
                    ),
                    &mut self.ids,
                );
                json_answer(404, &body, "route:unknown", "not found")
            }
        }
    }

    fn error(&mut self, code: u32, subcode: Option<u32>, details: &str, what: &str) -> ApiAnswer {
        let body = errors::envelope(code, subcode, details, &mut self.ids);
        json_answer(errors::http_status(code), &body, what, format!("error {code}"))
    }

    /// `Authorization: Bearer <token>`: any non-empty token, or the one `--token-env` set.
    fn authorized(&self, request: &ApiRequest<'_>) -> bool {
        let Some(token) = request
            .header("authorization")
            .and_then(|value| {
                value
                    .split_once(' ')
                    .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            })
            .map(|(_, token)| token.trim())
            .filter(|token| !token.is_empty())
        else {
            return false;
        };
        self.token
            .as_ref()
            .is_none_or(|expected| bool::from(expected.expose().as_bytes().ct_eq(token.as_bytes())))
    }

    /// The status webhook of a sent message, from the sample of that status ([`status_template`]).
    fn status_webhook(
        &mut self,
        wamid: &str,
        status: &'static str,
        now: SystemTime,
        error: Option<Value>,
    ) -> Option<Webhook> {
        status_webhook_of(self.sent.get(wamid)?, wamid, status, now, error)
    }

    /// A message send: `precheck` is what [`MetaSends::precheck`] found of its body outside the
    /// lock (found here when `None`).
    fn messages_edge(
        &mut self,
        request: &ApiRequest<'_>,
        precheck: Option<&Precheck>,
        now: SystemTime,
    ) -> ApiAnswer {
        let found;
        let Precheck { body, issues } = if let Some(precheck) = precheck {
            precheck
        } else {
            found = precheck_body(request.body);
            &found
        };
        let body: &Value = match body {
            Ok(body) => body,
            Err(issue) => {
                let mut answer = self.error(100, None, &details(issue), "send:malformed");
                answer.checked = Some(vec![issue.clone()]);
                return answer;
            }
        };
        let what = send_kind(body).to_string();
        if let Some(first) = issues.first() {
            let text = details(first);
            let mut answer = self.error(100, None, &text, &what);
            answer.checked = Some(issues.clone());
            return answer;
        }
        let mut answer = if body.get("status").is_some() {
            self.status_update(body, &what)
        } else {
            self.accept(body, &what, now)
        };
        answer.checked = Some(Vec::new());
        answer
    }

    /// Mark as read (and typing): `{"success": true}` for a message the customer sent, no
    /// webhook; 131009 for any other id (SEND-APIS.md, Mark as read / typing).
    fn status_update(&mut self, body: &Value, what: &str) -> ApiAnswer {
        let message_id = body["message_id"].as_str().unwrap_or_default();
        if self.received.get(message_id).is_none() {
            return self.error(
                131_009,
                None,
                "message_id is not a message the customer sent to this number (wa-hook's wording)",
                what,
            );
        }
        json_answer(200, &json!({"success": true}), what, "success")
    }

    /// A valid message: Meta's success envelope, then `sent` and `delivered`.
    fn accept(&mut self, body: &Value, what: &str, now: SystemTime) -> ApiAnswer {
        let is_template = body.get("type").and_then(Value::as_str) == Some("template");
        let refusal = self
            .templates
            .as_ref()
            .filter(|_| is_template)
            .and_then(|templates| templates.check(&body["template"]));
        if let Some((code, details)) = refusal {
            return self.error(code, None, &details, what);
        }
        // Outside the customer-service window a free-form send is accepted, then fails
        // (131047, as a failed status: SEND-APIS.md, frappe_whatsapp#133).
        let outside_window = !is_template
            && self.window.is_some_and(|window| {
                self.last_customer_message.is_none_or(|last| {
                    now.duration_since(last).unwrap_or_default() > window
                })
            });
        if let Some(refused) = self.over_limits(body, what, now) {
            return refused;
        }
        let injected = self.take_injection();
        if let Some(code) = injected.filter(|code| !errors::fails_later(*code)) {
            let mut answer = self.error(code, None, "injected by wa-hook (--inject)", what);
            if code == 130_429 {
                answer.headers.push(("Retry-After".to_string(), "1".to_string()));
            }
            return answer;
        }
        let fails_with = injected.or(outside_window.then_some(131_047));
        let (recipient, input) = match (body.get("to"), body.get("recipient")) {
            (Some(to), _) => {
                let wa_id: String = match to.as_str() {
                    Some(text) => text.chars().filter(char::is_ascii_digit).collect(),
                    None => to.to_string().chars().filter(char::is_ascii_digit).collect(),
                };
                (Recipient::Phone(wa_id), to)
            }
            (None, Some(user)) => {
                let user_id = user.as_str().map_or_else(|| user.to_string(), str::to_string);
                (Recipient::User(user_id), user)
            }
            // The send schema requires one of them; said again rather than assumed.
            (None, None) => {
                return self.error(100, None, "/to: expected to or recipient, found nothing", what);
            }
        };
        let wamid = self.ids.wamid();
        let answer_body = accepted_body(input, &recipient, &wamid);
        let sent = Sent {
            recipient,
            biz_opaque_callback_data: body.get("biz_opaque_callback_data").cloned(),
            conversation_id: hex::encode(self.ids.next_u64().to_be_bytes()),
        };
        let mut answer = json_answer_written(200, answer_body, what, "accepted");
        // Made from `sent` before it is remembered (not looked up again by its wamid).
        answer.webhooks = if let Some(code) = fails_with {
            let error = errors::failed_status_error(code);
            status_webhook_of(&sent, &wamid, "failed", now, Some(error))
                .into_iter()
                .collect()
        } else {
            ["sent", "delivered"]
                .into_iter()
                .filter_map(|status| status_webhook_of(&sent, &wamid, status, now, None))
                .collect()
        };
        self.sent.insert(wamid, sent);
        answer
    }

    /// The code of the injection that takes this message send, if one does.
    fn take_injection(&mut self) -> Option<u32> {
        self.message_sends += 1;
        let sends = self.message_sends;
        let mut taken = None;
        for (injection, left) in &mut self.injections {
            let applies = if injection.every {
                sends.is_multiple_of(u64::from(injection.count))
            } else {
                *left > 0
            };
            if applies && taken.is_none() {
                if !injection.every {
                    *left -= 1;
                }
                taken = Some(injection.code);
            }
        }
        self.injections
            .retain(|(injection, left)| injection.every || *left > 0);
        taken
    }

    /// `--throughput` (130429, HTTP 429 with `Retry-After`: whaloc's design, not a Meta quote)
    /// and `--pair-interval` (131056, HTTP 400 as whaloc answers it): SEND-APIS.md, rate limits.
    /// A send that passes is counted.
    fn over_limits(&mut self, body: &Value, what: &str, now: SystemTime) -> Option<ApiAnswer> {
        if let Some(limit) = self.throughput {
            while self.recent_sends.front().is_some_and(|at| {
                now.duration_since(*at).unwrap_or_default() >= Duration::from_secs(1)
            }) {
                self.recent_sends.pop_front();
            }
            if self.recent_sends.len() >= limit as usize {
                let mut answer = self.error(
                    130_429,
                    None,
                    &format!("more than {limit} messages in one second (--throughput)"),
                    what,
                );
                answer.headers.push(("Retry-After".to_string(), "1".to_string()));
                return Some(answer);
            }
        }
        if let Some(interval) = self.pair_interval {
            let user = body
                .get("to")
                .or_else(|| body.get("recipient"))
                .map(|user| {
                    let text = user.as_str().map_or_else(|| user.to_string(), str::to_string);
                    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
                    if body.get("to").is_some() { digits } else { text }
                })
                .unwrap_or_default();
            let too_soon = self
                .last_to
                .get(&user)
                .is_some_and(|last| now.duration_since(*last).unwrap_or_default() < interval);
            if too_soon {
                return Some(self.error(
                    131_056,
                    None,
                    &format!(
                        "another message to {user} less than {} ago (--pair-interval)",
                        humantime::format_duration(interval)
                    ),
                    what,
                ));
            }
            self.last_to.insert(user, now);
        }
        if self.throughput.is_some() {
            self.recent_sends.push_back(now);
        }
        None
    }

    fn upload(&mut self, request: &ApiRequest<'_>) -> ApiAnswer {
        let what = "media:upload";
        let content_type = request.header("content-type").unwrap_or_default();
        let Some(upload) = media::parse_multipart(content_type, request.body) else {
            return self.error(
                100,
                None,
                "file: expected a multipart/form-data body with a file part",
                what,
            );
        };
        if self.media.bytes + upload.file.len() > media::STORE_MAX {
            return self.error(
                100,
                None,
                "file: wa-hook's emulator keeps at most 256 MiB of media at once; delete some",
                what,
            );
        }
        let mime_type = upload
            .type_field
            .or(upload.file_type)
            .unwrap_or_else(|| "application/octet-stream".to_string());
        let id = self.ids.number(15).to_string();
        self.media.bytes += upload.file.len();
        self.media
            .items
            .insert(id.clone(), Media::new(upload.file, mime_type));
        json_answer(200, &json!({"id": id}), what, "uploaded")
    }

    fn unknown_object(&mut self, id: &str, what: &str) -> ApiAnswer {
        self.error(
            100,
            Some(33),
            &format!("{id}: no such object (unknown id)"),
            what,
        )
    }

    fn media_url(&mut self, id: &str, now: SystemTime) -> ApiAnswer {
        let what = "media:url";
        let hash = self.ids.alphanumeric(32);
        let expires = now + media::URL_LIFETIME;
        let Some(item) = self.media.items.get_mut(id) else {
            return self.unknown_object(id, what);
        };
        item.urls.retain(|(_, until)| *until > now);
        item.urls.push((hash.clone(), expires));
        let url = format!(
            "{}{DOWNLOAD_PATH}?mid={id}&ext={}&hash={hash}",
            self.base_url,
            unix_seconds(expires)
        );
        let body = json!({
            "messaging_product": "whatsapp",
            "url": url,
            "mime_type": item.mime_type,
            "sha256": item.sha256,
            "file_size": item.bytes.len(),
            "id": id,
        });
        json_answer(200, &body, what, "success")
    }

    fn delete_media(&mut self, id: &str) -> ApiAnswer {
        match self.media.items.remove(id) {
            Some(item) => {
                self.media.bytes -= item.bytes.len();
                json_answer(200, &json!({"success": true}), "media:delete", "success")
            }
            None => self.unknown_object(id, "media:delete"),
        }
    }

    fn download(&mut self, query: &str, now: SystemTime) -> ApiAnswer {
        let what = "media:download";
        let param = |name: &str| {
            url::form_urlencoded::parse(query.as_bytes())
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.to_string())
        };
        let (Some(id), Some(hash)) = (param("mid"), param("hash")) else {
            return self.unknown_object("mid", what);
        };
        let valid = self.media.items.get(&id).is_some_and(|item| {
            item.urls
                .iter()
                .any(|(known, until)| *known == hash && *until > now)
        });
        if !valid {
            // What Meta answers for an expired URL is unknown: this 404 is wa-hook's.
            let body = errors::envelope(
                100,
                None,
                "the media URL is unknown or expired (URLs expire after 5 minutes; ask GET /{media-id} again)",
                &mut self.ids,
            );
            return json_answer(404, &body, what, "expired");
        }
        let item = &self.media.items[&id];
        ApiAnswer {
            status: 200,
            content_type: item.mime_type.clone(),
            body: item.bytes.clone(),
            headers: Vec::new(),
            what: what.to_string(),
            outcome: "success".to_string(),
            checked: None,
            webhooks: Vec::new(),
        }
    }

    fn say(&mut self, sample_name: &str, text: Option<&str>, now: SystemTime) -> CustomerEvent {
        let mut body = webhook_from(sample_name);
        if let Some(lifecycle) = Rules::lifecycle(&super::RULES) {
            lifecycle.refresh(&mut body, &mut self.ids, now);
        }
        let value = &mut body["entry"][0]["changes"][0]["value"];
        if let Some(contact) = value.pointer_mut("/contacts/0").and_then(Value::as_object_mut) {
            if contact.contains_key("wa_id") {
                contact.insert("wa_id".into(), CUSTOMER.into());
            }
            contact.insert("profile".into(), json!({"name": CUSTOMER_NAME}));
        }
        let message = value
            .pointer_mut("/messages/0")
            .and_then(Value::as_object_mut);
        let mut message_id = String::new();
        if let Some(message) = message {
            if message.contains_key("from") {
                message.insert("from".into(), CUSTOMER.into());
            }
            message.insert("timestamp".into(), unix_seconds(now).into());
            if let Some(text) = text {
                message.insert("text".into(), json!({"body": text}));
            }
            message_id = message
                .get("id")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
        }
        self.received.insert(message_id.clone(), ());
        self.last_customer_message = Some(now);
        CustomerEvent {
            message_id,
            webhook: Webhook::new(None, body),
        }
    }
}

impl Emulator for MetaEmulator {
    fn ids(&self) -> Vec<(&'static str, String)> {
        vec![
            ("phone_number_id", PHONE_NUMBER_ID.to_string()),
            ("waba_id", WABA_ID.to_string()),
            ("customer", CUSTOMER.to_string()),
        ]
    }

    fn setup_help(&self, base_url: &str) -> String {
        format!(
            "Point the app's Graph API base at {base_url} (any /vNN.N prefix; any bearer token \
             unless --token-env).\n\
             pywa (it has no base-URL option; re-point the httpx client it is given):\n  \
             session = httpx.Client()\n  \
             wa = WhatsApp(phone_id=\"{PHONE_NUMBER_ID}\", token=TOKEN, session=session)\n  \
             session.base_url = \"{base_url}/v26.0\"\n\
             whatsapp-api-js (give it a fetch that swaps the origin):\n  \
             const emulator = \"{base_url}\";\n  \
             new WhatsAppAPI({{ token, appSecret, v: \"v24.0\", ponyfill: {{ fetch: (url, o) => \
             {{ const u = new URL(url); return fetch(new URL(u.pathname + u.search, emulator), o); }} }} }});\n\
             The customer: wa-hook emulate say --emulator {base_url} 'Hello'"
        )
    }

    fn answer(&mut self, request: &ApiRequest<'_>, now: SystemTime) -> ApiAnswer {
        self.route(request, None, now)
    }

    fn answer_checked(
        &mut self,
        request: &ApiRequest<'_>,
        precheck: &Precheck,
        now: SystemTime,
    ) -> ApiAnswer {
        self.route(request, Some(precheck), now)
    }

    fn inject(&mut self, injection: Injection) -> Result<(), String> {
        if !errors::known(injection.code) {
            return Err(format!(
                "{} is not in wa-hook's table of Meta error codes (errors.json)",
                injection.code
            ));
        }
        self.injections.push((injection, injection.count));
        Ok(())
    }

    /// `--window` is measured from the customer's last message: moving it back closes the
    /// window as the time passing would.
    fn advance_clock(&mut self, by: Duration) -> Result<(), String> {
        if self.window.is_none() {
            return Err("the customer-service window is not checked: give the emulator --window (Meta's is 24h)".to_string());
        }
        self.last_customer_message = self
            .last_customer_message
            .map(|last| last.checked_sub(by).unwrap_or(SystemTime::UNIX_EPOCH));
        Ok(())
    }

    fn refusal(&mut self, status: u16, why: &str) -> ApiAnswer {
        // The table's codes for a server's trouble: 2 (service temporarily unavailable) for
        // "try again", 1 (unknown error) for other 5xx; 100 for what is wrong in the request.
        let code = match status {
            503 => 2,
            500..=599 => 1,
            _ => 100,
        };
        let body = errors::envelope(code, None, why, &mut self.ids);
        json_answer(status, &body, "refused", format!("refused {status}"))
    }

    fn customer(
        &mut self,
        action: &CustomerAction,
        now: SystemTime,
    ) -> Result<CustomerEvent, (u16, String)> {
        match action {
            CustomerAction::Say(text) => Ok(self.say("meta/message-text", Some(text), now)),
            CustomerAction::SayKind(kind) => {
                let name = crate::providers::sends::message_sample("meta", "Meta", kind)?;
                Ok(self.say(&name, None, now))
            }
            CustomerAction::React(wamid, emoji) => {
                if self.sent.get(wamid).is_none() {
                    return Err(unknown_message(wamid));
                }
                let mut event = self.say("meta/message-reaction", None, now);
                if let Some(reaction) = event
                    .webhook
                    .body
                    .pointer_mut("/entry/0/changes/0/value/messages/0/reaction")
                {
                    *reaction = json!({"message_id": wamid, "emoji": emoji});
                }
                Ok(event)
            }
            CustomerAction::Read(wamid) => {
                let webhook = self
                    .status_webhook(wamid, "read", now, None)
                    .ok_or_else(|| unknown_message(wamid))?;
                Ok(CustomerEvent {
                    message_id: wamid.clone(),
                    webhook,
                })
            }
            CustomerAction::Fail(wamid, code) => {
                if !errors::known(*code) {
                    return Err((
                        400,
                        format!("{code} is not in wa-hook's table of Meta error codes (errors.json)"),
                    ));
                }
                let error = errors::failed_status_error(*code);
                let webhook = self
                    .status_webhook(wamid, "failed", now, Some(error))
                    .ok_or_else(|| unknown_message(wamid))?;
                Ok(CustomerEvent {
                    message_id: wamid.clone(),
                    webhook,
                })
            }
        }
    }
}

impl MetaEmulator {
    fn not_allowed(&mut self, request: &ApiRequest<'_>) -> ApiAnswer {
        let body = errors::envelope(
            100,
            None,
            &format!(
                "{} {}: method not served by wa-hook's emulator",
                request.method, request.path
            ),
            &mut self.ids,
        );
        let mut answer = json_answer(405, &body, "route:method-not-allowed", "method not allowed");
        answer.headers.push(("Allow".to_string(), "GET, POST, DELETE".to_string()));
        answer
    }
}

fn unknown_message(wamid: &str) -> (u16, String) {
    (
        404,
        format!("{wamid} is not a message the app sent through this emulator"),
    )
}

/// How long a `--statuses` delay may be at most.
pub const MAX_STATUS_DELAY: Duration = Duration::from_secs(3600);

#[cfg(test)]
mod tests {
    use crate::validation::Verdict;
    use super::*;

    fn request<'a>(
        method: &'a str,
        path: &'a str,
        headers: &'a [(String, String)],
        body: &'a [u8],
    ) -> ApiRequest<'a> {
        ApiRequest {
            method,
            path,
            query: "",
            headers,
            body,
        }
    }

    fn emulator() -> Box<dyn Emulator> {
        MetaSends
            .emulator(EmulatorSetup {
                base_url: "http://127.0.0.1:1".to_string(),
                token: None,
                templates: None,
                window: None,
                throughput: None,
                pair_interval: None,
                injections: Vec::new(),
                seed: None,
            })
            .unwrap()
    }

    fn plain_emulator() -> MetaEmulator {
        MetaEmulator {
            ids: IdSource::seeded(1),
            token: None,
            base_url: "http://127.0.0.1:1".to_string(),
            sent: Remembered::default(),
            received: Remembered::default(),
            media: Store::default(),
            templates: None,
            window: None,
            last_customer_message: None,
            throughput: None,
            recent_sends: VecDeque::new(),
            pair_interval: None,
            last_to: Remembered::default(),
            injections: Vec::new(),
            message_sends: 0,
        }
    }

    fn bearer() -> Vec<(String, String)> {
        vec![("Authorization".to_string(), "Bearer t".to_string())]
    }

    /// A send checked outside the lock ([`MetaSends::precheck`], on the request's thread) is
    /// answered exactly as one checked under it: the same sends, prechecked concurrently on
    /// several threads and then answered in order, get byte for byte the answers and webhooks
    /// a seeded emulator gives them one by one.
    #[test]
    fn a_send_checked_outside_the_lock_gets_the_same_answer() {
        let headers = bearer();
        let templates = json!([{"name": "order_update", "language": "en_US",
            "status": "APPROVED", "components": [{"type": "BODY", "text": "Hi {{1}}"}]}]);
        let setup = || EmulatorSetup {
            base_url: "http://127.0.0.1:1".to_string(),
            token: None,
            templates: Some(templates.clone()),
            window: None,
            throughput: Some(10),
            pair_interval: None,
            injections: vec![Injection {
                code: 131_026,
                every: true,
                count: 4,
            }],
            seed: Some(7),
        };
        let bodies: Vec<Vec<u8>> = [
            json!({"messaging_product": "whatsapp", "to": "16505553921", "type": "text",
                "text": {"body": "hi"}}),
            json!({"messaging_product": "whatsapp", "to": "16505553921", "type": "text",
                "text": {}}),
            json!({"messaging_product": "whatsapp", "recipient": "US.13491208655302741918",
                "type": "text", "text": {"body": "by user id"}, "biz_opaque_callback_data": "x"}),
            json!({"messaging_product": "whatsapp", "to": "16505553921", "type": "template",
                "template": {"name": "order_update", "language": {"code": "en_US"},
                "components": [{"type": "body", "parameters": [{"type": "text", "text": "Ana"}]}]}}),
            json!({"messaging_product": "whatsapp", "to": "16505553921", "type": "template",
                "template": {"name": "nope", "language": {"code": "en_US"}}}),
            json!({"messaging_product": "whatsapp", "status": "read", "message_id": "wamid.x"}),
            json!({"messaging_product": "whatsapp", "to": "16505553921", "type": "interactive",
                "interactive": {"type": "button", "body": {"text": "Pick"}, "action": {"buttons": [
                {"type": "reply", "reply": {"id": "a", "title": "A"}},
                {"type": "reply", "reply": {"id": "a", "title": "A"}}]}}}),
        ]
        .iter()
        .map(|body| serde_json::to_vec(body).unwrap())
        .chain([b"{not json".to_vec()])
        .cycle()
        .take(40)
        .collect();
        let paths = ["/v26.0/106540352242922/messages", "/106540352242922/marketing_messages"];
        let path = |n: usize| paths[n % 2];
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let seen = |answer: ApiAnswer| {
            let webhooks: Vec<Value> = answer.webhooks.into_iter().map(|w| w.body).collect();
            (answer.status, answer.body, answer.what, answer.outcome, answer.checked, webhooks)
        };
        let mut one_by_one = MetaSends.emulator(setup()).unwrap();
        let expected: Vec<_> = bodies
            .iter()
            .enumerate()
            .map(|(n, body)| {
                seen(one_by_one.answer(&request("POST", path(n), &headers, body), now))
            })
            .collect();
        // Prechecked on four threads at once, each taking every fourth send.
        let mut prechecks: Vec<Option<Precheck>> = (0..bodies.len()).map(|_| None).collect();
        std::thread::scope(|scope| {
            let threads: Vec<_> = (0..4)
                .map(|thread| {
                    let (bodies, headers) = (&bodies, &headers);
                    scope.spawn(move || {
                        (thread..bodies.len())
                            .step_by(4)
                            .map(|n| {
                                let request = request("POST", path(n), headers, &bodies[n]);
                                (n, MetaSends.precheck(&request).expect("a message send"))
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            for thread in threads {
                for (n, precheck) in thread.join().unwrap() {
                    prechecks[n] = Some(precheck);
                }
            }
        });
        let mut checked_apart = MetaSends.emulator(setup()).unwrap();
        let answers: Vec<_> = prechecks
            .into_iter()
            .enumerate()
            .map(|(n, precheck)| {
                let request = request("POST", path(n), &headers, &bodies[n]);
                seen(checked_apart.answer_checked(&request, precheck.as_ref().unwrap(), now))
            })
            .collect();
        assert_eq!(answers, expected);
        let statuses: Vec<u16> = expected.iter().map(|answer| answer.0).collect();
        for status in [200, 400, 429] {
            assert!(statuses.contains(&status), "{status} in {statuses:?}");
        }
        // Only message sends are prechecked.
        for (method, path) in [
            ("POST", "/v26.0/106540352242922/media"),
            ("GET", "/v26.0/106540352242922/messages"),
            ("POST", "/v26.0/106540352242922/messages/x"),
            ("GET", "/v26.0/1234"),
        ] {
            assert!(MetaSends.precheck(&request(method, path, &headers, b"{}")).is_none(), "{path}");
        }
        assert!(messages_route("/106540352242922/messages"));
        assert!(!messages_route("/v26.0/messages"));
    }

    #[test]
    fn a_text_send_is_accepted_and_followed_by_sent_and_delivered() {
        let mut emulator = emulator();
        let headers = bearer();
        let body = br#"{"messaging_product":"whatsapp","to":"+1 650-555-3921","type":"text","text":{"body":"hi"},"biz_opaque_callback_data":"order-7"}"#;
        let answer = emulator.answer(
            &request("POST", "/v26.0/106540352242922/messages", &headers, body),
            SystemTime::now(),
        );
        assert_eq!(answer.status, 200);
        let parsed: Value = serde_json::from_slice(&answer.body).unwrap();
        assert_eq!(parsed["contacts"][0]["input"], "+1 650-555-3921");
        assert_eq!(parsed["contacts"][0]["wa_id"], "16505553921");
        let wamid = parsed["messages"][0]["id"].as_str().unwrap();
        assert_eq!(answer.webhooks.len(), 2);
        for (webhook, status) in answer.webhooks.iter().zip(["sent", "delivered"]) {
            let item = &webhook.body["entry"][0]["changes"][0]["value"]["statuses"][0];
            assert_eq!(item["status"], status);
            assert_eq!(item["id"], wamid);
            assert_eq!(item["biz_opaque_callback_data"], "order-7");
            let check = crate::validation::check_value(&webhook.body, &crate::validation::CheckOptions::default());
            assert_eq!(check.verdict, Verdict::Valid, "{:?}", check.errors);
        }
    }

    /// The success envelope written by hand is, byte for byte, what serde_json wrote of the
    /// object it was built as before: for `to` as a string (escapes, non-ASCII, formatted
    /// numbers) or an integer, and for a `recipient`.
    #[test]
    fn accepted_answers_are_the_json_they_were_byte_for_byte() {
        let wamid = "wamid.HBgL/MTY1MDU1NTM5MjEVAgARGBI+Q0E=";
        let inputs = [
            json!("16505553921"),
            json!("+1 631-555-1181"),
            json!("Olá \"quoted\" \\ \u{1}\n/👍"),
            json!(16_505_553_921_u64),
        ];
        for input in &inputs {
            let text = input.as_str().map_or_else(|| input.to_string(), str::to_string);
            let digits: String = text.chars().filter(char::is_ascii_digit).collect();
            let before = json!({
                "messaging_product": "whatsapp",
                "contacts": [{"input": input, "wa_id": digits}],
                "messages": [{"id": wamid, "message_status": "accepted"}],
            });
            assert_eq!(
                String::from_utf8(accepted_body(input, &Recipient::Phone(digits), wamid)).unwrap(),
                before.to_string()
            );
            let before = json!({
                "messaging_product": "whatsapp",
                "contacts": [{"input": input, "user_id": text}],
                "messages": [{"id": wamid, "message_status": "accepted"}],
            });
            assert_eq!(
                String::from_utf8(accepted_body(input, &Recipient::User(text), wamid)).unwrap(),
                before.to_string()
            );
        }
    }

    /// The status webhooks made from the templates are, byte for byte, what editing a copy of
    /// the sample for each webhook made (the way they were built before the templates).
    #[test]
    fn status_webhooks_are_the_samples_edited_byte_for_byte() {
        fn edited(sent: &Sent, wamid: &str, status: &str, now: SystemTime, error: Option<Value>) -> Value {
            let mut body = webhook_from(&format!("meta/status-{status}"));
            let item = body
                .pointer_mut("/entry/0/changes/0/value/statuses/0")
                .and_then(Value::as_object_mut)
                .unwrap();
            item.insert("id".into(), wamid.into());
            item.insert("status".into(), status.into());
            item.insert("timestamp".into(), unix_seconds(now).into());
            item.remove("recipient_id");
            item.remove("recipient_user_id");
            item.remove("parent_recipient_user_id");
            match &sent.recipient {
                Recipient::Phone(phone) => item.insert("recipient_id".into(), phone.clone().into()),
                Recipient::User(user) => item.insert("recipient_user_id".into(), user.clone().into()),
            };
            if let Some(conversation) = item.get_mut("conversation").and_then(Value::as_object_mut) {
                conversation.insert("id".into(), sent.conversation_id.clone().into());
                conversation.remove("expiration_timestamp");
            }
            if let Some(error) = error {
                item.insert("errors".into(), json!([error]));
            }
            if let Some(opaque) = sent.biz_opaque_callback_data.clone() {
                item.insert("biz_opaque_callback_data".into(), opaque);
            }
            body
        }
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_718_204_015);
        let recipients = [
            Recipient::Phone("16505553921".into()),
            Recipient::User("US.13491208655302741918".into()),
        ];
        for recipient in recipients {
            for opaque in [None, Some(json!("order-7")), Some(json!({"nested": [1, "x"]}))] {
                for status in ["sent", "delivered", "read", "failed"] {
                    let error = (status == "failed").then(|| errors::failed_status_error(131_047));
                    let sent = Sent {
                        recipient: match &recipient {
                            Recipient::Phone(phone) => Recipient::Phone(phone.clone()),
                            Recipient::User(user) => Recipient::User(user.clone()),
                        },
                        biz_opaque_callback_data: opaque.clone(),
                        conversation_id: "0123456789abcdef".into(),
                    };
                    let wamid = "wamid.HBgLMTY1MDU1NTM5MjEVAgARGBIzQUFBAA==";
                    let mut emulator = plain_emulator();
                    emulator.sent.insert(wamid.to_string(), sent);
                    let sent = emulator.sent.get(wamid).unwrap();
                    let expected = edited(sent, wamid, status, now, error.clone());
                    let status: &'static str = ["sent", "delivered", "read", "failed"]
                        .into_iter()
                        .find(|known| *known == status)
                        .unwrap();
                    let made = emulator.status_webhook(wamid, status, now, error).unwrap();
                    assert_eq!(
                        serde_json::to_string(&made.body).unwrap(),
                        serde_json::to_string(&expected).unwrap(),
                        "{status}"
                    );
                    assert_eq!(made.status, Some(status));
                }
            }
        }
    }

    #[test]
    fn routes_tokens_and_reads() {
        let mut emulator = emulator();
        let now = SystemTime::now();
        let none: Vec<(String, String)> = Vec::new();
        let unauthorized = emulator.answer(&request("POST", "/v1.0/1/messages", &none, b"{}"), now);
        assert_eq!(unauthorized.status, 401);
        let headers = bearer();
        let unknown = emulator.answer(&request("GET", "/a/b/c/d", &headers, b""), now);
        assert_eq!(unknown.status, 404);
        let read = br#"{"messaging_product":"whatsapp","status":"read","message_id":"wamid.X"}"#;
        let refused = emulator.answer(
            &request("POST", "/106540352242922/messages", &headers, read),
            now,
        );
        assert_eq!(refused.status, 400);
        assert!(String::from_utf8_lossy(&refused.body).contains("131009"));
        let said = emulator
            .customer(&CustomerAction::Say("hello".into()), now)
            .unwrap();
        let read = json!({"messaging_product": "whatsapp", "status": "read", "message_id": said.message_id});
        let read = serde_json::to_vec(&read).unwrap();
        let accepted = emulator.answer(
            &request("POST", "/v26.0/106540352242922/messages", &headers, &read),
            now,
        );
        assert_eq!(accepted.status, 200);
        assert!(accepted.webhooks.is_empty());
        let check = crate::validation::check_value(&said.webhook.body, &crate::validation::CheckOptions::default());
        assert_eq!(check.verdict, Verdict::Valid, "{:?}", check.errors);
    }

    #[test]
    fn versions_are_told_from_ids() {
        assert!(is_version("v26.0"));
        assert!(is_version("v21"));
        assert!(!is_version("106540352242922"));
        assert!(!is_version("v"));
        assert!(!is_version("v2.x"));
    }
}
