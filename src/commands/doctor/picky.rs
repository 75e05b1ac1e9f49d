//! Checks for a provider that reads answers (Picky Assist's instant replies) or sends bodies
//! as query parameters (its deprecated method). Both facts come from the registry.
use reqwest::Method;
use serde_json::Value;

use super::Doctor;
use super::deliveries::{fresh, message_sample};
use super::probe::{Halt, Reply, Request};
use super::verdict::{CheckResult, Problem, delivery_problem};
use crate::http;
use crate::output;
use crate::providers;
use crate::validation::{self, CheckOptions, Forced};

pub(super) fn query_method(doctor: &mut Doctor) -> Result<CheckResult, Halt> {
    const CHECK: &str = "query-method";
    let Some(encode) = doctor.provider.rules().query_method() else {
        return Ok(CheckResult::skipped(
            CHECK,
            "this provider has no query method",
        ));
    };
    let sample = message_sample(doctor.provider);
    let value = fresh(doctor, sample);
    let query = encode(&value).expect("a sample is a JSON object");
    let mut request = Request::post_json(doctor.probe.target_url(), Vec::new());
    request.method = Method::POST;
    request.json = false;
    request.url = http::join_request_url(doctor.probe.target_url(), "", &query);
    let reply = doctor.probe.send(request)?;
    let result = match delivery_problem(doctor, "a message as query parameters", &reply) {
        None => CheckResult::passed(
            CHECK,
            format!(
                "{} as query parameters on an empty POST: {}",
                sample.name,
                reply.answer().map_or(0, |a| a.status)
            ),
        ),
        // Only projects still on the deprecated method send this: a warning, not a failure.
        Some(mut problem) => {
            if reply
                .answer()
                .is_some_and(|a| (400..600).contains(&a.status))
            {
                problem.cause = format!(
                    "the app reads only JSON bodies; {}'s deprecated method sends the fields as \
                     query parameters on a POST without a body",
                    doctor.provider.display_name()
                );
                problem.fix = "read the fields from the query string when the body is empty, \
                               or make sure the project uses the JSON method"
                    .to_string();
            }
            CheckResult::warning(CHECK, problem)
        }
    };
    Ok(result.requests(1))
}

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
    let text = answer.text();
    let shown = output::excerpt(&doctor.probe.scrub(&text), 50);
    let name = doctor.provider.display_name();
    let result = if text.trim().is_empty() {
        CheckResult::passed(CHECK, "no instant reply: an empty acknowledgement")
    } else {
        match serde_json::from_str::<Value>(text.trim()) {
            Err(_) => CheckResult::warning(
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
            ),
            Ok(value) => {
                let is_reply = providers::detect(&value).is_some_and(|d| d.schema == schema.id)
                    || providers::near_reply_keys(&value, schema);
                if !is_reply {
                    CheckResult::passed(
                        CHECK,
                        format!("no instant reply: a JSON acknowledgement {shown}"),
                    )
                } else {
                    let check = validation::check_value(
                        &value,
                        &CheckOptions {
                            strict: false,
                            force: Some(Forced::Schema(schema)),
                        },
                    );
                    if check.verdict.is_valid() {
                        CheckResult::passed(
                            CHECK,
                            format!("an instant reply {name} will send: {shown}"),
                        )
                    } else {
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
                }
            }
        }
    };
    Ok(result.requests(1))
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
