//! 99 Digital's WhatsApp API, emulated (`wa-hook emulate 99digital`): v1 `POST
//! /whatsapp/sendMessage`, v2 `POST /whatsapp/v2/sendMessage` and mark as read `POST
//! /whatsapp/v2/readStatus`, each checked against `schemas/sends/partner-send.json` and answered
//! with 99 Digital's `{"status": "OK" | "FAIL", ..., "reason": N}` (1 OK; 2 account, 3 apiKey,
//! 4 `to`, 5 text, 6 WhatsApp error, 7 no WhatsApp). Facts: ../shared/SEND-APIS.md and the pages
//! it names; the webhooks are the partner events of the seed (partner-webhook-api.txt), sent
//! when the test customer's side asks for them (`emulate say --kind event:whatsapp`). 99
//! Digital documents no delivery-status or inbound-message webhook in wa-hook's facts, so no
//! webhook follows a send. What is wa-hook's own choice is said where it is made and in
//! `emulate 99digital --help`.
//!
//! The apiKey travels in the body: [`Emulator::redacted`] keeps it out of the capture file, and
//! no answer, issue or line of output repeats it.
use std::time::{Duration, SystemTime};

use include_dir::{Dir, include_dir};
use serde_json::{Map, Value, json};
use subtle::ConstantTimeEq;

use crate::ids::IdSource;
use crate::providers::capabilities::{
    ApiAnswer, ApiRequest, CustomerAction, CustomerEvent, Emulator, EmulatorSetup, Injection,
    SendApi, Webhook,
};
use crate::providers::rules::Kind;
use crate::schemas::{Schema, SchemaSet};
use crate::secret::{REDACTED, SecretString};
use crate::validation::Check;
use crate::verdict::Issue;
use crate::providers::sends::json_answer;

mod conversation;

static SEND_DIR: Dir<'_> =
    include_dir!("$CARGO_MANIFEST_DIR/src/providers/partner/schemas/sends");
static SENDS: SchemaSet = SchemaSet::new("partner", &SEND_DIR);

/// The id of the send schema.
pub const SEND_SCHEMA: &str = "partner-send";

/// The emulated WhatsApp line (`from`): the number of wa-hook's `partner/event-whatsapp` sample.
const LINE: &str = "972501234567";
/// The test customer, who is taken to have written when the emulator started (`--window`).
const CUSTOMER: &str = "972529988776";

/// v1, v2 and mark as read: (path, the schema's `$defs` entry, what a request is called).
const ROUTES: [(&str, &str, &str); 3] = [
    ("/whatsapp/sendMessage", "v1", "send:v1"),
    ("/whatsapp/v2/sendMessage", "v2", "send:v2"),
    ("/whatsapp/v2/readStatus", "read", "send:read"),
];

/// The reason wa-hook answers where 99 Digital documents none (an unknown route, a v2 send
/// outside the window, a member the pages do not give a reason for): 0, which no page uses.
const UNDOCUMENTED_REASON: u32 = 0;

/// The partner events the seed documents with their keys, by kind (`event:whatsapp`).
const EVENT_SAMPLES: [(&str, &str); 3] = [
    ("event:whatsapp", "partner/event-whatsapp"),
    ("event:builder", "partner/event-builder"),
    ("event:online", "partner/event-online"),
];

/// # Panics
/// Never: the schema is embedded at build time and the unit tests read it.
pub fn send_schema() -> &'static Schema {
    SENDS
        .get(SEND_SCHEMA)
        .expect("src/providers/partner/schemas/sends/partner-send.json is embedded")
}

/// `SendApi` for 99 Digital.
pub struct PartnerSends;

impl SendApi for PartnerSends {
    fn emulator(&self, setup: EmulatorSetup) -> anyhow::Result<Box<dyn Emulator>> {
        if setup.templates.is_some() {
            anyhow::bail!(
                "99 Digital's template sends are not emulated: leave out --templates"
            );
        }
        if setup.throughput.is_some() || setup.pair_interval.is_some() {
            anyhow::bail!(
                "99 Digital documents no rate limit: leave out --throughput and --pair-interval"
            );
        }
        let mut emulator = PartnerEmulator {
            ids: setup.seed.map_or_else(IdSource::new, IdSource::seeded),
            token: setup.token,
            window: setup.window,
            started: SystemTime::now(),
            injections: Vec::new(),
            message_sends: 0,
        };
        for injection in setup.injections {
            emulator.inject(injection).map_err(anyhow::Error::msg)?;
        }
        Ok(Box::new(emulator))
    }

