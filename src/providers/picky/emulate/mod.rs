//! Picky Assist's send side, emulated (`wa-hook emulate picky`): the Push API
//! (`POST /api/v2/push`, V3's `/app/api/v2/push`, JSON or the "normal POST" `?data=JSON`), each
//! push checked against `schemas/sends/picky-push.json` ([`check`]) and answered with the
//! documented success body, then followed by delivery reports on the event webhook (event 1:
//! 4 submitted, 1 delivered; 3 read and 2 failed when the customer reads or the message fails),
//! built from wa-hook's own `picky/event-delivery-report` sample. The app's instant reply to a
//! message webhook is sent on as a message, with its reports. Facts come from
//! ../shared/SEND-APIS.md and PROVIDERS.md; Picky's error codes are not in them, so every error
//! answer here is wa-hook's own (said in `emulate picky --help`).
pub mod check;
pub mod conversation;

use std::borrow::Cow;
use std::time::SystemTime;

use anyhow::bail;
use serde_json::{Map, Value, json};
use subtle::ConstantTimeEq;

use crate::ids::IdSource;
use crate::providers::capabilities::{
    ApiAnswer, ApiRequest, CustomerAction, CustomerEvent, Destination, Emulator, EmulatorSetup,
    Injection, Lifecycle, SendApi, Webhook,
};
use crate::providers::rules::{Kind, Rules};
use crate::providers::shapes::{UNDELIVERABLE, value_text};
use crate::secret::SecretString;
use crate::validation::Check;
use crate::verdict::Issue;
use crate::providers::sends::{Remembered, json_answer, pointed};

/// The project of wa-hook's Picky samples, and its test customer (the number of
/// `picky/message-text`).
const PROJECT_ID: u64 = 14_192;
const CUSTOMER: &str = "919846012345";

/// The Push API's paths: V4's, and V3's under `/app`.
const PUSH_PATHS: [&str; 2] = ["/api/v2/push", "/app/api/v2/push"];

/// `credit` of each number in the answer: the documentation's sample value (what Picky charges
/// is the account's business, not documented per message).
const CREDIT: &str = "0.005";

/// Why `--inject` is refused: no error code of Picky's is known to inject.
const NO_CODES: &str = "Picky Assist's error codes are unknown (its documentation's \"Status & \
     Error Codes\" were not read into wa-hook's sources), so none can be injected";

/// `SendApi` for Picky Assist.
pub struct PickySends;

impl SendApi for PickySends {
    fn emulator(&self, setup: EmulatorSetup) -> anyhow::Result<Box<dyn Emulator>> {
        if setup.templates.is_some() {
            bail!("--templates: Picky Assist's Push API documents no templates; leave it out");
        }
        if setup.window.is_some() {
            bail!(
                "--window: no customer-service window is documented for Picky Assist's Push API; leave it out"
            );
        }
        if setup.throughput.is_some() {
            bail!("--throughput: Picky Assist documents no rate limit nor its answer; leave it out");
        }
        if setup.pair_interval.is_some() {
            bail!(
                "--pair-interval: Picky Assist documents no per-number limit nor its answer; leave it out"
            );
        }
        if !setup.injections.is_empty() {
            bail!("--inject: {NO_CODES}");
        }
        Ok(Box::new(PickyEmulator {
            ids: setup.seed.map_or_else(IdSource::new, IdSource::seeded),
            token: setup.token,
            sent: Remembered::default(),
        }))
    }

    /// A push, or an instant reply (a body with neither `token` nor `data` that Picky's rules
    /// claim as a reply), each against its schema.
    fn check_send(&self, body: &Value) -> Check {
        let (kind, schema, issues) = if is_reply(body) {
            ("reply", check::REPLY_SCHEMA, check::reply_issues(body))
        } else {
            ("push", check::PUSH_SCHEMA, check::push_issues(body))
        };
        let token = body.get("token").and_then(value_text);
        crate::providers::sends::send_check("picky", Kind::with("send", Some(kind)), schema, scrubbed(issues, token.as_deref()))
    }

    /// The normal POST form's JSON is the query's `data`; otherwise the body.
    fn sent_body<'a>(&self, body: &'a [u8], query: &str) -> Cow<'a, [u8]> {
        match query_data(query) {
            Some(data) => Cow::Owned(data.into_bytes()),
            None => Cow::Borrowed(body),
        }
    }

    fn events_webhook(&self) -> Option<&'static str> {
        Some("Picky Assist's event webhook (delivery reports)")
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

