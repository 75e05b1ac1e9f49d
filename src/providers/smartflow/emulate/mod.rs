//! Omni Smartflow, emulated (`wa-hook emulate smartflow`): its webhook side only. No public
//! send API of Omni Smartflow's was found (../shared/SEND-APIS.md), so every request to the API
//! port is refused with that fact, and what the emulator does is the customer's side: a
//! message (`emulate say`, `say --kind message:image`) to the incoming-message callback
//! (`--webhook`) and a status (`emulate read|fail MESSAGE_ID`) to the status callback
//! (`--events-webhook`), each built from wa-hook's Smartflow samples (Meta's On-Premises format,
//! seed omni-smartflow-webhook-callbacks.txt) with fresh ids and times.
use std::time::SystemTime;

use serde_json::{Value, json};

use crate::ids::IdSource;
use crate::providers::capabilities::{
    ApiAnswer, ApiRequest, CustomerAction, CustomerEvent, Destination, Emulator, EmulatorSetup,
    Injection, Lifecycle, SendApi, Webhook,
};
use crate::providers::sends::json_answer;
use crate::validation::Check;

/// The test customer: the number of wa-hook's Smartflow samples, with their profile name.
const CUSTOMER: &str = "919823456710";

/// Why every API request is refused.
const NO_SEND_API: &str = "Omni Smartflow has no public send API (none was found: wa-hook's \
     SEND-APIS.md), so wa-hook emulates its webhook side only: `wa-hook emulate say` sends the \
     customer's message to --webhook, `wa-hook emulate read|fail MESSAGE_ID` a status to \
     --events-webhook";

/// `SendApi` for Omni Smartflow: the customer's side of its callbacks.
pub struct SmartflowSends;

impl SendApi for SmartflowSends {
    fn emulator(&self, setup: EmulatorSetup) -> anyhow::Result<Box<dyn Emulator>> {
        let refused = [
            (setup.token.is_some(), "--token-env"),
            (setup.templates.is_some(), "--templates"),
            (setup.window.is_some(), "--window"),
            (setup.throughput.is_some(), "--throughput"),
            (setup.pair_interval.is_some(), "--pair-interval"),
            (!setup.injections.is_empty(), "--inject"),
        ];
        if let Some((_, flag)) = refused.iter().find(|(given, _)| *given) {
            anyhow::bail!(
                "Omni Smartflow has no public send API to check sends against: leave out {flag}"
            );
        }
        Ok(Box::new(SmartflowEmulator {
            ids: setup.seed.map_or_else(IdSource::new, IdSource::seeded),
        }))
    }

    /// No send of Omni Smartflow's is documented: a captured request is no send to check.
    fn check_send(&self, body: &Value) -> Check {
        let _ = body;
        Check::malformed(
            "a send to an Omni Smartflow API, which is not public",
            "a request wa-hook's emulator refused".to_string(),
        )
    }

    fn events_webhook(&self) -> Option<&'static str> {
        Some("the status callback URL")
    }

    fn no_send_api(&self) -> Option<&'static str> {
        Some(
            "Omni Smartflow has no public send API (wa-hook's SEND-APIS.md found none), so the \
             app's messages never pass through the emulator",
        )
    }
}

pub struct SmartflowEmulator {
    ids: IdSource,
}

/// A Smartflow sample's body, parsed (they are embedded and valid: the registry test checks).
fn sample(name: &str) -> Value {
    crate::catalogue::find_sample(name)
        .and_then(|sample| serde_json::from_slice(sample.body).ok())
        .unwrap_or_else(|| panic!("the Smartflow sample {name} is embedded and JSON"))
}

impl SmartflowEmulator {
    /// The sample with fresh ids and times (the callback's own id included).
    fn fresh(&mut self, name: &str, now: SystemTime) -> Value {
        let mut body = sample(name);
        super::RULES.refresh(&mut body, &mut self.ids, now);
        body
    }