    fn check_send(&self, body: &Value) -> Check {
        let issues = issues(body, None);
        crate::providers::sends::send_check("partner", Kind::parse(send_kind(body)), SEND_SCHEMA, issues)
    }

    /// 99 Digital answers a refused send 200 with `"status": "FAIL"` and its reason.
    fn refusal_in(&self, answer: &Value) -> Option<String> {
        conversation::refusal_in(answer)
    }

    /// v1's `text`, v2's `body`; a `readStatus` sends no message.
    fn message_sent(&self, body: &Value, _answer: &Value) -> Option<crate::providers::SentMessage> {
        conversation::message_sent(body)
    }

    /// 99 Digital's delivery statuses are not in wa-hook's facts: no webhook follows a send.
    fn statuses_follow_sends(&self) -> bool {
        false
    }
}

/// What a body is, told by its members as the send schema tells them: `send:v1` (`text`),
/// `send:v2` (`body`, `replyTo` or `showRequest`), `send:read` (neither).
pub fn send_kind(body: &Value) -> &'static str {
    let has = |name: &str| body.get(name).is_some();
    if has("text") {
        "send:v1"
    } else if has("body") || has("replyTo") || has("showRequest") {
        "send:v2"
    } else {
        "send:read"
    }
}

/// Every issue of a body against the send schema (or one of its `$defs`, when the route is
/// known), the most specific first, with the apiKey's value never repeated.
fn issues(body: &Value, def: Option<&str>) -> Vec<Issue> {
    let schema = send_schema();
    let validator = match def {
        Some(def) => schema
            .part_validator(def, false)
            .expect("partner-send.json has $defs v1, v2 and read"),
        None => schema.validator(false),
    };
    let mut issues = crate::providers::sends::schema_issues(validator, body);
    // The whole body (an array, a string) or the apiKey itself would be repeated as found.
    let secrets: Vec<SecretString> = api_key_of(body).map(SecretString::new).into_iter().collect();
    let secrets: Vec<&SecretString> = secrets.iter().collect();
    for issue in &mut issues {
        let found = body.pointer(&issue.pointer);
        if issue.pointer.is_empty() || (issue.pointer.starts_with("/apiKey") && found.is_some()) {
            issue.found = format!(
                "{} {REDACTED}",
                crate::validation::json_type(found.unwrap_or(body))
            );
        }
        issue.found = crate::secret::scrub(&issue.found, &secrets);
    }
    issues.sort_by_key(|issue| std::cmp::Reverse(issue.pointer.matches('/').count()));
    issues.dedup_by(|a, b| a.pointer == b.pointer && a.expected == b.expected);
    issues
}

fn api_key_of(body: &Value) -> Option<String> {
    body.get("apiKey").and_then(Value::as_str).map(str::to_string)
}

/// The reason 99 Digital gives when the member at `pointer` is wrong: the schema's `x-reason`
/// (2 from, 3 apiKey, 4 to, 5 text / body); 2 for a body that is not a JSON object (the
/// mark-as-read page's "JSON syntax error"); [`UNDOCUMENTED_REASON`] for other members.
fn reason_of(def: &str, pointer: &str) -> u32 {
    let Some(member) = pointer.strip_prefix('/').map(|rest| rest.split('/').next().unwrap_or(rest))
    else {
        return 2;
    };
    let document = send_schema().parsed();
    let mut property = &document["$defs"][def]["properties"][member];
    if let Some(target) = property["$ref"].as_str().and_then(|r| r.strip_prefix("#/$defs/")) {
        property = &document["$defs"][target];
    }
    property["x-reason"]
        .as_u64()
        .and_then(|reason| u32::try_from(reason).ok())
        .unwrap_or(UNDOCUMENTED_REASON)
}

/// An issue as wa-hook's `wa_hook_details`: the JSON pointer, then what was expected and found.
fn details(issue: &Issue) -> String {
    let pointer = if issue.pointer.is_empty() {
        "/"
    } else {
        &issue.pointer
    };
    format!("{pointer}: expected {}, found {}", issue.expected, issue.found)
}