/// Whether a send body is an instant reply rather than a push.
fn is_reply(body: &Value) -> bool {
    let Some(object) = body.as_object() else {
        return false;
    };
    !object.contains_key("token")
        && !object.contains_key("data")
        && super::RULES
            .claim(object)
            .is_some_and(|claim| claim.kind.name() == "reply")
}

/// A message the emulator sent, as its delivery reports describe it.
struct Sent {
    push_id: u64,
    /// The number, as a JSON number when it is one (the event webhook's samples send numbers).
    number: Value,
    text: Option<String>,
    message_type: Option<&'static str>,
    media: Option<String>,
    reference_number: Value,
    channel_id: Value,
}

pub struct PickyEmulator {
    ids: IdSource,
    token: Option<SecretString>,
    /// Message ids and what is known of each (for the customer's `read` and `fail`).
    sent: Remembered<u64, Sent>,
}

/// Picky's answer form, `{"status", "message"}`: `status` is 100 for success; for an error
/// wa-hook puts the HTTP status there (Picky's own codes are unknown).
fn error(status: u16, message: &str, what: &str) -> ApiAnswer {
    json_answer(
        status,
        &json!({"status": status, "message": message}),
        what,
        format!("error {status}"),
    )
}

/// Issues with the token kept out: what was found at `/token` is never repeated, and the
/// token's text is scrubbed from the rest (an excerpt of the whole body, say).
fn scrubbed(issues: Vec<Issue>, token: Option<&str>) -> Vec<Issue> {
    let token = token.map(SecretString::new);
    issues
        .into_iter()
        .map(|mut issue| {
            if issue.pointer == "/token" {
                issue.found = crate::secret::REDACTED.to_string();
            }
            if let Some(token) = &token {
                issue.found = crate::secret::scrub(&issue.found, &[token]);
                issue.expected = crate::secret::scrub(&issue.expected, &[token]);
            }
            issue
        })
        .collect()
}

/// The JSON of the "normal POST" variant: the query's `data` parameter.
fn query_data(query: &str) -> Option<String> {
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(key, _)| key == "data")
        .map(|(_, value)| value.into_owned())
}

/// A Picky sample's body, parsed (they are embedded and valid: the registry test checks).
fn sample(name: &str) -> Value {
    crate::catalogue::find_sample(name)
        .and_then(|sample| serde_json::from_slice(sample.body).ok())
        .unwrap_or_else(|| panic!("the Picky sample {name} is embedded and JSON"))
}

/// A code (`application`) as a JSON number, when it is one.
fn as_number(value: &Value) -> Value {
    match value {
        Value::String(text) => text.parse::<u64>().map_or_else(|_| value.clone(), Value::from),
        other => other.clone(),
    }
}

/// The report's `message_type` of a message with this media URL: wa-hook's guess from the
/// file's extension (Picky documents the names, not how it chooses them).
fn message_type(media: Option<&str>) -> &'static str {
    let Some(url) = media else {
        return "Text";
    };
    let path = url.split(['?', '#']).next().unwrap_or_default();
    let extension = path
        .rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .unwrap_or_default();
    match extension.as_str() {
        "jpg" | "jpeg" | "png" | "gif" | "webp" => "Image",
        "mp3" | "ogg" | "opus" | "aac" | "amr" | "m4a" | "wav" => "Audio",
        "mp4" | "3gp" | "mov" => "Video",
        _ => "Document",
    }
}

fn nonempty_text(value: Option<&Value>) -> Option<String> {
    value
        .and_then(Value::as_str)
        .filter(|text| !text.is_empty())
        .map(str::to_string)
}

impl PickyEmulator {
    /// The token of a push: any non-empty one, or the one `--token-env` set.
    fn authorized(&self, token: Option<&str>) -> bool {
        let Some(token) = token.filter(|token| !token.is_empty()) else {
            return false;
        };
        self.token
            .as_ref()
            .is_none_or(|expected| bool::from(expected.expose().as_bytes().ct_eq(token.as_bytes())))
    }

