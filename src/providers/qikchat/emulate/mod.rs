//! Qikchat's send side, emulated (`wa-hook emulate qikchat`): `POST /v1/messages` with the
//! `QIKCHAT-API-KEY` header, each send checked against `schemas/sends/qikchat-send.json`
//! ([`check`]), answered with Qikchat's documented success envelope (`{"status": true,
//! "message": "Messages queued successfully", "data": [{id, …, "status": "queued"}]}`), and
//! followed by the status callbacks Qikchat sends (`whatsapp:message:status`: sent, delivered,
//! then read when the customer reads), built from wa-hook's own Qikchat samples. Facts come
//! from ../shared/SEND-APIS.md ("Qikchat send API") and the seed; Qikchat's error answers are
//! not documented, so every refusal here is wa-hook's choice, said in `emulate qikchat --help`.
pub mod check;
pub mod conversation;

use std::time::{Duration, SystemTime};

use serde_json::{Value, json};
use subtle::ConstantTimeEq;

use crate::ids::IdSource;
use crate::providers::capabilities::{
    ApiAnswer, ApiRequest, CustomerAction, CustomerEvent, Emulator, EmulatorSetup, Injection,
    SendApi, Webhook,
};
use crate::providers::rules::{Kind, Rules};
use crate::providers::sends::{Remembered, json_answer, pointed};
use crate::secret::SecretString;
use crate::validation::Check;

/// The business number of wa-hook's Qikchat samples (an inbound message's `contacts[].to`),
/// digits only as the send answer's `from` is written.
const BUSINESS_NUMBER: &str = "917906543210";
/// The test customer of wa-hook's Qikchat samples (`message.from`, `profile.name`).
const CUSTOMER: &str = "918451276390";
const CUSTOMER_NAME: &str = "Siva Kumar";

/// The one route of Qikchat's send API (`https://api.qikchat.in/v1/messages`).
const MESSAGES_PATH: &str = "/v1/messages";
/// The header that carries the API key.
const KEY_HEADER: &str = "QIKCHAT-API-KEY";
/// The length of Qikchat's message ids (`52JH6WmuSruAVyXvBBYemd0Ia`, the documented example).
const ID_LENGTH: usize = 25;


/// Why `--inject` (and `/_wa-hook/inject`) has nothing to inject.
const NO_CODES: &str =
    "Qikchat documents no error codes (its error answers are unknown): there is nothing to inject";

/// `SendApi` for Qikchat.
pub struct QikchatSends;

impl SendApi for QikchatSends {
    /// Refuses the flags Qikchat's documentation gives nothing to emulate with, each with why.
    fn emulator(&self, setup: EmulatorSetup) -> anyhow::Result<Box<dyn Emulator>> {
        if setup.templates.is_some() {
            anyhow::bail!(
                "Qikchat's template send is not documented in the pages wa-hook read, so \
                 templates cannot be checked: leave out --templates"
            );
        }
        if setup.throughput.is_some() {
            anyhow::bail!("Qikchat documents no throughput limit: leave out --throughput");
        }
        if setup.pair_interval.is_some() {
            anyhow::bail!(
                "Qikchat documents no limit per recipient: leave out --pair-interval"
            );
        }
        if !setup.injections.is_empty() {
            anyhow::bail!("{NO_CODES}; leave out --inject");
        }
        Ok(Box::new(QikchatEmulator {
            ids: setup.seed.map_or_else(IdSource::new, IdSource::seeded),
            key: setup.token,
            sent: Sent::default(),
            window: setup.window,
            last_customer_message: None,
        }))
    }

