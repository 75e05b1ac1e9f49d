//! Bodies the samples do not show as such but the provider sends: several notifications merged
//! into one (Meta batches entries, changes, messages and statuses), and every message and
//! status in each way the provider names a user (Meta: a phone number, a business-scoped user
//! id beside it, or a user id and a username without one). Both transforms are the provider's
//! capabilities ([`Batching::batch`](crate::providers::Batching::batch),
//! [`Identities::with_identity`](crate::providers::Identities::with_identity)); this sends them and reads
//! the answers and, when doctor started the app, its log.
use serde_json::Value;

use super::Doctor;
use super::deliveries::{
    deliver_all, delivery, fresh, message_sample, status_sample, webhook_samples,
};
use super::probe::{Halt, Reply};
use super::verdict::{CheckResult, Problem, Status, budget_words, delivery_problem};
use crate::catalogue::Sample;
use crate::providers::{Kind, Provider};

/// The pattern that reads one item of each list: what a batch finds out.
const FIRST_ONLY: &str = "entry[0].changes[0].value.messages[0]";

/// Whether the answer says the app failed on the body itself (an error status, an error in its
/// log, its end), rather than answering slowly, redirecting, or refusing credentials: only then
/// is the body's shape the cause.
fn fails_on_body(reply: &Reply) -> bool {
    match reply {
        Reply::Answer(answer) => {
            answer.logged.is_some()
                || ((400..600).contains(&answer.status)
                    && !matches!(answer.status, 401 | 403 | 404 | 405 | 413))
        }
        Reply::Failed(failure) => failure.crashed.is_some(),
    }
}

/// Whether the provider batches notifications (its batch of two messages is a body).
pub(super) fn batches(provider: Provider) -> bool {
    let sample = message_sample(provider);
    let body = super::deliveries::parse(sample);
    provider
        .rules()
        .batching()
        .and_then(|b| b.batch(&[body.clone(), body]))
        .is_some()
}

pub(super) fn has_identities(provider: Provider) -> bool {
    provider.rules().identities().is_some()
}

/// The message samples of one sender's ordinary kinds (text first), for a batch.
fn batch_messages(provider: Provider) -> Vec<&'static Sample> {
    let mut samples = vec![message_sample(provider)];
    for sample in webhook_samples(provider) {
        if samples.len() >= 3 {
            break;
        }
        let kind = Kind::parse(&sample.kind);
        if kind.name() == "message"
            && !samples.iter().any(|s| s.name == sample.name)
            && !sample.name.contains("group")
            && !sample.name.contains("system")
            && !sample.name.contains("undelivered")
        {
            samples.push(sample);
        }
    }
    samples
}

/// How many entries, changes, messages and statuses a notification holds, in words.
fn contents(value: &Value) -> String {
    let entries = value["entry"].as_array().map_or(0, Vec::len);
    let mut changes = 0_usize;
    let mut messages = 0;
    let mut statuses = 0;
    for entry in value["entry"].as_array().into_iter().flatten() {
        for change in entry["changes"].as_array().into_iter().flatten() {
            changes += 1;
            messages += change["value"]["messages"].as_array().map_or(0, Vec::len);
            statuses += change["value"]["statuses"].as_array().map_or(0, Vec::len);
        }
    }
    [
        crate::output::plural(entries as u64, "entry", "entries"),
        crate::output::plural(changes as u64, "change", "changes"),
        crate::output::plural(messages as u64, "message", "messages"),
        crate::output::plural(statuses as u64, "status", "statuses"),
    ]
    .join(", ")
}

pub(super) fn batched(doctor: &mut Doctor) -> Result<CheckResult, Halt> {
    const CHECK: &str = "batched";
    let provider = doctor.provider;
    let mut bodies: Vec<Value> = batch_messages(provider)
        .into_iter()
        .map(|sample| fresh(doctor, sample))
        .collect();
    if let Some(status) = status_sample(provider) {
        for _ in 0..2 {
            bodies.push(fresh(doctor, status));
        }
    }
    // A second account's message: a second entry.
    let mut other = fresh(doctor, message_sample(provider));
    if let Some(id) = other.pointer_mut("/entry/0/id") {
        *id = Value::String(format!("{}1", id.as_str().unwrap_or("10203040")));
    }
    bodies.push(other);
    let Some(batch) = provider.rules().batching().and_then(|b| b.batch(&bodies)) else {
        return Ok(CheckResult::skipped(
            CHECK,
            format!("{} does not batch notifications", provider.display_name()),
        ));
    };
    let held = contents(&batch);
    let counts = items(&batch);
    let budget = budget_words(doctor);
    let result = deliver_all(
        doctor,
        CHECK,
        vec![(format!("one notification of {held}"), batch)],
        |_| format!("one notification of {held}: 2xx within {budget}"),
        |_, reply| {
            fails_on_body(reply).then(|| {
                (
                    BATCH_CAUSE.to_string(),
                    format!(
                        "loop over every entry, every change, every message and every status; code \
                     that reads {FIRST_ONLY} handles the first and drops the rest"
                    ),
                )
            })
        },
    )?;
    if result.status == Status::Failed && result.cause.as_deref() == Some(BATCH_CAUSE) {
        return alone(doctor, result);
    }
    // A 2xx (and, with `-- CMD`, a quiet log) says the notification was taken, not that each
    // item in it was handled: an app that reads only the first answers the same. That is no
    // pass; the user's own records are the only witness.
    if result.status != Status::Passed || result.requests == 0 {
        return Ok(result);
    }
    let mut warning = CheckResult::warning(
        CHECK,
        Problem::new(
            format!(
                "{}; whether every item was handled cannot be seen from outside the app",
                result.summary
            ),
            format!(
                "an app that handles only the first item answers 2xx all the same (code that \
                 reads {FIRST_ONLY})"
            ),
            format!(
                "loop over every entry, change, message and status; then check that the app's \
                 records hold all {} and {} of this notification",
                crate::output::plural(counts.0 as u64, "message", "messages"),
                crate::output::plural(counts.1 as u64, "status", "statuses"),
            ),
        ),
    )
    .requests(result.requests);
    warning.latency = result.latency;
    warning.details = result.details;
    Ok(warning)
}