    /// The customer writes: the message sample with its text, from the test customer.
    fn say(&mut self, name: &str, text: Option<&str>, now: SystemTime) -> CustomerEvent {
        let mut body = self.fresh(name, now);
        // The samples hold `messages` as one object (the seed's form) or as an array.
        let message = match body.get_mut("messages") {
            Some(Value::Array(items)) => items.first_mut(),
            other => other,
        };
        let mut message_id = String::new();
        if let Some(message) = message.and_then(Value::as_object_mut) {
            message.insert("from".into(), CUSTOMER.into());
            if let Some(text) = text {
                message.insert("text".into(), json!({"body": text}));
            }
            message_id = message
                .get("id")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
        }
        if let Some(contact) = body
            .pointer_mut("/contacts/0")
            .and_then(Value::as_object_mut)
        {
            contact.insert("wa_id".into(), CUSTOMER.into());
        }
        CustomerEvent {
            message_id,
            webhook: Webhook::new(None, body),
        }
    }

    /// A status of a message the app sent (through Omni Smartflow, outside the emulator): the
    /// status sample about `message_id`, to the status callback.
    fn status(
        &mut self,
        message_id: &str,
        status: &'static str,
        error: Option<Value>,
        now: SystemTime,
    ) -> Result<CustomerEvent, (u16, String)> {
        if message_id.trim().is_empty() {
            return Err((400, "the message id is empty".to_string()));
        }
        let mut body = self.fresh(&format!("smartflow/status-{status}"), now);
        let item = body
            .pointer_mut("/statuses/0")
            .and_then(Value::as_object_mut)
            .expect("a Smartflow status sample has statuses[0]");
        item.insert("id".into(), message_id.into());
        item.insert("recipient_id".into(), CUSTOMER.into());
        if let Some(error) = error {
            item.insert("errors".into(), json!([error]));
        }
        let mut webhook = Webhook::new(Some(status), body);
        webhook.destination = Destination::Events;
        Ok(CustomerEvent {
            message_id: message_id.to_string(),
            webhook,
        })
    }
}

impl Emulator for SmartflowEmulator {
    fn ids(&self) -> Vec<(&'static str, String)> {
        vec![("customer", CUSTOMER.to_string())]
    }

    fn setup_help(&self, base_url: &str) -> String {
        format!(
            "Omni Smartflow has no public send API: requests to {base_url} are refused (HTTP 501).\n\
             The customer's message to the incoming-message callback (--webhook):\n  \
             wa-hook emulate say --emulator {base_url} 'Hello'   (or --kind message:image, ...)\n\
             A status of a message the app sent, to the status callback (--events-webhook, else --webhook):\n  \
             wa-hook emulate read --emulator {base_url} wamid.HBgM...\n  \
             wa-hook emulate fail --emulator {base_url} wamid.HBgM... --code 131026"
        )
    }

    fn answer(&mut self, request: &ApiRequest<'_>, _now: SystemTime) -> ApiAnswer {
        let _ = request;
        json_answer(
            501,
            &json!({"error": NO_SEND_API}),
            "api:none",
            "refused: no public send API",
        )
    }

    fn inject(&mut self, injection: Injection) -> Result<(), String> {
        let _ = injection;
        Err("Omni Smartflow has no public send API: there are no sends to fail".to_string())
    }

    fn refusal(&mut self, status: u16, why: &str) -> ApiAnswer {
        json_answer(
            status,
            &json!({"error": why}),
            "refused",
            format!("refused {status}"),
        )
    }