/// What each reason means (SEND-APIS.md; the mark-as-read page adds "or JSON syntax error" to 2).
fn meaning(reason: u32) -> &'static str {
    match reason {
        1 => "OK",
        2 => "WhatsApp account does not exist (or a JSON syntax error)",
        3 => "wrong apiKey",
        4 => "'to' is either empty or wrong number format",
        5 => "'text' can't be empty",
        6 => "WhatsApp error - try again",
        7 => "'to' number is valid, but doesn't have WhatsApp installed",
        _ => "no reason code of 99 Digital's applies (wa-hook's 0)",
    }
}

/// A `FAIL` answer: 99 Digital's `status` and `reason`, `from` and `to` as sent (when they are
/// strings), and wa-hook's `wa_hook_details` saying what is wrong (99 Digital gives no text).
fn fail(status: u16, reason: u32, body: &Value, details: &str, what: &str) -> ApiAnswer {
    let mut answer = Map::new();
    answer.insert("status".into(), "FAIL".into());
    for member in ["from", "to"] {
        if let Some(value) = body.get(member).filter(|value| value.is_string()) {
            answer.insert(member.into(), value.clone());
        }
    }
    answer.insert("reason".into(), reason.into());
    answer.insert("wa_hook_details".into(), details.into());
    json_answer(status, &Value::Object(answer), what, format!("FAIL reason {reason}"))
}

fn unix_seconds(at: SystemTime) -> u64 {
    at.duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs()
}

/// A partner sample's body, parsed (they are embedded and valid: the registry test checks).
fn sample(name: &str) -> Value {
    crate::catalogue::find_sample(name)
        .and_then(|sample| serde_json::from_slice(sample.body).ok())
        .unwrap_or_else(|| panic!("the partner sample {name} is embedded and JSON"))
}

pub struct PartnerEmulator {
    ids: IdSource,
    /// `--token-env`: the one apiKey accepted; any non-empty one when `None`.
    token: Option<SecretString>,
    /// `--window`: v2 sends more than this after the start (when the test customer is taken to
    /// have written) are refused.
    window: Option<Duration>,
    started: SystemTime,
    /// `--inject` rules, each with the sends it still applies to (`next=N`).
    injections: Vec<(Injection, u32)>,
    /// Valid message sends so far, for `every=N`.
    message_sends: u64,
}

impl PartnerEmulator {
    /// The apiKey is the one accepted: any non-empty one, or the one `--token-env` set.
    fn authorized(&self, api_key: &str) -> bool {
        !api_key.is_empty()
            && self.token.as_ref().is_none_or(|expected| {
                bool::from(expected.expose().as_bytes().ct_eq(api_key.as_bytes()))
            })
    }

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

    fn route(&mut self, def: &str, what: &str, bytes: &[u8], now: SystemTime) -> ApiAnswer {
        let body = match crate::validation::parse_json(bytes) {
            Ok(body) => body,
            Err(issue) => {
                let mut answer = fail(200, 2, &Value::Null, &details(&issue), what);
                answer.checked = Some(vec![issue]);
                return answer;
            }
        };
        let issues = issues(&body, Some(def));
        // The reason of the member at fault, lowest reason first (99 Digital's order of checks
        // is unknown; this follows the numbering), members without a reason last.
        let mut faults: Vec<(u32, String)> = issues
            .iter()
            .map(|issue| (reason_of(def, &issue.pointer), details(issue)))
            .collect();
        if let Some(from) = body.get("from").and_then(Value::as_str) {
            if from != LINE && issues.iter().all(|issue| issue.pointer != "/from") {
                faults.push((
                    2,
                    format!("/from: expected the emulated account {LINE}, found \"{}\"", crate::output::excerpt(from, 20)),
                ));
            }
        }
        if let Some(api_key) = body.get("apiKey").and_then(Value::as_str) {
            if !api_key.is_empty() && !self.authorized(api_key) {
                faults.push((3, "/apiKey: expected the apiKey --token-env names, found another".to_string()));
            }
        }
        faults.sort_by_key(|(reason, _)| if *reason == UNDOCUMENTED_REASON { u32::MAX } else { *reason });
        if let Some((reason, text)) = faults.first() {
            let mut answer = fail(200, *reason, &body, text, what);
            answer.checked = Some(issues);
            return answer;
        }
        let mut answer = match def {
            "read" => json_answer(
                200,
                &json!({"status": "OK", "reason": 1, "from": body["from"], "to": body["to"]}),
                what,
                "OK",
            ),
            _ => self.accept(def, &body, what, now),
        };
        answer.checked = Some(Vec::new());
        answer
    }

