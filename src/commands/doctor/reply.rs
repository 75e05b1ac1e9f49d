//! The check for a provider that reads an endpoint's answer and acts on it
//! ([`providers::InstantReplies`], Picky Assist's instant replies): is the answer a reply the
//! provider will send, a plain acknowledgement, or a reply it cannot read? The reply schema is
//! the provider's.
use serde_json::Value;

use super::Doctor;
use super::deliveries::{fresh, message_sample};
use super::probe::{Halt, Reply};
use super::verdict::{CheckResult, Problem, delivery_problem};
use crate::output;
use crate::providers;
use crate::schemas::Schema;
use crate::validation::{self, CheckOptions, Forced};

pub(super) fn instant_reply(doctor: &mut Doctor) -> Result<CheckResult, Halt> {
    const CHECK: &str = "instant-reply";
    let sample = message_sample(doctor.provider);
    let value = fresh(doctor, sample);
    let schema = providers::detect(&value)
        .filter(|detection| detection.provider == doctor.provider)
        .and_then(|detection| providers::reply_schema(&detection));
    let Some(schema) = schema else {
        return Ok(CheckResult::skipped(
            CHECK,
            "this provider reads no answers",
        ));
    };
    let reply = doctor
        .probe
        .send(super::deliveries::delivery(doctor, &value))?;
    if let Some(problem) = delivery_problem(doctor, &sample.name, &reply) {
        return Ok(CheckResult::failed(CHECK, problem).requests(1));
    }
    let Reply::Answer(answer) = &reply else {
        unreachable!("a delivery without a problem has an answer");
    };
    Ok(judge_reply(doctor, schema, &answer.text()).requests(1))
}

/// An answer's verdict: an acknowledgement (empty, or JSON that is no reply), a reply the
/// provider will send, or one it cannot read.
fn judge_reply(doctor: &Doctor, schema: &'static Schema, text: &str) -> CheckResult {
    const CHECK: &str = "instant-reply";
    let shown = output::excerpt(&doctor.probe.scrub(text), 50);
    let name = doctor.provider.display_name();
    if text.trim().is_empty() {
        return CheckResult::passed(CHECK, "no instant reply: an empty acknowledgement");
    }
    let Ok(value) = serde_json::from_str::<Value>(text.trim()) else {
        return CheckResult::warning(
            CHECK,
            Problem::new(
                format!("the answer is not JSON: {shown}"),
                format!(
                    "{name} acts only on a JSON answer: text or HTML is dropped, so no \
                     instant reply is sent"
                ),
                "answer JSON such as {\"message-out\": \"Thanks!\"} to reply, or an empty \
                 body or {} to acknowledge",
            ),
        );
    };
    let is_reply = providers::detect(&value).is_some_and(|d| d.schema == schema.id)
        || providers::near_reply_keys(&value, schema);
    if !is_reply {
        return CheckResult::passed(
            CHECK,
            format!("no instant reply: a JSON acknowledgement {shown}"),
        );
    }
    let check = validation::check_value(
        &value,
        &CheckOptions {
            strict: false,
            force: Some(Forced::Schema(schema)),
        },
    );
    if check.verdict.is_valid() {
        return CheckResult::passed(CHECK, format!("an instant reply {name} will send: {shown}"));
    }
    let issues: Vec<String> = check
        .errors
        .iter()
        .map(|issue| {
            let at = if issue.pointer.is_empty() {
                "/"
            } else {
                &issue.pointer
            };
            doctor.probe.scrub(&format!(
                "{at}: expected {}, found {}",
                issue.expected, issue.found
            ))
        })
        .collect();
    CheckResult::failed(
        CHECK,
        Problem::new(
            format!("the instant reply does not match {}: {shown}", schema.id),
            format!(
                "{name} does not send a reply it cannot read: {}",
                issues.first().cloned().unwrap_or_default()
            ),
            reply_example(doctor),
        ),
    )
    .details(issues)
}

/// "answer as documented (`wa-hook samples show picky/reply-text`)": a shipped reply sample of
/// the provider.
fn reply_example(doctor: &Doctor) -> String {
    let replies: Vec<&crate::catalogue::Sample> = crate::catalogue::samples()
        .iter()
        .filter(|s| s.provider == doctor.provider && !s.is_webhook())
        .collect();
    match replies
        .iter()
        .find(|s| s.name.ends_with("reply-text"))
        .or(replies.first())
    {
        Some(sample) => format!(
            "answer as documented (`wa-hook samples show {}`)",
            sample.name
        ),
        None => "answer as the provider documents instant replies".to_string(),
    }
}