    fn customer(
        &mut self,
        action: &CustomerAction,
        now: SystemTime,
    ) -> Result<CustomerEvent, (u16, String)> {
        match action {
            CustomerAction::Say(text) => Ok(self.say("smartflow/message-text", Some(text), now)),
            CustomerAction::SayKind(kind) => {
                let name = crate::providers::sends::message_sample("smartflow", "Omni Smartflow", kind)?;
                Ok(self.say(&name, None, now))
            }
            CustomerAction::React(..) => Err((
                400,
                "Omni Smartflow's page documents no reaction callback: nothing to send".to_string(),
            )),
            CustomerAction::Read(message_id) => self.status(message_id, "read", None, now),
            CustomerAction::Fail(message_id, code) => {
                // Omni Smartflow passes on Meta's errors (the seed's failed status carries
                // 131026): a code of wa-hook's Meta error table, with its meaning as texts.
                if !crate::providers::meta::emulate::errors::known(*code) {
                    return Err((
                        400,
                        format!(
                            "{code} is not in wa-hook's table of Meta error codes, which Omni \
                             Smartflow's failed statuses carry"
                        ),
                    ));
                }
                let error = if *code == 131_026 {
                    sample("smartflow/status-failed")["statuses"][0]["errors"][0].clone()
                } else {
                    crate::providers::meta::emulate::errors::failed_status_error(*code)
                };
                self.status(message_id, "failed", Some(error), now)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validation::Verdict;

    fn emulator() -> Box<dyn Emulator> {
        SmartflowSends
            .emulator(EmulatorSetup {
                base_url: "http://127.0.0.1:1".to_string(),
                token: None,
                templates: None,
                window: None,
                throughput: None,
                pair_interval: None,
                injections: Vec::new(),
                seed: Some(3),
            })
            .unwrap()
    }

    fn assert_smartflow(body: &Value, kind: &str) {
        let check = crate::validation::check_value(body, &crate::validation::CheckOptions::default());
        assert_eq!(check.verdict, Verdict::Valid, "{kind}: {:?}", check.errors);
        assert_eq!(check.provider.map(crate::providers::Provider::id), Some("smartflow"));
        assert_eq!(check.kind.map(|k| k.to_string()).as_deref(), Some(kind));
    }

    #[test]
    fn every_api_request_is_refused_with_the_reason() {
        let mut emulator = emulator();
        let answer = emulator.answer(
            &ApiRequest {
                method: "POST",
                path: "/v1/messages",
                query: "",
                headers: &[],
                body: b"{}",
            },
            SystemTime::now(),
        );
        assert_eq!(answer.status, 501);
        assert!(String::from_utf8_lossy(&answer.body).contains("no public send API"));
        assert!(answer.webhooks.is_empty());
    }

    #[test]
    fn the_customer_says_reads_and_fails() {
        let mut emulator = emulator();
        let now = SystemTime::now();
        let said = emulator.customer(&CustomerAction::Say("Is it in stock?".into()), now).unwrap();
        assert_eq!(said.webhook.destination, Destination::Main);
        assert_eq!(said.webhook.body["messages"]["text"]["body"], "Is it in stock?");
        assert_smartflow(&said.webhook.body, "message:text");
        let image = emulator.customer(&CustomerAction::SayKind("message:image".into()), now).unwrap();
        assert_smartflow(&image.webhook.body, "message:image");
        let read = emulator.customer(&CustomerAction::Read("wamid.ABC".into()), now).unwrap();
        assert_eq!(read.webhook.destination, Destination::Events);
        assert_eq!(read.webhook.body["statuses"][0]["id"], "wamid.ABC");
        assert_smartflow(&read.webhook.body, "status:read");
        let failed = emulator
            .customer(&CustomerAction::Fail("wamid.ABC".into(), 131_047), now)
            .unwrap();
        assert_eq!(failed.webhook.body["statuses"][0]["errors"][0]["code"], 131_047);
        assert_smartflow(&failed.webhook.body, "status:failed");
        assert!(emulator.customer(&CustomerAction::Fail("wamid.ABC".into(), 999_999), now).is_err());
        assert!(emulator.customer(&CustomerAction::React("wamid.ABC".into(), "👍".into()), now).is_err());
        assert!(emulator.customer(&CustomerAction::SayKind("status:read".into()), now).is_err());
    }

    #[test]
    fn flags_about_sends_are_refused() {
        let setup = EmulatorSetup {
            base_url: String::new(),
            token: None,
            templates: None,
            window: Some(std::time::Duration::from_secs(1)),
            throughput: None,
            pair_interval: None,
            injections: Vec::new(),
            seed: None,
        };
        let err = SmartflowSends.emulator(setup).err().unwrap().to_string();
        assert!(err.contains("--window"), "{err}");
    }
}
