//! Playing a conversation's steps against the app, one after the other, each judged as it
//! ends. The customer's actions go through the emulator's controls; the app's messages are the
//! sends in the emulator's capture file, read through the provider's [`SendApi`] (which says
//! what message a send body carries), so nothing here names a provider.
use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::{Value, json};

use super::emulator::EmulatorProcess;
use crate::app::App;
use crate::capture::{CaptureRecord, Direction};
use crate::conversation::{Action, Expectation, ID_PREFIX, LAST, Step, StepChaos};
use crate::output::{self, Notation};
use crate::providers::{SendApi, SentMessage, same_address};
use crate::validation::Verdict;

/// How a step that waited for a message in vain begins its cause.
const NOTHING_SENT: &str = "the app sent no message";

/// How long an expected message's first status is waited for, to see it did not fail, where
/// the provider sends none after a send (99 Digital).
const STATUS_WAIT: Duration = Duration::from_secs(1);
/// The same where a status always follows an accepted send: its record is written once the app
/// has answered the webhook, which may take up to the emulator's `--webhook-timeout` (10 s);
/// a `failed` status the app is slow to answer must still fail the step.
const STATUS_WAIT_ANSWERED: Duration = Duration::from_secs(11);

/// How often the capture file is read while a step waits for the app.
const POLL: Duration = Duration::from_millis(20);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Passed,
    Failed,
    /// Not played: an earlier step ended the run (the app stopped, Ctrl-C).
    NotRun,
}

#[derive(Debug, Serialize)]
pub struct StepResult {
    pub step: usize,
    pub name: String,
    pub status: Status,
    /// Why it failed (or was not run).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cause: Option<String>,
    /// What was seen, where it says more (the message the app sent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seen: Option<String>,
    /// The error the app logged during the step, if any (scrubbed of secrets).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub app_log: Vec<String>,
    pub duration_ms: f64,
}

/// Why playing stopped before the last step.
pub enum Halt {
    Interrupted,
    /// The app or the emulator stopped, with what it said.
    Stopped(String),
}

pub struct Player<'a> {
    pub emulator: &'a mut EmulatorProcess,
    pub app: Option<&'a mut App>,
    pub send_api: &'a dyn SendApi,
    pub interrupted: &'a dyn Fn() -> bool,
    /// The customer's messages by label, and the last one.
    customer: HashMap<String, String>,
    last_customer: Option<String>,
    /// Every address the customer's webhooks have named them by so far (a phone number, a
    /// business-scoped user id): the app's messages must go to one of them.
    addresses: Vec<String>,
    /// The app's messages by label, and the last one.
    sent: HashMap<String, String>,
    last_sent: Option<String>,
    /// The next capture record not yet looked at for the app's messages.
    cursor: usize,
    /// The last error the app logged since its last message, and during which step: the
    /// likely cause when an expected message does not come.
    logged: Option<(usize, String)>,
    /// The last step whose webhook was delivered twice (`chaos = "duplicate"`): the likely
    /// cause of a message the app sends once too often.
    duplicated: Option<usize>,
}

/// A message the app sent, with what the emulator made of the send.
struct Seen {
    message: SentMessage,
    status: u16,
    /// The send's first issue against the provider's send schema, or the error answered.
    refusal: Option<String>,
}

/// What the step found, before the app's log is added.
type Outcome = Result<Option<String>, (String, Option<String>)>;