const BATCH_CAUSE: &str = "the app fails on a notification that holds several entries, \
                           changes, messages or statuses, as the provider batches them";

/// A batch failed on its body: the batch is the cause only if its first message, alone, is
/// accepted. When that fails too, the app fails on the message itself (as kinds shows), and
/// the cause and fix are that failure's.
fn alone(doctor: &mut Doctor, mut result: CheckResult) -> Result<CheckResult, Halt> {
    // An app that stopped on the batch (and is not running again) cannot say.
    if doctor.probe.down().is_some() {
        return Ok(result);
    }
    let what = format!("{} alone", message_sample(doctor.provider).name);
    let value = fresh(doctor, message_sample(doctor.provider));
    let reply = doctor
        .probe
        .send(delivery(doctor, &value).named(what.clone()))?;
    result.requests += 1;
    // No answer that is the app's own (it had stopped, or cannot be reached): nothing learnt.
    if matches!(&reply, Reply::Failed(failure) if failure.crashed.is_none())
        && doctor.probe.down().is_some()
    {
        return Ok(result);
    }
    match delivery_problem(doctor, &what, &reply) {
        None => result
            .details
            .push(format!("{what}: accepted (2xx), so the batch is the cause")),
        Some(problem) => {
            result.details.push(problem.summary);
            result.cause = Some(format!(
                "not the batch: the app fails on a single message as well; {}",
                problem.cause
            ));
            result.fix = Some(problem.fix);
        }
    }
    Ok(result)
}

/// How many messages and statuses a notification holds.
fn items(value: &Value) -> (usize, usize) {
    let mut counts = (0, 0);
    for entry in value["entry"].as_array().into_iter().flatten() {
        for change in entry["changes"].as_array().into_iter().flatten() {
            counts.0 += change["value"]["messages"].as_array().map_or(0, Vec::len);
            counts.1 += change["value"]["statuses"].as_array().map_or(0, Vec::len);
        }
    }
    counts
}

pub(super) fn identities(doctor: &mut Doctor) -> Result<CheckResult, Halt> {
    const CHECK: &str = "identities";
    let provider = doctor.provider;
    let forms = provider.rules().identities().map_or(&[][..], |i| i.forms());
    let samples: Vec<&Sample> = webhook_samples(provider).collect();
    let mut bodies = Vec::new();
    let mut rewritten = 0;
    for sample in samples {
        let value = fresh(doctor, sample);
        let mut any = false;
        for identity in forms {
            if let Some(body) = provider
                .rules()
                .identities()
                .and_then(|i| i.with_identity(&value, *identity))
            {
                bodies.push((format!("{} as {identity}", sample.name), body));
                any = true;
            }
        }
        rewritten += usize::from(any);
    }
    let names: Vec<&str> = forms.iter().map(|form| form.name()).collect();
    let names = names.join(", ");
    let budget = budget_words(doctor);
    let count = bodies.len();
    deliver_all(
        doctor,
        CHECK,
        bodies,
        |_| {
            format!(
                "{} ({}, each as {names}): all 2xx within {budget}",
                crate::output::plural(count as u64, "body", "bodies"),
                crate::output::plural(
                    rewritten as u64,
                    "message or status sample",
                    "message and status samples"
                ),
            )
        },
        // A body that fails with the user named by phone number alone fails for its kind
        // (see kinds), not for the identity.
        |what, reply| {
            (fails_on_body(reply) && !what.ends_with(" as phone")).then(|| {
                (
                    format!(
                        "the app fails on a user named another way: {} may name a user by a \
                     business-scoped user id and a username, without a phone number",
                        provider.display_name()
                    ),
                    "read the phone number (wa_id, from, recipient_id) only when present; key \
                     users by user_id (from_user_id, recipient_user_id) when it is there"
                        .to_string(),
                )
            })
        },
    )
}