    /// A valid message send: `--window` (v2), then `--inject`, then 99 Digital's OK answer.
    fn accept(&mut self, def: &str, body: &Value, what: &str, now: SystemTime) -> ApiAnswer {
        if def == "v2" {
            if let Some(window) = self.window {
                if now.duration_since(self.started).unwrap_or_default() > window {
                    return fail(
                        200,
                        UNDOCUMENTED_REASON,
                        body,
                        &format!(
                            "outside the customer's 24 hours (--window {}): v2 sendMessage only answers within them; \
                             99 Digital says to use Send Template Message instead, and its own answer here is not documented",
                            crate::output::duration(window, crate::output::format::Notation::Measured)
                        ),
                        what,
                    );
                }
            }
        }
        if let Some(reason) = self.take_injection() {
            return fail(
                200,
                reason,
                body,
                &format!("injected by wa-hook (--inject): {}", meaning(reason)),
                what,
            );
        }
        let unique = self.ids.alphanumeric(22).to_ascii_lowercase();
        let mut answer = Map::new();
        answer.insert("status".into(), "OK".into());
        answer.insert("unique".into(), unique.into());
        if def == "v1" {
            answer.insert("text".into(), body["text"].clone());
        }
        answer.insert("timestamp".into(), unix_seconds(now).into());
        answer.insert("from".into(), body["from"].clone());
        answer.insert("to".into(), body["to"].clone());
        answer.insert("reason".into(), 1.into());
        let show = matches!(body.get("showRequest"), Some(Value::Bool(true)))
            || body.get("showRequest").and_then(Value::as_u64) == Some(1);
        if def == "v2" && show {
            let mut request = body.as_object().cloned().unwrap_or_default();
            request.remove("apiKey");
            answer.insert("request".into(), Value::Object(request));
        }
        json_answer(200, &Value::Object(answer), what, "OK")
    }

    /// A partner event of the seed, about the emulated line where it names one.
    fn event(&mut self, kind: &str) -> Option<Value> {
        let (_, name) = EVENT_SAMPLES.iter().find(|(known, _)| *known == kind)?;
        let mut body = sample(name);
        if let Some(event) = body.as_object_mut() {
            if event.contains_key("whatsapp") {
                event.insert("whatsapp".into(), LINE.into());
            }
            // The V2 apiKey of an onboarded line: a fresh one when any apiKey is accepted; left
            // out when --token-env names the one accepted, which never goes into a webhook (the
            // page says events carry "some of" their fields).
            if event.contains_key("whatsapp_apiKey") {
                if self.token.is_some() {
                    event.remove("whatsapp_apiKey");
                } else {
                    event.insert("whatsapp_apiKey".into(), self.ids.uuid().into());
                }
            }
        }
        Some(body)
    }
}

impl Emulator for PartnerEmulator {
    fn ids(&self) -> Vec<(&'static str, String)> {
        vec![("from", LINE.to_string()), ("customer", CUSTOMER.to_string())]
    }

    fn setup_help(&self, base_url: &str) -> String {
        format!(
            "Point the app's 99 Digital API base (https://api.99digital.co.il) at {base_url}:\n  \
             POST {base_url}/whatsapp/sendMessage        (v1) {{apiKey, from, to, text}}\n  \
             POST {base_url}/whatsapp/v2/sendMessage     (v2) {{apiKey, from, to, body, replyTo?, showRequest?}}\n  \
             POST {base_url}/whatsapp/v2/readStatus      {{apiKey, from, to}}\n\
             from: {LINE}; any non-empty apiKey unless --token-env. 99 Digital has no public client \
             on PyPI or npm to point here.\n\
             No webhook follows a send (99 Digital's delivery statuses are not in wa-hook's facts); \
             the partner events: wa-hook emulate say --emulator {base_url} --kind event:whatsapp \
             (or event:builder, event:online)."
        )
    }