    fn push(&mut self, request: &ApiRequest<'_>) -> ApiAnswer {
        let what = "send:push";
        let bytes = PickySends.sent_body(request.body, request.query);
        let body = match crate::validation::parse_json(&bytes) {
            Ok(body) => body,
            Err(issue) => {
                let mut refused = error(400, &pointed(&issue), "send:malformed");
                refused.checked = Some(vec![issue]);
                return refused;
            }
        };
        let token = body.get("token").and_then(value_text);
        let issues = scrubbed(check::push_issues(&body), token.as_deref());
        let mut answered = if !self.authorized(token.as_deref()) {
            let why = if token.as_deref().is_none_or(str::is_empty) {
                "/token: the API token is missing (Picky Assist takes it in the body, as \"token\")"
            } else {
                "/token: not the token accepted (--token-env)"
            };
            error(401, why, what)
        } else if let Some(first) = issues.first() {
            error(400, &pointed(first), what)
        } else {
            self.accept(&body, what)
        };
        answered.checked = Some(issues);
        answered
    }

    /// A valid push: Picky's success body, then a `submitted` and a `delivered` report for
    /// each number.
    fn accept(&mut self, body: &Value, what: &str) -> ApiAnswer {
        let push_id = self.ids.number(7);
        let global = nonempty_text(body.get("globalmessage"));
        let media = nonempty_text(body.get("globalmedia"));
        let channel_id = as_number(&body["application"]);
        let items = body["data"].as_array().map_or(&[][..], Vec::as_slice);
        let mut numbers = Vec::new();
        let mut msg_ids = Vec::new();
        for item in items {
            let number = item.get("number").and_then(value_text).unwrap_or_default();
            let msg_id = self.ids.number(8);
            let reference_number = item
                .get("reference_number")
                .or_else(|| body.get("reference_number"))
                .cloned()
                .unwrap_or(Value::Null);
            self.sent.insert(
                msg_id,
                Sent {
                    push_id,
                    number: as_number(&Value::String(number.clone())),
                    text: global.clone().or_else(|| nonempty_text(item.get("message"))),
                    message_type: Some(message_type(media.as_deref())),
                    media: media.clone(),
                    reference_number,
                    channel_id: channel_id.clone(),
                },
            );
            numbers.push(json!({"msg_id": msg_id.to_string(), "number": number, "credit": CREDIT}));
            msg_ids.push(msg_id);
        }
        let mut accepted = json_answer(
            200,
            &json!({
                "status": 100, "push_id": push_id.to_string(), "message": "Success", "data": numbers,
            }),
            what,
            "accepted",
        );
        accepted.webhooks = self.ladder(&msg_ids);
        accepted
    }

    /// The reports that follow a message accepted: `submitted` for each, then `delivered`.
    fn ladder(&self, msg_ids: &[u64]) -> Vec<Webhook> {
        ["submitted", "delivered"]
            .into_iter()
            .flat_map(|status| {
                msg_ids
                    .iter()
                    .filter_map(move |id| self.report(*id, status, None))
            })
            .collect()
    }

    /// A delivery report (event 1) of a message sent, on the event webhook.
    fn report(
        &self,
        msg_id: u64,
        status: &'static str,
        failure: Option<u32>,
    ) -> Option<Webhook> {
        let sent = self.sent.get(&msg_id)?;
        let mut body = sample("picky/event-delivery-report");
        let mut item = Map::new();
        item.insert("push_id".into(), sent.push_id.into());
        item.insert("number".into(), sent.number.clone());
        item.insert("msg_id".into(), msg_id.into());
        item.insert("reference_number".into(), sent.reference_number.clone());
        super::RULES.set_status(&mut item, status, SystemTime::now());
        if let Some(code) = failure.filter(|code| *code != UNDELIVERABLE) {
            item.insert("error_code".into(), code.into());
            item.insert(
                "error_message".into(),
                format!("Message failed ({code}; wa-hook's text)").into(),
            );
        }
        item.insert("message".into(), sent.text.clone().into());
        item.insert("message_type".into(), sent.message_type.into());
        item.insert("media".into(), sent.media.clone().into());
        item.insert("channel_id".into(), sent.channel_id.clone());
        body["project_id"] = PROJECT_ID.into();
        body["data"] = json!([item]);
        Some(Webhook {
            status: Some(status),
            body,
            destination: Destination::Events,
        })
    }