impl<'a> Player<'a> {
    pub fn new(
        emulator: &'a mut EmulatorProcess,
        app: Option<&'a mut App>,
        send_api: &'a dyn SendApi,
        interrupted: &'a dyn Fn() -> bool,
    ) -> Player<'a> {
        Player {
            emulator,
            app,
            send_api,
            interrupted,
            customer: HashMap::new(),
            last_customer: None,
            addresses: Vec::new(),
            sent: HashMap::new(),
            last_sent: None,
            cursor: 0,
            logged: None,
            duplicated: None,
        }
    }

    /// Play one step: its result, and why playing cannot go on after it, if it cannot.
    pub fn play(&mut self, number: usize, step: &Step) -> (StepResult, Option<Halt>) {
        if let Some(app) = self.app.as_deref() {
            app.drain();
        }
        let started = Instant::now();
        let outcome = self.act(step);
        if step.chaos == Some(StepChaos::Duplicate) {
            self.duplicated = Some(number);
        }
        let halt = if (self.interrupted)() {
            Some(Halt::Interrupted)
        } else {
            self.stopped(outcome.is_err()).map(Halt::Stopped)
        };
        let app_log: Vec<String> = self
            .app
            .as_deref()
            .and_then(|app| crate::app::error_in(&app.settle()))
            .into_iter()
            .collect();
        let outcome = match outcome {
            // Nothing came: an error the app logged earlier (behind a 2xx) says why.
            Err((cause, None)) if app_log.is_empty() && cause.starts_with(NOTHING_SENT) => {
                match &self.logged {
                    Some((during, error)) => Err((
                        format!("{cause}; the app logged during step {during}: {error}"),
                        None,
                    )),
                    None => Err((cause, None)),
                }
            }
            other => other,
        };
        if let Some(error) = app_log.last() {
            self.logged = Some((number, error.clone()));
        }
        let (status, cause, seen) = match (outcome, &halt) {
            (_, Some(Halt::Interrupted)) => (
                Status::NotRun,
                Some("not finished: interrupted".to_string()),
                None,
            ),
            (Ok(seen), Some(Halt::Stopped(why))) => (Status::Failed, Some(why.clone()), seen),
            (Ok(seen), None) => (Status::Passed, None, seen),
            (Err((cause, seen)), Some(Halt::Stopped(why))) => {
                (Status::Failed, Some(format!("{cause}; {why}")), seen)
            }
            (Err((cause, seen)), None) => (Status::Failed, Some(cause), seen),
        };
        let result = StepResult {
            step: number,
            name: step.name.clone(),
            status,
            cause,
            seen,
            app_log,
            duration_ms: output::ms(started.elapsed()),
        };
        (result, halt)
    }

    /// "the app exited with status 1; its last lines: ..." once the app (or the emulator) has
    /// stopped. After a failed step the app is given a moment to end (a crash may close its
    /// connection just before it exits).
    fn stopped(&mut self, failed: bool) -> Option<String> {
        if let Some(status) = self.emulator.exited() {
            return Some(format!(
                "the emulator {}{}",
                crate::child::exit_words(status),
                self.emulator.last_lines()
            ));
        }
        let app = self.app.as_deref_mut()?;
        let status = if failed {
            app.exited_within()
        } else {
            app.exited()
        }?;
        Some(format!(
            "the app {}{}",
            crate::child::exit_words(status),
            app.last_lines()
        ))
    }

    fn act(&mut self, step: &Step) -> Outcome {
        match &step.action {
            Action::Say {
                text,
                kind,
                set,
                identity,
            } => {
                let mut body = match (text, kind) {
                    (Some(text), _) => json!({ "text": text }),
                    (None, kind) => json!({ "kind": kind }),
                };
                if !set.is_empty() {
                    body["set"] = json!(set);
                }
                if let Some(identity) = identity {
                    body["identity"] = identity.as_str().into();
                }
                let answer = self.customer_control(step, "say", body)?;
                let id = answer["message_id"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                if let Some(label) = &step.label {
                    self.customer.insert(label.clone(), id.clone());
                }
                self.last_customer = Some(id);
                for address in answer["from"].as_array().into_iter().flatten() {
                    if let Some(address) = address.as_str() {
                        if !self.addresses.iter().any(|known| known == address) {
                            self.addresses.push(address.to_string());
                        }
                    }
                }
                app_answered(&answer)
            }
            Action::React { to, emoji } => {
                let id = self.app_message(to)?;
                let answer = self.customer_control(
                    step,
                    "react",
                    json!({ "message_id": id, "emoji": emoji }),
                )?;
                app_answered(&answer)
            }
            Action::Read(message) => {
                let id = self.app_message(message)?;
                let answer = self.customer_control(step, "read", json!({ "message_id": id }))?;
                app_answered(&answer)
            }
            Action::Fail { message, code } => {
                let id = self.app_message(message)?;
                let mut body = json!({ "message_id": id });
                if let Some(code) = code {
                    body["code"] = (*code).into();
                }
                let answer = self.customer_control(step, "fail", body)?;
                app_answered(&answer)
            }
            Action::Expect(expectation) => self.expect(step, expectation),
            Action::ExpectNone(within) => match self.next_message(*within) {
                None => Ok(None),
                Some(seen) => Err((
                    format!(
                        "the app sent {} within {}{}",
                        describe(&seen.message),
                        output::duration(*within, Notation::Words),
                        self.duplicated.map_or_else(String::new, |step| format!(
                            "; step {step} delivered its webhook twice (chaos = \"duplicate\"): \
                             did the app answer the copy as a new message?"
                        ))
                    ),
                    None,
                )),
            },
            Action::Wait(wait) => {
                let until = Instant::now() + *wait;
                while Instant::now() < until && !(self.interrupted)() {
                    std::thread::sleep(POLL.min(until.saturating_duration_since(Instant::now())));
                }
                Ok(None)
            }
            Action::Advance(by) => {
                let millis = u64::try_from(by.as_millis()).unwrap_or(u64::MAX);
                self.control("clock", &json!({ "advance_ms": millis }))?;
                Ok(None)
            }
        }
    }

    /// A customer's action, with the step's chaos: a duplicate asked of the control itself, a
    /// reorder of the next send's statuses asked just before.
    fn customer_control(
        &self,
        step: &Step,
        action: &str,
        mut body: Value,
    ) -> Result<Value, (String, Option<String>)> {
        match step.chaos {
            Some(StepChaos::Duplicate) => body["chaos"] = "duplicate".into(),
            Some(StepChaos::Reorder) => {
                self.control("chaos", &json!({ "next_send": "reorder" }))?;
            }
            None => {}
        }
        self.control(action, &body)
    }

    fn control(&self, action: &str, body: &Value) -> Result<Value, (String, Option<String>)> {
        self.emulator
            .control(action, body)
            .map_err(|err| (format!("{err:#}"), None))
    }

    /// The id of the app's message a step names.
    fn app_message(&self, label: &str) -> Result<String, (String, Option<String>)> {
        if let Some(id) = label.strip_prefix(ID_PREFIX) {
            return Ok(id.to_string());
        }
        let id = if label == LAST {
            self.last_sent.clone()
        } else {
            self.sent.get(label).cloned()
        };
        id.ok_or_else(|| {
            (
                format!(
                    "`{label}` names no message of the app's that the emulator accepted (see the step that expects it)"
                ),
                None,
            )
        })
    }

    fn expect(&mut self, step: &Step, expectation: &Expectation) -> Outcome {
        let Some(seen) = self.next_message(expectation.within) else {
            return Err((
                format!(
                    "{NOTHING_SENT} within {}",
                    output::duration(expectation.within, Notation::Words)
                ),
                None,
            ));
        };
        self.logged = None;
        let shown = describe(&seen.message);
        if let Some(id) = &seen.message.id {
            if let Some(label) = &step.label {
                self.sent.insert(label.clone(), id.clone());
            }
            self.last_sent = Some(id.clone());
        }
        let fail = |why: String| Err((why, Some(shown.clone())));
        let message = &seen.message;
        if let Some(kind) = &expectation.kind {
            if &message.kind != kind {
                return fail(format!("the app sent {shown}, not {}", output::a(kind)));
            }
        }
        if let Some(refusal) = &seen.refusal {
            return fail(format!(
                "the emulator refused the app's {} ({}): {refusal}",
                message.kind, seen.status
            ));
        }
        // A message to anyone but the customer is not the answer the step waits for. Only
        // where both sides name addresses: before the customer wrote, and for a provider whose
        // customer field wa-hook does not know, nothing is checked.
        if !message.to.is_empty()
            && !self.addresses.is_empty()
            && !message.to.iter().any(|to| {
                self.addresses
                    .iter()
                    .any(|address| same_address(to, address))
            })
        {
            return fail(format!(
                "the app sent {shown} to {}, not to the customer ({})",
                message.to.join(", "),
                self.addresses.join(" or ")
            ));
        }
        if let Some(template) = &expectation.template {
            if message.template.as_ref() != Some(template) {
                return fail(format!(
                    "the app sent {shown}, not the template `{template}`"
                ));
            }
        }
        if let Some(parameters) = &expectation.parameters {
            if &message.parameters != parameters {
                return fail(format!(
                    "the template's parameters are {:?}, not {parameters:?}",
                    message.parameters
                ));
            }
        }
        for check in &expectation.text {
            match &message.text {
                Some(text) if check.accepts(text) => {}
                Some(text) => {
                    return fail(format!(
                        "its text {:?} is not {check}",
                        output::excerpt(text, 120)
                    ));
                }
                None => return fail(format!("the app sent {shown}, which has no text")),
            }
        }
        if let Some(label) = &expectation.reply_to {
            let wanted = if label == LAST {
                self.last_customer.clone()
            } else {
                self.customer.get(label).cloned()
            };
            match (&message.reply_to, wanted) {
                (Some(quoted), Some(wanted)) if *quoted == wanted => {}
                (None, Some(wanted)) => {
                    return fail(format!(
                        "it quotes no message; it should reply to {label} ({wanted})"
                    ));
                }
                (Some(quoted), Some(wanted)) => {
                    return fail(format!("it replies to {quoted}, not to {label} ({wanted})"));
                }
                (_, None) => return fail(format!("the customer sent no message `{label}` names")),
            }
        }
        if let Some(id) = &message.id {
            if self.first_status(id) == Some("failed".to_string()) {
                return fail(format!(
                    "the emulator accepted {shown}, then reported it failed (a `failed` status: \
                     outside the customer-service window, or an injected failure)"
                ));
            }
        }
        Ok(Some(shown))
    }

    /// The first status the emulator sent about the app's message `id`, waiting up to
    /// [`STATUS_WAIT`] for it (it follows the send at once unless the emulator delays it).
    fn first_status(&mut self, id: &str) -> Option<String> {
        let wait = if self.send_api.statuses_follow_sends() {
            STATUS_WAIT_ANSWERED
        } else {
            STATUS_WAIT
        };
        let until = Instant::now() + wait;
        let mut from = self.cursor;
        loop {
            self.emulator.poll();
            while from < self.emulator.records.len() {
                let record = &self.emulator.records[from];
                from += 1;
                if record.direction != Some(Direction::Webhook) {
                    continue;
                }
                let status = record
                    .body_bytes()
                    .ok()
                    .flatten()
                    .and_then(|bytes| serde_json::from_slice::<Value>(&bytes).ok())
                    .and_then(|body| self.send_api.status_of(&body));
                if let Some((about, status)) = status {
                    if about == id {
                        return Some(status);
                    }
                }
            }
            if Instant::now() >= until || (self.interrupted)() {
                return None;
            }
            std::thread::sleep(POLL);
        }
    }

    /// The app's next message, waiting up to `within` for it; sends that carry no message
    /// (read receipts, typing, uploads) are passed over.
    fn next_message(&mut self, within: Duration) -> Option<Seen> {
        let until = Instant::now() + within;
        loop {
            self.emulator.poll();
            while self.cursor < self.emulator.records.len() {
                let record = &self.emulator.records[self.cursor];
                self.cursor += 1;
                if let Some(seen) = message_of(self.send_api, record) {
                    return Some(seen);
                }
            }
            if Instant::now() >= until || (self.interrupted)() {
                return None;
            }
            std::thread::sleep(POLL.min(until.saturating_duration_since(Instant::now())));
        }
    }
}