    fn answer(&mut self, request: &ApiRequest<'_>, now: SystemTime) -> ApiAnswer {
        let path = request.path.trim_end_matches('/');
        let Some((_, def, what)) = ROUTES.iter().find(|(route, _, _)| *route == path) else {
            let body = json!({
                "status": "FAIL",
                "reason": UNDOCUMENTED_REASON,
                "wa_hook_details": format!(
                    "{}: no such route in wa-hook's emulator (it serves POST /whatsapp/sendMessage, \
                     /whatsapp/v2/sendMessage and /whatsapp/v2/readStatus)",
                    crate::output::excerpt(request.path, 80)
                ),
            });
            return json_answer(404, &body, "route:unknown", "not found");
        };
        if request.method != "POST" {
            let body = json!({
                "status": "FAIL",
                "reason": UNDOCUMENTED_REASON,
                "wa_hook_details": format!("{} {path}: 99 Digital's page says JSON via POST", request.method),
            });
            let mut answer = json_answer(405, &body, "route:method-not-allowed", "method not allowed");
            answer.headers.push(("Allow".to_string(), "POST".to_string()));
            return answer;
        }
        self.route(def, what, request.body, now)
    }

    fn inject(&mut self, injection: Injection) -> Result<(), String> {
        if !(2..=7).contains(&injection.code) {
            return Err(format!(
                "{} is not one of 99 Digital's sendMessage reasons 2 to 7 (1 is OK)",
                injection.code
            ));
        }
        self.injections.push((injection, injection.count));
        Ok(())
    }

    /// A busy emulator (503) is reason 6, "WhatsApp error - try again"; other refusals (a body
    /// over --max-body, one cut short) have no reason of 99 Digital's.
    fn refusal(&mut self, status: u16, why: &str) -> ApiAnswer {
        let reason = if status == 503 { 6 } else { UNDOCUMENTED_REASON };
        let body = json!({"status": "FAIL", "reason": reason, "wa_hook_details": why});
        json_answer(status, &body, "refused", format!("refused {status}"))
    }

    fn customer(
        &mut self,
        action: &CustomerAction,
        _now: SystemTime,
    ) -> Result<CustomerEvent, (u16, String)> {
        let kinds = EVENT_SAMPLES.map(|(kind, _)| kind).join(", ");
        match action {
            CustomerAction::SayKind(kind) => {
                let body = self.event(kind).ok_or_else(|| {
                    (
                        400,
                        format!("99 Digital's documented webhooks are the partner events {kinds}; not {kind}"),
                    )
                })?;
                Ok(CustomerEvent {
                    message_id: kind.clone(),
                    webhook: Webhook::new(None, body),
                })
            }
            CustomerAction::Say(_) => Err((
                400,
                format!(
                    "99 Digital's incoming-message webhook is not in wa-hook's facts (its seed documents \
                     the partner events only): say --kind {kinds}"
                ),
            )),
            CustomerAction::React(..) | CustomerAction::Read(_) | CustomerAction::Fail(..) => Err((
                400,
                "99 Digital documents no reaction, read or failed webhook in wa-hook's facts: \
                 nothing to send"
                    .to_string(),
            )),
        }
    }

    /// The apiKey (in a JSON body at any depth, a form body or the query) as `(redacted)`; in
    /// a body that is not JSON, every `"apiKey": ...` and `apiKey=...`; and the --token-env key
    /// wherever it appears.
    fn redacted(&self, request: &ApiRequest<'_>) -> Option<(Vec<u8>, String)> {
        let secrets: Vec<&SecretString> = self.token.iter().collect();
        let query = crate::secret::redact_query_param(request.query, "apiKey", REDACTED);
        let query = crate::secret::scrub(&query, &secrets);
        let text = if let Ok(mut value) = serde_json::from_slice::<Value>(request.body) {
            redact_members(&mut value, "apiKey");
            value.to_string()
        } else {
            let text = String::from_utf8_lossy(request.body);
            let text = crate::secret::redact_json_member(&text, "apiKey");
            crate::secret::redact_query_param(&text, "apiKey", REDACTED)
        };
        Some((crate::secret::scrub(&text, &secrets).into_bytes(), query))
    }
}