    /// The customer writes: the message webhook of the sample `name` (JSON method), from the
    /// test customer, in the emulated project, with a fresh `unique-id`.
    fn say(&mut self, name: &str, text: Option<&str>) -> CustomerEvent {
        let mut body = sample(name);
        super::RULES.refresh(&mut body, &mut self.ids, SystemTime::now());
        if let Some(object) = body.as_object_mut() {
            object.insert("number".into(), CUSTOMER.into());
            if let Some(project) = object.get_mut("project-id") {
                *project = match project {
                    Value::String(_) => PROJECT_ID.to_string().into(),
                    _ => PROJECT_ID.into(),
                };
            }
            if let Some(text) = text {
                let encoded: String = url::form_urlencoded::byte_serialize(text.as_bytes()).collect();
                object.insert("message-in".into(), encoded.into());
                object.insert("message_in_raw".into(), text.into());
            }
        }
        let message_id = body
            .get("unique-id")
            .and_then(value_text)
            .unwrap_or_default();
        CustomerEvent {
            message_id,
            webhook: Webhook::new(None, body),
        }
    }

    /// An instant reply the checks passed: sent to the customer who wrote, with its reports.
    fn send_reply(&mut self, reply: &Value, message: &Value) -> Vec<Webhook> {
        let msg_id = self.ids.number(8);
        let media = nonempty_text(reply.get("media-url"));
        let is_card = reply.get("contact").is_some()
            || reply.get("location").is_some()
            || reply.get("Location").is_some();
        self.sent.insert(
            msg_id,
            Sent {
                push_id: self.ids.number(7),
                number: as_number(&Value::String(
                    message.get("number").and_then(value_text).unwrap_or_default(),
                )),
                text: nonempty_text(reply.get("message-out")),
                message_type: (!is_card).then(|| message_type(media.as_deref())),
                media,
                reference_number: reply.get("reference_number").cloned().unwrap_or(Value::Null),
                channel_id: message.get("application").map_or(Value::Null, as_number),
            },
        );
        self.ladder(&[msg_id])
    }
}

impl Emulator for PickyEmulator {
    fn ids(&self) -> Vec<(&'static str, String)> {
        vec![
            ("project_id", PROJECT_ID.to_string()),
            ("customer", CUSTOMER.to_string()),
        ]
    }

    fn setup_help(&self, base_url: &str) -> String {
        format!(
            "Point the app's Push API URL at {base_url}/api/v2/push (V3's /app/api/v2/push too; \
             the normal POST form: {base_url}/api/v2/push?data=JSON). The token goes in the \
             body: any non-empty one unless --token-env.\n\
             Message webhooks go to --webhook (JSON method); delivery reports to the event \
             webhook (--events-webhook, else --webhook). A JSON answer to a message webhook is \
             an instant reply, sent on with its reports.\n\
             The customer: wa-hook emulate say --emulator {base_url} 'Hello'"
        )
    }

    fn answer(&mut self, request: &ApiRequest<'_>, _now: SystemTime) -> ApiAnswer {
        let path = request.path.trim_end_matches('/');
        if !PUSH_PATHS.contains(&path) {
            return error(
                404,
                &format!(
                    "{}: no such route in wa-hook's emulator (it serves POST /api/v2/push and /app/api/v2/push)",
                    request.path
                ),
                "route:unknown",
            );
        }
        if request.method != "POST" {
            let mut refused = error(
                405,
                &format!("{} {}: the Push API takes POST", request.method, request.path),
                "route:method-not-allowed",
            );
            refused
                .headers
                .push(("Allow".to_string(), "POST".to_string()));
            return refused;
        }
        self.push(request)
    }

    fn inject(&mut self, injection: Injection) -> Result<(), String> {
        let _ = injection;
        Err(NO_CODES.to_string())
    }

    fn refusal(&mut self, status: u16, why: &str) -> ApiAnswer {
        let mut refused = error(status, why, "refused");
        refused.outcome = format!("refused {status}");
        refused
    }

    fn customer(
        &mut self,
        action: &CustomerAction,
        _now: SystemTime,
    ) -> Result<CustomerEvent, (u16, String)> {
        match action {
            CustomerAction::Say(text) => Ok(self.say("picky/message-text", Some(text))),
            CustomerAction::SayKind(kind) => {
                let name = crate::providers::sends::message_sample("picky", "Picky Assist", kind)?;
                Ok(self.say(&name, None))
            }
            CustomerAction::React(..) => Err((
                400,
                "Picky Assist documents no reaction webhook: the customer can say, read and fail"
                    .to_string(),
            )),
            CustomerAction::Read(id) | CustomerAction::Fail(id, _) => {
                let (status, failure) = match action {
                    CustomerAction::Fail(_, code) => ("failed", Some(*code)),
                    _ => ("read", None),
                };
                let webhook = id
                    .trim()
                    .parse::<u64>()
                    .ok()
                    .and_then(|msg_id| self.report(msg_id, status, failure))
                    .ok_or_else(|| {
                        (
                            404,
                            format!(
                                "{id} is not a msg_id of a message the app sent through this emulator"
                            ),
                        )
                    })?;
                Ok(CustomerEvent {
                    message_id: id.trim().to_string(),
                    webhook,
                })
            }
        }
    }