    fn check_send(&self, body: &Value) -> Check {
        let issues = check::issues(body);
        crate::providers::sends::send_check("qikchat", send_kind(body), check::SEND_SCHEMA, issues)
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

/// A send's kind: `send:text`, `send:image`, `send:template`.
pub fn send_kind(body: &Value) -> Kind {
    Kind::with("send", body.get("type").and_then(Value::as_str))
}

/// The messages the app sent, by id, each with its `to_contact` as sent.
type Sent = Remembered<String, String>;

pub struct QikchatEmulator {
    ids: IdSource,
    /// `--token-env`: the one API key accepted; any non-empty one when `None`.
    key: Option<SecretString>,
    sent: Sent,
    /// `--window`, and when the customer last wrote (`say`, `react`).
    window: Option<Duration>,
    last_customer_message: Option<SystemTime>,
}

/// A refusal: Qikchat's error answers are not documented, so this is wa-hook's, shaped like
/// the documented success envelope (`status` false, the reason in `message`).
fn refused(status: u16, message: &str, what: impl Into<String>) -> ApiAnswer {
    json_answer(
        status,
        &json!({"status": false, "message": message}),
        what,
        format!("refused {status}"),
    )
}

/// A Qikchat sample's body, parsed (they are embedded and valid: the registry test checks).
fn sample(name: &str) -> Value {
    crate::catalogue::find_sample(name)
        .and_then(|sample| serde_json::from_slice(sample.body).ok())
        .unwrap_or_else(|| panic!("the Qikchat sample {name} is embedded and JSON"))
}

fn unknown_message(id: &str) -> (u16, String) {
    (
        404,
        format!("{id} is not a message the app sent through this emulator"),
    )
}

impl QikchatEmulator {
    /// `QIKCHAT-API-KEY`: any non-empty key, or the one `--token-env` set.
    fn authorized(&self, request: &ApiRequest<'_>) -> bool {
        let Some(key) = request
            .header(KEY_HEADER)
            .map(str::trim)
            .filter(|key| !key.is_empty())
        else {
            return false;
        };
        self.key
            .as_ref()
            .is_none_or(|expected| bool::from(expected.expose().as_bytes().ct_eq(key.as_bytes())))
    }

    /// A status callback about a message the app sent, from the sample of that status: `from`
    /// the business number, `to` the recipient as the send named it (which number Qikchat puts
    /// in each is not documented; these mirror the send answer's `from` and `recipient`).
    fn status_webhook(&self, id: &str, status: &'static str, now: SystemTime) -> Option<Webhook> {
        let recipient = self.sent.get(id).map(String::as_str)?;
        let mut body = sample(&format!("qikchat/status-{status}"));
        let payload = body.get_mut("payload").and_then(Value::as_object_mut)?;
        payload.insert("id".into(), id.into());
        payload.insert("from".into(), BUSINESS_NUMBER.into());
        payload.insert("to".into(), recipient.into());
        crate::providers::Lifecycle::set_status(&super::RULES, payload, status, now);
        Some(Webhook::new(Some(status), body))
    }

    fn messages(&mut self, request: &ApiRequest<'_>, now: SystemTime) -> ApiAnswer {
        let body: Value = match crate::validation::parse_json(request.body) {
            Ok(body) => body,
            Err(issue) => {
                let mut answer = refused(400, &pointed(&issue), "send:malformed");
                answer.checked = Some(vec![issue]);
                return answer;
            }
        };
        let what = send_kind(&body).to_string();
        let issues = check::issues(&body);
        let mut answer = match issues.first() {
            Some(first) => refused(400, &pointed(first), &what),
            None => self.accept(&body, &what, now),
        };
        answer.checked = Some(issues);
        answer
    }

    /// A valid send: the documented success envelope with a fresh id, then `sent` and
    /// `delivered`; outside `--window` a free-form send is queued, then `failed`.
    fn accept(&mut self, body: &Value, what: &str, now: SystemTime) -> ApiAnswer {
        let recipient = body["to_contact"].as_str().unwrap_or_default().to_string();
        let id = self.ids.alphanumeric(ID_LENGTH);
        self.sent.insert(id.clone(), recipient.clone());
        let answer_body = json!({
            "status": true,
            "message": "Messages queued successfully",
            "data": [{
                "id": id,
                "channel": "whatsapp",
                "from": BUSINESS_NUMBER,
                "recipient": recipient,
                "created_at": crate::providers::shapes::iso_time(now),
                "status": "queued",
            }],
        });
        // "You can only send a text message up until 24 hours after receiving a message from
        // the user" (text and media pages); a template is how to write outside it. Whether
        // Qikchat refuses such a send or fails it later is unknown: it is queued, then failed,
        // as Meta, whose API Qikchat fronts, does.
        let is_template = body["type"] == "template";
        let outside_window = !is_template
            && self.window.is_some_and(|window| {
                self.last_customer_message
                    .is_none_or(|last| now.duration_since(last).unwrap_or_default() > window)
            });
        let (statuses, outcome): (&[&'static str], _) = if outside_window {
            (&["failed"], "accepted, then failed (outside --window)")
        } else {
            (&["sent", "delivered"], "accepted")
        };
        let mut answer = json_answer(200, &answer_body, what, outcome);
        answer.webhooks = statuses
            .iter()
            .filter_map(|status| self.status_webhook(&id, status, now))
            .collect();
        answer
    }

    /// The customer writes: the sample `name` (an inbound message) with fresh ids and times,
    /// from the test customer to the business number.
    fn say(&mut self, name: &str, now: SystemTime) -> CustomerEvent {
        let mut body = sample(name);
        if let Some(lifecycle) = Rules::lifecycle(&super::RULES) {
            lifecycle.refresh(&mut body, &mut self.ids, now);
        }
        let payload = &mut body["payload"];
        if let Some(contact) = payload
            .pointer_mut("/contacts/0")
            .and_then(Value::as_object_mut)
        {
            contact.insert("profile".into(), json!({"name": CUSTOMER_NAME}));
            contact.insert("to".into(), format!("+{BUSINESS_NUMBER}").into());
        }
        if let Some(message) = payload.get_mut("message").and_then(Value::as_object_mut) {
            message.insert("from".into(), CUSTOMER.into());
        }
        let message_id = payload["id"].as_str().unwrap_or_default().to_string();
        self.last_customer_message = Some(now);
        CustomerEvent {
            message_id,
            webhook: Webhook::new(None, body),
        }
    }
}

impl Emulator for QikchatEmulator {
    fn ids(&self) -> Vec<(&'static str, String)> {
        vec![
            ("business_number", BUSINESS_NUMBER.to_string()),
            ("customer", CUSTOMER.to_string()),
        ]
    }

    fn setup_help(&self, base_url: &str) -> String {
        let key = if self.key.is_some() {
            "the key --token-env names"
        } else {
            "any non-empty key"
        };
        format!(
            "Point the app's Qikchat API base (https://api.qikchat.in) at {base_url}: it takes \
             POST {base_url}{MESSAGES_PATH} with a {KEY_HEADER} header ({key}).\n\
             No public Qikchat client library was found on PyPI or npm: the app calls the API \
             with its own HTTP client, e.g.\n  \
             curl -H '{KEY_HEADER}: KEY' -H 'Content-Type: application/json' \
             -d '{{\"to_contact\": \"+{CUSTOMER}\", \"type\": \"text\", \"text\": {{\"body\": \"Hi\"}}}}' \
             {base_url}{MESSAGES_PATH}\n\
             The customer: wa-hook emulate say --emulator {base_url} 'Hello'"
        )
    }

    fn answer(&mut self, request: &ApiRequest<'_>, now: SystemTime) -> ApiAnswer {
        if !self.authorized(request) {
            return refused(
                401,
                "the QIKCHAT-API-KEY header is missing, empty or not the key accepted (--token-env)",
                "unauthorized",
            );
        }
        let path = request.path.trim_end_matches('/');
        match (request.method, path) {
            ("POST", MESSAGES_PATH) => self.messages(request, now),
            (_, MESSAGES_PATH) => {
                let mut answer = refused(
                    405,
                    &format!("{} {MESSAGES_PATH}: only POST is served", request.method),
                    "route:method-not-allowed",
                );
                answer.headers.push(("Allow".to_string(), "POST".to_string()));
                answer
            }
            _ => refused(
                404,
                &format!(
                    "{}: no such route in wa-hook's Qikchat emulator (it serves POST {MESSAGES_PATH})",
                    request.path
                ),
                "route:unknown",
            ),
        }
    }

    fn inject(&mut self, _injection: Injection) -> Result<(), String> {
        Err(NO_CODES.to_string())
    }

    fn refusal(&mut self, status: u16, why: &str) -> ApiAnswer {
        refused(status, why, "refused")
    }

    fn customer(
        &mut self,
        action: &CustomerAction,
        now: SystemTime,
    ) -> Result<CustomerEvent, (u16, String)> {
        match action {
            CustomerAction::Say(text) => {
                let mut event = self.say("qikchat/message-text", now);
                event.webhook.body["payload"]["message"]["text"] = json!({"body": text});
                Ok(event)
            }
            CustomerAction::SayKind(kind) => {
                let name = crate::providers::sends::message_sample("qikchat", "Qikchat", kind)?;
                Ok(self.say(&name, now))
            }
            // Inbound types beyond text and image follow Meta's shapes (PROVIDERS.md): a
            // reaction names the message reacted to by the id the send was answered with.
            CustomerAction::React(id, emoji) => {
                if self.sent.get(id).map(String::as_str).is_none() {
                    return Err(unknown_message(id));
                }
                let mut event = self.say("qikchat/message-text", now);
                if let Some(message) = event
                    .webhook
                    .body
                    .pointer_mut("/payload/message")
                    .and_then(Value::as_object_mut)
                {
                    message.remove("text");
                    message.insert("type".into(), "reaction".into());
                    message.insert(
                        "reaction".into(),
                        json!({"message_id": id, "emoji": emoji}),
                    );
                }
                Ok(event)
            }
            CustomerAction::Read(id) => Ok(CustomerEvent {
                message_id: id.clone(),
                webhook: self
                    .status_webhook(id, "read", now)
                    .ok_or_else(|| unknown_message(id))?,
            }),
            // Qikchat's status callbacks document no error: the code is not carried.
            CustomerAction::Fail(id, _code) => Ok(CustomerEvent {
                message_id: id.clone(),
                webhook: self
                    .status_webhook(id, "failed", now)
                    .ok_or_else(|| unknown_message(id))?,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::validation::Verdict;
    use super::*;
    use crate::validation::CheckOptions;

    fn setup() -> EmulatorSetup {
        EmulatorSetup {
            base_url: "http://127.0.0.1:1".to_string(),
            token: None,
            templates: None,
            window: None,
            throughput: None,
            pair_interval: None,
            injections: Vec::new(),
            seed: Some(7),
        }
    }

    fn send(emulator: &mut dyn Emulator, key: &str, body: &Value, now: SystemTime) -> ApiAnswer {
        let headers = vec![(KEY_HEADER.to_string(), key.to_string())];
        let bytes = serde_json::to_vec(body).unwrap();
        emulator.answer(
            &ApiRequest {
                method: "POST",
                path: MESSAGES_PATH,
                query: "",
                headers: &headers,
                body: &bytes,
            },
            now,
        )
    }

    /// wa-hook's own verdict on a webhook: valid, and Qikchat's.
    fn assert_qikchat(body: &Value, kind: &str) {
        let check = crate::validation::check_value(body, &CheckOptions::default());
        assert_eq!(check.verdict, Verdict::Valid, "{:?} {body}", check.errors);
        assert_eq!(check.label(), format!("qikchat {kind}"));
    }

    #[test]
    fn a_text_send_is_queued_then_sent_and_delivered_under_its_id() {
        let mut emulator = QikchatSends.emulator(setup()).unwrap();
        let now = SystemTime::now();
        let body = json!({"to_contact": "+918080808080", "type": "text", "text": {"body": "Hey There!"}});
        let answer = send(emulator.as_mut(), "k", &body, now);
        assert_eq!(answer.status, 200);
        assert_eq!(answer.what, "send:text");
        assert_eq!(answer.checked, Some(Vec::new()));
        let parsed: Value = serde_json::from_slice(&answer.body).unwrap();
        assert_eq!(parsed["status"], true);
        assert_eq!(parsed["message"], "Messages queued successfully");
        let data = &parsed["data"][0];
        let id = data["id"].as_str().unwrap();
        assert_eq!(id.len(), ID_LENGTH);
        assert!(id.bytes().all(|b| b.is_ascii_alphanumeric()), "{id}");
        assert_eq!(data["recipient"], "+918080808080");
        assert_eq!(data["status"], "queued");
        assert_eq!(answer.webhooks.len(), 2);
        for (webhook, status) in answer.webhooks.iter().zip(["sent", "delivered"]) {
            assert_eq!(webhook.status, Some(status));
            assert_eq!(webhook.body["event"], "whatsapp:message:status");
            assert_eq!(webhook.body["payload"]["id"], id);
            assert_eq!(webhook.body["payload"]["status"], status);
            assert_eq!(webhook.body["payload"]["to"], "+918080808080");
            assert_qikchat(&webhook.body, &format!("status:{status}"));
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_ids() {
        let now = SystemTime::now();
        let body = json!({"to_contact": "+91", "type": "text", "text": {"body": "x"}});
        let ids: Vec<Value> = (0..2)
            .map(|_| {
                let mut emulator = QikchatSends.emulator(setup()).unwrap();
                let answer = send(emulator.as_mut(), "k", &body, now);
                serde_json::from_slice::<Value>(&answer.body).unwrap()["data"][0]["id"].clone()
            })
            .collect();
        assert_eq!(ids[0], ids[1]);
    }

    #[test]
    fn flags_without_a_documented_meaning_are_refused_with_the_reason() {
        type Edit = fn(&mut EmulatorSetup);
        let cases: [(Edit, &str); 4] = [
            (|s| s.templates = Some(json!([])), "--templates"),
            (|s| s.throughput = Some(10), "--throughput"),
            (|s| s.pair_interval = Some(Duration::from_secs(6)), "--pair-interval"),
            (
                |s| s.injections = vec![Injection::parse("131030:next=1").unwrap()],
                "--inject",
            ),
        ];
        for (set, flag) in cases {
            let mut setup = setup();
            set(&mut setup);
            let Err(err) = QikchatSends.emulator(setup) else {
                panic!("{flag} was accepted");
            };
            let text = err.to_string();
            assert!(text.contains(flag) && !text.contains('\n'), "{text}");
        }
        let mut emulator = QikchatSends.emulator(setup()).unwrap();
        let injection = Injection::parse("1:next=1").unwrap();
        assert!(emulator.inject(injection).is_err());
    }

    #[test]
    fn the_customer_says_reacts_reads_and_fails_in_qikchat_bodies() {
        let mut emulator = QikchatSends.emulator(setup()).unwrap();
        let now = SystemTime::now();
        let said = emulator
            .customer(&CustomerAction::Say("Is it in stock?".into()), now)
            .unwrap();
        assert_qikchat(&said.webhook.body, "message:text");
        assert_eq!(said.webhook.body["payload"]["id"], said.message_id.as_str());
        assert_eq!(said.webhook.body["payload"]["message"]["from"], CUSTOMER);
        assert_eq!(
            said.webhook.body["payload"]["message"]["text"]["body"],
            "Is it in stock?"
        );
        let image = emulator
            .customer(&CustomerAction::SayKind("message:image".into()), now)
            .unwrap();
        assert_qikchat(&image.webhook.body, "message:image");
        let missing = emulator.customer(&CustomerAction::SayKind("message:video".into()), now);
        assert_eq!(missing.err().map(|(status, _)| status), Some(400));

        let body = json!({"to_contact": "+918080808080", "type": "text", "text": {"body": "Yes"}});
        let answer = send(emulator.as_mut(), "k", &body, now);
        let id = serde_json::from_slice::<Value>(&answer.body).unwrap()["data"][0]["id"]
            .as_str()
            .unwrap()
            .to_string();
        let reacted = emulator
            .customer(&CustomerAction::React(id.clone(), "👍".into()), now)
            .unwrap();
        assert_qikchat(&reacted.webhook.body, "message:reaction");
        assert_eq!(
            reacted.webhook.body["payload"]["message"]["reaction"]["message_id"],
            id.as_str()
        );
        for (action, status) in [
            (CustomerAction::Read(id.clone()), "read"),
            (CustomerAction::Fail(id.clone(), 131_026), "failed"),
        ] {
            let event = emulator.customer(&action, now).unwrap();
            assert_eq!(event.webhook.body["payload"]["status"], status);
            assert_eq!(event.webhook.body["payload"]["id"], id.as_str());
            assert_qikchat(&event.webhook.body, &format!("status:{status}"));
        }
        let unknown = emulator.customer(&CustomerAction::Read("nope".into()), now);
        assert_eq!(unknown.err().map(|(status, _)| status), Some(404));
    }

    #[test]
    fn outside_the_window_a_free_form_send_fails_and_a_template_does_not() {
        let mut setup = setup();
        setup.window = Some(Duration::from_secs(60));
        let mut emulator = QikchatSends.emulator(setup).unwrap();
        let start = SystemTime::now();
        let text = json!({"to_contact": "+91", "type": "text", "text": {"body": "x"}});
        let template = json!({"to_contact": "+91", "type": "template", "template": {"name": "t"}});
        let statuses = |answer: &ApiAnswer| -> Vec<&'static str> {
            answer.webhooks.iter().filter_map(|w| w.status).collect()
        };
        let before_any = send(emulator.as_mut(), "k", &text, start);
        assert_eq!((before_any.status, statuses(&before_any)), (200, vec!["failed"]));
        let template_answer = send(emulator.as_mut(), "k", &template, start);
        assert_eq!(statuses(&template_answer), ["sent", "delivered"]);
        emulator
            .customer(&CustomerAction::Say("hi".into()), start)
            .unwrap();
        let within = send(emulator.as_mut(), "k", &text, start + Duration::from_secs(59));
        assert_eq!(statuses(&within), ["sent", "delivered"]);
        let after = send(emulator.as_mut(), "k", &text, start + Duration::from_secs(61));
        assert_eq!(statuses(&after), ["failed"]);
    }

    #[test]
    fn keys_routes_and_wrong_sends_are_refused_in_the_envelope() {
        let mut setup = setup();
        setup.token = Some(SecretString::new("the-key"));
        let mut emulator = QikchatSends.emulator(setup).unwrap();
        let now = SystemTime::now();
        let body = json!({"to_contact": "+91", "type": "text", "text": {"body": "x"}});
        for key in ["", "  ", "other"] {
            let answer = send(emulator.as_mut(), key, &body, now);
            assert_eq!(answer.status, 401, "{key:?}");
            let text = String::from_utf8(answer.body.to_vec()).unwrap();
            assert!(!text.contains("the-key"), "{text}");
        }
        assert_eq!(send(emulator.as_mut(), "the-key", &body, now).status, 200);
        let wrong = json!({"to_contact": "+91", "type": "image", "image": {"link": "ftp://x/y"}});
        let answer = send(emulator.as_mut(), "the-key", &wrong, now);
        assert_eq!(answer.status, 400);
        assert!(answer.webhooks.is_empty());
        let parsed: Value = serde_json::from_slice(&answer.body).unwrap();
        assert_eq!(parsed["status"], false);
        assert_eq!(
            parsed["message"],
            "/image/link: expected an http:// or https:// link, found string \"ftp://x/y\""
        );
        let headers = vec![(KEY_HEADER.to_string(), "the-key".to_string())];
        let request = |method, path| ApiRequest {
            method,
            path,
            query: "",
            headers: &headers,
            body: b"",
        };
        assert_eq!(emulator.answer(&request("GET", MESSAGES_PATH), now).status, 405);
        assert_eq!(emulator.answer(&request("POST", "/v2/messages"), now).status, 404);
        let malformed = emulator.answer(&request("POST", MESSAGES_PATH), now);
        assert_eq!((malformed.status, malformed.what.as_str()), (400, "send:malformed"));
    }

    #[test]
    fn check_send_names_the_kind_and_the_schema() {
        let check = QikchatSends.check_send(
            &json!({"to_contact": "+91", "type": "location", "location": {"latitude": 1}}),
        );
        assert_eq!(check.verdict, Verdict::Invalid);
        assert_eq!(check.label(), "qikchat send:location");
        assert_eq!(check.schema, Some("qikchat-send"));
        assert_eq!(check.errors[0].pointer, "/location/longitude");
    }
}