/// Every member called `name`, at any depth, set to `(redacted)` (a string) or `null` (any
/// other value: it stays of the wrong type for `validate`), as `secret::redact_json_member`
/// does in a body that is not JSON.
fn redact_members(value: &mut Value, name: &str) {
    match value {
        Value::Object(members) => {
            for (key, member) in members.iter_mut() {
                if key == name {
                    *member = if member.is_string() {
                        REDACTED.into()
                    } else {
                        Value::Null
                    };
                } else {
                    redact_members(member, name);
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                redact_members(item, name);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use crate::validation::Verdict;
    use super::*;

    fn emulator(token: Option<&str>, window: Option<Duration>) -> Box<dyn Emulator> {
        PartnerSends
            .emulator(EmulatorSetup {
                base_url: "http://127.0.0.1:1".to_string(),
                token: token.map(SecretString::new),
                templates: None,
                window,
                throughput: None,
                pair_interval: None,
                injections: Vec::new(),
                seed: Some(7),
            })
            .unwrap()
    }

    fn post(emulator: &mut Box<dyn Emulator>, path: &str, body: &Value) -> (ApiAnswer, Value) {
        let bytes = serde_json::to_vec(body).unwrap();
        let request = ApiRequest {
            method: "POST",
            path,
            query: "",
            headers: &[],
            body: &bytes,
        };
        let answer = emulator.answer(&request, SystemTime::now());
        let parsed = serde_json::from_slice(&answer.body).unwrap();
        (answer, parsed)
    }

    #[test]
    fn v1_v2_and_read_are_answered_as_documented() {
        let mut emulator = emulator(None, None);
        let (answer, body) = post(
            &mut emulator,
            "/whatsapp/sendMessage",
            &json!({"apiKey": "k-1", "from": LINE, "to": "9725001234567-157483929384", "text": "hi"}),
        );
        assert_eq!(answer.status, 200);
        assert_eq!(body["status"], "OK");
        assert_eq!(body["reason"], 1);
        assert_eq!(body["text"], "hi");
        assert_eq!(body["unique"].as_str().unwrap().len(), 22);
        assert!(body["timestamp"].is_u64());
        assert!(answer.checked.as_ref().is_some_and(Vec::is_empty));
        let (_, body) = post(
            &mut emulator,
            "/whatsapp/v2/sendMessage",
            &json!({"apiKey": "k-1", "from": LINE, "to": CUSTOMER, "body": "hi", "showRequest": 1}),
        );
        assert_eq!(body["status"], "OK");
        assert_eq!(body["request"]["body"], "hi");
        assert!(body["request"].get("apiKey").is_none());
        let (_, body) = post(
            &mut emulator,
            "/whatsapp/v2/readStatus",
            &json!({"apiKey": "k-1", "from": LINE, "to": CUSTOMER}),
        );
        assert_eq!(body, json!({"status": "OK", "reason": 1, "from": LINE, "to": CUSTOMER}));
    }

    #[test]
    fn each_wrong_member_gets_its_reason() {
        let mut emulator = emulator(Some("the-key"), None);
        let base = json!({"apiKey": "the-key", "from": LINE, "to": CUSTOMER, "text": "hi"});
        for (edit, value, reason) in [
            ("from", json!("972000000000"), 2),
            ("apiKey", json!("another-key"), 3),
            ("apiKey", json!(""), 3),
            ("to", json!("+972529988776"), 4),
            ("to", json!(""), 4),
            ("text", json!("  "), 5),
        ] {
            let mut send = base.clone();
            send[edit] = value;
            let (_, body) = post(&mut emulator, "/whatsapp/sendMessage", &send);
            assert_eq!(body["status"], "FAIL", "{edit}");
            assert_eq!(body["reason"], reason, "{edit}: {body}");
            assert!(!body.to_string().contains("another-key"), "{body}");
        }
        let mut missing = base.clone();
        missing.as_object_mut().unwrap().remove("text");
        let (answer, body) = post(&mut emulator, "/whatsapp/sendMessage", &missing);
        assert_eq!(body["reason"], 5);
        assert_eq!(answer.checked.unwrap()[0].pointer, "/text");
        // A group is v1's only.
        let (_, body) = post(
            &mut emulator,
            "/whatsapp/v2/sendMessage",
            &json!({"apiKey": "the-key", "from": LINE, "to": "9725001234567-157483929384", "body": "hi"}),
        );
        assert_eq!(body["reason"], 4);
    }

    #[test]
    fn window_and_injections() {
        let mut emulator = emulator(None, Some(Duration::from_millis(1)));
        std::thread::sleep(Duration::from_millis(5));
        let send = json!({"apiKey": "k", "from": LINE, "to": CUSTOMER, "body": "hi"});
        let (_, body) = post(&mut emulator, "/whatsapp/v2/sendMessage", &send);
        assert_eq!(body["status"], "FAIL");
        assert_eq!(body["reason"], UNDOCUMENTED_REASON);
        // v1 knows no window.
        let v1 = json!({"apiKey": "k", "from": LINE, "to": CUSTOMER, "text": "hi"});
        emulator.inject(Injection { code: 7, every: false, count: 1 }).unwrap();
        assert!(emulator.inject(Injection { code: 131_030, every: false, count: 1 }).is_err());
        let (_, body) = post(&mut emulator, "/whatsapp/sendMessage", &v1);
        assert_eq!(body["reason"], 7);
        let (_, body) = post(&mut emulator, "/whatsapp/sendMessage", &v1);
        assert_eq!(body["reason"], 1);
    }

    #[test]
    fn the_api_key_is_redacted_in_any_body() {
        let emulator = emulator(Some("s3cret-key"), None);
        for (body, query) in [
            (&br#"{"apiKey":"s3cret-key","from":"1"}"#[..], ""),
            (&br#"{"apiKey": "s3cret-key", "from": "#[..], ""),
            (&b"apiKey=s3cret-key&from=1"[..], "apiKey=s3cret-key"),
            (&br#"{"apiKey": 12345678, "x": 1"#[..], ""),
            (&br#"[{"n": {"apiKey": "s3cret-key"}}]"#[..], ""),
            (&br#"{"other": "s3cret-key"}"#[..], ""),
        ] {
            let request = ApiRequest {
                method: "POST",
                path: "/whatsapp/sendMessage",
                query,
                headers: &[],
                body,
            };
            let (body, query) = emulator.redacted(&request).unwrap();
            let body = String::from_utf8(body).unwrap();
            assert!(!body.contains("s3cret-key") && !body.contains("12345678"), "{body}");
            // A key that is not a string is `null`: still of the wrong type for `validate`.
            let marker = if body.contains("\"apiKey\": null") {
                "null"
            } else {
                REDACTED
            };
            assert!(body.contains(marker), "{body}");
            assert_eq!(
                body.contains("\"apiKey\": null"),
                request.body.starts_with(br#"{"apiKey": 1"#),
                "{body}"
            );
            assert!(!query.contains("s3cret-key"), "{query}");
        }
    }

    #[test]
    fn events_are_valid_partner_events() {
        let mut emulator = emulator(None, None);
        for (kind, _) in EVENT_SAMPLES {
            let event = emulator
                .customer(&CustomerAction::SayKind(kind.to_string()), SystemTime::now())
                .unwrap();
            let check = crate::validation::check_value(
                &event.webhook.body,
                &crate::validation::CheckOptions::default(),
            );
            assert_eq!(check.verdict, Verdict::Valid, "{kind}: {:?}", check.errors);
            assert_eq!(check.provider.map(crate::providers::Provider::id), Some("partner"));
            assert_eq!(check.kind.map(|k| k.to_string()).as_deref(), Some(kind));
        }
        assert!(emulator.customer(&CustomerAction::Say("hi".into()), SystemTime::now()).is_err());
        assert!(emulator.customer(&CustomerAction::Read("x".into()), SystemTime::now()).is_err());
    }

    #[test]
    fn check_send_tells_the_endpoints_apart() {
        let v1 = PartnerSends.check_send(&json!({"apiKey": REDACTED, "from": LINE, "to": CUSTOMER, "text": "hi"}));
        assert_eq!(v1.verdict, Verdict::Valid, "{:?}", v1.errors);
        let v2 = PartnerSends.check_send(&json!({"apiKey": REDACTED, "from": LINE, "to": CUSTOMER, "body": ""}));
        assert_eq!(v2.verdict, Verdict::Invalid);
        assert_eq!(v2.errors[0].pointer, "/body");
        assert_eq!(v2.kind.unwrap().to_string(), "send:v2");
        let read = PartnerSends.check_send(&json!({"apiKey": REDACTED, "from": LINE, "to": "+1"}));
        assert_eq!(read.errors[0].pointer, "/to");
    }
}