/// The message a capture record holds, when it is one of the app's sends that carries one.
fn message_of(send_api: &dyn SendApi, record: &CaptureRecord) -> Option<Seen> {
    if record.direction != Some(Direction::Send) {
        return None;
    }
    // What the provider reads of the send (Picky Assist's `?data=` form carries it in the query).
    let bytes = record.body_bytes().ok().flatten().unwrap_or_default();
    let body: Value = serde_json::from_slice(&send_api.sent_body(&bytes, &record.query)).ok()?;
    let answer: Value = record
        .answer
        .as_deref()
        .and_then(|answer| serde_json::from_str(answer).ok())
        .unwrap_or(Value::Null);
    let message = send_api.message_sent(&body, &answer)?;
    let status = record.response_status;
    let refusal = refusal_of(send_api, record, &answer);
    Some(Seen {
        message,
        status,
        refusal,
    })
}

/// Why the emulator did not take the send `record` holds (`answer` its answer): a non-2xx
/// status with the field at fault, a refusal answered 2xx (99 Digital's `FAIL`), or a send
/// found invalid and not sent (Picky Assist's instant reply); `None` when it was taken.
pub fn refusal_of(
    send_api: &dyn SendApi,
    record: &CaptureRecord,
    answer: &Value,
) -> Option<String> {
    (!(200..300).contains(&record.response_status))
        .then(|| {
            record.errors.first().map_or_else(
                || output::excerpt(&answer.to_string(), 200),
                output::format_issue,
            )
        })
        .or_else(|| send_api.refusal_in(answer))
        .or_else(|| {
            (record.verdict == Some(Verdict::Invalid)).then(|| {
                record.errors.first().map_or_else(
                    || "the emulator found it invalid and did not send it".to_string(),
                    |issue| format!("not sent: {}", output::format_issue(issue)),
                )
            })
        })
}