    /// The push with its token replaced by `(redacted)`: in a JSON body, in the `data` of the
    /// normal POST form, and wherever its text appears.
    fn redacted(&self, request: &ApiRequest<'_>) -> Option<(Vec<u8>, String)> {
        let parsed = PickySends.sent_body(request.body, request.query);
        let token = serde_json::from_slice::<Value>(&parsed)
            .ok()
            .and_then(|body| body.get("token").and_then(value_text))
            .map(SecretString::new);
        let secrets: Vec<&SecretString> = token.iter().chain(self.token.iter()).collect();
        let redact = |text: &str| crate::secret::scrub(&crate::secret::redact_json_member(text, "token"), &secrets);
        let body = String::from_utf8_lossy(request.body);
        let body = if body.contains("token") || !secrets.is_empty() {
            let redacted = redact(&body);
            if redacted == body {
                request.body.to_vec()
            } else {
                redacted.into_bytes()
            }
        } else {
            request.body.to_vec()
        };
        let query = request
            .query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some(("data", _)) => {
                    let value = query_data(pair).unwrap_or_default();
                    let encoded: String =
                        url::form_urlencoded::byte_serialize(redact(&value).as_bytes()).collect();
                    format!("data={encoded}")
                }
                Some(("token", _)) => format!("token={}", crate::secret::REDACTED),
                _ => redact(pair),
            })
            .collect::<Vec<_>>()
            .join("&");
        (body != request.body || query != request.query).then_some((body, query))
    }

    /// A 200 to a message webhook with a body: Picky reads it as an instant reply (JSON, the
    /// `picky-reply` shape) and sends it to the customer; a body that is not JSON is not
    /// delivered. Other answers (a delivery report's, a non-200, an empty body) carry no reply.
    fn app_answered(
        &mut self,
        webhook: &Webhook,
        status: u16,
        body: &[u8],
        _now: SystemTime,
    ) -> Option<ApiAnswer> {
        let is_message = webhook.body.as_object().is_some_and(|object| {
            super::RULES
                .claim(object)
                .is_some_and(|claim| claim.kind.name() == "message")
        });
        if !is_message || status != 200 || body.iter().all(u8::is_ascii_whitespace) {
            return None;
        }
        let mut replied = json_answer(status, &Value::Null, "send:reply", "sent");
        replied.body = bytes::Bytes::new();
        match crate::validation::parse_json(body) {
            Err(issue) => {
                replied.outcome = "not delivered (not JSON)".to_string();
                replied.checked = Some(vec![issue]);
            }
            Ok(reply) => {
                let issues = check::reply_issues(&reply);
                if issues.is_empty() {
                    replied.webhooks = self.send_reply(&reply, &webhook.body);
                } else {
                    replied.outcome = "not sent (not a valid instant reply)".to_string();
                }
                replied.checked = Some(issues);
            }
        }
        Some(replied)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn emulator() -> Box<dyn Emulator> {
        PickySends
            .emulator(EmulatorSetup {
                base_url: "http://127.0.0.1:1".to_string(),
                token: None,
                templates: None,
                window: None,
                throughput: None,
                pair_interval: None,
                injections: Vec::new(),
                seed: Some(7),
            })
            .unwrap()
    }

    fn push(emulator: &mut Box<dyn Emulator>, body: &[u8], query: &str) -> ApiAnswer {
        emulator.answer(
            &ApiRequest {
                method: "POST",
                path: "/api/v2/push",
                query,
                headers: &[],
                body,
            },
            SystemTime::now(),
        )
    }

    fn valid(body: &Value) -> String {
        let check =
            crate::validation::check_value(body, &crate::validation::CheckOptions::default());
        format!("{} {}", check.verdict.word(), check.label())
    }

    #[test]
    fn a_push_is_answered_then_reported_on_the_event_webhook() {
        let mut emulator = emulator();
        let body = br#"{"token":"secret-token","application":"8","globalmessage":"","data":[{"number":"919846012345","message":"Hi"},{"number":35435304220,"message":"Yo"}]}"#;
        let answer = push(&mut emulator, body, "");
        assert_eq!(answer.status, 200);
        let parsed: Value = serde_json::from_slice(&answer.body).unwrap();
        assert_eq!(parsed["status"], 100);
        assert_eq!(parsed["message"], "Success");
        assert!(parsed["push_id"].is_string());
        assert_eq!(parsed["data"][1]["number"], "35435304220");
        assert_eq!(parsed["data"][0]["credit"], CREDIT);
        let statuses: Vec<(Value, Value)> = answer
            .webhooks
            .iter()
            .map(|webhook| {
                assert_eq!(webhook.destination, Destination::Events);
                assert_eq!(valid(&webhook.body), "valid picky event:delivery_report");
                let item = &webhook.body["data"][0];
                assert_eq!(item["push_id"].to_string(), parsed["push_id"].as_str().unwrap());
                (item["msg_id"].clone(), item["status"].clone())
            })
            .collect();
        let ids: Vec<u64> = parsed["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|item| item["msg_id"].as_str().unwrap().parse().unwrap())
            .collect();
        assert_eq!(
            statuses,
            [
                (ids[0].into(), 4.into()),
                (ids[1].into(), 4.into()),
                (ids[0].into(), 1.into()),
                (ids[1].into(), 1.into())
            ]
        );
    }

    #[test]
    fn the_token_is_checked_and_never_repeated() {
        let mut emulator = emulator();
        let missing = push(&mut emulator, br#"{"application":8,"globalmessage":"Hi","data":[{"number":1}]}"#, "");
        assert_eq!(missing.status, 401);
        let numeric = push(&mut emulator, br#"{"token":987654321,"application":8,"globalmessage":"Hi","data":[{"number":1}]}"#, "");
        assert_eq!(numeric.status, 400);
        let text = String::from_utf8(numeric.body.to_vec()).unwrap();
        assert!(text.contains("/token") && !text.contains("987654321"), "{text}");
        let issues = format!("{:?}", numeric.checked);
        assert!(!issues.contains("987654321"), "{issues}");
    }

    #[test]
    fn the_normal_post_form_reads_data_from_the_query() {
        let mut emulator = emulator();
        let json = r#"{"token":"tok-in-query","application":8,"globalmessage":"Hi","data":[{"number":"919846012345"}]}"#;
        let query: String = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("data", json)
            .finish();
        let answer = push(&mut emulator, b"", &query);
        assert_eq!(answer.status, 200, "{}", String::from_utf8_lossy(&answer.body));
        let request = ApiRequest {
            method: "POST",
            path: "/api/v2/push",
            query: &query,
            headers: &[],
            body: b"",
        };
        let (_, redacted) = emulator.redacted(&request).unwrap();
        assert!(!redacted.contains("tok-in-query"), "{redacted}");
        let data = query_data(&redacted).unwrap();
        let data: Value = serde_json::from_str(&data).unwrap();
        assert_eq!(data["token"], "(redacted)");
        assert_eq!(data["data"][0]["number"], "919846012345");
    }

    #[test]
    fn the_customer_says_and_the_webhook_is_pickys() {
        let mut emulator = emulator();
        let said = emulator
            .customer(&CustomerAction::Say("Hi, is it shipped?".into()), SystemTime::now())
            .unwrap();
        assert_eq!(said.webhook.body["message-in"], "Hi%2C+is+it+shipped%3F");
        assert_eq!(said.webhook.body["message_in_raw"], "Hi, is it shipped?");
        assert_eq!(said.webhook.body["unique-id"], said.message_id.as_str());
        assert_eq!(valid(&said.webhook.body), "valid picky message:text");
        for kind in ["message:contacts", "message:location", "message:button_reply", "message:list_reply", "message:media", "message:referral"] {
            let event = emulator
                .customer(&CustomerAction::SayKind(kind.into()), SystemTime::now())
                .unwrap();
            assert_eq!(valid(&event.webhook.body), format!("valid picky {kind}"));
            assert_eq!(event.webhook.body["number"], CUSTOMER);
        }
        assert!(emulator
            .customer(&CustomerAction::React("1".into(), "x".into()), SystemTime::now())
            .is_err());
    }
}