/// A `say`, `read` ... passes when the app answered its webhook 2xx.
/// With `chaos = "duplicate"`, its copy too.
fn app_answered(answer: &Value) -> Outcome {
    match answer["app_status"].as_u64() {
        Some(status) if (200..300).contains(&status) => {}
        Some(status) => return Err((format!("the app answered the webhook {status}"), None)),
        None => return Err(("the app did not answer the webhook".to_string(), None)),
    }
    match answer.get("copy_status").map(Value::as_u64) {
        None => Ok(None),
        Some(Some(status)) if (200..300).contains(&status) => Ok(None),
        Some(Some(status)) => Err((
            format!("the app answered the webhook's copy (chaos = \"duplicate\") {status}"),
            None,
        )),
        Some(None) => Err((
            "the app did not answer the webhook's copy (chaos = \"duplicate\")".to_string(),
            None,
        )),
    }
}

/// `a text "Your order ships tomorrow"`, `the template order_update ["1234"]`.
pub fn describe(message: &SentMessage) -> String {
    let mut words = match &message.template {
        Some(name) => format!("the template `{name}`"),
        None => output::a(&message.kind),
    };
    if !message.parameters.is_empty() {
        words.push_str(&format!(" {:?}", message.parameters));
    }
    if let Some(text) = &message.text {
        words.push_str(&format!(" {:?}", output::excerpt(text, 120)));
    }
    words
}
